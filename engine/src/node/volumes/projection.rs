//! The kubelet's projections: configMap, secret, downwardAPI and projected volumes as files
//! in the pod's own tree (`Backing::Pod`), laid out by the `AtomicWriter` (`atomic`), from
//! the sources' data (`payload`), and kept up to date after their objects change
//! (`refresh`).
//!
//! Secret, downwardAPI and projected volumes sit on tmpfs ([`is_tmpfs`], as their plugins
//! wrap a `medium: Memory` emptyDir), configMap volumes on the node's disk.
//!
//! A `subPath` mount of one of these volumes is a copy taken at container start
//! ([`sub_path::snapshot`]): a refresh swaps `..data` here and a subPath never follows it
//! (the kubelet bind-mounts the file's inode, which the swap leaves behind).

mod atomic;
mod downward;
mod payload;
pub mod refresh;
pub mod sub_path;
#[cfg(test)]
mod tests;

use k8s_openapi::api::core::v1::{Node, Pod, Volume};

use crate::api::quantity;
use crate::storage::Backing;
use crate::world::World;

pub use atomic::Written;
pub use payload::Source;

/// Size of a projection's filesystem when its node says nothing (1 GiB).
const FALLBACK_CAPACITY: u64 = 1 << 30;

/// Whether the kubelet projects this volume's files itself (configMap, secret,
/// downwardAPI, projected).
pub fn is_projection(volume: &Volume) -> bool {
    volume.config_map.is_some()
        || volume.secret.is_some()
        || volume.downward_api.is_some()
        || volume.projected.is_some()
}

/// Whether the volume lives on tmpfs (what `df` and `mount` show as `tmpfs`): secret,
/// downwardAPI and projected volumes.
pub fn is_tmpfs(volume: &Volume) -> bool {
    volume.secret.is_some() || volume.downward_api.is_some() || volume.projected.is_some()
}

/// The tree a pod's volume lives in.
pub fn backing(pod: &Pod, volume: &Volume) -> Backing {
    Backing::Pod {
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        volume: volume.name.clone(),
    }
}

/// Fills the pod's tree for `volume` with its files (a no-op for other volume types and
/// when the files already hold the data). `Err` is the whole FailedMount event message,
/// `MountVolume.SetUp failed for volume "cfg" : configmap "x" not found`.
#[allow(dead_code)] // called by the kubelet's mount plumbing (node/volumes), next
pub fn prepare(world: &mut World, pod: &Pod, volume: &Volume) -> Result<(), String> {
    write(world, pod, volume).map(|_| ())
}

/// [`prepare`], telling whether the files changed.
pub fn write(world: &mut World, pod: &Pod, volume: &Volume) -> Result<Written, String> {
    if !is_projection(volume) {
        return Ok(Written::Unchanged);
    }
    let failed = |e: String| {
        format!(
            "MountVolume.SetUp failed for volume \"{}\" : {e}",
            volume.name
        )
    };
    let files = payload::collect(world, pod, volume).map_err(failed)?;
    let capacity = capacity(world, pod, is_tmpfs(volume));
    let backing = backing(pod, volume);
    let mut rng = world.side_rng(&format!("projection/{backing:?}"));
    let now = world.clock.now_ms();
    let fresh = world.storage.tree(&backing).is_none();
    let tree = world
        .storage
        .tree_mut(&backing, capacity)
        .map_err(|e| failed(e.message().to_string()))?;
    if fresh {
        // The wrapped emptyDir's root: 0777 on disk, a tmpfs root's 1777 in memory.
        let mode = if is_tmpfs(volume) { 0o1777 } else { 0o777 };
        let _ = tree.chmod("/", mode);
    }
    atomic::write(tree, &files, now, &mut rng).map_err(failed)
}

/// The filesystem's size: for tmpfs the pod's memory limit when every container has one,
/// else the node's allocatable memory; on disk the node's ephemeral storage.
fn capacity(world: &World, pod: &Pod, tmpfs: bool) -> u64 {
    let node = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .and_then(|n| world.api.get_as::<Node>("", n))
        .and_then(|n| n.status.as_ref());
    let of = |map: Option<&std::collections::BTreeMap<String, _>>, key: &str| {
        map.and_then(|m| m.get(key)).and_then(
            |q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity| quantity::parse(&q.0),
        )
    };
    let bytes = if tmpfs {
        let limits: Option<Vec<f64>> = pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| {
                of(
                    c.resources.as_ref().and_then(|r| r.limits.as_ref()),
                    "memory",
                )
            })
            .collect();
        limits
            .filter(|l| !l.is_empty())
            .map(|l| l.iter().sum())
            .or_else(|| of(node.and_then(|n| n.allocatable.as_ref()), "memory"))
    } else {
        of(node.and_then(|n| n.capacity.as_ref()), "ephemeral-storage")
    };
    bytes
        .filter(|b| *b >= 1.0 && *b < 1e18)
        .map_or(FALLBACK_CAPACITY, |b| b as u64)
}
