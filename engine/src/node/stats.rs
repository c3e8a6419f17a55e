//! The kubelet's Summary API (`/stats/summary`, what metrics-server scrapes): each node's
//! and each running container's cumulative CPU time and current working set, as the
//! kernel's accounting has them at a simulated instant. Readers take two summaries and
//! divide the CPU time between them by the time between them, as metrics-server does.
//!
//! The node's own use (kubelet, containerd, the OS: cgroups outside `kubepods`) is a constant
//! by role on top of its pods', so `kubectl top node` reads like a fresh kubeadm VM's.
//!
//! CONTRACT (issue 17): `summary` is what metrics-server's controller and the board call.

use k8s_openapi::api::core::v1::Pod;

use crate::api::object::Node;
use crate::cgroups::GroupKey;

use crate::world::World;

/// One container's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerStats {
    /// The container's name.
    pub name: String,
    /// When the container started (epoch ms).
    pub start_ms: i64,
    /// CPU time used since it started, in core-nanoseconds (`usageCoreNanoSeconds`).
    pub cpu_usage_core_ns: u64,
    /// Its working set now, in bytes (`workingSetBytes`).
    pub memory_working_set_bytes: u64,
    /// Requests its server answered since it started (Kubeplay's own counter, not part of
    /// upstream's Summary: the board's and the chart's load).
    pub requests_served: u64,
}

/// One pod's containers (running ones only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodStats {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The pod's uid.
    pub uid: String,
    /// Its running containers, in the pod's order.
    pub containers: Vec<ContainerStats>,
}

/// A node's counters and its pods'.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeStats {
    /// The node's name.
    pub node: String,
    /// CPU time the whole node used since boot, in core-nanoseconds (pods, system daemons
    /// and the OS).
    pub cpu_usage_core_ns: u64,
    /// The node's working set now, in bytes.
    pub memory_working_set_bytes: u64,
    /// Its pods with running containers, in (namespace, name) order.
    pub pods: Vec<PodStats>,
}

/// What a node uses besides its pods: (millicores, bytes) for a control-plane node and for
/// a worker.
const CONTROL_PLANE_OWN: (u64, u64) = (92, 905 << 20);
const WORKER_OWN: (u64, u64) = (31, 596 << 20);

/// What `n` uses besides its pods, by its role: (millicores, bytes).
fn own_use(n: &Node) -> (u64, u64) {
    let control_plane = n
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"));
    if control_plane {
        CONTROL_PLANE_OWN
    } else {
        WORKER_OWN
    }
}

/// `node`'s working set now, in bytes: its own use plus every container group on it
/// (running for the API or not yet seen to have stopped); `None` if there is no such node.
pub fn node_working_set(world: &World, node: &str) -> Option<u64> {
    let n = world.api.get_as::<Node>("", node)?;
    Some(working_set(n, &world.cgroups))
}

/// Node `n`'s working set now, in bytes, as [`node_working_set`].
pub fn working_set(n: &Node, cgroups: &crate::cgroups::Cgroups) -> u64 {
    let name = n.metadata.name.as_deref().unwrap_or_default();
    own_use(n).1.saturating_add(cgroups.node_memory_bytes(name))
}

/// The Summary API of `node`'s kubelet at `now_ms`.
pub fn summary(world: &World, node: &str, now_ms: i64) -> NodeStats {
    let mut stats = NodeStats {
        node: node.to_string(),
        ..NodeStats::default()
    };
    let Some(n) = world.api.get_as::<Node>("", node) else {
        return stats;
    };
    let (own_milli, _) = own_use(n);
    let boot_ms = n
        .metadata
        .creation_timestamp
        .as_ref()
        .map_or(now_ms, |t| t.0.as_millisecond());
    let up_ms = now_ms.saturating_sub(boot_ms).max(0) as u64;
    stats.cpu_usage_core_ns = own_milli
        .saturating_mul(up_ms)
        .saturating_mul(1_000)
        .saturating_add(world.cgroups.retired_core_ns(node));
    stats.memory_working_set_bytes = node_working_set(world, node).unwrap_or_default();
    for pod in world.api.list_as::<Pod>(None) {
        if pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(node) {
            continue;
        }
        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
        // Every group of the pod counts for the node's CPU, running for the API or not yet
        // seen to have stopped.
        for (_, g) in world.cgroups.of_pod(uid) {
            stats.cpu_usage_core_ns = stats
                .cpu_usage_core_ns
                .saturating_add(g.cpu_usage_core_ns(now_ms));
        }
        let running = pod
            .status
            .iter()
            .flat_map(|s| s.container_statuses.iter().flatten())
            .filter(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()));
        let containers: Vec<ContainerStats> = running
            .filter_map(|c| {
                let g = world.cgroups.get(&GroupKey::new(uid, &c.name))?;
                (g.start_ms <= now_ms).then(|| ContainerStats {
                    name: c.name.clone(),
                    start_ms: g.start_ms,
                    cpu_usage_core_ns: g.cpu_usage_core_ns(now_ms),
                    memory_working_set_bytes: g.memory_bytes(),
                    requests_served: g.requests(),
                })
            })
            .collect();
        if containers.is_empty() {
            continue;
        }
        stats.pods.push(PodStats {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: uid.to_string(),
            containers,
        });
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::object::Object;
    use serde_json::json;

    fn restore(w: &mut World, kind: &str, v: serde_json::Value) -> Object {
        let obj = Object::decode_strict(kind, &v).unwrap().unwrap();
        let at = crate::clock::time_from_ms(0);
        w.api
            .restore(obj, at, &mut crate::rng::Rng::new(0))
            .unwrap()
            .clone()
    }

    /// A busy loop limited to 200m: the CFS quota holds it there, and the node adds its own.
    #[test]
    fn a_busy_loop_is_throttled_at_its_limit() {
        let mut w = World::new(0, 1);
        restore(&mut w, "Node", json!({"metadata": {"name": "node1"}}));
        let Object::Pod(pod) = restore(
            &mut w,
            "Pod",
            json!({
                "metadata": {"name": "spin", "namespace": "default"},
                "spec": {"nodeName": "node1", "containers": [{
                    "name": "spin", "image": "busybox",
                    "command": ["sh", "-c", "while true; do :; done"],
                    "resources": {"limits": {"cpu": "200m"}}
                }]},
                "status": {"containerStatuses": [{
                    "name": "spin", "image": "busybox", "imageID": "", "ready": true,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": "1970-01-01T00:00:00Z"}}
                }]}
            }),
        ) else {
            panic!("a pod");
        };
        let spec = pod.spec.as_ref().unwrap().containers[0].clone();
        let run = crate::node::process::Container::for_test("spin", "busybox");
        let mut proc = run;
        proc.argv = spec.command.clone().unwrap();
        let busy = proc.run_until(400 * 86_400_000).busy;
        assert_eq!(busy.map(|b| (b.at, b.cpu_milli)), Some((0, 1_000)));
        crate::node::usage::start(&mut w, &pod, &spec, 0, busy);
        let a = summary(&w, "node1", 60_000);
        let b = summary(&w, "node1", 120_000);
        let c = &b.pods[0].containers[0];
        let rate = |x: u64, y: u64| (y - x) / 60_000 / 1_000;
        // millicores over the minute between the two scrapes.
        assert_eq!(
            rate(
                a.pods[0].containers[0].cpu_usage_core_ns,
                c.cpu_usage_core_ns
            ),
            200
        );
        assert_eq!(
            rate(a.cpu_usage_core_ns, b.cpu_usage_core_ns),
            200 + WORKER_OWN.0
        );
        assert!(w
            .cgroups
            .get(&GroupKey::new(&b.pods[0].uid, "spin"))
            .unwrap()
            .throttled());
        assert_eq!(
            b.memory_working_set_bytes,
            WORKER_OWN.1 + crate::node::images::idle_use("busybox").1
        );
        // Stopped, its time stays in the node's counter.
        crate::node::usage::stop(&mut w, &pod, "spin", 120_000);
        let d = summary(&w, "node1", 120_000);
        assert!(d.pods.is_empty());
        assert_eq!(d.cpu_usage_core_ns, b.cpu_usage_core_ns);
    }
}
