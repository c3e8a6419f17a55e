//! The binder's writes, each through the API server and only when something changes:
//! `bind` (`bindVolumeToClaim`, `updateVolumePhase`, `bindClaimToVolume`,
//! `updateClaimStatus`), `unbindVolume`, and the phase and status updates.

use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeClaim};

use super::matching::bound_to;
use super::{annotation, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, SOURCE};
use crate::api::object::Object;
use crate::world::events::{self, EventType};
use crate::world::World;

fn set_annotation(
    meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    key: &str,
) {
    meta.annotations
        .get_or_insert_with(Default::default)
        .insert(key.into(), "yes".into());
}

/// `GetReference` of a claim, as a volume's `claimRef`.
pub fn claim_ref(claim: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        namespace: claim.metadata.namespace.clone(),
        name: claim.metadata.name.clone(),
        uid: claim.metadata.uid.clone(),
        resource_version: claim.metadata.resource_version.clone(),
        ..Default::default()
    }
}

/// Binds `pv` and `claim` both ways; a failed write leaves the rest to the next sync.
pub fn bind(world: &mut World, pv: &PersistentVolume, claim: &PersistentVolumeClaim) {
    let Some(pv) = bind_volume_to_claim(world, pv, claim) else {
        return;
    };
    let Some(pv) = set_volume_phase(world, &pv, "Bound", None) else {
        return;
    };
    let Some(claim) = bind_claim_to_volume(world, &pv, claim) else {
        return;
    };
    set_claim_status(world, &claim, "Bound", Some(&pv));
}

fn bind_volume_to_claim(
    world: &mut World,
    pv: &PersistentVolume,
    claim: &PersistentVolumeClaim,
) -> Option<PersistentVolume> {
    let mut new = pv.clone();
    let spec = new.spec.get_or_insert_with(Default::default);
    let current = spec.claim_ref.as_ref();
    let same = current.is_some_and(|r| {
        r.name == claim.metadata.name
            && r.namespace == claim.metadata.namespace
            && r.uid == claim.metadata.uid
    });
    if !same {
        spec.claim_ref = Some(claim_ref(claim));
    }
    if !bound_to(pv, claim) && annotation(&new.metadata, ANN_BOUND_BY_CONTROLLER).is_none() {
        set_annotation(&mut new.metadata, ANN_BOUND_BY_CONTROLLER);
    }
    if &new == pv {
        return Some(new);
    }
    match world.api.update(Object::PersistentVolume(Box::new(new))) {
        Ok(Object::PersistentVolume(stored)) => Some(stored.as_ref().clone()),
        _ => None,
    }
}

fn bind_claim_to_volume(
    world: &mut World,
    pv: &PersistentVolume,
    claim: &PersistentVolumeClaim,
) -> Option<PersistentVolumeClaim> {
    let mut new = claim.clone();
    let spec = new.spec.get_or_insert_with(Default::default);
    let name = pv.metadata.name.clone();
    let by_controller = spec.volume_name != name;
    spec.volume_name = name;
    if by_controller && annotation(&new.metadata, ANN_BOUND_BY_CONTROLLER).is_none() {
        set_annotation(&mut new.metadata, ANN_BOUND_BY_CONTROLLER);
    }
    if annotation(&new.metadata, ANN_BIND_COMPLETED).is_none() {
        set_annotation(&mut new.metadata, ANN_BIND_COMPLETED);
    }
    if &new == claim {
        return Some(new);
    }
    match world
        .api
        .update(Object::PersistentVolumeClaim(Box::new(new)))
    {
        Ok(Object::PersistentVolumeClaim(stored)) => Some(stored.as_ref().clone()),
        _ => None,
    }
}

/// `updateVolumePhase`: the phase (and its message), with the time it changed.
pub fn set_volume_phase(
    world: &mut World,
    pv: &PersistentVolume,
    phase: &str,
    message: Option<&str>,
) -> Option<PersistentVolume> {
    let status = pv.status.clone().unwrap_or_default();
    if status.phase.as_deref() == Some(phase) && status.message.as_deref() == message {
        return Some(pv.clone());
    }
    let mut new = pv.clone();
    let st = new.status.get_or_insert_with(Default::default);
    if st.phase.as_deref() != Some(phase) {
        st.last_phase_transition_time = Some(world.clock.now_time());
    }
    st.phase = Some(phase.into());
    st.message = message.map(str::to_string);
    match world
        .api
        .update_status(Object::PersistentVolume(Box::new(new)))
    {
        Ok(Object::PersistentVolume(stored)) => Some(stored.as_ref().clone()),
        _ => None,
    }
}

/// `updateVolumePhaseWithEvent`.
pub fn set_volume_phase_with_event(
    world: &mut World,
    pv: &PersistentVolume,
    phase: &str,
    kind: EventType,
    reason: &str,
    message: &str,
) -> Option<PersistentVolume> {
    let stored = set_volume_phase(world, pv, phase, Some(message))?;
    let obj = Object::PersistentVolume(Box::new(stored.clone()));
    events::record(world, &obj, kind, reason, message, SOURCE);
    Some(stored)
}

/// `updateClaimStatus`: the phase, and the volume's modes and capacity (cleared without a
/// volume).
pub fn set_claim_status(
    world: &mut World,
    claim: &PersistentVolumeClaim,
    phase: &str,
    pv: Option<&PersistentVolume>,
) {
    let mut new = claim.clone();
    let st = new.status.get_or_insert_with(Default::default);
    st.phase = Some(phase.into());
    match pv.and_then(|p| p.spec.as_ref()) {
        Some(spec) => {
            st.access_modes.clone_from(&spec.access_modes);
            st.capacity.clone_from(&spec.capacity);
        }
        None if phase == "Pending" => {
            st.access_modes = None;
            st.capacity = None;
        }
        None => {}
    }
    if &new != claim {
        let _ = world
            .api
            .update_status(Object::PersistentVolumeClaim(Box::new(new)));
    }
}

/// `unbindVolume`: a volume the controller bound loses its claimRef, one the user pre-bound
/// keeps it without the uid; then it is Available.
pub fn unbind_volume(world: &mut World, pv: &PersistentVolume) {
    let mut new = pv.clone();
    let by_controller = annotation(&new.metadata, ANN_BOUND_BY_CONTROLLER).is_some();
    if let Some(spec) = new.spec.as_mut() {
        if by_controller {
            spec.claim_ref = None;
        } else if let Some(r) = spec.claim_ref.as_mut() {
            r.uid = None;
        }
    }
    if let Some(a) = new.metadata.annotations.as_mut() {
        a.remove(ANN_BOUND_BY_CONTROLLER);
        if a.is_empty() {
            new.metadata.annotations = None;
        }
    }
    let stored = match world.api.update(Object::PersistentVolume(Box::new(new))) {
        Ok(Object::PersistentVolume(s)) => s.as_ref().clone(),
        _ => return,
    };
    set_volume_phase(world, &stored, "Available", None);
}
