//! The eviction manager, for memory (upstream's `synchronize` for the `memory.available`
//! signal): a node's available memory is its capacity less its working set (its own use
//! plus its containers', `node::stats`). Below the hard threshold (the kubelet's default
//! `memory.available<100Mi`, which kubeadm keeps; minikube's kubelet config sets
//! `evictionHard` without it, so no threshold there) the node reports `MemoryPressure`, warns
//! `EvictionThresholdMet` and evicts one pod per pass, ranked as `rankMemoryPressure`
//! ranks them. The condition clears once the threshold has not been met for the pressure
//! transition period (5 m).
//!
//! Nothing is watched while memory is plentiful: a kubelet sync that leaves a node under the
//! threshold starts the watch ([`notice`]); the housekeeping then looks every 10 s until the
//! condition is False again.

use crate::sort::SliceSort;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};

use crate::api::object::Object;
use crate::api::quantity;
use crate::node::{stats, NodeCx, Stage};
use crate::world::events::{self, EventType, Source};

/// The kubelet's default hard threshold for `memory.available`, in bytes.
pub const DEFAULT_THRESHOLD: u64 = 100 << 20;
/// How long a condition stays after its threshold stops being met
/// (`evictionPressureTransitionPeriod`).
pub const TRANSITION_MS: i64 = 5 * 60 * 1000;
/// Priority from which a pod is critical and never evicted (`SystemCriticalPriority`).
const CRITICAL_PRIORITY: i32 = 2_000_000_000;

/// What the memory side of the eviction managers remembers.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    /// Nodes whose kubelet is configured other than with the default threshold: their
    /// `memory.available` threshold in bytes, if any.
    thresholds: BTreeMap<String, Option<u64>>,
    /// Nodes being watched, and when the threshold was last met there (epoch ms), if yet.
    watched: BTreeMap<String, Option<i64>>,
    /// Each node's memory capacity as last read, parsed (read after every kubelet sync).
    capacities: BTreeMap<String, (String, Option<i64>)>,
}

impl Memory {
    /// Sets `node`'s `memory.available` hard threshold (`None`: its kubelet has none).
    pub fn set_threshold(&mut self, node: &str, bytes: Option<u64>) {
        self.thresholds.insert(node.to_string(), bytes);
    }

    /// `node`'s threshold, in bytes.
    fn threshold(&self, node: &str) -> Option<u64> {
        self.thresholds
            .get(node)
            .copied()
            .unwrap_or(Some(DEFAULT_THRESHOLD))
    }

    /// Whether any node is watched.
    pub fn is_watching(&self) -> bool {
        !self.watched.is_empty()
    }

    /// The watched nodes.
    pub fn nodes(&self) -> Vec<String> {
        self.watched.keys().cloned().collect()
    }
}

/// `node`'s `memory.available` in bytes (negative when its working set passes its capacity).
fn available(cx: &mut NodeCx<'_>, node: &str) -> Option<i64> {
    let n = cx.world.api.get_as::<Node>("", node)?;
    let written = n
        .status
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("memory"))
        .map(|q| q.0.as_str())?;
    let capacities = &mut cx.kubelet.eviction.memory.capacities;
    let capacity = match capacities.get(node) {
        Some((seen, bytes)) if seen == written => *bytes,
        _ => {
            let bytes = quantity::parse(written).map(|v| v.clamp(0.0, 1e18) as i64);
            capacities.insert(node.to_string(), (written.to_string(), bytes));
            bytes
        }
    }?;
    let used = stats::working_set(n, &cx.world.cgroups).min(i64::MAX as u64) as i64;
    Some(capacity.saturating_sub(used))
}

/// After a kubelet sync on `node`: starts watching it if its memory is below the threshold.
pub fn notice(cx: &mut NodeCx<'_>, node: &str) {
    let memory = &cx.kubelet.eviction.memory;
    if memory.watched.contains_key(node) {
        return;
    }
    let Some(threshold) = memory.threshold(node) else {
        return;
    };
    if available(cx, node).is_some_and(|a| a < threshold as i64) {
        cx.kubelet
            .eviction
            .memory
            .watched
            .insert(node.to_string(), None);
        super::arm(cx);
    }
}

/// One pass of `node`'s eviction manager for memory: the condition brought up to date and,
/// while the threshold is met, one pod evicted (unless `evicted` says the pass already
/// evicted one for local storage).
pub fn synchronize(cx: &mut NodeCx<'_>, node: &str, evicted: bool) {
    let now = cx.world.clock.now_ms();
    let threshold = cx.kubelet.eviction.memory.threshold(node);
    let (Some(threshold), Some(available)) = (threshold, available(cx, node)) else {
        cx.kubelet.eviction.memory.watched.remove(node);
        return;
    };
    let met = available < threshold as i64;
    let last = cx
        .kubelet
        .eviction
        .memory
        .watched
        .get(node)
        .copied()
        .flatten();
    let last = if met { Some(now) } else { last };
    let pressure = last.is_some_and(|at| now.saturating_sub(at) < TRANSITION_MS);
    if pressure {
        cx.kubelet
            .eviction
            .memory
            .watched
            .insert(node.to_string(), last);
    } else {
        cx.kubelet.eviction.memory.watched.remove(node);
    }
    set_condition(cx, node, pressure);
    if !met || evicted {
        return;
    }
    if let Some(n) = cx.world.api.get_as::<Node>("", node).cloned() {
        events::record(
            cx.world,
            &Object::Node(Box::new(n)),
            EventType::Warning,
            "EvictionThresholdMet",
            "Attempting to reclaim memory",
            kubelet(node),
        );
    }
    evict_one(cx, node, threshold, available);
}

fn kubelet(node: &str) -> Source<'_> {
    Source {
        component: "kubelet",
        host: Some(node),
    }
}

/// Sets `node`'s `MemoryPressure` condition, if it changes, as the kubelet's status setter
/// does (every condition's heartbeat moves with the post), with its `NodeHas…` event.
fn set_condition(cx: &mut NodeCx<'_>, node: &str, pressure: bool) {
    let Some(mut n) = cx.world.api.get_as::<Node>("", node).cloned() else {
        return;
    };
    let (status, reason, message, event) = if pressure {
        (
            "True",
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
            "NodeHasInsufficientMemory",
        )
    } else {
        (
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            "NodeHasSufficientMemory",
        )
    };
    let now = cx.world.clock.now_time();
    let conditions = n
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    if conditions
        .iter()
        .any(|c| c.type_ == "MemoryPressure" && c.status == status)
    {
        return;
    }
    for c in conditions.iter_mut() {
        c.last_heartbeat_time = Some(now.clone());
        if c.type_ == "MemoryPressure" {
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_transition_time = Some(now.clone());
        }
    }
    let Ok(stored) = cx.world.api.update_status(Object::Node(Box::new(n))) else {
        return;
    };
    let stored = stored.clone();
    events::record(
        cx.world,
        &stored,
        EventType::Normal,
        event,
        &format!("Node {node} status is now: {event}"),
        kubelet(node),
    );
}

/// A pod the eviction manager may pick, as its ranking sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The pod's working set in bytes, if the Summary API has its stats.
    pub usage: Option<u64>,
    /// Its memory request, in bytes.
    pub request: u64,
    /// Its priority.
    pub priority: i32,
}

/// `rankMemoryPressure`'s order (`Less` first): pods without stats, then pods whose usage
/// exceeds their request; then lower priority; then more usage above the request.
pub fn rank(a: &Candidate, b: &Candidate) -> Ordering {
    // Each comparison puts a pod without stats first, and is a tie when both lack them.
    let by_stats = |cmp: &dyn Fn(u64, u64) -> Ordering| match (a.usage, b.usage) {
        (Some(ua), Some(ub)) => cmp(ua, ub),
        _ => b.usage.is_none().cmp(&a.usage.is_none()),
    };
    let above = |u: u64, c: &Candidate| i128::from(u) - i128::from(c.request);
    by_stats(&|ua, ub| (ub > b.request).cmp(&(ua > a.request)))
        .then(a.priority.cmp(&b.priority))
        .then_with(|| by_stats(&|ua, ub| above(ub, b).cmp(&above(ua, a))))
}

/// A pod's memory request (`GetResourceRequestQuantity`): its containers' requests summed,
/// or an init container's if larger.
fn memory_request(pod: &Pod) -> u64 {
    let request = |c: &k8s_openapi::api::core::v1::Container| {
        c.resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("memory"))
            .and_then(|q| quantity::parse(&q.0))
            .map_or(0, |v| v.clamp(0.0, 1e18) as u64)
    };
    let spec = pod.spec.as_ref();
    let sum = spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .fold(0u64, |t, c| t.saturating_add(request(c)));
    let init = spec
        .iter()
        .flat_map(|s| s.init_containers.iter().flatten())
        .map(request)
        .max()
        .unwrap_or(0);
    sum.max(init)
}

/// Whether the kubelet refuses to evict `pod` (`IsCriticalPod`): a static or mirror pod,
/// or one of system-critical priority.
fn critical(pod: &Pod) -> bool {
    let annotations = pod.metadata.annotations.as_ref();
    let source = annotations.and_then(|a| a.get("kubernetes.io/config.source"));
    source.is_some_and(|s| s != "api")
        || crate::api::pod::is_mirror(&pod.metadata)
        || pod
            .spec
            .as_ref()
            .and_then(|s| s.priority)
            .is_some_and(|p| p >= CRITICAL_PRIORITY)
}

/// Ranks `node`'s active pods and evicts the first that may be evicted.
fn evict_one(cx: &mut NodeCx<'_>, node: &str, threshold: u64, available: i64) {
    let now = cx.world.clock.now_ms();
    let summary = stats::summary(cx.world, node, now);
    let mut pods: Vec<(Candidate, Pod)> = cx
        .world
        .api
        .pods_on(node)
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .filter(|p| {
            let uid = p.metadata.uid.as_deref().unwrap_or_default();
            !matches!(
                cx.kubelet.stages.get(uid),
                Some(Stage::Evicted | Stage::Terminating)
            )
        })
        .map(|p| {
            let uid = p.metadata.uid.as_deref().unwrap_or_default();
            let usage = summary.pods.iter().find(|s| s.uid == uid).map(|s| {
                s.containers
                    .iter()
                    .fold(0u64, |t, c| t.saturating_add(c.memory_working_set_bytes))
            });
            let candidate = Candidate {
                usage,
                request: memory_request(p),
                priority: p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0),
            };
            (candidate, p.clone())
        })
        .collect();
    // A stable sort: ties keep the store's (namespace, name) order.
    pods.stable_sort_by(|a, b| rank(&a.0, &b.0));
    let Some((_, pod)) = pods.into_iter().find(|(_, p)| !critical(p)) else {
        return;
    };
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let containers = summary
        .pods
        .iter()
        .find(|s| s.uid == uid)
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    let message = message(&pod, &containers, threshold, available);
    super::evict(cx, &pod, &message, true);
}

/// The eviction message (`evictionMessage`): the starved resource, the threshold and what
/// was available, then each container using more than it requests.
fn message(
    pod: &Pod,
    containers: &[stats::ContainerStats],
    threshold: u64,
    available: i64,
) -> String {
    let mut text = format!(
        "The node was low on resource: memory. Threshold quantity: {}, available: {}. ",
        binary(i128::from(threshold)),
        binary(i128::from(available))
    );
    let spec = pod.spec.as_ref();
    let all = spec.iter().flat_map(|s| {
        s.containers
            .iter()
            .chain(s.init_containers.iter().flatten())
    });
    let specs: Vec<_> = all.collect();
    for st in containers {
        let Some(c) = specs.iter().find(|c| c.name == st.name) else {
            continue;
        };
        let request = c
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("memory"));
        let request_bytes = request
            .and_then(|q| quantity::parse(&q.0))
            .map_or(0.0, |v| v.max(0.0));
        if st.memory_working_set_bytes as f64 > request_bytes {
            let shown = request
                .and_then(|q| quantity::canonical(&q.0))
                .unwrap_or_else(|| "0".into());
            text.push_str(&format!(
                "Container {} was using {}, request is {shown}, has larger consumption of memory. ",
                st.name,
                binary(i128::from(st.memory_working_set_bytes))
            ));
        }
    }
    text
}

/// Bytes as Go prints a `BinarySI` quantity (`100Mi`, `52428Ki`, `-3Mi`, `1500`).
fn binary(bytes: i128) -> String {
    let sign = if bytes < 0 { "-" } else { "" };
    let magnitude = bytes.unsigned_abs().min(u128::from(u64::MAX)) as u64;
    format!("{sign}{}", quantity::canonical_bytes(magnitude, "Mi"))
}

#[cfg(test)]
mod tests;
