//! StorageClass (`storage.k8s.io/v1`) and PersistentVolume (v1): defaults
//! (`pkg/apis/storage/v1/defaults.go`, `pkg/apis/core/v1/defaults.go`) and validation
//! (`pkg/apis/storage/validation`, `ValidatePersistentVolume`); the default class.

use k8s_openapi::api::core::v1::PersistentVolumeSpec;
use serde_json::Value;

use crate::api::pvc::PV_PROTECTION_FINALIZER;

use super::{KindRules, Object, PersistentVolume, StatusSubresource, StorageClass};

/// The annotation that marks the cluster's default class.
const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";

/// Whether `class` is annotated as the default (the GA or the beta annotation).
pub fn is_default_class(class: &StorageClass) -> bool {
    class.metadata.annotations.as_ref().is_some_and(|a| {
        [
            DEFAULT_CLASS_ANNOTATION,
            "storageclass.beta.kubernetes.io/is-default-class",
        ]
        .iter()
        .any(|k| a.get(*k).is_some_and(|v| v == "true"))
    })
}

/// `GetDefaultClass`: of the classes annotated as the default, the newest (then the first
/// by name), as the DefaultStorageClass admission plugin and the binder pick it.
pub fn default_class<'a>(
    classes: impl Iterator<Item = &'a StorageClass>,
) -> Option<&'a StorageClass> {
    classes.filter(|c| is_default_class(c)).min_by(|a, b| {
        let at = |c: &StorageClass| c.metadata.creation_timestamp.as_ref().map(|t| t.0);
        at(b)
            .cmp(&at(a))
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    })
}

/// The apiserver's warnings on a PersistentVolume write (`GetWarningsForPersistentVolume`,
/// the part learners meet), for a manifest's JSON.
pub fn volume_warnings(manifest: &Value) -> Vec<String> {
    let recycle = manifest
        .pointer("/spec/persistentVolumeReclaimPolicy")
        .and_then(Value::as_str)
        == Some("Recycle");
    let is_pv = manifest.get("kind").and_then(Value::as_str) == Some("PersistentVolume");
    if is_pv && recycle {
        vec!["spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning.".into()]
    } else {
        Vec::new()
    }
}

impl KindRules for StorageClass {
    fn default_fields(&mut self) {
        self.reclaim_policy.get_or_insert_with(|| "Delete".into());
        self.volume_binding_mode
            .get_or_insert_with(|| "Immediate".into());
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        if self.provisioner.is_empty() {
            causes.push("provisioner: Required value".into());
        }
        match self.reclaim_policy.as_deref() {
            None | Some("" | "Delete" | "Retain") => {}
            Some(p) => causes.push(format!(
                "reclaimPolicy: Unsupported value: \"{p}\": supported values: \"Delete\", \"Retain\""
            )),
        }
        match self.volume_binding_mode.as_deref() {
            None => causes.push("volumeBindingMode: Required value".into()),
            Some("Immediate" | "WaitForFirstConsumer") => {}
            Some(m) => causes.push(format!(
                "volumeBindingMode: Unsupported value: \"{m}\": supported values: \"Immediate\", \"WaitForFirstConsumer\""
            )),
        }
    }

    /// Parameters, provisioner, reclaim policy and binding mode are fixed once created.
    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        if self.parameters != old.parameters {
            causes.push("parameters: Forbidden: updates to parameters are forbidden.".into());
        }
        if self.provisioner != old.provisioner {
            causes.push("provisioner: Forbidden: updates to provisioner are forbidden.".into());
        }
        if self.reclaim_policy != old.reclaim_policy {
            causes.push("reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.".into());
        }
        if self.volume_binding_mode != old.volume_binding_mode {
            let mode = self.volume_binding_mode.as_deref().unwrap_or("");
            causes.push(format!(
                "volumeBindingMode: Invalid value: \"{mode}\": field is immutable"
            ));
        }
        self.validate(obj, causes);
    }
}

impl StatusSubresource for StorageClass {}

/// The volume sources a PersistentVolume may name, in the order validation checks them.
const SOURCES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "glusterfs",
    "flocker",
    "nfs",
    "rbd",
    "quobyte",
    "cephfs",
    "iscsi",
    "cinder",
    "fc",
    "flexVolume",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "scaleIO",
    "local",
    "storageos",
    "csi",
];

impl KindRules for PersistentVolume {
    /// Reclaim policy `Retain`, volume mode `Filesystem`, a host path's type `""`, the
    /// `Pending` phase the persistentvolume controller moves on, and the protection
    /// finalizer admission adds.
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.persistent_volume_reclaim_policy
            .get_or_insert_with(|| "Retain".into());
        spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
        crate::api::resource_names::canonicalize(&mut spec.capacity);
        if let Some(h) = spec.host_path.as_mut() {
            h.type_.get_or_insert_with(String::new);
        }
        let status = self.status.get_or_insert_with(Default::default);
        status.phase.get_or_insert_with(|| "Pending".into());
        let finalizers = self.metadata.finalizers.get_or_insert_with(Vec::new);
        if !finalizers.iter().any(|f| f == PV_PROTECTION_FINALIZER) {
            finalizers.push(PV_PROTECTION_FINALIZER.into());
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = self.spec.clone().unwrap_or_default();
        let capacity = spec.capacity.clone().unwrap_or_default();
        if capacity.is_empty() {
            causes.push("spec.capacity: Required value".into());
            causes.push(
                "spec.capacity: Unsupported value: core.ResourceList{}: supported values: \"storage\""
                    .into(),
            );
        }
        let modes = spec.access_modes.clone().unwrap_or_default();
        if modes.is_empty() {
            causes.push("spec.accessModes: Required value".into());
        }
        for mode in &modes {
            if !matches!(
                mode.as_str(),
                "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod"
            ) {
                causes.push(format!("spec.accessModes: Unsupported value: \"{mode}\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""));
            }
        }
        match spec.persistent_volume_reclaim_policy.as_deref() {
            None | Some("Delete" | "Recycle" | "Retain") => {}
            Some(p) => causes.push(format!("spec.persistentVolumeReclaimPolicy: Unsupported value: \"{p}\": supported values: \"Delete\", \"Recycle\", \"Retain\"")),
        }
        sources(&spec, causes);
    }
}

impl StatusSubresource for PersistentVolume {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }

    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

/// Exactly one volume source; a host path and a local volume need their path, a local
/// volume node affinity.
fn sources(spec: &PersistentVolumeSpec, causes: &mut Vec<String>) {
    let v = serde_json::to_value(spec).unwrap_or(Value::Null);
    let mut count = 0;
    for name in SOURCES {
        if v.get(*name).is_some_and(|s| !s.is_null()) {
            if count > 0 {
                causes.push(format!(
                    "spec.{name}: Forbidden: may not specify more than 1 volume type"
                ));
            }
            count += 1;
        }
    }
    if count == 0 {
        causes.push("spec: Required value: must specify a volume type".into());
    }
    if spec.host_path.as_ref().is_some_and(|h| h.path.is_empty()) {
        causes.push("spec.hostPath.path: Required value".into());
    }
    if let Some(local) = &spec.local {
        if local.path.is_empty() {
            causes.push("spec.local.path: Required value".into());
        }
        if spec.node_affinity.is_none() {
            causes.push(
                "spec.nodeAffinity: Required value: Local volume requires node affinity".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn causes(kind: &str, v: Value) -> (Object, Vec<String>) {
        let Some(Ok(mut obj)) = Object::decode_strict(kind, &v) else {
            panic!("not a {kind}: {v}");
        };
        obj.default_fields();
        let mut out = Vec::new();
        obj.validate_fields(&mut out);
        (obj, out)
    }

    #[test]
    fn classes_and_volumes_are_defaulted_and_checked() {
        let (obj, c) = causes(
            "StorageClass",
            json!({"metadata": {"name": "fast"}, "provisioner": "k8s.io/minikube-hostpath"}),
        );
        assert!(c.is_empty());
        assert_eq!(obj.to_json()["reclaimPolicy"], "Delete");
        assert_eq!(obj.to_json()["volumeBindingMode"], "Immediate");
        let (_, c) = causes(
            "PersistentVolume",
            json!({"metadata": {"name": "pv"}, "spec": {"accessModes": ["ReadWriteAll"],
                "hostPath": {"path": "/data"}, "nfs": {"server": "nfs", "path": "/"}}}),
        );
        assert_eq!(c, vec![
            "spec.capacity: Required value",
            "spec.capacity: Unsupported value: core.ResourceList{}: supported values: \"storage\"",
            "spec.accessModes: Unsupported value: \"ReadWriteAll\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
            "spec.nfs: Forbidden: may not specify more than 1 volume type",
        ]);
    }
}
