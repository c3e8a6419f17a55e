//! The `volume_expand` controller (`pkg/controller/volume/expand`): a Bound claim asking
//! for more than it has is expanded by its volume's plugin. No volume source Kubeplay
//! simulates has an expander here (host paths, local volumes and NFS shares have none; CSI
//! drivers expand through an external resizer no cluster here runs), so the claim waits
//! and says so, as it does on minikube or a local-path cluster.

use k8s_openapi::api::core::v1::PersistentVolumeClaim;

use super::matching::requested_bytes;
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::api::quantity;
use crate::controllers::runtime::{Controller, Queue};
use crate::world::events::{self, EventType, Source};
use crate::world::World;

const SOURCE: Source<'static> = Source {
    component: "volume_expand",
    host: None,
};

/// The expand controller.
#[derive(Clone, Debug, Default)]
pub struct Expansion;

/// Whether a Bound claim asks for more than its status says it has.
pub fn wants_more(claim: &PersistentVolumeClaim) -> bool {
    let st = claim.status.as_ref();
    let bound = st.and_then(|s| s.phase.as_deref()) == Some("Bound");
    let has = st
        .and_then(|s| s.capacity.as_ref()?.get("storage"))
        .and_then(|q| quantity::parse(&q.0))
        .unwrap_or(0.0);
    bound && has > 0.0 && requested_bytes(claim) > has
}

impl Controller for Expansion {
    fn name(&self) -> &'static str {
        "volume-expand"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::PersistentVolumeClaim(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if let (Object::PersistentVolumeClaim(c), WatchEventType::Modified) =
            (&*event.object, event.kind)
        {
            if wants_more(c) {
                queue.add(super::claim_key(
                    event.object.namespace(),
                    event.object.name(),
                ));
            }
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(claim) = world
            .api
            .get_as::<PersistentVolumeClaim>(&key.namespace, &key.name)
            .cloned()
        else {
            return;
        };
        if !wants_more(&claim) {
            return;
        }
        let obj = Object::PersistentVolumeClaim(Box::new(claim));
        events::record(
            world,
            &obj,
            EventType::Warning,
            "ExternalExpanding",
            "waiting for an external controller to expand this PVC",
            SOURCE,
        );
    }
}
