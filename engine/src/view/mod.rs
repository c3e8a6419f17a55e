//! Read-only views of the cluster for a graphical front end (the page's cluster board).
//!
//! [`Cluster::generation`] is a change counter (the store's latest resourceVersion): a view
//! re-reads [`Cluster::snapshot`] only when it moved. A snapshot is plain data, cheap to clone
//! and compare, with texts exactly as kubectl prints them (pod STATUS, node roles).

mod autoscaling;
mod events;
mod nodes;
mod pods;
mod storage;
mod traffic;
mod usage;
mod volumes;

pub use autoscaling::{
    AutoscalerView, ChartPoint, Decision, Recorder as AutoscalingRecorder, Unknown, HISTORY_POINTS,
    SAMPLE_MS,
};
pub use events::EventView;
pub use nodes::NodeView;
pub use pods::{OwnerView, PodView};
pub use storage::{ClaimEvent, ClaimView, PersistentVolumeView};
pub use traffic::{RequestView, ServiceTally, StreamView, REQUEST_LIMIT, TALLY_WINDOW};
pub use usage::PodUsage;
pub use volumes::{ClaimLink, SourceView, VolumeView};

use crate::clock::SimDuration;
use crate::cluster::Cluster;

/// How many of the newest events a snapshot carries.
pub const EVENT_LIMIT: usize = 100;

/// Everything the board shows, read at one instant.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BoardSnapshot {
    /// [`Cluster::generation`] when the snapshot was taken.
    pub generation: u64,
    /// Simulated time since the cluster booted.
    pub uptime: SimDuration,
    /// The simulated clock, in milliseconds since the epoch (ages are relative to it).
    pub now_ms: i64,
    /// Nodes, in `kubectl get nodes` order.
    pub nodes: Vec<NodeView>,
    /// Pods of every namespace, by namespace then name.
    pub pods: Vec<PodView>,
    /// Namespace names, sorted.
    pub namespaces: Vec<String>,
    /// The newest events first, at most [`EVENT_LIMIT`].
    pub events: Vec<EventView>,
    /// The newest requests first, at most [`REQUEST_LIMIT`].
    pub requests: Vec<RequestView>,
    /// Per Service, which pods answered its recent requests.
    pub tallies: Vec<ServiceTally>,
    /// The load streams running (each one entry with its rate, not its requests).
    #[serde(default)]
    pub streams: Vec<StreamView>,
    /// PersistentVolumeClaims of every namespace, by namespace then name.
    pub claims: Vec<ClaimView>,
    /// PersistentVolumes, by name.
    pub persistent_volumes: Vec<PersistentVolumeView>,
}

/// The kinds [`Cluster::describe`] is offered for by the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DescribeKind {
    /// `kubectl describe pod NAME -n NAMESPACE`.
    Pod,
    /// `kubectl describe node NAME`.
    Node,
    /// `kubectl describe pvc NAME -n NAMESPACE`.
    PersistentVolumeClaim,
    /// `kubectl describe pv NAME`.
    PersistentVolume,
}

impl Cluster {
    /// A counter that moves whenever any object changes (the latest resourceVersion), a
    /// request crosses the network or metrics-server publishes. Unchanged means a snapshot taken earlier is still
    /// current (apart from ages).
    pub fn generation(&self) -> u64 {
        self.world.api.resource_version()
            + self.network.traffic.total
            + self.world.api.metrics_version()
    }

    /// Reads nodes, pods (with their volumes), namespaces, the newest events, traffic,
    /// claims and volumes for the board.
    pub fn snapshot(&self) -> BoardSnapshot {
        let now_ms = self.world.clock.now_ms();
        BoardSnapshot {
            generation: self.generation(),
            uptime: self.uptime(),
            now_ms,
            nodes: nodes::read(self),
            pods: pods::read(self),
            namespaces: self
                .world
                .api
                .list("Namespace", None)
                .map(|n| n.name().to_string())
                .collect(),
            events: events::read(self, now_ms, EVENT_LIMIT),
            requests: traffic::requests(self),
            tallies: traffic::tallies(self),
            streams: traffic::streams(self),
            claims: storage::claims(&self.world.api, now_ms),
            persistent_volumes: storage::volumes(&self.world.api, now_ms),
        }
    }

    /// What `kubectl describe pod NAME -n NAMESPACE` (or `describe node|pvc|pv NAME`) prints,
    /// without touching the console (its history or a running watch).
    pub fn describe(&self, kind: DescribeKind, namespace: &str, name: &str) -> String {
        let (kind, namespace) = match kind {
            DescribeKind::Pod => ("Pod", namespace),
            DescribeKind::Node => ("Node", ""),
            DescribeKind::PersistentVolumeClaim => ("PersistentVolumeClaim", namespace),
            DescribeKind::PersistentVolume => ("PersistentVolume", ""),
        };
        match self.world.api.get(kind, namespace, name) {
            Some(obj) => crate::printers::describe::describe(&self.world, obj).unwrap_or_default(),
            None => crate::api::error::ApiError::not_found(crate::api::kinds::info(kind), name)
                .kubectl_message(),
        }
    }
}

/// A duration as kubectl prints ages (`5s`, `3m12s`, `2d`).
pub fn human_age(d: SimDuration) -> String {
    crate::printers::age::human_duration_secs(d.as_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_moves_only_on_changes() {
        let mut c = Cluster::new();
        let g = c.generation();
        c.advance(SimDuration::seconds(1));
        assert_eq!(c.generation(), g, "nothing happened");
        c.run("kubectl create namespace dev");
        assert!(c.generation() > g);
        let s = c.snapshot();
        assert_eq!(s.generation, c.generation());
        assert!(s.namespaces.contains(&"dev".to_string()));
        assert!(s.namespaces.contains(&"kube-system".to_string()));
    }

    #[test]
    fn snapshot_equals_itself_when_nothing_changed() {
        let c = Cluster::new();
        assert_eq!(c.snapshot(), c.snapshot());
        assert_eq!(c.snapshot().uptime, c.uptime());
    }

    #[test]
    fn describe_pod_and_node_read_like_kubectl() {
        let mut c = Cluster::new();
        c.run("kubectl run web --image=nginx");
        let text = c.describe(DescribeKind::Pod, "default", "web");
        assert!(text.starts_with("Name:"), "{text}");
        assert!(text.contains("web"));
        assert_eq!(
            text,
            c.run("kubectl describe pod web -n default").text(),
            "same as the console"
        );
        let node = c.describe(DescribeKind::Node, "", "node1");
        assert!(node.contains("Allocated resources:"), "{node}");
        let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n";
        c.write_file("pvc.yaml", claim).unwrap();
        c.run("kubectl apply -f pvc.yaml");
        assert_eq!(
            c.describe(DescribeKind::PersistentVolumeClaim, "default", "data"),
            c.run("kubectl describe pvc data").text()
        );
        assert!(c
            .describe(DescribeKind::PersistentVolumeClaim, "default", "data")
            .starts_with("Name:"));
        let missing = c.describe(DescribeKind::Pod, "default", "nope");
        assert!(
            missing.contains("NotFound") || missing.contains("not found"),
            "{missing}"
        );
    }

    #[test]
    fn describe_leaves_a_running_watch_alone() {
        let mut c = Cluster::new();
        c.set_streaming(true);
        c.run("kubectl get pods -w");
        assert!(c.job_running());
        let _ = c.describe(DescribeKind::Node, "", "node1");
        assert!(c.job_running());
    }

    #[test]
    fn ages_print_like_kubectl() {
        assert_eq!(human_age(SimDuration::seconds(5)), "5s");
        assert_eq!(human_age(SimDuration::seconds(192)), "3m12s");
    }
}
