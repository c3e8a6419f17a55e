//! `systemctl` on a node (over `ssh` or `minikube ssh`), for the units a kubeadm node runs:
//! `kubelet` (stop, start, restart, status, is-active, is-enabled, enable) and `containerd`
//! (status, is-active). What a script does to the kubelet is applied to the cluster when it
//! ends ([`Units::apply`]); within the script, `status` already sees it. Texts are systemd
//! 255's (Ubuntu 24.04), the kubelet unit as the pkgs.k8s.io package installs it.

use super::journal::{self, kubelet_cpu_ms as cpu_ms, kubelet_pid, timespan, KUBELET};
use crate::cluster::node_files::{KUBEADM_DROP_IN_PATH, KUBELET_UNIT_PATH};
use crate::cluster::Cluster;
use crate::node::process::fmt_ms;
use crate::node::process::script::{ToolRun, Tools};
use crate::world::heartbeats::{turn_at, turn_start, Heartbeats, RunEnd, FAILING_RUN_MS};

/// The kubelet's command line (what `CGroup:` shows), as kubeadm's drop-in makes it.
fn kubelet_command() -> String {
    use crate::cluster::node_files::{DROP_IN_ARGS, KUBEADM_FLAGS};
    format!("/usr/bin/kubelet {DROP_IN_ARGS} {KUBEADM_FLAGS}")
}

/// One node's units as a script sees and changes them.
pub(crate) struct Units {
    node: String,
    /// The node's creation (its boot), epoch ms.
    booted_ms: i64,
    /// The kubelets' starts and stops, as the script has made them so far.
    beats: Heartbeats,
    /// Starts (`true`) and stops the script asked for, in order.
    changes: Vec<bool>,
    /// The kubelet's unit files on the node's disk, as (path, text): what `cat` prints.
    kubelet_files: Vec<(&'static str, String)>,
}

impl Units {
    /// The units of `node` as the cluster has them now.
    pub(crate) fn of(cluster: &Cluster, node: &str) -> Option<Units> {
        let n = cluster
            .world
            .api
            .get_as::<k8s_openapi::api::core::v1::Node>("", node)?;
        let booted_ms = crate::world::heartbeats::created_ms(n);
        let disk = cluster
            .world
            .storage
            .tree(&crate::storage::Backing::Node(node.to_string()));
        let kubelet_files = [KUBELET_UNIT_PATH, KUBEADM_DROP_IN_PATH]
            .into_iter()
            .filter_map(|p| Some((p, disk?.read(p).ok()?.to_string())))
            .collect();
        Some(Units {
            node: node.to_string(),
            booted_ms,
            beats: cluster.world.heartbeats.clone(),
            changes: Vec::new(),
            kubelet_files,
        })
    }

    /// Applies the script's starts and stops to the node's kubelet.
    pub(crate) fn apply(self, cluster: &mut Cluster) {
        for start in self.changes {
            if start {
                cluster.kubelet.start_agent(&mut cluster.world, &self.node);
            } else {
                cluster.kubelet.stop_agent(&mut cluster.world, &self.node);
            }
        }
    }

    fn stop(&mut self, now: i64) {
        if !self.beats.is_down(&self.node) || self.beats.failing(&self.node).is_some() {
            self.beats.stop(&self.node, now);
            self.changes.push(false);
        }
    }

    /// A start runs the kubelet at once; whether it can stay up is seen when the script
    /// ends ([`Units::apply`]), as a real one exits a moment after systemd reports it.
    fn start(&mut self, now: i64) {
        if self.beats.is_down(&self.node) {
            self.beats.start(&self.node, now, None);
            self.changes.push(true);
        }
    }

    /// When the kubelet's current run started (`None`: at boot).
    fn run_started(&self) -> Option<i64> {
        self.beats
            .runs(&self.node)
            .last()
            .and_then(|r| r.started_ms)
    }

    /// The unit's journal entries as of `now`.
    fn entries(&self, now: i64) -> Vec<journal::Entry> {
        journal::kubelet_entries(self.booted_ms, self.beats.runs(&self.node), now)
    }

    /// `systemctl status kubelet`: the unit, then its last journal lines.
    fn kubelet_status(&self, now: i64) -> (Vec<String>, i32) {
        let stamp = |ms: i64| fmt_ms(ms, "%a %Y-%m-%d %H:%M:%S UTC");
        let exited = |pid: i64, status: &str| {
            [
                format!(
                    "    Process: {pid} ExecStart={} (code=exited, status={status})",
                    journal::EXEC_START
                ),
                format!("   Main PID: {pid} (code=exited, status={status})"),
            ]
        };
        // A failing kubelet: the turn of its loop `now` is in.
        let turn = self.beats.failing(&self.node).map(|(since, _)| {
            let at = turn_start(since, turn_at(since, now));
            (at, now < at + FAILING_RUN_MS)
        });
        // Stopped while it failed at every start: when, and its last turn's start.
        let stopped_failing = self
            .beats
            .runs(&self.node)
            .last()
            .and_then(|r| match r.end {
                RunEnd::Failing { until: Some(u), .. } if self.beats.is_down(&self.node) => {
                    let since = r.started_ms.unwrap_or(self.booted_ms);
                    let last = turn_at(since, u - FAILING_RUN_MS);
                    Some((u, turn_start(since, last)))
                }
                _ => None,
            });
        let stopped = self
            .beats
            .stopped_at(&self.node)
            .filter(|_| turn.is_none() && stopped_failing.is_none());
        let glyph = if stopped.is_some() || stopped_failing.is_some() {
            "○"
        } else {
            "●"
        };
        let mut lines = vec![
            format!("{glyph} {KUBELET}"),
            format!("     Loaded: loaded ({KUBELET_UNIT_PATH}; enabled; preset: enabled)"),
            format!(
                "    Drop-In: {}",
                KUBEADM_DROP_IN_PATH.rsplit_once('/').map_or("", |(d, _)| d)
            ),
            "             └─10-kubeadm.conf".into(),
        ];
        let running = |lines: &mut Vec<String>, pid: i64, since: i64| {
            lines.extend([
                format!(
                    "     Active: active (running) since {}; {}",
                    stamp(since),
                    ago(now - since)
                ),
                "       Docs: https://kubernetes.io/docs/".into(),
                format!("   Main PID: {pid} (kubelet)"),
                "      Tasks: 12 (limit: 4599)".into(),
                "     Memory: 38.4M (peak: 40.1M)".into(),
                format!("        CPU: {}", timespan(cpu_ms(now - since))),
                "     CGroup: /system.slice/kubelet.service".into(),
                format!("             └─{pid} {}", kubelet_command()),
            ]);
        };
        let code = match (turn, stopped) {
            _ if stopped_failing.is_some() => {
                let (until, at) = stopped_failing.unwrap_or_default();
                lines.extend([
                    format!(
                        "     Active: inactive (dead) (Result: exit-code) since {}; {}",
                        stamp(until),
                        ago(now - until)
                    ),
                    "       Docs: https://kubernetes.io/docs/".into(),
                ]);
                lines.extend(exited(kubelet_pid(Some(at)), "1/FAILURE"));
                lines.push(format!("        CPU: {}", timespan(FAILING_RUN_MS)));
                3
            }
            (Some((at, true)), _) => {
                running(&mut lines, kubelet_pid(Some(at)), at);
                0
            }
            (Some((at, false)), _) => {
                let exit = at + FAILING_RUN_MS;
                lines.extend([
                    format!(
                        "     Active: activating (auto-restart) (Result: exit-code) since {}; {}",
                        stamp(exit),
                        ago(now - exit)
                    ),
                    "       Docs: https://kubernetes.io/docs/".into(),
                ]);
                lines.extend(exited(kubelet_pid(Some(at)), "1/FAILURE"));
                lines.push(format!("        CPU: {}", timespan(FAILING_RUN_MS)));
                3
            }
            (None, Some(stopped)) => {
                let started = self.run_started().unwrap_or(self.booted_ms);
                let ran = stopped - started;
                lines.extend([
                    format!(
                        "     Active: inactive (dead) since {}; {}",
                        stamp(stopped),
                        ago(now - stopped)
                    ),
                    format!("   Duration: {}", timespan(ran)),
                    "       Docs: https://kubernetes.io/docs/".into(),
                ]);
                lines.extend(exited(kubelet_pid(self.run_started()), "0/SUCCESS"));
                lines.push(format!("        CPU: {}", timespan(cpu_ms(ran))));
                3
            }
            (None, None) => {
                let since = self.run_started().unwrap_or(self.booted_ms);
                running(&mut lines, kubelet_pid(self.run_started()), since);
                0
            }
        };
        lines.push(String::new());
        let entries = self.entries(now);
        let last = entries.len().saturating_sub(10);
        lines.extend(entries[last..].iter().map(|e| e.short(&self.node)));
        (lines, code)
    }

    /// `systemctl status containerd`: running since the node booted.
    fn containerd_status(&self, now: i64) -> Vec<String> {
        let since = fmt_ms(self.booted_ms, "%a %Y-%m-%d %H:%M:%S UTC");
        vec![
            "● containerd.service - containerd container runtime".into(),
            "     Loaded: loaded (/usr/lib/systemd/system/containerd.service; enabled; preset: enabled)".into(),
            format!(
                "     Active: active (running) since {since}; {}",
                ago(now - self.booted_ms)
            ),
            "       Docs: https://containerd.io".into(),
            "   Main PID: 688 (containerd)".into(),
            "     CGroup: /system.slice/containerd.service".into(),
            "             └─688 /usr/bin/containerd".into(),
        ]
    }
}

/// A unit name as systemd completes it (`kubelet` → `kubelet.service`).
pub(super) fn unit_name(word: &str) -> String {
    if word.contains('.') {
        word.to_string()
    } else {
        format!("{word}.service")
    }
}

impl Tools for Units {
    fn run(&mut self, argv: &[String], now_ms: i64) -> Option<ToolRun> {
        let program = argv.first()?.rsplit('/').next()?;
        if program == "journalctl" {
            let units = vec![
                self.entries(now_ms),
                journal::containerd_entries(self.booted_ms),
            ];
            return Some(journal::journalctl(argv, &self.node, units));
        }
        if program != "systemctl" {
            return None;
        }
        let words: Vec<&str> = argv[1..]
            .iter()
            .map(String::as_str)
            .filter(|w| !w.starts_with('-'))
            .collect();
        let now_flag = argv.iter().any(|a| a == "--now");
        let mut run = ToolRun::default();
        let mut say = |text: String, stderr: bool| run.lines.push((text, stderr));
        let Some((&verb, units)) = words.split_first() else {
            say(
                "kubeplay: systemctl without a command is not simulated; try: systemctl status kubelet".into(),
                true,
            );
            run.code = 1;
            return Some(run);
        };
        let mut code = 0;
        match verb {
            "daemon-reload" => {}
            "start" | "stop" | "restart" | "enable" | "disable" | "reload" | "status"
            | "is-active" | "is-enabled" | "cat"
                if units.is_empty() =>
            {
                say("Too few arguments.".into(), true);
                code = 1;
            }
            _ => {
                for unit in units {
                    let name = unit_name(unit);
                    let c = self.one(verb, &name, now_flag, now_ms, &mut say);
                    code = code.max(c);
                }
            }
        }
        run.code = code;
        Some(run)
    }
}

impl Units {
    /// One unit's verb; returns the exit status.
    fn one(
        &mut self,
        verb: &str,
        name: &str,
        now_flag: bool,
        now: i64,
        say: &mut impl FnMut(String, bool),
    ) -> i32 {
        let known = matches!(name, "kubelet.service" | "containerd.service");
        match verb {
            // The unit's files, each under its path (systemd's `cat`).
            "cat" => {
                if !known {
                    say(format!("No files found for {name}."), true);
                    return 1;
                }
                if name != "kubelet.service" || self.kubelet_files.is_empty() {
                    say(format!("kubeplay: the files of {name} on this node are not simulated; try: systemctl status {name}"), true);
                    return 1;
                }
                let text: Vec<String> = self
                    .kubelet_files
                    .iter()
                    .map(|(path, text)| format!("# {path}\n{}", text.trim_end_matches('\n')))
                    .collect();
                say(text.join("\n\n"), false);
                0
            }
            "status" if !known => {
                say(format!("Unit {name} could not be found."), true);
                4
            }
            "is-active" if !known => {
                say("inactive".into(), false);
                4
            }
            "is-enabled" if !known => {
                say(
                    format!("Failed to get unit file state for {name}: No such file or directory"),
                    true,
                );
                1
            }
            "start" | "restart" | "reload" if !known => {
                say(
                    format!("Failed to {verb} {name}: Unit {name} not found."),
                    true,
                );
                5
            }
            "stop" if !known => {
                say(
                    format!("Failed to stop {name}: Unit {name} not loaded."),
                    true,
                );
                5
            }
            "enable" | "disable" if !known => {
                say(
                    format!("Failed to {verb} unit: Unit file {name} does not exist."),
                    true,
                );
                1
            }
            "status" if name == "containerd.service" => {
                for l in self.containerd_status(now) {
                    say(l, false);
                }
                0
            }
            "is-active" | "is-enabled" if name == "containerd.service" => {
                say(
                    if verb == "is-active" {
                        "active"
                    } else {
                        "enabled"
                    }
                    .into(),
                    false,
                );
                0
            }
            _ if name == "containerd.service" => {
                say(format!("kubeplay: `systemctl {verb} containerd` is not simulated (the container runtime keeps running); the kubelet's unit is: systemctl {verb} kubelet"), true);
                1
            }
            "status" => {
                let (lines, code) = self.kubelet_status(now);
                for l in lines {
                    say(l, false);
                }
                code
            }
            "is-active" => {
                let state = if !self.beats.is_down(&self.node) {
                    "active"
                } else if self.beats.failing(&self.node).is_some() {
                    "activating"
                } else {
                    "inactive"
                };
                say(state.into(), false);
                if state == "active" {
                    0
                } else {
                    3
                }
            }
            "is-enabled" => {
                say("enabled".into(), false);
                0
            }
            "stop" => {
                self.stop(now);
                0
            }
            "start" => {
                self.start(now);
                0
            }
            "restart" => {
                self.stop(now);
                self.start(now);
                0
            }
            "reload" => {
                say(format!("Failed to reload {name}: Job type reload is not applicable for unit {name}."), true);
                1
            }
            "enable" => {
                if now_flag {
                    self.start(now);
                }
                0
            }
            "disable" => {
                say("kubeplay: `systemctl disable kubelet` is not simulated (the node never reboots); stop it with: systemctl stop kubelet".into(), true);
                1
            }
            _ => {
                say(format!("Unknown command verb '{verb}'."), true);
                1
            }
        }
    }
}

/// systemd's `format_timestamp_relative`: `14s ago`, `5min ago`, `1h 2min ago`, ….
fn ago(ms: i64) -> String {
    const S: i64 = 1000;
    const MIN: i64 = 60 * S;
    const H: i64 = 60 * MIN;
    const DAY: i64 = 24 * H;
    const WEEK: i64 = 7 * DAY;
    const MONTH: i64 = 2_629_800 * S;
    const YEAR: i64 = 31_557_600 * S;
    let d = ms.max(0);
    let plural = |n: i64, one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            many.to_string()
        }
    };
    if d >= YEAR {
        let (y, m) = (d / YEAR, (d % YEAR) / MONTH);
        format!(
            "{y} {} {m} {} ago",
            plural(y, "year", "years"),
            plural(m, "month", "months")
        )
    } else if d >= MONTH {
        let (m, days) = (d / MONTH, (d % MONTH) / DAY);
        format!(
            "{m} {} {days} {} ago",
            plural(m, "month", "months"),
            plural(days, "day", "days")
        )
    } else if d >= WEEK {
        let (w, days) = (d / WEEK, (d % WEEK) / DAY);
        format!(
            "{w} {} {days} {} ago",
            plural(w, "week", "weeks"),
            plural(days, "day", "days")
        )
    } else if d >= 2 * DAY {
        format!("{} days ago", d / DAY)
    } else if d >= 25 * H {
        format!("1 day {}h ago", (d - DAY) / H)
    } else if d >= 6 * H {
        format!("{}h ago", d / H)
    } else if d >= H {
        format!("{}h {}min ago", d / H, (d % H) / MIN)
    } else if d >= 5 * MIN {
        format!("{}min ago", d / MIN)
    } else if d >= MIN {
        format!("{}min {}s ago", d / MIN, (d % MIN) / S)
    } else if d >= S {
        format!("{}s ago", d / S)
    } else if d > 0 {
        format!("{d}ms ago")
    } else {
        "now".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_systemd_writes_them() {
        assert_eq!(ago(14_000), "14s ago");
        assert_eq!(ago(5 * 60_000 + 3_000), "5min ago");
        assert_eq!(ago(2 * 60_000 + 3_000), "2min 3s ago");
        assert_eq!(ago(3_723_000), "1h 2min ago");
        assert_eq!(timespan(400_143), "6min 40.143s");
        assert_eq!(timespan(26_274), "26.274s");
        assert_eq!(timespan(600_000), "10min");
        assert_eq!(timespan(1_500), "1.5s");
    }
}
