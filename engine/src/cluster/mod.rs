//! The `Cluster` facade: the one type the app and the CLI talk to.

mod bootstrap;
mod profile;

pub use profile::{ClusterProfile, NodeProfile, NodeRole};

use std::collections::{BTreeMap, BTreeSet};

use crate::api::error::ApiError;
use crate::clock::{Clock, SimDuration, BOOT_MS};
use crate::console::Console;
use crate::kubelet::Stage;
use crate::output::Output;
use crate::rng::Rng;
use crate::store::Object;
use crate::store::Store;
use crate::timers::{Task, Timers};

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
    pub(crate) timers: Timers,
    /// Event names by (involved uid, reason, message), to fold repeats.
    pub(crate) event_index: BTreeMap<(String, String, String), String>,
    pub(crate) event_seq: u64,
    /// Kubelet: each pod's lifecycle stage, keyed by (namespace, name).
    pub(crate) pod_stages: BTreeMap<(String, String), Stage>,
    /// Kubelet: images present on each node, as (node, image as written in the pod).
    pub(crate) image_cache: BTreeSet<(String, String)>,
    /// Last pod IP host number handed out on each node.
    pub(crate) next_pod_ip: BTreeMap<String, u32>,
    /// What the controllers remember between runs.
    #[allow(dead_code)] // No controller keeps state yet.
    pub(crate) controllers: crate::controllers::State,
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
            timers: Timers::default(),
            event_index: BTreeMap::new(),
            event_seq: 0,
            pod_stages: BTreeMap::new(),
            image_cache: BTreeSet::new(),
            next_pod_ip: BTreeMap::new(),
            controllers: crate::controllers::State::default(),
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
        let out = crate::console::run_line(self, line);
        // The scheduler and kubelets react within milliseconds: run what is due right now.
        self.advance(SimDuration::millis(0));
        out
    }

    /// Lets `d` of simulated time pass, running everything that falls due, in order.
    pub fn advance(&mut self, d: SimDuration) {
        self.advance_until(SimDuration::millis(d.0.max(0)), |_| false);
    }

    /// Advances time until `done` holds or `limit` has passed; returns whether `done` held.
    pub(crate) fn advance_until(
        &mut self,
        limit: SimDuration,
        done: impl Fn(&Cluster) -> bool,
    ) -> bool {
        let deadline = self.clock.now_ms() + limit.0;
        self.reconcile();
        while !done(self) {
            match self.timers.pop_due(deadline) {
                Some((due, task)) => {
                    self.clock.set(due);
                    self.run_task(task);
                    self.reconcile();
                }
                None => {
                    self.clock.set(deadline);
                    return done(self);
                }
            }
        }
        true
    }

    fn run_task(&mut self, task: Task) {
        match task {
            Task::KubeletSync {
                namespace,
                name,
                uid,
            } => crate::kubelet::sync(self, &namespace, &name, &uid),
        }
    }

    /// Runs the controllers that react to changes at once (see `controllers`).
    fn reconcile(&mut self) {
        crate::controllers::run_all(self);
    }

    /// Creates an object as the apiserver does: defaulting, then storage.
    pub(crate) fn create(&mut self, mut obj: Object) -> Result<(), ApiError> {
        match &mut obj {
            Object::Pod(p) => crate::api::defaults::pod(p),
            Object::Namespace(ns) => crate::api::defaults::namespace(ns),
            _ => {}
        }
        crate::api::validation::validate(&obj)?;
        let now = self.clock.now_time();
        // A pod created with spec.nodeName skips the scheduler: its kubelet starts it.
        let bound = match &obj {
            Object::Pod(p) if p.spec.as_ref().is_some_and(|s| s.node_name.is_some()) => Some((
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )),
            _ => None,
        };
        let uid = self
            .store
            .create(obj, now, &mut self.rng)?
            .metadata()
            .uid
            .clone();
        if let (Some((namespace, name)), Some(uid)) = (bound, uid) {
            let due = self.clock.now_ms();
            self.timers.at(
                due,
                Task::KubeletSync {
                    namespace,
                    name,
                    uid,
                },
            );
        }
        Ok(())
    }

    /// Applies a changed manifest to a stored object. Pods only accept changes the apiserver
    /// allows on a running pod (container images, labels, annotations).
    pub(crate) fn update_from_apply(
        &mut self,
        existing: Object,
        desired: Object,
    ) -> Result<(), ApiError> {
        match (existing, desired) {
            (Object::Pod(mut current), Object::Pod(wanted)) => {
                let mut check = (*current).clone();
                let mut wanted_defaulted = (*wanted).clone();
                crate::api::defaults::pod(&mut wanted_defaulted);
                // Compare specs with images and scheduling fields set aside.
                if let (Some(cs), Some(ws)) = (check.spec.as_mut(), wanted_defaulted.spec.as_mut())
                {
                    ws.node_name = cs.node_name.clone();
                    for (c, w) in cs.containers.iter_mut().zip(ws.containers.iter_mut()) {
                        c.image = w.image.clone();
                    }
                }
                if check.spec != wanted_defaulted.spec {
                    return Err(ApiError::Forbidden {
                        kind: "Pod".into(),
                        name: current.metadata.name.clone().unwrap_or_default(),
                        message: "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                    });
                }
                current.metadata.labels = wanted.metadata.labels.clone();
                current.metadata.annotations = wanted.metadata.annotations.clone();
                if let (Some(cs), Some(ws)) = (current.spec.as_mut(), wanted.spec.as_ref()) {
                    for (c, w) in cs.containers.iter_mut().zip(ws.containers.iter()) {
                        c.image = w.image.clone();
                    }
                }
                // The kubelet does not restart containers on an image change yet.
                self.store.update(Object::Pod(current))?;
                Ok(())
            }
            (Object::Namespace(mut current), Object::Namespace(wanted)) => {
                current.metadata.labels = wanted.metadata.labels.clone();
                current.metadata.annotations = wanted.metadata.annotations.clone();
                self.store.update(Object::Namespace(current)).map(|_| ())
            }
            (_, desired) => {
                self.store.update(desired)?;
                Ok(())
            }
        }
    }

    /// Starts a graceful deletion (`grace` seconds, or the object's own default); pods go
    /// through Terminating, other objects are removed at once. `force` skips the wait.
    pub(crate) fn delete(
        &mut self,
        kind: &'static str,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
        force: bool,
    ) -> Result<(), ApiError> {
        let Some(obj) = self.store.get(kind, namespace, name).cloned() else {
            return Err(ApiError::not_found(crate::api::kinds::info(kind), name));
        };
        match obj {
            Object::Pod(mut pod) if !force => {
                if pod.metadata.deletion_timestamp.is_some() {
                    return Ok(());
                }
                let scheduled = pod.spec.as_ref().is_some_and(|s| s.node_name.is_some());
                let grace = grace
                    .or(pod
                        .spec
                        .as_ref()
                        .and_then(|s| s.termination_grace_period_seconds))
                    .unwrap_or(30)
                    .max(if scheduled { 1 } else { 0 });
                if !scheduled {
                    self.store.remove(kind, namespace, name);
                    return Ok(());
                }
                pod.metadata.deletion_timestamp = Some(crate::clock::time_from_ms(
                    self.clock
                        .now_ms()
                        .saturating_add(grace.saturating_mul(1000)),
                ));
                pod.metadata.deletion_grace_period_seconds = Some(grace);
                let uid = pod.metadata.uid.clone().unwrap_or_default();
                self.store.update(Object::Pod(pod))?;
                let now = self.clock.now_ms();
                self.timers.at(
                    now,
                    Task::KubeletSync {
                        namespace: namespace.to_string(),
                        name: name.to_string(),
                        uid,
                    },
                );
                Ok(())
            }
            _ => {
                self.store.remove(kind, namespace, name);
                self.pod_stages
                    .remove(&(namespace.to_string(), name.to_string()));
                Ok(())
            }
        }
    }

    /// `len` random lowercase hex digits from the cluster's generator.
    pub(crate) fn random_hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.rng.next_u64()));
        }
        s.truncate(len);
        s
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
