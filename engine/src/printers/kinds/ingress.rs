//! Ingress and IngressClass: `get` columns (`printIngress`, `printIngressClass`) and
//! `describe` (`describeIngressV1`, `describeIngressClassV1`).

use crate::sort::SliceSort;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{IngressBackend, IngressLoadBalancerStatus, IngressRule};

use super::{Columns, KindPrinter};
use crate::api::object::{Ingress, IngressClass, Object, Service};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::{endpoint_slices, map_lines};
use crate::world::World;

/// ADDRESS wider than this is cut to `...` outside `-o wide` (`loadBalancerWidth`).
const ADDRESS_WIDTH: usize = 16;

/// HOSTS: the rules' hosts, at most three then ` + N more...`; `*` when none has one.
fn hosts(rules: &[IngressRule]) -> String {
    const MAX: usize = 3;
    let mut list: Vec<&str> = Vec::new();
    let mut more = false;
    for r in rules {
        if list.len() == MAX {
            more = true;
        }
        if let Some(h) = r.host.as_deref().filter(|h| !h.is_empty()) {
            if !more {
                list.push(h);
            }
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", rules.len() - MAX)
    } else {
        joined
    }
}

/// The load balancer's addresses, sorted and unique, joined by `,`.
fn addresses(status: Option<&IngressLoadBalancerStatus>, wide: bool) -> String {
    let mut set: Vec<String> = status
        .and_then(|s| s.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i.ip.clone()
                .filter(|ip| !ip.is_empty())
                .or_else(|| i.hostname.clone().filter(|h| !h.is_empty()))
        })
        .collect();
    set.stable_sort();
    set.dedup();
    let r = set.join(",");
    if !wide && r.len() > ADDRESS_WIDTH {
        format!("{}...", &r[..ADDRESS_WIDTH - 3])
    } else {
        r
    }
}

impl KindPrinter for Ingress {
    fn columns() -> Columns {
        (&["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], &[])
    }

    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        let spec = self.spec.as_ref();
        let class = spec
            .and_then(|s| s.ingress_class_name.clone())
            .unwrap_or_else(|| "<none>".into());
        let rules = spec.and_then(|s| s.rules.as_deref()).unwrap_or(&[]);
        let tls = spec
            .and_then(|s| s.tls.as_ref())
            .is_some_and(|t| !t.is_empty());
        let status = self.status.as_ref().and_then(|s| s.load_balancer.as_ref());
        vec![
            obj.name().into(),
            class,
            hosts(rules),
            addresses(status, opts.wide),
            if tls { "80, 443".into() } else { "80".into() },
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, world: &World) -> Option<String> {
        let ns = obj.namespace();
        let spec = self.spec.as_ref();
        let mut o = format!("Name:\t{}\n", obj.name());
        o.push_str(&map_lines(
            "Labels:",
            self.metadata.labels.as_ref(),
            &[],
            "",
        ));
        o.push_str(&format!("Namespace:\t{ns}\n"));
        let status = self.status.as_ref().and_then(|s| s.load_balancer.as_ref());
        o.push_str(&format!("Address:\t{}\n", addresses(status, true)));
        let class = spec
            .and_then(|s| s.ingress_class_name.clone())
            .unwrap_or_else(|| "<none>".into());
        o.push_str(&format!("Ingress Class:\t{class}\n"));
        let default = match spec.and_then(|s| s.default_backend.as_ref()) {
            Some(b) => backend(world, ns, b),
            None => "<default>".into(),
        };
        o.push_str(&format!("Default backend:\t{default}\n"));
        let tls = spec.and_then(|s| s.tls.as_deref()).unwrap_or(&[]);
        if !tls.is_empty() {
            o.push_str("TLS:\n");
            for t in tls {
                let hosts = t.hosts.as_deref().unwrap_or(&[]).join(",");
                match t.secret_name.as_deref().filter(|s| !s.is_empty()) {
                    None => o.push_str(&format!("  SNI routes {hosts}\n")),
                    Some(secret) => o.push_str(&format!("  {secret} terminates {hosts}\n")),
                }
            }
        }
        o.push_str("Rules:\n  Host\tPath\tBackends\n  ----\t----\t--------\n");
        let mut count = 0;
        for rule in spec.and_then(|s| s.rules.as_deref()).unwrap_or(&[]) {
            let Some(http) = &rule.http else { continue };
            count += 1;
            let host = rule
                .host
                .as_deref()
                .filter(|h| !h.is_empty())
                .unwrap_or("*");
            o.push_str(&format!("  {host}\t\n"));
            for p in &http.paths {
                o.push_str(&format!(
                    "    \t{} \t{}\n",
                    p.path.as_deref().unwrap_or(""),
                    backend(world, ns, &p.backend)
                ));
            }
        }
        if count == 0 {
            o.push_str(&format!("  *\t*\t{default}\n"));
        }
        o.push_str(&map_lines(
            "Annotations:",
            self.metadata.annotations.as_ref(),
            &["kubectl.kubernetes.io/last-applied-configuration"],
            "",
        ));
        Some(o)
    }
}

/// A backend as `describe` shows it: `svc:port (endpoints)`, or the resource it names.
fn backend(world: &World, ns: &str, b: &IngressBackend) -> String {
    if let Some(s) = &b.service {
        let port = s.port.as_ref();
        let shown = match port
            .and_then(|p| p.name.as_deref())
            .filter(|n| !n.is_empty())
        {
            Some(name) => format!("{}:{name}", s.name),
            None => format!("{}:{}", s.name, port.and_then(|p| p.number).unwrap_or(0)),
        };
        let Some(svc) = world.api.get_as::<Service>(ns, &s.name) else {
            return format!("{shown} (<error: services \"{}\" not found>)", s.name);
        };
        let number = port.and_then(|p| p.number).unwrap_or(0);
        let name = port.and_then(|p| p.name.as_deref()).unwrap_or("");
        let mut port_name = "";
        for sp in svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_deref())
            .unwrap_or(&[])
        {
            let sp_name = sp.name.as_deref().unwrap_or("");
            if (number != 0 && number == sp.port) || (!name.is_empty() && name == sp_name) {
                port_name = sp_name;
            }
        }
        let slices: Vec<&EndpointSlice> = world
            .api
            .list_as::<EndpointSlice>(Some(ns))
            .filter(|e| {
                e.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                    .is_some_and(|n| *n == s.name)
            })
            .collect();
        return format!("{shown} ({})", endpoint_slices(&slices, port_name));
    }
    if let Some(r) = &b.resource {
        let group = r.api_group.clone().unwrap_or_else(|| "<none>".into());
        return format!("APIGroup: {group}, Kind: {}, Name: {}", r.kind, r.name);
    }
    String::new()
}

impl KindPrinter for IngressClass {
    fn columns() -> Columns {
        (&["NAME", "CONTROLLER", "PARAMETERS", "AGE"], &[])
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let spec = self.spec.as_ref();
        let parameters = spec.and_then(|s| s.parameters.as_ref()).map_or_else(
            || "<none>".to_string(),
            |p| match &p.api_group {
                Some(g) => format!("{}.{g}/{}", p.kind, p.name),
                None => format!("{}/{}", p.kind, p.name),
            },
        );
        vec![
            obj.name().into(),
            spec.and_then(|s| s.controller.clone()).unwrap_or_default(),
            parameters,
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\n", obj.name());
        o.push_str(&crate::printers::describe::labels_and_annotations(
            &self.metadata,
        ));
        let spec = self.spec.as_ref();
        o.push_str(&format!(
            "Controller:\t{}\n",
            spec.and_then(|s| s.controller.as_deref()).unwrap_or("")
        ));
        if let Some(p) = spec.and_then(|s| s.parameters.as_ref()) {
            o.push_str("Parameters:\n");
            if let Some(g) = &p.api_group {
                o.push_str(&format!("  APIGroup:\t{g}\n"));
            }
            o.push_str(&format!("  Kind:\t{}\n  Name:\t{}\n", p.kind, p.name));
        }
        Some(o)
    }
}
