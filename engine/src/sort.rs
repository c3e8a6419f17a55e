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
    #[allow(clippy::disallowed_methods)] // the one shared copy
    order.sort_by(|&a, &b| compare(a, b));
    permutation_swaps(&mut order)
}

/// Sorts `items` as Go's `sort.Sort` does with `less` (pattern-defeating quicksort): not
/// stable, but deterministic, so equal items end where Go's sort leaves them (kubectl sorts a
/// described object's Events so; up to 12 items it is an insertion sort, stable).
pub fn go_sort_by<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    // Go's algorithm runs over positions; its every decision is a `less` of two positions.
    let mut order: Vec<usize> = (0..items.len()).collect();
    GoSort {
        order: &mut order,
        less: &mut |a, b| less(&items[a], &items[b]),
    }
    .sort();
    // order[i]: the item that belongs at position i.
    let swaps = permutation_swaps(&mut order);
    for (a, b) in swaps {
        items.swap(a, b);
    }
}

/// The swaps that put each item where `order` says (`order[i]`: the item for position i).
fn permutation_swaps(order: &mut [usize]) -> Vec<(usize, usize)> {
    // Follow each cycle of the permutation once; a placed position points at itself.
    let mut swaps = Vec::new();
    for start in 0..order.len() {
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

/// Go's `sort.Sort` (`pdqsort` in `sort/zsortinterface.go`) over a permutation of positions.
struct GoSort<'a> {
    order: &'a mut [usize],
    less: &'a mut dyn FnMut(usize, usize) -> bool,
}

/// What the pivot choice saw of the order around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

impl GoSort<'_> {
    fn less(&mut self, i: usize, j: usize) -> bool {
        (self.less)(self.order[i], self.order[j])
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.order.swap(i, j);
    }

    fn sort(&mut self) {
        let n = self.order.len();
        if n > 1 {
            let limit = usize::BITS - n.leading_zeros();
            self.pdqsort(0, n, limit);
        }
    }

    fn insertion_sort(&mut self, a: usize, b: usize) {
        for i in a + 1..b {
            let mut j = i;
            while j > a && self.less(j, j - 1) {
                self.swap(j, j - 1);
                j -= 1;
            }
        }
    }

    fn sift_down(&mut self, lo: usize, hi: usize, first: usize) {
        let mut root = lo;
        loop {
            let mut child = 2 * root + 1;
            if child >= hi {
                return;
            }
            if child + 1 < hi && self.less(first + child, first + child + 1) {
                child += 1;
            }
            if !self.less(first + root, first + child) {
                return;
            }
            self.swap(first + root, first + child);
            root = child;
        }
    }

    fn heap_sort(&mut self, a: usize, b: usize) {
        let (first, hi) = (a, b - a);
        for i in (0..=(hi.saturating_sub(1)) / 2).rev() {
            self.sift_down(i, hi, first);
        }
        for i in (0..hi).rev() {
            self.swap(first, first + i);
            self.sift_down(0, i, first);
        }
    }

    fn pdqsort(&mut self, mut a: usize, mut b: usize, mut limit: u32) {
        const MAX_INSERTION: usize = 12;
        let (mut was_balanced, mut was_partitioned) = (true, true);
        loop {
            let length = b - a;
            if length <= MAX_INSERTION {
                self.insertion_sort(a, b);
                return;
            }
            if limit == 0 {
                self.heap_sort(a, b);
                return;
            }
            if !was_balanced {
                self.break_patterns(a, b);
                limit -= 1;
            }
            let (mut pivot, mut hint) = self.choose_pivot(a, b);
            if hint == Hint::Decreasing {
                self.reverse_range(a, b);
                pivot = (b - 1) - (pivot - a);
                hint = Hint::Increasing;
            }
            if was_balanced
                && was_partitioned
                && hint == Hint::Increasing
                && self.partial_insertion_sort(a, b)
            {
                return;
            }
            if a > 0 && !self.less(a - 1, pivot) {
                a = self.partition_equal(a, b, pivot);
                continue;
            }
            let (mid, already) = self.partition(a, b, pivot);
            was_partitioned = already;
            let (left, right) = (mid - a, b - mid);
            let threshold = length / 8;
            if left < right {
                was_balanced = left >= threshold;
                self.pdqsort(a, mid, limit);
                a = mid + 1;
            } else {
                was_balanced = right >= threshold;
                self.pdqsort(mid + 1, b, limit);
                b = mid;
            }
        }
    }

    /// Go's `partition`: moves what is less than the pivot (put at `a`) to its left;
    /// returns where the pivot lands and whether nothing had to move.
    fn partition(&mut self, a: usize, b: usize, pivot: usize) -> (usize, bool) {
        self.swap(a, pivot);
        let (_, j, swapped) = self.cross(a + 1, b - 1, &mut |s, k| s.less(k, a));
        self.swap(j, a);
        (j, !swapped)
    }

    /// Go's `partitionEqual`: what equals the pivot (put at `a`) before what exceeds it;
    /// returns where the greater ones start.
    fn partition_equal(&mut self, a: usize, b: usize, pivot: usize) -> usize {
        self.swap(a, pivot);
        self.cross(a + 1, b - 1, &mut |s, k| !s.less(a, k)).0
    }

    /// The crossing scans both partitions share: `i` moves right over items that go left,
    /// `j` moves left over items that do not, and the pair found is swapped, until they
    /// cross. Returns where `i` and `j` stopped and whether anything was swapped.
    fn cross(
        &mut self,
        i: usize,
        j: usize,
        goes_left: &mut dyn FnMut(&mut Self, usize) -> bool,
    ) -> (usize, usize, bool) {
        // j may step one below i: signed.
        let (mut i, mut j) = (i as isize, j as isize);
        let mut swapped = false;
        loop {
            while i <= j && goes_left(self, i as usize) {
                i += 1;
            }
            while i <= j && !goes_left(self, j as usize) {
                j -= 1;
            }
            if i > j {
                return (i as usize, j as usize, swapped);
            }
            self.swap(i as usize, j as usize);
            swapped = true;
            i += 1;
            j -= 1;
        }
    }

    fn partial_insertion_sort(&mut self, a: usize, b: usize) -> bool {
        const MAX_STEPS: usize = 5;
        const SHORTEST_SHIFTING: usize = 50;
        let mut i = a + 1;
        for _ in 0..MAX_STEPS {
            while i < b && !self.less(i, i - 1) {
                i += 1;
            }
            if i == b {
                return true;
            }
            if b - a < SHORTEST_SHIFTING {
                return false;
            }
            self.swap(i, i - 1);
            // Shift the smaller one to the left (Go's loop runs down to index 1).
            if i - a >= 2 {
                let mut j = i - 1;
                while j >= 1 && self.less(j, j - 1) {
                    self.swap(j, j - 1);
                    j -= 1;
                }
            }
            // Shift the greater one to the right.
            if b - i >= 2 {
                let mut j = i + 1;
                while j < b && self.less(j, j - 1) {
                    self.swap(j, j - 1);
                    j += 1;
                }
            }
        }
        false
    }

    fn break_patterns(&mut self, a: usize, b: usize) {
        let length = b - a;
        if length >= 8 {
            // Go's xorshift, seeded with the length.
            let mut random = length as u64;
            let modulus = 1usize << (usize::BITS - length.leading_zeros());
            let mid = a + (length / 4) * 2;
            for idx in mid - 1..=mid + 1 {
                random ^= random << 13;
                random ^= random >> 7;
                random ^= random << 17;
                let mut other = (random as usize) & (modulus - 1);
                if other >= length {
                    other -= length;
                }
                self.swap(idx, a + other);
            }
        }
    }

    fn choose_pivot(&mut self, a: usize, b: usize) -> (usize, Hint) {
        const SHORTEST_NINTHER: usize = 50;
        const MAX_SWAPS: usize = 4 * 3;
        let l = b - a;
        let mut swaps = 0;
        let (mut i, mut j, mut k) = (a + l / 4, a + l / 4 * 2, a + l / 4 * 3);
        if l >= 8 {
            if l >= SHORTEST_NINTHER {
                i = self.median(i - 1, i, i + 1, &mut swaps);
                j = self.median(j - 1, j, j + 1, &mut swaps);
                k = self.median(k - 1, k, k + 1, &mut swaps);
            }
            j = self.median(i, j, k, &mut swaps);
        }
        match swaps {
            0 => (j, Hint::Increasing),
            MAX_SWAPS => (j, Hint::Decreasing),
            _ => (j, Hint::Unknown),
        }
    }

    fn order2(&mut self, a: usize, b: usize, swaps: &mut usize) -> (usize, usize) {
        if self.less(b, a) {
            *swaps += 1;
            (b, a)
        } else {
            (a, b)
        }
    }

    fn median(&mut self, a: usize, b: usize, c: usize, swaps: &mut usize) -> usize {
        let (a, b) = self.order2(a, b, swaps);
        let (b, c) = self.order2(b, c, swaps);
        let _ = c;
        let (_, b) = self.order2(a, b, swaps);
        b
    }

    fn reverse_range(&mut self, a: usize, b: usize) {
        let (mut i, mut j) = (a, b - 1);
        while i < j {
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
    }
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
            #[allow(clippy::disallowed_methods)] // the reference
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "stable by key, len {len}");
            let (mut ours, mut std) = (items.clone(), items);
            ours.stable_sort_by(|a, b| b.cmp(a));
            #[allow(clippy::disallowed_methods)] // the reference
            std.sort_by(|a, b| b.cmp(a));
            assert_eq!(ours, std, "by comparison, len {len}");
        }
        let mut words = vec!["b", "a", "c", "a"];
        words.stable_sort();
        assert_eq!(words, ["a", "a", "b", "c"]);
    }

    /// The port was checked against Go 1.19's `sort.Sort` (900 inputs of 0 to 299 items with
    /// 1, 5 or 9 distinct keys, some presorted or reversed: identical orders, with that
    /// release's xorshift shifts); kubectl is built with a Go whose shifts are 13, 7, 17.
    #[test]
    fn sorts_as_go_does() {
        let mut seed = 7u64;
        for n in 0..200usize {
            let mut items: Vec<(u64, usize)> = (0..n)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 5, i)
                })
                .collect();
            let mut again = items.clone();
            go_sort_by(&mut items, |a, b| a.0 < b.0);
            assert!(items.windows(2).all(|w| w[0].0 <= w[1].0), "sorted, n {n}");
            go_sort_by(&mut again, |a, b| a.0 < b.0);
            assert_eq!(items, again);
            if n <= 12 {
                // Up to 12 items Go sorts by insertion: stable.
                assert!(items.windows(2).all(|w| w[0].0 < w[1].0 || w[0].1 < w[1].1));
            }
        }
        // Past 12 items equal keys move: Go's pdqsort partitions them.
        let mut items: Vec<(u8, usize)> = (0..20).map(|i| (u8::from(i % 3 == 0), i)).collect();
        go_sort_by(&mut items, |a, b| a.0 < b.0);
        let ids: Vec<usize> = items.iter().map(|p| p.1).collect();
        assert_ne!(ids[..13], [1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19]);
    }

    #[test]
    fn collects_maps_as_the_standard_library_does() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        let ours = pairs.iter().copied().collect_map();
        let std: BTreeMap<i32, char> = pairs.iter().copied().collect();
        assert_eq!(ours, std);
    }
}
