//! The DynamicResources plugin: a pod's ResourceClaims must exist (PreFilter) and be
//! allocatable on the node (Filter). No driver publishes ResourceSlices in Kubeplay, so a
//! pod that needs a claim fits no node: `cannot allocate all claims`.

use k8s_openapi::api::core::v1::Pod;

use crate::api::object::ResourceClaim;
use crate::world::World;

/// Whether the pod needs claims, or why it cannot be scheduled at all (a named claim that
/// does not exist, as the claim lister reports it).
pub fn pre_filter(world: &World, pod: &Pod) -> Result<bool, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let claims = pod
        .spec
        .iter()
        .flat_map(|s| s.resource_claims.iter().flatten());
    let mut any = false;
    for c in claims {
        any = true;
        if let Some(name) = &c.resource_claim_name {
            if world.api.get_as::<ResourceClaim>(ns, name).is_none() {
                return Err(format!(
                    "resourceclaim.resource.k8s.io \"{name}\" not found"
                ));
            }
        }
    }
    Ok(any)
}

/// Why a pod with claims fits no node: nothing can be allocated.
pub fn filter(needs_claims: bool) -> Vec<String> {
    if needs_claims {
        vec!["cannot allocate all claims".into()]
    } else {
        Vec::new()
    }
}
