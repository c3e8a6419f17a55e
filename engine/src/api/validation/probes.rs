//! A container's probes and lifecycle hooks, as the apiserver validates them
//! (`validateLifecycle`, `validateLivenessProbe`, `validateReadinessProbe`,
//! `validateStartupProbe`, `validateHandler`).

use k8s_openapi::api::core::v1::{Container, LifecycleHandler, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Checks the probes and hooks of the container at `path` (`spec.containers[0]`); an init
/// container that is not a sidecar may have none of them.
pub fn container(c: &Container, path: &str, init: bool, causes: &mut Vec<String>) {
    let sidecar = c.restart_policy.as_deref() == Some("Always");
    if init && !sidecar {
        for (field, set) in [
            ("lifecycle", c.lifecycle.is_some()),
            ("livenessProbe", c.liveness_probe.is_some()),
            ("readinessProbe", c.readiness_probe.is_some()),
            ("startupProbe", c.startup_probe.is_some()),
        ] {
            if set {
                causes.push(format!(
                    "{path}.{field}: Forbidden: may not be set for init containers without restartPolicy=Always"
                ));
            }
        }
        return;
    }
    if let Some(l) = &c.lifecycle {
        for (field, h) in [("postStart", &l.post_start), ("preStop", &l.pre_stop)] {
            if let Some(h) = h {
                handler(h_parts(h), &format!("{path}.lifecycle.{field}"), causes);
            }
        }
    }
    for (field, p, must_be_one) in [
        ("livenessProbe", &c.liveness_probe, true),
        ("readinessProbe", &c.readiness_probe, false),
        ("startupProbe", &c.startup_probe, true),
    ] {
        if let Some(p) = p {
            probe(p, &format!("{path}.{field}"), must_be_one, causes);
        }
    }
}

/// The handler fields a probe or hook may set.
struct Parts<'a> {
    exec: Option<&'a Option<Vec<String>>>,
    http_port: Option<(&'a IntOrString, Option<&'a str>)>,
    tcp_port: Option<&'a IntOrString>,
    grpc_port: Option<i32>,
    sleep: Option<i64>,
}

fn h_parts(h: &LifecycleHandler) -> Parts<'_> {
    Parts {
        exec: h.exec.as_ref().map(|e| &e.command),
        http_port: h.http_get.as_ref().map(|g| (&g.port, g.scheme.as_deref())),
        tcp_port: h.tcp_socket.as_ref().map(|t| &t.port),
        grpc_port: None,
        sleep: h.sleep.as_ref().map(|s| s.seconds),
    }
}

fn probe(p: &Probe, path: &str, must_be_one: bool, causes: &mut Vec<String>) {
    handler(
        Parts {
            exec: p.exec.as_ref().map(|e| &e.command),
            http_port: p.http_get.as_ref().map(|g| (&g.port, g.scheme.as_deref())),
            tcp_port: p.tcp_socket.as_ref().map(|t| &t.port),
            grpc_port: p.grpc.as_ref().map(|g| g.port),
            sleep: None,
        },
        path,
        causes,
    );
    for (field, v) in [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("timeoutSeconds", p.timeout_seconds),
        ("periodSeconds", p.period_seconds),
        ("successThreshold", p.success_threshold),
        ("failureThreshold", p.failure_threshold),
    ] {
        if let Some(v) = v.filter(|v| *v < 0) {
            causes.push(format!(
                "{path}.{field}: Invalid value: {v}: must be greater than or equal to 0"
            ));
        }
    }
    if let Some(v) = p.termination_grace_period_seconds.filter(|v| *v <= 0) {
        causes.push(format!(
            "{path}.terminationGracePeriodSeconds: Invalid value: {v}: must be greater than 0"
        ));
    }
    if must_be_one {
        if let Some(v) = p.success_threshold.filter(|v| *v != 1) {
            causes.push(format!(
                "{path}.successThreshold: Invalid value: {v}: must be 1"
            ));
        }
    }
}

fn handler(h: Parts<'_>, path: &str, causes: &mut Vec<String>) {
    let set = [
        ("exec", h.exec.is_some()),
        ("httpGet", h.http_port.is_some()),
        ("tcpSocket", h.tcp_port.is_some()),
        ("grpc", h.grpc_port.is_some()),
        ("sleep", h.sleep.is_some()),
    ];
    let mut named = set.iter().filter(|(_, on)| *on).map(|(n, _)| *n);
    let Some(_) = named.next() else {
        causes.push(format!(
            "{path}: Required value: must specify a handler type"
        ));
        return;
    };
    if let Some(second) = named.next() {
        causes.push(format!(
            "{path}.{second}: Forbidden: may not specify more than 1 handler type"
        ));
        return;
    }
    if let Some(cmd) = h.exec {
        if cmd.as_ref().is_none_or(|c| c.is_empty()) {
            causes.push(format!("{path}.exec.command: Required value"));
        }
    }
    if let Some((port, scheme)) = h.http_port {
        port_num_or_name(port, &format!("{path}.httpGet.port"), causes);
        if let Some(s) = scheme.filter(|s| !matches!(*s, "HTTP" | "HTTPS")) {
            causes.push(format!(
                "{path}.httpGet.scheme: Unsupported value: \"{s}\": supported values: \"HTTP\", \"HTTPS\""
            ));
        }
    }
    if let Some(port) = h.tcp_port {
        port_num_or_name(port, &format!("{path}.tcpSocket.port"), causes);
    }
    if let Some(port) = h.grpc_port.filter(|p| !(1..=65535).contains(p)) {
        causes.push(format!(
            "{path}.grpc.port: Invalid value: {port}: must be between 1 and 65535, inclusive"
        ));
    }
    if let Some(secs) = h.sleep.filter(|s| *s <= 0) {
        causes.push(format!(
            "{path}.sleep.seconds: Invalid value: {secs}: must be greater than 0"
        ));
    }
}

/// `ValidatePortNumOrName`: 1–65535, or an IANA service name.
fn port_num_or_name(port: &IntOrString, path: &str, causes: &mut Vec<String>) {
    match port {
        IntOrString::Int(n) if !(1..=65535).contains(n) => causes.push(format!(
            "{path}: Invalid value: {n}: must be between 1 and 65535, inclusive"
        )),
        IntOrString::Int(_) => {}
        IntOrString::String(name) => {
            if name.is_empty() {
                causes.push(format!("{path}: Required value"));
                return;
            }
            let msgs = port_name_messages(name);
            for m in msgs {
                causes.push(format!("{path}: Invalid value: \"{name}\": {m}"));
            }
        }
    }
}

/// `IsValidPortName`'s complaints about an IANA service name (none when it is valid).
pub(crate) fn port_name_messages(name: &str) -> Vec<&'static str> {
    let mut msgs = Vec::new();
    if name.len() > 15 {
        msgs.push("must be no more than 15 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        msgs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        msgs.push("must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        msgs.push("must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        msgs.push("must not begin or end with a hyphen");
    }
    msgs
}
