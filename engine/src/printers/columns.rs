//! The columns `kubectl get` shows for each kind, and how each cell is computed.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};

use super::kinds::{Columns, KindPrinter};
use crate::api::object::{with_kind, with_object, Object};
use crate::clock::ms_from_time;

/// Options that change the table's shape.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableOptions {
    /// `-o wide`.
    pub wide: bool,
}

/// The AGE cell of an object at `now_ms`.
pub fn age(obj: &Object, now_ms: i64) -> String {
    let created = obj.metadata().creation_timestamp.as_ref();
    super::age::since(created.map(ms_from_time), now_ms)
}

/// CREATED AT: the creation time in RFC 3339, UTC.
pub(crate) fn created_at(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> String {
    meta.creation_timestamp
        .as_ref()
        .map(|t| t.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".into())
}

/// The header of the table for `kind` (its [`KindPrinter::columns`]).
pub fn headers(kind: &str, opts: TableOptions) -> Vec<&'static str> {
    let (base, wide): Columns =
        with_kind!(kind, K => <K as KindPrinter>::columns(), _ => (&["NAME", "AGE"], &[]));
    if opts.wide {
        let whole: Option<&[&str]> =
            with_kind!(kind, K => <K as KindPrinter>::wide_header(), _ => None);
        if let Some(whole) = whole {
            return whole.to_vec();
        }
    }
    let mut h = base.to_vec();
    if opts.wide {
        h.extend_from_slice(wide);
    }
    h
}

/// The cells of one object's row (NAME first), matching [`headers`].
pub fn row(obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
    with_object!(obj, o => o.row(obj, now_ms, opts))
}

pub(crate) fn node_row(n: &Node, name: String, age: String, opts: TableOptions) -> Vec<String> {
    let status = n.status.clone().unwrap_or_default();
    let mut status_cell = node_ready(n).to_string();
    if n.spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
    {
        status_cell.push_str(",SchedulingDisabled");
    }
    let info = status.node_info.clone().unwrap_or_default();
    let mut cells = vec![
        name,
        status_cell,
        node_roles(n),
        age,
        info.kubelet_version.clone(),
    ];
    if opts.wide {
        let address = |kind: &str| {
            status
                .addresses
                .iter()
                .flatten()
                .find(|a| a.type_ == kind)
                .map(|a| a.address.clone())
                .unwrap_or_else(|| "<none>".into())
        };
        let or_unknown = |s: &str| {
            if s.is_empty() {
                "<unknown>".to_string()
            } else {
                s.to_string()
            }
        };
        cells.extend([
            address("InternalIP"),
            address("ExternalIP"),
            or_unknown(&info.os_image),
            or_unknown(&info.kernel_version),
            or_unknown(&info.container_runtime_version),
        ]);
    }
    cells
}

/// The node's Ready condition as `kubectl get nodes` prints it: `Ready`, `NotReady`, `Unknown`.
pub(crate) fn node_ready(n: &Node) -> &'static str {
    n.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .find(|c| c.type_ == "Ready")
        .map(|c| {
            if c.status == "True" {
                "Ready"
            } else {
                "NotReady"
            }
        })
        .unwrap_or("Unknown")
}

/// ROLES: from `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, sorted.
pub(crate) fn node_roles(n: &Node) -> String {
    let mut roles: Vec<String> = n
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, v)| {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                (!role.is_empty()).then(|| role.to_string())
            } else if k == "kubernetes.io/role" {
                (!v.is_empty()).then(|| v.clone())
            } else {
                None
            }
        })
        .collect();
    roles.stable_sort();
    roles.dedup();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

pub(crate) fn namespace_row(ns: &Namespace, name: String, age: String) -> Vec<String> {
    let phase = ns
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    vec![name, phase, age]
}

pub(crate) fn pod_row(
    p: &Pod,
    name: String,
    age: String,
    now_ms: i64,
    opts: TableOptions,
) -> Vec<String> {
    use super::pod_columns;
    let mut cells = vec![
        name,
        pod_columns::ready(p),
        pod_columns::status(p),
        pod_columns::restarts(p, now_ms),
        age,
    ];
    if opts.wide {
        let empty = Default::default();
        let status = p.status.as_ref().unwrap_or(&empty);
        let gates = p
            .spec
            .as_ref()
            .and_then(|s| s.readiness_gates.as_ref())
            .map_or(0, Vec::len);
        cells.extend([
            status
                .pod_ips
                .as_ref()
                .and_then(|ips| ips.first().map(|i| i.ip.clone()))
                .or_else(|| status.pod_ip.clone())
                .unwrap_or_else(|| "<none>".into()),
            p.spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_else(|| "<none>".into()),
            status
                .nominated_node_name
                .clone()
                .unwrap_or_else(|| "<none>".into()),
            if gates == 0 {
                "<none>".into()
            } else {
                format!("0/{gates}")
            },
        ]);
    }
    cells
}

/// When an event happened, as `kubectl describe` and `kubectl events` show it: its age, or
/// for a repeated one `LAST (xN over FIRST)` from the series or the legacy count.
pub(crate) fn event_interval(e: &Event, now_ms: i64) -> String {
    use crate::api::event_times;
    let since = |ms| super::age::since(ms, now_ms);
    let first = since(event_times::described_first_ms(e));
    match (event_times::series(e), e.count.unwrap_or(0)) {
        (Some((count, last)), _) => format!("{} (x{count} over {first})", since(Some(last))),
        (None, count) if count > 1 => format!(
            "{} (x{count} over {first})",
            since(e.last_timestamp.as_ref().map(ms_from_time))
        ),
        _ => first,
    }
}

/// An Event's row, as upstream's `printEvent`: first and last seen and the count from either
/// recorder's fields; SOURCE is the source, else the reporting controller and instance.
pub(crate) fn event_row(e: &Event, now_ms: i64, opts: TableOptions) -> Vec<String> {
    use crate::api::event_times;
    let obj = &e.involved_object;
    let since = |ms| super::age::since(ms, now_ms);
    let last_seen = since(event_times::last_seen_ms(e));
    let kind = obj.kind.clone().unwrap_or_default().to_ascii_lowercase();
    let target = match obj.name.as_deref() {
        Some(name) if !name.is_empty() => format!("{kind}/{name}"),
        _ => kind,
    };
    let message = e.message.as_deref().unwrap_or_default().trim().to_string();
    let (ty, reason) = (
        e.type_.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
    );
    if !opts.wide {
        return vec![last_seen, ty, reason, target, message];
    }
    let source = e.source.clone().unwrap_or_default();
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let component = non_empty(source.component)
        .or_else(|| non_empty(e.reporting_component.clone()))
        .unwrap_or_default();
    let source = match non_empty(source.host).or_else(|| non_empty(e.reporting_instance.clone())) {
        Some(instance) => format!("{component}, {instance}"),
        None => component,
    };
    vec![
        last_seen,
        ty,
        reason,
        target,
        obj.field_path.clone().unwrap_or_default(),
        source,
        message,
        since(event_times::first_seen_ms(e)),
        event_times::count(e).to_string(),
        e.metadata.name.clone().unwrap_or_default(),
    ]
}
