//! Config volumes (configMap, secret, downwardAPI, projected): the kubelet fills each one's
//! tree (`Backing::Pod`) from the objects it names. A stub here; the projections' own branch
//! replaces the body.

use k8s_openapi::api::core::v1::{Pod, Volume};

use crate::storage::Backing;
use crate::world::World;

/// The size of a projection's tmpfs.
const CAPACITY: u64 = 64 << 20;

/// Whether `volume` is a config projection.
pub fn is_projection(volume: &Volume) -> bool {
    volume.config_map.is_some()
        || volume.secret.is_some()
        || volume.downward_api.is_some()
        || volume.projected.is_some()
}

/// Fills the projection's tree; `Err` is the FailedMount message.
pub fn prepare(world: &mut World, pod: &Pod, volume: &Volume) -> Result<(), String> {
    let backing = Backing::Pod {
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        volume: volume.name.clone(),
    };
    world
        .storage
        .tree_mut(&backing, CAPACITY)
        .map(|_| ())
        .map_err(|e| e.message().to_string())
}
