//! The Progressing condition and the progress deadline (upstream `progress.go`), and the
//! conditions' bookkeeping (`SetDeploymentCondition` of `util/deployment_util.go`).

use crate::sort::SliceSort;
use k8s_openapi::api::apps::v1::{DeploymentCondition, DeploymentStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::sync::{calculate_status, Counts};
use super::{owned_replica_sets, without_hash};
use crate::api::object::Object;
use crate::clock::ms_from_time;
use crate::controllers::runtime::Queue;
use crate::world::World;

/// Sets a condition on the stored Deployment `ns/name`, writing its status if it changed.
#[allow(clippy::too_many_arguments)]
pub(super) fn set_condition(
    world: &mut World,
    ns: &str,
    name: &str,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
) {
    let Some(Object::Deployment(mut d)) = world.api.get("Deployment", ns, name).cloned() else {
        return;
    };
    let now = world.clock.now_time();
    let st = d.status.get_or_insert_with(DeploymentStatus::default);
    if put_condition(st, kind, status, reason, message, now) {
        let _ = world.api.update_status(Object::Deployment(d));
    }
}

/// Sets a condition; a change of status moves lastTransitionTime, any change lastUpdateTime.
/// Returns whether anything changed.
pub(super) fn put_condition(
    st: &mut DeploymentStatus,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: Time,
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
            conditions.stable_sort_by_key(|c| c.type_ != "Available");
            true
        }
    }
}

/// Upstream `syncRolloutStatus`: the status [`calculate_status`] counts, then the
/// Progressing condition — paused, complete (`NewReplicaSetAvailable`), progressing
/// (`ReplicaSetUpdated`, with a requeue at the progress deadline), or, once the deadline
/// passed without progress, `ProgressDeadlineExceeded` — written if anything changed.
pub(super) fn sync_rollout_status(world: &mut World, ns: &str, name: &str, queue: &mut Queue) {
    let Some(Object::Deployment(mut d)) = world.api.get("Deployment", ns, name).cloned() else {
        return;
    };
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let spec = d.spec.clone().unwrap_or_default();
    let template = without_hash(&spec.template);
    let rss = owned_replica_sets(world, ns, &uid);
    let new_rs = rss.iter().find(|rs| {
        rs.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .is_some_and(|t| without_hash(t) == template)
    });
    let replicas = spec.replicas.unwrap_or(1);
    let now = world.clock.now_time();
    let now_ms = world.clock.now_ms();
    let before = d.status.clone();
    let (mut st, counts) = calculate_status(&d, &rss, new_rs, now.clone());
    let Counts {
        total,
        updated,
        available,
    } = counts;
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
                &mut st,
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused",
                now.clone(),
            );
        } else if complete {
            put_condition(
                &mut st,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                &format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
                now.clone(),
            );
        } else if !timed_out {
            let progressed = before.as_ref() != Some(&st)
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
                    &mut st,
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    &format!("ReplicaSet \"{rs_name}\" is progressing."),
                    now.clone(),
                );
                let due = now_ms + i64::from(deadline) * 1000;
                queue.requeue_at(world, due, super::deployment_key(ns, name));
            } else if now_ms >= last + i64::from(deadline) * 1000 {
                put_condition(
                    &mut st,
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    &format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                    now.clone(),
                );
            }
        }
    }
    d.status = Some(st);
    if before.as_ref() != d.status.as_ref() {
        let _ = world.api.update_status(Object::Deployment(d));
    }
}
