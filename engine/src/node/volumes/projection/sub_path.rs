//! `subPath` mounts of projections: at container start the kubelet bind-mounts the file (or
//! directory) the volume's links lead to at that moment; a later `..data` swap removes that
//! directory from the volume, but the mount keeps the old inode, so the container sees the
//! old content until it restarts. Here the mount gets a copy of its own.

use k8s_openapi::api::core::v1::{Pod, Volume};

use super::backing;
use crate::storage::{Backing, Entry, Tree};
use crate::world::World;

/// Copies `sub_path` of the pod's projection `volume` as it is now into a tree of its own
/// for `container`'s mount; returns that tree's backing and the path in it the mount shows.
/// `Err` is the mount's error (the path does not exist yet, the volume is not set up).
pub fn snapshot(
    world: &mut World,
    pod: &Pod,
    volume: &Volume,
    sub_path: &str,
    container: &str,
) -> Result<(Backing, String), String> {
    let from = backing(pod, volume);
    let tree = world
        .storage
        .tree(&from)
        .ok_or_else(|| format!("volume {} is not set up", volume.name))?;
    let source = tree
        .resolve(&format!("/{sub_path}"))
        .map_err(|e| e.message().to_string())?;
    let copy = copy_of(tree, &source, world.clock.now_ms())?;
    let name = source.rsplit('/').next().unwrap_or_default();
    let shown = if name.is_empty() {
        "/".to_string()
    } else {
        format!("/{name}")
    };
    let to = Backing::Pod {
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        volume: format!("{}/subpath/{container}/{sub_path}", volume.name),
    };
    let made = world
        .storage
        .tree_mut(&to, copy.capacity())
        .map_err(|e| e.message().to_string())?;
    *made = copy;
    Ok((to, shown))
}

/// A tree holding `path` of `tree` (and what is under it) at `/<its name>`.
fn copy_of(tree: &Tree, path: &str, now: i64) -> Result<Tree, String> {
    let err = |e: crate::storage::FsError| e.message().to_string();
    let mut out = Tree::new(tree.capacity());
    let base = path.rsplit_once('/').map_or("", |(d, _)| d);
    let entries = std::iter::once(path.to_string()).chain(tree.under(path));
    for p in entries {
        if p == "/" {
            continue;
        }
        let Some(at) = p.get(base.len()..) else {
            continue;
        };
        match tree.lstat(&p).map_err(err)? {
            Entry::Dir { mode, .. } => out.mkdir(at, true, mode, now).map_err(err)?,
            Entry::File { data, mode, .. } => {
                out.write(at, &data, false, mode, now).map_err(err)?;
                out.chmod(at, mode).map_err(err)?;
            }
            Entry::Link { target, .. } => out.symlink(&target, at, now).map_err(err)?,
        }
    }
    Ok(out)
}
