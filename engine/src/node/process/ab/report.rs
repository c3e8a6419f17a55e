//! ab's report (`output_results`): the run's totals, rates, the connection-times table with
//! its confidence warnings, and the percentiles served.
//!
//! Response times come as stretches of requests at one mean time each (the network's rate
//! model changes only between stretches); within a stretch they spread evenly over ±[`SPREAD`]
//! of that mean. Statistics are those of that mixture, computed in closed form (no
//! per-request samples: memory does not grow with `-n`).

use super::Options;

/// Half-width of a stretch's response times, as a share of its mean.
pub const SPREAD: f64 = 0.1;

/// Requests completed at one mean response time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stretch {
    /// How many.
    pub count: u64,
    /// Their mean time from connecting to the last byte, in ms.
    pub total_ms: f64,
}

/// What one run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Tally {
    /// The first response's `Server` header.
    pub server: String,
    /// The first response's body length.
    pub doclen: u64,
    /// From the start to the last response, in ms.
    pub taken_ms: f64,
    /// Requests completed.
    pub done: u64,
    /// Responses whose length differed from the first's.
    pub failed_length: u64,
    /// Responses with a status other than 2xx.
    pub non2xx: u64,
    /// Bytes received (headers and bodies).
    pub total_bytes: u64,
    /// Body bytes received.
    pub html_bytes: u64,
    /// Mean time to connect, in ms (0 with keep-alive).
    pub connect_ms: f64,
    /// The response times.
    pub stretches: Vec<Stretch>,
}

/// ab's `ap_round_ms` of a time in ms.
fn round_ms(ms: f64) -> i64 {
    (ms.max(0.0) + 0.5).floor() as i64
}

/// A mixture of even spreads: (count, low, high) in ms.
struct Mixture {
    parts: Vec<(f64, f64, f64)>,
    n: f64,
}

impl Mixture {
    fn new(stretches: &[Stretch], shift: f64) -> Mixture {
        let parts: Vec<(f64, f64, f64)> = stretches
            .iter()
            .filter(|s| s.count > 0)
            .map(|s| {
                let t = (s.total_ms - shift).max(0.0);
                (s.count as f64, t * (1.0 - SPREAD), t * (1.0 + SPREAD))
            })
            .collect();
        let n = parts.iter().map(|p| p.0).sum();
        Mixture { parts, n }
    }

    fn min(&self) -> f64 {
        self.parts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min)
    }

    fn max(&self) -> f64 {
        self.parts.iter().map(|p| p.2).fold(0.0, f64::max)
    }

    fn mean(&self) -> f64 {
        self.parts
            .iter()
            .map(|p| p.0 * (p.1 + p.2) / 2.0)
            .sum::<f64>()
            / self.n.max(1.0)
    }

    /// The sample standard deviation (divided by n − 1, as ab).
    fn sd(&self) -> f64 {
        if self.n <= 1.0 {
            return 0.0;
        }
        let mean = self.mean();
        let squares: f64 = self
            .parts
            .iter()
            .map(|(c, lo, hi)| {
                let m = (lo + hi) / 2.0;
                let var = (hi - lo) * (hi - lo) / 12.0;
                c * (var + (m - mean) * (m - mean))
            })
            .sum();
        (squares / (self.n - 1.0)).max(0.0).sqrt()
    }

    /// The time below which a share `q` of the requests fall.
    fn quantile(&self, q: f64) -> f64 {
        let (mut lo, mut hi) = (self.min(), self.max());
        if !(lo.is_finite() && hi >= lo) {
            return 0.0;
        }
        let want = q * self.n;
        for _ in 0..64 {
            let mid = (lo + hi) / 2.0;
            let below: f64 = self
                .parts
                .iter()
                .map(|(c, a, b)| {
                    if b <= a {
                        if mid >= *a {
                            *c
                        } else {
                            0.0
                        }
                    } else {
                        c * ((mid - a) / (b - a)).clamp(0.0, 1.0)
                    }
                })
                .sum();
            if below < want {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }
}

/// One row of the table: min, mean, sd, median, max (ms; sd unrounded).
struct Row {
    min: i64,
    mean: i64,
    sd: f64,
    median: i64,
    max: i64,
}

fn row(m: &Mixture) -> Row {
    Row {
        min: round_ms(m.min()),
        mean: round_ms(m.mean()),
        sd: m.sd(),
        median: round_ms(m.quantile(0.5)),
        max: round_ms(m.max()),
    }
}

/// The report's lines (stdout), from the two blank lines it starts with.
pub fn lines(t: &Tally, o: &Options) -> Vec<String> {
    let mut out = vec![
        String::new(),
        String::new(),
        format!("Server Software:        {}", t.server),
        format!("Server Hostname:        {}", o.target.host),
        format!("Server Port:            {}", o.target.port),
        String::new(),
        format!("Document Path:          {}", o.target.path),
    ];
    if o.variable_length {
        out.push("Document Length:        Variable".into());
    } else {
        out.push(format!("Document Length:        {} bytes", t.doclen));
    }
    out.push(String::new());
    let taken = t.taken_ms / 1000.0;
    out.push(format!("Concurrency Level:      {}", o.concurrency));
    out.push(format!("Time taken for tests:   {taken:.3} seconds"));
    out.push(format!("Complete requests:      {}", t.done));
    out.push(format!("Failed requests:        {}", t.failed_length));
    if t.failed_length > 0 {
        out.push(format!(
            "   (Connect: 0, Receive: 0, Length: {}, Exceptions: 0)",
            t.failed_length
        ));
    }
    if t.non2xx > 0 {
        out.push(format!("Non-2xx responses:      {}", t.non2xx));
    }
    if o.keepalive {
        out.push(format!("Keep-Alive requests:    {}", t.done));
    }
    out.push(format!("Total transferred:      {} bytes", t.total_bytes));
    out.push(format!("HTML transferred:       {} bytes", t.html_bytes));
    let done = t.done as f64;
    if taken > 0.0 && t.done > 0 {
        out.push(format!(
            "Requests per second:    {:.2} [#/sec] (mean)",
            done / taken
        ));
        out.push(format!(
            "Time per request:       {:.3} [ms] (mean)",
            f64::from(o.concurrency) * taken * 1000.0 / done
        ));
        out.push(format!(
            "Time per request:       {:.3} [ms] (mean, across all concurrent requests)",
            taken * 1000.0 / done
        ));
        out.push(format!(
            "Transfer rate:          {:.2} [Kbytes/sec] received",
            t.total_bytes as f64 / 1024.0 / taken
        ));
    }
    if t.done == 0 {
        return out;
    }
    let total = Mixture::new(&t.stretches, 0.0);
    let processing = Mixture::new(&t.stretches, t.connect_ms);
    let connect = Mixture::new(
        &[Stretch {
            count: t.done,
            total_ms: t.connect_ms,
        }],
        0.0,
    );
    let rows = [
        ("Connect:    ", row(&connect)),
        ("Processing: ", row(&processing)),
        ("Waiting:    ", row(&processing)),
        ("Total:      ", row(&total)),
    ];
    out.push(String::new());
    out.push("Connection Times (ms)".into());
    if o.confidence {
        out.push("              min  mean[+/-sd] median   max".into());
        for (name, r) in &rows {
            out.push(format!(
                "{name}{:5} {:4} {:5.1} {:6} {:7}",
                r.min, r.mean, r.sd, r.median, r.max
            ));
        }
        let what = [
            "the initial connection time",
            "the processing time",
            "the waiting time",
            "the total time",
        ];
        for (w, (_, r)) in what.iter().zip(&rows) {
            let d = (r.mean - r.median).abs() as f64;
            if d > 2.0 * r.sd {
                out.push(format!(
                    "ERROR: The median and mean for {w} are more than twice the standard"
                ));
                out.push("       deviation apart. These results are NOT reliable.".into());
            } else if d > r.sd {
                out.push(format!(
                    "WARNING: The median and mean for {w} are not within a normal deviation"
                ));
                out.push("        These results are probably not that reliable.".into());
            }
        }
    } else {
        out.push("              min   avg   max".into());
        for (name, r) in &rows {
            out.push(format!("{name}{:5} {:5}{:5}", r.min, r.mean, r.max));
        }
    }
    if o.percentiles && t.done > 1 {
        out.push(String::new());
        out.push("Percentage of the requests served within a certain time (ms)".into());
        for p in [50, 66, 75, 80, 90, 95, 98, 99] {
            out.push(format!(
                "  {p}%  {:5}",
                round_ms(total.quantile(f64::from(p) / 100.0))
            ));
        }
        out.push(format!(
            " 100%  {:5} (longest request)",
            round_ms(total.max())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Build};
    use super::*;

    #[test]
    fn a_steady_run_reads_as_ab_prints_it() {
        let argv: Vec<String> = ["ab", "-n", "1000", "-c", "10", "http://php-apache/"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let o = parse(&argv, Build::Image).unwrap();
        let t = Tally {
            server: "Apache/2.4.10".into(),
            doclen: 3,
            taken_ms: 200_000.0,
            done: 1000,
            failed_length: 0,
            non2xx: 0,
            total_bytes: 220_000,
            html_bytes: 3000,
            connect_ms: 0.3,
            stretches: vec![Stretch {
                count: 1000,
                total_ms: 2000.0,
            }],
        };
        let l = lines(&t, &o);
        assert!(l.contains(&"Requests per second:    5.00 [#/sec] (mean)".to_string()));
        assert!(l.contains(&"Total:       1800 2000 115.5   2000    2200".to_string()));
        assert!(l.contains(&"  50%   2000".to_string()));
        assert!(l.contains(&" 100%   2200 (longest request)".to_string()));
        assert!(l.contains(&"Connect:        0    0   0.0      0       0".to_string()));
    }
}
