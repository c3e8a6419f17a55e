//! `kubectl cordon`, `uncordon` and `drain`: mark nodes (un)schedulable and evict their pods
//! with kubectl's filters (mirror pods, DaemonSet-managed pods, local storage, pods without a
//! controller), messages and waiting.

use k8s_openapi::api::core::v1::Pod;

use super::flags::{self, Flag};
use crate::api::error::ApiError;
use crate::api::kinds;
use crate::api::object::{Node, Object};
use crate::api::selector::Selector;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;

/// How long drain waits for evicted pods when `--timeout` is 0 (kubectl: forever).
const WAIT_LIMIT: SimDuration = SimDuration::seconds(3600);

pub(super) const CORDON_FLAGS: &[Flag] = &[
    flags::value("selector", Some('l')),
    flags::value("dry-run", None),
];

pub(super) const DRAIN_FLAGS: &[Flag] = &[
    flags::value("selector", Some('l')),
    flags::value("dry-run", None),
    flags::boolean("force", None),
    flags::boolean("ignore-daemonsets", None),
    flags::boolean("delete-emptydir-data", None),
    flags::boolean("delete-local-data", None),
    flags::boolean("disable-eviction", None),
    flags::value("grace-period", None),
    flags::value("timeout", None),
    flags::value("pod-selector", None),
    flags::value("skip-wait-for-delete-timeout", None),
    flags::value("chunk-size", None),
];

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str =
    "Pods with local storage (use --delete-emptydir-data to override)";
const UNMANAGED_FATAL: &str = "Pods declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// Runs `kubectl cordon` (`desired` = true) or `kubectl uncordon`.
pub fn cordon(cluster: &mut Cluster, args: &[String], desired: bool) -> Output {
    let verb = if desired { "cordon" } else { "uncordon" };
    let parsed = match flags::parse(verb, args, CORDON_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let nodes = match nodes(cluster, verb, &parsed) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let mut out = Output::default();
    set_unschedulable(cluster, &nodes, desired, &mut out);
    out
}

/// Runs `kubectl drain`: on the page a job that keeps retrying refused evictions as
/// simulated time passes (until `--timeout` or Ctrl-C); elsewhere it runs to the end.
pub fn drain(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("drain", args, DRAIN_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let options = match Options::from(&parsed) {
        Ok(o) => o,
        Err(e) => return super::error(e),
    };
    let nodes = match nodes(cluster, "drain", &parsed) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let mut out = Output::default();
    set_unschedulable(cluster, &nodes, true, &mut out);
    let mut job = Draining {
        options,
        nodes: nodes.into(),
        current: None,
        fatal: Vec::new(),
        remaining: Vec::new(),
    };
    if cluster.console.may_stream() {
        if !job.poll(cluster, &mut out) {
            cluster.console.job = Some(crate::console::Job::Drain(Box::new(job)));
        }
        return out;
    }
    while !job.poll(cluster, &mut out) {
        let now = cluster.world.clock.now_ms();
        let Some(ev) = &job.current else { continue };
        // Until the next retry (or the deadline), or until an awaited pod goes.
        let wake = ev.wake(now);
        let watch = ev.waiting.clone();
        cluster.advance_until(SimDuration::millis(wake - now), move |c| {
            watch.iter().any(|p| gone(c, p))
        });
    }
    out
}

/// A drain in progress: the nodes left, the evictions of the current one, and what failed.
#[derive(Clone, Debug)]
pub(crate) struct Draining {
    options: Options,
    nodes: std::collections::VecDeque<String>,
    current: Option<Evictions>,
    fatal: Vec<Vec<String>>,
    remaining: Vec<String>,
}

impl Draining {
    /// Goes as far as it can now; true once every node is drained or has failed.
    pub(crate) fn poll(&mut self, cluster: &mut Cluster, out: &mut Output) -> bool {
        loop {
            if let Some(ev) = self.current.as_mut() {
                let Some(result) = ev.step(cluster, out) else {
                    return false;
                };
                let node = ev.node.clone();
                self.current = None;
                self.node_done(&node, result, out);
            }
            let Some(node) = self.nodes.pop_front() else {
                self.summary(out);
                return true;
            };
            match drain_node(cluster, &node, &self.options, out) {
                Ok(Some(ev)) => self.current = Some(ev),
                Ok(None) => self.node_done(&node, Ok(()), out),
                Err(errors) => self.node_done(&node, Err(errors), out),
            }
        }
    }

    fn node_done(&mut self, node: &str, result: Result<(), Vec<String>>, out: &mut Output) {
        match result {
            Ok(()) => out.out(format!("node/{node} drained")),
            Err(errors) => {
                out.err(format!(
                    "error: unable to drain node \"{node}\" due to error: {}, continuing command...",
                    aggregate(&errors)
                ));
                self.fatal.push(errors);
                self.remaining.push(node.to_string());
            }
        }
    }

    /// kubectl's closing report of the nodes that could not be drained.
    fn summary(&self, out: &mut Output) {
        if self.remaining.is_empty() {
            return;
        }
        out.err("There are pending nodes to be drained:");
        for n in &self.remaining {
            out.err(format!(" {n}"));
        }
        out.exit_code = 1;
        // kubectl's CheckErr: an aggregate of one is unwrapped; an aggregate prints one
        // error per line without the `error: ` prefix.
        match self.fatal.as_slice() {
            [one]
                if one.len() == 1
                    && !one[0].starts_with("cannot delete")
                    && !one[0].starts_with("error when") =>
            {
                // A plain error (the deletions' timeout), not an aggregate (the filters' or
                // the evictions'): printed with `error: `.
                out.err(format!("error: {}", one[0]));
            }
            [one] => {
                for e in one {
                    out.err(e.clone());
                }
            }
            many => {
                for errors in many {
                    out.err(aggregate(errors));
                }
            }
        }
    }
}

/// Drain options from the command line.
#[derive(Clone, Debug)]
struct Options {
    force: bool,
    ignore_daemonsets: bool,
    delete_emptydir_data: bool,
    disable_eviction: bool,
    grace: Option<i64>,
    timeout_ms: i64,
    pod_selector: Option<Selector>,
}

impl Options {
    fn from(parsed: &flags::Parsed) -> Result<Options, String> {
        let grace = match parsed.value("grace-period") {
            Some(g) => match super::int_flag("drain", "--grace-period", g, 64)? {
                v if v >= 0 => Some(v),
                _ => None,
            },
            None => None,
        };
        let timeout_ms = match parsed.value("timeout") {
            Some(t) => super::duration_flag("drain", "timeout", t)?.0,
            None => 0,
        }
        .min(WAIT_LIMIT.0);
        let pod_selector = match parsed.value("pod-selector") {
            Some(s) if !s.is_empty() => Some(
                Selector::parse(s)
                    .map_err(|_| "--pod-selector=<pod_selector> must be a valid label selector")?,
            ),
            _ => None,
        };
        Ok(Options {
            force: parsed.bool("force"),
            ignore_daemonsets: parsed.bool("ignore-daemonsets"),
            delete_emptydir_data: parsed.bool("delete-emptydir-data")
                || parsed.bool("delete-local-data"),
            disable_eviction: parsed.bool("disable-eviction"),
            grace,
            timeout_ms,
            pod_selector,
        })
    }
}

/// The nodes named on the command line (or matched by `-l`), as kubectl's builder finds them.
fn nodes(cluster: &Cluster, verb: &str, parsed: &flags::Parsed) -> Result<Vec<String>, Output> {
    let selector = parsed.value("selector").filter(|s| !s.is_empty());
    if parsed.positionals.is_empty() && selector.is_none() {
        return Err(super::error(format!(
            "USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples"
        )));
    }
    if !parsed.positionals.is_empty() && selector.is_some() {
        return Err(super::error(format!(
            "cannot specify both a node name and a --selector option\nSee 'kubectl {verb} -h' for help and examples"
        )));
    }
    let node_kind = kinds::info("Node");
    if let Some(s) = selector {
        let selector = Selector::parse(s).map_err(super::error)?;
        return Ok(cluster
            .world
            .api
            .list("Node", None)
            .filter(|o| selector.matches(o.metadata().labels.as_ref()))
            .map(|o| o.name().to_string())
            .collect());
    }
    let mut names = Vec::new();
    for arg in &parsed.positionals {
        let name = match arg.split_once('/') {
            Some((kind, name)) => match kinds::resolve(kind) {
                Some(k) if k.kind == "Node" => name,
                Some(k) => {
                    let ns = if k.namespaced {
                        super::namespace(cluster, parsed)
                    } else {
                        String::new()
                    };
                    return Err(if cluster.world.api.get(k.kind, &ns, name).is_some() {
                        super::error(format!(
                            "expected resource of type node, got \"{}\"",
                            k.group_version_resource()
                        ))
                    } else {
                        Output::failure(ApiError::not_found(k, name).kubectl_message())
                    });
                }
                None => {
                    return Err(super::error(format!(
                        "the server doesn't have a resource type \"{kind}\""
                    )))
                }
            },
            None => arg.as_str(),
        };
        if cluster.world.api.get("Node", "", name).is_none() {
            let mut o = Output::failure(ApiError::not_found(node_kind, name).kubectl_message());
            o.exit_code = 1;
            return Err(o);
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// Sets `spec.unschedulable` on each node, printing `cordoned` / `already cordoned` etc.
fn set_unschedulable(cluster: &mut Cluster, nodes: &[String], desired: bool, out: &mut Output) {
    let verb = if desired { "cordoned" } else { "uncordoned" };
    for name in nodes {
        let Some(node) = cluster.world.api.get_as::<Node>("", name).cloned() else {
            continue;
        };
        let mut node = node;
        let current = node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false);
        if current == desired {
            out.out(format!("node/{name} already {verb}"));
            continue;
        }
        node.spec.get_or_insert_with(Default::default).unschedulable = desired.then_some(true);
        let _ = cluster.world.api.update(Object::Node(Box::new(node)));
        out.out(format!("node/{name} {verb}"));
    }
    // The node lifecycle controller adds or removes the unschedulable taint right away.
    cluster.controllers.run("nodelifecycle", &mut cluster.world);
}

/// What kubectl decides for one pod on the node.
enum Verdict {
    Delete,
    Warn(&'static str),
    DeleteWithWarning(&'static str),
    Fatal(&'static str),
    Skip,
}

/// kubectl's filter chain: daemonSet, mirror, localStorage, unreplicated (first refusal wins).
fn verdict(pod: &Pod, o: &Options) -> Verdict {
    let controller = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true));
    if controller.is_some_and(|r| r.kind == "DaemonSet") {
        return if o.ignore_daemonsets {
            Verdict::Warn(DAEMONSET_WARNING)
        } else {
            Verdict::Fatal(DAEMONSET_FATAL)
        };
    }
    if crate::api::pod::is_mirror(&pod.metadata) {
        return Verdict::Skip;
    }
    let finished = matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    );
    let empty_dir = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .any(|v| v.empty_dir.is_some());
    if empty_dir && !finished && !o.delete_emptydir_data {
        return Verdict::Fatal(LOCAL_STORAGE_FATAL);
    }
    // The last filter's status is the one kept for a pod that passes them all (so kubectl's
    // "deleting Pods with local storage" warning is overwritten by the next filter).
    if finished || controller.is_some() {
        return Verdict::Delete;
    }
    if o.force {
        Verdict::DeleteWithWarning(UNMANAGED_WARNING)
    } else {
        Verdict::Fatal(UNMANAGED_FATAL)
    }
}

/// Groups `ns/name` under each message, in first-seen order, as `msg: a, b`.
fn grouped(items: &[(&'static str, String)]) -> Vec<String> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (msg, pod) in items {
        match groups.iter_mut().find(|(m, _)| m == msg) {
            Some((_, pods)) => pods.push(pod),
            None => groups.push((msg, vec![pod])),
        }
    }
    groups
        .into_iter()
        .map(|(m, pods)| format!("{m}: {}", pods.join(", ")))
        .collect()
}

/// Go's `utilerrors.Aggregate` text ([`crate::api::limit_range::aggregate`]).
fn aggregate(errors: &[String]) -> String {
    crate::api::limit_range::aggregate(errors.to_vec()).unwrap_or_default()
}

/// Starts draining one node: its evictions to go on with, or (deleting the pods, or with
/// nothing to evict) the outcome.
fn drain_node(
    cluster: &mut Cluster,
    node: &str,
    o: &Options,
    out: &mut Output,
) -> Result<Option<Evictions>, Vec<String>> {
    let pods: Vec<Pod> = cluster
        .world
        .api
        .pods_on(node)
        .filter(|p| {
            o.pod_selector
                .as_ref()
                .is_none_or(|s| s.matches(p.metadata.labels.as_ref()))
        })
        .cloned()
        .collect();
    let mut to_delete = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for pod in pods {
        let id = format!(
            "{}/{}",
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or("")
        );
        match verdict(&pod, o) {
            Verdict::Delete => to_delete.push(pod),
            Verdict::DeleteWithWarning(w) => {
                warnings.push((w, id));
                to_delete.push(pod);
            }
            Verdict::Warn(w) => warnings.push((w, id)),
            Verdict::Fatal(e) => errors.push((e, id)),
            Verdict::Skip => {}
        }
    }
    if !errors.is_empty() {
        return Err(grouped(&errors)
            .into_iter()
            .map(|e| format!("cannot delete {e}"))
            .collect());
    }
    if !warnings.is_empty() {
        out.err(format!("Warning: {}", grouped(&warnings).join("; ")));
    }
    if o.disable_eviction {
        return delete_and_wait(cluster, node, &to_delete, o, out).map(|()| None);
    }
    Ok(Some(Evictions::new(cluster, node, to_delete, o)))
}

/// A pod drain waits for: (namespace, name, uid). A pod recreated under the same name (a
/// StatefulSet's) is a new pod, and the old one is gone, as kubectl's wait compares uids.
type Awaited = (String, String, Option<String>);

fn awaited(pod: &Pod) -> Awaited {
    (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
        pod.metadata.uid.clone(),
    )
}

fn gone(cluster: &Cluster, (ns, n, uid): &Awaited) -> bool {
    cluster
        .world
        .api
        .get("Pod", ns, n)
        .is_none_or(|p| p.metadata().uid != *uid)
}

/// How long drain waits: `--timeout`, or (0: kubectl's forever) [`WAIT_LIMIT`].
fn wait_limit(o: &Options) -> i64 {
    if o.timeout_ms > 0 {
        o.timeout_ms
    } else {
        WAIT_LIMIT.0
    }
}

/// `--disable-eviction`: deletes the pods, then waits for them to go.
fn delete_and_wait(
    cluster: &mut Cluster,
    node: &str,
    pods: &[Pod],
    o: &Options,
    out: &mut Output,
) -> Result<(), Vec<String>> {
    let mut pending: Vec<Awaited> = Vec::new();
    for pod in pods {
        let (ns, name, uid) = awaited(pod);
        if cluster
            .world
            .delete("Pod", &ns, &name, o.grace, false)
            .is_ok()
        {
            pending.push((ns, name, uid));
        }
    }
    let limit = wait_limit(o);
    let deadline = cluster.world.clock.now_ms() + limit;
    while !pending.is_empty() {
        let left = SimDuration::millis((deadline - cluster.world.clock.now_ms()).max(0));
        let watch = pending.clone();
        cluster.advance_until(left, move |c| watch.iter().any(|p| gone(c, p)));
        let (went, still): (Vec<_>, Vec<_>) = pending.into_iter().partition(|p| gone(cluster, p));
        pending = still;
        for (_, name, _) in &went {
            out.out(format!("pod/{name} deleted"));
        }
        if went.is_empty() {
            break;
        }
    }
    if pending.is_empty() {
        return Ok(());
    }
    let message = format!(
        "drain did not complete within {}",
        SimDuration::millis(limit).go_string()
    );
    pending_pods(node, &message, pending.iter().map(|p| p.1.as_str()), out);
    Err(vec![message])
}

/// kubectl's report of the pods still on the node when draining failed.
fn pending_pods<'a>(
    node: &str,
    message: &str,
    names: impl Iterator<Item = &'a str>,
    out: &mut Output,
) {
    out.err(format!(
        "There are pending pods in node \"{node}\" when an error occurred: {message}"
    ));
    for name in names {
        out.err(format!("pod/{name}"));
    }
}

/// How long kubectl waits before asking again for an eviction a budget refused.
const EVICTION_RETRY_MS: i64 = 5_000;

/// One node's pods being evicted through the eviction API (retrying every 5 s while their
/// disruption budget refuses, until the timeout) and awaited until they go, as kubectl's
/// `evictPods` does for each pod.
#[derive(Clone, Debug)]
pub(crate) struct Evictions {
    node: String,
    /// The pods drain set out to evict (for the report of those left).
    pods: Vec<Pod>,
    grace: Option<i64>,
    deadline: i64,
    /// `--timeout` as Go prints it.
    timeout: String,
    /// Pods still to evict, with when to try next.
    retrying: Vec<(Awaited, i64)>,
    /// Pods evicted and awaited.
    waiting: Vec<Awaited>,
    errors: Vec<String>,
}

impl Evictions {
    fn new(cluster: &Cluster, node: &str, pods: Vec<Pod>, o: &Options) -> Evictions {
        let limit = wait_limit(o);
        let now = cluster.world.clock.now_ms();
        Evictions {
            node: node.to_string(),
            retrying: pods.iter().map(|p| (awaited(p), now)).collect(),
            pods,
            grace: o.grace,
            deadline: now + limit,
            timeout: SimDuration::millis(limit).go_string(),
            waiting: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// When to look again: the next retry, or the deadline.
    fn wake(&self, now: i64) -> i64 {
        self.retrying
            .iter()
            .map(|(_, at)| *at)
            .min()
            .unwrap_or(self.deadline)
            .max(now)
    }

    /// Tries the evictions due and reports the pods gone; the node's outcome once done.
    fn step(&mut self, cluster: &mut Cluster, out: &mut Output) -> Option<Result<(), Vec<String>>> {
        let now = cluster.world.clock.now_ms();
        let mut next = Vec::new();
        for (pod, at) in std::mem::take(&mut self.retrying) {
            if at > now {
                next.push((pod, at));
                continue;
            }
            let (ns, name, _) = &pod;
            out.out(format!("evicting pod {ns}/{name}"));
            if now >= self.deadline {
                self.errors.push(format!(
                    "error when evicting pods/\"{name}\" -n \"{ns}\": global timeout reached: {}",
                    self.timeout
                ));
                continue;
            }
            match cluster.world.evict(ns, name, self.grace) {
                Ok(()) => self.waiting.push(pod),
                Err(ApiError::NotFound { .. }) => {}
                Err(e @ ApiError::TooManyRequests { .. }) => {
                    out.err(format!(
                        "error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after 5s): {}",
                        e.status_message("")
                    ));
                    next.push((pod, now + EVICTION_RETRY_MS));
                }
                Err(e) => self.errors.push(format!(
                    "error when evicting pods/\"{name}\" -n \"{ns}\": {}",
                    e.status_message("")
                )),
            }
        }
        self.retrying = next;
        let (went, still): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|p| gone(cluster, p));
        self.waiting = still;
        for (_, name, _) in &went {
            out.out(format!("pod/{name} evicted"));
        }
        if self.retrying.is_empty() && self.waiting.is_empty() {
            return Some(self.finish(cluster, out));
        }
        if cluster.world.clock.now_ms() >= self.deadline && self.retrying.is_empty() {
            for (ns, name, _) in self.waiting.drain(..) {
                self.errors.push(format!(
                    "error when waiting for pod \"{name}\" in namespace \"{ns}\" to terminate: context deadline exceeded"
                ));
            }
            return Some(self.finish(cluster, out));
        }
        None
    }

    /// The outcome: the errors, after the report of the pods still on the node.
    fn finish(&self, cluster: &Cluster, out: &mut Output) -> Result<(), Vec<String>> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let remaining: Vec<String> = cluster
            .world
            .api
            .list_as::<Pod>(None)
            .filter(|p| {
                p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(self.node.as_str())
            })
            .filter(|p| self.pods.iter().any(|d| d.metadata.uid == p.metadata.uid))
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        if !remaining.is_empty() {
            pending_pods(
                &self.node,
                &aggregate(&self.errors),
                remaining.iter().map(String::as_str),
                out,
            );
        }
        Err(self.errors.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates() {
        assert_eq!(aggregate(&["a".into()]), "a");
        assert_eq!(aggregate(&["a".into(), "b".into()]), "[a, b]");
        assert_eq!(aggregate(&["a".into(), "a".into()]), "a");
    }
}
