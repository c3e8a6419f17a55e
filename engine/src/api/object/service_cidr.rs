//! ServiceCIDR and IPAddress (`networking.k8s.io/v1`): the main validation
//! (`pkg/apis/networking/validation`), the default ServiceCIDR the apiserver keeps, and the
//! IPAddress that records each Service ClusterIP the allocator hands out.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPAddressSpec, ParentReference, ServiceCIDRSpec, ServiceCIDRStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta, Time};

use super::{IPAddress, KindRules, Object, ServiceCIDR, StatusSubresource};

/// The range kubeadm gives Services (`--service-cluster-ip-range`).
pub const SERVICE_CIDR: &str = "10.96.0.0/12";

/// The label naming who allocated an IPAddress.
const MANAGED_BY: &str = "ipaddress.kubernetes.io/managed-by";

impl KindRules for ServiceCIDR {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let cidrs = self
            .spec
            .as_ref()
            .and_then(|s| s.cidrs.clone())
            .unwrap_or_default();
        match cidrs.len() {
            0 => causes.push("spec.cidrs: Required value".into()),
            1 | 2 => {}
            _ => causes.push("spec.cidrs: Too many: 3: must have at most 2 items".into()),
        }
        for (i, c) in cidrs.iter().enumerate() {
            if crate::api::cidr::Cidr::parse(c).is_none() {
                causes.push(format!(
                    "spec.cidrs[{i}]: Invalid value: \"{c}\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
                ));
            }
        }
    }
}

impl StatusSubresource for ServiceCIDR {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }
    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

impl KindRules for IPAddress {
    fn validate(&self, obj: &Object, causes: &mut Vec<String>) {
        let name = obj.name();
        if !name.is_empty() && name.parse::<std::net::IpAddr>().is_err() {
            causes.push(format!(
                "metadata.name: Invalid value: \"{name}\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            ));
        }
        match self.spec.as_ref().map(|s| &s.parent_ref) {
            None => causes.push("spec.parentRef: Required value".into()),
            Some(r) => {
                if r.resource.is_empty() {
                    causes.push("spec.parentRef.resource: Required value".into());
                }
                if r.name.is_empty() {
                    causes.push("spec.parentRef.name: Required value".into());
                }
            }
        }
    }
}

impl StatusSubresource for IPAddress {}

/// The `kubernetes` ServiceCIDR the apiserver creates from its flags, Ready.
pub fn default_service_cidr(now: &Time) -> ServiceCIDR {
    ServiceCIDR {
        metadata: ObjectMeta {
            name: Some("kubernetes".into()),
            ..Default::default()
        },
        spec: Some(ServiceCIDRSpec {
            cidrs: Some(vec![SERVICE_CIDR.into()]),
        }),
        status: Some(ServiceCIDRStatus {
            conditions: Some(vec![Condition {
                type_: "Ready".into(),
                status: "True".into(),
                reason: String::new(),
                message: "Kubernetes default Service CIDR is ready".into(),
                last_transition_time: now.clone(),
                observed_generation: None,
            }]),
        }),
    }
}

/// The IPAddress the allocator stores for `ip`, held by the Service `namespace/name`.
pub fn service_ip(ip: &str, namespace: &str, name: &str) -> IPAddress {
    let family = if ip.contains(':') { "IPv6" } else { "IPv4" };
    IPAddress {
        metadata: ObjectMeta {
            name: Some(ip.into()),
            labels: Some(BTreeMap::from([
                ("ipaddress.kubernetes.io/ip-family".into(), family.into()),
                (MANAGED_BY.into(), "ipallocator.k8s.io".into()),
            ])),
            ..Default::default()
        },
        spec: Some(IPAddressSpec {
            parent_ref: ParentReference {
                group: Some(String::new()),
                resource: "services".into(),
                namespace: Some(namespace.into()),
                name: name.into(),
            },
        }),
    }
}

/// Whether `ip` belongs to the Service `namespace/name`.
pub fn held_by(ip: &IPAddress, namespace: &str, name: &str) -> bool {
    ip.spec.as_ref().map(|s| &s.parent_ref).is_some_and(|r| {
        r.resource == "services" && r.namespace.as_deref() == Some(namespace) && r.name == name
    })
}
