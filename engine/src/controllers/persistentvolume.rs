//! The persistentvolume controller's side of unbound claims: Kubeplay has no
//! PersistentVolumes or StorageClasses, so a claim stays Pending and the controller says why
//! at every resync (15 s), as `syncUnboundClaim` does. The pvc-protection part lets a
//! deleted claim go once no pod uses it.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::object::{Object, WatchEventType};
use crate::cluster::Cluster;
use crate::events::{self, EventType, Source};
use crate::timers::Task;

/// The controller's resync period.
const RESYNC_MS: i64 = 15_000;

const SOURCE: Source<'static> = Source {
    component: "persistentvolume-controller",
    host: None,
};

/// What the controller remembers between runs.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: usize,
    /// Claims to look at again, by due time.
    due: BTreeMap<i64, BTreeSet<(String, String)>>,
}

/// Runs one pass: new claims at once, the others at their resync.
pub fn reconcile(cluster: &mut Cluster) {
    let now = cluster.world.clock.now_ms();
    let state = &mut cluster.controllers.persistentvolume;
    let mut keys = BTreeSet::new();
    let due: Vec<i64> = state.due.range(..=now).map(|(t, _)| *t).collect();
    for t in due {
        keys.extend(state.due.remove(&t).unwrap_or_default());
    }
    let mut protection: BTreeSet<String> = BTreeSet::new();
    for event in cluster.world.api.events_since(state.cursor) {
        match (&event.object, event.kind) {
            (Object::PersistentVolumeClaim(_), WatchEventType::Added) => {
                keys.insert((
                    event.object.namespace().to_string(),
                    event.object.name().to_string(),
                ));
            }
            (Object::PersistentVolumeClaim(c), WatchEventType::Modified)
                if c.metadata.deletion_timestamp.is_some() =>
            {
                protection.insert(event.object.namespace().to_string());
            }
            (Object::Pod(_), WatchEventType::Deleted) => {
                protection.insert(event.object.namespace().to_string());
            }
            _ => {}
        }
    }
    state.cursor = cluster.world.api.log_end();
    for (ns, name) in keys {
        sync(cluster, &ns, &name);
    }
    for ns in protection {
        release_unused(cluster, &ns);
    }
}

/// Removes the protection finalizer of deleted claims no running pod uses; they then go.
fn release_unused(cluster: &mut Cluster, ns: &str) {
    let in_use: BTreeSet<String> = cluster
        .world
        .api
        .list("Pod", Some(ns))
        .filter_map(|o| match o {
            Object::Pod(p) if !crate::api::pod::finished(p) => Some(p),
            _ => None,
        })
        .flat_map(|p| p.spec.iter().flat_map(|s| s.volumes.iter().flatten()))
        .filter_map(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.clone())
        })
        .collect();
    let releasable: Vec<Object> = cluster
        .world
        .api
        .list("PersistentVolumeClaim", Some(ns))
        .filter(|o| {
            o.metadata().deletion_timestamp.is_some()
                && !in_use.contains(o.name())
                && o.metadata()
                    .finalizers
                    .iter()
                    .flatten()
                    .any(|f| f == crate::api::pvc::PROTECTION_FINALIZER)
        })
        .cloned()
        .collect();
    for mut obj in releasable {
        let name = obj.name().to_string();
        if let Some(list) = obj.metadata_mut().finalizers.as_mut() {
            list.retain(|f| f != crate::api::pvc::PROTECTION_FINALIZER);
        }
        if cluster.world.api.update(obj).is_ok() {
            cluster
                .world
                .remove_if_finalized("PersistentVolumeClaim", ns, &name);
        }
    }
}

fn sync(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(obj) = cluster
        .world
        .api
        .get("PersistentVolumeClaim", ns, name)
        .cloned()
    else {
        return;
    };
    let Object::PersistentVolumeClaim(claim) = &obj else {
        return;
    };
    let spec = claim.spec.clone().unwrap_or_default();
    if claim.metadata.deletion_timestamp.is_some() || spec.volume_name.is_some() {
        return;
    }
    match spec.storage_class_name.as_deref().filter(|c| !c.is_empty()) {
        Some(class) => events::record(
            &mut cluster.world,
            &obj,
            EventType::Warning,
            "ProvisioningFailed",
            &format!("storageclass.storage.k8s.io \"{class}\" not found"),
            SOURCE,
        ),
        None => events::record(
            &mut cluster.world,
            &obj,
            EventType::Normal,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
            SOURCE,
        ),
    }
    let due = cluster.world.clock.now_ms() + RESYNC_MS;
    cluster
        .controllers
        .persistentvolume
        .due
        .entry(due)
        .or_default()
        .insert((ns.to_string(), name.to_string()));
    cluster.world.timers.at(due, Task::Wake);
}
