//! One connection or HTTP request from a client to whatever answers: the route through
//! kube-proxy and the pod network, the container listening on the port, its response and
//! access-log line, and the trace the board shows.

use super::policy::{self, Verdict};
use super::proxy::{self, Backend, Route, ServiceRef};
use super::traffic::{Outcome, Trace};
use super::{NetCx, Origin};
use crate::node::process::serve::{Listener, Request, Response};
use crate::node::runtime::SlotKey;

/// A connection that reached a listening container.
#[derive(Clone, Debug)]
pub struct Open {
    /// The pod and port it reached.
    pub backend: Backend,
    /// The source address the server sees.
    pub client_ip: String,
    /// The Service it went through.
    pub service: Option<ServiceRef>,
    /// What listens there.
    pub listener: Listener,
    key: SlotKey,
}

impl Open {
    /// The container slot that accepted it.
    pub(super) fn slot(&self) -> &SlotKey {
        &self.key
    }
}

/// How a connection attempt ends.
#[derive(Clone, Debug)]
pub enum Connect {
    /// Established.
    Open(Open),
    /// Not established: [`Route::Refused`] (refused at once) or [`Route::Dropped`] (never
    /// answered: the client gives up after its timeout).
    Closed(Route),
    /// Dropped by NetworkPolicy (never answered): the pod it was for and the policies that
    /// isolate the refusing end.
    Blocked {
        /// The Service it went through.
        service: Option<ServiceRef>,
        /// The pod it was routed to: (namespace, name).
        pod: (String, String),
        /// The isolating policies.
        policies: Vec<String>,
    },
}

/// Opens a TCP connection from `origin` to `ip:port`.
pub fn connect(cx: &mut NetCx<'_>, origin: &Origin, ip: &str, port: u16, at_ms: i64) -> Connect {
    match proxy::route(cx.world, cx.net, origin, ip, port) {
        Route::Pod {
            backend,
            client_ip,
            service,
        } => match admitted(cx, origin, &client_ip, &backend.ip, backend.port, "TCP") {
            Err(policies) => Connect::Blocked {
                service,
                pod: (backend.namespace, backend.name),
                policies,
            },
            Ok(()) => match listening(cx, &backend, at_ms) {
                Some((key, listener)) => Connect::Open(Open {
                    backend,
                    client_ip,
                    service,
                    listener,
                    key,
                }),
                None => Connect::Closed(Route::Refused {
                    service,
                    why: "nothing listens on that port in the pod",
                }),
            },
        },
        Route::Node { .. } => Connect::Closed(Route::Refused {
            service: None,
            why: "nothing listens on that port on the node",
        }),
        failed => Connect::Closed(failed),
    }
}

/// Whether the cluster's NetworkPolicies admit a connection from `origin`, seen by the
/// destination as from `seen_ip`, to `dst_ip:port`; `Err` names the isolating policies.
pub(crate) fn admitted(
    cx: &NetCx<'_>,
    origin: &Origin,
    seen_ip: &str,
    dst_ip: &str,
    port: u16,
    protocol: &'static str,
) -> Result<(), Vec<String>> {
    let client = match origin {
        Origin::Pod { ip, .. } => Some(ip.as_str()),
        Origin::Host { .. } => None,
    };
    match policy::check(
        cx.world, cx.net.cni, client, seen_ip, dst_ip, port, protocol,
    ) {
        Verdict::Allow => Ok(()),
        Verdict::Deny(_, names) => Err(names),
    }
}

/// The running container of the backend pod listening on its port.
pub(crate) fn listening(
    cx: &NetCx<'_>,
    backend: &Backend,
    at_ms: i64,
) -> Option<(SlotKey, Listener)> {
    cx.kubelet
        .containers
        .of_pod(&backend.namespace, &backend.name)
        .find_map(|(k, slot)| {
            let i = slot.current.as_ref()?;
            // The runtime reports a container running (and ready) as it starts it.
            let running = i.start_error.is_none() && i.exit.is_none_or(|(at, _)| at > at_ms);
            if !running {
                return None;
            }
            Some((k.clone(), i.process.listener(backend.port)?))
        })
}

/// What an HTTP client gets back.
#[derive(Clone, Debug)]
pub enum HttpOutcome {
    /// A response.
    Response(Response),
    /// The server closed the connection without a word (redis).
    EmptyReply,
    /// The server spoke first, and not HTTP (mysql).
    NotHttp,
    /// Refused at once.
    Refused,
    /// Never answered.
    Dropped,
}

/// An HTTP request as the client sends it.
#[derive(Clone, Debug)]
pub struct HttpCall {
    /// The address connected to.
    pub ip: String,
    /// The port connected to.
    pub port: u16,
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// `Host` header.
    pub host: String,
    /// `User-Agent` header.
    pub user_agent: Option<String>,
    /// The target as the learner typed it (for traces).
    pub shown: String,
    /// Proxies it went through already (ingress-nginx), bounded by
    /// [`super::ingress_nginx::MAX_HOPS`].
    pub hops: u8,
    /// The Service a proxy chose the endpoint from (ingress-nginx sends to pods directly),
    /// for the trace.
    pub via: Option<ServiceRef>,
}

/// Sends one HTTP request from `origin` and records its trace.
pub fn http(cx: &mut NetCx<'_>, origin: &Origin, call: &HttpCall, at_ms: i64) -> HttpOutcome {
    let mut trace = Trace {
        at_ms,
        from: origin.label(),
        target: call.shown.clone(),
        service: None,
        pod: None,
        outcome: Outcome::Dropped("no route"),
    };
    let outcome = match connect(cx, origin, &call.ip, call.port, at_ms) {
        Connect::Open(open) => {
            trace.service = open.service.clone().or_else(|| call.via.clone());
            trace.pod = Some((open.backend.namespace.clone(), open.backend.name.clone()));
            match open.listener {
                Listener::Http | Listener::Https => {
                    let response = serve(cx, &open, call, at_ms);
                    trace.outcome = Outcome::Answered(response.status);
                    HttpOutcome::Response(response)
                }
                Listener::IngressNginx => {
                    let response = super::ingress_nginx::serve(cx, &open, call, at_ms);
                    trace.outcome = Outcome::Answered(response.status);
                    HttpOutcome::Response(response)
                }
                Listener::Redis => {
                    trace.outcome = Outcome::Refused("not an HTTP server");
                    HttpOutcome::EmptyReply
                }
                Listener::Mysql => {
                    trace.outcome = Outcome::Refused("not an HTTP server");
                    HttpOutcome::NotHttp
                }
            }
        }
        Connect::Blocked {
            service,
            pod,
            policies,
        } => {
            trace.service = service;
            trace.pod = Some(pod);
            trace.outcome = Outcome::Blocked(policies);
            HttpOutcome::Dropped
        }
        Connect::Closed(Route::Dropped { service, why }) => {
            trace.service = service;
            trace.outcome = Outcome::Dropped(why);
            HttpOutcome::Dropped
        }
        Connect::Closed(route) => {
            if let Route::Refused { service, why } = route {
                trace.service = service;
                trace.outcome = Outcome::Refused(why);
            }
            HttpOutcome::Refused
        }
    };
    cx.net.traffic.record(trace);
    outcome
}

/// Records an unresolvable name in the traffic log.
pub fn record_no_name(cx: &mut NetCx<'_>, origin: &Origin, shown: &str, at_ms: i64) {
    cx.net.traffic.record(Trace {
        at_ms,
        from: origin.label(),
        target: shown.to_string(),
        service: None,
        pod: None,
        outcome: Outcome::NoName,
    });
}

/// The container's answer, with its access-log line written.
fn serve(cx: &mut NetCx<'_>, open: &Open, call: &HttpCall, at_ms: i64) -> Response {
    let Some(instance) = cx
        .kubelet
        .containers
        .get_mut(&open.key)
        .and_then(|s| s.current.as_mut())
    else {
        return Response {
            status: 502,
            headers: Vec::new(),
            body: String::new(),
        };
    };
    let request = Request {
        method: call.method.clone(),
        path: call.path.clone(),
        host: call.host.clone(),
        user_agent: call.user_agent.clone(),
        client_ip: open.client_ip.clone(),
        local_ip: open.backend.ip.clone(),
        at_ms,
        http10: false,
    };
    let (response, log) = instance
        .process
        .respond_in(Some(&cx.world.storage), &request);
    let cost = instance.process.count_request();
    if let Some(line) = log {
        instance.process.log_served(at_ms, line);
    }
    crate::node::usage::charge_request(cx.world, &open.key, cost, at_ms);
    response
}
