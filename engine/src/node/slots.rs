//! The container runtime's slots ([`Slot`]), one per container of each pod on the nodes:
//! found by a hash of their key ((namespace, pod, container): most of the kubelet's work is
//! looking one up), and kept in key order for what walks a pod's containers in turn.

use std::borrow::Borrow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hash};
use std::ops::Bound;

use crate::node::runtime::{Slot, SlotKey, SlotRef};
use crate::world::events::KeyHasher;

/// The slots by key.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    by_key: HashMap<SlotKey, Slot, BuildHasherDefault<KeyHasher>>,
    order: BTreeSet<SlotKey>,
}

impl Slots {
    /// The slot of `key` (a [`SlotKey`], or borrowed parts as `&dyn SlotRef`).
    pub fn get<Q>(&self, key: &Q) -> Option<&Slot>
    where
        SlotKey: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.by_key.get(key)
    }

    /// The slot of `key`, for changing it.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut Slot>
    where
        SlotKey: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.by_key.get_mut(key)
    }

    /// The slot of `key`, made empty first if there is none.
    pub fn get_or_default(&mut self, key: SlotKey) -> &mut Slot {
        match self.by_key.entry(key) {
            Entry::Occupied(slot) => slot.into_mut(),
            Entry::Vacant(empty) => {
                self.order.insert(empty.key().clone());
                empty.insert(Slot::default())
            }
        }
    }

    /// Puts `slot` at `key`, in place of the slot there.
    pub fn insert(&mut self, key: SlotKey, slot: Slot) {
        *self.get_or_default(key) = slot;
    }

    /// Forgets the slot of `key`.
    pub fn remove(&mut self, key: &SlotKey) {
        if self.by_key.remove(key).is_some() {
            self.order.remove(key);
        }
    }

    /// The slots of pod `namespace/name`, in container name order.
    pub fn of_pod<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a SlotKey, &'a Slot)> + 'a {
        // Keys sort by namespace, pod, container: the pod's slots are one range, from the
        // borrowed key with the least container name (nothing to allocate).
        let from: &dyn SlotRef = &(namespace, name, "");
        self.order
            .range::<dyn SlotRef, _>((Bound::Included(from), Bound::Unbounded))
            .take_while(move |k| k.0 == namespace && k.1 == name)
            .filter_map(|k| Some((k, self.by_key.get(k)?)))
    }
}
