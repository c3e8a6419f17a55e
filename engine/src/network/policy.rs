//! NetworkPolicy enforcement, as a policy-enforcing CNI (Calico's Felix) applies the spec:
//! a pod is isolated for ingress (egress) when some policy of its namespace selects it and
//! lists that policy type; an isolated direction admits a packet only when a rule of one of
//! those policies matches it (peers: pod selector, namespace selector, both, or an IP block
//! minus its exceptions; ports: number, range up to `endPort`, or a name of the destination
//! pod's container ports, each with its protocol). Policies see packets after kube-proxy's
//! DNAT (the backend pod and its port) and after any SNAT (the source the pod sees); a pod's
//! own node always reaches it. Replies of admitted connections pass (conntrack).
//!
//! [`decide`] is the one decision; [`check`] gathers its facts from the API server.

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, Pod};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::cidr::Cidr;
use crate::api::selector::Selector;
use crate::world::World;

/// The CNI plugin of a cluster, and whether it enforces NetworkPolicy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cni {
    /// Calico: policies are enforced (the course's kubeadm cluster).
    Calico,
    /// minikube's default `bridge` CNI: policies are stored and ignored.
    #[default]
    Bridge,
}

impl Cni {
    /// Whether the plugin enforces NetworkPolicy.
    pub fn enforces_policy(self) -> bool {
        self == Cni::Calico
    }
}

/// A pod at one end of a packet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodFacts {
    /// Its namespace.
    pub namespace: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Its namespace's labels.
    pub namespace_labels: BTreeMap<String, String>,
    /// Its containers' named ports: (name, number, protocol).
    pub ports: Vec<(String, u16, String)>,
}

/// One end of a packet: an address, and the pod behind it if it is a pod's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct End {
    /// The address.
    pub ip: String,
    /// The pod (not host-network) with that address.
    pub pod: Option<PodFacts>,
}

/// The first packet of a connection, as the policy engine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// The source, after SNAT.
    pub src: End,
    /// The destination, after DNAT.
    pub dst: End,
    /// Destination port.
    pub port: u16,
    /// `TCP`, `UDP`, `SCTP` or `ICMP`.
    pub protocol: &'static str,
    /// Whether it comes from the node the destination pod runs on (always admitted).
    pub from_dst_node: bool,
}

/// Which way a policy isolates a pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Traffic into the pod.
    Ingress,
    /// Traffic out of the pod.
    Egress,
}

/// What the policies make of a packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted.
    Allow,
    /// Dropped: the direction that refused it and the policies isolating the pod there.
    Deny(Direction, Vec<String>),
}

/// The verdict of `policies` (any namespaces; each applies to pods of its own) on `packet`:
/// the source's egress first, then the destination's ingress.
pub fn decide(policies: &[&NetworkPolicy], packet: &Packet) -> Verdict {
    if let Some(src) = &packet.src.pod {
        if let Some(names) = refused(policies, src, Direction::Egress, packet) {
            return Verdict::Deny(Direction::Egress, names);
        }
    }
    if let Some(dst) = packet.dst.pod.as_ref().filter(|_| !packet.from_dst_node) {
        if let Some(names) = refused(policies, dst, Direction::Ingress, packet) {
            return Verdict::Deny(Direction::Ingress, names);
        }
    }
    Verdict::Allow
}

/// The isolating policies' names when `pod` is isolated in `way` and no rule admits the
/// packet; `None` when it passes.
fn refused(
    policies: &[&NetworkPolicy],
    pod: &PodFacts,
    way: Direction,
    packet: &Packet,
) -> Option<Vec<String>> {
    let kind = match way {
        Direction::Ingress => "Ingress",
        Direction::Egress => "Egress",
    };
    let isolating: Vec<&NetworkPolicy> = policies
        .iter()
        .copied()
        .filter(|p| p.metadata.namespace.as_deref().unwrap_or("") == pod.namespace)
        .filter(|p| {
            let Some(spec) = &p.spec else { return false };
            spec.policy_types.iter().flatten().any(|t| t == kind)
                && Selector::from_label_selector(&spec.pod_selector.clone().unwrap_or_default())
                    .matches(Some(&pod.labels))
        })
        .collect();
    if isolating.is_empty() {
        return None;
    }
    let (peer, port_owner) = match way {
        Direction::Ingress => (&packet.src, &packet.dst),
        Direction::Egress => (&packet.dst, &packet.dst),
    };
    let admitted = isolating.iter().any(|p| {
        let Some(spec) = &p.spec else { return false };
        let ns = p.metadata.namespace.as_deref().unwrap_or("");
        let rules: Vec<Rule<'_>> = match way {
            Direction::Ingress => spec
                .ingress
                .iter()
                .flatten()
                .map(|r| (r.ports.as_ref(), r.from.as_ref()))
                .collect(),
            Direction::Egress => spec
                .egress
                .iter()
                .flatten()
                .map(|r| (r.ports.as_ref(), r.to.as_ref()))
                .collect(),
        };
        rules.iter().any(|(ports, peers)| {
            let port_ok = ports.is_none_or(|ps| {
                ps.is_empty()
                    || ps
                        .iter()
                        .any(|p| port_matches(p, packet.port, packet.protocol, port_owner))
            });
            let peer_ok = peers
                .is_none_or(|ps| ps.is_empty() || ps.iter().any(|x| peer_matches(x, ns, peer)));
            port_ok && peer_ok
        })
    });
    if admitted {
        return None;
    }
    let mut names: Vec<String> = isolating
        .iter()
        .map(|p| p.metadata.name.clone().unwrap_or_default())
        .collect();
    names.stable_sort();
    Some(names)
}

/// A rule: its ports and its peers (`from` or `to`).
type Rule<'a> = (
    Option<&'a Vec<NetworkPolicyPort>>,
    Option<&'a Vec<NetworkPolicyPeer>>,
);

/// Whether a rule's port entry admits `port`/`protocol` (a named port is looked up among
/// the destination pod's container ports).
fn port_matches(p: &NetworkPolicyPort, port: u16, protocol: &str, dst: &End) -> bool {
    if p.protocol.as_deref().unwrap_or("TCP") != protocol {
        return false;
    }
    match &p.port {
        None => true,
        Some(IntOrString::Int(n)) => {
            let port = i32::from(port);
            match p.end_port {
                Some(end) => *n <= port && port <= end,
                None => *n == port,
            }
        }
        Some(IntOrString::String(name)) => dst.pod.as_ref().is_some_and(|pod| {
            pod.ports
                .iter()
                .any(|(n, number, proto)| n == name && *number == port && proto == protocol)
        }),
    }
}

/// Whether a peer names `end` (`ns`: the policy's namespace, for a bare pod selector).
fn peer_matches(peer: &NetworkPolicyPeer, ns: &str, end: &End) -> bool {
    if let Some(block) = &peer.ip_block {
        let Some(cidr) = Cidr::parse(&block.cidr) else {
            return false;
        };
        return cidr.contains_ip(&end.ip)
            && !block
                .except
                .iter()
                .flatten()
                .filter_map(|e| Cidr::parse(e))
                .any(|e| e.contains_ip(&end.ip));
    }
    let Some(pod) = &end.pod else {
        return false;
    };
    let selects = |s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
                   labels: &BTreeMap<String, String>| {
        Selector::from_label_selector(s).matches(Some(labels))
    };
    match (&peer.pod_selector, &peer.namespace_selector) {
        (Some(pods), Some(nss)) => {
            selects(nss, &pod.namespace_labels) && selects(pods, &pod.labels)
        }
        (Some(pods), None) => pod.namespace == ns && selects(pods, &pod.labels),
        (None, Some(nss)) => selects(nss, &pod.namespace_labels),
        (None, None) => false,
    }
}

/// The end at `ip`: with the facts of the (not host-network) pod that has it.
pub fn end_at(world: &World, ip: &str) -> End {
    let pod = super::proxy::pod_by_ip(world, ip).map(|p| pod_facts(world, p));
    End {
        ip: ip.to_string(),
        pod,
    }
}

fn pod_facts(world: &World, p: &Pod) -> PodFacts {
    let namespace = p.metadata.namespace.clone().unwrap_or_default();
    let namespace_labels = world
        .api
        .get_as::<Namespace>("", &namespace)
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_default();
    let ports = p
        .spec
        .iter()
        .flat_map(|s| {
            s.containers
                .iter()
                .chain(s.init_containers.iter().flatten())
        })
        .flat_map(|c| c.ports.iter().flatten())
        .filter_map(|cp| {
            Some((
                cp.name.clone().filter(|n| !n.is_empty())?,
                u16::try_from(cp.container_port).ok()?,
                cp.protocol.clone().unwrap_or_else(|| "TCP".into()),
            ))
        })
        .collect();
    PodFacts {
        namespace,
        labels: p.metadata.labels.clone().unwrap_or_default(),
        namespace_labels,
        ports,
    }
}

/// Whether `cni` enforces policies and the cluster has any.
pub fn any_enforced(world: &World, cni: Cni) -> bool {
    cni.enforces_policy() && world.api.list_as::<NetworkPolicy>(None).next().is_some()
}

/// The verdict on a connection from `src_pod_ip` (the client pod, for its egress; `None`
/// from a node) seen by the destination as from `seen_ip`, to `dst_ip:port`, under the
/// cluster's policies when `cni` enforces them.
pub fn check(
    world: &World,
    cni: Cni,
    src_pod_ip: Option<&str>,
    seen_ip: &str,
    dst_ip: &str,
    port: u16,
    protocol: &'static str,
) -> Verdict {
    if !any_enforced(world, cni) {
        return Verdict::Allow;
    }
    let policies: Vec<&NetworkPolicy> = world.api.list_as::<NetworkPolicy>(None).collect();
    let dst = end_at(world, dst_ip);
    let from_dst_node = super::proxy::pod_by_ip(world, dst_ip)
        .and_then(|p| p.spec.as_ref()?.node_name.clone())
        .is_some_and(|node| node_owns(world, &node, seen_ip));
    // Egress is judged on the client pod; ingress on the source the destination sees
    // (another address only after SNAT: a pod reaching itself through its Service).
    if let Some(client) = src_pod_ip.filter(|ip| *ip != seen_ip) {
        let packet = Packet {
            src: end_at(world, client),
            dst: dst.clone(),
            port,
            protocol,
            from_dst_node: true,
        };
        if let v @ Verdict::Deny(..) = decide(&policies, &packet) {
            return v;
        }
    }
    let mut src = end_at(world, seen_ip);
    if src_pod_ip.is_none() {
        // A node's own traffic: no pod's egress applies.
        src.pod = None;
    }
    decide(
        &policies,
        &Packet {
            src,
            dst,
            port,
            protocol,
            from_dst_node,
        },
    )
}

/// Whether `ip` is one of `node`'s own addresses (InternalIP, pod-network gateways).
fn node_owns(world: &World, node: &str, ip: &str) -> bool {
    super::proxy::node_by_ip(world, ip).is_some_and(|n| n.metadata.name.as_deref() == Some(node))
        || super::proxy::node_pod_addresses(world, node)
            .iter()
            .any(|a| a == ip)
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
