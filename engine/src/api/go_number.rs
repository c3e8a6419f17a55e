//! Numbers as Go programs print them. Two behaviours, one function each:
//!
//! - [`fmt_float`]: `fmt`'s `%v` and `%g` of a `float64` (strconv's shortest `'g'`), which
//!   kubectl's `autoscale` and the schema validator's bounds use.
//! - [`json_int`] (and [`fmt_json_number`]): a number after Go's `encoding/json` wrote it
//!   and a decoder that keeps integers (the API server's, kubectl's) read it back — what
//!   a custom object's numbers are by the time the API server validates them or kubectl
//!   prints them (kubectl re-encodes what it sends, the server what it returns).

use serde_json::Number;

/// `fmt.Sprint(f)`: the shortest digits that read back as `f`, in exponent form (`1e+06`,
/// `1.5e-05`: at least two exponent digits) when the decimal exponent is below -4 or at
/// least 6 — the precision Go uses for that choice when the digits are the shortest — and
/// `+Inf`, `-Inf`, `NaN`.
pub fn fmt_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    // Rust's `{:e}` and `{}` both print the shortest round-trip digits, as Go does.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        format!("{f}")
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// The `int64` a `float64` reads back as through JSON: `encoding/json` writes an integral
/// float below 1e21 as plain digits, which decode as an integer when they fit in 64 bits.
pub fn json_int(f: f64) -> Option<i64> {
    // 2^63: the first float past `i64::MAX`.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.is_finite() && f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

/// A JSON number as kubectl prints it (`%v`) once decoded: an `int64` if it is one after
/// [`json_int`], else a `float64`.
pub fn fmt_json_number(n: &Number) -> String {
    match n.as_i64() {
        Some(i) => i.to_string(),
        None => {
            let f = n.as_f64().unwrap_or(0.0);
            json_int(f).map_or_else(|| fmt_float(f), |i| i.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_fmt_prints_them() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (0.5, "0.5"),
            (500.0, "500"),
            (100000.0, "100000"),
            (123456.7, "123456.7"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (123456789.0, "1.23456789e+08"),
            (1e20, "1e+20"),
            (1e21, "1e+21"),
            (1e300, "1e+300"),
            (0.0001, "0.0001"),
            (1.5e-5, "1.5e-05"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ];
        for (f, go) in cases {
            assert_eq!(fmt_float(f), go, "{f:?}");
        }
    }

    #[test]
    fn numbers_after_a_json_round_trip() {
        let n = |text: &str| fmt_json_number(&serde_json::from_str(text).unwrap());
        assert_eq!(n("5"), "5");
        assert_eq!(n("5.0"), "5");
        assert_eq!(n("1e6"), "1000000");
        assert_eq!(n("-0.0"), "0");
        assert_eq!(n("1.5"), "1.5");
        assert_eq!(n("1234567.5"), "1.2345675e+06");
        assert_eq!(n("1.5e-5"), "1.5e-05");
        // Past int64: digits that no longer fit, read back as a float.
        assert_eq!(n("1e19"), "1e+19");
        assert_eq!(n("18446744073709551615"), "1.8446744073709552e+19");
        assert_eq!(n("1e21"), "1e+21");
        assert_eq!(json_int(9_223_372_036_854_775_807.0), None);
        assert_eq!(json_int(-9_223_372_036_854_775_808.0), Some(i64::MIN));
        assert_eq!(json_int(f64::NAN), None);
    }
}
