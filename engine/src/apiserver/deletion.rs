//! The apiserver's side of deletion: grace periods, finalizers and propagation policies.
//!
//! An object without finalizers goes at once (a running pod first waits out its grace period
//! on the kubelet; any other pod is marked deleting, then goes). An object with finalizers
//! only gets a `deletionTimestamp`; it goes when the last finalizer is removed. Foreground
//! and orphan propagation are finalizers too, handled by the garbage collector
//! (`controllers::garbage_collector`); namespaces are emptied by the namespace controller
//! first.

use k8s_openapi::api::core::v1::Namespace;

use super::store::Write;
use super::ApiServer;
use crate::api::error::ApiError;
use crate::api::object::Object;

/// Finalizer that keeps an owner until its blocking dependents are gone.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
/// Finalizer that keeps an owner until its dependents no longer point to it.
pub const ORPHAN_FINALIZER: &str = "orphan";
/// Finalizer of a namespace's `spec.finalizers`, removed by the namespace controller.
const NAMESPACE_FINALIZER: &str = "kubernetes";

/// Namespaces the apiserver never deletes.
const IMMORTAL_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

/// What happens to an object's dependents (`kubectl delete --cascade=...`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    /// The object goes now; the garbage collector deletes dependents afterwards.
    #[default]
    Background,
    /// Dependents go first; the object waits with the `foregroundDeletion` finalizer.
    Foreground,
    /// Dependents stay, with their owner reference removed.
    Orphan,
}

/// Options of one delete request, as `DeleteOptions` in the API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// Grace period in seconds; `None` uses the object's own.
    pub grace: Option<i64>,
    /// Skip the kubelet's confirmation (`--force --grace-period=0`).
    pub force: bool,
    /// What happens to dependents.
    pub propagation: Propagation,
}

/// What a DELETE request did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deletion {
    /// The object is gone from the store.
    Removed,
    /// A scheduled pod got its `deletionTimestamp`: its kubelet stops it (pod uid inside).
    Graceful(String),
    /// The object waits for finalizers (or was already being deleted).
    Pending,
}

impl ApiServer {
    /// `DELETE` with `options`, at `now` (ms).
    pub fn delete(
        &mut self,
        kind: &'static str,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
        now: i64,
    ) -> Result<Deletion, ApiError> {
        // Read in place: most deletions remove the object, and only a write needs a copy.
        let Some(stored) = self.store.get_shared(kind, namespace, name) else {
            return Err(ApiError::not_found(self.info_or_builtin(kind), name));
        };
        // NamespaceLifecycle admission: the immortal namespaces.
        if kind == "Namespace" && IMMORTAL_NAMESPACES.contains(&name) {
            return Err(ApiError::denied(
                crate::api::kinds::info(kind),
                name,
                "this namespace may not be deleted",
            ));
        }
        let meta = stored.metadata();
        let already = meta.deletion_timestamp.is_some();
        // The propagation's finalizer, when the object does not hold it yet.
        let added = match options.propagation {
            Propagation::Background => None,
            Propagation::Foreground => Some(FOREGROUND_FINALIZER),
            Propagation::Orphan => Some(ORPHAN_FINALIZER),
        }
        .filter(|f| !meta.finalizers.iter().flatten().any(|x| x == f));
        let changed = added.is_some();
        // The copy a write stores: the stored object with the added finalizer.
        let copy = || {
            let mut obj = Object::clone(&stored);
            if let Some(f) = added {
                let list = obj.metadata_mut().finalizers.get_or_insert_with(Vec::new);
                list.push(f.to_string());
            }
            obj
        };
        let mirror = crate::api::pod::is_mirror(meta);
        match &*stored {
            // A mirror pod goes at once; its kubelet posts a new one
            // (controllers::system_objects, node::static_pods).
            Object::Pod(_) if mirror => {
                self.remove(kind, namespace, name);
                return Ok(Deletion::Removed);
            }
            Object::Pod(pod) => {
                if already && !options.force {
                    if changed {
                        self.store.update(copy(), Write::Whole)?;
                    }
                    return Ok(Deletion::Pending);
                }
                let scheduled = pod.spec.as_ref().is_some_and(|s| s.node_name.is_some());
                let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
                if options.force || !scheduled || matches!(phase, Some("Succeeded" | "Failed")) {
                    // Grace period 0 (forced; or nothing runs it: not scheduled, or already
                    // terminated): the pod is marked deleting (one write; a deletion already
                    // under way is shortened to 0) and, with no finalizer, goes at once (the
                    // pod strategy's `CheckGracefulDelete`, `BeforeDelete`, then the store's
                    // `updateForGracefulDeletionAndFinalizers` and delete).
                    if already && !changed && meta.deletion_grace_period_seconds.unwrap_or(0) == 0 {
                        // Already at 0: nothing to write (etcd skips a no-op update).
                        return Ok(if self.remove_if_finalized(kind, namespace, name) {
                            Deletion::Removed
                        } else {
                            Deletion::Pending
                        });
                    }
                    let requested =
                        match (&meta.deletion_timestamp, meta.deletion_grace_period_seconds) {
                            (Some(at), grace) => crate::clock::ms_from_time(at)
                                .saturating_sub(grace.unwrap_or(0).saturating_mul(1000)),
                            (None, _) => now,
                        };
                    let mut obj = copy();
                    let meta = obj.metadata_mut();
                    meta.deletion_timestamp = Some(crate::clock::time_from_ms(requested));
                    meta.deletion_grace_period_seconds = Some(0);
                    self.store.update(obj, Write::Whole)?;
                    if self.remove_if_finalized(kind, namespace, name) {
                        return Ok(Deletion::Removed);
                    }
                    return Ok(Deletion::Pending);
                }
                if scheduled {
                    let grace = options
                        .grace
                        .or(pod
                            .spec
                            .as_ref()
                            .and_then(|s| s.termination_grace_period_seconds))
                        .unwrap_or(30)
                        .max(1);
                    let mut obj = copy();
                    let meta = obj.metadata_mut();
                    meta.deletion_timestamp = Some(crate::clock::time_from_ms(
                        now.saturating_add(grace.saturating_mul(1000)),
                    ));
                    meta.deletion_grace_period_seconds = Some(grace);
                    let uid = pod.metadata.uid.clone().unwrap_or_default();
                    self.store.update(obj, Write::Whole)?;
                    return Ok(Deletion::Graceful(uid));
                }
            }
            Object::Namespace(_) => {
                if !already || changed {
                    let mut obj = copy();
                    if let Object::Namespace(ns) = &mut obj {
                        mark_terminating(ns, now);
                    }
                    self.store.update(obj, Write::Whole)?;
                }
                return Ok(Deletion::Pending);
            }
            _ => {}
        }
        // Everything else: gone now unless finalizers hold it.
        if changed || has_finalizers(&stored) {
            if !already || changed {
                let mut obj = copy();
                let meta = obj.metadata_mut();
                meta.deletion_timestamp
                    .get_or_insert_with(|| crate::clock::time_from_ms(now));
                meta.deletion_grace_period_seconds = Some(0);
                self.store.update(obj, Write::Whole)?;
            }
            return Ok(Deletion::Pending);
        }
        self.remove(kind, namespace, name);
        Ok(Deletion::Removed)
    }

    /// Removes an object whose deletion has been requested once nothing holds it any more:
    /// no finalizers left and, for pods, the kubelet done (grace period 0). Returns whether
    /// it went.
    pub(crate) fn remove_if_finalized(
        &mut self,
        kind: &'static str,
        namespace: &str,
        name: &str,
    ) -> bool {
        let Some(obj) = self.store.get(kind, namespace, name) else {
            return false;
        };
        let meta = obj.metadata();
        let ready = meta.deletion_timestamp.is_some()
            && !has_finalizers(obj)
            && meta.deletion_grace_period_seconds.unwrap_or(0) == 0;
        if ready {
            self.remove(kind, namespace, name);
        }
        ready
    }

    /// The kubelet's final delete of a pod whose containers have stopped (grace period 0):
    /// the pod goes now, or waits for its finalizers.
    pub(crate) fn finish_pod_deletion(&mut self, namespace: &str, name: &str) {
        if let Some(mut obj) = self.store.get("Pod", namespace, name).cloned() {
            if has_finalizers(&obj) {
                obj.metadata_mut().deletion_grace_period_seconds = Some(0);
                let _ = self.store.update(obj, Write::Whole);
            } else {
                self.remove("Pod", namespace, name);
            }
        }
    }
}

/// Whether any finalizer still holds the object (a namespace's `spec.finalizers` included).
pub(crate) fn has_finalizers(obj: &Object) -> bool {
    let meta = obj
        .metadata()
        .finalizers
        .as_ref()
        .is_some_and(|f| !f.is_empty());
    let spec = match obj {
        Object::Namespace(ns) => ns
            .spec
            .as_ref()
            .and_then(|s| s.finalizers.as_ref())
            .is_some_and(|f| f.iter().any(|x| x == NAMESPACE_FINALIZER)),
        _ => false,
    };
    meta || spec
}

fn mark_terminating(ns: &mut Namespace, now: i64) {
    ns.metadata
        .deletion_timestamp
        .get_or_insert_with(|| crate::clock::time_from_ms(now));
    ns.metadata.deletion_grace_period_seconds = Some(0);
    ns.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
}

/// Removes the namespace finalizer (the namespace controller's `finalize` call).
pub(crate) fn finalize_namespace(ns: &mut Namespace) {
    if let Some(f) = ns.spec.as_mut().and_then(|s| s.finalizers.as_mut()) {
        f.retain(|x| x != NAMESPACE_FINALIZER);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::object::WatchEventType;

    /// A world holding pod `default/p`, scheduled on `node` (or not), in `phase`.
    fn world_with_pod(node: Option<&str>, phase: &str) -> crate::world::World {
        let mut world = crate::world::World::new(0, 1);
        let pod = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]},
            "status": {"phase": phase},
        });
        let pod = Object::decode_strict("Pod", &pod).and_then(Result::ok);
        let now = world.clock.now_time();
        world
            .api
            .restore(pod.expect("a pod"), now, &mut world.rng)
            .expect("stored");
        world
    }

    /// A watch event's type, and the grace period and deletion time (ms) its pod carries.
    type Seen = (WatchEventType, Option<i64>, Option<i64>);

    /// What a watcher sees of the pod's deletion.
    fn deletion_seen(
        world: &mut crate::world::World,
        options: DeleteOptions,
        now: i64,
    ) -> (Deletion, Vec<Seen>) {
        let cursor = world.api.watch();
        let done = world.api.delete("Pod", "default", "p", &options, now);
        let seen = world
            .api
            .read(&cursor)
            .iter()
            .map(|e| {
                let meta = e.object.metadata();
                let at = meta.deletion_timestamp.as_ref();
                (
                    e.kind,
                    meta.deletion_grace_period_seconds,
                    at.map(crate::clock::ms_from_time),
                )
            })
            .collect();
        (done.expect("deleted"), seen)
    }

    #[test]
    fn a_pod_nothing_runs_is_marked_deleting_then_goes() {
        use WatchEventType::{Deleted, Modified};
        let graceful = DeleteOptions::default();
        // Not scheduled, or already terminated: grace period 0 (CheckGracefulDelete).
        for (node, phase) in [(None, "Pending"), (Some("node01"), "Succeeded")] {
            let mut world = world_with_pod(node, phase);
            let (done, seen) = deletion_seen(&mut world, graceful, 5_000);
            assert_eq!(done, Deletion::Removed);
            let marked = (Some(0), Some(5_000));
            assert_eq!(
                seen,
                [
                    (Modified, marked.0, marked.1),
                    (Deleted, marked.0, marked.1)
                ]
            );
        }
        // A running pod waits out its grace period on its kubelet.
        let mut world = world_with_pod(Some("node01"), "Running");
        let (done, seen) = deletion_seen(&mut world, graceful, 5_000);
        assert!(matches!(done, Deletion::Graceful(_)));
        assert_eq!(seen, [(Modified, Some(30), Some(35_000))]);
        // Forced while it does: shortened to 0 from when the deletion was asked for.
        let forced = DeleteOptions {
            grace: Some(0),
            force: true,
            ..DeleteOptions::default()
        };
        let (done, seen) = deletion_seen(&mut world, forced, 9_000);
        assert_eq!(done, Deletion::Removed);
        assert_eq!(
            seen,
            [
                (Modified, Some(0), Some(5_000)),
                (Deleted, Some(0), Some(5_000))
            ]
        );
    }
}
