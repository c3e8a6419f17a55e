//! The persistentvolume controllers of kube-controller-manager, and the external
//! provisioners that work beside them:
//!
//! - [`ClaimBinder`] (`binder`): `syncClaim` — binds claims to the smallest matching volume
//!   (`matching`), asks a StorageClass's provisioner for one, or says why it waits, at every
//!   resync (15 s).
//! - [`Volumes`] (`volumes`): `syncVolume` — Available, Bound, Released, the reclaim policy
//!   (Retain, Delete, Recycle) — and `pv-protection`.
//! - [`ClaimProtection`] (`protection`): `pvc-protection`.
//! - [`Expansion`] (`expansion`): `volume_expand`, for claims that grew.
//! - [`ExternalProvisioner`] (`provisioner`): minikube's `storage-provisioner`
//!   (`k8s.io/minikube-hostpath`) and rancher's local-path-provisioner
//!   (`rancher.io/local-path`), each active while its pod runs.

mod binder;
mod data;
mod expansion;
pub mod matching;
mod protection;
mod provisioner;
mod volumes;
mod writes;

pub use binder::{delay_binding, ClaimBinder};
pub use expansion::Expansion;
pub use protection::ClaimProtection;
pub use provisioner::ExternalProvisioner;
pub use volumes::Volumes;
pub use writes::claim_ref;

use crate::api::object::ObjectKey;
use crate::world::events::Source;

/// On claims: binding finished once (`annBindCompleted`).
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
/// On both: the controller, not the user, made the binding.
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
/// On provisioned volumes: who provisioned them.
pub const ANN_PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
/// On claims: the provisioner asked to provision them.
pub const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
/// The same, under its deprecated beta name (still set).
pub const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
/// On claims of WaitForFirstConsumer classes: the node the scheduler chose.
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";

/// The binder's resync period.
pub const RESYNC_MS: i64 = 15_000;

const SOURCE: Source<'static> = Source {
    component: "persistentvolume-controller",
    host: None,
};

fn claim_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "PersistentVolumeClaim",
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

fn volume_key(name: &str) -> ObjectKey {
    ObjectKey {
        kind: "PersistentVolume",
        namespace: String::new(),
        name: name.to_string(),
    }
}

fn annotation<'a>(
    meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    key: &str,
) -> Option<&'a str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

#[cfg(test)]
mod tests;
