//! `kubectl exec`: runs a command in a running container, or (`-it ... sh`) opens an
//! interactive shell that takes over the console until `exit`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::flags;
use super::logs::{find_pod, pick_container};
use crate::cluster::Cluster;
use crate::network::tools::{kit_of, ships};
use crate::network::Origin;
use crate::node::process::{self, script::Shell, End, Flavor};
use crate::output::Output;

/// A shell opened with `kubectl exec -it`: the console sends lines here until `exit`.
#[derive(Clone, Debug)]
pub struct Session {
    /// Container key (namespace, pod, container).
    pub key: (String, String, String),
    /// The shell's name (`sh`, `bash`).
    pub shell: String,
    /// The prompt the shell shows.
    pub prompt: String,
    /// Shell variables that persist between lines.
    pub vars: BTreeMap<String, String>,
}

/// How long (simulated) an exec'd command may run; kubectl exec does not move the clock.
const EXEC_LIMIT_MS: i64 = 60_000;

const LEGACY: &str = "kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.";

pub(super) const FLAGS: &[flags::Flag] = &[
    flags::value("container", Some('c')),
    flags::boolean("stdin", Some('i')),
    flags::boolean("tty", Some('t')),
    flags::boolean("quiet", Some('q')),
];

/// Runs `kubectl exec`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("exec", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let mut out = Output::default();
    let Some(target) = parsed.positionals.first() else {
        return super::error("expected 'exec (POD | TYPE/NAME) COMMAND [ARG1] [ARG2] ... [ARGN]'.\nPOD or TYPE/NAME is a required argument for the exec command\nSee 'kubectl exec -h' for help and examples");
    };
    let mut command: Vec<String> = parsed.positionals[1..].to_vec();
    if !command.is_empty() {
        out.err(LEGACY);
    }
    if let Some(after) = &parsed.after_dash {
        command.extend(after.iter().cloned());
    }
    if command.is_empty() {
        return super::error("you must specify at least one command for the container");
    }
    let namespace = super::namespace(cluster, &parsed);
    let Target { pod, key, mut proc } = match running_container(
        cluster,
        &namespace,
        target,
        parsed.value("container"),
        &mut out,
    ) {
        Ok(found) => found,
        Err(e) => {
            out.extend(e);
            return out;
        }
    };
    let pod_name = key.1.clone();
    proc.start_ms = cluster.world.clock.now_ms();
    let flavor = proc.flavor();
    let exe = command[0]
        .rsplit('/')
        .next()
        .unwrap_or(&command[0])
        .to_string();
    let is_shell = matches!(exe.as_str(), "sh" | "bash" | "ash");
    let shell_missing =
        crate::node::process::system::component(&proc.image).is_some_and(|c| !c.ships(&command[0]));
    if is_shell && shell_missing {
        out.extend(oci_error(cluster, &command[0]));
        return out;
    }
    if is_shell && command.len() == 1 {
        if !parsed.bool("stdin") {
            // No stdin: the shell reads end-of-file and exits at once.
            return out;
        }
        if exe == "bash" && matches!(flavor, Flavor::Busybox | Flavor::Alpine) {
            out.extend(oci_error(cluster, &command[0]));
            return out;
        }
        cluster.console.exec_session = Some(Session {
            key,
            prompt: prompt(flavor, &exe, &pod_name),
            shell: if exe == "bash" {
                "bash".into()
            } else {
                "sh".into()
            },
            vars: proc.env.clone(),
        });
        return out;
    }
    proc.argv = command.clone();
    let kit = kit_of(&proc.image);
    if !is_shell && !ships(kit, &command[0]) && proc.check_start().is_err() {
        out.extend(oci_error(cluster, &command[0]));
        return out;
    }
    let origin = pod_origin(&pod, &proc);
    let tty = parsed.bool("tty");
    let storage = mounted(cluster, &proc);
    let mut tools = cluster.net_client(origin, kit, tty);
    let shell = Shell::new(
        &proc,
        if exe == "bash" { "bash" } else { "sh" },
        proc.env.clone(),
        proc.start_ms,
        EXEC_LIMIT_MS,
    )
    .with_storage(&storage)
    .with_tools(&mut tools);
    let run = if is_shell && command.get(1).map(String::as_str) == Some("-c") {
        shell.run_script(command.get(2).map_or("", String::as_str))
    } else {
        shell.run_argv(&command)
    };
    // The command took its time: the cluster's clock moves with it, as the learner waits.
    let took = match &run.end {
        End::Exit { at, .. } => *at,
        End::Running => EXEC_LIMIT_MS,
    };
    keep_files(cluster, &key, &run.ops, proc.start_ms);
    print_run(&mut out, run);
    if took > 0 {
        cluster.advance(crate::clock::SimDuration::millis(took));
    }
    out
}

/// A running container `kubectl exec` and `cp` reach.
pub(super) struct Target {
    /// Its pod.
    pub pod: Pod,
    /// The kubelet's key for it: (namespace, pod, container).
    pub key: (String, String, String),
    /// Its process, as the kubelet runs it.
    pub proc: process::Container,
}

/// The running container `kubectl exec` (and `cp`) reaches: the pod `target` in
/// `namespace`, the container `-c` names or the default one (with kubectl's note in `out`),
/// with the apiserver's and kubelet's refusals as kubectl prints them.
pub(super) fn running_container(
    cluster: &Cluster,
    namespace: &str,
    target: &str,
    wanted: Option<&str>,
    out: &mut Output,
) -> Result<Target, Output> {
    let pod = find_pod(cluster, namespace, target)?;
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    if let Some(kubelet) = crate::node::agent::stopped_kubelet_of(&cluster.world, &pod) {
        return Err(Output::failure(format!(
            "Error from server: error dialing backend: dial tcp {kubelet}: connect: connection refused"
        )));
    }
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    if phase == "Succeeded" || phase == "Failed" {
        return Err(super::error(format!(
            "cannot exec into a container in a completed pod; current phase is {phase}"
        )));
    }
    let Some(container) = pick_container(&pod, wanted, out) else {
        return Err(super::error(format!(
            "unable to upgrade connection: container not found (\"{}\")",
            wanted.unwrap_or_default()
        )));
    };
    let running = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .find(|s| s.name == container)
        .is_some_and(|s| s.state.as_ref().is_some_and(|st| st.running.is_some()));
    let key = (namespace.to_string(), pod_name, container.clone());
    let proc = cluster
        .kubelet
        .containers
        .get(&key)
        .and_then(|s| s.current.as_ref())
        .map(|i| i.process.clone());
    match (running, proc) {
        (true, Some(proc)) => Ok(Target { pod, key, proc }),
        _ => Err(super::error(format!(
            "unable to upgrade connection: container not found (\"{container}\")"
        ))),
    }
}

/// Applies the changes a command made to the container's root and volumes.
pub(super) fn keep_files(
    cluster: &mut Cluster,
    key: &(String, String, String),
    ops: &[(i64, process::fs::Op)],
    start_ms: i64,
) {
    if ops.is_empty() {
        return;
    }
    if let Some(inst) = cluster
        .kubelet
        .containers
        .get_mut(key)
        .and_then(|s| s.current.as_mut())
    {
        process::fs::commit(&mut cluster.world.storage, &mut inst.process, ops, start_ms);
    }
    // Its exec probes may answer differently now: the kubelet probes them again.
    let (namespace, name, _) = key;
    let Some(pod) = cluster
        .world
        .api
        .get_as::<k8s_openapi::api::core::v1::Pod>(namespace, name)
        .cloned()
    else {
        return;
    };
    let now = cluster.world.clock.now_ms();
    if let Some(t) = crate::node::runtime::wake_probes(&mut cluster.kubelet.containers, &pod, now) {
        cluster
            .world
            .timers
            .at(t, crate::node::kubelet::key_task(&pod.metadata));
    }
}

/// A copy of the trees container `proc` mounts: its shell reads them while its tools (the
/// network) hold the cluster.
fn mounted(cluster: &Cluster, proc: &process::Container) -> crate::storage::Storage {
    cluster
        .world
        .storage
        .subset(proc.mounts.iter().map(|m| &m.backing))
}

/// Where a container's connections start: its pod's network namespace.
fn pod_origin(pod: &k8s_openapi::api::core::v1::Pod, proc: &process::Container) -> Origin {
    Origin::Pod {
        namespace: proc.namespace.clone(),
        name: proc.pod.clone(),
        ip: proc.pod_ip.clone(),
        node: pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default(),
    }
}

/// Writes a run's lines and, for a non-zero exit, kubectl's note and exit code.
fn print_run(out: &mut Output, run: process::Run) {
    for l in run.lines {
        if l.stderr {
            out.err(l.text);
        } else {
            out.out(l.text);
        }
    }
    if let End::Exit { code, .. } = run.end {
        if code != 0 {
            out.err(format!("command terminated with exit code {code}"));
            out.exit_code = code;
        }
    }
}

/// The runtime's answer when the executable does not exist in the image.
pub(super) fn oci_error(cluster: &mut Cluster, exe: &str) -> Output {
    let id = cluster.world.rng.hex(64);
    super::error(format!("Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{id}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{exe}\": executable file not found in $PATH: unknown"))
}

/// The prompt an interactive shell shows as root in `/`.
fn prompt(flavor: Flavor, shell: &str, pod: &str) -> String {
    match (flavor, shell) {
        (Flavor::Busybox | Flavor::Alpine, _) => "/ # ".into(),
        (Flavor::Centos, "bash") => format!("[root@{pod} /]# "),
        (Flavor::Centos, _) => "sh-4.2# ".into(),
        (_, "bash") => format!("root@{pod}:/# "),
        // Debian's and Ubuntu's /bin/sh is dash.
        _ => "# ".into(),
    }
}

/// Runs one line typed in an interactive `kubectl exec` shell.
pub fn session_line(cluster: &mut Cluster, line: &str) -> Output {
    let mut out = Output::default();
    let Some(mut session) = cluster.console.exec_session.clone() else {
        return out;
    };
    let Some(mut proc) = cluster
        .kubelet
        .containers
        .get(&session.key)
        .and_then(|s| s.current.as_ref())
        .map(|i| i.process.clone())
    else {
        cluster.console.exec_session = None;
        out.err("command terminated with exit code 137");
        out.exit_code = 137;
        return out;
    };
    let trimmed = line.trim();
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    if words.first() == Some(&"exit") {
        cluster.console.exec_session = None;
        let code = words
            .get(1)
            .and_then(|c| c.parse::<i32>().ok())
            .unwrap_or(0);
        if code != 0 {
            out.err(format!("command terminated with exit code {code}"));
            out.exit_code = code;
        }
        return out;
    }
    proc.start_ms = cluster.world.clock.now_ms();
    let node = cluster
        .world
        .api
        .get_as::<k8s_openapi::api::core::v1::Pod>(&session.key.0, &session.key.1)
        .cloned();
    let origin = match &node {
        Some(pod) => pod_origin(pod, &proc),
        None => pod_origin(&Default::default(), &proc),
    };
    let storage = mounted(cluster, &proc);
    let mut tools = cluster.net_client(origin, kit_of(&proc.image), true);
    let mut shell = Shell::new(
        &proc,
        &session.shell,
        session.vars.clone(),
        proc.start_ms,
        EXEC_LIMIT_MS,
    )
    .with_storage(&storage)
    .with_tools(&mut tools);
    if session.shell == "sh" && !matches!(proc.flavor(), Flavor::Busybox | Flavor::Alpine) {
        // dash reports errors as `sh: 1: foo: not found`.
        shell.name = "sh: 1".into();
    }
    // `cmd | filter`: the container runs `cmd`; the console's own filters do the rest.
    let (first, filters) = split_pipe(trimmed);
    let run = shell.run_script(first);
    keep_files(cluster, &session.key, &run.ops, proc.start_ms);
    let mut piped = String::new();
    for l in run.lines {
        if l.stderr {
            out.err(l.text);
        } else if filters.is_empty() {
            out.out(l.text);
        } else {
            piped.push_str(&l.text);
            piped.push('\n');
        }
    }
    for (i, f) in filters.iter().enumerate() {
        let words: Vec<String> = f.split_whitespace().map(str::to_string).collect();
        let Some((program, args)) = words.split_first() else {
            continue;
        };
        let result = crate::console::builtins::run(cluster, program, args, Some(&piped));
        if i + 1 == filters.len() {
            out.chunks.extend(result.chunks);
        } else {
            piped = result.stdout();
        }
    }
    if let End::Exit { code, .. } = run.end {
        out.exit_code = code;
        if trimmed.starts_with("exit") || run_exited_explicitly(trimmed) {
            cluster.console.exec_session = None;
            if code != 0 {
                out.err(format!("command terminated with exit code {code}"));
            }
            return out;
        }
    }
    session.vars.insert("?".into(), out.exit_code.to_string());
    cluster.console.exec_session = Some(session);
    out
}

/// Splits `a | b | c` (pipes outside quotes) into `a` and the filters.
fn split_pipe(line: &str) -> (&str, Vec<&str>) {
    let mut quote = None;
    let mut cuts = Vec::new();
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'\'' | b'"') => quote = Some(b),
            (Some(q), c) if c == q => quote = None,
            (None, b'|') if bytes.get(i + 1) != Some(&b'|') && (i == 0 || bytes[i - 1] != b'|') => {
                cuts.push(i)
            }
            _ => {}
        }
    }
    let Some(&first) = cuts.first() else {
        return (line, Vec::new());
    };
    let mut parts = Vec::new();
    for (k, &c) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).copied().unwrap_or(line.len());
        parts.push(line.get(c + 1..end).unwrap_or("").trim());
    }
    (line.get(..first).unwrap_or(""), parts)
}

/// Whether a line ends the shell (`...; exit N`).
fn run_exited_explicitly(line: &str) -> bool {
    line.split([';', '&', '|'])
        .any(|part| part.split_whitespace().next() == Some("exit"))
}
