//! Cells of `kubectl get` for services, endpoints, configmaps and service accounts.

use k8s_openapi::api::core::v1::{ConfigMap, EndpointSubset, Endpoints, Service};

/// The cells after NAME (and before AGE) of a service row, then SELECTOR for `-o wide`.
pub fn service_cells(s: &Service) -> (Vec<String>, String) {
    let spec = s.spec.clone().unwrap_or_default();
    let kind = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    let cluster_ip = spec
        .cluster_ips
        .as_ref()
        .and_then(|v| v.first().cloned())
        .or(spec.cluster_ip.clone())
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "<none>".into());
    let external = spec.external_ips.clone().unwrap_or_default();
    let external_cell = match kind.as_str() {
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        "LoadBalancer" => {
            let mut ips: Vec<String> = s
                .status
                .as_ref()
                .and_then(|st| st.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.clone())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|i| i.ip.or(i.hostname))
                .collect();
            ips.extend(external);
            if ips.is_empty() {
                "<pending>".into()
            } else {
                ips.join(",")
            }
        }
        _ if !external.is_empty() => external.join(","),
        _ => "<none>".into(),
    };
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.as_deref().unwrap_or("TCP");
            match p.node_port.filter(|n| *n > 0) {
                Some(n) => format!("{}:{n}/{proto}", p.port),
                None => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    let ports = if ports.is_empty() {
        "<none>".into()
    } else {
        ports.join(",")
    };
    let selector = match &spec.selector {
        Some(m) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".into(),
    };
    (vec![kind, cluster_ip, external_cell, ports], selector)
}

/// `ip:port` for each subset × port × ready address, at most three then ` + N more...`.
pub fn endpoints_cell(ep: &Endpoints) -> String {
    format_endpoints(ep.subsets.as_deref().unwrap_or(&[]), None)
}

/// The same list, limited to the ports named `port_name` (describe service's per-port line).
pub fn format_endpoints(subsets: &[EndpointSubset], port_name: Option<&str>) -> String {
    let mut all = Vec::new();
    for s in subsets {
        let addresses = s.addresses.as_deref().unwrap_or(&[]);
        let ports: Vec<i32> = s
            .ports
            .iter()
            .flatten()
            .filter(|p| port_name.is_none_or(|n| p.name.as_deref().unwrap_or("") == n))
            .map(|p| p.port)
            .collect();
        if ports.is_empty() && port_name.is_none() {
            all.extend(addresses.iter().map(|a| a.ip.clone()));
        }
        for port in ports {
            all.extend(addresses.iter().map(|a| format!("{}:{port}", a.ip)));
        }
    }
    if all.is_empty() {
        return if port_name.is_some() {
            String::new()
        } else {
            "<none>".into()
        };
    }
    let more = all.len().saturating_sub(3);
    let shown: Vec<&str> = all.iter().take(3).map(String::as_str).collect();
    let mut s = shown.join(",");
    if more > 0 {
        s.push_str(&format!(" + {more} more..."));
    }
    s
}

/// DATA of a configmap: its data and binaryData keys.
pub fn configmap_data(cm: &ConfigMap) -> String {
    (cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len()))
        .to_string()
}
