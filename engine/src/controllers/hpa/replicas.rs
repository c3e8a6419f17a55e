//! The replica calculation of one resource metric (`replica_calculator.go`): pods grouped
//! into ready, ignored (pending, or not yet ready for cpu) and missing (no metric); the
//! usage ratio against the target, with the 0.1 tolerance; missing pods counted as using
//! the request (scale-down) or nothing (scale-up), unready pods as nothing on a scale-up,
//! and no change when that flips the direction.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;

use crate::clock::ms_from_time;

/// The controller's `--horizontal-pod-autoscaler-tolerance`.
pub const TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-cpu-initialization-period` (ms).
pub const CPU_INITIALIZATION_PERIOD_MS: i64 = 5 * 60_000;
/// `--horizontal-pod-autoscaler-initial-readiness-delay` (ms).
pub const INITIAL_READINESS_DELAY_MS: i64 = 30_000;

/// One pod's usage: thousandths of the resource (milli-cores, milli-bytes), when measured
/// and over which window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodMetric {
    /// Usage in thousandths of the unit.
    pub value: i64,
    /// The window's end (epoch ms).
    pub timestamp_ms: i64,
    /// The window's length (ms).
    pub window_ms: i64,
}

/// Usage by pod name.
pub type PodMetrics = BTreeMap<String, PodMetric>;

/// What a calculation found: the proposal, the utilization (percent of request; 0 for a
/// value target) and the raw average usage (thousandths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Proposed replica count.
    pub replicas: i32,
    /// Utilization in percent of the request.
    pub utilization: i32,
    /// Average usage per pod, thousandths.
    pub raw: i64,
}

/// Whether the ratio is close enough to 1 to leave the count alone.
fn within_tolerance(ratio: f64) -> bool {
    ((1.0 - TOLERANCE)..=(1.0 + TOLERANCE)).contains(&ratio)
}

fn ready_condition(pod: &Pod) -> Option<(bool, i64)> {
    let c = pod
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?;
    let at = c.last_transition_time.as_ref().map_or(0, ms_from_time);
    Some((c.status == "True", at))
}

/// (ready count, ignored pods, missing pods), as `groupPods`.
pub fn group_pods(
    pods: &[&Pod],
    metrics: &PodMetrics,
    cpu: bool,
    now_ms: i64,
) -> (i64, BTreeSet<String>, BTreeSet<String>) {
    let mut ready = 0;
    let mut ignored = BTreeSet::new();
    let mut missing = BTreeSet::new();
    for pod in pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let phase = crate::api::pod::phase(pod);
        if pod.metadata.deletion_timestamp.is_some() || phase == "Failed" {
            continue;
        }
        if phase == "Pending" {
            ignored.insert(name);
            continue;
        }
        let Some(metric) = metrics.get(&name) else {
            missing.insert(name);
            continue;
        };
        if cpu {
            let start = pod
                .status
                .as_ref()
                .and_then(|s| s.start_time.as_ref())
                .map(ms_from_time);
            let ignore = match (ready_condition(pod), start) {
                (Some((is_ready, changed)), Some(start)) => {
                    if start + CPU_INITIALIZATION_PERIOD_MS > now_ms {
                        !is_ready || metric.timestamp_ms < changed + metric.window_ms
                    } else {
                        !is_ready && start + INITIAL_READINESS_DELAY_MS > changed
                    }
                }
                _ => true,
            };
            if ignore {
                ignored.insert(name);
                continue;
            }
        }
        ready += 1;
    }
    (ready, ignored, missing)
}

/// Each pod's request for `resource` (thousandths), over its containers and sidecars (or
/// only `container`); a container without one is an error, as `calculateRequests`.
pub fn pod_requests(
    pods: &[&Pod],
    resource: &str,
    container: Option<&str>,
) -> Result<BTreeMap<String, i64>, String> {
    let mut out = BTreeMap::new();
    for pod in pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let Some(spec) = pod.spec.as_ref() else {
            out.insert(name, 0);
            continue;
        };
        let sidecars = spec
            .init_containers
            .iter()
            .flatten()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"));
        let mut sum = 0i64;
        for c in spec.containers.iter().chain(sidecars) {
            if container.is_some_and(|n| n != c.name) {
                continue;
            }
            let request = c
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get(resource))
                .and_then(|q| crate::api::quantity::milli_value(&q.0));
            match request {
                Some(r) => sum = sum.saturating_add(r),
                None => {
                    return Err(format!(
                        "missing request for {resource} in container {} of Pod {name}",
                        c.name
                    ))
                }
            }
        }
        out.insert(name, sum);
    }
    Ok(out)
}

/// (usage ratio, utilization %, raw average) over the pods with both a metric and a
/// request, as `GetResourceUtilizationRatio`.
pub fn utilization_ratio(
    metrics: &PodMetrics,
    requests: &BTreeMap<String, i64>,
    target: i32,
) -> Result<(f64, i32, i64), String> {
    let (mut used, mut requested, mut n) = (0i64, 0i64, 0i64);
    for (name, m) in metrics {
        if let Some(r) = requests.get(name) {
            used = used.saturating_add(m.value);
            requested = requested.saturating_add(*r);
            n += 1;
        }
    }
    if requested == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let utilization = (used.saturating_mul(100) / requested).clamp(0, i32::MAX as i64) as i32;
    Ok((
        utilization as f64 / target.max(1) as f64,
        utilization,
        used / n.max(1),
    ))
}

fn ceil_replicas(x: f64) -> i32 {
    x.ceil().clamp(0.0, i32::MAX as f64) as i32
}

/// The proposal for a utilization target (`GetResourceReplicas` after the metrics fetch).
pub fn resource_replicas(
    current: i32,
    target: i32,
    pods: &[&Pod],
    mut metrics: PodMetrics,
    resource: &str,
    container: Option<&str>,
    now_ms: i64,
) -> Result<Proposal, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let (ready, ignored, missing) = group_pods(pods, &metrics, resource == "cpu", now_ms);
    for p in &ignored {
        metrics.remove(p);
    }
    let requests = pod_requests(pods, resource, container)?;
    if metrics.is_empty() {
        return Err("did not receive metrics for any ready pods".into());
    }
    let (ratio, utilization, raw) = utilization_ratio(&metrics, &requests, target)?;
    let keep = Proposal {
        replicas: current,
        utilization,
        raw,
    };
    let rebalance_ignored = !ignored.is_empty() && ratio > 1.0;
    if !rebalance_ignored && missing.is_empty() {
        if within_tolerance(ratio) {
            return Ok(keep);
        }
        return Ok(Proposal {
            replicas: ceil_replicas(ratio * ready as f64),
            ..keep
        });
    }
    if ratio < 1.0 {
        let fallback = i64::from(target.max(100));
        for p in &missing {
            let request = requests.get(p).copied().unwrap_or(0);
            metrics.insert(
                p.clone(),
                zero_metric(request.saturating_mul(fallback) / 100),
            );
        }
    } else if ratio > 1.0 {
        for p in &missing {
            metrics.insert(p.clone(), zero_metric(0));
        }
    }
    if rebalance_ignored {
        for p in &ignored {
            metrics.insert(p.clone(), zero_metric(0));
        }
    }
    let (new_ratio, _, _) = utilization_ratio(&metrics, &requests, target)?;
    if within_tolerance(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(keep);
    }
    let replicas = ceil_replicas(new_ratio * metrics.len() as f64);
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok(keep);
    }
    Ok(Proposal { replicas, ..keep })
}

fn zero_metric(value: i64) -> PodMetric {
    PodMetric {
        value,
        timestamp_ms: 0,
        window_ms: 0,
    }
}

/// The proposal for an average-value target (`calcPlainMetricReplicas`): usage per pod
/// against `target` thousandths.
pub fn plain_replicas(
    current: i32,
    target: i64,
    pods: &[&Pod],
    mut metrics: PodMetrics,
    resource: &str,
    now_ms: i64,
) -> Result<Proposal, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let (ready, ignored, missing) = group_pods(pods, &metrics, resource == "cpu", now_ms);
    for p in &ignored {
        metrics.remove(p);
    }
    if metrics.is_empty() {
        return Err("did not receive metrics for any ready pods".into());
    }
    let usage = |m: &PodMetrics| {
        let total: i64 = m.values().map(|v| v.value).fold(0, i64::saturating_add);
        let avg = total / (m.len().max(1) as i64);
        (avg as f64 / target.max(1) as f64, avg)
    };
    let (ratio, avg) = usage(&metrics);
    let keep = Proposal {
        replicas: current,
        utilization: 0,
        raw: avg,
    };
    let rebalance_ignored = !ignored.is_empty() && ratio > 1.0;
    if !rebalance_ignored && missing.is_empty() {
        if within_tolerance(ratio) {
            return Ok(keep);
        }
        return Ok(Proposal {
            replicas: ceil_replicas(ratio * ready as f64),
            ..keep
        });
    }
    for p in &missing {
        let v = if ratio < 1.0 { target } else { 0 };
        metrics.insert(p.clone(), zero_metric(v));
    }
    if rebalance_ignored {
        for p in &ignored {
            metrics.insert(p.clone(), zero_metric(0));
        }
    }
    let (new_ratio, _) = usage(&metrics);
    if within_tolerance(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(keep);
    }
    Ok(Proposal {
        replicas: ceil_replicas(new_ratio * metrics.len() as f64),
        ..keep
    })
}
