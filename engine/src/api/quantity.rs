//! Resource quantities (`250m`, `1.5`, `64Mi`, `1G`, `1e3`) as the apiserver parses them.

/// `ErrFormatWrong`: what the apiserver and kubectl say of a quantity they cannot scan.
pub const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// `ErrSuffix`: a scanned quantity whose suffix is no unit or exponent.
pub const SUFFIX_WRONG: &str = "unable to parse quantity's suffix";

/// A quantity scanned as `resource.ParseQuantity` scans it (`parseQuantityString`, then the
/// suffix's `interpret`): the value is `±digits × 10^-frac_len × base^exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Scanned<'a> {
    negative: bool,
    /// Integer and fraction digits together, leading zeros of the integer part stripped.
    whole: &'a str,
    frac: &'a str,
    /// 10 or 2.
    base: u32,
    /// Go's `int32` exponent (a parsed `e` exponent wraps as Go's conversion does).
    exponent: i32,
    format: Format,
}

impl Scanned<'_> {
    fn is_zero(&self) -> bool {
        self.whole
            .bytes()
            .chain(self.frac.bytes())
            .all(|b| b == b'0')
    }
}

/// Scans `q` (trimmed, as `Quantity.UnmarshalJSON` trims) or says why Go refuses it.
fn scan(q: &str) -> Result<Scanned<'_>, &'static str> {
    let q = q.trim();
    if q.is_empty() {
        return Err(FORMAT_WRONG);
    }
    let (negative, rest) = match q.as_bytes()[0] {
        b'-' => (true, &q[1..]),
        b'+' => (false, &q[1..]),
        _ => (false, q),
    };
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let rest = rest.trim_start_matches('0');
    let (whole, mut rest) = rest.split_at(digits(rest));
    let mut frac = "";
    if let Some(after) = rest.strip_prefix('.') {
        let (f, r) = after.split_at(digits(after));
        (frac, rest) = (f, r);
    }
    // The suffix: unit letters, then an optional sign and digits, then nothing.
    let letters = rest
        .bytes()
        .take_while(|b| b"eEinumkKMGTP".contains(b))
        .count();
    let mut tail = &rest[letters..];
    if tail.starts_with(['+', '-']) {
        tail = &tail[1..];
    }
    if digits(tail) != tail.len() {
        return Err(FORMAT_WRONG);
    }
    let (base, exponent, format) = interpret(rest).ok_or(SUFFIX_WRONG)?;
    Ok(Scanned {
        negative,
        whole,
        frac,
        base,
        exponent,
        format,
    })
}

/// `suffixHandler.interpret`: a decimal or binary unit, or `e`/`E` and a Go `int64`.
fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
    let decimal = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"];
    if let Some(i) = decimal.iter().position(|s| *s == suffix) {
        let exponent = i32::try_from(i).ok()? * 3 - 9;
        return Some((10, exponent, Format::DecimalSi));
    }
    let binary = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if let Some(i) = binary.iter().position(|s| *s == suffix) {
        let exponent = (i32::try_from(i).ok()? + 1) * 10;
        return Some((2, exponent, Format::BinarySi));
    }
    let number = suffix.strip_prefix(['e', 'E']).filter(|n| !n.is_empty())?;
    let unsigned = number.strip_prefix(['+', '-']).unwrap_or(number);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parsed: i64 = number.parse().ok()?;
    // Go's `int32(parsed)`: the low 32 bits.
    Some((10, parsed as i32, Format::DecimalExponent))
}

/// Whether `q` is a quantity the apiserver takes; `Err` is its message (`ErrFormatWrong`,
/// `ErrSuffix`), what a manifest's decoding and kubectl's `--requests`-style flags report.
pub fn check(q: &str) -> Result<(), &'static str> {
    scan(q).map(|_| ())
}

/// Parses a quantity into its value in base units (cores, bytes), or `None` if malformed.
/// Magnitudes beyond `f64` saturate, and a non-zero value below `1n` counts as `1n`
/// (`ParseQuantity` rounds up to nano units).
pub fn parse(q: &str) -> Option<f64> {
    let s = scan(q).ok()?;
    if s.is_zero() {
        return Some(0.0);
    }
    let (ten, two) = match s.base {
        2 => (0, s.exponent),
        _ => (s.exponent, 0),
    };
    let v: f64 = format!("{}{}e{ten}", s.whole, dot(s.frac)).parse().ok()?;
    let v = (v * 2f64.powi(two)).clamp(1e-9, f64::MAX);
    Some(if s.negative { -v } else { v })
}

/// `.frac`, or nothing.
fn dot(frac: &str) -> String {
    if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    }
}

/// A value of `milli` thousandths in Go's canonical form (`resource.NewMilliQuantity`'s
/// `String()`): DecimalSI (`250m`, `2`, `3k`), or with `binary` BinarySI for whole values
/// (`64Mi`, `1536`) — a fractional BinarySI value prints as DecimalSI, as in Go.
pub fn format_milli(milli: i64, binary: bool) -> String {
    if milli == 0 {
        return "0".into();
    }
    if milli % 1000 != 0 {
        return format!("{milli}m");
    }
    let mut v = milli / 1000;
    if binary {
        let mut exp = 0;
        while v % 1024 == 0 && exp < 6 {
            v /= 1024;
            exp += 1;
        }
        return format!("{v}{}", ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exp]);
    }
    let mut exp = 0;
    while v % 1000 == 0 && exp < 6 {
        v /= 1000;
        exp += 1;
    }
    format!("{v}{}", ["", "k", "M", "G", "T", "P", "E"][exp])
}

/// A quantity's value in thousandths, rounded up (`Quantity.MilliValue`); `None` if malformed.
pub fn milli_value(q: &str) -> Option<i64> {
    Amount::parse(q).map(|a| a.millis().clamp(i64::MIN.into(), i64::MAX.into()) as i64)
}

/// Whole bytes in the canonical form Go's `Quantity.String()` prints for a quantity written
/// with `suffix`: a binary one (`Ki`…`Ei`) as the largest power of 1024 that divides it
/// exactly (below 1024 as a plain number), any other as the largest power of 1000 that does
/// (`512Mi`, `1Gi`, `1536`, `2k`, `500M`).
pub fn canonical_bytes(bytes: u64, suffix_of: &str) -> String {
    let binary = suffix_of.trim().ends_with('i');
    let (base, units): (u64, &[&str]) = if binary && bytes >= 1024 {
        (1024, &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"])
    } else {
        (1000, &["", "k", "M", "G", "T", "P", "E"])
    };
    let (mut n, mut i) = (bytes, 0);
    while n != 0 && n % base == 0 && i + 1 < units.len() {
        n /= base;
        i += 1;
    }
    format!("{n}{}", units.get(i).copied().unwrap_or(""))
}

/// A quantity of bytes as Go's `Quantity.String()` prints it (see [`canonical_bytes`]);
/// `None` if malformed or negative.
pub fn canonical(q: &str) -> Option<String> {
    let v = parse(q)?;
    (v >= 0.0).then(|| canonical_bytes(v.ceil() as u64, q))
}
/// How a quantity was written, which is how the apiserver prints a sum or copy of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Format {
    /// `500m`, `1`, `2k`, `1G`.
    #[default]
    DecimalSi,
    /// `64Mi`, `1Gi`.
    BinarySi,
    /// `1e3`.
    DecimalExponent,
}

/// The largest amount held, in billionths: `2^63-1` units, Go's cap on binary quantities.
pub const MAX_NANOS: i128 = i64::MAX as i128 * NANOS_PER_UNIT;

/// Billionths in a unit: `ParseQuantity` rounds every amount up to nano units.
const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// A non-zero scanned magnitude in billionths, rounded up and capped at [`MAX_NANOS`].
fn nanos_of(s: &Scanned<'_>) -> i128 {
    let digits = format!("{}{}", s.whole, s.frac);
    let digits = digits.trim_start_matches('0');
    // Decimal exponent of the last digit, in billionths; binary exponents stay apart.
    let frac_len = i64::try_from(s.frac.len()).unwrap_or(i64::MAX);
    let (mut ten, two) = match s.base {
        2 => (9 - frac_len, s.exponent),
        _ => (
            i64::from(s.exponent)
                .saturating_sub(frac_len)
                .saturating_add(9),
            0,
        ),
    };
    // 38 digits fit an i128; the rest only nudge the value up (rounding up, as Go does).
    let kept = &digits[..digits.len().min(38)];
    let dropped = &digits[kept.len()..];
    ten = ten.saturating_add(i64::try_from(dropped.len()).unwrap_or(i64::MAX));
    let mut mantissa: i128 = kept.parse().unwrap_or(MAX_NANOS);
    if dropped.bytes().any(|b| b != b'0') {
        mantissa += 1;
    }
    let value = if ten >= 0 {
        u32::try_from(ten)
            .ok()
            .and_then(|t| 10i128.checked_pow(t))
            .and_then(|p| mantissa.checked_mul(p))
            .and_then(|v| v.checked_mul(1i128.checked_shl(two.unsigned_abs())?))
    } else {
        let shifted = 1i128
            .checked_shl(two.unsigned_abs())
            .and_then(|p| mantissa.checked_mul(p));
        match (
            shifted,
            u32::try_from(-ten).ok().and_then(|t| 10i128.checked_pow(t)),
        ) {
            (Some(top), Some(bottom)) => Some((top + bottom - 1) / bottom),
            (Some(_), None) => Some(1),
            (None, _) => None,
        }
    };
    value.map_or(MAX_NANOS, |v| v.clamp(1, MAX_NANOS))
}

/// `nanos / per`, rounded up (towards positive infinity, as Go's `ScaledValue`).
fn ceil_div(nanos: i128, per: i128) -> i128 {
    nanos.div_euclid(per) + i128::from(nanos.rem_euclid(per) != 0)
}

/// A quantity held exactly, in billionths of its unit (`ParseQuantity` rounds every amount
/// up to that scale), with the format it was written in: what sums of requests are made of.
/// The zero amount is Go's zero `Quantity{}`, which prints `0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amount {
    nanos: i128,
    format: Format,
}

impl Amount {
    /// Parses `q` exactly, rounding up to billionths, or `None` if malformed; magnitudes
    /// beyond [`MAX_NANOS`] saturate there (Go caps binary quantities at `2^63-1`).
    pub fn parse(q: &str) -> Option<Amount> {
        let s = scan(q).ok()?;
        let magnitude = if s.is_zero() { 0 } else { nanos_of(&s) };
        Some(Amount {
            nanos: if s.negative { -magnitude } else { magnitude },
            format: s.format,
        })
    }

    /// Whether this amount was capped at [`MAX_NANOS`] (kept as written when stored).
    pub fn saturated(self) -> bool {
        self.nanos.abs() >= MAX_NANOS
    }

    /// The amount in billionths of its unit, exactly: what `Quantity.Cmp` compares.
    pub fn nanos(self) -> i128 {
        self.nanos
    }

    /// The amount in whole units, rounded up (`Quantity.Value`).
    pub fn units(self) -> i128 {
        ceil_div(self.nanos, NANOS_PER_UNIT)
    }

    /// The amount in thousandths of its unit, rounded up (`Quantity.MilliValue`).
    pub fn millis(self) -> i128 {
        ceil_div(self.nanos, 1_000_000)
    }

    /// `Quantity.Add`: the sum keeps this amount's format, or takes `other`'s when this is zero.
    pub fn add(self, other: Amount) -> Option<Amount> {
        Some(Amount {
            nanos: self.nanos.checked_add(other.nanos)?,
            format: if self.nanos == 0 {
                other.format
            } else {
                self.format
            },
        })
    }

    /// `resource.NewQuantity(self.Value(), other.Format)` when the formats differ (how
    /// `describe quota` prints a used amount beside its hard one): whole units, rounded up.
    pub fn like(self, other: Amount) -> Amount {
        if self.format == other.format {
            return self;
        }
        Amount {
            nanos: ceil_div(self.nanos, NANOS_PER_UNIT) * NANOS_PER_UNIT,
            format: other.format,
        }
    }

    /// The larger of the two (this one on a tie), as `Quantity.Cmp` decides.
    pub fn max(self, other: Amount) -> Amount {
        if other.nanos > self.nanos {
            other
        } else {
            self
        }
    }
}

/// The canonical text the apiserver serves (`CanonicalizeBytes`): `1500m`, `2`, `1500k`,
/// `100u`, `192Mi`; a binary amount below 1024 or with a fraction prints in decimal.
impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.saturated() {
            // As Go prints its capped `maxAllowed`.
            let sign = if self.nanos < 0 { "-" } else { "" };
            return write!(f, "{sign}{}", i64::MAX);
        }
        if self.nanos == 0 {
            return f.write_str("0");
        }
        // `AsCanonicalBytes`: the mantissa with every factor of 1000 moved to the exponent.
        let (mut n, mut exponent) = (self.nanos, -9i32);
        while n % 1000 == 0 && exponent < 18 {
            n /= 1000;
            exponent += 3;
        }
        if self.format == Format::DecimalExponent {
            return match exponent {
                0 => write!(f, "{n}"),
                e => write!(f, "{n}e{e}"),
            };
        }
        let whole = self.nanos % NANOS_PER_UNIT == 0;
        if self.format == Format::BinarySi
            && whole
            && self.nanos.unsigned_abs() >= 1024 * 1_000_000_000
        {
            let mut v = self.nanos / NANOS_PER_UNIT;
            let mut exp = 0;
            while v % 1024 == 0 && exp < 6 {
                v /= 1024;
                exp += 1;
            }
            return write!(f, "{v}{}", ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exp]);
        }
        let suffix = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"];
        let at = usize::try_from((exponent + 9) / 3).unwrap_or(0);
        write!(f, "{n}{}", suffix.get(at).copied().unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::{canonical, parse, Amount};

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical("100Mi").as_deref(), Some("100Mi"));
        assert_eq!(canonical("1024Mi").as_deref(), Some("1Gi"));
        assert_eq!(canonical("0.5Gi").as_deref(), Some("512Mi"));
        assert_eq!(canonical("1536Ki").as_deref(), Some("1536Ki"));
        assert_eq!(canonical("500M").as_deref(), Some("500M"));
        assert_eq!(canonical("2000").as_deref(), Some("2k"));
        assert_eq!(canonical("1500").as_deref(), Some("1500"));
        assert_eq!(canonical("0.5Ki").as_deref(), Some("512"));
        assert_eq!(canonical("-1Mi"), None);
    }

    #[test]
    fn units() {
        assert_eq!(parse("250m"), Some(0.25));
        assert_eq!(parse("1.5"), Some(1.5));
        assert_eq!(parse("64Mi"), Some(67_108_864.0));
        assert_eq!(parse("1G"), Some(1e9));
        assert_eq!(parse("1e3"), Some(1000.0));
        assert_eq!(parse("4194304Ki"), Some(4_294_967_296.0));
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("1Xi"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn amounts_print_as_the_apiserver_does() {
        let a = |q: &str| Amount::parse(q).unwrap();
        let sum = |x: &str, y: &str| a(x).add(a(y)).unwrap().to_string();
        assert_eq!(sum("100m", "200m"), "300m");
        assert_eq!(sum("500m", "1"), "1500m");
        assert_eq!(sum("1", "1000m"), "2");
        assert_eq!(sum("64Mi", "128Mi"), "192Mi");
        assert_eq!(sum("1Gi", "1Gi"), "2Gi");
        assert_eq!(sum("1Gi", "500M"), "1573741824");
        assert_eq!(sum("500M", "1Gi"), "1573741824");
        assert_eq!(sum("1M", "500k"), "1500k");
        assert_eq!(sum("0", "64Mi"), "64Mi");
        assert_eq!(a("0.5").to_string(), "500m");
        assert_eq!(a("512").to_string(), "512");
        assert_eq!(a("1e3").to_string(), "1e3");
        assert_eq!(a("1.5Ki").to_string(), "1536");
        assert_eq!(a("0.1m").to_string(), "100u");
        assert_eq!(a("100u").to_string(), "100u");
        assert_eq!(a("0.0000005").to_string(), "500n");
        assert_eq!(a("1500n").to_string(), "1500n");
        assert_eq!(a("1e-10").to_string(), "1e-9");
        assert_eq!(a("0.0000000001Ki").to_string(), "103n");
        assert_eq!(a("1.5").to_string(), "1500m");
        assert_eq!(a("1000m").to_string(), "1");
        assert_eq!(a("2048Mi").to_string(), "2Gi");
        assert_eq!(a("1.5Gi").to_string(), "1536Mi");
        assert_eq!(a("1e-3").to_string(), "1e-3");
        assert_eq!(a("100u").millis(), 1);
        assert_eq!(a("-100u").millis(), 0);
        assert_eq!(sum("100u", "900u"), "1m");
        assert_eq!(a("2Mi").max(a("2097152")).to_string(), "2Mi");
        assert_eq!(Amount::parse("1Xi"), None);
        assert_eq!(a(".").millis(), 0);
        assert!(a("1e40").saturated());
        assert!(a("999999999999999999999999999999Ei").saturated());
    }

    #[test]
    fn go_scanner_accepts_and_refuses_the_same_texts() {
        use super::{check, FORMAT_WRONG, SUFFIX_WRONG};
        for ok in [
            "0", "1", "+1.5", "-2Gi", ".5", "1.", "Mi", "1e400", "1E-400", "1e+3", " 2 ",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for bad in [
            "", "NaN", "inf", "Infinity", "1 m", "1.2.3", "1x", "0x10", "1-x",
        ] {
            assert_eq!(check(bad), Err(FORMAT_WRONG), "{bad}");
        }
        for bad in [
            "1MM",
            "1ki",
            "1mi",
            "1e99999999999999999999",
            "1KK",
            "1Ee",
            "1e",
            "1e-",
        ] {
            assert_eq!(check(bad), Err(SUFFIX_WRONG), "{bad}");
        }
    }

    #[test]
    fn extremes_saturate_or_round_up_without_overflow() {
        let a = |q: &str| Amount::parse(q).unwrap();
        assert!(a("1e400").saturated());
        assert!(a("-1e400").saturated() && a("-1e400").millis() < 0);
        assert_eq!(a("1e-400").millis(), 1);
        assert_eq!(
            a("0.000000000000000000000000000000000000000001").millis(),
            1
        );
        assert_eq!(
            a(&format!("1{}", "0".repeat(5000))).nanos(),
            super::MAX_NANOS
        );
        assert_eq!(a(&format!("0.{}1", "0".repeat(5000))).millis(), 1);
        assert!(a("8Ei").saturated() && !a("7Ei").saturated());
        // Go's int32 conversion: 2^32 wraps to 0.
        assert_eq!(a("1e4294967296").millis(), 1000);
        assert_eq!(parse("1e400"), Some(f64::MAX));
        assert_eq!(parse("1e-400"), Some(1e-9));
        assert_eq!(parse("-1e400"), Some(-f64::MAX));
        assert_eq!(parse("NaN"), None);
        assert_eq!(super::milli_value("1e400"), Some(i64::MAX));
        assert_eq!(
            a("99999999999999999999Ei").to_string(),
            "9223372036854775807"
        );
        assert_eq!(a("-1e400").to_string(), "-9223372036854775807");
        assert_eq!(a("8Ei").to_string(), "9223372036854775807");
    }
}
