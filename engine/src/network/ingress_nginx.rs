//! ingress-nginx's nginx, for a request that reached a controller pod on port 80 or 443:
//! the Ingresses of its class (`spec.ingressClassName` naming an IngressClass of
//! `k8s.io/ingress-nginx`, or the legacy `kubernetes.io/ingress.class` annotation) become
//! servers (by host) and locations (by path: `Exact`, `Prefix` by path elements,
//! `ImplementationSpecific` as an nginx prefix); the request goes to a ready endpoint of the
//! chosen backend Service, round robin, straight to the pod (not through the ClusterIP).
//! No rule: the default server's `404 Not Found`; a backend without ready endpoints: `503`.
//! Each request leaves a line in the controller's log, in ingress-nginx's upstream format.

use crate::sort::SliceSort;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend, IngressClass};

use super::exchange::{self, HttpCall, HttpOutcome, Open};
use super::{slices, NetCx, Origin};
use crate::node::process::addon;
use crate::node::process::serve::{nginx_error, Response};

/// Most proxy hops one request may take (an Ingress whose backend is the controller itself
/// would loop forever).
pub const MAX_HOPS: u8 = 4;

/// An ingress-nginx controller, as its command line configures it.
pub struct Controller {
    /// `--ingress-class` (default `nginx`).
    ingress_class: String,
    /// `--controller-class` (default `k8s.io/ingress-nginx`).
    controller_class: String,
    /// `--watch-ingress-without-class`.
    without_class: bool,
}

impl Controller {
    /// Reads the flags of the controller's argv.
    pub fn from_argv(argv: &[String]) -> Controller {
        let flag = |name: &str| addon::flag(argv, name).map(str::to_string);
        Controller {
            ingress_class: flag("--ingress-class").unwrap_or_else(|| "nginx".into()),
            controller_class: flag("--controller-class")
                .unwrap_or_else(|| "k8s.io/ingress-nginx".into()),
            without_class: flag("--watch-ingress-without-class").as_deref() == Some("true"),
        }
    }

    /// Whether this controller serves `ing`.
    pub fn serves(&self, ing: &Ingress, classes: &[IngressClass]) -> bool {
        let annotated = ing
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("kubernetes.io/ingress.class"));
        if let Some(a) = annotated {
            return *a == self.ingress_class;
        }
        match ing
            .spec
            .as_ref()
            .and_then(|s| s.ingress_class_name.as_deref())
        {
            Some(name) => classes.iter().any(|c| {
                c.metadata.name.as_deref() == Some(name)
                    && c.spec.as_ref().and_then(|s| s.controller.as_deref())
                        == Some(self.controller_class.as_str())
            }),
            None => self.without_class,
        }
    }
}

/// A location the request matched: the backend and how the path is rewritten.
struct Matched {
    namespace: String,
    backend: IngressBackend,
    rewrite: Option<String>,
}

/// Whether `path` matches a rule path of `kind`; the match's rank (longer is better,
/// exact first).
fn path_match(kind: &str, rule: &str, path: &str) -> Option<(u8, usize)> {
    match kind {
        "Exact" => (path == rule).then_some((2, rule.len())),
        "Prefix" => {
            let rule = rule.trim_end_matches('/');
            let ok = rule.is_empty()
                || path == rule
                || path
                    .strip_prefix(rule)
                    .is_some_and(|rest| rest.starts_with('/'));
            ok.then_some((1, rule.len()))
        }
        _ => path.starts_with(rule).then_some((1, rule.len())),
    }
}

/// Whether `host` (no port) matches a rule's host (`*.example.com` matches one label).
fn host_match(rule: &str, host: &str) -> bool {
    match rule.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .and_then(|h| h.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        None => rule == host,
    }
}

/// The location for `host` and `path` among the controller's Ingresses (oldest first, as
/// ingress-nginx merges them): a server for the host if one exists, else the default server.
fn locate(ingresses: &[Ingress], host: &str, path: &str) -> Option<Matched> {
    let has_server = ingresses.iter().any(|ing| {
        ing.spec
            .iter()
            .flat_map(|s| s.rules.iter().flatten())
            .any(|r| r.host.as_deref().is_some_and(|h| host_match(h, host)))
    });
    let mut best: Option<((u8, usize), Matched)> = None;
    for ing in ingresses {
        let Some(spec) = ing.spec.as_ref() else {
            continue;
        };
        let rewrite = ing
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("nginx.ingress.kubernetes.io/rewrite-target"))
            .cloned();
        for rule in spec.rules.iter().flatten() {
            let here = match rule.host.as_deref() {
                Some(h) => host_match(h, host),
                None => !has_server,
            };
            if !here {
                continue;
            }
            for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                let rule_path = p.path.as_deref().unwrap_or("/");
                let Some(rank) = path_match(&p.path_type, rule_path, path) else {
                    continue;
                };
                if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                    best = Some((
                        rank,
                        Matched {
                            namespace: ing.metadata.namespace.clone().unwrap_or_default(),
                            backend: p.backend.clone(),
                            rewrite: rewrite.clone(),
                        },
                    ));
                }
            }
        }
    }
    if let Some((_, m)) = best {
        return Some(m);
    }
    // The default server's `/`: an Ingress's `defaultBackend`.
    ingresses.iter().find_map(|ing| {
        Some(Matched {
            namespace: ing.metadata.namespace.clone().unwrap_or_default(),
            backend: ing.spec.as_ref()?.default_backend.clone()?,
            rewrite: None,
        })
    })
}

/// Serves a request that reached the controller pod of `open`.
pub fn serve(cx: &mut NetCx<'_>, open: &Open, call: &HttpCall, at_ms: i64) -> Response {
    let date = crate::node::process::serve::http_date(at_ms);
    let argv = cx
        .kubelet
        .containers
        .get(open.slot())
        .and_then(|s| s.current.as_ref())
        .map(|i| i.process.argv.clone())
        .unwrap_or_default();
    let controller = Controller::from_argv(&argv);
    let classes: Vec<IngressClass> = cx
        .world
        .api
        .list_as::<IngressClass>(None)
        .cloned()
        .collect();
    let mut ingresses: Vec<Ingress> = cx
        .world
        .api
        .list_as::<Ingress>(None)
        .filter(|i| controller.serves(i, &classes))
        .cloned()
        .collect();
    ingresses.stable_sort_by_key(|i| i.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let host = call
        .host
        .rsplit_once(':')
        .map_or(call.host.as_str(), |(h, _)| h);
    let path = call.path.split('?').next().unwrap_or("/");
    let matched = locate(&ingresses, host, path);
    let (mut response, upstream) = match matched {
        None => (nginx_error(404, "nginx", &date), None),
        Some(m) => proxy(cx, open, call, &m, at_ms, &date),
    };
    // nginx writes its own `Date` rather than the upstream's; ingress-nginx's template clears
    // `Server` (`more_clear_headers Server` while `server-tokens` is false).
    response
        .headers
        .retain(|(name, _)| name != "Server" && name != "Date");
    response.headers.insert(0, ("Date".into(), date.clone()));
    let log = access_log(cx, open, call, &response, upstream, at_ms);
    if let Some(i) = cx
        .kubelet
        .containers
        .get_mut(open.slot())
        .and_then(|s| s.current.as_mut())
    {
        let cost = i.process.count_request();
        i.process.log_served(at_ms, log);
        crate::node::usage::charge_request(cx.world, open.slot(), cost, at_ms);
    }
    response
}

/// The upstream a request went to: (name as `ns-svc-port`, address, status).
type Upstream = (String, Option<String>, u16);

/// Sends the request on to a ready endpoint of the matched backend.
fn proxy(
    cx: &mut NetCx<'_>,
    open: &Open,
    call: &HttpCall,
    m: &Matched,
    at_ms: i64,
    date: &str,
) -> (Response, Option<Upstream>) {
    let Some(svc) = m.backend.service.as_ref() else {
        return (nginx_error(503, "nginx", date), None);
    };
    let port = svc.port.as_ref();
    let port_label = port
        .and_then(|p| p.number.map(|n| n.to_string()).or_else(|| p.name.clone()))
        .unwrap_or_default();
    let upstream_name = format!("{}-{}-{}", m.namespace, svc.name, port_label);
    let endpoints: Vec<(String, u16)> = target(cx, &m.namespace, &svc.name, port);
    if endpoints.is_empty() || call.hops >= MAX_HOPS {
        let status = if endpoints.is_empty() { 503 } else { 502 };
        return (
            nginx_error(status, "nginx", date),
            Some((upstream_name, None, status)),
        );
    }
    let turn = cx.net.next_turn(&upstream_name);
    let (ip, port) = endpoints[turn % endpoints.len()].clone();
    let path = match &m.rewrite {
        Some(target) if !target.contains('$') => target.clone(),
        _ => call.path.clone(),
    };
    let origin = Origin::Pod {
        namespace: open.backend.namespace.clone(),
        name: open.backend.name.clone(),
        ip: open.backend.ip.clone(),
        node: cx
            .world
            .api
            .get_as::<k8s_openapi::api::core::v1::Pod>(&open.backend.namespace, &open.backend.name)
            .and_then(|p| p.spec.as_ref()?.node_name.clone())
            .unwrap_or_default(),
    };
    let forwarded = HttpCall {
        ip: ip.clone(),
        port,
        method: call.method.clone(),
        path,
        host: call.host.clone(),
        user_agent: call.user_agent.clone(),
        shown: format!("{ip}:{port}"),
        hops: call.hops + 1,
        via: Some((m.namespace.clone(), svc.name.clone())),
    };
    let addr = format!("{ip}:{port}");
    match exchange::http(cx, &origin, &forwarded, at_ms) {
        HttpOutcome::Response(r) => {
            let status = r.status;
            (r, Some((upstream_name, Some(addr), status)))
        }
        _ => (
            nginx_error(502, "nginx", date),
            Some((upstream_name, Some(addr), 502)),
        ),
    }
}

/// The ready endpoints (pod IP, target port) of Service `ns/name` for the Ingress's port.
fn target(
    cx: &NetCx<'_>,
    ns: &str,
    name: &str,
    port: Option<&k8s_openapi::api::networking::v1::ServiceBackendPort>,
) -> Vec<(String, u16)> {
    let Some(svc) = cx
        .world
        .api
        .get_as::<k8s_openapi::api::core::v1::Service>(ns, name)
    else {
        return Vec::new();
    };
    let Some(sp) = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|ports| {
            ports.iter().find(|p| match port {
                Some(b) => match (b.number, b.name.as_deref()) {
                    (Some(n), _) => p.port == n,
                    (None, Some(n)) => p.name.as_deref() == Some(n),
                    _ => false,
                },
                None => true,
            })
        })
    else {
        return Vec::new();
    };
    let port_name = sp.name.clone().unwrap_or_default();
    slices::usable(slices::endpoints(cx.world, ns, name))
        .into_iter()
        .filter_map(|e| {
            let port = e.ports.iter().find(|(n, _, _)| *n == port_name)?.1;
            Some((e.ip, port))
        })
        .collect()
}

/// ingress-nginx's default `log-format-upstream` line.
fn access_log(
    cx: &mut NetCx<'_>,
    open: &Open,
    call: &HttpCall,
    r: &Response,
    upstream: Option<Upstream>,
    at_ms: i64,
) -> String {
    let ua = call.user_agent.as_deref().unwrap_or("-");
    let request_length = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\n",
        call.method, call.path, call.host
    )
    .len()
        + call
            .user_agent
            .as_ref()
            .map_or(0, |u| "User-Agent: \r\n".len() + u.len())
        + "Accept: */*\r\n\r\n".len();
    let bytes = if call.method == "HEAD" {
        0
    } else {
        r.body.len()
    };
    // Without an upstream address (no endpoints) nginx logs the upstream fields as `-`.
    let (name, upstream_fields) = match upstream {
        Some((name, Some(addr), status)) => (name, format!("{addr} {bytes} 0.001 {status}")),
        Some((name, None, _)) => (name, "- - - -".to_string()),
        None => (
            "upstream-default-backend".to_string(),
            format!("127.0.0.1:8181 {bytes} 0.001 {}", r.status),
        ),
    };
    let id = cx.net.rng.hex(32);
    format!(
        "{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"-\" \"{ua}\" {request_length} 0.001 [{name}] [] {upstream_fields} {id}",
        open.client_ip,
        crate::node::process::fmt_ms(at_ms, "%d/%b/%Y:%H:%M:%S %z"),
        call.method,
        call.path,
        r.status,
        bytes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_paths_and_hosts_as_nginx() {
        assert!(path_match("Prefix", "/ip", "/ip").is_some());
        assert!(path_match("Prefix", "/ip", "/ip/x").is_some());
        assert!(path_match("Prefix", "/ip", "/ipx").is_none());
        assert!(path_match("Prefix", "/", "/anything").is_some());
        assert!(path_match("Exact", "/ip", "/ip/").is_none());
        assert!(path_match("ImplementationSpecific", "/ip", "/ipx").is_some());
        assert!(path_match("Exact", "/a", "/a") > path_match("Prefix", "/a", "/a"));
        assert!(host_match("*.example.com", "a.example.com"));
        assert!(!host_match("*.example.com", "a.b.example.com"));
        assert!(!host_match("*.example.com", "example.com"));
        assert!(host_match("foo.com", "foo.com"));
    }
}
