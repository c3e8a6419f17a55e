//! The StatefulSet controller (kube-controller-manager's `statefulset`): pods `<set>-<ordinal>`
//! with a stable identity (hostname, subdomain, labels) and their claims
//! `<template>-<set>-<ordinal>`, created in order (OrderedReady) or all at once (Parallel),
//! removed from the highest ordinal, and updated from the highest ordinal down to the
//! partition. Revisions are `<set>-<hash of the template>`; their templates are remembered
//! here, as ControllerRevisions would store them.

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::runtime::{Controller, Queue};
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::pod::{self as pods, controller_of};
use crate::world::events::{self, EventType, Source};
use crate::world::World;

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

/// The controller, with what it remembers between passes.
#[derive(Clone, Debug, Default)]
pub struct StatefulSets {
    /// Pod templates by (namespace, revision name).
    revisions: BTreeMap<(String, String), PodTemplateSpec>,
}

/// The revision name of a template: `<set>-<hash>`.
pub fn revision_name(set: &str, template: &PodTemplateSpec, collision: Option<i32>) -> String {
    format!(
        "{set}-{}",
        super::deployment::template_hash(template, collision)
    )
}

impl StatefulSets {
    /// The template stored for a revision of a set in `namespace`, if the controller saw it.
    pub fn revision_template(&self, namespace: &str, revision: &str) -> Option<PodTemplateSpec> {
        self.revisions
            .get(&(namespace.to_string(), revision.to_string()))
            .cloned()
    }
}

fn set_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "StatefulSet",
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

impl Controller for StatefulSets {
    fn name(&self) -> &'static str {
        "statefulset"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::StatefulSet(_) | Object::Pod(_))
    }

    /// A set's own changes, and those of the pods it controls.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        match obj {
            Object::StatefulSet(_) if event.kind != WatchEventType::Deleted => {
                queue.add(set_key(obj.namespace(), obj.name()));
            }
            Object::Pod(p) => {
                if let Some(r) = controller_of(&p.metadata).filter(|r| r.kind == "StatefulSet") {
                    queue.add(set_key(obj.namespace(), &r.name));
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        let (ns, name) = (key.namespace.as_str(), key.name.as_str());
        let Some(sts) = world.api.get_as::<StatefulSet>(ns, name).cloned() else {
            return;
        };
        if sts.metadata.deletion_timestamp.is_some() {
            return;
        }
        let spec = sts.spec.clone().unwrap_or_default();
        let status = sts.status.clone().unwrap_or_default();
        let collision = status.collision_count.filter(|c| *c > 0);
        let update = revision_name(name, &spec.template, collision);
        self.revisions
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
            sts,
        };
        self.manage(world, &set, queue);
        update_status(world, &set, queue);
    }
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

impl Set {
    fn key(&self) -> ObjectKey {
        set_key(&self.ns, &self.name)
    }
}

impl StatefulSets {
    /// One round of upstream's `updateStatefulSet`: create, replace, scale down, roll.
    fn manage(&self, world: &mut World, set: &Set, queue: &mut Queue) {
        let owned = world.api.pods_owned_by(&set.ns, &set.uid);
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
        condemned.stable_sort_by_key(|(i, _)| *i);
        let now = world.clock.now_ms();
        let unhealthy = |p: &Pod| !pods::running_and_ready(p) || pods::terminating(p);
        let first_unhealthy = replicas
            .values()
            .chain(condemned.iter().map(|(_, p)| p))
            .find(|p| unhealthy(p))
            .and_then(|p| p.metadata.name.clone());
        let mut created = 0;
        for i in 0..set.replicas {
            let Some(pod) = replicas.get(&i) else {
                self.create_pod(world, set, i);
                created += 1;
                // Parallel creates in bursts; the new pods' events bring the set back.
                if set.monotonic || created >= MAX_CREATES_PER_SYNC {
                    return;
                }
                continue;
            };
            if pods::finished(pod) && !pods::terminating(pod) {
                delete_pod(world, set, pod);
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
                    queue.requeue_at(world, due, set.key());
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
            delete_pod(world, set, pod);
            if set.monotonic {
                return;
            }
        }
        if !set.rolling {
            return;
        }
        for pod in replicas.range(set.partition..).rev().map(|(_, p)| p) {
            if pods::label(pod, REVISION_LABEL) != Some(set.update.as_str())
                && !pods::terminating(pod)
            {
                delete_pod(world, set, pod);
                return;
            }
            if unhealthy(pod) || pods::available(pod, set.min_ready, now).is_err() {
                return;
            }
        }
    }

    /// The pod for `ordinal`, from the current revision below the partition, else the update
    /// revision (upstream's `newVersionedStatefulSetPod`).
    fn new_pod(&self, set: &Set, ordinal: usize) -> Pod {
        let spec = set.sts.spec.clone().unwrap_or_default();
        let revision = if set.rolling && ordinal < set.partition {
            set.current.clone()
        } else {
            set.update.clone()
        };
        let template = self
            .revision_template(&set.ns, &revision)
            .unwrap_or(spec.template);
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

    fn create_pod(&self, world: &mut World, set: &Set, ordinal: usize) {
        let pod = self.new_pod(set, ordinal);
        let name = pod.metadata.name.clone().unwrap_or_default();
        create_claims(world, set, ordinal, &name);
        let result = world.create(Object::Pod(Box::new(pod))).map(|_| ());
        let Some(owner) = owner(world, set) else {
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
        events::record(world, &owner, kind, reason, &message, SOURCE);
    }
}

fn owner(world: &World, set: &Set) -> Option<Object> {
    world.api.get("StatefulSet", &set.ns, &set.name).cloned()
}

/// `<template>-<set>-<ordinal>`.
pub fn claim_name(template: &str, set: &str, ordinal: usize) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// Creates the claims of `ordinal` that do not exist yet.
fn create_claims(world: &mut World, set: &Set, ordinal: usize, pod: &str) {
    let spec = set.sts.spec.clone().unwrap_or_default();
    let selector_labels = spec.selector.match_labels.clone().unwrap_or_default();
    for template in spec.volume_claim_templates.iter().flatten() {
        let name = claim_name(
            template.metadata.name.as_deref().unwrap_or(""),
            &set.name,
            ordinal,
        );
        if world
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
        let result = world
            .create(Object::PersistentVolumeClaim(Box::new(claim)))
            .map(|_| ());
        let Some(owner) = owner(world, set) else {
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
        events::record(world, &owner, kind, reason, &message, SOURCE);
    }
}

fn delete_pod(world: &mut World, set: &Set, pod: &Pod) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    if world.delete("Pod", &set.ns, &name, None, false).is_err() {
        return;
    }
    if let Some(owner) = owner(world, set) {
        let message = format!("delete Pod {name} in StatefulSet {} successful", set.name);
        events::record(
            world,
            &owner,
            EventType::Normal,
            "SuccessfulDelete",
            &message,
            SOURCE,
        );
    }
}

/// Upstream's `computeReplicaStatus` and `completeRollingUpdate`.
fn update_status(world: &mut World, set: &Set, queue: &mut Queue) {
    let now = world.clock.now_ms();
    let (mut replicas, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
    let mut due = None;
    for p in world.api.pods_owned_by(&set.ns, &set.uid) {
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
        queue.requeue_at(world, due, set.key());
    }
    let mut current_revision = set.current.clone();
    if set.rolling && updated == replicas && ready == replicas {
        current = updated;
        current_revision = set.update.clone();
    }
    let Some(Object::StatefulSet(mut sts)) = owner(world, set) else {
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
        let _ = world.api.update_status(Object::StatefulSet(sts));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::SimDuration;
    use crate::controllers::testing::{object, Bench};

    /// A set `web` of `replicas` pods behind the service `nginx`, each with a claim from the
    /// template `data`.
    fn stateful_set(replicas: i32, min_ready_seconds: i32) -> Object {
        object(json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": replicas,
                "minReadySeconds": min_ready_seconds,
                "serviceName": "nginx",
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
                },
                "volumeClaimTemplates": [{
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}}
                    }
                }]
            }
        }))
    }

    fn pod(bench: &Bench, name: &str) -> Pod {
        match bench.get("Pod", name) {
            Some(Object::Pod(p)) => p.as_ref().clone(),
            _ => panic!("no pod {name}"),
        }
    }

    #[test]
    fn ordered_ready_creates_one_ordinal_at_a_time() {
        let mut bench = Bench::new(Box::<StatefulSets>::default());
        bench.create(stateful_set(3, 0));
        bench.pass();
        assert_eq!(bench.names("Pod"), ["web-0"]);
        assert_eq!(bench.names("PersistentVolumeClaim"), ["data-web-0"]);
        assert_eq!(
            bench.events(),
            [
                "SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success",
                "SuccessfulCreate: create Pod web-0 in StatefulSet web successful",
            ]
        );
        // web-0 is not Running and Ready yet: the set waits for it.
        bench.pass();
        bench.pass();
        assert_eq!(bench.names("Pod"), ["web-0"]);
        bench.mark_ready("web-0");
        bench.pass();
        assert_eq!(bench.names("Pod"), ["web-0", "web-1"]);
        assert_eq!(
            bench.names("PersistentVolumeClaim"),
            ["data-web-0", "data-web-1"]
        );
        bench.pass();
        assert_eq!(bench.names("Pod"), ["web-0", "web-1"]);
        bench.mark_ready("web-1");
        bench.pass();
        assert_eq!(bench.names("Pod"), ["web-0", "web-1", "web-2"]);
        let Some(Object::StatefulSet(sts)) = bench.get("StatefulSet", "web") else {
            panic!("no set");
        };
        let status = sts.status.clone().unwrap_or_default();
        assert_eq!((status.replicas, status.ready_replicas), (3, Some(2)));
    }

    #[test]
    fn pods_get_a_stable_identity_and_their_claims() {
        let mut bench = Bench::new(Box::<StatefulSets>::default());
        bench.create(stateful_set(1, 0));
        bench.pass();
        let p = pod(&bench, "web-0");
        let spec = p.spec.clone().unwrap_or_default();
        assert_eq!(spec.hostname.as_deref(), Some("web-0"));
        assert_eq!(spec.subdomain.as_deref(), Some("nginx"));
        assert_eq!(pods::label(&p, POD_NAME_LABEL), Some("web-0"));
        assert_eq!(pods::label(&p, POD_INDEX_LABEL), Some("0"));
        assert!(pods::label(&p, REVISION_LABEL).is_some_and(|r| r.starts_with("web-")));
        let claims: Vec<(String, String)> = spec
            .volumes
            .iter()
            .flatten()
            .filter_map(|v| {
                let c = v.persistent_volume_claim.as_ref()?;
                Some((v.name.clone(), c.claim_name.clone()))
            })
            .collect();
        assert_eq!(claims, [("data".to_string(), "data-web-0".to_string())]);
        assert_eq!(
            controller_of(&p.metadata).map(|r| (r.kind.as_str(), r.name.as_str())),
            Some(("StatefulSet", "web"))
        );
        // The claim carries the selector's labels; it is not owned by the set.
        let Some(Object::PersistentVolumeClaim(claim)) =
            bench.get("PersistentVolumeClaim", "data-web-0")
        else {
            panic!("no claim");
        };
        assert_eq!(
            claim
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("app"))
                .map(String::as_str),
            Some("web")
        );
        assert_eq!(claim.metadata.owner_references, None);
    }

    #[test]
    fn min_ready_seconds_requeues_before_the_next_ordinal() {
        let mut bench = Bench::new(Box::<StatefulSets>::default());
        bench.create(stateful_set(2, 10));
        bench.pass();
        bench.mark_ready("web-0");
        let ready_at = bench.world.clock.now_ms();
        bench.pass();
        assert_eq!(bench.names("Pod"), ["web-0"]);
        assert_eq!(bench.next_wake(), Some(ready_at + 10_000));
        bench.advance(SimDuration::seconds(9));
        assert_eq!(bench.names("Pod"), ["web-0"]);
        bench.advance(SimDuration::seconds(1));
        assert_eq!(bench.names("Pod"), ["web-0", "web-1"]);
    }

    #[test]
    fn scale_down_removes_the_highest_ordinal_first() {
        let mut bench = Bench::new(Box::<StatefulSets>::default());
        bench.create(stateful_set(2, 0));
        bench.pass();
        bench.mark_ready("web-0");
        bench.pass();
        bench.mark_ready("web-1");
        bench.pass();
        let Some(Object::StatefulSet(mut sts)) = bench.get("StatefulSet", "web").cloned() else {
            panic!("no set");
        };
        sts.spec.as_mut().unwrap().replicas = Some(0);
        bench.world.api.update(Object::StatefulSet(sts)).unwrap();
        bench.pass();
        // One at a time, highest first (unscheduled pods go at once: no kubelet to wait for).
        assert_eq!(bench.names("Pod"), ["web-0"]);
        bench.pass();
        assert!(bench.names("Pod").is_empty());
        let deleted: Vec<String> = bench
            .events()
            .into_iter()
            .filter(|e| e.starts_with("SuccessfulDelete"))
            .collect();
        assert_eq!(
            deleted,
            [
                "SuccessfulDelete: delete Pod web-1 in StatefulSet web successful",
                "SuccessfulDelete: delete Pod web-0 in StatefulSet web successful",
            ]
        );
        // The claims stay (the default retention policy is Retain).
        assert_eq!(
            bench.names("PersistentVolumeClaim"),
            ["data-web-0", "data-web-1"]
        );
    }

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
