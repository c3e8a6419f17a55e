//! The Service ClusterIP allocator's records (the MultiCIDRServiceAllocator, GA in 1.33): an
//! IPAddress object per ClusterIP a Service holds, written with the Service and removed with
//! it. Its uids come from a stream of its own, so every other random choice stays as it was.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::store::Store;
use crate::api::object::service_cidr::{held_by, service_ip};
use crate::api::object::{Object, Service};
use crate::rng::Rng;

/// The ClusterIPs `svc` holds (none for a headless or ExternalName Service).
fn cluster_ips(svc: &Service) -> Vec<String> {
    let spec = svc.spec.as_ref();
    let mut ips: Vec<String> = spec.and_then(|s| s.cluster_ips.clone()).unwrap_or_default();
    if ips.is_empty() {
        ips.extend(spec.and_then(|s| s.cluster_ip.clone()));
    }
    ips.retain(|ip| ip.parse::<std::net::IpAddr>().is_ok());
    ips
}

/// The IPAddress objects for `svc`'s ClusterIPs, as the allocator writes them.
pub fn for_service(svc: &Service) -> Vec<Object> {
    let ns = svc.metadata.namespace.as_deref().unwrap_or("");
    let name = svc.metadata.name.as_deref().unwrap_or("");
    cluster_ips(svc)
        .iter()
        .map(|ip| Object::IPAddress(Box::new(service_ip(ip, ns, name))))
        .collect()
}

/// Stores the IPAddresses of a Service just created.
pub fn allocate(store: &mut Store, svc: &Service, now: &Time, rng: &Rng) {
    let mut rng = rng.fork("ipaddress");
    for ip in for_service(svc) {
        let _ = store.create(ip, now.clone(), &mut rng);
    }
}

/// Removes the IPAddresses the Service `namespace/name` held.
pub fn release(store: &mut Store, namespace: &str, name: &str) {
    let held: Vec<String> = store
        .list("IPAddress", None)
        .filter_map(|o| match o {
            Object::IPAddress(ip) if held_by(ip, namespace, name) => Some(o.name().to_string()),
            _ => None,
        })
        .collect();
    for ip in held {
        store.remove("IPAddress", "", &ip);
    }
}
