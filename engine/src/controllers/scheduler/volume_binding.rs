//! The VolumeBinding plugin (`pkg/scheduler/framework/plugins/volumebinding`, the
//! scheduler's volume binder): PreFilter refuses pods whose claims are missing, being
//! deleted or unbound with an Immediate class; Filter keeps nodes a bound volume's node
//! affinity admits and where every WaitForFirstConsumer claim finds a volume or can be
//! provisioned; PreBind binds the chosen volumes (or asks for provisioning on the node,
//! `volume.kubernetes.io/selected-node`) and lets the pod bind once every claim is Bound.

use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};

use crate::api::object::{Object, StorageClass};
use crate::controllers::persistentvolume::{
    claim_ref, delay_binding, matching, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE,
};
use crate::world::World;

/// `ErrReasonBindConflict`.
const BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
/// `ErrReasonNodeConflict`.
const NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
/// `ErrReasonPVNotExist`.
const PV_NOT_EXIST: &str =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

/// A pod's claims as PreFilter sorted them.
#[derive(Clone, Debug, Default)]
pub struct PodVolumes {
    /// The volumes of its bound claims (`None`: the claim names a volume that is gone).
    bound: Vec<Option<PersistentVolume>>,
    /// Its unbound claims of WaitForFirstConsumer classes.
    to_bind: Vec<PersistentVolumeClaim>,
}

/// PreFilter: the pod's claims, or why no node can take the pod.
pub fn pre_filter(world: &World, pod: &Pod) -> Result<PodVolumes, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let mut out = PodVolumes::default();
    let mut unbound_immediate = false;
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(source) = v.persistent_volume_claim.as_ref() else {
            continue;
        };
        let name = &source.claim_name;
        let Some(claim) = world.api.get_as::<PersistentVolumeClaim>(ns, name) else {
            return Err(format!("persistentvolumeclaim \"{name}\" not found"));
        };
        if claim.metadata.deletion_timestamp.is_some() {
            return Err(format!("persistentvolumeclaim \"{name}\" is being deleted"));
        }
        match claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()) {
            Some(volume) => out
                .bound
                .push(world.api.get_as::<PersistentVolume>("", volume).cloned()),
            None if delay_binding(world, claim) => out.to_bind.push(claim.clone()),
            None => unbound_immediate = true,
        }
    }
    if unbound_immediate {
        return Err("pod has unbound immediate PersistentVolumeClaims".into());
    }
    Ok(out)
}

/// Filter: why `node` cannot take the pod's volumes, if it cannot.
pub fn filter(world: &World, volumes: &PodVolumes, node: &Node) -> Vec<String> {
    let mut reasons = Vec::new();
    if volumes.bound.iter().any(Option::is_none) {
        return vec![PV_NOT_EXIST.into()];
    }
    if volumes
        .bound
        .iter()
        .flatten()
        .any(|pv| !matching::node_affinity_ok(pv, node))
    {
        reasons.push(NODE_CONFLICT.to_string());
    }
    if !volumes.to_bind.is_empty() && find(world, volumes, node).is_none() {
        reasons.push(BIND_CONFLICT.to_string());
    }
    reasons
}

/// What binding on `node` takes: for each claim to bind, a static volume, or `None` to
/// provision one there. `None` overall when a claim can have neither.
#[allow(clippy::type_complexity)]
fn find(
    world: &World,
    volumes: &PodVolumes,
    node: &Node,
) -> Option<Vec<(PersistentVolumeClaim, Option<PersistentVolume>)>> {
    let node_name = node.metadata.name.as_deref().unwrap_or("");
    let all: Vec<PersistentVolume> = world
        .api
        .list_as::<PersistentVolume>(None)
        .cloned()
        .collect();
    let mut chosen: Vec<String> = Vec::new();
    let mut plan = Vec::new();
    for claim in &volumes.to_bind {
        let free: Vec<&PersistentVolume> = all
            .iter()
            .filter(|v| !chosen.iter().any(|c| Some(c) == v.metadata.name.as_ref()))
            .collect();
        if let Some(pv) = matching::find_matching(claim, &free, Some(node), true) {
            chosen.extend(pv.metadata.name.clone());
            plan.push((claim.clone(), Some(pv.clone())));
            continue;
        }
        // checkVolumeProvisions: a class that provisions, on the node already chosen if any.
        let class = world
            .api
            .get_as::<StorageClass>("", &matching::claim_class(claim))?;
        if class.provisioner == "kubernetes.io/no-provisioner" {
            return None;
        }
        let selected = claim
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(ANN_SELECTED_NODE));
        if selected.is_some_and(|s| s != node_name) {
            return None;
        }
        plan.push((claim.clone(), None));
    }
    Some(plan)
}

/// PreBind on the chosen node: binds the matched volumes to their claims (as the binder
/// would, `bound-by-controller`) and marks the rest for provisioning there. Whether every
/// claim is Bound already (the pod may bind now).
pub fn pre_bind(world: &mut World, volumes: &PodVolumes, node: &Node) -> bool {
    if volumes.to_bind.is_empty() {
        return true;
    }
    let node_name = node.metadata.name.clone().unwrap_or_default();
    for (claim, pv) in find(world, volumes, node).unwrap_or_default() {
        match pv {
            Some(pv)
                if pv
                    .spec
                    .as_ref()
                    .and_then(|s| s.claim_ref.as_ref())
                    .is_none() =>
            {
                let mut new = pv.clone();
                if let Some(spec) = new.spec.as_mut() {
                    spec.claim_ref = Some(claim_ref(&claim));
                }
                new.metadata
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(ANN_BOUND_BY_CONTROLLER.into(), "yes".into());
                let _ = world.api.update(Object::PersistentVolume(Box::new(new)));
            }
            Some(_) => {}
            None => {
                let selected = claim
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(ANN_SELECTED_NODE));
                if selected != Some(&node_name) {
                    let mut new = claim.clone();
                    new.metadata
                        .annotations
                        .get_or_insert_with(Default::default)
                        .insert(ANN_SELECTED_NODE.into(), node_name.clone());
                    let _ = world
                        .api
                        .update(Object::PersistentVolumeClaim(Box::new(new)));
                }
            }
        }
    }
    false
}
