//! `minikube service NAME… [-n NS] [--url] [--all] [--https] [--format]` and
//! `minikube service list [-n NS] [-o table|json]` (`cmd/minikube/cmd/service.go`,
//! `service_list.go`, `pkg/minikube/service`): the NodePort URLs on the node, then an SSH
//! tunnel per Service to a free local port.

use k8s_openapi::api::core::v1::{Pod, Service};

use super::{exit_message, flag, parse_or_usage, table, Kind, Parsed, EX_USAGE};
use crate::api::selector::Selector;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;

/// The node's address: the IP in every NodePort URL.
const NODE_IP: &str = "192.168.49.2";

/// `--format`'s default.
const DEFAULT_FORMAT: &str = "http://{{.IP}}:{{.Port}}";

/// Exit codes of `reason.ExSvcNotFound` and `reason.ExSvcUnavailable`.
const EX_SVC_NOT_FOUND: i32 = 115;

/// A Service's URLs on the node (`service.SvcURL`): one per port with a NodePort.
struct SvcUrl {
    namespace: String,
    name: String,
    urls: Vec<String>,
    port_names: Vec<String>,
    /// NodePort or LoadBalancer: minikube checks it has a running pod.
    exposed: bool,
    /// The Service has no ports (minikube's `CheckService` keeps failing).
    portless: bool,
}

/// Runs `minikube service …` (the arguments after `service`).
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    if args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str)
        == Some("list")
    {
        let rest: Vec<String> = match args.iter().position(|a| a == "list") {
            Some(i) => args
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, a)| a.clone())
                .collect(),
            None => args.to_vec(),
        };
        return list(cluster, &rest);
    }
    let flags = [
        flag("namespace", Some('n'), Kind::Str),
        flag("url", None, Kind::Bool),
        flag("all", None, Kind::Bool),
        flag("https", None, Kind::Bool),
        flag("wait", None, Kind::Int),
        flag("interval", None, Kind::Int),
        flag("format", None, Kind::Str),
    ];
    let parsed = match parse_or_usage(args, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let all = parsed.bool("all");
    if parsed.args.is_empty() != all {
        return exit_message(
            "X ",
            "MK_USAGE",
            "You must specify service name(s) or --all",
            EX_USAGE,
        );
    }
    if let Some(o) = super::missing_profile(&parsed) {
        return o;
    }
    open(cluster, &parsed)
}

/// The body of `minikube service` once its arguments are checked.
fn open(cluster: &mut Cluster, parsed: &Parsed) -> Output {
    let namespace = parsed.value("namespace").unwrap_or("default").to_string();
    let format = parsed.value("format").unwrap_or(DEFAULT_FORMAT).to_string();
    let url_mode = parsed.bool("url");
    let https = parsed.bool("https");
    let mut services = service_urls(cluster, Some(&namespace), &format);
    if !parsed.args.is_empty() {
        services.retain(|s| parsed.args.contains(&s.name));
    }
    let Some(first_arg) = parsed.args.first().or(services.first().map(|s| &s.name)) else {
        return exit_message(
            "X ",
            "SVC_NOT_FOUND",
            &format!("No services were found in the '{namespace}' namespace.\nYou may select another namespace by using 'minikube service --all -n <namespace>'"),
            EX_SVC_NOT_FOUND,
        );
    };
    if services.is_empty() {
        return not_found(first_arg, &namespace);
    }
    let mut o = Output::default();
    let mut no_node_port = Vec::new();
    for svc in &services {
        if svc.portless {
            // `WaitForService` retries for `--wait` seconds, then gives up.
            let wait = parsed
                .value("wait")
                .and_then(|w| w.parse::<i64>().ok())
                .unwrap_or(2);
            cluster.advance(SimDuration::seconds(wait.clamp(0, 60)));
            o.extend(not_found(
                &format!("{{{} {} [] []}}", svc.namespace, svc.name),
                &namespace,
            ));
            return o;
        }
        if !url_mode {
            let row = if svc.urls.is_empty() {
                [&namespace, &svc.name, "", "No node port"].map(str::to_string)
            } else {
                [
                    namespace.clone(),
                    svc.name.clone(),
                    svc.port_names.join("\n"),
                    svc.urls.join("\n"),
                ]
            };
            o.out_raw(table::services(&[row]));
        }
        if svc.urls.is_empty() {
            o.out(format!(
                "* service {namespace}/{} has no node port",
                svc.name
            ));
            no_node_port.push(format!("{}/{}", svc.namespace, svc.name));
        }
        if svc.exposed && !has_running_pod(cluster, &namespace, &svc.name) {
            o.extend(unreachable(parsed, &svc.name));
            return o;
        }
    }
    if !no_node_port.is_empty() {
        o.err(format!(
            "! Services [{}] have type \"ClusterIP\" not meant to be exposed, however for local development minikube allows you to access this !",
            no_node_port.join(" ")
        ));
    }
    o.extend(tunnel(
        cluster, &services, &namespace, &format, url_mode, https,
    ));
    o
}

/// `startKicServiceTunnel`: closes the previous `minikube service`'s tunnels, opens one per
/// Service port on a free local port, prints the URLs and waits there.
fn tunnel(
    cluster: &mut Cluster,
    services: &[SvcUrl],
    namespace: &str,
    format: &str,
    url_mode: bool,
    https: bool,
) -> Output {
    let mut o = Output::default();
    for port in std::mem::take(&mut cluster.minikube.service_ports) {
        cluster.network.tunnels.remove(&port);
    }
    let mut rows = Vec::new();
    for svc in services {
        let ports: Vec<u16> = cluster
            .world
            .api
            .get_as::<Service>(namespace, &svc.name)
            .and_then(|s| s.spec.as_ref())
            .and_then(|s| s.ports.as_ref())
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| u16::try_from(p.port).ok())
                    .collect()
            })
            .unwrap_or_default();
        let mut urls = Vec::new();
        for svc_port in ports {
            let Some(local) = cluster.network.free_port() else {
                continue;
            };
            cluster
                .network
                .tunnels
                .insert(local, (namespace.to_string(), svc.name.clone(), svc_port));
            cluster.minikube.service_ports.push(local);
            let url = render(format, "127.0.0.1", &local.to_string(), &svc.name);
            urls.push(with_https(url, https));
        }
        if !url_mode {
            o.out(format!("* Starting tunnel for service {}.", svc.name));
        }
        rows.push([
            namespace.to_string(),
            svc.name.clone(),
            String::new(),
            urls.join("\n"),
        ]);
    }
    // minikube waits a second for the SSH connections to come up.
    cluster.advance(SimDuration::seconds(1));
    if url_mode {
        for row in &rows {
            o.out(&row[3]);
        }
    } else {
        o.out_raw(table::services(&rows));
        for row in &rows {
            o.out(format!(
                "* Opening service {namespace}/{} in default browser...",
                row[1]
            ));
        }
    }
    o.err("! Because you are using a Docker driver on linux, the terminal needs to be open to run it.");
    o
}

/// `SVC_NOT_FOUND` for `service` (a name, or the Service minikube gave up on).
fn not_found(service: &str, namespace: &str) -> Output {
    exit_message(
        "X ",
        "SVC_NOT_FOUND",
        &format!("Service '{service}' was not found in '{namespace}' namespace.\nYou may select another namespace by using 'minikube service {service} -n <namespace>'. Or list out all the services using 'minikube service list'"),
        EX_SVC_NOT_FOUND,
    )
}

/// `SVC_UNREACHABLE`: a NodePort or LoadBalancer Service without a running pod; minikube
/// then asks for a bug report, naming its log file.
fn unreachable(parsed: &Parsed, name: &str) -> Output {
    let mut o = exit_message(
        "X ",
        "SVC_UNREACHABLE",
        &format!("service not available: no running pod for service {name} found"),
        EX_SVC_NOT_FOUND,
    );
    super::report_issue(&mut o, "service", &parsed.args);
    o
}

/// Whether a pod the Service selects is `Running` (minikube's `CheckServicePods`).
fn has_running_pod(cluster: &Cluster, namespace: &str, name: &str) -> bool {
    let selector = cluster
        .world
        .api
        .get_as::<Service>(namespace, name)
        .and_then(|s| s.spec.as_ref())
        .and_then(|s| s.selector.clone())
        .unwrap_or_default();
    let selector = Selector::from_map(&selector);
    cluster
        .world
        .api
        .list_as::<Pod>(Some(namespace))
        .filter(|p| selector.matches(p.metadata.labels.as_ref()))
        .any(|p| crate::api::pod::phase(p) == "Running")
}

/// Every Service's URLs in `namespace` (every namespace for `None`), as
/// `service.GetServiceURLs` computes them with the `--format` template.
fn service_urls(cluster: &Cluster, namespace: Option<&str>, format: &str) -> Vec<SvcUrl> {
    cluster
        .world
        .api
        .list_as::<Service>(namespace)
        .map(|svc| {
            let spec = svc.spec.as_ref();
            let ports = spec.and_then(|s| s.ports.as_deref()).unwrap_or(&[]);
            let mut urls = Vec::new();
            let mut port_names = Vec::new();
            for p in ports {
                let label = match p.name.as_deref() {
                    Some(n) if !n.is_empty() => format!("{n}/{}", p.port),
                    _ => p.port.to_string(),
                };
                if let Some(node_port) = p.node_port.filter(|n| *n > 0) {
                    urls.push(render(format, NODE_IP, &node_port.to_string(), &label));
                    port_names.push(label);
                }
            }
            let type_ = spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP");
            SvcUrl {
                namespace: svc.metadata.namespace.clone().unwrap_or_default(),
                name: svc.metadata.name.clone().unwrap_or_default(),
                urls,
                port_names,
                exposed: matches!(type_, "NodePort" | "LoadBalancer"),
                portless: ports.is_empty(),
            }
        })
        .collect()
}

/// The `--format` template with `{{.IP}}`, `{{.Port}}` and `{{.Name}}` filled in.
fn render(format: &str, ip: &str, port: &str, name: &str) -> String {
    format
        .replace("{{.IP}}", ip)
        .replace("{{.Port}}", port)
        .replace("{{.Name}}", name)
}

/// `--https`: an `http://` URL becomes `https://` (`OptionallyHTTPSFormattedURLString`).
fn with_https(url: String, https: bool) -> String {
    match url.strip_prefix("http://") {
        Some(rest) if https => format!("https://{rest}"),
        _ => url,
    }
}

/// `minikube service list [-n NS] [-o table|json]`: every Service (of every namespace by
/// default) with its target ports; the NodePort URLs are left out, as minikube does when it
/// must port-forward.
fn list(cluster: &Cluster, args: &[String]) -> Output {
    let flags = [
        flag("namespace", Some('n'), Kind::Str),
        flag("output", Some('o'), Kind::Str),
        flag("format", None, Kind::Str),
    ];
    let parsed = match parse_or_usage(args, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if let Some(o) = super::missing_profile(&parsed) {
        return o;
    }
    let namespace = parsed.value("namespace").filter(|n| !n.is_empty());
    let format = parsed.value("format").unwrap_or(DEFAULT_FORMAT);
    let services: Vec<SvcUrl> = service_urls(cluster, namespace, format)
        .into_iter()
        .map(|mut s| {
            if s.urls.is_empty() {
                s.port_names = vec!["No node port".into()];
            } else {
                s.urls.clear();
            }
            s
        })
        .collect();
    let mut o = Output::default();
    match parsed
        .value("output")
        .unwrap_or("table")
        .to_lowercase()
        .as_str()
    {
        "table" => {
            let rows: Vec<[String; 4]> = services
                .iter()
                .map(|s| {
                    [
                        s.namespace.clone(),
                        s.name.clone(),
                        s.port_names.join("\n"),
                        s.urls.join("\n"),
                    ]
                })
                .collect();
            o.out_raw(table::services(&rows));
        }
        "json" => {
            let items: Vec<serde_json::Value> = services
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "Namespace": s.namespace,
                        "Name": s.name,
                        "URLs": s.urls,
                        "PortNames": s.port_names,
                    })
                })
                .collect();
            o.out_raw(json_in_field_order(&items));
        }
        other => {
            return exit_message(
                "X ",
                "MK_USAGE",
                &format!("invalid output format: {other}. Valid values: 'table', 'json'"),
                EX_USAGE,
            )
        }
    }
    o
}

/// Go's `json.Marshal` of `[]SvcURL`: fields in declaration order, no spaces.
fn json_in_field_order(items: &[serde_json::Value]) -> String {
    let quote = |s: &serde_json::Value| s.to_string();
    let parts: Vec<String> = items
        .iter()
        .map(|v| {
            format!(
                "{{\"Namespace\":{},\"Name\":{},\"URLs\":{},\"PortNames\":{}}}",
                quote(&v["Namespace"]),
                quote(&v["Name"]),
                quote(&v["URLs"]),
                quote(&v["PortNames"])
            )
        })
        .collect();
    if parts.is_empty() {
        return "null".into();
    }
    format!("[{}]", parts.join(","))
}
