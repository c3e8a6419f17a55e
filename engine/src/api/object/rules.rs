//! [`KindRules`]: a kind's defaulting and validation, as an apiserver registry strategy's
//! `PrepareForCreate` and `Validate` — and the rules of the kinds the store holds, each
//! pointing at the module that writes them.

use super::{
    CronJob, DaemonSet, Deployment, Endpoints, Event, Job, Namespace, Node, Object,
    PersistentVolumeClaim, Pod, ReplicaSet, ReplicationController, ResourceQuota, Service,
    ServiceAccount, StatefulSet,
};
use crate::api::{batch, defaults, pvc, validation, workload_defaults, workload_validation};

/// What the API does with a kind beyond its schema. Both default to nothing.
pub trait KindRules {
    /// Fills in defaulted fields.
    fn default_fields(&mut self) {}

    /// Adds the causes an invalid object of this kind has (`obj` is `self` as an
    /// [`Object`], for validators written over any kind).
    fn validate(&self, _obj: &Object, _causes: &mut Vec<String>) {}

    /// Adds the causes an update from `old` to `self` has, in the apiserver's order
    /// (`ValidateUpdate`): by default those of [`KindRules::validate`].
    fn validate_update(&self, obj: &Object, _old: &Self, causes: &mut Vec<String>) {
        self.validate(obj, causes);
    }

    /// Adjusts the object's JSON (`v`, serde's) to what the API serves, where Go's encoding
    /// differs (e.g. an empty list without `omitempty` is served as `null`).
    fn served_json(&self, _v: &mut serde_json::Value) {}
}

impl KindRules for Pod {
    fn default_fields(&mut self) {
        defaults::pod(self);
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        match self.spec.as_ref() {
            Some(spec) => validation::pod_spec(spec, "spec", causes),
            None => causes.push("spec.containers: Required value".to_string()),
        }
        causes.extend(validation::affinity::node_affinity_causes(self));
        causes.extend(validation::affinity::pod_affinity_causes(self));
    }
}

impl KindRules for Namespace {
    fn default_fields(&mut self) {
        defaults::namespace(self);
    }
}

/// Workloads: `workload_defaults` and `workload_validation`.
macro_rules! workload {
    ($($kind:ident => $default:path),* $(,)?) => {$(
        impl KindRules for $kind {
            fn default_fields(&mut self) {
                $default(self);
            }

            fn validate(&self, obj: &Object, causes: &mut Vec<String>) {
                workload_validation::validate(obj, causes);
            }
        }
    )*};
}

workload!(
    Deployment => workload_defaults::deployment,
    ReplicaSet => workload_defaults::replica_set,
    ReplicationController => workload_defaults::replication_controller,
    StatefulSet => workload_defaults::stateful_set,
    DaemonSet => workload_defaults::daemon_set,
    PersistentVolumeClaim => pvc::new_claim,
);

impl KindRules for Job {
    fn default_fields(&mut self) {
        batch::job(self);
    }

    fn validate(&self, obj: &Object, causes: &mut Vec<String>) {
        batch::validate(obj, causes);
    }
}

impl KindRules for CronJob {
    fn default_fields(&mut self) {
        batch::cron_job(self);
    }

    fn validate(&self, obj: &Object, causes: &mut Vec<String>) {
        batch::validate(obj, causes);
    }
}

impl KindRules for Endpoints {}
impl KindRules for Event {
    /// Go serves the fields without `omitempty` even when unset: the times (structs) as
    /// `null`, `source` as `{}`, the reporting controller and instance as `""`.
    fn served_json(&self, v: &mut serde_json::Value) {
        use serde_json::Value;
        let Some(map) = v.as_object_mut() else { return };
        for key in ["eventTime", "firstTimestamp", "lastTimestamp"] {
            map.entry(key).or_insert(Value::Null);
        }
        map.entry("source")
            .or_insert_with(|| Value::Object(Default::default()));
        for key in ["reportingComponent", "reportingInstance"] {
            map.entry(key)
                .or_insert_with(|| Value::String(String::new()));
        }
    }
}
impl KindRules for Node {}
impl KindRules for Service {}
impl KindRules for ServiceAccount {}

/// The causes of an update of `old` to `new` (same kind), as [`KindRules::validate_update`].
pub fn validate_update(new: &Object, old: &Object, causes: &mut Vec<String>) {
    new.validate_update_fields(old, causes);
}

/// A kind's status subresource, as the apiserver's strategies treat it: a main-resource
/// write keeps the stored status (`PrepareForUpdate`), a status write keeps the stored spec
/// (the status strategy's `PrepareForUpdate`). Kinds without one keep nothing.
pub trait StatusSubresource {
    /// Takes `old`'s status (a write of the main resource).
    fn keep_status(&mut self, _old: &Self) {}

    /// Takes `old`'s spec (a write of the status subresource).
    fn keep_spec(&mut self, _old: &Self) {}
}

/// Kinds with `spec` and `status`.
macro_rules! status_subresource {
    ($($kind:ident),* $(,)?) => {$(
        // Writers mostly send back the stored part unchanged: compared first, it is not
        // copied again (a comparison allocates nothing).
        impl StatusSubresource for $kind {
            fn keep_status(&mut self, old: &Self) {
                if self.status != old.status {
                    self.status.clone_from(&old.status);
                }
            }

            fn keep_spec(&mut self, old: &Self) {
                if self.spec != old.spec {
                    self.spec.clone_from(&old.spec);
                }
            }
        }
    )*};
}

status_subresource!(
    Pod,
    Node,
    Namespace,
    Service,
    PersistentVolumeClaim,
    Deployment,
    ReplicaSet,
    ReplicationController,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    ResourceQuota,
);

impl StatusSubresource for Endpoints {}
impl StatusSubresource for Event {}
impl StatusSubresource for ServiceAccount {}
