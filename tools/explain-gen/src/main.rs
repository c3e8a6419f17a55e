//! Writes the data `kubectl explain` needs (descriptions, field types, required fields) for
//! every kind in Kubeplay's `api-resources`, from the schemas k8s-openapi carries.
//!
//! Run from the repository root: `cargo run --manifest-path tools/explain-gen/Cargo.toml`.
//! Output: `public/explain.json` (loaded by the page on demand) — one object per schema:
//! `{"d": description, "f": [[name, type, description, ref, required], ...]}` plus
//! `"kinds": {"v1/Pod": "io.k8s.api.core.v1.Pod", ...}`.

use std::collections::BTreeMap;

use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1 as apiregistration;
use k8s_openapi::api::{
    admissionregistration::v1 as admissionregistration, apps::v1 as apps,
    authentication::v1 as authentication, authorization::v1 as authorization,
    autoscaling::v2 as autoscaling, batch::v1 as batch, certificates::v1 as certificates,
    coordination::v1 as coordination, core::v1 as core, discovery::v1 as discovery,
    events::v1 as events, flowcontrol::v1 as flowcontrol, networking::v1 as networking,
    node::v1 as node, policy::v1 as policy, rbac::v1 as rbac, resource::v1 as resource,
    scheduling::v1 as scheduling, storage::v1 as storage,
};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

fn add<T: JsonSchema>(gen: &mut SchemaGenerator, kinds: &mut BTreeMap<String, String>, gv: &str, kind: &str) {
    let schema = gen.subschema_for::<T>();
    let name = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default()
        .to_string();
    kinds.insert(format!("{gv}/{kind}"), name);
}

/// `kubectl explain`'s type guess: `string`, `integer`, `Object`, `[]Container`, `map[string]string`.
fn type_guess(schema: &Value, defs: &Map<String, Value>) -> String {
    if let Some(items) = schema.get("items") {
        return format!("[]{}", type_guess(items, defs));
    }
    if let Some(ap) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        return format!("map[string]{}", type_guess(ap, defs));
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        let target = defs.get(name);
        let ty = target.and_then(|t| t.get("type")).and_then(Value::as_str);
        return match ty {
            None | Some("object") => name.rsplit('.').next().unwrap_or("Object").to_string(),
            Some(t) => t.to_string(),
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None => "Object".into(),
        Some(t) => t.into(),
    }
}

/// The definition a field's schema leads to (through arrays and maps), if any.
fn target_ref(schema: &Value) -> Option<String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().map(str::to_string);
    }
    if let Some(items) = schema.get("items") {
        return target_ref(items);
    }
    schema
        .get("additionalProperties")
        .filter(|v| v.is_object())
        .and_then(target_ref)
}

fn main() {
    let mut gen = SchemaGenerator::default();
    let mut kinds = BTreeMap::new();
    macro_rules! kinds {
        ($($ty:ty => $gv:literal $kind:literal),* $(,)?) => {
            $(add::<$ty>(&mut gen, &mut kinds, $gv, $kind);)*
        };
    }
    kinds!(
        core::Binding => "v1" "Binding",
        core::ComponentStatus => "v1" "ComponentStatus",
        core::ConfigMap => "v1" "ConfigMap",
        core::Endpoints => "v1" "Endpoints",
        core::Event => "v1" "Event",
        core::LimitRange => "v1" "LimitRange",
        core::Namespace => "v1" "Namespace",
        core::Node => "v1" "Node",
        core::PersistentVolumeClaim => "v1" "PersistentVolumeClaim",
        core::PersistentVolume => "v1" "PersistentVolume",
        core::Pod => "v1" "Pod",
        core::PodTemplate => "v1" "PodTemplate",
        core::ReplicationController => "v1" "ReplicationController",
        core::ResourceQuota => "v1" "ResourceQuota",
        core::Secret => "v1" "Secret",
        core::ServiceAccount => "v1" "ServiceAccount",
        core::Service => "v1" "Service",
        admissionregistration::MutatingWebhookConfiguration => "admissionregistration.k8s.io/v1" "MutatingWebhookConfiguration",
        admissionregistration::ValidatingAdmissionPolicy => "admissionregistration.k8s.io/v1" "ValidatingAdmissionPolicy",
        admissionregistration::ValidatingAdmissionPolicyBinding => "admissionregistration.k8s.io/v1" "ValidatingAdmissionPolicyBinding",
        admissionregistration::ValidatingWebhookConfiguration => "admissionregistration.k8s.io/v1" "ValidatingWebhookConfiguration",
        apiregistration::APIService => "apiregistration.k8s.io/v1" "APIService",
        apps::ControllerRevision => "apps/v1" "ControllerRevision",
        apps::DaemonSet => "apps/v1" "DaemonSet",
        apps::Deployment => "apps/v1" "Deployment",
        apps::ReplicaSet => "apps/v1" "ReplicaSet",
        apps::StatefulSet => "apps/v1" "StatefulSet",
        authentication::SelfSubjectReview => "authentication.k8s.io/v1" "SelfSubjectReview",
        authentication::TokenReview => "authentication.k8s.io/v1" "TokenReview",
        authorization::LocalSubjectAccessReview => "authorization.k8s.io/v1" "LocalSubjectAccessReview",
        authorization::SelfSubjectAccessReview => "authorization.k8s.io/v1" "SelfSubjectAccessReview",
        authorization::SelfSubjectRulesReview => "authorization.k8s.io/v1" "SelfSubjectRulesReview",
        authorization::SubjectAccessReview => "authorization.k8s.io/v1" "SubjectAccessReview",
        autoscaling::HorizontalPodAutoscaler => "autoscaling/v2" "HorizontalPodAutoscaler",
        batch::CronJob => "batch/v1" "CronJob",
        batch::Job => "batch/v1" "Job",
        certificates::CertificateSigningRequest => "certificates.k8s.io/v1" "CertificateSigningRequest",
        coordination::Lease => "coordination.k8s.io/v1" "Lease",
        discovery::EndpointSlice => "discovery.k8s.io/v1" "EndpointSlice",
        events::Event => "events.k8s.io/v1" "Event",
        flowcontrol::FlowSchema => "flowcontrol.apiserver.k8s.io/v1" "FlowSchema",
        flowcontrol::PriorityLevelConfiguration => "flowcontrol.apiserver.k8s.io/v1" "PriorityLevelConfiguration",
        networking::IngressClass => "networking.k8s.io/v1" "IngressClass",
        networking::IPAddress => "networking.k8s.io/v1" "IPAddress",
        networking::Ingress => "networking.k8s.io/v1" "Ingress",
        networking::NetworkPolicy => "networking.k8s.io/v1" "NetworkPolicy",
        networking::ServiceCIDR => "networking.k8s.io/v1" "ServiceCIDR",
        node::RuntimeClass => "node.k8s.io/v1" "RuntimeClass",
        policy::PodDisruptionBudget => "policy/v1" "PodDisruptionBudget",
        rbac::ClusterRoleBinding => "rbac.authorization.k8s.io/v1" "ClusterRoleBinding",
        rbac::ClusterRole => "rbac.authorization.k8s.io/v1" "ClusterRole",
        rbac::RoleBinding => "rbac.authorization.k8s.io/v1" "RoleBinding",
        rbac::Role => "rbac.authorization.k8s.io/v1" "Role",
        resource::DeviceClass => "resource.k8s.io/v1" "DeviceClass",
        resource::ResourceClaim => "resource.k8s.io/v1" "ResourceClaim",
        resource::ResourceClaimTemplate => "resource.k8s.io/v1" "ResourceClaimTemplate",
        resource::ResourceSlice => "resource.k8s.io/v1" "ResourceSlice",
        scheduling::PriorityClass => "scheduling.k8s.io/v1" "PriorityClass",
        storage::CSIDriver => "storage.k8s.io/v1" "CSIDriver",
        storage::CSINode => "storage.k8s.io/v1" "CSINode",
        storage::CSIStorageCapacity => "storage.k8s.io/v1" "CSIStorageCapacity",
        storage::StorageClass => "storage.k8s.io/v1" "StorageClass",
        storage::VolumeAttachment => "storage.k8s.io/v1" "VolumeAttachment",
        storage::VolumeAttributesClass => "storage.k8s.io/v1" "VolumeAttributesClass",
    );
    let defs: Map<String, Value> = gen
        .take_definitions(true)
        .into_iter()
        .collect();
    let mut out = Map::new();
    for (name, schema) in &defs {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Vec::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            let mut names: Vec<&String> = props.keys().collect();
            names.sort();
            for f in names {
                let p = &props[f];
                fields.push(json!([
                    f,
                    type_guess(p, &defs),
                    p.get("description").and_then(Value::as_str).unwrap_or(""),
                    target_ref(p).unwrap_or_default(),
                    // k8s-openapi marks a resource's metadata required; the apiserver's schema does not.
                    required.contains(&f.as_str()) && f != "metadata",
                ]));
            }
        }
        let mut entry = Map::new();
        entry.insert(
            "d".into(),
            schema.get("description").cloned().unwrap_or(json!("")),
        );
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            entry.insert("t".into(), json!(t));
        }
        entry.insert("f".into(), Value::Array(fields));
        out.insert(name.clone(), Value::Object(entry));
    }
    let doc = json!({ "kinds": kinds, "defs": out });
    let text = serde_json::to_string(&doc).expect("serialisable");
    std::fs::write("public/explain.json", text).expect("write public/explain.json");
    eprintln!("wrote public/explain.json: {} definitions", defs.len());
}
