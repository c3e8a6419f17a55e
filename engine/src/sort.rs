//! Stable sorts that share one copy of the standard library's sort.
//!
//! `slice::sort_by` compiles the whole sort (several KB of the page's wasm) afresh for every
//! element type and comparison; [`SliceSort`] sorts indices through one `dyn` comparison and
//! then swaps the elements into place, so a call site adds only its comparison. The order is
//! `sort_by`'s: stable, equal elements keep their order.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Stable sorts of a slice through one shared sort (see the module docs).
pub trait SliceSort<T> {
    /// Sorts by `Ord`, as `slice::sort`.
    fn stable_sort(&mut self)
    where
        T: Ord;
    /// Sorts by `compare`, as `slice::sort_by`.
    fn stable_sort_by<F: FnMut(&T, &T) -> Ordering>(&mut self, compare: F);
    /// Sorts by the key `key` gives, as `slice::sort_by_key`.
    fn stable_sort_by_key<K: Ord, F: FnMut(&T) -> K>(&mut self, key: F);
}

impl<T> SliceSort<T> for [T] {
    fn stable_sort(&mut self)
    where
        T: Ord,
    {
        self.stable_sort_by(T::cmp);
    }

    fn stable_sort_by<F: FnMut(&T, &T) -> Ordering>(&mut self, mut compare: F) {
        let swaps = sorting_swaps(self.len(), &mut |a, b| compare(&self[a], &self[b]));
        for (a, b) in swaps {
            self.swap(a, b);
        }
    }

    fn stable_sort_by_key<K: Ord, F: FnMut(&T) -> K>(&mut self, mut key: F) {
        self.stable_sort_by(|a, b| key(a).cmp(&key(b)));
    }
}

/// The swaps that sort `len` items which `compare` orders by index, stably.
#[inline(never)]
fn sorting_swaps(
    len: usize,
    compare: &mut dyn FnMut(usize, usize) -> Ordering,
) -> Vec<(usize, usize)> {
    // order[i]: the index of the item that belongs at position i.
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    // Follow each cycle of the permutation once; a placed position points at itself.
    let mut swaps = Vec::new();
    for start in 0..len {
        let mut at = start;
        loop {
            let next = order[at];
            order[at] = at;
            if next == start || next == at {
                break;
            }
            swaps.push((at, next));
            at = next;
        }
    }
    swaps
}

/// Collecting pairs into a `BTreeMap` by inserting them one at a time: the map
/// `collect::<BTreeMap<_, _>>()` makes (a later pair's value replaces an earlier one's), without
/// the sort that `collect` compiles afresh for every pair type.
pub trait CollectMap<K: Ord, V>: Iterator<Item = (K, V)> + Sized {
    /// The map of these pairs.
    fn collect_map(self) -> BTreeMap<K, V> {
        let mut map = BTreeMap::new();
        for (k, v) in self {
            map.insert(k, v);
        }
        map
    }
}

impl<K: Ord, V, I: Iterator<Item = (K, V)>> CollectMap<K, V> for I {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_library_does() {
        let mut seed = 7u64;
        for len in 0..60 {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let (mut ours, mut std) = (items.clone(), items.clone());
            ours.stable_sort_by_key(|p| p.0);
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "stable by key, len {len}");
            let (mut ours, mut std) = (items.clone(), items);
            ours.stable_sort_by(|a, b| b.cmp(a));
            std.sort_by(|a, b| b.cmp(a));
            assert_eq!(ours, std, "by comparison, len {len}");
        }
        let mut words = vec!["b", "a", "c", "a"];
        words.stable_sort();
        assert_eq!(words, ["a", "a", "b", "c"]);
    }

    #[test]
    fn collects_maps_as_the_standard_library_does() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        let ours = pairs.iter().copied().collect_map();
        let std: BTreeMap<i32, char> = pairs.iter().copied().collect();
        assert_eq!(ours, std);
    }
}
