//! The kubelets' heartbeats. A running kubelet renews its node's Lease (in
//! `kube-node-lease`) every 10 s and posts an unchanged node status every 5 minutes; the node
//! lifecycle controller reads how long ago it last heard from each. A write every 10 s per
//! node would cost what passes, not what changes, so the renewals are kept as what decides
//! them: when each kubelet last started and, while it is down, when it stopped. Every renew
//! and post time follows from those instants ([`Heartbeats::last_renew`],
//! [`Heartbeats::last_post`]). The kubelet writes them (`systemctl stop|start kubelet`);
//! the controller and `describe node` read them.
//!
//! Each kubelet's recent runs are kept too, for its unit's journal ([`Run`]): when it
//! started, whether systemd restarted it, and how the run ended — stopped, or failing at
//! every start (a kubelet that cannot load its configuration exits, and systemd starts it
//! again every [`RESTART_SEC_MS`]: one [`Run`] stands for the whole loop, its starts follow
//! from when it began).

/// How often a kubelet renews its Lease (a quarter of the 40 s lease), in ms.
pub const LEASE_RENEW_MS: i64 = 10 * 1000;
/// How often a kubelet posts an unchanged node status (`nodeStatusReportFrequency`), in ms.
pub const STATUS_REPORT_MS: i64 = 5 * 60 * 1000;
/// The kubelet unit's `RestartSec=10`: systemd's wait before it starts a failed kubelet again.
pub const RESTART_SEC_MS: i64 = 10 * 1000;
/// How long a kubelet that cannot start runs before it exits, in ms.
pub const FAILING_RUN_MS: i64 = 66;
/// One turn of a failing kubelet's loop: it runs, exits, systemd waits, starts it again.
pub const FAILING_CYCLE_MS: i64 = FAILING_RUN_MS + RESTART_SEC_MS;
/// The start of turn `k` of a failing kubelet's loop that began at `since_ms`.
pub fn turn_start(since_ms: i64, k: i64) -> i64 {
    since_ms.saturating_add(k.saturating_mul(FAILING_CYCLE_MS))
}

/// The turn of a failing kubelet's loop that began at `since_ms` which `at_ms` falls in.
pub fn turn_at(since_ms: i64, at_ms: i64) -> i64 {
    (at_ms - since_ms).max(0) / FAILING_CYCLE_MS
}

/// The runs of a kubelet kept for its journal (older ones are dropped, as journald
/// vacuums old files).
const RUNS_KEPT: usize = 32;

/// One run of a kubelet, as its unit's journal tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// When it started, epoch ms (`None`: with its node, at boot).
    pub started_ms: Option<i64>,
    /// systemd's restart counter, when systemd started it again after a failure.
    pub restart: Option<u32>,
    /// How it ended.
    pub end: RunEnd,
}

/// How a kubelet's run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// It is running.
    Running,
    /// `systemctl stop` stopped it at this instant (epoch ms).
    Stopped(i64),
    /// It exits at every start with this error (the kubelet's `err`), from `started_ms` on:
    /// until it was stopped (`Some`), or still (`None`).
    Failing {
        /// The kubelet's error.
        error: String,
        /// When `systemctl stop` ended the loop, or its start that did not fail.
        until: Option<i64>,
    },
}

use k8s_openapi::api::core::v1::Node;

use crate::clock::ms_from_time;

/// When `node` was created (its machine booted and its kubelet first started), epoch ms.
pub fn created_ms(node: &Node) -> i64 {
    node.metadata
        .creation_timestamp
        .as_ref()
        .map_or(0, ms_from_time)
}

/// One node's kubelet, once it has been stopped or restarted (a node never touched has
/// run since its creation).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Agent {
    node: String,
    /// When it last started, epoch ms (`None`: with its node, never restarted).
    started_ms: Option<i64>,
    /// When it stopped, while it is down.
    stopped_ms: Option<i64>,
    /// Its latest runs, oldest first.
    runs: Vec<Run>,
}

/// Each kubelet's start and stop instants, and a count of changes (readers notice a change
/// by it).
#[derive(Clone, Debug, Default)]
pub struct Heartbeats {
    agents: Vec<Agent>,
    changes: u64,
}

impl Agent {
    /// While it fails at every start: when the loop began and its error.
    fn failing(&self) -> Option<(i64, &str)> {
        match self.runs.last()? {
            Run {
                started_ms: Some(since),
                end: RunEnd::Failing { error, until: None },
                ..
            } => Some((*since, error)),
            _ => None,
        }
    }

    /// Ends its failing loop at `at_ms`, if it is in one; whether it was.
    fn end_loop(&mut self, at_ms: i64) -> bool {
        match self.runs.last_mut() {
            Some(Run {
                end:
                    RunEnd::Failing {
                        until: until @ None,
                        ..
                    },
                ..
            }) => {
                *until = Some(at_ms);
                true
            }
            _ => false,
        }
    }

    fn push(&mut self, run: Run) {
        if self.runs.len() >= RUNS_KEPT {
            self.runs.remove(0);
        }
        self.runs.push(run);
    }
}

impl Heartbeats {
    fn agent(&self, node: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.node == node)
    }

    /// Records that `node`'s kubelet stopped at `at_ms` (no change if it is down already).
    pub fn stop(&mut self, node: &str, at_ms: i64) {
        let agent = self.agent_mut(node);
        // A failing loop ends: systemd starts it no more.
        if !agent.end_loop(at_ms) {
            if agent.stopped_ms.is_some() {
                return;
            }
            match agent.runs.last_mut() {
                Some(Run {
                    end: end @ RunEnd::Running,
                    ..
                }) => *end = RunEnd::Stopped(at_ms),
                _ => agent.push(Run {
                    started_ms: None,
                    restart: None,
                    end: RunEnd::Stopped(at_ms),
                }),
            }
        }
        agent.stopped_ms.get_or_insert(at_ms);
        self.changes += 1;
    }

    /// Records that `node`'s kubelet, started at `at_ms`, cannot run: it exits with `error`
    /// at this and every later start, until it is stopped or a start finds it can run.
    /// `restart`: systemd's restart counter at this start, when systemd made it (the loop
    /// goes on with a new error: its files changed but still do not load).
    pub fn fail(&mut self, node: &str, at_ms: i64, error: String, restart: Option<u32>) {
        let agent = self.agent_mut(node);
        agent.end_loop(at_ms);
        agent.push(Run {
            started_ms: Some(at_ms),
            restart,
            end: RunEnd::Failing { error, until: None },
        });
        agent.started_ms = Some(at_ms);
        agent.stopped_ms = Some(at_ms + FAILING_RUN_MS);
        self.changes += 1;
    }

    /// While `node`'s kubelet fails at every start: when the loop began and its error.
    pub fn failing(&self, node: &str) -> Option<(i64, &str)> {
        self.agent(node)?.failing()
    }

    /// systemd's restart counter at turn `turn` of `node`'s failing loop.
    pub fn restart_counter(&self, node: &str, turn: i64) -> u32 {
        let base = self
            .agent(node)
            .and_then(|a| a.runs.last())
            .and_then(|r| r.restart);
        let turn = u32::try_from(turn).unwrap_or(u32::MAX);
        base.unwrap_or(0).saturating_add(turn)
    }

    /// Whether any kubelet fails at every start.
    pub fn any_failing(&self) -> bool {
        self.agents.iter().any(|a| a.failing().is_some())
    }

    /// `node`'s kubelet's latest runs, oldest first (none: it has run since its node booted).
    pub fn runs(&self, node: &str) -> &[Run] {
        self.agent(node).map_or(&[], |a| &a.runs)
    }

    fn agent_mut(&mut self, node: &str) -> &mut Agent {
        let at = match self.agents.iter().position(|a| a.node == node) {
            Some(at) => at,
            None => {
                self.agents.push(Agent {
                    node: node.to_string(),
                    started_ms: None,
                    stopped_ms: None,
                    runs: Vec::new(),
                });
                self.agents.len() - 1
            }
        };
        &mut self.agents[at]
    }

    /// Records that `node`'s kubelet started at `at_ms`; `restart`: systemd's restart
    /// counter, when systemd started it again after a failed start (the loop ends there).
    pub fn start(&mut self, node: &str, at_ms: i64, restart: Option<u32>) {
        let agent = self.agent_mut(node);
        agent.end_loop(at_ms);
        agent.push(Run {
            started_ms: Some(at_ms),
            restart,
            end: RunEnd::Running,
        });
        agent.started_ms = Some(at_ms);
        agent.stopped_ms = None;
        self.changes += 1;
    }

    /// Whether `node`'s kubelet is stopped.
    pub fn is_down(&self, node: &str) -> bool {
        self.agent(node).is_some_and(|a| a.stopped_ms.is_some())
    }

    /// Whether any kubelet is stopped (the common answer, no, costs one look).
    pub fn any_down(&self) -> bool {
        self.agents.iter().any(|a| a.stopped_ms.is_some())
    }

    /// When `node`'s kubelet stopped, while it is down.
    pub fn stopped_at(&self, node: &str) -> Option<i64> {
        self.agent(node).and_then(|a| a.stopped_ms)
    }

    /// How many starts and stops there have been.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The nodes whose kubelet was ever stopped or restarted.
    pub fn nodes(&self) -> impl Iterator<Item = &str> {
        self.agents.iter().map(|a| a.node.as_str())
    }

    /// The last time `node`'s kubelet renewed its Lease, as of `now_ms`.
    pub fn last_renew(&self, node: &str, created_ms: i64, now_ms: i64) -> i64 {
        self.last_tick(node, created_ms, now_ms, LEASE_RENEW_MS)
    }

    /// The last time `node`'s kubelet posted its status, as of `now_ms`: when a condition
    /// last changed (every condition's heartbeat moves with a post), then every 5 minutes
    /// while it runs.
    pub fn last_status_post(&self, node: &Node, now_ms: i64) -> i64 {
        let posted = node
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .filter_map(|c| c.last_heartbeat_time.as_ref().map(ms_from_time))
            .fold(created_ms(node), i64::max)
            .min(now_ms);
        let name = node.metadata.name.as_deref().unwrap_or_default();
        self.last_post(name, posted, now_ms)
    }

    /// The last time `node`'s kubelet posted its status (every condition's heartbeat), as of
    /// `now_ms`, when no condition changed after `posted_ms`.
    pub fn last_post(&self, node: &str, posted_ms: i64, now_ms: i64) -> i64 {
        self.last_tick(node, posted_ms, now_ms, STATUS_REPORT_MS)
    }

    /// The last instant of a `period_ms` beat from `from_ms` (or the kubelet's latest start,
    /// if later) up to `now_ms` or its stop.
    fn last_tick(&self, node: &str, from_ms: i64, now_ms: i64, period_ms: i64) -> i64 {
        let agent = self.agent(node);
        let from = agent
            .and_then(|a| a.started_ms)
            .map_or(from_ms, |s| s.max(from_ms));
        let until = agent
            .and_then(|a| a.stopped_ms)
            .map_or(now_ms, |s| s.min(now_ms));
        if until <= from {
            return from.min(now_ms);
        }
        until - (until - from).rem_euclid(period_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewals_stop_with_the_kubelet_and_resume_from_its_start() {
        let mut h = Heartbeats::default();
        assert_eq!(h.last_renew("node1", 0, 95_000), 90_000);
        h.stop("node1", 97_000);
        assert!(h.is_down("node1") && h.any_down());
        assert_eq!(h.last_renew("node1", 0, 500_000), 90_000);
        assert_eq!(h.last_post("node1", 0, 900_000), 0);
        h.start("node1", 503_000, None);
        assert!(!h.any_down());
        assert_eq!(h.last_renew("node1", 0, 503_000), 503_000);
        assert_eq!(h.last_renew("node1", 0, 527_000), 523_000);
        assert_eq!(h.changes(), 2);
    }
}
