//! The Deployment controller (kube-controller-manager's `deployment`): one ReplicaSet per
//! pod template, named `<deployment>-<pod-template-hash>`, rolled with RollingUpdate
//! (maxSurge/maxUnavailable, upstream arithmetic) or Recreate; revisions, conditions,
//! `ScalingReplicaSet` events, history cleanup and the progress deadline.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::object::{Object, WatchEventType};
use crate::api::pod::controller_of;
use crate::clock::{ms_from_time, time_from_ms};
use crate::cluster::Cluster;
use crate::events::{self, EventType, Source};
use crate::timers::Task;

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

/// What the controller remembers between runs.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: usize,
    /// Deployments to look at again at a given time (progress deadline), by due time.
    recheck: BTreeMap<i64, BTreeSet<String>>,
}

/// Runs one pass over the Deployments touched since the last.
pub fn reconcile(cluster: &mut Cluster) {
    for (ns, name) in dirty(cluster) {
        sync(cluster, &ns, &name);
    }
}

fn dirty(cluster: &mut Cluster) -> BTreeSet<(String, String)> {
    let mut keys = BTreeSet::new();
    let now = cluster.world.clock.now_ms();
    let state = &mut cluster.controllers.deployment;
    let due: Vec<i64> = state.recheck.range(..=now).map(|(t, _)| *t).collect();
    for t in due {
        for k in state.recheck.remove(&t).unwrap_or_default() {
            if let Some((ns, name)) = k.split_once('/') {
                keys.insert((ns.to_string(), name.to_string()));
            }
        }
    }
    let events = cluster.world.api.events_since(state.cursor);
    state.cursor = cluster.world.api.log_end();
    let mut via_rs: BTreeSet<(String, String)> = BTreeSet::new();
    for event in events {
        let obj = &event.object;
        let ns = obj.namespace().to_string();
        match obj {
            Object::Deployment(_) if event.kind != WatchEventType::Deleted => {
                keys.insert((ns, obj.name().to_string()));
            }
            Object::ReplicaSet(rs) => {
                if let Some(r) = controller_of(&rs.metadata).filter(|r| r.kind == "Deployment") {
                    keys.insert((ns, r.name.clone()));
                }
            }
            Object::Pod(p) => {
                if let Some(r) = controller_of(&p.metadata).filter(|r| r.kind == "ReplicaSet") {
                    via_rs.insert((ns, r.name.clone()));
                }
            }
            _ => {}
        }
    }
    for (ns, rs) in via_rs {
        if let Some(Object::ReplicaSet(rs)) = cluster.world.api.get("ReplicaSet", &ns, &rs) {
            if let Some(r) = controller_of(&rs.metadata).filter(|r| r.kind == "Deployment") {
                keys.insert((ns, r.name.clone()));
            }
        }
    }
    keys
}

/// `pod-template-hash`: FNV-32a of the template (and the collision count), its decimal
/// digits mapped through the name alphabet, as upstream's `ComputeHash` + `SafeEncodeString`.
pub fn template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u32::from(*b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    };
    feed(
        serde_json::to_string(template)
            .unwrap_or_default()
            .as_bytes(),
    );
    if let Some(c) = collision_count {
        feed(&c.to_le_bytes());
    }
    hash.to_string()
        .bytes()
        .map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char)
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

/// Resolves a maxSurge/maxUnavailable value against `replicas` (percent: surge rounds up,
/// unavailable down).
fn resolve(v: Option<&IntOrString>, replicas: i32, round_up: bool) -> i32 {
    match v {
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            let pct: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            let exact = pct * f64::from(replicas) / 100.0;
            if round_up {
                exact.ceil() as i32
            } else {
                exact.floor() as i32
            }
        }
        None => 0,
    }
}

/// (maxSurge, maxUnavailable) as upstream's `ResolveFenceposts`.
fn fenceposts(d: &Deployment) -> (i32, i32) {
    let spec = d.spec.clone().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1);
    let strategy = spec.strategy.unwrap_or_default();
    if strategy.type_.as_deref() == Some("Recreate") {
        return (0, 0);
    }
    let ru = strategy.rolling_update.unwrap_or_default();
    let surge = resolve(ru.max_surge.as_ref(), replicas, true);
    let mut unavailable = resolve(ru.max_unavailable.as_ref(), replicas, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable.min(replicas))
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

fn revision_of(meta: &ObjectMeta) -> i64 {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
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
pub fn owned_replica_sets(cluster: &Cluster, ns: &str, uid: &str) -> Vec<ReplicaSet> {
    let mut rss: Vec<ReplicaSet> = cluster
        .world
        .api
        .list("ReplicaSet", Some(ns))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) if controller_of(&rs.metadata).is_some_and(|r| r.uid == uid) => {
                Some(rs.as_ref().clone())
            }
            _ => None,
        })
        .collect();
    rss.sort_by_key(created);
    rss
}

fn sync(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(Object::Deployment(d)) = cluster.world.api.get("Deployment", ns, name).cloned() else {
        return;
    };
    let d = *d;
    if d.metadata.deletion_timestamp.is_some() {
        return;
    }
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let rss = owned_replica_sets(cluster, ns, &uid);
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
            Some(rs) if !paused => Some(ensure_revision(cluster, &d, rs, &old)),
            Some(rs) => Some(sync_annotations(cluster, &d, rs)),
            None => None,
        };
        scale_all(cluster, &d, new_rs.as_ref(), &old);
        if paused {
            let old: Vec<ReplicaSet> = old.iter().filter_map(|r| fresh(cluster, r)).collect();
            cleanup(cluster, &d, &old);
        }
        update_status(cluster, ns, name);
        return;
    }
    let new_rs = match new_rs {
        Some(rs) => ensure_revision(cluster, &d, rs, &old),
        None => match create_new_rs(cluster, &d, &rss, &old) {
            Some(rs) => rs,
            None => return,
        },
    };
    let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
    if recreate {
        rollout_recreate(cluster, &d, &new_rs, &old);
    } else {
        rollout_rolling(cluster, &d, &new_rs, &old);
    }
    update_status(cluster, ns, name);
}

/// Upstream `isScalingEvent`: an active ReplicaSet was sized for another replica count.
fn is_scaling_event(d: &Deployment, new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> bool {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    new_rs
        .into_iter()
        .chain(old)
        .filter(|rs| rs_replicas(rs) > 0)
        .any(|rs| annotation_i32(rs, DESIRED_REPLICAS).is_some_and(|want| want != replicas))
}

fn annotation_i32(rs: &ReplicaSet, key: &str) -> Option<i32> {
    rs.metadata.annotations.as_ref()?.get(key)?.parse().ok()
}

/// Upstream `scale`: one active ReplicaSet takes the full count; otherwise the replicas
/// to add or remove are shared out in proportion to each active ReplicaSet's size.
fn scale_all(
    cluster: &mut Cluster,
    d: &Deployment,
    new_rs: Option<&ReplicaSet>,
    old: &[ReplicaSet],
) {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let mut active: Vec<ReplicaSet> = new_rs
        .into_iter()
        .chain(old)
        .filter(|rs| rs_replicas(rs) > 0)
        .cloned()
        .collect();
    let only = match active.len() {
        0 => new_rs
            .cloned()
            .or_else(|| old.iter().max_by_key(|r| created(r)).cloned()),
        1 => active.first().cloned(),
        _ => None,
    };
    if let Some(rs) = only {
        if rs_replicas(&rs) != replicas {
            scale(cluster, d, &rs, replicas);
        }
        return;
    }
    if let Some(new_rs) = new_rs {
        let saturated = annotation_i32(new_rs, DESIRED_REPLICAS) == Some(replicas)
            && rs_replicas(new_rs) == replicas
            && rs_available(new_rs) == replicas;
        if saturated {
            for rs in old.iter().filter(|r| rs_replicas(r) > 0) {
                scale(cluster, d, rs, 0);
            }
            return;
        }
    }
    let recreate = d
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        == Some("Recreate");
    if recreate {
        return;
    }
    let (surge, _) = fenceposts(d);
    let allowed = if replicas > 0 { replicas + surge } else { 0 };
    let to_add = allowed - active.iter().map(rs_replicas).sum::<i32>();
    // Largest first; equal sizes: newest first when growing, oldest first when shrinking.
    active.sort_by(|a, b| {
        let by_age = if to_add > 0 {
            created(b).cmp(&created(a))
        } else {
            created(a).cmp(&created(b))
        };
        rs_replicas(b).cmp(&rs_replicas(a)).then(by_age)
    });
    let status_replicas = d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::with_capacity(active.len());
    for rs in &active {
        let have = rs_replicas(rs);
        let mut proportion = 0;
        if to_add != 0 && to_add != added {
            // Upstream `getReplicaSetFraction`.
            let fraction = if replicas == 0 {
                -have
            } else {
                let annotated = annotation_i32(rs, MAX_REPLICAS).unwrap_or(status_replicas);
                if annotated == 0 {
                    0
                } else {
                    let size = f64::from(have) * f64::from(allowed) / f64::from(annotated);
                    size.round() as i32 - have
                }
            };
            let left = to_add - added;
            proportion = if to_add > 0 {
                fraction.min(left)
            } else {
                fraction.max(left)
            };
        }
        sizes.push(have + proportion);
        added += proportion;
    }
    if let Some(first) = sizes.first_mut() {
        *first = (*first + to_add - added).max(0);
    }
    for (rs, size) in active.iter().zip(sizes) {
        scale(cluster, d, rs, size);
    }
}

/// Gives a re-activated ReplicaSet (a rollback) the next revision, remembering the old one.
fn ensure_revision(
    cluster: &mut Cluster,
    d: &Deployment,
    rs: ReplicaSet,
    old: &[ReplicaSet],
) -> ReplicaSet {
    let max_old = old
        .iter()
        .map(|r| revision_of(&r.metadata))
        .max()
        .unwrap_or(0);
    let current = revision_of(&rs.metadata);
    let mut rs = rs;
    let mut changed = false;
    if current <= max_old {
        let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
        if current > 0 {
            let history = annotations
                .get(REVISION_HISTORY)
                .map(|h| format!("{h},{current}"))
                .unwrap_or_else(|| current.to_string());
            annotations.insert(REVISION_HISTORY.into(), history);
        }
        annotations.insert(REVISION.into(), (max_old + 1).to_string());
        changed = true;
    }
    changed |= copy_annotations(d, &mut rs);
    if changed {
        if let Ok(Object::ReplicaSet(stored)) = cluster
            .world
            .api
            .update(Object::ReplicaSet(Box::new(rs.clone())))
        {
            rs = stored.as_ref().clone();
        }
    }
    set_deployment_revision(cluster, d, revision_of(&rs.metadata));
    rs
}

/// Upstream `copyDeploymentAnnotationsToReplicaSet`: on every sync the new ReplicaSet takes
/// the Deployment's annotations (`kubernetes.io/change-cause` among them), except
/// [`NOT_COPIED`]; annotations are added or overwritten, never removed. True if any changed.
fn copy_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let mut changed = false;
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if NOT_COPIED.contains(&k.as_str()) {
            continue;
        }
        let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
        if annotations.get(k) != Some(v) {
            annotations.insert(k.clone(), v.clone());
            changed = true;
        }
    }
    changed
}

/// A paused Deployment's new ReplicaSet still gets the Deployment's annotations.
fn sync_annotations(cluster: &mut Cluster, d: &Deployment, rs: ReplicaSet) -> ReplicaSet {
    let mut rs = rs;
    if copy_annotations(d, &mut rs) {
        if let Ok(Object::ReplicaSet(stored)) = cluster
            .world
            .api
            .update(Object::ReplicaSet(Box::new(rs.clone())))
        {
            rs = stored.as_ref().clone();
        }
    }
    rs
}

fn set_deployment_revision(cluster: &mut Cluster, d: &Deployment, revision: i64) {
    let Some(Object::Deployment(mut current)) = cluster
        .world
        .api
        .get(
            "Deployment",
            d.metadata.namespace.as_deref().unwrap_or(""),
            d.metadata.name.as_deref().unwrap_or(""),
        )
        .cloned()
    else {
        return;
    };
    let annotations = current
        .metadata
        .annotations
        .get_or_insert_with(Default::default);
    if annotations.get(REVISION) != Some(&revision.to_string()) {
        annotations.insert(REVISION.into(), revision.to_string());
        let _ = cluster.world.api.update(Object::Deployment(current));
    }
}

/// Replicas a new ReplicaSet may have now (upstream `NewRSNewReplicas`).
fn new_rs_replicas(d: &Deployment, all: &[ReplicaSet], new_rs_replicas: i32) -> i32 {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let (surge, _) = fenceposts(d);
    let total: i32 = all.iter().map(rs_replicas).sum();
    let max_total = replicas + surge;
    if total >= max_total {
        return new_rs_replicas;
    }
    let up = (max_total - total).min(replicas - new_rs_replicas);
    new_rs_replicas + up.max(0)
}

fn create_new_rs(
    cluster: &mut Cluster,
    d: &Deployment,
    all: &[ReplicaSet],
    old: &[ReplicaSet],
) -> Option<ReplicaSet> {
    let spec = d.spec.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let name = d.metadata.name.clone().unwrap_or_default();
    let collision = d.status.as_ref().and_then(|s| s.collision_count);
    let hash = template_hash(&without_hash(&spec.template), collision);
    let mut template = spec.template.clone();
    template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(Default::default)
        .insert(HASH_LABEL.into(), hash.clone());
    let mut selector = spec.selector.clone();
    selector
        .match_labels
        .get_or_insert_with(Default::default)
        .insert(HASH_LABEL.into(), hash.clone());
    let mut labels = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(HASH_LABEL.into(), hash.clone());
    let replicas = spec.replicas.unwrap_or(1);
    let (surge, _) = fenceposts(d);
    let revision = old
        .iter()
        .map(|r| revision_of(&r.metadata))
        .max()
        .unwrap_or(0)
        + 1;
    let mut annotations: BTreeMap<String, String> = d
        .metadata
        .annotations
        .iter()
        .flatten()
        .filter(|(k, _)| !NOT_COPIED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    annotations.insert(DESIRED_REPLICAS.into(), replicas.to_string());
    annotations.insert(MAX_REPLICAS.into(), (replicas + surge).to_string());
    annotations.insert(REVISION.into(), revision.to_string());
    let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
    let start = if recreate {
        0
    } else {
        new_rs_replicas(d, all, 0)
    };
    let rs_name = format!("{name}-{hash}");
    let rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(rs_name.clone()),
            namespace: Some(ns.clone()),
            labels: Some(labels),
            annotations: Some(annotations),
            owner_references: Some(vec![OwnerReference {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: name.clone(),
                uid: d.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(start),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        }),
        status: None,
    };
    let owner = Object::Deployment(Box::new(d.clone()));
    if let Err(e) = cluster.create(Object::ReplicaSet(Box::new(rs))) {
        events::record(
            &mut cluster.world,
            &owner,
            EventType::Warning,
            "FailedCreate",
            &format!(
                "Failed to create new replica set \"{rs_name}\": {}",
                e.kubectl_message()
            ),
            CONTROLLER,
        );
        return None;
    }
    if start > 0 {
        events::record(
            &mut cluster.world,
            &owner,
            EventType::Normal,
            "ScalingReplicaSet",
            &format!("Scaled up replica set {rs_name} to {start}"),
            CONTROLLER,
        );
    }
    set_condition(
        cluster,
        &ns,
        &name,
        "Progressing",
        "True",
        "NewReplicaSetCreated",
        &format!("Created new replica set \"{rs_name}\""),
    );
    set_deployment_revision(cluster, d, revision);
    match cluster.world.api.get("ReplicaSet", &ns, &rs_name) {
        Some(Object::ReplicaSet(rs)) => Some(rs.as_ref().clone()),
        _ => None,
    }
}

/// Sets a ReplicaSet's replicas (and its desired/max annotations), with the event.
fn scale(cluster: &mut Cluster, d: &Deployment, rs: &ReplicaSet, to: i32) {
    let Some(Object::ReplicaSet(mut current)) = cluster
        .world
        .api
        .get(
            "ReplicaSet",
            rs.metadata.namespace.as_deref().unwrap_or(""),
            rs.metadata.name.as_deref().unwrap_or(""),
        )
        .cloned()
    else {
        return;
    };
    let from = rs_replicas(&current);
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let (surge, _) = fenceposts(d);
    let annotations = current
        .metadata
        .annotations
        .get_or_insert_with(Default::default);
    annotations.insert(DESIRED_REPLICAS.into(), replicas.to_string());
    annotations.insert(MAX_REPLICAS.into(), (replicas + surge).to_string());
    if let Some(s) = current.spec.as_mut() {
        s.replicas = Some(to);
    }
    let rs_name = current.metadata.name.clone().unwrap_or_default();
    if cluster
        .world
        .api
        .update(Object::ReplicaSet(current))
        .is_err()
        || from == to
    {
        return;
    }
    let direction = if to > from { "up" } else { "down" };
    events::record(
        &mut cluster.world,
        &Object::Deployment(Box::new(d.clone())),
        EventType::Normal,
        "ScalingReplicaSet",
        &format!("Scaled {direction} replica set {rs_name} from {from} to {to}"),
        CONTROLLER,
    );
}

fn fresh(cluster: &Cluster, rs: &ReplicaSet) -> Option<ReplicaSet> {
    match cluster.world.api.get(
        "ReplicaSet",
        rs.metadata.namespace.as_deref().unwrap_or(""),
        rs.metadata.name.as_deref().unwrap_or(""),
    ) {
        Some(Object::ReplicaSet(r)) => Some(r.as_ref().clone()),
        _ => None,
    }
}

fn rollout_rolling(cluster: &mut Cluster, d: &Deployment, new_rs: &ReplicaSet, old: &[ReplicaSet]) {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let mut all: Vec<ReplicaSet> = old.to_vec();
    all.push(new_rs.clone());
    // Scale up the new ReplicaSet first, as far as maxSurge allows.
    let current = rs_replicas(new_rs);
    let target = if current > replicas {
        replicas
    } else {
        new_rs_replicas(d, &all, current)
    };
    if target != current {
        scale(cluster, d, new_rs, target);
        return;
    }
    // Then scale down old ones, keeping maxUnavailable.
    let old_total: i32 = old.iter().map(rs_replicas).sum();
    if old_total == 0 {
        cleanup(cluster, d, old);
        return;
    }
    let (_, max_unavailable) = fenceposts(d);
    let min_available = replicas - max_unavailable;
    let all_total: i32 = all.iter().map(rs_replicas).sum();
    let new_unavailable = rs_replicas(new_rs) - rs_available(new_rs);
    let max_scaled_down = all_total - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return;
    }
    // a) unhealthy old replicas first, oldest ReplicaSets first.
    let mut cleaned = 0;
    for rs in old {
        if cleaned >= max_scaled_down {
            break;
        }
        let Some(rs) = fresh(cluster, rs) else {
            continue;
        };
        let (have, available) = (rs_replicas(&rs), rs_available(&rs));
        if have == 0 || have == available {
            continue;
        }
        let down = (max_scaled_down - cleaned).min(have - available);
        scale(cluster, d, &rs, have - down);
        cleaned += down;
    }
    // b) then healthy ones, while more than minAvailable stay available.
    let all_now: Vec<ReplicaSet> = all.iter().filter_map(|r| fresh(cluster, r)).collect();
    let available: i32 = all_now.iter().map(rs_available).sum();
    if available <= min_available {
        return;
    }
    let total_down = available - min_available;
    let mut done = 0;
    for rs in old {
        if done >= total_down {
            break;
        }
        let Some(rs) = fresh(cluster, rs) else {
            continue;
        };
        let have = rs_replicas(&rs);
        if have == 0 {
            continue;
        }
        let down = have.min(total_down - done);
        scale(cluster, d, &rs, have - down);
        done += down;
    }
}

fn rollout_recreate(
    cluster: &mut Cluster,
    d: &Deployment,
    new_rs: &ReplicaSet,
    old: &[ReplicaSet],
) {
    let mut scaled = false;
    for rs in old {
        if rs_replicas(rs) > 0 {
            scale(cluster, d, rs, 0);
            scaled = true;
        }
    }
    if scaled {
        return;
    }
    // Wait until no old pod is left running.
    let old_uids: BTreeSet<String> = old.iter().filter_map(|r| r.metadata.uid.clone()).collect();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let old_pods = cluster
        .world
        .api
        .list("Pod", Some(&ns))
        .any(|p| controller_of(p.metadata()).is_some_and(|r| old_uids.contains(&r.uid)));
    if old_pods {
        return;
    }
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    if rs_replicas(new_rs) != replicas {
        scale(cluster, d, new_rs, replicas);
        return;
    }
    cleanup(cluster, d, old);
}

/// Deletes the oldest empty old ReplicaSets beyond `revisionHistoryLimit`.
fn cleanup(cluster: &mut Cluster, d: &Deployment, old: &[ReplicaSet]) {
    let limit = d
        .spec
        .as_ref()
        .and_then(|s| s.revision_history_limit)
        .unwrap_or(10)
        .max(0) as usize;
    let empty: Vec<&ReplicaSet> = old
        .iter()
        .filter(|r| rs_replicas(r) == 0 && r.status.as_ref().is_none_or(|s| s.replicas == 0))
        .collect();
    if empty.len() <= limit {
        return;
    }
    for rs in &empty[..empty.len() - limit] {
        let _ = cluster.world.delete(
            "ReplicaSet",
            rs.metadata.namespace.as_deref().unwrap_or(""),
            rs.metadata.name.as_deref().unwrap_or(""),
            None,
            false,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn set_condition(
    cluster: &mut Cluster,
    ns: &str,
    name: &str,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
) {
    let Some(Object::Deployment(mut d)) = cluster.world.api.get("Deployment", ns, name).cloned()
    else {
        return;
    };
    let now = cluster.world.clock.now_time();
    let st = d.status.get_or_insert_with(DeploymentStatus::default);
    if put_condition(st, kind, status, reason, message, now) {
        let _ = cluster.world.api.update_status(Object::Deployment(d));
    }
}

/// Sets a condition; a change of status moves lastTransitionTime, any change lastUpdateTime.
/// Returns whether anything changed.
fn put_condition(
    st: &mut DeploymentStatus,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) -> bool {
    let conditions = st.conditions.get_or_insert_with(Vec::new);
    match conditions.iter_mut().find(|c| c.type_ == kind) {
        Some(c)
            if c.status == status
                && c.reason.as_deref() == Some(reason)
                && c.message.as_deref() == Some(message) =>
        {
            false
        }
        Some(c) => {
            if c.status != status {
                c.last_transition_time = Some(now.clone());
            }
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_update_time = Some(now);
            true
        }
        None => {
            conditions.push(DeploymentCondition {
                type_: kind.into(),
                status: status.into(),
                reason: Some(reason.into()),
                message: Some(message.into()),
                last_update_time: Some(now.clone()),
                last_transition_time: Some(now),
            });
            // Available is listed before Progressing, as the controller first sets it.
            conditions.sort_by_key(|c| c.type_ != "Available");
            true
        }
    }
}

fn update_status(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(Object::Deployment(mut d)) = cluster.world.api.get("Deployment", ns, name).cloned()
    else {
        return;
    };
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let spec = d.spec.clone().unwrap_or_default();
    let template = without_hash(&spec.template);
    let rss = owned_replica_sets(cluster, ns, &uid);
    let new_rs = rss.iter().find(|rs| {
        rs.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .is_some_and(|t| without_hash(t) == template)
    });
    let replicas = spec.replicas.unwrap_or(1);
    let status_of = |rs: &ReplicaSet| rs.status.clone().unwrap_or_default();
    let total: i32 = rss.iter().map(|r| status_of(r).replicas).sum();
    let updated = new_rs.map(|r| status_of(r).replicas).unwrap_or(0);
    let ready: i32 = rss
        .iter()
        .map(|r| status_of(r).ready_replicas.unwrap_or(0))
        .sum();
    let available: i32 = rss
        .iter()
        .map(|r| status_of(r).available_replicas.unwrap_or(0))
        .sum();
    let spec_total: i32 = rss.iter().map(rs_replicas).sum();
    let unavailable = (spec_total.max(replicas) - available).max(0);
    let (_, max_unavailable) = fenceposts(&d);
    let now = cluster.world.clock.now_time();
    let now_ms = cluster.world.clock.now_ms();
    let before = d.status.clone();
    let st = d.status.get_or_insert_with(DeploymentStatus::default);
    let opt = |n: i32| (n > 0).then_some(n);
    st.observed_generation = d.metadata.generation;
    st.replicas = opt(total);
    st.updated_replicas = opt(updated);
    st.ready_replicas = opt(ready);
    st.available_replicas = opt(available);
    st.unavailable_replicas = opt(unavailable);
    if available >= replicas - max_unavailable {
        put_condition(
            st,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            now.clone(),
        );
    } else {
        put_condition(
            st,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            now.clone(),
        );
    }
    if let Some(new_rs) = new_rs {
        let rs_name = new_rs.metadata.name.clone().unwrap_or_default();
        let complete = updated == replicas && total == replicas && available == replicas;
        let progressing = st
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Progressing")
            .cloned();
        let timed_out = progressing
            .as_ref()
            .is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded"));
        if spec.paused == Some(true) {
            put_condition(
                st,
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused",
                now.clone(),
            );
        } else if complete {
            put_condition(
                st,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                &format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
                now.clone(),
            );
        } else if !timed_out {
            let progressed = before.as_ref() != Some(&*st)
                && before.as_ref().is_some_and(|b| {
                    b.updated_replicas != st.updated_replicas
                        || b.available_replicas != st.available_replicas
                        || b.replicas != st.replicas
                });
            let deadline = spec.progress_deadline_seconds.unwrap_or(600);
            let last = progressing
                .as_ref()
                .and_then(|c| c.last_update_time.as_ref())
                .map(ms_from_time)
                .unwrap_or(now_ms);
            if progressed
                || progressing
                    .as_ref()
                    .is_none_or(|c| c.reason.as_deref() == Some("NewReplicaSetAvailable"))
            {
                put_condition(
                    st,
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    &format!("ReplicaSet \"{rs_name}\" is progressing."),
                    now.clone(),
                );
                let due = now_ms + i64::from(deadline) * 1000;
                cluster
                    .controllers
                    .deployment
                    .recheck
                    .entry(due)
                    .or_default()
                    .insert(format!("{ns}/{name}"));
                cluster.world.timers.at(due, Task::Wake);
            } else if now_ms >= last + i64::from(deadline) * 1000 {
                put_condition(
                    st,
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    &format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                    now.clone(),
                );
            }
        }
    }
    if before.as_ref() != d.status.as_ref() {
        let _ = cluster.world.api.update_status(Object::Deployment(d));
    }
    let _ = time_from_ms;
}
