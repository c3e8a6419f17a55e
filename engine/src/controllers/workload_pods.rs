//! What the StatefulSet and DaemonSet controllers ask of their pods: ownership, readiness,
//! termination, and owner references.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::object::Object;
use crate::clock::ms_from_time;
use crate::cluster::Cluster;

/// The controller reference of `meta`, if any.
pub fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
}

/// The pods of `namespace` whose controller has `uid`.
pub fn owned_by(cluster: &Cluster, namespace: &str, uid: &str) -> Vec<Pod> {
    cluster
        .api
        .list("Pod", Some(namespace))
        .filter_map(|o| match o {
            Object::Pod(p) if controller_of(&p.metadata).is_some_and(|r| r.uid == uid) => {
                Some(p.as_ref().clone())
            }
            _ => None,
        })
        .collect()
}

/// An `apps/v1` controller reference to `kind`/`name`.
pub fn owner_reference(kind: &str, name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: "apps/v1".into(),
        kind: kind.into(),
        name: name.into(),
        uid: uid.into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The pod's phase (`Pending` when it has none yet).
pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

/// Whether the pod is being deleted.
pub fn terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

/// Whether the pod ended (`Succeeded` or `Failed`).
pub fn finished(pod: &Pod) -> bool {
    matches!(phase(pod), "Succeeded" | "Failed")
}

/// When the pod last became Ready (ms), if it is Ready.
pub fn ready_since(pod: &Pod) -> Option<i64> {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready" && c.status == "True"))
        .map(|c| {
            c.last_transition_time
                .as_ref()
                .map(ms_from_time)
                .unwrap_or(0)
        })
}

/// Running and Ready, as upstream's `isRunningAndReady`.
pub fn running_and_ready(pod: &Pod) -> bool {
    phase(pod) == "Running" && ready_since(pod).is_some()
}

/// Ready for at least `min_ready_seconds` at `now_ms`; otherwise when it will be, if Ready.
pub fn available(pod: &Pod, min_ready_seconds: i32, now_ms: i64) -> Result<(), Option<i64>> {
    match ready_since(pod) {
        Some(since) if since + i64::from(min_ready_seconds) * 1000 <= now_ms => Ok(()),
        Some(since) => Err(Some(since + i64::from(min_ready_seconds) * 1000)),
        None => Err(None),
    }
}

/// The label value a pod carries under `key`.
pub fn label<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(key))
        .map(String::as_str)
}
