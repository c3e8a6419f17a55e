//! The containers' shell for the commands learners put in `command`/`args` and type in
//! `kubectl exec`: it walks the AST of [`crate::sh`] (the grammar the console shares) as
//! dash, busybox ash or bash (`Dialect`: `[[ ]]`, error texts), with `$VAR`, `${...}`,
//! `$((...))`, `$(cmd)`, redirections, pipes into `cat` and `grep`, heredocs, and a handful
//! of utilities. It runs on simulated time: `sleep` moves a clock forward, and the run stops
//! when that clock passes a limit or the step budget is spent.

mod df;
mod files;
pub mod load_loop;
pub(crate) mod timeout;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::cond::{self, Dialect, FileKind};
use super::fs::{Op, View};
use crate::bounds::{self, Depth};
use crate::clock::SimDuration;
use crate::node::volumes::Mount;
use crate::sh::{self, Command, Compound, CondWord, Connector, Piece, Simple};
use crate::storage::{Entry, FsError, Storage, Tree};

/// What the process can see: its environment, files and identity.
pub trait Host {
    /// Its root filesystem.
    fn root(&self) -> &Arc<Tree>;
    /// The volumes mounted over it.
    fn mounts(&self) -> &[Mount];
    /// Its files as its processes see them, its volumes' trees in `storage`.
    fn view<'s>(&'s self, storage: Option<&'s Storage>) -> View<'s> {
        View::new(self.root().clone(), self.mounts(), storage)
    }
    /// Formats simulated epoch ms as `date` prints it.
    fn date(&self, ms: i64) -> String;
    /// Output of utilities the host knows (hostname, id, uname, ps, ...), or `None`.
    fn utility(&self, argv: &[String]) -> Option<String>;
    /// Whether `sudo` is installed (a node's host, where the shell is root already).
    fn sudo(&self) -> bool {
        false
    }
    /// Whether the tools are busybox's (output formats differ from GNU coreutils).
    fn busybox(&self) -> bool {
        false
    }
    /// The shell's error when `program` (not one of its builtins) is not in the image, or
    /// `None` when it is (every image has the common tools unless it says otherwise).
    fn missing(&self, _program: &str) -> Option<String> {
        None
    }
}

/// Commands the shells run themselves, whatever the image holds.
const BUILTINS: &[&str] = &[
    "echo", "true", ":", "test", "[", "[[", "false", "exit", "export", "cd", "pwd", "printf",
    "set", "unset", "read", "shift", "eval", "wait", "kill", "trap", "return", "local", "type",
    "command", ".", "source", "break", "continue", "sh", "bash",
];

/// Programs that are not the shell's own: the network clients (`curl`, `wget`, `nslookup`,
/// ...), which the caller provides because they reach beyond the container.
pub trait Tools {
    /// Runs `argv` at `now_ms` (epoch ms); `None` when it is not one of these programs (or
    /// the image does not ship it).
    fn run(&mut self, argv: &[String], now_ms: i64) -> Option<ToolRun>;
}

/// What a tool printed, how it exited and how long it took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolRun {
    /// Output in order: (text without its newline, written to stderr).
    pub lines: Vec<(String, bool)>,
    /// Exit status.
    pub code: i32,
    /// Simulated time the program ran, in ms.
    pub elapsed_ms: i64,
    /// Files it saved, as (path, contents): the learner's machine or the container keeps
    /// them.
    pub files: Vec<(String, String)>,
}

/// One line the process wrote, at ms after its start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Offset from the process start, in ms.
    pub at: i64,
    /// The text, without the newline.
    pub text: String,
    /// Written to stderr.
    pub stderr: bool,
}

/// How far a run got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Exited with this code at this offset.
    Exit { at: i64, code: i32 },
    /// Still running when the time limit or step budget was reached (or blocked forever).
    Running,
}

/// The result of running a script until a time limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Lines in order.
    pub lines: Vec<Line>,
    /// Exit or still running.
    pub end: End,
    /// The changes it made to the filesystem (`> FILE`, `mkdir`, a tool's download), each
    /// at ms after its start, in order: the caller applies them ([`super::fs::commit`]).
    pub ops: Vec<(i64, Op)>,
    /// From when it computes without pause (a busy loop, `yes`, `stress`), if it does.
    pub busy: Option<Busy>,
}

/// What a process uses once it keeps the CPU busy (or holds memory), beyond its image's idle
/// baseline; `node::usage` turns it into the container's cgroup demands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Busy {
    /// From this offset after its start, in ms.
    pub at: i64,
    /// CPU it asks for, in millicores (1000 per busy process).
    pub cpu_milli: u64,
    /// Memory it holds beyond the baseline, in bytes.
    pub memory_bytes: u64,
}

/// One busy process, from `at` ms after the start.
pub fn spinning(at: i64) -> Busy {
    Busy {
        at,
        cpu_milli: 1_000,
        memory_bytes: 0,
    }
}

impl Run {
    /// A run that changed no files.
    pub fn new(lines: Vec<Line>, end: End) -> Run {
        Run {
            lines,
            end,
            ops: Vec::new(),
            busy: None,
        }
    }
}

enum Flow {
    Next,
    Exit(i32),
    Stop,
    /// `break N`: leave N enclosing loops.
    Break(usize),
    /// `continue N`: the next pass of the Nth enclosing loop.
    Continue(usize),
}

/// What a loop does after its body ran.
enum Pass {
    Again,
    Done,
    Leave(Flow),
}

/// A loop body's flow: go on, stop this loop, or pass a flow to the enclosing ones.
fn pass(flow: Flow) -> Pass {
    match flow {
        Flow::Next | Flow::Continue(1) => Pass::Again,
        Flow::Break(1) => Pass::Done,
        Flow::Break(n) => Pass::Leave(Flow::Break(n - 1)),
        Flow::Continue(n) => Pass::Leave(Flow::Continue(n - 1)),
        other => Pass::Leave(other),
    }
}

/// The interpreter's state during one run.
pub struct Shell<'a> {
    host: &'a dyn Host,
    tools: Option<&'a mut dyn Tools>,
    /// Shell name for error messages: `sh` or `bash`.
    pub name: String,
    /// Variables (the environment plus assignments).
    pub vars: BTreeMap<String, String>,
    start_ms: i64,
    now: i64,
    limit: i64,
    steps: u32,
    lines: Vec<Line>,
    last: i32,
    /// The filesystem as the run sees it, its own changes made.
    fs: View<'a>,
    /// The changes it made, at ms after its start.
    ops: Vec<(i64, Op)>,
    /// Bytes written so far (output and files), against [`BYTE_BUDGET`].
    bytes: usize,
    /// The step count when its clock last moved, and that time.
    clock_mark: (u32, i64),
    /// A program that computes forever (`yes`, `sha256sum /dev/zero`) runs from here.
    busy: Option<Busy>,
    /// Shells inside this one: `$(…)` and `sh -c` (each runs a whole script, recursively).
    nested: Depth,
    /// Loops around the running command in this shell (`break` and `continue` leave them).
    loops: usize,
    /// The shell gives up before its next command with this status: an arithmetic error
    /// in an expansion (as bash and dash do), or a limit of the shell budget
    /// ([`super::budget`]).
    abort: Option<i32>,
    /// What the running command reads: a heredoc, or the pipe from the command before.
    stdin: Option<String>,
    /// The shell's own standard input (`ssh HOST CMD < FILE`), read by the first command
    /// that has no other.
    input: Option<String>,
}

/// Where a simple command's output goes: `>/dev/null`, `> FILE` and `>> FILE` (into the
/// run's files), `2>/dev/null` (stderr into a file is dropped), `2>&1`, `>&2`, `&>/dev/null`.
#[derive(Default)]
struct Redirect {
    drop_out: bool,
    drop_err: bool,
    err_to_out: bool,
    out_to_err: bool,
    /// Stdout goes to this file (path as written, appending).
    to_file: Option<(String, bool)>,
}

impl Redirect {
    /// A command's redirections (their files expanded by `expand`), as these shells keep
    /// them: stdout into `/dev/null` or a file, stderr dropped (into any file) or sent to
    /// stdout.
    fn of(
        outputs: &[sh::Redirect],
        mut expand: impl FnMut(&str, Option<&[Piece]>) -> Vec<String>,
    ) -> Redirect {
        let mut r = Redirect::default();
        for o in outputs {
            match o {
                sh::Redirect::To { fd: 2, .. } => r.drop_err = true,
                sh::Redirect::To {
                    file,
                    pieces,
                    append,
                    ..
                } => {
                    let file = expand(file, pieces.as_deref()).join(" ");
                    r.drop_out = true;
                    if file != "/dev/null" {
                        r.to_file = Some((file, *append));
                    }
                }
                sh::Redirect::Dup { fd: 2, to: 1 } => r.err_to_out = true,
                sh::Redirect::Dup { fd: 1, to: 2 } => r.out_to_err = true,
                sh::Redirect::Dup { .. } => {}
            }
        }
        r
    }

    /// Applies the redirections to the lines written since `from`; returns the stdout text
    /// that goes to `to_file`.
    fn apply(&self, lines: &mut Vec<Line>, from: usize) -> String {
        let mut captured = String::new();
        if !(self.drop_out || self.drop_err || self.err_to_out || self.out_to_err) {
            return captured;
        }
        let mut kept: Vec<Line> = lines.drain(from.min(lines.len())..).collect();
        for l in &mut kept {
            if self.err_to_out && l.stderr {
                l.stderr = false;
            } else if self.out_to_err && !l.stderr {
                l.stderr = true;
            }
            if !l.stderr && self.to_file.is_some() {
                captured.push_str(&l.text);
                captured.push('\n');
            }
        }
        kept.retain(|l| !(l.stderr && self.drop_err || !l.stderr && self.drop_out));
        lines.extend(kept);
        captured
    }
}

/// Most numbers one `seq` prints in a container.
const SEQ_LIMIT: usize = 10_000;

/// Most statements one run may execute; a script that needs more is treated as running forever.
const STEP_BUDGET: u32 = 200_000;

/// Most filesystem changes one run records (a loop appending to a file keeps writing, but
/// only so many changes are kept for its caller).
const MAX_OPS: usize = 10_000;

/// Most bytes one run may write (to its output and files); past it, as past the step budget.
const BYTE_BUDGET: usize = 16 << 20;

impl<'a> Shell<'a> {
    /// A shell with these variables, started at `start_ms` (epoch ms), that stops at `limit`
    /// ms after its start.
    pub fn new(
        host: &'a dyn Host,
        name: &str,
        vars: BTreeMap<String, String>,
        start_ms: i64,
        limit: i64,
    ) -> Self {
        Shell {
            host,
            tools: None,
            name: name.into(),
            vars,
            start_ms,
            now: 0,
            limit,
            steps: 0,
            lines: Vec::new(),
            last: 0,
            fs: host.view(None),
            ops: Vec::new(),
            bytes: 0,
            clock_mark: (0, 0),
            busy: None,
            nested: Depth::new(bounds::SUBSHELL),
            loops: 0,
            abort: None,
            stdin: None,
            input: None,
        }
    }

    /// The same shell, reading `input` as its standard input.
    pub fn with_input(mut self, input: Option<String>) -> Self {
        self.input = input;
        self
    }

    /// The same shell, its volumes' trees read from `storage`.
    pub fn with_storage(mut self, storage: &'a Storage) -> Self {
        self.fs = self.host.view(Some(storage));
        self
    }

    /// The same shell, with `tools` on its PATH.
    pub fn with_tools(mut self, tools: &'a mut dyn Tools) -> Self {
        self.tools = Some(tools);
        self
    }

    /// Runs a script source.
    pub fn run_script(mut self, src: &str) -> Run {
        let flow = match sh::parse_script(src, self.dialect()) {
            Ok(commands) => self.exec_list(&commands),
            Err(e) => {
                let message = e.message(self.dialect(), &self.name, src);
                self.emit(message, true);
                Flow::Exit(2)
            }
        };
        self.finish(flow)
    }

    /// Runs one command given as argv (a container's `command` + `args`).
    pub fn run_argv(mut self, argv: &[String]) -> Run {
        let flow = self.exec_argv(argv);
        self.finish(flow)
    }

    fn finish(self, flow: Flow) -> Run {
        // Out of steps with the clock stopped for the last half of them: the process spins
        // (a loop without `sleep`) from where its clock stopped.
        let spun = matches!(flow, Flow::Stop)
            && self.steps > STEP_BUDGET
            && self.steps - self.clock_mark.0 >= STEP_BUDGET / 2;
        let busy = self.busy.or(spun.then(|| spinning(self.now)));
        let end = match flow {
            Flow::Next => End::Exit {
                at: self.now,
                code: self.last,
            },
            Flow::Exit(code) => End::Exit { at: self.now, code },
            Flow::Stop => End::Running,
            Flow::Break(_) | Flow::Continue(_) => End::Exit {
                at: self.now,
                code: self.last,
            },
        };
        Run {
            lines: self.lines,
            end,
            ops: self.ops,
            busy,
        }
    }

    fn emit(&mut self, text: String, stderr: bool) {
        self.bytes = self.bytes.saturating_add(text.len());
        for l in text.split('\n') {
            self.lines.push(Line {
                at: self.now,
                text: l.to_string(),
                stderr,
            });
        }
    }

    fn exec_list(&mut self, commands: &[Command]) -> Flow {
        for command in commands {
            let skip = match command.connector {
                Connector::IfSuccess => self.last != 0,
                Connector::IfFailure => self.last == 0,
                Connector::Always => false,
            };
            if skip {
                continue;
            }
            match self.exec_pipeline(&command.pipeline) {
                Flow::Next => {}
                other => return other,
            }
        }
        Flow::Next
    }

    /// The stdout lines written since line `before`, taken as text (a pipe's or a
    /// substitution's); their stderr lines stay where they were.
    fn take_stdout(&mut self, before: usize) -> String {
        let written: Vec<Line> = self.lines.drain(before..).collect();
        let mut text = String::new();
        for l in written {
            if l.stderr {
                self.lines.push(l);
            } else {
                text.push_str(&l.text);
                text.push('\n');
            }
        }
        text
    }

    /// `a | b | c`: each command's stdout is the next one's stdin (`cat` and `grep` read
    /// it); the last one's goes on, with everyone's stderr.
    fn exec_pipeline(&mut self, pipeline: &[Simple]) -> Flow {
        let mut stdin = None;
        let last = pipeline.len().saturating_sub(1);
        for (i, simple) in pipeline.iter().enumerate() {
            let before = self.lines.len();
            let flow = self.exec_simple(simple, stdin.take());
            if i < last {
                stdin = Some(self.take_stdout(before));
            }
            match flow {
                Flow::Next => {}
                other => return other,
            }
        }
        Flow::Next
    }

    /// A simple or compound command with its redirections; `stdin` from a pipe.
    fn exec_simple(&mut self, simple: &Simple, stdin: Option<String>) -> Flow {
        self.steps += 1;
        if self.now != self.clock_mark.1 {
            self.clock_mark = (self.steps, self.now);
        }
        if self.out_of_budget() {
            return Flow::Stop;
        }
        if let Err(limit) = super::budget::variables(self.vars.values()) {
            self.exceed(limit);
        }
        if let Some(code) = self.abort {
            return Flow::Exit(code);
        }
        let argv: Vec<String> = match &simple.compound {
            Some(_) => Vec::new(),
            None => simple
                .words
                .iter()
                .zip(&simple.expansions)
                .flat_map(|(text, pieces)| self.expand(text, pieces.as_deref()))
                .collect(),
        };
        if let Some(code) = self.abort {
            return Flow::Exit(code);
        }
        let mut stdin = simple.heredoc.clone().or(stdin);
        if stdin.is_none() && simple.compound.is_none() {
            stdin = self.input.take();
        }
        if let Some(path) = &simple.stdin_from {
            match self.fs.read(path) {
                Ok(text) => stdin = Some(text.to_string()),
                // The shell opens it; the program reading it fails (not modelled).
                Err(FsError::IsDir) => stdin = Some(String::new()),
                Err(e) => {
                    let missing = e == FsError::NotFound;
                    let (message, code) = match self.dialect() {
                        Dialect::Bash => (format!("{}: {path}: {}", self.name, e.message()), 1),
                        Dialect::Dash => {
                            let why = if missing { "No such file" } else { e.message() };
                            (
                                format!("{}: cannot open {path}: {why}", self.dash_name()),
                                2,
                            )
                        }
                        Dialect::Ash => {
                            let why = if missing { "no such file" } else { e.message() };
                            (format!("{}: can't open {path}: {why}", self.name), 1)
                        }
                    };
                    self.emit(message, true);
                    self.last = code;
                    return Flow::Next;
                }
            }
        }
        let redirect = Redirect::of(&simple.outputs, |text, pieces| self.expand(text, pieces));
        if let Some((path, _)) = &redirect.to_file {
            if let Err(e) = self.can_create(path) {
                self.emit(e, true);
                self.last = if self.dialect() == Dialect::Dash {
                    2
                } else {
                    1
                };
                return Flow::Next;
            }
        }
        let before = self.lines.len();
        self.stdin = stdin;
        let flow = match &simple.compound {
            Some(compound) => self.exec_compound(compound),
            None => self.exec_argv(&argv),
        };
        self.stdin = None;
        let captured = redirect.apply(&mut self.lines, before);
        if let Some((path, append)) = &redirect.to_file {
            self.write_file(path, captured, *append);
        }
        flow
    }

    fn exec_compound(&mut self, compound: &Compound) -> Flow {
        match compound {
            Compound::While(w) => loop {
                match self.exec_list(&w.test) {
                    Flow::Next => {}
                    other => return other,
                }
                if (self.last == 0) == w.until {
                    self.last = 0;
                    return Flow::Next;
                }
                self.loops += 1;
                let flow = self.exec_list(&w.body);
                self.loops -= 1;
                match pass(flow) {
                    Pass::Again => {}
                    Pass::Done => return Flow::Next,
                    Pass::Leave(flow) => return flow,
                }
                self.steps += 1;
                if self.out_of_budget() {
                    return Flow::Stop;
                }
            },
            Compound::If(i) => {
                for (test, body) in i.branches.iter() {
                    match self.exec_list(test) {
                        Flow::Next => {}
                        other => return other,
                    }
                    if self.last == 0 {
                        return self.exec_list(body);
                    }
                }
                self.last = 0;
                self.exec_list(&i.otherwise)
            }
            Compound::Case(c) => {
                let word = self.expand_cond(&c.word);
                for item in c.items.iter() {
                    for p in &item.patterns {
                        let p = self.expand_cond(p);
                        if cond::glob(&p, &word) {
                            self.last = 0;
                            return self.exec_list(&item.body);
                        }
                    }
                }
                self.last = 0;
                Flow::Next
            }
            Compound::For(f) => {
                // Unquoted expansions are split into fields (`for i in $(seq 3)`).
                let items = &f.items;
                let mut values: Vec<String> = Vec::new();
                for (text, pieces) in items.words.iter().zip(&items.expansions) {
                    let expanded = self.expand(text, pieces.as_deref());
                    if pieces.is_some() {
                        values.extend(
                            expanded
                                .iter()
                                .flat_map(|e| e.split_whitespace().map(str::to_string)),
                        );
                    } else {
                        values.extend(expanded);
                    }
                }
                for v in values {
                    self.vars.insert(f.name.clone(), v);
                    self.loops += 1;
                    let flow = self.exec_list(&f.body);
                    self.loops -= 1;
                    match pass(flow) {
                        Pass::Again => {}
                        Pass::Done => break,
                        Pass::Leave(flow) => return flow,
                    }
                }
                Flow::Next
            }
            Compound::Cond(c) => {
                self.double_brackets(c);
                Flow::Next
            }
        }
    }

    /// A word of `case` or `[[ ]]`, expanded (one string, not split).
    fn expand_cond(&mut self, word: &CondWord) -> String {
        self.expand(&word.text, word.pieces.as_deref()).join(" ")
    }

    /// `${...}`: a variable, its length, a default, a prefix or suffix removed
    /// ([`crate::sh::param`]).
    fn parameter(&mut self, param: &sh::Param) -> String {
        let word = match param.word() {
            Some(w) => {
                let pieces = sh::word_pieces(w);
                self.expand(w, Some(&pieces)).join(" ")
            }
            None => String::new(),
        };
        let value = match param.name.as_str() {
            "?" => Some(self.last.to_string()),
            name => self.vars.get(name).cloned(),
        };
        let (text, assign) = param.apply(value.as_deref(), &word);
        if let Some(v) = assign {
            self.vars.insert(param.name.clone(), v);
        }
        text
    }

    /// Expands a word's pieces (`$VAR`, `${...}`, `$((...))`, `$(cmd)`, `$?`); the result
    /// is one field (not re-split), none past the string budget.
    fn expand(&mut self, text: &str, pieces: Option<&[Piece]>) -> Vec<String> {
        let Some(pieces) = pieces else {
            return vec![text.to_string()];
        };
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Lit(s) => out.push_str(s),
                Piece::Var { name, .. } if name == "?" => out.push_str(&self.last.to_string()),
                Piece::Var { name, .. } => {
                    out.push_str(self.vars.get(name).map_or("", String::as_str))
                }
                Piece::Param { param, .. } => {
                    let text = self.parameter(param);
                    out.push_str(&text);
                }
                Piece::Arith(expr) => match super::arith::eval(expr, &mut self.vars) {
                    Ok(v) => out.push_str(&v.to_string()),
                    Err(e) => {
                        // The shell prints the error and exits: bash with 1, dash with 2.
                        let (message, code) = match self.dialect() {
                            Dialect::Bash => (format!("{}: {e}", self.name), 1),
                            Dialect::Dash => (format!("{}: {}", self.dash_name(), e.dash()), 2),
                            Dialect::Ash => (format!("{}: {}", self.name, e.dash()), 2),
                        };
                        self.emit(message, true);
                        self.last = code;
                        self.abort.get_or_insert(code);
                    }
                },
                Piece::Subst { command, .. } => {
                    let captured = self.capture(command);
                    out.push_str(captured.trim_end_matches('\n'));
                }
                // No `/dev/fd` in these shells' containers: the name bash would pass.
                Piece::ProcSubst(_) => out.push_str("/dev/fd/63"),
            }
            if super::budget::string(out.len()).is_err() {
                self.exceed(super::budget::Limit::String);
                return Vec::new();
            }
        }
        vec![out]
    }

    /// Stops the run at a limit of the shell budget: its message, then the shell exits
    /// (status 1) before its next command.
    fn exceed(&mut self, limit: super::budget::Limit) {
        if self.abort.is_none() {
            let name = match self.dialect() {
                Dialect::Dash => self.dash_name(),
                _ => self.name.clone(),
            };
            self.emit(limit.message(&name), true);
            self.abort = Some(1);
        }
    }

    /// Runs `$(inner)` and returns its stdout.
    fn capture(&mut self, inner: &str) -> String {
        if self.nested.enter().is_err() {
            self.too_deep("command substitution");
            return String::new();
        }
        let before = self.lines.len();
        if let Ok(commands) = sh::parse_script(inner, self.dialect()) {
            let _ = self.exec_list(&commands);
        }
        self.nested.leave();
        let mut s = self.take_stdout(before);
        if super::budget::string(s.len()).is_err() {
            self.exceed(super::budget::Limit::String);
            s.clear();
        }
        s
    }

    fn exec_argv(&mut self, argv: &[String]) -> Flow {
        let Some((cmd, args)) = argv.split_first() else {
            return Flow::Next;
        };
        if let Some((k, v)) = cmd.split_once('=').filter(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }) {
            self.vars.insert(k.to_string(), v.to_string());
            self.last = 0;
            return Flow::Next;
        }
        let base = cmd.rsplit('/').next().unwrap_or(cmd).to_string();
        self.last = 0;
        if !BUILTINS.contains(&base.as_str()) {
            if let Some(message) = self.host.missing(&base) {
                self.emit(message, true);
                self.last = 127;
                return Flow::Next;
            }
        }
        match base.as_str() {
            "echo" => {
                let (newline, rest) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, args),
                };
                let text = rest.join(" ");
                if newline || !text.is_empty() {
                    self.emit(text, false);
                }
            }
            "true" | ":" => {}
            "printf" => self.printf(args),
            "break" | "continue" => return self.jump(&base, args),
            "test" | "[" => self.test(&base, args),
            "[[" if self.dialect() == Dialect::Ash => self.test("[[", args),
            "false" => self.last = 1,
            "exit" => {
                let code = args.first().and_then(|a| a.parse::<i32>().ok());
                return Flow::Exit(code.unwrap_or(self.last) & 0xff);
            }
            "sleep" => {
                // The sum of the arguments (coreutils; busybox as well); past the run's
                // limit (`infinity`, `1e300`) the process sleeps until it is stopped.
                let mut total = SimDuration::default();
                if args.is_empty() {
                    self.emit("sleep: missing operand".to_string(), true);
                    self.last = 1;
                }
                for arg in args {
                    match SimDuration::parse_interval(arg) {
                        Some(d) => total = total.saturating_add(d),
                        None => {
                            self.emit(format!("sleep: invalid number '{arg}'"), true);
                            self.last = 1;
                            total = SimDuration::default();
                            break;
                        }
                    }
                }
                self.now = self.now.saturating_add(total.0);
                if self.now > self.limit {
                    return Flow::Stop;
                }
            }
            "timeout" => return self.timeout(args),
            "sudo" if self.host.sudo() => return self.sudo(args),
            "tail" if args.iter().any(|a| a == "-f" || a == "-F") => return Flow::Stop,
            // Programs that compute until killed: one core each.
            _ if burns_cpu(&base, args) => {
                self.busy = Some(spinning(self.now));
                return Flow::Stop;
            }
            "date" => {
                let ms = self.start_ms + self.now;
                // `date +%s`, `date +%H:%M`: the clock is UTC in containers and on hosts.
                let s = match args.iter().find_map(|a| a.strip_prefix('+')) {
                    Some(format) => date_format(ms, format),
                    None => self.host.date(ms),
                };
                self.emit(s, false);
            }
            "env" | "printenv" => match args.first() {
                Some(name) => match self.vars.get(name).cloned() {
                    Some(v) => self.emit(v, false),
                    None => self.last = 1,
                },
                None => {
                    let all = super::env_lines(&self.vars);
                    if !all.is_empty() {
                        self.emit(all.join("\n"), false);
                    }
                }
            },
            "cat" if args.is_empty() => {
                if let Some(text) = self.stdin.take().filter(|t| !t.is_empty()) {
                    let t = text.strip_suffix('\n').unwrap_or(&text).to_string();
                    self.emit(t, false);
                }
            }
            "cat" => {
                for path in args {
                    match self.fs.read(path) {
                        Ok("") => {}
                        Ok(text) => {
                            let t = text.strip_suffix('\n').unwrap_or(text).to_string();
                            self.emit(t, false);
                        }
                        Err(e) => {
                            let busybox = self.host.busybox();
                            let text = match e {
                                FsError::IsDir if busybox => {
                                    "cat: read error: Is a directory".into()
                                }
                                _ if busybox => {
                                    format!("cat: can't open '{path}': {}", e.message())
                                }
                                _ => format!("cat: {path}: {}", e.message()),
                            };
                            self.emit(text, true);
                            self.last = 1;
                        }
                    }
                }
            }
            "ls" => self.ls(args),
            "touch" | "mkdir" | "rmdir" | "rm" | "ln" | "cp" | "mv" | "chmod" | "df" | "mount" => {
                self.file_tool(&base, args)
            }
            "seq" => self.seq(args),
            "grep" | "egrep" | "fgrep" => self.grep(&base, args),
            "sed" => self.sed(args),
            "tee" => self.tee(args),
            p if super::text::PROGRAMS.contains(&p) => self.text_program(p, args),
            "pwd" => self.emit("/".into(), false),
            "cd" => {}
            "export" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        self.vars.insert(k.to_string(), v.to_string());
                    }
                }
            }
            "sh" | "bash" if args.first().map(String::as_str) == Some("-c") => {
                let src = args.get(1).cloned().unwrap_or_default();
                if self.nested.enter().is_err() {
                    self.too_deep(&format!("{base} -c"));
                    return Flow::Next;
                }
                let loops = std::mem::take(&mut self.loops);
                let flow = match sh::parse_script(&src, self.dialect()) {
                    Ok(commands) => self.exec_list(&commands),
                    Err(e) => {
                        let message = e.message(self.dialect(), &base, &src);
                        self.emit(message, true);
                        self.last = 2;
                        Flow::Next
                    }
                };
                self.loops = loops;
                self.nested.leave();
                // A child process: its `exit` (and loops) end only that shell.
                return match flow {
                    Flow::Exit(code) => {
                        self.last = code;
                        Flow::Next
                    }
                    Flow::Break(_) | Flow::Continue(_) => Flow::Next,
                    other => other,
                };
            }
            _ if self.run_tool(argv) => {}
            _ => match self.host.utility(argv) {
                Some(text) => {
                    if !text.is_empty() {
                        self.emit(text.trim_end_matches('\n').to_string(), false);
                    }
                }
                None => {
                    let msg = if self.name == "bash" {
                        format!("bash: {cmd}: command not found")
                    } else {
                        format!("{}: {cmd}: not found", self.name)
                    };
                    self.emit(msg, true);
                    self.last = 127;
                }
            },
        }
        Flow::Next
    }
}

/// Whether `program args` computes forever: `yes`, a checksum of `/dev/zero`, `dd` from it.
fn burns_cpu(program: &str, args: &[String]) -> bool {
    let zero = |a: &String| a == "/dev/zero" || a == "if=/dev/zero";
    match program {
        "yes" => true,
        "sha256sum" | "sha1sum" | "sha512sum" | "md5sum" | "cksum" => args.iter().any(zero),
        "dd" => args.iter().any(zero) && !args.iter().any(|a| a.starts_with("count=")),
        _ => false,
    }
}

impl Shell<'_> {
    /// `grep` over the container's files, by the image's grep (busybox's or GNU's).
    fn grep(&mut self, program: &str, args: &[String]) {
        let fs = &self.fs;
        let read = |path: &str| match fs.read(path) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(e.message()),
        };
        let stdin = self.stdin.take();
        let out = super::grep::run(program, args, stdin.as_deref(), &read, self.host.busybox());
        for (stream, text) in out.chunks {
            let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
            self.emit(text, stream == crate::output::Stream::Stderr);
        }
        self.last = out.exit_code;
    }

    /// `head`, `wc`, `sort`... over stdin or the container's files (GNU's texts).
    fn text_program(&mut self, program: &str, args: &[String]) {
        let fs = &self.fs;
        let read = |path: &str| match fs.read(path) {
            Ok(text) => Ok(text.to_string()),
            Err(FsError::IsDir) => Err(super::text::IS_DIR),
            Err(e) => Err(e.message()),
        };
        let stdin = self.stdin.take();
        let Some(out) = super::text::run(program, args, stdin.as_deref(), &read) else {
            return;
        };
        self.emit_output(out);
    }

    /// `sed` (`super::sed`) over the run's files: `-i` rewrites them.
    fn sed(&mut self, args: &[String]) {
        struct RunFiles<'s, 'a>(&'s mut Shell<'a>);
        impl super::sed::Files for RunFiles<'_, '_> {
            fn read(&self, path: &str) -> Option<String> {
                self.0.fs.read(path).ok().map(str::to_string)
            }
            fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
                self.0.write_file(path, text.to_string(), false);
                Ok(())
            }
        }
        let stdin = self.stdin.take();
        self.last = 0;
        let out = super::sed::run(args, stdin.as_deref(), &mut RunFiles(self));
        // A write the disk refused has set the status already.
        let write_failed = self.last;
        self.emit_output(out);
        self.last = self.last.max(write_failed);
    }

    /// `tee [-a] FILE...`: what it reads goes to each file and to its output.
    fn tee(&mut self, args: &[String]) {
        let append = args.iter().any(|a| a == "-a" || a == "--append");
        let text = self.stdin.take().unwrap_or_default();
        for path in args.iter().filter(|a| !a.starts_with('-')) {
            self.write_file(path, text.clone(), append);
        }
        if !text.is_empty() {
            let shown = text.strip_suffix('\n').unwrap_or(&text).to_string();
            self.emit(shown, false);
        }
    }

    /// Prints a program's output chunks and takes its exit status.
    fn emit_output(&mut self, out: crate::output::Output) {
        // Each chunk is whole lines but for `head -c`/`tr`: a last partial line still prints.
        for (stream, text) in out.chunks.into_iter().filter(|(_, t)| !t.is_empty()) {
            let stderr = stream == crate::output::Stream::Stderr;
            let text = text.strip_suffix('\n').unwrap_or(&text);
            // Containers run in the C locale, where coreutils quotes with ASCII.
            let text = if stderr {
                text.replace(['\u{2018}', '\u{2019}'], "'")
            } else {
                text.to_string()
            };
            self.emit(text, stderr);
        }
        self.last = out.exit_code;
    }

    /// `break [N]` / `continue [N]`, with each shell's complaints: dash and ash ignore them
    /// outside loops and exit on a bad N; bash says so and goes on (or exits: not a number).
    fn jump(&mut self, program: &str, args: &[String]) -> Flow {
        let n = match args.first() {
            None => Some(1),
            Some(a) => a.parse::<i64>().ok(),
        };
        let arg = args.first().map_or("", String::as_str);
        if self.loops == 0 && self.dialect() == Dialect::Bash {
            self.emit(
                format!(
                    "{}: {program}: only meaningful in a `for', `while', or `until' loop",
                    self.name
                ),
                true,
            );
            return Flow::Next;
        }
        match (self.dialect(), n) {
            (Dialect::Bash, None) => {
                self.emit(
                    format!("{}: {program}: {arg}: numeric argument required", self.name),
                    true,
                );
                return Flow::Exit(128);
            }
            (Dialect::Bash, Some(n)) if n <= 0 => {
                self.emit(
                    format!("{}: {program}: {arg}: loop count out of range", self.name),
                    true,
                );
                self.last = 1;
                return match self.loops {
                    0 => Flow::Next,
                    all => Flow::Break(all),
                };
            }
            (Dialect::Dash | Dialect::Ash, n) if n.is_none_or(|n| n <= 0) => {
                let prefix = match self.dialect() {
                    Dialect::Dash => self.dash_name(),
                    _ => self.name.clone(),
                };
                self.emit(format!("{prefix}: {program}: Illegal number: {arg}"), true);
                return Flow::Exit(2);
            }
            _ => {}
        }
        if self.loops == 0 {
            return Flow::Next;
        }
        let n = usize::try_from(n.unwrap_or(1))
            .unwrap_or(usize::MAX)
            .min(self.loops);
        if program == "break" {
            Flow::Break(n)
        } else {
            Flow::Continue(n)
        }
    }

    /// The `printf` builtin (bash's formats, which dash and ash share but for errors).
    fn printf(&mut self, args: &[String]) {
        let Some((format, values)) = args.split_first() else {
            let usage = match self.dialect() {
                Dialect::Dash => format!("{}: printf: usage: printf format [arg ...]", self.dash_name()),
                // bash's usage lines carry no prefix.
                Dialect::Bash => "printf: usage: printf [-v var] format [arguments]".into(),
                Dialect::Ash => "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: printf FORMAT [ARG]...\n\nFormat and print ARG(s) according to FORMAT (a-la C printf)".into(),
            };
            self.emit(usage, true);
            self.last = if self.dialect() == Dialect::Ash { 1 } else { 2 };
            return;
        };
        let printed = super::printf::format(format, values);
        if printed.exceeded {
            self.exceed(super::budget::Limit::Output);
        }
        if !printed.text.is_empty() {
            let text = printed.text.strip_suffix('\n').unwrap_or(&printed.text);
            self.emit(text.to_string(), false);
        }
        let prefix = match self.dialect() {
            Dialect::Dash => self.dash_name(),
            _ => self.name.clone(),
        };
        for e in &printed.errors {
            let e = match (self.dialect(), e.strip_suffix(": invalid number")) {
                // dash's words for a number it cannot read (all of it, or from its start).
                (Dialect::Dash, Some(arg)) => {
                    let value = arg.trim_start_matches("printf: ");
                    let digits = value.trim_start_matches(['+', '-']);
                    if digits.starts_with(|c: char| c.is_ascii_digit()) {
                        format!("{arg}: not completely converted")
                    } else {
                        format!("{arg}: expected numeric value")
                    }
                }
                _ => e.clone(),
            };
            self.emit(format!("{prefix}: {e}"), true);
        }
        self.last = i32::from(!printed.errors.is_empty());
    }

    /// The shell's rules and texts: bash, busybox ash (`sh` in busybox images) or dash.
    fn dialect(&self) -> Dialect {
        if self.name.starts_with("bash") {
            Dialect::Bash
        } else if self.host.busybox() {
            Dialect::Ash
        } else {
            Dialect::Dash
        }
    }

    /// Refuses a shell nested past [`bounds::SUBSHELL`] (`what`: `sh -c`, `command
    /// substitution`); Kubeplay's words, as real shells fork until the node runs out.
    fn too_deep(&mut self, what: &str) {
        let max = bounds::SUBSHELL;
        self.emit(
            format!(
                "{}: {what}: nested too deeply (Kubeplay runs shells at most {max} deep)",
                self.name
            ),
            true,
        );
        self.last = 2;
    }

    /// The run has used up its steps, bytes or time.
    fn out_of_budget(&self) -> bool {
        self.steps > STEP_BUDGET || self.bytes > BYTE_BUDGET || self.now > self.limit
    }

    /// Whether `> path` may create the file: its directory must exist, it must not be one and
    /// its filesystem must be writable. `Err` is the shell's message.
    fn can_create(&self, path: &str) -> Result<(), String> {
        let key = super::fs::normalise(path);
        let parent = key.rsplit_once('/').map_or("/", |(p, _)| p);
        let parent = if parent.is_empty() { "/" } else { parent };
        let problem = if self.fs.is_dir(&key) {
            Some(("Is a directory", "Is a directory", "Is a directory"))
        } else if !self.fs.is_dir(parent) {
            Some((
                "nonexistent directory",
                "No such file or directory",
                "Directory nonexistent",
            ))
        } else if self.fs.read_only(&key) {
            let m = "Read-only file system";
            Some((m, m, m))
        } else {
            None
        };
        let Some((ash, bash, dash)) = problem else {
            return Ok(());
        };
        Err(match self.dialect() {
            Dialect::Bash => format!("{}: {path}: {bash}", self.name),
            Dialect::Ash => format!("{}: can't create {path}: {ash}", self.name),
            Dialect::Dash => format!("{}: cannot create {path}: {dash}", self.dash_name()),
        })
    }

    /// dash's name in its messages: `sh: 1`.
    fn dash_name(&self) -> String {
        if self.name.ends_with(": 1") {
            self.name.clone()
        } else {
            format!("{}: 1", self.name)
        }
    }

    /// Makes a change in the run's view and records it; `Err` as the filesystem refused it.
    fn change(&mut self, op: Op) -> Result<(), crate::storage::FsError> {
        let now = self.start_ms.saturating_add(self.now);
        self.fs.apply(&op, now)?;
        if self.ops.len() < MAX_OPS {
            self.ops.push((self.now, op));
        }
        Ok(())
    }

    /// Writes (or appends) `text` to `path`, within `fs::FILE_LIMIT` and the disk's size.
    fn write_file(&mut self, path: &str, text: String, append: bool) {
        self.bytes = self.bytes.saturating_add(text.len());
        let op = Op::Write {
            path: path.to_string(),
            data: text,
            append,
        };
        if self.change(op).is_err() {
            let name = self.name.clone();
            self.emit(
                format!("{name}: write error: No space left on device"),
                true,
            );
            self.last = 1;
        }
    }

    /// What a path in the container is, for `-f`, `-d`, `-e`, `-s`.
    fn file_kind(&self, path: &str) -> Option<FileKind> {
        match self.fs.stat(path).ok()? {
            Entry::File { data, .. } => Some(FileKind::File(data.len())),
            Entry::Dir { .. } => Some(FileKind::Dir),
            Entry::Link { .. } => None,
        }
    }

    /// Prints a builtin's error as the shell does: `bash: `, busybox `sh: `, dash `sh: 1: `.
    fn builtin_error(&mut self, message: &str) {
        let prefix = match self.dialect() {
            Dialect::Dash if !self.name.ends_with(": 1") => format!("{}: 1", self.name),
            _ => self.name.clone(),
        };
        self.emit(format!("{prefix}: {message}"), true);
    }

    /// `test ARGS` / `[ ARGS ]` (and busybox's `[[ ARGS ]]`).
    fn test(&mut self, name: &str, args: &[String]) {
        let files = |p: &str| self.file_kind(p);
        let (status, message) = cond::test(name, args, self.dialect(), &files);
        if let Some(m) = message {
            self.builtin_error(&m);
        }
        self.last = status;
    }

    /// bash's `[[ EXPRESSION ]]`: its words expanded (unquoted ones as patterns).
    fn double_brackets(&mut self, c: &sh::Cond<CondWord>) {
        let expanded = c.try_map(&mut |w| {
            Some(cond::Operand {
                text: self.expand_cond(w),
                pattern: !w.quoted,
            })
        });
        let (status, message) = match expanded {
            Some(c) => {
                let mut vars = std::mem::take(&mut self.vars);
                let files = |p: &str| self.file_kind(p);
                let result = cond::eval_cond(&c, &mut vars, &files);
                self.vars = vars;
                result
            }
            None => (1, None),
        };
        if let Some(m) = message {
            self.builtin_error(&m);
        }
        self.last = status;
    }

    /// `seq [-s SEP] [FIRST [INCREMENT]] LAST`, integers (coreutils and busybox agree).
    fn seq(&mut self, args: &[String]) {
        let mut sep = "\n".to_string();
        let mut nums = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a == "-s" {
                sep = it.next().cloned().unwrap_or_default();
            } else if let Ok(n) = a.parse::<i64>() {
                nums.push(n);
            } else {
                self.emit(format!("seq: invalid floating point argument: '{a}'"), true);
                self.last = 1;
                return;
            }
        }
        let (first, step, last) = match nums.as_slice() {
            [l] => (1, 1, *l),
            [f, l] => (*f, 1, *l),
            [f, s, l] => (*f, *s, *l),
            _ => {
                self.emit("seq: missing operand".into(), true);
                self.last = 1;
                return;
            }
        };
        if step == 0 {
            self.emit("seq: invalid Zero increment value: '0'".into(), true);
            self.last = 1;
            return;
        }
        let mut values = Vec::new();
        let mut v = first;
        while ((step > 0 && v <= last) || (step < 0 && v >= last)) && values.len() < SEQ_LIMIT {
            values.push(v.to_string());
            match v.checked_add(step) {
                Some(n) => v = n,
                None => break,
            }
        }
        if !values.is_empty() {
            self.emit(values.join(&sep), false);
        }
    }

    /// Runs `argv` as one of the caller's tools, if it is one; false otherwise.
    /// `sudo [-E] [-H] [-n] [-u root] COMMAND…` as root: the command itself; `sudo -i` and
    /// `sudo -s` without a command would open a shell, which a script cannot type into.
    fn sudo(&mut self, args: &[String]) -> Flow {
        let mut rest = args;
        while let Some((first, tail)) = rest.split_first() {
            match first.as_str() {
                "-E" | "-H" | "-n" | "-S" | "--" => rest = tail,
                "-u" => rest = tail.get(1..).unwrap_or_default(),
                "-i" | "-s" if tail.is_empty() => {
                    self.emit("kubeplay: an interactive root shell is not simulated; run the command: sudo COMMAND (you are root already)".into(), true);
                    self.last = 1;
                    return Flow::Next;
                }
                "-i" | "-s" => rest = tail,
                _ => break,
            }
        }
        if rest.is_empty() {
            self.emit("usage: sudo -h | -K | -k | -V\nusage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]\nusage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user]\n            [-u user] [command [arg ...]]\nusage: sudo [-ABbEHkNnPS] [-r role] [-t type] [-C num] [-D directory]\n            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]\n            [-u user] [VAR=value] [-i | -s] [command [arg ...]]\nusage: sudo -e [-ABkNnS] [-r role] [-t type] [-C num] [-D directory]\n            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]\n            [-u user] file ...".into(), true);
            self.last = 1;
            return Flow::Next;
        }
        self.exec_argv(rest)
    }

    fn run_tool(&mut self, argv: &[String]) -> bool {
        let now = self.start_ms + self.now;
        let Some(run) = self.tools.as_mut().and_then(|t| t.run(argv, now)) else {
            return false;
        };
        self.now = self.now.saturating_add(run.elapsed_ms.max(0));
        for (text, stderr) in run.lines {
            self.lines.push(Line {
                at: self.now,
                text,
                stderr,
            });
        }
        self.last = run.code;
        for (path, text) in run.files {
            self.write_file(&path, text, false);
        }
        true
    }
}

/// `date +FORMAT` at epoch ms, in UTC; a format strftime cannot render prints as written
/// (never a panic).
fn date_format(ms: i64, format: &str) -> String {
    let ts = k8s_openapi::jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(k8s_openapi::jiff::Timestamp::UNIX_EPOCH);
    k8s_openapi::jiff::fmt::strtime::format(format, ts).unwrap_or_else(|_| format.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoHost(Arc<Tree>);
    impl Host for NoHost {
        fn root(&self) -> &Arc<Tree> {
            &self.0
        }
        fn mounts(&self) -> &[Mount] {
            &[]
        }
        fn date(&self, ms: i64) -> String {
            format!("T{ms}")
        }
        fn utility(&self, _: &[String]) -> Option<String> {
            None
        }
    }

    fn run(src: &str, limit: i64) -> Run {
        let mut vars = BTreeMap::new();
        vars.insert("NAME".to_string(), "kube".to_string());
        Shell::new(&NoHost(Arc::default()), "sh", vars, 0, limit).run_script(src)
    }

    fn run_as(src: &str, name: &str) -> Run {
        Shell::new(&NoHost(Arc::default()), name, BTreeMap::new(), 0, 30_000).run_script(src)
    }

    fn texts(r: &Run) -> Vec<String> {
        r.lines.iter().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn a_loop_that_never_sleeps_is_cpu_bound() {
        let forever = 400 * 86_400_000;
        let busy = |src: &str| run(src, forever).busy.map(|b| (b.at, b.cpu_milli));
        assert_eq!(busy("while true; do :; done"), Some((0, 1_000)));
        assert_eq!(
            busy("sleep 10; while :; do true; done"),
            Some((10_000, 1_000))
        );
        assert_eq!(busy("yes > /dev/null"), Some((0, 1_000)));
        assert_eq!(busy("sleep 2; sha256sum /dev/zero"), Some((2_000, 1_000)));
        assert_eq!(busy("dd if=/dev/zero of=/dev/null"), Some((0, 1_000)));
        // A loop that sleeps spends its steps too, but its clock moves: idle.
        assert_eq!(busy("while true; do date; sleep 5; done"), None);
        assert_eq!(busy("sleep infinity"), None);
        assert_eq!(busy("echo done"), None);
    }

    #[test]
    fn shells_inside_shells_are_bounded() {
        let r = run(
            r#"X='sh -c "$X"'; export X; sh -c "$X"; echo after $?"#,
            30_000,
        );
        let t = texts(&r);
        assert_eq!(
            t,
            [
                "sh: sh -c: nested too deeply (Kubeplay runs shells at most 8 deep)",
                "after 2"
            ],
            "{t:?}"
        );
        let deep = "echo $(".repeat(2000) + "echo x" + &")".repeat(2000);
        let start = std::time::Instant::now();
        let t = texts(&run(&deep, 30_000));
        assert!(start.elapsed().as_millis() < 2000, "{:?}", start.elapsed());
        assert!(
            t.iter()
                .any(|l| l.contains("command substitution: nested too deeply")),
            "{t:?}"
        );
        assert_eq!(texts(&run("echo $(echo $(echo ok))", 30_000)), ["ok"]);
    }

    proptest::proptest! {
        #[test]
        fn any_script_runs_without_panic(src in "[a-z0-9 ;&|$(){}'\"\\#=\n\\[\\]*?!-]{0,60}") {
            let _ = run(&src, 30_000);
            let _ = run_as(&src, "bash");
        }

        #[test]
        fn script_words_run_without_panic(words in proptest::collection::vec(proptest::sample::select(&[
            "while", "until", "for", "in", "do", "done", "true", "false", "echo", "$(date)", "${NAME}",
            "sleep", "1", "exit", ";", "&&", "||", "\n", "'", "\"", "$", "cat", "/etc/hosts", "x=1", "$x",
            "if", "then", "elif", "else", "fi", "case", "esac", ";;", "(", ")", "a|b)", "*)", "[", "]",
            "[[", "]]", "test", "-f", "-lt", "==", "=~", "!", "-o",
        ][..]), 0..14)) {
            let _ = run(&words.join(" "), 30_000);
        }
    }

    #[test]
    fn date_takes_a_format() {
        let r = run(
            "sleep 2; date +%s; echo $(date +%s): x; date +%H:%M; date +%Q%",
            10_000,
        );
        assert_eq!(texts(&r), ["2", "2: x", "00:00", "%Q%"]);
    }

    #[test]
    fn loops_sleep_and_exit() {
        let r = run("for i in 1 2 3; do echo $i; sleep 1; done; exit 3", 100_000);
        assert_eq!(texts(&r), ["1", "2", "3"]);
        assert_eq!(r.end, End::Exit { at: 3000, code: 3 });
        let r = run("while true; do echo \"hi $NAME\"; sleep 5; done", 12_000);
        assert_eq!(texts(&r), ["hi kube", "hi kube", "hi kube"]);
        assert_eq!(r.end, End::Running);
        let r = run("echo $(date) 'x$NAME'; nope && echo no || echo yes", 0);
        assert_eq!(texts(&r), ["T0 x$NAME", "sh: nope: not found", "yes"]);
        assert_eq!(r.end, End::Exit { at: 0, code: 0 });
        assert_eq!(run("while true; do :; done", 10).end, End::Running);
        assert_eq!(run("for i in; do", 10).end, End::Exit { at: 0, code: 2 });
    }

    #[test]
    fn if_case_and_tests() {
        let r = run(
            "for i in 1 2 3; do if [ $i -eq 1 ]; then echo one; elif test $i = 2; then echo two; else echo many; fi; done",
            0,
        );
        assert_eq!(texts(&r), ["one", "two", "many"]);
        let r = run(
            "case web-1 in (db*) echo db;; w*|x) echo web;; esac; case z in y) ;; esac",
            0,
        );
        assert_eq!(texts(&r), ["web"]);
        assert_eq!(r.end, End::Exit { at: 0, code: 0 });
        // dash (not a busybox host): its texts, and no `[[`.
        let r = run("[ x -gt 1 ]", 0);
        assert_eq!(texts(&r), ["sh: 1: [: Illegal number: x"]);
        assert_eq!(r.end, End::Exit { at: 0, code: 2 });
        assert_eq!(texts(&run("[[ 1 -lt 2 ]]", 0)), ["sh: [[: not found"]);
        assert_eq!(
            texts(&run("if true; then fi", 0)),
            ["sh: 1: Syntax error: \"fi\" unexpected"]
        );
        assert_eq!(
            texts(&run("if true; echo x; fi", 0)),
            ["sh: 1: Syntax error: \"fi\" unexpected (expecting \"then\")"]
        );
        assert_eq!(
            texts(&run("if true; then echo x", 0)),
            ["sh: 1: Syntax error: end of file unexpected (expecting \"fi\")"]
        );
        let r = run_as(
            "[[ ab == a* && ( 2 -gt 1 || x ) ]] && echo yes; if then",
            "bash",
        );
        assert_eq!(
            texts(&r),
            [
                "bash: -c: line 1: syntax error near unexpected token `then'",
                "bash: -c: line 1: `[[ ab == a* && ( 2 -gt 1 || x ) ]] && echo yes; if then'"
            ]
        );
        let r = run_as("[[ ab == a* && ( 2 -gt 1 || x ) ]] && echo yes", "bash");
        assert_eq!(texts(&r), ["yes"]);
        let deep = "if true; then ".repeat(40) + &"fi; ".repeat(40);
        assert_eq!(run(&deep, 0).end, End::Exit { at: 0, code: 2 });
    }

    #[test]
    fn pipes_heredocs_and_redirections_from_the_shared_grammar() {
        let r = run("echo web-1 | grep web; echo db | grep -c web", 0);
        assert_eq!(texts(&r), ["web-1", "0"]);
        let r = run("cat <<EOF\nline one\nEOF\necho after", 0);
        assert_eq!(texts(&r), ["line one", "after"]);
        let r = run(
            "nope 2>/dev/null; echo $?; nope 2>&1 >/dev/null; echo x >/dev/null",
            0,
        );
        assert_eq!(texts(&r), ["127"]);
        let r = run(
            "F=/dev/null; for i in 1 2; do echo $i; done > $F; echo ok",
            0,
        );
        assert_eq!(texts(&r), ["ok"]);
        let r = run_as(
            "[[ web == \"w*\" ]] || echo quoted; [[ web == w* ]] && echo glob",
            "bash",
        );
        assert_eq!(texts(&r), ["quoted", "glob"]);
        let r = run("cat < /nope; echo $?", 0);
        assert_eq!(texts(&r), ["sh: 1: cannot open /nope: No such file", "2"]);
        assert_eq!(
            texts(&run_as("cat < /nope", "bash")),
            ["bash: /nope: No such file or directory"]
        );
        assert_eq!(
            texts(&run("for 1x in a; do echo; done", 0)),
            ["sh: 1: Syntax error: Bad for loop variable"]
        );
    }
}
