//! The HPA controller on a bench: a Deployment's pods (no Deployment controller: the pods
//! stay as the test makes them), the metrics API registered and published by the test.

use std::collections::BTreeMap;

use serde_json::json;

use super::Autoscalers;
use crate::api::object::{HorizontalPodAutoscaler, Object};
use crate::apiserver::{ContainerMetrics, MetricsData, PodMetrics};
use crate::clock::{time_from_ms, SimDuration};
use crate::controllers::testing::{object, Bench};

const MINUTE: i64 = 60_000;

/// A bench with Deployment `web` (`replicas`), the metrics APIService Available, and the
/// HPA `hpa` (extra spec fields merged in).
fn bench(replicas: i32, hpa_spec: serde_json::Value) -> Bench {
    let mut b = Bench::new(Box::<Autoscalers>::default());
    b.create(object(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}
            }
        }
    })));
    let now = b.world.clock.now_time();
    let service = object(json!({
        "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
        "metadata": {"name": "v1beta1.metrics.k8s.io"},
        "spec": {"group": "metrics.k8s.io", "version": "v1beta1",
                 "groupPriorityMinimum": 100, "versionPriority": 100},
        "status": {"conditions": [{"type": "Available", "status": "True"}]}
    }));
    let _ = b.world.api.restore(service, now, &mut b.world.rng);
    let mut spec = json!({
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 1, "maxReplicas": 10,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 50}}}]
    });
    if let (Some(s), Some(extra)) = (spec.as_object_mut(), hpa_spec.as_object()) {
        s.extend(extra.clone());
    }
    let mut hpa = object(json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": spec
    }));
    hpa.default_fields();
    b.create(hpa);
    b
}

/// A Running pod of `web`, started (and Ready) `age_ms` ago, requesting `request` cpu
/// (none: no request).
fn pod(b: &mut Bench, name: &str, request: Option<&str>, ready: bool, age_ms: i64) {
    let since = time_from_ms(b.world.clock.now_ms() - age_ms);
    let resources = match request {
        Some(r) => json!({"requests": {"cpu": r}}),
        None => json!({}),
    };
    let p = object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx", "resources": resources}]},
        "status": {
            "phase": "Running",
            "startTime": since,
            "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"},
                            "lastTransitionTime": since}]
        }
    }));
    let now = b.world.clock.now_time();
    let _ = b.world.api.restore(p, now, &mut b.world.rng);
}

/// Publishes each pod's cpu usage in millicores, measured just now over 15 s.
fn publish(b: &mut Bench, usage: &[(&str, u64)]) {
    let now = b.world.clock.now_ms();
    let mut data = MetricsData::default();
    for (name, milli) in usage {
        data.pods.insert(
            ("default".into(), name.to_string()),
            PodMetrics {
                namespace: "default".into(),
                name: name.to_string(),
                labels: BTreeMap::from([("app".into(), "web".into())]),
                timestamp_ms: now,
                window_ms: 15_000,
                containers: vec![ContainerMetrics {
                    name: "c".into(),
                    cpu_nanocores: milli * 1_000_000,
                    memory_bytes: 1 << 20,
                }],
            },
        );
    }
    b.world.api.publish_metrics(data);
}

fn replicas(b: &Bench) -> i32 {
    match b.get("Deployment", "web") {
        Some(Object::Deployment(d)) => d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
        _ => -1,
    }
}

fn hpa(b: &Bench) -> HorizontalPodAutoscaler {
    match b.get("HorizontalPodAutoscaler", "web") {
        Some(Object::HorizontalPodAutoscaler(h)) => (**h).clone(),
        _ => panic!("no hpa"),
    }
}

fn condition(b: &Bench, type_: &str) -> (String, String, String) {
    let h = hpa(b);
    let c = h
        .status
        .and_then(|s| s.conditions)
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.type_ == type_)
        .unwrap_or_default();
    (
        c.status,
        c.reason.unwrap_or_default(),
        c.message.unwrap_or_default(),
    )
}

/// The HPA's first sync: one period after its creation.
fn start(b: &mut Bench) {
    b.pass();
    b.advance(SimDuration(15_000));
}

/// Runs the syncs due within `ms`.
fn run_for(b: &mut Bench, ms: i64) {
    let end = b.world.clock.now_ms() + ms;
    while b.next_wake().is_some_and(|t| t <= end) {
        b.wake();
    }
    b.world.clock.set(end.max(b.world.clock.now_ms()));
}

#[test]
fn first_sync_comes_one_period_after_creation() {
    let mut b = bench(2, json!({}));
    b.pass();
    assert_eq!(b.next_wake(), Some(b.world.clock.now_ms() + 15_000));
    assert!(hpa(&b).status.and_then(|s| s.conditions).is_none());
}

#[test]
fn scales_up_by_the_legacy_limit() {
    let mut b = bench(2, json!({}));
    pod(&mut b, "web-a", Some("200m"), true, 10 * MINUTE);
    pod(&mut b, "web-b", Some("200m"), true, 10 * MINUTE);
    publish(&mut b, &[("web-a", 450), ("web-b", 400)]);
    start(&mut b);
    assert_eq!(replicas(&b), 4);
    assert_eq!(
        b.events(),
        ["SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target"]
    );
    let st = hpa(&b).status.unwrap_or_default();
    let current = st.current_metrics.unwrap_or_default()[0]
        .resource
        .clone()
        .unwrap_or_default()
        .current;
    assert_eq!(current.average_utilization, Some(212));
    assert_eq!(current.average_value.map(|q| q.0), Some("425m".into()));
    assert_eq!(st.desired_replicas, 4);
    assert!(st.last_scale_time.is_some());
    assert_eq!(condition(&b, "ScalingLimited").1, "ScaleUpLimit");
    assert_eq!(condition(&b, "AbleToScale").1, "SucceededRescale");
}

#[test]
fn keeps_the_count_within_the_tolerance() {
    let mut b = bench(2, json!({}));
    pod(&mut b, "web-a", Some("200m"), true, 10 * MINUTE);
    pod(&mut b, "web-b", Some("200m"), true, 10 * MINUTE);
    // 54 % of a 50 % target: within 0.1.
    publish(&mut b, &[("web-a", 108), ("web-b", 108)]);
    start(&mut b);
    assert_eq!(replicas(&b), 2);
    assert!(b.events().is_empty());
    assert_eq!(condition(&b, "ScalingActive").1, "ValidMetricFound");
    assert_eq!(condition(&b, "AbleToScale").1, "ReadyForNewScale");
}

#[test]
fn a_container_without_a_request_fails_the_metric() {
    let mut b = bench(1, json!({}));
    pod(&mut b, "web-a", None, true, 10 * MINUTE);
    publish(&mut b, &[("web-a", 100)]);
    start(&mut b);
    let (status, reason, message) = condition(&b, "ScalingActive");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "FailedGetResourceMetric")
    );
    assert_eq!(message, "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container c of Pod web-a");
    assert_eq!(b.events()[0], "FailedGetResourceMetric: failed to get cpu utilization: missing request for cpu in container c of Pod web-a");
}

#[test]
fn scale_down_waits_for_the_stabilization_window() {
    let mut b = bench(4, json!({}));
    for p in ["web-a", "web-b", "web-c", "web-d"] {
        pod(&mut b, p, Some("100m"), true, 10 * MINUTE);
    }
    publish(
        &mut b,
        &[("web-a", 10), ("web-b", 10), ("web-c", 10), ("web-d", 10)],
    );
    start(&mut b);
    assert_eq!(replicas(&b), 4);
    assert_eq!(condition(&b, "AbleToScale").1, "ScaleDownStabilized");
    // The first recommendation (4, at the first sync) leaves the window after 300 s.
    run_for(&mut b, 5 * MINUTE);
    assert_eq!(replicas(&b), 4);
    run_for(&mut b, 15_000);
    assert_eq!(replicas(&b), 1);
    assert_eq!(
        b.events(),
        ["SuccessfulRescale: New size: 1; reason: All metrics below target"]
    );
}

#[test]
fn unready_pods_count_as_idle_on_a_scale_up() {
    let mut b = bench(3, json!({}));
    pod(&mut b, "web-a", Some("100m"), true, 10 * MINUTE);
    pod(&mut b, "web-b", Some("100m"), true, 10 * MINUTE);
    // Started a minute ago and not ready: ignored, then counted as using nothing.
    pod(&mut b, "web-c", Some("100m"), false, MINUTE);
    publish(&mut b, &[("web-a", 100), ("web-b", 100), ("web-c", 100)]);
    start(&mut b);
    // The ready pods use 200 % of a 50 % target; with the unready one at 0 %: 66 % of the
    // requests, ratio 1.32 over 3 pods → 4.
    assert_eq!(replicas(&b), 4);
}

#[test]
fn missing_metrics_count_as_the_request_on_a_scale_down() {
    let mut b = bench(
        2,
        json!({"metrics": [{"type": "Resource", "resource": {"name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": 100}}}]}),
    );
    pod(&mut b, "web-a", Some("100m"), true, 10 * MINUTE);
    pod(&mut b, "web-b", Some("100m"), true, 10 * MINUTE);
    // web-b has no metric: counted at 100 % of its request the ratio is 0.55 → ceil(0.55 × 2)
    // = 2, no change.
    publish(&mut b, &[("web-a", 10)]);
    start(&mut b);
    run_for(&mut b, 10 * MINUTE);
    assert_eq!(replicas(&b), 2);
}

#[test]
fn behavior_policies_limit_each_period() {
    let mut b = bench(
        2,
        json!({"behavior": {"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}}),
    );
    pod(&mut b, "web-a", Some("100m"), true, 10 * MINUTE);
    pod(&mut b, "web-b", Some("100m"), true, 10 * MINUTE);
    publish(&mut b, &[("web-a", 500), ("web-b", 500)]);
    start(&mut b);
    assert_eq!(replicas(&b), 3);
    assert_eq!(condition(&b, "ScalingLimited").1, "ScaleUpLimit");
    // Within the 60 s period nothing more; after it, one more.
    run_for(&mut b, 45_000);
    assert_eq!(replicas(&b), 3);
    run_for(&mut b, 15_000);
    assert_eq!(replicas(&b), 4);
}

#[test]
fn a_missing_target_is_failed_get_scale() {
    let mut b = bench(
        1,
        json!({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}}),
    );
    start(&mut b);
    assert_eq!(
        b.events(),
        ["FailedGetScale: deployments.apps \"api\" not found"]
    );
    let (status, reason, _) = condition(&b, "AbleToScale");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "FailedGetScale")
    );
}
