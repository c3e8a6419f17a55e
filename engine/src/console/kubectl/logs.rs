//! `kubectl logs`: a container's output, from the runtime's replay of its process.
//! `-f` follows in simulated time: new lines appear as the clock advances, until the container
//! exits, `timeout DURATION` runs out (exit status 124), or — without `timeout` — the
//! process stays silent for a minute.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::Pod;

use super::flags;
use crate::api::error::ApiError;
use crate::api::object::{Job, Object};
use crate::cluster::Cluster;
use crate::node::process::rfc3339_nano;
use crate::output::Output;

/// Finds the pod named by `POD`, `pod/POD` or `pods/POD`.
pub fn find_pod(cluster: &Cluster, namespace: &str, target: &str) -> Result<Pod, Output> {
    find_pod_noted(cluster, namespace, target).map(|(p, _)| p)
}

/// [`find_pod`], also accepting `job/NAME`, with kubectl's "Found N pods" note if any.
pub fn find_pod_noted(
    cluster: &Cluster,
    namespace: &str,
    target: &str,
) -> Result<(Pod, Option<String>), Output> {
    let name = match target.split_once('/') {
        None => target,
        Some((kind, name)) => match crate::api::kinds::resolve(kind) {
            Some(k) if k.kind == "Pod" => name,
            Some(k) if selector_of(cluster, k.kind, namespace, name).is_some() => {
                return workload_pod(cluster, namespace, k.kind, name)
            }
            Some(k) => {
                return Err(match cluster.world.api.get(k.kind, namespace, name) {
                    None => Output::failure(ApiError::not_found(k, name).kubectl_message()),
                    Some(_) => super::error(format!(
                        "cannot attach to *{}: selector for {} is not supported yet in Kubeplay",
                        k.kind, k.kind
                    )),
                })
            }
            None => {
                return Err(super::error(format!(
                    "the server doesn't have a resource type \"{kind}\""
                )))
            }
        },
    };
    match cluster.world.api.get("Pod", namespace, name) {
        Some(Object::Pod(p)) => Ok(((**p).clone(), None)),
        _ => Err(Output::failure(
            ApiError::not_found(crate::api::kinds::info("Pod"), name).kubectl_message(),
        )),
    }
}

/// The pod selector of a workload or Service kubectl can take logs from, if `kind/name` is
/// one (and exists).
fn selector_of(
    cluster: &Cluster,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Option<crate::api::selector::Selector> {
    use crate::api::object::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
    use crate::api::selector::Selector;
    use k8s_openapi::api::core::v1::{ReplicationController, Service};
    let api = &cluster.world.api;
    let labels = |s: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>| {
        s.map(Selector::from_label_selector)
    };
    match kind {
        "Job" => labels(
            api.get_as::<Job>(namespace, name)?
                .spec
                .as_ref()?
                .selector
                .as_ref(),
        ),
        "Deployment" => labels(Some(
            &api.get_as::<Deployment>(namespace, name)?
                .spec
                .as_ref()?
                .selector,
        )),
        "ReplicaSet" => labels(Some(
            &api.get_as::<ReplicaSet>(namespace, name)?
                .spec
                .as_ref()?
                .selector,
        )),
        "StatefulSet" => labels(Some(
            &api.get_as::<StatefulSet>(namespace, name)?
                .spec
                .as_ref()?
                .selector,
        )),
        "DaemonSet" => labels(Some(
            &api.get_as::<DaemonSet>(namespace, name)?
                .spec
                .as_ref()?
                .selector,
        )),
        "Service" => Some(Selector::from_map(
            api.get_as::<Service>(namespace, name)?
                .spec
                .as_ref()?
                .selector
                .as_ref()?,
        )),
        "ReplicationController" => Some(Selector::from_map(
            api.get_as::<ReplicationController>(namespace, name)?
                .spec
                .as_ref()?
                .selector
                .as_ref()?,
        )),
        _ => None,
    }
}

/// The pod kubectl picks for `logs KIND/NAME` of a workload or Service: its pods by
/// selector in kubectl's `ByLogging` order (on a node, running, ready, ready longest, most
/// restarts, oldest); "Found N pods, using pod/X" when there are several.
fn workload_pod(
    cluster: &Cluster,
    namespace: &str,
    kind: &str,
    name: &str,
) -> Result<(Pod, Option<String>), Output> {
    let pods = workload_pods(cluster, namespace, kind, name);
    let Some(first) = pods.first() else {
        return Err(super::error("timed out waiting for the condition"));
    };
    let pod = (*first).clone();
    let note = (pods.len() > 1).then(|| {
        format!(
            "Found {} pods, using pod/{}",
            pods.len(),
            pod.metadata.name.clone().unwrap_or_default()
        )
    });
    Ok((pod, note))
}

/// The pods of a workload or Service by its selector, in kubectl's `ByLogging` order.
fn workload_pods<'a>(
    cluster: &'a Cluster,
    namespace: &'a str,
    kind: &str,
    name: &str,
) -> Vec<&'a Pod> {
    let selector = selector_of(cluster, kind, namespace, name);
    let mut pods: Vec<&Pod> = cluster
        .world
        .api
        .list_as::<Pod>(Some(namespace))
        .filter(|p| {
            selector
                .as_ref()
                .is_some_and(|s| !s.is_empty() && s.matches(p.metadata.labels.as_ref()))
        })
        .collect();
    let phase_rank = |p: &Pod| match crate::api::pod::phase(p) {
        "Running" => 0,
        "Unknown" => 1,
        "Pending" => 2,
        _ => 3,
    };
    let created = |p: &Pod| {
        p.metadata
            .creation_timestamp
            .as_ref()
            .map(crate::clock::ms_from_time)
    };
    let restarts = |p: &Pod| -> i32 {
        p.status
            .iter()
            .flat_map(|s| s.container_statuses.iter().flatten())
            .map(|c| c.restart_count)
            .sum()
    };
    pods.stable_sort_by_key(|p| {
        let unassigned = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none();
        let ready_since = crate::api::pod::ready_since(p);
        (
            unassigned,
            phase_rank(p),
            ready_since.is_none(),
            ready_since,
            std::cmp::Reverse(restarts(p)),
            created(p),
        )
    });
    pods
}

/// The container named by `-c`, or the default one (with kubectl's note when there are several).
pub fn pick_container(pod: &Pod, wanted: Option<&str>, out: &mut Output) -> Option<String> {
    let names: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| c.name.clone())
        .collect();
    if let Some(w) = wanted {
        let init = pod
            .spec
            .iter()
            .flat_map(|s| s.init_containers.iter().flatten())
            .any(|c| c.name == w);
        return (init || names.iter().any(|n| n == w)).then(|| w.to_string());
    }
    let default = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .filter(|d| names.contains(d))
        .cloned()
        .or_else(|| names.first().cloned())?;
    if names.len() > 1 {
        out.err(format!(
            "Defaulted container \"{default}\" out of: {}",
            names.join(", ")
        ));
    }
    Some(default)
}

pub(super) const FLAGS: &[flags::Flag] = &[
    flags::value("container", Some('c')),
    flags::boolean("follow", Some('f')),
    flags::boolean("previous", Some('p')),
    flags::value("tail", None),
    flags::boolean("timestamps", None),
    flags::value("since", None),
    flags::boolean("all-containers", None),
    flags::value("selector", Some('l')),
    flags::boolean("prefix", None),
    flags::value("max-log-requests", None),
    flags::boolean("all-pods", None),
];

/// Lines per pod when pods are chosen by `-l` and `--tail` is not given.
const SELECTOR_TAIL: &str = "10";

/// `kubectl logs -l SELECTOR`: each matching pod's logs in turn ([`each_pod`]).
fn by_selector(
    cluster: &mut Cluster,
    args: &[String],
    parsed: &flags::Parsed,
    selector: &str,
) -> Output {
    let namespace = super::namespace(cluster, parsed);
    let selector = match crate::api::selector::Selector::parse(selector) {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let pods: Vec<Pod> = cluster
        .world
        .api
        .list_as::<Pod>(Some(&namespace))
        .filter(|p| selector.matches(p.metadata.labels.as_ref()))
        .cloned()
        .collect();
    if pods.is_empty() {
        let mut out = Output::default();
        out.err(format!("No resources found in {namespace} namespace."));
        return out;
    }
    each_pod(cluster, args, parsed, pods, Many::Selector)
}

/// How several pods' logs were asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Many {
    /// `-l SELECTOR`: the last 10 lines of each unless `--tail` says otherwise.
    Selector,
    /// `KIND/NAME --all-pods`: all of each, without the "Defaulted container" notes.
    AllPods,
}

/// Each of `pods`' logs in turn, by the same command without what chose them;
/// `[pod/NAME/CONTAINER] ` before each line with `--prefix`.
fn each_pod(
    cluster: &mut Cluster,
    args: &[String],
    parsed: &flags::Parsed,
    pods: Vec<Pod>,
    many: Many,
) -> Output {
    let mut out = Output::default();
    if parsed.bool("follow") && pods.len() > 1 {
        let max = parsed
            .value("max-log-requests")
            .and_then(|m| m.parse::<usize>().ok())
            .unwrap_or(5);
        if pods.len() > max {
            return super::error(format!("you are attempting to follow {} log streams, but maximum allowed concurrency is {max}, use --max-log-requests to increase the limit", pods.len()));
        }
        return super::error("following the logs of several pods at once is not supported yet in Kubeplay: follow one pod, or drop -f");
    }
    // The same command for each pod, without the selector.
    let mut rest: Vec<String> = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if a == "-l" || a == "--selector" {
            skip = true;
            continue;
        }
        if a.starts_with("-l")
            || a.starts_with("--selector=")
            || a == "--prefix"
            || a.starts_with("--prefix=")
            || a == "--all-pods"
            || a.starts_with("--all-pods=")
            || (many == Many::AllPods && Some(a) == parsed.positionals.first())
        {
            continue;
        }
        rest.push(a.clone());
    }
    if many == Many::Selector && parsed.value("tail").is_none() {
        rest.push(format!("--tail={SELECTOR_TAIL}"));
    }
    let prefix = parsed.bool("prefix");
    for pod in pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let mut argv = vec![name.clone()];
        argv.extend(rest.iter().cloned());
        let one = run(cluster, &argv);
        let mut note = Output::default();
        let container =
            pick_container(&pod, parsed.value("container"), &mut note).unwrap_or_default();
        for chunk in one.chunks {
            match (&chunk.0, prefix) {
                (crate::output::Stream::Stdout, true) => {
                    for line in chunk.1.lines() {
                        out.out(format!("[pod/{name}/{container}] {line}"));
                    }
                }
                (crate::output::Stream::Stderr, _)
                    if many == Many::AllPods && chunk.1.starts_with("Defaulted container") => {}
                _ => out.chunks.push(chunk),
            }
        }
        if one.exit_code != 0 {
            out.exit_code = one.exit_code;
            return out;
        }
    }
    out
}

/// Runs `kubectl logs`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("logs", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    if let Some(selector) = parsed.value("selector") {
        if !parsed.positionals.is_empty() {
            return super::error("only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples");
        }
        let selector = selector.to_string();
        return by_selector(cluster, args, &parsed, &selector);
    }
    let Some(target) = parsed.positionals.first() else {
        return super::error("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
    };
    if parsed.bool("all-pods") {
        // A workload's or Service's pods, every one of them when there are several.
        let kind = target
            .split_once('/')
            .and_then(|(kind, name)| Some((crate::api::kinds::resolve(kind)?.kind, name)));
        if let Some((kind, name)) = kind.filter(|(kind, _)| *kind != "Pod") {
            let pods: Vec<Pod> = workload_pods(cluster, &namespace, kind, name)
                .into_iter()
                .cloned()
                .collect();
            if pods.len() > 1 {
                return each_pod(cluster, args, &parsed, pods, Many::AllPods);
            }
        }
    }
    let tail: Option<usize> = match parsed.value("tail") {
        None => None,
        Some(t) => match super::int_flag("logs", "--tail", t, 64) {
            Ok(n) if n < 0 => None,
            Ok(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            Err(e) => return super::error(e),
        },
    };
    let since = match parsed.value("since") {
        None => None,
        Some(s) => match super::duration_flag("logs", "since", s) {
            Ok(d) => Some(d.0),
            Err(e) => return super::error(e),
        },
    };
    let (pod, note) = match find_pod_noted(cluster, &namespace, target) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let mut out = Output::default();
    if let Some(note) = note {
        out.err(note);
    }
    let wanted = parsed.value("container");
    let Some(container) = pick_container(&pod, wanted, &mut out) else {
        let c = wanted.unwrap_or_default();
        return Output::failure(format!(
            "Error from server (BadRequest): container {c} is not valid for pod {pod_name}"
        ));
    };
    let bad = |m: String| Output::failure(format!("Error from server (BadRequest): {m}"));
    if pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_ref())
        .is_none()
    {
        return bad(format!("pod {pod_name} does not have a host assigned"));
    }
    if let Some(kubelet) = crate::node::agent::stopped_kubelet_of(&cluster.world, &pod) {
        return Output::failure(format!(
            "Error from server: Get \"https://{kubelet}/containerLogs/{namespace}/{pod_name}/{container}\": dial tcp {kubelet}: connect: connection refused"
        ));
    }
    let key = (namespace.clone(), pod_name.clone(), container.clone());
    let slot = cluster.kubelet.containers.get(&key);
    let instance = if parsed.bool("previous") {
        match slot.and_then(|s| s.previous.as_ref()) {
            Some(i) => i,
            None => {
                return bad(format!(
                    "previous terminated container \"{container}\" in pod \"{pod_name}\" not found"
                ))
            }
        }
    } else {
        match slot.and_then(|s| s.current.as_ref()) {
            Some(i) => i,
            None => {
                let reason = pod
                    .status
                    .iter()
                    .flat_map(|s| s.container_statuses.iter().flatten())
                    .find(|s| s.name == container)
                    .and_then(|s| s.state.as_ref()?.waiting.as_ref()?.reason.clone())
                    .unwrap_or_else(|| "ContainerCreating".into());
                let why = match reason.as_str() {
                    "ImagePullBackOff" => "trying and failing to pull image".to_string(),
                    "ErrImagePull" | "InvalidImageName" => "image can't be pulled".to_string(),
                    r => r.to_string(),
                };
                return bad(format!(
                    "container \"{container}\" in pod \"{pod_name}\" is waiting to start: {why}"
                ));
            }
        }
    };
    let now = cluster.world.clock.now_ms();
    let until = match instance.exit {
        Some((at, _)) if at <= now => at,
        _ => now,
    };
    let run = instance.process.run_in(Some(&cluster.world.storage), until);
    let start = instance.process.start_ms;
    let mut lines: Vec<(i64, String)> = run
        .lines
        .into_iter()
        .map(|l| (start + l.at, l.text))
        .filter(|(t, _)| *t <= now)
        .collect();
    if let Some(s) = since {
        lines.retain(|(t, _)| *t >= now.saturating_sub(s));
    }
    if let Some(n) = tail {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let timestamps = parsed.bool("timestamps");
    let mut text = String::new();
    for (t, l) in lines {
        push_line(&mut text, t, &l, timestamps);
    }
    out.out_raw(text);
    if parsed.bool("follow") && !parsed.bool("previous") {
        let followed = Followed {
            key,
            process: instance.process.clone(),
            container_id: instance.container_id.clone(),
            exit_at: instance.exit.map(|(at, _)| at),
            timestamps,
        };
        follow(cluster, followed, &mut out);
    }
    out
}

fn push_line(text: &mut String, at: i64, line: &str, timestamps: bool) {
    if timestamps {
        // The runtime stamps lines with nanoseconds; kubeplay's clock has milliseconds.
        text.push_str(&rfc3339_nano(at));
        text.push(' ');
    }
    text.push_str(line);
    text.push('\n');
}

/// The container instance `logs -f` streams from, and how far it has printed.
#[derive(Clone, Debug)]
pub(crate) struct Followed {
    key: crate::node::runtime::SlotKey,
    process: crate::node::process::Container,
    container_id: String,
    exit_at: Option<i64>,
    timestamps: bool,
}

/// Longest `logs -f` follows without `timeout` when it cannot stream.
const FOLLOW_LIMIT_MS: i64 = 600_000;
/// Without `timeout` and without streaming, following stops after this long without a line.
const QUIET_MS: i64 = 60_000;

/// A streaming `logs -f`: prints lines as the clock passes them.
#[derive(Clone, Debug)]
pub(crate) struct Follower {
    followed: Followed,
    printed_until: i64,
    /// When `timeout` ends it (epoch ms).
    deadline: Option<i64>,
}

impl Follower {
    /// Prints the lines written since the last poll; true once the container has exited or
    /// been removed, or `timeout` has ended it (exit status 124).
    pub(crate) fn poll(&mut self, cluster: &Cluster, out: &mut Output) -> bool {
        let f = &self.followed;
        let now = cluster.world.clock.now_ms();
        let current = f.live(cluster);
        let running = current.is_some();
        // The live instance: requests and load streams add to its log as time passes.
        let process = current.map_or(&f.process, |i| &i.process);
        let exit_at = current.and_then(|i| i.exit).map(|(at, _)| at).or(f.exit_at);
        let upto = exit_at.map_or(now, |e| e.min(now));
        let mut text = String::new();
        // A load loop's output arrives as a terminal receives it, bodies running on.
        if let Some(load) = &process.load {
            text = load.text_between(self.printed_until, upto);
        }
        let lines = match process.load {
            Some(_) => Vec::new(),
            None => process.run_in(Some(&cluster.world.storage), upto).lines,
        };
        for l in lines {
            let at = f.process.start_ms + l.at;
            if at > self.printed_until && at <= upto {
                push_line(&mut text, at, &l.text, f.timestamps);
            }
        }
        out.out_raw(text);
        self.printed_until = upto;
        if !running || exit_at.is_some_and(|e| e <= now) {
            return true;
        }
        let ended = self.deadline.is_some_and(|d| now >= d);
        if ended {
            out.exit_code = 124;
        }
        ended
    }
}

impl Followed {
    /// The followed instance while the kubelet still runs it (not a later restart).
    fn live<'a>(&self, cluster: &'a Cluster) -> Option<&'a crate::node::runtime::Instance> {
        cluster
            .kubelet
            .containers
            .get(&self.key)
            .and_then(|s| s.current.as_ref())
            .filter(|i| i.container_id == self.container_id)
    }

    /// The running instance of container `key`, followed from now (`kubectl attach`).
    pub(crate) fn current(cluster: &Cluster, key: &crate::node::runtime::SlotKey) -> Option<Self> {
        let i = cluster.kubelet.containers.get(key)?.current.as_ref()?;
        Some(Followed {
            key: key.clone(),
            process: i.process.clone(),
            container_id: i.container_id.clone(),
            exit_at: i.exit.map(|(at, _)| at),
            timestamps: false,
        })
    }
}

/// Streams the lines the process writes after now: as a console job when the front end
/// streams, else here, advancing the cluster to each line.
fn follow(cluster: &mut Cluster, f: Followed, out: &mut Output) {
    if let Some(job) = follow_with(cluster, f, out) {
        cluster.console.job = Some(crate::console::Job::Follow(Box::new(job)));
    }
}

/// [`follow`]: returns the job to run when the front end streams; else follows here.
pub(crate) fn follow_with(
    cluster: &mut Cluster,
    f: Followed,
    out: &mut Output,
) -> Option<Follower> {
    let limit = cluster.console.watch_limit;
    let start = cluster.world.clock.now_ms();
    if cluster.console.may_stream() {
        return Some(Follower {
            followed: f,
            printed_until: start,
            deadline: limit.map(|l| start + l.0),
        });
    }
    follow_here(cluster, f, out, limit, start);
    None
}

fn follow_here(
    cluster: &mut Cluster,
    f: Followed,
    out: &mut Output,
    limit: Option<crate::clock::SimDuration>,
    start: i64,
) {
    if f.process.load.is_some() || f.process.runs_ab() {
        return follow_stream(cluster, f, out, limit, start);
    }
    let deadline = start + limit.map_or(FOLLOW_LIMIT_MS, |l| l.0);
    let end = f.exit_at.map_or(deadline, |e| e.min(deadline));
    let upcoming: Vec<(i64, String)> = f
        .process
        .run_until(end)
        .lines
        .into_iter()
        .map(|l| (f.process.start_ms + l.at, l.text))
        .filter(|(t, _)| *t > start && *t <= end)
        .collect();
    let mut last = start;
    let still_running = |c: &Cluster| {
        c.kubelet
            .containers
            .get(&f.key)
            .and_then(|s| s.current.as_ref())
            .is_some_and(|i| i.container_id == f.container_id)
    };
    for (at, line) in upcoming {
        if limit.is_none() && at - last > QUIET_MS {
            return;
        }
        cluster.advance_until(
            crate::clock::SimDuration::millis(at - cluster.world.clock.now_ms()),
            |_| false,
        );
        if !still_running(cluster) {
            return;
        }
        let mut text = String::new();
        push_line(&mut text, at, &line, f.timestamps);
        out.out_raw(text);
        last = at;
    }
    let stop = match (limit, f.exit_at) {
        (_, Some(exit)) if exit <= deadline => exit,
        (Some(_), _) => deadline,
        (None, _) => return,
    };
    if limit.is_none() && stop - last > QUIET_MS {
        return;
    }
    cluster.advance_until(
        crate::clock::SimDuration::millis(stop - cluster.world.clock.now_ms()),
        |_| false,
    );
    if f.exit_at.is_none_or(|e| e > deadline) {
        out.exit_code = 124;
    }
}

/// [`follow_here`] for a load loop: its output until it exits or `timeout` (else the
/// follow limit) ends kubectl, as one piece; a last line without its newline gets one (the
/// shell's prompt starts a line).
fn follow_stream(
    cluster: &mut Cluster,
    f: Followed,
    out: &mut Output,
    limit: Option<crate::clock::SimDuration>,
    start: i64,
) {
    let deadline = start + limit.map_or(FOLLOW_LIMIT_MS, |l| l.0);
    let exit_of = |c: &Cluster| f.live(c).map(|i| i.exit.map(|(at, _)| at));
    cluster.advance_until(
        crate::clock::SimDuration::millis(deadline - start),
        |c| match exit_of(c) {
            Some(exit) => exit.is_some_and(|e| e <= c.world.clock.now_ms()),
            None => true,
        },
    );
    let now = cluster.world.clock.now_ms();
    let current = f.live(cluster);
    let exit = current.and_then(|i| i.exit).map(|(at, _)| at);
    let load = current
        .and_then(|i| i.process.load.as_ref())
        .or(f.process.load.as_ref());
    let upto = exit.map_or(now, |e| e.min(now));
    let mut text = load.map_or_else(String::new, |l| l.text_between(start, upto));
    // A benchmark (ab) writes its lines ahead of time: those due by now.
    if let Some(bench) = current.and_then(|i| i.process.bench.as_ref()) {
        for (at, line, _) in &bench.lines {
            if *at > start && *at <= upto {
                push_line(&mut text, *at, line, f.timestamps);
            }
        }
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    out.out_raw(text);
    if limit.is_some() && current.is_some() && exit.is_none_or(|e| e > now) {
        out.exit_code = 124;
    }
}
