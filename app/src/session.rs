//! The page's handle on the engine: one cluster per page, shared by every component.

use std::sync::{Arc, Mutex};

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
        Session {
            cluster: Arc::new(Mutex::new(Cluster::new())),
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

    /// Lets `ms` milliseconds of simulated time pass.
    pub fn advance(&self, ms: i64) {
        self.with(|c| c.advance(SimDuration::millis(ms)));
    }
}
