//! The garbage collector (kube-controller-manager's `garbagecollector`): deletes objects
//! whose owners are gone (background propagation), deletes the dependents of an owner being
//! deleted in the foreground before letting it go, and strips owner references from the
//! dependents of an owner deleted with `--cascade=orphan`.
//!
//! It keeps an index from owner uid to dependents, built from the watch events, so each
//! change costs a few lookups, not a scan of the store. Like upstream's two work queues
//! (`attemptToOrphan` and `attemptToDelete`), a pass has two kinds of work: owners held by a
//! deletion finalizer, acted on first, then objects whose owner references must be checked.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use super::runtime::{Controller, Queue};
use crate::api::kinds;
use crate::api::object::{KeyParts, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::apiserver::{DeleteOptions, Propagation, FOREGROUND_FINALIZER, ORPHAN_FINALIZER};
use crate::world::World;

/// The garbage collector, with what it remembers between passes.
#[derive(Clone, Debug, Default)]
pub struct GarbageCollector {
    /// Dependents by owner uid (may hold stale entries; checked on use).
    dependents: BTreeMap<String, BTreeSet<ObjectKey>>,
    /// Where each known owner uid lives.
    owners: BTreeMap<String, ObjectKey>,
    /// This pass's owners with a deletion finalizer to act on (all queued too).
    owners_due: BTreeSet<ObjectKey>,
    /// This pass's objects whose owner references must be checked (all queued too).
    dependents_due: BTreeSet<ObjectKey>,
}

fn key_of(obj: &Object) -> ObjectKey {
    ObjectKey {
        kind: obj.kind(),
        namespace: obj.namespace().to_string(),
        name: obj.name().to_string(),
    }
}

impl GarbageCollector {
    fn owner_due(&mut self, key: ObjectKey, queue: &mut Queue) {
        self.owners_due.insert(key.clone());
        queue.add(key);
    }

    fn dependent_due(&mut self, key: ObjectKey, queue: &mut Queue) {
        self.dependents_due.insert(key.clone());
        queue.add(key);
    }
}

impl Controller for GarbageCollector {
    fn name(&self) -> &'static str {
        "garbagecollector"
    }

    /// Every kind but Events, which upstream's graph builder ignores (`ignoredResources`).
    fn reads(&self, obj: &Object) -> bool {
        !matches!(obj, Object::Event(_))
    }

    /// Keeps the owner index, and marks what the event makes due: the object's owner
    /// references when it has some, the object as an owner when a deletion finalizer holds
    /// it, the dependents of an object that went, and the owners a dependent that went may
    /// have been holding up.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        // Looked up by borrowed parts: most events are writes of what is indexed already,
        // and build no key.
        let parts = (obj.kind(), obj.namespace(), obj.name());
        let parts: &dyn KeyParts = &parts;
        let meta = obj.metadata();
        let uid = meta.uid.as_deref().unwrap_or_default();
        match event.kind {
            WatchEventType::Added | WatchEventType::Modified => {
                if self
                    .owners
                    .get(uid)
                    .is_none_or(|k| k as &dyn KeyParts != parts)
                {
                    self.owners.insert(uid.to_string(), key_of(obj));
                }
                let refs = meta.owner_references.as_deref().unwrap_or(&[]);
                let mut new_owner = false;
                for r in refs {
                    if !self
                        .dependents
                        .get(&r.uid)
                        .is_some_and(|d| d.contains(parts))
                    {
                        self.dependents
                            .entry(r.uid.clone())
                            .or_default()
                            .insert(key_of(obj));
                        new_owner = true;
                    }
                }
                // As upstream's graph builder: a dependent is checked when it appears or
                // names an owner it did not; an owner that goes wakes its dependents.
                if new_owner || (event.kind == WatchEventType::Added && !refs.is_empty()) {
                    self.dependent_due(key_of(obj), queue);
                }
                let finalizers = meta.finalizers.as_deref().unwrap_or(&[]);
                if meta.deletion_timestamp.is_some()
                    && finalizers
                        .iter()
                        .any(|f| f == FOREGROUND_FINALIZER || f == ORPHAN_FINALIZER)
                {
                    self.owner_due(key_of(obj), queue);
                }
            }
            WatchEventType::Deleted => {
                self.owners.remove(uid);
                if let Some(deps) = self.dependents.remove(uid) {
                    for d in deps {
                        self.dependent_due(d, queue);
                    }
                }
                // A dependent that went may have been holding up a foreground deletion.
                for r in meta.owner_references.as_deref().unwrap_or(&[]) {
                    if let Some(deps) = self.dependents.get_mut(&r.uid) {
                        deps.remove(parts);
                        // An emptied entry goes (a missing one reads as empty).
                        if deps.is_empty() {
                            self.dependents.remove(&r.uid);
                        }
                    }
                    if let Some(owner) = self.owners.get(&r.uid).cloned() {
                        self.owner_due(owner, queue);
                    }
                }
            }
        }
    }

    /// The pass's first sync acts on every owner due (in key order) before anything else;
    /// then each key is checked as a dependent if it is due as one. So a pass acts on all its
    /// owners, then on all its dependents, as upstream's orphan queue runs ahead.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        for owner in std::mem::take(&mut self.owners_due) {
            self.process_owner(world, &owner);
        }
        if self.dependents_due.remove(key) {
            process_dependent(world, key);
        }
    }
}

/// Whether the owner a reference names still exists (same uid). Owners of kinds the store
/// does not hold yet are taken as existing, as the real collector leaves unresolvable
/// references alone.
fn owner_exists(world: &World, namespace: &str, r: &OwnerReference) -> bool {
    let Some(info) = kinds::by_kind(&r.kind) else {
        return true;
    };
    if !Object::KINDS.contains(&info.kind) {
        return true;
    }
    let ns = if info.namespaced { namespace } else { "" };
    world
        .api
        .get(info.kind, ns, &r.name)
        .is_some_and(|o| o.metadata().uid.as_deref() == Some(r.uid.as_str()))
}

/// Deletes a dependent whose owners are all gone; drops references to owners that are gone
/// when others remain.
fn process_dependent(world: &mut World, key: &ObjectKey) {
    let Some(obj) = world.api.get(key.kind, &key.namespace, &key.name) else {
        return;
    };
    let refs = obj.metadata().owner_references.clone().unwrap_or_default();
    if refs.is_empty() {
        return;
    }
    let (alive, dangling): (Vec<_>, Vec<_>) = refs
        .iter()
        .partition(|r| owner_exists(world, &key.namespace, r));
    if dangling.is_empty() {
        return;
    }
    if alive.is_empty() {
        if obj.metadata().deletion_timestamp.is_none() {
            let _ = world.delete_with(
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
    let _ = world.api.update(obj);
}

impl GarbageCollector {
    /// Acts on an owner held by `orphan` or `foregroundDeletion`.
    fn process_owner(&self, world: &mut World, key: &ObjectKey) {
        let Some(owner) = world.api.get(key.kind, &key.namespace, &key.name) else {
            return;
        };
        let meta = owner.metadata();
        if meta.deletion_timestamp.is_none() {
            return;
        }
        let uid = meta.uid.clone().unwrap_or_default();
        let finalizers = meta.finalizers.clone().unwrap_or_default();
        let dependents: Vec<ObjectKey> = self
            .dependents
            .get(&uid)
            .map(|d| d.iter().cloned().collect())
            .unwrap_or_default();
        // Only dependents that still point to this owner count.
        let pointing = |world: &World, d: &ObjectKey| -> Option<OwnerReference> {
            world
                .api
                .get(d.kind, &d.namespace, &d.name)
                .and_then(|o| o.metadata().owner_references.as_ref())
                .and_then(|refs| refs.iter().find(|r| r.uid == uid).cloned())
        };
        if finalizers.iter().any(|f| f == ORPHAN_FINALIZER) {
            for d in &dependents {
                if pointing(world, d).is_none() {
                    continue;
                }
                if let Some(mut obj) = world.api.get(d.kind, &d.namespace, &d.name).cloned() {
                    let meta = obj.metadata_mut();
                    if let Some(refs) = meta.owner_references.as_mut() {
                        refs.retain(|r| r.uid != uid);
                        if refs.is_empty() {
                            meta.owner_references = None;
                        }
                    }
                    let _ = world.api.update(obj);
                }
            }
            remove_finalizer(world, key, ORPHAN_FINALIZER);
            return;
        }
        if finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) {
            let mut blocking = false;
            for d in &dependents {
                let Some(r) = pointing(world, d) else {
                    continue;
                };
                let deleting = world
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
                    let _ = world.delete_with(d.kind, &d.namespace, &d.name, &options);
                }
                if r.block_owner_deletion == Some(true)
                    && world.api.get(d.kind, &d.namespace, &d.name).is_some()
                {
                    blocking = true;
                }
            }
            if !blocking {
                remove_finalizer(world, key, FOREGROUND_FINALIZER);
            }
        }
    }
}

fn remove_finalizer(world: &mut World, key: &ObjectKey, finalizer: &str) {
    let Some(mut obj) = world.api.get(key.kind, &key.namespace, &key.name).cloned() else {
        return;
    };
    let meta = obj.metadata_mut();
    if let Some(list) = meta.finalizers.as_mut() {
        list.retain(|f| f != finalizer);
        if list.is_empty() {
            meta.finalizers = None;
        }
    }
    if world.api.update(obj).is_ok() {
        world.remove_if_finalized(key.kind, &key.namespace, &key.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimDuration;
    use crate::cluster::Cluster;
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
        let Some(dep) = c.world.api.get_as::<Pod>("default", "dep").cloned() else {
            panic!("no dep");
        };
        let mut dep: Pod = dep;
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
    fn events_are_not_collected_even_with_an_owner_gone() {
        let mut c = owned_pair(false);
        let uid = c
            .world
            .api
            .get("Pod", "default", "owner")
            .and_then(|o| o.metadata().uid.clone())
            .unwrap();
        let event = k8s_openapi::api::core::v1::Event {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some("owned-event".into()),
                namespace: Some("default".into()),
                owner_references: Some(vec![OwnerReference {
                    api_version: "v1".into(),
                    kind: "Pod".into(),
                    name: "owner".into(),
                    uid,
                    ..Default::default()
                }]),
                ..Default::default()
            },
            ..Default::default()
        };
        c.world.create(Object::Event(Box::new(event))).unwrap();
        c.run("kubectl delete pod owner");
        c.advance(SimDuration::seconds(60));
        assert!(!exists(&c, "owner"));
        // Upstream's graph builder ignores Events (`ignoredResources`).
        assert!(c.world.api.get("Event", "default", "owned-event").is_some());
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
        let Some(dep) = c.world.api.get_as::<Pod>("default", "dep").cloned() else {
            panic!("no dep");
        };
        assert_eq!(dep.metadata.owner_references, None);
        c.advance(SimDuration::seconds(40));
        assert!(exists(&c, "dep"), "an orphan stays");
    }
    /// Through the bench: the collector alone over ConfigMaps (which go at once unless a
    /// finalizer holds them).
    mod bench {
        use serde_json::json;

        use super::super::*;
        use crate::controllers::testing::{object, Bench};

        fn config_map(name: &str, owner_uid: Option<&str>, finalizers: &[&str]) -> Object {
            let mut meta = json!({"name": name, "namespace": "default"});
            if let Some(uid) = owner_uid {
                meta["ownerReferences"] = json!([{
                    "apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid,
                    "controller": true, "blockOwnerDeletion": true
                }]);
            }
            if !finalizers.is_empty() {
                meta["finalizers"] = json!(finalizers);
            }
            object(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}))
        }

        /// A bench with `owner` and its dependent `dep` (held by `finalizers`), seen once.
        fn owned_pair(finalizers: &[&str]) -> Bench {
            let mut bench = Bench::new(Box::<GarbageCollector>::default());
            let owner = bench.create(config_map("owner", None, &[]));
            let uid = owner.metadata().uid.clone().unwrap();
            bench.create(config_map("dep", Some(&uid), finalizers));
            bench.pass();
            assert_eq!(bench.names("ConfigMap"), ["dep", "owner"]);
            bench
        }

        fn delete_owner(bench: &mut Bench, propagation: Propagation) {
            let options = DeleteOptions {
                propagation,
                ..DeleteOptions::default()
            };
            bench
                .world
                .delete_with("ConfigMap", "default", "owner", &options)
                .unwrap();
        }

        fn meta(
            bench: &Bench,
            name: &str,
        ) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            bench.get("ConfigMap", name).unwrap().metadata().clone()
        }

        #[test]
        fn background_deletion_of_the_owner_deletes_its_dependents() {
            let mut bench = owned_pair(&[]);
            delete_owner(&mut bench, Propagation::Background);
            assert_eq!(bench.names("ConfigMap"), ["dep"]);
            bench.pass();
            assert!(bench.names("ConfigMap").is_empty());
            assert_eq!(bench.next_wake(), None);
        }

        #[test]
        fn orphan_propagation_removes_the_owner_reference() {
            let mut bench = owned_pair(&[]);
            delete_owner(&mut bench, Propagation::Orphan);
            // The owner waits on the `orphan` finalizer until the collector has acted.
            assert_eq!(
                meta(&bench, "owner").finalizers,
                Some(vec![ORPHAN_FINALIZER.into()])
            );
            bench.pass();
            assert_eq!(bench.names("ConfigMap"), ["dep"]);
            let dep = meta(&bench, "dep");
            assert_eq!(dep.owner_references, None);
            assert_eq!(dep.deletion_timestamp, None);
            // The orphan's change does not bring it back to the collector's attention.
            bench.pass();
            assert_eq!(bench.names("ConfigMap"), ["dep"]);
        }

        #[test]
        fn foreground_deletion_keeps_the_owner_until_its_dependents_are_gone() {
            let mut bench = owned_pair(&["example.com/hold"]);
            delete_owner(&mut bench, Propagation::Foreground);
            bench.pass();
            // The dependent is being deleted, held by its own finalizer; the owner waits.
            assert!(meta(&bench, "dep").deletion_timestamp.is_some());
            let owner = meta(&bench, "owner");
            assert!(owner.deletion_timestamp.is_some());
            assert_eq!(owner.finalizers, Some(vec![FOREGROUND_FINALIZER.into()]));
            bench.pass();
            assert_eq!(bench.names("ConfigMap"), ["dep", "owner"]);
            // The dependent's finalizer goes: so does the dependent, then the owner.
            let mut dep = bench.get("ConfigMap", "dep").cloned().unwrap();
            dep.metadata_mut().finalizers = None;
            bench.world.api.update(dep).unwrap();
            assert!(bench
                .world
                .remove_if_finalized("ConfigMap", "default", "dep"));
            assert_eq!(bench.names("ConfigMap"), ["owner"]);
            bench.pass();
            assert!(bench.names("ConfigMap").is_empty());
        }

        #[test]
        fn a_pass_acts_on_its_owners_before_its_dependents() {
            let mut bench = owned_pair(&[]);
            // In one pass: `owner` waits on `orphan`, and `a-stray` (sorting first) dangles.
            delete_owner(&mut bench, Propagation::Orphan);
            bench.create(config_map(
                "a-stray",
                Some("00000000-0000-4000-8000-000000000000"),
                &[],
            ));
            let cursor = bench.world.api.watch();
            bench.pass();
            let writes: Vec<String> = bench
                .world
                .api
                .read(&cursor)
                .iter()
                .map(|e| format!("{:?} {}", e.kind, e.object.name()))
                .collect();
            assert_eq!(
                writes,
                [
                    "Modified dep",
                    "Modified owner",
                    "Deleted owner",
                    "Deleted a-stray"
                ]
            );
        }

        #[test]
        fn a_dependent_whose_owner_never_existed_is_collected() {
            let mut bench = Bench::new(Box::<GarbageCollector>::default());
            bench.create(config_map(
                "dep",
                Some("00000000-0000-4000-8000-000000000000"),
                &[],
            ));
            bench.pass();
            assert!(bench.names("ConfigMap").is_empty());
        }
    }
}
