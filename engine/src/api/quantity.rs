//! Resource quantities (`250m`, `1.5`, `64Mi`, `1G`, `1e3`) as the apiserver parses them.

/// Parses a quantity into its value in base units (cores, bytes), or `None` if malformed.
pub fn parse(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    if number.is_empty() || number == "+" || number == "-" {
        return None;
    }
    let n: f64 = number.parse().ok()?;
    let multiplier = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    let v = n * multiplier;
    v.is_finite().then_some(v)
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
    parse(q).map(|v| (v * 1000.0 - 1e-6).ceil() as i64)
}

/// The apiserver's message for a malformed quantity.
pub fn invalid_message() -> &'static str {
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// `500m`, `1`, `2k`, `1G`.
    DecimalSi,
    /// `64Mi`, `1Gi`.
    BinarySi,
    /// `1e3`.
    DecimalExponent,
}

/// A quantity held exactly, in thousandths of its unit (the apiserver rounds resource lists
/// up to that scale), with the format it was written in: what sums of requests are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount {
    millis: i128,
    format: Format,
}

impl Amount {
    /// Parses `q` exactly (rounding up to thousandths), or `None` if malformed or too large.
    pub fn parse(q: &str) -> Option<Amount> {
        let q = q.trim();
        let split = q
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .unwrap_or(q.len());
        let (number, suffix) = q.split_at(split);
        let (negative, digits) = match number.as_bytes().first() {
            Some(b'-') => (true, &number[1..]),
            Some(b'+') => (false, &number[1..]),
            _ => (false, number),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all = format!("{whole}{frac}");
        if all.is_empty() || !all.bytes().all(|b| b.is_ascii_digit()) || all.len() > 30 {
            return None;
        }
        let mantissa: i128 = all.parse().ok()?;
        let pow = |base: i128, exp: u32| base.checked_pow(exp);
        let (format, num, den) = match suffix {
            "" => (Format::DecimalSi, 1, 1),
            "n" => (Format::DecimalSi, 1, pow(10, 9)?),
            "u" => (Format::DecimalSi, 1, pow(10, 6)?),
            "m" => (Format::DecimalSi, 1, 1000),
            "k" => (Format::DecimalSi, pow(10, 3)?, 1),
            "M" => (Format::DecimalSi, pow(10, 6)?, 1),
            "G" => (Format::DecimalSi, pow(10, 9)?, 1),
            "T" => (Format::DecimalSi, pow(10, 12)?, 1),
            "P" => (Format::DecimalSi, pow(10, 15)?, 1),
            "E" => (Format::DecimalSi, pow(10, 18)?, 1),
            "Ki" => (Format::BinarySi, pow(1024, 1)?, 1),
            "Mi" => (Format::BinarySi, pow(1024, 2)?, 1),
            "Gi" => (Format::BinarySi, pow(1024, 3)?, 1),
            "Ti" => (Format::BinarySi, pow(1024, 4)?, 1),
            "Pi" => (Format::BinarySi, pow(1024, 5)?, 1),
            "Ei" => (Format::BinarySi, pow(1024, 6)?, 1),
            s if s.starts_with(['e', 'E']) => {
                let exp: i32 = s[1..].parse().ok()?;
                let scale = pow(10, exp.unsigned_abs().min(40))?;
                if exp >= 0 {
                    (Format::DecimalExponent, scale, 1)
                } else {
                    (Format::DecimalExponent, 1, scale)
                }
            }
            _ => return None,
        };
        let frac_len = u32::try_from(frac.len()).ok()?;
        let top = mantissa.checked_mul(num)?.checked_mul(1000)?;
        let bottom = pow(10, frac_len)?.checked_mul(den)?;
        let millis = top.checked_add(bottom - 1)? / bottom;
        Some(Amount {
            millis: if negative { -millis } else { millis },
            format,
        })
    }

    /// The amount in thousandths of its unit.
    pub fn millis(self) -> i128 {
        self.millis
    }

    /// `Quantity.Add`: the sum keeps this amount's format, or takes `other`'s when this is zero.
    pub fn add(self, other: Amount) -> Option<Amount> {
        Some(Amount {
            millis: self.millis.checked_add(other.millis)?,
            format: if self.millis == 0 {
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
        let whole = self.millis.div_euclid(1000) + i128::from(self.millis.rem_euclid(1000) != 0);
        Amount {
            millis: whole * 1000,
            format: other.format,
        }
    }

    /// The larger of the two (this one on a tie), as `Quantity.Cmp` decides.
    pub fn max(self, other: Amount) -> Amount {
        if other.millis > self.millis {
            other
        } else {
            self
        }
    }
}

/// The canonical text the apiserver serves (`CanonicalizeBytes`): `1500m`, `2`, `1500k`,
/// `192Mi`; a binary amount below 1024 or with a fraction prints in decimal ([`format_milli`]).
impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.millis == 0 {
            return f.write_str("0");
        }
        if self.format == Format::DecimalExponent {
            let (mut n, mut exponent) = (self.millis, -3i32);
            while n % 1000 == 0 {
                n /= 1000;
                exponent += 3;
            }
            return match exponent {
                0 => write!(f, "{n}"),
                e => write!(f, "{n}e{e}"),
            };
        }
        let binary = self.format == Format::BinarySi
            && self.millis % 1000 == 0
            && self.millis.unsigned_abs() >= 1_024_000;
        let milli =
            i64::try_from(self.millis).unwrap_or(if self.millis < 0 { i64::MIN } else { i64::MAX });
        f.write_str(&format_milli(milli, binary))
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
        assert_eq!(a("0.1m").to_string(), "1m");
        assert_eq!(a("2Mi").max(a("2097152")).to_string(), "2Mi");
        assert_eq!(Amount::parse("1Xi"), None);
        assert_eq!(Amount::parse("."), None);
        assert_eq!(Amount::parse("1e40"), None);
        assert_eq!(Amount::parse("999999999999999999999999999999Ei"), None);
    }
}
