//! metrics-server v0.8's process as the cluster sees it from outside: its flags, when it
//! scrapes (once its informers synced, then every `--metric-resolution`), whether a scrape
//! of the kubelets succeeds (their serving certificates are self-signed without IP SANs, so
//! only `--kubelet-insecure-tls` gets through), what it logs (klog: the scrape errors) and
//! what `/readyz` answers (ready once its storage holds two points, upstream's
//! `metric-storage-ready`). The scraping itself is `controllers::metrics_server`.

use super::{addon, fmt_ms, Container, Line};
use crate::sort::SliceSort;
use crate::world::World;

/// When the first scrape starts after the process does (its informers' caches sync).
pub const FIRST_SCRAPE_MS: i64 = 1_500;
/// Most scrape rounds whose errors a log read goes back over.
const MAX_LOGGED_ROUNDS: i64 = 200;

/// The flags metrics-server's behaviour here depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags {
    /// `--metric-resolution` in ms (upstream's default 60 s; at least 10 s).
    pub resolution_ms: i64,
    /// `--kubelet-insecure-tls`: kubelet certificates are not verified.
    pub insecure_tls: bool,
}

impl Flags {
    /// The flags in `argv`.
    pub fn from_argv(argv: &[String]) -> Flags {
        let resolution_ms = addon::flag(argv, "--metric-resolution")
            .and_then(go_duration_ms)
            .unwrap_or(60_000)
            .clamp(10_000, 3_600_000);
        let insecure_tls = argv
            .iter()
            .any(|a| a == "--kubelet-insecure-tls" || a == "--kubelet-insecure-tls=true");
        Flags {
            resolution_ms,
            insecure_tls,
        }
    }

    /// The instant of scrape round `k` (0, 1, …) of a process started at `start_ms`.
    pub fn round_at(&self, start_ms: i64, k: i64) -> i64 {
        start_ms + FIRST_SCRAPE_MS + k.saturating_mul(self.resolution_ms)
    }

    /// How many rounds started by `at_ms`.
    pub fn rounds_by(&self, start_ms: i64, at_ms: i64) -> i64 {
        let first = start_ms + FIRST_SCRAPE_MS;
        if at_ms < first {
            0
        } else {
            (at_ms - first) / self.resolution_ms + 1
        }
    }

    /// Whether `/readyz` passes at `at_ms`: two successful rounds stored.
    pub fn ready_at(&self, start_ms: i64, at_ms: i64) -> bool {
        self.insecure_tls && self.rounds_by(start_ms, at_ms) >= 2
    }
}

/// A Go duration such as `15s`, `1m30s`, `500ms`, in ms.
fn go_duration_ms(s: &str) -> Option<i64> {
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest.get(..n)?.parse().ok()?;
        rest = rest.get(n..)?;
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = rest.get(..u)?;
        rest = rest.get(u..)?;
        total += value
            * match unit {
                "ms" => 1.0,
                "s" => 1_000.0,
                "m" => 60_000.0,
                "h" => 3_600_000.0,
                _ => return None,
            };
    }
    (total.is_finite() && total < 1e12).then_some(total as i64)
}

/// The nodes metrics-server scrapes, as (name, address it connects to): each node's
/// InternalIP (the manifest's preferred address type).
pub fn scrape_targets(world: &World) -> Vec<(String, String)> {
    world
        .api
        .list_as::<k8s_openapi::api::core::v1::Node>(None)
        .map(|n| {
            let name = n.metadata.name.clone().unwrap_or_default();
            let ip = n
                .status
                .as_ref()
                .and_then(|s| s.addresses.as_ref())
                .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                .map_or_else(|| name.clone(), |a| a.address.clone());
            (name, ip)
        })
        .collect()
}

/// The error a scrape of the kubelet at `ip` gets without `--kubelet-insecure-tls`.
pub fn scrape_error(ip: &str) -> String {
    format!(
        "Get \"https://{ip}:10250/metrics/resource\": tls: failed to verify certificate: x509: cannot validate certificate for {ip} because it doesn't contain any IP SANs"
    )
}

/// A klog line (`Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`) at `at` ms after `start`.
fn klog(start: i64, at: i64, level: char, source: &str, msg: String) -> Line {
    Line {
        at,
        text: format!(
            "{level}{}       1 {source}] {msg}",
            fmt_ms(start + at, "%m%d %H:%M:%S.%6f")
        ),
        stderr: true,
    }
}

/// Go's `%q` of a string (what klog's structured values print).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// What the process logs from its start until `until_ms`.
pub fn log(c: &Container, until_ms: i64) -> Vec<Line> {
    let f = Flags::from_argv(&c.argv);
    let t = c.start_ms;
    let port = addon::flag(&c.argv, "--secure-port").unwrap_or("10250");
    let cert_dir =
        addon::flag(&c.argv, "--cert-dir").unwrap_or("apiserver.local.config/certificates");
    let mut lines = vec![
        klog(
            t,
            610,
            'I',
            "serving.go:374",
            format!(
                "Generated self-signed cert ({cert_dir}/apiserver.crt, {cert_dir}/apiserver.key)"
            ),
        ),
        klog(
            t,
            1_120,
            'I',
            "handler.go:288",
            "Adding GroupVersion metrics.k8s.io v1beta1 to ResourceManager".into(),
        ),
        klog(
            t,
            1_240,
            'I',
            "secure_serving.go:211",
            format!("Serving securely on [::]:{port}"),
        ),
    ];
    if !f.insecure_tls {
        let rounds = f.rounds_by(t, until_ms);
        for k in (rounds - MAX_LOGGED_ROUNDS).max(0)..rounds {
            let round = f.round_at(t, k) - t;
            for (i, (name, ip)) in c.nodes.iter().enumerate() {
                // Scrapes of the nodes are staggered by a few ms.
                let at = round + 3 + (i as i64 * 7 + k * 3) % 11;
                let msg = format!(
                    "\"Failed to scrape node\" err={} node={}",
                    quote(&scrape_error(ip)),
                    quote(name)
                );
                lines.push(klog(t, at, 'E', "scraper.go:149", msg));
            }
        }
    }
    lines.retain(|l| t + l.at <= until_ms);
    lines.stable_sort_by_key(|l| l.at);
    lines
}

/// `/readyz` (or `/livez`, `/healthz`) on its secure port at `at_ms`: (status, body, the
/// line it logs).
pub fn health(c: &Container, path: &str, at_ms: i64) -> (u16, String, Option<String>) {
    let f = Flags::from_argv(&c.argv);
    match path {
        "/readyz" if !f.ready_at(c.start_ms, at_ms) => {
            let line = klog(
                c.start_ms,
                at_ms - c.start_ms,
                'I',
                "server.go:192",
                "\"Failed probe\" probe=\"metric-storage-ready\" err=\"no metrics to serve\""
                    .into(),
            );
            (
                500,
                "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\n[-]metric-storage-ready failed: reason withheld\n[+]metric-informer-sync ok\n[+]metadata-informer-sync ok\n[+]shutdown ok\nreadyz check failed\n".into(),
                Some(line.text),
            )
        }
        "/readyz" | "/livez" | "/healthz" => (200, "ok".into(), None),
        _ => (404, "404 page not found\n".into(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(extra: &[&str]) -> Vec<String> {
        [
            "/metrics-server",
            "--cert-dir=/tmp",
            "--metric-resolution=15s",
        ]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn flags_and_rounds() {
        let f = Flags::from_argv(&argv(&[]));
        assert_eq!(f.resolution_ms, 15_000);
        assert!(!f.insecure_tls);
        assert!(!f.ready_at(0, 60_000));
        let f = Flags::from_argv(&argv(&["--kubelet-insecure-tls"]));
        assert!(f.insecure_tls);
        assert_eq!(f.rounds_by(0, 1_499), 0);
        assert_eq!(f.rounds_by(0, 1_500), 1);
        assert!(!f.ready_at(0, 16_000));
        assert!(f.ready_at(0, 16_500));
        assert_eq!(go_duration_ms("1m30s"), Some(90_000));
        assert_eq!(go_duration_ms("bogus"), None);
    }

    #[test]
    fn logs_the_certificate_error_per_node_and_round() {
        let mut c = Container::for_test(
            "metrics-server-1",
            "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
        );
        c.argv = argv(&[]);
        c.nodes = vec![("k8s-m".into(), "192.168.1.10".into())];
        let lines = log(&c, 17_000);
        let errors: Vec<_> = lines.iter().filter(|l| l.text.starts_with('E')).collect();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].text.ends_with("scraper.go:149] \"Failed to scrape node\" err=\"Get \\\"https://192.168.1.10:10250/metrics/resource\\\": tls: failed to verify certificate: x509: cannot validate certificate for 192.168.1.10 because it doesn't contain any IP SANs\" node=\"k8s-m\""), "{}", errors[0].text);
        assert_eq!(health(&c, "/readyz", 30_000).0, 500);
        assert_eq!(health(&c, "/livez", 30_000).0, 200);
    }
}
