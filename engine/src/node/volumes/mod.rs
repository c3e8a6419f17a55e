//! Volumes with data in them: each container's mount table (`mounts`: mountPath → the tree
//! behind the volume, the directory inside it, read-only, what `df`/`mount` show), setting
//! volumes up before containers start (`setup`: emptyDir, hostPath with its `type` checks,
//! NFS exports, claim-backed volumes, the FailedMount messages) and the config projections'
//! hook (`projection`); inline cloud disks that never attach without their CSI driver
//! (`cloud`).

pub mod cloud;
pub mod mounts;
pub mod projection;
pub mod setup;

use crate::storage::Backing;

/// A node's disk: its device as `df` and `mount` show it, and its size.
pub const NODE_DEVICE: &str = "/dev/sda1";
/// A node disk's size in bytes.
pub const NODE_DISK: u64 = 100 << 30;

/// One entry of a container's mount table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Where the container sees it, normalised (`/usr/share/nginx/html`).
    pub path: String,
    /// The pod's volume name.
    pub volume: String,
    /// The filesystem behind it.
    pub backing: Backing,
    /// The directory of that filesystem it shows (the hostPath or NFS path, with the
    /// mount's `subPath` below it), normalised.
    pub dir: String,
    /// `readOnly`: writes fail with `EROFS`.
    pub read_only: bool,
    /// What `mount` and `df` show as its source (`211.183.3.99:/k8s`, `tmpfs`, `/dev/sda1`).
    pub source: String,
    /// Its filesystem type (`nfs4`, `tmpfs`, `ext4`).
    pub fstype: String,
}
