//! `persistentvolume-binder`, the volume side (`syncVolume`, `reclaimVolume`), and
//! `pv-protection`: a volume no claim holds is Available; one whose claim went is Released
//! and reclaimed by its policy — Retain keeps it (and its data), Recycle scrubs it and makes
//! it Available again, Delete deletes it (a provisioned one is its provisioner's to delete;
//! a manual one only if its plugin can, else it is Failed). A deleted volume stays while it
//! is Bound.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use super::writes::{set_volume_phase, set_volume_phase_with_event, unbind_volume};
use super::{annotation, volume_key, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, SOURCE};
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::pvc::PV_PROTECTION_FINALIZER;
use crate::controllers::runtime::{Controller, Queue};
use crate::world::events::{self, EventType};
use crate::world::World;

/// The volume side of the binder, with pv-protection.
#[derive(Clone, Debug, Default)]
pub struct Volumes;

impl Controller for Volumes {
    fn name(&self) -> &'static str {
        "persistentvolume-binder-volumes"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::PersistentVolume(_) | Object::PersistentVolumeClaim(_)
        )
    }

    /// A volume's changes; a claim's changes concern the volume it names or that names it.
    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        match &*event.object {
            Object::PersistentVolume(_) if event.kind != WatchEventType::Deleted => {
                queue.add(volume_key(event.object.name()));
            }
            Object::PersistentVolumeClaim(c) => {
                if let Some(v) = c.spec.as_ref().and_then(|s| s.volume_name.as_deref()) {
                    queue.add(volume_key(v));
                }
                let (ns, name) = (event.object.namespace(), event.object.name());
                for pv in world.api.list_as::<PersistentVolume>(None) {
                    let r = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
                    if r.is_some_and(|r| {
                        r.namespace.as_deref() == Some(ns) && r.name.as_deref() == Some(name)
                    }) {
                        queue.add(volume_key(pv.metadata.name.as_deref().unwrap_or("")));
                    }
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(pv) = world.api.get_as::<PersistentVolume>("", &key.name).cloned() else {
            return;
        };
        if pv.metadata.deletion_timestamp.is_some() && release_protection(world, &pv) {
            return;
        }
        sync_volume(world, &pv);
    }
}

/// pv-protection: a deleted volume that is not Bound loses its finalizer and goes. Whether
/// it went.
fn release_protection(world: &mut World, pv: &PersistentVolume) -> bool {
    let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref());
    let held = pv
        .metadata
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == PV_PROTECTION_FINALIZER);
    if phase == Some("Bound") || !held {
        return false;
    }
    let mut new = pv.clone();
    if let Some(list) = new.metadata.finalizers.as_mut() {
        list.retain(|f| f != PV_PROTECTION_FINALIZER);
    }
    let name = pv.metadata.name.clone().unwrap_or_default();
    world
        .api
        .update(Object::PersistentVolume(Box::new(new)))
        .is_ok()
        && world.remove_if_finalized("PersistentVolume", "", &name)
}

fn event(world: &mut World, pv: &PersistentVolume, kind: EventType, reason: &str, msg: &str) {
    let obj = Object::PersistentVolume(Box::new(pv.clone()));
    events::record(world, &obj, kind, reason, msg, SOURCE);
}

/// `syncVolume`.
fn sync_volume(world: &mut World, pv: &PersistentVolume) {
    let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.clone()) else {
        set_volume_phase(world, pv, "Available", None);
        return;
    };
    if r.uid.as_deref().unwrap_or("").is_empty() {
        // Pre-bound by the user, not yet to a claim's uid.
        set_volume_phase(world, pv, "Available", None);
        return;
    }
    let claim = world
        .api
        .get_as::<PersistentVolumeClaim>(
            r.namespace.as_deref().unwrap_or(""),
            r.name.as_deref().unwrap_or(""),
        )
        .filter(|c| c.metadata.uid == r.uid)
        .cloned();
    let Some(claim) = claim else {
        release_and_reclaim(world, pv);
        return;
    };
    let name = pv.metadata.name.clone();
    let claim_volume = claim.spec.as_ref().and_then(|s| s.volume_name.clone());
    if claim_volume.is_none() {
        if super::matching::volume_mode_mismatch(&claim, pv) {
            let claim_name = claim.metadata.name.clone().unwrap_or_default();
            let pv_name = name.clone().unwrap_or_default();
            event(world, pv, EventType::Warning, "VolumeMismatch", &format!("Cannot bind PersistentVolume to requested PersistentVolumeClaim \"{claim_name}\" due to incompatible volumeMode."));
            let obj = Object::PersistentVolumeClaim(Box::new(claim));
            events::record(world, &obj, EventType::Warning, "VolumeMismatch", &format!("Cannot bind PersistentVolume \"{pv_name}\" to requested PersistentVolumeClaim due to incompatible volumeMode."), SOURCE);
        }
        // The claim's sync finishes the binding.
        return;
    }
    if claim_volume == name {
        set_volume_phase(world, pv, "Bound", None);
        return;
    }
    // The claim is bound to another volume.
    let delete = pv
        .spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
        == Some("Delete");
    if annotation(&pv.metadata, ANN_PROVISIONED_BY).is_some() && delete {
        release_and_reclaim(world, pv);
    } else if annotation(&pv.metadata, ANN_BOUND_BY_CONTROLLER).is_some() {
        unbind_volume(world, pv);
    }
}

/// A volume whose claim is gone: `Released` (unless it is already, or `Failed`), then its
/// reclaim policy applied.
fn release_and_reclaim(world: &mut World, pv: &PersistentVolume) {
    let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref());
    let pv = if phase != Some("Released") && phase != Some("Failed") {
        match set_volume_phase(world, pv, "Released", None) {
            Some(stored) => stored,
            None => return,
        }
    } else {
        pv.clone()
    };
    reclaim(world, &pv);
}

/// `reclaimVolume`: what the volume's policy does once its claim went.
fn reclaim(world: &mut World, pv: &PersistentVolume) {
    match pv
        .spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
    {
        Some("Recycle") => recycle(world, pv),
        Some("Delete") => delete(world, pv),
        _ => {}
    }
}

/// `recycleVolumeOperation`: host paths and NFS shares are scrubbed (`rm -rf` of their
/// contents) and become Available; other sources cannot be.
fn recycle(world: &mut World, pv: &PersistentVolume) {
    let spec = pv.spec.clone().unwrap_or_default();
    if spec.host_path.is_none() && spec.nfs.is_none() {
        set_volume_phase_with_event(
            world,
            pv,
            "Failed",
            EventType::Warning,
            "VolumeFailedRecycle",
            "No recycler plugin found for the volume!",
        );
        return;
    }
    super::data::scrub(world, pv);
    event(
        world,
        pv,
        EventType::Normal,
        "VolumeRecycled",
        "Volume recycled",
    );
    unbind_volume(world, pv);
}

/// `deleteVolumeOperation`: a provisioned volume waits for its provisioner; a manual host
/// path is deleted only under `/tmp/`; other manual sources have no deleter.
fn delete(world: &mut World, pv: &PersistentVolume) {
    if pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Failed") {
        return;
    }
    let provisioner = annotation(&pv.metadata, ANN_PROVISIONED_BY).unwrap_or("");
    if !provisioner.is_empty() && !provisioner.starts_with("kubernetes.io/") {
        return;
    }
    let name = pv.metadata.name.clone().unwrap_or_default();
    let spec = pv.spec.clone().unwrap_or_default();
    let failure = match &spec.host_path {
        Some(h) if host_path_deletable(&h.path) => None,
        Some(h) => Some(format!(
            "host_path deleter only supports /tmp/.+ but received provided {}",
            h.path
        )),
        None => Some(format!(
            "error getting deleter volume plugin for volume \"{name}\": no deletable volume plugin matched"
        )),
    };
    if let Some(msg) = failure {
        set_volume_phase_with_event(
            world,
            pv,
            "Failed",
            EventType::Warning,
            "VolumeFailedDelete",
            &msg,
        );
        return;
    }
    super::data::drop_volume(world, pv);
    let _ = world.delete("PersistentVolume", "", &name, None, false);
}

/// The host-path deleter's check (`regexp.MustCompile("/tmp/.+").MatchString`).
fn host_path_deletable(path: &str) -> bool {
    path.match_indices("/tmp/")
        .any(|(i, m)| path.len() > i + m.len())
}
