//! The resource quota controller (`pkg/controller/resourcequota`): keeps each quota's
//! `status.hard` equal to its spec and `status.used` equal to what the objects of its
//! namespace use (`api::quota`), as objects come and go and pods finish.

use k8s_openapi::api::core::v1::ResourceQuota;

use super::runtime::{Controller, Queue};
use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::api::quota;
use crate::world::World;

/// The quota controller.
#[derive(Clone, Debug, Default)]
pub struct Quotas;

fn key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "ResourceQuota",
        namespace: namespace.into(),
        name: name.into(),
    }
}

impl Controller for Quotas {
    fn name(&self) -> &'static str {
        "resourcequota"
    }

    fn reads(&self, obj: &Object) -> bool {
        !matches!(obj, Object::Event(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        let ns = obj.namespace();
        if let Object::ResourceQuota(_) = obj {
            queue.add(key(ns, obj.name()));
            return;
        }
        if ns.is_empty() || matches!(obj, Object::Event(_)) {
            return;
        }
        for q in world.api.list_as::<ResourceQuota>(Some(ns)) {
            queue.add(key(ns, q.metadata.name.as_deref().unwrap_or("")));
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(q) = world
            .api
            .get_as::<ResourceQuota>(&key.namespace, &key.name)
            .cloned()
        else {
            return;
        };
        if q.metadata.deletion_timestamp.is_some() {
            return;
        }
        let ns = key.namespace.as_str();
        let objects = Object::KINDS
            .iter()
            .filter(|k| **k != "Event")
            .flat_map(|k| world.api.list(k, Some(ns)));
        let (hard, used) = quota::recalculate(&q, objects);
        let status = q.status.clone().unwrap_or_default();
        let (hard, used) = (quota::to_list(&hard), quota::to_list(&used));
        if status.hard.as_ref() == Some(&hard) && status.used.as_ref() == Some(&used) {
            return;
        }
        let mut updated = q;
        let s = updated.status.get_or_insert_with(Default::default);
        s.hard = Some(hard);
        s.used = Some(used);
        let _ = world
            .api
            .update_status(Object::ResourceQuota(Box::new(updated)));
    }
}
