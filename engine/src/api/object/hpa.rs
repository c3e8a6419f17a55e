//! HorizontalPodAutoscaler (`autoscaling/v2`, the stored version; `autoscaling/v1` accepted
//! and converted): v2 defaulting (`pkg/apis/autoscaling/v2/defaults.go`), validation with the
//! apiserver's field paths (`pkg/apis/autoscaling/validation`), the v1 → v2 conversion, and
//! the controller's default behavior (what a nil `spec.behavior` means).

use k8s_openapi::api::autoscaling::v1;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};

use super::{HorizontalPodAutoscaler, KindRules, Object, StatusSubresource};
use crate::api::manifest::{self, DecodeError};

/// The target utilization of an HPA without metrics (`autoscaling.DefaultCPUUtilization`).
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;
/// kube-controller-manager's `--horizontal-pod-autoscaler-downscale-stabilization` (s).
pub const DOWNSCALE_STABILIZATION_SECONDS: i32 = 300;

/// A Resource metric on `resource` with an average-utilization target of `percent`.
pub fn utilization_metric(resource: &str, percent: i32) -> MetricSpec {
    MetricSpec {
        type_: "Resource".into(),
        resource: Some(ResourceMetricSource {
            name: resource.into(),
            target: MetricTarget {
                type_: "Utilization".into(),
                average_utilization: Some(percent),
                ..Default::default()
            },
        }),
        ..Default::default()
    }
}

fn policy(type_: &str, value: i32, period_seconds: i32) -> HPAScalingPolicy {
    HPAScalingPolicy {
        type_: type_.into(),
        value,
        period_seconds,
    }
}

/// Scale-up rules with every unset field defaulted: no stabilization, `Max` of 4 pods or
/// 100 % per 15 s (`GenerateHPAScaleUpRules`).
pub fn scale_up_rules(given: Option<&HPAScalingRules>) -> HPAScalingRules {
    fill(
        given,
        HPAScalingRules {
            stabilization_window_seconds: Some(0),
            select_policy: Some("Max".into()),
            policies: Some(vec![policy("Pods", 4, 15), policy("Percent", 100, 15)]),
            tolerance: None,
        },
    )
}

/// Scale-down rules with every unset field defaulted but the window (the controller's flag
/// fills that): `Max` of 100 % per 15 s (`GenerateHPAScaleDownRules`).
pub fn scale_down_rules(given: Option<&HPAScalingRules>) -> HPAScalingRules {
    fill(
        given,
        HPAScalingRules {
            stabilization_window_seconds: None,
            select_policy: Some("Max".into()),
            policies: Some(vec![policy("Percent", 100, 15)]),
            tolerance: None,
        },
    )
}

fn fill(given: Option<&HPAScalingRules>, mut to: HPAScalingRules) -> HPAScalingRules {
    if let Some(from) = given {
        if from.select_policy.is_some() {
            to.select_policy.clone_from(&from.select_policy);
        }
        if from.stabilization_window_seconds.is_some() {
            to.stabilization_window_seconds = from.stabilization_window_seconds;
        }
        if from.policies.is_some() {
            to.policies.clone_from(&from.policies);
        }
        if from.tolerance.is_some() {
            to.tolerance.clone_from(&from.tolerance);
        }
    }
    to
}

impl KindRules for HorizontalPodAutoscaler {
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.min_replicas.get_or_insert(1);
        if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
            spec.metrics = Some(vec![utilization_metric("cpu", DEFAULT_CPU_UTILIZATION)]);
        }
        for m in spec.metrics.iter_mut().flatten() {
            let target = [
                m.resource.as_mut().map(|r| &mut r.target),
                m.container_resource.as_mut().map(|r| &mut r.target),
                m.pods.as_mut().map(|r| &mut r.target),
                m.object.as_mut().map(|r| &mut r.target),
                m.external.as_mut().map(|r| &mut r.target),
            ];
            for t in target.into_iter().flatten() {
                for q in [t.average_value.as_mut(), t.value.as_mut()]
                    .into_iter()
                    .flatten()
                {
                    crate::api::resource_names::canonicalize_one(q);
                }
            }
        }
        if let Some(b) = spec.behavior.as_mut() {
            b.scale_up = Some(scale_up_rules(b.scale_up.as_ref()));
            b.scale_down = Some(scale_down_rules(b.scale_down.as_ref()));
        }
        self.status.get_or_insert_with(Default::default);
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = self.spec.clone().unwrap_or_default();
        validate_spec(&spec, causes);
    }
}

impl StatusSubresource for HorizontalPodAutoscaler {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }

    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

fn validate_spec(spec: &HorizontalPodAutoscalerSpec, causes: &mut Vec<String>) {
    if let Some(min) = spec.min_replicas.filter(|m| *m < 1) {
        causes.push(format!(
            "spec.minReplicas: Invalid value: {min}: must be greater than or equal to 1"
        ));
    }
    if spec.max_replicas < 1 {
        causes.push(format!(
            "spec.maxReplicas: Invalid value: {}: must be greater than 0",
            spec.max_replicas
        ));
    }
    if spec.min_replicas.is_some_and(|m| spec.max_replicas < m) {
        causes.push(format!(
            "spec.maxReplicas: Invalid value: {}: must be greater than or equal to `minReplicas`",
            spec.max_replicas
        ));
    }
    reference(&spec.scale_target_ref, "spec.scaleTargetRef", causes);
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        metric(m, &format!("spec.metrics[{i}]"), causes);
    }
    if let Some(b) = &spec.behavior {
        for (rules, at) in [
            (&b.scale_up, "spec.behavior.scaleUp"),
            (&b.scale_down, "spec.behavior.scaleDown"),
        ] {
            if let Some(r) = rules {
                scaling_rules(r, at, causes);
            }
        }
    }
}

fn reference(r: &CrossVersionObjectReference, at: &str, causes: &mut Vec<String>) {
    for (value, field) in [(&r.kind, "kind"), (&r.name, "name")] {
        if value.is_empty() {
            causes.push(format!("{at}.{field}: Required value"));
        } else {
            for msg in crate::api::validation::path_segment_causes(value) {
                causes.push(format!("{at}.{field}: Invalid value: \"{value}\": {msg}"));
            }
        }
    }
}

const METRIC_TYPES: &str =
    "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"";

fn metric(m: &MetricSpec, at: &str, causes: &mut Vec<String>) {
    let present: Vec<&str> = [
        ("containerResource", m.container_resource.is_some()),
        ("external", m.external.is_some()),
        ("object", m.object.is_some()),
        ("pods", m.pods.is_some()),
        ("resource", m.resource.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, p)| p.then_some(f))
    .collect();
    if m.type_.is_empty() {
        causes.push(format!(
            "{at}.type: Required value: must specify a metric source type"
        ));
    } else if ![
        "ContainerResource",
        "External",
        "Object",
        "Pods",
        "Resource",
    ]
    .contains(&m.type_.as_str())
    {
        causes.push(format!(
            "{at}.type: Unsupported value: \"{}\": supported values: {METRIC_TYPES}",
            m.type_
        ));
    }
    if let Some(r) = &m.resource {
        if r.name.is_empty() {
            causes.push(format!(
                "{at}.resource.name: Required value: must specify a resource name"
            ));
        }
        target(&r.target, &format!("{at}.resource.target"), causes);
    }
    if let Some(r) = &m.container_resource {
        if r.name.is_empty() {
            causes.push(format!(
                "{at}.containerResource.name: Required value: must specify a resource name"
            ));
        }
        target(&r.target, &format!("{at}.containerResource.target"), causes);
    }
    let mut expected = m.type_.clone();
    if let Some(first) = expected.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    if !m.type_.is_empty() && !present.contains(&expected.as_str()) {
        causes.push(format!(
            "{at}.{expected}: Required value: must populate information for the given metric source"
        ));
    }
    if present.len() > 1 {
        for f in present.iter().filter(|f| **f != expected) {
            causes.push(format!(
                "{at}.{f}: Forbidden: must populate the given metric source only"
            ));
        }
    }
}

fn target(t: &MetricTarget, at: &str, causes: &mut Vec<String>) {
    match t.type_.as_str() {
        "" => causes.push(format!(
            "{at}.type: Required value: must specify a metric target type"
        )),
        "Utilization" | "Value" | "AverageValue" => {}
        other => causes.push(format!(
            "{at}.type: Invalid value: \"{other}\": must be either Utilization, Value, or AverageValue"
        )),
    }
    for (q, field) in [(&t.value, "value"), (&t.average_value, "averageValue")] {
        if let Some(q) = q {
            if crate::api::quantity::parse(&q.0).is_none_or(|v| v <= 0.0) {
                causes.push(format!(
                    "{at}.{field}: Invalid value: \"{}\": must be positive",
                    q.0
                ));
            }
        }
    }
    if let Some(u) = t.average_utilization.filter(|u| *u < 1) {
        causes.push(format!(
            "{at}.averageUtilization: Invalid value: {u}: must be greater than 0"
        ));
    }
    if t.type_ == "Utilization" && t.average_utilization.is_none() {
        causes.push(format!(
            "{at}.averageUtilization: Required value: must set either a target raw value or a target utilization"
        ));
    }
}

fn scaling_rules(r: &HPAScalingRules, at: &str, causes: &mut Vec<String>) {
    if let Some(w) = r
        .stabilization_window_seconds
        .filter(|w| !(0..=3600).contains(w))
    {
        causes.push(format!(
            "{at}.stabilizationWindowSeconds: Invalid value: {w}: must be less than or equal to 3600"
        ));
    }
    if let Some(p) = r.select_policy.as_deref() {
        if !["Disabled", "Max", "Min"].contains(&p) {
            causes.push(format!(
                "{at}.selectPolicy: Unsupported value: \"{p}\": supported values: \"Disabled\", \"Max\", \"Min\""
            ));
        }
    }
    for (i, p) in r.policies.iter().flatten().enumerate() {
        let pat = format!("{at}.policies[{i}]");
        if !["Pods", "Percent"].contains(&p.type_.as_str()) {
            causes.push(format!(
                "{pat}.type: Unsupported value: \"{}\": supported values: \"Percent\", \"Pods\"",
                p.type_
            ));
        }
        if p.value <= 0 {
            causes.push(format!(
                "{pat}.value: Invalid value: {}: must be greater than zero",
                p.value
            ));
        }
        if !(1..=1800).contains(&p.period_seconds) {
            causes.push(format!(
                "{pat}.periodSeconds: Invalid value: {}: must be greater than zero and less than or equal to 1800",
                p.period_seconds
            ));
        }
    }
}

/// Decodes an `autoscaling/v1` manifest as the stored v2 object (the apiserver's conversion:
/// `targetCPUUtilizationPercentage` becomes a cpu Utilization metric).
pub fn decode_v1(value: &serde_json::Value) -> Result<Object, DecodeError> {
    let old: v1::HorizontalPodAutoscaler = manifest::decode_strict(value)?;
    let spec = old.spec.unwrap_or_default();
    let r = spec.scale_target_ref;
    let hpa = HorizontalPodAutoscaler {
        metadata: old.metadata,
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: r.api_version,
                kind: r.kind,
                name: r.name,
            },
            min_replicas: spec.min_replicas,
            max_replicas: spec.max_replicas,
            metrics: spec
                .target_cpu_utilization_percentage
                .map(|p| vec![utilization_metric("cpu", p)]),
            behavior: None,
        }),
        status: None,
    };
    Ok(Object::HorizontalPodAutoscaler(Box::new(hpa)))
}

/// The behavior the controller applies: the spec's, or, when nil, the defaults with the
/// controller's downscale window.
pub fn effective_behavior(spec: &HorizontalPodAutoscalerSpec) -> HorizontalPodAutoscalerBehavior {
    let b = spec.behavior.as_ref();
    let mut down = scale_down_rules(b.and_then(|b| b.scale_down.as_ref()));
    down.stabilization_window_seconds
        .get_or_insert(DOWNSCALE_STABILIZATION_SECONDS);
    HorizontalPodAutoscalerBehavior {
        scale_up: Some(scale_up_rules(b.and_then(|b| b.scale_up.as_ref()))),
        scale_down: Some(down),
    }
}
