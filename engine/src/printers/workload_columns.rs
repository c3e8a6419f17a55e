//! `kubectl get` rows for workload controllers: Deployments, ReplicaSets,
//! ReplicationControllers, StatefulSets, DaemonSets.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{PodTemplateSpec, ReplicationController};

use super::columns::TableOptions;
use crate::api::selector::{format_label_selector, format_map};

/// Header of the table for a workload kind, if `kind` is one.
pub fn headers(kind: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const WIDE: &[&str] = &["CONTAINERS", "IMAGES", "SELECTOR"];
    match kind {
        "Deployment" => Some((&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], WIDE)),
        "ReplicaSet" | "ReplicationController" => {
            Some((&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], WIDE))
        }
        "StatefulSet" => Some((&["NAME", "READY", "AGE"], &["CONTAINERS", "IMAGES"])),
        "DaemonSet" => Some((
            &[
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "NODE SELECTOR",
                "AGE",
            ],
            WIDE,
        )),
        _ => None,
    }
}

/// `CONTAINERS` and `IMAGES` cells: the template's containers, comma-joined.
pub(crate) fn containers_and_images(template: Option<&PodTemplateSpec>) -> (String, String) {
    let containers = template
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or(&[]);
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = containers
        .iter()
        .map(|c| c.image.as_deref().unwrap_or(""))
        .collect();
    (names.join(","), images.join(","))
}

fn wide(mut row: Vec<String>, template: Option<&PodTemplateSpec>, selector: String) -> Vec<String> {
    let (c, i) = containers_and_images(template);
    row.extend([c, i, selector]);
    row
}

/// A Deployment's row.
pub fn deployment_row(
    d: &Deployment,
    name: String,
    age: String,
    opts: TableOptions,
) -> Vec<String> {
    let spec = d.spec.as_ref();
    let status = d.status.clone().unwrap_or_default();
    let replicas = spec.and_then(|s| s.replicas).unwrap_or(1);
    let row = vec![
        name,
        format!("{}/{replicas}", status.ready_replicas.unwrap_or(0)),
        status.updated_replicas.unwrap_or(0).to_string(),
        status.available_replicas.unwrap_or(0).to_string(),
        age,
    ];
    if !opts.wide {
        return row;
    }
    let selector = spec
        .map(|s| format_label_selector(&s.selector))
        .unwrap_or_else(|| "<none>".into());
    wide(row, spec.map(|s| &s.template), selector)
}

/// A ReplicaSet's row.
pub fn replica_set_row(
    rs: &ReplicaSet,
    name: String,
    age: String,
    opts: TableOptions,
) -> Vec<String> {
    let spec = rs.spec.as_ref();
    let status = rs.status.clone().unwrap_or_default();
    let row = vec![
        name,
        spec.and_then(|s| s.replicas).unwrap_or(1).to_string(),
        status.replicas.to_string(),
        status.ready_replicas.unwrap_or(0).to_string(),
        age,
    ];
    if !opts.wide {
        return row;
    }
    let selector = spec
        .map(|s| format_label_selector(&s.selector))
        .unwrap_or_else(|| "<none>".into());
    wide(row, spec.and_then(|s| s.template.as_ref()), selector)
}

/// A ReplicationController's row.
pub fn replication_controller_row(
    rc: &ReplicationController,
    name: String,
    age: String,
    opts: TableOptions,
) -> Vec<String> {
    let spec = rc.spec.as_ref();
    let status = rc.status.clone().unwrap_or_default();
    let row = vec![
        name,
        spec.and_then(|s| s.replicas).unwrap_or(1).to_string(),
        status.replicas.to_string(),
        status.ready_replicas.unwrap_or(0).to_string(),
        age,
    ];
    if !opts.wide {
        return row;
    }
    let selector = format_map(spec.and_then(|s| s.selector.as_ref()));
    wide(row, spec.and_then(|s| s.template.as_ref()), selector)
}

/// A StatefulSet's row: READY is `readyReplicas/spec.replicas`.
pub fn stateful_set_row(
    s: &StatefulSet,
    name: String,
    age: String,
    opts: TableOptions,
) -> Vec<String> {
    let spec = s.spec.as_ref();
    let ready = s
        .status
        .as_ref()
        .and_then(|st| st.ready_replicas)
        .unwrap_or(0);
    let replicas = spec.and_then(|s| s.replicas).unwrap_or(1);
    let mut row = vec![name, format!("{ready}/{replicas}"), age];
    if opts.wide {
        let (c, i) = containers_and_images(spec.map(|s| &s.template));
        row.extend([c, i]);
    }
    row
}

/// A DaemonSet's row.
pub fn daemon_set_row(d: &DaemonSet, name: String, age: String, opts: TableOptions) -> Vec<String> {
    let spec = d.spec.as_ref();
    let st = d.status.clone().unwrap_or_default();
    let node_selector = format_map(
        spec.and_then(|s| s.template.spec.as_ref())
            .and_then(|s| s.node_selector.as_ref()),
    );
    let row = vec![
        name,
        st.desired_number_scheduled.to_string(),
        st.current_number_scheduled.to_string(),
        st.number_ready.to_string(),
        st.updated_number_scheduled.unwrap_or(0).to_string(),
        st.number_available.unwrap_or(0).to_string(),
        node_selector,
        age,
    ];
    if !opts.wide {
        return row;
    }
    let selector = spec
        .map(|s| format_label_selector(&s.selector))
        .unwrap_or_else(|| "<none>".into());
    wide(row, spec.map(|s| &s.template), selector)
}
