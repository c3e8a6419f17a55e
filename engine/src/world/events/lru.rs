//! A bounded least-recently-used map, as `k8s.io/utils/lru` (groupcache's): `get` and `put`
//! mark a key as just used, and a `put` past the capacity forgets the least recently used.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// Keys with their values, and the same keys by last use.
#[derive(Clone, Debug)]
pub struct Lru<K, V> {
    /// Values and their last use, by key (hashed: looked up on every event, never
    /// iterated).
    index: HashMap<K, (V, u64)>,
    /// Keys by last use, oldest first.
    used: BTreeMap<u64, K>,
    /// Uses so far (the clock of `used`).
    uses: u64,
    /// The most keys kept.
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V> Lru<K, V> {
    /// An empty cache of at most `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        Lru {
            index: HashMap::new(),
            used: BTreeMap::new(),
            uses: 0,
            capacity: capacity.max(1),
        }
    }

    /// The value of `key`, which is now the most recently used.
    pub fn get(&mut self, key: &K) -> Option<&mut V> {
        let (value, last) = self.index.get_mut(key)?;
        self.uses += 1;
        if let Some(k) = self.used.remove(last) {
            self.used.insert(self.uses, k);
        }
        *last = self.uses;
        Some(value)
    }

    /// Stores `value` for `key` (now the most recently used), forgetting the least recently
    /// used key past the capacity.
    pub fn put(&mut self, key: K, value: V) {
        self.uses += 1;
        match self.index.get_mut(&key) {
            Some((slot, last)) => {
                *slot = value;
                if let Some(k) = self.used.remove(last) {
                    self.used.insert(self.uses, k);
                }
                *last = self.uses;
            }
            None => {
                self.index.insert(key.clone(), (value, self.uses));
                self.used.insert(self.uses, key);
            }
        }
        while self.index.len() > self.capacity {
            let Some((_, oldest)) = self.used.pop_first() else {
                break;
            };
            self.index.remove(&oldest);
        }
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
        assert_eq!(lru.used.len(), 3);
    }
}
