//! Init containers: the kubelet pulls and runs them one at a time, in order, each to
//! completion, before the app containers' images are pulled. A failed init container is
//! restarted with the runtime's back-off (`Init:Error`, `Init:CrashLoopBackOff`) unless the
//! pod's restartPolicy is Never, which fails the pod. The pod's `Initialized` condition and
//! `initContainerStatuses` follow.

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateWaiting, ContainerStatus, Pod, PodCondition,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::object::Object;
use crate::api::pod::set_condition;
use crate::node::kubelet::{self, Stage};
use crate::node::{runtime, NodeCx};
use crate::world::events::{self, EventType, Source};

/// Whether the pod has init containers.
pub fn has_init(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .is_some_and(|s| s.init_containers.as_ref().is_some_and(|i| !i.is_empty()))
}

/// Every init container waiting (`PodInitializing`), as the kubelet first reports them.
pub fn set_all_waiting(pod: &mut Pod) {
    let statuses: Vec<ContainerStatus> = pod
        .spec
        .iter()
        .flat_map(|s| s.init_containers.iter().flatten())
        .map(|c| ContainerStatus {
            name: c.name.clone(),
            image: c.image.clone().unwrap_or_default(),
            started: Some(false),
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("PodInitializing".into()),
                    message: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    pod.status
        .get_or_insert_with(Default::default)
        .init_container_statuses = Some(statuses);
}

/// The `Initialized` condition: True when `pending` (init containers not yet completed) is
/// empty, else False with upstream's reason and message.
pub fn set_initialized(pod: &mut Pod, pending: &[String], now: &Time) {
    let (status, reason, message) = if pending.is_empty() {
        ("True", None, None)
    } else {
        (
            "False",
            Some("ContainersNotInitialized".to_string()),
            Some(format!(
                "containers with incomplete status: [{}]",
                pending.join(" ")
            )),
        )
    };
    set_condition(
        pod,
        PodCondition {
            type_: "Initialized".into(),
            status: status.into(),
            reason,
            message,
            last_transition_time: Some(now.clone()),
            ..Default::default()
        },
    );
}

/// Starts pulling init container `index` `after_ms` from now (it starts when the timer fires).
pub fn begin(cx: &mut NodeCx<'_>, pod: &Pod, node: &str, index: usize, after_ms: i64) {
    let Some(c) = pod
        .spec
        .as_ref()
        .and_then(|s| s.init_containers.as_ref())
        .and_then(|i| i.get(index))
    else {
        return;
    };
    let elapsed = after_ms + kubelet::pull_if_needed(cx, pod, node, c);
    cx.kubelet.stages.insert(
        kubelet::pod_key(&pod.metadata),
        Stage::Initializing { index },
    );
    let due = cx.world.clock.now_ms().saturating_add(elapsed);
    cx.world.timers.at(due, kubelet::key_task(&pod.metadata));
}

/// The kubelet's step for a pod whose init container `index` is pulled or running.
pub fn sync(cx: &mut NodeCx<'_>, mut pod: Pod, node: &str, index: usize) {
    let inits = pod
        .spec
        .as_ref()
        .and_then(|s| s.init_containers.clone())
        .unwrap_or_default();
    let Some(c) = inits.get(index) else {
        return;
    };
    // What the init containers have written (and the use they turned to) by now lands
    // before anything looks at it.
    let now = cx.world.clock.now_ms();
    let writes = runtime::flush_writes(cx, &pod, &inits, now);
    let usage = runtime::flush_usage(cx, &pod, &inits, now);
    if let Some(at) = writes.into_iter().chain(usage).min() {
        cx.world
            .timers
            .at(at, crate::node::kubelet::key_task(&pod.metadata));
    }
    let pod_policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.clone())
        .unwrap_or_else(|| "Always".into());
    // An init container that fails is run again unless the pod never restarts; one that
    // completes is never run again.
    let policy = if pod_policy == "Never" {
        "Never"
    } else {
        "OnFailure"
    };
    let mut statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.init_container_statuses.clone())
        .unwrap_or_default();
    let Some(slot_status) = statuses.get_mut(index) else {
        return;
    };
    let key = runtime::key(&pod, &c.name);
    let started = cx
        .kubelet
        .containers
        .get(&key)
        .is_some_and(|s| s.current.is_some());
    let mut next_due = None;
    let mut changed = false;
    if started {
        changed |= runtime::sync_container(cx, &pod, c, policy, slot_status, &mut next_due);
    } else {
        if kubelet::failing_image_of(cx, &pod, c).is_some() {
            // Pull failures of init containers are not simulated further: the pod waits.
            let status = slot_status;
            status.state = Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("ErrImagePull".into()),
                    message: None,
                }),
                ..Default::default()
            });
            let obj = Object::Pod(Box::new(pod.clone()));
            events::record(
                cx.world,
                &obj,
                EventType::Warning,
                "Failed",
                "Error: ErrImagePull",
                Source {
                    component: "kubelet",
                    host: Some(node),
                },
            );
            set_statuses(&mut pod, statuses);
            kubelet::save_pod(cx, pod);
            return;
        }
        let retry = runtime::config_retry_at(cx, &pod, c);
        if let Some(at) = retry.filter(|at| *at > cx.world.clock.now_ms()) {
            // Not created for its configuration: the kubelet tries again later.
            cx.world.timers.at(at, kubelet::key_task(&pod.metadata));
            return;
        }
        (*slot_status, changed) = match retry {
            Some(_) => (runtime::retry_config(cx, &pod, c, slot_status), true),
            None => {
                kubelet::record_pulled(cx, events::Involved::pod(&pod.metadata), node, c);
                let fresh = runtime::start_container(cx, &pod, c, 0, None);
                let shown = slot_status.clone();
                runtime::observed_start(cx, &pod, c, fresh, &shown)
            }
        };
        next_due = runtime::config_retry_at(cx, &pod, c);
        if let Some((at, _)) = cx
            .kubelet
            .containers
            .get(&key)
            .and_then(|s| s.current.as_ref())
            .and_then(|i| i.exit)
        {
            next_due = Some(at);
        }
    }
    let done = statuses.get(index).is_some_and(|s| {
        s.state
            .as_ref()
            .and_then(|st| st.terminated.as_ref())
            .is_some_and(|t| t.exit_code == 0)
    });
    let restarting = cx
        .kubelet
        .containers
        .get(&key)
        .is_some_and(|s| s.restart_at.is_some());
    let failed_for_good = !done
        && !restarting
        && policy == "Never"
        && statuses
            .get(index)
            .is_some_and(|s| s.state.as_ref().is_some_and(|st| st.terminated.is_some()));
    set_statuses(&mut pod, statuses);
    if failed_for_good {
        if let Some(st) = pod.status.as_mut() {
            st.phase = Some("Failed".into());
        }
        cx.kubelet
            .stages
            .insert(kubelet::pod_key(&pod.metadata), Stage::Running);
        kubelet::save_pod(cx, pod);
        return;
    }
    if done && !restarting {
        let now = cx.world.clock.now_time();
        let pending: Vec<String> = inits[index + 1..].iter().map(|c| c.name.clone()).collect();
        if pending.is_empty() {
            set_initialized(&mut pod, &[], &now);
        }
        let stored = kubelet::store_pod(cx, pod);
        let Object::Pod(p) = &*stored else {
            return;
        };
        // The kubelet sees the exit on its next relist and goes on with the next container.
        if pending.is_empty() {
            kubelet::begin_pulls(cx, &stored, node, kubelet::RELIST_MS);
        } else {
            begin(cx, p, node, index + 1, kubelet::RELIST_MS);
        }
        return;
    }
    let task = kubelet::key_task(&pod.metadata);
    if changed {
        kubelet::save_pod(cx, pod);
    }
    if let Some(t) = next_due {
        let now = cx.world.clock.now_ms();
        cx.world.timers.at(t.max(now), task);
    }
}

fn set_statuses(pod: &mut Pod, statuses: Vec<ContainerStatus>) {
    pod.status
        .get_or_insert_with(Default::default)
        .init_container_statuses = Some(statuses);
}
