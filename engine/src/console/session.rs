//! The shell's own state and the builtins that show or change it, with bash's texts:
//! variables (`export`, `unset`, `env`, `printenv`), `printf [-v VAR]`, `history` (Ubuntu's
//! `HISTCONTROL=ignoreboth`, `HISTSIZE=1000`), `type`, `which` and `complete` (accepted:
//! Tab completion is built in).

use std::collections::VecDeque;

use super::is_assignment;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::sh::is_name;

/// The environment a login shell starts with on the course's machines.
pub(crate) const BASE_ENV: &[(&str, &str)] = &[
    ("HOME", "/root"),
    ("LANG", "C.UTF-8"),
    ("LOGNAME", "root"),
    (
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    ("PWD", "/root"),
    ("SHELL", "/bin/bash"),
    ("SHLVL", "1"),
    ("TERM", "xterm-256color"),
    ("USER", "root"),
];

/// bash's builtins the console has (`type` says "a shell builtin").
pub(crate) const BUILTINS: &[&str] = &[
    ".", ":", "[", "alias", "break", "complete", "continue", "echo", "export", "false", "help",
    "history", "printf", "pwd", "source", "test", "true", "type", "unalias", "unset",
];

/// bash's reserved words (`type` says "a shell keyword").
const KEYWORDS: &[&str] = &[
    "!", "[[", "]]", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then",
    "until", "while", "{", "}",
];

/// Programs on the learner's machine, each in `/usr/bin` (`minikube` in `/usr/local/bin`).
pub(crate) const PROGRAMS: &[&str] = &[
    "ab", "awk", "base64", "cat", "clear", "curl", "cut", "edit", "egrep", "env", "fgrep", "grep",
    "head", "hostname", "kubectl", "ls", "minikube", "mkdir", "nano", "nc", "nslookup", "ping",
    "printenv", "rm", "sed", "seq", "sleep", "sort", "ssh", "tail", "tee", "timeout", "touch",
    "tr", "uniq", "vi", "vim", "watch", "wc", "wget", "which",
];

/// How many entries `history` keeps (Ubuntu's `.bashrc`: `HISTSIZE=1000`).
const HISTSIZE: usize = 1000;

/// The entries typed, numbered from 1 as bash numbers them.
#[derive(Clone, Debug, Default)]
pub(crate) struct History {
    entries: VecDeque<String>,
    /// Entries dropped from the front (the first kept is number `dropped + 1`).
    dropped: usize,
}

impl History {
    /// Records a typed entry as bash does with `HISTCONTROL=ignoreboth`: not when it starts
    /// with a blank or repeats the last one. A multi-line entry is kept on one line.
    pub(crate) fn record(&mut self, entry: &str) {
        if entry.trim().is_empty() || entry.starts_with([' ', '\t']) {
            return;
        }
        let line = one_line(entry);
        if self.entries.back() == Some(&line) {
            return;
        }
        self.entries.push_back(line);
        if self.entries.len() > HISTSIZE {
            self.entries.pop_front();
            self.dropped += 1;
        }
    }

    /// History expansion of `!!` (the last entry) outside single quotes, as bash does it
    /// before parsing: `None` when there is none, else the new line or bash's complaint.
    pub(crate) fn expand_bang(&self, line: &str) -> Option<Result<String, String>> {
        let mut out = String::with_capacity(line.len());
        let mut chars = line.chars().peekable();
        let (mut single, mut found) = (false, false);
        while let Some(c) = chars.next() {
            match c {
                '\\' if !single => {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                    continue;
                }
                '\'' => single = !single,
                '!' if !single && chars.peek() == Some(&'!') => {
                    chars.next();
                    let Some(last) = self.entries.back() else {
                        return Some(Err("bash: !!: event not found".into()));
                    };
                    out.push_str(last);
                    found = true;
                    continue;
                }
                _ => {}
            }
            out.push(c);
        }
        found.then_some(Ok(out))
    }
}

/// A multi-line entry as bash's `cmdhist` saves it: lines joined by `; `, or by a space
/// after a word or operator that opens a list (`do`, `then`, `|`, ...); a heredoc keeps its
/// newlines.
fn one_line(entry: &str) -> String {
    if entry.lines().any(|l| super::heredoc_delimiter(l).is_some()) {
        return entry.to_string();
    }
    let mut out = String::new();
    for line in entry.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            let last = out.split_whitespace().last().unwrap_or("");
            let open =
                ["do", "then", "else", "in", "{"].contains(&last) || out.ends_with(['|', '&', ';']);
            out.push_str(if open { " " } else { "; " });
        }
        out.push_str(line);
    }
    out
}

/// Runs one of the builtins of this module, or `None` if `program` is not one.
pub(super) fn run(
    cluster: &mut Cluster,
    program: &str,
    args: &[String],
    stdin: Option<&str>,
) -> Option<Output> {
    Some(match program {
        "export" => export(cluster, args),
        "unset" => unset(cluster, args),
        "env" => env(cluster, args, stdin),
        "printenv" => printenv(cluster, args),
        "printf" => printf(cluster, args),
        "history" => history(cluster, args),
        "type" => type_(cluster, args),
        "which" => which(cluster, args),
        "complete" => Output::default(),
        ":" => Output::default(),
        _ => return None,
    })
}

fn fail(message: String, code: i32) -> Output {
    let mut o = Output::failure(message);
    o.exit_code = code;
    o
}

/// Sets `NAME=value` (or marks `NAME`) exported.
fn assign(cluster: &mut Cluster, word: &str, builtin: &str, o: &mut Output) {
    let (name, value) = match word.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (word, None),
    };
    if !is_name(name) {
        o.err(format!("bash: {builtin}: `{word}': not a valid identifier"));
        o.exit_code = 1;
        return;
    }
    if let Some(v) = value {
        cluster.console.env.insert(name.to_string(), v.to_string());
    }
    cluster.console.exported.insert(name.to_string());
}

/// `export [-n] [-p] [NAME[=value]]...`; without names, `declare -x` lines.
fn export(cluster: &mut Cluster, args: &[String]) -> Output {
    let mut o = Output::default();
    let mut unexport = false;
    let mut names = Vec::new();
    for a in args {
        match a.as_str() {
            "-p" => {}
            "-n" => unexport = true,
            "-f" | "--" => {}
            f if f.starts_with('-') && !is_assignment(f) => {
                return fail(
                    format!(
                        "bash: export: {}: invalid option\nexport: usage: export [-fn] [name[=value] ...] or export -p",
                        &f[..2.min(f.len())]
                    ),
                    2,
                )
            }
            _ => names.push(a),
        }
    }
    if names.is_empty() {
        let console = &cluster.console;
        let lines: Vec<String> = console
            .exported
            .iter()
            .map(|n| match console.env.get(n) {
                Some(v) => format!("declare -x {n}=\"{}\"", escape_double(v)),
                None => format!("declare -x {n}"),
            })
            .collect();
        if !lines.is_empty() {
            o.out(lines.join("\n"));
        }
        return o;
    }
    for n in names {
        if unexport {
            cluster
                .console
                .exported
                .remove(n.split('=').next().unwrap_or(n));
        } else {
            assign(cluster, n, "export", &mut o);
        }
    }
    o
}

/// A value inside `declare -x NAME="..."`.
fn escape_double(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `unset [-v|-f] NAME...`.
fn unset(cluster: &mut Cluster, args: &[String]) -> Output {
    let mut o = Output::default();
    for a in args
        .iter()
        .filter(|a| !matches!(a.as_str(), "-v" | "-f" | "--"))
    {
        if !is_name(a) {
            o.err(format!("bash: unset: `{a}': not a valid identifier"));
            o.exit_code = 1;
            continue;
        }
        cluster.console.env.remove(a.as_str());
        cluster.console.exported.remove(a.as_str());
    }
    o
}

/// The exported variables as `env` prints them.
fn environment(cluster: &Cluster) -> Vec<String> {
    let console = &cluster.console;
    console
        .exported
        .iter()
        .filter_map(|n| console.env.get(n).map(|v| format!("{n}={v}")))
        .collect()
}

/// `env [NAME=value]... [COMMAND [ARG]...]`.
fn env(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    if let Some(bad) = args.first().filter(|a| a.starts_with('-') && *a != "-") {
        if bad != "-i" && bad != "--" {
            return fail(
                format!(
                    "env: invalid option -- '{}'\nTry 'env --help' for more information.",
                    bad.chars().nth(1).unwrap_or('-')
                ),
                125,
            );
        }
    }
    let args: Vec<String> = args
        .iter()
        .filter(|a| !matches!(a.as_str(), "-i" | "-" | "--"))
        .cloned()
        .collect();
    let assignments = args.iter().take_while(|a| is_assignment(a)).count();
    if assignments < args.len() {
        // `env X=1 cmd`: the command runs with the variables, as `X=1 cmd` would.
        return super::run_simple(cluster, &args, stdin);
    }
    let saved = (
        cluster.console.env.clone(),
        cluster.console.exported.clone(),
    );
    let mut o = Output::default();
    for a in &args {
        assign(cluster, a, "env", &mut o);
    }
    let lines = environment(cluster);
    (cluster.console.env, cluster.console.exported) = saved;
    o.out(lines.join("\n"));
    o
}

/// `printenv [NAME]...`.
fn printenv(cluster: &Cluster, args: &[String]) -> Output {
    let mut o = Output::default();
    if args.is_empty() {
        o.out(environment(cluster).join("\n"));
        return o;
    }
    for a in args {
        let value = cluster
            .console
            .exported
            .contains(a)
            .then(|| cluster.console.env.get(a))
            .flatten();
        match value {
            Some(v) => o.out(v),
            None => o.exit_code = 1,
        }
    }
    o
}

/// `printf [-v VAR] FORMAT [ARGUMENTS]...` (the engine is `node::process::printf`).
fn printf(cluster: &mut Cluster, args: &[String]) -> Output {
    let usage = "printf: usage: printf [-v var] format [arguments]";
    let (var, rest) = match args {
        [v, name, rest @ ..] if v == "-v" => (Some(name), rest),
        [v] if v == "-v" => {
            return fail(
                format!("bash: printf: -v: option requires an argument\n{usage}"),
                2,
            )
        }
        [dd, rest @ ..] if dd == "--" => (None, rest),
        _ => (None, args),
    };
    let Some((format, values)) = rest.split_first() else {
        return fail(format!("bash: {usage}"), 2);
    };
    if let Some(name) = var.filter(|n| !is_name(n)) {
        return fail(format!("bash: printf: `{name}': not a valid identifier"), 1);
    }
    let printed = crate::node::process::printf::format(format, values);
    if printed.exceeded {
        cluster
            .console
            .exceed(crate::node::process::budget::Limit::Output);
    }
    let mut o = Output::default();
    // Its complaints reach the screen first: bash flushes stdout when the builtin ends.
    for e in &printed.errors {
        o.err(format!("bash: {e}"));
    }
    match var {
        Some(name) => {
            cluster.console.env.insert(name.clone(), printed.text);
        }
        None => o.out_raw(printed.text),
    }
    if !printed.errors.is_empty() {
        o.exit_code = 1;
    }
    o
}

/// `history [-c] [N]`: `    1  kubectl get pods`.
fn history(cluster: &mut Cluster, args: &[String]) -> Output {
    let h = &mut cluster.console.history;
    let mut count = h.entries.len();
    match args.first().map(String::as_str) {
        Some("-c") => {
            // bash numbers from 1 again.
            h.dropped = 0;
            h.entries.clear();
            return Output::default();
        }
        Some(n) => match n.parse::<usize>() {
            Ok(n) => count = n.min(count),
            Err(_) if n.starts_with('-') => {
                return fail(
                    format!("bash: history: {n}: invalid option\nhistory: usage: history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]"),
                    2,
                )
            }
            Err(_) => return fail(format!("bash: history: {n}: numeric argument required"), 1),
        },
        None => {}
    }
    let skip = h.entries.len() - count;
    let lines: Vec<String> = h
        .entries
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, e)| format!("{:5}  {e}", h.dropped + i + 1))
        .collect();
    let mut o = Output::default();
    if !lines.is_empty() {
        o.out(lines.join("\n"));
    }
    o
}

/// Where a program lives on the learner's machine, if it is there.
pub(super) fn path_of(cluster: &Cluster, name: &str) -> Option<String> {
    match name {
        "minikube" if cluster.profile.name == "minikube" => Some("/usr/local/bin/minikube".into()),
        "minikube" => None,
        "echo" | "printf" | "pwd" | "test" | "[" | "true" | "false" => {
            Some(format!("/usr/bin/{name}"))
        }
        n if PROGRAMS.contains(&n) => Some(format!("/usr/bin/{n}")),
        _ => None,
    }
}

/// `type [-t] NAME...`: alias, keyword, builtin or file, as bash says it.
fn type_(cluster: &Cluster, args: &[String]) -> Output {
    let mut o = Output::default();
    let terse = args.iter().any(|a| a == "-t");
    let path_only = args.iter().any(|a| a == "-p" || a == "-P");
    for name in args.iter().filter(|a| !a.starts_with('-') || a.len() == 1) {
        let n = name.as_str();
        let found = if let Some(v) = cluster.console.aliases.get(n).filter(|_| !path_only) {
            Some(("alias", format!("{n} is aliased to `{v}'")))
        } else if KEYWORDS.contains(&n) && !path_only {
            Some(("keyword", format!("{n} is a shell keyword")))
        } else if BUILTINS.contains(&n) && !path_only {
            Some(("builtin", format!("{n} is a shell builtin")))
        } else {
            path_of(cluster, n).map(|p| {
                let text = if path_only { p } else { format!("{n} is {p}") };
                ("file", text)
            })
        };
        match found {
            Some((kind, _)) if terse => o.out(kind),
            Some((_, text)) => o.out(text),
            None => {
                if !terse && !path_only {
                    o.err(format!("bash: type: {n}: not found"));
                }
                o.exit_code = 1;
            }
        }
    }
    o
}

/// `which NAME...`: the program's path; nothing (status 1) for builtins and aliases.
fn which(cluster: &Cluster, args: &[String]) -> Output {
    let mut o = Output::default();
    for name in args.iter().filter(|a| !a.starts_with('-')) {
        match path_of(cluster, name).filter(|_| !matches!(name.as_str(), "[")) {
            Some(p) => o.out(p),
            None => o.exit_code = 1,
        }
    }
    o
}

/// Names a command line may start with, for Tab completion: builtins, programs (minikube
/// only where it is installed), aliases and the keywords that start a loop.
pub(super) fn command_names(cluster: &Cluster) -> Vec<String> {
    BUILTINS
        .iter()
        .chain(PROGRAMS)
        .chain(&["for", "if", "case", "while", "until"])
        .filter(|p| **p != "minikube" || cluster.profile.name == "minikube")
        .filter(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(|p| p.to_string())
        .chain(cluster.console.aliases.keys().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_as_bash_keeps_it() {
        let mut h = History::default();
        h.record("kubectl get pods");
        h.record("kubectl get pods");
        h.record(" secret");
        h.record("for i in 1 2\ndo\necho $i\ndone");
        assert_eq!(
            h.entries,
            ["kubectl get pods", "for i in 1 2; do echo $i; done"]
        );
        for i in 0..HISTSIZE + 5 {
            h.record(&format!("echo {i}"));
        }
        assert_eq!(h.entries.len(), HISTSIZE);
        assert_eq!(h.dropped, 7);
    }
}
