//! `watch [-n SECS] [-t] COMMAND...` (procps-ng): runs the command every SECS of simulated
//! time and shows its output (stdout and stderr) under the header line
//! `Every 2.0s: COMMAND        HOST: Sat Dec  5 10:00:00 2026`.
//!
//! Streamed (the page), it is a job: each screen clears the console, as watch redraws the
//! terminal, until Ctrl-C. In a script nobody can press Ctrl-C: it prints the screens whose
//! output changed and ends when the cluster is quiet, after [`SETTLE`], or when `timeout`
//! stops it (status 124).

use super::Job;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::{Output, Stream};

/// The terminal width the header is laid out in.
const WIDTH: usize = 80;
/// The shortest interval procps' watch accepts (0.1 s).
const MIN_INTERVAL_MS: i64 = 100;
/// The longest interval honoured (one day), so a typo cannot stall a page.
const MAX_INTERVAL_MS: i64 = 86_400_000;
/// How long an unattended watch (a script) may go on.
const SETTLE: SimDuration = SimDuration::seconds(600);
/// How many screens an unattended watch prints at most.
const MAX_SCREENS: u32 = 100;
/// A script's watch ends after this long without a timer due (nothing will change).
const QUIET_MS: i64 = 60_000;

/// A running `watch`.
#[derive(Clone, Debug)]
pub(crate) struct Repeat {
    /// The command line, as watch hands it to `sh -c`.
    command: String,
    interval_ms: i64,
    /// When the next screen is due (epoch ms).
    next: i64,
    /// `-t`: no header.
    no_title: bool,
    /// When `timeout` stops it (epoch ms).
    deadline: Option<i64>,
}

fn usage_error(message: &str) -> Output {
    let mut o = Output::failure(format!(
        "{message}\nUsage:\n watch [options] command\n\nFor more details see watch(1)."
    ));
    o.exit_code = 1;
    o
}

/// `watch ARGS`.
pub(super) fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let mut interval_ms = 2000;
    let mut no_title = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        match flag {
            "-n" | "--interval" => {
                let value = match inline.or_else(|| args.get(i + 1).cloned()) {
                    Some(v) => v,
                    None => return usage_error("watch: option requires an argument -- 'n'"),
                };
                if args.get(i + 1) == Some(&value) {
                    i += 1;
                }
                match value.replace(',', ".").parse::<f64>() {
                    Ok(s) if s.is_finite() => {
                        interval_ms = ((s * 1000.0) as i64).clamp(MIN_INTERVAL_MS, MAX_INTERVAL_MS)
                    }
                    _ => {
                        return Output::failure(format!(
                            "watch: failed to parse argument: '{value}'"
                        ))
                    }
                }
            }
            f if f.starts_with("-n") && f.len() > 2 => match f[2..].parse::<f64>() {
                Ok(s) if s.is_finite() => {
                    interval_ms = ((s * 1000.0) as i64).clamp(MIN_INTERVAL_MS, MAX_INTERVAL_MS)
                }
                _ => {
                    return Output::failure(format!(
                        "watch: failed to parse argument: '{}'",
                        &f[2..]
                    ))
                }
            },
            "-t" | "--no-title" => no_title = true,
            // Accepted and without effect here: differences, beep, exit on error, color, exec.
            "-d" | "--differences" | "-b" | "--beep" | "-e" | "--errexit" | "-c" | "--color"
            | "-x" | "--exec" | "-p" | "--precise" | "-w" | "--no-wrap" | "-g" | "--chgexit" => {}
            "--" => {
                i += 1;
                break;
            }
            f if f.starts_with('-') => {
                return usage_error(&format!(
                    "watch: invalid option -- '{}'",
                    f.trim_start_matches('-').chars().next().unwrap_or('-')
                ))
            }
            _ => break,
        }
        i += 1;
    }
    let command = args.get(i..).unwrap_or_default().join(" ");
    if command.is_empty() {
        return usage_error("");
    }
    let now = cluster.world.clock.now_ms();
    let mut repeat = Repeat {
        command,
        interval_ms,
        next: now,
        no_title,
        deadline: cluster.console.watch_limit.map(|l| now.saturating_add(l.0)),
    };
    let mut out = Output::default();
    if cluster.console.in_watch {
        // A watch in a watch's command: one screen, or the screens would multiply.
        let (header, body) = repeat.screen(cluster);
        repeat.show(&header, &body, &mut out);
        return out;
    }
    if cluster.console.may_stream() {
        repeat.poll(cluster, &mut out);
        cluster.console.job = Some(Job::Repeat(Box::new(repeat)));
        return out;
    }
    // A script: the screens that changed, until quiet, `timeout` or the bounds.
    let end = repeat.deadline.unwrap_or(now + SETTLE.0);
    let mut last_body: Option<String> = None;
    for _ in 0..MAX_SCREENS {
        let (header, body) = repeat.screen(cluster);
        if last_body.as_ref() != Some(&body) {
            repeat.show(&header, &body, &mut out);
            last_body = Some(body);
        }
        let now = cluster.world.clock.now_ms();
        let next = now + repeat.interval_ms;
        let quiet = cluster
            .world
            .timers
            .next_due()
            .is_none_or(|due| due > now + QUIET_MS);
        if next > end || (repeat.deadline.is_none() && quiet) {
            if let Some(deadline) = repeat.deadline {
                cluster.advance(SimDuration::millis((deadline - now).max(0)));
            }
            break;
        }
        cluster.advance(SimDuration::millis(repeat.interval_ms));
    }
    out.clear = false;
    if repeat.deadline.is_some() {
        out.exit_code = 124;
    }
    out
}

impl Repeat {
    /// Shows a new screen when one is due; true when `timeout` has ended the watch.
    pub(crate) fn poll(&mut self, cluster: &mut Cluster, out: &mut Output) -> bool {
        let now = cluster.world.clock.now_ms();
        if self.deadline.is_some_and(|d| now >= d) {
            out.exit_code = 124;
            return true;
        }
        if now < self.next {
            return false;
        }
        let (header, body) = self.screen(cluster);
        out.clear = true;
        self.show(&header, &body, out);
        // Screens keep to the interval however late the poll came.
        let behind = (now - self.next) / self.interval_ms;
        self.next += (behind + 1) * self.interval_ms;
        false
    }

    /// Runs the command once: the header line and what it printed.
    fn screen(&self, cluster: &mut Cluster) -> (String, String) {
        let now = cluster.world.clock.now_ms();
        let console = &mut cluster.console;
        // As a `$(...)`: no job of its own, not in the history.
        let stream_ok = console.stream_ok;
        console.substitution_depth = console.substitution_depth.saturating_add(1);
        let in_watch = std::mem::replace(&mut console.in_watch, true);
        let result = super::run_line(cluster, &self.command);
        let console = &mut cluster.console;
        console.in_watch = in_watch;
        console.substitution_depth = console.substitution_depth.saturating_sub(1);
        console.stream_ok = stream_ok;
        console.interrupted = false;
        console.exceeded = None;
        let body: String = result.chunks.into_iter().map(|(_, t)| t).collect();
        (self.header(cluster, now), body)
    }

    /// `Every 2.0s: COMMAND` on the left, `HOST: DATE` on the right of the width.
    fn header(&self, cluster: &Cluster, now: i64) -> String {
        let host = cluster.host_identity().name;
        let right = format!(
            "{host}: {}",
            crate::node::process::fmt_ms(now, "%a %b %e %H:%M:%S %Y")
        );
        let left = format!("Every {:.1}s: ", self.interval_ms as f64 / 1000.0);
        let room = WIDTH.saturating_sub(left.len() + right.len() + 1);
        let command = if self.command.chars().count() > room {
            let keep: String = self.command.chars().take(room.saturating_sub(3)).collect();
            format!("{keep}...")
        } else {
            self.command.clone()
        };
        let text = format!("{left}{command}");
        let gap = WIDTH
            .saturating_sub(text.chars().count() + right.chars().count())
            .max(1);
        format!("{text}{}{right}", " ".repeat(gap))
    }

    fn show(&self, header: &str, body: &str, out: &mut Output) {
        if !self.no_title {
            out.chunks.push((Stream::Stdout, format!("{header}\n\n")));
        }
        out.out_raw(body.to_string());
    }
}
