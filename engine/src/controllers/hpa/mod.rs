//! The HorizontalPodAutoscaler controller (kube-controller-manager's
//! `horizontal-pod-autoscaler`, `horizontal.go`): every 15 s per HPA it reads the target's
//! scale, computes each metric's proposal from the resource metrics API
//! (`world.api.metrics()`) and the pods of the target's selector (`replicas`), normalizes it
//! with the recommendations and scale events it remembers (`behavior`), writes the target's
//! replicas through the API server, and records status, conditions (`status`) and events.

pub mod behavior;
#[cfg(test)]
mod properties;
pub mod replicas;
pub mod scale;
pub mod status;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscalerStatus, MetricSpec, MetricTarget};
use k8s_openapi::api::core::v1::Pod;

use super::runtime::{Controller, Queue};
use crate::api::object::hpa::effective_behavior;
use crate::api::object::{HorizontalPodAutoscaler, Object, ObjectKey, WatchEvent};
use crate::api::selector::Selector;
use crate::apiserver::MetricsUnavailable;
use crate::world::events::{self, EventType, Source};
use crate::world::World;
use behavior::History;
use replicas::{PodMetric, PodMetrics};
use status::set_condition;

/// `--horizontal-pod-autoscaler-sync-period` (ms).
pub const SYNC_PERIOD_MS: i64 = 15_000;

/// The controller: per HPA, when its next sync is due and what it remembers.
#[derive(Clone, Debug, Default)]
pub struct Autoscalers {
    due: BTreeMap<(String, String), i64>,
    history: BTreeMap<(String, String), History>,
}

fn source() -> Source<'static> {
    Source {
        component: "horizontal-pod-autoscaler",
        host: None,
    }
}

impl Controller for Autoscalers {
    fn name(&self) -> &'static str {
        "horizontal-pod-autoscaler"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::HorizontalPodAutoscaler(_))
    }

    /// An HPA's changes (its sync stays on its 15 s period: a queued HPA is not re-added).
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if let Object::HorizontalPodAutoscaler(_) = &*event.object {
            queue.add(ObjectKey {
                kind: "HorizontalPodAutoscaler",
                namespace: event.object.namespace().to_string(),
                name: event.object.name().to_string(),
            });
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        let id = (key.namespace.clone(), key.name.clone());
        let Some(hpa) = world
            .api
            .get_as::<HorizontalPodAutoscaler>(&key.namespace, &key.name)
            .cloned()
        else {
            self.due.remove(&id);
            self.history.remove(&id);
            return;
        };
        let now = world.clock.now_ms();
        match self.due.get(&id) {
            // Added: the first sync comes one period later (the rate-limited queue).
            None => {}
            Some(due) if *due > now => return,
            Some(_) => {
                let history = self.history.entry(id.clone()).or_default();
                reconcile(world, hpa, history);
            }
        }
        let next = now + SYNC_PERIOD_MS;
        self.due.insert(id, next);
        queue.requeue_at(world, next, key.clone());
    }
}

/// One metric's result: (proposal, metric name, status) or (error, condition reason).
type MetricResult =
    Result<(i32, String, k8s_openapi::api::autoscaling::v2::MetricStatus), (String, &'static str)>;

/// Writes the events and status of one sync (`reconcileAutoscaler`).
fn reconcile(world: &mut World, mut hpa: HorizontalPodAutoscaler, history: &mut History) {
    let now_time = world.clock.now_time();
    let now = world.clock.now_ms();
    let original = hpa.status.clone();
    let spec = hpa.spec.clone().unwrap_or_default();
    let ns = hpa.metadata.namespace.clone().unwrap_or_default();
    let mut st = hpa.status.clone().unwrap_or_default();
    let r = spec.scale_target_ref.clone();

    let scale = match scale::get(world, &ns, &r) {
        Ok(s) => s,
        Err(e) => {
            warn(world, &hpa, "FailedGetScale", &e);
            set_condition(
                &mut st,
                "AbleToScale",
                false,
                "FailedGetScale",
                &format!("the HPA controller was unable to get the target's current scale: {e}"),
                &now_time,
            );
            hpa.status = Some(st);
            status::update_if_needed(world, &original, &hpa);
            return;
        }
    };
    set_condition(
        &mut st,
        "AbleToScale",
        true,
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
        &now_time,
    );
    let current = scale.spec_replicas;
    history.record_initial(current, now);
    let min = spec.min_replicas.unwrap_or(1);
    let max = spec.max_replicas;

    let mut desired = 0;
    let mut reason = String::new();
    let mut rescale = true;
    let mut statuses = None;
    if current == 0 && min != 0 {
        rescale = false;
        set_condition(
            &mut st,
            "ScalingActive",
            false,
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
            &now_time,
        );
    } else if current > max {
        reason = "Current number of replicas above Spec.MaxReplicas".into();
        desired = max;
    } else if current < min {
        reason = "Current number of replicas below Spec.MinReplicas".into();
        desired = min;
    } else {
        let metrics = spec.metrics.clone().unwrap_or_default();
        let (proposal, metric_statuses) =
            match compute_all(world, &hpa, &metrics, &scale, &mut st, now) {
                Ok(found) => found,
                Err((message, metric_statuses)) => {
                    let kept = st.desired_replicas;
                    set_status(&mut st, current, kept, metric_statuses, None);
                    hpa.status = Some(st);
                    status::update_if_needed(world, &original, &hpa);
                    warn(world, &hpa, "FailedComputeMetricsReplicas", &message);
                    return;
                }
            };
        statuses = metric_statuses;
        let (metric_desired, metric_name) = proposal;
        let mut rescale_metric = String::new();
        if metric_desired > desired {
            desired = metric_desired;
            rescale_metric = metric_name;
        }
        if desired > current {
            reason = format!("{rescale_metric} above target");
        }
        if desired < current {
            reason = "All metrics below target".into();
        }
        let normalized = match &spec.behavior {
            None => history.normalize_legacy(current, desired, min, max, now),
            Some(_) => history.normalize_with_behavior(
                &effective_behavior(&spec),
                current,
                desired,
                min,
                max,
                now,
            ),
        };
        let (able_reason, able_message) = normalized.able_to_scale;
        set_condition(
            &mut st,
            "AbleToScale",
            true,
            able_reason,
            able_message,
            &now_time,
        );
        let (limited, (limit_reason, limit_message)) = normalized.limited;
        set_condition(
            &mut st,
            "ScalingLimited",
            limited,
            limit_reason,
            limit_message,
            &now_time,
        );
        desired = normalized.replicas;
        rescale = desired != current;
    }

    if rescale {
        if let Err(e) = scale::update(world, &ns, &r, desired) {
            warn(
                world,
                &hpa,
                "FailedRescale",
                &format!("New size: {desired}; reason: {reason}; error: {e}"),
            );
            set_condition(
                &mut st,
                "AbleToScale",
                false,
                "FailedUpdateScale",
                &format!("the HPA controller was unable to update the target scale: {e}"),
                &now_time,
            );
            let kept = st.desired_replicas;
            set_status(&mut st, current, kept, statuses, None);
            hpa.status = Some(st);
            status::update_if_needed(world, &original, &hpa);
            return;
        }
        set_condition(
            &mut st,
            "AbleToScale",
            true,
            "SucceededRescale",
            &format!("the HPA controller was able to update the target scale to {desired}"),
            &now_time,
        );
        events::record(
            world,
            &Object::HorizontalPodAutoscaler(Box::new(hpa.clone())),
            EventType::Normal,
            "SuccessfulRescale",
            &format!("New size: {desired}; reason: {reason}"),
            source(),
        );
        if spec.behavior.is_some() {
            history.store_scale_event(&effective_behavior(&spec), current, desired, now);
        }
    } else {
        desired = current;
    }
    set_status(
        &mut st,
        current,
        desired,
        statuses,
        rescale.then(|| now_time.clone()),
    );
    hpa.status = Some(st);
    status::update_if_needed(world, &original, &hpa);
}

/// `setStatus`: counts and metrics, the last scale time on a rescale.
fn set_status(
    st: &mut HorizontalPodAutoscalerStatus,
    current: i32,
    desired: i32,
    metrics: Option<Vec<k8s_openapi::api::autoscaling::v2::MetricStatus>>,
    scaled: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>,
) {
    st.current_replicas = Some(current).filter(|c| *c != 0);
    st.desired_replicas = desired;
    st.current_metrics = metrics.filter(|m| !m.is_empty());
    if let Some(t) = scaled {
        st.last_scale_time = Some(t);
    }
}

fn warn(world: &mut World, hpa: &HorizontalPodAutoscaler, reason: &str, message: &str) {
    events::record(
        world,
        &Object::HorizontalPodAutoscaler(Box::new(hpa.clone())),
        EventType::Warning,
        reason,
        message,
        source(),
    );
}

type Statuses = Option<Vec<k8s_openapi::api::autoscaling::v2::MetricStatus>>;

/// Every metric's proposal, the largest kept (`computeReplicasForMetrics`); on failure the
/// FailedComputeMetricsReplicas message and the statuses so far.
#[allow(clippy::type_complexity)]
fn compute_all(
    world: &mut World,
    hpa: &HorizontalPodAutoscaler,
    specs: &[MetricSpec],
    scale: &scale::Scale,
    st: &mut HorizontalPodAutoscalerStatus,
    now: i64,
) -> Result<((i32, String), Statuses), (String, Statuses)> {
    let now_time = world.clock.now_time();
    let Some(selector) = scale.parsed.clone() else {
        let message = "selector is required";
        warn(world, hpa, "SelectorRequired", message);
        set_condition(
            st,
            "ScalingActive",
            false,
            "InvalidSelector",
            "the HPA target's scale is missing a selector",
            &now_time,
        );
        return Err((message.into(), None));
    };
    let ns = hpa.metadata.namespace.clone().unwrap_or_default();
    let pods: Vec<Pod> = world
        .api
        .list("Pod", Some(&ns))
        .filter_map(|o| match o {
            Object::Pod(p) if selector.matches(p.metadata.labels.as_ref()) => Some((**p).clone()),
            _ => None,
        })
        .collect();
    let mut statuses = vec![Default::default(); specs.len()];
    let mut best: Option<(i32, String)> = None;
    let mut invalid = 0;
    // The first failure: (condition reason, wrapped error, condition message).
    let mut first_error: Option<(&'static str, String, String)> = None;
    for (i, m) in specs.iter().enumerate() {
        match compute_one(world, m, scale, &selector, &ns, &pods, now) {
            Ok((replicas, name, status)) => {
                if let Some(slot) = statuses.get_mut(i) {
                    *slot = status;
                }
                if best.as_ref().is_none_or(|(r, _)| *r == 0 || replicas > *r) {
                    best = Some((replicas, name));
                }
            }
            Err((message, reason)) => {
                warn(world, hpa, reason, &message);
                invalid += 1;
                if first_error.is_none() {
                    first_error = Some((
                        reason,
                        wrap_metric_error(m, &message),
                        format!("the HPA was unable to compute the replica count: {message}"),
                    ));
                }
            }
        }
    }
    let (replicas, name) = best.unwrap_or((0, String::new()));
    if let Some((reason, wrapped, condition)) = &first_error {
        let message = format!(
            "invalid metrics ({invalid} invalid out of {}), first error is: {wrapped}",
            specs.len()
        );
        if invalid >= specs.len() || replicas < scale.spec_replicas {
            set_condition(st, "ScalingActive", false, reason, condition, &now_time);
            return Err((message, Some(statuses)));
        }
    }
    set_condition(
        st,
        "ScalingActive",
        true,
        "ValidMetricFound",
        &format!("the HPA was able to successfully calculate a replica count from {name}"),
        &now_time,
    );
    Ok(((replicas, name), Some(statuses)))
}

/// `computeReplicasForMetric`'s wrapping of a metric's error.
fn wrap_metric_error(m: &MetricSpec, message: &str) -> String {
    match m.type_.as_str() {
        "Resource" => format!(
            "failed to get {} resource metric value: {message}",
            m.resource.as_ref().map_or("", |r| r.name.as_str())
        ),
        "ContainerResource" => format!(
            "failed to get {} container metric value: {message}",
            m.container_resource
                .as_ref()
                .map_or("", |r| r.container.as_str())
        ),
        "Pods" => format!("failed to get pods metric value: {message}"),
        "Object" => format!("failed to get object metric value: {message}"),
        "External" => format!(
            "failed to get {} external metric value: {message}",
            m.external.as_ref().map_or("", |e| e.metric.name.as_str())
        ),
        _ => message.to_string(),
    }
}

/// The reason the resource metrics API cannot answer, as the client's error.
fn unavailable(why: MetricsUnavailable) -> &'static str {
    match why {
        MetricsUnavailable::NotRegistered => {
            "the server could not find the requested resource (get pods.metrics.k8s.io)"
        }
        MetricsUnavailable::Unavailable => {
            "the server is currently unable to handle the request (get pods.metrics.k8s.io)"
        }
    }
}

/// The usage of `resource` (thousandths) of the pods in `ns` the selector matches, as the
/// resource metrics client returns it (`GetResourceMetric`).
fn resource_metrics(
    world: &World,
    ns: &str,
    selector: &Selector,
    resource: &str,
    container: Option<&str>,
) -> Result<PodMetrics, String> {
    let data = world.api.metrics().map_err(|why| {
        format!(
            "unable to get metrics for resource {resource}: unable to fetch metrics from resource metrics API: {}",
            unavailable(why)
        )
    })?;
    let mut out = PodMetrics::new();
    let mut any = false;
    for ((pns, name), pm) in &data.pods {
        if pns != ns || !selector.matches(Some(&pm.labels)) {
            continue;
        }
        any = true;
        let containers: Vec<_> = pm
            .containers
            .iter()
            .filter(|c| container.is_none_or(|n| n == c.name))
            .collect();
        if containers.is_empty() {
            continue;
        }
        let value = containers.iter().fold(0i64, |sum, c| {
            let v = match resource {
                "cpu" => (c.cpu_nanocores as i64).saturating_add(999_999) / 1_000_000,
                "memory" => (c.memory_bytes as i64).saturating_mul(1000),
                _ => 0,
            };
            sum.saturating_add(v)
        });
        out.insert(
            name.clone(),
            PodMetric {
                value,
                timestamp_ms: pm.timestamp_ms,
                window_ms: pm.window_ms,
            },
        );
    }
    if !any {
        return Err(format!(
            "unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
        ));
    }
    Ok(out)
}

/// One metric's proposal (`computeReplicasForMetric`).
fn compute_one(
    world: &World,
    m: &MetricSpec,
    scale: &scale::Scale,
    selector: &Selector,
    ns: &str,
    pods: &[Pod],
    now: i64,
) -> MetricResult {
    let current = scale.spec_replicas;
    let pods: Vec<&Pod> = pods.iter().collect();
    let (name, target, container, reason) = match (
        m.type_.as_str(),
        &m.resource,
        &m.container_resource,
    ) {
        ("Resource", Some(r), _) => (&r.name, &r.target, None, "FailedGetResourceMetric"),
        ("ContainerResource", _, Some(r)) => (
            &r.name,
            &r.target,
            Some(r.container.as_str()),
            "FailedGetContainerResourceMetric",
        ),
        ("Pods", ..) => {
            let metric = m.pods.as_ref().map_or("", |p| p.metric.name.as_str());
            return Err((
                format!("unable to get metric {metric}: {}", no_custom_metrics()),
                "FailedGetPodsMetric",
            ));
        }
        ("Object", ..) => {
            let (metric, kind, obj) = m.object.as_ref().map_or(("", "", ""), |o| {
                (
                    o.metric.name.as_str(),
                    o.described_object.kind.as_str(),
                    o.described_object.name.as_str(),
                )
            });
            return Err((
                format!(
                    "unable to get metric {metric}: {kind} on {ns} {obj}/{}",
                    no_custom_metrics()
                ),
                "FailedGetObjectMetric",
            ));
        }
        ("External", ..) => {
            let metric = m.external.as_ref().map_or("", |e| e.metric.name.as_str());
            return Err((
                format!(
                    "unable to get external metric {ns}/{metric}/nil: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered"
                ),
                "FailedGetExternalMetric",
            ));
        }
        (other, ..) => {
            return Err((
                format!("unknown metric source type \"{other}\""),
                "InvalidMetricSourceType",
            ))
        }
    };
    let proposal = resource_proposal(
        world, target, name, container, current, selector, ns, &pods, now,
    )
    .map_err(|e| (e, reason))?;
    Ok(proposal)
}

fn no_custom_metrics() -> &'static str {
    "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"
}

/// A Resource/ContainerResource metric (`computeStatusForResourceMetricGeneric`).
#[allow(clippy::too_many_arguments)]
fn resource_proposal(
    world: &World,
    target: &MetricTarget,
    resource: &str,
    container: Option<&str>,
    current: i32,
    selector: &Selector,
    ns: &str,
    pods: &[&Pod],
    now: i64,
) -> Result<(i32, String, k8s_openapi::api::autoscaling::v2::MetricStatus), String> {
    if let Some(avg) = &target.average_value {
        let target_milli = crate::api::quantity::milli_value(&avg.0).unwrap_or(0);
        let metrics = resource_metrics(world, ns, selector, resource, container)
            .map_err(|e| format!("failed to get {resource} usage: {e}"))?;
        let p = replicas::plain_replicas(current, target_milli, pods, metrics, resource, now)
            .map_err(|e| format!("failed to get {resource} usage: {e}"))?;
        return Ok((
            p.replicas,
            format!("{resource} resource"),
            status::resource_status(resource, container, None, p.raw),
        ));
    }
    let Some(utilization) = target.average_utilization else {
        return Err("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set".into());
    };
    let metrics = resource_metrics(world, ns, selector, resource, container)
        .map_err(|e| format!("failed to get {resource} utilization: {e}"))?;
    let p = replicas::resource_replicas(
        current,
        utilization,
        pods,
        metrics,
        resource,
        container,
        now,
    )
    .map_err(|e| format!("failed to get {resource} utilization: {e}"))?;
    let name = match container {
        None => format!("{resource} resource utilization (percentage of request)"),
        Some(_) => format!("{resource} container resource utilization (percentage of request)"),
    };
    Ok((
        p.replicas,
        name,
        status::resource_status(resource, container, Some(p.utilization), p.raw),
    ))
}
