//! The world the control plane and the nodes act on: the API server, the clock, the timer
//! queue, the seeded random source and the event recorder. Controllers, the scheduler and
//! the kubelet take a `&mut World` (never the whole `Cluster`), so they depend on nothing
//! above them.

pub mod clients;
pub mod control_plane;
pub mod events;
pub mod heartbeats;

use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::apiserver::{ApiServer, DeleteOptions, Deletion, Env, Propagation};
use crate::cgroups::Cgroups;
use crate::clock::Clock;
use crate::rng::Rng;
use crate::storage::Storage;
use crate::timers::{Task, Timers};
use events::Recorder;

/// The shared state every component reads and writes through.
#[derive(Clone, Debug)]
pub struct World {
    /// Simulated time.
    pub clock: Clock,
    /// The API server: the store behind it, and the one write path.
    pub api: ApiServer,
    /// The only source of randomness.
    pub rng: Rng,
    /// Work due at a simulated instant.
    pub timers: Timers,
    /// Event folding state.
    pub events: Recorder,
    /// The disks and servers behind volumes, with their data.
    pub storage: Storage,
    /// The kernel's accounting of running containers: CPU and memory they use.
    pub cgroups: Cgroups,
    /// The components' API clients' rate limits.
    pub clients: clients::Clients,
    /// The kubelets' Lease renewals, as when each started and stopped.
    pub heartbeats: heartbeats::Heartbeats,
    /// The control-plane processes down (their static pods not ready).
    pub control_plane: control_plane::ControlPlane,
}

impl World {
    /// A world at `now_ms` whose randomness comes from `seed`.
    pub fn new(now_ms: i64, seed: u64) -> Self {
        World {
            clock: Clock::at(now_ms),
            api: ApiServer::default(),
            rng: Rng::new(seed),
            timers: Timers::default(),
            events: Recorder::default(),
            storage: Storage::default(),
            cgroups: Cgroups::default(),
            clients: clients::Clients::default(),
            heartbeats: heartbeats::Heartbeats::default(),
            control_plane: control_plane::ControlPlane::default(),
        }
    }

    /// A generator of its own for a writer whose random draws must leave every other random
    /// choice as it was (see [`Rng::fork`]): forked from the cluster's with `what` and the
    /// store's resourceVersion, so two writes never share a stream.
    pub fn side_rng(&self, what: &str) -> Rng {
        self.rng
            .fork(&format!("{what}@{}", self.api.resource_version()))
    }

    /// Creates an object through the API server. A pod created with `spec.nodeName` skips the
    /// scheduler: its kubelet hears of it at once.
    pub fn create(&mut self, obj: Object) -> Result<&Object, ApiError> {
        let env = Env {
            clock: &self.clock,
            rng: &mut self.rng,
        };
        let created = self.api.create(obj, env)?;
        if let Object::Pod(p) = created {
            if p.spec.as_ref().is_some_and(|s| s.node_name.is_some()) {
                let task = Task::KubeletSync {
                    namespace: created.namespace().to_string(),
                    name: created.name().to_string(),
                    uid: created.metadata().uid.clone().unwrap_or_default(),
                };
                self.timers.at(self.clock.now_ms(), task);
            }
        }
        Ok(created)
    }

    /// Starts a graceful deletion (`grace` seconds, or the object's own default) with
    /// background propagation; `force` skips the wait.
    pub fn delete(
        &mut self,
        kind: &'static str,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
        force: bool,
    ) -> Result<(), ApiError> {
        let options = DeleteOptions {
            grace,
            force,
            propagation: Propagation::Background,
        };
        self.delete_with(kind, namespace, name, &options)
    }

    /// Deletes an object through the API server; the kubelet hears at once of a running
    /// pod's deletion.
    pub fn delete_with(
        &mut self,
        kind: &'static str,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<(), ApiError> {
        let now = self.clock.now_ms();
        if let Deletion::Graceful(uid) = self.api.delete(kind, namespace, name, options, now)? {
            let task = Task::KubeletSync {
                namespace: namespace.to_string(),
                name: name.to_string(),
                uid,
            };
            self.timers.at(now, task);
        }
        Ok(())
    }

    /// Evicts a pod through the eviction subresource (its disruption budget decides); the
    /// kubelet hears at once of the deletion that follows.
    pub fn evict(
        &mut self,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
    ) -> Result<(), ApiError> {
        let now = self.clock.now_ms();
        if let Deletion::Graceful(uid) = self.api.evict(namespace, name, grace, now)? {
            let task = Task::KubeletSync {
                namespace: namespace.to_string(),
                name: name.to_string(),
                uid,
            };
            self.timers.at(now, task);
        }
        Ok(())
    }

    /// Removes an object whose deletion has been requested once nothing holds it any more.
    /// Returns whether it went.
    pub fn remove_if_finalized(&mut self, kind: &'static str, namespace: &str, name: &str) -> bool {
        self.api.remove_if_finalized(kind, namespace, name)
    }
}
