//! Node lifecycle controller (the part learners see): keeps the
//! `node.kubernetes.io/unschedulable:NoSchedule` taint in step with `spec.unschedulable`,
//! as `kubectl cordon`/`uncordon` expect.

use k8s_openapi::api::core::v1::Taint;

use super::runtime::{Controller, Queue};
use crate::api::object::{Node, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::world::World;

/// The taint key the controller manages for cordoned nodes.
pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// The controller (it remembers nothing between passes: a node's own object says it all).
#[derive(Clone, Debug, Default)]
pub struct NodeLifecycle;

impl Controller for NodeLifecycle {
    fn name(&self) -> &'static str {
        "nodelifecycle"
    }

    /// A node's taints can only disagree with its spec after a write to that node.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if let Object::Node(_) = &event.object {
            if event.kind != WatchEventType::Deleted {
                queue.add(ObjectKey {
                    kind: "Node",
                    namespace: String::new(),
                    name: event.object.name().to_string(),
                });
            }
        }
    }

    /// Adds or removes the unschedulable taint if the node's taints disagree with its spec.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(node) = world.api.get_as::<Node>("", &key.name) else {
            return;
        };
        let mut node = node.clone();
        let spec = node.spec.get_or_insert_with(Default::default);
        let wanted = spec.unschedulable.unwrap_or(false);
        let taints = spec.taints.get_or_insert_with(Vec::new);
        let has = taints.iter().any(|t| t.key == UNSCHEDULABLE_TAINT);
        if wanted == has {
            return;
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
        let _ = world.api.update(Object::Node(Box::new(node)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterProfile;
    use crate::controllers::testing::Bench;

    fn set_unschedulable(bench: &mut Bench, name: &str, on: bool) {
        let Some(Object::Node(mut node)) = bench.world.api.get("Node", "", name).cloned() else {
            panic!("no node {name}");
        };
        node.spec.get_or_insert_with(Default::default).unschedulable = on.then_some(true);
        bench.world.api.update(Object::Node(node)).unwrap();
    }

    fn taints(bench: &Bench, name: &str) -> Vec<String> {
        let Some(node) = bench.world.api.get_as::<Node>("", name) else {
            panic!("no node {name}");
        };
        node.spec
            .iter()
            .flat_map(|s| s.taints.iter().flatten())
            .map(|t| format!("{}:{}", t.key, t.effect))
            .collect()
    }

    #[test]
    fn cordon_and_uncordon_move_the_unschedulable_taint() {
        let mut bench = Bench::new(Box::<NodeLifecycle>::default());
        bench.add_nodes(&ClusterProfile::multi_node());
        bench.pass();
        assert!(taints(&bench, "node1").is_empty());
        set_unschedulable(&mut bench, "node1", true);
        bench.pass();
        assert_eq!(
            taints(&bench, "node1"),
            vec!["node.kubernetes.io/unschedulable:NoSchedule"]
        );
        // The control plane keeps its own taint next to the new one.
        set_unschedulable(&mut bench, "control-plane", true);
        bench.pass();
        assert_eq!(
            taints(&bench, "control-plane"),
            vec![
                "node-role.kubernetes.io/control-plane:NoSchedule",
                "node.kubernetes.io/unschedulable:NoSchedule"
            ]
        );
        set_unschedulable(&mut bench, "node1", false);
        bench.pass();
        assert!(taints(&bench, "node1").is_empty());
        let Some(node) = bench.world.api.get_as::<Node>("", "node1") else {
            panic!()
        };
        assert_eq!(node.spec.as_ref().and_then(|s| s.taints.clone()), None);
    }
}
