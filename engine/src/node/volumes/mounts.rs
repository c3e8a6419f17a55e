//! A container's mount table from its pod's spec: each `volumeMount` resolved to the tree
//! behind its volume (a claim through its bound PersistentVolume) and the directory in it.

use k8s_openapi::api::core::v1::{
    Container, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, Pod, Volume,
};

use super::{projection, Mount, NODE_DEVICE};
use crate::storage::{normalise, Backing};
use crate::world::World;

/// The service-account token's volume: its files are the image root's own (see `fs`) until
/// the projections fill it.
fn is_token(v: &Volume) -> bool {
    v.name
        .starts_with(crate::api::service_account::VOLUME_PREFIX)
}

/// Where volume `v` of `pod` lives: the tree, the directory in it, the `mount` source, the
/// filesystem type and whether the volume itself is read-only. `None` for volume types
/// Kubeplay keeps no data for (and for the token's).
pub fn source(
    world: &World,
    pod: &Pod,
    v: &Volume,
) -> Option<(Backing, String, String, String, bool)> {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let node = pod.spec.as_ref()?.node_name.clone().unwrap_or_default();
    let own = || Backing::Pod {
        uid: uid.clone(),
        volume: v.name.clone(),
    };
    if let Some(e) = &v.empty_dir {
        let tmpfs = e.medium.as_deref() == Some("Memory");
        let (src, fs) = if tmpfs {
            ("tmpfs", "tmpfs")
        } else {
            (NODE_DEVICE, "ext4")
        };
        return Some((own(), "/".into(), src.into(), fs.into(), false));
    }
    if let Some(h) = &v.host_path {
        let dir = normalise(&h.path);
        return Some((
            Backing::Node(node),
            dir,
            NODE_DEVICE.into(),
            "ext4".into(),
            false,
        ));
    }
    if let Some(n) = &v.nfs {
        return Some(nfs(&n.server, &n.path, n.read_only == Some(true)));
    }
    if let Some(c) = &v.persistent_volume_claim {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
        let (pv_name, pv) = bound_volume(world, ns, &c.claim_name)?;
        let ro = c.read_only == Some(true);
        let mut s = pv_source(&pv_name, &pv, &node);
        s.4 |= ro;
        return Some(s);
    }
    if projection::is_projection(v) && !is_token(v) {
        let (src, fs) = if projection::is_tmpfs(v) {
            ("tmpfs", "tmpfs")
        } else {
            (NODE_DEVICE, "ext4")
        };
        return Some((own(), "/".into(), src.into(), fs.into(), true));
    }
    None
}

fn nfs(server: &str, path: &str, ro: bool) -> (Backing, String, String, String, bool) {
    (
        Backing::Nfs(server.to_string()),
        normalise(path),
        format!("{server}:{path}"),
        "nfs4".into(),
        ro,
    )
}

/// Where a PersistentVolume's data lives: hostPath/local on the node it is on, NFS on its
/// server, anything else a disk of its own.
fn pv_source(
    name: &str,
    pv: &PersistentVolumeSpec,
    node: &str,
) -> (Backing, String, String, String, bool) {
    if let Some(h) = &pv.host_path {
        return (
            Backing::Node(node.into()),
            normalise(&h.path),
            NODE_DEVICE.into(),
            "ext4".into(),
            false,
        );
    }
    if let Some(l) = &pv.local {
        return (
            Backing::Node(node.into()),
            normalise(&l.path),
            NODE_DEVICE.into(),
            "ext4".into(),
            false,
        );
    }
    if let Some(n) = &pv.nfs {
        return nfs(&n.server, &n.path, n.read_only == Some(true));
    }
    (
        Backing::Disk(name.into()),
        "/".into(),
        "/dev/sdb".into(),
        "ext4".into(),
        false,
    )
}

/// The PersistentVolume claim `ns/claim` is bound to, if it is.
pub fn bound_volume(
    world: &World,
    ns: &str,
    claim: &str,
) -> Option<(String, PersistentVolumeSpec)> {
    let c = world.api.get_as::<PersistentVolumeClaim>(ns, claim)?;
    let name = c
        .spec
        .as_ref()?
        .volume_name
        .clone()
        .filter(|n| !n.is_empty())?;
    let pv = world.api.get_as::<PersistentVolume>("", &name)?;
    Some((name, pv.spec.clone()?))
}

/// Container `c`'s mount table (mounts of volumes Kubeplay keeps no data for left out). A
/// `subPath` of a projection is a copy taken now (`projection::sub_path`): later updates
/// never reach it.
pub fn table(world: &mut World, pod: &Pod, c: &Container) -> Vec<Mount> {
    let volumes = pod.spec.as_ref().and_then(|s| s.volumes.as_ref());
    let mut out = Vec::new();
    for vm in c.volume_mounts.iter().flatten() {
        let Some(v) = volumes.and_then(|vs| vs.iter().find(|v| v.name == vm.name)) else {
            continue;
        };
        let Some((backing, dir, source, fstype, ro)) = source(world, pod, v) else {
            continue;
        };
        let sub = vm.sub_path.as_deref().filter(|s| !s.is_empty());
        let (backing, dir) = match sub {
            Some(sub) if projection::is_projection(v) && !is_token(v) => {
                match projection::sub_path::snapshot(world, pod, v, sub, &c.name) {
                    Ok(copy) => copy,
                    Err(_) => continue,
                }
            }
            Some(sub) => (backing, normalise(&format!("{dir}/{sub}"))),
            None => (backing, dir),
        };
        out.push(Mount {
            path: normalise(&vm.mount_path),
            volume: vm.name.clone(),
            backing,
            dir,
            read_only: ro || vm.read_only == Some(true),
            source,
            fstype,
        });
    }
    out
}
