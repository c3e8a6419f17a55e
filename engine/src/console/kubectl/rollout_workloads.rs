//! `kubectl rollout status|restart` for StatefulSets and DaemonSets, with kubectl's status
//! viewers' messages.

use k8s_openapi::api::apps::v1::{DaemonSet, StatefulSet};

use super::flags;
use crate::api::error::ApiError;
use crate::api::kinds::KindInfo;
use crate::api::object::Object;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;

/// Longest `rollout status` waits when no `--timeout` is given (simulated time).
const STATUS_LIMIT: SimDuration = SimDuration::seconds(900);

/// Runs `rollout SUB` on StatefulSets or DaemonSets called `names`.
pub fn run(
    cluster: &mut Cluster,
    sub: &str,
    kind: &'static KindInfo,
    namespace: &str,
    names: &[String],
    parsed: &flags::Parsed,
) -> Output {
    let mut out = Output::default();
    for name in names {
        if cluster.world.api.get(kind.kind, namespace, name).is_none() {
            out.extend(Output::failure(
                ApiError::not_found(kind, name).kubectl_message(),
            ));
            return out;
        }
        let result = match sub {
            "status" => status(cluster, kind.kind, namespace, name, parsed),
            "restart" => restart(cluster, kind, namespace, name),
            _ => super::error(format!(
                "\"kubectl rollout {sub}\" of {} is not simulated in Kubeplay yet",
                kind.plural
            )),
        };
        out.extend(result);
        if out.exit_code != 0 {
            break;
        }
    }
    out
}

/// kubectl's `StatefulSetStatusViewer`: (message, done) or an error.
pub fn stateful_set_status(s: &StatefulSet) -> Result<(String, bool), String> {
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
pub fn daemon_set_status(d: &DaemonSet) -> Result<(String, bool), String> {
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

fn message(
    cluster: &Cluster,
    kind: &'static str,
    ns: &str,
    name: &str,
) -> Option<Result<(String, bool), String>> {
    match cluster.world.api.get(kind, ns, name)? {
        Object::StatefulSet(s) => Some(stateful_set_status(s)),
        Object::DaemonSet(d) => Some(daemon_set_status(d)),
        _ => None,
    }
}

/// Follows the rollout while simulated time passes, printing each new message.
fn status(
    cluster: &mut Cluster,
    kind: &'static str,
    ns: &str,
    name: &str,
    parsed: &flags::Parsed,
) -> Output {
    let mut out = Output::default();
    let limit = match parsed.value("timeout") {
        None | Some("0") | Some("0s") => STATUS_LIMIT,
        Some(t) => match super::parse_duration(t) {
            Some(d) => d,
            None => {
                return super::error(format!(
                "invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\""
            ))
            }
        },
    };
    let watch = parsed.value("watch") != Some("false");
    let deadline = cluster.world.clock.now_ms() + limit.0;
    loop {
        let start = cluster.world.api.log_end();
        match message(cluster, kind, ns, name) {
            None => return out,
            Some(Err(e)) => {
                out.extend(super::error(e));
                return out;
            }
            Some(Ok((text, done))) => {
                // kubectl prints the viewer's message at every watch event, repeats included.
                out.out(text);
                if done || !watch {
                    return out;
                }
            }
        }
        let remaining = deadline - cluster.world.clock.now_ms();
        if remaining <= 0 {
            out.err("error: timed out waiting for the condition");
            out.exit_code = 1;
            return out;
        }
        cluster.advance_until(SimDuration::millis(remaining), move |c| {
            c.world.api.events_since(start).iter().any(|e| {
                e.object.kind() == kind && e.object.name() == name && e.object.namespace() == ns
            })
        });
    }
}

/// Stamps `kubectl.kubernetes.io/restartedAt` on the pod template.
fn restart(cluster: &mut Cluster, kind: &'static KindInfo, ns: &str, name: &str) -> Output {
    let Some(mut obj) = cluster.world.api.get(kind.kind, ns, name).cloned() else {
        return Output::failure(ApiError::not_found(kind, name).kubectl_message());
    };
    let now = cluster
        .world
        .clock
        .now_time()
        .0
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let template = match &mut obj {
        Object::StatefulSet(s) => s.spec.as_mut().map(|s| &mut s.template),
        Object::DaemonSet(d) => d.spec.as_mut().map(|s| &mut s.template),
        _ => None,
    };
    if let Some(t) = template {
        t.metadata
            .get_or_insert_with(Default::default)
            .annotations
            .get_or_insert_with(Default::default)
            .insert("kubectl.kubernetes.io/restartedAt".into(), now);
    }
    match cluster.world.api.update(obj) {
        Ok(_) => {
            let mut out = Output::default();
            out.out(format!("{}/{name} restarted", kind.qualified_kind()));
            out
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_statefulset_waits_for_its_spec_to_be_observed() {
        let s = StatefulSet::default();
        assert_eq!(
            stateful_set_status(&s),
            Ok((
                "Waiting for statefulset spec update to be observed...".into(),
                false
            ))
        );
    }
}
