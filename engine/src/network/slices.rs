//! A Service's endpoints as kube-proxy and CoreDNS read them: from its EndpointSlices
//! (`kubernetes.io/service-name`), with their conditions.

use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::world::World;

/// The label that ties a slice to its Service.
const SERVICE_NAME: &str = "kubernetes.io/service-name";

/// One endpoint address of a Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The address.
    pub ip: String,
    /// The pod behind it, if any.
    pub pod: Option<String>,
    /// The node it runs on.
    pub node: Option<String>,
    /// Ready to receive traffic (a missing condition counts as ready).
    pub ready: bool,
    /// Serving, even if terminating.
    pub serving: bool,
    /// Being deleted.
    pub terminating: bool,
    /// The slice's ports: (name, port, protocol).
    pub ports: Vec<(String, u16, String)>,
}

/// Every endpoint of Service `ns/name`, slice by slice.
pub fn endpoints(world: &World, ns: &str, name: &str) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for slice in world.api.list_as::<EndpointSlice>(Some(ns)) {
        let owned = slice
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(SERVICE_NAME))
            .is_some_and(|s| s == name);
        if !owned || slice.address_type != "IPv4" {
            continue;
        }
        let ports: Vec<(String, u16, String)> = slice
            .ports
            .iter()
            .flatten()
            .filter_map(|p| {
                Some((
                    p.name.clone().unwrap_or_default(),
                    u16::try_from(p.port?).ok()?,
                    p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                ))
            })
            .collect();
        for e in &slice.endpoints {
            let c = e.conditions.as_ref();
            let ready = c.and_then(|c| c.ready).unwrap_or(true);
            let serving = c.and_then(|c| c.serving).unwrap_or(ready);
            let terminating = c.and_then(|c| c.terminating).unwrap_or(false);
            for ip in &e.addresses {
                out.push(Endpoint {
                    ip: ip.clone(),
                    pod: e.target_ref.as_ref().and_then(|r| r.name.clone()),
                    node: e.node_name.clone(),
                    ready,
                    serving,
                    terminating,
                    ports: ports.clone(),
                });
            }
        }
    }
    out
}

/// The endpoints kube-proxy sends to: the ready ones, or, when none is ready, those still
/// serving while they terminate (upstream's ProxyTerminatingEndpoints).
pub fn usable(all: Vec<Endpoint>) -> Vec<Endpoint> {
    if all.iter().any(|e| e.ready) {
        all.into_iter().filter(|e| e.ready).collect()
    } else {
        all.into_iter()
            .filter(|e| e.serving && e.terminating)
            .collect()
    }
}
