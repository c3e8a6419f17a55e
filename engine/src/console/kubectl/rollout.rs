//! `kubectl rollout status|history|undo|pause|resume|restart` for Deployments (StatefulSets
//! and DaemonSets in `rollout_workloads`).

use crate::sort::SliceSort;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::flags::{self, Flag};
use super::resources;
use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::controllers::deployment::{HASH_LABEL, REVISION};
use crate::output::Output;
use crate::printers::rollout_status;
use crate::printers::tabwriter::tabwrite;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("revision", None),
    flags::value("to-revision", None),
    flags::value("timeout", None),
    flags::boolean("watch", Some('w')),
    flags::value("output", Some('o')),
];

/// Longest `rollout status` waits when no `--timeout` is given (simulated time).
const STATUS_LIMIT: SimDuration = SimDuration::seconds(900);

/// Runs `kubectl rollout SUBCOMMAND TYPE/NAME`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let Some((sub, rest)) = args.split_first() else {
        return super::error("Manage the rollout of one or many resources.\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        Show the status of the rollout\n  undo          Undo a previous rollout");
    };
    let verb = format!("rollout {sub}");
    let parsed = match flags::parse(&verb, rest, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if !matches!(
        sub.as_str(),
        "status" | "history" | "undo" | "pause" | "resume" | "restart"
    ) {
        return super::error(format!("unknown command \"{sub}\" for \"kubectl rollout\""));
    }
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) => r,
        Err(e) => return super::error(e),
    };
    let Some(req) = requests.first() else {
        return super::error(format!(
            "required resource not specified\nSee 'kubectl {verb} -h' for help and examples"
        ));
    };
    let namespace = super::namespace(cluster, &parsed);
    let names: Vec<String> = if req.names.is_empty() {
        cluster
            .world
            .api
            .list(req.kind.kind, Some(&namespace))
            .map(|o| o.name().to_string())
            .collect()
    } else {
        req.names.clone()
    };
    if matches!(req.kind.kind, "StatefulSet" | "DaemonSet") && !names.is_empty() {
        return super::rollout_workloads::run(cluster, sub, req.kind, &namespace, &names, &parsed);
    }
    if req.kind.kind != "Deployment" {
        return super::error(format!(
            "\"kubectl rollout {sub}\" of {} is not simulated in Kubeplay yet",
            req.kind.plural
        ));
    }
    if names.is_empty() {
        return super::no_resources_found(true, &namespace);
    }
    let mut out = Output::default();
    for name in names {
        let Some(Object::Deployment(d)) = cluster
            .world
            .api
            .get("Deployment", &namespace, &name)
            .cloned()
        else {
            return Output::failure(ApiError::not_found(req.kind, &name).kubectl_message());
        };
        let result = match sub.as_str() {
            "status" => status(cluster, &namespace, &name, &parsed),
            "history" => history(cluster, &d, &parsed),
            "undo" => undo(cluster, *d, &parsed),
            "pause" | "resume" => pause(cluster, *d, sub == "pause"),
            _ => restart(cluster, *d),
        };
        out.extend(result);
        if out.exit_code != 0 {
            break;
        }
    }
    out
}

fn deployment(cluster: &Cluster, ns: &str, name: &str) -> Option<Deployment> {
    match cluster.world.api.get("Deployment", ns, name) {
        Some(Object::Deployment(d)) => Some(d.as_ref().clone()),
        _ => None,
    }
}

/// Follows the rollout while simulated time passes, printing a line per change of the
/// deployment, as kubectl's watch does.
fn status(cluster: &mut Cluster, ns: &str, name: &str, parsed: &flags::Parsed) -> Output {
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
    let cursor = cluster.world.api.watch();
    let Some(d) = deployment(cluster, ns, name) else {
        return out;
    };
    let (message, done, failed) = rollout_status::deployment(&d);
    if failed {
        return super::error(message);
    }
    out.out(message);
    if done || !watch {
        return out;
    }
    if cluster.console.may_stream() {
        cluster.console.job = Some(crate::console::Job::Rollout(StatusWatch {
            namespace: ns.to_string(),
            name: name.to_string(),
            cursor,
            deadline,
        }));
        return out;
    }
    loop {
        let remaining = deadline - cluster.world.clock.now_ms();
        if remaining <= 0 {
            out.err("error: timed out waiting for the condition");
            out.exit_code = 1;
            return out;
        }
        let start = cursor.next();
        cluster.advance_until(SimDuration::millis(remaining), move |c| {
            c.world.api.log_end() != start
        });
        let changed = cluster.world.api.read(&cursor).iter().any(|e| {
            e.object.kind() == "Deployment" && e.object.name() == name && e.object.namespace() == ns
        });
        if !changed {
            continue;
        }
        let Some(d) = deployment(cluster, ns, name) else {
            return out;
        };
        let (message, done, failed) = rollout_status::deployment(&d);
        if failed {
            out.err(format!("error: {message}"));
            out.exit_code = 1;
            return out;
        }
        out.out(message);
        if done {
            return out;
        }
    }
}

/// A streaming `rollout status`: a line per change of the deployment until it is rolled out.
#[derive(Clone, Debug)]
pub(crate) struct StatusWatch {
    namespace: String,
    name: String,
    cursor: crate::apiserver::Cursor,
    deadline: i64,
}

impl StatusWatch {
    /// Prints the status if the deployment changed since the last poll; true once the
    /// rollout has finished, failed, or timed out.
    pub(crate) fn poll(&mut self, cluster: &Cluster, out: &mut Output) -> bool {
        let (ns, name) = (self.namespace.as_str(), self.name.as_str());
        let changed = cluster.world.api.read(&self.cursor).iter().any(|e| {
            e.object.kind() == "Deployment" && e.object.name() == name && e.object.namespace() == ns
        });
        if changed {
            let Some(d) = deployment(cluster, ns, name) else {
                return true;
            };
            let (message, done, failed) = rollout_status::deployment(&d);
            if failed {
                out.err(format!("error: {message}"));
                out.exit_code = 1;
                return true;
            }
            out.out(message);
            if done {
                return true;
            }
        }
        if cluster.world.clock.now_ms() >= self.deadline {
            out.err("error: timed out waiting for the condition");
            out.exit_code = 1;
            return true;
        }
        false
    }
}

/// The ReplicaSets a deployment owns, by revision.
fn revisions(cluster: &Cluster, d: &Deployment) -> Vec<(i64, ReplicaSet)> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let mut list: Vec<(i64, ReplicaSet)> = cluster
        .world
        .api
        .list("ReplicaSet", Some(&ns))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs)
                if rs
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|r| r.controller == Some(true) && r.uid == uid) =>
            {
                let rev = rs
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(REVISION))
                    .and_then(|r| r.parse().ok())?;
                Some((rev, rs.as_ref().clone()))
            }
            _ => None,
        })
        .collect();
    list.stable_sort_by_key(|(r, _)| *r);
    list
}

fn history(cluster: &Cluster, d: &Deployment, parsed: &flags::Parsed) -> Output {
    let name = d.metadata.name.clone().unwrap_or_default();
    let list = revisions(cluster, d);
    let mut out = Output::default();
    if let Some(rev) = parsed.value("revision") {
        let rev = match super::int_flag("rollout history", "--revision", rev, 64) {
            Ok(r) => r,
            Err(e) => return super::error(e),
        };
        let Some((_, rs)) = list.iter().find(|(r, _)| *r == rev) else {
            return super::error("unable to find the specified revision");
        };
        let template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
        out.out_raw(format!(
            "deployment.apps/{name} with revision #{rev}\n{}\n",
            tabwrite(
                &crate::printers::describe::workloads::pod_template(template),
                0,
                2
            )
        ));
        return out;
    }
    if list.is_empty() {
        out.out("No rollout history found.");
        return out;
    }
    let mut table = String::from("REVISION\tCHANGE-CAUSE\n");
    for (rev, rs) in &list {
        let cause = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(super::set_image::CHANGE_CAUSE))
            .cloned()
            .unwrap_or_else(|| "<none>".into());
        table.push_str(&format!("{rev}\t{cause}\n"));
    }
    out.out_raw(format!(
        "deployment.apps/{name} \n{}\n",
        tabwrite(&table, 0, 2)
    ));
    out
}

fn undo(cluster: &mut Cluster, mut d: Deployment, parsed: &flags::Parsed) -> Output {
    let name = d.metadata.name.clone().unwrap_or_default();
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        return super::error(format!("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{name}' and try again"));
    }
    let to: i64 = match parsed.value("to-revision").map(str::parse).transpose() {
        Ok(r) => r.unwrap_or(0),
        Err(_) => return super::error("invalid argument for \"--to-revision\" flag"),
    };
    let list = revisions(cluster, &d);
    let target = if to == 0 {
        // The previous revision: the second-highest.
        if list.len() < 2 {
            return super::error(format!(
                "no rollout history found for deployment \"{name}\""
            ));
        }
        list.get(list.len() - 2).cloned()
    } else {
        list.iter().find(|(r, _)| *r == to).cloned()
    };
    let Some((rev, rs)) = target else {
        return super::error(format!("unable to find specified revision {to} in history"));
    };
    let mut template = rs.spec.and_then(|s| s.template).unwrap_or_default();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(HASH_LABEL);
    }
    let Some(spec) = d.spec.as_mut() else {
        return Output::default();
    };
    if spec.template == template {
        let mut out = Output::default();
        out.out(format!("deployment.apps/{name} skipped rollback (current template already matches revision {rev})"));
        return out;
    }
    spec.template = template;
    // The deployment takes the ReplicaSet's annotations (its change-cause among them).
    let keep = [
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    ];
    let mut annotations: std::collections::BTreeMap<String, String> = d
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .collect();
    for (k, v) in rs.metadata.annotations.iter().flatten() {
        if !keep.contains(&k.as_str()) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    d.metadata.annotations = Some(annotations);
    match cluster.patch(Object::Deployment(Box::new(d)), "") {
        Ok(_) => {
            let mut out = Output::default();
            out.out(format!("deployment.apps/{name} rolled back"));
            out
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}

fn pause(cluster: &mut Cluster, mut d: Deployment, pause: bool) -> Output {
    let name = d.metadata.name.clone().unwrap_or_default();
    let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
    if paused == pause {
        let state = if pause {
            "already paused"
        } else {
            "not paused"
        };
        return super::error(format!("deployments.apps \"{name}\" is {state}"));
    }
    if let Some(s) = d.spec.as_mut() {
        s.paused = pause.then_some(true);
    }
    match cluster.patch(Object::Deployment(Box::new(d)), "") {
        Ok(_) => {
            let mut out = Output::default();
            let word = if pause { "paused" } else { "resumed" };
            out.out(format!("deployment.apps/{name} {word}"));
            out
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}

fn restart(cluster: &mut Cluster, mut d: Deployment) -> Output {
    let name = d.metadata.name.clone().unwrap_or_default();
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        return super::error(format!("deployments.apps \"{name}\" can't restart paused deployment (run rollout resume first)"));
    }
    let now = cluster
        .world
        .clock
        .now_time()
        .0
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    if let Some(spec) = d.spec.as_mut() {
        spec.template
            .metadata
            .get_or_insert_with(Default::default)
            .annotations
            .get_or_insert_with(Default::default)
            .insert("kubectl.kubernetes.io/restartedAt".into(), now);
    }
    match cluster.patch(Object::Deployment(Box::new(d)), "") {
        Ok(_) => {
            let mut out = Output::default();
            out.out(format!("deployment.apps/{name} restarted"));
            out
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}
