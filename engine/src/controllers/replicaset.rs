//! The ReplicaSet and ReplicationController controllers (kube-controller-manager's
//! `replicaset` and `replicationcontroller`): keep `spec.replicas` pods matching the selector,
//! adopting orphans and releasing pods that stopped matching, and report status.

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::runtime::{Controller, Queue};
use super::slow_start::{slow_start, BURST};
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::pod::{self as pods, controller_of, is_ready as pod_ready, ready_since};
use crate::api::selector::Selector;
use crate::clock::ms_from_time;
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// The controller, with what it remembers between passes.
#[derive(Clone, Debug, Default)]
pub struct ReplicaSets {
    /// What the controller last saw of each pod a ReplicaSet or ReplicationController
    /// owns, by the owner's uid, then the pod's name: a sync reads its pods here, without
    /// looking each one up in the store.
    owned: BTreeMap<String, BTreeMap<String, PodSummary>>,
    /// The owner's uid of each pod in [`ReplicaSets::owned`], by (namespace, name): what
    /// to forget when a pod changes owner or loses it.
    owner_of: BTreeMap<(String, String), String>,
    /// Controllers that must look at every pod of their namespace (new ones, and those
    /// that may adopt an orphan).
    full_scan: BTreeSet<ObjectKey>,
    /// Namespaces where an orphan pod appeared this pass.
    orphans_in: BTreeSet<String>,
    /// Syncs waiting for their client's rate limit, with what is left of their work (few at
    /// a time: a list).
    waiting: Vec<(ObjectKey, Work)>,
}

/// The parts of a pod a ReplicaSet's decisions and status depend on: changes to the rest
/// (image pulls, container ids) do not wake the controller.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PodSummary {
    active: bool,
    ready_since: Option<i64>,
    labels: Option<BTreeMap<String, String>>,
}

impl PodSummary {
    fn of(pod: &Pod) -> PodSummary {
        PodSummary {
            active: active(pod),
            ready_since: ready_since(pod),
            labels: pod.metadata.labels.clone(),
        }
    }
}

/// The parts of a ReplicaSet or ReplicationController the controller works with.
struct Workload {
    key: ObjectKey,
    uid: String,
    api_version: &'static str,
    replicas: i32,
    min_ready_seconds: i32,
    selector: Selector,
    template: PodTemplateSpec,
    deleting: bool,
    generation: Option<i64>,
}

impl Workload {
    fn of(obj: &Object) -> Option<Workload> {
        let meta = obj.metadata();
        let base =
            |api_version, replicas: Option<i32>, min_ready: Option<i32>, selector, template| {
                Workload {
                    key: ObjectKey {
                        kind: obj.kind(),
                        namespace: obj.namespace().to_string(),
                        name: obj.name().to_string(),
                    },
                    uid: meta.uid.clone().unwrap_or_default(),
                    api_version,
                    replicas: replicas.unwrap_or(1).max(0),
                    min_ready_seconds: min_ready.unwrap_or(0),
                    selector,
                    template,
                    deleting: meta.deletion_timestamp.is_some(),
                    generation: meta.generation,
                }
            };
        match obj {
            Object::ReplicaSet(rs) => {
                let spec = rs.spec.as_ref()?;
                Some(base(
                    "apps/v1",
                    spec.replicas,
                    spec.min_ready_seconds,
                    Selector::from_label_selector(&spec.selector),
                    spec.template.clone().unwrap_or_default(),
                ))
            }
            Object::ReplicationController(rc) => {
                let spec = rc.spec.as_ref()?;
                Some(base(
                    "v1",
                    spec.replicas,
                    spec.min_ready_seconds,
                    Selector::from_map(&spec.selector.clone().unwrap_or_default()),
                    spec.template.clone().unwrap_or_default(),
                ))
            }
            _ => None,
        }
    }

    fn component(&self) -> &'static str {
        if self.key.kind == "ReplicaSet" {
            "replicaset-controller"
        } else {
            "replication-controller"
        }
    }
}

fn is_managed_kind(kind: &str) -> bool {
    kind == "ReplicaSet" || kind == "ReplicationController"
}

impl Controller for ReplicaSets {
    fn name(&self) -> &'static str {
        "replicaset"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Pod(_)) || is_managed_kind(obj.kind())
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        if is_managed_kind(obj.kind()) {
            let key = ObjectKey {
                kind: obj.kind(),
                namespace: obj.namespace().to_string(),
                name: obj.name().to_string(),
            };
            match event.kind {
                WatchEventType::Added => {
                    self.full_scan.insert(key.clone());
                    queue.add(key);
                }
                WatchEventType::Modified => queue.add(key),
                WatchEventType::Deleted => {
                    if let Some(uid) = obj.metadata().uid.as_ref() {
                        self.owned.remove(uid);
                    }
                    self.waiting.retain(|(k, _)| *k != key);
                }
            }
            return;
        }
        let Object::Pod(pod) = obj else {
            return;
        };
        let controller = controller_of(&pod.metadata);
        let pod_key = (obj.namespace().to_string(), obj.name().to_string());
        let owner = controller
            .filter(|r| is_managed_kind(&r.kind) && event.kind != WatchEventType::Deleted);
        if self.owner_of.get(&pod_key) != owner.map(|r| &r.uid) {
            self.forget(&pod_key);
        }
        match controller {
            Some(r) if is_managed_kind(&r.kind) => {
                if let Some(r) = owner {
                    // Compared in place: most pod writes (status) change nothing seen here.
                    let seen = self.owned.get(&r.uid).and_then(|p| p.get(obj.name()));
                    let unchanged = seen.is_some_and(|s| {
                        s.active == active(pod)
                            && s.ready_since == ready_since(pod)
                            && s.labels == pod.metadata.labels
                    });
                    if unchanged {
                        return;
                    }
                    self.note(&r.uid, pod_key, PodSummary::of(pod));
                }
                queue.add(ObjectKey {
                    kind: if r.kind == "ReplicaSet" {
                        "ReplicaSet"
                    } else {
                        "ReplicationController"
                    },
                    namespace: obj.namespace().to_string(),
                    name: r.name.clone(),
                });
            }
            Some(_) => {}
            None if event.kind != WatchEventType::Deleted => {
                self.orphans_in.insert(obj.namespace().to_string());
            }
            None => {}
        }
    }

    /// An orphan may be adopted by any controller of its namespace whose selector matches.
    fn after_events(&mut self, world: &World, queue: &mut Queue) {
        for ns in std::mem::take(&mut self.orphans_in) {
            for kind in ["ReplicaSet", "ReplicationController"] {
                for o in world.api.list(kind, Some(&ns)) {
                    let key = ObjectKey {
                        kind,
                        namespace: ns.clone(),
                        name: o.name().to_string(),
                    };
                    self.full_scan.insert(key.clone());
                    queue.add(key);
                }
            }
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        let Some(w) = world
            .api
            .get(key.kind, &key.namespace, &key.name)
            .and_then(Workload::of)
        else {
            return;
        };
        // A sync that waits for its client's rate limit goes on with what it set out to do,
        // as upstream's, blocked in its requests, does; a new one claims and plans afresh.
        let waiting = self.waiting.iter().position(|(k, _)| k == key);
        let mut work = match waiting.map(|at| self.waiting.swap_remove(at).1) {
            Some(work) => work,
            None => {
                let active_names = self.claim_pods(world, &w);
                plan(world, &w, &active_names)
            }
        };
        if let Some(at) = self.carry_out(world, &w, &mut work) {
            self.waiting.push((key.clone(), work));
            queue.requeue_at(world, at, key.clone());
            return;
        }
        self.update_status(world, &w, queue);
    }
}

/// What one sync sets out to do: create pods, or delete these (at most [`BURST`]).
#[derive(Clone, Debug, Default)]
struct Work {
    creates: usize,
    victims: Vec<String>,
}

/// The creates or deletes that bring `w` to its replicas, given its active pods.
fn plan(world: &World, w: &Workload, active_names: &[String]) -> Work {
    if w.deleting {
        return Work::default();
    }
    let diff = active_names.len() as i64 - i64::from(w.replicas);
    if diff < 0 {
        let missing = usize::try_from(-diff).unwrap_or(usize::MAX);
        return Work {
            creates: missing.min(BURST),
            victims: Vec::new(),
        };
    }
    if diff == 0 {
        return Work::default();
    }
    // Ranked in place: only the victims' names are copied.
    let active_pods: Vec<&Pod> = active_names
        .iter()
        .filter_map(|n| world.api.get_as::<Pod>(&w.key.namespace, n))
        .collect();
    Work {
        creates: 0,
        victims: victims(&active_pods, (diff as usize).min(BURST)),
    }
}

/// Counts toward replicas: not terminating, not finished.
fn active(pod: &Pod) -> bool {
    !pods::terminating(pod) && !pods::finished(pod)
}

fn owner_reference(w: &Workload) -> OwnerReference {
    OwnerReference {
        api_version: w.api_version.into(),
        kind: w.key.kind.into(),
        name: w.key.name.clone(),
        uid: w.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

impl ReplicaSets {
    /// Does `work` as far as the client's rate limit lets it now; returns when the next
    /// token comes if some is left (`work` then holds the rest).
    fn carry_out(&mut self, world: &mut World, w: &Workload, work: &mut Work) -> Option<i64> {
        let mut throttled = None;
        if work.creates > 0 {
            let created = slow_start(work.creates, || create_pod(world, w, &mut throttled));
            // A refused create ends the work (upstream's sync returns its error).
            work.creates = if throttled.is_some() {
                work.creates - created
            } else {
                0
            };
        }
        let mut deleted = 0;
        for name in &work.victims {
            if let Err(at) = world.clients.take(w.component(), world.clock.now_ms()) {
                throttled = Some(at);
                break;
            }
            deleted += 1;
            if delete_pod(world, w, name) {
                // Terminating, or gone already (an unscheduled pod).
                if let Some(seen) = self.owned.get_mut(&w.uid).and_then(|p| p.get_mut(name)) {
                    seen.active = false;
                }
            }
        }
        work.victims.drain(..deleted);
        throttled
    }

    /// Adopts matching orphans, releases owned pods that no longer match; returns the names of
    /// the active pods this controller owns. Pods are only copied when they must change.
    fn claim_pods(&mut self, world: &mut World, w: &Workload) -> Vec<String> {
        let mut active_names = Vec::new();
        let mut adopt = Vec::new();
        let mut release = Vec::new();
        let matches = |labels: Option<&BTreeMap<String, String>>| {
            !w.selector.is_empty() && w.selector.matches(labels)
        };
        if self.full_scan.remove(&w.key) {
            for o in world.api.list("Pod", Some(&w.key.namespace)) {
                let Object::Pod(pod) = o else { continue };
                let controller = controller_of(&pod.metadata);
                let ours = controller.is_some_and(|r| r.uid == w.uid);
                if !ours && controller.is_some() {
                    continue;
                }
                let matches = matches(pod.metadata.labels.as_ref());
                let name = pod.metadata.name.clone().unwrap_or_default();
                if ours && !matches {
                    release.push(name);
                } else if ours {
                    if active(pod) {
                        active_names.push(name);
                    }
                } else if matches && !w.deleting && pod.metadata.deletion_timestamp.is_none() {
                    adopt.push(name);
                }
            }
        } else {
            for (name, seen) in self.owned.get(&w.uid).into_iter().flatten() {
                if !matches(seen.labels.as_ref()) {
                    release.push(name.clone());
                } else if seen.active {
                    active_names.push(name.clone());
                }
            }
        }
        for name in release {
            if let Some(Object::Pod(mut pod)) =
                world.api.get("Pod", &w.key.namespace, &name).cloned()
            {
                if let Some(refs) = pod.metadata.owner_references.as_mut() {
                    refs.retain(|r| r.uid != w.uid);
                    if refs.is_empty() {
                        pod.metadata.owner_references = None;
                    }
                }
                world.clients.charge(w.component(), world.clock.now_ms());
                if world.api.update(Object::Pod(pod)).is_ok() {
                    self.forget(&(w.key.namespace.clone(), name));
                }
            }
        }
        for name in adopt {
            if let Some(Object::Pod(mut pod)) =
                world.api.get("Pod", &w.key.namespace, &name).cloned()
            {
                pod.metadata
                    .owner_references
                    .get_or_insert_with(Vec::new)
                    .push(owner_reference(w));
                let seen = PodSummary::of(&pod);
                let is_active = seen.active;
                world.clients.charge(w.component(), world.clock.now_ms());
                if world.api.update(Object::Pod(pod)).is_ok() {
                    self.note(&w.uid, (w.key.namespace.clone(), name.clone()), seen);
                    if is_active {
                        active_names.push(name);
                    }
                }
            }
        }
        active_names
    }

    /// Forgets a pod that lost its owner, changed it or is gone.
    fn forget(&mut self, pod_key: &(String, String)) {
        if let Some(uid) = self.owner_of.remove(pod_key) {
            if let Some(pods) = self.owned.get_mut(&uid) {
                pods.remove(&pod_key.1);
                if pods.is_empty() {
                    self.owned.remove(&uid);
                }
            }
        }
    }

    /// Records what the controller with `uid` now sees of its pod at `pod_key`.
    fn note(&mut self, uid: &str, pod_key: (String, String), seen: PodSummary) {
        self.forget(&pod_key);
        let pods = self.owned.entry(uid.to_string()).or_default();
        pods.insert(pod_key.1.clone(), seen);
        self.owner_of.insert(pod_key, uid.to_string());
    }
}

/// Creates one pod from the template; false when the API server refused it, or when the
/// client must wait for a token first (`throttled` then says until when).
fn create_pod(world: &mut World, w: &Workload, throttled: &mut Option<i64>) -> bool {
    if throttled.is_some() {
        return false;
    }
    if let Err(at) = world.clients.take(w.component(), world.clock.now_ms()) {
        *throttled = Some(at);
        return false;
    }
    let template = w.template.clone();
    let template_meta = template.metadata.unwrap_or_default();
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", w.key.name)),
            namespace: Some(w.key.namespace.clone()),
            labels: template_meta.labels,
            annotations: template_meta.annotations,
            owner_references: Some(vec![owner_reference(w)]),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    };
    let Some(owner) = world
        .api
        .get_shared(w.key.kind, &w.key.namespace, &w.key.name)
    else {
        return false;
    };
    let source = Source {
        component: w.component(),
        host: None,
    };
    match world.create(Object::Pod(Box::new(pod))) {
        Ok(created) => {
            let message = format!("Created pod: {}", created.name());
            events::record(
                world,
                &owner,
                EventType::Normal,
                "SuccessfulCreate",
                &message,
                source,
            );
            true
        }
        Err(e) => {
            events::record(
                world,
                &owner,
                EventType::Warning,
                "FailedCreate",
                &format!("Error creating: {}", e.status_message("")),
                source,
            );
            false
        }
    }
}

/// Deletes one pod; false when the API server refused.
fn delete_pod(world: &mut World, w: &Workload, name: &str) -> bool {
    if world
        .delete("Pod", &w.key.namespace, name, None, false)
        .is_err()
    {
        return false;
    }
    if let Some(owner) = world
        .api
        .get_shared(w.key.kind, &w.key.namespace, &w.key.name)
    {
        events::record(
            world,
            &owner,
            EventType::Normal,
            "SuccessfulDelete",
            &format!("Deleted pod: {name}"),
            Source {
                component: w.component(),
                host: None,
            },
        );
    }
    true
}

/// The `count` pods to delete first, as upstream ranks them: unscheduled before scheduled,
/// Pending before Running, not ready before ready, more pods of this controller on the same
/// node first, recently ready first, more restarts first, newer first.
fn victims(pods: &[&Pod], count: usize) -> Vec<String> {
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for p in pods {
        if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            *per_node.entry(n).or_default() += 1;
        }
    }
    let phase_rank = |p: &Pod| match pods::phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        _ => 2,
    };
    let restarts = |p: &Pod| -> i32 {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .map(|cs| cs.iter().map(|c| c.restart_count).max().unwrap_or(0))
            .unwrap_or(0)
    };
    let created = |p: &Pod| {
        p.metadata
            .creation_timestamp
            .as_ref()
            .map(ms_from_time)
            .unwrap_or(0)
    };
    // Each pod's rank is worked out once, not at every comparison.
    let mut ranked: Vec<_> = pods
        .iter()
        .map(|&p| {
            let node = p.spec.as_ref().and_then(|s| s.node_name.as_deref());
            let rank = (
                node.is_some(),
                phase_rank(p),
                pod_ready(p),
                std::cmp::Reverse(node.map_or(0, |n| per_node.get(n).copied().unwrap_or(0))),
                std::cmp::Reverse(ready_since(p).unwrap_or(0)),
                std::cmp::Reverse(restarts(p)),
                std::cmp::Reverse(created(p)),
                p.metadata.name.as_deref().unwrap_or_default(),
            );
            (rank, p)
        })
        .collect();
    ranked.stable_sort_by(|a, b| a.0.cmp(&b.0));
    ranked
        .into_iter()
        .take(count)
        .map(|(_, p)| p.metadata.name.clone().unwrap_or_default())
        .collect()
}

impl ReplicaSets {
    fn update_status(&mut self, world: &mut World, w: &Workload, queue: &mut Queue) {
        let now = world.clock.now_ms();
        let template_labels = w
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        let mut replicas = 0;
        let mut fully_labeled = 0;
        let mut ready = 0;
        let mut available = 0;
        let mut rechecks = Vec::new();
        let min_ready_ms = i64::from(w.min_ready_seconds) * 1000;
        for seen in self.owned.get(&w.uid).into_iter().flat_map(|p| p.values()) {
            if !seen.active {
                continue;
            }
            replicas += 1;
            let labels = seen.labels.as_ref();
            if template_labels
                .iter()
                .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
            {
                fully_labeled += 1;
            }
            if let Some(since) = seen.ready_since {
                ready += 1;
                if since + min_ready_ms <= now {
                    available += 1;
                } else {
                    rechecks.push(since + min_ready_ms);
                }
            }
        }
        for due in rechecks {
            queue.requeue_at(world, due, w.key.clone());
        }
        let Some(mut obj) = world
            .api
            .get(w.key.kind, &w.key.namespace, &w.key.name)
            .cloned()
        else {
            return;
        };
        let opt = |n: i32| (n > 0).then_some(n);
        let changed = match &mut obj {
            Object::ReplicaSet(rs) => {
                let status = rs.status.get_or_insert_with(Default::default);
                let before = status.clone();
                status.replicas = replicas;
                status.fully_labeled_replicas = opt(fully_labeled);
                status.ready_replicas = opt(ready);
                status.available_replicas = opt(available);
                status.observed_generation = w.generation;
                *status != before
            }
            Object::ReplicationController(rc) => {
                let status = rc.status.get_or_insert_with(Default::default);
                let before = status.clone();
                status.replicas = replicas;
                status.fully_labeled_replicas = opt(fully_labeled);
                status.ready_replicas = opt(ready);
                status.available_replicas = opt(available);
                status.observed_generation = w.generation;
                *status != before
            }
            _ => false,
        };
        if changed {
            world.clients.charge(w.component(), world.clock.now_ms());
            let _ = world.api.update_status(obj);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::SimDuration;
    use crate::controllers::testing::{object, Bench};

    fn replica_set(replicas: i32, min_ready_seconds: i32) -> Object {
        object(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": replicas,
                "minReadySeconds": min_ready_seconds,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
                }
            }
        }))
    }

    fn set_replicas(bench: &mut Bench, n: i32) {
        let Some(Object::ReplicaSet(mut rs)) =
            bench.world.api.get("ReplicaSet", "default", "web").cloned()
        else {
            panic!("no ReplicaSet");
        };
        rs.spec.as_mut().unwrap().replicas = Some(n);
        bench.world.api.update(Object::ReplicaSet(rs)).unwrap();
    }

    fn status(bench: &Bench) -> (i32, Option<i32>, Option<i32>) {
        match bench.world.api.get("ReplicaSet", "default", "web") {
            Some(Object::ReplicaSet(rs)) => {
                let s = rs.status.clone().unwrap_or_default();
                (s.replicas, s.ready_replicas, s.available_replicas)
            }
            _ => panic!("no ReplicaSet"),
        }
    }

    #[test]
    fn creates_the_missing_pods_once_with_owner_and_events() {
        let mut bench = Bench::new(Box::<ReplicaSets>::default());
        bench.create(replica_set(3, 0));
        bench.pass();
        let pods = bench.names("Pod");
        assert_eq!(pods.len(), 3);
        assert!(pods.iter().all(|p| p.starts_with("web-") && p.len() == 9));
        let Some(p) = bench.world.api.get_as::<Pod>("default", &pods[0]) else {
            panic!()
        };
        let owner = controller_of(&p.metadata).unwrap();
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("ReplicaSet", "web")
        );
        assert_eq!(p.metadata.generate_name.as_deref(), Some("web-"));
        let created: Vec<_> = bench.events();
        assert_eq!(created.len(), 3);
        assert!(created[0].starts_with("SuccessfulCreate: Created pod: web-"));
        // The pass saw its own pods: status counts them; another pass changes nothing.
        bench.pass();
        assert_eq!(status(&bench), (3, None, None));
        let rv = bench.world.api.resource_version();
        bench.pass();
        assert_eq!(bench.world.api.resource_version(), rv);
    }

    #[test]
    fn scales_down_unready_pods_first() {
        let mut bench = Bench::new(Box::<ReplicaSets>::default());
        bench.create(replica_set(3, 0));
        bench.pass();
        let pods = bench.names("Pod");
        bench.mark_ready(&pods[0]);
        bench.mark_ready(&pods[2]);
        set_replicas(&mut bench, 2);
        bench.pass();
        assert_eq!(bench.names("Pod"), vec![pods[0].clone(), pods[2].clone()]);
        assert_eq!(
            bench.events().last().map(String::as_str),
            Some(format!("SuccessfulDelete: Deleted pod: {}", pods[1]).as_str())
        );
    }

    /// Status is counted from what the controller saw of its pods, and from its own writes
    /// of the same pass: deleted victims and released pods no longer count.
    #[test]
    fn counts_its_own_deletions_and_releases_at_once() {
        let mut bench = Bench::new(Box::<ReplicaSets>::default());
        bench.create(replica_set(3, 0));
        bench.pass();
        bench.pass();
        assert_eq!(status(&bench).0, 3);
        set_replicas(&mut bench, 2);
        bench.pass();
        assert_eq!(status(&bench).0, 2);
        let pods = bench.names("Pod");
        let Some(mut stray) = bench.world.api.get_as::<Pod>("default", &pods[0]).cloned() else {
            panic!()
        };
        stray.metadata.labels = Some([("app".to_string(), "other".to_string())].into());
        bench
            .world
            .api
            .update(Object::Pod(Box::new(stray)))
            .unwrap();
        bench.pass();
        assert_eq!(status(&bench).0, 1, "the released pod no longer counts");
        let Some(p) = bench.world.api.get_as::<Pod>("default", &pods[0]) else {
            panic!()
        };
        assert!(controller_of(&p.metadata).is_none());
        bench.pass();
        assert_eq!(status(&bench).0, 2, "its replacement does");
        assert_eq!(bench.names("Pod").len(), 3);
    }

    #[test]
    fn min_ready_seconds_requeues_until_available() {
        let mut bench = Bench::new(Box::<ReplicaSets>::default());
        bench.create(replica_set(1, 10));
        bench.pass();
        let pod = bench.names("Pod").remove(0);
        bench.mark_ready(&pod);
        let ready_at = bench.world.clock.now_ms();
        bench.pass();
        assert_eq!(status(&bench), (1, Some(1), None));
        assert_eq!(bench.next_wake(), Some(ready_at + 10_000));
        bench.advance(SimDuration::seconds(10));
        assert_eq!(status(&bench), (1, Some(1), Some(1)));
    }

    #[test]
    fn adopts_a_matching_orphan_instead_of_creating() {
        let mut bench = Bench::new(Box::<ReplicaSets>::default());
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
        })));
        bench.create(replica_set(1, 0));
        bench.pass();
        assert_eq!(bench.names("Pod"), vec!["stray".to_string()]);
        let Some(p) = bench.world.api.get_as::<Pod>("default", "stray") else {
            panic!()
        };
        assert_eq!(
            controller_of(&p.metadata).map(|r| r.name.as_str()),
            Some("web")
        );
    }
}
