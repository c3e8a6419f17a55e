//! The kubelets' heartbeats. A running kubelet renews its node's Lease (in
//! `kube-node-lease`) every 10 s and posts an unchanged node status every 5 minutes; the node
//! lifecycle controller reads how long ago it last heard from each. A write every 10 s per
//! node would cost what passes, not what changes, so the renewals are kept as what decides
//! them: when each kubelet last started and, while it is down, when it stopped. Every renew
//! and post time follows from those instants ([`Heartbeats::last_renew`],
//! [`Heartbeats::last_post`]). The kubelet writes them (`systemctl stop|start kubelet`);
//! the controller and `describe node` read them.

/// How often a kubelet renews its Lease (a quarter of the 40 s lease), in ms.
pub const LEASE_RENEW_MS: i64 = 10 * 1000;
/// How often a kubelet posts an unchanged node status (`nodeStatusReportFrequency`), in ms.
pub const STATUS_REPORT_MS: i64 = 5 * 60 * 1000;

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
}

/// Each kubelet's start and stop instants, and a count of changes (readers notice a change
/// by it).
#[derive(Clone, Debug, Default)]
pub struct Heartbeats {
    agents: Vec<Agent>,
    changes: u64,
}

impl Heartbeats {
    fn agent(&self, node: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.node == node)
    }

    /// Records that `node`'s kubelet stopped at `at_ms` (no change if it is down already).
    pub fn stop(&mut self, node: &str, at_ms: i64) {
        if self.is_down(node) {
            return;
        }
        match self.agents.iter_mut().find(|a| a.node == node) {
            Some(a) => a.stopped_ms = Some(at_ms),
            None => self.agents.push(Agent {
                node: node.to_string(),
                started_ms: None,
                stopped_ms: Some(at_ms),
            }),
        }
        self.changes += 1;
    }

    /// Records that `node`'s kubelet started at `at_ms`.
    pub fn start(&mut self, node: &str, at_ms: i64) {
        let agent = Agent {
            node: node.to_string(),
            started_ms: Some(at_ms),
            stopped_ms: None,
        };
        match self.agents.iter_mut().find(|a| a.node == node) {
            Some(a) => *a = agent,
            None => self.agents.push(agent),
        }
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

    /// When `node`'s kubelet last started (its creation, `created_ms`, if never restarted).
    pub fn started_at(&self, node: &str, created_ms: i64) -> i64 {
        self.agent(node)
            .and_then(|a| a.started_ms)
            .unwrap_or(created_ms)
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
        h.start("node1", 503_000);
        assert!(!h.any_down());
        assert_eq!(h.last_renew("node1", 0, 503_000), 503_000);
        assert_eq!(h.last_renew("node1", 0, 527_000), 523_000);
        assert_eq!(h.changes(), 2);
    }
}
