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
    /// The Deployment controller's cursor and wake-ups.
    pub deployment: deployment::State,
    /// The scheduler's queue.
    pub scheduler: crate::scheduler::Queue,
    /// The Job controller's cursor, pod index and back-off.
    pub job: job::State,
    /// The CronJob controller's cursor and wake-ups.
    pub cronjob: cronjob::State,
    /// Store resourceVersion the endpoints controller last brought up to date.
    pub endpoints_seen: Option<u64>,
    /// Store resourceVersion the system-objects controller last checked.
    pub system_objects_seen: Option<u64>,
}

impl Default for State {
    fn default() -> Self {
        let mut runtime = runtime::Runtime::default();
        runtime.register(Box::<replicaset::ReplicaSets>::default(), 0);
        runtime.register(Box::<statefulset::StatefulSets>::default(), 0);
        runtime.register(Box::<daemonset::DaemonSets>::default(), 0);
        runtime.register(Box::<persistentvolume::ClaimBinder>::default(), 0);
        runtime.register(Box::<persistentvolume::ClaimProtection>::default(), 0);
        runtime.register(Box::<garbage_collector::GarbageCollector>::default(), 0);
        State {
            runtime,
            deployment: Default::default(),
            scheduler: Default::default(),
            job: Default::default(),
            cronjob: Default::default(),
            endpoints_seen: None,
            system_objects_seen: None,
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
        node_lifecycle::reconcile(cluster);
        deployment::reconcile(cluster);
        cluster
            .controllers
            .runtime
            .run("replicaset", &mut cluster.world);
        cronjob::reconcile(cluster);
        job::reconcile(cluster);
        cluster
            .controllers
            .runtime
            .run("statefulset", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("daemonset", &mut cluster.world);
        // Once one loop: the binder writes only Events, which pvc-protection does not watch.
        cluster
            .controllers
            .runtime
            .run("persistentvolume-binder", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("pvc-protection", &mut cluster.world);
        cluster
            .controllers
            .runtime
            .run("garbagecollector", &mut cluster.world);
        namespace::reconcile(cluster);
        system_objects::reconcile(cluster);
        endpoints::reconcile(cluster);
        crate::scheduler::schedule_pending(cluster);
        if cluster.world.api.log_end() == before {
            break;
        }
    }
}
