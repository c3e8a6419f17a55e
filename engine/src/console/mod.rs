//! The console: a small shell around kubectl, running inside the engine.

mod builtins;
pub(crate) mod complete;
mod conditions;
mod exec;
mod expand;
mod file_editor;
mod files;
mod hostname;
pub(crate) mod kubectl;
pub(crate) mod minikube;
mod sed;
mod seq;
mod shell;
mod ssh;
mod text_filters;

use crate::cluster::Cluster;
use crate::output::{Output, Stream};
pub use files::Workspace;
use shell::Simple;

/// Console state that outlives a single line.
#[derive(Clone, Debug)]
pub struct Console {
    /// The current context's namespace (`kubectl config set-context --current --namespace`).
    pub namespace: String,
    /// The namespace set on the kubeconfig context, if any (shown by `config get-contexts`).
    pub context_namespace: Option<String>,
    /// The learner's files (`cat > pod.yaml`, `kubectl apply -f pod.yaml`).
    pub files: Workspace,
    /// An interactive `kubectl exec -it ... sh` that receives the lines until `exit`.
    pub(crate) exec_session: Option<kubectl::exec::Session>,
    /// How long a watch (`get -w`) may run, set by `timeout DURATION` around the command.
    pub(crate) watch_limit: Option<crate::clock::SimDuration>,
    /// Environment variables (`export X=1`, or `X=1 cmd` for one command), e.g. `KUBE_EDITOR`.
    pub(crate) env: std::collections::BTreeMap<String, String>,
    /// The front end shows output as time passes (the page): watches become jobs.
    pub(crate) streaming: bool,
    /// The command being run may become a job (streaming, and alone on its line).
    pub(crate) stream_ok: bool,
    /// The command still printing as time passes (`get -w`, `logs -f`), when streaming.
    pub(crate) job: Option<Job>,
    /// The exit status of the last command, `$?`.
    pub(crate) last_status: i32,
    /// How deep the command substitution being run is (`$(...)` inside `$(...)`).
    pub(crate) substitution_depth: u8,
    /// How many loops are around the command being run (for `break` and `continue`).
    pub(crate) loop_level: usize,
    /// Loop passes the entry made since it started or last paused (see `exec`).
    pub(crate) loop_passes: u32,
    /// Bytes the entry's loops printed or captured since it started or last paused.
    pub(crate) loop_bytes: usize,
    /// The entry passed a bound and is stopping, as if Ctrl-C were pressed.
    pub(crate) interrupted: bool,
    /// The user a `kubectl --as` command acts as while it runs (its writes are authorized).
    pub(crate) acting: Option<crate::apiserver::authz::UserInfo>,
}

/// How deeply command substitutions may nest.
const MAX_SUBSTITUTION_DEPTH: u8 = 8;

/// A command that keeps printing while simulated time passes, until it ends or Ctrl-C.
#[derive(Clone, Debug)]
pub(crate) enum Job {
    /// `kubectl get -w`.
    Watch(kubectl::watch::Watch),
    /// `kubectl logs -f`.
    Follow(Box<kubectl::logs::Follower>),
    /// `kubectl rollout status` of a Deployment.
    Rollout(kubectl::rollout::StatusWatch),
    /// An entry with a loop, paused in a `sleep`.
    Loop(Box<exec::Exec>),
    /// `kubectl run -i`/`-t` attached to its pod.
    Attach(Box<kubectl::run_attach::Attached>),
}

impl Console {
    /// Whether the command being run may keep running as a job.
    pub(crate) fn may_stream(&self) -> bool {
        self.streaming && self.stream_ok && self.job.is_none()
    }
}

/// Prints what the running job has to say now; ends it when it is done.
pub fn poll_job(cluster: &mut Cluster) -> Output {
    let mut out = Output::default();
    let Some(mut job) = cluster.console.job.take() else {
        return out;
    };
    let done = match &mut job {
        Job::Watch(w) => w.poll(cluster, &mut out),
        Job::Follow(f) => f.poll(cluster, &mut out),
        Job::Rollout(r) => r.poll(cluster, &mut out),
        Job::Attach(a) => a.poll(cluster, &mut out),
        Job::Loop(e) if !e.awake(cluster) => false,
        Job::Loop(e) => {
            cluster.console.loop_passes = 0;
            cluster.console.loop_bytes = 0;
            let done = run_entry(cluster, e, &mut out);
            // As after a line: the scheduler and kubelets react to what the loop wrote.
            cluster.advance(crate::clock::SimDuration::millis(0));
            done
        }
    };
    if !done {
        cluster.console.job = Some(job);
    }
    out
}

impl Default for Console {
    fn default() -> Self {
        Console {
            namespace: "default".into(),
            context_namespace: None,
            files: Workspace::default(),
            exec_session: None,
            watch_limit: None,
            env: Default::default(),
            last_status: 0,
            substitution_depth: 0,
            loop_level: 0,
            loop_passes: 0,
            loop_bytes: 0,
            interrupted: false,
            acting: None,
            streaming: false,
            stream_ok: false,
            job: None,
        }
    }
}

/// Whether a console entry goes on with the next line (an unfinished multi-line loop).
pub(crate) fn continues(entry: &str) -> bool {
    shell::continues(entry)
}

/// Whether a typed console entry is unfinished (bash's `> ` prompt); see [`Cluster::needs_more`].
pub(crate) fn needs_more(entry: &str) -> bool {
    shell::needs_more(entry)
}

/// Runs one console entry (a line, plus heredoc lines or the lines of a loop).
pub fn run_line(cluster: &mut Cluster, line: &str) -> Output {
    if cluster.console.exec_session.is_some() {
        return kubectl::exec::session_line(cluster, line);
    }
    let commands = match shell::parse(line) {
        Ok(c) => c,
        Err(message) => {
            let mut o = Output::failure(message);
            o.exit_code = 2;
            return o;
        }
    };
    let top = cluster.console.substitution_depth == 0;
    // Only a command alone on its line (no pipe, no redirection, not inside `$(...)`) can
    // keep running as a job.
    cluster.console.stream_ok = cluster.console.streaming
        && top
        && commands.len() == 1
        && commands.first().is_some_and(|c| {
            c.pipeline.len() == 1
                && c.pipeline[0].stdout_to.is_none()
                && c.pipeline[0].compound.is_none()
        });
    if top {
        cluster.console.loop_level = 0;
        cluster.console.loop_passes = 0;
        cluster.console.loop_bytes = 0;
        cluster.console.interrupted = false;
    }
    // A streamed entry with a loop pauses in its `sleep`s and goes on as a job.
    let job = cluster.console.streaming && top;
    let mut exec = exec::Exec::new(cluster, commands.into(), job);
    let mut out = Output::default();
    if top {
        if !run_entry(cluster, &mut exec, &mut out) {
            cluster.console.job = Some(Job::Loop(Box::new(exec)));
        }
    } else {
        exec.run(cluster, &mut out);
    }
    out
}

/// Runs a top-level entry until it ends (true) or pauses; a stopped one ends with `^C`.
fn run_entry(cluster: &mut Cluster, exec: &mut exec::Exec, out: &mut Output) -> bool {
    if exec.run(cluster, out) == exec::Flow::Sleeping {
        return false;
    }
    exec::finish_interrupted(cluster, out);
    cluster.console.last_status = out.exit_code;
    true
}

/// The prompt: `$ `, or the container shell's inside `kubectl exec -it`.
pub fn prompt(console: &Console) -> String {
    match &console.exec_session {
        Some(s) => s.prompt.clone(),
        None => "$ ".into(),
    }
}

/// Runs `a | b | c`: each command's stdout is the next one's stdin; stderr goes to the screen.
pub(super) fn run_pipeline(cluster: &mut Cluster, pipeline: &[Simple]) -> Output {
    let mut out = Output::default();
    let mut piped: Option<String> = None;
    for (i, simple) in pipeline.iter().enumerate() {
        let stdin = match (&simple.heredoc, &simple.stdin_from) {
            (Some(body), _) => Some(body.clone()),
            (None, Some(file)) => match cluster.console.files.read(file) {
                Some(text) => Some(text.to_string()),
                None => return Output::failure(format!("bash: {file}: No such file or directory")),
            },
            (None, None) => piped.take(),
        };
        let result = if let Some(spec) = &simple.compound {
            exec::Exec::run_loop(cluster, spec)
        } else if simple.expansions.iter().any(Option::is_some) {
            match expand::words(cluster, simple, &mut out) {
                Some(_) if cluster.console.interrupted => return out,
                Some(words) => run_simple(cluster, &words, stdin.as_deref()),
                None => {
                    out.exit_code = 1;
                    return out;
                }
            }
        } else {
            run_simple(cluster, &simple.words, stdin.as_deref())
        };
        let edit = result.edit.clone();
        let open_file = result.open_file.clone();
        let last = i + 1 == pipeline.len();
        let mut stdout = String::new();
        let mut stderr = String::new();
        for (stream, text) in result.chunks {
            // `2>&1` sends stderr where stdout goes, `>&2` the other way round.
            let stream = match stream {
                Stream::Stderr if simple.stderr_to_stdout => Stream::Stdout,
                Stream::Stdout if simple.stdout_to_stderr => Stream::Stderr,
                s => s,
            };
            match stream {
                Stream::Stdout if !last || simple.stdout_to.is_some() => stdout.push_str(&text),
                Stream::Stdout => out.out_raw(text),
                Stream::Stderr if simple.stderr_to.is_some() => stderr.push_str(&text),
                Stream::Stderr => out.chunks.push((Stream::Stderr, text)),
            }
        }
        out.exit_code = result.exit_code;
        out.clear |= result.clear;
        if edit.is_some() {
            out.edit = edit;
        }
        if open_file.is_some() {
            out.open_file = open_file;
        }
        // `&>` names one file for both streams: stdout first, then stderr after it.
        let both = simple.stdout_to.is_some() && simple.stdout_to == simple.stderr_to;
        if both {
            stdout.push_str(&std::mem::take(&mut stderr));
        }
        if let Some((file, append)) = &simple.stdout_to {
            if let Err(e) = write_redirect(cluster, file, &stdout, *append) {
                out.err(e);
                out.exit_code = 1;
            }
        } else if !last {
            piped = Some(stdout);
        }
        if let (Some((file, append)), false) = (&simple.stderr_to, both) {
            if let Err(e) = write_redirect(cluster, file, &stderr, *append) {
                out.err(e);
                out.exit_code = 1;
            }
        }
        // Stopped as if by Ctrl-C: the rest of the pipe is stopped too.
        if cluster.console.interrupted {
            break;
        }
    }
    out
}

/// Writes a redirection's text to a workspace file; `/dev/null` takes it and keeps nothing.
fn write_redirect(
    cluster: &mut Cluster,
    file: &str,
    text: &str,
    append: bool,
) -> Result<(), String> {
    if file == "/dev/null" {
        return Ok(());
    }
    cluster.console.files.write(file, text, append)
}

/// What a workspace path is, for `test -f`/`-d` and `[[ -f ]]`.
pub(super) fn workspace_kind(
    cluster: &Cluster,
    path: &str,
) -> Option<crate::node::process::cond::FileKind> {
    use crate::node::process::cond::FileKind;
    if path.is_empty() {
        return None;
    }
    match cluster.console.files.read(path) {
        Some(text) => Some(FileKind::File(text.len())),
        None if cluster.console.files.is_dir(path) => Some(FileKind::Dir),
        None => None,
    }
}

/// Whether a word is a `NAME=value` assignment.
pub(super) fn is_assignment(word: &str) -> bool {
    word.split_once('=')
        .is_some_and(|(name, _)| shell::is_name(name))
}

fn run_simple(cluster: &mut Cluster, words: &[String], stdin: Option<&str>) -> Output {
    // `NAME=value cmd`: the variables hold for that command; alone, they stay set.
    let assignments = words.iter().take_while(|w| is_assignment(w)).count();
    if assignments > 0 {
        let (assign, rest) = words.split_at(assignments);
        let saved = cluster.console.env.clone();
        for a in assign {
            if let Some((k, v)) = a.split_once('=') {
                cluster.console.env.insert(k.to_string(), v.to_string());
            }
        }
        if rest.is_empty() {
            return Output::default();
        }
        let out = run_simple(cluster, rest, stdin);
        cluster.console.env = saved;
        return out;
    }
    let Some((program, args)) = words.split_first() else {
        return Output::default();
    };
    match program.as_str() {
        "kubectl" | "k" => kubectl::run(cluster, args, stdin),
        "timeout" => timeout(cluster, args, stdin),
        // In a pipe (a subshell): only a complaint outside loops; the loop is not left.
        "break" | "continue" if cluster.console.loop_level == 0 => {
            let mut o = Output::default();
            o.err(format!(
                "bash: {program}: only meaningful in a `for', `while', or `until' loop"
            ));
            o
        }
        "break" | "continue" => Output::default(),
        "sed" => sed::run(cluster, args, stdin),
        "export" => {
            for a in args.iter().filter(|a| is_assignment(a)) {
                if let Some((k, v)) = a.split_once('=') {
                    cluster.console.env.insert(k.to_string(), v.to_string());
                }
            }
            Output::default()
        }
        _ => builtins::run(cluster, program, args, stdin),
    }
}

/// `timeout DURATION COMMAND...`: a watch (`kubectl get -w`) inside runs for DURATION of
/// simulated time and ends with status 124, as coreutils' timeout would stop it.
fn timeout(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let usage = "Usage: timeout [OPTION] DURATION COMMAND [ARG]...\nTry 'timeout --help' for more information.";
    let (Some(duration), Some(_)) = (args.first(), args.get(1)) else {
        let mut o = Output::failure(format!("timeout: missing operand\n{usage}"));
        o.exit_code = 125;
        return o;
    };
    let Some(limit) = parse_timeout(duration) else {
        let mut o = Output::failure(format!(
            "timeout: invalid time interval '{duration}'\n{usage}"
        ));
        o.exit_code = 125;
        return o;
    };
    cluster.console.watch_limit = Some(limit);
    let out = run_simple(cluster, &args[1..], stdin);
    cluster.console.watch_limit = None;
    out
}

/// coreutils durations: a number with an optional `s`, `m`, `h` or `d` suffix.
fn parse_timeout(text: &str) -> Option<crate::clock::SimDuration> {
    let (number, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
    let seconds = match unit {
        's' => value,
        'm' => value * 60.0,
        'h' => value * 3600.0,
        'd' => value * 86400.0,
        _ => return None,
    };
    Some(crate::clock::SimDuration::millis(
        (seconds.min(86400.0) * 1000.0) as i64,
    ))
}
