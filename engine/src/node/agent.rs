//! The kubelet process itself, as systemd runs it on each node. `systemctl stop kubelet`
//! stops it: the containers keep running under containerd, but nothing renews the node's
//! Lease or posts its status, and no pod on the node is synced (a container that exits is
//! not restarted, a deleted pod stays Terminating); the node lifecycle controller notices
//! after its grace period. `systemctl start kubelet` starts it again: it posts the node's
//! status with a starting kubelet's events and syncs every pod bound to the node.

use k8s_openapi::api::core::v1::{Node, Pod};

use super::{runtime, NodeCx, Stage};
use crate::api::object::Object;
use crate::sort::SliceSort;
use crate::world::heartbeats::{turn_at, turn_start};

pub use config::start_lines;

mod config;
use crate::world::events::{self, EventType, Source};

/// The conditions a running kubelet posts, as (type, status, reason, message, its
/// `NodeHas…` event).
const HEALTHY: [(&str, &str, &str, &str, &str); 4] = [
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
        "NodeHasSufficientMemory",
    ),
    (
        "DiskPressure",
        "False",
        "KubeletHasNoDiskPressure",
        "kubelet has no disk pressure",
        "NodeHasNoDiskPressure",
    ),
    (
        "PIDPressure",
        "False",
        "KubeletHasSufficientPID",
        "kubelet has sufficient PID available",
        "NodeHasSufficientPID",
    ),
    (
        "Ready",
        "True",
        "KubeletReady",
        "kubelet is posting ready status",
        "NodeReady",
    ),
];

/// Stops `node`'s kubelet now (nothing happens if it is stopped already).
pub fn stop(cx: &mut NodeCx<'_>, node: &str) {
    let now = cx.world.clock.now_ms();
    cx.world.heartbeats.stop(node, now);
}

/// Starts `node`'s kubelet now: it loads its configuration (when it cannot, it exits, and
/// systemd starts it again every 10 s: [`restart_failed`]), posts the node's conditions
/// (each one that is not as a healthy kubelet reports it changes, with its event), then
/// syncs every pod bound to the node. Nothing happens if it is running.
pub fn start(cx: &mut NodeCx<'_>, node: &str) {
    start_run(cx, node, None);
}

/// systemd's start of `node`'s failing kubelet, due now (its files changed since the last
/// turn): it runs if it can load them now (`restart`: systemd's restart counter); if they
/// fail otherwise now, the loop goes on with the new error.
pub fn restart_failed(cx: &mut NodeCx<'_>, node: &str) {
    let now = cx.world.clock.now_ms();
    let Some((since, error)) = cx.world.heartbeats.failing(node) else {
        return;
    };
    let turn = turn_at(since, now);
    if turn == 0 || now != turn_start(since, turn) {
        return;
    }
    let counter = cx.world.heartbeats.restart_counter(node, turn);
    match config::error(cx.world, node) {
        None => start_run(cx, node, Some(counter)),
        Some(new) if new != error => cx.world.heartbeats.fail(node, now, new, Some(counter)),
        Some(_) => {}
    }
}

/// After every pass: when a node's disk was written while a kubelet fails, systemd's next
/// start of it reads its files again ([`restart_failed`]).
pub fn observe_failing(cx: &mut NodeCx<'_>) {
    if !cx.world.heartbeats.any_failing() {
        return;
    }
    let writes = cx.world.storage.node_writes();
    if cx.kubelet.failing_seen_writes == Some(writes) {
        return;
    }
    cx.kubelet.failing_seen_writes = Some(writes);
    let now = cx.world.clock.now_ms();
    let due: Vec<(String, i64)> = cx
        .world
        .heartbeats
        .nodes()
        .filter_map(|node| {
            let (since, _) = cx.world.heartbeats.failing(node)?;
            let next = turn_at(since, now) + 1;
            Some((node.to_string(), turn_start(since, next)))
        })
        .collect();
    for (node, at) in due {
        cx.world
            .timers
            .at(at, crate::timers::Task::KubeletRestart { node });
    }
}

fn start_run(cx: &mut NodeCx<'_>, node: &str, restart: Option<u32>) {
    if !cx.world.heartbeats.is_down(node) {
        return;
    }
    let Some(stored) = cx.world.api.get_as::<Node>("", node) else {
        return;
    };
    let now = cx.world.clock.now_ms();
    if let Some(error) = config::error(cx.world, node) {
        cx.world.heartbeats.fail(node, now, error, None);
        return;
    }
    let mut n = stored.clone();
    cx.world.heartbeats.start(node, now, restart);
    // It reads its static pod manifests again.
    cx.kubelet.static_pods.rescan();
    let source = Source {
        component: "kubelet",
        host: Some(node),
    };
    let at = cx.world.clock.now_time();
    let conditions = n
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    // The registration's fresh status records each pressure condition's `NodeHas…` event;
    // the first post records it again for each condition that was not as healthy (the
    // node controller set it Unknown: `kubectl describe` shows x2), and `NodeReady` when
    // the node was not ready.
    let mut events = Vec::new();
    let mut changed = false;
    for (kind, status, reason, message, event) in HEALTHY {
        let Some(c) = conditions.iter_mut().find(|c| c.type_ == kind) else {
            continue;
        };
        c.last_heartbeat_time = Some(at.clone());
        if kind != "Ready" {
            events.push(event);
        }
        if c.status != status {
            changed = true;
            events.push(event);
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_transition_time = Some(at.clone());
        }
    }
    let obj = Object::Node(Box::new(n));
    let record = |cx: &mut NodeCx<'_>, kind: EventType, reason: &str, message: &str| {
        events::record(cx.world, &obj, kind, reason, message, source.clone());
    };
    record(cx, EventType::Normal, "Starting", "Starting kubelet.");
    record(
        cx,
        EventType::Warning,
        "InvalidDiskCapacity",
        "invalid capacity 0 on image filesystem",
    );
    record(
        cx,
        EventType::Normal,
        "NodeAllocatableEnforced",
        "Updated Node Allocatable limit across pods",
    );
    events.stable_sort_by_key(|event| HEALTHY.iter().position(|h| h.4 == *event));
    for event in events {
        let message = format!("Node {node} status is now: {event}");
        record(cx, EventType::Normal, event, &message);
    }
    if changed {
        let _ = cx.world.api.update_status(obj.clone());
    }
    resync_pods(cx, node);
}

/// After a start: every pod bound to `node` is synced now, and a running pod's status is
/// posted as the kubelet computes it (the node controller may have marked it not ready).
fn resync_pods(cx: &mut NodeCx<'_>, node: &str) {
    let pods: Vec<Pod> = cx.world.api.pods_on(node).cloned().collect();
    let now = cx.world.clock.now_ms();
    for pod in pods {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if cx.kubelet.stages.get(&uid) == Some(&Stage::Running)
            && pod.metadata.deletion_timestamp.is_none()
        {
            runtime::repost_status(cx, &pod);
        }
        cx.world
            .timers
            .at(now, super::kubelet::key_task(&pod.metadata));
    }
}

/// The kubelet's address (`IP:10250`) of the node `pod` is bound to, when that kubelet is
/// stopped: what the API server fails to dial for `logs`, `exec`, `attach` and
/// `port-forward`.
pub fn stopped_kubelet_of(world: &crate::world::World, pod: &Pod) -> Option<String> {
    let node = pod.spec.as_ref()?.node_name.as_deref()?;
    if !world.heartbeats.is_down(node) {
        return None;
    }
    let ip = super::kubelet::node_ip(&world.api, node);
    (!ip.is_empty()).then(|| format!("{ip}:10250"))
}
