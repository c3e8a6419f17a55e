//! apps/v1 and core/v1 defaulting for workload controllers, as the apiserver does it.

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{PodTemplateSpec, ReplicationController};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::defaults::pod_spec;

fn template(t: &mut PodTemplateSpec) {
    pod_spec(t.spec.get_or_insert_with(Default::default));
}

/// Deployment defaults: one replica, RollingUpdate 25%/25%, history 10, deadline 600 s.
pub fn deployment(d: &mut Deployment) {
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    let strategy = spec
        .strategy
        .get_or_insert_with(DeploymentStrategy::default);
    let kind = strategy
        .type_
        .get_or_insert_with(|| "RollingUpdate".into())
        .clone();
    if kind == "RollingUpdate" {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_surge
            .get_or_insert_with(|| IntOrString::String("25%".into()));
        ru.max_unavailable
            .get_or_insert_with(|| IntOrString::String("25%".into()));
    }
    template(&mut spec.template);
}

/// ReplicaSet defaults: one replica and the pod template's defaults.
pub fn replica_set(rs: &mut ReplicaSet) {
    let spec = rs.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    if let Some(t) = spec.template.as_mut() {
        template(t);
    }
}

/// ReplicationController defaults: one replica; selector and labels from the template's
/// labels when missing.
pub fn replication_controller(rc: &mut ReplicationController) {
    let spec = rc.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    let template_labels = spec
        .template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone());
    if spec.selector.as_ref().is_none_or(|s| s.is_empty()) {
        spec.selector = template_labels.clone();
    }
    if let Some(t) = spec.template.as_mut() {
        template(t);
    }
    if rc.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
        rc.metadata.labels = template_labels;
    }
}
