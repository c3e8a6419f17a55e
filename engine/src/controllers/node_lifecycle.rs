//! Node lifecycle controller: watches each kubelet's heartbeats (`monitorNodeHealth`: a node
//! unheard for the grace period gets its kubelet's conditions `Unknown` and its pods marked
//! not ready) and keeps a node's taints in step with its conditions and
//! `spec.unschedulable`: the `NoSchedule` ones of `doNoScheduleTaintingPass`
//! (`node.kubernetes.io/memory-pressure` while `MemoryPressure` is True, …,
//! `node.kubernetes.io/unschedulable` as `kubectl cordon`/`uncordon` expect), and the
//! `NoExecute` `not-ready`/`unreachable` taint of `processTaintBaseEviction`, which the
//! taint eviction controller acts on. A taint it adds records when (`timeAdded`).

use k8s_openapi::api::core::v1::{Pod, Taint};

use super::runtime::{Controller, Queue};
use crate::api::object::{Node, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::clock::time_from_ms;
use crate::world::events::{self, EventType, Source};
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

/// The `NoExecute` taints for a node that is not ready (`NotReadyTaintTemplate`) and one the
/// controller has not heard from (`UnreachableTaintTemplate`): the taint eviction controller
/// evicts the pods that do not tolerate them.
const NOT_READY_TAINT: &str = "node.kubernetes.io/not-ready";
const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";

/// How long a node's kubelet may go unheard before its conditions become `Unknown`
/// (`--node-monitor-grace-period`, 50 s since Kubernetes 1.32), in ms.
const GRACE_MS: i64 = 50_000;
/// How often the controller looks at every node's heartbeat (`--node-monitor-period`), ms.
const MONITOR_MS: i64 = 5_000;

/// The conditions a kubelet posts, which the controller sets `Unknown` when it stops
/// (`tryUpdateNodeHealth`; `NetworkUnavailable` is the network plugin's, not the kubelet's).
const KUBELET_CONDITIONS: [&str; 4] = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

/// The `NoExecute` taint a node's `Ready` condition calls for (`processTaintBaseEviction`).
fn no_execute_for(node: &Node) -> Option<&'static str> {
    match ready_status(node)? {
        "False" => Some(NOT_READY_TAINT),
        "Unknown" => Some(UNREACHABLE_TAINT),
        _ => None,
    }
}

fn ready_status(node: &Node) -> Option<&str> {
    let conditions = node.status.as_ref()?.conditions.as_ref()?;
    let ready = conditions.iter().find(|c| c.type_ == "Ready")?;
    Some(ready.status.as_str())
}

/// A zone's health (`ComputeZoneState`), which decides whether the controller taints its
/// not-ready nodes `NoExecute` (`handleDisruption`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Zone {
    /// Some nodes ready, or at most two or under 55 % not: taints go on at the normal rate.
    Normal,
    /// More than two nodes and at least 55 % (`--unhealthy-zone-threshold`) not ready: the
    /// rate drops to `--secondary-node-eviction-rate`, zero in a cluster of 50 nodes or
    /// fewer (`--large-cluster-size-threshold`): no node is newly tainted.
    Partial,
    /// No node ready. When every zone is so, the controller suspects itself (or the network)
    /// rather than the nodes: it takes every `NoExecute` taint off and evicts nothing.
    Full,
}

/// A node's zone key (`GetZoneKey`: its region and zone labels; one zone when unlabelled).
type ZoneKey<'a> = (Option<&'a str>, Option<&'a str>);

fn zone_key(node: &Node) -> ZoneKey<'_> {
    let labels = node.metadata.labels.as_ref();
    let label = |key: &str| labels.and_then(|l| l.get(key)).map(String::as_str);
    (
        label("topology.kubernetes.io/region"),
        label("topology.kubernetes.io/zone"),
    )
}

/// Each zone's state, by zone key.
fn zones(world: &World) -> Vec<(ZoneKey<'_>, Zone)> {
    // (zone, ready nodes, not ready nodes)
    let mut counts: Vec<(ZoneKey<'_>, usize, usize)> = Vec::new();
    for node in world.api.list_as::<Node>(None) {
        let key = zone_key(node);
        let ready = ready_status(node) == Some("True");
        let at = match counts.iter().position(|(k, _, _)| *k == key) {
            Some(i) => i,
            None => {
                counts.push((key, 0, 0));
                counts.len() - 1
            }
        };
        if ready {
            counts[at].1 += 1;
        } else {
            counts[at].2 += 1;
        }
    }
    counts
        .into_iter()
        .map(|(key, ready, not_ready)| {
            let state = if ready == 0 && not_ready > 0 {
                Zone::Full
            } else if not_ready > 2 && not_ready * 100 >= (ready + not_ready) * 55 {
                Zone::Partial
            } else {
                Zone::Normal
            };
            (key, state)
        })
        .collect()
}

/// Whether `t` is one of the controller's `NoExecute` taints.
fn evicting(t: &Taint) -> bool {
    t.effect == "NoExecute" && (t.key == NOT_READY_TAINT || t.key == UNREACHABLE_TAINT)
}

/// The `NoExecute` taint `node` should carry, its zones' health considered: none while every
/// zone is fully disrupted; in a partly disrupted zone, a node not tainted yet stays so (a
/// tainted one has its taint swapped as its `Ready` condition changes).
fn no_execute_taint(world: &World, node: &Node) -> Option<&'static str> {
    let wanted = no_execute_for(node);
    let tainted = node
        .spec
        .iter()
        .flat_map(|s| s.taints.iter().flatten())
        .any(evicting);
    if wanted.is_none() && !tainted {
        return None;
    }
    let zones = zones(world);
    if zones.iter().all(|(_, z)| *z == Zone::Full) {
        return None;
    }
    let key = zone_key(node);
    let partial = zones.iter().any(|(k, z)| *k == key && *z == Zone::Partial);
    if partial && !tainted {
        return None;
    }
    wanted
}

/// The controller. What it remembers: how many kubelet starts and stops it has seen (it
/// looks at the nodes whose heartbeats changed), and whether a node changed this pass.
#[derive(Clone, Debug, Default)]
pub struct NodeLifecycle {
    heartbeats_seen: u64,
    nodes_changed: bool,
}

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
            self.nodes_changed = true;
            if event.kind != WatchEventType::Deleted {
                queue.add(node_key(event.object.name()));
            }
        }
    }

    /// The nodes whose kubelet stopped or started since the last pass: their health is due
    /// for a look (the controller polls every node every 5 s; this is when a poll can find
    /// something new).
    fn after_events(&mut self, world: &World, queue: &mut Queue) {
        let changes = world.heartbeats.changes();
        if changes != self.heartbeats_seen {
            self.heartbeats_seen = changes;
            for node in world.heartbeats.nodes() {
                queue.add(node_key(node));
            }
        }
        // One node's readiness can change every zone's state, and with it whether the
        // other not-ready nodes are tainted: while any node is not ready, a change to one
        // has every node looked at.
        if std::mem::take(&mut self.nodes_changed) {
            let all: Vec<&Node> = world.api.list_as::<Node>(None).collect();
            if all.iter().any(|n| ready_status(n) != Some("True")) {
                for n in all {
                    queue.add(node_key(n.metadata.name.as_deref().unwrap_or_default()));
                }
            }
        }
    }

    /// Marks a node whose kubelet went quiet `Unknown` once its grace period is over; then
    /// adds the taints the node lacks and removes those it no longer should carry.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        if world.heartbeats.is_down(&key.name) {
            monitor_health(world, key, queue);
        }
        let Some(node) = world.api.get_as::<Node>("", &key.name) else {
            return;
        };
        let mut node = node.clone();
        let wanted = wanted(&node);
        let no_execute = no_execute_taint(world, &node);
        let now = world.clock.now_time();
        let spec = node.spec.get_or_insert_with(Default::default);
        let taints = spec.taints.get_or_insert_with(Vec::new);
        let before = taints.len();
        taints.retain(|t| {
            let ours = managed(t) && !wanted.contains(&t.key.as_str());
            let stale = evicting(t) && Some(t.key.as_str()) != no_execute;
            !ours && !stale
        });
        let mut changed = taints.len() != before;
        let adds = wanted
            .into_iter()
            .map(|k| (k, "NoSchedule"))
            .chain(no_execute.map(|k| (k, "NoExecute")));
        for (key, effect) in adds {
            if !taints.iter().any(|t| t.key == key && t.effect == effect) {
                taints.push(Taint {
                    key: key.into(),
                    effect: effect.into(),
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

fn node_key(name: &str) -> ObjectKey {
    ObjectKey {
        kind: "Node",
        namespace: String::new(),
        name: name.to_string(),
    }
}

/// `monitorNodeHealth` for a node whose kubelet is stopped: the controller saw its last
/// Lease renewal at the first poll after it; at the first poll more than the grace period
/// later, the kubelet's conditions become `Unknown` (keeping their last heartbeat), with a
/// `NodeNotReady` event, and every pod on the node is marked not ready
/// (`MarkPodsNotReady`). Before then, it looks again at that poll.
fn monitor_health(world: &mut World, key: &ObjectKey, queue: &mut Queue) {
    let Some(node) = world.api.get_as::<Node>("", &key.name) else {
        return;
    };
    if ready_status(node) == Some("Unknown") {
        return;
    }
    let created = crate::world::heartbeats::created_ms(node);
    let now = world.clock.now_ms();
    let renewed = world.heartbeats.last_renew(&key.name, created, now);
    let probed = renewed + (MONITOR_MS - renewed.rem_euclid(MONITOR_MS)) % MONITOR_MS;
    let due = probed + GRACE_MS + MONITOR_MS;
    if now < due {
        queue.requeue_at(world, due, key.clone());
        return;
    }
    let heartbeat = time_from_ms(world.heartbeats.last_status_post(node, now));
    let mut node = node.clone();
    let at = world.clock.now_time();
    let conditions = node
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    for c in conditions
        .iter_mut()
        .filter(|c| KUBELET_CONDITIONS.contains(&c.type_.as_str()))
    {
        if c.status != "Unknown" {
            c.status = "Unknown".into();
            c.reason = Some("NodeStatusUnknown".into());
            c.message = Some("Kubelet stopped posting node status.".into());
            c.last_heartbeat_time = Some(heartbeat.clone());
            c.last_transition_time = Some(at.clone());
        }
    }
    let Ok(stored) = world.api.update_status(Object::Node(Box::new(node))) else {
        return;
    };
    let stored = stored.clone();
    let source = Source {
        component: "node-controller",
        host: None,
    };
    let message = format!("Node {} status is now: NodeNotReady", key.name);
    events::record(
        world,
        &stored,
        EventType::Normal,
        "NodeNotReady",
        &message,
        source.clone(),
    );
    mark_pods_not_ready(world, &key.name, &source);
}

/// `MarkPodsNotReady`: each pod on `node` whose `Ready` condition is not false gets it false
/// (the rest of the condition kept), then a `NodeNotReady` warning.
fn mark_pods_not_ready(world: &mut World, node: &str, source: &Source<'_>) {
    let pods: Vec<Pod> = world.api.pods_on(node).cloned().collect();
    let at = world.clock.now_time();
    for mut pod in pods {
        let conditions = pod
            .status
            .iter_mut()
            .flat_map(|s| s.conditions.iter_mut().flatten());
        let Some(ready) = conditions.into_iter().find(|c| c.type_ == "Ready") else {
            continue;
        };
        if ready.status == "False" {
            continue;
        }
        ready.status = "False".into();
        ready.last_transition_time = Some(at.clone());
        pod.spec = None;
        let Ok(stored) = world.api.update_status(Object::Pod(Box::new(pod))) else {
            continue;
        };
        let stored = stored.clone();
        events::record(
            world,
            &stored,
            EventType::Warning,
            "NodeNotReady",
            "Node is not ready",
            source.clone(),
        );
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
    fn ready(bench: &Bench, name: &str) -> String {
        let Some(node) = bench.world.api.get_as::<Node>("", name) else {
            panic!("no node {name}");
        };
        ready_status(node).unwrap_or_default().to_string()
    }

    #[test]
    fn a_silent_kubelet_is_unknown_after_the_grace_period_then_tainted() {
        let mut bench = Bench::new(Box::<NodeLifecycle>::default());
        bench.add_nodes(&ClusterProfile::multi_node());
        bench.pass();
        let start = bench.world.clock.now_ms();
        // Stopped 3 s after a renewal: the controller saw that renewal at its poll, and
        // looks again at the first poll more than 50 s after it.
        bench.world.clock.set(start + 13_000);
        bench.world.heartbeats.stop("node1", start + 13_000);
        bench.pass();
        assert_eq!(bench.next_wake(), Some(start + 65_000));
        assert_eq!(ready(&bench, "node1"), "True");
        assert_eq!(bench.wake(), Some(start + 65_000));
        assert_eq!(ready(&bench, "node1"), "Unknown");
        bench.pass();
        assert_eq!(
            taints(&bench, "node1"),
            vec![
                "node.kubernetes.io/unreachable:NoSchedule",
                "node.kubernetes.io/unreachable:NoExecute"
            ]
        );
        assert_eq!(ready(&bench, "node2"), "True");
        // The kubelet posts Ready again: the taints go.
        let Some(mut node) = bench.world.api.get_as::<Node>("", "node1").cloned() else {
            panic!()
        };
        for c in node
            .status
            .iter_mut()
            .flat_map(|s| s.conditions.iter_mut().flatten())
        {
            if c.type_ == "Ready" {
                c.status = "True".into();
            }
        }
        bench.world.heartbeats.start("node1", start + 70_000, None);
        bench
            .world
            .api
            .update_status(Object::Node(Box::new(node)))
            .unwrap();
        bench.pass();
        assert!(taints(&bench, "node1").is_empty());
    }

    #[test]
    fn a_kubelet_back_within_the_grace_period_changes_nothing() {
        let mut bench = Bench::new(Box::<NodeLifecycle>::default());
        bench.add_nodes(&ClusterProfile::multi_node());
        bench.pass();
        let start = bench.world.clock.now_ms();
        bench.world.heartbeats.stop("node1", start);
        bench.pass();
        bench.world.clock.set(start + 30_000);
        bench.world.heartbeats.start("node1", start + 30_000, None);
        bench.pass();
        assert_eq!(bench.wake(), Some(start + 55_000));
        assert_eq!(ready(&bench, "node1"), "True");
        assert!(taints(&bench, "node1").is_empty());
    }
    fn no_execute(bench: &Bench, name: &str) -> bool {
        taints(bench, name)
            .iter()
            .any(|t| t.ends_with(":NoExecute"))
    }

    #[test]
    fn disrupted_zones_stop_the_tainting() {
        let mut bench = Bench::new(Box::<NodeLifecycle>::default());
        bench.add_nodes(&ClusterProfile::multi_node());
        bench.pass();
        let start = bench.world.clock.now_ms();
        let mut at = start;
        let mut stop = |bench: &mut Bench, node: &str| {
            bench.world.heartbeats.stop(node, at);
            bench.pass();
            while bench.wake().is_some() {}
            // The cluster runs passes while they write (a bench runs one per call).
            bench.pass();
            bench.pass();
            at = bench.world.clock.now_ms();
        };
        // One, then two nodes down of four: each is tainted.
        stop(&mut bench, "node1");
        stop(&mut bench, "node2");
        assert!(no_execute(&bench, "node1") && no_execute(&bench, "node2"));
        // Three of four (over 55 %): a partial disruption; the third is not tainted.
        stop(&mut bench, "node3");
        assert_eq!(ready(&bench, "node3"), "Unknown");
        assert!(!no_execute(&bench, "node3"));
        assert!(no_execute(&bench, "node1"));
        // Every node down: the controller takes every NoExecute taint off.
        stop(&mut bench, "control-plane");
        for n in ["control-plane", "node1", "node2", "node3"] {
            assert_eq!(ready(&bench, n), "Unknown");
            assert!(!no_execute(&bench, n), "{n}: {:?}", taints(&bench, n));
            assert!(taints(&bench, n)
                .contains(&"node.kubernetes.io/unreachable:NoSchedule".to_string()));
        }
    }
}
