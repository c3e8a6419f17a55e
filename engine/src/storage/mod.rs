//! The storage behind volumes: every filesystem that outlives a container, by what backs it.
//! Nodes' disks (hostPath, local and hostpath-provisioned volumes), NFS servers outside the
//! cluster, pods' own volumes on their node (emptyDir, the kubelet's projections of
//! configMap/secret/downwardAPI volumes) and disks of their own (cloud, iSCSI, CSI volumes).
//!
//! It is part of the [`World`](crate::world::World) because the kubelet (mounting, writing
//! through `kubectl exec`) and the controllers (a provisioner creating a directory, a deleter
//! removing it) both reach it, as real ones reach the same disks and servers.

pub mod tree;

use std::collections::BTreeMap;

pub use tree::{normalise, Entry, FsError, Tree, MAX_ENTRIES};

/// Most filesystems kept at once; making one more fails as a full disk.
pub const MAX_TREES: usize = 4_096;

/// What backs a filesystem.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backing {
    /// A node's own disk, by node name: hostPath volumes are directories of it.
    Node(String),
    /// An NFS server, by the address pods mount it from: NFS volumes are its directories.
    Nfs(String),
    /// A pod's own volume on its node (emptyDir; a configMap/secret/downwardAPI/projected
    /// volume's files), by pod uid and volume name: gone with the pod.
    Pod {
        /// The pod's uid.
        uid: String,
        /// The volume's name in the pod spec.
        volume: String,
    },
    /// A disk of its own (a cloud disk, iSCSI LUN, CSI volume), by PersistentVolume name.
    Disk(String),
}

/// An NFS server outside the cluster: where it is, what it exports and how big its disk is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NfsServer {
    /// The address pods mount it from (`211.183.3.99`).
    pub address: String,
    /// Exported directories (`/etc/exports`), absolute.
    pub exports: Vec<String>,
    /// Its disk's size in bytes (what `df` shows whatever a PV claims).
    pub size: u64,
    /// The device its exports live on (`/dev/mapper/centos-root`), for `ssh … df`.
    pub device: String,
}

impl NfsServer {
    /// The export that holds `path` (the path itself or a directory above it).
    pub fn export_of(&self, path: &str) -> Option<&str> {
        let path = normalise(path);
        self.exports
            .iter()
            .map(String::as_str)
            .filter(|e| path == *e || path.starts_with(&format!("{}/", e.trim_end_matches('/'))))
            .max_by_key(|e| e.len())
    }
}

/// Every filesystem, by what backs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Storage {
    trees: BTreeMap<Backing, Tree>,
    /// The NFS servers pods can reach, by address.
    nfs: BTreeMap<String, NfsServer>,
    /// How many times a node's disk was handed out for writing: a reader of nodes' files
    /// (the kubelets' static pod manifests) looks again only when it moved.
    node_writes: u64,
}

impl Storage {
    /// The filesystem behind `backing`, if it has been made.
    pub fn tree(&self, backing: &Backing) -> Option<&Tree> {
        self.trees.get(backing)
    }

    /// The filesystem behind `backing`, made empty with `capacity` bytes if it is new;
    /// `Err(NoSpace)` when [`MAX_TREES`] are kept already.
    pub fn tree_mut(&mut self, backing: &Backing, capacity: u64) -> Result<&mut Tree, FsError> {
        if !self.trees.contains_key(backing) && self.trees.len() >= MAX_TREES {
            return Err(FsError::NoSpace);
        }
        self.note_write(backing);
        Ok(self
            .trees
            .entry(backing.clone())
            .or_insert_with(|| Tree::new(capacity)))
    }

    /// Replaces the filesystem behind `backing` with `tree` (a view's changes committed);
    /// `Err(NoSpace)` when it is new and [`MAX_TREES`] are kept already.
    pub fn put(&mut self, backing: Backing, tree: Tree) -> Result<(), FsError> {
        if !self.trees.contains_key(&backing) && self.trees.len() >= MAX_TREES {
            return Err(FsError::NoSpace);
        }
        self.note_write(&backing);
        self.trees.insert(backing, tree);
        Ok(())
    }

    /// Adds an NFS server (the cluster profile's), its exported directories made on its disk
    /// at `at` (epoch ms).
    pub fn add_nfs_server(&mut self, server: NfsServer, at: i64) {
        let backing = Backing::Nfs(server.address.clone());
        if let Ok(tree) = self.tree_mut(&backing, server.size) {
            for e in &server.exports {
                let _ = tree.mkdir(e, true, 0o755, at);
            }
        }
        self.nfs.insert(server.address.clone(), server);
    }

    /// The NFS server at `address`, if there is one.
    pub fn nfs_server(&self, address: &str) -> Option<&NfsServer> {
        self.nfs.get(address)
    }

    /// Every NFS server, by address.
    pub fn nfs_servers(&self) -> impl Iterator<Item = &NfsServer> {
        self.nfs.values()
    }

    /// A copy holding only the filesystems behind `backings` (what one container mounts),
    /// for a reader that cannot borrow the whole while the world moves on.
    pub fn subset<'a>(&self, backings: impl IntoIterator<Item = &'a Backing>) -> Storage {
        let mut out = Storage::default();
        for b in backings {
            if let Some(t) = self.trees.get(b) {
                out.trees.insert(b.clone(), t.clone());
            }
        }
        out
    }

    /// Drops a filesystem and everything in it (a deleted disk, a pod's volume torn down).
    pub fn remove(&mut self, backing: &Backing) {
        self.trees.remove(backing);
    }

    /// Drops every volume of pod `uid` (the kubelet cleaning up after a deleted pod).
    pub fn remove_pod(&mut self, uid: &str) {
        self.trees
            .retain(|b, _| !matches!(b, Backing::Pod { uid: u, .. } if u == uid));
    }

    /// The count of nodes' disks handed out for writing so far (see [`Storage::tree_mut`]):
    /// unchanged, no node's file changed.
    pub fn node_writes(&self) -> u64 {
        self.node_writes
    }

    fn note_write(&mut self, backing: &Backing) {
        if matches!(backing, Backing::Node(_)) {
            self.node_writes += 1;
        }
    }

    /// Every filesystem and what backs it, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Backing, &Tree)> {
        self.trees.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_volumes_go_with_the_pod() {
        let mut s = Storage::default();
        let a = Backing::Pod {
            uid: "u1".into(),
            volume: "cache".into(),
        };
        let node = Backing::Node("worker1".into());
        s.tree_mut(&a, 100)
            .unwrap()
            .write("/f", "x", false, 0o644, 0)
            .unwrap();
        s.tree_mut(&node, 100)
            .unwrap()
            .mkdir("/tmp", false, 0o1777, 0)
            .unwrap();
        s.remove_pod("u1");
        assert!(s.tree(&a).is_none());
        assert_eq!(
            s.tree(&node).unwrap().stat("/tmp").unwrap().mode_string(),
            "drwxrwxrwt"
        );
    }
}
