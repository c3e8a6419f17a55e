//! `pvc-protection`: lets a deleted claim go (removes its `kubernetes.io/pvc-protection`
//! finalizer) once no pod that has not finished uses it.

use std::collections::BTreeSet;

use super::claim_key;
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::pvc::PROTECTION_FINALIZER;
use crate::controllers::runtime::{Controller, Queue};
use crate::world::World;

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

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::PersistentVolumeClaim(_) | Object::Pod(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, _queue: &mut Queue) {
        match (&*event.object, event.kind) {
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
pub(super) fn in_use(world: &World, ns: &str) -> BTreeSet<String> {
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
    use crate::controllers::testing::{object, Bench};

    fn claim() -> Object {
        object(json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "default"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
        }))
    }

    #[test]
    fn a_deleted_claim_goes_once_no_pod_uses_it() {
        let mut bench = Bench::new(Box::<ClaimProtection>::default());
        bench.create(claim());
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
