//! `minikube tunnel` with a port-forwarding docker driver (`cmd/minikube/cmd/tunnel.go`,
//! `pkg/minikube/tunnel/kic/ssh_tunnel.go`): every LoadBalancer Service gets an SSH
//! connection forwarding its ports on the laptop (`ssh -L PORT:CLUSTERIP:PORT`) and the
//! ingress IP `127.0.0.1`, written to its status through the API server.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service, ServiceStatus};

use super::{exit_message, flag, parse_or_usage, Kind, TunnelConn};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

/// The address `minikube tunnel` gives LoadBalancer Services with this driver.
const INGRESS_IP: &str = "127.0.0.1";

/// Runs `minikube tunnel …` (the arguments after `tunnel`).
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let flags = [
        flag("cleanup", Some('c'), Kind::Bool),
        flag("bind-address", None, Kind::Str),
    ];
    let parsed = match parse_or_usage(args, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if let Some(o) = super::missing_profile(&parsed) {
        return o;
    }
    if cluster.minikube.tunnel.is_some() {
        return exit_message(
            "* ",
            "TUNNEL_ALREADY_RUNNING",
            "Another tunnel process is already running, terminate the existing instance to start a new one",
            111,
        );
    }
    let mut o = Output::default();
    o.out("* Tunnel successfully started");
    o.out("");
    o.out("* NOTE: Please do not close this terminal as this process must stay alive for the tunnel to be accessible ...");
    o.out("");
    cluster.minikube.tunnel = Some(BTreeMap::new());
    o.extend(sync(cluster));
    o
}

/// Runs after each console line: a running `minikube tunnel` picks up new LoadBalancer
/// Services and drops the connections of those gone (what it prints goes to its own
/// terminal, not here).
pub(crate) fn after_line(cluster: &mut Cluster) {
    if cluster.minikube.tunnel.is_some() {
        let _ = sync(cluster);
    }
}

/// One pass of the tunnel's loop: connections for new LoadBalancer Services (and their
/// ingress IP), none for those gone or changed. Returns what the pass printed.
fn sync(cluster: &mut Cluster) -> Output {
    let mut o = Output::default();
    let mut stale = cluster.minikube.tunnel.take().unwrap_or_default();
    let balanced: Vec<Service> = cluster
        .world
        .api
        .list_as::<Service>(None)
        .filter(|s| {
            s.spec
                .as_ref()
                .and_then(|sp| sp.type_.as_deref())
                .is_some_and(|t| t == "LoadBalancer")
        })
        .cloned()
        .collect();
    let mut live = BTreeMap::new();
    let mut new = Vec::new();
    for svc in balanced {
        let key = unique_name(&svc);
        match stale.remove(&key) {
            Some(conn) => {
                live.insert(key, conn);
            }
            None => new.push((key, svc)),
        }
    }
    // The connections of Services gone or changed stop, freeing their ports.
    for conn in stale.values() {
        for port in &conn.ports {
            let held = cluster
                .network
                .tunnels
                .get(port)
                .is_some_and(|(ns, name, _)| {
                    (ns.as_str(), name.as_str())
                        == (conn.service.0.as_str(), conn.service.1.as_str())
                });
            if held {
                cluster.network.tunnels.remove(port);
            }
        }
    }
    for (key, svc) in new {
        let conn = connect(cluster, &svc, &mut o);
        live.insert(key, conn);
    }
    cluster.minikube.tunnel = Some(live);
    o
}

/// `startConnection`: forwards the Service's ports (a port another tunnel holds fails to
/// bind, as `ssh -L` would) and patches its ingress IP.
fn connect(cluster: &mut Cluster, svc: &Service, o: &mut Output) -> TunnelConn {
    let namespace = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let ports: Vec<i32> = svc
        .spec
        .iter()
        .flat_map(|s| s.ports.iter().flatten())
        .map(|p| p.port)
        .collect();
    let privileged: Vec<String> = ports
        .iter()
        .filter(|p| **p < 1024)
        .map(|p| p.to_string())
        .collect();
    if !privileged.is_empty() {
        o.out(format!(
            "! The service/ingress {name} requires privileged ports to be exposed: [{}]",
            privileged.join(" ")
        ));
        o.out("* sudo permission will be asked for it.");
    }
    o.out(format!("* Starting tunnel for service {name}."));
    let mut held = Vec::new();
    for port in ports.iter().filter_map(|p| u16::try_from(*p).ok()) {
        if let std::collections::btree_map::Entry::Vacant(e) = cluster.network.tunnels.entry(port) {
            e.insert((namespace.clone(), name.clone(), port));
            held.push(port);
        }
    }
    let mut patched = svc.clone();
    let status = patched.status.get_or_insert_with(ServiceStatus::default);
    status.load_balancer = Some(LoadBalancerStatus {
        ingress: Some(vec![LoadBalancerIngress {
            ip: Some(INGRESS_IP.into()),
            ..Default::default()
        }]),
    });
    // The Service exists (just listed); a failed patch is only logged by minikube.
    let _ = cluster
        .world
        .api
        .update_status(Object::Service(Box::new(patched)));
    TunnelConn {
        service: (namespace, name),
        ports: held,
    }
}

/// `sshConnUniqName`: the Service's name, ClusterIP and ports, so a changed Service gets a
/// new connection.
fn unique_name(svc: &Service) -> String {
    let spec = svc.spec.as_ref();
    let mut n = format!(
        "{}-{}",
        svc.metadata.name.as_deref().unwrap_or(""),
        spec.and_then(|s| s.cluster_ip.as_deref()).unwrap_or("")
    );
    for p in spec.iter().flat_map(|s| s.ports.iter().flatten()) {
        n.push_str(&format!("-{}", p.port));
    }
    n
}
