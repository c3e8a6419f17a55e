//! What controllers, the kubelet and printers ask of pods: ownership, phase, readiness,
//! termination, conditions and owner references — one copy of each rule.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::clock::ms_from_time;

/// The annotation that marks a mirror pod, the API's copy of a kubelet's static pod: the
/// static pod's uid (its `kubernetes.io/config.hash`).
pub const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// Whether `meta` is a mirror pod's.
pub fn is_mirror(meta: &ObjectMeta) -> bool {
    meta.annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(MIRROR_ANNOTATION))
}

/// The uid a pod's events name: a mirror pod's are about its static pod, whose uid is the
/// annotation's (`kubectl describe` looks them up by it).
pub fn event_uid(meta: &ObjectMeta) -> &str {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(MIRROR_ANNOTATION))
        .or(meta.uid.as_ref())
        .map_or("", String::as_str)
}

/// Whether the pod names any Secret (kubernetes' `VisitPodSecretNames`): pull secrets,
/// containers' env and envFrom, and volumes.
pub fn references_secret(pod: &Pod) -> bool {
    let Some(spec) = pod.spec.as_ref() else {
        return false;
    };
    let pull = spec
        .image_pull_secrets
        .as_ref()
        .is_some_and(|s| !s.is_empty());
    let env = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .any(|c| env_names_secret(c.env.as_deref(), c.env_from.as_deref()))
        || spec
            .ephemeral_containers
            .iter()
            .flatten()
            .any(|c| env_names_secret(c.env.as_deref(), c.env_from.as_deref()));
    let volumes = spec.volumes.iter().flatten().any(|v| {
        v.secret.is_some()
            || v.projected
                .iter()
                .flat_map(|p| p.sources.iter().flatten())
                .any(|s| s.secret.is_some())
            || v.azure_file.is_some()
            || v.cephfs.as_ref().is_some_and(|x| x.secret_ref.is_some())
            || v.cinder.as_ref().is_some_and(|x| x.secret_ref.is_some())
            || v.flex_volume
                .as_ref()
                .is_some_and(|x| x.secret_ref.is_some())
            || v.rbd.as_ref().is_some_and(|x| x.secret_ref.is_some())
            || v.scale_io.is_some()
            || v.iscsi.as_ref().is_some_and(|x| x.secret_ref.is_some())
            || v.storageos.as_ref().is_some_and(|x| x.secret_ref.is_some())
            || v.csi
                .as_ref()
                .is_some_and(|x| x.node_publish_secret_ref.is_some())
    });
    pull || env || volumes
}

/// Whether a container's `env` or `envFrom` takes from a Secret.
fn env_names_secret(
    env: Option<&[k8s_openapi::api::core::v1::EnvVar]>,
    env_from: Option<&[k8s_openapi::api::core::v1::EnvFromSource]>,
) -> bool {
    env_from
        .into_iter()
        .flatten()
        .any(|e| e.secret_ref.is_some())
        || env.into_iter().flatten().any(|e| {
            e.value_from
                .as_ref()
                .is_some_and(|v| v.secret_key_ref.is_some())
        })
}

/// The controller reference of `meta`, if any.
pub fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
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

/// Whether the pod's `Ready` condition is `True`.
pub fn is_ready(pod: &Pod) -> bool {
    ready_since(pod).is_some()
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

/// The order in which the kubelet lists pod conditions.
const CONDITION_ORDER: [&str; 5] = [
    "PodReadyToStartContainers",
    "Initialized",
    "Ready",
    "ContainersReady",
    "PodScheduled",
];

/// Adds or replaces a pod condition by type, keeping the kubelet's order.
pub fn set_condition(pod: &mut Pod, condition: PodCondition) {
    let conditions = pod
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    match conditions.iter_mut().find(|c| c.type_ == condition.type_) {
        Some(c) => *c = condition,
        None => conditions.push(condition),
    }
    conditions.stable_sort_by_key(|c| {
        CONDITION_ORDER
            .iter()
            .position(|t| *t == c.type_)
            .unwrap_or(CONDITION_ORDER.len())
    });
}

/// `mutatePodAffinity` (the pod create strategy): each pod (anti-)affinity term's
/// `matchLabelKeys` become `key In (value)` and `mismatchLabelKeys` `key NotIn (value)`
/// requirements of its labelSelector, with the pod's own label values (a term without a
/// labelSelector matches nothing and is left alone).
pub fn merge_affinity_label_keys(pod: &mut Pod) {
    use k8s_openapi::api::core::v1::PodAffinityTerm;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let Some(affinity) = pod.spec.as_mut().and_then(|s| s.affinity.as_mut()) else {
        return;
    };
    let merge = |term: &mut PodAffinityTerm| {
        let Some(selector) = term.label_selector.as_mut() else {
            return;
        };
        let keys = [
            (term.match_label_keys.as_deref().unwrap_or(&[]), "In"),
            (term.mismatch_label_keys.as_deref().unwrap_or(&[]), "NotIn"),
        ];
        for (keys, operator) in keys {
            for key in keys {
                if let Some(value) = labels.get(key) {
                    selector
                        .match_expressions
                        .get_or_insert_with(Vec::new)
                        .push(LabelSelectorRequirement {
                            key: key.clone(),
                            operator: operator.into(),
                            values: Some(vec![value.clone()]),
                        });
                }
            }
        }
    };
    // PodAffinity and PodAntiAffinity are two types with the same two lists of terms.
    macro_rules! terms_of {
        ($a:expr) => {
            $a.into_iter().flat_map(|a| {
                let required = a
                    .required_during_scheduling_ignored_during_execution
                    .iter_mut()
                    .flatten();
                let preferred = a
                    .preferred_during_scheduling_ignored_during_execution
                    .iter_mut()
                    .flatten()
                    .map(|w| &mut w.pod_affinity_term);
                required.chain(preferred)
            })
        };
    }
    let terms: Vec<&mut PodAffinityTerm> = terms_of!(affinity.pod_affinity.as_mut())
        .chain(terms_of!(affinity.pod_anti_affinity.as_mut()))
        .collect();
    for term in terms {
        merge(term);
    }
}
