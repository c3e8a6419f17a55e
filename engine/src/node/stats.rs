//! The kubelet's Summary API (`/stats/summary`, what metrics-server scrapes): each node's
//! and each running container's cumulative CPU time and current working set, as the
//! kernel's accounting has them at a simulated instant. Readers take two summaries and
//! divide the CPU time between them by the time between them, as metrics-server does.
//!
//! CONTRACT (issue 17): `summary` is what metrics-server's controller and the board call.
//! Its body is a placeholder until the usage model (cgroups) lands.

use k8s_openapi::api::core::v1::Pod;

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

/// The Summary API of `node`'s kubelet at `now_ms`.
pub fn summary(world: &World, node: &str, now_ms: i64) -> NodeStats {
    let mut stats = NodeStats {
        node: node.to_string(),
        ..NodeStats::default()
    };
    for pod in world.api.list_as::<Pod>(None) {
        if pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(node) {
            continue;
        }
        let statuses = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or_default();
        let containers: Vec<ContainerStats> = statuses
            .iter()
            .filter_map(|c| {
                let started = c.state.as_ref()?.running.as_ref()?.started_at.as_ref()?;
                let start_ms = started.0.as_millisecond();
                let up_ns = (now_ms - start_ms).max(0) as u64 * 1_000_000;
                Some(ContainerStats {
                    name: c.name.clone(),
                    start_ms,
                    // Placeholder: 1m of CPU and 4 MiB while idle.
                    cpu_usage_core_ns: up_ns / 1_000,
                    memory_working_set_bytes: 4 << 20,
                    requests_served: 0,
                })
            })
            .collect();
        if containers.is_empty() {
            continue;
        }
        for c in &containers {
            stats.cpu_usage_core_ns += c.cpu_usage_core_ns;
            stats.memory_working_set_bytes += c.memory_working_set_bytes;
        }
        stats.pods.push(PodStats {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            containers,
        });
    }
    stats
}
