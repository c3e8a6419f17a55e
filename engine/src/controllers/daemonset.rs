//! The DaemonSet controller (kube-controller-manager's `daemonset`): one pod per eligible
//! node (nodeSelector, node affinity, taints against the pod's tolerations plus the
//! automatic DaemonSet ones), placed by the default scheduler through a required
//! `matchFields metadata.name In [node]` affinity; RollingUpdate (maxUnavailable or maxSurge)
//! and OnDelete updates; status counted per node.

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodSpec, Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::runtime::{Controller, Queue};
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::pod::{self as pods, controller_of};
use crate::clock::ms_from_time;
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// The label naming the template revision a pod was made from.
pub const HASH_LABEL: &str = "controller-revision-hash";
/// The label holding the template generation a pod was made from.
pub const GENERATION_LABEL: &str = "pod-template-generation";
/// The annotation the apiserver keeps with the template's generation.
pub const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

const SOURCE: Source<'static> = Source {
    component: "daemonset-controller",
    host: None,
};

/// The controller, with what it remembers between passes.
#[derive(Clone, Debug, Default)]
pub struct DaemonSets {
    /// The template hash each set had when last synced, to notice template changes.
    hashes: BTreeMap<(String, String), String>,
    /// Whether a node changed this pass (every set then looks again).
    nodes_changed: bool,
}

fn set_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "DaemonSet",
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

impl Controller for DaemonSets {
    fn name(&self) -> &'static str {
        "daemonset"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::DaemonSet(_) | Object::Node(_) | Object::Pod(_))
    }

    /// A set's own changes and those of its pods; a node's change concerns every set.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        match obj {
            Object::DaemonSet(_) if event.kind != WatchEventType::Deleted => {
                queue.add(set_key(obj.namespace(), obj.name()));
            }
            Object::DaemonSet(_) => {
                self.hashes
                    .remove(&(obj.namespace().to_string(), obj.name().to_string()));
            }
            Object::Node(_) => self.nodes_changed = true,
            Object::Pod(p) => {
                if let Some(r) = controller_of(&p.metadata).filter(|r| r.kind == "DaemonSet") {
                    queue.add(set_key(obj.namespace(), &r.name));
                }
            }
            _ => {}
        }
    }

    /// When a node changed, every set (found by a read of the store).
    fn after_events(&mut self, world: &World, queue: &mut Queue) {
        if std::mem::take(&mut self.nodes_changed) {
            for o in world.api.list("DaemonSet", None) {
                queue.add(set_key(o.namespace(), o.name()));
            }
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        let (ns, name) = (key.namespace.as_str(), key.name.as_str());
        let Some(Object::DaemonSet(mut ds)) = world.api.get("DaemonSet", ns, name).cloned() else {
            return;
        };
        if ds.metadata.deletion_timestamp.is_some() {
            return;
        }
        let hash = template_hash(&ds);
        let key = (ns.to_string(), name.to_string());
        // The apiserver bumps this annotation with each template change; kept here.
        let annotations = ds.metadata.annotations.get_or_insert_with(BTreeMap::new);
        let known = self.hashes.get(&key);
        if !annotations.contains_key(TEMPLATE_GENERATION) || known.is_some_and(|h| *h != hash) {
            let generation = ds.metadata.generation.unwrap_or(1).to_string();
            annotations.insert(TEMPLATE_GENERATION.into(), generation);
            if let Ok(Object::DaemonSet(stored)) =
                world.api.update(Object::DaemonSet(ds.clone())).cloned()
            {
                ds = stored;
            }
        }
        self.hashes.insert(key, hash.clone());
        let spec = ds.spec.clone().unwrap_or_default();
        let set = Set {
            ns: ns.to_string(),
            name: name.to_string(),
            uid: ds.metadata.uid.clone().unwrap_or_default(),
            hash,
            generation: ds
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(TEMPLATE_GENERATION))
                .cloned()
                .unwrap_or_else(|| "1".into()),
            min_ready: spec.min_ready_seconds.unwrap_or(0),
            ds: *ds,
        };
        manage(world, &set);
        let strategy = spec.update_strategy.unwrap_or_default();
        if strategy.type_.as_deref() != Some("OnDelete") {
            rolling_update(world, &set, strategy.rolling_update.unwrap_or_default());
        }
        update_status(world, &set, queue);
    }
}

/// The revision hash of a set's template.
pub fn template_hash(ds: &DaemonSet) -> String {
    let spec = ds.spec.clone().unwrap_or_default();
    let collision = ds
        .status
        .as_ref()
        .and_then(|s| s.collision_count)
        .filter(|c| *c > 0);
    super::deployment::template_hash(&spec.template, collision)
}

/// The tolerations every DaemonSet pod gets (upstream's `AddOrUpdateDaemonPodTolerations`).
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.host_network == Some(true) {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for (key, effect) in wanted {
        let toleration = Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Default::default()
        };
        // Replaces a toleration of the same key and effect (AddOrUpdateTolerationInPodSpec).
        match tolerations
            .iter_mut()
            .find(|t| t.key.as_deref() == Some(key) && t.effect.as_deref() == Some(effect))
        {
            Some(t) => *t = toleration,
            None => tolerations.push(toleration),
        }
    }
}

/// Pins a pod to `node` with a required `matchFields metadata.name In [node]` term, replacing
/// any required terms (upstream's `ReplaceDaemonSetPodNodeNameNodeAffinity`).
fn pin_to_node(spec: &mut PodSpec, node: &str) {
    let required = NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm {
            match_fields: Some(vec![NodeSelectorRequirement {
                key: "metadata.name".into(),
                operator: "In".into(),
                values: Some(vec![node.into()]),
            }]),
            match_expressions: None,
        }],
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    affinity
        .node_affinity
        .get_or_insert_with(NodeAffinity::default)
        .required_during_scheduling_ignored_during_execution = Some(required);
}

/// The node a daemon pod is for: its `nodeName`, else its `matchFields` term.
pub fn target_node(pod: &Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    if let Some(n) = spec.node_name.clone() {
        return Some(n);
    }
    spec.affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms
        .iter()
        .flat_map(|t| t.match_fields.iter().flatten())
        .find(|r| r.key == "metadata.name" && r.operator == "In")
        .and_then(|r| r.values.as_ref()?.first().cloned())
}

/// (should run, should continue running) on `node`, as upstream's `NodeShouldRunDaemonPod`.
fn should_run(ds: &DaemonSet, node: &Node) -> (bool, bool) {
    let spec = ds.spec.clone().unwrap_or_default();
    let mut pod_spec = spec.template.spec.unwrap_or_default();
    add_daemon_tolerations(&mut pod_spec);
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let selector_ok = pod_spec
        .node_selector
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let tolerations = pod_spec.tolerations.clone().unwrap_or_default();
    let pod = Pod {
        spec: Some(pod_spec),
        ..Default::default()
    };
    if !selector_ok || !crate::controllers::scheduler::affinity::required_matches(&pod, node) {
        return (false, false);
    }
    let untolerated = |effects: &[&str]| {
        node.spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .into_iter()
            .flatten()
            .any(|t: &Taint| {
                effects.contains(&t.effect.as_str())
                    && !crate::controllers::scheduler::tolerates(&tolerations, t)
            })
    };
    if untolerated(&["NoSchedule", "NoExecute"]) {
        return (false, !untolerated(&["NoExecute"]));
    }
    (true, true)
}

/// What one sync needs of the set.
struct Set {
    ds: DaemonSet,
    ns: String,
    name: String,
    uid: String,
    hash: String,
    generation: String,
    min_ready: i32,
}

impl Set {
    fn updated(&self, pod: &Pod) -> bool {
        pods::label(pod, HASH_LABEL) == Some(self.hash.as_str())
            || pods::label(pod, GENERATION_LABEL) == Some(self.generation.as_str())
    }
}

/// Pods per node (oldest first), and pods for nodes that do not exist.
fn pods_by_node(
    world: &World,
    set: &Set,
    nodes: &[Node],
) -> (BTreeMap<String, Vec<Pod>>, Vec<Pod>) {
    let names: BTreeSet<String> = nodes
        .iter()
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    let mut by_node: BTreeMap<String, Vec<Pod>> = BTreeMap::new();
    let mut orphans = Vec::new();
    for p in world.api.pods_owned_by(&set.ns, &set.uid) {
        match target_node(&p) {
            Some(n) if names.contains(&n) => by_node.entry(n).or_default().push(p),
            _ => orphans.push(p),
        }
    }
    for list in by_node.values_mut() {
        list.stable_sort_by_key(|p| {
            (
                p.metadata.creation_timestamp.as_ref().map(ms_from_time),
                p.metadata.name.clone(),
            )
        });
    }
    (by_node, orphans)
}

fn nodes(world: &World) -> Vec<Node> {
    world.api.list_as::<Node>(None).cloned().collect()
}

/// Upstream's `manage`: a pod where one should run, none where none should, failed and
/// duplicate pods removed.
fn manage(world: &mut World, set: &Set) {
    let nodes = nodes(world);
    let (by_node, orphans) = pods_by_node(world, set, &nodes);
    let mut create = Vec::new();
    let mut delete: Vec<Pod> = orphans
        .into_iter()
        .filter(|p| !pods::terminating(p))
        .collect();
    for node in &nodes {
        let node_name = node.metadata.name.clone().unwrap_or_default();
        let (run, keep) = should_run(&set.ds, node);
        let on_node = by_node.get(&node_name).cloned().unwrap_or_default();
        if run && on_node.is_empty() {
            create.push(node_name);
        } else if keep {
            let mut running: Vec<Pod> = Vec::new();
            for p in on_node.into_iter().filter(|p| !pods::terminating(p)) {
                if pods::phase(&p) == "Failed" {
                    delete.push(p);
                } else {
                    running.push(p);
                }
            }
            if surge_allowed(&set.ds) {
                // An old and a new pod may coexist during a surge; no more.
                let (mut new, mut old): (Vec<Pod>, Vec<Pod>) =
                    running.into_iter().partition(|p| set.updated(p));
                for extra in [&mut new, &mut old] {
                    if extra.len() > 1 {
                        delete.extend(extra.drain(1..));
                    }
                }
            } else if running.len() > 1 {
                delete.extend(running.drain(1..));
            }
        } else {
            delete.extend(on_node.into_iter().filter(|p| !pods::terminating(p)));
        }
    }
    for node in create {
        create_pod(world, set, &node);
    }
    for pod in delete {
        delete_pod(world, set, &pod);
    }
}

/// Whether the set's strategy lets an old and a new pod run side by side on a node.
fn surge_allowed(ds: &DaemonSet) -> bool {
    let strategy = ds
        .spec
        .as_ref()
        .and_then(|s| s.update_strategy.clone())
        .unwrap_or_default();
    strategy.type_.as_deref() != Some("OnDelete")
        && match strategy.rolling_update.and_then(|r| r.max_surge) {
            Some(IntOrString::Int(n)) => n > 0,
            Some(IntOrString::String(s)) => !matches!(s.trim_end_matches('%'), "0" | ""),
            None => false,
        }
}

/// maxSurge/maxUnavailable against the desired number of pods (percentages round up); both
/// zero means one unavailable.
fn budgets(ru: &k8s_openapi::api::apps::v1::RollingUpdateDaemonSet, desired: i32) -> (i32, i32) {
    let resolve = |v: Option<&IntOrString>| match v {
        Some(IntOrString::Int(n)) => (*n).max(0),
        Some(IntOrString::String(s)) => {
            let pct: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            (pct * f64::from(desired) / 100.0).ceil().max(0.0) as i32
        }
        None => 0,
    };
    let surge = resolve(ru.max_surge.as_ref());
    let unavailable = resolve(ru.max_unavailable.as_ref());
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

/// Upstream's `rollingUpdate`: replace old pods within the unavailability budget, or surge a
/// new pod next to each old one and remove the old one once the new one is available.
fn rolling_update(
    world: &mut World,
    set: &Set,
    ru: k8s_openapi::api::apps::v1::RollingUpdateDaemonSet,
) {
    let now = world.clock.now_ms();
    let nodes = nodes(world);
    let (by_node, _) = pods_by_node(world, set, &nodes);
    let eligible: Vec<String> = nodes
        .iter()
        .filter(|n| should_run(&set.ds, n).0)
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    let (max_surge, max_unavailable) = budgets(&ru, eligible.len() as i32);
    let is_available = |p: &Pod| pods::available(p, set.min_ready, now).is_ok();
    let mut to_delete: Vec<Pod> = Vec::new();
    let mut to_create: Vec<String> = Vec::new();
    if max_surge == 0 {
        let mut unavailable = 0;
        let mut candidates = Vec::new();
        for node in &eligible {
            let live: Vec<&Pod> = by_node
                .get(node)
                .into_iter()
                .flatten()
                .filter(|p| !pods::terminating(p))
                .collect();
            let new = live.iter().find(|p| set.updated(p));
            let old = live.iter().find(|p| !set.updated(p));
            match (new, old) {
                (None, None) | (Some(_), Some(_)) => unavailable += 1,
                (Some(n), None) => {
                    if !is_available(n) {
                        unavailable += 1;
                    }
                }
                (None, Some(o)) => {
                    if !is_available(o) {
                        to_delete.push((*o).clone());
                        unavailable += 1;
                    } else if unavailable < max_unavailable {
                        candidates.push((*o).clone());
                    }
                }
            }
        }
        let room = usize::try_from(max_unavailable - unavailable).unwrap_or(0);
        to_delete.extend(candidates.into_iter().take(room));
    } else {
        let mut surging = 0;
        let mut candidates = Vec::new();
        for node in &eligible {
            let live: Vec<&Pod> = by_node
                .get(node)
                .into_iter()
                .flatten()
                .filter(|p| !pods::terminating(p))
                .collect();
            let new = live.iter().find(|p| set.updated(p));
            let old = live.iter().find(|p| !set.updated(p));
            match (new, old) {
                (_, None) => {}
                (None, Some(o)) => {
                    if !is_available(o) {
                        to_create.push(node.clone());
                    } else if surging < max_surge {
                        candidates.push(node.clone());
                    }
                }
                (Some(n), Some(o)) => {
                    if is_available(n) {
                        to_delete.push((*o).clone());
                    } else {
                        surging += 1;
                    }
                }
            }
        }
        let room = usize::try_from(max_surge - surging).unwrap_or(0);
        to_create.extend(candidates.into_iter().take(room));
    }
    for node in to_create {
        create_pod(world, set, &node);
    }
    for pod in to_delete {
        delete_pod(world, set, &pod);
    }
}

fn owner(world: &World, set: &Set) -> Option<Object> {
    world.api.get("DaemonSet", &set.ns, &set.name).cloned()
}

fn create_pod(world: &mut World, set: &Set, node: &str) {
    let spec = set.ds.spec.clone().unwrap_or_default();
    let meta = spec.template.metadata.unwrap_or_default();
    let mut labels = meta.labels.unwrap_or_default();
    labels.insert(HASH_LABEL.into(), set.hash.clone());
    labels.insert(GENERATION_LABEL.into(), set.generation.clone());
    let mut pod_spec = spec.template.spec.unwrap_or_default();
    add_daemon_tolerations(&mut pod_spec);
    pin_to_node(&mut pod_spec, node);
    // The apiserver names the pod from `generateName`.
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", set.name)),
            namespace: Some(set.ns.clone()),
            labels: Some(labels),
            annotations: meta.annotations,
            owner_references: Some(vec![pods::owner_reference(
                "DaemonSet",
                &set.name,
                &set.uid,
            )]),
            ..Default::default()
        },
        spec: Some(pod_spec),
        status: None,
    };
    let result = world
        .create(Object::Pod(Box::new(pod)))
        .map(|p| p.name().to_string());
    let Some(owner) = owner(world, set) else {
        return;
    };
    match result {
        Ok(name) => events::record(
            world,
            &owner,
            EventType::Normal,
            "SuccessfulCreate",
            &format!("Created pod: {name}"),
            SOURCE,
        ),
        Err(e) => events::record(
            world,
            &owner,
            EventType::Warning,
            "FailedCreate",
            &format!("Error creating: {}", e.status_message("")),
            SOURCE,
        ),
    }
}

fn delete_pod(world: &mut World, set: &Set, pod: &Pod) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    if world.delete("Pod", &set.ns, &name, None, false).is_err() {
        return;
    }
    if let Some(owner) = owner(world, set) {
        events::record(
            world,
            &owner,
            EventType::Normal,
            "SuccessfulDelete",
            &format!("Deleted pod: {name}"),
            SOURCE,
        );
    }
}

/// Upstream's `updateDaemonSetStatus`, counted per node from its oldest pod.
fn update_status(world: &mut World, set: &Set, queue: &mut Queue) {
    let now = world.clock.now_ms();
    let nodes = nodes(world);
    let (by_node, _) = pods_by_node(world, set, &nodes);
    let (mut desired, mut current, mut misscheduled, mut ready, mut available, mut updated) =
        (0, 0, 0, 0, 0, 0);
    let mut due = None;
    for node in &nodes {
        let node_name = node.metadata.name.clone().unwrap_or_default();
        let (run, _) = should_run(&set.ds, node);
        let on_node = by_node.get(&node_name).map(Vec::as_slice).unwrap_or(&[]);
        let Some(pod) = on_node.first() else {
            if run {
                desired += 1;
            }
            continue;
        };
        if !run {
            misscheduled += 1;
            continue;
        }
        desired += 1;
        current += 1;
        if pods::ready_since(pod).is_some() {
            ready += 1;
            match pods::available(pod, set.min_ready, now) {
                Ok(()) => available += 1,
                Err(d) => due = due.or(d),
            }
        }
        if set.updated(pod) {
            updated += 1;
        }
    }
    if let Some(due) = due {
        queue.requeue_at(world, due, set_key(&set.ns, &set.name));
    }
    let Some(Object::DaemonSet(mut ds)) = owner(world, set) else {
        return;
    };
    let generation = ds.metadata.generation;
    let status = ds.status.get_or_insert_with(Default::default);
    let before = status.clone();
    let opt = |n: i32| (n > 0).then_some(n);
    status.desired_number_scheduled = desired;
    status.current_number_scheduled = current;
    status.number_misscheduled = misscheduled;
    status.number_ready = ready;
    status.number_available = opt(available);
    status.updated_number_scheduled = opt(updated);
    status.number_unavailable = opt(desired - available);
    status.observed_generation = generation;
    if *status != before {
        let _ = world.api.update_status(Object::DaemonSet(ds));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::controllers::testing::{object, Bench};

    fn node(name: &str, taints: serde_json::Value) -> Object {
        object(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name},
            "spec": {"taints": taints}
        }))
    }

    #[test]
    fn one_pod_per_eligible_node_pinned_by_affinity() {
        let mut bench = Bench::new(Box::<DaemonSets>::default());
        bench.create(node("node1", json!([])));
        bench.create(node(
            "node2",
            json!([{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]),
        ));
        bench.create(object(json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {
                "selector": {"matchLabels": {"app": "agent"}},
                "template": {
                    "metadata": {"labels": {"app": "agent"}},
                    "spec": {"containers": [{"name": "agent", "image": "busybox"}]}
                }
            }
        })));
        bench.pass();
        let pods = bench.names("Pod");
        assert_eq!(pods.len(), 1);
        let Some(Object::Pod(p)) = bench.get("Pod", &pods[0]) else {
            panic!("no pod");
        };
        assert_eq!(target_node(p).as_deref(), Some("node1"));
        assert!(pods::label(p, HASH_LABEL).is_some());
        assert_eq!(pods::label(p, GENERATION_LABEL), Some("1"));
        assert_eq!(
            bench.events(),
            [format!("SuccessfulCreate: Created pod: {}", pods[0])]
        );
        // A node that joins later gets its pod from the node's own event.
        bench.create(node("node3", json!([])));
        bench.pass();
        assert_eq!(bench.names("Pod").len(), 2);
        bench.pass();
        let Some(Object::DaemonSet(ds)) = bench.get("DaemonSet", "agent") else {
            panic!("no set");
        };
        let status = ds.status.clone().unwrap_or_default();
        assert_eq!(
            (
                status.desired_number_scheduled,
                status.current_number_scheduled
            ),
            (2, 2)
        );
    }

    #[test]
    fn daemon_pods_tolerate_node_conditions_and_are_pinned() {
        let mut spec = PodSpec {
            host_network: Some(true),
            ..Default::default()
        };
        add_daemon_tolerations(&mut spec);
        add_daemon_tolerations(&mut spec);
        assert_eq!(spec.tolerations.as_ref().map(Vec::len), Some(7));
        pin_to_node(&mut spec, "node1");
        let pod = Pod {
            spec: Some(spec),
            ..Default::default()
        };
        assert_eq!(target_node(&pod).as_deref(), Some("node1"));
    }

    #[test]
    fn budgets_resolve_percentages_upward() {
        let ru = k8s_openapi::api::apps::v1::RollingUpdateDaemonSet {
            max_surge: Some(IntOrString::Int(0)),
            max_unavailable: Some(IntOrString::String("10%".into())),
        };
        assert_eq!(budgets(&ru, 4), (0, 1));
        let ru = k8s_openapi::api::apps::v1::RollingUpdateDaemonSet {
            max_surge: Some(IntOrString::String("50%".into())),
            max_unavailable: Some(IntOrString::Int(0)),
        };
        assert_eq!(budgets(&ru, 3), (2, 0));
    }
}
