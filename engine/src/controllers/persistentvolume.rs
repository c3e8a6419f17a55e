//! The persistentvolume controllers' side of claims, as two controllers of
//! kube-controller-manager:
//!
//! - `persistentvolume-binder` ([`ClaimBinder`]): Kubeplay has no PersistentVolumes or
//!   StorageClasses, so a claim stays Pending and the controller says why at every resync
//!   (15 s), as `syncUnboundClaim` does.
//! - `pvc-protection` ([`ClaimProtection`]): lets a deleted claim go (removes its
//!   `kubernetes.io/pvc-protection` finalizer) once no pod uses it.

use std::collections::BTreeSet;

use super::runtime::{Controller, Queue};
use crate::api::object::{Object, ObjectKey, PersistentVolume, WatchEvent, WatchEventType};
use crate::api::pvc::{PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER};
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// The binder's resync period.
const RESYNC_MS: i64 = 15_000;

const SOURCE: Source<'static> = Source {
    component: "persistentvolume-controller",
    host: None,
};

fn claim_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "PersistentVolumeClaim",
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

/// The binder: new claims at once, then each at its resync. It remembers nothing but its
/// queue.
#[derive(Clone, Debug, Default)]
pub struct ClaimBinder;

impl Controller for ClaimBinder {
    fn name(&self) -> &'static str {
        "persistentvolume-binder"
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if let (Object::PersistentVolumeClaim(_), WatchEventType::Added) =
            (&event.object, event.kind)
        {
            queue.add(claim_key(event.object.namespace(), event.object.name()));
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        let Some(obj) = world
            .api
            .get("PersistentVolumeClaim", &key.namespace, &key.name)
            .cloned()
        else {
            return;
        };
        let Object::PersistentVolumeClaim(claim) = &obj else {
            return;
        };
        let spec = claim.spec.clone().unwrap_or_default();
        if claim.metadata.deletion_timestamp.is_some() || spec.volume_name.is_some() {
            return;
        }
        match spec.storage_class_name.as_deref().filter(|c| !c.is_empty()) {
            Some(class) => events::record(
                world,
                &obj,
                EventType::Warning,
                "ProvisioningFailed",
                &format!("storageclass.storage.k8s.io \"{class}\" not found"),
                SOURCE,
            ),
            None => events::record(
                world,
                &obj,
                EventType::Normal,
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set",
                SOURCE,
            ),
        }
        let due = world.clock.now_ms() + RESYNC_MS;
        queue.requeue_at(world, due, key.clone());
    }
}

/// Volumes, as two more controllers of kube-controller-manager: the binder's side of
/// volumes (`syncVolume`: a new volume no claim is bound to becomes `Available`, with the
/// time of that phase change) and `pv-protection` (a deleted volume no claim is bound to
/// loses its `kubernetes.io/pv-protection` finalizer, and goes).
#[derive(Clone, Debug, Default)]
pub struct Volumes;

impl Controller for Volumes {
    fn name(&self) -> &'static str {
        "persistentvolume-binder-volumes"
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let Object::PersistentVolume(pv) = &event.object else {
            return;
        };
        let deleting = pv.metadata.deletion_timestamp.is_some();
        if event.kind == WatchEventType::Added
            || (event.kind == WatchEventType::Modified && deleting)
        {
            queue.add(ObjectKey {
                kind: "PersistentVolume",
                namespace: String::new(),
                name: event.object.name().to_string(),
            });
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(mut pv) = world.api.get_as::<PersistentVolume>("", &key.name).cloned() else {
            return;
        };
        let claimed = pv.spec.as_ref().is_some_and(|s| s.claim_ref.is_some());
        if pv.metadata.deletion_timestamp.is_some() {
            let finalizers = pv.metadata.finalizers.get_or_insert_with(Vec::new);
            if !claimed && finalizers.iter().any(|f| f == PV_PROTECTION_FINALIZER) {
                finalizers.retain(|f| f != PV_PROTECTION_FINALIZER);
                if world
                    .api
                    .update(Object::PersistentVolume(Box::new(pv)))
                    .is_ok()
                {
                    world.remove_if_finalized("PersistentVolume", "", &key.name);
                }
            }
            return;
        }
        let status = pv.status.get_or_insert_with(Default::default);
        if claimed || status.phase.as_deref().is_some_and(|p| p != "Pending") {
            return;
        }
        status.phase = Some("Available".into());
        status.last_phase_transition_time = Some(world.clock.now_time());
        let _ = world
            .api
            .update_status(Object::PersistentVolume(Box::new(pv)));
    }
}

/// The protection controller: when a claim is being deleted or a pod went, every deleted
/// claim of that namespace that still holds the finalizer is looked at again.
#[derive(Clone, Debug, Default)]
pub struct ClaimProtection {
    /// Namespaces where a claim is being deleted or a pod went, this pass.
    namespaces: BTreeSet<String>,
}

impl Controller for ClaimProtection {
    fn name(&self) -> &'static str {
        "pvc-protection"
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, _queue: &mut Queue) {
        match (&event.object, event.kind) {
            (Object::PersistentVolumeClaim(c), WatchEventType::Modified)
                if c.metadata.deletion_timestamp.is_some() =>
            {
                self.namespaces.insert(event.object.namespace().to_string());
            }
            (Object::Pod(_), WatchEventType::Deleted) => {
                self.namespaces.insert(event.object.namespace().to_string());
            }
            _ => {}
        }
    }

    /// The deleted claims held by the finalizer in those namespaces (a read of the store).
    fn after_events(&mut self, world: &World, queue: &mut Queue) {
        for ns in std::mem::take(&mut self.namespaces) {
            for o in world.api.list("PersistentVolumeClaim", Some(&ns)) {
                if held(o) {
                    queue.add(claim_key(&ns, o.name()));
                }
            }
        }
    }

    /// Removes the finalizer of a deleted claim no running pod uses; it then goes.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let ns = key.namespace.as_str();
        let Some(mut obj) = world
            .api
            .get("PersistentVolumeClaim", ns, &key.name)
            .cloned()
        else {
            return;
        };
        if !held(&obj) || in_use(world, ns).contains(&key.name) {
            return;
        }
        if let Some(list) = obj.metadata_mut().finalizers.as_mut() {
            list.retain(|f| f != PROTECTION_FINALIZER);
        }
        if world.api.update(obj).is_ok() {
            world.remove_if_finalized("PersistentVolumeClaim", ns, &key.name);
        }
    }
}

/// A claim being deleted that the protection finalizer still holds.
fn held(claim: &Object) -> bool {
    let meta = claim.metadata();
    meta.deletion_timestamp.is_some()
        && meta
            .finalizers
            .iter()
            .flatten()
            .any(|f| f == PROTECTION_FINALIZER)
}

/// The claims the pods of `ns` that have not finished use.
fn in_use(world: &World, ns: &str) -> BTreeSet<String> {
    world
        .api
        .list("Pod", Some(ns))
        .filter_map(|o| match o {
            Object::Pod(p) if !crate::api::pod::finished(p) => Some(p),
            _ => None,
        })
        .flat_map(|p| p.spec.iter().flat_map(|s| s.volumes.iter().flatten()))
        .filter_map(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::SimDuration;
    use crate::controllers::testing::{object, Bench};

    fn claim(storage_class: Option<&str>) -> Object {
        let mut spec = json!({
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}
        });
        if let Some(class) = storage_class {
            spec["storageClassName"] = json!(class);
        }
        object(json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "default"},
            "spec": spec
        }))
    }

    #[test]
    fn an_unbound_claim_says_why_at_every_resync() {
        let mut bench = Bench::new(Box::<ClaimBinder>::default());
        bench.create(claim(None));
        bench.pass();
        assert_eq!(
            bench.events(),
            ["FailedBinding: no persistent volumes available for this claim and no storage class is set"]
        );
        let now = bench.world.clock.now_ms();
        assert_eq!(bench.next_wake(), Some(now + RESYNC_MS));
        let count = |bench: &Bench| match bench.world.api.list("Event", Some("default")).next() {
            Some(Object::Event(e)) => e.count,
            _ => None,
        };
        bench.pass();
        assert_eq!(count(&bench), Some(1));
        bench.advance(SimDuration::seconds(15));
        assert_eq!(count(&bench), Some(2));
    }

    #[test]
    fn a_missing_storage_class_fails_provisioning() {
        let mut bench = Bench::new(Box::<ClaimBinder>::default());
        bench.create(claim(Some("fast")));
        bench.pass();
        assert_eq!(
            bench.events(),
            ["ProvisioningFailed: storageclass.storage.k8s.io \"fast\" not found"]
        );
    }

    #[test]
    fn a_deleted_claim_goes_once_no_pod_uses_it() {
        let mut bench = Bench::new(Box::<ClaimProtection>::default());
        bench.create(claim(None));
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "app", "namespace": "default"},
            "spec": {
                "containers": [{"name": "app", "image": "nginx"}],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
            }
        })));
        bench
            .world
            .delete("PersistentVolumeClaim", "default", "data", None, false)
            .unwrap();
        bench.pass();
        let Some(held_claim) = bench.get("PersistentVolumeClaim", "data") else {
            panic!("the claim went while in use");
        };
        assert!(held(held_claim));
        bench
            .world
            .delete("Pod", "default", "app", None, false)
            .unwrap();
        bench.pass();
        assert!(bench.names("PersistentVolumeClaim").is_empty());
    }
}
