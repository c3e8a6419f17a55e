//! Objects as the API serves them: [`Object`], one variant per stored kind (its typed
//! `k8s-openapi` value), their keys, and the watch events that report their changes.

//!
//! A kind is one line of the `objects!` list below plus, in its own file under
//! `api/object/`, its [`KindRules`] (defaulting and validation); layers above reach its
//! other traits (printers) through [`with_object!`] and [`with_kind!`].

mod admission_policy;
mod api_service;
pub mod certificates;
mod config_map;
pub mod csi;
mod dra;
mod endpoint_slice;
pub mod flowcontrol;
pub mod hpa;
mod ingress;
mod limit_range;
mod network_policy;
pub mod policy;
mod rbac;
pub mod resource_quota;
mod rules;
mod runtime_class;
mod secret;
pub(crate) use secret::config_key_causes;
pub mod service_cidr;
mod storage;
mod webhook;

pub use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
    ValidatingWebhookConfiguration,
};
pub use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
pub use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
pub use k8s_openapi::api::batch::v1::{CronJob, Job};
pub use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::PodSpec;
pub use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume,
    PersistentVolumeClaim, Pod, ReplicationController, ResourceQuota, Secret, Service,
    ServiceAccount,
};
pub use k8s_openapi::api::discovery::v1::EndpointSlice;
pub use k8s_openapi::api::flowcontrol::v1::{FlowSchema, PriorityLevelConfiguration};
pub use k8s_openapi::api::networking::v1::{
    IPAddress, Ingress, IngressClass, NetworkPolicy, ServiceCIDR,
};
pub use k8s_openapi::api::node::v1::RuntimeClass;
pub use k8s_openapi::api::policy::v1::PodDisruptionBudget;
pub use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
pub use k8s_openapi::api::resource::v1::{
    DeviceClass, ResourceClaim, ResourceClaimTemplate, ResourceSlice,
};
pub use k8s_openapi::api::scheduling::v1::PriorityClass;
pub use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

pub use crate::api::custom::CustomObject;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::kinds::{self, KindInfo};
use crate::api::manifest::{self, DecodeError};
use crate::api::typed;
pub use api_service::available as api_service_available;
pub use k8s_openapi::api::storage::v1::{
    CSIDriver, CSINode, CSIStorageCapacity, StorageClass, VolumeAttachment, VolumeAttributesClass,
};
pub use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
pub use rbac::aggregated_rules;
pub use rules::{validate_update, KindRules, StatusSubresource};
pub use storage::{default_class, is_default_class, volume_warnings};

/// A kind the store holds, named by its typed value: typed store access
/// (`api.get_as::<Pod>(ns, name)`) instead of a kind string and an `Object::Pod` unwrap.
pub trait Kind: Sized {
    /// The kind's name, e.g. `Pod`.
    const KIND: &'static str;
    /// The typed value inside `obj`, if it is of this kind.
    fn of(obj: &Object) -> Option<&Self>;
}

macro_rules! objects {
    ($d:tt; $($kind:ident),* $(,)?) => {
        /// Runs `$body` with `$o` bound to the typed value inside an [`Object`] (a
        /// `&Box<Kind>` or `&mut Box<Kind>`), whatever its kind: how the layers above the
        /// API reach a kind's own trait impls (its printer).
        macro_rules! with_object {
            ($d obj:expr, $d o:ident => $d body:expr) => {
                match $d obj {
                    $($crate::api::object::Object::$kind($d o) => $d body,)*
                    $crate::api::object::Object::Custom($d o) => $d body,
                }
            };
        }
        pub(crate) use with_object;

        /// Runs `$body` with the type alias `$t` naming the kind called `$kind`, or
        /// `$default` for a kind the store does not hold.
        macro_rules! with_kind {
            ($d kind:expr, $d t:ident => $d body:expr, _ => $d default:expr) => {
                match $d kind {
                    $(stringify!($kind) => {
                        type $d t = $crate::api::object::$kind;
                        $d body
                    })*
                    _ => $d default,
                }
            };
        }
        pub(crate) use with_kind;

        $(impl Kind for $kind {
            const KIND: &'static str = stringify!($kind);
            fn of(obj: &Object) -> Option<&Self> {
                match obj {
                    Object::$kind(o) => Some(o),
                    _ => None,
                }
            }
        })*

        /// Any object the store holds, as its typed `k8s-openapi` value.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $(#[doc = concat!("A ", stringify!($kind), ".")] $kind(Box<$kind>),)*
            /// An object of a kind a CustomResourceDefinition defines.
            Custom(Box<CustomObject>),
        }

        impl Object {
            /// Every built-in kind the store can hold, by kind name (custom kinds come and go
            /// with their CustomResourceDefinitions: `ApiServer::custom_kinds`).
            pub const KINDS: &'static [&'static str] = &[$(stringify!($kind)),*];

            /// The object's metadata.
            pub fn metadata(&self) -> &ObjectMeta {
                match self { $(Object::$kind(o) => &o.metadata,)* Object::Custom(o) => &o.metadata }
            }

            /// The object's metadata, for changing it.
            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(Object::$kind(o) => &mut o.metadata,)*
                    Object::Custom(o) => &mut o.metadata,
                }
            }

            /// The object's kind name, e.g. `Pod`.
            pub fn kind(&self) -> &'static str {
                match self { $(Object::$kind(_) => stringify!($kind),)* Object::Custom(o) => o.info().kind }
            }

            /// Decodes `value` as an object of `kind`, strictly (unknown fields are an error,
            /// with a "did you mean"); `None` for a kind the store does not hold.
            pub fn decode_strict(
                kind: &str,
                value: &serde_json::Value,
            ) -> Option<Result<Object, DecodeError>> {
                match kind {
                    $(stringify!($kind) => Some(
                        manifest::decode_strict::<$kind>(value).map(|o| Object::$kind(Box::new(o))),
                    ),)*
                    _ => None,
                }
            }

            /// Decodes `value` as an object of `kind`, dropping unknown fields; `None` for a
            /// kind the store does not hold.
            pub fn decode_lenient(
                kind: &str,
                value: &serde_json::Value,
            ) -> Option<Result<Object, String>> {
                match kind {
                    $(stringify!($kind) => Some(
                        typed::decode::<$kind>(value)
                            .map(|o| Object::$kind(Box::new(o)))
                            .map_err(|e| e.to_string()),
                    ),)*
                    _ => None,
                }
            }

            /// Keeps `old`'s status (a main-resource write) or, with `status_write`, its spec
            /// (a status write), as the kind's [`StatusSubresource`] says.
            pub fn keep_from(&mut self, old: &Object, status_write: bool) {
                match (self, old) {
                    $((Object::$kind(new), Object::$kind(old)) if status_write => new.keep_spec(old),
                    (Object::$kind(new), Object::$kind(old)) => new.keep_status(old),)*
                    (Object::Custom(new), Object::Custom(old)) if status_write => new.keep_spec(old),
                    (Object::Custom(new), Object::Custom(old)) => new.keep_status(old),
                    _ => {}
                }
            }

            /// Fills in the kind's defaulted fields ([`KindRules::default_fields`]).
            pub fn default_fields(&mut self) {
                match self { $(Object::$kind(o) => o.default_fields(),)* Object::Custom(o) => o.default_fields() }
            }

            /// Adds the kind's validation causes ([`KindRules::validate`]).
            pub fn validate_fields(&self, causes: &mut Vec<String>) {
                match self {
                    $(Object::$kind(o) => o.validate(self, causes),)*
                    Object::Custom(o) => o.validate(self, causes),
                }
            }

            /// Adds the causes of an update from `old` ([`KindRules::validate_update`]; a
            /// kind change or a custom object: [`KindRules::validate`]).
            pub fn validate_update_fields(&self, old: &Object, causes: &mut Vec<String>) {
                match (self, old) {
                    $((Object::$kind(new), Object::$kind(old)) => new.validate_update(self, old, causes),)*
                    _ => self.validate_fields(causes),
                }
            }

            /// The object as JSON, with `apiVersion` and `kind` as the API serves it.
            pub fn to_json(&self) -> serde_json::Value {
                match self {
                    $(Object::$kind(o) => {
                        let mut v = serde_json::to_value(o).unwrap_or(serde_json::Value::Null);
                        o.served_json(&mut v);
                        v
                    })*
                    Object::Custom(o) => o.to_json(),
                }
            }
        }
    };
}

objects!($;
    ConfigMap,
    Endpoints,
    EndpointSlice,
    Event,
    Namespace,
    Node,
    Pod,
    PersistentVolumeClaim,
    ReplicationController,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    HorizontalPodAutoscaler,
    PodDisruptionBudget,
    PriorityClass,
    Service,
    ServiceAccount,
    Ingress,
    IngressClass,
    NetworkPolicy,
    Secret,
    LimitRange,
    ResourceQuota,
    Role,
    ClusterRole,
    RoleBinding,
    ClusterRoleBinding,
    StorageClass,
    PersistentVolume,
    ValidatingWebhookConfiguration,
    MutatingWebhookConfiguration,
    APIService,
    CustomResourceDefinition,
    ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
    CertificateSigningRequest,
    FlowSchema,
    PriorityLevelConfiguration,
    IPAddress,
    ServiceCIDR,
    RuntimeClass,
    DeviceClass,
    ResourceClaim,
    ResourceClaimTemplate,
    ResourceSlice,
    CSIDriver,
    CSINode,
    CSIStorageCapacity,
    VolumeAttachment,
    VolumeAttributesClass,
);

impl Object {
    /// The pod spec inside an object that has one: a pod's own, a workload's template, a
    /// CronJob's job template. Agrees with [`pod_spec_pointer`].
    pub fn pod_spec_mut(&mut self) -> Option<&mut PodSpec> {
        match self {
            Object::Pod(p) => p.spec.as_mut(),
            Object::Deployment(d) => d.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
            Object::ReplicaSet(rs) => rs
                .spec
                .as_mut()
                .and_then(|s| s.template.as_mut())
                .and_then(|t| t.spec.as_mut()),
            Object::ReplicationController(rc) => rc
                .spec
                .as_mut()
                .and_then(|s| s.template.as_mut())
                .and_then(|t| t.spec.as_mut()),
            Object::StatefulSet(s) => s.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
            Object::DaemonSet(d) => d.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
            Object::Job(j) => j.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
            Object::CronJob(c) => c
                .spec
                .as_mut()
                .and_then(|s| s.job_template.spec.as_mut())
                .and_then(|s| s.template.spec.as_mut()),
            _ => None,
        }
    }

    /// The registry entry for this object's kind.
    pub fn info(&self) -> &'static KindInfo {
        match self {
            Object::Custom(o) => o.info(),
            _ => kinds::info(self.kind()),
        }
    }

    /// The object's name.
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// The object's namespace, empty for cluster-scoped objects.
    pub fn namespace(&self) -> &str {
        self.metadata().namespace.as_deref().unwrap_or("")
    }
}

/// Where an object of `kind` keeps its pod spec, as a JSON pointer (for patches); `None`
/// for kinds without one. Agrees with [`Object::pod_spec_mut`].
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "Deployment"
        | "ReplicaSet"
        | "ReplicationController"
        | "StatefulSet"
        | "DaemonSet"
        | "Job" => Some("/spec/template/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

/// An object key seen as borrowed parts, so maps keyed by [`ObjectKey`] can be searched
/// without building one. Orders exactly as `ObjectKey`'s derived `Ord` (kind, namespace, name).
pub trait KeyParts {
    /// (kind, namespace, name).
    fn parts(&self) -> (&str, &str, &str);
}

impl KeyParts for ObjectKey {
    fn parts(&self) -> (&str, &str, &str) {
        (self.kind, &self.namespace, &self.name)
    }
}

impl KeyParts for (&str, &str, &str) {
    fn parts(&self) -> (&str, &str, &str) {
        (self.0, self.1, self.2)
    }
}

impl<'a> std::borrow::Borrow<dyn KeyParts + 'a> for ObjectKey {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyParts + '_ {}

impl PartialOrd for dyn KeyParts + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn KeyParts + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// Hashes exactly as `ObjectKey`'s derived `Hash` (kind, namespace, name), so hashed maps
/// keyed by [`ObjectKey`] can be searched by borrowed parts too.
impl std::hash::Hash for dyn KeyParts + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (kind, namespace, name) = self.parts();
        kind.hash(state);
        namespace.hash(state);
        name.hash(state);
    }
}

/// Where an object lives: kind, namespace (empty for cluster-scoped kinds) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// Kind name, e.g. `Pod`.
    pub kind: &'static str,
    /// Namespace, or empty.
    pub namespace: String,
    /// Object name.
    pub name: String,
}

/// What happened to an object, as a watch reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    /// The object was created.
    Added,
    /// The object was changed.
    Modified,
    /// The object was removed.
    Deleted,
}

/// One entry of the watch log.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchEvent {
    /// What happened.
    pub kind: WatchEventType,
    /// The object as it was after the change (before it, for deletions): the version the
    /// store holds (or held), shared.
    pub object: std::sync::Arc<Object>,
    /// A status write (`PUT …/status`): the spec is the previous version's, so a reader that
    /// follows only the spec can skip comparing it.
    pub status_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind's `pod_spec_mut` and `pod_spec_pointer` find the same spec.
    #[test]
    fn pod_spec_accessors_agree() {
        let spec = serde_json::json!({"containers": [{"name": "c", "image": "nginx"}]});
        let template = serde_json::json!({"template": {"spec": spec}});
        for kind in Object::KINDS {
            let body = match pod_spec_pointer(kind) {
                Some("/spec") => serde_json::json!({"spec": spec}),
                Some("/spec/template/spec") => serde_json::json!({"spec": template}),
                Some(_) => serde_json::json!({"spec": {"jobTemplate": {"spec": template}}}),
                None => serde_json::json!({}),
            };
            let Some(Ok(mut obj)) = Object::decode_lenient(kind, &body) else {
                panic!("{kind} does not decode");
            };
            let found = obj.pod_spec_mut().map(|s| s.containers[0].image.clone());
            let expected = pod_spec_pointer(kind).map(|_| Some("nginx".to_string()));
            assert_eq!(found, expected, "{kind}");
        }
    }
}
