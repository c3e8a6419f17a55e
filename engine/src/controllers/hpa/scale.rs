//! The scale subresource of an HPA's target, as the controller's scale client reads and
//! writes it: Deployments, ReplicaSets, StatefulSets and ReplicationControllers (spec and
//! status replicas, the selector as a string), with the apiserver's errors for other kinds.

use k8s_openapi::api::autoscaling::v2::CrossVersionObjectReference;

use crate::api::object::Object;
use crate::api::selector::{format_label_selector, Selector};
use crate::world::World;

/// A target's scale (`autoscaling/v1` Scale).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scale {
    /// `spec.replicas`.
    pub spec_replicas: i32,
    /// `status.replicas`.
    pub status_replicas: i32,
    /// `status.selector`, in label-selector string form.
    pub selector: String,
    /// The parsed selector, when it has one.
    pub parsed: Option<Selector>,
}

/// The target's scale, or the error message the controller reports (`FailedGetScale`).
pub fn get(
    world: &World,
    namespace: &str,
    r: &CrossVersionObjectReference,
) -> Result<Scale, String> {
    let api_version = r.api_version.as_deref().unwrap_or("");
    let parts: Vec<&str> = api_version.split('/').collect();
    let group = match parts.as_slice() {
        [_] => "",
        [g, _] => g,
        _ => return Err(format!("unexpected GroupVersion string: {api_version}")),
    };
    let Some(info) = world
        .api
        .served_kinds()
        .into_iter()
        .find(|k| k.kind == r.kind && k.group == group)
    else {
        return Err(format!(
            "no matches for kind \"{}\" in group \"{group}\"",
            r.kind
        ));
    };
    if !matches!(
        info.kind,
        "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
    ) {
        return Err("the server could not find the requested resource".into());
    }
    let Some(obj) = world.api.get(info.kind, namespace, &r.name) else {
        return Err(format!(
            "{} \"{}\" not found",
            info.qualified_resource(),
            r.name
        ));
    };
    let (spec_replicas, status_replicas, selector) = match obj {
        Object::Deployment(d) => (
            d.spec.as_ref().and_then(|s| s.replicas),
            d.status.as_ref().and_then(|s| s.replicas),
            d.spec.as_ref().map(|s| format_label_selector(&s.selector)),
        ),
        Object::ReplicaSet(d) => (
            d.spec.as_ref().and_then(|s| s.replicas),
            d.status.as_ref().map(|s| s.replicas),
            d.spec.as_ref().map(|s| format_label_selector(&s.selector)),
        ),
        Object::StatefulSet(d) => (
            d.spec.as_ref().and_then(|s| s.replicas),
            d.status.as_ref().map(|s| s.replicas),
            d.spec.as_ref().map(|s| format_label_selector(&s.selector)),
        ),
        Object::ReplicationController(d) => (
            d.spec.as_ref().and_then(|s| s.replicas),
            d.status.as_ref().map(|s| s.replicas),
            d.spec.as_ref().and_then(|s| s.selector.as_ref()).map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        ),
        _ => (None, None, None),
    };
    let selector = selector.unwrap_or_default();
    let parsed = Selector::parse(&selector).ok().filter(|s| !s.is_empty());
    Ok(Scale {
        spec_replicas: spec_replicas.unwrap_or(1),
        status_replicas: status_replicas.unwrap_or(0),
        selector,
        parsed,
    })
}

/// Sets the target's `spec.replicas` through the API server.
pub fn update(
    world: &mut World,
    namespace: &str,
    r: &CrossVersionObjectReference,
    replicas: i32,
) -> Result<(), String> {
    let found = [
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "ReplicationController",
    ]
    .into_iter()
    .find(|k| *k == r.kind)
    .and_then(|k| world.api.get(k, namespace, &r.name))
    .cloned();
    let Some(mut obj) = found else {
        return Err(format!("{} \"{}\" not found", r.kind, r.name));
    };
    match &mut obj {
        Object::Deployment(d) => {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }
        Object::ReplicaSet(d) => {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }
        Object::StatefulSet(d) => {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }
        Object::ReplicationController(d) => {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }
        _ => {}
    }
    world
        .api
        .update(obj)
        .map(|_| ())
        .map_err(|e| e.kubectl_message())
}
