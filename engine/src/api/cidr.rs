//! IP blocks (`10.0.0.0/16`, `fd00::/8`) as the apiserver parses them (`ParseCIDRSloppy`:
//! IPv4 octets may have leading zeros) and as policies match addresses against them.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A parsed block: its network address (masked), prefix length and family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: u128,
    bits: u8,
    v6: bool,
}

/// An address as a number and its family, IPv4 sloppily (leading zeros allowed).
pub fn parse_ip(s: &str) -> Option<(u128, bool)> {
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().ok().map(|a| (u128::from(a), true));
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut n: u32 = 0;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = (n << 8) | u32::from(p.parse::<u8>().ok()?);
    }
    Some((u128::from(Ipv4Addr::from(n).to_bits()), false))
}

impl Cidr {
    /// Parses `addr/len`; `None` when it is not a CIDR.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, len) = s.split_once('/')?;
        if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let bits: u8 = len.parse().ok()?;
        let (ip, v6) = parse_ip(addr)?;
        let width = if v6 { 128 } else { 32 };
        if bits > width {
            return None;
        }
        Some(Cidr {
            net: ip & mask(bits, width),
            bits,
            v6,
        })
    }

    /// Whether the address `ip` is inside the block.
    pub fn contains_ip(&self, ip: &str) -> bool {
        parse_ip(ip).is_some_and(|(n, v6)| self.holds(n, v6))
    }

    /// Whether `inner` is a strict subset of this block (apiserver: its network address is
    /// inside and its prefix is longer).
    pub fn strictly_contains(&self, inner: &Cidr) -> bool {
        self.holds(inner.net, inner.v6) && inner.bits > self.bits
    }

    fn holds(&self, n: u128, v6: bool) -> bool {
        let width = if self.v6 { 128 } else { 32 };
        v6 == self.v6 && n & mask(self.bits, width) == self.net
    }
}

/// The mask of the first `bits` of a `width`-bit address.
fn mask(bits: u8, width: u8) -> u128 {
    let all: u128 = if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let host: u128 = if bits >= width {
        0
    } else if width - bits >= 128 {
        u128::MAX
    } else {
        (1u128 << (width - bits)) - 1
    };
    all & !host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_hold_their_addresses() {
        let c = Cidr::parse("172.17.0.0/16").unwrap();
        assert!(c.contains_ip("172.17.1.2"));
        assert!(!c.contains_ip("172.18.0.1"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains_ip("8.8.8.8"));
        assert!(Cidr::parse("10.0.0.7/32").unwrap().contains_ip("10.0.0.7"));
        assert!(!Cidr::parse("10.0.0.7/32").unwrap().contains_ip("10.0.0.8"));
        assert!(Cidr::parse("010.0.0.0/8").unwrap().contains_ip("10.1.1.1"));
        assert!(!c.contains_ip("fd00::1"));
        assert!(Cidr::parse("fd00::/8").unwrap().contains_ip("fd00::1"));
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "x/8",
            "10.0.0.0/",
            "::/129",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
        let inner = Cidr::parse("172.17.1.0/24").unwrap();
        assert!(c.strictly_contains(&inner));
        assert!(!c.strictly_contains(&c));
        assert!(!inner.strictly_contains(&c));
    }
}
