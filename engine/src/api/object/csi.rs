//! The CSI storage kinds (`storage.k8s.io/v1`): CSIDriver, CSINode, CSIStorageCapacity,
//! VolumeAttachment and VolumeAttributesClass, with the defaults of
//! `pkg/apis/storage/v1/defaults.go` and the main validation of `pkg/apis/storage/validation`.
//! No CSI driver runs in a kubeadm cluster; each node's kubelet registers an empty CSINode.

use k8s_openapi::api::storage::v1::CSINodeSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::{
    CSIDriver, CSINode, CSIStorageCapacity, KindRules, Object, StatusSubresource, VolumeAttachment,
    VolumeAttributesClass,
};

impl KindRules for CSIDriver {
    /// Attach required, no pod info, `Persistent` volumes, no storage capacity, no
    /// republishing, `ReadWriteOnceWithFSType` fs groups, no SELinux mount.
    fn default_fields(&mut self) {
        let s = &mut self.spec;
        s.attach_required.get_or_insert(true);
        s.pod_info_on_mount.get_or_insert(false);
        s.storage_capacity.get_or_insert(false);
        s.requires_republish.get_or_insert(false);
        s.fs_group_policy
            .get_or_insert_with(|| "ReadWriteOnceWithFSType".into());
        s.se_linux_mount.get_or_insert(false);
        s.volume_lifecycle_modes
            .get_or_insert_with(|| vec!["Persistent".into()]);
    }
}

impl KindRules for CSINode {}

impl KindRules for CSIStorageCapacity {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        if self.storage_class_name.is_empty() {
            causes.push("storageClassName: Required value".into());
        }
    }
}

impl KindRules for VolumeAttachment {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = &self.spec;
        if spec.attacher.is_empty() {
            causes.push("spec.attacher: Required value".into());
        }
        if spec.node_name.is_empty() {
            causes.push("spec.nodeName: Required value".into());
        }
        let source = &spec.source;
        match (&source.persistent_volume_name, &source.inline_volume_spec) {
            (None, None) => causes.push(
                "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName"
                    .into(),
            ),
            (Some(_), Some(_)) => causes.push(
                "spec.source: Invalid value: \"\": must specify exactly one of inlineVolumeSpec and persistentVolumeName"
                    .into(),
            ),
            _ => {}
        }
    }
}

impl KindRules for VolumeAttributesClass {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        if self.driver_name.is_empty() {
            causes.push("driverName: Required value".into());
        }
    }

    /// The driver and parameters are fixed once created.
    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        if self.driver_name != old.driver_name {
            causes.push(format!(
                "driverName: Invalid value: \"{}\": field is immutable",
                self.driver_name
            ));
        }
        if self.parameters != old.parameters {
            causes.push("parameters: Forbidden: updates to parameters are forbidden.".into());
        }
        self.validate(obj, causes);
    }
}

impl StatusSubresource for CSIDriver {}
impl StatusSubresource for CSINode {}
impl StatusSubresource for CSIStorageCapacity {}
impl StatusSubresource for VolumeAttributesClass {}
impl StatusSubresource for VolumeAttachment {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }
    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

/// The CSINode a node's kubelet registers: no drivers, owned by its Node.
pub fn node_registration(node: &str, node_uid: &str) -> CSINode {
    CSINode {
        metadata: ObjectMeta {
            name: Some(node.into()),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "Node".into(),
                name: node.into(),
                uid: node_uid.into(),
                ..Default::default()
            }]),
            ..Default::default()
        },
        spec: CSINodeSpec { drivers: vec![] },
    }
}
