//! The namespace controller: empties a namespace that is being deleted (phase
//! `Terminating`), then removes its `kubernetes` finalizer so the namespace goes.

use super::runtime::{Controller, Queue};
use crate::api::kinds;
use crate::api::object::{Namespace, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::world::World;

/// The controller (it remembers nothing between passes: the store says what is left).
#[derive(Clone, Debug, Default)]
pub struct Namespaces;

fn key(namespace: &str) -> ObjectKey {
    ObjectKey {
        kind: "Namespace",
        namespace: String::new(),
        name: namespace.to_string(),
    }
}

fn terminating(world: &World, namespace: &str) -> bool {
    world
        .api
        .get("Namespace", "", namespace)
        .is_some_and(|ns| ns.metadata().deletion_timestamp.is_some())
}

impl Controller for Namespaces {
    fn name(&self) -> &'static str {
        "namespace"
    }

    /// Every kind but Events: none is created in a terminating namespace (NamespaceLifecycle
    /// refuses it) and a sync deletes those there at once, so no Event can be the last
    /// object left to wait for.
    fn reads(&self, obj: &Object) -> bool {
        !matches!(obj, Object::Event(_))
    }

    /// A namespace being deleted, and any change to an object inside one (an object that
    /// went may have been the last).
    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        let ns = match obj {
            Object::Namespace(_) if event.kind != WatchEventType::Deleted => obj.name(),
            Object::Namespace(_) => return,
            _ => obj.namespace(),
        };
        if !ns.is_empty() && terminating(world, ns) {
            queue.add(key(ns));
        }
    }

    /// Deletes everything in a terminating namespace; finalizes it once nothing is left.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        if !terminating(world, &key.name) {
            return;
        }
        if empty_namespace(world, &key.name) {
            finalize(world, &key.name);
        }
    }
}

/// Deletes everything in `namespace`; returns whether nothing is left.
fn empty_namespace(world: &mut World, namespace: &str) -> bool {
    let mut left = false;
    let all: Vec<&'static str> = namespaced_kinds(world);
    for kind in all {
        let names: Vec<(String, bool)> = world
            .api
            .list(kind, Some(namespace))
            .map(|o| {
                (
                    o.name().to_string(),
                    o.metadata().deletion_timestamp.is_some(),
                )
            })
            .collect();
        for (name, deleting) in names {
            left = true;
            if !deleting {
                let _ = world.delete(kind, namespace, &name, None, false);
            }
        }
    }
    // Objects removed at once above no longer hold the namespace.
    !left
        || namespaced_kinds(world)
            .iter()
            .all(|k| world.api.list(k, Some(namespace)).next().is_none())
}

/// The namespaced kinds stored now: the built-in ones, then the custom kinds.
fn namespaced_kinds(world: &World) -> Vec<&'static str> {
    Object::KINDS
        .iter()
        .copied()
        .filter(|k| kinds::info(k).namespaced)
        .chain(
            world
                .api
                .custom_kinds()
                .filter(|k| k.info.namespaced)
                .map(|k| k.info.kind),
        )
        .collect()
}

fn finalize(world: &mut World, namespace: &str) {
    let Some(ns) = world.api.get_as::<Namespace>("", namespace).cloned() else {
        return;
    };
    let mut ns = ns;
    crate::apiserver::finalize_namespace(&mut ns);
    if world.api.update(Object::Namespace(Box::new(ns))).is_ok() {
        world.remove_if_finalized("Namespace", "", namespace);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::controllers::testing::{object, Bench};

    #[test]
    fn a_deleted_namespace_is_emptied_then_finalized() {
        let mut bench = Bench::new(Box::<Namespaces>::default());
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}
        })));
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "team"}
        })));
        // A namespace that is not being deleted is left alone.
        let rv = bench.world.api.resource_version();
        bench.pass();
        assert_eq!(bench.world.api.resource_version(), rv);
        bench
            .world
            .delete("Namespace", "", "team", None, false)
            .unwrap();
        assert!(bench.world.api.get("Namespace", "", "team").is_some());
        bench.pass();
        assert!(bench
            .world
            .api
            .get("ConfigMap", "team", "settings")
            .is_none());
        assert!(bench.world.api.get("Namespace", "", "team").is_none());
    }
}
