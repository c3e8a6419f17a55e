//! Node lifecycle controller (the part learners see): keeps the
//! `node.kubernetes.io/unschedulable:NoSchedule` taint in step with `spec.unschedulable`,
//! as `kubectl cordon`/`uncordon` expect.

use k8s_openapi::api::core::v1::Taint;

use crate::api::object::Object;
use crate::cluster::Cluster;

/// The taint key the controller manages for cordoned nodes.
pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// Adds or removes the unschedulable taint on every node whose taints disagree with its spec.
pub fn reconcile(cluster: &mut Cluster) {
    let changed: Vec<Object> = cluster
        .world
        .api
        .list("Node", None)
        .filter_map(|o| match o {
            Object::Node(n) => Some(n.as_ref().clone()),
            _ => None,
        })
        .filter_map(|mut node| {
            let spec = node.spec.get_or_insert_with(Default::default);
            let wanted = spec.unschedulable.unwrap_or(false);
            let taints = spec.taints.get_or_insert_with(Vec::new);
            let has = taints.iter().any(|t| t.key == UNSCHEDULABLE_TAINT);
            if wanted == has {
                return None;
            }
            if wanted {
                taints.push(Taint {
                    key: UNSCHEDULABLE_TAINT.into(),
                    effect: "NoSchedule".into(),
                    ..Default::default()
                });
            } else {
                taints.retain(|t| t.key != UNSCHEDULABLE_TAINT);
            }
            if taints.is_empty() {
                spec.taints = None;
            }
            Some(Object::Node(Box::new(node)))
        })
        .collect();
    for node in changed {
        let _ = cluster.world.api.update(node);
    }
}
