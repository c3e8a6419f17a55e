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

#[cfg(test)]
mod tests {
    use super::parse;

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
