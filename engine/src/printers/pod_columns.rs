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
    let status = pod.status.clone().unwrap_or_default();
    let mut reason = status
        .reason
        .clone()
        .or(status.phase.clone())
        .unwrap_or_default();
    let mut has_running = false;
    for c in status.container_statuses.iter().flatten().rev() {
        let state = c.state.clone().unwrap_or_default();
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

/// RESTARTS: the sum of restart counts, with the age of the last restart when there was one.
pub fn restarts(pod: &Pod, now_ms: i64) -> String {
    let statuses: Vec<_> = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
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
