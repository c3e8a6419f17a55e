//! kube-scheduler: filters, scores, and binds pending pods one at a time, and explains why a
//! pod cannot be placed.

pub(crate) mod affinity;
mod cache;
mod dynamic_resources;
mod interpod;
mod preemption;
mod volume_binding;

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, Node, Pod, PodCondition, Taint, Toleration};

use crate::api::object::{Kind, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::pod::set_condition;
use crate::api::quantity;
use crate::controllers::runtime::{Controller, Queue};
use crate::timers::Task;
use crate::world::events::series::{self, Occurrence, Reporter};
use crate::world::events::{EventType, Involved};
use crate::world::World;

/// The scheduler's name: its events' reporting controller.
const SCHEDULER: &str = "default-scheduler";

/// Records an event as kube-scheduler does, through the events API: its reporting
/// instance is `default-scheduler-<hostname>`, the control-plane node it runs on.
pub(super) fn record(world: &mut World, what: Occurrence<'_>) {
    let host = control_plane_host(world);
    let instance = format!("{SCHEDULER}-{host}");
    let reporter = Reporter {
        controller: SCHEDULER,
        instance: &instance,
    };
    series::record(world, what, reporter);
}

/// The node the scheduler runs on: its static pod's (`kube-scheduler-<node>`), else the
/// first control-plane node.
fn control_plane_host(world: &World) -> String {
    let from_pod = world
        .api
        .list_as::<Pod>(Some("kube-system"))
        .filter(|p| {
            p.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("kube-scheduler-"))
        })
        .find_map(|p| p.spec.as_ref()?.node_name.clone());
    from_pod
        .or_else(|| {
            world.api.list_as::<Node>(None).find_map(|n| {
                let labels = n.metadata.labels.as_ref()?;
                labels
                    .contains_key("node-role.kubernetes.io/control-plane")
                    .then(|| n.metadata.name.clone())?
            })
        })
        .unwrap_or_default()
}

/// CPU (cores) and memory (bytes) a pod requests, summed over its containers (a limit
/// without a request made one when the pod was created).
pub fn pod_requests(pod: &Pod) -> (f64, f64) {
    let mut cpu = 0.0;
    let mut mem = 0.0;
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        if let Some(r) = requests {
            cpu += r
                .get("cpu")
                .and_then(|q| quantity::parse(&q.0))
                .unwrap_or(0.0);
            mem += r
                .get("memory")
                .and_then(|q| quantity::parse(&q.0))
                .unwrap_or(0.0);
        }
    }
    (cpu, mem)
}

/// A node's allocatable amount of `resource` (cores for `cpu`, bytes for `memory`).
pub(crate) fn allocatable(node: &Node, resource: &str) -> f64 {
    node.status
        .as_ref()
        .and_then(|s| s.allocatable.as_ref())
        .and_then(|a| a.get(resource))
        .and_then(|q| quantity::parse(&q.0))
        .unwrap_or(0.0)
}

/// Whether `tolerations` tolerate `taint` (key, operator, value, effect).
pub(crate) fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| {
        let key_ok = match t.key.as_deref() {
            None | Some("") => t.operator.as_deref() == Some("Exists"),
            Some(k) => k == taint.key,
        };
        let effect_ok = t
            .effect
            .as_deref()
            .is_none_or(|e| e.is_empty() || e == taint.effect);
        let value_ok = t.operator.as_deref() == Some("Exists")
            || t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("");
        key_ok && effect_ok && value_ok
    })
}

/// What a node can hold, read once per pass (allocatable pods, cores and bytes).
#[derive(Clone, Copy, Debug)]
struct Capacity {
    pods: f64,
    cpu: f64,
    mem: f64,
}

impl Capacity {
    fn of(node: &Node) -> Capacity {
        Capacity {
            pods: allocatable(node, "pods"),
            cpu: allocatable(node, "cpu"),
            mem: allocatable(node, "memory"),
        }
    }
}

/// What a pending pod asks of any node, read once per scheduling attempt.
struct Wants {
    cpu: f64,
    mem: f64,
    /// Host ports: (protocol, hostIP, port).
    ports: Vec<(String, String, i32)>,
}

impl Wants {
    fn of(pod: &Pod) -> Wants {
        let (cpu, mem) = pod_requests(pod);
        Wants {
            cpu,
            mem,
            ports: affinity::host_ports(pod),
        }
    }
}

/// Why `node` cannot run `pod` (the first failing filter's reasons), or empty if it can.
fn filter(pod: &Pod, wants: &Wants, node: &Node, cap: Capacity, used: &NodeUsage) -> Vec<String> {
    let spec = pod.spec.as_ref();
    let node_spec = node.spec.as_ref();
    let tolerations = spec
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default();
    if node_spec.and_then(|s| s.unschedulable).unwrap_or(false) {
        let t = Taint {
            key: "node.kubernetes.io/unschedulable".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        if !tolerates(tolerations, &t) {
            return vec!["node(s) were unschedulable".into()];
        }
    }
    for taint in node_spec
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
    {
        if (taint.effect == "NoSchedule" || taint.effect == "NoExecute")
            && !tolerates(tolerations, taint)
        {
            return vec![format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint.key,
                taint.value.clone().unwrap_or_default()
            )];
        }
    }
    let labels = node.metadata.labels.as_ref();
    let selector_ok = spec
        .and_then(|s| s.node_selector.as_ref())
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
    if !selector_ok || !affinity::required_matches(pod, node) {
        return vec!["node(s) didn't match Pod's node affinity/selector".into()];
    }
    if wants
        .ports
        .iter()
        .any(|w| used.ports.iter().any(|u| affinity::ports_conflict(w, u)))
    {
        return vec!["node(s) didn't have free ports for the requested pod ports".into()];
    }
    let (cpu, mem) = (wants.cpu, wants.mem);
    let mut reasons = Vec::new();
    if used.pods + 1.0 > cap.pods {
        reasons.push("Too many pods".to_string());
    }
    if cpu > 0.0 && used.cpu + cpu > cap.cpu + 1e-9 {
        reasons.push("Insufficient cpu".to_string());
    }
    if mem > 0.0 && used.mem + mem > cap.mem {
        reasons.push("Insufficient memory".to_string());
    }
    reasons
}

/// What the pods already bound to a node request.
#[derive(Default, Clone, Debug)]
struct NodeUsage {
    /// Host ports taken: (protocol, hostIP, port).
    ports: Vec<(String, String, i32)>,
    pods: f64,
    cpu: f64,
    mem: f64,
    /// Non-zero requests (100m / 200Mi for containers without any), for scoring.
    score_cpu: f64,
    score_mem: f64,
}

/// The nodes and namespaces as the scheduler's informers hold them: read when first needed
/// after a Node or Namespace changed, not at every pass.
#[derive(Clone, Debug)]
struct Topology {
    /// The nodes as stored (shared with the store, not copied).
    nodes: Vec<Arc<Object>>,
    /// What each of `nodes` can hold, in the same order.
    capacity: Vec<Capacity>,
    node_labels: interpod::NodeLabels,
    namespaces: BTreeMap<String, BTreeMap<String, String>>,
}

impl Topology {
    fn read(world: &World) -> Topology {
        let nodes: Vec<Arc<Object>> = world.api.list_shared("Node", None).cloned().collect();
        let node_labels = typed(&nodes)
            .map(|n| {
                (
                    n.metadata.name.clone().unwrap_or_default(),
                    n.metadata.labels.clone().unwrap_or_default(),
                )
            })
            .collect();
        let namespaces = world
            .api
            .list_as::<Namespace>(None)
            .map(|n| {
                (
                    n.metadata.name.clone().unwrap_or_default(),
                    n.metadata.labels.clone().unwrap_or_default(),
                )
            })
            .collect();
        Topology {
            capacity: typed(&nodes).map(Capacity::of).collect(),
            nodes,
            node_labels,
            namespaces,
        }
    }
}

/// What one scheduling pass reads of the cluster, kept up to date as it binds pods.
struct Pass<'c> {
    topology: &'c Topology,
    usage: BTreeMap<String, NodeUsage>,
    /// Bound pods before the pass, for InterPodAffinity.
    bound: &'c BTreeMap<cache::PodKey, interpod::Peer>,
    /// Pods bound during the pass.
    added: Vec<interpod::Peer>,
    /// How many of all these carry pod (anti-)affinity terms.
    with_terms: usize,
    /// The lowest priority a preemption victim could have, worked out when a pod first fails
    /// to fit (a walk over every pod). Victims only go, and pods bound earlier in the pass
    /// rank at least as high as any later one, so it stays a safe bound for the whole pass.
    lowest_victim: std::cell::OnceCell<Option<i32>>,
}

impl<'c> Pass<'c> {
    fn new(topology: &'c Topology, cache: &'c mut cache::Cache) -> Pass<'c> {
        let usage = cache.usage().clone();
        let cache: &'c cache::Cache = cache;
        Pass {
            topology,
            usage,
            bound: cache.peers(),
            added: Vec::new(),
            with_terms: cache.with_terms(),
            lowest_victim: std::cell::OnceCell::new(),
        }
    }

    /// [`Pass::lowest_victim`], worked out on first use.
    fn lowest_victim(&self, world: &World) -> Option<i32> {
        *self
            .lowest_victim
            .get_or_init(|| preemption::lowest_victim_priority(world))
    }

    fn view(&self) -> interpod::View<'_> {
        interpod::View {
            nodes: &self.topology.node_labels,
            namespaces: &self.topology.namespaces,
            bound: self.bound,
            added: &self.added,
            with_terms: self.with_terms,
        }
    }

    /// Counts `pod`, just bound to `node`, for the rest of the pass.
    fn bind(&mut self, pod: &Pod, node: &str) {
        self.usage.entry(node.to_string()).or_default().add(pod);
        let peer = interpod::Peer::new(pod, node);
        self.with_terms += usize::from(peer.has_terms());
        self.added.push(peer);
    }
}

impl NodeUsage {
    /// Counts one more pod on the node.
    fn add(&mut self, p: &Pod) {
        self.add_requests(&cache::Requests::of(p));
    }

    /// Counts one more pod on the node, from what it requests.
    fn add_requests(&mut self, r: &cache::Requests) {
        let (cpu, mem) = (r.cpu(), r.mem());
        self.pods += 1.0;
        self.ports.extend_from_slice(r.ports());
        self.cpu += cpu;
        self.mem += mem;
        self.score_cpu += if cpu > 0.0 { cpu } else { 0.1 };
        self.score_mem += if mem > 0.0 {
            mem
        } else {
            200.0 * 1024.0 * 1024.0
        };
    }
}

/// LeastAllocated + BalancedAllocation, as the default profile weighs them.
fn score(wants: &Wants, cap: Capacity, used: &NodeUsage) -> f64 {
    let (cpu, mem) = (wants.cpu, wants.mem);
    let (a_cpu, a_mem) = (cap.cpu.max(1e-9), cap.mem.max(1.0));
    let r_cpu = used.score_cpu + if cpu > 0.0 { cpu } else { 0.1 };
    let r_mem = used.score_mem
        + if mem > 0.0 {
            mem
        } else {
            200.0 * 1024.0 * 1024.0
        };
    let least = (((a_cpu - r_cpu).max(0.0) * 100.0 / a_cpu).floor()
        + ((a_mem - r_mem).max(0.0) * 100.0 / a_mem).floor())
        / 2.0;
    let (f_cpu, f_mem) = (
        ((used.cpu + cpu) / a_cpu).min(1.0),
        ((used.mem + mem) / a_mem).min(1.0),
    );
    let balanced = (1.0 - (f_cpu - f_mem).abs() / 2.0) * 100.0;
    least + balanced
}

/// kube-scheduler, with its scheduling queue.
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    /// Pods without a node, as (namespace, name): the only ones the scheduler looks at.
    unbound: BTreeSet<(String, String)>,
    /// Whether this pass's events may have made room for pods found unschedulable.
    retry: bool,
    /// Whether a pod was bound or relabelled this pass: it may satisfy a pod affinity term
    /// (InterPodAffinity's queueing events), so pods it refused are retried.
    retry_affinity: bool,
    /// The bound pods and what they take from their nodes.
    cache: cache::Cache,
    /// The nodes and namespaces, until one of them changes.
    topology: Option<Topology>,
    /// The unschedulable pool: when each pod that found no node last failed.
    failed_at: BTreeMap<(String, String), i64>,
    /// When the scheduler started (its first pass): the phase of its 30-second flushes.
    started_ms: Option<i64>,
}

/// How often the scheduling queue flushes its unschedulable pool
/// (`flushUnschedulablePodsLeftover`, every 30 s from the start).
const FLUSH_EVERY_MS: i64 = 30_000;
/// How long a pod stays in the unschedulable pool with no event to move it
/// (`DefaultPodMaxInUnschedulablePodsDuration`).
const MAX_UNSCHEDULABLE_MS: i64 = 5 * 60_000;

impl Scheduler {
    /// The latest flush of the unschedulable pool at or before `now`.
    fn last_flush(&self, now: i64) -> i64 {
        let start = self.started_ms.unwrap_or(now);
        start + (now - start).div_euclid(FLUSH_EVERY_MS) * FLUSH_EVERY_MS
    }

    /// Whether a flush has moved the pod that failed at `failed` back to the active queue
    /// (it waited longer than the maximum).
    fn flushed(&self, failed: i64, now: i64) -> bool {
        self.last_flush(now) - failed > MAX_UNSCHEDULABLE_MS
    }

    /// The first flush that moves a pod that failed at `failed`.
    fn flush_after(&self, failed: i64) -> i64 {
        self.last_flush(failed + MAX_UNSCHEDULABLE_MS) + FLUSH_EVERY_MS
    }
}

/// The one key the scheduler works on: a pass over every pending pod, in creation order.
fn pending_pods() -> ObjectKey {
    ObjectKey {
        kind: "Pod",
        namespace: String::new(),
        name: String::new(),
    }
}

/// Whether a change may let an unschedulable pod fit now (upstream moves such pods back to
/// the active queue on these events): a node changed, or a bound pod went or finished (a
/// terminating pod still holds its resources until it is gone).
fn may_free_room(event: &WatchEvent) -> bool {
    match &*event.object {
        Object::Node(_) | Object::PersistentVolumeClaim(_) => true,
        Object::Pod(p) => {
            event.kind == WatchEventType::Deleted
                || p.status
                    .as_ref()
                    .and_then(|s| s.phase.as_deref())
                    .is_some_and(|ph| ph == "Succeeded" || ph == "Failed")
        }
        _ => false,
    }
}

/// Whether the scheduler already found no room for the pod (PodScheduled is False).
fn marked_unschedulable(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.type_ == "PodScheduled" && c.status == "False")
        })
}

/// Whether the pod was last refused by InterPodAffinity on some node.
fn refused_by_inter_pod_affinity(p: &Pod) -> bool {
    p.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .filter(|c| c.type_ == "PodScheduled")
        .filter_map(|c| c.message.as_deref())
        .any(|m| {
            [
                interpod::AFFINITY,
                interpod::ANTI_AFFINITY,
                interpod::EXISTING_ANTI_AFFINITY,
            ]
            .iter()
            .any(|r| m.contains(r))
        })
}

impl Controller for Scheduler {
    fn name(&self) -> &'static str {
        "scheduler"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::Pod(_)
                | Object::Node(_)
                | Object::Namespace(_)
                | Object::PersistentVolumeClaim(_)
        )
    }

    /// Keeps the set of unbound pods, and notes events that may make room.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, _queue: &mut Queue) {
        self.retry |= may_free_room(event);
        self.retry_affinity |= self.cache.observe(event);
        if matches!(&*event.object, Object::Node(_) | Object::Namespace(_)) {
            self.topology = None;
        }
        if let Object::Pod(p) = &*event.object {
            let key = (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            );
            let unbound = p.spec.as_ref().is_some_and(|s| s.node_name.is_none());
            if event.kind != WatchEventType::Deleted && unbound {
                self.unbound.insert(key);
            } else {
                self.failed_at.remove(&key);
                self.unbound.remove(&key);
            }
        }
    }

    /// Every pass looks at the pending pods (a pod whose binding failed is tried again).
    fn after_events(&mut self, _world: &World, queue: &mut Queue) {
        queue.add(pending_pods());
    }

    /// Tries to place every pending pod, in creation order. Pods already found unschedulable
    /// wait until something that may free room happens, as in upstream's unschedulable queue.
    fn sync(&mut self, world: &mut World, _key: &ObjectKey, queue: &mut Queue) {
        let now = world.clock.now_ms();
        self.started_ms.get_or_insert(now);
        let retry = std::mem::take(&mut self.retry);
        let retry_affinity = std::mem::take(&mut self.retry_affinity);
        let (attempted, mut pending): (Vec<cache::PodKey>, Vec<Pod>) = self
            .unbound
            .iter()
            .filter_map(|key| match world.api.get("Pod", &key.0, &key.1) {
                Some(Object::Pod(p)) => Some((key, p.as_ref())),
                _ => None,
            })
            .filter(|(key, p)| {
                let spec = p.spec.as_ref();
                spec.is_some_and(|s| {
                    s.node_name.is_none()
                        && s.scheduler_name.as_deref().unwrap_or("default-scheduler")
                            == "default-scheduler"
                }) && p.metadata.deletion_timestamp.is_none()
                    && (retry
                        || !marked_unschedulable(p)
                        || (retry_affinity && refused_by_inter_pod_affinity(p))
                        || self
                            .failed_at
                            .get(*key)
                            .is_some_and(|&failed| self.flushed(failed, now)))
            })
            .map(|(key, p)| (key.clone(), p.clone()))
            .unzip();
        if pending.is_empty() {
            return;
        }
        // PrioritySort: higher priority first, then the oldest.
        pending.stable_sort_by_key(|p| {
            (
                std::cmp::Reverse(p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)),
                p.metadata.creation_timestamp.as_ref().map(|t| t.0),
                p.metadata
                    .resource_version
                    .as_ref()
                    .and_then(|r| r.parse::<u64>().ok()),
            )
        });
        // What nodes hold is computed once per pass and kept up to date as pods are bound;
        // binding a pod changes no node, so one copy of the nodes serves the whole pass.
        let topology = self.topology.get_or_insert_with(|| Topology::read(world));
        let mut pass = Pass::new(topology, &mut self.cache);
        for pod in pending {
            schedule_one(world, pod, &mut pass);
        }
        // Those still without a node wait in the unschedulable pool until an event moves
        // them, or a flush after five minutes.
        let mut failed = false;
        for key in attempted {
            let bound = world
                .api
                .get_as::<Pod>(&key.0, &key.1)
                .is_none_or(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_some()));
            if bound {
                self.failed_at.remove(&key);
            } else {
                failed = true;
                self.failed_at.insert(key, now);
            }
        }
        if failed {
            queue.requeue_at(world, self.flush_after(now), pending_pods());
        }
    }
}

/// The Nodes among `nodes` (a list of Nodes as stored), typed.
fn typed(nodes: &[Arc<Object>]) -> impl Iterator<Item = &Node> {
    nodes.iter().filter_map(|n| Node::of(n))
}

fn schedule_one(world: &mut World, mut pod: Pod, pass: &mut Pass) {
    let nodes: Vec<&Node> = typed(&pass.topology.nodes).collect();
    let pre_filtered = volume_binding::pre_filter(world, &pod)
        .and_then(|v| dynamic_resources::pre_filter(world, &pod).map(|claims| (v, claims)));
    let (volumes, needs_claims) = match pre_filtered {
        Ok(v) => v,
        Err(why) => {
            let n = nodes.len();
            let message = format!("0/{n} nodes are available: {why}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling.");
            mark_unschedulable(world, pod, &message);
            return;
        }
    };
    let mut feasible: Vec<(f64, String)> = Vec::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut preemption_helps: BTreeMap<String, usize> = BTreeMap::new();
    let mut preferred_weights: Vec<i64> = Vec::new();
    // Nodes that lack room only: where preemption may help.
    let mut short: Vec<&Node> = Vec::new();
    let inter_pod = interpod::pre_filter(&pod, &pass.view());
    let wants = Wants::of(&pod);
    let empty = NodeUsage::default();
    for (node, &cap) in nodes.iter().zip(&pass.topology.capacity) {
        let name = node.metadata.name.clone().unwrap_or_default();
        let used = pass.usage.get(&name).unwrap_or(&empty);
        let mut why = filter(&pod, &wants, node, cap, used);
        if why.is_empty() {
            why = volume_binding::filter(world, &volumes, node);
        }
        if let (true, Some(state)) = (why.is_empty(), &inter_pod) {
            let none = BTreeMap::new();
            let labels = pass.topology.node_labels.get(&name).unwrap_or(&none);
            if let Some(reason) = state.filter(labels) {
                why = vec![reason.to_string()];
            }
        }
        if why.is_empty() {
            why = dynamic_resources::filter(needs_claims);
        }
        if why.is_empty() {
            let preferred = affinity::preferred_weight(&pod, node);
            feasible.push((score(&wants, cap, used), name));
            preferred_weights.push(preferred);
        } else {
            let resource_only = why.iter().all(|w| {
                w.starts_with("Insufficient") || w == "Too many pods" || w.contains("free ports")
            });
            if resource_only {
                short.push(node);
            }
            let anti = why
                .iter()
                .any(|w| w == interpod::ANTI_AFFINITY || w == interpod::EXISTING_ANTI_AFFINITY);
            let label = if resource_only || (anti && !preemption::has_victims(world, &pod, node)) {
                "No preemption victims found for incoming pod".to_string()
            } else if anti {
                // Removing lower-priority pods is not simulated for anti-affinity: the
                // dry run's own reason, as when their removal does not help.
                why[0].clone()
            } else {
                "Preemption is not helpful for scheduling".to_string()
            };
            *preemption_helps.entry(label).or_default() += 1;
            for w in why {
                *reasons.entry(w).or_default() += 1;
            }
        }
    }
    let key = (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    );
    if feasible.is_empty() {
        let histogram = |m: &BTreeMap<String, usize>| {
            let mut parts: Vec<String> = m.iter().map(|(r, n)| format!("{n} {r}")).collect();
            parts.stable_sort();
            parts.join(", ")
        };
        let n = nodes.len();
        let fit_error = format!("0/{n} nodes are available: {}.", histogram(&reasons));
        let message = if nodes.is_empty() {
            "no nodes available to schedule pods".to_string()
        } else if let (Err(why), false) = (preemption::eligible(world, &pod), short.is_empty()) {
            format!("{fit_error} preemption: {why}")
        } else if let Some(node) = preemption::may_have_victims(&pod, pass.lowest_victim(world))
            .then(|| preemption::preempt(world, &pod, &short))
            .flatten()
        {
            // Preemption succeeded: the fit error alone, and the nominated node.
            if let Some(Object::Pod(fresh)) = world.api.get("Pod", &key.0, &key.1) {
                pod = fresh.as_ref().clone();
            }
            pod.status
                .get_or_insert_with(Default::default)
                .nominated_node_name = Some(node);
            fit_error
        } else {
            format!(
                "{fit_error} preemption: 0/{n} nodes are available: {}.",
                histogram(&preemption_helps)
            )
        };
        mark_unschedulable(world, pod, &message);
        return;
    }
    // NodeAffinity score: matched preferred weights normalised to 0-100, plugin weight 2.
    let max_weight = preferred_weights.iter().copied().max().unwrap_or(0);
    if max_weight > 0 {
        for ((score, _), w) in feasible.iter_mut().zip(&preferred_weights) {
            *score += 2.0 * (w * 100 / max_weight) as f64;
        }
    }
    // InterPodAffinity score, plugin weight 2.
    let names: Vec<String> = feasible.iter().map(|(_, n)| n.clone()).collect();
    if let Some(scores) = interpod::scores(&pod, &pass.view(), &names) {
        for ((score, _), s) in feasible.iter_mut().zip(scores) {
            *score += 2.0 * s as f64;
        }
    }
    let best = feasible.iter().map(|(s, _)| *s).fold(f64::MIN, f64::max);
    let top: Vec<&String> = feasible
        .iter()
        .filter(|(s, _)| (*s - best).abs() < 1e-9)
        .map(|(_, n)| n)
        .collect();
    // Scores that are not numbers (requests at f64's edge) tie everywhere.
    let top = if top.is_empty() {
        feasible.iter().map(|(_, n)| n).collect()
    } else {
        top
    };
    let Some(chosen) = top.get(world.rng.next_u64() as usize % top.len().max(1)) else {
        return;
    };
    let chosen = (*chosen).clone();
    // PreBind: the pod binds once its claims are Bound (the binder finishes their binding,
    // a provisioner provisions on the chosen node).
    let chosen_node = nodes
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(chosen.as_str()));
    if chosen_node.is_some_and(|n| !volume_binding::pre_bind(world, &volumes, n)) {
        return;
    }

    let now = world.clock.now_time();
    // The event names the pod as the scheduler assumed it: at the version it read.
    let read_version = pod.metadata.resource_version.clone();
    if let Some(spec) = pod.spec.as_mut() {
        spec.node_name = Some(chosen.clone());
    }
    pass.bind(&pod, &chosen);
    set_condition(
        &mut pod,
        PodCondition {
            type_: "PodScheduled".into(),
            status: "True".into(),
            last_transition_time: Some(now),
            ..Default::default()
        },
    );
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    if let Ok(stored) = world.api.bind(Object::Pod(Box::new(pod))) {
        // Only the metadata is read (the event names the pod).
        let Object::Pod(stored) = stored else {
            return;
        };
        let meta = stored.metadata.clone();
        let message = format!("Successfully assigned {}/{} to {chosen}", key.0, key.1);
        let mut regarding = Involved::pod(&meta);
        regarding.resource_version = read_version.as_deref();
        record(
            world,
            Occurrence {
                regarding,
                related: None,
                kind: EventType::Normal,
                reason: "Scheduled",
                action: "Binding",
                note: &message,
            },
        );
        let due = world.clock.now_ms();
        world.timers.at(
            due,
            Task::KubeletSync {
                namespace: key.0,
                name: key.1,
                uid,
            },
        );
    }
}

/// A failed attempt: its event (every attempt records one, about the pod as read; the
/// events API makes repeats a series), then the PodScheduled condition if it changed.
fn mark_unschedulable(world: &mut World, mut pod: Pod, message: &str) {
    record(
        world,
        Occurrence {
            regarding: Involved::pod(&pod.metadata),
            related: None,
            kind: EventType::Warning,
            reason: "FailedScheduling",
            action: "Scheduling",
            note: message,
        },
    );
    let current = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"))
        .and_then(|c| c.message.clone());
    let nominated_before = world
        .api
        .get_as::<Pod>(
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or(""),
        )
        .and_then(|p| p.status.as_ref()?.nominated_node_name.clone());
    let nominated = pod
        .status
        .as_ref()
        .and_then(|s| s.nominated_node_name.clone());
    if current.as_deref() == Some(message) && nominated == nominated_before {
        return;
    }
    let now = world.clock.now_time();
    set_condition(
        &mut pod,
        PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some(message.to_string()),
            last_transition_time: Some(now),
            ..Default::default()
        },
    );
    let _ = world.api.update_status(Object::Pod(Box::new(pod)));
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::api::core::v1::{Container, PodSpec, ResourceRequirements};
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use serde_json::json;

    use super::*;
    use crate::clock::SimDuration;
    use crate::cluster::{Cluster, ClusterProfile};
    use crate::controllers::testing::{object, Bench};

    fn pod_requesting(name: &str, cpu: &str) -> Object {
        Object::Pod(Box::new(Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            spec: Some(PodSpec {
                containers: vec![Container {
                    name: "app".into(),
                    image: Some("nginx".into()),
                    resources: Some(ResourceRequirements {
                        requests: Some(BTreeMap::from([("cpu".to_string(), Quantity(cpu.into()))])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            status: None,
        }))
    }

    #[test]
    fn explains_an_unschedulable_pod_like_kube_scheduler() {
        let mut cluster = Cluster::new();
        cluster.create(pod_requesting("big", "3")).unwrap();
        cluster.advance(SimDuration::seconds(1));
        let Some(p) = cluster.world.api.get_as::<Pod>("default", "big") else {
            panic!("pod missing")
        };
        let cond = p
            .status
            .as_ref()
            .unwrap()
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .find(|c| c.type_ == "PodScheduled")
            .unwrap();
        assert_eq!(cond.status, "False");
        assert_eq!(
            cond.message.as_deref(),
            Some("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.")
        );
        let out = cluster.run("kubectl get events").text();
        assert!(
            out.contains("Warning   FailedScheduling   pod/big"),
            "{out}"
        );
        // Waiting does not repeat the same event.
        cluster.advance(SimDuration::seconds(60));
        assert_eq!(
            cluster
                .run("kubectl get events")
                .text()
                .matches("FailedScheduling")
                .count(),
            1
        );
    }

    /// The nodes and namespaces a pass reads are kept between passes; a change to either
    /// is seen by the next pod.
    #[test]
    fn relabelled_nodes_and_namespaces_are_seen_by_the_next_pod() {
        let mut cluster = Cluster::new();
        cluster.run("kubectl run first --image=nginx");
        cluster.advance(SimDuration::seconds(1));
        cluster.run("kubectl label node node2 disk=ssd");
        cluster.run("kubectl create ns other");
        cluster.run("kubectl run db --image=nginx -n other --labels=app=db");
        cluster.advance(SimDuration::seconds(1));
        cluster.run("kubectl label ns other team=x");
        let node_of = |cluster: &Cluster, name: &str| {
            cluster
                .world
                .api
                .get_as::<Pod>("default", name)
                .and_then(|p| p.spec.as_ref()?.node_name.clone())
        };
        cluster
            .create(object(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "ssd", "namespace": "default"},
                "spec": {"nodeSelector": {"disk": "ssd"},
                         "containers": [{"name": "app", "image": "nginx"}]}
            })))
            .unwrap();
        let db_node = cluster
            .world
            .api
            .get_as::<Pod>("other", "db")
            .and_then(|p| p.spec.as_ref()?.node_name.clone());
        cluster
            .create(object(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "near-db", "namespace": "default"},
                "spec": {"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
                            "labelSelector": {"matchLabels": {"app": "db"}},
                            "namespaceSelector": {"matchLabels": {"team": "x"}},
                            "topologyKey": "kubernetes.io/hostname"}]}},
                         "containers": [{"name": "app", "image": "nginx"}]}
            })))
            .unwrap();
        cluster.advance(SimDuration::seconds(1));
        assert_eq!(node_of(&cluster, "ssd").as_deref(), Some("node2"));
        assert!(db_node.is_some());
        assert_eq!(node_of(&cluster, "near-db"), db_node);
    }

    #[test]
    fn fills_nodes_by_requests() {
        let mut cluster = Cluster::new();
        for i in 0..4 {
            cluster
                .create(pod_requesting(&format!("p{i}"), "1500m"))
                .unwrap();
        }
        cluster.advance(SimDuration::seconds(10));
        let nodes: Vec<String> = cluster
            .world
            .api
            .list("Pod", Some("default"))
            .filter_map(|o| match o {
                Object::Pod(p) => Some(
                    p.spec
                        .as_ref()
                        .unwrap()
                        .node_name
                        .clone()
                        .unwrap_or_else(|| "<none>".into()),
                ),
                _ => None,
            })
            .collect();
        let mut sorted = nodes.clone();
        sorted.stable_sort();
        assert_eq!(
            sorted,
            vec!["<none>", "node1", "node2", "node3"],
            "three fit, one waits: {nodes:?}"
        );
    }

    fn pod(name: &str, cpu: &str, node: Option<&str>) -> Object {
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{
                "name": "app", "image": "nginx",
                "resources": {"requests": {"cpu": cpu}}
            }]}
        });
        if let Some(node) = node {
            pod["spec"]["nodeName"] = json!(node);
        }
        object(pod)
    }

    fn scheduled_condition(bench: &Bench, name: &str) -> PodCondition {
        let Some(p) = bench.world.api.get_as::<Pod>("default", name) else {
            panic!("no pod {name}");
        };
        p.status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .find(|c| c.type_ == "PodScheduled")
            .cloned()
            .expect("PodScheduled")
    }

    fn node_of(bench: &Bench, name: &str) -> Option<String> {
        match bench.world.api.get("Pod", "default", name) {
            Some(Object::Pod(p)) => p.spec.as_ref().and_then(|s| s.node_name.clone()),
            _ => panic!("no pod {name}"),
        }
    }

    #[test]
    fn binds_a_pending_pod_to_the_node_with_room() {
        let mut bench = Bench::new(Box::<Scheduler>::default());
        let mut profile = ClusterProfile::multi_node();
        profile.nodes.truncate(3); // control-plane (tainted), node1, node2
        bench.add_nodes(&profile);
        bench.create(pod("hog", "2", Some("node2")));
        bench.create(pod("x", "1", None));
        bench.pass();
        assert_eq!(node_of(&bench, "x").as_deref(), Some("node1"));
        let cond = scheduled_condition(&bench, "x");
        assert_eq!((cond.status.as_str(), cond.reason), ("True", None));
        assert_eq!(
            bench.events(),
            vec!["Scheduled: Successfully assigned default/x to node1".to_string()]
        );
        // The kubelet of node1 hears of the pod at once.
        assert_eq!(bench.next_wake(), Some(bench.world.clock.now_ms()));
        // Nothing is left to place.
        let rv = bench.world.api.resource_version();
        bench.pass();
        assert_eq!(bench.world.api.resource_version(), rv);
    }

    #[test]
    fn a_pod_that_fits_nowhere_is_marked_unschedulable_once() {
        let mut bench = Bench::new(Box::<Scheduler>::default());
        bench.add_nodes(&ClusterProfile::multi_node());
        bench.create(pod("big", "3", None));
        bench.pass();
        let message = "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.";
        assert_eq!(node_of(&bench, "big"), None);
        let cond = scheduled_condition(&bench, "big");
        assert_eq!(
            (
                cond.status.as_str(),
                cond.reason.as_deref(),
                cond.message.as_deref()
            ),
            ("False", Some("Unschedulable"), Some(message))
        );
        assert_eq!(bench.events(), vec![format!("FailedScheduling: {message}")]);
        // It waits in the unschedulable queue: further passes write nothing.
        let rv = bench.world.api.resource_version();
        bench.pass();
        bench.pass();
        assert_eq!(bench.world.api.resource_version(), rv);
        // Nothing moves it until the queue's first 30-second flush after five minutes
        // in the pool (the scheduler started at this pass).
        let failed = bench.world.clock.now_ms();
        assert_eq!(bench.next_wake(), Some(failed + 330_000));
        bench.advance(SimDuration::seconds(329));
        assert_eq!(bench.events().len(), 1);
        assert_eq!(bench.wake(), Some(failed + 330_000));
        // Tried again: the same condition (not written again), a new event (the pod
        // changed since the first), and the next flush five and a half minutes on.
        assert_eq!(bench.events().len(), 2);
        assert_eq!(
            scheduled_condition(&bench, "big").message.as_deref(),
            Some(message)
        );
        // (The event recorder checks its series at the 6-minute mark.)
        assert_eq!(bench.wake(), Some(failed + 360_000));
        assert_eq!(bench.wake(), Some(failed + 660_000));
    }
}
