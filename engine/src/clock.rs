//! Simulated time. Nothing in the engine reads the wall clock.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
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
        SimDuration(n * 1000)
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
    /// Parses a Go `time.Duration` (`30s`, `1m30s`, `1.5h`, `500ms`, `250us`, `0`), to the
    /// millisecond; `None` where Go's `time.ParseDuration` fails (a bare number other than
    /// `0` has no unit). Huge values saturate.
    pub fn parse_go(text: &str) -> Option<SimDuration> {
        if text == "0" {
            return Some(SimDuration(0));
        }
        let mut rest = text;
        if rest.is_empty() {
            return None;
        }
        let mut total_ms = 0.0f64;
        while !rest.is_empty() {
            let number_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            if number_len == 0 {
                return None;
            }
            let value: f64 = rest.get(..number_len)?.parse().ok()?;
            rest = rest.get(number_len..)?;
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let factor = match rest.get(..unit_len)? {
                "ns" => 1e-6,
                "us" | "µs" => 1e-3,
                "ms" => 1.0,
                "s" => 1e3,
                "m" => 6e4,
                "h" => 3.6e6,
                _ => return None,
            };
            rest = rest.get(unit_len..)?;
            total_ms += value * factor;
        }
        Some(SimDuration(total_ms as i64))
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
        self.now_ms += d.0.max(0);
    }
}

/// An API timestamp for `ms` since the epoch, truncated to the second as the apiserver stores it.
pub fn time_from_ms(ms: i64) -> Time {
    let secs = ms.div_euclid(1000);
    Time(Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH))
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
        let parse = |s| SimDuration::parse_go(s).map(|d| d.0);
        assert_eq!(parse("30s"), Some(30_000));
        assert_eq!(parse("1m30s"), Some(90_000));
        assert_eq!(parse("1.5h"), Some(5_400_000));
        assert_eq!(parse("250ms"), Some(250));
        assert_eq!(parse("1500us"), Some(1));
        assert_eq!(parse("0"), Some(0));
        for bad in ["", "5", "x", "1d", "s", "1m30"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse("9999999999999999h"), Some(i64::MAX));
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
