//! The cells of `kubectl get pods`: READY, STATUS (kubectl's printPod algorithm), RESTARTS.

use k8s_openapi::api::core::v1::Pod;

use super::age::human_duration_secs;
use crate::clock::ms_from_time;

/// READY: ready containers / all containers.
pub fn ready(pod: &Pod) -> String {
    let total = pod.spec.as_ref().map_or(0, |s| s.containers.len());
    let ready = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .filter(|c| c.ready && c.state.as_ref().is_some_and(|s| s.running.is_some()))
        .count();
    format!("{ready}/{total}")
}

/// STATUS, computed as kubectl's `printPod` does.
pub fn status(pod: &Pod) -> String {
    let empty = Default::default();
    let status = pod.status.as_ref().unwrap_or(&empty);
    let mut reason = status
        .reason
        .clone()
        .or_else(|| status.phase.clone())
        .unwrap_or_default();
    let (init_reason, initializing) = init_progress(pod);
    if let Some(r) = init_reason {
        reason = r;
    }
    let mut has_running = false;
    let initialized = status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    let app = if !initializing || initialized {
        status.container_statuses.as_deref().unwrap_or(&[])
    } else {
        &[]
    };
    let no_state = Default::default();
    for c in app.iter().rev() {
        let state = c.state.as_ref().unwrap_or(&no_state);
        if let Some(w) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .filter(|r| !r.is_empty())
        {
            reason = w;
        } else if let Some(t) = &state.terminated {
            reason = match (&t.reason, t.signal) {
                (Some(r), _) if !r.is_empty() => r.clone(),
                (_, Some(sig)) if sig != 0 => format!("Signal:{sig}"),
                _ => format!("ExitCode:{}", t.exit_code),
            };
        } else if c.ready && state.running.is_some() {
            has_running = true;
        }
    }
    if reason == "Completed" && has_running {
        let ready = status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        reason = if ready {
            "Running".into()
        } else {
            "NotReady".into()
        };
    }
    if pod.metadata.deletion_timestamp.is_some() {
        if status.reason.as_deref() == Some("NodeLost") {
            return "Unknown".into();
        }
        if !matches!(status.phase.as_deref(), Some("Succeeded" | "Failed")) {
            return "Terminating".into();
        }
    }
    reason
}

/// Where the init containers are, as printPod sees them: `Init:1/2`, `Init:Error`,
/// `Init:CrashLoopBackOff`..., and whether the pod is still initializing.
fn init_progress(pod: &Pod) -> (Option<String>, bool) {
    let total = pod
        .spec
        .as_ref()
        .and_then(|s| s.init_containers.as_ref())
        .map_or(0, Vec::len);
    let sidecar = |name: &str| {
        pod.spec
            .iter()
            .flat_map(|s| s.init_containers.iter().flatten())
            .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
    };
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or(&[]);
    let no_state = Default::default();
    for (i, c) in statuses.iter().enumerate() {
        let state = c.state.as_ref().unwrap_or(&no_state);
        if state.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if sidecar(&c.name) && c.started == Some(true) {
            continue;
        }
        let reason = if let Some(t) = &state.terminated {
            match (&t.reason, t.signal) {
                (Some(r), _) if !r.is_empty() => format!("Init:{r}"),
                (_, Some(sig)) if sig != 0 => format!("Init:Signal:{sig}"),
                _ => format!("Init:ExitCode:{}", t.exit_code),
            }
        } else {
            match state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty() && r != "PodInitializing")
            {
                Some(r) => format!("Init:{r}"),
                None => format!("Init:{i}/{total}"),
            }
        };
        return (Some(reason), true);
    }
    (None, false)
}

/// RESTARTS: the sum of restart counts (the init containers' while the pod initializes), with
/// the age of the last restart when there was one.
pub fn restarts(pod: &Pod, now_ms: i64) -> String {
    let initializing = init_progress(pod).1
        && !pod
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .any(|c| c.type_ == "Initialized" && c.status == "True");
    let statuses: Vec<_> = pod
        .status
        .iter()
        .flat_map(|s| {
            if initializing {
                s.init_container_statuses.iter().flatten()
            } else {
                s.container_statuses.iter().flatten()
            }
        })
        .collect();
    let count: i32 = statuses.iter().map(|c| c.restart_count).sum();
    let last = statuses
        .iter()
        .filter_map(|c| {
            c.last_state
                .as_ref()?
                .terminated
                .as_ref()?
                .finished_at
                .as_ref()
        })
        .map(ms_from_time)
        .max();
    match last {
        Some(t) if count > 0 => format!(
            "{count} ({} ago)",
            human_duration_secs((now_ms - t).div_euclid(1000))
        ),
        _ => count.to_string(),
    }
}
