//! RollingUpdate: the maxSurge/maxUnavailable fenceposts, how far the new ReplicaSet may
//! grow and how far the old ones may shrink (upstream `rolling.go`'s
//! `reconcileNewReplicaSet`/`reconcileOldReplicaSets`, with `ResolveFenceposts` and
//! `NewRSNewReplicas` from `util/deployment_util.go`).

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::sync::{cleanup, scale};
use super::{fresh, rs_available, rs_replicas, sum};
use crate::world::World;

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
pub(super) fn fenceposts(d: &Deployment) -> (i32, i32) {
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

/// Replicas a new ReplicaSet may have now (upstream `NewRSNewReplicas`).
pub(super) fn new_rs_replicas(d: &Deployment, all: &[ReplicaSet], new_rs_replicas: i32) -> i32 {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let (surge, _) = fenceposts(d);
    let total = sum(all.iter().map(rs_replicas));
    let max_total = replicas.saturating_add(surge);
    if total >= max_total {
        return new_rs_replicas;
    }
    let up = (max_total - total).min(replicas.saturating_sub(new_rs_replicas));
    new_rs_replicas.saturating_add(up.max(0))
}

/// Upstream `rolloutRolling`: scale the new ReplicaSet up as far as maxSurge allows; once it
/// is as large as it may be, scale old ones down (unhealthy replicas first, then healthy
/// ones while more than `replicas - maxUnavailable` stay available); clean up when no old
/// replica is left.
pub(super) fn rollout_rolling(
    world: &mut World,
    d: &Deployment,
    new_rs: &ReplicaSet,
    old: &[ReplicaSet],
) {
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
        scale(world, d, new_rs, target);
        return;
    }
    // Then scale down old ones, keeping maxUnavailable.
    let old_total = sum(old.iter().map(rs_replicas));
    if old_total == 0 {
        cleanup(world, d, old);
        return;
    }
    let (_, max_unavailable) = fenceposts(d);
    let min_available = replicas.saturating_sub(max_unavailable);
    let all_total = sum(all.iter().map(rs_replicas));
    let new_unavailable = rs_replicas(new_rs).saturating_sub(rs_available(new_rs));
    let max_scaled_down = all_total
        .saturating_sub(min_available)
        .saturating_sub(new_unavailable);
    if max_scaled_down <= 0 {
        return;
    }
    // a) unhealthy old replicas first, oldest ReplicaSets first.
    let mut cleaned = 0;
    for rs in old {
        if cleaned >= max_scaled_down {
            break;
        }
        let Some(rs) = fresh(world, rs) else {
            continue;
        };
        let (have, available) = (rs_replicas(&rs), rs_available(&rs));
        if have == 0 || have == available {
            continue;
        }
        let down = (max_scaled_down - cleaned).min(have.saturating_sub(available));
        scale(world, d, &rs, have - down);
        cleaned += down;
    }
    // b) then healthy ones, while more than minAvailable stay available.
    let all_now: Vec<ReplicaSet> = all.iter().filter_map(|r| fresh(world, r)).collect();
    let available = sum(all_now.iter().map(rs_available));
    if available <= min_available {
        return;
    }
    let total_down = available - min_available;
    let mut done = 0;
    for rs in old {
        if done >= total_down {
            break;
        }
        let Some(rs) = fresh(world, rs) else {
            continue;
        };
        let have = rs_replicas(&rs);
        if have == 0 {
            continue;
        }
        let down = have.min(total_down - done);
        scale(world, d, &rs, have - down);
        done += down;
    }
}
