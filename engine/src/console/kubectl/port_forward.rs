//! `kubectl port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT...`: listens on the console's
//! machine and forwards each connection into one pod (kubectl picks it for a Service or a
//! workload; a Service port becomes the pod's target port), with kubectl 1.34's checks and
//! messages (`Forwarding from 127.0.0.1:8080 -> 80`).
//!
//! On a terminal the command holds it until Ctrl-C. Here it returns at once and keeps
//! forwarding, as `minikube tunnel` does, until the next `kubectl port-forward` (typing it
//! means the previous one was interrupted) or until its pod stops running; `curl
//! localhost:PORT` then reaches the pod, whose server sees the connection come from
//! 127.0.0.1 (`network::Network::forwards`).

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::flags::{self, Flag};
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("address", None),
    flags::value("pod-running-timeout", None),
];

/// `splitPort`: `LOCAL:REMOTE`, or one port for both (of three parts or more, Go keeps the
/// first for both).
fn split_port(spec: &str) -> (&str, &str) {
    let mut parts = spec.split(':');
    let first = parts.next().unwrap_or_default();
    match (parts.next(), parts.next()) {
        (Some(remote), None) => (first, remote),
        _ => (first, first),
    }
}

/// `LookupContainerPortNumberByName`.
fn container_port_named(pod: &Pod, name: &str) -> Result<u16, String> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .and_then(|p| u16::try_from(p.container_port).ok())
        .ok_or_else(|| {
            format!(
                "Pod '{}' does not have a named port '{name}'",
                pod.metadata.name.as_deref().unwrap_or("")
            )
        })
}

/// `translateServicePortToTargetPort` for one `[LOCAL:]REMOTE`: the local port and the
/// port in the pod.
fn through_service(spec: &str, svc: &Service, pod: &Pod) -> Result<(String, String), String> {
    let (local, remote) = split_port(spec);
    let svc_name = svc.metadata.name.as_deref().unwrap_or("");
    let ports = svc.spec.iter().flat_map(|s| s.ports.iter().flatten());
    let number: i32 = match remote.parse() {
        Ok(n) => n,
        Err(_) => ports
            .clone()
            .find(|p| p.name.as_deref() == Some(remote))
            .map(|p| p.port)
            .ok_or_else(|| format!("Service '{svc_name}' does not have a named port '{remote}'"))?,
    };
    let local = if local == remote {
        number.to_string()
    } else {
        local.to_string()
    };
    let Some(port) = ports.clone().find(|p| p.port == number) else {
        return Err(format!(
            "Service {svc_name} does not have a service port {number}"
        ));
    };
    let target = match &port.target_port {
        None | Some(IntOrString::Int(0)) => u16::try_from(port.port).unwrap_or(0),
        Some(IntOrString::Int(n)) => u16::try_from(*n).unwrap_or(0),
        Some(IntOrString::String(name)) => match name.parse::<u16>() {
            Ok(n) if n != 0 => n,
            _ => container_port_named(pod, name)?,
        },
    };
    Ok((local, target.to_string()))
}

/// `convertPodNamedPortToNumber` for one `[LOCAL:]REMOTE`: numbers stay as written.
fn in_pod(spec: &str, pod: &Pod) -> Result<(String, String), String> {
    let (local, remote) = split_port(spec);
    let remote = match remote.parse::<i64>() {
        Ok(_) => remote.to_string(),
        Err(_) => container_port_named(pod, remote)?.to_string(),
    };
    Ok((local.to_string(), remote))
}

/// `strconv.ParseUint(s, 10, 16)` as client-go's `parsePorts` reads a port.
fn parse_port(which: &str, s: &str) -> Result<u16, String> {
    let why = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        "value out of range"
    } else {
        "invalid syntax"
    };
    s.parse::<u16>().map_err(|_| {
        format!("error parsing {which} port '{s}': strconv.ParseUint: parsing \"{s}\": {why}")
    })
}

/// Runs `kubectl port-forward`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let usage = "\nSee 'kubectl port-forward -h' for help and examples";
    let parsed = match flags::parse("port-forward", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let addresses = parsed.list("address");
    for a in &addresses {
        if a != "localhost" && a.parse::<std::net::IpAddr>().is_err() {
            return super::error(format!("{a} is not a valid IP"));
        }
    }
    let [target, specs @ ..] = parsed.positionals.as_slice() else {
        return super::error(format!(
            "TYPE/NAME and list of ports are required for port-forward{usage}"
        ));
    };
    if specs.is_empty() {
        return super::error(format!(
            "TYPE/NAME and list of ports are required for port-forward{usage}"
        ));
    }
    let namespace = super::namespace(cluster, &parsed);
    let pod = match super::logs::find_pod(cluster, &namespace, target) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let service = target.split_once('/').and_then(|(kind, name)| {
        let k = crate::api::kinds::resolve(kind)?;
        (k.kind == "Service")
            .then(|| {
                cluster
                    .world
                    .api
                    .get_as::<Service>(&namespace, name)
                    .cloned()
            })
            .flatten()
    });
    let mut ports = Vec::new();
    for spec in specs {
        let resolved = match &service {
            Some(svc) => through_service(spec, svc, &pod),
            None => in_pod(spec, &pod),
        };
        match resolved {
            Ok(p) => ports.push(p),
            Err(e) => return super::error(e),
        }
    }
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    if phase != "Running" {
        return super::error(format!(
            "unable to forward port because pod is not running. Current status={phase}"
        ));
    }
    if let Some(kubelet) = crate::node::agent::stopped_kubelet_of(&cluster.world, &pod) {
        return super::error(format!(
            "error upgrading connection: error dialing backend: dial tcp {kubelet}: connect: connection refused"
        ));
    }
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let listen: Vec<String> = if addresses.is_empty() {
        vec!["localhost".into()]
    } else {
        addresses
    };
    let mut out = Output::default();
    let mut failed = Vec::new();
    let mut parsed_ports = Vec::new();
    for (local, remote) in ports {
        let local = match local.as_str() {
            "" => Ok(0),
            l => parse_port("local", l),
        };
        let remote = parse_port("remote", &remote).and_then(|r| match r {
            0 => Err("remote port must be > 0".to_string()),
            r => Ok(r),
        });
        match (local, remote) {
            (Ok(l), Ok(r)) => parsed_ports.push((l, r)),
            (Err(e), _) | (_, Err(e)) => return super::error(e),
        }
    }
    // The previous port-forward was interrupted to type this one.
    cluster.network.forwards.clear();
    if let crate::network::Origin::Host { ip, .. } = cluster.host_origin() {
        cluster.network.forward_host = ip;
    }
    for (local, remote) in parsed_ports {
        // A full range leaves the first port, whose bind then fails.
        let local = match local {
            0 => cluster.network.free_port().unwrap_or(32768),
            l => l,
        };
        if cluster.network.tunnels.contains_key(&local) {
            out.err(format!("Unable to listen on port {local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:{local}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:{local}: bind: address already in use]"));
            failed.push(format!("{{{local} {remote}}}"));
            continue;
        }
        for address in &listen {
            let hosts: &[&str] = if address == "localhost" {
                &["127.0.0.1", "[::1]"]
            } else {
                &[address.as_str()]
            };
            for host in hosts {
                out.out(format!("Forwarding from {host}:{local} -> {remote}"));
            }
        }
        cluster
            .network
            .forwards
            .insert(local, (namespace.clone(), pod_name.clone(), remote));
    }
    if cluster.network.forwards.is_empty() && !failed.is_empty() {
        out.extend(super::error(format!(
            "unable to listen on any of the requested ports: [{}]",
            failed.join(" ")
        )));
    }
    out
}
