//! A node's systemd journal as `journalctl` and `systemctl status` print it (systemd 255,
//! Ubuntu 24.04): the kubelet unit's entries, made from its runs ([`Run`]) when they are
//! read — its starts and stops, and a failing kubelet's loop (the kubelet's error, the exit,
//! systemd's restart ten seconds later) — and containerd's start at boot. The kubelet's own
//! informational lines are not simulated; its fatal error is.

use crate::node::process::fmt_ms;
use crate::node::process::script::ToolRun;
use crate::sort::SliceSort;
use crate::world::heartbeats::{turn_at, turn_start, Run, RunEnd, FAILING_RUN_MS};

/// The kubelet's unit.
const UNIT: &str = "kubelet.service";
/// The kubelet unit as systemd names it in its messages.
pub(crate) const KUBELET: &str = "kubelet.service - kubelet: The Kubernetes Node Agent";
/// containerd's unit as systemd names it.
const CONTAINERD: &str = "containerd.service - containerd container runtime";
/// The kubelet unit's command line as its `Process:` line shows it (unexpanded).
pub(crate) const EXEC_START: &str = "/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS";
/// The most entries a unit's journal keeps (older ones are vacuumed, as journald does).
pub(crate) const ENTRIES_KEPT: usize = 2_000;

/// Why systemd wrote an entry: its catalog explanation (`journalctl -x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    Started,
    Stopping,
    Stopped,
    Exited,
    Failed,
    Restart,
    Deactivated,
    Consumed,
}

/// One journal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// When, epoch ms.
    pub ms: i64,
    /// Which unit it belongs to (`kubelet.service`).
    pub unit: &'static str,
    /// `SYSLOG_IDENTIFIER[PID]`.
    ident: String,
    /// The message.
    text: String,
    why: Option<Why>,
}

impl Entry {
    fn systemd(ms: i64, unit: &'static str, text: String, why: Why) -> Entry {
        Entry {
            ms,
            unit,
            ident: "systemd[1]".into(),
            text,
            why: Some(why),
        }
    }

    /// The entry in journalctl's `short` format, on `host` (the lines of a message of
    /// several lines after the first indented under it).
    pub(crate) fn short(&self, host: &str) -> String {
        let prefix = format!(
            "{} {host} {}: ",
            fmt_ms(self.ms, "%b %d %H:%M:%S"),
            self.ident
        );
        let indent = format!("\n{:width$}", "", width = prefix.chars().count());
        format!("{prefix}{}", self.text.replace('\n', &indent))
    }

    /// Its catalog explanation (`-x`), each line prefixed as journalctl prefixes it.
    pub(crate) fn catalog(&self) -> Vec<String> {
        let Some(why) = self.why else {
            return Vec::new();
        };
        let unit = self.unit;
        let job = 100 + (self.ms / 1000).rem_euclid(100_000);
        let (subject, body): (String, Vec<String>) = match why {
            Why::Started => (
                format!("A start job for unit {unit} has finished successfully"),
                vec![
                    format!("A start job for unit {unit} has finished successfully."),
                    String::new(),
                    format!("The job identifier is {job}."),
                ],
            ),
            Why::Stopping => (
                format!("A stop job for unit {unit} has begun execution"),
                vec![
                    format!("A stop job for unit {unit} has begun execution."),
                    String::new(),
                    format!("The job identifier is {job}."),
                ],
            ),
            Why::Stopped => (
                format!("A stop job for unit {unit} has finished"),
                vec![
                    format!("A stop job for unit {unit} has finished."),
                    String::new(),
                    format!("The job identifier is {job} and the job result is done."),
                ],
            ),
            Why::Exited => (
                "Unit process exited".into(),
                vec![
                    format!("An ExecStart= process belonging to unit {unit} has exited."),
                    String::new(),
                    "The process' exit code is 'exited' and its exit status is 1.".into(),
                ],
            ),
            Why::Failed => (
                "Unit failed".into(),
                vec![format!(
                    "The unit {unit} has entered the 'failed' state with result 'exit-code'."
                )],
            ),
            Why::Restart => (
                "Automatic restarting of a unit has been scheduled".into(),
                vec![
                    format!("Automatic restarting of the unit {unit} has been scheduled, as the result for"),
                    "the configured Restart= setting for the unit.".into(),
                ],
            ),
            Why::Deactivated => (
                "Unit succeeded".into(),
                vec![format!(
                    "The unit {unit} has successfully entered the 'dead' state."
                )],
            ),
            Why::Consumed => (
                "Resources consumed by unit runtime".into(),
                vec![format!(
                    "The unit {unit} completed and consumed the indicated resources."
                )],
            ),
        };
        let mut lines = vec![
            format!("Subject: {subject}"),
            "Defined-By: systemd".into(),
            "Support: http://www.ubuntu.com/support".into(),
            String::new(),
        ];
        lines.extend(body);
        lines.into_iter().map(|l| format!("░░ {l}")).collect()
    }
}

/// The kubelet's process id for a run started at `started_ms` (`None`: at boot).
pub(crate) fn kubelet_pid(started_ms: Option<i64>) -> i64 {
    match started_ms {
        None => 1294,
        Some(ms) => 2000 + (ms / 1000).rem_euclid(60_000),
    }
}

/// The kubelet's CPU time over `ran_ms` of running: its start, then about 1 %.
pub(crate) fn kubelet_cpu_ms(ran_ms: i64) -> i64 {
    412 + ran_ms.max(0) / 97
}

/// The kubelet's own lines for a run started at `at` (its process `pid`): failing with
/// `error` at `exit`, or running.
fn kubelet_lines(out: &mut Vec<Entry>, at: i64, pid: i64, error: Option<&str>, exit: i64) {
    for (ms, text) in crate::node::agent::start_lines(at, pid, error, exit) {
        out.push(Entry {
            ms,
            unit: UNIT,
            ident: format!("kubelet[{pid}]"),
            text,
            why: None,
        });
    }
}

/// The kubelet unit's entries up to `now`: the boot's start, then each of `runs` (the
/// newest [`ENTRIES_KEPT`] of them).
pub(crate) fn kubelet_entries(booted_ms: i64, runs: &[Run], now: i64) -> Vec<Entry> {
    let mut out = Vec::new();
    let started = |out: &mut Vec<Entry>, ms: i64| {
        out.push(Entry::systemd(
            ms,
            UNIT,
            format!("Started {KUBELET}."),
            Why::Started,
        ));
    };
    let restarted = |out: &mut Vec<Entry>, ms: i64, n: u32| {
        out.push(Entry::systemd(
            ms,
            UNIT,
            format!("{UNIT}: Scheduled restart job, restart counter is at {n}."),
            Why::Restart,
        ));
        started(out, ms);
    };
    // A run that stays up: systemd's start (or restart), then the kubelet's first lines.
    let runs_up = |out: &mut Vec<Entry>, started_ms: Option<i64>, restart: Option<u32>| {
        let at = started_ms.unwrap_or(booted_ms);
        match restart {
            Some(n) => restarted(out, at, n),
            None => started(out, at),
        }
        kubelet_lines(out, at, kubelet_pid(started_ms), None, 0);
    };
    // The boot's run, unless the first kept run is it.
    if runs.first().is_none_or(|r| r.started_ms.is_some()) {
        runs_up(&mut out, None, None);
    }
    for (i, run) in runs.iter().enumerate() {
        let start = run.started_ms.unwrap_or(booted_ms);
        if !matches!(run.end, RunEnd::Failing { .. }) {
            runs_up(&mut out, run.started_ms, run.restart);
        }
        match &run.end {
            RunEnd::Running => {}
            RunEnd::Stopped(at) => stopped(&mut out, *at, Some(at - start)),
            RunEnd::Failing { error, until } => {
                let end = until.unwrap_or(now).min(now);
                // The turns that began before the loop ended (and one beginning now), only
                // those the journal still keeps (eight entries each).
                let turns = turn_at(start, end) + 1;
                let first = (turns - ENTRIES_KEPT as i64 / 8).max(0);
                for k in first..turns {
                    let at = turn_start(start, k);
                    if at == end && until.is_some() {
                        break;
                    }
                    let counter = run
                        .restart
                        .unwrap_or(0)
                        .saturating_add(u32::try_from(k).unwrap_or(u32::MAX));
                    if counter == 0 {
                        started(&mut out, at);
                    } else {
                        restarted(&mut out, at, counter);
                    }
                    let exit = at + FAILING_RUN_MS;
                    if exit > end {
                        break;
                    }
                    kubelet_lines(&mut out, at, kubelet_pid(Some(at)), Some(error), exit);
                    out.push(Entry::systemd(
                        exit,
                        UNIT,
                        format!("{UNIT}: Main process exited, code=exited, status=1/FAILURE"),
                        Why::Exited,
                    ));
                    out.push(Entry::systemd(
                        exit,
                        UNIT,
                        format!("{UNIT}: Failed with result 'exit-code'."),
                        Why::Failed,
                    ));
                }
                // Ended by `systemctl stop` (or restart), not by systemd's start that ran.
                let recovered = runs.get(i + 1).is_some_and(|next| next.restart.is_some());
                if let Some(at) = until.filter(|&u| u <= now && !recovered) {
                    stopped(&mut out, at, None);
                }
            }
        }
    }
    let keep = out.len().saturating_sub(ENTRIES_KEPT);
    out.drain(..keep);
    out
}

/// The entries of `systemctl stop` at `at`; `ran_ms`: how long the kubelet had run (its
/// CPU time is mentioned when over a second), `None` when it was not running.
fn stopped(out: &mut Vec<Entry>, at: i64, ran_ms: Option<i64>) {
    if ran_ms.is_some() {
        out.push(Entry::systemd(
            at,
            UNIT,
            format!("Stopping {KUBELET}..."),
            Why::Stopping,
        ));
        out.push(Entry::systemd(
            at,
            UNIT,
            format!("{UNIT}: Deactivated successfully."),
            Why::Deactivated,
        ));
    }
    out.push(Entry::systemd(
        at,
        UNIT,
        format!("Stopped {KUBELET}."),
        Why::Stopped,
    ));
    if let Some(cpu) = ran_ms.map(kubelet_cpu_ms).filter(|&c| c > 1000) {
        out.push(Entry::systemd(
            at,
            UNIT,
            format!("{UNIT}: Consumed {} CPU time.", timespan(cpu)),
            Why::Consumed,
        ));
    }
}

/// containerd's entries: its start at boot.
pub(crate) fn containerd_entries(booted_ms: i64) -> Vec<Entry> {
    const UNIT: &str = "containerd.service";
    vec![
        Entry::systemd(
            booted_ms,
            UNIT,
            format!("Starting {CONTAINERD}..."),
            Why::Started,
        ),
        Entry::systemd(
            booted_ms,
            UNIT,
            format!("Started {CONTAINERD}."),
            Why::Started,
        ),
    ]
}

/// systemd's `format_timespan` with millisecond accuracy: `66ms`, `3.515s`, `1min 26.616s`.
pub(crate) fn timespan(ms: i64) -> String {
    const UNITS: [(&str, i64); 7] = [
        ("y", 31_557_600_000),
        ("month", 2_629_800_000),
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("min", 60_000),
        ("s", 1_000),
    ];
    let mut left = ms.max(0);
    if left == 0 {
        return "0".into();
    }
    let mut parts = Vec::new();
    for (unit, size) in UNITS {
        if left < size {
            continue;
        }
        let n = left / size;
        left %= size;
        if unit == "s" && left > 0 {
            let frac = format!("{left:03}");
            parts.push(format!("{n}.{}s", frac.trim_end_matches('0')));
            left = 0;
        } else {
            parts.push(format!("{n}{unit}"));
        }
    }
    if left > 0 {
        parts.push(format!("{left}ms"));
    }
    parts.join(" ")
}

/// What `journalctl` was asked for.
#[derive(Debug, Default, PartialEq, Eq)]
struct Query {
    /// Units (`-u`), completed with `.service`; none: every entry.
    units: Vec<String>,
    /// How many of the newest entries (`-n`); `None`: all.
    lines: Option<usize>,
    /// `-x`: each entry's catalog explanation.
    catalog: bool,
    /// `-f`: the newest lines, then it would follow.
    follow: bool,
    /// `-r`: newest first.
    reverse: bool,
    /// `-q`: no informational lines.
    quiet: bool,
    /// `-k`: kernel messages only.
    kernel: bool,
}

/// `journalctl`'s refusal of its arguments, as getopt and journalctl print it.
fn parse(argv: &[String]) -> Result<Query, String> {
    let mut q = Query::default();
    let mut lines_given = false;
    let mut pager_end = false;
    let mut args = argv.iter().skip(1).peekable();
    let unit = |q: &mut Query, name: &str| {
        q.units.push(super::systemctl::unit_name(name));
    };
    let count = |q: &mut Query, v: &str| -> Result<(), String> {
        q.lines = if v == "all" {
            None
        } else {
            let n: usize = v
                .strip_prefix('+')
                .unwrap_or(v)
                .parse()
                .map_err(|_| format!("Failed to parse lines '{v}'"))?;
            Some(n)
        };
        Ok(())
    };
    while let Some(arg) = args.next() {
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let mut value_or_next = |what: &str| -> Result<String, String> {
                value
                    .clone()
                    .or_else(|| args.next().cloned())
                    .ok_or_else(|| format!("journalctl: option '--{what}' requires an argument"))
            };
            match name {
                "unit" => unit(&mut q, &value_or_next("unit")?),
                "lines" => {
                    lines_given = true;
                    match value {
                        Some(v) => count(&mut q, &v)?,
                        None => match args.peek() {
                            Some(v) if v.parse::<usize>().is_ok() || *v == "all" => {
                                let v = args.next().cloned().unwrap_or_default();
                                count(&mut q, &v)?;
                            }
                            _ => q.lines = Some(10),
                        },
                    }
                }
                "catalog" => q.catalog = true,
                "pager-end" => pager_end = true,
                "follow" => q.follow = true,
                "reverse" => q.reverse = true,
                "quiet" => q.quiet = true,
                "dmesg" => q.kernel = true,
                "no-pager" | "boot" | "no-hostname" | "no-tail" | "full" | "all" | "merge"
                | "system" => {}
                "since" | "until" | "output" | "priority" | "grep" | "identifier" | "cursor" => {
                    return Err(format!("kubeplay: journalctl --{name} is not simulated; try: journalctl -u kubelet -n 20"));
                }
                _ => return Err(format!("journalctl: unrecognized option '{arg}'")),
            }
            continue;
        }
        let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) else {
            // A match is FIELD=VALUE or a path; anything else sd_journal_add_match refuses.
            if arg.contains('=') || arg.starts_with('/') {
                return Err(format!("kubeplay: journalctl matches ({arg}) are not simulated; try: journalctl -u kubelet"));
            }
            return Err(format!("Failed to add match '{arg}': Invalid argument"));
        };
        for (i, c) in shorts.char_indices() {
            let rest = &shorts[i + c.len_utf8()..];
            match c {
                'u' | 'n' => {
                    let value = if rest.is_empty() {
                        if c == 'n' {
                            match args.peek() {
                                Some(v) if v.parse::<usize>().is_ok() || *v == "all" => {
                                    args.next().cloned()
                                }
                                _ => Some("10".into()),
                            }
                        } else {
                            args.next().cloned()
                        }
                    } else {
                        Some(rest.to_string())
                    };
                    let Some(value) = value else {
                        return Err(format!("journalctl: option requires an argument -- '{c}'"));
                    };
                    if c == 'u' {
                        unit(&mut q, &value);
                    } else {
                        lines_given = true;
                        count(&mut q, &value)?;
                    }
                    break;
                }
                'x' => q.catalog = true,
                'e' => pager_end = true,
                'f' => q.follow = true,
                'r' => q.reverse = true,
                'q' => q.quiet = true,
                'k' => q.kernel = true,
                'b' | 'a' | 'l' => {}
                'S' | 'U' | 'o' | 'p' | 'g' | 't' => {
                    return Err(format!("kubeplay: journalctl -{c} is not simulated; try: journalctl -u kubelet -n 20"));
                }
                _ => return Err(format!("journalctl: invalid option -- '{c}'")),
            }
        }
    }
    if !lines_given {
        if q.follow {
            q.lines = Some(10);
        } else if pager_end {
            q.lines = Some(1000);
        }
    }
    Ok(q)
}

/// `journalctl ARGS` on `host`, whose units' entries are `entries` (each unit's in order).
pub(crate) fn journalctl(argv: &[String], host: &str, entries: Vec<Vec<Entry>>) -> ToolRun {
    let mut run = ToolRun::default();
    let q = match parse(argv) {
        Ok(q) => q,
        Err(e) => {
            run.lines.push((e, true));
            run.code = 1;
            return run;
        }
    };
    let mut all: Vec<Entry> = entries
        .into_iter()
        .flatten()
        .filter(|e| !q.kernel && (q.units.is_empty() || q.units.iter().any(|u| u == e.unit)))
        .collect();
    all.stable_sort_by_key(|e| e.ms);
    if let Some(n) = q.lines {
        let skip = all.len().saturating_sub(n);
        all.drain(..skip);
    }
    if q.reverse {
        all.reverse();
    }
    if all.is_empty() && !q.quiet {
        run.lines.push(("-- No entries --".into(), false));
    }
    for e in &all {
        run.lines.push((e.short(host), false));
        if q.catalog {
            run.lines
                .extend(e.catalog().into_iter().map(|l| (l, false)));
        }
    }
    if q.follow {
        run.lines.push((
            "kubeplay: journalctl -f printed the newest lines and stops here (it does not follow); run it again to see later ones".into(),
            true,
        ));
    }
    run
}
