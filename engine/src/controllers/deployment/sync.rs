//! Scaling and ReplicaSets (upstream `sync.go`): scaling events and proportional scaling,
//! the new ReplicaSet (created with its hash, revision and annotations) and the old ones,
//! scaling one ReplicaSet with its event, history cleanup, and the status counts.

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use super::progress::{put_condition, set_condition};
use super::rollback::{revision_of, set_deployment_revision};
use super::rolling::{fenceposts, new_rs_replicas};
use super::{
    created, rs_available, rs_replicas, template_hash, without_hash, CONTROLLER, DESIRED_REPLICAS,
    HASH_LABEL, MAX_REPLICAS, NOT_COPIED, REVISION,
};
use crate::api::object::Object;
use crate::world::events::{self, EventType};
use crate::world::World;

/// Upstream `isScalingEvent`: an active ReplicaSet was sized for another replica count.
pub(super) fn is_scaling_event(
    d: &Deployment,
    new_rs: Option<&ReplicaSet>,
    old: &[ReplicaSet],
) -> bool {
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
pub(super) fn scale_all(
    world: &mut World,
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
            scale(world, d, &rs, replicas);
        }
        return;
    }
    if let Some(new_rs) = new_rs {
        let saturated = annotation_i32(new_rs, DESIRED_REPLICAS) == Some(replicas)
            && rs_replicas(new_rs) == replicas
            && rs_available(new_rs) == replicas;
        if saturated {
            for rs in old.iter().filter(|r| rs_replicas(r) > 0) {
                scale(world, d, rs, 0);
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
    let allowed = if replicas > 0 {
        replicas.saturating_add(surge)
    } else {
        0
    };
    let to_add = allowed.saturating_sub(super::sum(active.iter().map(rs_replicas)));
    // Largest first; equal sizes: newest first when growing, oldest first when shrinking.
    active.stable_sort_by(|a, b| {
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
            let left = to_add.saturating_sub(added);
            proportion = if to_add > 0 {
                fraction.min(left)
            } else {
                fraction.max(left)
            };
        }
        sizes.push(have.saturating_add(proportion));
        added = added.saturating_add(proportion);
    }
    if let Some(first) = sizes.first_mut() {
        *first = first.saturating_add(to_add.saturating_sub(added)).max(0);
    }
    for (rs, size) in active.iter().zip(sizes) {
        scale(world, d, rs, size);
    }
}

/// Upstream `copyDeploymentAnnotationsToReplicaSet`: on every sync the new ReplicaSet takes
/// the Deployment's annotations (`kubernetes.io/change-cause` among them), except
/// [`NOT_COPIED`]; annotations are added or overwritten, never removed. True if any changed.
pub(super) fn copy_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
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
pub(super) fn sync_annotations(world: &mut World, d: &Deployment, rs: ReplicaSet) -> ReplicaSet {
    let mut rs = rs;
    if copy_annotations(d, &mut rs) {
        if let Ok(Object::ReplicaSet(stored)) =
            world.api.update(Object::ReplicaSet(Box::new(rs.clone())))
        {
            rs = stored.as_ref().clone();
        }
    }
    rs
}

/// Upstream `getNewReplicaSet` when there is none: creates `<name>-<hash>` with the
/// template, selector and labels carrying the hash, the next revision and the sizing
/// annotations, at what maxSurge allows (0 for Recreate).
pub(super) fn create_new_rs(
    world: &mut World,
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
    annotations.insert(
        MAX_REPLICAS.into(),
        replicas.saturating_add(surge).to_string(),
    );
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
    if let Err(e) = world.create(Object::ReplicaSet(Box::new(rs))) {
        events::record(
            world,
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
            world,
            &owner,
            EventType::Normal,
            "ScalingReplicaSet",
            &format!("Scaled up replica set {rs_name} to {start}"),
            CONTROLLER,
        );
    }
    set_condition(
        world,
        &ns,
        &name,
        "Progressing",
        "True",
        "NewReplicaSetCreated",
        &format!("Created new replica set \"{rs_name}\""),
    );
    set_deployment_revision(world, d, revision);
    match world.api.get("ReplicaSet", &ns, &rs_name) {
        Some(Object::ReplicaSet(rs)) => Some(rs.as_ref().clone()),
        _ => None,
    }
}

/// Sets a ReplicaSet's replicas (and its desired/max annotations), with the event.
pub(super) fn scale(world: &mut World, d: &Deployment, rs: &ReplicaSet, to: i32) {
    let Some(Object::ReplicaSet(mut current)) = world
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
    annotations.insert(
        MAX_REPLICAS.into(),
        replicas.saturating_add(surge).to_string(),
    );
    if let Some(s) = current.spec.as_mut() {
        s.replicas = Some(to);
    }
    let rs_name = current.metadata.name.clone().unwrap_or_default();
    if world.api.update(Object::ReplicaSet(current)).is_err() || from == to {
        return;
    }
    let direction = if to > from { "up" } else { "down" };
    events::record(
        world,
        &Object::Deployment(Box::new(d.clone())),
        EventType::Normal,
        "ScalingReplicaSet",
        &format!("Scaled {direction} replica set {rs_name} from {from} to {to}"),
        CONTROLLER,
    );
}

/// Upstream `cleanupDeployment`: deletes the oldest empty old ReplicaSets beyond
/// `revisionHistoryLimit`.
pub(super) fn cleanup(world: &mut World, d: &Deployment, old: &[ReplicaSet]) {
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
        let _ = world.delete(
            "ReplicaSet",
            rs.metadata.namespace.as_deref().unwrap_or(""),
            rs.metadata.name.as_deref().unwrap_or(""),
            None,
            false,
        );
    }
}

/// What [`calculate_status`] counted over the ReplicaSets' statuses (before zeros became
/// absent fields).
pub(super) struct Counts {
    /// Pods of every ReplicaSet.
    pub total: i32,
    /// Pods of the new ReplicaSet.
    pub updated: i32,
    /// Available pods of every ReplicaSet.
    pub available: i32,
}

/// Upstream `calculateStatus`: the Deployment's status with the counts of its ReplicaSets
/// (`rss`, `new_rs` among them) and the Available condition.
pub(super) fn calculate_status(
    d: &Deployment,
    rss: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
    now: Time,
) -> (DeploymentStatus, Counts) {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let status_of = |rs: &ReplicaSet| rs.status.clone().unwrap_or_default();
    let total = super::sum(rss.iter().map(|r| status_of(r).replicas));
    let updated = new_rs.map(|r| status_of(r).replicas).unwrap_or(0);
    let ready = super::sum(rss.iter().map(|r| status_of(r).ready_replicas.unwrap_or(0)));
    let available = super::sum(
        rss.iter()
            .map(|r| status_of(r).available_replicas.unwrap_or(0)),
    );
    let spec_total = super::sum(rss.iter().map(rs_replicas));
    let unavailable = spec_total.max(replicas).saturating_sub(available).max(0);
    let (_, max_unavailable) = fenceposts(d);
    let mut st = d.status.clone().unwrap_or_default();
    let opt = |n: i32| (n > 0).then_some(n);
    st.observed_generation = d.metadata.generation;
    st.replicas = opt(total);
    st.updated_replicas = opt(updated);
    st.ready_replicas = opt(ready);
    st.available_replicas = opt(available);
    st.unavailable_replicas = opt(unavailable);
    if available >= replicas.saturating_sub(max_unavailable) {
        put_condition(
            &mut st,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            now,
        );
    } else {
        put_condition(
            &mut st,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            now,
        );
    }
    let counts = Counts {
        total,
        updated,
        available,
    };
    (st, counts)
}
