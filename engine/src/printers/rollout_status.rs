//! kubectl's rollout status viewers (`polymorphichelpers/rollout_status.go`): the line
//! `kubectl rollout status` prints for an object's state, and whether the rollout is done.
//! Shared by the console's `rollout status` and lesson goals.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};

/// kubectl's `DeploymentStatusViewer`: (message, done, failed: the progress deadline passed).
pub fn deployment(d: &Deployment) -> (String, bool, bool) {
    let name = d.metadata.name.clone().unwrap_or_default();
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    if d.metadata.generation > st.observed_generation {
        return (
            "Waiting for deployment spec update to be observed...".into(),
            false,
            false,
        );
    }
    let timed_out = st.conditions.iter().flatten().any(|c| {
        c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    if timed_out {
        return (
            format!("deployment \"{name}\" exceeded its progress deadline"),
            false,
            true,
        );
    }
    let replicas = spec.replicas.unwrap_or(1);
    let updated = st.updated_replicas.unwrap_or(0);
    let total = st.replicas.unwrap_or(0);
    let available = st.available_replicas.unwrap_or(0);
    if updated < replicas {
        return (format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {replicas} new replicas have been updated..."), false, false);
    }
    if total > updated {
        return (format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...", total - updated), false, false);
    }
    if available < updated {
        return (format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available..."), false, false);
    }
    (
        format!("deployment \"{name}\" successfully rolled out"),
        true,
        false,
    )
}

/// kubectl's `StatefulSetStatusViewer`: (message, done) or an error.
pub fn stateful_set(s: &StatefulSet) -> Result<(String, bool), String> {
    let spec = s.spec.clone().unwrap_or_default();
    let st = s.status.clone().unwrap_or_default();
    let strategy = spec.update_strategy.unwrap_or_default();
    if strategy.type_.as_deref() == Some("OnDelete") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let observed = st.observed_generation.unwrap_or(0);
    if observed == 0 || s.metadata.generation.unwrap_or(0) > observed {
        return Ok((
            "Waiting for statefulset spec update to be observed...".into(),
            false,
        ));
    }
    let replicas = spec.replicas.unwrap_or(1);
    let ready = st.ready_replicas.unwrap_or(0);
    if ready < replicas {
        return Ok((
            format!("Waiting for {} pods to be ready...", replicas - ready),
            false,
        ));
    }
    let updated = st.updated_replicas.unwrap_or(0);
    if let Some(partition) = strategy.rolling_update.and_then(|r| r.partition) {
        if updated < replicas - partition {
            return Ok((
                format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                    replicas - partition
                ),
                false,
            ));
        }
        return Ok((
            format!("partitioned roll out complete: {updated} new pods have been updated..."),
            true,
        ));
    }
    let (current, update) = (
        st.current_revision.unwrap_or_default(),
        st.update_revision.unwrap_or_default(),
    );
    if current != update {
        return Ok((
            format!(
                "waiting for statefulset rolling update to complete {updated} pods at revision {update}..."
            ),
            false,
        ));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {current}...",
            st.current_replicas.unwrap_or(0)
        ),
        true,
    ))
}

/// kubectl's `DaemonSetStatusViewer`: (message, done) or an error.
pub fn daemon_set(d: &DaemonSet) -> Result<(String, bool), String> {
    let name = d.metadata.name.clone().unwrap_or_default();
    let strategy = d.spec.as_ref().and_then(|s| s.update_strategy.clone());
    if strategy.and_then(|s| s.type_).as_deref() == Some("OnDelete") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let st = d.status.clone().unwrap_or_default();
    if d.metadata.generation > st.observed_generation {
        return Ok((
            "Waiting for daemon set spec update to be observed...".into(),
            false,
        ));
    }
    let desired = st.desired_number_scheduled;
    let updated = st.updated_number_scheduled.unwrap_or(0);
    if updated < desired {
        return Ok((format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated..."), false));
    }
    let available = st.number_available.unwrap_or(0);
    if available < desired {
        return Ok((format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available..."), false));
    }
    Ok((
        format!("daemon set \"{name}\" successfully rolled out"),
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_statefulset_waits_for_its_spec_to_be_observed() {
        let s = StatefulSet::default();
        assert_eq!(
            stateful_set(&s),
            Ok((
                "Waiting for statefulset spec update to be observed...".into(),
                false
            ))
        );
    }
}
