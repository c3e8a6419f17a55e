//! Controllers: loops that read the store (and its watch log) and write it back, like
//! kube-controller-manager's. `run_all` runs each once; the cluster calls it after every
//! command and after every timer task, until nothing changes any more.
//!
//! Each controller is a module with `pub fn reconcile(cluster: &mut Cluster)`; whatever it
//! must remember between runs (watch-log cursors, queues) lives in its own field of [`State`].

pub mod endpoints;
pub mod system_objects;

use crate::cluster::Cluster;

/// What the controllers remember between runs.
#[derive(Clone, Debug, Default)]
pub struct State {
    /// Store resourceVersion the endpoints controller last brought up to date.
    pub endpoints_seen: Option<u64>,
    /// Store resourceVersion the system-objects controller last checked.
    pub system_objects_seen: Option<u64>,
}

/// Runs every controller once, in a fixed order (determinism), then the scheduler.
pub fn run_all(cluster: &mut Cluster) {
    system_objects::reconcile(cluster);
    endpoints::reconcile(cluster);
    crate::scheduler::schedule_pending(cluster);
}
