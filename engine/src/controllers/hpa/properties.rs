//! Property tests of the HPA controller on a bench, for random load curves (each sync's
//! per-pod cpu usage): the count never leaves [min, max]; without a behavior it matches a
//! straightforward re-implementation of the upstream formula (utilization ratio, 0.1
//! tolerance, 300 s downscale stabilization, the max(2 × current, 4) scale-up limit); with
//! one, every change obeys the policies over their periods and the stabilization windows.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::json;

use super::Autoscalers;
use crate::api::object::Object;
use crate::apiserver::{ContainerMetrics, MetricsData, PodMetrics};
use crate::clock::{time_from_ms, SimDuration};
use crate::controllers::testing::{object, Bench};

const REQUEST_MILLI: u64 = 100;
const PERIOD_MS: i64 = 15_000;

fn setup(
    replicas: i32,
    min: i32,
    max: i32,
    target: i32,
    behavior: Option<serde_json::Value>,
) -> Bench {
    let mut b = Bench::new(Box::<Autoscalers>::default());
    b.create(object(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
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
        "minReplicas": min, "maxReplicas": max,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": target}}}]
    });
    if let (Some(s), Some(bh)) = (spec.as_object_mut(), behavior) {
        s.insert("behavior".into(), bh);
    }
    let mut hpa = object(json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"}, "spec": spec
    }));
    hpa.default_fields();
    b.create(hpa);
    b.pass();
    b
}

fn replicas(b: &Bench) -> i32 {
    match b.get("Deployment", "web") {
        Some(Object::Deployment(d)) => d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
        _ => -1,
    }
}

/// Makes `n` ready pods (started long ago), each using `usage` millicores, and publishes it.
fn load(b: &mut Bench, n: i32, usage: u64) {
    let now = b.world.clock.now_ms();
    let since = time_from_ms(now - 600_000);
    let names: Vec<String> = b.names("Pod");
    for name in names {
        let _ = b.world.delete("Pod", "default", &name, Some(0), true);
    }
    let mut data = MetricsData::default();
    for i in 0..n {
        let name = format!("web-{i}");
        let p = object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx",
                     "resources": {"requests": {"cpu": format!("{REQUEST_MILLI}m")}}}]},
            "status": {"phase": "Running", "startTime": since,
                       "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": since}]}
        }));
        let at = b.world.clock.now_time();
        let _ = b.world.api.restore(p, at, &mut b.world.rng);
        data.pods.insert(
            ("default".into(), name.clone()),
            PodMetrics {
                namespace: "default".into(),
                name,
                labels: BTreeMap::from([("app".into(), "web".into())]),
                timestamp_ms: now,
                window_ms: PERIOD_MS,
                containers: vec![ContainerMetrics {
                    name: "c".into(),
                    cpu_nanocores: usage * 1_000_000,
                    memory_bytes: 0,
                }],
            },
        );
    }
    b.world.api.publish_metrics(data);
}

/// The upstream proposal for `n` equal pods: the utilization ratio with the tolerance.
fn proposal(current: i32, n: i32, usage: u64, target: i32) -> i32 {
    let utilization = (usage * 100 / REQUEST_MILLI) as f64;
    let ratio = utilization / f64::from(target);
    if ((1.0 - 0.1)..=(1.0 + 0.1)).contains(&ratio) {
        current
    } else {
        (ratio * f64::from(n)).ceil() as i32
    }
}

/// The legacy normalization, written from the upstream description.
#[derive(Default)]
struct Legacy {
    recommendations: Vec<(i32, i64)>,
}

impl Legacy {
    fn step(&mut self, current: i32, raw: i32, min: i32, max: i32, now: i64) -> i32 {
        if self.recommendations.is_empty() {
            self.recommendations.push((current, now));
        }
        if current > max {
            return max;
        }
        if current < min {
            return min;
        }
        self.recommendations.retain(|(_, at)| *at >= now - 300_000);
        let stabilized = self
            .recommendations
            .iter()
            .map(|(r, _)| *r)
            .fold(raw, i32::max);
        self.recommendations.push((raw, now));
        let upper = max.min((2 * current).max(4));
        stabilized.max(min).min(upper.max(min))
    }
}

fn curve() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0u64..400, 1..50)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Without a behavior: always within [min, max], and exactly the upstream formula.
    #[test]
    fn legacy_matches_the_upstream_formula(
        min in 1i32..4,
        span in 0i32..10,
        target in 20i32..95,
        start in 0i32..12,
        usages in curve(),
    ) {
        let max = min + span;
        let initial = start.clamp(min, max);
        let mut b = setup(initial, min, max, target, None);
        let mut model = Legacy::default();
        for usage in usages {
            let current = replicas(&b);
            load(&mut b, current, usage);
            b.advance(SimDuration(PERIOD_MS));
            let now = b.world.clock.now_ms();
            let raw = proposal(current, current, usage, target);
            let expected = model.step(current, raw, min, max, now);
            let got = replicas(&b);
            prop_assert!((min..=max).contains(&got), "{got} outside [{min}, {max}]");
            prop_assert_eq!(got, expected, "usage {} at {}", usage, now);
            if raw == current && model.recommendations.iter().all(|(r, _)| *r <= current) {
                prop_assert_eq!(got, current, "changed within the tolerance");
            }
        }
    }

    /// With a behavior: within [min, max]; each change within the policies over their
    /// periods; no scale-down while a recommendation of the scale-down window was higher,
    /// no scale-up while one of the scale-up window was lower.
    #[test]
    fn behavior_obeys_policies_and_windows(
        min in 1i32..4,
        span in 0i32..12,
        target in 20i32..95,
        up_pods in 1i32..5,
        up_period in prop::sample::select(vec![15i32, 30, 60]),
        up_window in prop::sample::select(vec![0i32, 30, 60]),
        down_percent in 10i32..=100,
        down_period in prop::sample::select(vec![15i32, 60]),
        down_window in prop::sample::select(vec![0i32, 60, 120]),
        usages in curve(),
    ) {
        let max = min + span;
        let behavior = json!({
            "scaleUp": {"stabilizationWindowSeconds": up_window,
                        "policies": [{"type": "Pods", "value": up_pods, "periodSeconds": up_period}]},
            "scaleDown": {"stabilizationWindowSeconds": down_window,
                          "policies": [{"type": "Percent", "value": down_percent, "periodSeconds": down_period}]}
        });
        let mut b = setup(min, min, max, target, Some(behavior));
        // (time, change) of every rescale; (time, raw proposal) of every sync.
        let mut changes: Vec<(i64, i32)> = Vec::new();
        let mut raws: Vec<(i64, i32)> = Vec::new();
        for usage in usages {
            let current = replicas(&b);
            load(&mut b, current, usage);
            b.advance(SimDuration(PERIOD_MS));
            let now = b.world.clock.now_ms();
            if raws.is_empty() {
                raws.push((now, current));
            }
            let raw = proposal(current, current, usage, target);
            let got = replicas(&b);
            prop_assert!((min..=max).contains(&got), "{got} outside [{min}, {max}]");
            let in_period = |period: i32| -> i32 {
                changes.iter().filter(|(t, _)| *t > now - i64::from(period) * 1000).map(|(_, c)| *c).sum()
            };
            if got > current {
                let limit = current - in_period(up_period) + up_pods;
                prop_assert!(got <= limit, "scaled up to {got} from {current}: more than {up_pods} per {up_period}s");
                let lowest = raws.iter().filter(|(t, _)| *t > now - i64::from(up_window) * 1000)
                    .map(|(_, r)| *r).fold(raw, i32::min);
                prop_assert!(got <= lowest.max(current), "scale-up past the window's lowest {lowest}");
            }
            if got < current {
                let start = current - in_period(down_period);
                let floor = (f64::from(start) * (1.0 - f64::from(down_percent) / 100.0)) as i32;
                prop_assert!(got >= floor.min(current), "scaled down to {got} from {current} below {floor}");
                let highest = raws.iter().filter(|(t, _)| *t > now - i64::from(down_window) * 1000)
                    .map(|(_, r)| *r).fold(raw, i32::max);
                prop_assert!(got >= highest.min(current).max(min), "scale-down below the window's highest {highest}");
            }
            raws.push((now, raw));
            if got != current {
                changes.push((now, got - current));
            }
        }
    }
}
