//! What reclaiming and provisioning do to the data behind volumes (`world.storage`): a
//! provisioner's directory made on its node, a recycled volume scrubbed (`rm -rf` of its
//! contents), a deleted one's directory or disk dropped.

use k8s_openapi::api::core::v1::PersistentVolume;

use crate::api::quantity;
use crate::storage::Backing;
use crate::world::World;

/// A node's disk size: its `ephemeral-storage` capacity.
fn node_disk(world: &World, node: &str) -> u64 {
    world
        .api
        .get_as::<k8s_openapi::api::core::v1::Node>("", node)
        .and_then(|n| {
            n.status
                .as_ref()?
                .capacity
                .as_ref()?
                .get("ephemeral-storage")
                .cloned()
        })
        .and_then(|q| quantity::parse(&q.0))
        .map_or(0, |b| b as u64)
}

/// `mkdir -p` of `path` with mode 0777 on `node`'s disk (the provisioner's `MkdirAll` and
/// `Chmod`).
pub fn make_dir(world: &mut World, node: &str, path: &str) {
    let now = world.clock.now_ms();
    let capacity = node_disk(world, node);
    if let Ok(tree) = world
        .storage
        .tree_mut(&Backing::Node(node.to_string()), capacity)
    {
        let _ = tree.mkdir(path, true, 0o777, now);
        let _ = tree.chmod(path, 0o777);
    }
}

/// The host names a volume's node affinity pins it to (`kubernetes.io/hostname In [...]`).
fn pinned_nodes(pv: &PersistentVolume) -> Vec<String> {
    pv.spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref()?.required.as_ref())
        .map(|r| {
            r.node_selector_terms
                .iter()
                .flat_map(|t| t.match_expressions.iter().flatten())
                .filter(|e| e.key == "kubernetes.io/hostname" && e.operator == "In")
                .flat_map(|e| e.values.iter().flatten().cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// The node disks a host-path volume's data may be on: the pinned nodes, else every node
/// whose disk has been used.
fn host_disks(world: &World, pv: &PersistentVolume) -> Vec<Backing> {
    let pinned = pinned_nodes(pv);
    if !pinned.is_empty() {
        return pinned.into_iter().map(Backing::Node).collect();
    }
    world
        .storage
        .iter()
        .filter(|(b, _)| matches!(b, Backing::Node(_)))
        .map(|(b, _)| b.clone())
        .collect()
}

/// The disks (and the directory on each) behind a volume.
fn places(world: &World, pv: &PersistentVolume) -> Vec<(Backing, String)> {
    let spec = pv.spec.clone().unwrap_or_default();
    if let Some(h) = &spec.host_path {
        return host_disks(world, pv)
            .into_iter()
            .map(|b| (b, h.path.clone()))
            .collect();
    }
    if let Some(l) = &spec.local {
        return host_disks(world, pv)
            .into_iter()
            .map(|b| (b, l.path.clone()))
            .collect();
    }
    if let Some(n) = &spec.nfs {
        return vec![(Backing::Nfs(n.server.clone()), n.path.clone())];
    }
    let name = pv.metadata.name.clone().unwrap_or_default();
    vec![(Backing::Disk(name), "/".into())]
}

/// The recycler's scrub: everything inside the volume's directory goes, the directory stays.
pub fn scrub(world: &mut World, pv: &PersistentVolume) {
    let now = world.clock.now_ms();
    for (backing, dir) in places(world, pv) {
        if world.storage.tree(&backing).is_none() {
            continue;
        }
        let Ok(tree) = world.storage.tree_mut(&backing, 0) else {
            continue;
        };
        for (name, _) in tree.list(&dir).unwrap_or_default() {
            let child = if dir.ends_with('/') {
                format!("{dir}{name}")
            } else {
                format!("{dir}/{name}")
            };
            let _ = tree.remove(&child, true, now);
        }
    }
}

/// A deleted volume's data: its directory (host paths, local volumes, NFS) or its own disk.
pub fn drop_volume(world: &mut World, pv: &PersistentVolume) {
    let now = world.clock.now_ms();
    for (backing, dir) in places(world, pv) {
        if matches!(backing, Backing::Disk(_)) {
            world.storage.remove(&backing);
        } else if world.storage.tree(&backing).is_some() {
            if let Ok(tree) = world.storage.tree_mut(&backing, 0) {
                let _ = tree.remove(&dir, true, now);
            }
        }
    }
}
