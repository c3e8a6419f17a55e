//! The resource metrics API (`metrics.k8s.io/v1beta1`), as the API server serves it through
//! aggregation: the APIService `v1beta1.metrics.k8s.io` routes reads to metrics-server,
//! which answers from the points it last scraped from the kubelets. Here metrics-server's
//! controller publishes those points ([`ApiServer::publish_metrics`]) and every reader —
//! `kubectl top`, `get --raw`, the HorizontalPodAutoscaler controller, the board — reads
//! them through [`ApiServer::metrics`], which answers as the aggregator would: not
//! registered, unavailable, or the points.

use std::collections::BTreeMap;

use super::ApiServer;
use crate::api::object::APIService;

/// The APIService that serves the resource metrics API.
pub const METRICS_API_SERVICE: &str = "v1beta1.metrics.k8s.io";

/// One container's usage over a window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerMetrics {
    /// The container's name.
    pub name: String,
    /// CPU: cores × 10⁹ averaged over the window (`usage.cpu` in nanocores).
    pub cpu_nanocores: u64,
    /// Memory: the working set at the window's end, in bytes (`usage.memory`).
    pub memory_bytes: u64,
}

/// A pod's usage (`PodMetrics`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodMetrics {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The pod's labels (metrics-server copies them).
    pub labels: BTreeMap<String, String>,
    /// The window's end (epoch ms): `timestamp`.
    pub timestamp_ms: i64,
    /// The window's length in ms: `window`.
    pub window_ms: i64,
    /// Its containers, in the pod's order.
    pub containers: Vec<ContainerMetrics>,
}

/// A node's usage (`NodeMetrics`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeMetrics {
    /// The node's name.
    pub name: String,
    /// The node's labels.
    pub labels: BTreeMap<String, String>,
    /// The window's end (epoch ms).
    pub timestamp_ms: i64,
    /// The window's length in ms.
    pub window_ms: i64,
    /// CPU in nanocores.
    pub cpu_nanocores: u64,
    /// Working set in bytes.
    pub memory_bytes: u64,
}

/// What metrics-server last published.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetricsData {
    /// Nodes by name.
    pub nodes: BTreeMap<String, NodeMetrics>,
    /// Pods by (namespace, name).
    pub pods: BTreeMap<(String, String), PodMetrics>,
}

/// Why the resource metrics API cannot answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsUnavailable {
    /// No APIService `v1beta1.metrics.k8s.io`: the group is not served at all (discovery
    /// does not list it; `kubectl top` says `Metrics API not available`).
    NotRegistered,
    /// The APIService exists but is not `Available` (its Service has no ready endpoint):
    /// reads fail with `ServiceUnavailable` (`the server is currently unable to handle the
    /// request`).
    Unavailable,
}

/// The metrics API's state beside the store: the data and a version that moves on every
/// publish (for views that redraw on change).
#[derive(Clone, Debug, Default)]
pub struct MetricsStore {
    data: MetricsData,
    version: u64,
}

impl ApiServer {
    /// The resource metrics API as a client reaches it: the points metrics-server last
    /// published, or why the aggregator cannot route the request.
    pub fn metrics(&self) -> Result<&MetricsData, MetricsUnavailable> {
        let service = self
            .get_as::<APIService>("", METRICS_API_SERVICE)
            .ok_or(MetricsUnavailable::NotRegistered)?;
        let available = service
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| {
                c.iter()
                    .any(|c| c.type_ == "Available" && c.status == "True")
            });
        if available {
            Ok(&self.metrics.data)
        } else {
            Err(MetricsUnavailable::Unavailable)
        }
    }

    /// metrics-server's answer to a scrape: replaces what the API serves.
    pub fn publish_metrics(&mut self, data: MetricsData) {
        if self.metrics.data != data {
            self.metrics.data = data;
            self.metrics.version += 1;
        }
    }

    /// Moves on every change of the published metrics.
    #[allow(dead_code)] // issue 17 contract: for the board's redraws
    pub fn metrics_version(&self) -> u64 {
        self.metrics.version
    }
}
