//! The console: a small shell around kubectl, running inside the engine.

mod ab;
mod aliases;
mod builtins;
pub(crate) mod complete;
mod conditions;
pub(crate) mod crictl;
mod exec;
mod expand;
mod file_editor;
mod files;
mod hostname;
mod journal;
pub(crate) mod kubectl;
pub(crate) mod minikube;
mod redirect;
mod repeat;
mod seq;
mod session;
mod source;
pub(crate) mod ssh;
mod systemctl;
mod text_filters;

use crate::cluster::Cluster;
use crate::node::process::budget::{self, Budget, Limit};
use crate::output::Output;
use crate::sh::{self, Redirect, Simple};
pub(crate) use files::normalize as files_normalize;
pub use files::Workspace;

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
    /// An interactive `ssh NODE` (or `minikube ssh`) that receives the lines until `exit`.
    pub(crate) ssh_session: Option<ssh::Session>,
    /// How long a watch (`get -w`) may run, set by `timeout DURATION` around the command.
    pub(crate) watch_limit: Option<crate::clock::SimDuration>,
    /// Environment variables (`export X=1`, or `X=1 cmd` for one command), e.g. `KUBE_EDITOR`.
    pub(crate) env: std::collections::BTreeMap<String, String>,
    /// The front end shows output as time passes (the page): watches become jobs.
    pub(crate) streaming: bool,
    /// The front end's language is Korean: the console's own `help` is Korean (what kubectl
    /// and the shell print stays as on a real machine).
    pub(crate) korean_help: bool,
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
    /// Loop passes and loop output of the entry since it started or last paused (see `exec`).
    pub(crate) budget: Budget,
    /// The entry passed a bound and is stopping, as if Ctrl-C were pressed.
    pub(crate) interrupted: bool,
    /// The limit of the [`Budget`] that stopped it, if one did (said instead of `^C`).
    pub(crate) exceeded: Option<Limit>,
    /// An expansion failed (an arithmetic error): bash discards the rest of the line.
    pub(crate) discard_line: bool,
    /// Aliases (`alias k=kubectl`), expanded where a command starts.
    pub(crate) aliases: std::collections::BTreeMap<String, String>,
    /// Names of the exported variables (`export`), which `env` lists.
    pub(crate) exported: std::collections::BTreeSet<String>,
    /// The entries typed, for `history`.
    pub(crate) history: session::History,
    /// How deeply `source` files are being read inside each other.
    pub(crate) source_depth: u8,
    /// What each process substitution `<(cmd)` of the entry printed (`/dev/fd/63`, 62, ...).
    pub(crate) fd_files: Vec<String>,
    /// A `watch` screen is being drawn: a `watch` inside it draws one screen only.
    pub(crate) in_watch: bool,
    /// The user a `kubectl --as` command acts as while it runs (its writes are authorized).
    pub(crate) acting: Option<crate::apiserver::authz::UserInfo>,
}

/// How deeply command substitutions may nest.
const MAX_SUBSTITUTION_DEPTH: u8 = crate::bounds::SUBSHELL as u8;

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
    /// `ab` on the learner's machine.
    Bench(ab::Running),
    /// `watch CMD`, redrawing every interval.
    Repeat(Box<repeat::Repeat>),
    /// `kubectl drain` retrying evictions a disruption budget refuses.
    Drain(Box<kubectl::drain::Draining>),
}

impl Console {
    /// Stops the entry at a limit of its budget: it ends with the limit's message.
    pub(crate) fn exceed(&mut self, limit: Limit) {
        if !self.interrupted {
            self.exceeded = Some(limit);
        }
        self.interrupted = true;
    }

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
        Job::Bench(b) => b.poll(cluster, &mut out),
        Job::Repeat(r) => r.poll(cluster, &mut out),
        Job::Drain(d) => d.poll(cluster, &mut out),
        Job::Loop(e) if !e.awake(cluster) => false,
        Job::Loop(e) => {
            cluster.console.budget.reset();
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
            ssh_session: None,
            watch_limit: None,
            env: session::BASE_ENV
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            last_status: 0,
            substitution_depth: 0,
            loop_level: 0,
            budget: Budget::default(),
            interrupted: false,
            exceeded: None,
            discard_line: false,
            aliases: [("k".to_string(), "kubectl".to_string())].into(),
            exported: session::BASE_ENV
                .iter()
                .map(|(k, _)| k.to_string())
                .collect(),
            history: Default::default(),
            source_depth: 0,
            fd_files: Vec::new(),
            in_watch: false,
            acting: None,
            streaming: false,
            korean_help: false,
            stream_ok: false,
            job: None,
        }
    }
}

/// Whether a console entry goes on with the next line (an unfinished multi-line loop).
pub(crate) fn continues(entry: &str) -> bool {
    sh::continues(entry)
}

/// The delimiter of the first heredoc `line` opens, where bash's grammar opens one.
pub(crate) fn heredoc_delimiter(line: &str) -> Option<String> {
    sh::heredoc_delimiter(line)
}

/// Whether a typed console entry is unfinished (bash's `> ` prompt); see [`Cluster::needs_more`].
pub(crate) fn needs_more(entry: &str) -> bool {
    sh::needs_more(entry)
}

/// Runs one console entry (a line, plus heredoc lines or the lines of a loop).
pub fn run_line(cluster: &mut Cluster, line: &str) -> Output {
    if cluster.console.exec_session.is_some() {
        return kubectl::exec::session_line(cluster, line);
    }
    if cluster.console.ssh_session.is_some() {
        return ssh::session_line(cluster, line);
    }
    let top = cluster.console.substitution_depth == 0 && cluster.console.source_depth == 0;
    let mut bang = Output::default();
    let expanded;
    let mut line = line;
    if top {
        match cluster.console.history.expand_bang(line) {
            Some(Ok(new)) => {
                // bash shows the line it will run, on stderr.
                bang.err(&new);
                expanded = new;
                line = &expanded;
            }
            Some(Err(message)) => return Output::failure(message),
            None => {}
        }
        cluster.console.history.record(line);
        cluster.console.fd_files.clear();
    }
    let commands = match sh::parse_with_aliases(line, &cluster.console.aliases) {
        Ok(c) => c,
        Err(message) => {
            let mut o = Output::failure(message);
            if line.contains('&')
                && (line.contains("port-forward") || line.contains("minikube tunnel"))
            {
                // Tutorials put these in the background; here they keep running anyway.
                o.err("(In Kubeplay this command keeps forwarding after it returns: type it without the &.)");
            }
            o.exit_code = 2;
            return o;
        }
    };
    // Only a command alone on its line (no pipe, no redirection, not inside `$(...)`) can
    // keep running as a job.
    cluster.console.stream_ok = cluster.console.streaming
        && top
        && commands.len() == 1
        && commands.first().is_some_and(|c| {
            c.pipeline.len() == 1
                && redirect::stdout_on_screen(&c.pipeline[0].outputs)
                && c.pipeline[0].compound.is_none()
        });
    if top {
        cluster.console.loop_level = 0;
        cluster.console.budget.reset();
        cluster.console.interrupted = false;
        cluster.console.exceeded = None;
        cluster.console.discard_line = false;
    }
    // A streamed entry with a loop pauses in its `sleep`s and goes on as a job.
    let job = cluster.console.streaming && top;
    let mut exec = exec::Exec::new(cluster, commands.into(), job);
    let mut out = bang;
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

/// The prompt: `$ `, or the remote shell's inside `kubectl exec -it` or `ssh NODE`.
pub fn prompt(console: &Console) -> String {
    match (&console.exec_session, &console.ssh_session) {
        (Some(s), _) => s.prompt.clone(),
        (None, Some(s)) => s.prompt.clone(),
        (None, None) => "$ ".into(),
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
        let outputs = if simple.outputs.iter().any(Redirect::has_expansions) {
            match expand::redirects(cluster, simple, &mut out) {
                Ok(outputs) => std::borrow::Cow::Owned(outputs),
                Err(message) => {
                    out.err(message);
                    out.exit_code = 1;
                    if i + 1 < pipeline.len() {
                        piped = Some(String::new());
                    }
                    continue;
                }
            }
        } else {
            std::borrow::Cow::Borrowed(&simple.outputs)
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
        let mut result = result;
        bound_output(cluster, &mut result);
        let last = i + 1 == pipeline.len();
        let mut status = result.exit_code;
        let routed = redirect::route(cluster, &outputs, result.chunks, last, &mut status);
        redirect::show(&mut out, routed.screen);
        out.exit_code = status;
        out.clear |= result.clear;
        if result.edit.is_some() {
            out.edit = result.edit;
        }
        if result.open_file.is_some() {
            out.open_file = result.open_file;
        }
        if !last {
            piped = Some(routed.stdout);
        }
        // Stopped as if by Ctrl-C: the rest of the pipe is stopped too.
        if cluster.console.interrupted {
            break;
        }
    }
    out
}

/// Holds one command's output to the budget's [`budget::MAX_OUTPUT`]: what is beyond is
/// not kept, and the entry stops with the budget's message.
fn bound_output(cluster: &mut Cluster, result: &mut Output) {
    let total = result
        .chunks
        .iter()
        .fold(0usize, |sum, (_, t)| sum.saturating_add(t.len()));
    if budget::output(total).is_ok() {
        return;
    }
    let mut room = budget::MAX_OUTPUT;
    for (_, text) in &mut result.chunks {
        budget::cut(text, room);
        room -= text.len();
    }
    result.chunks.retain(|(_, t)| !t.is_empty());
    cluster.console.exceed(Limit::Output);
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
        .is_some_and(|(name, _)| sh::is_name(name))
}

pub(super) fn run_simple(cluster: &mut Cluster, words: &[String], stdin: Option<&str>) -> Output {
    // `NAME=value cmd`: the variables hold for that command; alone, they stay set.
    let assignments = words.iter().take_while(|w| is_assignment(w)).count();
    if assignments > 0 {
        let (assign, rest) = words.split_at(assignments);
        let saved = (
            cluster.console.env.clone(),
            cluster.console.exported.clone(),
        );
        for a in assign {
            if let Some((k, v)) = a.split_once('=') {
                cluster.console.env.insert(k.to_string(), v.to_string());
                if !rest.is_empty() {
                    cluster.console.exported.insert(k.to_string());
                }
            }
        }
        if rest.is_empty() {
            return Output::default();
        }
        let out = run_simple(cluster, rest, stdin);
        (cluster.console.env, cluster.console.exported) = saved;
        return out;
    }
    let Some((program, args)) = words.split_first() else {
        return Output::default();
    };
    match program.as_str() {
        "kubectl" if cluster.console.loop_level > 0 => {
            if let Err(limit) = cluster.console.budget.cluster_command() {
                cluster.console.exceed(limit);
                return Output::default();
            }
            kubectl::run(cluster, args, stdin)
        }
        "kubectl" => kubectl::run(cluster, args, stdin),
        "alias" => aliases::alias(cluster, args),
        "unalias" => aliases::unalias(cluster, args),
        "source" | "." => source::run(cluster, program, args),
        "timeout" => timeout(cluster, args, stdin),
        "watch" => repeat::run(cluster, args),
        // In a pipe (a subshell): only a complaint outside loops; the loop is not left.
        "break" | "continue" if cluster.console.loop_level == 0 => {
            let mut o = Output::default();
            o.err(format!(
                "bash: {program}: only meaningful in a `for', `while', or `until' loop"
            ));
            o
        }
        "break" | "continue" => Output::default(),
        "sed" => sed(cluster, args, stdin),
        _ => match session::run(cluster, program, args, stdin) {
            Some(out) => out,
            None => builtins::run(cluster, program, args, stdin),
        },
    }
}

/// `timeout [OPTION] DURATION COMMAND...`, coreutils' (its command line read as a container's
/// is): a watch (`kubectl get -w`), `logs -f` or `sleep` inside runs until the command is
/// killed — at DURATION, or `-k` later for a signal it survives — capped at a day as
/// `sleep` is, and the status is 124 (the signal's with `--preserve-status` or KILL).
fn timeout(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    use crate::clock::SimDuration;
    use crate::node::process::script::timeout as coreutils;
    let request = match coreutils::parse(args, false) {
        Ok(r) => r,
        Err((message, code)) => {
            let mut o = Output::failure(message);
            o.exit_code = code;
            return o;
        }
    };
    let program = request.argv[0].as_str();
    // Builtins, aliases and assignments are no program it can run.
    if !program.contains('/') && session::path_of(cluster, program).is_none() {
        let mut o = Output::failure(coreutils::cannot_run(program, false));
        o.exit_code = 127;
        return o;
    }
    let day = SimDuration::seconds(86_400);
    let kill = request
        .kill()
        .map(|(after, signal)| (after.min(day), signal));
    let start = cluster.world.clock.now_ms();
    cluster.console.watch_limit = kill.map(|(after, _)| after);
    let mut out = run_simple(cluster, request.argv, stdin);
    cluster.console.watch_limit = None;
    let elapsed = cluster.world.clock.now_ms().saturating_sub(start);
    match kill {
        // The console's watches and sleeps end with 124 when their limit runs out.
        Some((after, signal)) if out.exit_code == 124 && elapsed >= after.0 => {
            for line in request.verbose_lines(signal) {
                out.err(line);
            }
            out.exit_code = request.killed_status(signal, false);
            // KILL reaches timeout too (its process group); bash reports how it died.
            if out.exit_code == 128 + 9 {
                out.err("Killed");
            }
        }
        _ if request.limit.0 > 0 && elapsed > request.limit.0 => {
            for line in request.verbose_lines(request.signal()) {
                out.err(line);
            }
            out.exit_code = request.survived_status(out.exit_code, false);
        }
        _ => {}
    }
    out
}

/// `sed` over the workspace files (`node::process::sed`).
fn sed(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    struct Files<'a>(&'a mut Workspace);
    impl crate::node::process::sed::Files for Files<'_> {
        fn read(&self, path: &str) -> Option<String> {
            self.0.read(path).map(str::to_string)
        }
        fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
            self.0.write(path, text, false)
        }
    }
    let out = crate::node::process::sed::run(args, stdin, &mut Files(&mut cluster.console.files));
    if crate::node::process::budget::output(out.stdout().len()).is_err() {
        // Stopped at the budget: `run_pipeline` keeps what fits and says why.
        cluster
            .console
            .exceed(crate::node::process::budget::Limit::Output);
    }
    out
}
