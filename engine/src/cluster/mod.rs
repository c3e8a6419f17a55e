//! The `Cluster` facade: the one type the app and the CLI talk to.

mod bootstrap;
mod profile;

pub use profile::{ClusterProfile, NodeProfile, NodeRole};

use crate::clock::{Clock, SimDuration, BOOT_MS};
use crate::console::Console;
use crate::output::Output;
use crate::rng::Rng;
use crate::store::Store;

/// How to build a cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Seed of every random choice (uids, generated names).
    pub seed: u64,
    /// Nodes and their shape.
    pub profile: ClusterProfile,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            seed: 0,
            profile: ClusterProfile::multi_node(),
        }
    }
}

/// How long the cluster has been up when the learner first types (node AGE then reads `10m`).
const UPTIME_AT_START: SimDuration = SimDuration::seconds(600);

/// A whole simulated cluster with its console.
pub struct Cluster {
    pub(crate) clock: Clock,
    pub(crate) store: Store,
    pub(crate) rng: Rng,
    pub(crate) console: Console,
}

impl Default for Cluster {
    fn default() -> Self {
        Self::new()
    }
}

impl Cluster {
    /// The default cluster: one control-plane node and three workers, seed 0.
    pub fn new() -> Self {
        Self::with_config(ClusterConfig::default())
    }

    /// A cluster built from `config`.
    pub fn with_config(config: ClusterConfig) -> Self {
        let mut cluster = Cluster {
            clock: Clock::at(BOOT_MS),
            store: Store::default(),
            rng: Rng::new(config.seed),
            console: Console::default(),
        };
        cluster.bootstrap(&config.profile);
        cluster.clock.advance(UPTIME_AT_START);
        cluster
    }

    fn bootstrap(&mut self, profile: &ClusterProfile) {
        let now = self.clock.now_time();
        let mut objects: Vec<_> = bootstrap::SYSTEM_NAMESPACES
            .iter()
            .map(|n| bootstrap::namespace(n))
            .collect();
        objects.extend(
            profile
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| bootstrap::node(n, i, &now)),
        );
        for obj in objects {
            // Names in a profile are unique, so creation cannot collide.
            let _ = self.store.create(obj, now.clone(), &mut self.rng);
        }
    }

    /// Runs one console line (a shell-like command line) and returns what it printed.
    pub fn run(&mut self, line: &str) -> Output {
        crate::console::run_line(self, line)
    }

    /// Lets `d` of simulated time pass, running everything that falls due.
    pub fn advance(&mut self, d: SimDuration) {
        self.clock.advance(d);
    }

    /// Simulated time elapsed since the cluster booted.
    pub fn uptime(&self) -> SimDuration {
        SimDuration::millis(self.clock.now_ms() - BOOT_MS)
    }

    /// Names of the nodes, in the order `kubectl get nodes` lists them.
    pub fn node_names(&self) -> Vec<String> {
        self.store
            .list("Node", None)
            .map(|n| n.name().to_string())
            .collect()
    }
}
