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
