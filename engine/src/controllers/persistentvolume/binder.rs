//! `persistentvolume-binder`, the claim side (`syncClaim`, `syncUnboundClaim`,
//! `syncBoundClaim`, `provisionClaim`): a claim binds to the volume pre-bound to it or the
//! smallest matching Available one; otherwise it gets the default class (retroactively),
//! waits for its first consumer, asks its class's provisioner, or says that nothing can
//! help. Every claim not yet bound is looked at again each resync (15 s).

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};

use super::matching::{self, claim_class, BETA_CLASS_ANNOTATION};
use super::writes::{bind, set_claim_status};
use super::{
    annotation, claim_key, ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED,
    ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, RESYNC_MS, SOURCE,
};
use crate::api::object::{default_class, Object, ObjectKey, StorageClass, WatchEvent};
use crate::controllers::runtime::{Controller, Queue};
use crate::world::events::{self, EventType};
use crate::world::World;

/// In-tree provisioners and the CSI drivers they migrated to (`csi-translation-lib`): the
/// controller asks for the driver.
const MIGRATED: &[(&str, &str)] = &[
    ("kubernetes.io/aws-ebs", "ebs.csi.aws.com"),
    ("kubernetes.io/gce-pd", "pd.csi.storage.gke.io"),
    ("kubernetes.io/azure-disk", "disk.csi.azure.com"),
    ("kubernetes.io/azure-file", "file.csi.azure.com"),
    ("kubernetes.io/cinder", "cinder.csi.openstack.org"),
    ("kubernetes.io/vsphere-volume", "csi.vsphere.vmware.com"),
    ("kubernetes.io/portworx-volume", "pxd.portworx.com"),
];

/// The binder. It remembers when its next resync is due.
#[derive(Clone, Debug, Default)]
pub struct ClaimBinder {
    resync_at: Option<i64>,
}

/// The key of the periodic pass over every claim.
fn resync_key() -> ObjectKey {
    claim_key("", "")
}

impl Controller for ClaimBinder {
    fn name(&self) -> &'static str {
        "persistentvolume-binder"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::PersistentVolume(_) | Object::PersistentVolumeClaim(_)
        )
    }

    /// A claim's own changes, and the claims a changed volume names (`syncVolume` enqueues
    /// them); claims that wait for any volume look again at the resync, as upstream.
    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        match &*event.object {
            Object::PersistentVolumeClaim(_) => {
                queue.add(claim_key(event.object.namespace(), event.object.name()));
            }
            Object::PersistentVolume(pv) => {
                if let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                    queue.add(claim_key(
                        r.namespace.as_deref().unwrap_or(""),
                        r.name.as_deref().unwrap_or(""),
                    ));
                }
                for c in world.api.list_as::<PersistentVolumeClaim>(None) {
                    if c.spec.as_ref().and_then(|s| s.volume_name.as_deref())
                        == Some(event.object.name())
                    {
                        queue.add(claim_key(
                            c.metadata.namespace.as_deref().unwrap_or(""),
                            c.metadata.name.as_deref().unwrap_or(""),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        if key.name.is_empty() {
            self.resync_at = None;
            let claims: Vec<PersistentVolumeClaim> = world
                .api
                .list_as::<PersistentVolumeClaim>(None)
                .filter(|c| annotation(&c.metadata, ANN_BIND_COMPLETED).is_none())
                .cloned()
                .collect();
            for c in claims {
                sync_claim(world, &c);
            }
        } else if let Some(c) = world
            .api
            .get_as::<PersistentVolumeClaim>(&key.namespace, &key.name)
            .cloned()
        {
            sync_claim(world, &c);
        }
        let waiting = world
            .api
            .list_as::<PersistentVolumeClaim>(None)
            .any(|c| annotation(&c.metadata, ANN_BIND_COMPLETED).is_none());
        if waiting && self.resync_at.is_none() {
            let due = world.clock.now_ms() + RESYNC_MS;
            self.resync_at = Some(due);
            queue.requeue_at(world, due, resync_key());
        }
    }
}

/// `syncClaim`.
pub fn sync_claim(world: &mut World, claim: &PersistentVolumeClaim) {
    if claim.metadata.deletion_timestamp.is_some() {
        return;
    }
    if annotation(&claim.metadata, ANN_BIND_COMPLETED).is_none() {
        sync_unbound(world, claim);
    } else {
        sync_bound(world, claim);
    }
}

fn event(
    world: &mut World,
    claim: &PersistentVolumeClaim,
    kind: EventType,
    reason: &str,
    msg: &str,
) {
    let obj = Object::PersistentVolumeClaim(Box::new(claim.clone()));
    events::record(world, &obj, kind, reason, msg, SOURCE);
}

/// Every volume, by name (the binder's cache order).
fn volumes(world: &World) -> Vec<PersistentVolume> {
    world
        .api
        .list_as::<PersistentVolume>(None)
        .cloned()
        .collect()
}

fn class_of(world: &World, claim: &PersistentVolumeClaim) -> Option<StorageClass> {
    let name = claim_class(claim);
    if name.is_empty() {
        return None;
    }
    world.api.get_as::<StorageClass>("", &name).cloned()
}

/// `IsDelayBindingMode`: the claim's class exists and waits for the first consumer.
pub fn delay_binding(world: &World, claim: &PersistentVolumeClaim) -> bool {
    class_of(world, claim)
        .is_some_and(|c| c.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
}

fn sync_unbound(world: &mut World, claim: &PersistentVolumeClaim) {
    let wanted = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .unwrap_or_default();
    if !wanted.is_empty() {
        return sync_prebound(world, claim, &wanted);
    }
    if assign_default_class(world, claim) {
        return;
    }
    let delay = delay_binding(world, claim);
    let all = volumes(world);
    let refs: Vec<&PersistentVolume> = all.iter().collect();
    if let Some(pv) = matching::find_matching(claim, &refs, None, delay) {
        let pv = pv.clone();
        bind(world, &pv, claim);
        return;
    }
    if delay && annotation(&claim.metadata, ANN_SELECTED_NODE).is_none() {
        wait_for_consumer(world, claim);
    } else if !claim_class(claim).is_empty() {
        provision(world, claim);
        return;
    } else {
        event(
            world,
            claim,
            EventType::Normal,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
        );
    }
    set_claim_status(world, claim, "Pending", None);
}

/// A claim that names its volume (`spec.volumeName`).
fn sync_prebound(world: &mut World, claim: &PersistentVolumeClaim, wanted: &str) {
    let Some(pv) = world.api.get_as::<PersistentVolume>("", wanted).cloned() else {
        set_claim_status(world, claim, "Pending", None);
        return;
    };
    let claimed = pv
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .is_some();
    if !claimed {
        match matching::unsatisfied(&pv, claim) {
            Some(why) => {
                let msg = format!("Cannot bind to requested volume \"{wanted}\": {why}");
                event(world, claim, EventType::Warning, "VolumeMismatch", &msg);
                set_claim_status(world, claim, "Pending", None);
            }
            None => bind(world, &pv, claim),
        }
    } else if matching::bound_to(&pv, claim) {
        bind(world, &pv, claim);
    } else if annotation(&claim.metadata, ANN_BOUND_BY_CONTROLLER).is_none() {
        let msg = format!("volume \"{wanted}\" already bound to a different claim.");
        event(world, claim, EventType::Warning, "FailedBinding", &msg);
        set_claim_status(world, claim, "Pending", None);
    }
}

/// `syncBoundClaim`.
fn sync_bound(world: &mut World, claim: &PersistentVolumeClaim) {
    let name = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .unwrap_or_default();
    let lost = |world: &mut World, msg: &str| {
        if claim.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Lost") {
            set_claim_status(world, claim, "Lost", None);
            event(world, claim, EventType::Warning, "ClaimLost", msg);
        }
    };
    if name.is_empty() {
        return lost(
            world,
            "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
        );
    }
    let Some(pv) = world.api.get_as::<PersistentVolume>("", &name).cloned() else {
        return lost(
            world,
            "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
        );
    };
    let claimed = pv
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .is_some();
    if !claimed || matching::bound_to(&pv, claim) {
        bind(world, &pv, claim);
    } else {
        set_claim_status(world, claim, "Lost", None);
        event(
            world,
            claim,
            EventType::Warning,
            "ClaimMisbound",
            "Two claims are bound to the same volume, this one is bound incorrectly",
        );
    }
}

/// The DefaultStorageClass retroactively (`assignDefaultStorageClass`): a claim created with
/// no class at all gets the default once one exists. Whether it wrote.
fn assign_default_class(world: &mut World, claim: &PersistentVolumeClaim) -> bool {
    let unset = claim
        .spec
        .as_ref()
        .is_none_or(|s| s.storage_class_name.is_none())
        && annotation(&claim.metadata, BETA_CLASS_ANNOTATION).is_none();
    if !unset {
        return false;
    }
    let Some(name) = default_class(world.api.list_as::<StorageClass>(None))
        .and_then(|c| c.metadata.name.clone())
    else {
        return false;
    };
    let mut new = claim.clone();
    new.spec
        .get_or_insert_with(Default::default)
        .storage_class_name = Some(name);
    world
        .api
        .update(Object::PersistentVolumeClaim(Box::new(new)))
        .is_ok()
}

/// `emitEventForUnboundDelayBindingClaim`: which pods (not finished, not yet scheduled) the
/// claim waits for, if any.
fn wait_for_consumer(world: &mut World, claim: &PersistentVolumeClaim) {
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let name = claim.metadata.name.clone().unwrap_or_default();
    let pods: Vec<String> = world
        .api
        .list_as::<Pod>(Some(&ns))
        .filter(|p| !crate::api::pod::finished(p))
        .filter(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_none()))
        .filter(|p| uses_claim(p, &name))
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    let (reason, msg) = match pods.as_slice() {
        [] => (
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding".to_string(),
        ),
        [one] => (
            "WaitForPodScheduled",
            format!("waiting for pod {one} to be scheduled"),
        ),
        many => (
            "WaitForPodScheduled",
            format!("waiting for pods {} to be scheduled", many.join(",")),
        ),
    };
    event(world, claim, EventType::Normal, reason, &msg);
}

/// Whether `pod` mounts the claim called `name`.
pub fn uses_claim(pod: &Pod, name: &str) -> bool {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .any(|v| {
            v.persistent_volume_claim
                .as_ref()
                .is_some_and(|c| c.claim_name == name)
        })
}

/// `provisionClaim` with an external provisioner (every provisioner is external here): the
/// claim is annotated with the provisioner to ask, who does the rest.
fn provision(world: &mut World, claim: &PersistentVolumeClaim) {
    let class_name = claim_class(claim);
    let Some(class) = class_of(world, claim) else {
        let msg = format!("storageclass.storage.k8s.io \"{class_name}\" not found");
        event(world, claim, EventType::Warning, "ProvisioningFailed", &msg);
        set_claim_status(world, claim, "Pending", None);
        return;
    };
    let provisioner = match MIGRATED.iter().find(|(p, _)| *p == class.provisioner) {
        Some((_, csi)) => (*csi).to_string(),
        None if class.provisioner.starts_with("kubernetes.io/") => {
            let msg = format!("no volume plugin matched name: {}", class.provisioner);
            event(world, claim, EventType::Warning, "ProvisioningFailed", &msg);
            set_claim_status(world, claim, "Pending", None);
            return;
        }
        None => class.provisioner.clone(),
    };
    let mut claim = claim.clone();
    if annotation(&claim.metadata, ANN_STORAGE_PROVISIONER) != Some(provisioner.as_str()) {
        let mut new = claim.clone();
        let a = new
            .metadata
            .annotations
            .get_or_insert_with(Default::default);
        a.insert(ANN_BETA_STORAGE_PROVISIONER.into(), provisioner.clone());
        a.insert(ANN_STORAGE_PROVISIONER.into(), provisioner.clone());
        match world
            .api
            .update(Object::PersistentVolumeClaim(Box::new(new)))
        {
            Ok(Object::PersistentVolumeClaim(stored)) => claim = stored.as_ref().clone(),
            _ => return,
        }
    }
    let msg = format!("Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.");
    event(
        world,
        &claim,
        EventType::Normal,
        "ExternalProvisioning",
        &msg,
    );
    set_claim_status(world, &claim, "Pending", None);
}
