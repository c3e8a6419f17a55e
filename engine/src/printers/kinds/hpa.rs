//! HorizontalPodAutoscaler: `get` columns (`printHorizontalPodAutoscaler`, TARGETS as
//! `formatHPAMetrics` writes them since 1.30: `cpu: 27%/50%`) and `describe`
//! (`describeHorizontalPodAutoscalerV2`, used for v1 objects too).

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingRules, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{Columns, KindPrinter};
use crate::api::object::{HorizontalPodAutoscaler, Object};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::labels_and_annotations;
use crate::world::World;

/// TARGETS lists at most this many metrics, then ` + N more...`.
const MAX_TARGETS: usize = 2;

fn q(v: Option<&Quantity>) -> Option<String> {
    v.map(|q| q.0.clone())
}

fn unknown(v: Option<String>) -> String {
    v.unwrap_or_else(|| "<unknown>".into())
}

/// A Resource or ContainerResource target as TARGETS shows it, after `<name>: `.
fn resource_target(target: &MetricTarget, current: Option<&MetricValueStatus>) -> String {
    if let Some(avg) = &target.average_value {
        let cur = unknown(current.and_then(|c| q(c.average_value.as_ref())));
        return format!("{cur}/{}", avg.0);
    }
    let cur = unknown(
        current
            .and_then(|c| c.average_utilization)
            .map(|u| format!("{u}%")),
    );
    let tgt = target
        .average_utilization
        .map_or_else(|| "<auto>".into(), |u| format!("{u}%"));
    format!("{cur}/{tgt}")
}

/// One metric's TARGETS entry (`status` is the status at the same index, if any).
fn target_entry(spec: &MetricSpec, status: Option<&MetricStatus>) -> String {
    match spec.type_.as_str() {
        "Resource" => {
            let Some(r) = &spec.resource else {
                return "<unknown type>".into();
            };
            let cur = status.and_then(|s| s.resource.as_ref()).map(|s| &s.current);
            format!("{}: {}", r.name, resource_target(&r.target, cur))
        }
        "ContainerResource" => {
            let Some(r) = &spec.container_resource else {
                return "<unknown type>".into();
            };
            let cur = status
                .and_then(|s| s.container_resource.as_ref())
                .map(|s| &s.current);
            format!("{}: {}", r.name, resource_target(&r.target, cur))
        }
        "Pods" => {
            let Some(p) = &spec.pods else {
                return "<unknown type>".into();
            };
            let cur = unknown(
                status
                    .and_then(|s| s.pods.as_ref())
                    .and_then(|p| q(p.current.average_value.as_ref())),
            );
            format!("{cur}/{}", unknown(q(p.target.average_value.as_ref())))
        }
        "Object" | "External" => {
            let (target, current) = match spec.type_.as_str() {
                "Object" => (
                    spec.object.as_ref().map(|o| &o.target),
                    status.and_then(|s| s.object.as_ref()).map(|o| &o.current),
                ),
                _ => (
                    spec.external.as_ref().map(|o| &o.target),
                    status.and_then(|s| s.external.as_ref()).map(|o| &o.current),
                ),
            };
            let Some(target) = target else {
                return "<unknown type>".into();
            };
            match &target.average_value {
                Some(avg) => format!(
                    "{}/{} (avg)",
                    unknown(current.and_then(|c| q(c.average_value.as_ref()))),
                    avg.0
                ),
                None => format!(
                    "{}/{}",
                    unknown(current.and_then(|c| q(c.value.as_ref()))),
                    unknown(q(target.value.as_ref()))
                ),
            }
        }
        _ => "<unknown type>".into(),
    }
}

/// TARGETS: each metric's current/target, the first two then ` + N more...`; `<none>`.
pub fn targets(hpa: &HorizontalPodAutoscaler) -> String {
    let specs = hpa
        .spec
        .as_ref()
        .and_then(|s| s.metrics.as_deref())
        .unwrap_or(&[]);
    if specs.is_empty() {
        return "<none>".into();
    }
    let statuses = hpa
        .status
        .as_ref()
        .and_then(|s| s.current_metrics.as_deref())
        .unwrap_or(&[]);
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .take(MAX_TARGETS)
        .map(|(i, m)| target_entry(m, statuses.get(i)))
        .collect();
    let joined = list.join(", ");
    if specs.len() > MAX_TARGETS {
        format!("{joined} + {} more...", specs.len() - MAX_TARGETS)
    } else {
        joined
    }
}

impl KindPrinter for HorizontalPodAutoscaler {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "REFERENCE",
                "TARGETS",
                "MINPODS",
                "MAXPODS",
                "REPLICAS",
                "AGE",
            ],
            &[],
        )
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let spec = self.spec.clone().unwrap_or_default();
        let r = &spec.scale_target_ref;
        let current = self
            .status
            .as_ref()
            .and_then(|s| s.current_replicas)
            .unwrap_or(0);
        vec![
            obj.name().into(),
            format!("{}/{}", r.kind, r.name),
            targets(self),
            spec.min_replicas
                .map_or_else(|| "<unset>".into(), |m| m.to_string()),
            spec.max_replicas.to_string(),
            current.to_string(),
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(describe(self, obj))
    }
}

/// One metric's lines under `Metrics:`.
fn describe_metric(o: &mut String, spec: &MetricSpec, status: Option<&MetricStatus>) {
    match spec.type_.as_str() {
        "Resource" | "ContainerResource" => {
            let (target, current, head) = match (&spec.resource, &spec.container_resource) {
                (Some(r), _) if spec.type_ == "Resource" => (
                    &r.target,
                    status.and_then(|s| s.resource.as_ref()).map(|s| &s.current),
                    format!("  resource {} on pods", r.name),
                ),
                (_, Some(r)) => (
                    &r.target,
                    status
                        .and_then(|s| s.container_resource.as_ref())
                        .map(|s| &s.current),
                    format!(
                        "  resource {} of container \"{}\" on pods",
                        r.name, r.container
                    ),
                ),
                _ => {
                    o.push_str(&format!("  <unknown metric type \"{}\">\n", spec.type_));
                    return;
                }
            };
            o.push_str(&head);
            if let Some(avg) = &target.average_value {
                let cur = unknown(current.and_then(|c| q(c.average_value.as_ref())));
                o.push_str(&format!(":\t{cur} / {}\n", avg.0));
            } else {
                let cur = unknown(current.and_then(|c| {
                    c.average_utilization.map(|u| {
                        format!(
                            "{u}% ({})",
                            c.average_value.as_ref().map_or("0", |v| v.0.as_str())
                        )
                    })
                }));
                let tgt = target
                    .average_utilization
                    .map_or_else(|| "<auto>".into(), |u| format!("{u}%"));
                o.push_str(&format!("  (as a percentage of request):\t{cur} / {tgt}\n"));
            }
        }
        "Pods" => {
            if let Some(p) = &spec.pods {
                let cur = unknown(
                    status
                        .and_then(|s| s.pods.as_ref())
                        .and_then(|p| q(p.current.average_value.as_ref())),
                );
                o.push_str(&format!(
                    "  \"{}\" on pods:\t{cur} / {}\n",
                    p.metric.name,
                    unknown(q(p.target.average_value.as_ref()))
                ));
            }
        }
        "Object" => {
            if let Some(ob) = &spec.object {
                let cur = status.and_then(|s| s.object.as_ref()).map(|s| &s.current);
                o.push_str(&format!(
                    "  \"{}\" on {}/{} ",
                    ob.metric.name, ob.described_object.kind, ob.described_object.name
                ));
                if ob.target.type_ == "AverageValue" {
                    o.push_str(&format!(
                        "(target average value):\t{} / {}\n",
                        unknown(cur.and_then(|c| q(c.average_value.as_ref()))),
                        unknown(q(ob.target.average_value.as_ref()))
                    ));
                } else {
                    o.push_str(&format!(
                        "(target value):\t{} / {}\n",
                        unknown(cur.and_then(|c| q(c.value.as_ref()))),
                        unknown(q(ob.target.value.as_ref()))
                    ));
                }
            }
        }
        "External" => {
            if let Some(e) = &spec.external {
                let cur = status.and_then(|s| s.external.as_ref()).map(|s| &s.current);
                match &e.target.average_value {
                    Some(avg) => o.push_str(&format!(
                        "  \"{}\" (target average value):\t{} / {}\n",
                        e.metric.name,
                        unknown(cur.and_then(|c| q(c.average_value.as_ref()))),
                        avg.0
                    )),
                    None => o.push_str(&format!(
                        "  \"{}\" (target value):\t{} / {}\n",
                        e.metric.name,
                        unknown(cur.and_then(|c| q(c.value.as_ref()))),
                        unknown(q(e.target.value.as_ref()))
                    )),
                }
            }
        }
        other => o.push_str(&format!("  <unknown metric type \"{other}\">\n")),
    }
}

fn describe_rules(o: &mut String, direction: &str, rules: Option<&HPAScalingRules>) {
    let Some(r) = rules else { return };
    o.push_str(&format!("  {direction}:\n"));
    if let Some(w) = r.stabilization_window_seconds {
        o.push_str(&format!("    Stabilization Window: {w} seconds\n"));
    }
    let policies = r.policies.as_deref().unwrap_or(&[]);
    if !policies.is_empty() {
        o.push_str(&format!(
            "    Select Policy: {}\n    Policies:\n",
            r.select_policy.as_deref().unwrap_or("Max")
        ));
        for p in policies {
            o.push_str(&format!(
                "      - Type: {}\tValue: {}\tPeriod: {} seconds\n",
                p.type_, p.value, p.period_seconds
            ));
        }
    }
}

fn describe(hpa: &HorizontalPodAutoscaler, obj: &Object) -> String {
    let spec = hpa.spec.clone().unwrap_or_default();
    let status = hpa.status.clone().unwrap_or_default();
    let r = &spec.scale_target_ref;
    let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
    o.push_str(&labels_and_annotations(&hpa.metadata));
    if let Some(t) = &hpa.metadata.creation_timestamp {
        o.push_str(&format!(
            "CreationTimestamp:\t{}\n",
            t.0.strftime("%a, %d %b %Y %H:%M:%S %z")
        ));
    }
    o.push_str(&format!("Reference:\t{}/{}\n", r.kind, r.name));
    o.push_str("Metrics:\t( current / target )\n");
    let statuses = status.current_metrics.as_deref().unwrap_or(&[]);
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        describe_metric(&mut o, m, statuses.get(i));
    }
    let min = spec
        .min_replicas
        .map_or_else(|| "<unset>".into(), |m| m.to_string());
    o.push_str(&format!(
        "Min replicas:\t{min}\nMax replicas:\t{}\n",
        spec.max_replicas
    ));
    if let Some(b) = &spec.behavior {
        o.push_str("Behavior:\n");
        describe_rules(&mut o, "Scale Up", b.scale_up.as_ref());
        describe_rules(&mut o, "Scale Down", b.scale_down.as_ref());
    }
    o.push_str(&format!(
        "{} pods:\t{} current / {} desired\n",
        r.kind,
        status.current_replicas.unwrap_or(0),
        status.desired_replicas
    ));
    let conditions = status.conditions.as_deref().unwrap_or(&[]);
    if !conditions.is_empty() {
        o.push_str(
            "Conditions:\n  Type\tStatus\tReason\tMessage\n  ----\t------\t------\t-------\n",
        );
        for c in conditions {
            o.push_str(&format!(
                "  {}\t{}\t{}\t{}\n",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            ));
        }
    }
    o
}
