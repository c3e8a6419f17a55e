//! The throughput of closed-loop clients against the pods that serve them: approximate
//! mean-value analysis (Bard–Schweitzer) of a closed queueing network.
//!
//! Each serving pod is one processor-sharing station whose service time per request is
//! the request's CPU cost spread over the CPU the pod may use: `S = cost_ms × 1000 /
//! cpu_milli`. Each stream is a class of `clients` customers (a shell loop is 1, `ab -c N`
//! is N) with think time `Z` (its sleeps plus the network's round trip) that visits its
//! stations in equal shares (kube-proxy's random choice, in expectation). Per class `s` and
//! station `p`, with queue lengths `Q`:
//!
//! - residence per visit `R_sp = S_p × (1 + Σ_t Q_tp − Q_sp / N_s)` (the arrival theorem,
//!   with Schweitzer's estimate of the queue an arriving customer sees),
//! - cycle time `R_s = Σ_p v_sp R_sp`, throughput `X_s = N_s / (Z_s + R_s)`,
//! - `Q_sp = X_s v_sp R_sp`,
//!
//! iterated a fixed number of times from an even spread. It is exact for one class with one
//! customer (`X = 1 / (Z + S)`), respects the asymptotic bound `Σ X_s v_sp S_p ≤ 1`, and
//! uses only `+ − × ÷` on `f64`, so every platform computes the same bits.

/// A serving pod, as the model sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Station {
    /// CPU time one request costs, in core-ms.
    pub cost_ms: f64,
    /// CPU the pod may use, in millicores (its limit, else a node's core).
    pub cpu_milli: f64,
}

impl Station {
    /// The time one request takes alone at this station, in ms.
    pub fn service_ms(&self) -> f64 {
        self.cost_ms * 1000.0 / self.cpu_milli.max(1.0)
    }
}

/// A stream: closed-loop clients and the stations they share equally.
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    /// Concurrent clients (1 for a shell loop).
    pub clients: u32,
    /// Time each client spends between a response and its next request, in ms.
    pub think_ms: f64,
    /// Indices into the stations, each visited with share `1 / len`.
    pub stations: Vec<usize>,
}

/// Fixed-point iterations: enough for the streams a learner starts (a few classes on a
/// few pods) to settle well below a request per minute.
const ITERATIONS: usize = 200;

/// Each class's throughput (requests per ms) and each class's mean response time (ms).
pub fn solve(stations: &[Station], classes: &[Class]) -> Vec<(f64, f64)> {
    let service: Vec<f64> = stations.iter().map(Station::service_ms).collect();
    let share = |c: &Class| 1.0 / c.stations.len().max(1) as f64;
    // Q[s][k]: class s's queue at its k-th station.
    let mut queue: Vec<Vec<f64>> = classes
        .iter()
        .map(|c| vec![f64::from(c.clients) * share(c); c.stations.len()])
        .collect();
    let mut result = vec![(0.0, 0.0); classes.len()];
    for _ in 0..ITERATIONS {
        let mut total = vec![0.0; stations.len()];
        for (c, q) in classes.iter().zip(&queue) {
            for (p, v) in c.stations.iter().zip(q) {
                if let Some(t) = total.get_mut(*p) {
                    *t += v;
                }
            }
        }
        let mut next = Vec::with_capacity(classes.len());
        for (s, c) in classes.iter().enumerate() {
            let n = f64::from(c.clients.max(1));
            let v = share(c);
            let own = queue.get(s).cloned().unwrap_or_default();
            let residence: Vec<f64> = c
                .stations
                .iter()
                .zip(&own)
                .map(|(p, q)| {
                    let seen = total.get(*p).copied().unwrap_or(0.0) - q / n;
                    service.get(*p).copied().unwrap_or(0.0) * (1.0 + seen.max(0.0))
                })
                .collect();
            let cycle: f64 = residence.iter().map(|r| v * r).sum();
            let x = if c.clients == 0 {
                0.0
            } else {
                n / (c.think_ms.max(0.0) + cycle).max(1e-3)
            };
            if let Some(r) = result.get_mut(s) {
                *r = (x, cycle);
            }
            next.push(residence.iter().map(|r| x * v * r).collect());
        }
        queue = next;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn php() -> Station {
        // php-apache: 100 core-ms per request, limited to 500m.
        Station {
            cost_ms: 100.0,
            cpu_milli: 500.0,
        }
    }

    #[test]
    fn one_client_alone_is_exact() {
        let x = solve(
            &[php()],
            &[Class {
                clients: 1,
                think_ms: 10.0,
                stations: vec![0],
            }],
        );
        // 200 ms of service + 10 ms of think time.
        assert!((x[0].0 * 210.0 - 1.0).abs() < 1e-9);
        assert!((x[0].1 - 200.0).abs() < 1e-9);
    }

    #[test]
    fn many_clients_saturate_the_pod_and_wait_in_line() {
        let x = solve(
            &[php()],
            &[Class {
                clients: 100,
                think_ms: 0.0,
                stations: vec![0],
            }],
        );
        // At most one request per 200 ms; 100 in line: about 20 s each.
        let utilization = x[0].0 * 200.0;
        assert!(utilization > 0.99 && utilization <= 1.0 + 1e-9);
        assert!(x[0].1 > 19_000.0 && x[0].1 < 20_100.0);
    }

    #[test]
    fn streams_share_a_pod_and_more_pods_carry_more() {
        let one = |stations| Class {
            clients: 1,
            think_ms: 10.0,
            stations,
        };
        let shared = solve(&[php()], &[one(vec![0]), one(vec![0])]);
        assert_eq!(shared[0], shared[1]);
        let utilization = (shared[0].0 + shared[1].0) * 200.0;
        assert!(utilization <= 1.0 + 1e-9 && utilization > 0.9);
        let spread = solve(&[php(), php()], &[one(vec![0, 1]), one(vec![0, 1])]);
        assert!(spread[0].0 > shared[0].0);
        // Deterministic: the same inputs give the same bits.
        assert_eq!(
            spread,
            solve(&[php(), php()], &[one(vec![0, 1]), one(vec![0, 1])])
        );
    }
}
