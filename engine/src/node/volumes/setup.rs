//! Setting a pod's volumes up before its containers start, as the kubelet's volume manager
//! does: an emptyDir's tree made, a hostPath's `type` checked (and the `…OrCreate` ones
//! made), an NFS export mounted, a claim's bound volume found, a projection filled. The
//! first failure is the FailedMount event's message; the kubelet retries.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{Pod, Volume};

use super::{mounts, projection, NODE_DISK};
use crate::api::quantity;
use crate::storage::{Backing, Entry, FsError};
use crate::world::World;

/// A Memory-medium emptyDir's size without a `sizeLimit`: half the node's memory, as
/// tmpfs takes by default.
const TMPFS_DEFAULT: u64 = 2 << 30;

/// Sets up every volume of `pod`; `Err` is the message of the first that failed.
pub fn set_up(world: &mut World, pod: &Pod) -> Result<(), String> {
    let volumes = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.clone())
        .unwrap_or_default();
    for v in &volumes {
        set_up_one(world, pod, v)?;
    }
    Ok(())
}

/// Makes the `subPath` directories `mounts` show that do not exist yet, as the kubelet does
/// before it bind-mounts them.
pub fn make_sub_paths(world: &mut World, mounts: &[super::Mount]) {
    let now = world.clock.now_ms();
    for m in mounts.iter().filter(|m| m.dir != "/") {
        if let Ok(t) = world.storage.tree_mut(&m.backing, NODE_DISK) {
            if t.stat(&m.dir).is_err() {
                let _ = t.mkdir(&m.dir, true, 0o755, now);
            }
        }
    }
}

/// `MountVolume.SetUp failed for volume "NAME" : WHY`.
fn failed(v: &Volume, why: &str) -> String {
    format!("MountVolume.SetUp failed for volume \"{}\" : {why}", v.name)
}

fn set_up_one(world: &mut World, pod: &Pod, v: &Volume) -> Result<(), String> {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    if let Some(e) = &v.empty_dir {
        let limit = e
            .size_limit
            .as_ref()
            .and_then(|q| quantity::parse(&q.0))
            .map(|b| b.max(0.0) as u64);
        let capacity = match (e.medium.as_deref(), limit) {
            (_, Some(l)) if e.medium.as_deref() == Some("Memory") => l,
            (Some("Memory"), None) => TMPFS_DEFAULT,
            // On the node's disk: the limit is enforced by eviction, not the filesystem.
            _ => NODE_DISK,
        };
        let backing = Backing::Pod {
            uid,
            volume: v.name.clone(),
        };
        let fresh = world.storage.tree(&backing).is_none();
        let now = world.clock.now_ms();
        let tree = world
            .storage
            .tree_mut(&backing, capacity)
            .map_err(|e| failed(v, e.message()))?;
        if fresh {
            // The kubelet makes an emptyDir world-writable.
            let _ = tree.chmod("/", 0o777);
            let _ = tree.touch("/", now);
        }
        return Ok(());
    }
    if let Some(h) = &v.host_path {
        let node = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default();
        let now = world.clock.now_ms();
        let tree = world
            .storage
            .tree_mut(&Backing::Node(node), NODE_DISK)
            .map_err(|e| failed(v, e.message()))?;
        return host_path_check(tree, &h.path, h.type_.as_deref().unwrap_or(""), now)
            .map_err(|why| failed(v, &why));
    }
    if let Some(n) = &v.nfs {
        return nfs_mount(world, &n.server, &n.path, pod, v);
    }
    if let Some(c) = &v.persistent_volume_claim {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
        let Some((pv_name, pv)) = mounts::bound_volume(world, ns, &c.claim_name) else {
            return Err(unbound(pod, v, ns, &c.claim_name));
        };
        if let Some(n) = &pv.nfs {
            return nfs_mount(world, &n.server, &n.path, pod, v);
        }
        if let Some((path, node)) = pv
            .host_path
            .as_ref()
            .map(|h| h.path.clone())
            .or_else(|| pv.local.as_ref().map(|l| l.path.clone()))
            .zip(pod.spec.as_ref().and_then(|s| s.node_name.clone()))
        {
            let now = world.clock.now_ms();
            let kind = pv
                .host_path
                .as_ref()
                .and_then(|h| h.type_.clone())
                .unwrap_or_default();
            let tree = world
                .storage
                .tree_mut(&Backing::Node(node), NODE_DISK)
                .map_err(|e| failed(v, e.message()))?;
            return host_path_check(tree, &path, &kind, now).map_err(|why| failed(v, &why));
        }
        let size = pv
            .capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .and_then(|q| quantity::parse(&q.0))
            .map_or(1 << 30, |b| b.max(0.0) as u64);
        return world
            .storage
            .tree_mut(&Backing::Disk(pv_name), size)
            .map(|_| ())
            .map_err(|e| failed(v, e.message()));
    }
    if projection::is_projection(v)
        && !v
            .name
            .starts_with(crate::api::service_account::VOLUME_PREFIX)
    {
        return projection::prepare(world, pod, v);
    }
    Ok(())
}

/// The kubelet's answer for a claim that is not bound (or gone).
fn unbound(pod: &Pod, v: &Volume, ns: &str, claim: &str) -> String {
    let mut all: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .map(|v| v.name.clone())
        .collect();
    all.stable_sort();
    format!(
        "Unable to attach or mount volumes: unmounted volumes=[{}], unattached volumes=[{}]: error processing PVC {ns}/{claim}: PVC is not bound",
        v.name,
        all.join(" ")
    )
}

/// Mounts `server:path` for volume `v`: the server must exist and export the path.
fn nfs_mount(
    world: &mut World,
    server: &str,
    path: &str,
    pod: &Pod,
    v: &Volume,
) -> Result<(), String> {
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let target = format!(
        "/var/lib/kubelet/pods/{uid}/volumes/kubernetes.io~nfs/{}",
        v.name
    );
    let output = match world.storage.nfs_server(server) {
        None => "mount.nfs: Connection timed out".to_string(),
        Some(s) if s.export_of(path).is_none() => {
            format!("mount.nfs: access denied by server while mounting {server}:{path}")
        }
        Some(_) => {
            let exists = world
                .storage
                .tree(&Backing::Nfs(server.to_string()))
                .is_some_and(|t| matches!(t.stat(path), Ok(Entry::Dir { .. })));
            if exists {
                return Ok(());
            }
            format!("mount.nfs: mounting {server}:{path} failed, reason given by server: No such file or directory")
        }
    };
    Err(failed(
        v,
        &format!("mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs {server}:{path} {target}\nOutput: {output}\n"),
    ))
}

/// The hostPath `type` check (and the `…OrCreate` types' making), as the kubelet's
/// `checkTypeInternal`; no type: a missing directory is made (as the runtime does).
fn host_path_check(
    tree: &mut crate::storage::Tree,
    path: &str,
    kind: &str,
    now: i64,
) -> Result<(), String> {
    let entry = tree.stat(path);
    let exists = entry.is_ok();
    let is_dir = matches!(entry, Ok(Entry::Dir { .. }));
    let is_file = matches!(entry, Ok(Entry::File { .. }));
    let made = |r: Result<(), FsError>| {
        r.map_err(|e| format!("mkdir {path}: {}", e.message().to_lowercase()))
    };
    match kind {
        "" if !exists => made(tree.mkdir(path, true, 0o755, now)),
        "" => Ok(()),
        "DirectoryOrCreate" if !exists => made(tree.mkdir(path, true, 0o755, now)),
        "DirectoryOrCreate" | "Directory" if !is_dir => Err(format!(
            "hostPath type check failed: {path} is not a directory"
        )),
        "FileOrCreate" if !exists => {
            let parent = path.rsplit_once('/').map_or("/", |(p, _)| p);
            if !parent.is_empty() {
                let _ = tree.mkdir(parent, true, 0o755, now);
            }
            tree.write(path, "", false, 0o644, now)
                .map_err(|e| format!("open {path}: {}", e.message().to_lowercase()))
        }
        "FileOrCreate" | "File" if !is_file => {
            Err(format!("hostPath type check failed: {path} is not a file"))
        }
        "Socket" => Err(format!(
            "hostPath type check failed: {path} is not a socket file"
        )),
        "CharDevice" => Err(format!(
            "hostPath type check failed: {path} is not a character device"
        )),
        "BlockDevice" => Err(format!(
            "hostPath type check failed: {path} is not a block device"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Tree;

    #[test]
    fn host_path_types() {
        let mut t = Tree::new(1 << 20);
        assert_eq!(
            host_path_check(&mut t, "/data", "DirectoryOrCreate", 0),
            Ok(())
        );
        assert!(t.stat("/data").is_ok());
        assert_eq!(
            host_path_check(&mut t, "/nope", "Directory", 0),
            Err("hostPath type check failed: /nope is not a directory".into())
        );
        assert_eq!(
            host_path_check(&mut t, "/etc/x.conf", "FileOrCreate", 0),
            Ok(())
        );
        assert_eq!(
            host_path_check(&mut t, "/data", "File", 0),
            Err("hostPath type check failed: /data is not a file".into())
        );
        assert_eq!(host_path_check(&mut t, "/var/log", "", 0), Ok(()));
        assert!(matches!(t.stat("/var/log"), Ok(Entry::Dir { .. })));
    }
}
