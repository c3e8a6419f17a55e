//! Runs a parsed entry on a small frame stack, so that a loop can stop at a `sleep` and go
//! on later from where it was (a streamed job, see `Job::Loop`): lists (`;`, `&&`, `||`),
//! `for`/`while`/`until` loops, `if` (a frame too: its tests may hold a loop that pauses),
//! `case` and `[[ ]]`, `break`/`continue [N]`, and `sleep` inside loops.
//!
//! Bounds: between two pauses an entry's loops stay within the shell [`Budget`] (passes,
//! bytes printed or captured, variables); past it the entry stops with the budget's message,
//! status 130. When nobody watches (not streaming) its loops may let [`LOOP_SPAN`] of
//! simulated time pass (or the `timeout` in force): then it stops as if the learner pressed
//! Ctrl-C: `^C`, status 130.
//!
//! [`Budget`]: crate::node::process::budget::Budget

use std::sync::Arc;

use super::{builtins, expand, run_pipeline};
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::node::process::budget;
use crate::output::{Output, Stream};
use crate::sh::{CaseClause, Command, Compound, Connector, ForLoop, IfClause, Simple, WhileLoop};

/// How much simulated time a loop may let pass when nobody watches it (not streaming).
pub(super) const LOOP_SPAN: SimDuration = SimDuration::seconds(600);

/// Where a running entry is: its frames (innermost last) and what it last did.
#[derive(Clone, Debug)]
pub(crate) struct Exec {
    frames: Vec<Frame>,
    /// The status of the last command run (`$?`, and what `&&`/`||` look at).
    status: i32,
    /// A streamed job: a `sleep` in a loop pauses the entry instead of advancing time.
    job: bool,
    /// Paused in a `sleep` until this time (epoch ms).
    wake: Option<i64>,
    /// Loops around this entry (it is a `$(...)` or a pipe inside them): `break` stops it.
    outer_loops: usize,
    /// When the outermost loop began (epoch ms), for [`LOOP_SPAN`].
    loop_start: Option<i64>,
}

#[derive(Clone, Debug)]
enum Frame {
    /// A list of commands and the index of the next one.
    List {
        commands: Arc<[Command]>,
        next: usize,
    },
    /// A `for` loop: its words and the index of the next one.
    For {
        name: String,
        items: Vec<String>,
        next: usize,
        body: Arc<[Command]>,
        /// The status of the last pass's body (0 before any).
        status: i32,
    },
    /// A `while`/`until` loop and what it does next.
    While {
        spec: WhileLoop,
        phase: Phase,
        /// The status of the last pass's body (0 before any).
        status: i32,
    },
    /// An `if`: the branch whose test runs or has run.
    If {
        spec: IfClause,
        branch: usize,
        /// The branch's test has run: its status decides.
        tested: bool,
    },
}

/// Where a `while`/`until` loop is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Its test runs next.
    Test,
    /// Its test has run: the body runs, or the loop ends.
    Tested,
    /// Its body has run (or `continue`d): record the status, then test again.
    Ran,
}

impl Frame {
    fn is_loop(&self) -> bool {
        matches!(self, Frame::For { .. } | Frame::While { .. })
    }
}

/// Why [`Exec::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// The entry has ended (or was stopped).
    Done,
    /// A job paused in a `sleep`, until it is [`Exec::awake`].
    Sleeping,
}

impl Exec {
    /// An entry to run; `job`: it may pause in `sleep`s (streamed, alone on its line).
    pub(crate) fn new(cluster: &Cluster, commands: Arc<[Command]>, job: bool) -> Exec {
        Exec {
            frames: vec![Frame::List { commands, next: 0 }],
            status: 0,
            job,
            wake: None,
            outer_loops: cluster.console.loop_level,
            loop_start: None,
        }
    }

    /// A loop to run at once, where it stands (in a pipe or with a redirection).
    pub(super) fn run_loop(cluster: &mut Cluster, spec: &Compound) -> Output {
        let command = Command {
            connector: Connector::Always,
            pipeline: vec![Simple {
                compound: Some(Box::new(spec.clone())),
                ..Simple::default()
            }],
        };
        let mut exec = Exec::new(cluster, Arc::from(vec![command]), false);
        let mut out = Output::default();
        exec.run(cluster, &mut out);
        out
    }

    /// Whether a paused job may go on: its `sleep` is over.
    pub(crate) fn awake(&self, cluster: &Cluster) -> bool {
        self.wake
            .is_none_or(|wake| cluster.world.clock.now_ms() >= wake)
    }

    /// Runs until the entry ends, is stopped, or (a job) pauses in a `sleep`; the output's
    /// status is the last command's.
    pub(crate) fn run(&mut self, cluster: &mut Cluster, out: &mut Output) -> Flow {
        self.wake = None;
        let flow = self.steps(cluster, out);
        out.exit_code = self.status;
        flow
    }

    fn steps(&mut self, cluster: &mut Cluster, out: &mut Output) -> Flow {
        while !cluster.console.interrupted {
            if std::mem::take(&mut cluster.console.discard_line) {
                // An expansion failed: the rest of the line is not run; status 1.
                self.frames.clear();
                self.status = 1;
                cluster.console.last_status = 1;
            }
            let Some(frame) = self.frames.last_mut() else {
                break;
            };
            match frame {
                Frame::List { commands, next } => {
                    let (commands, i) = (commands.clone(), *next);
                    *next += 1;
                    let Some(command) = commands.get(i) else {
                        self.frames.pop();
                        continue;
                    };
                    let run = match command.connector {
                        Connector::Always => true,
                        Connector::IfSuccess => self.status == 0,
                        Connector::IfFailure => self.status != 0,
                    };
                    if run && self.command(cluster, command, out) == Flow::Sleeping {
                        return Flow::Sleeping;
                    }
                }
                Frame::For {
                    name,
                    items,
                    next,
                    body,
                    status,
                } => {
                    if *next > 0 {
                        *status = self.status;
                    }
                    let Some(item) = items.get(*next).cloned() else {
                        let status = *status;
                        self.end_loop(cluster, status);
                        continue;
                    };
                    *next += 1;
                    let (name, body) = (name.clone(), body.clone());
                    if self.pass(cluster) {
                        cluster.console.env.insert(name, item);
                        self.frames.push(Frame::List {
                            commands: body,
                            next: 0,
                        });
                    }
                }
                Frame::While {
                    spec,
                    phase,
                    status,
                } => {
                    let list = match *phase {
                        Phase::Ran | Phase::Test => {
                            if *phase == Phase::Ran {
                                *status = self.status;
                            }
                            *phase = Phase::Tested;
                            let test = spec.test.clone();
                            if !self.pass(cluster) {
                                continue;
                            }
                            test
                        }
                        Phase::Tested if (self.status == 0) == spec.until => {
                            let status = *status;
                            self.end_loop(cluster, status);
                            continue;
                        }
                        Phase::Tested => {
                            *phase = Phase::Ran;
                            spec.body.clone()
                        }
                    };
                    self.frames.push(Frame::List {
                        commands: list,
                        next: 0,
                    });
                }
                Frame::If {
                    spec,
                    branch,
                    tested,
                } => {
                    let (test, body) = match spec.branches.get(*branch) {
                        Some((test, body)) => (test.clone(), body.clone()),
                        None => {
                            let otherwise = spec.otherwise.clone();
                            self.frames.pop();
                            self.list_or_zero(cluster, otherwise);
                            continue;
                        }
                    };
                    if !*tested {
                        *tested = true;
                        self.frames.push(Frame::List {
                            commands: test,
                            next: 0,
                        });
                    } else if self.status == 0 {
                        self.frames.pop();
                        self.list_or_zero(cluster, body);
                    } else {
                        *branch += 1;
                        *tested = false;
                    }
                }
            }
        }
        Flow::Done
    }

    /// Runs `commands` next; none (an `if` without `else`, a `case` without a match) is
    /// status 0.
    fn list_or_zero(&mut self, cluster: &mut Cluster, commands: Arc<[Command]>) {
        if commands.is_empty() {
            self.status = 0;
            cluster.console.last_status = 0;
        } else {
            self.frames.push(Frame::List { commands, next: 0 });
        }
    }

    /// Pops the loop on top; its status is its last body's (0 if none ran).
    fn end_loop(&mut self, cluster: &mut Cluster, status: i32) {
        self.frames.pop();
        self.status = status;
        cluster.console.last_status = status;
    }

    /// Loops on the stack, with those around the entry.
    fn loop_depth(&self) -> usize {
        self.outer_loops + self.own_loops()
    }

    fn own_loops(&self) -> usize {
        self.frames.iter().filter(|f| f.is_loop()).count()
    }

    /// Runs one command of a list (or enters its loop); `Sleeping` when a job pauses.
    fn command(&mut self, cluster: &mut Cluster, command: &Command, out: &mut Output) -> Flow {
        cluster.console.loop_level = self.loop_depth();
        let in_loop = self.own_loops() > 0;
        let alone = match command.pipeline.as_slice() {
            [simple] if !simple.redirected() => Some(simple),
            _ => None,
        };
        if let Some(spec) = alone.and_then(|s| s.compound.as_deref()) {
            self.enter(cluster, spec, out);
            return Flow::Done;
        }
        // The first word as typed: `sleep`, `break` and `continue` act on the frames.
        let builtin = alone
            .filter(|s| s.expansions.first().is_some_and(Option::is_none))
            .and_then(|s| s.words.first().map(|w| (s, w.as_str())));
        let result = match builtin {
            Some((simple, "sleep")) if in_loop || (self.job && self.loop_start.is_some()) => {
                return self.sleep(cluster, simple, out);
            }
            Some((simple, "break" | "continue")) => self.jump(cluster, simple),
            _ => run_pipeline(cluster, &command.pipeline),
        };
        if in_loop {
            let bytes = result.chunks.iter().map(|(_, t)| t.len()).sum();
            if let Err(limit) = cluster.console.budget.print(bytes) {
                cluster.console.exceed(limit);
            }
        }
        out.extend(result);
        self.status = out.exit_code;
        cluster.console.last_status = self.status;
        Flow::Done
    }

    /// Starts a compound command: a `for` expands its words first; `case` and `[[ ]]`
    /// decide at once.
    fn enter(&mut self, cluster: &mut Cluster, spec: &Compound, out: &mut Output) {
        if self.loop_start.is_none() && spec.is_loop() {
            self.loop_start = Some(cluster.world.clock.now_ms());
        }
        let frame = match spec {
            Compound::If(spec) => Frame::If {
                spec: spec.clone(),
                branch: 0,
                tested: false,
            },
            Compound::Case(spec) => return self.case(cluster, spec, out),
            Compound::Cond(cond) => {
                let status = super::conditions::double_brackets(cluster, cond, out);
                self.status = status;
                cluster.console.last_status = status;
                return;
            }
            Compound::For(ForLoop { name, items, body }) => {
                let Some(items) = expand::words(cluster, items, out) else {
                    self.status = 1;
                    cluster.console.last_status = 1;
                    return;
                };
                Frame::For {
                    name: name.clone(),
                    items,
                    next: 0,
                    body: body.clone(),
                    status: 0,
                }
            }
            Compound::While(spec) => Frame::While {
                spec: spec.clone(),
                phase: Phase::Test,
                status: 0,
            },
        };
        self.frames.push(frame);
    }

    /// `case`: the body of the first item with a pattern that matches runs next.
    fn case(&mut self, cluster: &mut Cluster, spec: &CaseClause, out: &mut Output) {
        match super::conditions::case_body(cluster, spec, out) {
            Ok(body) => self.list_or_zero(cluster, body),
            Err(status) => {
                self.status = status;
                cluster.console.last_status = status;
            }
        }
    }

    /// Counts one more pass of a loop; false (and the entry stopped) past a bound.
    fn pass(&mut self, cluster: &mut Cluster) -> bool {
        let now = cluster.world.clock.now_ms();
        let console = &mut cluster.console;
        let span = console.watch_limit.unwrap_or(LOOP_SPAN).0;
        if let Err(limit) = console
            .budget
            .pass()
            .and_then(|()| budget::variables(console.env.values()))
        {
            console.exceed(limit);
        } else if !self.job && self.loop_start.is_some_and(|s| now - s > span) {
            console.interrupted = true;
        }
        !console.interrupted
    }

    /// `sleep` in a loop: a job pauses; otherwise time passes here, up to the loop's span.
    fn sleep(&mut self, cluster: &mut Cluster, simple: &Simple, out: &mut Output) -> Flow {
        let duration = match expand::words(cluster, simple, out) {
            Some(words) => builtins::sleep_duration(words.get(1..).unwrap_or_default()),
            None => Err(Output {
                exit_code: 1,
                ..Output::default()
            }),
        };
        let d = match duration {
            Ok(d) => d,
            Err(e) => {
                out.extend(e);
                self.status = out.exit_code;
                cluster.console.last_status = self.status;
                return Flow::Done;
            }
        };
        self.status = 0;
        cluster.console.last_status = 0;
        let now = cluster.world.clock.now_ms();
        if self.job {
            if d.0 <= 0 {
                return Flow::Done;
            }
            self.wake = Some(now.saturating_add(d.0));
            return Flow::Sleeping;
        }
        let span = cluster.console.watch_limit.unwrap_or(LOOP_SPAN).0;
        let end = self.loop_start.unwrap_or(now).saturating_add(span);
        if now.saturating_add(d.0) > end {
            cluster.advance(SimDuration::millis(end - now));
            cluster.console.interrupted = true;
        } else {
            cluster.advance(d);
        }
        Flow::Done
    }

    /// `break [N]` / `continue [N]` where a list runs them, with bash's messages.
    fn jump(&mut self, cluster: &mut Cluster, simple: &Simple) -> Output {
        let mut out = Output::default();
        let Some(words) = expand::words(cluster, simple, &mut out) else {
            out.exit_code = 1;
            return out;
        };
        let Some((program, args)) = words.split_first() else {
            return out;
        };
        let count = match loop_count(program, args, self.loop_depth()) {
            Count::Outside(message) => {
                out.err(message);
                return out;
            }
            Count::Fatal(message, status) => {
                // bash gives up the whole line.
                out.err(message);
                out.exit_code = status;
                self.frames.clear();
                return out;
            }
            Count::OutOfRange(message) => {
                // Every loop ends, with status 1.
                out.err(message);
                out.exit_code = 1;
                self.unwind(usize::MAX, false);
                return out;
            }
            Count::Loops(n) => n,
        };
        self.unwind(count, program == "continue");
        out
    }

    /// Leaves `n` loops (`go_on`: the last of them goes on to its next pass). Past the loops
    /// of this stack, an entry run inside outer loops (a `$(...)` or a pipe) just ends.
    fn unwind(&mut self, n: usize, go_on: bool) {
        let own = self.own_loops();
        if n > own && self.outer_loops > 0 {
            self.frames.clear();
            return;
        }
        let mut left = n.min(own);
        while let Some(frame) = self.frames.last_mut() {
            if frame.is_loop() {
                left -= 1;
                if left == 0 {
                    if !go_on {
                        self.frames.pop();
                    } else if let Frame::While { phase, .. } = frame {
                        *phase = Phase::Ran;
                    }
                    return;
                }
            }
            self.frames.pop();
        }
    }
}

/// What the arguments of `break`/`continue` ask.
enum Count {
    /// No loop to leave: bash's complaint (status 0).
    Outside(String),
    /// Not a number, or too many: bash gives up the line with this status.
    Fatal(String, i32),
    /// Zero or negative.
    OutOfRange(String),
    /// Leave this many loops (at most as many as there are).
    Loops(usize),
}

/// bash's `break`/`continue` argument rules (builtins/break.def, `get_numeric_arg`).
fn loop_count(program: &str, args: &[String], depth: usize) -> Count {
    if depth == 0 {
        return Count::Outside(format!(
            "bash: {program}: only meaningful in a `for', `while', or `until' loop"
        ));
    }
    let args = match args.split_first() {
        Some((first, rest)) if first == "--" => rest,
        _ => args,
    };
    let Some(arg) = args.first() else {
        return Count::Loops(1);
    };
    let Ok(n) = arg.trim().parse::<i64>() else {
        return Count::Fatal(
            format!("bash: {program}: {arg}: numeric argument required"),
            128,
        );
    };
    if args.len() > 1 {
        return Count::Fatal(format!("bash: {program}: too many arguments"), 1);
    }
    match usize::try_from(n) {
        Ok(n) if n > 0 => Count::Loops(n),
        _ => Count::OutOfRange(format!("bash: {program}: {arg}: loop count out of range")),
    }
}

/// Ends an entry that was stopped: at a limit of its budget (the limit's message) or as if
/// Ctrl-C were pressed (`^C`); status 130.
pub(super) fn finish_interrupted(cluster: &mut Cluster, out: &mut Output) {
    if std::mem::take(&mut cluster.console.interrupted) {
        let text = match cluster.console.exceeded.take() {
            Some(limit) => format!("{}\n", limit.message("bash")),
            None => "^C\n".into(),
        };
        out.chunks.push((Stream::Stderr, text));
        out.exit_code = 130;
        cluster.console.last_status = 130;
    }
}
