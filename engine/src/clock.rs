//! Simulated time. Nothing in the engine reads the wall clock.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use k8s_openapi::jiff::Timestamp;

/// A span of simulated time, in milliseconds.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SimDuration(pub i64);

impl SimDuration {
    /// `n` whole seconds.
    pub const fn seconds(n: i64) -> Self {
        SimDuration(n.saturating_mul(1000))
    }
    /// `n` milliseconds.
    pub const fn millis(n: i64) -> Self {
        SimDuration(n)
    }
    /// Whole seconds, rounded down.
    pub const fn as_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

impl SimDuration {
    /// The longest span there is: Go's `time.Duration` maximum (2562047h47m16.854775807s),
    /// to the millisecond.
    pub const MAX: SimDuration = SimDuration(i64::MAX / 1_000_000);

    /// Parses a Go `time.Duration` (`30s`, `1m30s`, `1.5h`, `-500ms`, `250us`, `0`) exactly as
    /// Go's `time.ParseDuration` does (its limits and its error texts, `time: invalid
    /// duration "…"`, `time: missing unit in duration "…"`, `time: unknown unit "…" in
    /// duration "…"`), to the millisecond (rounded toward zero).
    pub fn parse_go(text: &str) -> Result<SimDuration, String> {
        go_duration_ns(text).map(|ns| SimDuration(ns / 1_000_000))
    }

    /// Parses a coreutils time interval (`sleep`, `timeout`): a C `strtod` number (`5`,
    /// `1.5`, `1e3`, `inf`, `infinity`; hexadecimal floats are not read) and an optional
    /// suffix `s`, `m`, `h` or `d`; `None` where coreutils says `invalid time interval`
    /// (negative, NaN, other suffixes). Huge and infinite intervals saturate.
    pub fn parse_interval(text: &str) -> Option<SimDuration> {
        let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
        let (number, unit) = match text.parse::<f64>() {
            Ok(n) => (n, 1.0),
            Err(_) => {
                let last = text.chars().last()?;
                let unit = match last {
                    's' => 1.0,
                    'm' => 60.0,
                    'h' => 3600.0,
                    'd' => 86400.0,
                    _ => return None,
                };
                (text[..text.len() - 1].parse::<f64>().ok()?, unit)
            }
        };
        // `0 <= NaN` is false for coreutils: refused.
        if number.is_nan() || number < 0.0 {
            return None;
        }
        // `as` saturates (infinity included).
        Some(SimDuration((number * unit * 1000.0) as i64))
    }

    /// `self + other`, saturating instead of overflowing.
    pub const fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }

    /// Go's `time.Duration.String` of a whole number of milliseconds: `812ms`, `5.34s`,
    /// `1m30s`, `1h0m0s`, `0s`.
    pub fn go_string(self) -> String {
        let ms = self.0;
        if ms == 0 {
            return "0s".into();
        }
        if ms.abs() < 1000 {
            return format!("{ms}ms");
        }
        let sign = if ms < 0 { "-" } else { "" };
        let ms = ms.unsigned_abs();
        let (h, m) = (ms / 3_600_000, (ms / 60_000) % 60);
        let whole = (ms % 60_000) / 1000;
        let frac = format!("{:03}", ms % 1000);
        let frac = frac.trim_end_matches('0');
        let secs = if frac.is_empty() {
            format!("{whole}")
        } else {
            format!("{whole}.{frac}")
        };
        match (h, m) {
            (0, 0) => format!("{sign}{secs}s"),
            (0, m) => format!("{sign}{m}m{secs}s"),
            (h, m) => format!("{sign}{h}h{m}m{secs}s"),
        }
    }
}

/// Go's `time.ParseDuration`, in nanoseconds: the same grammar
/// (`[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`), the same overflow checks, the same errors.
fn go_duration_ns(orig: &str) -> Result<i64, String> {
    const LIMIT: u64 = 1 << 63;
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let (neg, mut s) = match orig.as_bytes().first() {
        Some(b'-') => (true, &orig[1..]),
        Some(b'+') => (false, &orig[1..]),
        _ => (false, orig),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // The integer part; more than 2^63 is invalid.
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut whole: u64 = 0;
        for &c in &b[..digits] {
            if whole > LIMIT / 10 {
                return Err(invalid());
            }
            whole = whole * 10 + u64::from(c - b'0');
            if whole > LIMIT {
                return Err(invalid());
            }
        }
        s = &s[digits..];
        // The fraction; digits past 2^63 only stop adding precision.
        let (mut frac, mut scale, mut post) = (0u64, 1f64, false);
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for c in rest.bytes().take(n) {
                if overflow || frac > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let next = frac * 10 + u64::from(c - b'0');
                if next > LIMIT {
                    overflow = true;
                    continue;
                }
                frac = next;
                scale *= 10.0;
            }
            post = n > 0;
            s = &rest[n..];
        }
        if digits == 0 && !post {
            return Err(invalid());
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit_name),
                    go_quote(orig)
                ))
            }
        };
        if whole > LIMIT / unit {
            return Err(invalid());
        }
        let mut v = whole * unit;
        if frac > 0 {
            // As Go: float64(f) * (float64(unit) / scale), truncated.
            v += (frac as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Go's `time` package quoting: `"` and `\` escaped, other bytes that are not printable
/// ASCII written as `\xNN`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        }
    }
    out.push('"');
    out
}

/// The cluster's clock: milliseconds since the Unix epoch, advanced only by the engine.
#[derive(Clone, Debug)]
pub struct Clock {
    now_ms: i64,
}

/// When every simulated cluster boots: 2025-09-01T09:00:00Z.
pub const BOOT_MS: i64 = 1_756_717_200_000;

impl Clock {
    /// A clock standing at `now_ms`.
    pub fn at(now_ms: i64) -> Self {
        Clock { now_ms }
    }
    /// Current simulated time in milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }
    /// Current simulated time as an API timestamp (whole seconds, like the apiserver).
    pub fn now_time(&self) -> Time {
        time_from_ms(self.now_ms)
    }
    /// Sets the clock to `ms`; it never moves backwards.
    pub fn set(&mut self, ms: i64) {
        self.now_ms = self.now_ms.max(ms);
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, d: SimDuration) {
        self.now_ms = self.now_ms.saturating_add(d.0.max(0));
    }
}

/// An API timestamp for `ms` since the epoch, truncated to the second as the apiserver stores it
/// (clamped to the latest or earliest timestamp there is).
pub fn time_from_ms(ms: i64) -> Time {
    let secs = ms.div_euclid(1000);
    Time(clamped(Timestamp::from_second(secs), secs))
}

/// An API `MicroTime` for `ms` since the epoch: the events API keeps the fraction (clamped as
/// [`time_from_ms`]).
pub fn micro_time_from_ms(ms: i64) -> MicroTime {
    MicroTime(clamped(Timestamp::from_millisecond(ms), ms))
}

/// A timestamp made from `value`, or the latest or earliest there is when out of range.
fn clamped<E>(made: Result<Timestamp, E>, value: i64) -> Timestamp {
    made.unwrap_or(if value > 0 {
        Timestamp::MAX
    } else {
        Timestamp::MIN
    })
}

/// Milliseconds since the epoch of an API timestamp.
pub fn ms_from_time(t: &Time) -> i64 {
    t.0.as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::SimDuration;

    #[test]
    fn go_durations_parse_and_print_as_go_does() {
        let parse = |s| SimDuration::parse_go(s).map(|d| d.0).ok();
        assert_eq!(parse("30s"), Some(30_000));
        assert_eq!(parse("1m30s"), Some(90_000));
        assert_eq!(parse("1.5h"), Some(5_400_000));
        assert_eq!(parse("250ms"), Some(250));
        assert_eq!(parse("1500us"), Some(1));
        assert_eq!(parse("1500\u{b5}s"), Some(1));
        assert_eq!(parse(".5s"), Some(500));
        assert_eq!(parse("1.s"), Some(1_000));
        assert_eq!(parse("-1s"), Some(-1_000));
        assert_eq!(parse("+0"), Some(0));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("2562047h47m16.854775807s"), Some(SimDuration::MAX.0));
        assert_eq!(
            parse("-2562047h47m16.854775808s"),
            Some(i64::MIN / 1_000_000)
        );
        let err = |s| SimDuration::parse_go(s).unwrap_err();
        assert_eq!(err(""), "time: invalid duration \"\"");
        assert_eq!(err("x"), "time: invalid duration \"x\"");
        assert_eq!(err("."), "time: invalid duration \".\"");
        assert_eq!(err("-"), "time: invalid duration \"-\"");
        assert_eq!(err("5"), "time: missing unit in duration \"5\"");
        assert_eq!(err("1m30"), "time: missing unit in duration \"1m30\"");
        assert_eq!(err("1d"), "time: unknown unit \"d\" in duration \"1d\"");
        assert_eq!(err("s"), "time: invalid duration \"s\"");
        assert_eq!(
            err("2562047h47m16.854775808s"),
            "time: invalid duration \"2562047h47m16.854775808s\""
        );
        assert_eq!(
            err("9999999999999999s"),
            "time: invalid duration \"9999999999999999s\""
        );
        assert_eq!(
            err("9999999999999999h"),
            "time: invalid duration \"9999999999999999h\""
        );
        assert_eq!(
            err("99999999999999999999ns"),
            "time: invalid duration \"99999999999999999999ns\""
        );
        assert_eq!(
            err("1\u{1f642}"),
            "time: unknown unit \"\\xf0\\x9f\\x99\\x82\" in duration \"1\\xf0\\x9f\\x99\\x82\""
        );
        let interval = |s| SimDuration::parse_interval(s).map(|d| d.0);
        assert_eq!(interval("5"), Some(5_000));
        assert_eq!(interval("1.5s"), Some(1_500));
        assert_eq!(interval("2m"), Some(120_000));
        assert_eq!(interval(".5h"), Some(1_800_000));
        assert_eq!(interval("1d"), Some(86_400_000));
        assert_eq!(interval("1e3"), Some(1_000_000));
        assert_eq!(interval("infinity"), Some(i64::MAX));
        assert_eq!(interval("inf"), Some(i64::MAX));
        assert_eq!(interval("1e300"), Some(i64::MAX));
        assert_eq!(interval("9223372036854775807"), Some(i64::MAX));
        assert_eq!(interval("999999999999999999d"), Some(i64::MAX));
        assert_eq!(interval("-0"), Some(0));
        for bad in ["", "x", "-1", "nan", "NaN", "1x", "1ss", "s", "1e", "5 "] {
            assert_eq!(interval(bad), None, "{bad}");
        }
        // Fraction digits past 2^63 only stop adding precision.
        assert_eq!(parse("1.00000000000000000000000000001s"), Some(1_000));
        let show = |ms| SimDuration::millis(ms).go_string();
        assert_eq!(show(0), "0s");
        assert_eq!(show(812), "812ms");
        assert_eq!(show(2_000), "2s");
        assert_eq!(show(5_340), "5.34s");
        assert_eq!(show(90_000), "1m30s");
        assert_eq!(show(90_500), "1m30.5s");
        assert_eq!(show(3_600_000), "1h0m0s");
    }
}
