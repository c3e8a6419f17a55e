//! Leases on stored objects, as etcd's: kube-apiserver writes every Event with a lease of
//! `--event-ttl` (default 1h), renewed by each write, and etcd drops the key when it runs out.
//! An expiry queue ordered by due time makes expiring cost what expires, not what is stored.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::store::KeyHasher;
use crate::api::object::{KeyParts, ObjectKey};

/// kube-apiserver's `--event-ttl` default: one hour.
pub const EVENT_TTL_MS: i64 = 3_600_000;

/// The kinds stored with a lease, and its length.
pub fn ttl_of(kind: &str) -> Option<i64> {
    (kind == "Event").then_some(EVENT_TTL_MS)
}

/// Keys with a lease: when each runs out (hashed by the key's parts, so a renewal builds no
/// key), and a queue of (due time, key), earliest first, then in key order. A renewal or a
/// revocation leaves the key's earlier queue entry behind, skipped when it comes up: the
/// queue holds at most the grants of one lease length.
#[derive(Clone, Debug, Default)]
pub struct Leases {
    due: HashMap<Leased, i64, BuildHasherDefault<KeyHasher>>,
    queue: BinaryHeap<Reverse<(i64, Arc<ObjectKey>)>>,
}

/// A leased key, shared by the due map and the queue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Leased(Arc<ObjectKey>);

impl<'a> std::borrow::Borrow<dyn KeyParts + 'a> for Leased {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        &*self.0
    }
}

impl Leases {
    /// Grants (or renews) the lease of (`kind`, `namespace`, `name`) until `due_ms`. A renewal
    /// queues the key it holds: only a new lease builds one.
    pub fn grant(&mut self, kind: &'static str, namespace: &str, name: &str, due_ms: i64) {
        let parts = (kind, namespace, name);
        if let Some((key, due)) = self.due.get_key_value(&parts as &dyn KeyParts) {
            if *due != due_ms {
                let key = Arc::clone(&key.0);
                self.due.insert(Leased(Arc::clone(&key)), due_ms);
                self.queue.push(Reverse((due_ms, key)));
            }
            return;
        }
        let key = Arc::new(ObjectKey {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        });
        self.due.insert(Leased(Arc::clone(&key)), due_ms);
        self.queue.push(Reverse((due_ms, key)));
    }

    /// Forgets `key`'s lease (the object went another way).
    pub fn revoke(&mut self, key: &dyn KeyParts) {
        self.due.remove(key);
    }

    /// Takes the earliest key whose lease ran out at or before `now_ms`.
    pub fn pop_expired(&mut self, now_ms: i64) -> Option<ObjectKey> {
        while let Some(Reverse((due, _))) = self.queue.peek() {
            if *due > now_ms {
                return None;
            }
            let Reverse((due, key)) = self.queue.pop()?;
            // A renewed or revoked lease's entry: its key is due later, or not at all.
            if self.due.get(&*key as &dyn KeyParts) != Some(&due) {
                continue;
            }
            self.due.remove(&*key as &dyn KeyParts);
            return Some(Arc::unwrap_or_clone(key));
        }
        None
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

    #[test]
    fn a_lease_granted_again_after_a_revocation_runs_out_once() {
        let mut leases = Leases::default();
        grant(&mut leases, "a", 1_000);
        leases.revoke(&key("a") as &dyn KeyParts);
        grant(&mut leases, "a", 1_000);
        grant(&mut leases, "b", 1_000);
        assert_eq!(leases.pop_expired(1_000), Some(key("a")));
        assert_eq!(leases.pop_expired(1_000), Some(key("b")));
        assert_eq!(leases.pop_expired(1_000), None);
        assert_eq!(leases.len(), 0);
    }
}
