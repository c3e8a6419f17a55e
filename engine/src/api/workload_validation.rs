//! Validation of workload controllers (Deployment, ReplicaSet, ReplicationController,
//! StatefulSet, DaemonSet) and PersistentVolumeClaims with
//! the apiserver's paths and messages.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::selector::Selector;
use super::validation::{meta_causes, pod_spec};
use crate::api::object::Object;

/// Adds the causes an invalid workload has to `causes`.
pub fn validate(obj: &Object, causes: &mut Vec<String>) {
    match obj {
        Object::Deployment(d) => {
            let Some(spec) = d.spec.as_ref() else {
                causes.push("spec.selector: Required value".into());
                return;
            };
            replicas(spec.replicas, causes);
            label_selector(Some(&spec.selector), Some(&spec.template), causes);
            template(Some(&spec.template), causes);
            no_active_deadline(Some(&spec.template), causes);
            deployment_numbers(spec, causes);
        }
        Object::ReplicaSet(rs) => {
            let Some(spec) = rs.spec.as_ref() else {
                causes.push("spec.selector: Required value".into());
                return;
            };
            replicas(spec.replicas, causes);
            label_selector(Some(&spec.selector), spec.template.as_ref(), causes);
            template(spec.template.as_ref(), causes);
            no_active_deadline(spec.template.as_ref(), causes);
        }
        Object::ReplicationController(rc) => {
            let Some(spec) = rc.spec.as_ref() else {
                causes.push("spec.selector: Required value".into());
                return;
            };
            replicas(spec.replicas, causes);
            let selector = spec.selector.clone().unwrap_or_default();
            if selector.is_empty() {
                causes.push("spec.selector: Required value".into());
            } else if let Some(labels) = template_labels(spec.template.as_ref()) {
                if !Selector::from_map(&selector).matches(Some(&labels)) {
                    causes.push(format!(
                        "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                        go_map(&labels)
                    ));
                }
            }
            match spec.template.as_ref() {
                Some(t) => template(Some(t), causes),
                None => causes.push("spec.template: Required value".into()),
            }
        }
        Object::StatefulSet(sts) => {
            let Some(spec) = sts.spec.as_ref() else {
                causes.push("spec.selector: Required value".into());
                return;
            };
            replicas(spec.replicas, causes);
            label_selector(Some(&spec.selector), Some(&spec.template), causes);
            template(Some(&spec.template), causes);
            for (i, claim) in spec.volume_claim_templates.iter().flatten().enumerate() {
                super::pvc::validate(
                    claim,
                    &format!("spec.volumeClaimTemplates[{i}].spec"),
                    causes,
                );
            }
            let policy = spec
                .pod_management_policy
                .as_deref()
                .unwrap_or("OrderedReady");
            if !matches!(policy, "OrderedReady" | "Parallel") {
                causes.push(format!("spec.podManagementPolicy: Invalid value: \"{policy}\": must be 'OrderedReady' or 'Parallel'"));
            }
            let strategy = spec
                .update_strategy
                .as_ref()
                .and_then(|s| s.type_.as_deref());
            if let Some(s) = strategy.filter(|s| !matches!(*s, "RollingUpdate" | "OnDelete")) {
                causes.push(format!("spec.updateStrategy: Invalid value: \"{s}\": must be 'RollingUpdate' or 'OnDelete'"));
            }
        }
        Object::DaemonSet(ds) => {
            let Some(spec) = ds.spec.as_ref() else {
                causes.push("spec.selector: Required value".into());
                return;
            };
            label_selector(Some(&spec.selector), Some(&spec.template), causes);
            template(Some(&spec.template), causes);
            let strategy = spec
                .update_strategy
                .as_ref()
                .and_then(|s| s.type_.as_deref());
            if let Some(s) = strategy.filter(|s| !matches!(*s, "RollingUpdate" | "OnDelete")) {
                causes.push(format!("spec.updateStrategy.type: Unsupported value: \"{s}\": supported values: \"OnDelete\", \"RollingUpdate\""));
            }
        }
        Object::PersistentVolumeClaim(claim) => super::pvc::validate(claim, "spec", causes),
        _ => {}
    }
}

/// `ValidateDeploymentSpec`'s numbers: the rolling update's maxSurge and maxUnavailable,
/// minReadySeconds, revisionHistoryLimit and progressDeadlineSeconds.
fn deployment_numbers(spec: &DeploymentSpec, causes: &mut Vec<String>) {
    use super::object::policy::{
        go_int_or_string, int_or_percent_value, nonnegative_int_or_percent,
        not_more_than_100_percent,
    };
    let strategy = spec.strategy.as_ref();
    let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
    if strategy.and_then(|s| s.type_.as_deref()) != Some("Recreate") {
        if let Some(ru) = rolling {
            let path = "spec.strategy.rollingUpdate";
            let zero = IntOrString::Int(0);
            let unavailable = ru.max_unavailable.as_ref().unwrap_or(&zero);
            let surge = ru.max_surge.as_ref().unwrap_or(&zero);
            nonnegative_int_or_percent(unavailable, &format!("{path}.maxUnavailable"), causes);
            nonnegative_int_or_percent(surge, &format!("{path}.maxSurge"), causes);
            if int_or_percent_value(unavailable) == 0 && int_or_percent_value(surge) == 0 {
                causes.push(format!(
                    "{path}.maxUnavailable: Invalid value: {}: may not be 0 when `maxSurge` is 0",
                    go_int_or_string(unavailable)
                ));
            }
            not_more_than_100_percent(unavailable, &format!("{path}.maxUnavailable"), causes);
        }
    }
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let fields = [
        (Some(min_ready), "minReadySeconds"),
        (spec.revision_history_limit, "revisionHistoryLimit"),
        (spec.progress_deadline_seconds, "progressDeadlineSeconds"),
    ];
    for (v, field) in fields {
        if let Some(v) = v.filter(|v| *v < 0) {
            causes.push(format!(
                "spec.{field}: Invalid value: {v}: must be greater than or equal to 0"
            ));
        }
    }
    if let Some(p) = spec.progress_deadline_seconds.filter(|p| *p <= min_ready) {
        causes.push(format!(
            "spec.progressDeadlineSeconds: Invalid value: {p}: must be greater than minReadySeconds"
        ));
    }
}

fn replicas(replicas: Option<i32>, causes: &mut Vec<String>) {
    if let Some(r) = replicas.filter(|r| *r < 0) {
        causes.push(format!(
            "spec.replicas: Invalid value: {r}: must be greater than or equal to 0"
        ));
    }
}

fn template_labels(t: Option<&PodTemplateSpec>) -> Option<BTreeMap<String, String>> {
    t.and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
}

/// apps/v1 selectors: required, non-empty, and matching the template's labels.
fn label_selector(
    selector: Option<&LabelSelector>,
    t: Option<&PodTemplateSpec>,
    causes: &mut Vec<String>,
) {
    let empty = selector.is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
    });
    let labels = template_labels(t).unwrap_or_default();
    if empty {
        causes.push("spec.selector: Required value".into());
    }
    let matches = selector.is_some_and(|s| Selector::from_label_selector(s).matches(Some(&labels)));
    if empty || !matches {
        causes.push(format!(
            "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
            go_map(&labels)
        ));
    }
}

/// `ValidatePodTemplateSpecForReplicaSet` (Deployments and ReplicaSets): pods that must keep
/// running have no deadline.
fn no_active_deadline(t: Option<&PodTemplateSpec>, causes: &mut Vec<String>) {
    let spec = t.and_then(|t| t.spec.as_ref());
    if spec.is_some_and(|s| s.active_deadline_seconds.is_some()) {
        causes.push(
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported"
                .into(),
        );
    }
}

fn template(t: Option<&PodTemplateSpec>, causes: &mut Vec<String>) {
    meta_causes(t.and_then(|t| t.metadata.as_ref()), "spec.template", causes);
    let Some(spec) = t.and_then(|t| t.spec.as_ref()) else {
        causes.push("spec.template.spec.containers: Required value".into());
        return;
    };
    pod_spec(spec, "spec.template.spec", causes);
    if let Some(policy) = spec.restart_policy.as_deref().filter(|p| *p != "Always") {
        causes.push(format!(
            "spec.template.spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\""
        ));
    }
}

/// A label map as Go's `%#v` prints it: `map[string]string{"app":"web", "tier":"fe"}`.
fn go_map(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "map[string]string(nil)".into();
    }
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", pairs.join(", "))
}
