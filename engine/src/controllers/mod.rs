//! Controllers: loops that read the store (and its watch log) and write it back, like
//! kube-controller-manager's. `run_all` runs each once; the cluster calls it after every
//! command and after every timer task, until nothing changes any more.
//!
//! Each controller is a module with `pub fn reconcile(cluster: &mut Cluster)`; whatever it
//! must remember between runs (watch-log cursors, queues) lives in its own field of [`State`].

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod garbage_collector;
pub mod job;
pub mod namespace;
pub mod node_lifecycle;
pub mod persistentvolume;
pub mod replicaset;
pub mod runtime;
pub mod statefulset;
pub mod system_objects;
#[cfg(test)]
pub mod testing;

use crate::cluster::Cluster;

/// What the controllers remember between runs.
#[derive(Debug)]
pub struct State {
    /// The controllers that run on the controller runtime, in the order they run.
    pub runtime: runtime::Runtime,
    /// The garbage collector's cursor and owner index.
    pub garbage_collector: garbage_collector::State,
    /// The persistentvolume controller's cursor and resyncs.
    pub persistentvolume: persistentvolume::State,
    /// The DaemonSet controller's cursor and template hashes.
    pub daemonset: daemonset::State,
    /// The StatefulSet controller's cursor and revisions.
    pub statefulset: statefulset::State,
}

impl Default for State {
    fn default() -> Self {
        let mut runtime = runtime::Runtime::default();
        runtime.register(Box::<node_lifecycle::NodeLifecycle>::default(), 0);
        runtime.register(Box::<deployment::Deployments>::default(), 0);
        runtime.register(Box::<replicaset::ReplicaSets>::default(), 0);
        runtime.register(Box::<cronjob::CronJobs>::default(), 0);
        runtime.register(Box::<job::Jobs>::default(), 0);
        runtime.register(Box::<namespace::Namespaces>::default(), 0);
        runtime.register(Box::<system_objects::SystemObjects>::default(), 0);
        runtime.register(Box::<endpoints::EndpointsController>::default(), 0);
        // Last: the scheduler places what this pass's controllers created.
        runtime.register(Box::<crate::scheduler::Scheduler>::default(), 0);
        State {
            runtime,
            garbage_collector: Default::default(),
            persistentvolume: Default::default(),
            daemonset: Default::default(),
            statefulset: Default::default(),
        }
    }
}

/// Most passes `run_all` makes before it lets time move on (a safety net; a pass normally
/// settles in two or three).
const MAX_PASSES: usize = 8;

/// Runs every controller, in a fixed order (determinism), then the scheduler, and again
/// while a pass changed something, so one controller's writes are seen by the others at
/// the same instant.
pub fn run_all(cluster: &mut Cluster) {
    for _ in 0..MAX_PASSES {
        let before = cluster.world.api.log_end();
        cluster
            .controllers
            .runtime
            .run("nodelifecycle", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("deployment", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("replicaset", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("cronjob", &mut cluster.world);
        cluster.controllers.runtime.run("job", &mut cluster.world);
        statefulset::reconcile(cluster);
        daemonset::reconcile(cluster);
        persistentvolume::reconcile(cluster);
        garbage_collector::reconcile(cluster);
        cluster
            .controllers
            .runtime
            .run("namespace", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("serviceaccount", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("endpoints", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("scheduler", &mut cluster.world);
        if cluster.world.api.log_end() == before {
            break;
        }
    }
}
