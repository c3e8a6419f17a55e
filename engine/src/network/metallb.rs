//! MetalLB as the network sees it, once a learner installs it: where it runs (its controller
//! and speaker pods), its address pools (the legacy `config` ConfigMap of MetalLB ≤ 0.12, or
//! `IPAddressPool` and `L2Advertisement` objects since 0.13), and which node answers ARP for
//! a load-balancer address (the speakers' layer-2 election). The controller that hands out
//! addresses is `controllers::metallb`; kube-proxy sends traffic for an announced address
//! through the announcing node.

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::slices;
use crate::api::image_ref::ImageRef;
use crate::api::manifest;
use crate::api::pod;
use crate::world::World;

/// Most addresses one pool range may hold that the allocator scans (a `/8` is refused
/// rather than walked).
pub const MAX_POOL_SCAN: u32 = 1 << 16;

/// The release a pod runs, from its image tag (`v0.8.2` → `(0, 8, 2)`); an unknown tag
/// counts as a current release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release(pub u32, pub u32, pub u32);

impl Release {
    const CURRENT: Release = Release(0, 15, 2);

    fn of_tag(tag: &str) -> Release {
        let mut parts = tag.trim_start_matches('v').split(['.', '-']);
        let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
        match (next(), next(), next()) {
            (Some(a), Some(b), c) => Release(a, b, c.unwrap_or(0)),
            _ => Release::CURRENT,
        }
    }

    /// Whether this release reads its configuration from the `config` ConfigMap (before
    /// 0.13 moved it to custom resources).
    pub fn legacy(self) -> bool {
        self < Release(0, 13, 0)
    }
}

/// MetalLB's pods in the cluster.
#[derive(Clone, Debug)]
pub struct Install {
    /// The namespace its controller runs in (`metallb-system`).
    pub namespace: String,
    /// Its controller's release.
    pub release: Release,
    /// Whether the controller is running and ready.
    pub controller_ready: bool,
    /// Nodes with a running, ready speaker.
    pub speakers: BTreeSet<String>,
}

/// The image repository a pod's first container runs, if it is MetalLB's `component`
/// (`controller` or `speaker`) — under `metallb/` on Docker Hub or `quay.io/metallb/`.
fn metallb_component(p: &Pod, component: &str) -> Option<ImageRef> {
    let image = p.spec.as_ref()?.containers.first()?.image.as_deref()?;
    let r = ImageRef::parse(image)?;
    let wanted = [
        format!("docker.io/metallb/{component}"),
        format!("quay.io/metallb/{component}"),
    ];
    wanted.contains(&r.repository).then_some(r)
}

/// MetalLB's controller pod and its image, if one exists.
pub fn controller_pod(world: &World) -> Option<(&Pod, ImageRef)> {
    world
        .api
        .list_as::<Pod>(None)
        .find_map(|p| Some((p, metallb_component(p, "controller")?)))
}

/// MetalLB, if its controller's pod exists.
pub fn install(world: &World) -> Option<Install> {
    let (controller, image) = controller_pod(world)?;
    let namespace = controller.metadata.namespace.clone().unwrap_or_default();
    let speakers = world
        .api
        .list_as::<Pod>(Some(&namespace))
        .filter(|p| metallb_component(p, "speaker").is_some() && pod::running_and_ready(p))
        .filter_map(|p| p.spec.as_ref()?.node_name.clone())
        .collect();
    Some(Install {
        release: Release::of_tag(&image.tag),
        controller_ready: pod::running_and_ready(controller),
        namespace,
        speakers,
    })
}

/// How a pool's addresses are announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// ARP replies from one elected node.
    Layer2,
    /// BGP routes to peers (none exist here: nothing announces).
    Bgp,
}

/// One address pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    /// Its name.
    pub name: String,
    /// How its addresses are announced (layer 2 unless a legacy pool says `bgp`; a current
    /// pool is announced by the L2Advertisements that select it).
    pub protocol: Option<Protocol>,
    /// Inclusive IPv4 ranges, in the order written.
    pub ranges: Vec<(u32, u32)>,
    /// Whether services get addresses from it without asking (`auto-assign`).
    pub auto_assign: bool,
    /// Skips `.0` and `.255` addresses (`avoid-buggy-ips`).
    pub avoid_buggy_ips: bool,
}

impl Pool {
    /// Whether `ip` is one of the pool's addresses.
    pub fn contains(&self, ip: &str) -> bool {
        parse_ip(ip).is_some_and(|ip| {
            self.ranges.iter().any(|&(a, b)| a <= ip && ip <= b)
                && !(self.avoid_buggy_ips && buggy(ip))
        })
    }

    /// The first address of the pool not in `used`.
    pub fn first_free(&self, used: &BTreeSet<String>) -> Option<String> {
        for &(a, b) in &self.ranges {
            let end = b.min(a.saturating_add(MAX_POOL_SCAN));
            for ip in a..=end {
                if self.avoid_buggy_ips && buggy(ip) {
                    continue;
                }
                let s = format_ip(ip);
                if !used.contains(&s) {
                    return Some(s);
                }
            }
        }
        None
    }
}

fn buggy(ip: u32) -> bool {
    matches!(ip & 0xff, 0 | 255)
}

/// Parses a dotted IPv4 address.
pub fn parse_ip(s: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut parts = 0;
    for p in s.split('.') {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out = (out << 8) | p.parse::<u8>().ok()? as u32;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

fn format_ip(ip: u32) -> String {
    let b = ip.to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// Parses a pool entry: `192.168.56.11-192.168.56.13`, `192.168.10.0/24` or one address;
/// `None` for IPv6 or anything malformed.
pub fn parse_range(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once('-') {
        let (a, b) = (parse_ip(a.trim())?, parse_ip(b.trim())?);
        return (a <= b).then_some((a, b));
    }
    if let Some((ip, bits)) = s.split_once('/') {
        let ip = parse_ip(ip)?;
        let bits: u32 = bits.parse().ok().filter(|b| *b <= 32)?;
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        return Some((ip & mask, (ip & mask) | !mask));
    }
    parse_ip(s).map(|ip| (ip, ip))
}

/// The pools MetalLB uses: from the legacy ConfigMap or the `IPAddressPool` objects of its
/// namespace, in the order the allocator tries them (by name).
pub fn pools(world: &World, install: &Install) -> Vec<Pool> {
    let mut pools = if install.release.legacy() {
        legacy_pools(world, &install.namespace)
    } else {
        custom_pools(world, &install.namespace)
    };
    pools.stable_sort_by(|a, b| a.name.cmp(&b.name));
    pools
}

/// `address-pools` of the `config` key of ConfigMap `config` (MetalLB ≤ 0.12). A config
/// that does not parse gives no pools (the controller logs it and keeps waiting).
fn legacy_pools(world: &World, namespace: &str) -> Vec<Pool> {
    let Some(text) = world
        .api
        .get_as::<ConfigMap>(namespace, "config")
        .and_then(|cm| cm.data.as_ref()?.get("config").cloned())
    else {
        return Vec::new();
    };
    let Some(doc) = manifest::parse(&text)
        .ok()
        .and_then(|d| d.into_iter().next())
    else {
        return Vec::new();
    };
    let Some(list) = doc.value.get("address-pools").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|p| {
            let protocol = match p.get("protocol").and_then(Value::as_str) {
                Some("layer2") => Protocol::Layer2,
                Some("bgp") => Protocol::Bgp,
                _ => return None,
            };
            Some(Pool {
                name: p.get("name")?.as_str()?.to_string(),
                protocol: Some(protocol),
                ranges: addresses(p.get("addresses")?)?,
                auto_assign: p.get("auto-assign").and_then(Value::as_bool) != Some(false),
                avoid_buggy_ips: p.get("avoid-buggy-ips").and_then(Value::as_bool) == Some(true),
            })
        })
        .collect()
}

/// A pool's address list; `None` if an entry is malformed (MetalLB refuses the pool).
fn addresses(v: &Value) -> Option<Vec<(u32, u32)>> {
    v.as_array()?
        .iter()
        .map(|a| parse_range(a.as_str()?))
        .collect()
}

/// `IPAddressPool` objects (MetalLB ≥ 0.13).
fn custom_pools(world: &World, namespace: &str) -> Vec<Pool> {
    custom_specs(world, "IPAddressPool", namespace)
        .into_iter()
        .filter_map(|(name, spec)| {
            Some(Pool {
                name,
                protocol: None,
                ranges: addresses(spec.get("addresses")?)?,
                auto_assign: spec.get("autoAssign").and_then(Value::as_bool) != Some(false),
                avoid_buggy_ips: spec.get("avoidBuggyIPs").and_then(Value::as_bool) == Some(true),
            })
        })
        .collect()
}

/// (name, spec) of each custom object of `kind` in `namespace` (none while MetalLB's CRDs
/// are not installed).
fn custom_specs(world: &World, kind: &str, namespace: &str) -> Vec<(String, Value)> {
    world
        .api
        .custom_objects(kind, Some(namespace))
        .into_iter()
        .filter_map(|o| {
            let name = o.get("metadata")?.get("name")?.as_str()?.to_string();
            Some((name, o.get("spec").cloned().unwrap_or(Value::Null)))
        })
        .collect()
}

/// Whether a current release announces `pool` in layer 2: an `L2Advertisement` of its
/// namespace selects it (by name, by label, or every pool when it names none). Legacy pools
/// say their protocol themselves.
fn announced_in_layer2(world: &World, install: &Install, pool: &Pool) -> bool {
    if let Some(p) = pool.protocol {
        return p == Protocol::Layer2;
    }
    custom_specs(world, "L2Advertisement", &install.namespace)
        .iter()
        .any(|(_, spec)| {
            let names = spec.get("ipAddressPools").and_then(Value::as_array);
            let selectors = spec.get("ipAddressPoolSelectors").and_then(Value::as_array);
            match (names, selectors) {
                (None, None) => true,
                (names, _) => names
                    .into_iter()
                    .flatten()
                    .any(|n| n.as_str() == Some(pool.name.as_str())),
            }
        })
}

/// Whether `ip` is one of MetalLB's pool addresses.
pub fn owns(world: &World, install: &Install, ip: &str) -> bool {
    pool_of(&pools(world, install), ip).is_some()
}

/// The pool that holds `ip`.
pub fn pool_of<'a>(pools: &'a [Pool], ip: &str) -> Option<&'a Pool> {
    pools.iter().find(|p| p.contains(ip))
}

/// The node that answers ARP for `ip`, a load-balancer address of `svc`: the speakers'
/// election among the eligible nodes (with `externalTrafficPolicy: Local`, or on a legacy
/// release, only nodes with a ready endpoint), ordered by the SHA-256 of `node#key` where
/// the key is the address (the service's `namespace/name` before 0.13). `None` when no
/// speaker announces it.
pub fn announcer(world: &World, install: &Install, svc: &Service, ip: &str) -> Option<String> {
    let pools = pools(world, install);
    let pool = pool_of(&pools, ip)?;
    if !announced_in_layer2(world, install, pool) {
        return None;
    }
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let endpoints = slices::endpoints(world, &ns, &name);
    let with_endpoint: BTreeSet<String> = endpoints
        .iter()
        .filter(|e| e.serving)
        .filter_map(|e| e.node.clone())
        .collect();
    if with_endpoint.is_empty() {
        return None;
    }
    let local = svc
        .spec
        .as_ref()
        .and_then(|s| s.external_traffic_policy.as_deref())
        == Some("Local");
    let eligible: Vec<&String> = install
        .speakers
        .iter()
        .filter(|n| !(local || install.release.legacy()) || with_endpoint.contains(*n))
        .collect();
    let key = if install.release.legacy() {
        format!("{ns}/{name}")
    } else {
        ip.to_string()
    };
    let mut ranked: BTreeMap<[u8; 32], &String> = BTreeMap::new();
    for node in eligible {
        let digest: [u8; 32] = Sha256::digest(format!("{node}#{key}").as_bytes()).into();
        ranked.insert(digest, node);
    }
    ranked.into_values().next().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_finds_free_addresses() {
        let r = parse_range("192.168.56.11-192.168.56.13").unwrap();
        let pool = Pool {
            name: "p".into(),
            protocol: Some(Protocol::Layer2),
            ranges: vec![r],
            auto_assign: true,
            avoid_buggy_ips: false,
        };
        let mut used = BTreeSet::new();
        assert_eq!(pool.first_free(&used).as_deref(), Some("192.168.56.11"));
        used.insert("192.168.56.11".to_string());
        assert_eq!(pool.first_free(&used).as_deref(), Some("192.168.56.12"));
        used.insert("192.168.56.12".to_string());
        used.insert("192.168.56.13".to_string());
        assert_eq!(pool.first_free(&used), None);
        assert!(pool.contains("192.168.56.12"));
        assert!(!pool.contains("192.168.56.14"));
        assert_eq!(parse_range("10.0.0.0/30"), Some((0x0a00_0000, 0x0a00_0003)));
        assert_eq!(parse_range("10.0.0.7"), Some((0x0a00_0007, 0x0a00_0007)));
        assert_eq!(parse_range("10.0.0.9-10.0.0.1"), None);
        assert_eq!(parse_range("fc00::/64"), None);
        assert_eq!(parse_range("999.0.0.1/8"), None);
        let huge = Pool {
            ranges: vec![parse_range("0.0.0.0/0").unwrap()],
            avoid_buggy_ips: true,
            ..pool
        };
        assert_eq!(
            huge.first_free(&BTreeSet::new()).as_deref(),
            Some("0.0.0.1")
        );
    }

    #[test]
    fn reads_release_tags() {
        assert!(Release::of_tag("v0.8.2").legacy());
        assert!(Release::of_tag("v0.12.1").legacy());
        assert!(!Release::of_tag("v0.13.7").legacy());
        assert!(!Release::of_tag("latest").legacy());
        assert!(!Release::of_tag("main").legacy());
    }
}
