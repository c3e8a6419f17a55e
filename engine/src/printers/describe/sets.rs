//! `kubectl describe` for StatefulSets, DaemonSets and PersistentVolumeClaims, in the
//! layouts of kubectl's describers.

use k8s_openapi::api::apps::v1::{DaemonSet, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};

use super::workloads::pod_template;
use super::{labels_and_annotations, map_lines};
use crate::api::object::Object;
use crate::api::selector::{format_label_selector, format_map};
use crate::printers::age::human_duration_secs;
use crate::world::World;

/// The body of the description (without Events), if `obj` is one of these kinds.
pub fn describe(world: &World, obj: &Object) -> Option<String> {
    match obj {
        Object::StatefulSet(s) => Some(stateful_set(world, s)),
        Object::DaemonSet(d) => Some(daemon_set(world, d)),
        Object::PersistentVolumeClaim(c) => Some(claim(world, c)),
        _ => None,
    }
}

/// `N Running / N Waiting / N Succeeded / N Failed` over the pods controlled by `uid`.
fn pods_status(world: &World, ns: &str, uid: &str) -> String {
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for p in world.api.pods_owned_by(ns, uid) {
        match crate::api::pod::phase(&p) {
            "Running" => running += 1,
            "Succeeded" => succeeded += 1,
            "Failed" => failed += 1,
            _ => waiting += 1,
        }
    }
    format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n")
}

fn stateful_set(world: &World, s: &StatefulSet) -> String {
    let meta = &s.metadata;
    let spec = s.spec.clone().unwrap_or_default();
    let st = s.status.clone().unwrap_or_default();
    let ns = meta.namespace.clone().unwrap_or_default();
    let mut out = format!("Name:\t{}\n", meta.name.clone().unwrap_or_default());
    out.push_str(&format!("Namespace:\t{ns}\n"));
    if let Some(t) = &meta.creation_timestamp {
        out.push_str(&format!(
            "CreationTimestamp:\t{}\n",
            t.0.strftime("%a, %d %b %Y %H:%M:%S %z")
        ));
    }
    out.push_str(&format!(
        "Selector:\t{}\n",
        format_label_selector(&spec.selector)
    ));
    out.push_str(&labels_and_annotations(meta));
    out.push_str(&format!(
        "Replicas:\t{} desired | {} total\n",
        spec.replicas.unwrap_or(1),
        st.replicas
    ));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    out.push_str(&format!(
        "Update Strategy:\t{}\n",
        strategy.type_.clone().unwrap_or_default()
    ));
    if let Some(partition) = strategy.rolling_update.and_then(|r| r.partition) {
        out.push_str(&format!("  Partition:\t{partition}\n"));
    }
    out.push_str(&pods_status(world, &ns, meta.uid.as_deref().unwrap_or("")));
    out.push_str(&pod_template(Some(&spec.template)));
    let templates = spec.volume_claim_templates.unwrap_or_default();
    if templates.is_empty() {
        out.push_str("Volume Claims:\t<none>\n");
    }
    if !templates.is_empty() {
        out.push_str("Volume Claims:\n");
    }
    for c in &templates {
        let cspec = c.spec.clone().unwrap_or_default();
        out.push_str(&format!(
            "  Name:\t{}\n",
            c.metadata.name.clone().unwrap_or_default()
        ));
        out.push_str(&format!(
            "  StorageClass:\t{}\n",
            cspec.storage_class_name.clone().unwrap_or_default()
        ));
        out.push_str(&map_lines("Labels:", c.metadata.labels.as_ref(), &[], "  "));
        out.push_str(&map_lines(
            "Annotations:",
            c.metadata.annotations.as_ref(),
            &[],
            "  ",
        ));
        let capacity = cspec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map(|q| q.0.clone())
            .unwrap_or_else(|| "<default>".into());
        out.push_str(&format!("  Capacity:\t{capacity}\n"));
        out.push_str(&format!(
            "  Access Modes:\t[{}]\n",
            cspec.access_modes.unwrap_or_default().join(" ")
        ));
    }
    out
}

fn daemon_set(world: &World, d: &DaemonSet) -> String {
    let meta = &d.metadata;
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let ns = meta.namespace.clone().unwrap_or_default();
    let mut out = format!("Name:\t{}\n", meta.name.clone().unwrap_or_default());
    out.push_str(&format!("Namespace:\t{ns}\n"));
    out.push_str(&format!(
        "Selector:\t{}\n",
        format_label_selector(&spec.selector)
    ));
    out.push_str(&format!(
        "Node-Selector:\t{}\n",
        format_map(
            spec.template
                .spec
                .as_ref()
                .and_then(|s| s.node_selector.as_ref())
        )
    ));
    out.push_str(&labels_and_annotations(meta));
    out.push_str(&format!(
        "Desired Number of Nodes Scheduled: {}\n",
        st.desired_number_scheduled
    ));
    out.push_str(&format!(
        "Current Number of Nodes Scheduled: {}\n",
        st.current_number_scheduled
    ));
    out.push_str(&format!(
        "Number of Nodes Scheduled with Up-to-date Pods: {}\n",
        st.updated_number_scheduled.unwrap_or(0)
    ));
    out.push_str(&format!(
        "Number of Nodes Scheduled with Available Pods: {}\n",
        st.number_available.unwrap_or(0)
    ));
    out.push_str(&format!(
        "Number of Nodes Misscheduled: {}\n",
        st.number_misscheduled
    ));
    out.push_str(&pods_status(world, &ns, meta.uid.as_deref().unwrap_or("")));
    out.push_str(&pod_template(Some(&spec.template)));
    out
}

/// The pods of the claim's namespace that mount it, by name.
fn used_by(world: &World, ns: &str, claim: &str) -> Vec<String> {
    let uses = |p: &Pod| {
        p.spec
            .iter()
            .flat_map(|s| s.volumes.iter().flatten())
            .any(|v| {
                v.persistent_volume_claim
                    .as_ref()
                    .is_some_and(|c| c.claim_name == claim)
            })
    };
    world
        .api
        .list("Pod", Some(ns))
        .filter_map(|o| match o {
            Object::Pod(p) if uses(p) => p.metadata.name.clone(),
            _ => None,
        })
        .collect()
}

fn claim(world: &World, c: &PersistentVolumeClaim) -> String {
    let meta = &c.metadata;
    let spec = c.spec.clone().unwrap_or_default();
    let st = c.status.clone().unwrap_or_default();
    let ns = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let mut out = format!("Name:\t{name}\n");
    out.push_str(&format!("Namespace:\t{ns}\n"));
    out.push_str(&format!(
        "StorageClass:\t{}\n",
        crate::api::pvc::claim_class(c)
    ));
    if let Some(class) = spec
        .volume_attributes_class_name
        .as_ref()
        .filter(|c| !c.is_empty())
    {
        out.push_str(&format!("VolumeAttributesClass:\t{class}\n"));
    }
    match &meta.deletion_timestamp {
        Some(t) => {
            let secs = (world.clock.now_ms() - crate::clock::ms_from_time(t)).div_euclid(1000);
            out.push_str(&format!(
                "Status:\tTerminating (lasts {})\n",
                human_duration_secs(secs)
            ));
        }
        None => out.push_str(&format!(
            "Status:\t{}\n",
            st.phase.clone().unwrap_or_default()
        )),
    }
    let volume = spec.volume_name.clone().unwrap_or_default();
    out.push_str(&format!("Volume:\t{volume}\n"));
    out.push_str(&labels_and_annotations(meta));
    out.push_str(&format!(
        "Finalizers:\t[{}]\n",
        meta.finalizers.clone().unwrap_or_default().join(" ")
    ));
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            st.capacity
                .as_ref()
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_default(),
            crate::printers::storage_columns::access_modes(
                st.access_modes.as_deref().unwrap_or(&[]),
            ),
        )
    };
    out.push_str(&format!("Capacity:\t{capacity}\n"));
    out.push_str(&format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = spec.volume_mode.as_ref() {
        out.push_str(&format!("VolumeMode:\t{mode}\n"));
    }
    let users = used_by(world, &ns, &name);
    match users.split_first() {
        None => out.push_str("Used By:\t<none>\n"),
        Some((first, rest)) => {
            out.push_str(&format!("Used By:\t{first}\n"));
            for u in rest {
                out.push_str(&format!("\t{u}\n"));
            }
        }
    }
    out
}
