//! Inline cloud disks (`awsElasticBlockStore`, `gcePersistentDisk`, `azureDisk`, `azureFile`,
//! `cinder`, `vsphereVolume`) on a 1.34 kubeadm cluster: their in-tree plugins are gone and
//! the volume is translated to its CSI driver (`csi-translation-lib`), whose driver is not
//! installed. The attach/detach controller's VolumeAttachment is never attached, so every
//! 2 minutes it reports `FailedAttachVolume` (the CSI attacher's timeout) and the kubelet,
//! which waits 2m3s for the pod's volumes, `FailedMount`; the pod stays `ContainerCreating`.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{Pod, Volume};

use crate::node::{kubelet, NodeCx};
use crate::world::events::{self, EventType, Source};

/// How long the CSI attacher waits for the VolumeAttachment (`csiTimeout`).
const ATTACH_TIMEOUT_MS: i64 = 120_000;
/// How long the kubelet waits for a pod's volumes (`podAttachAndMountTimeout`, 2m3s).
const MOUNT_TIMEOUT_MS: i64 = 123_000;

/// An inline volume as its CSI translation names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrated {
    /// The pod's volume name.
    pub volume: String,
    /// The CSI driver (`ebs.csi.aws.com`).
    pub driver: &'static str,
    /// The translated PersistentVolume's name (`<driver>-<disk>`), what attach errors name.
    pub name: String,
    /// The CSI volume handle.
    pub handle: String,
}

/// The CSI translation of an inline cloud volume, if `v` is one.
pub fn migrated(v: &Volume) -> Option<Migrated> {
    let (driver, disk, handle) = if let Some(s) = &v.aws_elastic_block_store {
        // `aws://zone/vol-…` names the volume by its last segment.
        let id = match s.volume_id.strip_prefix("aws://") {
            Some(rest) => rest.rsplit('/').next().unwrap_or(rest).to_string(),
            None => s.volume_id.clone(),
        };
        ("ebs.csi.aws.com", s.volume_id.clone(), id)
    } else if let Some(s) = &v.gce_persistent_disk {
        let handle = format!("projects/UNSPECIFIED/zones/UNSPECIFIED/disks/{}", s.pd_name);
        ("pd.csi.storage.gke.io", s.pd_name.clone(), handle)
    } else if let Some(s) = &v.azure_disk {
        (
            "disk.csi.azure.com",
            s.disk_name.clone(),
            s.disk_uri.clone(),
        )
    } else if let Some(s) = &v.azure_file {
        let account = s
            .secret_name
            .strip_prefix("azure-storage-account-")
            .and_then(|r| r.strip_suffix("-secret"))
            .filter(|a| !a.is_empty())
            .unwrap_or(&s.secret_name);
        let handle = format!("#{account}#{}#", s.share_name);
        ("file.csi.azure.com", s.share_name.clone(), handle)
    } else if let Some(s) = &v.cinder {
        (
            "cinder.csi.openstack.org",
            s.volume_id.clone(),
            s.volume_id.clone(),
        )
    } else if let Some(s) = &v.vsphere_volume {
        let path = s.volume_path.clone();
        ("csi.vsphere.vmware.com", path.clone(), path)
    } else {
        return None;
    };
    Some(Migrated {
        volume: v.name.clone(),
        driver,
        name: format!("{driver}-{disk}"),
        handle,
    })
}

/// The pod's inline cloud volumes its containers mount (what the kubelet waits for), sorted
/// by volume name; empty when it has none.
pub fn awaited(pod: &Pod) -> Vec<Migrated> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let mounted = |name: &str| {
        spec.containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
            .flat_map(|c| c.volume_mounts.iter().flatten())
            .any(|m| m.name == name)
    };
    let mut out: Vec<Migrated> = spec
        .volumes
        .iter()
        .flatten()
        .filter(|v| mounted(&v.name))
        .filter_map(migrated)
        .collect();
    out.stable_sort_by(|a, b| a.volume.cmp(&b.volume));
    out
}

/// The kubelet's next step for a pod waiting on `volumes` that never attach: the first
/// time its status (ContainerCreating), then by turns the attach/detach controller's
/// `FailedAttachVolume` (2 min in) and the kubelet's `FailedMount` (3 s later), again and
/// again.
pub fn wait(cx: &mut NodeCx<'_>, mut pod: Pod, node: &str, volumes: &[Migrated]) {
    let key = kubelet::pod_key(&pod.metadata);
    let turn = cx.kubelet.mount_attempts.get(&key).copied().unwrap_or(0);
    cx.kubelet
        .mount_attempts
        .insert(key, turn.saturating_add(1));
    let stored = if turn == 0 {
        kubelet::begin_status(cx, &mut pod, node);
        kubelet::store_pod(cx, pod)
    } else {
        std::sync::Arc::new(crate::api::object::Object::Pod(Box::new(pod)))
    };
    let delay = match turn {
        0 => ATTACH_TIMEOUT_MS,
        t if t % 2 == 1 => {
            for v in volumes {
                events::record(
                    cx.world,
                    &stored,
                    EventType::Warning,
                    "FailedAttachVolume",
                    &format!(
                        "AttachVolume.Attach failed for volume \"{}\" : timed out waiting for external-attacher of {} CSI driver to attach volume {}",
                        v.name, v.driver, v.handle
                    ),
                    Source {
                        component: "attachdetach-controller",
                        host: None,
                    },
                );
            }
            MOUNT_TIMEOUT_MS - ATTACH_TIMEOUT_MS
        }
        _ => {
            let names: Vec<&str> = volumes.iter().map(|v| v.volume.as_str()).collect();
            let names = names.join(" ");
            events::record(
                cx.world,
                &stored,
                EventType::Warning,
                "FailedMount",
                &format!(
                    "Unable to attach or mount volumes: unmounted volumes=[{names}], unattached volumes=[{names}], failed to process volumes=[]: context deadline exceeded"
                ),
                Source {
                    component: "kubelet",
                    host: Some(node),
                },
            );
            ATTACH_TIMEOUT_MS
        }
    };
    let at = cx.world.clock.now_ms() + delay;
    cx.world.timers.at(at, kubelet::key_task(stored.metadata()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volume(v: serde_json::Value) -> Volume {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn csi_translations() {
        let ebs = migrated(&volume(serde_json::json!({"name": "v",
            "awsElasticBlockStore": {"volumeID": "aws://us-east-1a/vol-123"}})))
        .unwrap();
        assert_eq!(
            (ebs.driver, ebs.name.as_str(), ebs.handle.as_str()),
            (
                "ebs.csi.aws.com",
                "ebs.csi.aws.com-aws://us-east-1a/vol-123",
                "vol-123"
            )
        );
        let file = migrated(&volume(serde_json::json!({"name": "f",
            "azureFile": {"secretName": "azure-storage-account-acct-secret", "shareName": "s"}})))
        .unwrap();
        assert_eq!(file.handle, "#acct#s#");
        assert_eq!(
            migrated(&volume(serde_json::json!({"name": "e", "emptyDir": {}}))),
            None
        );
    }
}
