//! Cluster DNS as CoreDNS's `kubernetes` plugin answers it (`cluster.local`, pods
//! insecure), with the client's resolver walking the pod's search list (`ndots:5`).
//!
//! - `svc.ns.svc.cluster.local`: the ClusterIP; a headless Service's ready endpoint IPs;
//!   an `ExternalName` Service's CNAME.
//! - `host.svc.ns.svc.cluster.local`: a pod with `hostname`/`subdomain` behind a headless
//!   Service (a StatefulSet's `web-0.nginx.default.svc.cluster.local`).
//! - `a-b-c-d.ns.pod.cluster.local`: the address `a.b.c.d`.
//!
//! Names outside the cluster domain do not resolve: the simulated cluster has no Internet.

use k8s_openapi::api::core::v1::{Namespace, Pod, Service};

use super::Origin;
use crate::world::World;

/// The cluster's DNS domain.
pub const DOMAIN: &str = "cluster.local";
/// CoreDNS's Service address (`kube-dns`), the pods' nameserver.
pub const NAMESERVER: &str = "10.96.0.10";
/// Dots below which the resolver tries the search list first.
const NDOTS: usize = 5;
/// Longest name a resolver accepts (RFC 1035).
const MAX_NAME: usize = 253;

/// A DNS answer for one fully qualified name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A records.
    Addresses(Vec<String>),
    /// A CNAME to a name outside the cluster (an `ExternalName` Service).
    Alias(String),
}

/// A name resolved through the search list: the name that answered and its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The fully qualified name that answered (without the trailing dot).
    pub fqdn: String,
    /// What it answered.
    pub answer: Answer,
}

/// The search list of a pod in `namespace` (`/etc/resolv.conf`, ClusterFirst).
pub fn search_list(namespace: &str) -> Vec<String> {
    vec![
        format!("{namespace}.svc.{DOMAIN}"),
        format!("svc.{DOMAIN}"),
        DOMAIN.to_string(),
    ]
}

/// Whether `s` is a dotted IPv4 address.
pub fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

/// The names the resolver tries for `name`, in order.
pub fn candidates(origin: &Origin, name: &str) -> Vec<String> {
    if let Some(absolute) = name.strip_suffix('.') {
        return vec![absolute.to_string()];
    }
    let Origin::Pod { namespace, .. } = origin else {
        // The learner's machine uses its own resolver, which knows nothing of the cluster.
        return vec![name.to_string()];
    };
    let searched = search_list(namespace)
        .into_iter()
        .map(|s| format!("{name}.{s}"));
    if name.matches('.').count() >= NDOTS {
        std::iter::once(name.to_string()).chain(searched).collect()
    } else {
        searched.chain(std::iter::once(name.to_string())).collect()
    }
}

/// CoreDNS's `loadbalance` plugin (in kubeadm's Corefile): the A records of an answer in
/// random order.
pub fn shuffle(answer: &mut Answer, rng: &mut crate::rng::Rng) {
    if let Answer::Addresses(ips) = answer {
        for i in (1..ips.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            ips.swap(i, j);
        }
    }
}

/// Resolves `name` as a client at `origin` does: an address is itself; `localhost` is the
/// loopback; other names go through the search list. `None` is NXDOMAIN.
pub fn resolve(world: &World, origin: &Origin, name: &str) -> Option<Resolved> {
    let name = name.to_ascii_lowercase();
    if is_ipv4(&name) {
        return Some(Resolved {
            fqdn: name.clone(),
            answer: Answer::Addresses(vec![name]),
        });
    }
    if name == "localhost" {
        return Some(Resolved {
            fqdn: name,
            answer: Answer::Addresses(vec!["127.0.0.1".into()]),
        });
    }
    if name.is_empty() || name.len() > MAX_NAME {
        return None;
    }
    if !matches!(origin, Origin::Pod { .. }) {
        return None;
    }
    candidates(origin, &name).into_iter().find_map(|fqdn| {
        let answer = lookup(world, &fqdn)?;
        Some(Resolved { fqdn, answer })
    })
}

/// CoreDNS's answer for a fully qualified name, `None` for NXDOMAIN.
pub fn lookup(world: &World, fqdn: &str) -> Option<Answer> {
    let fqdn = fqdn.trim_end_matches('.');
    let inner = fqdn.strip_suffix(DOMAIN)?.strip_suffix('.')?;
    let labels: Vec<&str> = inner.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => service(world, ns, svc),
        [host, svc, ns, "svc"] => pod_host(world, ns, svc, host),
        [ip, ns, "pod"] => {
            world.api.get_as::<Namespace>("", ns)?;
            let dotted = ip.replace('-', ".");
            is_ipv4(&dotted).then(|| Answer::Addresses(vec![dotted]))
        }
        _ => None,
    }
}

fn service(world: &World, ns: &str, name: &str) -> Option<Answer> {
    let svc = world.api.get_as::<Service>(ns, name)?;
    let spec = svc.spec.as_ref()?;
    if spec.type_.as_deref() == Some("ExternalName") {
        return spec.external_name.clone().map(Answer::Alias);
    }
    match spec.cluster_ip.as_deref() {
        Some("None") => {
            let ips = ready_addresses(world, ns, name);
            (!ips.is_empty()).then_some(Answer::Addresses(ips))
        }
        Some(ip) if !ip.is_empty() => Some(Answer::Addresses(vec![ip.to_string()])),
        _ => None,
    }
}

/// The ready addresses of a Service (headless answers), in order, without repeats.
fn ready_addresses(world: &World, ns: &str, name: &str) -> Vec<String> {
    let mut ips: Vec<String> = Vec::new();
    for e in super::slices::endpoints(world, ns, name) {
        if e.ready && !ips.contains(&e.ip) {
            ips.push(e.ip);
        }
    }
    ips
}

/// A pod named by `hostname.subdomain` behind a headless Service.
fn pod_host(world: &World, ns: &str, svc: &str, host: &str) -> Option<Answer> {
    let service = world.api.get_as::<Service>(ns, svc)?;
    let headless = service.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None");
    if !headless {
        return None;
    }
    let ready = ready_addresses(world, ns, svc);
    world.api.list_as::<Pod>(Some(ns)).find_map(|p| {
        let spec = p.spec.as_ref()?;
        if spec.hostname.as_deref() != Some(host) || spec.subdomain.as_deref() != Some(svc) {
            return None;
        }
        let ip = p.status.as_ref()?.pod_ip.clone()?;
        ready.contains(&ip).then(|| Answer::Addresses(vec![ip]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_list_comes_first_below_five_dots() {
        let pod = Origin::Pod {
            namespace: "shop".into(),
            name: "a".into(),
            ip: "10.244.1.2".into(),
            node: "node1".into(),
        };
        assert_eq!(
            candidates(&pod, "web.default"),
            [
                "web.default.shop.svc.cluster.local",
                "web.default.svc.cluster.local",
                "web.default.cluster.local",
                "web.default"
            ]
        );
        assert_eq!(candidates(&pod, "web.x."), ["web.x"]);
        assert!(is_ipv4("10.96.0.1"));
        assert!(!is_ipv4("10.96.0.256"));
        assert!(!is_ipv4("10.96.0"));
    }
}
