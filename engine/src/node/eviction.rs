//! The kubelet's eviction manager. For memory, see [`memory`]. For local storage: every 10 s
//! (`evictionMonitoringPeriod`)
//! it compares each pod's measured usage with its limits and evicts a pod whose disk-backed
//! emptyDir exceeds its `sizeLimit`, whose containers together exceed the pod's total
//! `ephemeral-storage` limit, or whose container exceeds its own (upstream's
//! `localStorageEviction`, in that order). [`evict`] is the one way a pod is evicted.
//!
//! Usage is what the kubelet's volume stats last measured (`du`, [`Tree::disk_usage`]): each
//! pod is measured at the first housekeeping after it starts, then every
//! `volumeStatsAggPeriod` (1 m) plus a jitter fixed by its uid, so a write shows up within
//! 60–100 s, as on a real node. Only pods with such limits are watched, and the housekeeping
//! timer runs only while there are some: idle time costs nothing.
//!
//! An evicted pod's containers get a 1 s grace period (at least the kubelet's 2 s minimum),
//! then the pod is `Failed` with reason `Evicted`, its volumes torn down and its containers
//! removed; its status then reads as on a 1.34 node after that removal (see [`finish`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition,
};

use crate::api::object::Object;
use crate::api::pod::set_condition;
use crate::api::quantity;
use crate::node::{kubelet, NodeCx, Stage};
use crate::storage::{Backing, Tree};
use crate::timers::Task;
use crate::world::events::{self, EventType, Source};

/// How often the eviction manager looks (`evictionMonitoringPeriod`).
pub const MONITORING_MS: i64 = 10_000;
/// The grace period an eviction gives containers (`immediateEvictionGracePeriodSeconds`).
const EVICTION_GRACE_MS: i64 = 1_000;
/// `ContainerStatusUnknown`, the state of a container removed before its end was recorded.
const STATUS_UNKNOWN: &str = "ContainerStatusUnknown";

/// What the eviction managers remember.
#[derive(Clone, Debug, Default)]
pub struct Manager {
    /// When the housekeeping timer is due, if it is queued.
    armed: Option<i64>,
    /// Each watched pod's last measurement, by uid.
    watched: BTreeMap<String, Sample>,
    /// Evicted pods while their containers stop, by uid.
    evicting: BTreeMap<String, Evicting>,
    /// The memory side: nodes under (or just out of) memory pressure.
    pub memory: memory::Memory,
}

/// Why a pod is being evicted.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Evicting {
    /// The message its status and event carry.
    message: String,
    /// Whether it gets the `DisruptionTarget` condition (evictions for node pressure).
    disruption: bool,
}

/// A watched pod and what its volume stats last measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Sample {
    namespace: String,
    name: String,
    /// When it is measured next (epoch ms).
    next_ms: i64,
    /// Bytes each emptyDir volume takes, by volume name.
    volumes: BTreeMap<String, u64>,
    /// Bytes each container's writable layer takes, by container name.
    containers: BTreeMap<String, u64>,
}

impl Manager {
    /// Forgets a pod that left the store.
    pub fn forget(&mut self, uid: &str) {
        self.watched.remove(uid);
        self.evicting.remove(uid);
    }
}

/// The grid instant after `now`: housekeeping runs on multiples of [`MONITORING_MS`].
fn next_tick(now: i64) -> i64 {
    (now.div_euclid(MONITORING_MS) + 1) * MONITORING_MS
}

/// The byte value of a quantity, if well formed and positive.
fn bytes(q: &str) -> Option<u64> {
    quantity::parse(q)
        .filter(|v| *v > 0.0)
        .map(|v| v.ceil() as u64)
}

/// Disk-backed emptyDir volumes with a `sizeLimit`: (name, limit as written).
fn limited_empty_dirs(pod: &Pod) -> Vec<(String, String)> {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| {
            let e = v.empty_dir.as_ref()?;
            if e.medium.as_deref() == Some("Memory") {
                return None; // bounded by its tmpfs
            }
            let q = e.size_limit.as_ref()?.0.clone();
            bytes(&q).map(|_| (v.name.clone(), q))
        })
        .collect()
}

/// Each container's `ephemeral-storage` limit, as written.
fn container_limits(pod: &Pod) -> Vec<(String, String)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter_map(|c| {
            let q = c
                .resources
                .as_ref()?
                .limits
                .as_ref()?
                .get("ephemeral-storage")?
                .0
                .clone();
            bytes(&q).map(|_| (c.name.clone(), q))
        })
        .collect()
}

/// Whether the eviction manager has anything to compare for `pod`.
pub fn has_limits(pod: &Pod) -> bool {
    !limited_empty_dirs(pod).is_empty() || !container_limits(pod).is_empty()
}

/// Whether `pod` (as stored after a kubelet sync) is to be watched from now: it runs, has
/// local storage limits and is not watched yet.
pub fn wants_watch(cx: &NodeCx<'_>, pod: &Pod) -> bool {
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    !cx.kubelet.eviction.watched.contains_key(uid)
        && cx.kubelet.stages.get(uid) == Some(&Stage::Running)
        && pod.metadata.deletion_timestamp.is_none()
        && has_limits(pod)
}

/// Starts watching pod `uid` (see [`wants_watch`]); queues the housekeeping if it is not
/// queued.
pub fn watch(cx: &mut NodeCx<'_>, namespace: &str, name: &str, uid: &str) {
    let now = cx.world.clock.now_ms();
    cx.kubelet.eviction.watched.insert(
        uid.to_string(),
        Sample {
            namespace: namespace.to_string(),
            name: name.to_string(),
            next_ms: now,
            ..Default::default()
        },
    );
    arm(cx);
}

/// Queues the housekeeping at the next grid instant, if it is not queued.
fn arm(cx: &mut NodeCx<'_>) {
    if cx.kubelet.eviction.armed.is_none() {
        let at = next_tick(cx.world.clock.now_ms());
        cx.kubelet.eviction.armed = Some(at);
        cx.world.timers.at(at, Task::Housekeeping);
    }
}

/// One housekeeping pass: measures the watched pods that are due, evicts those over a limit,
/// then looks at the nodes watched for memory; queues the next pass while any are left.
pub fn housekeeping(cx: &mut NodeCx<'_>) {
    let now = cx.world.clock.now_ms();
    cx.kubelet.eviction.armed = None;
    let mut evicted_on = std::collections::BTreeSet::new();
    let uids: Vec<String> = cx.kubelet.eviction.watched.keys().cloned().collect();
    for uid in uids {
        let Some(mut sample) = cx.kubelet.eviction.watched.remove(&uid) else {
            continue;
        };
        let pod = cx
            .world
            .api
            .get_as::<Pod>(&sample.namespace, &sample.name)
            .filter(|p| p.metadata.uid.as_deref() == Some(uid.as_str()))
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .cloned();
        let Some(pod) = pod.filter(|_| cx.kubelet.stages.get(&uid) == Some(&Stage::Running)) else {
            continue;
        };
        if cx.world.heartbeats.is_down(&node_of(&pod)) {
            // Its kubelet is stopped: nothing measures the pod until it starts.
            cx.kubelet.eviction.watched.insert(uid, sample);
            continue;
        }
        if sample.next_ms <= now {
            measure(cx, &pod, &mut sample);
            sample.next_ms = now + crate::node::volumes::projection::refresh::delay_ms(&uid);
        }
        match violation(&pod, &sample) {
            Some(message) => {
                evicted_on.insert(node_of(&pod));
                evict(cx, &pod, &message, false);
            }
            None => {
                cx.kubelet.eviction.watched.insert(uid, sample);
            }
        }
    }
    for node in cx.kubelet.eviction.memory.nodes() {
        memory::synchronize(cx, &node, evicted_on.contains(&node));
    }
    if !cx.kubelet.eviction.watched.is_empty() || cx.kubelet.eviction.memory.is_watching() {
        let at = now + MONITORING_MS;
        cx.kubelet.eviction.armed = Some(at);
        cx.world.timers.at(at, Task::Housekeeping);
    }
}

/// The volume stats of `pod` now: each emptyDir's usage and each container's writable layer
/// (the bytes its root holds beyond its image's).
fn measure(cx: &NodeCx<'_>, pod: &Pod, sample: &mut Sample) {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    sample.volumes = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter(|v| v.empty_dir.is_some())
        .filter_map(|v| {
            let backing = Backing::Pod {
                uid: uid.clone(),
                volume: v.name.clone(),
            };
            let used = cx.world.storage.tree(&backing)?.disk_usage();
            Some((v.name.clone(), used))
        })
        .collect();
    sample.containers = if container_limits(pod).is_empty() {
        BTreeMap::new()
    } else {
        pod.spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .filter_map(|c| {
                let key = crate::node::runtime::key(pod, &c.name);
                let inst = cx.kubelet.containers.get(&key)?.current.as_ref()?;
                let p = &inst.process;
                if p.root.untouched() {
                    // Nothing has written to it: no writable layer.
                    return Some((c.name.clone(), 0));
                }
                let base = crate::node::process::fs::image_tree(p, p.start_ms).disk_usage();
                Some((c.name.clone(), writable_layer(p.root(), base)))
            })
            .collect()
    };
}

/// Bytes a container's root holds beyond its image's `base`.
fn writable_layer(root: &Tree, base: u64) -> u64 {
    root.disk_usage().saturating_sub(base)
}

/// The eviction message for the first limit `pod` exceeds by `sample`, in upstream's order:
/// an emptyDir's `sizeLimit`, the pod's total `ephemeral-storage`, a container's own.
fn violation(pod: &Pod, sample: &Sample) -> Option<String> {
    for (name, limit) in limited_empty_dirs(pod) {
        let used = sample.volumes.get(&name).copied().unwrap_or(0);
        if used > bytes(&limit).unwrap_or(u64::MAX) {
            let shown = quantity::canonical(&limit).unwrap_or(limit);
            return Some(format!(
                "Usage of EmptyDir volume \"{name}\" exceeds the limit \"{shown}\". "
            ));
        }
    }
    let limits = container_limits(pod);
    if let Some((_, first)) = limits.first() {
        let total: u64 = limits.iter().filter_map(|(_, q)| bytes(q)).sum();
        let used: u64 =
            sample.volumes.values().sum::<u64>() + sample.containers.values().sum::<u64>();
        if used > total {
            return Some(format!(
                "Pod ephemeral local storage usage exceeds the total limit of containers {}. ",
                quantity::canonical_bytes(total, first)
            ));
        }
    }
    for (name, limit) in limits {
        let used = sample.containers.get(&name).copied().unwrap_or(0);
        if used > bytes(&limit).unwrap_or(u64::MAX) {
            let shown = quantity::canonical(&limit).unwrap_or(limit);
            return Some(format!(
                "Container {name} exceeded its local ephemeral storage limit \"{shown}\". "
            ));
        }
    }
    None
}

fn node_of(pod: &Pod) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .unwrap_or_default()
}

/// Evicts `pod` for `message` (the eviction manager's `evictPod`): an `Evicted` warning,
/// its containers stopped with a 1 s grace period; it fails when they have stopped, with
/// the `DisruptionTarget` condition if `disruption` (an eviction for node pressure).
pub fn evict(cx: &mut NodeCx<'_>, pod: &Pod, message: &str, disruption: bool) {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let node = node_of(pod);
    let obj = Object::Pod(Box::new(pod.clone()));
    events::record(
        cx.world,
        &obj,
        EventType::Warning,
        "Evicted",
        message,
        Source {
            component: "kubelet",
            host: Some(&node),
        },
    );
    let stop_ms = kubelet::kill_containers(cx, pod, &node, EVICTION_GRACE_MS);
    cx.kubelet.eviction.watched.remove(&uid);
    cx.kubelet.eviction.evicting.insert(
        uid.clone(),
        Evicting {
            message: message.to_string(),
            disruption,
        },
    );
    cx.kubelet.stages.insert(uid, Stage::Evicted);
    let due = cx.world.clock.now_ms().saturating_add(stop_ms);
    cx.world.timers.at(due, kubelet::key_task(&pod.metadata));
}

/// An evicted pod's containers have stopped: its final status (`Failed`, `Evicted`), its
/// containers removed and its volumes torn down.
///
/// The status is what a 1.34 kubelet ends up reporting: the eviction's phase, reason and
/// message, and each container as the kubelet reads it once the runtime has removed it
/// (`HandlePodReconcile` deletes an evicted pod's containers): terminated with
/// `ContainerStatusUnknown` (137), its last state the same with the "used to be Running"
/// message, one restart counted, no container or image ID. A pressure eviction adds
/// `DisruptionTarget` (`TerminationByKubelet`), last, as the status manager sends it with
/// the terminal phase. The containers' groups go: their memory is the node's again.
pub fn finish(cx: &mut NodeCx<'_>, mut pod: Pod) {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let Some(Evicting {
        message,
        disruption,
    }) = cx.kubelet.eviction.evicting.remove(&uid)
    else {
        return;
    };
    let now = cx.world.clock.now_time();
    let images: BTreeMap<String, String> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect();
    let status = pod.status.get_or_insert_with(Default::default);
    status.phase = Some("Failed".into());
    status.reason = Some("Evicted".into());
    status.message = Some(message.clone());
    for cs in status.container_statuses.iter_mut().flatten() {
        let was_running = cs.state.as_ref().is_some_and(|s| s.running.is_some());
        let unknown = |message: &str| ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 137,
                reason: Some(STATUS_UNKNOWN.into()),
                message: Some(message.into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        if !was_running && cs.state.as_ref().is_some_and(|s| s.terminated.is_some()) {
            continue;
        }
        *cs = ContainerStatus {
            name: cs.name.clone(),
            image: images.get(&cs.name).cloned().unwrap_or_default(),
            restart_count: cs.restart_count + i32::from(was_running),
            started: Some(false),
            state: Some(unknown(
                "The container could not be located when the pod was terminated",
            )),
            last_state: if was_running {
                Some(unknown("The container could not be located when the pod was deleted.  The container used to be Running"))
            } else {
                cs.last_state.clone()
            },
            ..Default::default()
        };
    }
    for (kind, reason) in [
        ("PodReadyToStartContainers", None),
        ("Ready", Some("PodCompleted")),
        ("ContainersReady", Some("PodCompleted")),
    ] {
        // The transition time moves only when the status does.
        let since = pod
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .find(|c| c.type_ == kind && c.status == "False")
            .and_then(|c| c.last_transition_time.clone());
        set_condition(
            &mut pod,
            PodCondition {
                type_: kind.into(),
                status: "False".into(),
                reason: reason.map(Into::into),
                last_transition_time: Some(since.unwrap_or_else(|| now.clone())),
                ..Default::default()
            },
        );
    }
    if disruption {
        set_condition(
            &mut pod,
            PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("TerminationByKubelet".into()),
                message: Some(message),
                last_transition_time: Some(now.clone()),
                ..Default::default()
            },
        );
    }
    let (namespace, name) = (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    );
    crate::node::usage::forget(cx.world, &pod);
    kubelet::save_pod(cx, pod);
    crate::node::runtime::forget_pod(cx, &namespace, &name);
    cx.world.storage.remove_pod(&uid);
}

pub mod memory;

#[cfg(test)]
mod tests;
