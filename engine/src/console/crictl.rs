//! `crictl` on a node (over `ssh` or `minikube ssh`): cri-tools 1.34, the CRI client a
//! kubeadm node installs, talking to the node's containerd. It lists what the runtime runs
//! whatever the API server and the kubelet are doing — the way to look at a control plane
//! whose API server does not answer: `ps` (containers), `pods` (sandboxes), `images`,
//! `logs`, `version`, `config --set`. Tables are crictl's (Go tabwriter, minwidth 20,
//! padding 3; IDs cut to 13 characters; ages as docker/go-units' `HumanDuration`); its
//! warnings and errors are logrus lines (`WARN[0000] …` on a terminal, `time=… level=…`
//! otherwise).

use k8s_openapi::api::core::v1::Pod;

use crate::cluster::Cluster;
use crate::node::process::script::{ToolRun, Tools};
use crate::node::runtime::Instance;
use crate::printers::tabwriter::tabwrite;
use crate::sort::SliceSort;

/// Where crictl reads its configuration.
pub(crate) const CONFIG_PATH: &str = "/etc/crictl.yaml";
/// containerd's CRI socket, the endpoint that answers on both profiles' nodes.
pub(crate) const CONTAINERD_ENDPOINT: &str = "unix:///run/containerd/containerd.sock";
/// The endpoints crictl tries when none is set (`defaultRuntimeEndpoints`).
const DEFAULT_ENDPOINTS: &str =
    "[unix:///run/containerd/containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]";
/// The length IDs are cut to (`truncatedIDLen`).
const SHORT_ID: usize = 13;
/// cri-tools' release.
const VERSION: &str = "v1.34.0";
/// The sandbox (pause) image kubeadm 1.34 pre-pulls.
const PAUSE_IMAGE: &str = "registry.k8s.io/pause:3.10.1";
/// The pause image's size as containerd reports it.
const PAUSE_SIZE: u64 = 320_448;

/// One node's runtime as `crictl` sees it during a script.
pub(crate) struct Crictl<'a> {
    cluster: &'a Cluster,
    node: String,
    /// Whether stderr is a terminal (an interactive session): logrus's layout.
    tty: bool,
    /// When the command started (logrus's `[0000]` counts from there).
    started_ms: Option<i64>,
}

/// A container as the runtime lists it.
struct Row<'a> {
    id: String,
    image: String,
    created_ms: i64,
    state: &'static str,
    name: &'a str,
    attempt: u32,
    pod_id: String,
    pod: &'a str,
    namespace: &'a str,
    instance: &'a Instance,
}

/// A pod sandbox.
struct Sandbox<'a> {
    id: String,
    created_ms: i64,
    ready: bool,
    pod: &'a Pod,
}

impl<'a> Crictl<'a> {
    /// crictl on `node` of `cluster`; `tty` when its stderr is a terminal.
    pub(crate) fn of(cluster: &'a Cluster, node: &str, tty: bool) -> Self {
        Crictl {
            cluster,
            node: node.to_string(),
            tty,
            started_ms: None,
        }
    }

    /// `/etc/crictl.yaml` on the node, if it is there (read when crictl runs).
    fn config_file(&self) -> Option<&'a str> {
        self.cluster
            .world
            .storage
            .tree(&crate::storage::Backing::Node(self.node.clone()))?
            .read(CONFIG_PATH)
            .ok()
    }

    /// A logrus line at `level` (`warning`, `fatal`).
    fn log(&self, level: &str, msg: &str) -> String {
        if self.tty {
            let text: String = level.to_uppercase().chars().take(4).collect();
            format!("{text}[0000] {msg:<44} ")
        } else {
            let at = crate::node::process::fmt_ms(
                self.started_ms.unwrap_or_default(),
                "%Y-%m-%dT%H:%M:%SZ",
            );
            format!(
                "time=\"{at}\" level={level} msg={}",
                crate::node::hooks::logrus_value(msg)
            )
        }
    }

    /// The pods bound to this node with their sandboxes, newest first.
    fn sandboxes(&self) -> Vec<Sandbox<'a>> {
        let mut out: Vec<Sandbox<'a>> = self
            .cluster
            .world
            .api
            .list_as::<Pod>(None)
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(&self.node))
            .filter_map(|pod| {
                let status = pod.status.as_ref()?;
                let created_ms = status.start_time.as_ref()?.0.as_millisecond();
                let finished = matches!(status.phase.as_deref(), Some("Succeeded" | "Failed"));
                Some(Sandbox {
                    id: sandbox_id(pod),
                    created_ms,
                    ready: !finished,
                    pod,
                })
            })
            .collect();
        out.stable_sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(a.id.cmp(&b.id)));
        out
    }

    /// Every container the runtime keeps on this node (the running or last one of each
    /// pod's container, and the one before it), newest first.
    fn containers(&self, now: i64) -> Vec<Row<'a>> {
        let mut rows = Vec::new();
        for sandbox in self.sandboxes() {
            let pod = sandbox.pod;
            let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            for (key, slot) in self.cluster.kubelet.containers.of_pod(namespace, name) {
                for instance in [slot.previous.as_ref(), slot.current.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    let exited = instance.start_error.is_some()
                        || instance.exit.is_some_and(|(at, _)| at <= now);
                    let full = crate::node::images::ImageRef::parse(&instance.process.image)
                        .map_or_else(|| instance.process.image.clone(), |r| r.full());
                    rows.push(Row {
                        id: bare_id(&instance.container_id).to_string(),
                        image: crate::node::images::config_id(&full),
                        created_ms: instance.process.start_ms - crate::node::runtime::START_MS,
                        state: if exited { "Exited" } else { "Running" },
                        name: &key.2,
                        attempt: instance.attempt,
                        pod_id: sandbox.id.clone(),
                        pod: name,
                        namespace,
                        instance,
                    });
                }
            }
        }
        rows.retain(|r| r.created_ms <= now);
        rows.stable_sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(a.id.cmp(&b.id)));
        rows
    }

    /// The images on this node: (repository, tag, image ID, size), in reference order.
    fn images(&self) -> Vec<(String, String, String, u64)> {
        use crate::node::images::{lookup, ImageRef};
        let mut refs: std::collections::BTreeSet<String> = self
            .cluster
            .kubelet
            .image_cache
            .iter()
            .filter(|(n, _)| *n == self.node)
            .filter_map(|(_, image)| Some(ImageRef::parse(image)?.full()))
            .collect();
        refs.insert(PAUSE_IMAGE.to_string());
        refs.into_iter()
            .filter_map(|full| {
                let r = ImageRef::parse(&full)?;
                let size = if full == PAUSE_IMAGE {
                    PAUSE_SIZE
                } else {
                    lookup(&r).map_or(0, |i| i.size_bytes)
                };
                // An image pulled by digest has no tag (`normalizeRepoTagPair`'s `<none>`).
                let tag = if r.digest.is_some() {
                    "<none>".into()
                } else {
                    r.tag
                };
                Some((
                    r.repository,
                    tag,
                    crate::node::images::config_id(&full),
                    size,
                ))
            })
            .collect()
    }
}

impl Tools for Crictl<'_> {
    fn run(&mut self, argv: &[String], now_ms: i64) -> Option<ToolRun> {
        if argv.first()?.rsplit('/').next()? != "crictl" {
            return None;
        }
        self.started_ms = Some(now_ms);
        let mut run = ToolRun::default();
        let config = self.config_file();
        let mut endpoint = config.and_then(|text| config_value(text, "runtime-endpoint"));
        let mut rest = &argv[1..];
        while let Some((flag, tail)) = rest.split_first() {
            match flag.as_str() {
                "-r" | "--runtime-endpoint" | "-i" | "--image-endpoint" => {
                    endpoint = tail.first().cloned();
                    rest = tail.get(1..).unwrap_or_default();
                }
                f if f.starts_with("--runtime-endpoint=") || f.starts_with("--image-endpoint=") => {
                    endpoint = f.split_once('=').map(|(_, v)| v.to_string());
                    rest = tail;
                }
                "--version" | "-v" => {
                    run.lines.push((format!("crictl version {VERSION}"), false));
                    return Some(run);
                }
                "--debug" | "-D" => rest = tail,
                _ => break,
            }
        }
        let Some((command, args)) = rest.split_first() else {
            run.lines.push((USAGE.to_string(), false));
            return Some(run);
        };
        let service = match command.as_str() {
            "ps" | "pods" | "logs" | "version" => Some("runtime"),
            "images" | "image" | "img" => Some("image"),
            _ => None,
        };
        if let Some(service) = service {
            match endpoint.as_deref() {
                None => {
                    if service == "runtime" || command == "ps" {
                        self.warn_default(&mut run, "runtime");
                    }
                    if command == "ps" || service == "image" {
                        self.warn_default(&mut run, "Image");
                    }
                }
                Some(e) if !answers(e) => {
                    let note = format!("kubeplay: only containerd's socket ({CONTAINERD_ENDPOINT}) answers on {}; crictl's connection to {e} is not simulated", self.node);
                    self.fail(&mut run, Failure::Lines(vec![note], 1), now_ms);
                    return Some(run);
                }
                Some(_) => {}
            }
        }
        // What each command prints: (line, to stderr).
        let result = match command.as_str() {
            "ps" => self.ps(args, now_ms).map(stdout),
            "pods" => self.pods(args, now_ms).map(stdout),
            "images" | "image" | "img" => self.list_images(args).map(stdout),
            // The container's streams go to crictl's own stdout and stderr.
            "logs" => self.logs(args, now_ms),
            "version" => Ok(stdout(vec![
                "Version:  0.1.0".into(),
                "RuntimeName:  containerd".into(),
                "RuntimeVersion:  v2.1.4".into(),
                "RuntimeApiVersion:  v1".into(),
            ])),
            "config" => self.config(args, config, &mut run.files),
            other if SUBCOMMANDS.contains(&other) => Err(Failure::Lines(
                vec![format!("kubeplay: crictl {other} is not simulated; try crictl ps, crictl pods, crictl images or crictl logs")],
                1,
            )),
            other => Err(Failure::NoTopic(other.to_string())),
        };
        match result {
            Ok(lines) => run.lines.extend(lines),
            Err(failure) => self.fail(&mut run, failure, now_ms),
        }
        Some(run)
    }
}

impl Crictl<'_> {
    /// Prints `failure` as crictl (or the library it comes from) does, with its exit code.
    fn fail(&self, run: &mut ToolRun, failure: Failure, now_ms: i64) {
        match failure {
            Failure::Fatal(msg) => {
                run.lines.push((self.log("fatal", &msg), true));
                run.code = 1;
            }
            Failure::Usage(msg) => {
                // urfave/cli prints the complaint and the command's help (left out here) to
                // stdout, then returns the error, which main hands to logrus.Fatal.
                run.lines.push((format!("Incorrect Usage: {msg}"), false));
                run.lines.push((String::new(), false));
                run.lines.push((self.log("fatal", &msg), true));
                run.code = 1;
            }
            Failure::GoLog(msg) => {
                let at = crate::node::process::fmt_ms(now_ms, "%Y/%m/%d %H:%M:%S");
                run.lines.push((format!("{at} {msg}"), true));
                run.code = 1;
            }
            Failure::NoTopic(name) => {
                // The root's help action's exit error: printed by urfave/cli, exit 3.
                run.lines
                    .push((format!("No help topic for '{name}'"), true));
                run.code = 3;
            }
            Failure::Lines(lines, code) => {
                run.lines.extend(lines.into_iter().map(|l| (l, true)));
                run.code = code;
            }
        }
    }
}

/// Lines for stdout.
fn stdout(lines: Vec<String>) -> Vec<(String, bool)> {
    lines.into_iter().map(|l| (l, false)).collect()
}

/// How a subcommand fails.
enum Failure {
    /// logrus.Fatal of the error main receives (exit 1).
    Fatal(String),
    /// A flag urfave/cli could not parse.
    Usage(String),
    /// Go's `log.Fatalf` (a date and time, exit 1).
    GoLog(String),
    /// A subcommand that does not exist.
    NoTopic(String),
    /// Lines on stderr and an exit code.
    Lines(Vec<String>, i32),
}

/// The subcommands crictl 1.34 has that Kubeplay does not simulate.
const SUBCOMMANDS: &[&str] = &[
    "attach",
    "checkpoint",
    "completion",
    "create",
    "events",
    "exec",
    "help",
    "h",
    "imagefsinfo",
    "info",
    "inspect",
    "inspecti",
    "inspectp",
    "metricdescs",
    "metricsp",
    "port-forward",
    "pull",
    "rm",
    "rmi",
    "rmp",
    "run",
    "runp",
    "runtime-config",
    "start",
    "stats",
    "statsp",
    "stop",
    "stopp",
    "update",
    "update-runtime-config",
];

/// What `crictl` alone prints here (its help text is long; the simulated part is named).
const USAGE: &str = "NAME:\n   crictl - client for CRI\n\nUSAGE:\n   crictl [global options] command [command options]\n\nSimulated commands: ps, pods, images, logs, version, config --set";

impl Crictl<'_> {
    fn warn_default(&self, run: &mut ToolRun, service: &str) {
        let msg = format!("{service} connect using default endpoints: {DEFAULT_ENDPOINTS}. As the default settings are now deprecated, you should set the endpoint instead.");
        run.lines.push((self.log("warning", &msg), true));
    }

    /// `crictl ps [-a] [-q] [--name RE] [--namespace RE] [-p POD] [--id ID] [-s STATE]
    /// [-l] [-n N] [--no-trunc]`.
    fn ps(&self, args: &[String], now: i64) -> Result<Vec<String>, Failure> {
        let o = Options::parse(
            args,
            &[
                "name",
                "namespace",
                "pod",
                "id",
                "state",
                "last",
                "image",
                "label",
                "output",
            ],
        )?;
        let state = match o.value("state").map(str::to_ascii_lowercase).as_deref() {
            None if o.all || o.latest || o.value("last").is_some() => None,
            None => Some("running".to_string()),
            Some(s @ ("created" | "running" | "exited" | "unknown")) => Some(s.to_string()),
            Some(_) => {
                return Err(Failure::GoLog(
                    "--state should be one of created, running, exited or unknown".into(),
                ))
            }
        };
        let state = if o.latest || o.value("last").is_some() {
            None
        } else {
            state
        };
        o.table_only()?;
        let mut rows: Vec<Row<'_>> = self
            .containers(now)
            .into_iter()
            .filter(|r| {
                state
                    .as_deref()
                    .is_none_or(|s| r.state.eq_ignore_ascii_case(s))
            })
            .filter(|r| o.value("id").is_none_or(|id| r.id.starts_with(id)))
            .filter(|r| o.value("pod").is_none_or(|p| r.pod_id.starts_with(p)))
            .filter(|r| matches(o.value("name"), r.name))
            .filter(|r| matches(o.value("namespace"), r.namespace))
            .collect();
        rows.truncate(o.limit()?.unwrap_or(usize::MAX));
        if o.quiet {
            return Ok(rows.into_iter().map(|r| r.id).collect());
        }
        let mut text =
            "CONTAINER\tIMAGE\tCREATED\tSTATE\tNAME\tATTEMPT\tPOD ID\tPOD\tNAMESPACE\n".to_string();
        for r in rows {
            let (id, pod_id, image) = if o.no_trunc {
                (r.id, r.pod_id, r.image)
            } else {
                (
                    short(&r.id).to_string(),
                    short(&r.pod_id).to_string(),
                    short(r.image.trim_start_matches("sha256:")).to_string(),
                )
            };
            text.push_str(&format!(
                "{id}\t{image}\t{} ago\t{}\t{}\t{}\t{pod_id}\t{}\t{}\n",
                human_duration(now - r.created_ms),
                r.state,
                r.name,
                r.attempt,
                r.pod,
                r.namespace
            ));
        }
        Ok(lines(&text))
    }

    /// `crictl pods [-q] [--name RE] [--namespace RE] [--id ID] [-s ready|notready] [-l]
    /// [-n N] [--no-trunc]`.
    fn pods(&self, args: &[String], now: i64) -> Result<Vec<String>, Failure> {
        let o = Options::parse(
            args,
            &[
                "name",
                "namespace",
                "id",
                "state",
                "last",
                "label",
                "output",
            ],
        )?;
        let ready = match o.value("state").map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("ready") => Some(true),
            Some("notready") => Some(false),
            Some(_) => return Err(Failure::GoLog("--state should be ready or notready".into())),
        };
        o.table_only()?;
        let mut pods: Vec<Sandbox<'_>> = self
            .sandboxes()
            .into_iter()
            .filter(|s| s.created_ms <= now)
            .filter(|s| ready.is_none_or(|r| s.ready == r))
            .filter(|s| o.value("id").is_none_or(|id| s.id.starts_with(id)))
            .filter(|s| {
                matches(
                    o.value("name"),
                    s.pod.metadata.name.as_deref().unwrap_or_default(),
                )
            })
            .filter(|s| {
                matches(
                    o.value("namespace"),
                    s.pod.metadata.namespace.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        pods.truncate(o.limit()?.unwrap_or(usize::MAX));
        if o.quiet {
            return Ok(pods.into_iter().map(|s| s.id).collect());
        }
        let mut text = "POD ID\tCREATED\tSTATE\tNAME\tNAMESPACE\tATTEMPT\tRUNTIME\n".to_string();
        for s in pods {
            let id = if o.no_trunc {
                s.id.clone()
            } else {
                short(&s.id).to_string()
            };
            text.push_str(&format!(
                "{id}\t{} ago\t{}\t{}\t{}\t0\t(default)\n",
                human_duration(now - s.created_ms),
                if s.ready { "Ready" } else { "NotReady" },
                s.pod.metadata.name.as_deref().unwrap_or_default(),
                s.pod.metadata.namespace.as_deref().unwrap_or_default(),
            ));
        }
        Ok(lines(&text))
    }

    /// `crictl images [-q] [--no-trunc] [REPOSITORY[:TAG]]`.
    fn list_images(&self, args: &[String]) -> Result<Vec<String>, Failure> {
        let o = Options::parse(args, &["filter", "output"])?;
        o.table_only()?;
        if o.value("filter").is_some() {
            return Err(Failure::Lines(
                vec!["kubeplay: crictl images --filter is not simulated".into()],
                1,
            ));
        }
        // containerd resolves the filter as a reference (no tag: `latest`).
        let wanted = o
            .positionals
            .first()
            .map(|w| crate::node::images::ImageRef::parse(w).map(|r| r.full()));
        let images = self
            .images()
            .into_iter()
            .filter(|(repo, tag, _, _)| match &wanted {
                None => true,
                Some(full) => full.as_deref() == Some(format!("{repo}:{tag}").as_str()),
            });
        if o.quiet {
            return Ok(images.map(|(_, _, id, _)| id).collect());
        }
        let mut text = "IMAGE\tTAG\tIMAGE ID\tSIZE\n".to_string();
        for (repo, tag, id, size) in images {
            let id = if o.no_trunc {
                id
            } else {
                short(id.trim_start_matches("sha256:")).to_string()
            };
            text.push_str(&format!("{repo}\t{tag}\t{id}\t{}\n", human_size(size)));
        }
        Ok(lines(&text))
    }

    /// `crictl logs [--tail N] [-t] [-p] [--stream S] CONTAINER-ID`: the container's lines,
    /// each with whether it was written to stderr.
    fn logs(&self, args: &[String], now: i64) -> Result<Vec<(String, bool)>, Failure> {
        let o = Options::parse(args, &["tail", "since", "limit-bytes", "stream"])?;
        // urfave/cli parses the flags' values before the command runs.
        let tail = match o.value("tail") {
            None => None,
            Some(t) => match t.parse::<i64>() {
                Ok(n) if n < 0 => None,
                Ok(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
                Err(_) => {
                    return Err(incorrect(&format!(
                        "invalid value \"{t}\" for flag -tail: parse error"
                    )));
                }
            },
        };
        let Some(id) = o.positionals.first().filter(|id| !id.is_empty()) else {
            return Err(Failure::Fatal("ID cannot be empty".into()));
        };
        let stream = o.value("stream");
        if let Some(bad) = stream.filter(|s| !matches!(*s, "stdout" | "stderr")) {
            return Err(Failure::Fatal(format!(
                "invalid stream \"{bad}\", must be \"stdout\" or \"stderr\""
            )));
        }
        if o.value("tail").is_some() && stream.is_some() {
            return Err(Failure::Fatal(
                "--tail and --stream are mutually exclusive".into(),
            ));
        }
        let rows = self.containers(now);
        let mut found = rows.iter().filter(|r| r.id.starts_with(id.as_str()));
        let (Some(row), None) = (found.next(), found.next()) else {
            return Err(Failure::Fatal(format!("rpc error: code = NotFound desc = an error occurred when try to find container \"{id}\": not found")));
        };
        let instance = if o.flag("previous") {
            if row.attempt == 0 {
                return Err(Failure::Fatal(format!(
                    "previous terminated container {} not found",
                    row.name
                )));
            }
            let key = (row.namespace, row.pod, row.name);
            match self
                .cluster
                .kubelet
                .containers
                .get::<dyn crate::node::runtime::SlotRef>(&key)
                .and_then(|s| s.previous.as_ref())
            {
                Some(p) if p.attempt + 1 == row.attempt => p,
                _ => return Ok(Vec::new()),
            }
        } else {
            row.instance
        };
        let until = match instance.exit {
            Some((at, _)) if at <= now => at,
            _ => now,
        };
        let run = instance
            .process
            .run_in(Some(&self.cluster.world.storage), until);
        let start = instance.process.start_ms;
        let mut out: Vec<(String, bool)> = run
            .lines
            .into_iter()
            .filter(|l| start + l.at <= now)
            .filter(|l| stream.is_none_or(|s| (s == "stderr") == l.stderr))
            .map(|l| {
                let text = if o.flag("timestamps") {
                    format!(
                        "{} {}",
                        crate::node::process::rfc3339_nano(start + l.at),
                        l.text
                    )
                } else {
                    l.text
                };
                (text, l.stderr)
            })
            .collect();
        if let Some(n) = tail {
            let skip = out.len().saturating_sub(n);
            out.drain(..skip);
        }
        Ok(out)
    }

    /// `crictl config --set KEY=VALUE…` writes `/etc/crictl.yaml` (its six keys, as crictl
    /// writes a new file) into `files`; `crictl config --get KEY` prints one; other uses
    /// are not simulated. `file` is the configuration there now.
    fn config(
        &self,
        args: &[String],
        file: Option<&str>,
        files: &mut Vec<(String, String)>,
    ) -> Result<Vec<(String, bool)>, Failure> {
        let mut keys: Vec<(&str, String)> = [
            ("runtime-endpoint", "\"\""),
            ("image-endpoint", "\"\""),
            ("timeout", "0"),
            ("debug", "false"),
            ("pull-image-on-create", "false"),
            ("disable-pull-on-run", "false"),
        ]
        .into_iter()
        .map(|(k, default)| {
            let current = file.and_then(|text| config_value(text, k));
            (k, current.unwrap_or_else(|| default.to_string()))
        })
        .collect();
        let no_option = |what: &str, key: &str| {
            Failure::Fatal(format!(
                "{what} option: no configuration option named {key}"
            ))
        };
        let mut words = args.iter();
        let mut changed = false;
        while let Some(w) = words.next() {
            let pair = match w.as_str() {
                "--set" => words.next().cloned(),
                "--get" => {
                    let key = words.next().map(String::as_str).unwrap_or_default();
                    return match keys.iter().find(|(k, _)| *k == key) {
                        Some((_, v)) => Ok(stdout(vec![v.trim_matches('"').to_string()])),
                        None => Err(no_option("get", key)),
                    };
                }
                s => s.strip_prefix("--set=").map(str::to_string),
            };
            let Some(pair) = pair else {
                return Err(Failure::Lines(
                    vec!["kubeplay: crictl config without --set or --get is not simulated".into()],
                    1,
                ));
            };
            for one in pair.split(',') {
                let Some((k, v)) = one.split_once('=') else {
                    return Err(Failure::Fatal(format!(
                        "set option: the config option '{one}' must be in the format key=value"
                    )));
                };
                let slot = keys.iter_mut().find(|(key, _)| *key == k);
                slot.ok_or_else(|| no_option("set", k))?.1 = v.to_string();
                changed = true;
            }
        }
        if changed {
            let text: String = keys.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
            files.push((CONFIG_PATH.to_string(), text));
        }
        Ok(Vec::new())
    }
}

/// A subcommand's flags: urfave/cli's booleans (combinable, `-aq`) and valued flags.
struct Options {
    all: bool,
    quiet: bool,
    latest: bool,
    no_trunc: bool,
    flags: Vec<String>,
    values: Vec<(String, String)>,
    positionals: Vec<String>,
}

impl Options {
    fn parse(args: &[String], valued: &[&str]) -> Result<Options, Failure> {
        let short_valued = |c: char| match c {
            'p' => Some("pod"),
            's' => Some("state"),
            'n' => Some("last"),
            'o' => Some("output"),
            'f' => Some("filter"),
            _ => None,
        };
        let mut o = Options {
            all: false,
            quiet: false,
            latest: false,
            no_trunc: false,
            flags: Vec::new(),
            values: Vec::new(),
            positionals: Vec::new(),
        };
        let mut words = args.iter();
        while let Some(w) = words.next() {
            if let Some(long) = w.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                if valued.contains(&name) {
                    let Some(v) = inline.or_else(|| words.next().cloned()) else {
                        return Err(incorrect(&format!("flag needs an argument: -{name}")));
                    };
                    o.values.push((name.to_string(), v));
                } else {
                    o.set(name)?;
                }
            } else if let Some(shorts) = w.strip_prefix('-').filter(|s| !s.is_empty()) {
                let chars: Vec<char> = shorts.chars().collect();
                for (i, c) in chars.iter().enumerate() {
                    if let Some(name) = short_valued(*c).filter(|n| valued.contains(n)) {
                        let rest: String = chars[i + 1..].iter().collect();
                        let v = if rest.is_empty() {
                            words.next().cloned()
                        } else {
                            Some(rest)
                        };
                        let Some(v) = v else {
                            return Err(incorrect(&format!("flag needs an argument: -{c}")));
                        };
                        o.values.push((name.to_string(), v));
                        break;
                    }
                    o.set(match c {
                        'a' => "all",
                        'q' => "quiet",
                        'l' => "latest",
                        't' => "timestamps",
                        'f' => "follow",
                        'p' => "previous",
                        'v' => "verbose",
                        other => {
                            return Err(incorrect(&format!(
                                "flag provided but not defined: -{other}"
                            )))
                        }
                    })?;
                }
            } else {
                o.positionals.push(w.clone());
            }
        }
        Ok(o)
    }

    fn set(&mut self, name: &str) -> Result<(), Failure> {
        match name {
            "all" => self.all = true,
            "quiet" => self.quiet = true,
            "latest" => self.latest = true,
            "no-trunc" => self.no_trunc = true,
            "timestamps" | "previous" | "follow" | "verbose" | "digests" | "pinned"
            | "resolve-image-path" => self.flags.push(name.to_string()),
            other => {
                return Err(incorrect(&format!(
                    "flag provided but not defined: -{other}"
                )))
            }
        }
        Ok(())
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `-n N`: how many to show (`-l` is one).
    fn limit(&self) -> Result<Option<usize>, Failure> {
        if self.latest {
            return Ok(Some(1));
        }
        match self.value("last") {
            None => Ok(None),
            Some(n) => match n.parse::<usize>() {
                Ok(0) => Ok(None),
                Ok(n) => Ok(Some(n)),
                Err(_) => Err(incorrect(&format!(
                    "invalid value \"{n}\" for flag -n: parse error"
                ))),
            },
        }
    }

    /// The table is the layout simulated: `-o json|yaml`, `-v` and the other views are not.
    fn table_only(&self) -> Result<(), Failure> {
        let other = self
            .value("output")
            .filter(|o| *o != "table")
            .map(|o| format!("-o {o}"))
            .or_else(|| {
                ["verbose", "digests", "pinned", "resolve-image-path"]
                    .into_iter()
                    .find(|f| self.flag(f))
                    .map(|f| format!("--{f}"))
            });
        match other {
            Some(view) => Err(Failure::Lines(
                vec![format!(
                    "kubeplay: crictl's {view} view is not simulated; its table is"
                )],
                1,
            )),
            None => Ok(()),
        }
    }
}

/// urfave/cli's complaint about the command line.
fn incorrect(msg: &str) -> Failure {
    Failure::Usage(msg.to_string())
}

/// Whether `target` matches the regular expression `pattern` (crictl's `matchesRegex`: an
/// empty or invalid pattern matches everything or nothing).
fn matches(pattern: Option<&str>, target: &str) -> bool {
    match pattern {
        None | Some("") => true,
        Some(p) => crate::node::process::cond::regex(target, p).unwrap_or(false),
    }
}

/// An ID without its runtime prefix (`containerd://`).
fn bare_id(id: &str) -> &str {
    id.split_once("://").map_or(id, |(_, rest)| rest)
}

/// An ID cut to crictl's 13 characters.
fn short(id: &str) -> &str {
    id.get(..SHORT_ID).unwrap_or(id)
}

/// The sandbox ID of `pod`: derived from the uid the kubelet knows it by (a static pod's is
/// its config hash), so it stays while a mirror pod is posted again.
fn sandbox_id(pod: &Pod) -> String {
    use sha2::{Digest, Sha256};
    let uid = crate::api::pod::event_uid(&pod.metadata);
    Sha256::digest(format!("sandbox:{uid}"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `endpoint` is containerd's socket (the only one that answers).
fn answers(endpoint: &str) -> bool {
    let path = endpoint.strip_prefix("unix://").unwrap_or(endpoint);
    matches!(
        path,
        "/run/containerd/containerd.sock" | "/var/run/containerd/containerd.sock"
    )
}

/// A top-level `key: value` of crictl.yaml (quotes dropped).
fn config_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        })
        .filter(|v| !v.is_empty())
}

/// A table's lines, aligned.
fn lines(text: &str) -> Vec<String> {
    tabwrite(text, 20, 3).lines().map(str::to_string).collect()
}

/// docker/go-units' `HumanDuration` (v0.5.0) of `ms`.
pub(crate) fn human_duration(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    let minutes = seconds / 60;
    let hours = (ms.max(0) + 1_800_000) / 3_600_000;
    match () {
        _ if seconds < 1 => "Less than a second".into(),
        _ if seconds == 1 => "1 second".into(),
        _ if seconds < 60 => format!("{seconds} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", ms / 3_600_000 / 24 / 365),
    }
}

/// docker/go-units' `HumanSizeWithPrecision(size, 3)`: decimal units, `%.3g`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    #[allow(clippy::cast_precision_loss)]
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{}{}", go_g3(size), UNITS[unit])
}

/// Go's `%.3g` of a value below 1000 (no exponent at this size).
fn go_g3(v: f64) -> String {
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let mut s = format!("{v:.digits$}");
    // `%.3g` rounds to three significant digits: 99.95 becomes "100", not "100.0".
    if s.len() > 4 && s.contains('.') && !s.starts_with('0') {
        s = format!("{v:.0}");
    }
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_go_units_human_durations() {
        let cases = [
            (0, "Less than a second"),
            (1_500, "1 second"),
            (59_999, "59 seconds"),
            (60_000, "About a minute"),
            (119_999, "About a minute"),
            (120_000, "2 minutes"),
            (3_599_999, "59 minutes"),
            (5_399_999, "About an hour"),
            (5_400_000, "2 hours"),
            (47 * 3_600_000, "47 hours"),
            (48 * 3_600_000, "2 days"),
            (14 * 86_400_000, "2 weeks"),
            (60 * 86_400_000, "2 months"),
            (730 * 86_400_000, "2 years"),
        ];
        for (ms, text) in cases {
            assert_eq!(human_duration(ms), text, "{ms} ms");
        }
    }

    #[test]
    fn sizes_are_three_significant_digits() {
        let cases = [
            (320_448, "320kB"),
            (72_225_394, "72.2MB"),
            (2_155_550, "2.16MB"),
            (48_318_382, "48.3MB"),
            (999, "999B"),
            (99_950, "100kB"),
            (1_000_000, "1MB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(human_size(bytes), text, "{bytes}");
        }
    }
}
