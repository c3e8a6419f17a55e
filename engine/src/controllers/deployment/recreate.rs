//! Recreate: every old ReplicaSet is scaled to 0 and its pods are gone before the new one
//! is scaled up (upstream `recreate.go`).

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::rs_replicas;
use super::sync::{cleanup, scale};
use crate::api::pod::controller_of;
use crate::world::World;

/// Upstream `rolloutRecreate`.
pub(super) fn rollout_recreate(
    world: &mut World,
    d: &Deployment,
    new_rs: &ReplicaSet,
    old: &[ReplicaSet],
) {
    let mut scaled = false;
    for rs in old {
        if rs_replicas(rs) > 0 {
            scale(world, d, rs, 0);
            scaled = true;
        }
    }
    if scaled {
        return;
    }
    // Wait until no old pod is left running.
    let old_uids: BTreeSet<String> = old.iter().filter_map(|r| r.metadata.uid.clone()).collect();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let old_pods = world
        .api
        .list("Pod", Some(&ns))
        .any(|p| controller_of(p.metadata()).is_some_and(|r| old_uids.contains(&r.uid)));
    if old_pods {
        return;
    }
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    if rs_replicas(new_rs) != replicas {
        scale(world, d, new_rs, replicas);
        return;
    }
    cleanup(world, d, old);
}
