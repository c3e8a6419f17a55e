//! The persistentvolume controller's side of unbound claims: Kubeplay has no
//! PersistentVolumes or StorageClasses, so a claim stays Pending and the controller says why
//! at every resync (15 s), as `syncUnboundClaim` does.

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::Cluster;
use crate::events::{self, EventType, Source};
use crate::store::{Object, WatchEventType};
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
    let now = cluster.clock.now_ms();
    let state = &mut cluster.controllers.persistentvolume;
    let mut keys = BTreeSet::new();
    let due: Vec<i64> = state.due.range(..=now).map(|(t, _)| *t).collect();
    for t in due {
        keys.extend(state.due.remove(&t).unwrap_or_default());
    }
    for event in cluster.store.events_since(state.cursor) {
        if let (Object::PersistentVolumeClaim(_), WatchEventType::Added) =
            (&event.object, event.kind)
        {
            keys.insert((
                event.object.namespace().to_string(),
                event.object.name().to_string(),
            ));
        }
    }
    state.cursor = cluster.store.log_end();
    for (ns, name) in keys {
        sync(cluster, &ns, &name);
    }
}

fn sync(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(obj) = cluster
        .store
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
            cluster,
            &obj,
            EventType::Warning,
            "ProvisioningFailed",
            &format!("storageclass.storage.k8s.io \"{class}\" not found"),
            SOURCE,
        ),
        None => events::record(
            cluster,
            &obj,
            EventType::Normal,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
            SOURCE,
        ),
    }
    let due = cluster.clock.now_ms() + RESYNC_MS;
    cluster
        .controllers
        .persistentvolume
        .due
        .entry(due)
        .or_default()
        .insert((ns.to_string(), name.to_string()));
    cluster.timers.at(due, Task::Wake);
}
