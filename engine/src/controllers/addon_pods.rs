//! Which pods of an add-on exist, kept from the watch events: the add-on controllers
//! (MetalLB, ingress-nginx, certgen) do nothing — and read nothing — until one does, so a
//! cluster without them pays one image check per pod event.

use std::collections::BTreeSet;

use crate::api::object::{Object, WatchEvent, WatchEventType};
use crate::node::process::addon::{self, Program};

/// The pods running one add-on program.
#[derive(Clone, Debug)]
pub struct AddonPods {
    program: Program,
    pods: BTreeSet<(String, String)>,
}

impl AddonPods {
    /// Tracks the pods of `program`.
    pub fn of(program: Program) -> Self {
        AddonPods {
            program,
            pods: BTreeSet::new(),
        }
    }

    /// Notes a watch event; whether it was about one of the add-on's pods.
    pub fn note(&mut self, event: &WatchEvent) -> bool {
        let Object::Pod(pod) = &*event.object else {
            return false;
        };
        let deleted = matches!(event.kind, WatchEventType::Deleted);
        // Most pods are no add-on's: their events build no key.
        if deleted && self.pods.is_empty()
            || !deleted && addon::pod_program(pod) != Some(self.program)
        {
            return false;
        }
        let key = (
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default(),
        );
        if deleted {
            return self.pods.remove(&key);
        }
        self.pods.insert(key);
        true
    }

    /// Whether any pod of the add-on exists.
    pub fn present(&self) -> bool {
        !self.pods.is_empty()
    }
}
