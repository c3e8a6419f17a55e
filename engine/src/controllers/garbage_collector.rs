//! The garbage collector (kube-controller-manager's `garbagecollector`): deletes objects
//! whose owners are gone (background propagation), deletes the dependents of an owner being
//! deleted in the foreground before letting it go, and strips owner references from the
//! dependents of an owner deleted with `--cascade=orphan`.
//!
//! It follows the watch log from its own cursor and keeps an index from owner uid to
//! dependents, so each change costs a few lookups, not a scan of the store.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::api::kinds;
use crate::api::object::{Object, ObjectKey, WatchEventType};
use crate::cluster::{Cluster, DeleteOptions, Propagation, FOREGROUND_FINALIZER, ORPHAN_FINALIZER};

/// What the garbage collector remembers between runs.
#[derive(Clone, Debug, Default)]
pub struct State {
    /// Position in the watch log.
    cursor: usize,
    /// Dependents by owner uid (may hold stale entries; checked on use).
    dependents: BTreeMap<String, BTreeSet<ObjectKey>>,
    /// Where each known owner uid lives.
    owners: BTreeMap<String, ObjectKey>,
}

/// Work found in one pass over new watch events.
#[derive(Default)]
struct Work {
    /// Objects whose owner references must be checked.
    dependents: BTreeSet<ObjectKey>,
    /// Owners with a deletion finalizer to act on.
    owners: BTreeSet<ObjectKey>,
}

/// Runs one pass of the garbage collector.
pub fn reconcile(cluster: &mut Cluster) {
    let work = read_events(cluster);
    for key in &work.owners {
        process_owner(cluster, key);
    }
    for key in &work.dependents {
        process_dependent(cluster, key);
    }
}

fn key_of(obj: &Object) -> ObjectKey {
    ObjectKey {
        kind: obj.kind(),
        namespace: obj.namespace().to_string(),
        name: obj.name().to_string(),
    }
}

fn read_events(cluster: &mut Cluster) -> Work {
    let mut work = Work::default();
    let state = &mut cluster.controllers.garbage_collector;
    let events = cluster.world.api.events_since(state.cursor);
    state.cursor = cluster.world.api.log_end();
    for event in events {
        let obj = &event.object;
        let key = key_of(obj);
        let meta = obj.metadata();
        let uid = meta.uid.clone().unwrap_or_default();
        match event.kind {
            WatchEventType::Added | WatchEventType::Modified => {
                state.owners.insert(uid.clone(), key.clone());
                let refs = meta.owner_references.as_deref().unwrap_or(&[]);
                for r in refs {
                    state
                        .dependents
                        .entry(r.uid.clone())
                        .or_default()
                        .insert(key.clone());
                }
                if !refs.is_empty() {
                    work.dependents.insert(key.clone());
                }
                let finalizers = meta.finalizers.as_deref().unwrap_or(&[]);
                if meta.deletion_timestamp.is_some()
                    && finalizers
                        .iter()
                        .any(|f| f == FOREGROUND_FINALIZER || f == ORPHAN_FINALIZER)
                {
                    work.owners.insert(key);
                }
            }
            WatchEventType::Deleted => {
                state.owners.remove(&uid);
                if let Some(deps) = state.dependents.remove(&uid) {
                    work.dependents.extend(deps);
                }
                // A dependent that went may have been holding up a foreground deletion.
                for r in meta.owner_references.as_deref().unwrap_or(&[]) {
                    if let Some(deps) = state.dependents.get_mut(&r.uid) {
                        deps.remove(&key);
                    }
                    if let Some(owner) = state.owners.get(&r.uid) {
                        work.owners.insert(owner.clone());
                    }
                }
            }
        }
    }
    work
}

/// Whether the owner a reference names still exists (same uid). Owners of kinds the store
/// does not hold yet are taken as existing, as the real collector leaves unresolvable
/// references alone.
fn owner_exists(cluster: &Cluster, namespace: &str, r: &OwnerReference) -> bool {
    let Some(info) = kinds::by_kind(&r.kind) else {
        return true;
    };
    if !Object::KINDS.contains(&info.kind) {
        return true;
    }
    let ns = if info.namespaced { namespace } else { "" };
    cluster
        .world
        .api
        .get(info.kind, ns, &r.name)
        .is_some_and(|o| o.metadata().uid.as_deref() == Some(r.uid.as_str()))
}

/// Deletes a dependent whose owners are all gone; drops references to owners that are gone
/// when others remain.
fn process_dependent(cluster: &mut Cluster, key: &ObjectKey) {
    let Some(obj) = cluster.world.api.get(key.kind, &key.namespace, &key.name) else {
        return;
    };
    let refs = obj.metadata().owner_references.clone().unwrap_or_default();
    if refs.is_empty() {
        return;
    }
    let (alive, dangling): (Vec<_>, Vec<_>) = refs
        .iter()
        .partition(|r| owner_exists(cluster, &key.namespace, r));
    if dangling.is_empty() {
        return;
    }
    if alive.is_empty() {
        if obj.metadata().deletion_timestamp.is_none() {
            let _ = cluster.world.delete_with(
                key.kind,
                &key.namespace,
                &key.name,
                &DeleteOptions::default(),
            );
        }
        return;
    }
    let mut obj = obj.clone();
    obj.metadata_mut().owner_references = Some(alive.into_iter().cloned().collect());
    let _ = cluster.world.api.update(obj);
}

/// Acts on an owner held by `orphan` or `foregroundDeletion`.
fn process_owner(cluster: &mut Cluster, key: &ObjectKey) {
    let Some(owner) = cluster.world.api.get(key.kind, &key.namespace, &key.name) else {
        return;
    };
    let meta = owner.metadata();
    if meta.deletion_timestamp.is_none() {
        return;
    }
    let uid = meta.uid.clone().unwrap_or_default();
    let finalizers = meta.finalizers.clone().unwrap_or_default();
    let dependents: Vec<ObjectKey> = cluster
        .controllers
        .garbage_collector
        .dependents
        .get(&uid)
        .map(|d| d.iter().cloned().collect())
        .unwrap_or_default();
    // Only dependents that still point to this owner count.
    let pointing = |cluster: &Cluster, d: &ObjectKey| -> Option<OwnerReference> {
        cluster
            .world
            .api
            .get(d.kind, &d.namespace, &d.name)
            .and_then(|o| o.metadata().owner_references.as_ref())
            .and_then(|refs| refs.iter().find(|r| r.uid == uid).cloned())
    };
    if finalizers.iter().any(|f| f == ORPHAN_FINALIZER) {
        for d in &dependents {
            if pointing(cluster, d).is_none() {
                continue;
            }
            if let Some(mut obj) = cluster
                .world
                .api
                .get(d.kind, &d.namespace, &d.name)
                .cloned()
            {
                let meta = obj.metadata_mut();
                if let Some(refs) = meta.owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                    if refs.is_empty() {
                        meta.owner_references = None;
                    }
                }
                let _ = cluster.world.api.update(obj);
            }
        }
        remove_finalizer(cluster, key, ORPHAN_FINALIZER);
        return;
    }
    if finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) {
        let mut blocking = false;
        for d in &dependents {
            let Some(r) = pointing(cluster, d) else {
                continue;
            };
            let deleting = cluster
                .world
                .api
                .get(d.kind, &d.namespace, &d.name)
                .is_some_and(|o| o.metadata().deletion_timestamp.is_some());
            if !deleting {
                // Dependents that block their owner go in the foreground too.
                let propagation = if r.block_owner_deletion == Some(true) {
                    Propagation::Foreground
                } else {
                    Propagation::Background
                };
                let options = DeleteOptions {
                    propagation,
                    ..DeleteOptions::default()
                };
                let _ = cluster
                    .world
                    .delete_with(d.kind, &d.namespace, &d.name, &options);
            }
            if r.block_owner_deletion == Some(true)
                && cluster
                    .world
                    .api
                    .get(d.kind, &d.namespace, &d.name)
                    .is_some()
            {
                blocking = true;
            }
        }
        if !blocking {
            remove_finalizer(cluster, key, FOREGROUND_FINALIZER);
        }
    }
}

fn remove_finalizer(cluster: &mut Cluster, key: &ObjectKey, finalizer: &str) {
    let Some(mut obj) = cluster
        .world
        .api
        .get(key.kind, &key.namespace, &key.name)
        .cloned()
    else {
        return;
    };
    let meta = obj.metadata_mut();
    if let Some(list) = meta.finalizers.as_mut() {
        list.retain(|f| f != finalizer);
        if list.is_empty() {
            meta.finalizers = None;
        }
    }
    if cluster.world.api.update(obj).is_ok() {
        cluster
            .world
            .remove_if_finalized(key.kind, &key.namespace, &key.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimDuration;
    use k8s_openapi::api::core::v1::Pod;

    /// A cluster with a running pod `owner` and a running pod `dep` that it owns.
    fn owned_pair(block: bool) -> Cluster {
        let mut c = Cluster::new();
        c.run("kubectl run owner --image=nginx");
        let uid = c
            .world
            .api
            .get("Pod", "default", "owner")
            .unwrap()
            .metadata()
            .uid
            .clone()
            .unwrap();
        c.run("kubectl run dep --image=nginx");
        let Some(Object::Pod(dep)) = c.world.api.get("Pod", "default", "dep").cloned() else {
            panic!("no dep");
        };
        let mut dep: Pod = *dep;
        dep.metadata.owner_references = Some(vec![OwnerReference {
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: "owner".into(),
            uid,
            block_owner_deletion: Some(block),
            controller: Some(true),
        }]);
        c.world.api.update(Object::Pod(Box::new(dep))).unwrap();
        c.advance(SimDuration::seconds(10));
        c
    }

    fn exists(c: &Cluster, name: &str) -> bool {
        c.world.api.get("Pod", "default", name).is_some()
    }

    #[test]
    fn background_deletion_removes_dependents_after_the_owner() {
        let mut c = owned_pair(false);
        let out = c.run("kubectl delete pod owner");
        assert_eq!(
            out.stdout(),
            "pod \"owner\" deleted from default namespace\n"
        );
        assert!(!exists(&c, "owner"));
        // The dependent is being deleted gracefully by now, and goes within its grace period.
        assert!(c
            .world
            .api
            .get("Pod", "default", "dep")
            .unwrap()
            .metadata()
            .deletion_timestamp
            .is_some());
        c.advance(SimDuration::seconds(31));
        assert!(!exists(&c, "dep"));
    }

    #[test]
    fn foreground_deletion_waits_for_blocking_dependents() {
        let mut c = owned_pair(true);
        c.run("kubectl delete pod owner --cascade=foreground --wait=false");
        let owner = c
            .world
            .api
            .get("Pod", "default", "owner")
            .unwrap()
            .metadata()
            .clone();
        assert_eq!(
            owner.finalizers,
            Some(vec![FOREGROUND_FINALIZER.to_string()])
        );
        assert!(c
            .world
            .api
            .get("Pod", "default", "dep")
            .unwrap()
            .metadata()
            .deletion_timestamp
            .is_some());
        c.advance(SimDuration::seconds(60));
        assert!(!exists(&c, "dep"));
        assert!(!exists(&c, "owner"));
    }

    #[test]
    fn orphan_deletion_strips_owner_references() {
        let mut c = owned_pair(true);
        let out = c.run("kubectl delete pod owner --cascade=orphan");
        assert_eq!(
            out.stdout(),
            "pod \"owner\" deleted from default namespace\n"
        );
        assert!(!exists(&c, "owner"));
        let dep = c
            .world
            .api
            .get("Pod", "default", "dep")
            .unwrap()
            .metadata()
            .clone();
        assert_eq!(dep.owner_references, None);
        assert_eq!(dep.deletion_timestamp, None);
    }

    #[test]
    fn dependents_of_a_missing_owner_are_collected() {
        let mut c = owned_pair(false);
        // Point the dependent at an owner uid that never existed.
        let Some(Object::Pod(mut dep)) = c.world.api.get("Pod", "default", "dep").cloned() else {
            panic!("no dep");
        };
        if let Some(r) = dep
            .metadata
            .owner_references
            .as_mut()
            .and_then(|r| r.first_mut())
        {
            r.uid = "00000000-0000-4000-8000-000000000000".into();
        }
        c.world.api.update(Object::Pod(dep)).unwrap();
        c.advance(SimDuration::seconds(40));
        assert!(!exists(&c, "dep"));
        assert!(exists(&c, "owner"));
    }

    #[test]
    fn an_orphan_stays_when_a_new_owner_takes_the_name() {
        let mut c = owned_pair(false);
        // Same name, new uid: the reference dangles.
        c.run("kubectl delete pod owner --cascade=orphan");
        c.run("kubectl run owner --image=nginx");
        let Some(Object::Pod(dep)) = c.world.api.get("Pod", "default", "dep").cloned() else {
            panic!("no dep");
        };
        assert_eq!(dep.metadata.owner_references, None);
        c.advance(SimDuration::seconds(40));
        assert!(exists(&c, "dep"), "an orphan stays");
    }
}
