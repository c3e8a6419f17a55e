//! The `Cluster` facade: the one type the app and the CLI talk to.

pub(crate) mod bootstrap;
mod kubeadm_manifests;
#[cfg(test)]
mod load_tests;
mod minikube_storage;
mod network;
pub(crate) mod node_files;
mod profile;
mod rbac_policy;
mod system_config;
pub(crate) mod system_pods;
mod system_workloads;

pub(crate) use crate::apiserver::{DeleteOptions, Propagation};
pub use profile::{ClusterProfile, Kubeconfig, NodeProfile, NodeRole};

use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::apiserver::Env;
use crate::clock::{SimDuration, BOOT_MS};
use crate::console::Console;
use crate::controllers::runtime::Runtime;
use crate::node::{Kubelet, NodeCx};
use crate::output::Output;
use crate::timers::Task;
use crate::world::World;

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

/// Most controller passes an instant gets before time moves on (a safety net; a pass
/// normally settles in two or three).
const MAX_PASSES: usize = 8;

/// Each container's (name, image) of a pod.
fn container_images(pod: &k8s_openapi::api::core::v1::Pod) -> Vec<(String, Option<String>)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| (c.name.clone(), c.image.clone()))
        .collect()
}

/// How long the cluster has been up when the learner first types (node AGE then reads `10m`).
const UPTIME_AT_START: SimDuration = SimDuration::seconds(600);

/// A whole simulated cluster with its console.
pub struct Cluster {
    /// The API server, clock, timers, randomness and events every component acts on.
    pub(crate) world: World,
    pub(crate) console: Console,
    /// The node side: kubelets and container runtimes.
    pub(crate) kubelet: Kubelet,
    /// What the network remembers: session affinity, recent traffic.
    pub(crate) network: crate::network::Network,
    /// What the controllers remember between runs.
    #[allow(dead_code)] // No controller keeps state yet.
    pub(crate) controllers: Runtime,
    /// The shape the cluster was built from (nodes, kubeconfig).
    pub(crate) profile: ClusterProfile,
    /// What `minikube service` and `minikube tunnel` keep running on the laptop.
    pub(crate) minikube: crate::console::minikube::State,
    /// The autoscaling chart's history, fed as time passes.
    pub(crate) autoscaling: crate::view::AutoscalingRecorder,
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
        let world = World::new(BOOT_MS, config.seed);
        let mut cluster = Cluster {
            network: crate::network::Network::new(&world),
            world,
            console: Console::default(),
            kubelet: Kubelet::default(),
            controllers: crate::controllers::registry(),
            profile: config.profile.clone(),
            minikube: Default::default(),
            autoscaling: Default::default(),
        };
        cluster.network.cni = config.profile.cni;
        cluster.bootstrap(&config.profile);
        cluster.world.clock.advance(UPTIME_AT_START);
        cluster
    }

    fn bootstrap(&mut self, profile: &ClusterProfile) {
        let now = self.world.clock.now_time();
        let mut objects: Vec<_> = bootstrap::SYSTEM_NAMESPACES
            .iter()
            .map(|n| bootstrap::namespace(n))
            .collect();
        objects.extend(profile.nodes.iter().enumerate().map(|(i, n)| {
            let mut node = bootstrap::node(n, i, &now);
            if profile.name == "minikube" {
                bootstrap::label_minikube(&mut node, profile.name, i == 0, &now);
            }
            node
        }));
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
            let _ = self
                .world
                .api
                .restore(obj, now.clone(), &mut self.world.rng);
        }
        // The apiserver's post-start hook: the system PriorityClasses (their uids from a
        // stream of their own, so every other random choice stays as it was).
        let mut rng = self.world.side_rng("priorityclasses");
        for pc in crate::api::object::policy::system_priority_classes() {
            let obj = Object::PriorityClass(Box::new(pc));
            let _ = self.world.api.restore(obj, now.clone(), &mut rng);
        }
        for n in &profile.nodes {
            self.kubelet
                .eviction
                .memory
                .set_threshold(&n.name, n.eviction_memory);
            bootstrap::node_disk(&mut self.world.storage, &n.name, now.0.as_millisecond());
            node_files::write(
                &mut self.world.storage,
                &n.name,
                profile.name != "minikube",
                now.0.as_millisecond(),
            );
        }
        for server in &profile.nfs_servers {
            self.world
                .storage
                .add_nfs_server(server.clone(), now.0.as_millisecond());
        }
        system_pods::create_all(self, profile);
        if let Some(n) = profile.nodes.first().filter(|_| profile.name == "minikube") {
            minikube_storage::create(self, &n.name, &n.internal_ip, &now);
        }
        // Namespaces' default ServiceAccount and root CA, the `kubernetes` Service.
        self.reconcile();
        // From its own random stream, so that every other draw stays where it was.
        let mut rng = self.world.rng.fork("rbac-bootstrap-policy");
        self.world
            .api
            .preload(rbac_policy::objects(), now.clone(), &mut rng);
        let mut rng = self.world.rng.fork("apiserver-bootstrap-objects");
        let objects = bootstrap::apiserver_objects(&self.world.api, &now);
        self.world.api.preload(objects, now, &mut rng);
    }

    /// Runs one console line (a shell-like command line) and returns what it printed.
    /// A job still running (see [`Cluster::set_streaming`]) is stopped first.
    pub fn run(&mut self, line: &str) -> Output {
        self.console.job = None;
        let out = crate::console::run_line(self, line);
        // The scheduler and kubelets react within milliseconds: run what is due right now.
        self.advance(SimDuration::millis(0));
        // A running `minikube tunnel` notices new LoadBalancer Services within a second.
        crate::console::minikube::after_line(self);
        out
    }

    /// Whether a typed entry is unfinished, as bash sees it at its `$ ` prompt: an open
    /// quote or `$(`, a final `\\`, a heredoc without its delimiter line, a compound command
    /// without its end (`while true; do`), a final `|`, `&&` or `||`. Front ends then show
    /// `> `, append the next line after a `\n` and ask again; the complete entry is run (and
    /// journaled) once. A syntax error is not unfinished. Pure: it reads no cluster state, so
    /// a page can ask it without the engine. Front ends do not ask it inside a
    /// `kubectl exec -it` shell, whose lines go to the container one by one.
    pub fn needs_more(entry: &str) -> bool {
        crate::console::needs_more(entry)
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

    /// The front end's language (`en`, `ko`): the console's own `help` speaks it.
    pub fn set_help_language(&mut self, code: &str) {
        self.console.korean_help = code.starts_with("ko");
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
        match self.console.job.take() {
            // `kubectl run --rm` deletes its pod as it stops attaching.
            Some(crate::console::Job::Attach(a)) => {
                a.interrupt(self);
                true
            }
            // ab's report of what it did is printed on SIGINT (the page has no place for
            // a stopped job's output yet, as for `kubectl run --rm`).
            Some(crate::console::Job::Bench(b)) => {
                b.interrupt(self);
                true
            }
            job => job.is_some(),
        }
    }

    /// Whether the console takes each line as it comes (inside `kubectl exec -it`, whose
    /// shell runs line by line), rather than collecting an unfinished entry (an open loop,
    /// quote or heredoc) over several lines as the console and an ssh session do.
    pub fn takes_lines_one_by_one(&self) -> bool {
        self.console.exec_session.is_some()
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
        let deadline = self.world.clock.now_ms().saturating_add(limit.0);
        self.reconcile();
        while !done(self) {
            match self.world.timers.pop_due(deadline) {
                Some((due, task)) => {
                    self.move_clock(due, false);
                    self.run_task(task);
                    // Everything else due at the same instant happens before the controllers
                    // look, as their work queues would coalesce it: a burst of pods changing
                    // together costs one reconcile, not one per pod.
                    while let Some((_, task)) = self.world.timers.pop_due(due) {
                        self.run_task(task);
                    }
                    self.reconcile();
                }
                None => {
                    self.move_clock(deadline, true);
                    return done(self);
                }
            }
        }
        true
    }

    /// Sets the clock to `to_ms`, letting the autoscaling recorder look first (`end`: the
    /// advance ends there, everything due then is done).
    fn move_clock(&mut self, to_ms: i64, end: bool) {
        self.autoscaling.before_clock_moves(&self.world, to_ms, end);
        self.world.clock.set(to_ms);
        self.world.api.expire(self.world.clock.now_ms());
        self.count_load();
    }

    fn run_task(&mut self, task: Task) {
        match task {
            Task::KubeletSync {
                namespace,
                name,
                uid,
            } => self.kubelet.sync(&mut self.world, &namespace, &name, &uid),
            Task::VolumeRefresh {
                namespace,
                name,
                uid,
            } => self
                .kubelet
                .refresh_volumes(&mut self.world, &namespace, &name, &uid),
            Task::Housekeeping => self.kubelet.housekeeping(&mut self.world),
            Task::KubeletRestart { node } => self.kubelet.restart_failed(&mut self.world, &node),
            Task::EventSeries => crate::world::events::series::check(&mut self.world),
            Task::Wake => {}
        }
    }

    /// Runs every controller once, in the registry's order (determinism), and again while a
    /// pass wrote something, so one controller's writes are seen by the others at the same
    /// instant; then drops the watch events every cursor has read.
    /// A control-plane process that comes up in the kubelet's look (its static pod ready
    /// again) takes up its backlog at once: the passes run again.
    fn reconcile(&mut self) {
        for _ in 0..2 {
            for _ in 0..MAX_PASSES {
                let before = self.world.api.log_end();
                self.controllers.run_all(&mut self.world);
                if self.world.api.log_end() == before {
                    break;
                }
            }
            let was = self.world.control_plane.clone();
            self.kubelet.observe(&mut self.world);
            if self.world.control_plane == was {
                break;
            }
        }
        crate::network::load::refresh(&mut self.net_cx());
        // Every reader of a pass has looked: what they all read is history.
        self.world.api.compact();
    }

    /// Counts the load streams' requests up to now (see [`crate::network::load::count`]).
    fn count_load(&mut self) {
        crate::network::load::count(&mut self.net_cx());
    }

    /// The network at work over this cluster's world and kubelet.
    pub(crate) fn net_cx(&mut self) -> crate::network::NetCx<'_> {
        crate::network::NetCx {
            world: &mut self.world,
            kubelet: &mut self.kubelet,
            net: &mut self.network,
        }
    }

    /// Creates an object through the API server (see [`World::create`]); a new namespace
    /// gets its default ServiceAccount at once (the serviceaccount controller is quick: the
    /// next request already finds it).
    pub(crate) fn create(&mut self, mut obj: Object) -> Result<&Object, ApiError> {
        self.authorize_write(&obj, "create", "")?;
        if let Object::CertificateSigningRequest(csr) = &mut obj {
            // The CSR strategy records who asked (`PrepareForCreate`).
            let user = self.console.acting.clone();
            let user = user.unwrap_or_else(|| self.profile.admin_user());
            csr.spec.username = Some(user.name);
            csr.spec.groups = Some(user.groups);
        }
        if !matches!(obj, Object::Namespace(_)) {
            return self.world.create(obj);
        }
        let name = self.world.create(obj)?.name().to_string();
        self.controllers.run("serviceaccount", &mut self.world);
        self.world
            .api
            .get("Namespace", "", &name)
            .ok_or_else(|| ApiError::not_found(crate::api::kinds::info("Namespace"), &name))
    }

    /// Authorizes a console write of `obj` for the user a `kubectl --as` command acts as.
    /// A Role, ClusterRole or binding must also grant only what the user holds.
    fn authorize_write(&self, obj: &Object, verb: &str, name: &str) -> Result<(), ApiError> {
        self.authorize(obj.info(), obj.namespace(), name, verb, "")?;
        match &self.console.acting {
            Some(user) => self.world.api.confirm_no_escalation(user, obj),
            None => Ok(()),
        }
    }

    /// Authorizes a request a kubectl verb makes (`verb` on `subresource` of the named
    /// object) for the user a `kubectl --as` command acts as; the console's admin may do all.
    pub(crate) fn authorize(
        &self,
        info: &crate::api::kinds::KindInfo,
        namespace: &str,
        name: &str,
        verb: &str,
        subresource: &str,
    ) -> Result<(), ApiError> {
        let Some(user) = &self.console.acting else {
            return Ok(());
        };
        let attrs = crate::apiserver::authz::Attributes {
            subresource: subresource.into(),
            ..crate::apiserver::authz::Attributes::resource(
                verb,
                info.group,
                info.plural,
                if info.namespaced { namespace } else { "" },
                name,
            )
        };
        self.world.api.check(user, &attrs)
    }

    /// Stores an object a kubectl verb changed with a PATCH (of `subresource`, if any), as
    /// the user the command acts as.
    pub(crate) fn patch(&mut self, obj: Object, subresource: &str) -> Result<&Object, ApiError> {
        let (ns, name) = (obj.namespace().to_string(), obj.name().to_string());
        self.authorize(obj.info(), &ns, &name, "patch", subresource)?;
        self.world.api.update(obj)
    }

    /// Applies a manifest a client merged onto a stored object (see
    /// [`ApiServer::update_from_manifest`]); the kubelet restarts each container whose image
    /// changed.
    pub(crate) fn update_from_apply(
        &mut self,
        existing: Object,
        desired: Object,
    ) -> Result<(), ApiError> {
        self.authorize_write(&desired, "patch", desired.name())?;
        let env = Env {
            clock: &self.world.clock,
            rng: &mut self.world.rng,
        };
        let before = match &existing {
            Object::Pod(p) => Some(container_images(p)),
            _ => None,
        };
        let stored = self
            .world
            .api
            .update_from_manifest(existing, desired, env)?;
        if let (Some(before), Object::Pod(after)) = (before, stored) {
            let changed: Vec<String> = before
                .into_iter()
                .zip(container_images(after))
                .filter(|(b, a)| b.1 != a.1)
                .map(|(_, a)| a.0)
                .collect();
            let pod = after.clone();
            crate::node::runtime::definition_changed(&mut self.node_cx(), &pod, &changed);
        }
        Ok(())
    }

    /// The node side at work on this cluster's world.
    pub(crate) fn node_cx(&mut self) -> NodeCx<'_> {
        NodeCx {
            world: &mut self.world,
            kubelet: &mut self.kubelet,
        }
    }

    /// Writes a file into the learner's workspace (what an editor's save does), or onto a
    /// machine's disk for a path `HOST:/PATH` (a file opened in an ssh session).
    pub fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        if let Some(result) = crate::console::ssh::write_remote(self, path, text) {
            return result;
        }
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
        SimDuration::millis(self.world.clock.now_ms() - BOOT_MS)
    }

    /// Names of the nodes, in the order `kubectl get nodes` lists them.
    pub fn node_names(&self) -> Vec<String> {
        self.world
            .api
            .list("Node", None)
            .map(|n| n.name().to_string())
            .collect()
    }
}
