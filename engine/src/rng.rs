//! The engine's only source of randomness: a seeded SplitMix64 generator, so runs repeat.

/// Deterministic pseudo-random numbers.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `len` characters of apimachinery's `rand.String` alphabet (no vowels, no ambiguous
    /// digits), e.g. the `8xkqz` of a generated pod name.
    pub fn name_suffix(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| {
                let i = (self.next_u64() % NAME_ALPHABET.len() as u64) as usize;
                char::from(NAME_ALPHABET[i])
            })
            .collect()
    }

    /// A generator of its own, derived from this one's state and `salt` without advancing
    /// it: the draws of a writer that came later to the cluster (the EndpointSlice writers)
    /// then leave every other random choice (names, uids, scheduling) as it was. Different
    /// salts give unrelated streams.
    pub fn fork(&self, salt: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in salt.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut forked = Rng {
            state: self.state ^ h,
        };
        forked.next_u64();
        forked
    }

    /// `len` random lowercase hex digits (container ids, image digests).
    pub fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            push_hex(&mut s, self.next_u64(), 16);
        }
        s.truncate(len);
        s
    }

    /// A random (version 4) UUID, as Go's `uuid.NewUUID()` prints one.
    pub fn uuid_v4(&mut self) -> String {
        let h = self.hex(32);
        let variant = ["8", "9", "a", "b"][(self.next_u64() % 4) as usize];
        format!(
            "{}-{}-4{}-{variant}{}-{}",
            h.get(0..8).unwrap_or(""),
            h.get(8..12).unwrap_or(""),
            h.get(13..16).unwrap_or(""),
            h.get(17..20).unwrap_or(""),
            h.get(20..32).unwrap_or("")
        )
    }
}

/// apimachinery's `rand.String` alphabet, also the digits of `SafeEncodeString` (hashes).
pub const NAME_ALPHABET: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";

/// Appends the low `digits` (at most 16) hex digits of `value`, lowercase and zero-padded:
/// `format!("{value:0digits$x}")` for a value that fits, without the formatter.
pub fn push_hex(out: &mut String, value: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits.min(16)).rev() {
        out.push(char::from(HEX[((value >> (4 * i)) & 0xf) as usize]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn a_fork_leaves_its_parent_alone() {
        let parent = Rng::new(7);
        let (mut a, mut b) = (parent.fork("x"), parent.fork("y"));
        assert_ne!(a.next_u64(), b.next_u64());
        assert_eq!(
            parent.fork("x").next_u64(),
            Rng::new(7).fork("x").next_u64()
        );
        let mut p = parent.clone();
        assert_eq!(p.next_u64(), Rng::new(7).next_u64());
    }

    #[test]
    fn hex_digits_are_the_formatters() {
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let v = rng.next_u64();
            for digits in [1, 3, 4, 8, 12, 16] {
                let mut out = String::new();
                push_hex(&mut out, v, digits);
                let mask = if digits == 16 {
                    u64::MAX
                } else {
                    (1 << (4 * digits)) - 1
                };
                assert_eq!(out, format!("{:0w$x}", v & mask, w = digits as usize));
            }
        }
    }
}
