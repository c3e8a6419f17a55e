//! The cluster network: who can reach which address, and what answers. CoreDNS (`dns`)
//! turns names into addresses; kube-proxy (`proxy`, iptables mode) turns Service addresses
//! and NodePorts into a ready endpoint; `exchange` carries one HTTP request from a client
//! to the container that serves it (`node::process::serve`), leaving its access-log line
//! and a [`traffic::Trace`]; `policy` drops what NetworkPolicy forbids (where the
//! profile's CNI enforces it); `tools` are the clients a learner types (`curl`, `wget`,
//! `nslookup`, `nc`, `ping`), in pods and on the learner's machine.
//!
//! The network reads Services, Endpoints, nodes and pods through the API server and never
//! writes them; what it remembers (session affinity, recent traffic) lives in [`Network`].

pub mod dns;
pub mod exchange;
pub mod ingress_nginx;
pub mod internet;
pub mod load;
pub mod metallb;
pub mod policy;
pub mod proxy;
pub mod slices;
pub mod tools;
pub mod traffic;

use std::collections::BTreeMap;

use crate::node::Kubelet;
use crate::world::World;

/// What the network remembers between requests.
#[derive(Clone, Debug)]
pub struct Network {
    /// The network's own random stream (endpoint choice, DNS answer order, source ports),
    /// forked from the world's so that requests do not move names and uids elsewhere.
    pub rng: crate::rng::Rng,
    /// kube-proxy's `sessionAffinity: ClientIP` choices: (service key, client IP) → (pod
    /// IP, expiry in epoch ms).
    affinity: BTreeMap<(String, String), (String, i64)>,
    /// The most recent requests, for the board.
    pub traffic: traffic::Log,
    /// Ports on the learner's machine forwarded to a Service (`minikube service`,
    /// `kubectl port-forward`): local port → (namespace, Service, Service port).
    pub tunnels: BTreeMap<u16, (String, String, u16)>,
    /// `kubectl port-forward`'s listeners on the console's machine: local port → (namespace,
    /// pod, port in the pod). Connections arrive on the pod's loopback, as the kubelet's
    /// port forwarding makes them.
    pub forwards: BTreeMap<u16, (String, String, u16)>,
    /// The address of the machine `kubectl port-forward` listens on (the console's): only
    /// connections from there reach its ports.
    pub forward_host: String,
    /// ingress-nginx's round-robin position per upstream (`ns-svc-port`).
    turns: BTreeMap<String, usize>,
    /// The load streams it runs.
    pub load: load::Streams,
    /// The CNI plugin (whether NetworkPolicy is enforced); set from the cluster's profile.
    pub cni: policy::Cni,
}

/// Where a connection starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A container of a pod (its network namespace).
    Pod {
        /// Namespace of the pod.
        namespace: String,
        /// Pod name.
        name: String,
        /// Pod IP.
        ip: String,
        /// Node it runs on.
        node: String,
    },
    /// The learner's machine: on kubeadm the control-plane node the course logs in to
    /// (`node` set); on minikube the laptop outside the cluster.
    Host {
        /// The machine's address on the node network.
        ip: String,
        /// The node it is, when it is one.
        node: Option<String>,
    },
}

/// Linux's ephemeral port range (`net.ipv4.ip_local_port_range`), where the kernel finds a
/// free port for a listener that asks for none.
const EPHEMERAL: std::ops::Range<u16> = 32768..61000;

impl Network {
    /// A local port on the learner's machine that no tunnel or port-forward holds, from the
    /// network's random stream (the kernel's choice for port 0); `None` if the range is full.
    pub fn free_port(&mut self) -> Option<u16> {
        let span = u64::from(EPHEMERAL.end - EPHEMERAL.start);
        let free = |net: &Network, port: &u16| {
            !net.tunnels.contains_key(port) && !net.forwards.contains_key(port)
        };
        for _ in 0..64 {
            let port = EPHEMERAL.start + (self.rng.next_u64() % span) as u16;
            if free(self, &port) {
                return Some(port);
            }
        }
        EPHEMERAL.clone().find(|p| free(self, p))
    }

    /// A network whose random choices fork from `world`'s generator.
    pub fn new(world: &World) -> Self {
        Network {
            rng: world.rng.fork("network"),
            affinity: BTreeMap::new(),
            traffic: traffic::Log::default(),
            tunnels: BTreeMap::new(),
            forwards: BTreeMap::new(),
            forward_host: String::new(),
            turns: BTreeMap::new(),
            load: load::Streams::default(),
            cni: policy::Cni::default(),
        }
    }

    /// The next round-robin turn for `upstream` (0, 1, 2, …).
    pub fn next_turn(&mut self, upstream: &str) -> usize {
        let turn = self.turns.entry(upstream.to_string()).or_insert(0);
        let now = *turn;
        *turn = turn.wrapping_add(1);
        now
    }
}

impl Origin {
    /// The source address of the connection before any NAT.
    pub fn ip(&self) -> &str {
        match self {
            Origin::Pod { ip, .. } | Origin::Host { ip, .. } => ip,
        }
    }

    /// The node whose kube-proxy rules and routes the connection goes through, if any.
    pub fn node(&self) -> Option<&str> {
        match self {
            Origin::Pod { node, .. } => Some(node),
            Origin::Host { node, .. } => node.as_deref(),
        }
    }

    /// A short name for traces: `pod/NAME` or `host`.
    pub fn label(&self) -> String {
        match self {
            Origin::Pod { name, .. } => format!("pod/{name}"),
            Origin::Host { .. } => "host".into(),
        }
    }
}

/// The network at work: the world it reads, the containers that answer, its own state.
pub struct NetCx<'a> {
    /// The API server (read), the clock and the random source (endpoint choice).
    pub world: &'a mut World,
    /// The containers that serve requests (their access logs are written here).
    pub kubelet: &'a mut Kubelet,
    /// Affinity and traffic.
    pub net: &'a mut Network,
}
