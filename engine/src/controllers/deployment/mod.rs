//! The Deployment controller (kube-controller-manager's `deployment`): one ReplicaSet per
//! pod template, named `<deployment>-<pod-template-hash>`, rolled with RollingUpdate
//! (maxSurge/maxUnavailable, upstream arithmetic) or Recreate; revisions, conditions,
//! `ScalingReplicaSet` events, history cleanup and the progress deadline. This file holds
//! the controller, its watch and the top of a sync, mirroring upstream's
//! `pkg/controller/deployment/deployment_controller.go`:
//!
//! - [`sync`]: scaling events, proportional scaling, new and old ReplicaSets, status
//!   (`sync.go`);
//! - [`rolling`]: RollingUpdate (`rolling.go`);
//! - [`recreate`]: Recreate (`recreate.go`);
//! - [`rollback`]: revisions (`rollback.go`; the undo itself is `kubectl rollout undo`);
//! - [`progress`]: the Progressing condition and the progress deadline (`progress.go`).

mod progress;
mod recreate;
mod rollback;
mod rolling;
mod sync;

use crate::sort::SliceSort;
use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::PodTemplateSpec;

use super::runtime::{Controller, Queue};
use crate::api::object::{Deployment, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::pod::controller_of;
use crate::clock::ms_from_time;
use crate::rng::NAME_ALPHABET;
use crate::world::events::Source;
use crate::world::World;

use rollback::ensure_revision;
use sync::{cleanup, create_new_rs, is_scaling_event, scale_all, sync_annotations};

/// The label that ties a ReplicaSet and its pods to one pod template.
pub const HASH_LABEL: &str = "pod-template-hash";
/// Annotation with a Deployment's (and its ReplicaSets') revision number.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
/// Deployment annotations never copied onto its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

const CONTROLLER: Source<'static> = Source {
    component: "deployment-controller",
    host: None,
};

/// The controller, with what it remembers between passes.
#[derive(Clone, Debug, Default)]
pub struct Deployments {
    /// ReplicaSets (namespace, name) one of whose pods went this pass: their
    /// Deployment, if any, is found in the store once the pass's events are read.
    pods_of: BTreeSet<(String, String)>,
}

fn deployment_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "Deployment",
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

impl Controller for Deployments {
    fn name(&self) -> &'static str {
        "deployment"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::Deployment(_) | Object::ReplicaSet(_) | Object::Pod(_)
        )
    }

    /// A Deployment itself (unless deleted), the Deployment controlling a ReplicaSet, and
    /// (through [`Controller::after_events`]) the Deployment controlling a pod's ReplicaSet.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        let ns = obj.namespace();
        match obj {
            Object::Deployment(_) if event.kind != WatchEventType::Deleted => {
                queue.add(deployment_key(ns, obj.name()));
            }
            Object::ReplicaSet(rs) => {
                if let Some(r) = controller_of(&rs.metadata).filter(|r| r.kind == "Deployment") {
                    queue.add(deployment_key(ns, &r.name));
                }
            }
            // Upstream `deletePod`: only a pod that went (a Recreate rollout waits for the
            // old ones to go); other pod changes reach the Deployment as its ReplicaSets'.
            Object::Pod(p) if event.kind == WatchEventType::Deleted => {
                if let Some(r) = controller_of(&p.metadata).filter(|r| r.kind == "ReplicaSet") {
                    self.pods_of.insert((ns.to_string(), r.name.clone()));
                }
            }
            _ => {}
        }
    }

    fn after_events(&mut self, world: &World, queue: &mut Queue) {
        for (ns, rs) in std::mem::take(&mut self.pods_of) {
            if let Some(Object::ReplicaSet(rs)) = world.api.get("ReplicaSet", &ns, &rs) {
                if let Some(r) = controller_of(&rs.metadata).filter(|r| r.kind == "Deployment") {
                    queue.add(deployment_key(&ns, &r.name));
                }
            }
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        sync_deployment(world, &key.namespace, &key.name, queue);
    }
}

/// `pod-template-hash`: FNV-32a of the template (and the collision count), its decimal
/// digits mapped through the name alphabet, as upstream's `ComputeHash` + `SafeEncodeString`.
pub fn template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u32::from(*b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    };
    // Through a `Value` (as every typed object is written): a second serializer would
    // instantiate the whole pod template's `Serialize` code again.
    let json = serde_json::to_value(template).map_or_else(|_| String::new(), |v| v.to_string());
    feed(json.as_bytes());
    if let Some(c) = collision_count {
        feed(&c.to_le_bytes());
    }
    hash.to_string()
        .bytes()
        .map(|b| char::from(NAME_ALPHABET[usize::from(b) % NAME_ALPHABET.len()]))
        .collect()
}

/// A template with the `pod-template-hash` label removed, for comparisons.
fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(HASH_LABEL);
    }
    t
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

/// The sum of replica counts, saturating at `i32::MAX` (two huge ReplicaSets during a rollout).
fn sum(counts: impl Iterator<Item = i32>) -> i32 {
    counts.fold(0i32, i32::saturating_add)
}

fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

fn created(rs: &ReplicaSet) -> (i64, String) {
    (
        rs.metadata
            .creation_timestamp
            .as_ref()
            .map(ms_from_time)
            .unwrap_or(0),
        rs.metadata.name.clone().unwrap_or_default(),
    )
}

/// The ReplicaSets the deployment with `uid` controls, oldest first.
pub fn owned_replica_sets(world: &World, ns: &str, uid: &str) -> Vec<ReplicaSet> {
    let mut rss: Vec<ReplicaSet> = world
        .api
        .list("ReplicaSet", Some(ns))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) if controller_of(&rs.metadata).is_some_and(|r| r.uid == uid) => {
                Some(rs.as_ref().clone())
            }
            _ => None,
        })
        .collect();
    rss.stable_sort_by_key(created);
    rss
}

/// Upstream `syncDeployment`: finds the new ReplicaSet (the one whose template is the
/// Deployment's) and the old ones, then scales, or rolls with the Deployment's strategy, and
/// writes the status.
fn sync_deployment(world: &mut World, ns: &str, name: &str, queue: &mut Queue) {
    let Some(d) = world.api.get_as::<Deployment>(ns, name).cloned() else {
        return;
    };
    if d.metadata.deletion_timestamp.is_some() {
        return;
    }
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let rss = owned_replica_sets(world, ns, &uid);
    let spec = d.spec.clone().unwrap_or_default();
    let template = without_hash(&spec.template);
    let new_rs = rss
        .iter()
        .find(|rs| {
            rs.spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| without_hash(t) == template)
        })
        .cloned();
    let old: Vec<ReplicaSet> = rss
        .iter()
        .filter(|rs| {
            Some(rs.metadata.name.clone()) != new_rs.as_ref().map(|n| n.metadata.name.clone())
        })
        .cloned()
        .collect();
    let paused = spec.paused == Some(true);
    // Upstream `syncDeployment`: a paused Deployment, or one whose replica count changed
    // since its ReplicaSets were sized, is only scaled (proportionally), never rolled.
    if paused || is_scaling_event(&d, new_rs.as_ref(), &old) {
        let new_rs = match new_rs {
            Some(rs) if !paused => Some(ensure_revision(world, &d, rs, &old)),
            Some(rs) => Some(sync_annotations(world, &d, rs)),
            None => None,
        };
        scale_all(world, &d, new_rs.as_ref(), &old);
        if paused {
            let old: Vec<ReplicaSet> = old.iter().filter_map(|r| fresh(world, r)).collect();
            cleanup(world, &d, &old);
        }
        progress::sync_rollout_status(world, ns, name, queue);
        return;
    }
    let new_rs = match new_rs {
        Some(rs) => ensure_revision(world, &d, rs, &old),
        None => match create_new_rs(world, &d, &rss, &old) {
            Some(rs) => rs,
            None => return,
        },
    };
    let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
    if recreate {
        recreate::rollout_recreate(world, &d, &new_rs, &old);
    } else {
        rolling::rollout_rolling(world, &d, &new_rs, &old);
    }
    progress::sync_rollout_status(world, ns, name, queue);
}

fn fresh(world: &World, rs: &ReplicaSet) -> Option<ReplicaSet> {
    match world.api.get(
        "ReplicaSet",
        rs.metadata.namespace.as_deref().unwrap_or(""),
        rs.metadata.name.as_deref().unwrap_or(""),
    ) {
        Some(Object::ReplicaSet(r)) => Some(r.as_ref().clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
