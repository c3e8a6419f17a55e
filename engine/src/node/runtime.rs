//! The container runtime and the kubelet's restart loop: each container's current and
//! previous process, when it exits, restart back-off (10 s doubling to 300 s, reset after
//! 10 minutes of running), the pull before each restart (policy `Always`), and the container
//! and pod status that follow, as the kubelet's relist observes them (a container gone
//! before the next relist is never reported running).

use k8s_openapi::api::core::v1::{
    Container as Spec, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Pod, PodCondition,
};

use crate::api::object::Object;
use crate::api::pod::set_condition;
use crate::node::images::ImageRef;
use crate::node::probes;
use crate::node::process::{self, addon, End};
use crate::node::NodeCx;
use crate::timers::Task;
use crate::world::events::{self, EventType, Source};

/// How far ahead a process is replayed to find when it exits; later exits count as "never".
const HORIZON_MS: i64 = 400 * 86_400_000;
/// The kubelet notices an exit and restarts without back-off after this long.
const RESYNC_MS: i64 = 1_000;
/// Back-off limits.
const BACKOFF_START_MS: i64 = 10_000;
const BACKOFF_MAX_MS: i64 = 300_000;
/// A container that ran this long has its back-off reset.
const BACKOFF_RESET_MS: i64 = 600_000;
/// Time to create and start a container.
pub const START_MS: i64 = 300;
/// After a `CreateContainerConfigError` the pod worker tries again after its back-off
/// (`backOffPeriod`, 10 s; upstream adds up to 50 % jitter, left out here).
const CONFIG_RETRY_MS: i64 = 10_000;

/// One run of a container's process.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The process and what it sees.
    pub process: process::Container,
    /// `containerd://...`.
    pub container_id: String,
    /// The pod's restart count of this container when it was created (the runtime's
    /// `attempt`, which `crictl ps` shows).
    pub attempt: u32,
    /// When and how it exits (epoch ms, code), if it does.
    pub exit: Option<(i64, i32)>,
    /// The runtime could not start it: the error message.
    pub start_error: Option<String>,
    /// Filesystem changes its main process makes later, at their epoch ms, in order.
    pub pending: Vec<(i64, process::fs::Op)>,
    /// When the OOM killer kills it (epoch ms), if its memory passes the limit.
    pub oom_at: Option<i64>,
    /// When its process turns busy (epoch ms) and what it then uses, until applied.
    pub busy_at: Option<(i64, process::Busy)>,
}

/// The kubelet's record of one container of one pod.
#[derive(Clone, Debug, Default)]
pub struct Slot {
    /// The running (or last exited) instance.
    pub current: Option<Instance>,
    /// The instance before it (`kubectl logs --previous`).
    pub previous: Option<Instance>,
    /// Back-off to apply before the next restart (0 = restart at once).
    pub backoff_ms: i64,
    /// When the container is restarted next, if it will be.
    pub restart_at: Option<i64>,
    /// The CrashLoopBackOff state has been entered for the pending restart.
    pub backing_off: bool,
    /// The current instance was killed to be restarted (a failed liveness or startup probe),
    /// whatever its exit code.
    pub force_restart: bool,
    /// The prober's state for the current instance.
    pub probes: probes::State,
    /// The current instance's postStart hook, while the kubelet waits for it or kills the
    /// container it failed in.
    pub post_start: Option<PostStart>,
    /// The container could not be created for its configuration (a missing ConfigMap,
    /// Secret or key): when the kubelet tries again.
    pub config_retry_at: Option<i64>,
    /// The status of the current instance, started but not reported: it exits before the
    /// kubelet's next relist could see it running, so its first report is its exit.
    pub unreported: Option<Box<ContainerStatus>>,
    /// A restart waits for its image pull (policy `Always`): when the pull is done.
    pub pull_done_at: Option<i64>,
}

/// A postStart hook the kubelet is waiting for: the container is not running for it (nor for
/// the API) until the hook returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostStart {
    /// When it returns (epoch ms); `None` = never.
    pub done_at: Option<i64>,
    /// It failed: the kubelet's message (the `PostStartHookError` state's).
    pub error: Option<String>,
    /// The failure has been handled: the container is being killed.
    pub killed: bool,
}

/// The shortest time the kubelet gives a container between SIGTERM and SIGKILL, whatever is
/// left of the grace period (`minimumGracePeriodInSeconds`).
const MIN_GRACE_MS: i64 = 2_000;

/// Key of a container slot: (namespace, pod, container).
pub type SlotKey = (String, String, String);

pub(crate) fn key(pod: &Pod, container: &str) -> SlotKey {
    (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
        container.to_string(),
    )
}

/// A slot's key borrowed (namespace, pod, container): maps keyed by [`SlotKey`] are looked
/// up with `&parts as &dyn SlotRef` without building the key.
pub(crate) trait SlotRef {
    /// Namespace, pod and container.
    fn parts(&self) -> (&str, &str, &str);
}

impl SlotRef for SlotKey {
    fn parts(&self) -> (&str, &str, &str) {
        (&self.0, &self.1, &self.2)
    }
}

impl SlotRef for (&str, &str, &str) {
    fn parts(&self) -> (&str, &str, &str) {
        *self
    }
}

impl<'a> std::borrow::Borrow<dyn SlotRef + 'a> for SlotKey {
    fn borrow(&self) -> &(dyn SlotRef + 'a) {
        self
    }
}

impl PartialEq for dyn SlotRef + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn SlotRef + '_ {}

/// The hash of [`SlotKey`]'s tuple (a `String` hashes as its `str`).
impl std::hash::Hash for dyn SlotRef + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl PartialOrd for dyn SlotRef + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The order of [`SlotKey`]'s tuple.
impl Ord for dyn SlotRef + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// The borrowed key of container `container` of `pod` (see [`SlotRef`]).
pub(crate) fn slot_ref<'a>(pod: &'a Pod, container: &'a str) -> (&'a str, &'a str, &'a str) {
    (
        pod.metadata.namespace.as_deref().unwrap_or_default(),
        pod.metadata.name.as_deref().unwrap_or_default(),
        container,
    )
}

/// The pod as the kubelet names it in messages (`format.Pod`): `name_namespace(uid)`, the
/// uid the kubelet knows (a static pod's is its config hash, not its mirror pod's).
pub(crate) fn pod_ref(pod: &Pod) -> String {
    format!(
        "{}_{}({})",
        pod.metadata.name.as_deref().unwrap_or_default(),
        pod.metadata.namespace.as_deref().unwrap_or_default(),
        crate::api::pod::event_uid(&pod.metadata)
    )
}

fn kubelet_source(pod: &Pod) -> &str {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .unwrap_or_default()
}

/// Makes `instance` container `key`'s current one (its slot exists), noting whether its
/// process may stream requests ([`Kubelet::streamers`](super::Kubelet::streamers)).
fn set_current(kubelet: &mut super::Kubelet, key: SlotKey, instance: Instance) {
    let streams = instance.process.may_stream();
    if let Some(slot) = kubelet.containers.get_mut(&key) {
        slot.current = Some(instance);
    }
    if streams {
        kubelet.streamers.insert(key);
    } else {
        kubelet.streamers.remove(&key);
    }
}

/// The process a container of `pod` runs when started at `start_ms`, with the variables
/// its spec gives it (`env`, see [`super::env::resolve`]) and its volumes mounted.
pub fn process_for(
    pod: &Pod,
    c: &Spec,
    start_ms: i64,
    env: &std::collections::BTreeMap<String, String>,
    mounts: Vec<crate::node::volumes::Mount>,
) -> process::Container {
    let image = c.image.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    process::Container {
        pod: name.clone(),
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        pod_ip: pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default(),
        id: String::new(),
        argv: {
            // `$(VAR)` in command and args (`ExpandContainerCommandAndArgs`).
            let expand = |v: &Option<Vec<String>>| {
                v.as_ref().map(|v| {
                    v.iter()
                        // `env::resolve` has refused an expansion past its bound.
                        .map(|a| super::env::expand_with(a, env).unwrap_or_else(|_| a.clone()))
                        .collect::<Vec<_>>()
                })
            };
            let (command, args) = (expand(&c.command), expand(&c.args));
            process::argv(&image, command.as_deref(), args.as_deref())
        },
        env: process::environment(&image, &name, env),
        ports: c
            .ports
            .iter()
            .flatten()
            .filter(|p| p.protocol.as_deref().unwrap_or("TCP") == "TCP")
            .filter_map(|p| u16::try_from(p.container_port).ok())
            .collect(),
        served: Vec::new(),
        root: Default::default(),
        mounts,
        periodic: Vec::new(),
        work: Default::default(),
        nodes: Vec::new(),
        load: None,
        bench: None,
        image,
        start_ms,
    }
    .with_root()
}

/// Takes over the containers of a pod that runs since `start_ms` without having been
/// started here (the kube-system pods at boot): their processes, under the ids its status
/// gives, and their images present on its node.
pub fn adopt_running(cx: &mut NodeCx<'_>, pod: &Pod, start_ms: i64) {
    let node = kubelet_source(pod);
    let nodes = process::metrics_server::scrape_targets(cx.world);
    let ids: std::collections::BTreeMap<String, String> = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .map(|s| (s.name.clone(), s.container_id.clone().unwrap_or_default()))
        .collect();
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let env = super::env::resolve(&cx.world.api, pod, c).unwrap_or_default();
        let mut proc = process_for(pod, c, start_ms, &env, Vec::new());
        let container_id = ids.get(&c.name).cloned().unwrap_or_default();
        proc.id = container_id.clone();
        proc.nodes = nodes.clone();
        cx.kubelet
            .image_cache
            .insert((node.to_string(), c.image.clone().unwrap_or_default()));
        let current = Instance {
            process: proc,
            container_id,
            attempt: 0,
            exit: None,
            start_error: None,
            pending: Vec::new(),
            oom_at: None,
            busy_at: None,
        };
        let k = key(pod, &c.name);
        cx.kubelet.containers.insert(k.clone(), Slot::default());
        set_current(cx.kubelet, k, current);
    }
}

/// Applies what the containers' main processes have written by `now` (their pending
/// filesystem changes) to their roots and volumes; when the next one is due.
pub(crate) fn flush_writes(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    specs: &[Spec],
    now: i64,
) -> Option<i64> {
    let mut next: Option<i64> = None;
    for c in specs {
        let Some(inst) = cx
            .kubelet
            .containers
            .get_mut(&slot_ref(pod, &c.name) as &dyn SlotRef)
            .and_then(|s| s.current.as_mut())
        else {
            continue;
        };
        let due = inst.pending.iter().take_while(|(at, _)| *at <= now).count();
        if due > 0 {
            let ops: Vec<_> = inst.pending.drain(..due).collect();
            process::fs::commit(&mut cx.world.storage, &mut inst.process, &ops, 0);
        }
        if let Some((at, _)) = inst.pending.first() {
            next = Some(next.map_or(*at, |n: i64| n.min(*at)));
        }
        if due > 0 {
            if let Some(t) = wake_probes(&mut cx.kubelet.containers, pod, now) {
                next = Some(next.map_or(t, |n: i64| n.min(t)));
            }
        }
    }
    next
}

/// The files of `pod`'s containers changed at `now` (a process or an exec wrote; volumes
/// are shared): wakes their idle `exec` probes ([`probes::wake`]); their next tick, if any.
pub(crate) fn wake_probes(
    containers: &mut super::slots::Slots,
    pod: &Pod,
    now: i64,
) -> Option<i64> {
    let anchor = pod
        .status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map(crate::clock::ms_from_time);
    let mut next: Option<i64> = None;
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let Some(slot) = containers.get_mut(&slot_ref(pod, &c.name) as &dyn SlotRef) else {
            continue;
        };
        let Some(started) = slot.current.as_ref().map(|i| i.process.start_ms) else {
            continue;
        };
        if probes::wake(c, &mut slot.probes, anchor.unwrap_or(started), started, now) {
            if let Some(t) = probes::next_due(&slot.probes) {
                next = Some(next.map_or(t, |n: i64| n.min(t)));
            }
        }
    }
    next
}

/// Starts container `c` (its image is present): records Created/Started (or the start
/// failure) and returns its new status.
pub fn start_container(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    restart_count: i32,
    last_state: Option<ContainerState>,
) -> ContainerStatus {
    let node = kubelet_source(pod);
    let kubelet = Source {
        component: "kubelet",
        host: Some(node),
    };
    let obj = events::Involved::pod(&pod.metadata);
    let env = match super::env::resolve(&cx.world.api, pod, c) {
        Ok(env) => env,
        Err(message) => {
            events::record_about(
                cx.world,
                obj,
                EventType::Warning,
                "Failed",
                &format!("Error: {message}"),
                kubelet,
            );
            let retry = cx.world.clock.now_ms() + CONFIG_RETRY_MS;
            let slot = cx.kubelet.containers.get_or_default(key(pod, &c.name));
            slot.config_retry_at = Some(retry);
            return ContainerStatus {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                restart_count,
                started: Some(false),
                state: Some(waiting("CreateContainerConfigError", Some(message))),
                last_state,
                ..Default::default()
            };
        }
    };
    let start_ms = cx.world.clock.now_ms() + START_MS;
    let mounts = crate::node::volumes::mounts::table(cx.world, pod, c);
    crate::node::volumes::setup::make_sub_paths(cx.world, &mounts);
    let mut proc = process_for(pod, c, start_ms, &env, mounts);
    events::record_about(
        cx.world,
        obj,
        EventType::Normal,
        "Created",
        &format!("Created container: {}", c.name),
        kubelet.clone(),
    );
    let container_id = format!("containerd://{}", cx.world.rng.hex(64));
    proc.id = container_id.clone();
    if addon::program(&proc.image, &proc.argv) == Some(addon::Program::MetricsServer) {
        proc.nodes = process::metrics_server::scrape_targets(cx.world);
    }
    let image = c.image.clone().unwrap_or_default();
    let r = ImageRef::parse(&image).unwrap_or(ImageRef {
        repository: image.clone(),
        tag: "latest".into(),
        digest: None,
    });
    let image_id = previous_image_id(pod, &c.name)
        .filter(|id| id.starts_with(&format!("{}@", r.repository)))
        .unwrap_or_else(|| match &r.digest {
            Some(d) => format!("{}@{d}", r.repository),
            None => format!("{}@sha256:{}", r.repository, cx.world.rng.hex(64)),
        });
    let mut pending = Vec::new();
    let mut started = crate::node::usage::Started::default();
    let (state, exit, start_error) = match proc.check_start() {
        Err(message) => {
            events::record_about(
                cx.world,
                obj,
                EventType::Warning,
                "Failed",
                &format!("Error: {message}"),
                kubelet,
            );
            let state = ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("RunContainerError".into()),
                    message: Some(message.clone()),
                }),
                ..Default::default()
            };
            (state, Some((start_ms, 128)), Some(message))
        }
        Ok(()) => {
            events::record_about(
                cx.world,
                obj,
                EventType::Normal,
                "Started",
                &format!("Started container {}", c.name),
                kubelet,
            );
            let run = proc.run_in(Some(&cx.world.storage), start_ms + HORIZON_MS);
            // What its process writes lands at its simulated time (`flush_writes`).
            pending = run
                .ops
                .into_iter()
                .map(|(at, op)| (start_ms.saturating_add(at), op))
                .collect();
            let exit = match run.end {
                End::Exit { at, code } => Some((start_ms + at, code)),
                End::Running => None,
            };
            started = crate::node::usage::start(cx.world, pod, c, start_ms, run.busy);
            let exit = oom_exit(exit, &mut started.oom_at);
            let state = ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(crate::clock::time_from_ms(start_ms)),
                }),
                ..Default::default()
            };
            (state, exit, None)
        }
    };
    let post_start = match (
        &start_error,
        c.lifecycle.as_ref().and_then(|l| l.post_start.as_ref()),
    ) {
        (None, Some(h)) => run_post_start(cx, pod, c, h, &mut proc),
        _ => None,
    };
    let (state, exit) = match &post_start {
        // The kubelet waits for the hook: the container shows as still being created.
        Some(_) => (waiting("ContainerCreating", None), exit),
        None => (state, exit),
    };
    let running = start_error.is_none();
    let anchor = pod
        .status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map_or(start_ms, crate::clock::ms_from_time);
    // Probing starts once the container runs for the kubelet: after its postStart hook.
    let probe_from = post_start
        .as_ref()
        .and_then(|h| h.done_at)
        .unwrap_or(start_ms);
    let prober = probes::initial(c, anchor, probe_from);
    if let Some(done) = post_start.as_ref().and_then(|h| h.done_at) {
        cx.world
            .timers
            .at(done, super::kubelet::key_task(&pod.metadata));
    }
    let waiting_for_hook = post_start.is_some();
    let k = key(pod, &c.name);
    let slot = cx.kubelet.containers.get_or_default(k.clone());
    slot.post_start = post_start;
    slot.previous = slot.current.take();
    for at in pending
        .first()
        .map(|p| p.0)
        .into_iter()
        .chain(started.pending.map(|p| p.0))
    {
        cx.world
            .timers
            .at(at, super::kubelet::key_task(&pod.metadata));
    }
    slot.restart_at = None;
    slot.backing_off = false;
    slot.force_restart = false;
    slot.config_retry_at = None;
    let instance = Instance {
        process: proc,
        container_id: container_id.clone(),
        attempt: u32::try_from(restart_count).unwrap_or(0),
        exit,
        start_error,
        pending,
        oom_at: started.oom_at,
        busy_at: started.pending,
    };
    slot.unreported = None;
    slot.pull_done_at = None;
    let running = running && !waiting_for_hook;
    let (ready, started) = (
        running && prober.started && prober.ready,
        running && prober.started,
    );
    slot.probes = prober;
    set_current(cx.kubelet, k, instance);
    ContainerStatus {
        name: c.name.clone(),
        image: r.full(),
        image_id,
        container_id: Some(container_id),
        ready,
        restart_count,
        started: Some(started),
        state: Some(state),
        last_state,
        ..Default::default()
    }
}

/// What the kubelet reports once it has started container `c` (`fresh`, the runtime's
/// status of it). Upstream writes a pod's status before its sync starts containers, and the
/// next one from what the next relist (`RELIST_MS` later) observes: an instance that has
/// exited by then is never reported running. Its status waits in the slot for its exit to
/// be noticed and `shown` (the status before the start) stays; otherwise `fresh` is reported.
/// Returns the status to report and whether it is `fresh`.
pub(crate) fn observed_start(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    fresh: ContainerStatus,
    shown: &ContainerStatus,
) -> (ContainerStatus, bool) {
    let Some(slot) = cx
        .kubelet
        .containers
        .get_mut(&slot_ref(pod, &c.name) as &dyn SlotRef)
    else {
        return (fresh, true);
    };
    let unseen = slot.post_start.is_none()
        && slot.config_retry_at.is_none()
        && slot.current.as_ref().is_some_and(|i| {
            i.start_error.is_none()
                && i.exit
                    .is_some_and(|(at, _)| at - i.process.start_ms < super::kubelet::RELIST_MS)
        });
    if !unseen {
        slot.unreported = None;
        return (fresh, true);
    }
    slot.unreported = Some(Box::new(fresh));
    (shown.clone(), false)
}

/// A process's exit, or its OOM kill when that comes first (`oom_at` is cleared if not).
fn oom_exit(exit: Option<(i64, i32)>, oom_at: &mut Option<i64>) -> Option<(i64, i32)> {
    match *oom_at {
        Some(oom) if exit.is_none_or(|(at, _)| at > oom) => Some((oom, 137)),
        _ => {
            *oom_at = None;
            exit
        }
    }
}

/// Applies the use its process turns to once it is due (`Instance::busy_at`): the OOM
/// killer may kill it then. When the next one is due.
pub(crate) fn flush_usage(cx: &mut NodeCx<'_>, pod: &Pod, specs: &[Spec], now: i64) -> Option<i64> {
    let mut next: Option<i64> = None;
    for c in specs {
        let k = slot_ref(pod, &c.name);
        let Some(inst) = cx
            .kubelet
            .containers
            .get(&k as &dyn SlotRef)
            .and_then(|s| s.current.as_ref())
        else {
            continue;
        };
        let Some((at, busy)) = inst.busy_at else {
            continue;
        };
        if at > now {
            next = Some(next.map_or(at, |n: i64| n.min(at)));
            continue;
        }
        let alive = inst.exit.is_none_or(|(e, _)| e > at);
        let mut oom = alive
            .then(|| crate::node::usage::turn_busy(cx.world, pod, c, busy, at))
            .flatten();
        if let Some(inst) = cx
            .kubelet
            .containers
            .get_mut(&k as &dyn SlotRef)
            .and_then(|s| s.current.as_mut())
        {
            inst.busy_at = None;
            inst.exit = oom_exit(inst.exit, &mut oom);
            if let Some(t) = oom {
                inst.oom_at = Some(t);
                next = Some(next.map_or(t, |n: i64| n.min(t)));
            }
        }
    }
    next
}

/// A waiting container state.
fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.into()),
            message,
        }),
        ..Default::default()
    }
}

/// Runs container `c`'s postStart hook `h` as its process `proc` starts: the hook's files and
/// served line go where they belong. `None` when it returned at once without error (nothing
/// to wait for).
fn run_post_start(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    h: &k8s_openapi::api::core::v1::LifecycleHandler,
    proc: &mut process::Container,
) -> Option<PostStart> {
    let at = proc.start_ms;
    let node = kubelet_source(pod);
    let mut peers = running_peers(cx, pod, at);
    peers.retain(|(name, _)| *name != c.name);
    peers.push((c.name.clone(), proc.clone()));
    let source_ip = kubelet_source_ip(cx, node);
    let exec_id = if h.exec.is_some() {
        cx.world.rng.hex(64)
    } else {
        String::new()
    };
    let ran = {
        let target = probes::Target {
            process: proc,
            peers: peers.iter().map(|(_, x)| x).collect(),
            pod_ip: &proc.pod_ip,
            source_ip: &source_ip,
            exec_id,
            storage: Some(&cx.world.storage),
        };
        super::hooks::run(
            h,
            c,
            &pod_ref(pod),
            &target,
            at,
            super::hooks::EXEC_LIMIT_MS,
        )
    };
    process::fs::commit(&mut cx.world.storage, proc, &ran.ops, at);
    if let Some((index, line)) = ran.served {
        if peers.get(index).is_some_and(|(name, _)| *name == c.name) {
            proc.log_served(at, line);
        } else {
            log_served(cx, pod, &peers, at, vec![(index, line)]);
        }
    }
    if ran.error.is_none() && ran.took_ms == Some(0) {
        return None;
    }
    Some(PostStart {
        done_at: ran.took_ms.map(|t| at.saturating_add(t)),
        error: ran.error,
        killed: false,
    })
}

/// How stopping container `c` goes (the kubelet's `killContainer`) at `now` with `grace_ms`:
/// its preStop hook runs first, within the grace period (a failure records
/// `FailedPreStopHook`); then SIGTERM, and SIGKILL when what is left of the grace period (2 s
/// at least) runs out. Returns (ms from now until it has exited, its exit code).
pub(crate) fn stop_container(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    inst: &Instance,
    grace_ms: i64,
) -> (i64, i32) {
    let now = cx.world.clock.now_ms();
    let mut left = grace_ms;
    let mut hook_ms = 0;
    let pre_stop = c.lifecycle.as_ref().and_then(|l| l.pre_stop.as_ref());
    if let Some(h) = pre_stop.filter(|_| grace_ms > 0) {
        let node = kubelet_source(pod);
        let peers = running_peers(cx, pod, now);
        let source_ip = kubelet_source_ip(cx, node);
        let exec_id = if h.exec.is_some() {
            cx.world.rng.hex(64)
        } else {
            String::new()
        };
        let ran = {
            let target = probes::Target {
                process: &inst.process,
                peers: peers.iter().map(|(_, x)| x).collect(),
                pod_ip: &inst.process.pod_ip,
                source_ip: &source_ip,
                exec_id,
                storage: Some(&cx.world.storage),
            };
            super::hooks::run(h, c, &pod_ref(pod), &target, now, grace_ms)
        };
        // The kubelet waits for the hook at most the grace period, counted in whole seconds.
        hook_ms = ran.took_ms.map_or(grace_ms, |t| t.clamp(0, grace_ms));
        left = grace_ms - hook_ms / 1000 * 1000;
        log_served(cx, pod, &peers, now, ran.served.into_iter().collect());
        if ran.error.is_some() {
            events::record(
                cx.world,
                &Object::Pod(Box::new(pod.clone())),
                EventType::Warning,
                "FailedPreStopHook",
                "PreStopHook failed",
                Source {
                    component: "kubelet",
                    host: Some(node),
                },
            );
        }
    }
    let (ms, code) = stop_outcome(inst, left.max(MIN_GRACE_MS));
    (hook_ms.saturating_add(ms), code)
}

fn previous_image_id(pod: &Pod, name: &str) -> Option<String> {
    pod.status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .find(|s| s.name == name)
        .map(|s| s.image_id.clone())
        .filter(|id| !id.is_empty())
}

/// The terminated state an instance ended in.
fn terminated(inst: &Instance) -> ContainerState {
    let (finished, code) = inst.exit.unwrap_or((inst.process.start_ms, 0));
    let reason = match (&inst.start_error, code) {
        (Some(_), _) => "StartError",
        (None, 0) => "Completed",
        // The kernel's OOM killer (containerd reports the cgroup's oom_kill event).
        (None, 137) if inst.oom_at == Some(finished) => "OOMKilled",
        _ => "Error",
    };
    ContainerState {
        terminated: Some(ContainerStateTerminated {
            container_id: Some(inst.container_id.clone()),
            exit_code: code,
            reason: Some(reason.into()),
            message: inst.start_error.clone(),
            started_at: Some(crate::clock::time_from_ms(inst.process.start_ms)),
            finished_at: Some(crate::clock::time_from_ms(finished)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Brings a running pod's containers up to date at the current time: exits, back-off,
/// restarts; then pod phase and readiness. Schedules the next time anything is due.
pub fn sync_pod(cx: &mut NodeCx<'_>, pod: &Pod) {
    let now = cx.world.clock.now_ms();
    let policy = restart_policy(pod);
    let mut statuses: Vec<ContainerStatus> = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let specs: &[Spec] = pod.spec.as_ref().map_or(&[], |s| &s.containers);
    let mut next_due: Option<i64> = flush_writes(cx, pod, specs, now);
    if let Some(t) = flush_usage(cx, pod, specs, now) {
        next_due = Some(next_due.map_or(t, |n| n.min(t)));
    }
    let mut changed = false;
    for c in specs {
        let Some(idx) = statuses.iter().position(|s| s.name == c.name) else {
            continue;
        };
        changed |= sync_container(cx, pod, c, policy, &mut statuses[idx], &mut next_due);
    }
    let task = next_due.map(|_| super::kubelet::key_task(&pod.metadata));
    if changed {
        let fresh = status_write(cx, pod, policy, statuses);
        let _ = cx.world.api.update_status(Object::Pod(Box::new(fresh)));
    }
    if let (Some(t), Some(task)) = (next_due, task) {
        cx.world.timers.at(t.max(now), task);
    }
}

/// Posts a running pod's status as the kubelet computes it from its containers (a
/// restarted kubelet's first sync: the node controller may have set `Ready` false).
pub(crate) fn repost_status(cx: &mut NodeCx<'_>, pod: &Pod) {
    let Some(statuses) = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
    else {
        return;
    };
    let fresh = status_write(cx, pod, restart_policy(pod), statuses);
    if fresh.status != pod.status {
        let _ = cx.world.api.update_status(Object::Pod(Box::new(fresh)));
    }
}

/// The pod's `restartPolicy` (`Always` when unset).
fn restart_policy(pod: &Pod) -> &str {
    pod.spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always")
}

/// The status write of `pod` with its containers' `statuses`: the phase and readiness they
/// make ([`update_phase`]). A status write keeps the stored spec: it is not sent.
fn status_write(cx: &NodeCx<'_>, pod: &Pod, policy: &str, statuses: Vec<ContainerStatus>) -> Pod {
    let mut fresh = Pod {
        metadata: pod.metadata.clone(),
        spec: None,
        status: pod.status.clone(),
    };
    update_phase(cx, &mut fresh, policy, &statuses);
    fresh
        .status
        .get_or_insert_with(Default::default)
        .container_statuses = Some(statuses);
    fresh
}

/// Brings one container up to date at the current time: its exit, back-off, restart and
/// probes. Returns whether its status changed; `next_due` gets when it needs the kubelet next.
pub(crate) fn sync_container(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    policy: &str,
    st: &mut ContainerStatus,
    next_due: &mut Option<i64>,
) -> bool {
    let now = cx.world.clock.now_ms();
    let due = |t: i64, next: &mut Option<i64>| {
        *next = Some(next.map_or(t, |n: i64| n.min(t)));
    };
    let mut changed = false;
    let k = slot_ref(pod, &c.name);
    let Some(slot) = cx.kubelet.containers.get(&k as &dyn SlotRef) else {
        return false;
    };
    // The container could not be created for its configuration: try again when due.
    if let Some(at) = slot.config_retry_at {
        if at > now {
            due(at, next_due);
            return false;
        }
        let fresh = retry_config(cx, pod, c, st);
        *st = fresh;
        changed = true;
        let slot = cx.kubelet.containers.get(&k as &dyn SlotRef);
        match slot.and_then(|s| s.config_retry_at) {
            Some(at) => {
                due(at, next_due);
                return changed;
            }
            None => {
                if let Some((at, _)) = slot.and_then(|s| s.current.as_ref()).and_then(|i| i.exit) {
                    due(at, next_due);
                }
                changed |= probe_container(cx, pod, c, policy, st, next_due);
                return changed;
            }
        }
    }
    let Some(start_ms) = slot.current.as_ref().map(|i| i.process.start_ms) else {
        return false;
    };
    // 0. Its postStart hook: the container runs for the kubelet once the hook returns.
    if let Some(hook) = slot.post_start.as_ref().filter(|h| !h.killed) {
        let Some(done) = hook.done_at else {
            return false;
        };
        if done > now {
            due(done, next_due);
            return false;
        }
        let failed = hook.error.is_some();
        let entry = cx.kubelet.containers.get_or_default(key(pod, &c.name));
        if !failed {
            entry.post_start = None;
            st.state = Some(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(crate::clock::time_from_ms(start_ms)),
                }),
                ..Default::default()
            });
            st.started = Some(entry.probes.started);
            st.ready = entry.probes.started && entry.probes.ready;
            changed = true;
        } else {
            // A failed hook kills the container (its preStop hook first), to be restarted.
            entry.force_restart = policy != "Never";
            if let Some(h) = entry.post_start.as_mut() {
                h.killed = true;
            }
            let Some(inst) = entry.current.clone() else {
                return changed;
            };
            let node = kubelet_source(pod);
            let obj = events::Involved::pod(&pod.metadata);
            let source = Source {
                component: "kubelet",
                host: Some(node),
            };
            events::record_about(
                cx.world,
                obj,
                EventType::Warning,
                "FailedPostStartHook",
                "PostStartHook failed",
                source.clone(),
            );
            events::record_about(
                cx.world,
                obj,
                EventType::Normal,
                "Killing",
                "FailedPostStartHook",
                source,
            );
            let (stop_ms, code) = stop_container(cx, pod, c, &inst, grace_period_ms(pod));
            let stop_at = now.saturating_add(stop_ms);
            if let Some(cur) = cx
                .kubelet
                .containers
                .get_mut(&k as &dyn SlotRef)
                .and_then(|s| s.current.as_mut())
            {
                if cur.exit.is_none_or(|(at, _)| at > stop_at) {
                    cur.exit = Some((stop_at, code));
                }
            }
            return sync_container(cx, pod, c, policy, st, next_due);
        }
    }
    let Some(slot) = cx.kubelet.containers.get(&k as &dyn SlotRef) else {
        return changed;
    };
    let Some(inst) = slot.current.as_ref() else {
        return changed;
    };
    let is_running = st.state.as_ref().is_some_and(|s| s.running.is_some());
    let just_failed_start = inst.start_error.is_some() && slot.restart_at.is_none();
    let hook_killed = slot.post_start.as_ref().is_some_and(|h| h.killed);
    let unreported = slot.unreported.is_some();
    // 1. The process exits.
    if let Some((at, code)) = inst.exit {
        let live = is_running || just_failed_start || hook_killed || unreported;
        if live && at <= now {
            let ended = terminated(inst);
            let start_failed = inst.start_error.is_some();
            let hook_error = slot.post_start.as_ref().and_then(|h| h.error.clone());
            if let Some(fresh) = cx
                .kubelet
                .containers
                .get_mut(&k as &dyn SlotRef)
                .and_then(|s| s.unreported.take())
            {
                // Its start is reported with its exit.
                *st = *fresh;
            }
            st.ready = false;
            st.started = Some(false);
            if start_failed {
                st.last_state = Some(ended);
            } else if hook_killed && policy != "Never" {
                // The start failed: the kubelet reports why until it starts it again.
                st.last_state = Some(ended);
                st.state = Some(waiting("PostStartHookError", hook_error));
            } else {
                st.state = Some(ended);
            }
            changed = true;
            crate::node::usage::stop(cx.world, pod, &c.name, at);
            let entry = cx.kubelet.containers.get_or_default(key(pod, &c.name));
            entry.post_start = None;
            let restart =
                policy == "Always" || (policy == "OnFailure" && (code != 0 || entry.force_restart));
            if let Some(r) = entry.restart_at {
                // A definition change: the restart is already planned.
                due(r, next_due);
            } else if restart {
                if at - start_ms >= BACKOFF_RESET_MS {
                    entry.backoff_ms = 0;
                }
                entry.restart_at = Some(at + RESYNC_MS + entry.backoff_ms);
                entry.backing_off = false;
                due(at + RESYNC_MS, next_due);
            } else {
                entry.restart_at = None;
            }
        } else if live && at > now {
            due(at, next_due);
        }
    }
    let Some(slot) = cx.kubelet.containers.get(&k as &dyn SlotRef) else {
        return changed | probe_container(cx, pod, c, policy, st, next_due);
    };
    let (restart_at, backoff_ms, backing_off) =
        (slot.restart_at, slot.backoff_ms, slot.backing_off);
    // The instance that last ended.
    let last = |cx: &NodeCx<'_>| {
        cx.kubelet
            .containers
            .get(&k as &dyn SlotRef)
            .and_then(|s| s.current.as_ref())
            .map(terminated)
            .unwrap_or_default()
    };
    // 2. Waiting out the back-off.
    if let Some(restart_at) = restart_at {
        if restart_at > now {
            if !backing_off && now >= restart_at - backoff_ms {
                let node = kubelet_source(pod);
                st.last_state = Some(last(cx));
                st.state = Some(ContainerState {
                    waiting: Some(ContainerStateWaiting {
                        reason: Some("CrashLoopBackOff".into()),
                        message: Some(format!(
                            "back-off {}s restarting failed container={} pod={}",
                            backoff_ms / 1000,
                            c.name,
                            pod_ref(pod)
                        )),
                    }),
                    ..Default::default()
                });
                changed = true;
                if let Some(e) = cx.kubelet.containers.get_mut(&k as &dyn SlotRef) {
                    e.backing_off = true;
                }
                events::record_about(
                    cx.world,
                    events::Involved::pod(&pod.metadata),
                    EventType::Warning,
                    "BackOff",
                    &format!(
                        "Back-off restarting failed container {} in pod {}",
                        c.name,
                        pod_ref(pod)
                    ),
                    Source {
                        component: "kubelet",
                        host: Some(node),
                    },
                );
            } else if !backing_off {
                due(restart_at - backoff_ms, next_due);
            }
            due(restart_at, next_due);
        } else {
            // 3. Restart: its image first (pulled again with policy Always, or when it is
            // missing: the start waits for the pull), then the container.
            let node = kubelet_source(pod);
            let obj = events::Involved::pod(&pod.metadata);
            let pulled_at = cx
                .kubelet
                .containers
                .get(&k as &dyn SlotRef)
                .and_then(|s| s.pull_done_at);
            let pull_ms = match pulled_at {
                None => crate::node::kubelet::pull_if_needed(cx, pod, node, c),
                Some(at) => at - now,
            };
            if pull_ms > 0 {
                let at = now + pull_ms;
                if let Some(e) = cx.kubelet.containers.get_mut(&k as &dyn SlotRef) {
                    e.pull_done_at = Some(at);
                }
                due(at, next_due);
                return changed | probe_container(cx, pod, c, policy, st, next_due);
            }
            crate::node::kubelet::record_pulled(cx, obj, node, c);
            let count = st.restart_count + 1;
            let last = last(cx);
            let fresh = start_container(cx, pod, c, count, Some(last));
            if let Some(e) = cx.kubelet.containers.get_mut(&k as &dyn SlotRef) {
                e.backoff_ms = if backoff_ms == 0 {
                    BACKOFF_START_MS
                } else {
                    (backoff_ms * 2).min(BACKOFF_MAX_MS)
                };
                if let Some((at, _)) = e.current.as_ref().and_then(|i| i.exit) {
                    due(at, next_due);
                }
            }
            let (report, seen) = observed_start(cx, pod, c, fresh, st);
            *st = report;
            changed |= seen;
        }
    }
    // 4. Probes.
    changed |= probe_container(cx, pod, c, policy, st, next_due);
    changed
}

/// The pod as an event's involved object: only its metadata is read, so only that is
/// copied.
pub(crate) fn event_ref(pod: &Pod) -> Object {
    Object::Pod(Box::new(Pod {
        metadata: pod.metadata.clone(),
        ..Default::default()
    }))
}

/// The kubelet's next try at creating container `c` that failed for its configuration: the
/// image is checked again (events as on every sync), then the container is created with its
/// restart count and last state kept. Returns its new status.
pub(crate) fn retry_config(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    st: &ContainerStatus,
) -> ContainerStatus {
    let node = kubelet_source(pod);
    crate::node::kubelet::pull_if_needed(cx, pod, node, c);
    crate::node::kubelet::record_pulled(cx, events::Involved::pod(&pod.metadata), node, c);
    start_container(cx, pod, c, st.restart_count, st.last_state.clone())
}

/// When the kubelet tries again to create container `c` of `pod` that failed for its
/// configuration, if it did.
pub(crate) fn config_retry_at(cx: &NodeCx<'_>, pod: &Pod, c: &Spec) -> Option<i64> {
    cx.kubelet
        .containers
        .get(&slot_ref(pod, &c.name) as &dyn SlotRef)
        .and_then(|s| s.config_retry_at)
}

/// Pod phase and Ready conditions from the container statuses.
pub(crate) fn update_phase(
    cx: &NodeCx<'_>,
    pod: &mut Pod,
    policy: &str,
    statuses: &[ContainerStatus],
) {
    let now = cx.world.clock.now_time();
    let restarting = statuses.iter().any(|s| {
        cx.kubelet
            .containers
            .get(&slot_ref(pod, &s.name) as &dyn SlotRef)
            .is_some_and(|slot| slot.restart_at.is_some())
    });
    let all_done = statuses
        .iter()
        .all(|s| s.state.as_ref().is_some_and(|st| st.terminated.is_some()));
    // A container not yet reported started keeps the pod Pending (`getPhase`: waiting > 0).
    let never_created = statuses.iter().any(|s| {
        s.last_state.as_ref().is_none_or(|l| l.terminated.is_none())
            && s.state
                .as_ref()
                .and_then(|st| st.waiting.as_ref())
                .is_some_and(|w| {
                    matches!(
                        w.reason.as_deref(),
                        Some("CreateContainerConfigError" | "ContainerCreating")
                    )
                })
    });
    let phase = if never_created {
        "Pending"
    } else if all_done && !restarting && policy != "Always" {
        let ok = statuses.iter().all(|s| {
            s.state
                .as_ref()
                .and_then(|st| st.terminated.as_ref())
                .is_some_and(|t| t.exit_code == 0)
        });
        if ok {
            "Succeeded"
        } else {
            "Failed"
        }
    } else {
        "Running"
    };
    if let Some(status) = pod.status.as_mut() {
        status.phase = Some(phase.into());
    }
    let (status, reason, message) = if phase != "Running" && phase != "Pending" {
        ("False", Some("PodCompleted"), None)
    } else if statuses.iter().all(|s| s.ready) {
        ("True", None, None)
    } else {
        let unready: Vec<&str> = statuses
            .iter()
            .filter(|s| !s.ready)
            .map(|s| s.name.as_str())
            .collect();
        let message = format!("containers with unready status: [{}]", unready.join(" "));
        ("False", Some("ContainersNotReady"), Some(message))
    };
    for kind in ["Ready", "ContainersReady"] {
        let was = pod
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .find(|c| c.type_ == kind);
        let same = was.is_some_and(|w| {
            w.status == status && w.reason.as_deref() == reason && w.message == message
        });
        if same {
            continue;
        }
        let last_transition_time = match was {
            Some(w) if w.status == status => w.last_transition_time.clone(),
            _ => Some(now.clone()),
        };
        set_condition(
            pod,
            PodCondition {
                type_: kind.into(),
                status: status.into(),
                reason: reason.map(Into::into),
                message: message.clone(),
                last_transition_time,
                ..Default::default()
            },
        );
    }
}

/// The kubelet's answer to a container image changed on a running pod: stop the old
/// container (SIGTERM, or SIGKILL at the grace period's end), then start the new image.
pub fn definition_changed(cx: &mut NodeCx<'_>, pod: &Pod, changed: &[String]) {
    let now = cx.world.clock.now_ms();
    let node = kubelet_source(pod);
    let grace_ms = grace_period_ms(pod);
    let obj = Object::Pod(Box::new(pod.clone()));
    let mut next = None;
    for name in changed {
        let k = slot_ref(pod, name);
        let Some(slot) = cx.kubelet.containers.get(&k as &dyn SlotRef) else {
            continue;
        };
        let Some(inst) = slot.current.clone() else {
            continue;
        };
        if inst.exit.is_some_and(|(at, _)| at <= now) {
            continue;
        }
        events::record(
            cx.world,
            &obj,
            EventType::Normal,
            "Killing",
            &format!("Container {name} definition changed, will be restarted"),
            Source {
                component: "kubelet",
                host: Some(node),
            },
        );
        let spec = pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .find(|c| c.name == *name)
            .cloned()
            .unwrap_or_default();
        let (stop_ms, code) = stop_container(cx, pod, &spec, &inst, grace_ms);
        // The new image is pulled once the old container has stopped (the restart's pull).
        if let Some(slot) = cx.kubelet.containers.get_mut(&k as &dyn SlotRef) {
            if let Some(inst) = slot.current.as_mut() {
                inst.exit = Some((now + stop_ms, code));
            }
            slot.restart_at = Some(now + stop_ms);
            slot.pull_done_at = None;
            slot.backing_off = false;
            slot.backoff_ms = 0;
        }
        next = Some(next.map_or(now + stop_ms, |n: i64| n.min(now + stop_ms)));
    }
    if let Some(t) = next {
        cx.world.timers.at(
            t,
            Task::KubeletSync {
                namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                name: pod.metadata.name.clone().unwrap_or_default(),
                uid: pod.metadata.uid.clone().unwrap_or_default(),
            },
        );
    }
}

/// How long an instance takes to stop on SIGTERM and how it exits: the image's own server
/// stops quickly with 0; a shell as PID 1 ignores SIGTERM and is killed (137) when the grace
/// period runs out.
fn stop_outcome(inst: &Instance, grace_ms: i64) -> (i64, i32) {
    match ImageRef::parse_with(&inst.process.image, |r| {
        r.and_then(crate::node::images::lookup)
    })
    .and_then(|i| i.stop_ms)
    {
        Some(ms)
            if !inst
                .process
                .argv
                .first()
                .is_some_and(|a| matches!(a.rsplit('/').next(), Some("sh" | "bash" | "ash"))) =>
        {
            (ms.min(grace_ms), 0)
        }
        _ => (grace_ms, 137),
    }
}

/// The pod's `terminationGracePeriodSeconds` in ms (30 s by default).
fn grace_period_ms(pod: &Pod) -> i64 {
    pod.spec
        .as_ref()
        .and_then(|s| s.termination_grace_period_seconds)
        .unwrap_or(30)
        .clamp(0, 10 * 365 * 86_400)
        * 1000
}

/// Probe events a pod may burst before the spam filter holds them back, and the time it
/// takes to earn one more.
const EVENT_BURST: i64 = 25;
const EVENT_REFILL_MS: i64 = 300_000;

/// Takes a token from the pod's probe-event budget; `Err(when the next one comes)` if empty.
fn take_event_token(cx: &mut NodeCx<'_>, uid: &str, now: i64) -> Result<(), i64> {
    let full = EVENT_BURST * EVENT_REFILL_MS;
    let (credit, at) = cx
        .kubelet
        .probe_event_budget
        .get(uid)
        .copied()
        .unwrap_or((full, now));
    let credit = credit.saturating_add((now - at).max(0)).min(full);
    let (left, ok) = if credit >= EVENT_REFILL_MS {
        (credit - EVENT_REFILL_MS, Ok(()))
    } else {
        (credit, Err(now + EVENT_REFILL_MS - credit))
    };
    cx.kubelet
        .probe_event_budget
        .insert(uid.to_string(), (left, now));
    ok
}

/// Runs the container's probes that are due (see [`probes`]): records their events, kills
/// the container when liveness or startup fails, and updates its `started`/`ready`. Returns
/// whether the status changed.
fn probe_container(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    policy: &str,
    status: &mut ContainerStatus,
    next_due: &mut Option<i64>,
) -> bool {
    let now = cx.world.clock.now_ms();
    let k = slot_ref(pod, &c.name);
    let running = status.state.as_ref().is_some_and(|s| s.running.is_some());
    let Some(slot) = cx.kubelet.containers.get(&k as &dyn SlotRef) else {
        return false;
    };
    let Some(inst) = slot.current.as_ref() else {
        return false;
    };
    let alive = inst.start_error.is_none() && inst.exit.is_none_or(|(at, _)| at > now);
    if !running || !alive || probes::next_due(&slot.probes).is_none() {
        return false;
    }
    // Copied only when a probe is due.
    let inst = inst.clone();
    let mut st = slot.probes.clone();
    let slot_probes = slot.probes.clone();
    let node = kubelet_source(pod);
    let pod_ip = inst.process.pod_ip.clone();
    let source_ip = kubelet_source_ip(cx, node);
    let peers = running_peers(cx, pod, now);
    let anchor = pod
        .status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map_or(inst.process.start_ms, crate::clock::ms_from_time);
    let rng = &mut cx.world.rng;
    let storage = &cx.world.storage;
    let mut served = Vec::new();
    let mut wrote = Vec::new();
    let pass = probes::pass(
        c,
        &mut st,
        anchor,
        inst.process.start_ms,
        now,
        policy != "Never",
        &mut |p| {
            let target = probes::Target {
                process: &inst.process,
                peers: peers.iter().map(|(_, x)| x).collect(),
                pod_ip: &pod_ip,
                source_ip: &source_ip,
                exec_id: if p.exec.is_some() {
                    rng.hex(64)
                } else {
                    String::new()
                },
                storage: Some(storage),
            };
            let checked = probes::check(p, c, &target, now);
            served.extend(checked.served);
            wrote.extend(checked.ops);
            checked.outcome
        },
    );
    // What exec probes wrote stays in the container; probes that write never go idle.
    if !wrote.is_empty() {
        if let Some(slot) = cx.kubelet.containers.get_mut(&k as &dyn SlotRef) {
            if let Some(cur) = slot.current.as_mut() {
                process::fs::commit(&mut cx.world.storage, &mut cur.process, &wrote, now);
            }
            probes::wake(c, &mut st, anchor, inst.process.start_ms, now);
        }
    }
    log_served(cx, pod, &peers, now, served);
    keep_probing_unseen(cx, pod, c, &inst, &peers, (&slot_probes, &st), anchor, now);
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let obj = events::Involved::pod(&pod.metadata);
    let source = || Source {
        component: "kubelet",
        host: Some(node),
    };
    let mut held_until = None;
    for (_, reason, message) in &pass.events {
        match take_event_token(cx, &uid, now) {
            Ok(()) => {
                events::record_about(cx.world, obj, EventType::Warning, reason, message, source())
            }
            Err(t) => held_until = Some(t),
        }
    }
    // A readiness probe that keeps failing has nothing to report while the spam filter holds
    // its events back: it sleeps until the filter lets one through.
    if let (Some(t), Some(p)) = (held_until, &c.readiness_probe) {
        probes::hold_failing_readiness(p, &mut st, anchor, inst.process.start_ms, t);
    }
    if let Some(message) = &pass.kill {
        events::record_about(
            cx.world,
            obj,
            EventType::Normal,
            "Killing",
            message,
            source(),
        );
        let (stop_ms, code) = stop_container(cx, pod, c, &inst, grace_period_ms(pod));
        let stop_at = now + stop_ms;
        if let Some(slot) = cx.kubelet.containers.get_mut(&k as &dyn SlotRef) {
            if let Some(cur) = slot.current.as_mut() {
                if cur.exit.is_none_or(|(at, _)| at > stop_at) {
                    cur.exit = Some((stop_at, code));
                }
            }
            slot.force_restart = policy != "Never";
        }
        *next_due = Some(next_due.map_or(stop_at, |n| n.min(stop_at)));
    }
    if let Some(t) = probes::next_due(&st) {
        *next_due = Some(next_due.map_or(t, |n| n.min(t)));
    }
    let changed = pass.changed;
    if changed {
        status.ready = st.started && st.ready;
        status.started = Some(st.started);
    }
    if let Some(slot) = cx.kubelet.containers.get_mut(&k as &dyn SlotRef) {
        slot.probes = st;
    }
    changed
}

/// The pod's running containers at `now`, as (name, process): they share the pod's network
/// namespace, so a request of the kubelet to the pod IP reaches whichever listens.
pub(crate) fn running_peers(
    cx: &NodeCx<'_>,
    pod: &Pod,
    now: i64,
) -> Vec<(String, process::Container)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter_map(|other| {
            let i = cx
                .kubelet
                .containers
                .get(&slot_ref(pod, &other.name) as &dyn SlotRef)?
                .current
                .as_ref()?;
            let up = i.start_error.is_none()
                && i.process.start_ms <= now
                && i.exit.is_none_or(|(at, _)| at > now);
            up.then(|| (other.name.clone(), i.process.clone()))
        })
        .collect()
}

/// Where the kubelet's requests to pods on `node` come from: the node's address on the pod
/// network, its `cni0` bridge (`10.244.N.1`).
pub(crate) fn kubelet_source_ip(cx: &NodeCx<'_>, node: &str) -> String {
    format!(
        "{}.1",
        crate::node::kubelet::pod_ip_prefix(&cx.world.api, node)
    )
}

/// The httpGet probes that went idle in a pass (`states` before and after) keep coming: their
/// requests go to the serving container's log as a periodic series from the next tick.
#[allow(clippy::too_many_arguments)]
fn keep_probing_unseen(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    c: &Spec,
    inst: &Instance,
    peers: &[(String, process::Container)],
    states: (&probes::State, &probes::State),
    anchor: i64,
    now: i64,
) {
    let node = kubelet_source(pod);
    let source_ip = kubelet_source_ip(cx, node);
    for kind in probes::went_idle(states.0, states.1) {
        let Some(h) = kind.of(c).and_then(|p| p.http_get.as_ref().map(|h| (p, h))) else {
            continue;
        };
        let timing = probes::Timing::of(h.0);
        let next = timing.first_tick(anchor, inst.process.start_ms, now.saturating_add(1));
        let target = probes::Target {
            process: &inst.process,
            peers: peers.iter().map(|(_, x)| x).collect(),
            pod_ip: &inst.process.pod_ip,
            source_ip: &source_ip,
            exec_id: String::new(),
            storage: Some(&cx.world.storage),
        };
        let Ok(answer) = probes::http_get(h.1, c, &target, next, "probe") else {
            continue;
        };
        let (index, request) = answer.request;
        let Some((name, _)) = peers.get(index) else {
            continue;
        };
        if let Some(server) = cx
            .kubelet
            .containers
            .get_mut(&slot_ref(pod, name) as &dyn SlotRef)
            .and_then(|s| s.current.as_mut())
        {
            server.process.periodic.push(process::serve::Periodic {
                from_ms: next,
                period_ms: timing.period_ms,
                until_ms: None,
                request,
            });
        }
    }
}

/// Adds the access-log lines the kubelet's requests left, as (index in `peers`, line), at
/// `at_ms` to the serving containers' logs.
pub(crate) fn log_served(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    peers: &[(String, process::Container)],
    at_ms: i64,
    served: Vec<(usize, String)>,
) {
    for (index, line) in served {
        let Some((name, _)) = peers.get(index) else {
            continue;
        };
        if let Some(inst) = cx
            .kubelet
            .containers
            .get_mut(&slot_ref(pod, name) as &dyn SlotRef)
            .and_then(|s| s.current.as_mut())
        {
            inst.process.log_served(at_ms, line);
        }
    }
}

/// Forgets every container of a pod (it was deleted).
pub fn forget_pod(cx: &mut NodeCx<'_>, namespace: &str, name: &str) {
    let keys: Vec<SlotKey> = cx
        .kubelet
        .containers
        .of_pod(namespace, name)
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        cx.kubelet.remove_container(&k);
    }
}

/// How each container of a terminating pod exited, by name: the exit codes its stop ended
/// with (0 when it honoured SIGTERM, 137 when killed).
pub fn exit_codes(cx: &NodeCx<'_>, pod: &Pod) -> std::collections::BTreeMap<String, i32> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter_map(|c| {
            let inst = cx
                .kubelet
                .containers
                .get(&slot_ref(pod, &c.name) as &dyn SlotRef)?
                .current
                .as_ref()?;
            Some((c.name.clone(), inst.exit?.1))
        })
        .collect()
}

/// The status the kubelet reports once it has stopped a terminating pod's containers: each
/// running container terminated now with its exit code from `codes` (without one: 0 if the
/// grace period had not run out, 137 if it had), none ready.
pub fn mark_stopped(pod: &mut Pod, now_ms: i64, codes: &std::collections::BTreeMap<String, i32>) {
    let killed = pod
        .metadata
        .deletion_timestamp
        .as_ref()
        .is_some_and(|t| now_ms >= t.0.as_millisecond());
    let Some(status) = pod.status.as_mut() else {
        return;
    };
    for cs in status.container_statuses.iter_mut().flatten() {
        if let Some(running) = cs.state.as_ref().and_then(|s| s.running.clone()) {
            let (code, reason) = match codes.get(&cs.name) {
                Some(0) => (0, "Completed"),
                Some(c) => (*c, "Error"),
                None if killed => (137, "Error"),
                None => (0, "Completed"),
            };
            cs.state = Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    container_id: cs.container_id.clone(),
                    exit_code: code,
                    reason: Some(reason.into()),
                    started_at: running.started_at,
                    finished_at: Some(crate::clock::time_from_ms(now_ms)),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        cs.ready = false;
        cs.started = Some(false);
    }
    let names: Vec<&str> = status
        .container_statuses
        .iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    let message = format!("containers with unready status: [{}]", names.join(" "));
    for c in status.conditions.iter_mut().flatten() {
        if (c.type_ == "Ready" || c.type_ == "ContainersReady") && c.status == "True" {
            c.status = "False".into();
            c.reason = Some("ContainersNotReady".into());
            c.message = Some(message.clone());
            c.last_transition_time = Some(crate::clock::time_from_ms(now_ms));
        }
    }
}
