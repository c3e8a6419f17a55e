//! `kubectl describe` bodies for services, configmaps and service accounts, as kubectl 1.34
//! writes them (before the tabwriter).

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::labels_and_annotations;
use crate::api::object::EndpointSlice;
use crate::controllers::endpointslice::LABEL_SERVICE_NAME;
use crate::world::World;

fn or_none(items: &[String]) -> String {
    if items.is_empty() {
        "<none>".into()
    } else {
        items.join(",")
    }
}

/// The body of `describe service`, up to (not including) Events.
pub fn service(world: &World, s: &Service) -> String {
    let spec = s.spec.clone().unwrap_or_default();
    let ns = s.metadata.namespace.clone().unwrap_or_default();
    let mut o = format!(
        "Name:\t{}\nNamespace:\t{ns}\n",
        s.metadata.name.as_deref().unwrap_or("")
    );
    o.push_str(&labels_and_annotations(&s.metadata));
    let selector: Vec<String> = spec
        .selector
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    o.push_str(&format!("Selector:\t{}\n", or_none(&selector)));
    o.push_str(&format!("Type:\t{}\n", spec.type_.as_deref().unwrap_or("")));
    if let Some(p) = &spec.ip_family_policy {
        o.push_str(&format!("IP Family Policy:\t{p}\n"));
    }
    o.push_str(&format!(
        "IP Families:\t{}\n",
        or_none(spec.ip_families.as_deref().unwrap_or(&[]))
    ));
    o.push_str(&format!(
        "IP:\t{}\n",
        spec.cluster_ip.as_deref().unwrap_or("")
    ));
    o.push_str(&format!(
        "IPs:\t{}\n",
        or_none(spec.cluster_ips.as_deref().unwrap_or(&[]))
    ));
    if let Some(ips) = spec.external_ips.as_ref().filter(|v| !v.is_empty()) {
        o.push_str(&format!("External IPs:\t{}\n", ips.join(",")));
    }
    if let Some(ip) = spec.load_balancer_ip.as_ref().filter(|v| !v.is_empty()) {
        o.push_str(&format!("Desired LoadBalancer IP:\t{ip}\n"));
    }
    if let Some(n) = spec.external_name.as_ref().filter(|v| !v.is_empty()) {
        o.push_str(&format!("External Name:\t{n}\n"));
    }
    // kubectl 1.31+ reads the service's EndpointSlices, not its Endpoints.
    let name = s.metadata.name.as_deref().unwrap_or("");
    let slices: Vec<&EndpointSlice> = world
        .api
        .list_as::<EndpointSlice>(Some(&ns))
        .filter(|e| {
            e.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_SERVICE_NAME))
                == Some(&name.to_string())
        })
        .collect();
    for p in spec.ports.iter().flatten() {
        let name = p
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        let proto = p.protocol.as_deref().unwrap_or("TCP");
        o.push_str(&format!("Port:\t{name}\t{}/{proto}\n", p.port));
        let target = match &p.target_port {
            Some(IntOrString::Int(n)) => n.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => p.port.to_string(),
        };
        o.push_str(&format!("TargetPort:\t{target}/{proto}\n"));
        if let Some(n) = p.node_port.filter(|n| *n != 0) {
            o.push_str(&format!("NodePort:\t{name}\t{n}/{proto}\n"));
        }
        o.push_str(&format!(
            "Endpoints:\t{}\n",
            endpoint_slices(&slices, p.name.as_deref().unwrap_or(""))
        ));
    }
    o.push_str(&format!(
        "Session Affinity:\t{}\n",
        spec.session_affinity.as_deref().unwrap_or("")
    ));
    if let Some(p) = &spec.external_traffic_policy {
        o.push_str(&format!("External Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = &spec.internal_traffic_policy {
        o.push_str(&format!("Internal Traffic Policy:\t{p}\n"));
    }
    o
}

/// The `Endpoints:` of one service port (`formatEndpointSlices`): the ready endpoints'
/// `ip:port` for the slices' ports of that name (bare IPs from slices without ports), at
/// most three, then ` + N more...`; `<none>` without slices. As kubectl's, the "more" count
/// is taken before the readiness filter, so a fourth endpoint that is not ready still ends
/// the list.
pub(crate) fn endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let (mut list, mut more, mut count) = (Vec::new(), false, 0usize);
    let mut visit = |ep: &k8s_openapi::api::discovery::v1::Endpoint, port: Option<i32>| {
        if list.len() == MAX {
            more = true;
        }
        if ep.conditions.as_ref().and_then(|c| c.ready) == Some(false) {
            return;
        }
        let Some(addr) = ep.addresses.first() else {
            return;
        };
        if !more {
            list.push(match port {
                Some(p) if addr.contains(':') => format!("[{addr}]:{p}"),
                Some(p) => format!("{addr}:{p}"),
                None => addr.clone(),
            });
        }
        count += 1;
    };
    for slice in slices {
        let ports = slice.ports.as_deref().unwrap_or(&[]);
        if ports.is_empty() {
            slice.endpoints.iter().for_each(|ep| visit(ep, None));
        }
        for port in ports
            .iter()
            .filter(|p| p.name.as_deref().unwrap_or("") == port_name)
        {
            let number = port.port.unwrap_or(0);
            slice
                .endpoints
                .iter()
                .for_each(|ep| visit(ep, Some(number)));
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count.saturating_sub(MAX))
    } else {
        joined
    }
}

/// The body of `describe configmap`, up to (not including) Events.
pub fn configmap(cm: &ConfigMap) -> String {
    let mut o = format!(
        "Name:\t{}\nNamespace:\t{}\n",
        cm.metadata.name.as_deref().unwrap_or(""),
        cm.metadata.namespace.as_deref().unwrap_or("")
    );
    o.push_str(&labels_and_annotations(&cm.metadata));
    o.push_str("\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        o.push_str(&format!("{k}:\n----\n{v}\n\n"));
    }
    o.push_str("\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        o.push_str(&format!("{k}: {} bytes\n", v.0.len()));
    }
    o.push('\n');
    o
}

/// The body of `describe serviceaccount`, up to (not including) Events.
pub fn serviceaccount(sa: &ServiceAccount) -> String {
    let mut o = format!(
        "Name:\t{}\nNamespace:\t{}\n",
        sa.metadata.name.as_deref().unwrap_or(""),
        sa.metadata.namespace.as_deref().unwrap_or("")
    );
    o.push_str(&labels_and_annotations(&sa.metadata));
    let names = |v: Vec<String>| {
        if v.is_empty() {
            "<none>".to_string()
        } else {
            v.join("\n\t")
        }
    };
    o.push_str(&format!(
        "Image pull secrets:\t{}\n",
        names(
            sa.image_pull_secrets
                .iter()
                .flatten()
                .map(|s| s.name.clone())
                .collect()
        )
    ));
    o.push_str(&format!(
        "Mountable secrets:\t{}\n",
        names(
            sa.secrets
                .iter()
                .flatten()
                .filter_map(|s| s.name.clone())
                .collect()
        )
    ));
    o.push_str("Tokens:\t<none>\n");
    o
}
