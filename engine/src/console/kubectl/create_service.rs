//! `kubectl create service clusterip|nodeport|loadbalancer|externalname NAME` and
//! `kubectl expose TYPE NAME`: services built the way kubectl's generators build them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::flags::{self, Flag};
use super::generate;
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const SERVICE_FLAGS: &[Flag] = &[
    flags::value("tcp", None),
    flags::value("node-port", None),
    flags::value("clusterip", None),
    flags::value("external-name", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

const SUBCOMMANDS: &str = "Create a service using a specified subcommand.\n\nAliases:\nservice, svc\n\nAvailable Commands:\n  clusterip      Create a ClusterIP service\n  externalname   Create an ExternalName service\n  loadbalancer   Create a LoadBalancer service\n  nodeport       Create a NodePort service\n\nUsage:\n  kubectl create service [flags] [options]\n\nUse \"kubectl create service <command> --help\" for more information about a given command.";

/// `port[:targetPort]` as kubectl's `parsePorts` reads it.
fn parse_tcp(spec: &str) -> Result<(i32, IntOrString), String> {
    let (port, target) = spec.split_once(':').unwrap_or((spec, ""));
    let port: i32 = port
        .parse()
        .map_err(|_| format!("strconv.Atoi: parsing \"{port}\": invalid syntax"))?;
    let target = if target.is_empty() {
        IntOrString::Int(port)
    } else {
        match target.parse::<i32>() {
            Ok(n) => IntOrString::Int(n),
            Err(_) => IntOrString::String(target.to_string()),
        }
    };
    Ok((port, target))
}

/// Runs `kubectl create service ...` (args after `service`).
pub fn create_service(cluster: &mut Cluster, args: &[String]) -> Output {
    let Some((sub, rest)) = args.split_first() else {
        let mut o = Output::default();
        o.out(SUBCOMMANDS);
        return o;
    };
    let type_ = match sub.as_str() {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        other => {
            let close: Vec<&str> = ["clusterip", "externalname", "loadbalancer", "nodeport"]
                .into_iter()
                .filter(|c| {
                    crate::api::manifest::edit_distance(c, other) <= 2 || c.starts_with(other)
                })
                .collect();
            let mut message = format!("unknown command \"{other}\" for \"kubectl create service\"");
            if !close.is_empty() {
                message.push_str("\n\nDid you mean this?\n");
                for c in close {
                    message.push_str(&format!("\t{c}\n"));
                }
            }
            return super::error(message);
        }
    };
    let path = format!("create service {sub}");
    let parsed = match flags::parse(&path, rest, SERVICE_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(name) = parsed
        .positionals
        .first()
        .filter(|_| parsed.positionals.len() == 1)
    else {
        return super::error(format!(
            "exactly one NAME is required, got {}\nSee 'kubectl {path} -h' for help and examples",
            parsed.positionals.len()
        ));
    };
    let cluster_ip = parsed.value("clusterip").map(str::to_string);
    let external_name = parsed.value("external-name").map(str::to_string);
    if type_ == "ExternalName" && external_name.is_none() {
        return super::error("required flag(s) \"external-name\" not set");
    }
    let tcp: Vec<String> = parsed.list("tcp");
    if tcp.is_empty() && type_ != "ExternalName" && cluster_ip.as_deref() != Some("None") {
        return super::error("at least one tcp port specifier must be provided");
    }
    let node_port = match parsed.value("node-port").map(str::parse::<i32>) {
        None => None,
        Some(Ok(n)) => Some(n).filter(|n| *n != 0),
        Some(Err(_)) => {
            let v = parsed.value("node-port").unwrap_or("");
            return super::error(format!(
                "invalid argument \"{v}\" for \"--node-port\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
            ));
        }
    };
    let mut ports = Vec::new();
    for spec in &tcp {
        let (port, target) = match parse_tcp(spec) {
            Ok(p) => p,
            Err(e) => return super::error(e),
        };
        ports.push(ServicePort {
            name: Some(spec.replace(':', "-")),
            port,
            target_port: Some(target),
            protocol: Some("TCP".into()),
            node_port: node_port.filter(|_| type_ == "NodePort"),
            ..Default::default()
        });
    }
    let app = BTreeMap::from([("app".to_string(), name.clone())]);
    let svc = Service {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(super::namespace(cluster, &parsed)),
            labels: Some(app.clone()),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            type_: Some(type_.into()),
            ports: Some(ports),
            selector: Some(app),
            cluster_ip,
            external_name,
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let mut obj = Object::Service(Box::new(svc));
    if let Object::Service(s) = &mut obj {
        s.status = Some(k8s_openapi::api::core::v1::ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        });
    }
    generate::finish(cluster, &parsed, obj, "created")
}

pub(super) const EXPOSE_FLAGS: &[Flag] = &[
    flags::value("port", None),
    flags::value("target-port", None),
    flags::value("type", None),
    flags::value("name", None),
    flags::value("protocol", None),
    flags::value("selector", None),
    flags::value("labels", Some('l')),
    flags::value("cluster-ip", None),
    flags::value("external-ip", None),
    flags::value("filename", Some('f')),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    super::overrides::FLAGS[0],
    super::overrides::FLAGS[1],
];

/// What kubectl reads from the exposed object: selector, labels and container ports.
struct Source {
    selector: Option<BTreeMap<String, String>>,
    labels: Option<BTreeMap<String, String>>,
    ports: Vec<(i32, Option<String>)>,
    kind: &'static str,
}

/// A workload's selector (matchLabels only, as kubectl copies it), labels and the container
/// ports of its pod template.
fn workload_source(
    selector: Option<BTreeMap<String, String>>,
    labels: Option<BTreeMap<String, String>>,
    template: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>,
    kind: &'static str,
) -> Source {
    Source {
        selector,
        labels,
        ports: template
            .and_then(|t| t.spec.as_ref())
            .iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.ports.iter().flatten())
            .map(|p| (p.container_port, p.protocol.clone()))
            .collect(),
        kind,
    }
}

/// Runs `kubectl expose TYPE NAME` / `kubectl expose TYPE/NAME`.
pub fn expose(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("expose", args, EXPOSE_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let usage = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";
    if parsed.positionals.is_empty() {
        return super::error(usage);
    }
    let requests = match super::resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) => r,
        Err(e) => return super::error(e),
    };
    let Some(req) = requests.first() else {
        return super::error(usage);
    };
    let Some(obj_name) = req.names.first() else {
        return super::error(usage);
    };
    let namespace = super::namespace(cluster, &parsed);
    if !matches!(
        req.kind.kind,
        "Pod" | "Service" | "ReplicationController" | "Deployment" | "ReplicaSet"
    ) {
        return super::error(format!("cannot expose a {}", req.kind.kind));
    }
    let source = match cluster.world.api.get(req.kind.kind, &namespace, obj_name) {
        Some(Object::Pod(p)) => Source {
            selector: p.metadata.labels.clone(),
            labels: p.metadata.labels.clone(),
            ports: p
                .spec
                .iter()
                .flat_map(|s| s.containers.iter())
                .flat_map(|c| c.ports.iter().flatten())
                .map(|p| (p.container_port, p.protocol.clone()))
                .collect(),
            kind: "pod",
        },
        Some(Object::Service(s)) => Source {
            selector: s.spec.as_ref().and_then(|sp| sp.selector.clone()),
            labels: s.metadata.labels.clone(),
            ports: s
                .spec
                .iter()
                .flat_map(|sp| sp.ports.iter().flatten())
                .map(|p| (p.port, p.protocol.clone()))
                .collect(),
            kind: "service",
        },
        Some(Object::Deployment(d)) => workload_source(
            d.spec
                .as_ref()
                .and_then(|s| s.selector.match_labels.clone()),
            d.metadata.labels.clone(),
            d.spec.as_ref().map(|s| &s.template),
            "deployment",
        ),
        Some(Object::ReplicaSet(rs)) => workload_source(
            rs.spec
                .as_ref()
                .and_then(|s| s.selector.match_labels.clone()),
            rs.metadata.labels.clone(),
            rs.spec.as_ref().and_then(|s| s.template.as_ref()),
            "replicaset",
        ),
        Some(Object::ReplicationController(rc)) => workload_source(
            rc.spec.as_ref().and_then(|s| s.selector.clone()),
            rc.metadata.labels.clone(),
            rc.spec.as_ref().and_then(|s| s.template.as_ref()),
            "replicationcontroller",
        ),
        _ => {
            return Output::failure(
                crate::api::error::ApiError::not_found(req.kind, obj_name).kubectl_message(),
            )
        }
    };
    let selector = match parsed.value("selector").filter(|s| !s.is_empty()) {
        Some(s) => match generate::parse_labels(s) {
            Ok(m) => m,
            Err(e) => return super::error(e),
        },
        None => match source.selector.filter(|m| !m.is_empty()) {
            Some(m) => m,
            None => {
                return super::error(format!(
                    "couldn't retrieve selectors via --selector flag or introspection: the {} has no labels and cannot be exposed\nSee 'kubectl expose -h' for help and examples",
                    source.kind
                ))
            }
        },
    };
    let labels = match parsed.value("labels").filter(|s| !s.is_empty()) {
        Some(s) => match generate::parse_labels(s) {
            Ok(m) => Some(m),
            Err(e) => return super::error(e),
        },
        None => source.labels.filter(|m| !m.is_empty()),
    };
    let protocol = parsed.value("protocol").map(str::to_string);
    let port_specs: Vec<(i32, Option<String>)> = match parsed.value("port") {
        Some(p) => {
            let mut v = Vec::new();
            for part in p.split(',') {
                match part.parse::<i32>() {
                    Ok(n) => v.push((n, None)),
                    Err(_) => {
                        return super::error(format!(
                            "strconv.Atoi: parsing \"{part}\": invalid syntax"
                        ))
                    }
                }
            }
            v
        }
        None => source.ports,
    };
    if port_specs.is_empty() {
        return super::error("couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples");
    }
    let target = parsed.value("target-port").map(|t| match t.parse::<i32>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::String(t.to_string()),
    });
    let many = port_specs.len() > 1;
    let ports: Vec<ServicePort> = port_specs
        .iter()
        .enumerate()
        .map(|(i, (port, proto))| ServicePort {
            name: many.then(|| format!("port-{}", i + 1)),
            port: *port,
            protocol: Some(
                protocol
                    .clone()
                    .or(proto.clone())
                    .unwrap_or_else(|| "TCP".into()),
            ),
            target_port: Some(target.clone().unwrap_or(IntOrString::Int(*port))),
            ..Default::default()
        })
        .collect();
    let name = parsed.value("name").unwrap_or(obj_name).to_string();
    let svc = Service {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace),
            labels,
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            ports: Some(ports),
            selector: Some(selector),
            type_: parsed.value("type").map(str::to_string),
            cluster_ip: parsed.value("cluster-ip").map(str::to_string),
            external_ips: parsed.value("external-ip").map(|ip| vec![ip.to_string()]),
            ..Default::default()
        }),
        status: Some(k8s_openapi::api::core::v1::ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        }),
    };
    match super::overrides::apply(&cluster.world.api, &parsed, Object::Service(Box::new(svc))) {
        Ok(obj) => generate::finish(cluster, &parsed, obj, "exposed"),
        Err(e) => super::error(e),
    }
}
