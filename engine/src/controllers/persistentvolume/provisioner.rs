//! External provisioners, as `sig-storage-lib-external-provisioner` runs them: a claim the
//! binder annotated with the provisioner's name (`volume.kubernetes.io/storage-provisioner`)
//! gets a volume `pvc-<claim uid>` pre-bound to it (for a WaitForFirstConsumer class, once
//! the scheduler chose its node); a Released volume it provisioned with policy Delete is
//! deleted with its data. Each is active only while its pod runs.
//!
//! [`HostPathProvisioner`] is minikube's `storage-provisioner` (`k8s.io/minikube-hostpath`,
//! `pkg/storage/storage_provisioner.go`): host paths under `/tmp/hostpath-provisioner`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, Pod,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::writes::claim_ref;
use super::{
    annotation, claim_key, volume_key, ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY,
    ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
};
use crate::api::object::{Object, ObjectKey, StorageClass, WatchEvent};
use crate::controllers::runtime::{Controller, Queue};
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// The provisioner's name.
pub const MINIKUBE_HOSTPATH: &str = "k8s.io/minikube-hostpath";
/// The image of minikube's storage-provisioner pod.
const IMAGE: &str = "gcr.io/k8s-minikube/storage-provisioner";
/// Where it makes the volumes' directories (`--pv-dir` default).
const PV_DIR: &str = "/tmp/hostpath-provisioner";

/// The running provisioner: its pod, the id its events carry, the identity it stamps on
/// its volumes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Running {
    pod_uid: String,
    /// The node it runs on, whose disk holds its volumes.
    node: String,
    component: String,
    identity: String,
}

/// minikube's hostpath provisioner.
#[derive(Clone, Debug, Default)]
pub struct HostPathProvisioner {
    running: Option<Running>,
}

/// `uuid.NewUUID()` (version 4) from the cluster's seeded randomness, forked by `salt`.
fn uuid(world: &World, salt: &str) -> String {
    let mut rng = world.rng.fork(salt);
    let h = rng.hex(32);
    let variant = ["8", "9", "a", "b"][(rng.next_u64() % 4) as usize];
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        h.get(0..8).unwrap_or(""),
        h.get(8..12).unwrap_or(""),
        h.get(13..16).unwrap_or(""),
        h.get(17..20).unwrap_or(""),
        h.get(20..32).unwrap_or("")
    )
}

/// The running storage-provisioner pod, if any.
fn provisioner_pod(world: &World) -> Option<&Pod> {
    world.api.list_as::<Pod>(Some("kube-system")).find(|p| {
        let image = p
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.as_deref())
            .unwrap_or("");
        let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
        running && p.metadata.deletion_timestamp.is_none() && image.starts_with(IMAGE)
    })
}

impl HostPathProvisioner {
    /// The provisioner as its current pod runs it (a new pod is a new provisioner).
    fn refresh(&mut self, world: &World) -> Option<Running> {
        let Some(pod) = provisioner_pod(world) else {
            self.running = None;
            return None;
        };
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if self.running.as_ref().is_none_or(|r| r.pod_uid != uid) {
            // hostNetwork: the pod's hostname is its node's.
            let host = pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_default();
            self.running = Some(Running {
                component: format!(
                    "{MINIKUBE_HOSTPATH}_{}_{}",
                    host,
                    uuid(world, &format!("provisioner:{uid}"))
                ),
                identity: uuid(world, &format!("identity:{uid}")),
                pod_uid: uid,
                node: host,
            });
        }
        self.running.clone()
    }
}

impl Controller for HostPathProvisioner {
    fn name(&self) -> &'static str {
        "minikube-hostpath-provisioner"
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        match &event.object {
            Object::PersistentVolumeClaim(_) => {
                queue.add(claim_key(event.object.namespace(), event.object.name()));
            }
            Object::PersistentVolume(_) => queue.add(volume_key(event.object.name())),
            // Its pod started: claims that waited for it.
            Object::Pod(p) if p.metadata.namespace.as_deref() == Some("kube-system") => {
                queue.add(claim_key("", ""));
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(running) = self.refresh(world) else {
            return;
        };
        if key.kind == "PersistentVolume" {
            if let Some(pv) = world.api.get_as::<PersistentVolume>("", &key.name).cloned() {
                delete_released(world, &pv, &running);
            }
            return;
        }
        let claims: Vec<PersistentVolumeClaim> = if key.name.is_empty() {
            world
                .api
                .list_as::<PersistentVolumeClaim>(None)
                .cloned()
                .collect()
        } else {
            world
                .api
                .get_as::<PersistentVolumeClaim>(&key.namespace, &key.name)
                .cloned()
                .into_iter()
                .collect()
        };
        for claim in claims {
            if let Some(class) = should_provision(world, &claim) {
                provision(world, &claim, &class, &running);
            }
        }
    }
}

/// `shouldProvision`: an unbound claim for this provisioner, its class ours, its node chosen
/// if the class waits for one, its volume not made yet.
fn should_provision(world: &World, claim: &PersistentVolumeClaim) -> Option<StorageClass> {
    let meta = &claim.metadata;
    let asked = annotation(meta, ANN_STORAGE_PROVISIONER)
        .or_else(|| annotation(meta, ANN_BETA_STORAGE_PROVISIONER));
    if asked != Some(MINIKUBE_HOSTPATH)
        || meta.deletion_timestamp.is_some()
        || claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.as_ref())
            .is_some()
    {
        return None;
    }
    let class = world
        .api
        .get_as::<StorageClass>("", &super::matching::claim_class(claim))?
        .clone();
    if class.provisioner != MINIKUBE_HOSTPATH {
        return None;
    }
    if class.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer")
        && annotation(meta, ANN_SELECTED_NODE).is_none()
    {
        return None;
    }
    let pv_name = format!("pvc-{}", meta.uid.as_deref().unwrap_or(""));
    world
        .api
        .get("PersistentVolume", "", &pv_name)
        .is_none()
        .then_some(class)
}

fn record(
    world: &mut World,
    obj: &Object,
    kind: EventType,
    reason: &str,
    msg: &str,
    component: &str,
) {
    let source = Source {
        component,
        host: None,
    };
    events::record(world, obj, kind, reason, msg, source);
}

/// `provisionClaimOperation` with `hostPathProvisioner.Provision`.
fn provision(
    world: &mut World,
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
    running: &Running,
) {
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let name = claim.metadata.name.clone().unwrap_or_default();
    let obj = Object::PersistentVolumeClaim(Box::new(claim.clone()));
    // The chosen node is read first; minikube's ClusterRole does not let its provisioner
    // get nodes, so a WaitForFirstConsumer claim never gets a volume from it.
    if let Some(node) = annotation(&claim.metadata, ANN_SELECTED_NODE) {
        let msg = format!("failed to get target node: nodes \"{node}\" is forbidden: User \"system:serviceaccount:kube-system:storage-provisioner\" cannot get resource \"nodes\" in API group \"\" at the cluster scope");
        record(
            world,
            &obj,
            EventType::Warning,
            "ProvisioningFailed",
            &msg,
            &running.component,
        );
        return;
    }
    let msg = format!("External provisioner is provisioning volume for claim \"{ns}/{name}\"");
    record(
        world,
        &obj,
        EventType::Normal,
        "Provisioning",
        &msg,
        &running.component,
    );
    let spec = claim.spec.clone().unwrap_or_default();
    let pv_name = format!("pvc-{}", claim.metadata.uid.as_deref().unwrap_or(""));
    let capacity: BTreeMap<_, _> = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| ("storage".to_string(), q.clone()))
        .into_iter()
        .collect();
    let annotations = BTreeMap::from([
        (
            "hostPathProvisionerIdentity".to_string(),
            running.identity.clone(),
        ),
        (
            ANN_PROVISIONED_BY.to_string(),
            MINIKUBE_HOSTPATH.to_string(),
        ),
    ]);
    let pv = PersistentVolume {
        metadata: ObjectMeta {
            name: Some(pv_name.clone()),
            annotations: Some(annotations),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: spec.access_modes.clone(),
            capacity: Some(capacity),
            claim_ref: Some(claim_ref(claim)),
            host_path: Some(HostPathVolumeSource {
                path: format!("{PV_DIR}/{ns}/{name}"),
                type_: None,
            }),
            mount_options: class.mount_options.clone(),
            persistent_volume_reclaim_policy: class.reclaim_policy.clone(),
            storage_class_name: class.metadata.name.clone(),
            volume_mode: spec.volume_mode.clone(),
            ..Default::default()
        }),
        status: None,
    };
    super::data::make_dir(world, &running.node, &format!("{PV_DIR}/{ns}/{name}"));
    if world.create(Object::PersistentVolume(Box::new(pv))).is_ok() {
        let msg = format!("Successfully provisioned volume {pv_name}");
        record(
            world,
            &obj,
            EventType::Normal,
            "ProvisioningSucceeded",
            &msg,
            &running.component,
        );
    }
}

/// `deleteVolumeOperation` with `hostPathProvisioner.Delete`: a Released volume this
/// provisioner made (its identity on it) with policy Delete goes, with its directory.
fn delete_released(world: &mut World, pv: &PersistentVolume, running: &Running) {
    let meta = &pv.metadata;
    let spec = pv.spec.clone().unwrap_or_default();
    let released = pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
    if !released
        || meta.deletion_timestamp.is_some()
        || annotation(meta, ANN_PROVISIONED_BY) != Some(MINIKUBE_HOSTPATH)
        || spec.persistent_volume_reclaim_policy.as_deref() != Some("Delete")
        || annotation(meta, "hostPathProvisionerIdentity") != Some(running.identity.as_str())
    {
        return;
    }
    super::data::drop_volume(world, pv);
    let name = meta.name.clone().unwrap_or_default();
    let _ = world.delete("PersistentVolume", "", &name, None, false);
}
