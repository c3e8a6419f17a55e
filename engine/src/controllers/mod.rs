//! Controllers: loops that read the store (and its watch log) and write it back, like
//! kube-controller-manager's. `run_all` runs each once; the cluster calls it after every
//! command and after every timer task, until nothing changes any more.
//!
//! Each controller is a module with `pub fn reconcile(cluster: &mut Cluster)`; whatever it
//! must remember between runs (watch-log cursors, queues) lives in its own field of [`State`].

pub mod node_lifecycle;

use crate::cluster::Cluster;

/// What the controllers remember between runs.
#[derive(Clone, Debug, Default)]
pub struct State {}

/// Runs every controller once, in a fixed order (determinism), then the scheduler.
pub fn run_all(cluster: &mut Cluster) {
    node_lifecycle::reconcile(cluster);
    crate::scheduler::schedule_pending(cluster);
}
