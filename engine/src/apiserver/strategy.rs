//! Per-kind strategies, as kube-apiserver's `pkg/registry/<group>/<kind>/strategy.go`:
//! what a create fills in (`PrepareForCreate`: `generateName`, defaulting, a Job's generated
//! selector) and what an update may change (`PrepareForUpdate` + `ValidateUpdate`).

use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::rng::Rng;

/// Longest `generateName` base the name generator keeps (apiserver's
/// `maxGeneratedNameLength`: 63 minus the 5 random characters).
const MAX_GENERATED_BASE: usize = 58;

/// `PrepareForCreate`: the name from `generateName`, defaulted fields, and a Job's
/// `controller-uid` selector (it names the uid the store is about to assign).
pub(super) fn prepare_for_create(obj: &mut Object, rng: &mut Rng) {
    let meta = obj.metadata_mut();
    if meta.name.as_deref().unwrap_or("").is_empty() {
        if let Some(base) = meta.generate_name.as_deref().filter(|b| !b.is_empty()) {
            let base: String = base.chars().take(MAX_GENERATED_BASE).collect();
            meta.name = Some(format!("{base}{}", rng.name_suffix(5)));
        }
    }
    crate::api::defaults::object(obj);
    if let Object::CustomResourceDefinition(crd) = obj {
        crate::api::custom::crd::prepare_for_create(crd);
    }
    if let Object::Custom(o) = obj {
        // The status subresource's create strategy drops what a client sent as status.
        if o.def.preferred().status_subresource {
            o.fields.remove("status");
        }
    }
    if let Object::Pod(p) = obj {
        crate::api::pod::merge_affinity_label_keys(p);
    }
    if let Object::PodDisruptionBudget(p) = obj {
        // The create strategy resets the status the disruption controller computes.
        p.status = Some(Default::default());
    }
    if let Object::ResourceQuota(q) = obj {
        // The quota controller fills the status in.
        q.status = Some(Default::default());
    }
    if let Object::Job(j) = obj {
        let uid = super::store::new_uid(&mut rng.clone());
        crate::api::batch::generate_selector(j, &uid);
    }
}

/// Whether a new object starts at `metadata.generation: 1`, as the strategies of the
/// named groups' kinds set it; core kinds, RBAC objects, StorageClasses and APIServices
/// carry none.
pub(super) fn starts_generation(obj: &Object) -> bool {
    !obj.info().group.is_empty()
        && !matches!(
            obj,
            Object::Role(_)
                | Object::ClusterRole(_)
                | Object::RoleBinding(_)
                | Object::ClusterRoleBinding(_)
                | Object::StorageClass(_)
                | Object::APIService(_)
                | Object::PriorityClass(_)
        )
}

/// Whether a main-resource write from `old` to `new` leaves [`generation_fields`] as they
/// were (so `metadata.generation` stays). The typed fields are compared first: equal typed
/// values serialize to equal JSON, so only a write that changed them pays for the JSON
/// comparison (which alone decides, as two typed values may serialize alike).
pub(super) fn same_generation_fields(old: &Object, new: &Object) -> bool {
    macro_rules! typed {
        ($($kind:ident => $field:ident),* $(,)?) => {
            match (old, new) {
                $((Object::$kind(a), Object::$kind(b)) => a.$field == b.$field,)*
                (Object::EndpointSlice(a), Object::EndpointSlice(b)) => {
                    a.address_type == b.address_type
                        && a.endpoints == b.endpoints
                        && a.ports == b.ports
                        && a.metadata.labels == b.metadata.labels
                }
                _ => false,
            }
        };
    }
    let equal = typed!(
        Deployment => spec,
        ReplicaSet => spec,
        StatefulSet => spec,
        DaemonSet => spec,
        Job => spec,
        CronJob => spec,
        HorizontalPodAutoscaler => spec,
        PodDisruptionBudget => spec,
        Ingress => spec,
        NetworkPolicy => spec,
        ValidatingWebhookConfiguration => webhooks,
        MutatingWebhookConfiguration => webhooks,
    );
    equal || generation_fields(old) == generation_fields(new)
}

/// What a main-resource write must change to move `metadata.generation`: the spec; for an
/// EndpointSlice, which has none, everything but its metadata, and its labels; for a
/// webhook configuration its webhooks (their strategies' `PrepareForUpdate`).
fn generation_fields(obj: &Object) -> serde_json::Value {
    if let Object::Custom(o) = obj {
        return o.generation_fields();
    }
    let mut v = obj.to_json();
    if matches!(
        obj,
        Object::ValidatingWebhookConfiguration(_) | Object::MutatingWebhookConfiguration(_)
    ) {
        return v.get("webhooks").cloned().unwrap_or_default();
    }
    if !matches!(obj, Object::EndpointSlice(_)) {
        return v.get("spec").cloned().unwrap_or_default();
    }
    if let Some(map) = v.as_object_mut() {
        let labels = map.get("metadata").and_then(|m| m.get("labels")).cloned();
        map.insert("metadata".into(), labels.unwrap_or_default());
    }
    v
}

/// `PrepareForUpdate` + `ValidateUpdate` for an object a client merged from a manifest:
/// returns what is stored. Pods only take the changes the apiserver allows on a running pod
/// (container images, labels, annotations); Services keep their allocations; every other
/// kind takes the new labels, annotations and spec, while its status stays the controllers'.
pub(super) fn prepare_for_update(
    existing: Object,
    desired: Object,
    rng: &mut Rng,
) -> Result<Object, ApiError> {
    match (existing, desired) {
        (Object::Pod(mut current), Object::Pod(wanted)) => {
            let mut check = (*current).clone();
            let mut wanted_defaulted = (*wanted).clone();
            crate::api::defaults::pod(&mut wanted_defaulted);
            if let Some(v) = crate::api::service_account::token_volume(&current) {
                crate::api::service_account::admit(&mut wanted_defaulted, &v);
            }
            // Compare specs with images and scheduling fields set aside.
            if let (Some(cs), Some(ws)) = (check.spec.as_mut(), wanted_defaulted.spec.as_mut()) {
                ws.node_name = cs.node_name.clone();
                // What Priority admission filled in.
                ws.priority = cs.priority;
                ws.preemption_policy.clone_from(&cs.preemption_policy);
                if ws.priority_class_name.is_none() {
                    ws.priority_class_name.clone_from(&cs.priority_class_name);
                }
                for (c, w) in cs.containers.iter_mut().zip(ws.containers.iter_mut()) {
                    c.image = w.image.clone();
                }
            }
            if check.spec != wanted_defaulted.spec {
                return Err(ApiError::Forbidden {
                    kind: "Pod".into(),
                    name: current.metadata.name.clone().unwrap_or_default(),
                    message: "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                });
            }
            current.metadata.labels = wanted.metadata.labels.clone();
            current.metadata.annotations = wanted.metadata.annotations.clone();
            if let (Some(cs), Some(ws)) = (current.spec.as_mut(), wanted.spec.as_ref()) {
                for (c, w) in cs.containers.iter_mut().zip(ws.containers.iter()) {
                    c.image = w.image.clone();
                }
            }
            Ok(Object::Pod(current))
        }
        (Object::Namespace(mut current), Object::Namespace(wanted)) => {
            current.metadata.labels = wanted.metadata.labels.clone();
            current.metadata.annotations = wanted.metadata.annotations.clone();
            Ok(Object::Namespace(current))
        }
        (Object::Service(current), Object::Service(mut wanted)) => {
            let causes = crate::api::service::merge_update(&current, &mut wanted);
            if !causes.is_empty() {
                return Err(ApiError::Invalid {
                    kind: "Service".into(),
                    name: current.metadata.name.clone().unwrap_or_default(),
                    causes,
                });
            }
            let mut taken = crate::api::service::Allocated::default();
            crate::api::service::default_new(&mut wanted, &mut taken, rng);
            Ok(Object::Service(wanted))
        }
        (current, mut desired) => {
            crate::api::defaults::object(&mut desired);
            crate::api::validation::validate_update(&desired, &current)?;
            let mut merged = current;
            copy_spec_and_meta(&mut merged, desired);
            Ok(merged)
        }
    }
}

/// Copies `from`'s labels, annotations and spec onto `to` (same kind), keeping `to`'s status
/// and system metadata.
fn copy_spec_and_meta(to: &mut Object, from: Object) {
    let meta = from.metadata().clone();
    let m = to.metadata_mut();
    m.labels = meta.labels;
    m.annotations = meta.annotations;
    match (to, from) {
        (Object::Deployment(t), Object::Deployment(f)) => t.spec = f.spec,
        (Object::ReplicaSet(t), Object::ReplicaSet(f)) => t.spec = f.spec,
        (Object::ReplicationController(t), Object::ReplicationController(f)) => t.spec = f.spec,
        (Object::StatefulSet(t), Object::StatefulSet(f)) => t.spec = f.spec,
        (Object::DaemonSet(t), Object::DaemonSet(f)) => t.spec = f.spec,
        (Object::Job(t), Object::Job(mut f)) => {
            // The generated selector and template labels stay.
            if let (Some(ts), Some(fs)) = (t.spec.as_ref(), f.spec.as_mut()) {
                if fs.manual_selector != Some(true) {
                    fs.selector = ts.selector.clone();
                    fs.template.metadata = ts.template.metadata.clone();
                }
            }
            t.spec = f.spec
        }
        (Object::CronJob(t), Object::CronJob(f)) => t.spec = f.spec,
        (to, from) => *to = from,
    }
}
