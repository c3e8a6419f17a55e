//! Leases on stored objects, as etcd's: kube-apiserver writes every Event with a lease of
//! `--event-ttl` (default 1h), renewed by each write, and etcd drops the key when it runs out.
//! An expiry queue ordered by due time makes expiring cost what expires, not what is stored.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::object::{KeyParts, ObjectKey};

/// kube-apiserver's `--event-ttl` default: one hour.
pub const EVENT_TTL_MS: i64 = 3_600_000;

/// The kinds stored with a lease, and its length.
pub fn ttl_of(kind: &str) -> Option<i64> {
    (kind == "Event").then_some(EVENT_TTL_MS)
}

/// Keys with a lease: when each runs out, and the same by that time (then key order).
#[derive(Clone, Debug, Default)]
pub struct Leases {
    due: BTreeMap<ObjectKey, i64>,
    queue: BTreeMap<i64, BTreeSet<ObjectKey>>,
}

impl Leases {
    /// Grants (or renews) the lease of (`kind`, `namespace`, `name`) until `due_ms`. A renewal
    /// moves the key it holds: only a new lease builds one.
    pub fn grant(&mut self, kind: &'static str, namespace: &str, name: &str, due_ms: i64) {
        let parts = (kind, namespace, name);
        if let Some(due) = self.due.get_mut(&parts as &dyn KeyParts) {
            let old = std::mem::replace(due, due_ms);
            if old != due_ms {
                if let Some(key) = self.take_queued(old, &parts) {
                    self.queue.entry(due_ms).or_default().insert(key);
                }
            }
            return;
        }
        let key = ObjectKey {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        };
        self.due.insert(key.clone(), due_ms);
        self.queue.entry(due_ms).or_default().insert(key);
    }

    /// Forgets `key`'s lease (the object went another way).
    pub fn revoke(&mut self, key: &dyn KeyParts) {
        if let Some(old) = self.due.remove(key) {
            self.take_queued(old, key);
        }
    }

    /// Takes the earliest key whose lease ran out at or before `now_ms`.
    pub fn pop_expired(&mut self, now_ms: i64) -> Option<ObjectKey> {
        loop {
            let mut first = self.queue.first_entry()?;
            if *first.key() > now_ms {
                return None;
            }
            let key = first.get_mut().pop_first();
            if first.get().is_empty() {
                first.remove();
            }
            if let Some(key) = key {
                self.due.remove(&key);
                return Some(key);
            }
        }
    }

    /// Takes `key` out of the queue's entries due at `due`.
    fn take_queued(&mut self, due: i64, key: &dyn KeyParts) -> Option<ObjectKey> {
        let keys = self.queue.get_mut(&due)?;
        let taken = keys.take(key);
        if keys.is_empty() {
            self.queue.remove(&due);
        }
        taken
    }

    /// How many keys hold a lease.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.due.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> ObjectKey {
        ObjectKey {
            kind: "Event",
            namespace: "default".into(),
            name: name.into(),
        }
    }

    fn grant(leases: &mut Leases, name: &str, due_ms: i64) {
        leases.grant("Event", "default", name, due_ms);
    }

    #[test]
    fn leases_run_out_in_time_order_and_renewals_move_them() {
        let mut leases = Leases::default();
        grant(&mut leases, "b", 2_000);
        grant(&mut leases, "a", 1_000);
        grant(&mut leases, "c", 3_000);
        grant(&mut leases, "a", 5_000); // renewed by a later write
        assert_eq!(leases.len(), 3);
        assert_eq!(leases.pop_expired(999), None);
        assert_eq!(leases.pop_expired(2_500), Some(key("b")));
        assert_eq!(leases.pop_expired(2_500), None);
        leases.revoke(&key("c") as &dyn KeyParts);
        assert_eq!(leases.pop_expired(4_000), None);
        assert_eq!(leases.pop_expired(5_000), Some(key("a")));
        assert_eq!(leases.len(), 0);
    }
}
