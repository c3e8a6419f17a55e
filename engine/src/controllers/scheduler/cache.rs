//! The scheduler's cache of bound pods (upstream's `internal/cache`): what each node's pods
//! request, and the pods InterPodAffinity counts, kept from watch events so that a pass
//! costs what changed rather than a walk over every pod in the cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;

use super::interpod::Peer;
use super::{affinity, pod_requests, NodeUsage};
use crate::api::object::{Object, WatchEvent, WatchEventType};

/// (namespace, name) of a pod.
pub(super) type PodKey = (String, String);

/// What one bound pod takes from its node.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Requests {
    cpu: f64,
    mem: f64,
    /// Host ports: (protocol, hostIP, port).
    ports: Vec<(String, String, i32)>,
}

impl Requests {
    pub(super) fn of(pod: &Pod) -> Requests {
        let (cpu, mem) = pod_requests(pod);
        Requests {
            cpu,
            mem,
            ports: affinity::host_ports(pod),
        }
    }

    pub(super) fn cpu(&self) -> f64 {
        self.cpu
    }

    pub(super) fn mem(&self) -> f64 {
        self.mem
    }

    pub(super) fn ports(&self) -> &[(String, String, i32)] {
        &self.ports
    }
}

/// Bound pods that still hold their node's resources (not Succeeded or Failed; a
/// terminating pod holds them until it is gone).
#[derive(Clone, Debug, Default)]
pub(super) struct Cache {
    /// What each node's pods request, by node, then pod.
    requests: BTreeMap<String, BTreeMap<PodKey, Requests>>,
    /// The node of each cached pod.
    node_of: BTreeMap<PodKey, String>,
    /// The cached pods as InterPodAffinity sees them.
    peers: BTreeMap<PodKey, Peer>,
    /// How many of them carry pod (anti-)affinity terms.
    with_terms: usize,
    /// Each node's sums, as of the last [`Cache::usage`].
    usage: BTreeMap<String, NodeUsage>,
    /// Nodes whose pods changed since.
    dirty: BTreeSet<String>,
    /// The latest version of each cached pod (shared with the store, not a copy): a write
    /// that changed neither its spec nor its labels (a status write) changes no entry.
    seen: BTreeMap<PodKey, Arc<Object>>,
}

impl Cache {
    /// Follows one watch event; true when a pod joined the bound ones or changed its
    /// labels (it may now satisfy a pending pod's affinity term).
    pub(super) fn observe(&mut self, event: &WatchEvent) -> bool {
        let Object::Pod(p) = &*event.object else {
            return false;
        };
        let key = (
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default(),
        );
        let node = p.spec.as_ref().and_then(|s| s.node_name.as_deref());
        let finished = p
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .is_some_and(|ph| ph == "Succeeded" || ph == "Failed");
        match node {
            Some(node) if event.kind != WatchEventType::Deleted && !finished => {
                if let Some(seen) = self.seen.get_mut(&key) {
                    // A status write keeps the spec: only the labels need comparing.
                    if matches!(&**seen, Object::Pod(old)
                        if (event.status_only || old.spec == p.spec)
                            && old.metadata.labels == p.metadata.labels)
                    {
                        // Keep the newest version: the one the store holds, not a copy.
                        *seen = Arc::clone(&event.object);
                        return false;
                    }
                }
                let relabelled = self.place(key.clone(), node, p);
                self.seen.insert(key, Arc::clone(&event.object));
                relabelled
            }
            _ => {
                self.forget(&key);
                false
            }
        }
    }

    /// Caches a bound pod; true when it is new or its labels changed.
    fn place(&mut self, key: PodKey, node: &str, pod: &Pod) -> bool {
        let requests = Requests::of(pod);
        let same = self.node_of.get(&key).is_some_and(|n| n == node)
            && self.requests.get(node).and_then(|m| m.get(&key)) == Some(&requests);
        if !same {
            self.forget(&key);
            self.dirty.insert(node.to_string());
            self.node_of.insert(key.clone(), node.to_string());
            self.requests
                .entry(node.to_string())
                .or_default()
                .insert(key.clone(), requests);
        }
        let peer = Peer::new(pod, node);
        self.with_terms += usize::from(peer.has_terms());
        let relabelled = self
            .peers
            .get(&key)
            .is_none_or(|old| old.labels() != peer.labels());
        if let Some(old) = self.peers.insert(key, peer) {
            self.with_terms -= usize::from(old.has_terms());
        }
        relabelled
    }

    fn forget(&mut self, key: &PodKey) {
        self.seen.remove(key);
        if let Some(node) = self.node_of.remove(key) {
            if let Some(pods) = self.requests.get_mut(&node) {
                pods.remove(key);
                if pods.is_empty() {
                    self.requests.remove(&node);
                }
            }
            self.dirty.insert(node);
        }
        if let Some(old) = self.peers.remove(key) {
            self.with_terms -= usize::from(old.has_terms());
        }
    }

    /// Each node's sums, brought up to date for the nodes that changed (summed in pod
    /// order, so the figures are the same whatever the order of the events).
    pub(super) fn usage(&mut self) -> &BTreeMap<String, NodeUsage> {
        for node in std::mem::take(&mut self.dirty) {
            match self.requests.get(&node) {
                Some(pods) => {
                    let mut used = NodeUsage::default();
                    for r in pods.values() {
                        used.add_requests(r);
                    }
                    self.usage.insert(node, used);
                }
                None => {
                    self.usage.remove(&node);
                }
            }
        }
        &self.usage
    }

    /// The bound pods, for InterPodAffinity.
    pub(super) fn peers(&self) -> &BTreeMap<PodKey, Peer> {
        &self.peers
    }

    /// How many bound pods carry pod (anti-)affinity terms.
    pub(super) fn with_terms(&self) -> usize {
        self.with_terms
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(kind: WatchEventType, pod: serde_json::Value) -> WatchEvent {
        WatchEvent {
            kind,
            object: std::sync::Arc::new(Object::Pod(Box::new(
                serde_json::from_value(pod).unwrap(),
            ))),
            status_only: false,
        }
    }

    fn pod(name: &str, node: &str, phase: &str) -> serde_json::Value {
        json!({
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "resources":
                {"requests": {"cpu": "250m"}}}]},
            "status": {"phase": phase}
        })
    }

    #[test]
    fn sums_follow_binding_finishing_and_deleting() {
        let mut cache = Cache::default();
        cache.observe(&event(WatchEventType::Added, pod("a", "node1", "Pending")));
        cache.observe(&event(WatchEventType::Added, pod("b", "node1", "Running")));
        assert_eq!(cache.usage()["node1"].pods, 2.0);
        assert!((cache.usage()["node1"].cpu - 0.5).abs() < 1e-9);
        cache.observe(&event(
            WatchEventType::Modified,
            pod("a", "node1", "Succeeded"),
        ));
        assert_eq!(cache.usage()["node1"].pods, 1.0);
        cache.observe(&event(
            WatchEventType::Deleted,
            pod("b", "node1", "Running"),
        ));
        assert!(!cache.usage().contains_key("node1"));
        assert!(cache.peers().is_empty());
    }

    #[test]
    fn only_spec_or_label_changes_reach_the_entries() {
        let mut cache = Cache::default();
        assert!(cache.observe(&event(WatchEventType::Added, pod("a", "node1", "Pending"))));
        cache.usage();
        // A status write: nothing to redo, no node dirtied.
        assert!(!cache.observe(&event(
            WatchEventType::Modified,
            pod("a", "node1", "Running")
        )));
        assert!(cache.dirty.is_empty());
        let mut relabelled = pod("a", "node1", "Running");
        relabelled["metadata"]["labels"] = json!({"app": "web"});
        assert!(cache.observe(&event(WatchEventType::Modified, relabelled)));
        assert_eq!(cache.peers().len(), 1);
        assert!((cache.usage()["node1"].cpu - 0.25).abs() < 1e-9);
    }
}
