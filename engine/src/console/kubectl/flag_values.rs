//! Typed flag values as pflag reads them: Go's `time.ParseDuration` (`DurationVar`) and
//! `strconv.ParseInt(s, 0, bits)` (`IntVar`, `Int32Var`, `Int64Var`: `0x`, `0o`, `0b` and
//! leading-`0` octal prefixes, `_` between digits), with pflag's error wording
//! `invalid argument "…" for "--NAME" flag: …`.

use crate::clock::SimDuration;

/// A duration flag's value (a bare number other than `0` has no unit) of `kubectl PATH`.
pub fn duration_flag(path: &str, name: &str, text: &str) -> Result<SimDuration, String> {
    SimDuration::parse_go(text).map_err(|e| {
        format!(
            "invalid argument \"{text}\" for \"--{name}\" flag: {e}\n{}",
            usage(path)
        )
    })
}

/// An integer flag's value of `bits` bits (32 or 64) of `kubectl PATH`; `shown` is the flag
/// as pflag names it in errors (`--tail`, or `-r, --replicas` when it has a shorthand).
pub fn int_flag(path: &str, shown: &str, text: &str, bits: u32) -> Result<i64, String> {
    parse_int(text, bits).map_err(|e| {
        format!(
            "invalid argument \"{text}\" for \"{shown}\" flag: strconv.ParseInt: parsing \"{text}\": {e}\n{}",
            usage(path)
        )
    })
}

/// The line kubectl's flag error handler adds.
fn usage(path: &str) -> String {
    format!("See 'kubectl {path} --help' for usage.")
}

/// Go's `strconv.ParseInt(s, 0, bits)`; the error is `invalid syntax` or `value out of range`.
pub fn parse_int(s: &str, bits: u32) -> Result<i64, &'static str> {
    const SYNTAX: &str = "invalid syntax";
    const RANGE: &str = "value out of range";
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return Err(SYNTAX);
    }
    let b = body.as_bytes();
    let (base, digits) = match (b[0], b.get(1).map(u8::to_ascii_lowercase)) {
        (b'0', Some(b'b')) if b.len() >= 3 => (2u32, &body[2..]),
        (b'0', Some(b'o')) if b.len() >= 3 => (8, &body[2..]),
        (b'0', Some(b'x')) if b.len() >= 3 => (16, &body[2..]),
        (b'0', _) => (8, &body[1..]),
        _ => (10, body),
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for c in digits.chars() {
        if c == '_' {
            underscores = true;
            continue;
        }
        let d = c.to_digit(36).filter(|d| *d < base).ok_or(SYNTAX)?;
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(RANGE)?;
    }
    if underscores && !underscore_ok(body) {
        return Err(SYNTAX);
    }
    let limit = 1u64 << (bits.clamp(1, 64) - 1);
    match neg {
        false if n < limit => Ok(n as i64),
        true if n <= limit => Ok((n as i128).wrapping_neg() as i64),
        _ => Err(RANGE),
    }
}

/// Go's `underscoreOK`: `_` only between digits or after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

#[cfg(test)]
mod tests {
    use super::parse_int;

    #[test]
    fn integers_parse_as_go_strconv_with_base_zero() {
        assert_eq!(parse_int("2147483647", 32), Ok(i32::MAX.into()));
        assert_eq!(parse_int("-2147483648", 32), Ok(i32::MIN.into()));
        assert_eq!(parse_int("2147483648", 32), Err("value out of range"));
        assert_eq!(parse_int("9223372036854775807", 64), Ok(i64::MAX));
        assert_eq!(parse_int("-9223372036854775808", 64), Ok(i64::MIN));
        assert_eq!(
            parse_int("9223372036854775808", 64),
            Err("value out of range")
        );
        assert_eq!(
            parse_int("99999999999999999999999", 64),
            Err("value out of range")
        );
        assert_eq!(parse_int("0x10", 32), Ok(16));
        assert_eq!(parse_int("010", 32), Ok(8));
        assert_eq!(parse_int("0b101", 32), Ok(5));
        assert_eq!(parse_int("1_000", 32), Ok(1000));
        assert_eq!(parse_int("0", 32), Ok(0));
        for bad in [
            "", "-", "1e3", "1.5", "_1", "1__0", "1_", "09", "0x", " 1", "🙂",
        ] {
            assert_eq!(parse_int(bad, 64), Err("invalid syntax"), "{bad}");
        }
    }
}
