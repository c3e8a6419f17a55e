//! The ReplicaSet and ReplicationController controllers (kube-controller-manager's
//! `replicaset` and `replicationcontroller`): keep `spec.replicas` pods matching the selector,
//! adopting orphans and releasing pods that stopped matching, and report status.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::object::{Object, ObjectKey, WatchEventType};
use crate::api::pod::{self as pods, controller_of, is_ready as pod_ready, ready_since};
use crate::api::selector::Selector;
use crate::clock::ms_from_time;
use crate::cluster::Cluster;
use crate::events::{self, EventType, Source};
use crate::timers::Task;

/// What the controller remembers between runs.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: usize,
    /// Controllers to look at again at a given time (minReadySeconds), by due time.
    recheck: BTreeMap<i64, BTreeSet<ObjectKey>>,
    /// Pod names by the uid of the controller that owns them (checked on use).
    owned: BTreeMap<String, BTreeSet<String>>,
    /// Controllers that must look at every pod of their namespace (new ones, and those
    /// that may adopt an orphan).
    full_scan: BTreeSet<ObjectKey>,
    /// What the controller last saw of each owned pod, so that changes it does not care
    /// about (image pulls, container ids) do not wake it.
    seen: BTreeMap<(String, String), PodSummary>,
}

/// The parts of a pod a ReplicaSet's decisions and status depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PodSummary {
    owner: String,
    active: bool,
    ready_since: Option<i64>,
    labels: Option<BTreeMap<String, String>>,
}

/// The parts of a ReplicaSet or ReplicationController the controller works with.
struct Workload {
    key: ObjectKey,
    uid: String,
    api_version: &'static str,
    replicas: i32,
    min_ready_seconds: i32,
    selector: Selector,
    template: PodTemplateSpec,
    deleting: bool,
    generation: Option<i64>,
}

impl Workload {
    fn of(obj: &Object) -> Option<Workload> {
        let meta = obj.metadata();
        let base =
            |api_version, replicas: Option<i32>, min_ready: Option<i32>, selector, template| {
                Workload {
                    key: ObjectKey {
                        kind: obj.kind(),
                        namespace: obj.namespace().to_string(),
                        name: obj.name().to_string(),
                    },
                    uid: meta.uid.clone().unwrap_or_default(),
                    api_version,
                    replicas: replicas.unwrap_or(1).max(0),
                    min_ready_seconds: min_ready.unwrap_or(0),
                    selector,
                    template,
                    deleting: meta.deletion_timestamp.is_some(),
                    generation: meta.generation,
                }
            };
        match obj {
            Object::ReplicaSet(rs) => {
                let spec = rs.spec.as_ref()?;
                Some(base(
                    "apps/v1",
                    spec.replicas,
                    spec.min_ready_seconds,
                    Selector::from_label_selector(&spec.selector),
                    spec.template.clone().unwrap_or_default(),
                ))
            }
            Object::ReplicationController(rc) => {
                let spec = rc.spec.as_ref()?;
                Some(base(
                    "v1",
                    spec.replicas,
                    spec.min_ready_seconds,
                    Selector::from_map(&spec.selector.clone().unwrap_or_default()),
                    spec.template.clone().unwrap_or_default(),
                ))
            }
            _ => None,
        }
    }

    fn component(&self) -> &'static str {
        if self.key.kind == "ReplicaSet" {
            "replicaset-controller"
        } else {
            "replication-controller"
        }
    }
}

/// Runs one pass: syncs every ReplicaSet and ReplicationController touched since the last.
pub fn reconcile(cluster: &mut Cluster) {
    for key in dirty(cluster) {
        sync(cluster, &key);
    }
}

fn is_managed_kind(kind: &str) -> bool {
    kind == "ReplicaSet" || kind == "ReplicationController"
}

fn dirty(cluster: &mut Cluster) -> BTreeSet<ObjectKey> {
    let mut keys = BTreeSet::new();
    let now = cluster.world.clock.now_ms();
    let state = &mut cluster.controllers.replicaset;
    let due: Vec<i64> = state.recheck.range(..=now).map(|(t, _)| *t).collect();
    for t in due {
        keys.extend(state.recheck.remove(&t).unwrap_or_default());
    }
    let events = cluster.world.api.events_since(state.cursor);
    state.cursor = cluster.world.api.log_end();
    let mut orphans_in: BTreeSet<String> = BTreeSet::new();
    for event in events {
        let obj = &event.object;
        if is_managed_kind(obj.kind()) {
            let key = ObjectKey {
                kind: obj.kind(),
                namespace: obj.namespace().to_string(),
                name: obj.name().to_string(),
            };
            match event.kind {
                WatchEventType::Added => {
                    state.full_scan.insert(key.clone());
                    keys.insert(key);
                }
                WatchEventType::Modified => {
                    keys.insert(key);
                }
                WatchEventType::Deleted => {
                    if let Some(uid) = obj.metadata().uid.as_ref() {
                        state.owned.remove(uid);
                    }
                }
            }
            continue;
        }
        let Object::Pod(pod) = obj else {
            continue;
        };
        match controller_of(&pod.metadata) {
            Some(r) if is_managed_kind(&r.kind) => {
                let names = state.owned.entry(r.uid.clone()).or_default();
                let pod_key = (obj.namespace().to_string(), obj.name().to_string());
                if event.kind == WatchEventType::Deleted {
                    names.remove(obj.name());
                    state.seen.remove(&pod_key);
                } else {
                    names.insert(obj.name().to_string());
                    let summary = PodSummary {
                        owner: r.uid.clone(),
                        active: active(pod),
                        ready_since: ready_since(pod),
                        labels: pod.metadata.labels.clone(),
                    };
                    if state.seen.get(&pod_key) == Some(&summary) {
                        continue;
                    }
                    state.seen.insert(pod_key, summary);
                }
                keys.insert(ObjectKey {
                    kind: if r.kind == "ReplicaSet" {
                        "ReplicaSet"
                    } else {
                        "ReplicationController"
                    },
                    namespace: obj.namespace().to_string(),
                    name: r.name.clone(),
                });
            }
            Some(_) => {}
            None if event.kind != WatchEventType::Deleted => {
                orphans_in.insert(obj.namespace().to_string());
            }
            None => {}
        }
    }
    // An orphan may be adopted by any controller of its namespace whose selector matches.
    for ns in orphans_in {
        for kind in ["ReplicaSet", "ReplicationController"] {
            let found: Vec<ObjectKey> = cluster
                .world
                .api
                .list(kind, Some(&ns))
                .map(|o| ObjectKey {
                    kind,
                    namespace: ns.clone(),
                    name: o.name().to_string(),
                })
                .collect();
            for key in found {
                cluster.controllers.replicaset.full_scan.insert(key.clone());
                keys.insert(key);
            }
        }
    }
    keys
}

/// Counts toward replicas: not terminating, not finished.
fn active(pod: &Pod) -> bool {
    !pods::terminating(pod) && !pods::finished(pod)
}

fn owner_reference(w: &Workload) -> OwnerReference {
    OwnerReference {
        api_version: w.api_version.into(),
        kind: w.key.kind.into(),
        name: w.key.name.clone(),
        uid: w.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn sync(cluster: &mut Cluster, key: &ObjectKey) {
    let Some(w) = cluster
        .world
        .api
        .get(key.kind, &key.namespace, &key.name)
        .and_then(Workload::of)
    else {
        return;
    };
    let active_names = claim_pods(cluster, &w);
    if !w.deleting {
        let diff = active_names.len() as i64 - i64::from(w.replicas);
        if diff < 0 {
            for _ in 0..(-diff) {
                create_pod(cluster, &w);
            }
        } else if diff > 0 {
            let active_pods: Vec<Pod> = active_names
                .iter()
                .filter_map(
                    |n| match cluster.world.api.get("Pod", &w.key.namespace, n) {
                        Some(Object::Pod(p)) => Some(p.as_ref().clone()),
                        _ => None,
                    },
                )
                .collect();
            for victim in victims(&active_pods, diff as usize) {
                delete_pod(cluster, &w, &victim);
            }
        }
    }
    update_status(cluster, &w);
}

/// Adopts matching orphans, releases owned pods that no longer match; returns the names of
/// the active pods this controller owns. Pods are only copied when they must change.
fn claim_pods(cluster: &mut Cluster, w: &Workload) -> Vec<String> {
    let mut active_names = Vec::new();
    let mut adopt = Vec::new();
    let mut release = Vec::new();
    let full = cluster.controllers.replicaset.full_scan.remove(&w.key);
    let candidates: Vec<&Object> = if full {
        cluster
            .world
            .api
            .list("Pod", Some(&w.key.namespace))
            .collect()
    } else {
        owned_pods(cluster, w)
    };
    for o in candidates {
        let Object::Pod(pod) = o else { continue };
        let controller = controller_of(&pod.metadata);
        let ours = controller.is_some_and(|r| r.uid == w.uid);
        if !ours && controller.is_some() {
            continue;
        }
        let matches = !w.selector.is_empty() && w.selector.matches(pod.metadata.labels.as_ref());
        let name = pod.metadata.name.clone().unwrap_or_default();
        if ours && !matches {
            release.push(name);
        } else if ours {
            if active(pod) {
                active_names.push(name);
            }
        } else if matches && !w.deleting && pod.metadata.deletion_timestamp.is_none() {
            adopt.push(name);
        }
    }
    for name in release {
        if let Some(Object::Pod(mut pod)) = cluster
            .world
            .api
            .get("Pod", &w.key.namespace, &name)
            .cloned()
        {
            if let Some(refs) = pod.metadata.owner_references.as_mut() {
                refs.retain(|r| r.uid != w.uid);
                if refs.is_empty() {
                    pod.metadata.owner_references = None;
                }
            }
            let _ = cluster.world.api.update(Object::Pod(pod));
        }
    }
    for name in adopt {
        if let Some(Object::Pod(mut pod)) = cluster
            .world
            .api
            .get("Pod", &w.key.namespace, &name)
            .cloned()
        {
            pod.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(owner_reference(w));
            let is_active = active(&pod);
            if cluster.world.api.update(Object::Pod(pod)).is_ok() && is_active {
                active_names.push(name);
            }
        }
    }
    active_names
}

/// The pods the index says `w` owns (callers check the controller reference).
fn owned_pods<'a>(cluster: &'a Cluster, w: &Workload) -> Vec<&'a Object> {
    cluster
        .controllers
        .replicaset
        .owned
        .get(&w.uid)
        .into_iter()
        .flatten()
        .filter_map(|n| cluster.world.api.get("Pod", &w.key.namespace, n))
        .collect()
}

fn create_pod(cluster: &mut Cluster, w: &Workload) {
    let template = w.template.clone();
    let template_meta = template.metadata.unwrap_or_default();
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", w.key.name)),
            namespace: Some(w.key.namespace.clone()),
            labels: template_meta.labels,
            annotations: template_meta.annotations,
            owner_references: Some(vec![owner_reference(w)]),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    };
    let Some(owner) = cluster
        .world
        .api
        .get(w.key.kind, &w.key.namespace, &w.key.name)
        .cloned()
    else {
        return;
    };
    let source = Source {
        component: w.component(),
        host: None,
    };
    match cluster.create(Object::Pod(Box::new(pod))) {
        Ok(created) => {
            let message = format!("Created pod: {}", created.name());
            events::record(
                &mut cluster.world,
                &owner,
                EventType::Normal,
                "SuccessfulCreate",
                &message,
                source,
            )
        }
        Err(e) => events::record(
            &mut cluster.world,
            &owner,
            EventType::Warning,
            "FailedCreate",
            &format!("Error creating: {}", e.kubectl_message()),
            source,
        ),
    }
}

fn delete_pod(cluster: &mut Cluster, w: &Workload, pod: &Pod) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    if cluster
        .world
        .delete("Pod", &w.key.namespace, &name, None, false)
        .is_err()
    {
        return;
    }
    if let Some(owner) = cluster
        .world
        .api
        .get(w.key.kind, &w.key.namespace, &w.key.name)
        .cloned()
    {
        events::record(
            &mut cluster.world,
            &owner,
            EventType::Normal,
            "SuccessfulDelete",
            &format!("Deleted pod: {name}"),
            Source {
                component: w.component(),
                host: None,
            },
        );
    }
}

/// The `count` pods to delete first, as upstream ranks them: unscheduled before scheduled,
/// Pending before Running, not ready before ready, more pods of this controller on the same
/// node first, recently ready first, more restarts first, newer first.
fn victims(pods: &[Pod], count: usize) -> Vec<Pod> {
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for p in pods {
        if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            *per_node.entry(n).or_default() += 1;
        }
    }
    let phase_rank = |p: &Pod| match pods::phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        _ => 2,
    };
    let restarts = |p: &Pod| -> i32 {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .map(|cs| cs.iter().map(|c| c.restart_count).max().unwrap_or(0))
            .unwrap_or(0)
    };
    let created = |p: &Pod| {
        p.metadata
            .creation_timestamp
            .as_ref()
            .map(ms_from_time)
            .unwrap_or(0)
    };
    let mut ranked: Vec<&Pod> = pods.iter().collect();
    ranked.sort_by_key(|p| {
        let node = p.spec.as_ref().and_then(|s| s.node_name.as_deref());
        (
            node.is_some(),
            phase_rank(p),
            pod_ready(p),
            std::cmp::Reverse(node.map_or(0, |n| per_node.get(n).copied().unwrap_or(0))),
            std::cmp::Reverse(ready_since(p).unwrap_or(0)),
            std::cmp::Reverse(restarts(p)),
            std::cmp::Reverse(created(p)),
            p.metadata.name.clone(),
        )
    });
    ranked.into_iter().take(count).cloned().collect()
}

fn update_status(cluster: &mut Cluster, w: &Workload) {
    let now = cluster.world.clock.now_ms();
    let template_labels = w
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let mut replicas = 0;
    let mut fully_labeled = 0;
    let mut ready = 0;
    let mut available = 0;
    let mut rechecks = Vec::new();
    let min_ready_ms = i64::from(w.min_ready_seconds) * 1000;
    for o in owned_pods(cluster, w) {
        let Object::Pod(p) = o else { continue };
        if controller_of(&p.metadata).is_none_or(|r| r.uid != w.uid) || !active(p) {
            continue;
        }
        replicas += 1;
        let labels = p.metadata.labels.as_ref();
        if template_labels
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        {
            fully_labeled += 1;
        }
        if pod_ready(p) {
            ready += 1;
        }
        if let Some(since) = ready_since(p) {
            if since + min_ready_ms <= now {
                available += 1;
            } else {
                rechecks.push(since + min_ready_ms);
            }
        }
    }
    for due in rechecks {
        cluster
            .controllers
            .replicaset
            .recheck
            .entry(due)
            .or_default()
            .insert(w.key.clone());
        cluster.world.timers.at(due, Task::Wake);
    }
    let Some(mut obj) = cluster
        .world
        .api
        .get(w.key.kind, &w.key.namespace, &w.key.name)
        .cloned()
    else {
        return;
    };
    let opt = |n: i32| (n > 0).then_some(n);
    let changed = match &mut obj {
        Object::ReplicaSet(rs) => {
            let status = rs.status.get_or_insert_with(Default::default);
            let before = status.clone();
            status.replicas = replicas;
            status.fully_labeled_replicas = opt(fully_labeled);
            status.ready_replicas = opt(ready);
            status.available_replicas = opt(available);
            status.observed_generation = w.generation;
            *status != before
        }
        Object::ReplicationController(rc) => {
            let status = rc.status.get_or_insert_with(Default::default);
            let before = status.clone();
            status.replicas = replicas;
            status.fully_labeled_replicas = opt(fully_labeled);
            status.ready_replicas = opt(ready);
            status.available_replicas = opt(available);
            status.observed_generation = w.generation;
            *status != before
        }
        _ => false,
    };
    if changed {
        let _ = cluster.world.api.update_status(obj);
    }
}
