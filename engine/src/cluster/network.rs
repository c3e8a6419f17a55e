//! The cluster's network clients: the learner's machine (the console's `curl`, `wget`, …)
//! and containers (`kubectl exec … -- curl`), bound to the network at their origin.

use super::{Cluster, NodeRole};
use crate::network::tools::{Client, Kit};
use crate::network::{NetCx, Origin};

/// The learner's machine's name and addresses.
pub(crate) struct HostIdentity {
    /// The hostname.
    pub name: String,
    /// Its IPv4 addresses, in interface order (`hostname -I`).
    pub addresses: Vec<String>,
    /// The address `/etc/hosts` gives the name (`hostname -i`).
    pub hosts_address: String,
}

/// The minikube profile's laptop's hostname (a choice: nothing in the course names it).
const LAPTOP: &str = "laptop";

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

    /// The learner's machine as `hostname` shows it. On kubeadm the control-plane node:
    /// `ens3`'s address, then flannel's and the pods' bridge (which CoreDNS's pods there
    /// bring up); `/etc/hosts` names it with its node address, as kubeadm setups write it.
    /// On minikube the laptop: a name chosen here (`laptop`), its LAN address, `docker0` and
    /// the minikube network's bridge (the docker driver's gateway, as
    /// [`Cluster::host_origin`]); Ubuntu's `/etc/hosts` names it `127.0.1.1`.
    pub(crate) fn host_identity(&self) -> HostIdentity {
        match self.host_origin() {
            Origin::Host {
                node: Some(node),
                ip,
            } => {
                let mut addresses = vec![ip.clone()];
                addresses.extend(crate::network::proxy::node_pod_addresses(
                    &self.world,
                    &node,
                ));
                HostIdentity {
                    name: node,
                    addresses,
                    hosts_address: ip,
                }
            }
            Origin::Host { ip, .. } | Origin::Pod { ip, .. } => HostIdentity {
                name: LAPTOP.to_string(),
                addresses: vec!["192.168.0.23".into(), "172.17.0.1".into(), ip],
                hosts_address: "127.0.1.1".into(),
            },
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
