//! The `Cluster` facade: the one type the app and the CLI talk to.

mod bootstrap;
mod deletion;
mod profile;
mod system_config;
pub(crate) mod system_pods;
mod system_workloads;

pub(crate) use deletion::{
    finalize_namespace, DeleteOptions, Propagation, FOREGROUND_FINALIZER, ORPHAN_FINALIZER,
};
pub use profile::{ClusterProfile, Kubeconfig, NodeProfile, NodeRole};

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
    /// The shape the cluster was built from (nodes, kubeconfig).
    pub(crate) profile: ClusterProfile,
    /// Container runtime: each container's processes and restart back-off.
    pub(crate) containers: BTreeMap<crate::runtime::SlotKey, crate::runtime::Slot>,
}

impl Default for Cluster {
    fn default() -> Self {
        Self::new()
    }
}

/// Copies `from`'s labels, annotations and spec onto `to` (same kind), keeping `to`'s status
/// and system metadata.
fn copy_spec_and_meta(to: &mut Object, from: Object) {
    let meta = from.metadata().clone();
    let m = to.metadata_mut();
    m.labels = meta.labels;
    m.annotations = meta.annotations;
    match (to, from) {
        (Object::Deployment(t), Object::Deployment(f)) => t.spec = f.spec,
        (Object::ReplicaSet(t), Object::ReplicaSet(f)) => t.spec = f.spec,
        (Object::ReplicationController(t), Object::ReplicationController(f)) => t.spec = f.spec,
        (Object::StatefulSet(t), Object::StatefulSet(f)) => t.spec = f.spec,
        (Object::DaemonSet(t), Object::DaemonSet(f)) => t.spec = f.spec,
        (Object::Job(t), Object::Job(mut f)) => {
            // The generated selector and template labels stay.
            if let (Some(ts), Some(fs)) = (t.spec.as_ref(), f.spec.as_mut()) {
                if fs.manual_selector != Some(true) {
                    fs.selector = ts.selector.clone();
                    fs.template.metadata = ts.template.metadata.clone();
                }
            }
            t.spec = f.spec
        }
        (Object::CronJob(t), Object::CronJob(f)) => t.spec = f.spec,
        (to, from) => *to = from,
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
            profile: config.profile.clone(),
            containers: BTreeMap::new(),
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
        if let Some(cp) = profile
            .nodes
            .iter()
            .find(|n| n.role == NodeRole::ControlPlane)
        {
            let date = now.0.strftime("%Y-%m-%d").to_string();
            objects.extend(system_config::objects(&cp.name, &cp.internal_ip, &date));
        }
        for obj in objects {
            // Names in a profile are unique, so creation cannot collide.
            let _ = self.store.create(obj, now.clone(), &mut self.rng);
        }
        system_pods::create_all(self, profile);
        // Namespaces' default ServiceAccount and root CA, the `kubernetes` Service.
        crate::controllers::run_all(self);
    }

    /// Runs one console line (a shell-like command line) and returns what it printed.
    /// A job still running (see [`Cluster::set_streaming`]) is stopped first.
    pub fn run(&mut self, line: &str) -> Output {
        self.console.job = None;
        let out = crate::console::run_line(self, line);
        // The scheduler and kubelets react within milliseconds: run what is due right now.
        self.advance(SimDuration::millis(0));
        out
    }

    /// Tab completion of the last word of `line`: commands, kubectl verbs, flags and their
    /// values, resource types, names of live objects, workspace files. Read-only.
    pub fn complete(&self, line: &str) -> crate::Completion {
        crate::console::complete::complete(self, line)
    }

    /// Lets watches and follows (`kubectl get -w`, `logs -f`) keep running as a job while
    /// time passes, as in a terminal, instead of running to completion inside [`Cluster::run`]
    /// in simulated time. The page streams; scripts and the CLI do not.
    pub fn set_streaming(&mut self, on: bool) {
        self.console.streaming = on;
    }

    /// Whether a streamed command is still running (the console then takes no input).
    pub fn job_running(&self) -> bool {
        self.console.job.is_some()
    }

    /// What the running job printed since the last poll (call after [`Cluster::advance`]);
    /// the job ends when its command would (`timeout`, the container exiting).
    pub fn poll_job(&mut self) -> Output {
        crate::console::poll_job(self)
    }

    /// Ctrl-C: stops the running job, if any. Returns whether there was one.
    pub fn interrupt(&mut self) -> bool {
        self.console.job.take().is_some()
    }

    /// The console prompt to show before the next line: `$ `, or a container shell's
    /// (`root@web:/# `, `/ # `) while `kubectl exec -it` is open.
    pub fn prompt(&self) -> String {
        crate::console::prompt(&self.console)
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
                    // Everything else due at the same instant happens before the controllers
                    // look, as their work queues would coalesce it: a burst of pods changing
                    // together costs one reconcile, not one per pod.
                    while let Some((_, task)) = self.timers.pop_due(due) {
                        self.run_task(task);
                    }
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
            Task::Wake => {}
        }
    }

    /// Runs the controllers that react to changes at once (see `controllers`).
    fn reconcile(&mut self) {
        crate::controllers::run_all(self);
    }

    /// Creates an object as the apiserver does: defaulting, then storage.
    pub(crate) fn create(&mut self, mut obj: Object) -> Result<(), ApiError> {
        crate::api::defaults::object(&mut obj);
        if let Object::Job(j) = &mut obj {
            // The uid the store is about to assign: the generated selector names it.
            let uid = crate::store::new_uid(&mut self.rng.clone());
            crate::api::batch::generate_selector(j, &uid);
        }
        crate::api::validation::validate(&obj)?;
        self.admit_namespace(&obj)?;
        if let Object::Pod(p) = &mut obj {
            self.admit_service_account(p)?;
        }
        if let Object::Service(svc) = &mut obj {
            self.default_service(svc)?;
        }
        let now = self.clock.now_time();
        let namespace = matches!(obj, Object::Namespace(_));
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
        if namespace {
            // The serviceaccount controller is quick: the next request already finds `default`.
            crate::controllers::system_objects::reconcile(self);
        }
        Ok(())
    }

    /// The ServiceAccount admission plugin: the account must exist; the token volume is added.
    fn admit_service_account(
        &mut self,
        pod: &mut k8s_openapi::api::core::v1::Pod,
    ) -> Result<(), ApiError> {
        use crate::api::service_account;
        let sa = service_account::account(pod);
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        if self.store.get("ServiceAccount", &ns, &sa).is_none() {
            return Err(ApiError::Denied {
                resource: "pods".into(),
                name: pod.metadata.name.clone().unwrap_or_default(),
                message: format!(
                    "error looking up service account {ns}/{sa}: serviceaccount \"{sa}\" not found"
                ),
            });
        }
        let volume = format!(
            "{}{}",
            service_account::VOLUME_PREFIX,
            system_pods::name_suffix(self, 5)
        );
        service_account::admit(pod, &volume);
        Ok(())
    }

    /// Validates a new service against the stored ones, then defaults it and allocates its
    /// ClusterIP and NodePorts.
    fn default_service(
        &mut self,
        svc: &mut k8s_openapi::api::core::v1::Service,
    ) -> Result<(), ApiError> {
        use crate::api::service;
        let mut taken =
            service::Allocated::from_services(self.store.list("Service", None).filter_map(|o| {
                match o {
                    Object::Service(s) => Some(s.as_ref()),
                    _ => None,
                }
            }));
        let causes = service::validate(svc, &taken);
        if !causes.is_empty() {
            return Err(ApiError::Invalid {
                kind: "Service".into(),
                name: svc.metadata.name.clone().unwrap_or_default(),
                causes,
            });
        }
        service::default_new(svc, &mut taken, &mut self.rng);
        Ok(())
    }

    /// The NamespaceLifecycle admission plugin: namespaced objects need a namespace that
    /// exists and is not being deleted.
    pub(crate) fn admit_namespace(&self, obj: &Object) -> Result<(), ApiError> {
        if !obj.info().namespaced {
            return Ok(());
        }
        let ns = obj.namespace();
        match self.store.get("Namespace", "", ns) {
            None => Err(ApiError::not_found(
                crate::api::kinds::info("Namespace"),
                ns,
            )),
            Some(n) if n.metadata().deletion_timestamp.is_some() => Err(ApiError::denied(
                obj.info(),
                obj.name(),
                format!(
                    "unable to create new content in namespace {ns} because it is being terminated"
                ),
            )),
            Some(_) => Ok(()),
        }
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
                if let Some(v) = crate::api::service_account::token_volume(&current) {
                    crate::api::service_account::admit(&mut wanted_defaulted, &v);
                }
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
                let mut changed = Vec::new();
                if let (Some(cs), Some(ws)) = (current.spec.as_mut(), wanted.spec.as_ref()) {
                    for (c, w) in cs.containers.iter_mut().zip(ws.containers.iter()) {
                        if c.image != w.image {
                            changed.push(c.name.clone());
                        }
                        c.image = w.image.clone();
                    }
                }
                self.store.update(Object::Pod(current.clone()))?;
                // The kubelet restarts each changed container with its new image.
                crate::runtime::definition_changed(self, &current, &changed);
                Ok(())
            }
            (Object::Namespace(mut current), Object::Namespace(wanted)) => {
                current.metadata.labels = wanted.metadata.labels.clone();
                current.metadata.annotations = wanted.metadata.annotations.clone();
                self.store.update(Object::Namespace(current)).map(|_| ())
            }
            (Object::Service(current), Object::Service(mut wanted)) => {
                let causes = crate::api::service::merge_update(&current, &mut wanted);
                if !causes.is_empty() {
                    return Err(ApiError::Invalid {
                        kind: "Service".into(),
                        name: current.metadata.name.clone().unwrap_or_default(),
                        causes,
                    });
                }
                let mut taken = crate::api::service::Allocated::default();
                crate::api::service::default_new(&mut wanted, &mut taken, &mut self.rng);
                self.store.update(Object::Service(wanted)).map(|_| ())
            }
            (current, mut desired) => {
                // Everything else takes the new metadata and spec; status stays the
                // controllers'.
                crate::api::defaults::object(&mut desired);
                crate::api::validation::validate(&desired)?;
                let mut merged = current;
                copy_spec_and_meta(&mut merged, desired);
                self.store.update(merged)?;
                Ok(())
            }
        }
    }

    /// `len` random characters of the alphabet Kubernetes uses for generated names
    /// (`utilrand.String`: no vowels, no ambiguous digits), e.g. the `8xkqz` of a pod name.
    pub(crate) fn random_name_suffix(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..len)
            .map(|_| ALPHABET[(self.rng.next_u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
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

    /// Writes a file into the learner's workspace (what an editor's save does).
    pub fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.console.files.write(path, text, false)
    }

    /// A workspace file's contents.
    pub fn read_file(&self, path: &str) -> Option<&str> {
        self.console.files.read(path)
    }

    /// Every workspace file's path, sorted (what `ls -R` would find).
    pub fn files(&self) -> Vec<String> {
        self.console.files.files_under("")
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
