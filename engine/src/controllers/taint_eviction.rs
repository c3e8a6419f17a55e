//! Taint eviction controller (kube-controller-manager's `taint-eviction-controller`,
//! `pkg/controller/tainteviction`): a pod on a node with `NoExecute` taints it does not
//! all tolerate is deleted at once; one that tolerates them for `tolerationSeconds` is
//! deleted when the shortest of those runs out (from when the controller saw it), unless
//! the taints go first. Before deleting it marks the pod (`DisruptionTarget`,
//! `DeletionByTaintManager`) and records `TaintManagerEviction` events as upstream does.

use k8s_openapi::api::core::v1::{Pod, PodCondition, Taint, Toleration};

use super::runtime::{Controller, Queue};
use super::scheduler::tolerates;
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::world::events::{self, EventType, Involved, Source};
use crate::world::World;

const SOURCE: Source<'static> = Source {
    component: "taint-eviction-controller",
    host: None,
};

/// The controller: the nodes' `NoExecute` taints as last seen, and the deletions it has
/// scheduled (pod → when the pod goes, epoch ms). Short lists, not maps: a few tainted
/// nodes, a few pods waiting out their tolerations (and no map code of their own).
#[derive(Clone, Debug, Default)]
pub struct TaintEviction {
    no_execute: Vec<(String, Vec<Taint>)>,
    scheduled: Vec<((String, String), i64)>,
}

fn pod_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "Pod",
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

/// `GetMatchingTolerations`: whether every taint is tolerated, and by which tolerations.
fn matching<'t>(taints: &[Taint], tolerations: &'t [Toleration]) -> Option<Vec<&'t Toleration>> {
    taints
        .iter()
        .map(|taint| {
            tolerations
                .iter()
                .find(|t| tolerates(std::slice::from_ref(*t), taint))
        })
        .collect()
}

/// `getMinTolerationTime`: the shortest `tolerationSeconds` in ms (0 for none at all or one
/// at or below zero), or `None` when they tolerate forever.
fn min_toleration_ms(used: &[&Toleration]) -> Option<i64> {
    if used.is_empty() {
        return Some(0);
    }
    let mut min: Option<i64> = None;
    for t in used {
        if let Some(s) = t.toleration_seconds {
            if s <= 0 {
                return Some(0);
            }
            min = Some(min.map_or(s, |m| m.min(s)));
        }
    }
    min.map(|s| s.saturating_mul(1000))
}

impl TaintEviction {
    fn taints_of(&self, node: &str) -> Option<&Vec<Taint>> {
        self.no_execute
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, t)| t)
    }

    fn due(&self, namespace: &str, name: &str) -> Option<i64> {
        self.scheduled
            .iter()
            .find(|((ns, n), _)| ns == namespace && n == name)
            .map(|(_, due)| *due)
    }

    /// Forgets a scheduled deletion; whether there was one.
    fn forget(&mut self, namespace: &str, name: &str) -> bool {
        let before = self.scheduled.len();
        self.scheduled
            .retain(|((ns, n), _)| !(ns == namespace && n == name));
        self.scheduled.len() != before
    }

    /// Drops a scheduled deletion, saying so on the pod as upstream's `cancelWorkWithEvent`.
    fn cancel(&mut self, world: &mut World, namespace: &str, name: &str) {
        if self.forget(namespace, name) {
            record(world, namespace, name, "Cancelling deletion of Pod");
        }
    }

    /// Marks the pod and deletes it (`addConditionAndDeletePod`).
    fn evict(&mut self, world: &mut World, pod: &Pod) {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        self.forget(&namespace, &name);
        record(world, &namespace, &name, "Marking for deletion Pod");
        let mut marked = pod.clone();
        let status = marked.status.get_or_insert_with(Default::default);
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        if !conditions.iter().any(|c| {
            c.type_ == "DisruptionTarget"
                && c.status == "True"
                && c.reason.as_deref() == Some("DeletionByTaintManager")
        }) {
            conditions.retain(|c| c.type_ != "DisruptionTarget");
            conditions.push(PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("DeletionByTaintManager".into()),
                message: Some("Taint manager: deleting due to NoExecute taint".into()),
                last_transition_time: Some(world.clock.now_time()),
                ..Default::default()
            });
            let _ = world.api.update_status(Object::Pod(Box::new(marked)));
        }
        let _ = world.delete("Pod", &namespace, &name, None, false);
    }
}

/// A `TaintManagerEviction` event on the pod, named by a reference without a uid as
/// upstream's `emitPodDeletionEvent` makes it.
fn record(world: &mut World, namespace: &str, name: &str, what: &str) {
    let involved = Involved {
        info: crate::api::kinds::info("Pod"),
        namespace,
        name,
        uid: "",
        resource_version: None,
    };
    let message = format!("{what} {namespace}/{name}");
    events::record_about(
        world,
        involved,
        EventType::Normal,
        "TaintManagerEviction",
        &message,
        SOURCE,
    );
}

impl Controller for TaintEviction {
    fn name(&self) -> &'static str {
        "taint-eviction"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Node(_) | Object::Pod(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        match &*event.object {
            Object::Node(node) => {
                let name = node.metadata.name.clone().unwrap_or_default();
                let taints: Vec<Taint> = match event.kind {
                    WatchEventType::Deleted => Vec::new(),
                    _ => node
                        .spec
                        .iter()
                        .flat_map(|s| s.taints.iter().flatten())
                        .filter(|t| t.effect == "NoExecute")
                        .cloned()
                        .collect(),
                };
                if self
                    .taints_of(&name)
                    .map_or(taints.is_empty(), |t| *t == taints)
                {
                    return;
                }
                self.no_execute.retain(|(n, _)| *n != name);
                if !taints.is_empty() {
                    self.no_execute.push((name.clone(), taints));
                }
                for p in world.api.list_as::<Pod>(None) {
                    if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(&name) {
                        queue.add(pod_key(
                            p.metadata.namespace.as_deref().unwrap_or(""),
                            p.metadata.name.as_deref().unwrap_or(""),
                        ));
                    }
                }
            }
            Object::Pod(pod) => {
                let (ns, name) = (
                    pod.metadata.namespace.as_deref().unwrap_or(""),
                    pod.metadata.name.as_deref().unwrap_or(""),
                );
                let on_tainted = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_deref())
                    .is_some_and(|n| self.taints_of(n).is_some());
                let tracked = self.due(ns, name).is_some();
                if on_tainted || tracked {
                    queue.add(pod_key(ns, name));
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        let (ns, name) = (key.namespace.as_str(), key.name.as_str());
        let Some(pod) = world.api.get_as::<Pod>(ns, name).cloned() else {
            self.forget(ns, name);
            return;
        };
        if pod.metadata.deletion_timestamp.is_some() {
            self.forget(ns, name);
            return;
        }
        let taints = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .and_then(|n| self.taints_of(n))
            .cloned()
            .unwrap_or_default();
        if taints.is_empty() {
            self.cancel(world, ns, name);
            return;
        }
        let tolerations = pod
            .spec
            .as_ref()
            .and_then(|s| s.tolerations.clone())
            .unwrap_or_default();
        let Some(used) = matching(&taints, &tolerations) else {
            self.cancel(world, ns, name);
            self.evict(world, &pod);
            return;
        };
        let Some(wait) = min_toleration_ms(&used) else {
            self.cancel(world, ns, name);
            return;
        };
        let now = world.clock.now_ms();
        let due = match self.due(ns, name) {
            Some(due) => due,
            None => {
                let due = now.saturating_add(wait);
                self.scheduled
                    .push(((ns.to_string(), name.to_string()), due));
                due
            }
        };
        if due <= now {
            self.evict(world, &pod);
        } else {
            queue.requeue_at(world, due, key.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toleration(key: &str, seconds: Option<i64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: seconds,
            ..Default::default()
        }
    }

    #[test]
    fn toleration_times_are_upstreams() {
        let taint = Taint {
            key: "k".into(),
            effect: "NoExecute".into(),
            ..Default::default()
        };
        assert!(matching(std::slice::from_ref(&taint), &[]).is_none());
        let tols = [toleration("k", Some(60)), toleration("k", None)];
        let used = matching(std::slice::from_ref(&taint), &tols).unwrap();
        assert_eq!(min_toleration_ms(&used), Some(60_000));
        let forever = [toleration("k", None)];
        let used = matching(std::slice::from_ref(&taint), &forever).unwrap();
        assert_eq!(min_toleration_ms(&used), None);
        let zero = [toleration("k", Some(-5))];
        let used = matching(std::slice::from_ref(&taint), &zero).unwrap();
        assert_eq!(min_toleration_ms(&used), Some(0));
    }
}
