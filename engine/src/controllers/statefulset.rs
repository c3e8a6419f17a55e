//! The StatefulSet controller (kube-controller-manager's `statefulset`): pods `<set>-<ordinal>`
//! with a stable identity (hostname, subdomain, labels) and their claims
//! `<template>-<set>-<ordinal>`, created in order (OrderedReady) or all at once (Parallel),
//! removed from the highest ordinal, and updated from the highest ordinal down to the
//! partition. Revisions are `<set>-<hash of the template>`; their templates are remembered
//! here, as ControllerRevisions would store them.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::object::{Object, WatchEventType};
use crate::api::pod::{self as pods, controller_of};
use crate::cluster::Cluster;
use crate::events::{self, EventType, Source};
use crate::timers::Task;

/// The label naming a pod's revision.
pub const REVISION_LABEL: &str = "controller-revision-hash";
/// The label holding the pod's own name.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// The label holding the pod's ordinal.
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// Most pods a Parallel set creates in one sync.
const MAX_CREATES_PER_SYNC: usize = 100;

const SOURCE: Source<'static> = Source {
    component: "statefulset-controller",
    host: None,
};

/// What the controller remembers between runs.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: usize,
    /// Pod templates by (namespace, revision name).
    revisions: BTreeMap<(String, String), PodTemplateSpec>,
    /// Sets to look at again at a given time (minReadySeconds), by due time.
    recheck: BTreeMap<i64, BTreeSet<(String, String)>>,
}

/// The revision name of a template: `<set>-<hash>`.
pub fn revision_name(set: &str, template: &PodTemplateSpec, collision: Option<i32>) -> String {
    format!(
        "{set}-{}",
        super::deployment::template_hash(template, collision)
    )
}

/// The template stored for a revision of a set in `namespace`, if the controller saw it.
pub fn revision_template(
    cluster: &Cluster,
    namespace: &str,
    revision: &str,
) -> Option<PodTemplateSpec> {
    cluster
        .controllers
        .statefulset
        .revisions
        .get(&(namespace.to_string(), revision.to_string()))
        .cloned()
}

/// Runs one pass over the sets touched since the last.
pub fn reconcile(cluster: &mut Cluster) {
    for (ns, name) in dirty(cluster) {
        sync(cluster, &ns, &name);
    }
}

fn dirty(cluster: &mut Cluster) -> BTreeSet<(String, String)> {
    let now = cluster.world.clock.now_ms();
    let state = &mut cluster.controllers.statefulset;
    let mut keys = BTreeSet::new();
    let due: Vec<i64> = state.recheck.range(..=now).map(|(t, _)| *t).collect();
    for t in due {
        keys.extend(state.recheck.remove(&t).unwrap_or_default());
    }
    for event in cluster.world.api.events_since(state.cursor) {
        let obj = &event.object;
        match obj {
            Object::StatefulSet(_) if event.kind != WatchEventType::Deleted => {
                keys.insert((obj.namespace().to_string(), obj.name().to_string()));
            }
            Object::Pod(p) => {
                if let Some(r) = controller_of(&p.metadata).filter(|r| r.kind == "StatefulSet") {
                    keys.insert((obj.namespace().to_string(), r.name.clone()));
                }
            }
            _ => {}
        }
    }
    state.cursor = cluster.world.api.log_end();
    keys
}

/// The ordinal in a pod name `<set>-<ordinal>`.
fn ordinal(set: &str, pod: &str) -> Option<usize> {
    let rest = pod.strip_prefix(set)?.strip_prefix('-')?;
    if rest.starts_with('+') || (rest.len() > 1 && rest.starts_with('0')) {
        return None;
    }
    rest.parse().ok()
}

/// What one sync needs of the set.
struct Set {
    sts: StatefulSet,
    ns: String,
    name: String,
    uid: String,
    replicas: usize,
    monotonic: bool,
    rolling: bool,
    partition: usize,
    min_ready: i32,
    current: String,
    update: String,
}

fn sync(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(Object::StatefulSet(sts)) = cluster.world.api.get("StatefulSet", ns, name).cloned()
    else {
        return;
    };
    if sts.metadata.deletion_timestamp.is_some() {
        return;
    }
    let spec = sts.spec.clone().unwrap_or_default();
    let status = sts.status.clone().unwrap_or_default();
    let collision = status.collision_count.filter(|c| *c > 0);
    let update = revision_name(name, &spec.template, collision);
    cluster
        .controllers
        .statefulset
        .revisions
        .insert((ns.to_string(), update.clone()), spec.template.clone());
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let set = Set {
        ns: ns.to_string(),
        name: name.to_string(),
        uid: sts.metadata.uid.clone().unwrap_or_default(),
        replicas: usize::try_from(spec.replicas.unwrap_or(1)).unwrap_or(0),
        monotonic: spec.pod_management_policy.as_deref() != Some("Parallel"),
        rolling: strategy.type_.as_deref() != Some("OnDelete"),
        partition: strategy
            .rolling_update
            .and_then(|r| r.partition)
            .and_then(|p| usize::try_from(p).ok())
            .unwrap_or(0),
        min_ready: spec.min_ready_seconds.unwrap_or(0),
        current: status
            .current_revision
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| update.clone()),
        update,
        sts: *sts,
    };
    manage(cluster, &set);
    update_status(cluster, &set);
}

/// One round of upstream's `updateStatefulSet`: create, replace, scale down, roll.
fn manage(cluster: &mut Cluster, set: &Set) {
    let owned = cluster.world.api.pods_owned_by(&set.ns, &set.uid);
    // Pods by ordinal below `replicas` (a map: `replicas` may be huge).
    let mut replicas: BTreeMap<usize, Pod> = BTreeMap::new();
    let mut condemned: Vec<(usize, Pod)> = Vec::new();
    for p in owned {
        let Some(i) = ordinal(&set.name, p.metadata.name.as_deref().unwrap_or("")) else {
            continue;
        };
        if i < set.replicas {
            replicas.insert(i, p);
        } else {
            condemned.push((i, p));
        }
    }
    condemned.sort_by_key(|(i, _)| *i);
    let now = cluster.world.clock.now_ms();
    let unhealthy = |p: &Pod| !pods::running_and_ready(p) || pods::terminating(p);
    let first_unhealthy = replicas
        .values()
        .chain(condemned.iter().map(|(_, p)| p))
        .find(|p| unhealthy(p))
        .and_then(|p| p.metadata.name.clone());
    let mut created = 0;
    for i in 0..set.replicas {
        let Some(pod) = replicas.get(&i) else {
            create_pod(cluster, set, i);
            created += 1;
            // Parallel creates in bursts; the new pods' events bring the set back.
            if set.monotonic || created >= MAX_CREATES_PER_SYNC {
                return;
            }
            continue;
        };
        if pods::finished(pod) && !pods::terminating(pod) {
            delete_pod(cluster, set, pod);
            return;
        }
        if !set.monotonic {
            continue;
        }
        if pods::terminating(pod) || !pods::running_and_ready(pod) {
            return;
        }
        if let Err(due) = pods::available(pod, set.min_ready, now) {
            if let Some(due) = due {
                recheck(cluster, set, due);
            }
            return;
        }
    }
    for (_, pod) in condemned.iter().rev() {
        if pods::terminating(pod) {
            if set.monotonic {
                return;
            }
            continue;
        }
        if set.monotonic
            && !pods::running_and_ready(pod)
            && first_unhealthy.as_deref() != pod.metadata.name.as_deref()
        {
            return;
        }
        delete_pod(cluster, set, pod);
        if set.monotonic {
            return;
        }
    }
    if !set.rolling {
        return;
    }
    for pod in replicas.range(set.partition..).rev().map(|(_, p)| p) {
        if pods::label(pod, REVISION_LABEL) != Some(set.update.as_str()) && !pods::terminating(pod)
        {
            delete_pod(cluster, set, pod);
            return;
        }
        if unhealthy(pod) || pods::available(pod, set.min_ready, now).is_err() {
            return;
        }
    }
}

fn recheck(cluster: &mut Cluster, set: &Set, due: i64) {
    cluster
        .controllers
        .statefulset
        .recheck
        .entry(due)
        .or_default()
        .insert((set.ns.clone(), set.name.clone()));
    cluster.world.timers.at(due, Task::Wake);
}

fn owner(cluster: &Cluster, set: &Set) -> Option<Object> {
    cluster
        .world
        .api
        .get("StatefulSet", &set.ns, &set.name)
        .cloned()
}

/// The pod for `ordinal`, from the current revision below the partition, else the update
/// revision (upstream's `newVersionedStatefulSetPod`).
fn new_pod(cluster: &Cluster, set: &Set, ordinal: usize) -> Pod {
    let spec = set.sts.spec.clone().unwrap_or_default();
    let revision = if set.rolling && ordinal < set.partition {
        set.current.clone()
    } else {
        set.update.clone()
    };
    let template = revision_template(cluster, &set.ns, &revision).unwrap_or(spec.template);
    let meta = template.metadata.unwrap_or_default();
    let name = format!("{}-{ordinal}", set.name);
    let mut labels = meta.labels.unwrap_or_default();
    labels.insert(REVISION_LABEL.into(), revision);
    labels.insert(POD_NAME_LABEL.into(), name.clone());
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
    let mut pod_spec = template.spec.unwrap_or_default();
    pod_spec.hostname = Some(name.clone());
    if let Some(service) = spec.service_name.filter(|s| !s.is_empty()) {
        pod_spec.subdomain = Some(service);
    }
    for claim in spec.volume_claim_templates.iter().flatten() {
        let volume_name = claim.metadata.name.clone().unwrap_or_default();
        let volume = Volume {
            name: volume_name.clone(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name(&volume_name, &set.name, ordinal),
                read_only: None,
            }),
            ..Default::default()
        };
        let volumes = pod_spec.volumes.get_or_insert_with(Vec::new);
        volumes.retain(|v| v.name != volume_name);
        volumes.push(volume);
    }
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(set.ns.clone()),
            labels: Some(labels),
            annotations: meta.annotations,
            owner_references: Some(vec![pods::owner_reference(
                "StatefulSet",
                &set.name,
                &set.uid,
            )]),
            ..Default::default()
        },
        spec: Some(pod_spec),
        status: None,
    }
}

/// `<template>-<set>-<ordinal>`.
pub fn claim_name(template: &str, set: &str, ordinal: usize) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// Creates the claims of `ordinal` that do not exist yet.
fn create_claims(cluster: &mut Cluster, set: &Set, ordinal: usize, pod: &str) {
    let spec = set.sts.spec.clone().unwrap_or_default();
    let selector_labels = spec.selector.match_labels.clone().unwrap_or_default();
    for template in spec.volume_claim_templates.iter().flatten() {
        let name = claim_name(
            template.metadata.name.as_deref().unwrap_or(""),
            &set.name,
            ordinal,
        );
        if cluster
            .world
            .api
            .get("PersistentVolumeClaim", &set.ns, &name)
            .is_some()
        {
            continue;
        }
        let mut labels = template.metadata.labels.clone().unwrap_or_default();
        labels.extend(selector_labels.clone());
        let claim = PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(set.ns.clone()),
                labels: Some(labels),
                annotations: template.metadata.annotations.clone(),
                ..Default::default()
            },
            spec: template.spec.clone(),
            status: None,
        };
        let result = cluster
            .create(Object::PersistentVolumeClaim(Box::new(claim)))
            .map(|_| ());
        let Some(owner) = owner(cluster, set) else {
            return;
        };
        let (kind, reason, message) = match result {
            Ok(()) => (
                EventType::Normal,
                "SuccessfulCreate",
                format!(
                    "create Claim {name} Pod {pod} in StatefulSet {} success",
                    set.name
                ),
            ),
            Err(e) => (
                EventType::Warning,
                "FailedCreate",
                format!(
                    "create Claim {name} for Pod {pod} in StatefulSet {} failed error: {}",
                    set.name,
                    e.kubectl_message()
                ),
            ),
        };
        events::record(&mut cluster.world, &owner, kind, reason, &message, SOURCE);
    }
}

fn create_pod(cluster: &mut Cluster, set: &Set, ordinal: usize) {
    let pod = new_pod(cluster, set, ordinal);
    let name = pod.metadata.name.clone().unwrap_or_default();
    create_claims(cluster, set, ordinal, &name);
    let result = cluster.create(Object::Pod(Box::new(pod))).map(|_| ());
    let Some(owner) = owner(cluster, set) else {
        return;
    };
    let (kind, reason, message) = match result {
        Ok(()) => (
            EventType::Normal,
            "SuccessfulCreate",
            format!("create Pod {name} in StatefulSet {} successful", set.name),
        ),
        Err(e) => (
            EventType::Warning,
            "FailedCreate",
            format!(
                "create Pod {name} in StatefulSet {} failed error: {}",
                set.name,
                e.kubectl_message()
            ),
        ),
    };
    events::record(&mut cluster.world, &owner, kind, reason, &message, SOURCE);
}

fn delete_pod(cluster: &mut Cluster, set: &Set, pod: &Pod) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    if cluster
        .world
        .delete("Pod", &set.ns, &name, None, false)
        .is_err()
    {
        return;
    }
    if let Some(owner) = owner(cluster, set) {
        let message = format!("delete Pod {name} in StatefulSet {} successful", set.name);
        events::record(
            &mut cluster.world,
            &owner,
            EventType::Normal,
            "SuccessfulDelete",
            &message,
            SOURCE,
        );
    }
}

/// Upstream's `computeReplicaStatus` and `completeRollingUpdate`.
fn update_status(cluster: &mut Cluster, set: &Set) {
    let now = cluster.world.clock.now_ms();
    let (mut replicas, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
    let mut due = None;
    for p in cluster.world.api.pods_owned_by(&set.ns, &set.uid) {
        replicas += 1;
        if pods::running_and_ready(&p) {
            ready += 1;
            match pods::available(&p, set.min_ready, now) {
                Ok(()) => available += 1,
                Err(d) => due = due.or(d),
            }
        }
        if !pods::terminating(&p) {
            let revision = pods::label(&p, REVISION_LABEL);
            if revision == Some(set.current.as_str()) {
                current += 1;
            }
            if revision == Some(set.update.as_str()) {
                updated += 1;
            }
        }
    }
    if let Some(due) = due {
        recheck(cluster, set, due);
    }
    let mut current_revision = set.current.clone();
    if set.rolling && updated == replicas && ready == replicas {
        current = updated;
        current_revision = set.update.clone();
    }
    let Some(Object::StatefulSet(mut sts)) = owner(cluster, set) else {
        return;
    };
    let status = sts.status.get_or_insert_with(Default::default);
    let before = status.clone();
    let opt = |n: i32| (n > 0).then_some(n);
    status.replicas = replicas;
    status.ready_replicas = opt(ready);
    status.available_replicas = Some(available);
    status.current_replicas = opt(current);
    status.updated_replicas = opt(updated);
    status.current_revision = Some(current_revision);
    status.update_revision = Some(set.update.clone());
    status.observed_generation = sts.metadata.generation;
    status.collision_count.get_or_insert(0);
    if *status != before {
        let _ = cluster.world.api.update_status(Object::StatefulSet(sts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_are_parsed_strictly() {
        assert_eq!(ordinal("web", "web-0"), Some(0));
        assert_eq!(ordinal("web", "web-12"), Some(12));
        assert_eq!(ordinal("web", "web-01"), None);
        assert_eq!(ordinal("web", "web-x"), None);
        assert_eq!(ordinal("web", "webby-1"), None);
        assert_eq!(claim_name("www", "web", 2), "www-web-2");
    }
}
