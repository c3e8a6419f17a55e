//! The cluster's network clients: the learner's machine (the console's `curl`, `wget`, …)
//! and containers (`kubectl exec … -- curl`), bound to the network at their origin.

use super::{Cluster, NodeRole};
use crate::network::tools::{Client, Kit};
use crate::network::{NetCx, Origin};

impl Cluster {
    /// Where the learner's console sits: on kubeadm the control-plane node the course logs
    /// in to; on minikube the laptop beside the cluster (the docker network's gateway).
    pub(crate) fn host_origin(&self) -> Origin {
        if self.profile.name == "minikube" {
            return Origin::Host {
                ip: "192.168.49.1".into(),
                node: None,
            };
        }
        let cp = self
            .profile
            .nodes
            .iter()
            .find(|n| n.role == NodeRole::ControlPlane)
            .or(self.profile.nodes.first());
        Origin::Host {
            ip: cp.map_or_else(|| "192.168.1.10".into(), |n| n.internal_ip.clone()),
            node: cp.map(|n| n.name.clone()),
        }
    }

    /// The network tools of a machine at `origin` with the `kit` it ships.
    pub(crate) fn net_client(&mut self, origin: Origin, kit: Kit, tty: bool) -> Client<'_> {
        Client {
            cx: NetCx {
                world: &mut self.world,
                kubelet: &mut self.kubelet,
                net: &mut self.network,
            },
            origin,
            kit,
            tty,
        }
    }
}
