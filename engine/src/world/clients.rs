//! The client-side rate limits of the components' API clients: client-go's token bucket
//! (`flowcontrol.NewTokenBucketRateLimiter(qps, burst)`, `golang.org/x/time/rate` beneath),
//! one per client. A component that has spent its burst waits for tokens `1/qps` apart;
//! requests sent in the background (events) take their token without waiting, and the
//! requests after them wait longer.
//!
//! Only kube-controller-manager's ReplicaSet and ReplicationController clients are limited
//! here (`--kube-api-qps` 20, `--kube-api-burst` 30, kubeadm's defaults): they are the ones
//! that make hundreds of requests at once, when a Deployment of hundreds of replicas scales
//! or rolls. Other clients are not limited.

/// Tokens are counted in thousandths.
const MILLI: i64 = 1000;

/// A client's limit: tokens per second, and how many may be spent at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Limit {
    qps: i64,
    burst: i64,
}

/// kube-controller-manager's client limit (`--kube-api-qps`, `--kube-api-burst`).
const CONTROLLER_MANAGER: Limit = Limit { qps: 20, burst: 30 };

/// The limited client called `client` (its user agent's component) and its limit.
fn limit_of(client: &str) -> Option<(&'static str, Limit)> {
    match client {
        "replicaset-controller" => Some(("replicaset-controller", CONTROLLER_MANAGER)),
        "replication-controller" => Some(("replication-controller", CONTROLLER_MANAGER)),
        _ => None,
    }
}

/// One client's bucket: thousandths of a token, as of `at_ms`.
#[derive(Clone, Debug)]
struct Bucket {
    limit: Limit,
    milli: i64,
    at_ms: i64,
}

impl Bucket {
    /// The bucket refilled up to `now_ms` (a full bucket holds `burst` tokens).
    fn refill(&mut self, now_ms: i64) {
        let elapsed = now_ms.saturating_sub(self.at_ms).max(0);
        self.milli = self
            .milli
            .saturating_add(elapsed.saturating_mul(self.limit.qps))
            .min(self.limit.burst * MILLI);
        self.at_ms = self.at_ms.max(now_ms);
    }
}

/// Every limited client's bucket, made full on first use (a handful: a list).
#[derive(Clone, Debug, Default)]
pub struct Clients {
    buckets: Vec<(&'static str, Bucket)>,
}

impl Clients {
    fn bucket(&mut self, client: &str, now_ms: i64) -> Option<&mut Bucket> {
        let (key, limit) = limit_of(client)?;
        let at = match self.buckets.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                let full = Bucket {
                    limit,
                    milli: limit.burst * MILLI,
                    at_ms: now_ms,
                };
                self.buckets.push((key, full));
                self.buckets.len() - 1
            }
        };
        let bucket = &mut self.buckets[at].1;
        bucket.refill(now_ms);
        Some(bucket)
    }

    /// Takes a token for a request `client` waits for: `Err` holds when the next one is
    /// there, if none is now (the caller stops and comes back then).
    pub fn take(&mut self, client: &str, now_ms: i64) -> Result<(), i64> {
        let Some(bucket) = self.bucket(client, now_ms) else {
            return Ok(());
        };
        if bucket.milli >= MILLI {
            bucket.milli -= MILLI;
            return Ok(());
        }
        let missing = MILLI - bucket.milli;
        let wait = (missing + bucket.limit.qps - 1) / bucket.limit.qps;
        Err(now_ms.saturating_add(wait))
    }

    /// Takes a token for a request sent in the background, now or later: it never waits,
    /// but the requests after it do.
    pub fn charge(&mut self, client: &str, now_ms: i64) {
        if let Some(bucket) = self.bucket(client, now_ms) {
            bucket.milli = bucket.milli.saturating_sub(MILLI);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_token_every_fifty_milliseconds() {
        let mut clients = Clients::default();
        let rs = "replicaset-controller";
        for _ in 0..30 {
            assert_eq!(clients.take(rs, 0), Ok(()));
        }
        assert_eq!(clients.take(rs, 0), Err(50));
        assert_eq!(clients.take(rs, 49), Err(50));
        assert_eq!(clients.take(rs, 50), Ok(()));
        // A background request is sent at once; the next waits for two tokens' time.
        clients.charge(rs, 100);
        assert_eq!(clients.take(rs, 100), Err(150));
        assert_eq!(clients.take(rs, 150), Ok(()));
        // Idle for long, the bucket holds its burst again, no more.
        for _ in 0..30 {
            assert_eq!(clients.take(rs, 60_000), Ok(()));
        }
        assert_eq!(clients.take(rs, 60_000), Err(60_050));
        // Other clients are not limited.
        for _ in 0..1000 {
            assert_eq!(clients.take("deployment-controller", 0), Ok(()));
        }
    }
}
