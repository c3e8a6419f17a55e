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

#[cfg(test)]
mod tests {
    use super::{canonical, parse};

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
}
