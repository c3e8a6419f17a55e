//! `kubectl rollout status|restart` for StatefulSets and DaemonSets, with kubectl's status
//! viewers' messages.

use super::flags;
use crate::api::error::ApiError;
use crate::api::kinds::KindInfo;
use crate::api::object::Object;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::rollout_status;

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

fn message(
    cluster: &Cluster,
    kind: &'static str,
    ns: &str,
    name: &str,
) -> Option<Result<(String, bool), String>> {
    match cluster.world.api.get(kind, ns, name)? {
        Object::StatefulSet(s) => Some(rollout_status::stateful_set(s)),
        Object::DaemonSet(d) => Some(rollout_status::daemon_set(d)),
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
        Some(t) => match super::duration_flag("rollout status", "timeout", t) {
            Ok(d) if d.0 <= 0 => STATUS_LIMIT,
            Ok(d) => d,
            Err(e) => return super::error(e),
        },
    };
    let watch = parsed.value("watch") != Some("false");
    let deadline = cluster.world.clock.now_ms().saturating_add(limit.0);
    loop {
        let cursor = cluster.world.api.watch();
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
        // Each look reads only the events since the last (those had no match).
        cluster.advance_until(SimDuration::millis(remaining), move |c| {
            c.world.api.read(&cursor).iter().any(|e| {
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
    match cluster.patch(obj, "") {
        Ok(_) => {
            let mut out = Output::default();
            out.out(format!("{}/{name} restarted", kind.qualified_kind()));
            out
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}
