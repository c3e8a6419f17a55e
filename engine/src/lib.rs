//! Kubeplay engine: a deterministic, in-memory emulation of a small Kubernetes cluster
//! and the kubectl console that drives it.
//!
//! The one entry point is [`Cluster`]: build it with [`Cluster::new`] (or
//! [`Cluster::with_config`]), type into it with [`Cluster::run`], and let simulated time pass
//! with [`Cluster::advance`]. Nothing here reads the wall clock or the network, so the same
//! seed and the same commands always produce the same cluster and the same output.

// Parts of the API machinery (watch log, typed pods) are consumed by the controllers that follow.
#[allow(dead_code)]
mod api;
mod apiserver;
mod bounds;
mod bundle;
#[allow(dead_code)] // issue 17 contract: used as the usage model lands
mod cgroups;
mod clock;
mod cluster;
mod console;
mod controllers;
pub mod lessons;
mod lint;
mod network;
mod node;
mod output;
mod printers;
mod rng;
mod sh;
pub mod sort;
// Consumed by the kubelet's volumes and the storage controllers that follow.
#[allow(dead_code, unused_imports)]
mod storage;
mod timers;
pub mod transcript;
pub mod view;
mod world;

pub use api::explain::{docs_loaded as explain_docs_loaded, install_docs as install_explain_docs};
pub use bundle::install as install_bundle;
pub use clock::SimDuration;
pub use cluster::{Cluster, ClusterConfig, ClusterProfile, Kubeconfig, NodeProfile, NodeRole};
pub use console::complete::Completion;
pub use lint::{lint_manifest, ManifestProblem};
pub use output::{EditOutcome, EditRequest, OpenFile, Output, Stream};

/// Kubernetes version the emulation follows (kubectl, apiserver and kubelet alike).
pub const KUBERNETES_VERSION: &str = "v1.34.1";
/// Kustomize version embedded in kubectl 1.34, as `kubectl version` reports it.
pub const KUSTOMIZE_VERSION: &str = "v5.7.1";
