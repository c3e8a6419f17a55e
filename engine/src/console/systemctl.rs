//! `systemctl` on a node (over `ssh` or `minikube ssh`), for the units a kubeadm node runs:
//! `kubelet` (stop, start, restart, status, is-active, is-enabled, enable) and `containerd`
//! (status, is-active). What a script does to the kubelet is applied to the cluster when it
//! ends ([`Units::apply`]); within the script, `status` already sees it. Texts are systemd
//! 255's (Ubuntu 24.04), the kubelet unit as the pkgs.k8s.io package installs it.

use crate::cluster::node_files::{KUBEADM_DROP_IN_PATH, KUBELET_UNIT_PATH};
use crate::cluster::Cluster;
use crate::node::process::fmt_ms;
use crate::node::process::script::{ToolRun, Tools};

/// The kubelet unit's description.
const KUBELET: &str = "kubelet.service - kubelet: The Kubernetes Node Agent";

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
    /// When the kubelet last started, epoch ms.
    started_ms: i64,
    /// When it stopped, while it is down.
    stopped_ms: Option<i64>,
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
        let beats = &cluster.world.heartbeats;
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
            started_ms: beats.started_at(node, booted_ms),
            stopped_ms: beats.stopped_at(node),
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
        if self.stopped_ms.is_none() {
            self.stopped_ms = Some(now);
            self.changes.push(false);
        }
    }

    fn start(&mut self, now: i64) {
        if self.stopped_ms.is_some() {
            self.stopped_ms = None;
            self.started_ms = now;
            self.changes.push(true);
        }
    }

    /// The kubelet's process id: the boot's, or one per later start.
    fn pid(&self) -> i64 {
        if self.started_ms == self.booted_ms {
            1294
        } else {
            2000 + (self.started_ms / 1000).rem_euclid(60_000)
        }
    }

    /// `systemctl status kubelet`: the unit, then its last journal lines.
    fn kubelet_status(&self, now: i64) -> (Vec<String>, i32) {
        let stamp = |ms: i64| fmt_ms(ms, "%a %Y-%m-%d %H:%M:%S UTC");
        let pid = self.pid();
        let mut lines = vec![
            format!(
                "{} {KUBELET}",
                if self.stopped_ms.is_some() {
                    "○"
                } else {
                    "●"
                }
            ),
            format!("     Loaded: loaded ({KUBELET_UNIT_PATH}; enabled; preset: enabled)"),
            format!(
                "    Drop-In: {}",
                KUBEADM_DROP_IN_PATH.rsplit_once('/').map_or("", |(d, _)| d)
            ),
            "             └─10-kubeadm.conf".into(),
        ];
        let code = match self.stopped_ms {
            Some(stopped) => {
                let ran = stopped - self.started_ms;
                lines.extend([
                    format!(
                        "     Active: inactive (dead) since {}; {}",
                        stamp(stopped),
                        ago(now - stopped)
                    ),
                    format!("   Duration: {}", timespan(ran)),
                    "       Docs: https://kubernetes.io/docs/".into(),
                    format!("    Process: {pid} ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS (code=exited, status=0/SUCCESS)"),
                    format!("   Main PID: {pid} (code=exited, status=0/SUCCESS)"),
                    format!("        CPU: {}", timespan(cpu_ms(ran))),
                ]);
                3
            }
            None => {
                lines.extend([
                    format!(
                        "     Active: active (running) since {}; {}",
                        stamp(self.started_ms),
                        ago(now - self.started_ms)
                    ),
                    "       Docs: https://kubernetes.io/docs/".into(),
                    format!("   Main PID: {pid} (kubelet)"),
                    "      Tasks: 12 (limit: 4599)".into(),
                    "     Memory: 38.4M (peak: 40.1M)".into(),
                    format!("        CPU: {}", timespan(cpu_ms(now - self.started_ms))),
                    "     CGroup: /system.slice/kubelet.service".into(),
                    format!("             └─{pid} {}", kubelet_command()),
                ]);
                0
            }
        };
        lines.push(String::new());
        let journal = |ms: i64, text: &str| {
            format!(
                "{} {} systemd[1]: {text}",
                fmt_ms(ms, "%b %d %H:%M:%S"),
                self.node
            )
        };
        lines.push(journal(self.started_ms, &format!("Started {KUBELET}.")));
        if let Some(stopped) = self.stopped_ms {
            lines.push(journal(stopped, &format!("Stopping {KUBELET}...")));
            lines.push(journal(
                stopped,
                "kubelet.service: Deactivated successfully.",
            ));
            lines.push(journal(stopped, &format!("Stopped {KUBELET}.")));
        }
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

/// The kubelet's CPU time over `ran_ms` of running: its start, then about 1 %.
fn cpu_ms(ran_ms: i64) -> i64 {
    412 + ran_ms.max(0) / 97
}

/// A unit name as systemd completes it (`kubelet` → `kubelet.service`).
fn unit_name(word: &str) -> String {
    if word.contains('.') {
        word.to_string()
    } else {
        format!("{word}.service")
    }
}

impl Tools for Units {
    fn run(&mut self, argv: &[String], now_ms: i64) -> Option<ToolRun> {
        let program = argv.first()?.rsplit('/').next()?;
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
                let active = self.stopped_ms.is_none();
                say(if active { "active" } else { "inactive" }.into(), false);
                if active {
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

/// systemd's `format_timespan` to the millisecond: `6min 40.143s`, `2w 1d 5h 28min 15.575s`.
fn timespan(ms: i64) -> String {
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
