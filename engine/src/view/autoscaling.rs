//! The autoscaling chart's data: per HorizontalPodAutoscaler, its replicas, average CPU
//! utilization against the target and the load its pods serve on one time axis, each
//! scaling decision with its reason and formula, and — while `TARGETS` reads `<unknown>` —
//! why. The history is kept by a [`Recorder`] the cluster feeds as simulated time passes
//! (`recorder`); why a metric is unknown is read from the cluster's state (`why`).
//!
//! HPAs are read generically, as the API serves them (autoscaling/v2 JSON), so the view
//! depends on the field names only.

mod recorder;
mod why;

pub use recorder::{Recorder, HISTORY_POINTS, SAMPLE_MS};
pub use why::Unknown;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

use crate::api::selector::Selector;
use crate::api::typed;

use crate::cluster::Cluster;

/// The kind every autoscaler is stored as.
pub(crate) const HPA_KIND: &str = "HorizontalPodAutoscaler";

/// The chart's state at one instant of the 15 s grid.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChartPoint {
    /// The instant (epoch ms).
    pub at_ms: i64,
    /// The scale target's `spec.replicas`.
    pub replicas: i32,
    /// The average CPU utilization the HPA last saw, in percent of the request.
    pub utilization: Option<i32>,
    /// The target utilization, in percent.
    pub target: Option<i32>,
    /// Requests per second the target's pods served over the last interval.
    pub load_rps: f64,
}

/// One scaling decision (a `SuccessfulRescale` event).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// When it was taken (epoch ms).
    pub at_ms: i64,
    /// Replicas before.
    pub from: i32,
    /// Replicas after (`New size`).
    pub to: i32,
    /// The average utilization it was computed from, in percent.
    pub utilization: Option<i32>,
    /// The target, in percent.
    pub target: Option<i32>,
    /// The event's message, as `kubectl describe hpa` prints it.
    pub message: String,
}

impl Decision {
    /// What the formula `desired = ceil(currentReplicas × current / target)` gives with the
    /// decision's numbers, before min/max and the scaling behavior bound it.
    pub fn raw(&self) -> Option<i32> {
        let (current, target) = (self.utilization?, self.target?);
        if target <= 0 {
            return None;
        }
        let product = i64::from(self.from) * i64::from(current);
        let t = i64::from(target);
        Some(((product + t - 1).div_euclid(t)).clamp(0, i64::from(i32::MAX)) as i32)
    }

    /// The formula with the numbers: `ceil(1 × 250% / 50%) = ceil(5.00) = 5`.
    pub fn formula(&self) -> Option<String> {
        let (current, target, raw) = (self.utilization?, self.target?, self.raw()?);
        let exact = f64::from(self.from) * f64::from(current) / f64::from(target);
        Some(format!(
            "ceil({} × {current}% / {target}%) = ceil({exact:.2}) = {raw}",
            self.from
        ))
    }

    /// Whether min/max or the scaling behavior changed what the formula gave.
    pub fn bounded(&self) -> bool {
        self.raw().is_some_and(|raw| raw != self.to)
    }

    /// The reason part of the message (`cpu resource utilization (percentage of request)
    /// above target`).
    pub fn reason(&self) -> &str {
        self.message
            .split_once("reason: ")
            .map_or(self.message.as_str(), |(_, r)| r)
    }
}

/// One HPA as the chart draws it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AutoscalerView {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// REFERENCE as `kubectl get hpa` prints it: `Deployment/php-apache`.
    pub reference: String,
    /// `spec.minReplicas` (1 when unset).
    pub min_replicas: i32,
    /// `spec.maxReplicas`.
    pub max_replicas: i32,
    /// The CPU target, in percent.
    pub target: Option<i32>,
    /// The current average CPU utilization, in percent (`None`: `<unknown>`).
    pub utilization: Option<i32>,
    /// `status.currentReplicas`.
    pub current_replicas: i32,
    /// `status.desiredReplicas`.
    pub desired_replicas: i32,
    /// Why the utilization is `<unknown>`, while it is.
    pub unknown: Option<Unknown>,
    /// The HPA's newest Warning event (`FailedGetResourceMetric: …`), while unknown.
    pub warning: Option<String>,
    /// The history, oldest first, at most [`HISTORY_POINTS`].
    pub points: Vec<ChartPoint>,
    /// Scaling decisions, oldest first.
    pub decisions: Vec<Decision>,
}

impl AutoscalerView {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// The fields of an HPA the chart reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Hpa {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// `spec.scaleTargetRef`: kind and name.
    pub target_kind: String,
    pub target_name: String,
    pub min_replicas: i32,
    pub max_replicas: i32,
    /// The CPU utilization target (v2 `metrics[]`, or v1's field).
    pub target: Option<i32>,
    /// The current CPU utilization (`status.currentMetrics[]`, or v1's field).
    pub utilization: Option<i32>,
    pub current_replicas: i32,
    pub desired_replicas: i32,
}

fn int(v: &Value, pointer: &str) -> Option<i32> {
    v.pointer(pointer)
        .and_then(Value::as_i64)
        .map(|n| n.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The CPU entry of a v2 metric list (`spec.metrics` or `status.currentMetrics`).
fn cpu_metric(list: Option<&Value>) -> Option<&Value> {
    list?.as_array()?.iter().find(|m| {
        m.get("type").and_then(Value::as_str) == Some("Resource")
            && m.pointer("/resource/name").and_then(Value::as_str) == Some("cpu")
    })
}

impl Hpa {
    /// Reads an HPA's JSON (autoscaling/v2, or v1's CPU fields).
    pub(crate) fn from_json(v: &Value) -> Hpa {
        let target = cpu_metric(v.pointer("/spec/metrics"))
            .and_then(|m| int(m, "/resource/target/averageUtilization"))
            .or_else(|| int(v, "/spec/targetCPUUtilizationPercentage"));
        let utilization = cpu_metric(v.pointer("/status/currentMetrics"))
            .and_then(|m| int(m, "/resource/current/averageUtilization"))
            .or_else(|| int(v, "/status/currentCPUUtilizationPercentage"));
        Hpa {
            namespace: text(v, "/metadata/namespace"),
            name: text(v, "/metadata/name"),
            uid: text(v, "/metadata/uid"),
            target_kind: text(v, "/spec/scaleTargetRef/kind"),
            target_name: text(v, "/spec/scaleTargetRef/name"),
            min_replicas: int(v, "/spec/minReplicas").unwrap_or(1),
            max_replicas: int(v, "/spec/maxReplicas").unwrap_or_default(),
            target,
            utilization,
            current_replicas: int(v, "/status/currentReplicas").unwrap_or_default(),
            desired_replicas: int(v, "/status/desiredReplicas").unwrap_or_default(),
        }
    }
}

/// Every HPA in the store, by namespace then name.
pub(crate) fn hpas(api: &crate::apiserver::ApiServer) -> Vec<Hpa> {
    api.list(HPA_KIND, None)
        .map(|o| Hpa::from_json(&o.to_json()))
        .collect()
}

/// The scale target of `hpa`, as stored.
pub(crate) fn scale_target<'a>(
    api: &'a crate::apiserver::ApiServer,
    hpa: &Hpa,
) -> Option<&'a crate::api::object::Object> {
    let kind = crate::api::kinds::by_kind(&hpa.target_kind)?.kind;
    api.get(kind, &hpa.namespace, &hpa.target_name)
}

/// The pods the scale target selects (none when it has no selector), not terminated.
pub(crate) fn target_pods<'a>(
    api: &'a crate::apiserver::ApiServer,
    target: &'a crate::api::object::Object,
) -> Vec<&'a Pod> {
    let json = target.to_json();
    let Some(selector) = json.pointer("/spec/selector") else {
        return Vec::new();
    };
    let selector =
        if selector.get("matchLabels").is_some() || selector.get("matchExpressions").is_some() {
            typed::decode::<LabelSelector>(selector).map(|ls| Selector::from_label_selector(&ls))
        } else {
            typed::decode::<BTreeMap<String, String>>(selector).map(|m| Selector::from_map(&m))
        };
    let Ok(selector) = selector else {
        return Vec::new();
    };
    if selector.is_empty() {
        return Vec::new();
    }
    api.list_as::<Pod>(Some(target.namespace()))
        .filter(|p| selector.matches(p.metadata.labels.as_ref()))
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .collect()
}

impl Cluster {
    /// The autoscaling chart: every HPA with its history, decisions and, while its metric
    /// is `<unknown>`, why. Empty while there is no HPA.
    pub fn autoscalers(&self) -> Vec<AutoscalerView> {
        hpas(&self.world.api)
            .into_iter()
            .map(|h| {
                let unknown = h
                    .utilization
                    .is_none()
                    .then(|| why::unknown(&self.world, &h))
                    .flatten();
                let warning = unknown
                    .is_some()
                    .then(|| why::newest_warning(&self.world.api, &h))
                    .flatten();
                let (points, decisions) = self.autoscaling.history(&h);
                AutoscalerView {
                    namespace: h.namespace.clone(),
                    name: h.name.clone(),
                    reference: format!("{}/{}", h.target_kind, h.target_name),
                    min_replicas: h.min_replicas,
                    max_replicas: h.max_replicas,
                    target: h.target,
                    utilization: h.utilization,
                    current_replicas: h.current_replicas,
                    desired_replicas: h.desired_replicas,
                    unknown,
                    warning,
                    points,
                    decisions,
                }
            })
            .collect()
    }

    /// Moves whenever [`Cluster::autoscalers`] may read differently: a change in the store,
    /// the published metrics, or a new point or decision.
    pub fn autoscaling_generation(&self) -> u64 {
        self.world.api.resource_version()
            + self.world.api.metrics_version()
            + self.autoscaling.version()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(from: i32, to: i32, current: i32, target: i32) -> Decision {
        Decision {
            at_ms: 0,
            from,
            to,
            utilization: Some(current),
            target: Some(target),
            message: format!(
                "New size: {to}; reason: cpu resource utilization (percentage of request) above target"
            ),
        }
    }

    #[test]
    fn the_formula_shows_its_numbers() {
        let d = decision(1, 5, 250, 50);
        assert_eq!(d.raw(), Some(5));
        assert_eq!(
            d.formula().as_deref(),
            Some("ceil(1 × 250% / 50%) = ceil(5.00) = 5")
        );
        assert!(!d.bounded());
        assert_eq!(
            d.reason(),
            "cpu resource utilization (percentage of request) above target"
        );
        // 4 × 130 / 50 = 10.4 → 11, bounded to 8 by the scale-up policy (double).
        let d = decision(4, 8, 130, 50);
        assert_eq!(d.raw(), Some(11));
        assert!(d.bounded());
        let unknown = Decision {
            utilization: None,
            ..decision(1, 2, 0, 50)
        };
        assert_eq!(unknown.formula(), None);
        assert!(!unknown.bounded());
        assert_eq!(decision(3, 1, 0, 50).raw(), Some(0));
        assert_eq!(decision(3, 1, 10, 0).raw(), None, "no division by zero");
    }

    #[test]
    fn reads_v2_json_and_v1_fields() {
        let v2 = serde_json::json!({
            "metadata": {"namespace": "default", "name": "php-apache", "uid": "u1"},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"},
                "minReplicas": 1, "maxReplicas": 10,
                "metrics": [
                    {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 80}}},
                    {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
                ]
            },
            "status": {
                "currentReplicas": 1, "desiredReplicas": 4,
                "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 250, "averageValue": "500m"}}}]
            }
        });
        let h = Hpa::from_json(&v2);
        assert_eq!(
            (h.target_kind.as_str(), h.target_name.as_str()),
            ("Deployment", "php-apache")
        );
        assert_eq!((h.min_replicas, h.max_replicas), (1, 10));
        assert_eq!((h.target, h.utilization), (Some(50), Some(250)));
        assert_eq!((h.current_replicas, h.desired_replicas), (1, 4));
        let v1 = serde_json::json!({
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60},
            "status": {}
        });
        let h = Hpa::from_json(&v1);
        assert_eq!(
            (h.min_replicas, h.target, h.utilization),
            (1, Some(60), None)
        );
        assert_eq!(
            Hpa::from_json(&Value::Null),
            Hpa {
                min_replicas: 1,
                ..Hpa::default()
            }
        );
    }
}
