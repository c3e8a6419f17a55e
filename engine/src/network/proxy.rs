//! Where a connection to an address and port goes: kube-proxy's iptables rules (a
//! Service's ClusterIP, NodePorts on every node, external and load-balancer addresses →
//! one ready endpoint, chosen at random or by client-IP affinity), then the pod network's
//! routes (flannel: `10.244.N.0/24` per node) with the source NAT a packet gets on the way;
//! pods' `hostPort`s on their node's addresses (the CNI portmap plugin).

use k8s_openapi::api::core::v1::{Node, Pod, Service, ServicePort};

use super::{metallb, slices, Network, Origin};
use crate::world::World;

/// How long a client keeps its endpoint under `sessionAffinity: ClientIP` by default
/// (`sessionAffinityConfig.clientIP.timeoutSeconds`).
const AFFINITY_SECONDS: i64 = 10_800;

/// The Service a connection went through: (namespace, name).
pub type ServiceRef = (String, String);

/// A pod a packet is delivered to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// Pod namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// Pod IP.
    pub ip: String,
    /// Destination port in the pod.
    pub port: u16,
}

/// Where a connection ends up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Delivered into a pod's network namespace.
    Pod {
        /// The pod and port.
        backend: Backend,
        /// The source address the pod sees.
        client_ip: String,
        /// The Service it went through.
        service: Option<ServiceRef>,
    },
    /// Answered with a reset or ICMP port-unreachable: the client fails at once.
    Refused {
        /// The Service it was for.
        service: Option<ServiceRef>,
        /// Why, for traces.
        why: &'static str,
    },
    /// Silently dropped: the client waits until it gives up.
    Dropped {
        /// The Service it was for.
        service: Option<ServiceRef>,
        /// Why, for traces.
        why: &'static str,
    },
    /// A node's own port (the learner's machine itself, or a node address on a port no
    /// Service uses).
    Node {
        /// The node, when it is one.
        node: Option<String>,
    },
}

/// Where `kubectl port-forward` sends a connection to the console machine's `port`: into
/// its pod, from the pod's own loopback, while the pod runs (after that nobody listens).
fn forwarded(world: &World, net: &Network, port: u16) -> Option<Route> {
    let (ns, name, to) = net.forwards.get(&port)?;
    let pod = world.api.get_as::<Pod>(ns, name)?;
    let status = pod.status.as_ref()?;
    if status.phase.as_deref() != Some("Running") {
        return None;
    }
    Some(Route::Pod {
        backend: Backend {
            namespace: ns.clone(),
            name: name.clone(),
            ip: status.pod_ip.clone()?,
            port: *to,
        },
        client_ip: "127.0.0.1".into(),
        service: None,
    })
}

/// One endpoint a Service port may send to.
struct Candidate {
    backend: Backend,
    node: Option<String>,
}

/// Routes a TCP connection from `origin` to `ip:port`.
pub fn route(world: &mut World, net: &mut Network, origin: &Origin, ip: &str, port: u16) -> Route {
    route_with(world, net, origin, ip, port, None)
}

/// Every route kube-proxy may give connections from `origin` to `ip:port`, each as likely
/// (one per ready endpoint of a Service; the one route otherwise), without choosing: what
/// a steady stream of connections spreads over. Session affinity is not applied.
pub fn spread(
    world: &mut World,
    net: &mut Network,
    origin: &Origin,
    ip: &str,
    port: u16,
) -> Vec<Route> {
    let mut all = Vec::new();
    let one = route_with(world, net, origin, ip, port, Some(&mut all));
    if all.is_empty() {
        all.push(one);
    }
    all
}

/// [`route`]; with `spread`, a Service's routes to every endpoint are put there instead
/// of choosing one.
fn route_with(
    world: &mut World,
    net: &mut Network,
    origin: &Origin,
    ip: &str,
    port: u16,
    mut spread: Option<&mut Vec<Route>>,
) -> Route {
    if ip == "127.0.0.1" {
        if let Origin::Host { ip: from, .. } = origin {
            if *from == net.forward_host {
                if let Some(to) = forwarded(world, net, port) {
                    return to;
                }
            }
        }
        return match origin {
            Origin::Pod {
                namespace,
                name,
                ip: pod_ip,
                ..
            } => Route::Pod {
                backend: Backend {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    ip: pod_ip.clone(),
                    port,
                },
                client_ip: "127.0.0.1".into(),
                service: None,
            },
            // iptables-mode kube-proxy opens NodePorts on the node's loopback too.
            // (Tunnels exist only on a learner's machine that is not a node.)
            Origin::Host {
                node: Some(node), ..
            } if !net.tunnels.contains_key(&port) => {
                let node = node.clone();
                node_port(world, net, origin, node, port, spread)
            }
            Origin::Host { .. } => match net.tunnels.get(&port).cloned() {
                Some((ns, name, svc_port)) => {
                    match world.api.get_as::<Service>(&ns, &name).cloned() {
                        Some(svc) => through_service(
                            world,
                            net,
                            origin,
                            &svc,
                            |p| p.port == i32::from(svc_port),
                            Entry::External(None),
                            spread.as_deref_mut(),
                        ),
                        None => Route::Refused {
                            service: Some((ns, name)),
                            why: "the tunnelled Service is gone",
                        },
                    }
                }
                None => Route::Node {
                    node: origin.node().map(str::to_string),
                },
            },
        };
    }
    if let Some(svc) = service_by_cluster_ip(world, ip) {
        if origin.node().is_none() {
            return Route::Dropped {
                service: None,
                why: "the ClusterIP is only routed inside the cluster",
            };
        }
        return through_service(
            world,
            net,
            origin,
            &svc,
            |p| p.port == i32::from(port),
            Entry::Cluster,
            spread,
        );
    }
    if let Some(svc) = service_by_external_ip(world, ip) {
        // A node's kube-proxy catches the address on the node itself; from outside, the
        // packet goes to the node that answers ARP for it (MetalLB's elected speaker).
        let entry_node = match origin.node() {
            Some(node) => Some(node.to_string()),
            None => match metallb::install(world) {
                Some(install) if metallb::owns(world, &install, ip) => {
                    match metallb::announcer(world, &install, &svc, ip) {
                        Some(node) => Some(node),
                        None => {
                            return Route::Dropped {
                                service: Some(key(&svc)),
                                why: "no MetalLB speaker announces this address",
                            }
                        }
                    }
                }
                _ => None,
            },
        };
        return through_service(
            world,
            net,
            origin,
            &svc,
            |p| p.port == i32::from(port),
            Entry::External(entry_node),
            spread,
        );
    }
    if let Some(node) = node_by_ip(world, ip) {
        let node_name = node.metadata.name.clone().unwrap_or_default();
        return node_port(world, net, origin, node_name, port, spread);
    }
    if let Some(pod) = pod_by_ip(world, ip) {
        if origin.node().is_none() {
            return Route::Dropped {
                service: None,
                why: "pod addresses are only routed inside the cluster",
            };
        }
        let backend = Backend {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            ip: ip.to_string(),
            port,
        };
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
        let client_ip = source_for(world, origin, origin.node(), node.as_deref(), &backend.ip);
        return Route::Pod {
            backend,
            client_ip,
            service: None,
        };
    }
    Route::Dropped {
        service: None,
        why: "nothing has this address",
    }
}

/// A connection to `port` on `node`: a pod's `hostPort` there (the CNI portmap plugin's
/// DNAT), the Service whose NodePort it is, or the node itself.
fn node_port(
    world: &mut World,
    net: &mut Network,
    origin: &Origin,
    node: String,
    port: u16,
    spread: Option<&mut Vec<Route>>,
) -> Route {
    if let Some(backend) = host_port(world, &node, port) {
        // portmap keeps an outside client's address; the node's own traffic leaves
        // through its bridge.
        let client_ip = match origin {
            Origin::Host { node: None, ip, .. } => ip.clone(),
            _ => source_for(world, origin, Some(&node), Some(&node), &backend.ip),
        };
        return Route::Pod {
            backend,
            client_ip,
            service: None,
        };
    }
    match service_by_node_port(world, port) {
        Some(svc) => through_service(
            world,
            net,
            origin,
            &svc,
            |p| p.node_port == Some(i32::from(port)),
            Entry::External(Some(node)),
            spread,
        ),
        None => Route::Node { node: Some(node) },
    }
}

/// The running pod on `node` that maps TCP `port` of the node to one of its containers'
/// ports (`hostPort`, on any host address), and that port.
fn host_port(world: &World, node: &str, port: u16) -> Option<Backend> {
    world.api.list_as::<Pod>(None).find_map(|p| {
        let spec = p.spec.as_ref()?;
        let status = p.status.as_ref()?;
        if spec.node_name.as_deref() != Some(node)
            || spec.host_network == Some(true)
            || p.metadata.deletion_timestamp.is_some()
            || status.phase.as_deref() != Some("Running")
        {
            return None;
        }
        let ip = status.pod_ip.clone()?;
        let target = spec
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .find(|cp| {
                cp.host_port == Some(i32::from(port))
                    && cp.protocol.as_deref().unwrap_or("TCP") == "TCP"
                    && cp
                        .host_ip
                        .as_deref()
                        .is_none_or(|h| h.is_empty() || h == "0.0.0.0")
            })?;
        Some(Backend {
            namespace: p.metadata.namespace.clone().unwrap_or_default(),
            name: p.metadata.name.clone().unwrap_or_default(),
            ip,
            port: u16::try_from(target.container_port).ok()?,
        })
    })
}

/// How a connection entered a Service.
enum Entry {
    /// Its ClusterIP, from inside the cluster.
    Cluster,
    /// A NodePort on this node, or an external/load-balancer address arriving at this node
    /// (`None`: from outside, at no particular node).
    External(Option<String>),
}

fn through_service(
    world: &mut World,
    net: &mut Network,
    origin: &Origin,
    svc: &Service,
    port_matches: impl Fn(&ServicePort) -> bool,
    entry: Entry,
    spread: Option<&mut Vec<Route>>,
) -> Route {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let service = Some((ns.clone(), name.clone()));
    let Some(spec) = svc.spec.as_ref() else {
        return Route::Dropped {
            service,
            why: "the Service has no spec",
        };
    };
    let Some(sp) = spec
        .ports
        .iter()
        .flatten()
        .find(|p| p.protocol.as_deref().unwrap_or("TCP") == "TCP" && port_matches(p))
    else {
        return Route::Dropped {
            service,
            why: "the Service has no such port",
        };
    };
    let mut candidates = candidates(world, &ns, &name, sp);
    if candidates.is_empty() {
        return Route::Refused {
            service,
            why: "the Service has no ready endpoints",
        };
    }
    // The node whose rules apply: the client's for ClusterIPs, the receiving node's for
    // NodePorts; external addresses land on the first node with a local endpoint.
    let (rule_node, mut local_policy) = match &entry {
        Entry::Cluster => (
            origin.node().map(str::to_string),
            spec.internal_traffic_policy.as_deref() == Some("Local"),
        ),
        Entry::External(node) => (
            node.clone(),
            spec.external_traffic_policy.as_deref() == Some("Local"),
        ),
    };
    // `externalTrafficPolicy: Local` is for traffic from outside: kube-proxy sends a pod's
    // traffic ("pod traffic for external destinations") and the node's own ("masquerade
    // LOCAL traffic") to every endpoint.
    let from_inside = matches!(origin, Origin::Pod { .. })
        || (origin.node().is_some() && origin.node() == rule_node.as_deref());
    if matches!(entry, Entry::External(_)) && local_policy && from_inside {
        local_policy = false;
    }
    if local_policy {
        if let Some(n) = &rule_node {
            candidates.retain(|c| c.node.as_deref() == Some(n.as_str()));
        }
        if candidates.is_empty() {
            return Route::Dropped {
                service,
                why: "no ready endpoint on this node (traffic policy Local)",
            };
        }
    }
    let chosen = match spread {
        Some(all) => {
            for c in &candidates {
                let to = Route::Pod {
                    backend: c.backend.clone(),
                    client_ip: client_ip_for(
                        world,
                        origin,
                        &entry,
                        local_policy,
                        rule_node.as_deref(),
                        c,
                    ),
                    service: service.clone(),
                };
                all.push(to);
            }
            0
        }
        None => {
            let client_key = format!("{ns}/{name}:{}", sp.name.as_deref().unwrap_or(""));
            pick(world, net, spec, &client_key, origin.ip(), &candidates)
        }
    };
    let Some(c) = candidates.get(chosen) else {
        return Route::Refused {
            service,
            why: "the Service has no ready endpoints",
        };
    };
    Route::Pod {
        backend: c.backend.clone(),
        client_ip: client_ip_for(world, origin, &entry, local_policy, rule_node.as_deref(), c),
        service,
    }
}

/// The source address endpoint `c` sees for a connection that entered its Service so.
fn client_ip_for(
    world: &World,
    origin: &Origin,
    entry: &Entry,
    local_policy: bool,
    rule_node: Option<&str>,
    c: &Candidate,
) -> String {
    let pod_origin = matches!(origin, Origin::Pod { .. });
    match (entry, local_policy) {
        (Entry::Cluster, _) => {
            source_for(world, origin, rule_node, c.node.as_deref(), &c.backend.ip)
        }
        // `externalTrafficPolicy: Local` keeps the client's address.
        (Entry::External(_), true) => origin.ip().to_string(),
        // A pod's own traffic to an external address of the Service keeps its address.
        (Entry::External(_), false) if pod_origin => source_for(
            world,
            origin,
            origin.node(),
            c.node.as_deref(),
            &c.backend.ip,
        ),
        // `Cluster`: masqueraded to the receiving node's address on the pod network.
        (Entry::External(_), false) => rule_node
            .and_then(|n| gateway(world, n, c.node.as_deref() == Some(n)))
            .unwrap_or_else(|| origin.ip().to_string()),
    }
}

/// The index of the endpoint kube-proxy sends this connection to.
fn pick(
    world: &mut World,
    net: &mut Network,
    spec: &k8s_openapi::api::core::v1::ServiceSpec,
    key: &str,
    client: &str,
    candidates: &[Candidate],
) -> usize {
    let now = world.clock.now_ms();
    let affinity = spec.session_affinity.as_deref() == Some("ClientIP");
    let entry = (key.to_string(), client.to_string());
    if affinity {
        if let Some((ip, expires)) = net.affinity.get(&entry) {
            if *expires > now {
                if let Some(i) = candidates.iter().position(|c| &c.backend.ip == ip) {
                    let timeout = affinity_seconds(spec);
                    net.affinity
                        .insert(entry, (ip.clone(), now + timeout * 1000));
                    return i;
                }
            }
        }
    }
    let i = (net.rng.next_u64() % candidates.len() as u64) as usize;
    if affinity {
        if let Some(c) = candidates.get(i) {
            let timeout = affinity_seconds(spec);
            net.affinity
                .insert(entry, (c.backend.ip.clone(), now + timeout * 1000));
        }
    }
    i
}

fn affinity_seconds(spec: &k8s_openapi::api::core::v1::ServiceSpec) -> i64 {
    spec.session_affinity_config
        .as_ref()
        .and_then(|c| c.client_ip.as_ref())
        .and_then(|c| c.timeout_seconds)
        .map_or(AFFINITY_SECONDS, i64::from)
}

/// The endpoints of a Service port kube-proxy may send to, from its EndpointSlices.
fn candidates(world: &World, ns: &str, name: &str, sp: &ServicePort) -> Vec<Candidate> {
    let wanted = sp.name.as_deref().unwrap_or("");
    let protocol = sp.protocol.as_deref().unwrap_or("TCP");
    let all = slices::endpoints(world, ns, name);
    slices::usable(all)
        .into_iter()
        .filter_map(|e| {
            let port = e
                .ports
                .iter()
                .find(|(n, _, p)| n == wanted && p == protocol)
                .map(|(_, port, _)| *port)?;
            Some(Candidate {
                backend: Backend {
                    namespace: ns.to_string(),
                    name: e.pod.unwrap_or_default(),
                    ip: e.ip,
                    port,
                },
                node: e.node,
            })
        })
        .collect()
}

/// The source address a pod sees for traffic routed, without Service NAT, from `origin`
/// through `via` (the node whose routes apply) to a pod on `to`: a pod keeps its own address
/// (except when it reaches itself through a Service: hairpin traffic is masqueraded); a
/// node leaves through its bridge (`10.244.N.1`) to its own pods and through its flannel
/// interface (`10.244.N.0`) to other nodes'.
fn source_for(
    world: &World,
    origin: &Origin,
    via: Option<&str>,
    to: Option<&str>,
    backend_ip: &str,
) -> String {
    match origin {
        Origin::Pod { ip, node, .. } if ip == backend_ip => {
            gateway(world, node, true).unwrap_or_else(|| ip.clone())
        }
        Origin::Pod { ip, .. } => ip.clone(),
        Origin::Host { ip, .. } => via
            .and_then(|n| gateway(world, n, to == Some(n)))
            .unwrap_or_else(|| ip.clone()),
    }
}

/// A node's addresses on the pod network, in the order its interfaces came up: flannel's
/// (`flannel.1`, `.0`), then the pods' bridge (`cni0`, `.1`).
pub fn node_pod_addresses(world: &World, node: &str) -> Vec<String> {
    [false, true]
        .into_iter()
        .filter_map(|local| gateway(world, node, local))
        .collect()
}

/// A node's address on the pod network: its bridge (`.1`) towards its own pods, its flannel
/// interface (`.0`) towards other nodes.
fn gateway(world: &World, node: &str, local: bool) -> Option<String> {
    let n = world.api.get_as::<Node>("", node)?;
    let cidr = n.spec.as_ref()?.pod_cidr.as_deref()?;
    let base = cidr.split('/').next()?;
    let prefix = base.rsplit_once('.')?.0;
    Some(format!("{prefix}.{}", if local { 1 } else { 0 }))
}

fn key(svc: &Service) -> ServiceRef {
    (
        svc.metadata.namespace.clone().unwrap_or_default(),
        svc.metadata.name.clone().unwrap_or_default(),
    )
}

fn service_by_cluster_ip(world: &World, ip: &str) -> Option<Service> {
    world
        .api
        .list_as::<Service>(None)
        .find(|s| {
            s.spec.as_ref().is_some_and(|sp| {
                sp.cluster_ip.as_deref() == Some(ip)
                    || sp.cluster_ips.iter().flatten().any(|c| c == ip)
            })
        })
        .cloned()
}

fn service_by_external_ip(world: &World, ip: &str) -> Option<Service> {
    world
        .api
        .list_as::<Service>(None)
        .find(|s| {
            let external = s
                .spec
                .as_ref()
                .is_some_and(|sp| sp.external_ips.iter().flatten().any(|e| e == ip));
            let balanced = s
                .status
                .as_ref()
                .and_then(|st| st.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .is_some_and(|ing| ing.iter().any(|i| i.ip.as_deref() == Some(ip)));
            external || balanced
        })
        .cloned()
}

fn service_by_node_port(world: &World, port: u16) -> Option<Service> {
    world
        .api
        .list_as::<Service>(None)
        .find(|s| {
            s.spec.as_ref().is_some_and(|sp| {
                matches!(sp.type_.as_deref(), Some("NodePort" | "LoadBalancer"))
                    && sp
                        .ports
                        .iter()
                        .flatten()
                        .any(|p| p.node_port == Some(i32::from(port)))
            })
        })
        .cloned()
}

/// The node whose InternalIP is `ip`.
pub fn node_by_ip<'a>(world: &'a World, ip: &str) -> Option<&'a Node> {
    world.api.list_as::<Node>(None).find(|n| {
        n.status
            .as_ref()
            .and_then(|s| s.addresses.as_ref())
            .is_some_and(|a| a.iter().any(|a| a.type_ == "InternalIP" && a.address == ip))
    })
}

/// The pod (not host-network) whose IP is `ip`.
pub fn pod_by_ip<'a>(world: &'a World, ip: &str) -> Option<&'a Pod> {
    world.api.list_as::<Pod>(None).find(|p| {
        let host_network = p.spec.as_ref().and_then(|s| s.host_network) == Some(true);
        !host_network && p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip)
    })
}
