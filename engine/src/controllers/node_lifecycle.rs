//! Node lifecycle controller (the part learners see): keeps a node's `NoSchedule` taints in
//! step with its conditions and `spec.unschedulable` (upstream's `doNoScheduleTaintingPass`):
//! `node.kubernetes.io/memory-pressure` while `MemoryPressure` is True, and so on, and
//! `node.kubernetes.io/unschedulable` as `kubectl cordon`/`uncordon` expect. A taint it adds
//! records when (`timeAdded`).

use k8s_openapi::api::core::v1::Taint;

use super::runtime::{Controller, Queue};
use crate::api::object::{Node, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::world::World;

/// The taint key the controller manages for cordoned nodes.
pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// The `NoSchedule` taint each (condition, status) means (`nodeConditionToTaintKeyStatusMap`).
const CONDITION_TAINTS: [(&str, &str, &str); 6] = [
    ("Ready", "False", "node.kubernetes.io/not-ready"),
    ("Ready", "Unknown", "node.kubernetes.io/unreachable"),
    (
        "MemoryPressure",
        "True",
        "node.kubernetes.io/memory-pressure",
    ),
    ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
    (
        "NetworkUnavailable",
        "True",
        "node.kubernetes.io/network-unavailable",
    ),
    ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
];

/// Whether the controller owns `taint` (one of its `NoSchedule` taints).
fn managed(taint: &Taint) -> bool {
    taint.effect == "NoSchedule"
        && (taint.key == UNSCHEDULABLE_TAINT
            || CONDITION_TAINTS.iter().any(|(_, _, key)| *key == taint.key))
}

/// The keys of the `NoSchedule` taints `node` should carry, in upstream's order.
fn wanted(node: &Node) -> Vec<&'static str> {
    let conditions = node
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten());
    let mut keys: Vec<&'static str> = conditions
        .flat_map(|c| {
            CONDITION_TAINTS
                .iter()
                .filter(move |(t, status, _)| *t == c.type_ && *status == c.status)
                .map(|(_, _, key)| *key)
        })
        .collect();
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        keys.push(UNSCHEDULABLE_TAINT);
    }
    keys
}

/// The controller (it remembers nothing between passes: a node's own object says it all).
#[derive(Clone, Debug, Default)]
pub struct NodeLifecycle;

impl Controller for NodeLifecycle {
    fn name(&self) -> &'static str {
        "nodelifecycle"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Node(_))
    }

    /// A node's taints can only disagree with its conditions or spec after a write to it.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if let Object::Node(_) = &*event.object {
            if event.kind != WatchEventType::Deleted {
                queue.add(ObjectKey {
                    kind: "Node",
                    namespace: String::new(),
                    name: event.object.name().to_string(),
                });
            }
        }
    }

    /// Adds the taints the node lacks and removes those it no longer should carry.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(node) = world.api.get_as::<Node>("", &key.name) else {
            return;
        };
        let mut node = node.clone();
        let wanted = wanted(&node);
        let now = world.clock.now_time();
        let spec = node.spec.get_or_insert_with(Default::default);
        let taints = spec.taints.get_or_insert_with(Vec::new);
        let before = taints.len();
        taints.retain(|t| !managed(t) || wanted.contains(&t.key.as_str()));
        let mut changed = taints.len() != before;
        for key in wanted {
            if !taints
                .iter()
                .any(|t| t.key == key && t.effect == "NoSchedule")
            {
                taints.push(Taint {
                    key: key.into(),
                    effect: "NoSchedule".into(),
                    time_added: Some(now.clone()),
                    ..Default::default()
                });
                changed = true;
            }
        }
        if !changed {
            return;
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
