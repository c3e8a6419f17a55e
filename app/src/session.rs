//! The page's handle on the engine: one cluster per page, shared by every component.

use std::sync::{Arc, Mutex};

use kubeplay_engine::view::{BoardSnapshot, DescribeKind};
use kubeplay_engine::{Cluster, Output, SimDuration};

/// Shared access to the page's cluster. Cloning shares the same cluster.
#[derive(Clone)]
pub struct Session {
    cluster: Arc<Mutex<Cluster>>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session with a fresh default cluster.
    pub fn new() -> Self {
        let mut cluster = Cluster::new();
        // Watches (`get -w`, `logs -f`) keep running while time passes, until Ctrl-C.
        cluster.set_streaming(true);
        Session {
            cluster: Arc::new(Mutex::new(cluster)),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Cluster) -> T) -> T {
        match self.cluster.lock() {
            Ok(mut c) => f(&mut c),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Runs one console line on the cluster.
    pub fn run(&self, line: &str) -> Output {
        self.with(|c| c.run(line))
    }

    /// The engine's prompt (`$ `, or a container shell's inside `kubectl exec -it`).
    pub fn prompt(&self) -> String {
        self.with(|c| c.prompt())
    }

    /// Whether a command is still running (a watch), so the console shows no prompt.
    pub fn job_running(&self) -> bool {
        self.with(|c| c.job_running())
    }

    /// What the running command printed since the last call.
    pub fn poll_job(&self) -> Output {
        self.with(|c| c.poll_job())
    }

    /// Ctrl-C: stops the running command; whether there was one.
    pub fn interrupt(&self) -> bool {
        self.with(|c| c.interrupt())
    }

    /// Lets `ms` milliseconds of simulated time pass.
    pub fn advance(&self, ms: i64) {
        self.with(|c| c.advance(SimDuration::millis(ms)));
    }

    /// Simulated time since the cluster booted, in milliseconds.
    pub fn uptime_ms(&self) -> i64 {
        self.with(|c| c.uptime().0)
    }

    /// The cluster's change counter (see `Cluster::generation`).
    pub fn generation(&self) -> u64 {
        self.with(|c| c.generation())
    }

    /// What the board shows, read now.
    pub fn snapshot(&self) -> BoardSnapshot {
        self.with(|c| c.snapshot())
    }

    /// `kubectl describe` text of a pod or node, leaving the console alone.
    pub fn describe(&self, kind: DescribeKind, namespace: &str, name: &str) -> String {
        self.with(|c| c.describe(kind, namespace, name))
    }
}
