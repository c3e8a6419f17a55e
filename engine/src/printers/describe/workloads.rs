//! `kubectl describe` for workload controllers: ReplicaSet, ReplicationController,
//! Deployment, with kubectl's pod-template layout.

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Pod, PodTemplateSpec};

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::object::Object;
use crate::api::selector::{format_label_selector, format_map, Selector};
use crate::world::World;

/// The body of a workload's description (without Events), if `obj` is a workload.
pub fn describe(world: &World, obj: &Object) -> Option<String> {
    match obj {
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.clone().unwrap_or_default();
            let status = rs.status.clone().unwrap_or_default();
            Some(replica_set_like(
                world,
                obj,
                &format_label_selector(&spec.selector),
                Selector::from_label_selector(&spec.selector),
                status.replicas,
                spec.replicas.unwrap_or(1),
                spec.template.as_ref(),
            ))
        }
        Object::ReplicationController(rc) => {
            let spec = rc.spec.clone().unwrap_or_default();
            let status = rc.status.clone().unwrap_or_default();
            let selector = spec.selector.clone().unwrap_or_default();
            Some(replica_set_like(
                world,
                obj,
                &format_map(Some(&selector)),
                Selector::from_map(&selector),
                status.replicas,
                spec.replicas.unwrap_or(1),
                spec.template.as_ref(),
            ))
        }
        Object::Deployment(d) => Some(deployment(world, d)),
        _ => None,
    }
}

fn deployment(world: &World, d: &k8s_openapi::api::apps::v1::Deployment) -> String {
    let meta = &d.metadata;
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let ns = meta.namespace.clone().unwrap_or_default();
    let mut s = format!("Name:\t{}\n", meta.name.clone().unwrap_or_default());
    s.push_str(&format!("Namespace:\t{ns}\n"));
    if let Some(t) = &meta.creation_timestamp {
        s.push_str(&format!(
            "CreationTimestamp:\t{}\n",
            t.0.strftime("%a, %d %b %Y %H:%M:%S %z")
        ));
    }
    s.push_str(&super::labels_and_annotations(meta));
    s.push_str(&format!(
        "Selector:\t{}\n",
        format_label_selector(&spec.selector)
    ));
    let n = |v: Option<i32>| v.unwrap_or(0);
    s.push_str(&format!(
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
        spec.replicas.unwrap_or(1),
        n(st.updated_replicas),
        n(st.replicas),
        n(st.available_replicas),
        n(st.unavailable_replicas)
    ));
    let strategy = spec.strategy.clone().unwrap_or_default();
    let kind = strategy
        .type_
        .clone()
        .unwrap_or_else(|| "RollingUpdate".into());
    s.push_str(&format!("StrategyType:\t{kind}\n"));
    s.push_str(&format!(
        "MinReadySeconds:\t{}\n",
        spec.min_ready_seconds.unwrap_or(0)
    ));
    if kind == "RollingUpdate" {
        let ru = strategy.rolling_update.unwrap_or_default();
        let text = |v: Option<IntOrString>| match v {
            Some(IntOrString::Int(i)) => i.to_string(),
            Some(IntOrString::String(s)) => s,
            None => "0".into(),
        };
        s.push_str(&format!(
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            text(ru.max_unavailable),
            text(ru.max_surge)
        ));
    }
    s.push_str(&pod_template(Some(&spec.template)));
    if let Some(conditions) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        s.push_str("Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n");
        for c in conditions {
            s.push_str(&format!(
                "  {} \t{}\t{}\n",
                c.type_,
                c.status,
                c.reason.clone().unwrap_or_default()
            ));
        }
    }
    let uid = meta.uid.clone().unwrap_or_default();
    let mut owned: Vec<&k8s_openapi::api::apps::v1::ReplicaSet> = world
        .api
        .list("ReplicaSet", Some(&ns))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs)
                if rs
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|r| r.controller == Some(true) && r.uid == uid) =>
            {
                Some(rs.as_ref())
            }
            _ => None,
        })
        .collect();
    owned.stable_sort_by_key(|rs| rs.metadata.creation_timestamp.as_ref().map(|t| t.0));
    if !owned.is_empty() {
        let template = without_hash(&spec.template);
        let describe_rs = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.clone().unwrap_or_default(),
                rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
            )
        };
        let is_new = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| {
            rs.spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| without_hash(t) == template)
        };
        let new: Vec<String> = owned
            .iter()
            .filter(|r| is_new(r))
            .map(|r| describe_rs(r))
            .collect();
        let old: Vec<String> = owned
            .iter()
            .filter(|r| !is_new(r))
            .filter(|r| {
                r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0) > 0
                    || r.status.as_ref().is_some_and(|s| s.replicas > 0)
            })
            .map(|r| describe_rs(r))
            .collect();
        let or_none = |v: Vec<String>| {
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(", ")
            }
        };
        s.push_str(&format!("OldReplicaSets:\t{}\n", or_none(old)));
        s.push_str(&format!("NewReplicaSet:\t{}\n", or_none(new)));
    }
    s
}

fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(crate::controllers::deployment::HASH_LABEL);
    }
    t
}

fn replica_set_like(
    world: &World,
    obj: &Object,
    selector_text: &str,
    selector: Selector,
    current: i32,
    desired: i32,
    template: Option<&PodTemplateSpec>,
) -> String {
    let meta = obj.metadata();
    let mut s = format!("Name:\t{}\n", obj.name());
    s.push_str(&format!("Namespace:\t{}\n", obj.namespace()));
    s.push_str(&format!("Selector:\t{selector_text}\n"));
    s.push_str(&super::labels_and_annotations(meta));
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
    {
        s.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    s.push_str(&format!(
        "Replicas:\t{current} current / {desired} desired\n"
    ));
    let uid = meta.uid.clone().unwrap_or_default();
    let mut phases: BTreeMap<&str, usize> = BTreeMap::new();
    for o in world.api.list("Pod", Some(obj.namespace())) {
        let Object::Pod(p) = o else { continue };
        let owned = p
            .metadata
            .owner_references
            .iter()
            .flatten()
            .any(|r| r.controller == Some(true) && r.uid == uid);
        if owned && selector.matches(p.metadata.labels.as_ref()) {
            *phases.entry(phase_bucket(p)).or_default() += 1;
        }
    }
    let n = |k: &str| phases.get(k).copied().unwrap_or(0);
    s.push_str(&format!(
        "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n",
        n("Running"),
        n("Waiting"),
        n("Succeeded"),
        n("Failed")
    ));
    s.push_str(&pod_template(template));
    s
}

fn phase_bucket(p: &Pod) -> &'static str {
    match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Running") => "Running",
        Some("Succeeded") => "Succeeded",
        Some("Failed") => "Failed",
        _ => "Waiting",
    }
}

/// The `Pod Template:` section, as kubectl's DescribePodTemplate prints it.
pub fn pod_template(template: Option<&PodTemplateSpec>) -> String {
    let t = template.cloned().unwrap_or_default();
    let meta = t.metadata.unwrap_or_default();
    let spec = t.spec.unwrap_or_default();
    let mut s = String::from("Pod Template:\n");
    s.push_str(&super::map_lines(
        "Labels:",
        meta.labels.as_ref(),
        &[],
        "  ",
    ));
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        s.push_str(&super::map_lines(
            "Annotations:",
            meta.annotations.as_ref(),
            &[],
            "  ",
        ));
    }
    if let Some(sa) = spec.service_account_name.as_ref() {
        s.push_str(&format!("  Service Account:\t{sa}\n"));
    }
    if !spec.init_containers.as_ref().is_none_or(|c| c.is_empty()) {
        s.push_str("  Init Containers:\n");
        for c in spec.init_containers.iter().flatten() {
            s.push_str(&template_container(c));
        }
    }
    s.push_str("  Containers:\n");
    for c in &spec.containers {
        s.push_str(&template_container(c));
    }
    s.push_str(&super::volumes::section_at(
        spec.volumes.as_deref().unwrap_or(&[]),
        "  ",
    ));
    let selectors = format_map(spec.node_selector.as_ref());
    s.push_str(&format!("  Node-Selectors:\t{selectors}\n"));
    let tolerations: Vec<String> = spec
        .tolerations
        .iter()
        .flatten()
        .map(|t| {
            let mut text = t.key.clone().unwrap_or_default();
            if let Some(v) = &t.value {
                text.push_str(&format!("={v}"));
            }
            if let Some(e) = t.effect.as_ref().filter(|e| !e.is_empty()) {
                text.push_str(&format!(":{e}"));
            }
            if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
                text.push_str(" op=Exists");
            }
            if let Some(secs) = t.toleration_seconds {
                text.push_str(&format!(" for {secs}s"));
            }
            text
        })
        .collect();
    if tolerations.is_empty() {
        s.push_str("  Tolerations:\t<none>\n");
    } else {
        s.push_str(&format!("  Tolerations:\t{}\n", tolerations[0]));
        for t in &tolerations[1..] {
            s.push_str(&format!("  \t{t}\n"));
        }
    }
    s
}

/// One template container: like a pod's, without status, the name indented one more space.
fn template_container(c: &Container) -> String {
    let mut s = format!("   {}:\n", c.name);
    s.push_str(&format!(
        "    Image:\t{}\n",
        c.image.clone().unwrap_or_default()
    ));
    s.push_str(&super::ports_and_command(c));
    s.push_str(&super::resources_env_mounts(c, None));
    s
}
