//! `timeout` in a container's shell, as the image's own program behaves: coreutils' (exit
//! 124 at the deadline, 125 for its own errors, 126/127 when the command cannot run) or
//! busybox's (which execs the command, so it dies of the signal: 128 + its number).
//!
//! The command runs as a child process: what it prints or writes after it is killed is
//! dropped, and its variables do not leak into the shell.
//!
//! The console's `timeout` (a coreutils one) reads its command line with the same [`parse`].

use super::{Flow, Shell};
use crate::clock::SimDuration;

/// Signal names by number (Linux), as `kill -l` lists them.
const SIGNALS: &[&str] = &[
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];
const SIGKILL: i32 = 9;
/// Highest signal number either program accepts (`SIGNUM_BOUND`, the real-time ones).
const MAX_SIGNAL: i32 = 64;

/// Shell-only commands: no program of that name exists for `timeout` to run.
const SHELL_ONLY: &[&str] = &[
    "exit", "export", "cd", "set", "unset", "read", "shift", "eval", "wait", "trap", "return",
    "local", "type", "command", ".", "source", "break", "continue", "[[", ":",
];

const COREUTILS_TRY: &str = "Try 'timeout --help' for more information.";
const BUSYBOX_USAGE: &str = "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS\n\nRun PROG. Send SIG to it if it is not gone in SECS seconds.\nDefault SIG: TERM.If it still exists in KILL_SECS seconds, send KILL.";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub(crate) struct Request<'a> {
    /// DURATION; zero is no limit.
    pub(crate) limit: SimDuration,
    /// `-s`: sent at the deadline (TERM by default).
    signal: i32,
    /// `-k`: KILL this long after the signal, if the command is still there.
    kill_after: SimDuration,
    /// `--preserve-status`.
    preserve: bool,
    /// `-v`: say which signals are sent.
    verbose: bool,
    /// The command and its arguments.
    pub(crate) argv: &'a [String],
}

impl Request<'_> {
    /// When (after the start) the command is killed, and by which signal; `None` when it
    /// never is: no limit, or a signal it survives and no `-k`.
    pub(crate) fn kill(&self) -> Option<(SimDuration, i32)> {
        if self.limit.0 == 0 {
            None
        } else if !survives(self.signal) {
            Some((self.limit, self.signal))
        } else if self.kill_after.0 > 0 {
            let at = self.limit.0.saturating_add(self.kill_after.0);
            Some((SimDuration::millis(at), SIGKILL))
        } else {
            None
        }
    }

    /// The exit status once `signal` killed the command: coreutils' 124 (the signal's own
    /// with `--preserve-status`, and always for KILL); busybox's, which execs the command,
    /// 128 + the signal.
    pub(crate) fn killed_status(&self, signal: i32, busybox: bool) -> i32 {
        if busybox || self.preserve || signal == SIGKILL {
            128 + signal
        } else {
            124
        }
    }

    /// The status of a command that outlived the signal and ended by itself with `status`.
    pub(crate) fn survived_status(&self, status: i32, busybox: bool) -> i32 {
        if busybox || self.preserve {
            status
        } else {
            124
        }
    }

    /// The signal sent at the deadline.
    pub(crate) fn signal(&self) -> i32 {
        self.signal
    }

    /// What `-v` prints once the command is killed by `signal` (or outlived `-s` itself).
    pub(crate) fn verbose_lines(&self, signal: i32) -> Vec<String> {
        if !self.verbose {
            return Vec::new();
        }
        let program = self.argv.first().map_or("", String::as_str);
        let mut lines = vec![format!(
            "timeout: sending signal {} to command '{program}'",
            signal_name(self.signal)
        )];
        if signal != self.signal {
            lines.push(format!(
                "timeout: sending signal KILL to command '{program}'"
            ));
        }
        lines
    }
}

/// `timeout` could not exec `program` (not a file, or a shell builtin).
pub(crate) fn cannot_run(program: &str, busybox: bool) -> String {
    if busybox {
        format!("timeout: can't execute '{program}': No such file or directory")
    } else {
        format!("timeout: failed to run command '{program}': No such file or directory")
    }
}

/// `SIG`, `sigterm`, `TERM` or `15` as a signal number (both programs ignore case).
fn signal_number(text: &str) -> Option<i32> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().filter(|n| (0..=MAX_SIGNAL).contains(n));
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    let name = if name == "POLL" { "IO" } else { name };
    let index = SIGNALS.iter().position(|s| *s == name)?;
    i32::try_from(index).ok().map(|i| i + 1)
}

fn signal_name(n: i32) -> String {
    usize::try_from(n - 1)
        .ok()
        .and_then(|i| SIGNALS.get(i))
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

/// Whether a sleeping command survives `signal` (ignored by default, or one that stops it).
fn survives(signal: i32) -> bool {
    matches!(signal, 0 | 17..=23 | 28)
}

/// Reads the options and operands; `Err` is the message and exit status.
pub(crate) fn parse(args: &[String], busybox: bool) -> Result<Request<'_>, (String, i32)> {
    let fail = |message: String| {
        if busybox {
            (format!("timeout: {message}"), 1)
        } else {
            (format!("timeout: {message}\n{COREUTILS_TRY}"), 125)
        }
    };
    let usage = || {
        if busybox {
            (BUSYBOX_USAGE.to_string(), 1)
        } else {
            (COREUTILS_TRY.to_string(), 125)
        }
    };
    let duration = |text: &str| {
        SimDuration::parse_interval(text).ok_or_else(|| {
            if busybox {
                fail(format!("invalid number '{text}'"))
            } else {
                fail(format!("invalid time interval '{text}'"))
            }
        })
    };
    let signal = |text: &str| {
        signal_number(text).ok_or_else(|| {
            if busybox {
                fail(format!("unknown signal '{text}'"))
            } else {
                fail(format!("'{text}': invalid signal"))
            }
        })
    };
    let mut request = Request {
        limit: SimDuration::default(),
        signal: 15,
        kill_after: SimDuration::default(),
        preserve: false,
        verbose: false,
        argv: &[],
    };
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            break;
        }
        let value = |i: &mut usize, inline: &str| -> Result<String, (String, i32)> {
            if !inline.is_empty() {
                return Ok(inline.to_string());
            }
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| {
                let flag = arg.trim_start_matches('-');
                if arg.starts_with("--") {
                    fail(format!("option '--{flag}' requires an argument"))
                } else {
                    fail(format!("option requires an argument -- '{flag}'"))
                }
            })
        };
        if let Some(long) = arg.strip_prefix("--").filter(|_| !busybox) {
            let (name, inline) = long.split_once('=').unwrap_or((long, ""));
            match name {
                "signal" => request.signal = signal(&value(&mut i, inline)?)?,
                "kill-after" => request.kill_after = duration(&value(&mut i, inline)?)?,
                "preserve-status" => request.preserve = true,
                "verbose" => request.verbose = true,
                "foreground" => {}
                _ => return Err(fail(format!("unrecognized option '{arg}'"))),
            }
        } else {
            let flag = arg.chars().nth(1).unwrap_or('-');
            let inline = arg.get(2..).unwrap_or("");
            match flag {
                's' => request.signal = signal(&value(&mut i, inline)?)?,
                'k' => request.kill_after = duration(&value(&mut i, inline)?)?,
                'v' if !busybox && inline.is_empty() => request.verbose = true,
                _ if busybox => {
                    return Err((
                        format!("timeout: invalid option -- '{flag}'\n{BUSYBOX_USAGE}"),
                        1,
                    ))
                }
                _ => return Err(fail(format!("invalid option -- '{flag}'"))),
            }
        }
        i += 1;
    }
    let rest = &args[i.min(args.len())..];
    let [limit, argv @ ..] = rest else {
        return Err(usage());
    };
    if argv.is_empty() {
        return Err(usage());
    }
    request.limit = duration(limit)?;
    request.argv = argv;
    Ok(request)
}

impl Shell<'_> {
    /// Runs `timeout [OPTIONS] DURATION COMMAND [ARG]...`.
    pub(super) fn timeout(&mut self, args: &[String]) -> Flow {
        let busybox = self.host.busybox();
        let request = match parse(args, busybox) {
            Ok(r) => r,
            Err((message, code)) => {
                self.emit(message, true);
                self.last = code;
                return Flow::Next;
            }
        };
        let program = request.argv[0].as_str();
        let base = program.rsplit('/').next().unwrap_or(program);
        let assignment = program.contains('=');
        if SHELL_ONLY.contains(&base) || assignment || self.host.missing(base).is_some() {
            self.cannot_run(program, busybox);
            return Flow::Next;
        }
        let (start, lines, vars) = (self.now, self.lines.len(), self.vars.clone());
        let flow = self.exec_argv(request.argv);
        self.vars = vars;
        if self.last == 127 && self.lines.len() > lines && self.said_not_found(program) {
            self.lines.pop();
            self.cannot_run(program, busybox);
            return Flow::Next;
        }
        if request.limit.0 == 0 {
            return flow;
        }
        let finished = !matches!(flow, Flow::Stop);
        let deadline = start.saturating_add(request.limit.0);
        if finished && self.now <= deadline {
            return flow;
        }
        // Timed out: the signal, then KILL after `-k` if the command survives it.
        let Some((after, signal)) = request.kill() else {
            if !finished {
                return Flow::Stop;
            }
            // It outlived an ignored signal and ended on its own.
            self.survived(&request, busybox);
            return flow;
        };
        let kill_at = start.saturating_add(after.0);
        if finished && self.now <= kill_at {
            self.survived(&request, busybox);
            return flow;
        }
        if kill_at > self.limit {
            return Flow::Stop;
        }
        // What the command did after it was killed never happened.
        self.lines.retain(|l| l.at <= kill_at);
        self.ops.retain(|(at, _)| *at <= kill_at);
        self.now = kill_at;
        if self.busy.is_some_and(|b| b.at >= start) {
            self.busy = None;
        }
        for line in request.verbose_lines(signal) {
            self.emit(line, true);
        }
        self.last = request.killed_status(signal, busybox);
        Flow::Next
    }

    /// The command outlived the signal and ended by itself.
    fn survived(&mut self, request: &Request, busybox: bool) {
        for line in request.verbose_lines(request.signal) {
            self.emit(line, true);
        }
        self.last = request.survived_status(self.last, busybox);
    }

    /// `timeout` could not exec `program`.
    fn cannot_run(&mut self, program: &str, busybox: bool) {
        self.emit(cannot_run(program, busybox), true);
        self.last = 127;
    }

    /// Whether the last line is the shell's `not found` for `program`.
    fn said_not_found(&self, program: &str) -> bool {
        let expected = if self.name == "bash" {
            format!("bash: {program}: command not found")
        } else {
            format!("{}: {program}: not found", self.name)
        };
        self.lines
            .last()
            .is_some_and(|l| l.stderr && l.text == expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_and_operands() {
        let args = strings(&["-s", "kill", "-k5", "--preserve-status", "2", "sleep", "9"]);
        let r = parse(&args, false).unwrap();
        assert_eq!(
            (r.limit, r.signal, r.kill_after, r.preserve),
            (SimDuration::seconds(2), 9, SimDuration::seconds(5), true)
        );
        assert_eq!(r.argv, &strings(&["sleep", "9"])[..]);
        let args = strings(&["--signal=SIGINT", "1m", "--", "x"]);
        let r = parse(&args, false).unwrap();
        assert_eq!((r.signal, r.limit), (2, SimDuration::seconds(60)));
    }

    #[test]
    fn errors_as_each_program_prints_them() {
        let err = |args: &[&str], busybox| parse(&strings(args), busybox).unwrap_err();
        assert_eq!(
            err(&["x", "sleep"], false),
            (
                format!("timeout: invalid time interval 'x'\n{COREUTILS_TRY}"),
                125
            )
        );
        assert_eq!(
            err(&["x", "sleep"], true),
            ("timeout: invalid number 'x'".to_string(), 1)
        );
        assert_eq!(
            err(&["-s", "FOO", "1", "sleep"], false),
            (
                format!("timeout: 'FOO': invalid signal\n{COREUTILS_TRY}"),
                125
            )
        );
        assert_eq!(
            err(&["-s", "FOO", "1", "sleep"], true),
            ("timeout: unknown signal 'FOO'".to_string(), 1)
        );
        assert_eq!(err(&["5"], false), (COREUTILS_TRY.to_string(), 125));
        assert_eq!(err(&["5"], true).1, 1);
        assert_eq!(
            err(&["-s"], false),
            (
                format!("timeout: option requires an argument -- 's'\n{COREUTILS_TRY}"),
                125
            )
        );
    }

    #[test]
    fn when_the_command_is_killed_and_the_status() {
        let request = |args: &[&str]| {
            let args = strings(args);
            let r = parse(&args, false).unwrap();
            (
                r.kill(),
                r.killed_status(r.signal, false),
                r.verbose_lines(9),
            )
        };
        let (kill, status, verbose) = request(&["2", "sleep", "9"]);
        assert_eq!((kill, status), (Some((SimDuration::seconds(2), 15)), 124));
        assert!(verbose.is_empty());
        let (kill, _, verbose) = request(&["-v", "-s", "URG", "-k", "1", "2", "x"]);
        assert_eq!(kill, Some((SimDuration::seconds(3), SIGKILL)));
        assert_eq!(verbose.len(), 2);
        assert_eq!(request(&["-s", "URG", "2", "x"]).0, None);
        assert_eq!(request(&["0", "x"]).0, None);
        assert_eq!(request(&["--preserve-status", "2", "x"]).1, 143);
    }

    #[test]
    fn signals_by_name_or_number() {
        assert_eq!(signal_number("term"), Some(15));
        assert_eq!(signal_number("SIGKILL"), Some(9));
        assert_eq!(signal_number("poll"), Some(29));
        assert_eq!(signal_number("64"), Some(64));
        assert_eq!(signal_number("65"), None);
        assert_eq!(signal_number("99999999999999999999"), None);
        assert_eq!(signal_name(15), "TERM");
        assert!(survives(17) && !survives(15));
    }
}
