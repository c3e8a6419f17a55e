//! `kubectl describe`'s detail views (kubectl's `pkg/describe`): one describer per kind,
//! read from the world, shared by the console's `describe` verb and the board's describe
//! panel.

pub mod batch;
pub mod generic;
pub mod node;
pub mod service;
use crate::sort::SliceSort;
pub(crate) use service::endpoint_slices;
pub mod sets;
pub mod volumes;
pub mod workloads;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerState, ContainerStatus, Event, Pod, Probe};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::object::{with_object, Object};
use crate::clock::ms_from_time;
use crate::printers::kinds::KindPrinter;
use crate::printers::tabwriter::tabwrite;
use crate::world::World;

/// The describe text of `obj` (with its Events section), as of the world's clock; `None` for
/// a kind Kubeplay cannot describe yet.
pub fn describe(world: &World, obj: &Object) -> Option<String> {
    let body = with_object!(obj, o => o.describe(obj, world))?;
    let events = if with_object!(obj, o => o.describes_events()) {
        events_section(world, obj, world.clock.now_ms())
    } else {
        String::new()
    };
    // kubectl writes `Events:\t<none>` through the same tabwriter as the body, so it lines
    // up with the block above it (a table of events starts a block of its own).
    let joined = events.starts_with("Events:  <none>");
    Some(if joined {
        tabwrite(&(body + "Events:\t<none>\n"), 0, 2)
    } else {
        tabwrite(&body, 0, 2) + &events
    })
}

/// `Mon, 02 Jan 2006 15:04:05 -0700`.
fn rfc1123z(t: &Time) -> String {
    t.0.strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// `Labels:\tk=v`, further pairs on lines starting with a tab; `<none>` when empty.
pub fn map_lines(
    label: &str,
    map: Option<&BTreeMap<String, String>>,
    skip: &[&str],
    indent: &str,
) -> String {
    let pairs: Vec<String> = map
        .into_iter()
        .flatten()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| {
            if label == "Annotations:" {
                format!("{k}: {v}")
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    if pairs.is_empty() {
        return format!("{indent}{label}\t<none>\n");
    }
    let mut s = format!("{indent}{label}\t{}\n", pairs[0]);
    for p in &pairs[1..] {
        s.push_str(&format!("{indent}\t{p}\n"));
    }
    s
}

/// The `Labels:` and `Annotations:` lines (the last-applied annotation is not shown).
pub fn labels_and_annotations(meta: &ObjectMeta) -> String {
    map_lines("Labels:", meta.labels.as_ref(), &[], "")
        + &map_lines(
            "Annotations:",
            meta.annotations.as_ref(),
            &["kubectl.kubernetes.io/last-applied-configuration"],
            "",
        )
}

pub(crate) fn describe_basic(obj: &Object) -> String {
    let meta = obj.metadata();
    let mut s = format!("Name:\t{}\n", obj.name());
    s.push_str(&labels_and_annotations(meta));
    if let Object::Namespace(ns) = obj {
        let phase = ns
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default();
        s.push_str(&format!("Status:\t{phase}\n"));
    }
    s
}

/// The head of kubectl's node description: roles, labels, creation, taints, unschedulable.
pub(crate) fn describe_node(node: &k8s_openapi::api::core::v1::Node) -> String {
    let meta = &node.metadata;
    let mut roles: Vec<&str> = meta
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .collect();
    roles.stable_sort();
    let roles = if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    };
    let mut s = format!(
        "Name:\t{}\nRoles:\t{roles}\n",
        meta.name.as_deref().unwrap_or("")
    );
    s.push_str(&labels_and_annotations(meta));
    if let Some(t) = &meta.creation_timestamp {
        s.push_str(&format!("CreationTimestamp:\t{}\n", rfc1123z(t)));
    }
    let spec = node.spec.clone().unwrap_or_default();
    // Sorted by "effect,key", as `printTaintsMultilineWithIndent` sorts them.
    let mut sorted: Vec<&k8s_openapi::api::core::v1::Taint> =
        spec.taints.iter().flatten().collect();
    sorted.stable_sort_by_key(|t| format!("{},{}", t.effect, t.key));
    let taints: Vec<String> = sorted.into_iter().map(taint_string).collect();
    match taints.split_first() {
        None => s.push_str("Taints:\t<none>\n"),
        Some((first, rest)) => {
            s.push_str(&format!("Taints:\t{first}\n"));
            for t in rest {
                s.push_str(&format!("\t{t}\n"));
            }
        }
    }
    s.push_str(&format!(
        "Unschedulable:\t{}\n",
        spec.unschedulable.unwrap_or(false)
    ));
    s
}

/// `Taint.ToString`: `key=value:effect`, dropping the empty parts (`describe node` and
/// `kubectl taint`'s messages).
pub fn taint_string(t: &k8s_openapi::api::core::v1::Taint) -> String {
    let value = t.value.as_deref().unwrap_or("");
    match (t.effect.is_empty(), value.is_empty()) {
        (true, true) => t.key.clone(),
        (true, false) => format!("{}={value}:", t.key),
        (false, true) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={value}:{}", t.key, t.effect),
    }
}

/// `time.Time{}` in RFC 1123 with a numeric zone.
const ZERO_TIME: &str = "Mon, 01 Jan 0001 00:00:00 +0000";

fn state_lines(label: &str, state: &ContainerState) -> String {
    if let Some(r) = &state.running {
        let started = r.started_at.as_ref().map(rfc1123z).unwrap_or_default();
        format!("    {label}\tRunning\n      Started:\t{started}\n")
    } else if let Some(w) = &state.waiting {
        let mut s = format!("    {label}\tWaiting\n");
        if let Some(r) = w.reason.as_ref().filter(|r| !r.is_empty()) {
            s.push_str(&format!("      Reason:\t{r}\n"));
        }
        s
    } else if let Some(t) = &state.terminated {
        let mut s = format!("    {label}\tTerminated\n");
        if let Some(r) = &t.reason {
            s.push_str(&format!("      Reason:\t{r}\n"));
        }
        if let Some(m) = t.message.as_ref().filter(|m| !m.is_empty()) {
            s.push_str(&format!("      Message:\t{m}\n"));
        }
        s.push_str(&format!("      Exit Code:\t{}\n", t.exit_code));
        // An unknown time prints as Go's zero time, as kubectl does.
        let at = |t: &Option<_>| t.as_ref().map_or_else(|| ZERO_TIME.to_string(), rfc1123z);
        s.push_str(&format!("      Started:\t{}\n", at(&t.started_at)));
        s.push_str(&format!("      Finished:\t{}\n", at(&t.finished_at)));
        s
    } else {
        format!("    {label}\tWaiting\n")
    }
}

fn container_block(c: &Container, statuses: &[ContainerStatus], pod: &Pod) -> String {
    let status = statuses.iter().find(|s| s.name == c.name);
    let mut s = format!("  {}:\n", c.name);
    if let Some(st) = status {
        let id = st.container_id.clone().unwrap_or_default();
        s.push_str(&format!("    Container ID:\t{id}\n"));
    }
    s.push_str(&format!(
        "    Image:\t{}\n",
        c.image.clone().unwrap_or_default()
    ));
    if let Some(st) = status {
        s.push_str(&format!("    Image ID:\t{}\n", st.image_id));
    }
    s.push_str(&ports_and_command(c));
    match status {
        Some(st) => {
            s.push_str(&state_lines(
                "State:",
                &st.state.clone().unwrap_or_default(),
            ));
            if let Some(last) = st.last_state.as_ref().filter(|l| l.terminated.is_some()) {
                s.push_str(&state_lines("Last State:", last));
            }
            s.push_str(&format!(
                "    Ready:\t{}\n",
                if st.ready { "True" } else { "False" }
            ));
            s.push_str(&format!("    Restart Count:\t{}\n", st.restart_count));
        }
        None => s.push_str("    Ready:\tFalse\n    Restart Count:\t0\n"),
    }
    s.push_str(&resources_env_mounts(c, Some(pod)));
    s
}

pub(crate) fn describe_pod(pod: &Pod) -> String {
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let mut s = format!("Name:\t{}\n", meta.name.clone().unwrap_or_default());
    s.push_str(&format!(
        "Namespace:\t{}\n",
        meta.namespace.clone().unwrap_or_default()
    ));
    s.push_str(&format!("Priority:\t{}\n", spec.priority.unwrap_or(0)));
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|c| !c.is_empty())
    {
        s.push_str(&format!("Priority Class Name:\t{class}\n"));
    }
    if let Some(sa) = &spec.service_account_name {
        s.push_str(&format!("Service Account:\t{sa}\n"));
    }
    match &spec.node_name {
        Some(n) => s.push_str(&format!(
            "Node:\t{n}/{}\n",
            status.host_ip.clone().unwrap_or_default()
        )),
        None => s.push_str("Node:\t<none>\n"),
    }
    if let Some(t) = &status.start_time {
        s.push_str(&format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    s.push_str(&labels_and_annotations(meta));
    if meta.deletion_timestamp.is_some() {
        s.push_str("Status:\tTerminating\n");
        s.push_str(&format!(
            "Termination Grace Period:\t{}s\n",
            meta.deletion_grace_period_seconds.unwrap_or(30)
        ));
    } else {
        s.push_str(&format!(
            "Status:\t{}\n",
            status.phase.clone().unwrap_or_default()
        ));
    }
    for (label, value) in [("Reason", &status.reason), ("Message", &status.message)] {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            s.push_str(&format!("{label}:\t{v}\n"));
        }
    }
    s.push_str(&format!(
        "IP:\t{}\n",
        status.pod_ip.clone().unwrap_or_default()
    ));
    match status.pod_ips.as_ref().filter(|ips| !ips.is_empty()) {
        Some(ips) => {
            s.push_str("IPs:\n");
            for ip in ips {
                s.push_str(&format!("  IP:\t{}\n", ip.ip));
            }
        }
        None => s.push_str("IPs:\t<none>\n"),
    }
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
    {
        s.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    if let Some(node) = status
        .nominated_node_name
        .as_deref()
        .filter(|n| !n.is_empty())
    {
        s.push_str(&format!("NominatedNodeName:\t{node}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|i| !i.is_empty()) {
        s.push_str("Init Containers:\n");
        let statuses = status.init_container_statuses.as_deref().unwrap_or(&[]);
        for c in init {
            s.push_str(&container_block(c, statuses, pod));
        }
    }
    s.push_str("Containers:\n");
    let statuses = status.container_statuses.as_deref().unwrap_or(&[]);
    for c in &spec.containers {
        s.push_str(&container_block(c, statuses, pod));
    }
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        s.push_str("Conditions:\n  Type\tStatus\n");
        for c in &conditions {
            s.push_str(&format!("  {}\t{}\n", c.type_, c.status));
        }
    }
    s.push_str(&volumes::section(spec.volumes.as_deref().unwrap_or(&[])));
    s.push_str(&format!(
        "QoS Class:\t{}\n",
        status.qos_class.clone().unwrap_or_default()
    ));
    s.push_str(&map_lines(
        "Node-Selectors:",
        spec.node_selector.as_ref(),
        &[],
        "",
    ));
    let mut tolerations: Vec<String> = spec
        .tolerations
        .iter()
        .flatten()
        .map(|t| {
            let mut x = t.key.clone().unwrap_or_default();
            if let Some(v) = t.value.as_ref().filter(|v| !v.is_empty()) {
                x.push_str(&format!("={v}"));
            }
            if let Some(e) = t.effect.as_ref().filter(|e| !e.is_empty()) {
                x.push_str(&format!(":{e}"));
            }
            if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
                x.push_str(" op=Exists");
            }
            if let Some(secs) = t.toleration_seconds {
                x.push_str(&format!(" for {secs}s"));
            }
            x
        })
        .collect();
    tolerations.stable_sort();
    match tolerations.split_first() {
        None => s.push_str("Tolerations:\t<none>\n"),
        Some((first, rest)) => {
            s.push_str(&format!("Tolerations:\t{first}\n"));
            for t in rest {
                s.push_str(&format!("\t{t}\n"));
            }
        }
    }
    s
}

/// The Events table, as kubectl's `DescribeEvents`: sorted by `lastTimestamp` with Go's
/// `sort.Sort` (events of the events API have none: they come first); repeats as
/// `4s (x3 over 24s)`; From without the host.
fn events_section(world: &World, obj: &Object, now: i64) -> String {
    // A mirror pod's events are its static pod's (kubectl looks them up by that uid).
    let uid = match obj {
        Object::Pod(p) => crate::api::pod::event_uid(&p.metadata).to_string(),
        _ => obj.metadata().uid.clone().unwrap_or_default(),
    };
    let mut events: Vec<&Event> = world
        .api
        .list("Event", None)
        .filter_map(|o| match o {
            Object::Event(e) if e.involved_object.uid.as_deref() == Some(uid.as_str()) => {
                Some(e.as_ref())
            }
            _ => None,
        })
        .collect();
    if events.is_empty() {
        return tabwrite("Events:\t<none>\n", 0, 2);
    }
    // Stored times have whole seconds, as the API server keeps them.
    let last_s = |e: &Event| {
        e.last_timestamp
            .as_ref()
            .map_or(i64::MIN, |t| ms_from_time(t).div_euclid(1000))
    };
    crate::sort::go_sort_by(&mut events, |a, b| last_s(a) < last_s(b));
    let mut text = String::from(
        "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n",
    );
    for e in events {
        let when = crate::printers::columns::event_interval(e, now);
        let from = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        text.push_str(&format!(
            "  {}\t{}\t{when}\t{from}\t{}\n",
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            e.message.clone().unwrap_or_default().trim()
        ));
    }
    tabwrite(&text, 0, 2)
}

/// A container's `Port:`/`Host Port:` (or plural) and `Command:`/`Args:` lines, as in pod
/// and pod-template descriptions.
pub fn ports_and_command(c: &Container) -> String {
    let mut s = String::new();
    let ports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let named = p
                .name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            format!(
                "{}/{}{named}",
                p.container_port,
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            )
        })
        .collect();
    let host_ports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| {
            format!(
                "{}/{}",
                p.host_port.unwrap_or(0),
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            )
        })
        .collect();
    match ports.len() {
        0 => s.push_str("    Port:\t<none>\n    Host Port:\t<none>\n"),
        1 => s.push_str(&format!(
            "    Port:\t{}\n    Host Port:\t{}\n",
            ports[0], host_ports[0]
        )),
        _ => s.push_str(&format!(
            "    Ports:\t{}\n    Host Ports:\t{}\n",
            ports.join(", "),
            host_ports.join(", ")
        )),
    }
    for (label, items) in [("Command:", &c.command), ("Args:", &c.args)] {
        if let Some(items) = items.as_ref().filter(|i| !i.is_empty()) {
            s.push_str(&format!("    {label}\n"));
            for i in items {
                s.push_str(&format!("      {i}\n"));
            }
        }
    }
    s
}

/// A probe as kubectl's `DescribeProbe` prints it:
/// `http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3`.
pub fn probe_text(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    let port = |p: &IntOrString| match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    if let Some(e) = &p.exec {
        format!(
            "exec [{}] {attrs}",
            e.command.as_deref().unwrap_or(&[]).join(" ")
        )
    } else if let Some(g) = &p.http_get {
        let host = g.host.clone().unwrap_or_default();
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        let path = g.path.clone().unwrap_or_default();
        // Go's url.URL adds the slash between a host and a relative path.
        let path = if path.is_empty() || path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        format!(
            "http-get {}://{host}:{}{path} {attrs}",
            g.scheme.as_deref().unwrap_or("").to_ascii_lowercase(),
            port(&g.port)
        )
    } else if let Some(t) = &p.tcp_socket {
        format!(
            "tcp-socket {}:{} {attrs}",
            t.host.clone().unwrap_or_default(),
            port(&t.port)
        )
    } else if let Some(g) = &p.grpc {
        format!(
            "grpc <pod>:{} {} {attrs}",
            g.port,
            g.service.clone().unwrap_or_default()
        )
    } else {
        format!("unknown {attrs}")
    }
}

/// `describeContainerEnvFrom`: printed only when the container has `envFrom`.
fn env_from_lines(c: &Container) -> String {
    let Some(from) = c.env_from.as_ref().filter(|f| !f.is_empty()) else {
        return String::new();
    };
    let mut s = String::from("    Environment Variables from:\n");
    for e in from {
        let (name, kind, optional) = match (&e.config_map_ref, &e.secret_ref) {
            (Some(r), _) => (r.name.as_str(), "ConfigMap", r.optional == Some(true)),
            (None, Some(r)) => (r.name.as_str(), "Secret", r.optional == Some(true)),
            (None, None) => ("", "", false),
        };
        match e.prefix.as_deref().filter(|p| !p.is_empty()) {
            None => s.push_str(&format!("      {name}\t{kind}\tOptional: {optional}\n")),
            Some(p) => s.push_str(&format!(
                "      {name}\t{kind} with prefix '{p}'\tOptional: {optional}\n"
            )),
        }
    }
    s
}

/// `describeContainerEnvVars`: literal values (one line each of a multi-line one), then
/// each `valueFrom` as kubectl shows it without reading the referenced object.
fn env_lines(c: &Container, pod: Option<&Pod>) -> String {
    let Some(env) = c.env.as_ref().filter(|e| !e.is_empty()) else {
        return "    Environment:\t<none>\n".into();
    };
    let mut s = String::from("    Environment:\n");
    for e in env {
        let Some(from) = &e.value_from else {
            let value = e.value.clone().unwrap_or_default();
            for (i, line) in value.split('\n').enumerate() {
                if i == 0 {
                    s.push_str(&format!("      {}:\t{line}\n", e.name));
                } else {
                    s.push_str(&format!("      \t{line}\n"));
                }
            }
            continue;
        };
        let line = if let Some(f) = &from.field_ref {
            // A pod template's has no value; kubectl still prints ` (v1:<path>)` after it,
            // which `daemonsets.txt` does not have yet: left as it was.
            let Some(p) = pod else {
                s.push_str(&format!("      {}:\t\n", e.name));
                continue;
            };
            let value = crate::node::env::field_value(p, f);
            let version = f.api_version.as_deref().unwrap_or("v1");
            format!("{value} ({version}:{})", f.field_path)
        } else if let Some(r) = &from.resource_field_ref {
            let mut value =
                crate::node::env::container_resource_value(c, r, None).unwrap_or_default();
            if value == "0" && matches!(r.resource.as_str(), "limits.cpu" | "limits.memory") {
                value = "node allocatable".into();
            }
            format!("{value} ({})", r.resource)
        } else if let Some(r) = &from.secret_key_ref {
            format!(
                "<set to the key '{}' in secret '{}'>\tOptional: {}",
                r.key,
                r.name,
                r.optional == Some(true)
            )
        } else if let Some(r) = &from.config_map_key_ref {
            format!(
                "<set to the key '{}' of config map '{}'>\tOptional: {}",
                r.key,
                r.name,
                r.optional == Some(true)
            )
        } else {
            String::new()
        };
        s.push_str(&format!("      {}:\t{line}\n", e.name));
    }
    s
}

/// A container's `Limits:`/`Requests:`, probe, `Environment Variables from:`,
/// `Environment:` and `Mounts:` lines (`pod` resolves `fieldRef` values).
pub fn resources_env_mounts(c: &Container, pod: Option<&Pod>) -> String {
    let mut s = String::new();
    let resources = c.resources.clone().unwrap_or_default();
    for (label, map) in [
        ("Limits:", resources.limits),
        ("Requests:", resources.requests),
    ] {
        if let Some(map) = map.filter(|m| !m.is_empty()) {
            s.push_str(&format!("    {label}\n"));
            for (k, v) in map {
                s.push_str(&format!("      {k}:\t{}\n", v.0));
            }
        }
    }
    for (label, p) in [
        ("Liveness:", &c.liveness_probe),
        ("Readiness:", &c.readiness_probe),
        ("Startup:", &c.startup_probe),
    ] {
        if let Some(p) = p {
            s.push_str(&format!("    {label}\t{}\n", probe_text(p)));
        }
    }
    s.push_str(&env_from_lines(c));
    s.push_str(&env_lines(c, pod));
    s.push_str(&volumes::mounts(c));
    s
}
