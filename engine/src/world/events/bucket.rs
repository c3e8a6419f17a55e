//! A token bucket on the simulated clock, as `golang.org/x/time/rate`'s `Limiter.AllowN(now,
//! 1)`: it starts full, refills continuously up to its burst, and a refused take changes
//! nothing. Counted in integers: one token is `period_ms` units and a millisecond adds one.
//! client-go's rate is `float32(1./300.)`, a token every 299.99999 s: on a millisecond clock
//! that decides exactly as a whole 300 s does.

/// Tokens left (in units) and when the last take happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    units: i64,
    last_ms: i64,
}

impl Bucket {
    /// A full bucket of `burst` tokens, each refilled in `period_ms`.
    pub fn full(burst: i64, period_ms: i64, now_ms: i64) -> Self {
        Bucket {
            units: burst.saturating_mul(period_ms),
            last_ms: now_ms,
        }
    }

    /// Takes a token if one is there at `now_ms`; a refusal leaves the bucket as it was.
    pub fn try_take(&mut self, burst: i64, period_ms: i64, now_ms: i64) -> bool {
        let elapsed = now_ms.saturating_sub(self.last_ms).max(0);
        let units = self
            .units
            .saturating_add(elapsed)
            .min(burst.saturating_mul(period_ms));
        if units < period_ms {
            return false;
        }
        self.units = units - period_ms;
        self.last_ms = now_ms;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: i64 = 300_000;

    #[test]
    fn a_full_bucket_allows_its_burst_then_one_take_a_period() {
        let mut b = Bucket::full(25, PERIOD, 0);
        assert!((0..25).all(|_| b.try_take(25, PERIOD, 0)));
        assert!(!b.try_take(25, PERIOD, 0));
        assert!(!b.try_take(25, PERIOD, PERIOD - 1), "not yet a whole token");
        assert!(b.try_take(25, PERIOD, PERIOD));
        assert!(!b.try_take(25, PERIOD, PERIOD + 1));
        // Refused takes do not move the refill: half a period twice makes a token.
        assert!(!b.try_take(25, PERIOD, PERIOD + PERIOD / 2));
        assert!(b.try_take(25, PERIOD, 2 * PERIOD));
    }

    #[test]
    fn the_refill_stops_at_the_burst() {
        let mut b = Bucket::full(25, PERIOD, 0);
        assert!(b.try_take(25, PERIOD, 0));
        let later = 1_000 * PERIOD;
        assert!((0..25).all(|_| b.try_take(25, PERIOD, later)));
        assert!(!b.try_take(25, PERIOD, later));
        assert!(
            !b.try_take(25, PERIOD, i64::MIN),
            "a clock going back refills nothing"
        );
    }
}
