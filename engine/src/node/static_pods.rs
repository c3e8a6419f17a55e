//! Static pods: each kubelet runs the pods whose manifests sit in its node's `staticPodPath`
//! (`/etc/kubernetes/manifests` on kubeadm's and minikube's nodes), with no API server in
//! between, and posts a mirror pod for each so that `kubectl` sees it (the kubelet's file
//! source, `pkg/kubelet/config/file.go` and `common.go`, and its mirror client).
//!
//! The kubelet watches the directory (inotify), so a manifest written, changed or removed
//! is acted on at once. Here that is the next look after a node's disk was written
//! ([`Storage::node_writes`](crate::storage::Storage::node_writes)): nothing is read while
//! no disk changes. A mirror pod deleted through the API comes back at once; its static
//! pod's containers run on.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use sha2::{Digest, Sha256};

use super::NodeCx;
use crate::api::object::{Node, Object};
use crate::node::process::system::Component;
use crate::storage::{Backing, Entry};
use crate::world::control_plane::Process;

/// The kubelet's `staticPodPath` on every node of both profiles.
pub const STATIC_POD_PATH: &str = "/etc/kubernetes/manifests";
/// The annotation the kubelet puts on a static pod: its hash (the static pod's uid).
pub const CONFIG_HASH: &str = "kubernetes.io/config.hash";

/// A static pod a kubelet runs.
#[derive(Clone, Debug, PartialEq, Eq)]
struct StaticPod {
    /// The hash of the manifest it came from (its `config.hash`).
    hash: String,
    namespace: String,
    name: String,
    /// Its mirror pod's uid, once posted.
    mirror_uid: Option<String>,
}

/// What the kubelets' file sources remember.
#[derive(Clone, Debug, Default)]
pub struct StaticPods {
    /// The node-disk write count at the last look (`None`: look at the next chance).
    seen_writes: Option<u64>,
    /// The static pods running, by (node, manifest path).
    pods: BTreeMap<(String, String), StaticPod>,
    /// Mirror pods deleted through the API while their static pod runs on: posted again.
    orphans: Vec<Arc<Object>>,
    /// The control plane's manifests (node, path) by component, as kubeadm wrote them at
    /// boot.
    components: Vec<(Component, (String, String))>,
    /// Those whose static pod was replaced and has not been ready since (starting, or
    /// failing to).
    starting: std::collections::BTreeSet<(String, String)>,
}

impl StaticPods {
    /// Whether `uid` is the mirror pod of a static pod that runs on.
    pub(crate) fn mirrors(&self, uid: &str) -> bool {
        self.pods
            .values()
            .any(|p| p.mirror_uid.as_deref() == Some(uid))
    }

    /// Keeps a deleted mirror pod to post it again ([`observe`]).
    pub(crate) fn orphaned(&mut self, mirror: Arc<Object>) {
        self.orphans.push(mirror);
    }

    /// Records a static pod running since boot (the control plane's): the manifest `path`
    /// on `node` with `text`, mirrored by `mirror` (its namespace, name and uid).
    pub(crate) fn adopt(&mut self, node: &str, path: &str, text: &str, mirror: &Pod) {
        let meta = &mirror.metadata;
        let labels = meta.labels.as_ref();
        let component = match labels.and_then(|l| l.get("component")).map(String::as_str) {
            Some("kube-apiserver") => Some(Component::ApiServer),
            Some("etcd") => Some(Component::Etcd),
            Some("kube-controller-manager") => Some(Component::ControllerManager),
            Some("kube-scheduler") => Some(Component::Scheduler),
            _ => None,
        };
        if let Some(c) = component {
            self.components
                .push((c, (node.to_string(), path.to_string())));
        }
        self.pods.insert(
            (node.to_string(), path.to_string()),
            StaticPod {
                hash: hash(node, path, text),
                namespace: meta.namespace.clone().unwrap_or_default(),
                name: meta.name.clone().unwrap_or_default(),
                mirror_uid: meta.uid.clone(),
            },
        );
    }

    /// Whether the API server is down: its manifest or etcd's is gone or holds no pod its
    /// kubelet runs, or their static pod was replaced and is not ready yet (kubectl's
    /// connections are refused meanwhile; without etcd a real API server soon fails its
    /// liveness probe and cannot start again).
    pub fn api_server_down(&self) -> bool {
        self.down(Component::ApiServer) || self.down(Component::Etcd)
    }

    /// Whether `component`'s static pod is not running ready: its manifest is gone or holds
    /// no pod, or the pod was replaced and is not ready yet.
    fn down(&self, component: Component) -> bool {
        self.components
            .iter()
            .filter(|(c, _)| *c == component)
            .any(|(_, key)| match self.pods.get(key) {
                None => true,
                Some(p) => p.mirror_uid.is_none() || self.starting.contains(key),
            })
    }

    /// The processes that run controllers and are down now: their own pod's, or the API
    /// server they talk to.
    fn processes_down(&self) -> Vec<Process> {
        let api = self.api_server_down();
        [
            (Component::ControllerManager, Process::ControllerManager),
            (Component::Scheduler, Process::Scheduler),
        ]
        .into_iter()
        .filter(|(c, _)| api || self.down(*c))
        .map(|(_, p)| p)
        .collect()
    }

    /// Looks at every node's manifests again at the next chance (a kubelet started).
    pub(crate) fn rescan(&mut self) {
        self.seen_writes = None;
    }
}

/// The kubelets' look at their manifests and mirror pods (after every pass of the
/// controllers); then which control-plane processes are down
/// ([`ControlPlane`](crate::world::control_plane::ControlPlane)).
pub(crate) fn observe(cx: &mut NodeCx<'_>) {
    if look(cx) {
        let down = cx.kubelet.static_pods.processes_down();
        cx.world.control_plane.set_down(down);
    }
}

/// The kubelets' look at their manifests and mirror pods; whether it may have changed
/// which static pods run (nothing is looked at, and nothing changes, while no mirror pod
/// was deleted, no control-plane pod is starting and no node's disk was written).
fn look(cx: &mut NodeCx<'_>) -> bool {
    let orphans = std::mem::take(&mut cx.kubelet.static_pods.orphans);
    let mut changed = !orphans.is_empty();
    for mirror in orphans {
        repost(cx, &mirror);
    }
    changed |= serving_ready(cx);
    let writes = cx.world.storage.node_writes();
    if cx.kubelet.static_pods.seen_writes == Some(writes) {
        return changed;
    }
    cx.kubelet.static_pods.seen_writes = Some(writes);
    let nodes: Vec<(String, String)> = cx
        .world
        .api
        .list_as::<Node>(None)
        .map(|n| {
            (
                n.metadata.name.clone().unwrap_or_default(),
                n.metadata.uid.clone().unwrap_or_default(),
            )
        })
        .collect();
    for (node, node_uid) in nodes {
        if cx.world.heartbeats.is_down(&node) {
            // A stopped kubelet watches nothing; it looks again when it starts.
            continue;
        }
        let manifests = manifests(cx, &node);
        let gone: Vec<(String, String)> = cx
            .kubelet
            .static_pods
            .pods
            .iter()
            .filter(|((n, path), pod)| {
                *n == node
                    && manifests
                        .iter()
                        .find(|(p, _)| p == path)
                        .is_none_or(|(_, text)| hash(&node, path, text) != pod.hash)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in gone {
            if let Some(pod) = cx.kubelet.static_pods.pods.remove(&key) {
                stop(cx, &pod);
            }
        }
        for (path, text) in manifests {
            let key = (node.clone(), path.clone());
            if !cx.kubelet.static_pods.pods.contains_key(&key) {
                if let Some(pod) = start(cx, &node, &node_uid, &path, &text) {
                    let statics = &mut cx.kubelet.static_pods;
                    if statics.components.iter().any(|(_, k)| *k == key) {
                        statics.starting.insert(key.clone());
                    }
                    statics.pods.insert(key, pod);
                }
            }
        }
    }
    true
}

/// Ends the start of a control-plane component's new static pod: the API server and etcd
/// serve once the pod is ready (their probes pass); the controller manager and the
/// scheduler work as soon as their container runs.
fn serving_ready(cx: &mut NodeCx<'_>) -> bool {
    let statics = &cx.kubelet.static_pods;
    if statics.starting.is_empty() {
        return false;
    }
    let up: Vec<(String, String)> = statics
        .starting
        .iter()
        .filter(|key| {
            let serves = statics
                .components
                .iter()
                .any(|(c, k)| k == *key && matches!(c, Component::ApiServer | Component::Etcd));
            statics.pods.get(*key).is_some_and(|pod| {
                cx.world
                    .api
                    .get_as::<Pod>(&pod.namespace, &pod.name)
                    .is_some_and(|p| {
                        p.metadata.uid == pod.mirror_uid
                            && if serves {
                                crate::api::pod::is_ready(p)
                            } else {
                                running(p)
                            }
                    })
            })
        })
        .cloned()
        .collect();
    let changed = !up.is_empty();
    for key in up {
        cx.kubelet.static_pods.starting.remove(&key);
    }
    changed
}

/// Whether every container of `pod` is reported running.
fn running(pod: &Pod) -> bool {
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref());
    statuses.is_some_and(|all| {
        !all.is_empty()
            && all
                .iter()
                .all(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()))
    })
}

/// The manifests in `node`'s static pod path, as (path, text): every regular file whose
/// name does not start with a dot (`file.go`'s `extractFromDir`), in name order.
fn manifests(cx: &NodeCx<'_>, node: &str) -> Vec<(String, String)> {
    let Some(tree) = cx.world.storage.tree(&Backing::Node(node.to_string())) else {
        return Vec::new();
    };
    let Ok(entries) = tree.list(STATIC_POD_PATH) else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter(|(name, _)| !name.starts_with('.'))
        .filter_map(|(name, entry)| match entry {
            Entry::File { data, .. } => Some((format!("{STATIC_POD_PATH}/{name}"), data)),
            _ => None,
        })
        .collect()
}

/// The static pod's hash (its uid and `config.hash`): 32 hex digits over the node, the
/// file and its text, as the kubelet's MD5 over the host, the file and the decoded pod.
fn hash(node: &str, path: &str, text: &str) -> String {
    let digest = Sha256::new()
        .chain_update(format!("host:{node}file:{path}"))
        .chain_update(text)
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The static pod of one manifest, as the file source makes it (`applyDefaults`): named
/// `<name>-<node>`, in `default` unless the manifest says otherwise, bound to the node,
/// tolerating every `NoExecute` taint, `hash` its `config.hash`, seen at `seen`; `None`
/// when the file holds no pod (the kubelet only logs that).
pub(crate) fn file_pod(node: &str, text: &str, hash: &str, seen: &Time) -> Option<Pod> {
    let doc = crate::api::manifest::parse(text).ok()?.into_iter().next()?;
    let kind = doc.value.get("kind").and_then(|k| k.as_str());
    let version = doc.value.get("apiVersion").and_then(|k| k.as_str());
    if kind != Some("Pod") || version != Some("v1") {
        return None;
    }
    let mut pod: Pod = crate::api::typed::decode(&doc.value).ok()?;
    let meta = &mut pod.metadata;
    meta.name = Some(format!(
        "{}-{}",
        meta.name.as_deref().unwrap_or_default(),
        node.to_lowercase()
    ));
    if meta.namespace.as_deref().is_none_or(str::is_empty) {
        meta.namespace = Some("default".into());
    }
    let seen = serde_json::to_value(seen).ok();
    let annotations = meta.annotations.get_or_insert_with(Default::default);
    annotations.insert(CONFIG_HASH.into(), hash.to_string());
    annotations.insert(
        "kubernetes.io/config.seen".into(),
        seen.as_ref()
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .into(),
    );
    annotations.insert("kubernetes.io/config.source".into(), "file".into());
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.node_name = Some(node.to_string());
    let tolerate = Toleration {
        operator: Some("Exists".into()),
        effect: Some("NoExecute".into()),
        ..Default::default()
    };
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    if !tolerations.contains(&tolerate) {
        tolerations.push(tolerate);
    }
    Some(pod)
}

/// Makes `pod` the mirror of its static pod (the mirror client's `CreateMirrorPod`): the
/// `config.mirror` annotation, the node as its controller.
pub(crate) fn mirror(pod: &mut Pod, hash: &str, node: &str, node_uid: &str) {
    pod.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(crate::api::pod::MIRROR_ANNOTATION.into(), hash.to_string());
    pod.metadata.owner_references = Some(vec![OwnerReference {
        api_version: "v1".into(),
        kind: "Node".into(),
        name: node.to_string(),
        uid: node_uid.to_string(),
        controller: Some(true),
        ..Default::default()
    }]);
}

/// Starts the static pod of a manifest: its mirror pod is posted and the kubelet runs it as
/// any pod bound to it. A mirror the API server refuses leaves nothing to run.
fn start(
    cx: &mut NodeCx<'_>,
    node: &str,
    node_uid: &str,
    path: &str,
    text: &str,
) -> Option<StaticPod> {
    let hash = hash(node, path, text);
    let mut pod = file_pod(node, text, &hash, &cx.world.clock.now_time())?;
    mirror(&mut pod, &hash, node, node_uid);
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let mirror_uid = cx
        .world
        .create(Object::Pod(Box::new(pod)))
        .ok()
        .and_then(|o| o.metadata().uid.clone());
    Some(StaticPod {
        hash,
        namespace,
        name,
        mirror_uid,
    })
}

/// Stops a static pod whose manifest went or changed: its containers stop and its mirror
/// pod goes.
fn stop(cx: &mut NodeCx<'_>, pod: &StaticPod) {
    let Some(uid) = &pod.mirror_uid else {
        return;
    };
    let Some(mirror) = cx
        .world
        .api
        .get_as::<Pod>(&pod.namespace, &pod.name)
        .cloned()
    else {
        return;
    };
    if mirror.metadata.uid.as_ref() != Some(uid) {
        return;
    }
    super::runtime::forget_pod(cx, &pod.namespace, &pod.name);
    let _ = cx
        .world
        .delete("Pod", &pod.namespace, &pod.name, Some(0), true);
}

/// Posts a deleted mirror pod again: a new uid and creation time, the static pod's
/// containers and status as they are.
fn repost(cx: &mut NodeCx<'_>, deleted: &Object) {
    let Object::Pod(old) = deleted else {
        return;
    };
    let old_uid = old.metadata.uid.clone().unwrap_or_default();
    let Some(running) = cx
        .kubelet
        .static_pods
        .pods
        .values_mut()
        .find(|p| p.mirror_uid.as_deref() == Some(old_uid.as_str()))
    else {
        return;
    };
    let mut fresh = Pod::clone(old);
    let meta = &mut fresh.metadata;
    meta.uid = None;
    meta.resource_version = None;
    meta.creation_timestamp = None;
    meta.deletion_timestamp = None;
    meta.deletion_grace_period_seconds = None;
    meta.generation = None;
    let now = cx.world.clock.now_time();
    let Ok(Object::Pod(posted)) = cx
        .world
        .api
        .restore(Object::Pod(Box::new(fresh)), now, &mut cx.world.rng)
        .cloned()
    else {
        running.mirror_uid = None;
        return;
    };
    let new_uid = posted.metadata.uid.clone().unwrap_or_default();
    running.mirror_uid = Some(new_uid.clone());
    if let Some(stage) = cx.kubelet.stages.remove(&old_uid) {
        cx.kubelet.stages.insert(new_uid.clone(), stage);
    }
    if let Some(budget) = cx.kubelet.probe_event_budget.remove(&old_uid) {
        cx.kubelet.probe_event_budget.insert(new_uid, budget);
    }
    super::usage::forget(cx.world, old);
    super::usage::adopt(cx.world, &posted);
    let now_ms = cx.world.clock.now_ms();
    cx.world
        .timers
        .at(now_ms, super::kubelet::key_task(&posted.metadata));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterProfile;
    use crate::controllers::node_lifecycle::NodeLifecycle;
    use crate::controllers::testing::Bench;
    use crate::node::Kubelet;

    const WEB: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: nginx\n";

    fn bench() -> (Bench, Kubelet) {
        let mut bench = Bench::new(Box::<NodeLifecycle>::default());
        bench.add_nodes(&ClusterProfile::multi_node());
        (bench, Kubelet::default())
    }

    fn write(bench: &mut Bench, node: &str, file: &str, text: Option<&str>) {
        let backing = Backing::Node(node.into());
        let tree = bench
            .world
            .storage
            .tree_mut(&backing, crate::node::volumes::NODE_DISK)
            .expect("a node disk");
        let path = format!("{STATIC_POD_PATH}/{file}");
        match text {
            Some(t) => {
                let _ = tree.mkdir(STATIC_POD_PATH, true, 0o755, 0);
                tree.write(&path, t, false, 0o644, 0).expect("written");
            }
            None => tree.remove(&path, false, 0).expect("removed"),
        }
    }

    fn observe_once(bench: &mut Bench, kubelet: &mut Kubelet) {
        kubelet.observe(&mut bench.world);
    }

    #[test]
    fn the_hash_is_32_hex_digits_of_node_file_and_text() {
        let h = hash("node1", "/etc/kubernetes/manifests/a.yaml", WEB);
        assert_eq!(h.len(), 32);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(h, hash("node1", "/etc/kubernetes/manifests/a.yaml", WEB));
        assert_ne!(h, hash("node2", "/etc/kubernetes/manifests/a.yaml", WEB));
        assert_ne!(h, hash("node1", "/etc/kubernetes/manifests/b.yaml", WEB));
    }

    #[test]
    fn a_manifest_runs_as_a_mirrored_pod_named_after_its_node() {
        let (mut bench, mut kubelet) = bench();
        write(&mut bench, "node1", "web.yaml", Some(WEB));
        observe_once(&mut bench, &mut kubelet);
        let Some(Object::Pod(p)) = bench.world.api.get("Pod", "default", "web-node1") else {
            panic!("no mirror pod");
        };
        let annotations = p.metadata.annotations.clone().unwrap_or_default();
        let hash = annotations.get(CONFIG_HASH).cloned().unwrap_or_default();
        assert_eq!(
            annotations.get(crate::api::pod::MIRROR_ANNOTATION),
            Some(&hash)
        );
        assert_eq!(
            annotations
                .get("kubernetes.io/config.source")
                .map(String::as_str),
            Some("file")
        );
        let owner = crate::api::pod::controller_of(&p.metadata).expect("an owner");
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("Node", "node1")
        );
        let spec = p.spec.as_ref().expect("a spec");
        assert_eq!(spec.node_name.as_deref(), Some("node1"));
        assert_eq!(spec.service_account_name, None);
        let tolerations = spec.tolerations.clone().unwrap_or_default();
        assert_eq!(tolerations.len(), 1, "{tolerations:?}");
        // Events about it name the static pod's uid, the hash.
        assert_eq!(crate::api::pod::event_uid(&p.metadata), hash);
    }

    #[test]
    fn a_mirror_deleted_is_posted_again_and_a_removed_manifest_stops_its_pod() {
        let (mut bench, mut kubelet) = bench();
        write(&mut bench, "node2", "web.yaml", Some(WEB));
        observe_once(&mut bench, &mut kubelet);
        let uid = |b: &Bench| {
            b.world
                .api
                .get("Pod", "default", "web-node2")
                .and_then(|o| o.metadata().uid.clone())
        };
        let first = uid(&bench).expect("posted");
        bench
            .world
            .delete("Pod", "default", "web-node2", None, false)
            .expect("deleted");
        assert_eq!(uid(&bench), None);
        observe_once(&mut bench, &mut kubelet);
        let second = uid(&bench).expect("posted again");
        assert_ne!(first, second);
        write(&mut bench, "node2", "web.yaml", None);
        observe_once(&mut bench, &mut kubelet);
        assert_eq!(uid(&bench), None);
        assert!(kubelet.static_pods.pods.is_empty() && kubelet.static_pods.orphans.is_empty());
    }

    #[test]
    fn what_is_not_a_pod_or_names_a_secret_is_not_mirrored() {
        let (mut bench, mut kubelet) = bench();
        write(
            &mut bench,
            "node1",
            "deploy.yaml",
            Some("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"),
        );
        write(&mut bench, "node1", "broken.yaml", Some("kind: [\n"));
        let secret = format!("{WEB}    envFrom:\n    - secretRef:\n        name: s\n");
        write(&mut bench, "node1", "secret.yaml", Some(&secret));
        write(&mut bench, "node1", ".hidden.yaml", Some(WEB));
        observe_once(&mut bench, &mut kubelet);
        assert_eq!(bench.names("Pod"), Vec::<String>::new());
        let mut pod: Pod = crate::api::typed::decode(
            &crate::api::manifest::parse(&secret).expect("yaml")[0].value,
        )
        .expect("a pod");
        pod.metadata.annotations =
            Some([(crate::api::pod::MIRROR_ANNOTATION.into(), "h".into())].into());
        pod.metadata.namespace = Some("default".into());
        let err = bench
            .world
            .create(Object::Pod(Box::new(pod)))
            .expect_err("refused");
        assert_eq!(
            err.kubectl_message(),
            "Error from server (Forbidden): pods \"web\" is forbidden: a mirror pod may not reference secrets"
        );
    }
}
