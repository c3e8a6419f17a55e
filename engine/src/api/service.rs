//! Services as the apiserver treats them: defaulting, ClusterIP and NodePort allocation from
//! kubeadm's ranges (random picks from the upper band, like the real allocators), and
//! validation with the real field paths.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Service, ServiceSpec, ServiceStatus};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::rng::Rng;

/// kubeadm's service CIDR, 10.96.0.0/12, as a number.
const SERVICE_CIDR_BASE: u32 = (10 << 24) | (96 << 16);
/// Addresses in the service CIDR.
const SERVICE_CIDR_SIZE: u32 = 1 << 20;
/// The static band (first 256 addresses) is only used when the upper band is full.
const SERVICE_STATIC_BAND: u32 = 256;
/// NodePort range and its static band (30000-30085).
pub const NODE_PORT_MIN: i32 = 30000;
/// Highest NodePort.
pub const NODE_PORT_MAX: i32 = 32767;
const NODE_PORT_STATIC_BAND: i32 = 86;

/// ClusterIPs and NodePorts already taken, read from the stored services.
#[derive(Clone, Debug, Default)]
pub struct Allocated {
    /// ClusterIPs in use.
    pub ips: BTreeSet<String>,
    /// NodePorts in use.
    pub node_ports: BTreeSet<i32>,
}

impl Allocated {
    /// What `services` already hold.
    pub fn from_services<'a>(services: impl Iterator<Item = &'a Service>) -> Self {
        let mut a = Allocated::default();
        for s in services {
            let Some(spec) = &s.spec else { continue };
            a.ips.extend(spec.cluster_ips.iter().flatten().cloned());
            a.ips.extend(spec.cluster_ip.iter().cloned());
            a.node_ports
                .extend(spec.ports.iter().flatten().filter_map(|p| p.node_port));
        }
        a
    }
}

fn ip_string(n: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        n >> 24,
        (n >> 16) & 255,
        (n >> 8) & 255,
        n & 255
    )
}

/// A free ClusterIP: random from the dynamic band, like the apiserver's allocator.
fn allocate_ip(taken: &BTreeSet<String>, rng: &mut Rng) -> Option<String> {
    // Usable offsets exclude the network and broadcast addresses.
    let dynamic = SERVICE_CIDR_SIZE - 1 - SERVICE_STATIC_BAND;
    for _ in 0..64 {
        let off = SERVICE_STATIC_BAND + (rng.next_u64() % u64::from(dynamic)) as u32;
        let ip = ip_string(SERVICE_CIDR_BASE + off);
        if !taken.contains(&ip) {
            return Some(ip);
        }
    }
    (1..SERVICE_CIDR_SIZE - 1)
        .map(|off| ip_string(SERVICE_CIDR_BASE + off))
        .find(|ip| !taken.contains(ip))
}

/// A free NodePort: random from 30086-32767 first.
fn allocate_node_port(taken: &BTreeSet<i32>, rng: &mut Rng) -> Option<i32> {
    let low = NODE_PORT_MIN + NODE_PORT_STATIC_BAND;
    let span = (NODE_PORT_MAX - low + 1) as u64;
    for _ in 0..64 {
        let p = low + (rng.next_u64() % span) as i32;
        if !taken.contains(&p) {
            return Some(p);
        }
    }
    (NODE_PORT_MIN..=NODE_PORT_MAX).find(|p| !taken.contains(p))
}

/// Whether the service is headless (`clusterIP: None`).
pub fn is_headless(spec: &ServiceSpec) -> bool {
    spec.cluster_ip.as_deref() == Some("None")
}

/// Fills in a new service's defaulted fields and allocates its ClusterIP and NodePorts.
pub fn default_new(svc: &mut Service, taken: &mut Allocated, rng: &mut Rng) {
    let spec = svc.spec.get_or_insert_with(Default::default);
    let kind = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
    spec.session_affinity.get_or_insert_with(|| "None".into());
    for p in spec.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
        p.target_port.get_or_insert(IntOrString::Int(p.port));
    }
    if kind == "ExternalName" {
        spec.cluster_ip = None;
        spec.cluster_ips = None;
    } else {
        let ip = match spec
            .cluster_ip
            .clone()
            .filter(|ip| !ip.is_empty())
            .or_else(|| spec.cluster_ips.as_ref().and_then(|v| v.first().cloned()))
        {
            Some(ip) => Some(ip),
            None => allocate_ip(&taken.ips, rng),
        };
        if let Some(ip) = ip {
            taken.ips.insert(ip.clone());
            spec.cluster_ip = Some(ip.clone());
            spec.cluster_ips = Some(vec![ip]);
        }
        let headless_with_selector =
            is_headless(spec) && spec.selector.as_ref().is_some_and(|s| !s.is_empty());
        spec.ip_family_policy.get_or_insert_with(|| {
            if headless_with_selector {
                "RequireDualStack".into()
            } else {
                "SingleStack".into()
            }
        });
        spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
        spec.internal_traffic_policy
            .get_or_insert_with(|| "Cluster".into());
    }
    if kind == "NodePort" || kind == "LoadBalancer" {
        spec.external_traffic_policy
            .get_or_insert_with(|| "Cluster".into());
        for p in spec.ports.iter_mut().flatten() {
            if p.node_port.is_none_or(|n| n == 0) {
                p.node_port = allocate_node_port(&taken.node_ports, rng);
            }
            if let Some(n) = p.node_port {
                taken.node_ports.insert(n);
            }
        }
    }
    if kind == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
    svc.status.get_or_insert_with(|| ServiceStatus {
        load_balancer: Some(Default::default()),
        ..Default::default()
    });
}

/// The validation causes of a service, with the apiserver's field paths.
pub fn validate(svc: &Service, taken: &Allocated) -> Vec<String> {
    let mut causes = Vec::new();
    let Some(spec) = &svc.spec else {
        return vec!["spec.ports: Required value".into()];
    };
    let kind = spec.type_.as_deref().unwrap_or("ClusterIP");
    if !matches!(
        kind,
        "ClusterIP" | "ExternalName" | "LoadBalancer" | "NodePort"
    ) {
        causes.push(format!(
            "spec.type: Unsupported value: \"{kind}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        ));
    }
    let ports = spec.ports.as_deref().unwrap_or(&[]);
    if ports.is_empty() && kind != "ExternalName" && !is_headless(spec) {
        causes.push("spec.ports: Required value".into());
    }
    if kind == "ExternalName"
        && spec
            .external_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
    {
        causes.push("spec.externalName: Required value".into());
    }
    let mut names = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let name = p.name.as_deref().unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            causes.push(format!("spec.ports[{i}].name: Required value"));
        } else if !name.is_empty() && !names.insert(name) {
            causes.push(format!("spec.ports[{i}].name: Duplicate value: \"{name}\""));
        }
        if !(1..=65535).contains(&p.port) {
            causes.push(format!(
                "spec.ports[{i}].port: Invalid value: {}: must be between 1 and 65535, inclusive",
                p.port
            ));
        }
        if let Some(IntOrString::Int(t)) = &p.target_port {
            if !(1..=65535).contains(t) {
                causes.push(format!(
                    "spec.ports[{i}].targetPort: Invalid value: {t}: must be between 1 and 65535, inclusive"
                ));
            }
        }
        if let Some(proto) = p.protocol.as_deref() {
            if !matches!(proto, "TCP" | "UDP" | "SCTP") {
                causes.push(format!(
                    "spec.ports[{i}].protocol: Unsupported value: \"{proto}\": supported values: \"SCTP\", \"TCP\", \"UDP\""
                ));
            }
        }
        if let Some(n) = p.node_port.filter(|n| *n != 0) {
            if kind == "ClusterIP" {
                causes.push(format!(
                    "spec.ports[{i}].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
                ));
            } else if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&n) {
                causes.push(format!(
                    "spec.ports[{i}].nodePort: Invalid value: {n}: provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"
                ));
            } else if taken.node_ports.contains(&n) {
                causes.push(format!(
                    "spec.ports[{i}].nodePort: Invalid value: {n}: provided port is already allocated"
                ));
            }
        }
    }
    if let Some(ip) = spec
        .cluster_ip
        .as_deref()
        .filter(|ip| !ip.is_empty() && *ip != "None")
    {
        if kind != "ExternalName" {
            if !in_service_cidr(ip) {
                causes.push(format!(
                    "spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: the provided network does not match the current range"
                ));
            } else if taken.ips.contains(ip) {
                causes.push(format!(
                    "spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: provided IP is already allocated"
                ));
            }
        }
    }
    causes
}

fn in_service_cidr(ip: &str) -> bool {
    let parts: Vec<u32> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
    if parts.len() != 4 || parts.iter().any(|p| *p > 255) {
        return false;
    }
    let n = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
    (SERVICE_CIDR_BASE..SERVICE_CIDR_BASE + SERVICE_CIDR_SIZE).contains(&n)
}

/// Merges a re-applied service onto the stored one: allocated fields the manifest leaves out
/// are kept; a changed ClusterIP is refused, as the apiserver does.
pub fn merge_update(current: &Service, wanted: &mut Service) -> Vec<String> {
    let (Some(cur), Some(want)) = (current.spec.as_ref(), wanted.spec.as_mut()) else {
        return Vec::new();
    };
    let mut causes = Vec::new();
    match want.cluster_ip.as_deref() {
        Some(ip) if !ip.is_empty() && Some(ip) != cur.cluster_ip.as_deref() => {
            causes.push(format!(
                "spec.clusterIPs[0]: Invalid value: []string{{\"{ip}\"}}: may not change once set"
            ));
            causes.push(format!(
                "spec.clusterIP: Invalid value: \"{ip}\": field is immutable"
            ));
        }
        _ => {
            want.cluster_ip = cur.cluster_ip.clone();
            want.cluster_ips = cur.cluster_ips.clone();
        }
    }
    for p in want.ports.iter_mut().flatten() {
        if p.node_port.is_none() {
            p.node_port = cur
                .ports
                .iter()
                .flatten()
                .find(|c| c.port == p.port)
                .and_then(|c| c.node_port);
        }
    }
    wanted.status = current.status.clone();
    causes
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ServicePort;

    fn svc(kind: &str, port: i32) -> Service {
        Service {
            spec: Some(ServiceSpec {
                type_: Some(kind.into()),
                ports: Some(vec![ServicePort {
                    port,
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_and_allocates_in_ranges() {
        let mut rng = Rng::new(3);
        let mut taken = Allocated::default();
        let mut s = svc("NodePort", 80);
        default_new(&mut s, &mut taken, &mut rng);
        let spec = s.spec.unwrap();
        let ip = spec.cluster_ip.unwrap();
        assert!(in_service_cidr(&ip), "{ip}");
        let p = &spec.ports.unwrap()[0];
        assert_eq!(p.target_port, Some(IntOrString::Int(80)));
        assert!((30086..=32767).contains(&p.node_port.unwrap()));
        assert_eq!(spec.external_traffic_policy.as_deref(), Some("Cluster"));
    }

    #[test]
    fn validation_messages() {
        let taken = Allocated::default();
        let mut s = svc("ClusterIP", 0);
        assert_eq!(
            validate(&s, &taken),
            vec!["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"]
        );
        s.spec.as_mut().unwrap().ports = None;
        assert_eq!(validate(&s, &taken), vec!["spec.ports: Required value"]);
    }
}
