//! Node boxes of the board: role, readiness, cordon, and requests against allocatable.

use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::controllers::scheduler::allocatable;
use crate::printers::columns::{node_ready, node_roles};

/// One node as the board draws it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NodeView {
    /// `node1`.
    pub name: String,
    /// ROLES as `kubectl get nodes` prints it (`control-plane`, `<none>`).
    pub roles: String,
    /// `Ready`, `NotReady` or `Unknown`.
    pub status: String,
    /// Cordoned (`spec.unschedulable`, shown by kubectl as `SchedulingDisabled`).
    pub unschedulable: bool,
    /// CPU requested by the node's non-terminated pods, in millicores.
    pub cpu_requested_milli: i64,
    /// Allocatable CPU, in millicores.
    pub cpu_allocatable_milli: i64,
    /// Memory requested by the node's non-terminated pods, in bytes.
    pub memory_requested_bytes: i64,
    /// Allocatable memory, in bytes.
    pub memory_allocatable_bytes: i64,
    /// CPU the node uses, in millicores, once metrics-server publishes it (`kubectl top node`).
    #[serde(default)]
    pub cpu_usage_milli: Option<i64>,
    /// Memory the node uses (its working set), in bytes, once published.
    #[serde(default)]
    pub memory_usage_bytes: Option<i64>,
}

impl NodeView {
    /// Whether the node's Ready condition is True.
    pub fn is_ready(&self) -> bool {
        self.status == "Ready"
    }
}

/// All nodes, with what their pods request (as `describe node`'s Allocated resources).
pub(super) fn read(cluster: &Cluster) -> Vec<NodeView> {
    let mut views: Vec<NodeView> = cluster
        .world
        .api
        .list("Node", None)
        .filter_map(|o| match o {
            Object::Node(n) => Some(NodeView {
                name: o.name().to_string(),
                roles: node_roles(n),
                status: node_ready(n).to_string(),
                unschedulable: n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true),
                cpu_allocatable_milli: (allocatable(n, "cpu") * 1000.0).round() as i64,
                memory_allocatable_bytes: allocatable(n, "memory").round() as i64,
                ..Default::default()
            }),
            _ => None,
        })
        .collect();
    if let Ok(metrics) = cluster.world.api.metrics() {
        for v in &mut views {
            if let Some(m) = metrics.nodes.get(&v.name) {
                v.cpu_usage_milli = Some(super::usage::milli(m.cpu_nanocores));
                v.memory_usage_bytes = Some(super::usage::bytes(m.memory_bytes));
            }
        }
    }
    for o in cluster.world.api.list("Pod", None) {
        let Object::Pod(p) = o else { continue };
        let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
            continue;
        };
        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            continue;
        }
        if let Some(v) = views.iter_mut().find(|v| v.name == node) {
            let (cpu, mem) = crate::controllers::scheduler::pod_requests(p);
            v.cpu_requested_milli += (cpu * 1000.0).round() as i64;
            v.memory_requested_bytes += mem.round() as i64;
        }
    }
    views
}

#[cfg(test)]
mod tests {
    use crate::Cluster;

    #[test]
    fn nodes_carry_roles_readiness_and_requests() {
        let mut c = Cluster::new();
        let nodes = c.snapshot().nodes;
        let names: Vec<_> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["control-plane", "node1", "node2", "node3"]);
        assert_eq!(nodes[0].roles, "control-plane");
        assert_eq!(nodes[1].roles, "<none>");
        assert!(nodes.iter().all(|n| n.is_ready() && !n.unschedulable));
        // The control plane's static pods request CPU; workers start nearly empty.
        assert!(nodes[0].cpu_requested_milli > 0);
        assert!(nodes.iter().all(|n| n.cpu_allocatable_milli > 0));
        assert!(nodes.iter().all(|n| n.memory_allocatable_bytes > 0));

        c.run("kubectl cordon node2");
        let before = c.snapshot().nodes[1].clone();
        let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  nodeName: node1\n  containers:\n  - name: big\n    image: nginx\n    resources:\n      requests:\n        cpu: 500m\n        memory: 64Mi\n";
        c.write_file("big.yaml", manifest).unwrap();
        assert_eq!(
            c.run("kubectl apply -f big.yaml").stdout(),
            "pod/big created\n"
        );
        let nodes = c.snapshot().nodes;
        assert!(nodes[2].unschedulable, "node2 is cordoned");
        assert!(!nodes[1].unschedulable);
        assert_eq!(
            nodes[1].cpu_requested_milli,
            before.cpu_requested_milli + 500
        );
        assert_eq!(
            nodes[1].memory_requested_bytes,
            before.memory_requested_bytes + 64 * 1024 * 1024
        );
    }
}
