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

/// Keys with a lease: when each runs out, and the same ordered by that time.
#[derive(Clone, Debug, Default)]
pub struct Leases {
    due: BTreeMap<ObjectKey, i64>,
    queue: BTreeSet<(i64, ObjectKey)>,
}

impl Leases {
    /// Grants (or renews) `key`'s lease until `due_ms`.
    pub fn grant(&mut self, key: ObjectKey, due_ms: i64) {
        match self.due.get_mut(&key) {
            // A renewal moves the queue entry (the key is not copied again).
            Some(due) => {
                let mut entry = (std::mem::replace(due, due_ms), key);
                self.queue.remove(&entry);
                entry.0 = due_ms;
                self.queue.insert(entry);
            }
            None => {
                self.due.insert(key.clone(), due_ms);
                self.queue.insert((due_ms, key));
            }
        }
    }

    /// Forgets `key`'s lease (the object went another way).
    pub fn revoke(&mut self, key: &dyn KeyParts) {
        if let Some((key, old)) = self.due.remove_entry(key) {
            self.queue.remove(&(old, key));
        }
    }

    /// Takes the earliest key whose lease ran out at or before `now_ms`.
    pub fn pop_expired(&mut self, now_ms: i64) -> Option<ObjectKey> {
        let first = self.queue.first()?;
        if first.0 > now_ms {
            return None;
        }
        let (_, key) = self.queue.pop_first()?;
        self.due.remove(&key);
        Some(key)
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

    #[test]
    fn leases_run_out_in_time_order_and_renewals_move_them() {
        let mut leases = Leases::default();
        leases.grant(key("b"), 2_000);
        leases.grant(key("a"), 1_000);
        leases.grant(key("c"), 3_000);
        leases.grant(key("a"), 5_000); // renewed by a later write
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
