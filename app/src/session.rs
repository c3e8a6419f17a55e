//! The page's handle on the engine: one cluster per page, shared by every component.

use std::sync::{Arc, Mutex};

use kubeplay_engine::{Cluster, Output};

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

    /// Runs one console line on the cluster.
    pub fn run(&self, line: &str) -> Output {
        match self.cluster.lock() {
            Ok(mut c) => c.run(line),
            Err(poisoned) => poisoned.into_inner().run(line),
        }
    }
}
