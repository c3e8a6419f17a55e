//! `kubectl describe` bodies for services, configmaps and service accounts, as kubectl 1.34
//! writes them (before the tabwriter).

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::labels_and_annotations;
use crate::api::object::Object;
use crate::printers::service_columns::format_endpoints;
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
    let subsets = match world
        .api
        .get("Endpoints", &ns, s.metadata.name.as_deref().unwrap_or(""))
    {
        Some(Object::Endpoints(ep)) => ep.subsets.clone().unwrap_or_default(),
        _ => Vec::new(),
    };
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
            format_endpoints(&subsets, Some(p.name.as_deref().unwrap_or("")))
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
