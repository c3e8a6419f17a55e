//! The correlator's cache keys: 128-bit hashes of lists of strings, made by a small
//! deterministic hasher (no random seed: runs repeat byte for byte) that is much cheaper
//! than SipHash. Two 64-bit lanes with different seeds and multipliers take each 8-byte
//! word; each lane is finished by an avalanche, so a key is as good as two independent
//! 64-bit hashes (no two keys a cluster makes collide).

use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A cache key.
pub type Key = u128;

const SEEDS: [u64; 2] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344];
const MULTIPLIERS: [u64; 2] = [0x9e37_79b9_7f4a_7c15, 0xff51_afd7_ed55_8ccd];

/// A key in the making: each part written is length-prefixed (as `Hash for [&str]` does), so
/// no two lists of parts are confused.
#[derive(Clone, Copy, Debug)]
pub struct KeyHasher([u64; 2]);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(SEEDS)
    }
}

impl KeyHasher {
    /// The hash of `parts`, to be finished by [`KeyHasher::key`].
    pub fn of(parts: &[&str]) -> Self {
        let mut h = KeyHasher::default();
        parts.hash(&mut h);
        h
    }

    /// The key of the parts so far, then `tag` (which cache it is for) and `more`.
    pub fn key(&self, tag: u8, more: &[&str]) -> Key {
        let mut h = *self;
        h.write_u8(tag);
        more.hash(&mut h);
        h.finish128()
    }

    /// Both lanes, finished.
    fn finish128(&self) -> Key {
        (u128::from(avalanche(self.0[0])) << 64) | u128::from(avalanche(self.0[1]))
    }

    fn word(&mut self, w: u64) {
        for (lane, m) in self.0.iter_mut().zip(MULTIPLIERS) {
            *lane = (lane.rotate_left(23) ^ w).wrapping_mul(m);
        }
    }
}

/// MurmurHash3's 64-bit finalizer: every input bit flips each output bit with even odds.
fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The tail's length in the top byte: "a" and "a\0" differ.
            w[7] ^= (rest.len() as u8) << 4;
            self.word(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i) | 1 << 63);
    }

    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }

    fn finish(&self) -> u64 {
        avalanche(self.0[0] ^ self.0[1].rotate_left(32))
    }
}

/// A hasher for maps whose keys are already [`Key`]s: it keeps their low 64 bits.
#[derive(Default, Clone, Copy)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `Key`s (u128, written through `write_u128`) are hashed with it; anything
        // else is folded in whole.
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(MULTIPLIERS[0]);
        }
    }

    fn write_u128(&mut self, i: u128) {
        self.0 ^= i as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`Prehashed`] hashers (for `HashMap<Key, _>`).
pub type BuildPrehashed = BuildHasherDefault<Prehashed>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn parts_are_never_confused() {
        let keys = [
            KeyHasher::of(&["ab", "c"]).key(b'e', &[]),
            KeyHasher::of(&["a", "bc"]).key(b'e', &[]),
            KeyHasher::of(&["abc"]).key(b'e', &[]),
            KeyHasher::of(&["abc", ""]).key(b'e', &[]),
            KeyHasher::of(&["ab", "c"]).key(b's', &[]),
            KeyHasher::of(&["ab"]).key(b'e', &["c"]),
            KeyHasher::of(&["a\0"]).key(b'e', &[]),
            KeyHasher::of(&["a"]).key(b'e', &[]),
        ];
        let distinct: HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
    }

    #[test]
    fn keys_are_fixed_and_spread() {
        // The same parts always make the same key (no random seed).
        let one = KeyHasher::of(&["kubelet", "node1"]).key(b'e', &["Pulled", "msg"]);
        assert_eq!(
            one,
            KeyHasher::of(&["kubelet", "node1"]).key(b'e', &["Pulled", "msg"])
        );
        // Many near-identical keys: no collision in either half.
        let mut high = HashSet::new();
        let mut low = HashSet::new();
        for i in 0..20_000 {
            let k = KeyHasher::of(&["kubelet", "node1", &format!("pod-{i}")]).key(b's', &[]);
            assert!(high.insert((k >> 64) as u64) && low.insert(k as u64), "{i}");
        }
    }
}
