//! A bounded least-recently-used map, as `k8s.io/utils/lru` (groupcache's): `get` and `put`
//! mark a key as just used, and a `put` past the capacity forgets the least recently used.
//! Entries live in one vector, linked from most to least recently used; a hash index (keys
//! are correlator keys, already hashed, and never iterated) finds them.

use std::collections::HashMap;
use std::hash::Hash;

use super::key::BuildPrehashed;

/// No entry (the ends of the list).
const NIL: usize = usize::MAX;

#[derive(Clone, Debug)]
struct Entry<K, V> {
    key: K,
    value: V,
    /// The entry used just after this one, or [`NIL`].
    newer: usize,
    /// The entry used just before this one, or [`NIL`].
    older: usize,
}

/// Keys with their values, and their order of last use.
#[derive(Clone, Debug)]
pub struct Lru<K, V> {
    /// Each key's entry.
    index: HashMap<K, usize, BuildPrehashed>,
    entries: Vec<Entry<K, V>>,
    /// The most and the least recently used entries.
    newest: usize,
    oldest: usize,
    /// The most keys kept.
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V> Lru<K, V> {
    /// An empty cache of at most `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        Lru {
            index: HashMap::default(),
            entries: Vec::new(),
            newest: NIL,
            oldest: NIL,
            capacity: capacity.max(1),
        }
    }

    /// The value of `key`, which is now the most recently used.
    pub fn get(&mut self, key: &K) -> Option<&mut V> {
        let at = *self.index.get(key)?;
        self.touch(at);
        Some(&mut self.entries[at].value)
    }

    /// The value of `key`, leaving the order of use as it is.
    pub fn peek(&self, key: &K) -> Option<&V> {
        self.index.get(key).map(|&at| &self.entries[at].value)
    }

    /// [`Lru::peek`], to change the value in place.
    pub fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.index.get(key).map(|&at| &mut self.entries[at].value)
    }

    /// Stores `value` for `key` (now the most recently used), forgetting the least recently
    /// used key past the capacity.
    pub fn put(&mut self, key: K, value: V) {
        if let Some(&at) = self.index.get(&key) {
            self.entries[at].value = value;
            self.touch(at);
            return;
        }
        let at = if self.index.len() >= self.capacity && self.oldest != NIL {
            // The least recently used makes room: its place is reused.
            let at = self.oldest;
            self.unlink(at);
            self.index.remove(&self.entries[at].key);
            self.entries[at].key = key.clone();
            self.entries[at].value = value;
            at
        } else {
            self.entries.push(Entry {
                key: key.clone(),
                value,
                newer: NIL,
                older: NIL,
            });
            self.entries.len() - 1
        };
        self.index.insert(key, at);
        self.link_newest(at);
    }

    /// Makes entry `at` the most recently used.
    fn touch(&mut self, at: usize) {
        if self.newest != at {
            self.unlink(at);
            self.link_newest(at);
        }
    }

    fn unlink(&mut self, at: usize) {
        let (newer, older) = (self.entries[at].newer, self.entries[at].older);
        match newer {
            NIL => self.newest = older,
            n => self.entries[n].older = older,
        }
        match older {
            NIL => self.oldest = newer,
            o => self.entries[o].newer = newer,
        }
    }

    fn link_newest(&mut self, at: usize) {
        self.entries[at].newer = NIL;
        self.entries[at].older = self.newest;
        match self.newest {
            NIL => self.oldest = at,
            n => self.entries[n].newer = at,
        }
        self.newest = at;
    }

    /// How many keys it holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.index.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_forgets_the_least_recently_used_past_its_capacity() {
        let mut lru = Lru::new(3);
        for i in 0..3 {
            lru.put(i, format!("v{i}"));
        }
        assert_eq!(lru.get(&0).cloned().as_deref(), Some("v0"));
        lru.put(1, "v1'".to_string()); // a put is a use too
        lru.put(3, "v3".to_string());
        assert_eq!(lru.len(), 3);
        assert_eq!(lru.get(&2), None, "the oldest unused went");
        assert_eq!(lru.get(&1).cloned().as_deref(), Some("v1'"));
        lru.put(4, "v4".to_string());
        assert_eq!(lru.get(&0), None);
        assert_eq!(lru.entries.len(), 3);
    }

    #[test]
    fn it_keeps_the_order_of_a_plain_list() {
        // A plain list, most recently used last, as the reference.
        let mut model: Vec<(u32, u32)> = Vec::new();
        let mut lru = Lru::new(5);
        let mut x: u32 = 7;
        for step in 0..2_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = (x >> 16) % 9;
            if x & 1 == 0 {
                let want = model.iter().position(|(k, _)| *k == key).map(|i| {
                    let e = model.remove(i);
                    model.push(e);
                    e.1
                });
                assert_eq!(lru.get(&key).copied(), want, "step {step}");
            } else {
                model.retain(|(k, _)| *k != key);
                model.push((key, step));
                if model.len() > 5 {
                    model.remove(0);
                }
                lru.put(key, step);
            }
            assert_eq!(lru.len(), model.len());
        }
    }
}
