//! apps/v1 and core/v1 defaulting for workload controllers, as the apiserver does it.

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetUpdateStrategy, Deployment, DeploymentStrategy, ReplicaSet,
    RollingUpdateDeployment, StatefulSet, StatefulSetUpdateStrategy,
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

/// StatefulSet defaults: one replica, OrderedReady, RollingUpdate with partition 0, history
/// 10, Retain/Retain claim retention, claim templates' volumeMode and phase.
pub fn stateful_set(s: &mut StatefulSet) {
    let spec = s.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    spec.pod_management_policy
        .get_or_insert_with(|| "OrderedReady".into());
    spec.revision_history_limit.get_or_insert(10);
    let strategy = spec
        .update_strategy
        .get_or_insert_with(StatefulSetUpdateStrategy::default);
    let kind = strategy
        .type_
        .get_or_insert_with(|| "RollingUpdate".into())
        .clone();
    if kind == "RollingUpdate" {
        strategy
            .rolling_update
            .get_or_insert_with(Default::default)
            .partition
            .get_or_insert(0);
    }
    let retention = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(Default::default);
    retention
        .when_deleted
        .get_or_insert_with(|| "Retain".into());
    retention.when_scaled.get_or_insert_with(|| "Retain".into());
    for claim in spec.volume_claim_templates.iter_mut().flatten() {
        super::pvc::defaults(claim);
    }
    template(&mut spec.template);
}

/// DaemonSet defaults: RollingUpdate with maxUnavailable 1 and maxSurge 0, history 10.
pub fn daemon_set(d: &mut DaemonSet) {
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.revision_history_limit.get_or_insert(10);
    let strategy = spec
        .update_strategy
        .get_or_insert_with(DaemonSetUpdateStrategy::default);
    let kind = strategy
        .type_
        .get_or_insert_with(|| "RollingUpdate".into())
        .clone();
    if kind == "RollingUpdate" {
        let ru = strategy.rolling_update.get_or_insert_with(Default::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    template(&mut spec.template);
}
