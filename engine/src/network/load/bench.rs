//! Benchmarks: `ab` runs, in a container (`kubectl run … --image=httpd -- ab …`) or on
//! the learner's machine, as closed loops of `-c` clients doing `-n` requests (or for
//! `-t` seconds). They join the load streams' model (one class of `-c` clients each), so
//! the pods they reach spend the CPU the HPA sees, and a throttled pod answers slower.
//!
//! A run is a series of stretches at constant throughput (a new one whenever the streams
//! are evaluated again and its rate or backends changed). From them follow when each
//! progress line is printed, when the run ends and its report (`process::ab::report`),
//! written ahead into the container's output (`stream::Scripted`), with the container's
//! exit at the predicted end; a later change of rate rewrites what has not happened yet.

use super::{close_flows, open_flows, Flow};
use crate::network::exchange;
use crate::network::proxy::{self, Route};
use crate::network::tools::{Client, Kit};
use crate::network::{NetCx, Origin};
use crate::node::process::ab::{self, report, Build, Options};
use crate::node::process::serve::{Listener, Request};
use crate::node::process::stream::Scripted;
use crate::node::runtime::SlotKey;
use k8s_openapi::api::core::v1::Pod;

/// What one request costs the client beyond the server's time, in ms: connecting (one
/// round trip in the pod network) and writing the request.
const CONNECT_MS: f64 = 0.3;
/// The same with keep-alive: the connection is reused.
const KEEPALIVE_MS: f64 = 0.05;
/// Most stretches one run keeps; later changes extend the last one.
const MAX_STRETCHES: usize = 256;

/// The key of the learner's machine's run (no container has an empty namespace).
pub fn host_key() -> SlotKey {
    (String::new(), String::new(), "ab".into())
}

/// One `ab` run.
#[derive(Clone, Debug)]
pub struct Bench {
    origin: Origin,
    opts: Options,
    build: Build,
    /// The container instance it runs in (empty on the learner's machine).
    container_id: String,
    /// When its first request leaves (epoch ms).
    start_ms: i64,
    /// The address its host name resolved to (once, as ab does).
    ip: Option<String>,
    /// The backends of its current stretch.
    backends: Vec<SlotKey>,
    stretches: Vec<Stretch>,
    /// The series of requests its backends receive now.
    pub(super) flows: Vec<Flow>,
    /// The first response's `Server` header and body length.
    first: Option<(String, u64)>,
    /// When and how it ends, as far as known.
    end: Option<(i64, i32)>,
    /// Its flows were closed at its end.
    closed: bool,
    /// An error that ended it: (lines, status).
    fault: Option<(Vec<(String, bool)>, i32)>,
    /// Its output: (epoch ms, text, on stderr).
    lines: Vec<(i64, String, bool)>,
    /// The exit last written to its container (a kill the kubelet set instead stands).
    published: Option<(i64, i32)>,
}

/// A stretch at constant throughput.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Stretch {
    from_ms: i64,
    /// Completions per ms.
    per_ms: f64,
    /// Mean time of one request, connect to last byte, in ms.
    total_ms: f64,
    /// Requests completed before it.
    done_before: u64,
    /// Per response: bytes, body bytes, share whose length differs from the first's, share
    /// not 2xx.
    bytes: f64,
    body: f64,
    mismatched: f64,
    non2xx: f64,
}

/// Why a run could not reach an HTTP server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    NoName,
    Refused,
    Dropped,
    Reset,
}

/// A run about to be evaluated: its backends (server, request) or why it has none.
pub(super) struct Pending {
    pub key: SlotKey,
    pub routed: Result<Vec<(SlotKey, Request)>, Fault>,
    pub clients: u32,
    pub think_ms: f64,
}

impl Bench {
    /// A run of `opts` from `origin`, its first request leaving at `start_ms`.
    pub fn new(
        origin: Origin,
        opts: Options,
        build: Build,
        container_id: String,
        start_ms: i64,
    ) -> Bench {
        Bench {
            origin,
            opts,
            build,
            container_id,
            start_ms,
            ip: None,
            backends: Vec::new(),
            stretches: Vec::new(),
            flows: Vec::new(),
            first: None,
            end: None,
            closed: false,
            fault: None,
            lines: Vec::new(),
            published: None,
        }
    }

    /// Its output lines written after `after_ms` and by `until_ms`.
    pub fn lines_between(&self, after_ms: i64, until_ms: i64) -> Vec<(String, bool)> {
        self.lines
            .iter()
            .filter(|(at, _, _)| *at > after_ms && *at <= until_ms)
            .map(|(_, t, e)| (t.clone(), *e))
            .collect()
    }

    /// The run as the traffic view shows it, while it sends requests.
    pub(super) fn summary(&self) -> Option<super::Summary> {
        if self.flows.is_empty() {
            return None;
        }
        let per_ms = self.stretches.last().map_or(0.0, |s| s.per_ms);
        Some(super::Summary {
            from: self.origin.label(),
            target: format!(
                "{}://{}{}",
                if self.opts.target.https {
                    "https"
                } else {
                    "http"
                },
                self.opts.target.host_header(),
                self.opts.target.path
            ),
            service: None,
            pods: self
                .backends
                .iter()
                .map(|k| (k.0.clone(), k.1.clone()))
                .collect(),
            per_minute: (per_ms * 60_000.0).round().max(0.0) as u64,
        })
    }

    /// When and how it ends, if that is known.
    pub fn end(&self) -> Option<(i64, i32)> {
        self.end
    }

    /// Whether it still sends requests at `now`.
    fn running(&self, now: i64) -> bool {
        self.end.is_none_or(|(at, _)| at > now)
    }

    fn requests(&self) -> u64 {
        u64::try_from(self.opts.requests).unwrap_or(1)
    }

    /// Requests completed by `t`.
    fn completed(&self, t: i64) -> u64 {
        let Some(s) = self.stretches.iter().rev().find(|s| s.from_ms <= t) else {
            return 0;
        };
        // A hair above the product: the instant `time_of` gives for the k-th completes it.
        let more = ((t - s.from_ms) as f64 * s.per_ms + 1e-6).floor().max(0.0) as u64;
        s.done_before.saturating_add(more).min(self.requests())
    }

    /// When the `k`-th request completes at the rates known now.
    fn time_of(&self, k: u64) -> Option<i64> {
        let mut it = self.stretches.iter().peekable();
        while let Some(s) = it.next() {
            let next = it.peek().map(|n| n.done_before);
            if next.is_some_and(|n| k > n) {
                continue;
            }
            if s.per_ms <= 0.0 {
                return None;
            }
            let ms = ((k.saturating_sub(s.done_before)) as f64 / s.per_ms).ceil();
            return Some(s.from_ms.saturating_add(ms.min(1e15) as i64));
        }
        None
    }

    /// Ends it at `at` with an error's lines.
    fn fail(&mut self, fault: Fault, at: i64) {
        let host = self.opts.target.host.clone();
        let (message, code, at) = match fault {
            Fault::NoName => (
                format!("apr_sockaddr_info_get() for {host}: Name or service not known (670002)"),
                670_002 % 256,
                at,
            ),
            Fault::Refused => (
                "apr_socket_recv: Connection refused (111)".to_string(),
                111,
                at,
            ),
            Fault::Reset => (
                "apr_socket_recv: Connection reset by peer (104)".to_string(),
                104,
                at,
            ),
            Fault::Dropped => (
                "apr_pollset_poll: The timeout specified has expired (70007)".to_string(),
                70_007 % 256,
                at.saturating_add(self.opts.timeout.clamp(0, 86_400) * 1000),
            ),
        };
        let mut lines = vec![(message, true)];
        let done = self.completed(at);
        if done > 0 {
            lines.push((format!("Total of {done} requests completed"), false));
        }
        self.fault = Some((lines, code));
        self.end = Some((at, code));
        self.render();
    }

    /// Stops it at `at` as SIGINT does: the report of what was done, status 1.
    pub fn interrupt(&mut self, at: i64) {
        if !self.running(at) {
            return;
        }
        self.end = Some((at, 1));
        self.fault = None;
        self.render_interrupted();
    }

    fn header(&self) -> Vec<(i64, String, bool)> {
        let t0 = self.start_ms;
        let mut out: Vec<(i64, String, bool)> = self
            .opts
            .warnings
            .iter()
            .map(|w| (t0, w.clone(), true))
            .collect();
        out.extend(ab::banner(self.build).into_iter().map(|l| (t0, l, false)));
        let benchmarking = format!("Benchmarking {} (be patient)", self.opts.target.host);
        if self.opts.heartbeat > 0 {
            out.push((t0, benchmarking, false));
        } else if self.end.is_none_or(|_| self.fault.is_some()) {
            out.push((t0, format!("{benchmarking}..."), false));
        }
        out
    }

    /// Writes its output from its stretches and end.
    fn render(&mut self) {
        let mut out = self.header();
        let Some((end, code)) = self.end else {
            self.lines = out;
            return;
        };
        let done = self.completed(end);
        let hb = u64::try_from(self.opts.heartbeat).unwrap_or(0);
        if hb > 0 {
            let mut k = hb;
            while k <= done {
                let at = self.time_of(k).unwrap_or(end).min(end);
                out.push((at, format!("Completed {k} requests"), true));
                k = k.saturating_add(hb);
            }
        }
        if let Some((lines, _)) = &self.fault {
            out.extend(lines.iter().map(|(l, e)| (end, l.clone(), *e)));
        } else {
            if hb > 0 {
                out.push((end, format!("Finished {done} requests"), true));
            } else {
                out.push((
                    end,
                    format!(
                        "Benchmarking {} (be patient).....done",
                        self.opts.target.host
                    ),
                    false,
                ));
            }
            out.extend(self.report(end).into_iter().map(|l| (end, l, false)));
        }
        let _ = code;
        self.lines = out;
    }

    fn render_interrupted(&mut self) {
        let Some((end, _)) = self.end else {
            return;
        };
        // What was printed by then stays; the report follows the `^C`.
        let before: Vec<(i64, String, bool)> = {
            let mut b = self.header();
            let hb = u64::try_from(self.opts.heartbeat).unwrap_or(0);
            let done = self.completed(end);
            if hb > 0 {
                let mut k = hb;
                while k <= done {
                    let at = self.time_of(k).unwrap_or(end).min(end);
                    b.push((at, format!("Completed {k} requests"), true));
                    k = k.saturating_add(hb);
                }
            }
            b
        };
        let mut out = before;
        out.extend(self.report(end).into_iter().map(|l| (end, l, false)));
        self.lines = out;
    }

    /// The report at `end`.
    fn report(&self, end: i64) -> Vec<String> {
        let done = self.completed(end);
        let mut stretches = Vec::new();
        let (mut bytes, mut body, mut mismatched, mut non2xx) = (0.0, 0.0, 0.0, 0.0);
        for (i, s) in self.stretches.iter().enumerate() {
            let until = self
                .stretches
                .get(i + 1)
                .map_or(end, |n| n.from_ms.min(end));
            let count = self.completed(until).saturating_sub(s.done_before);
            let c = count as f64;
            bytes += c * s.bytes;
            body += c * s.body;
            mismatched += c * s.mismatched;
            non2xx += c * s.non2xx;
            stretches.push(report::Stretch {
                count,
                total_ms: s.total_ms,
            });
        }
        let (server, doclen) = self.first.clone().unwrap_or_default();
        let tally = report::Tally {
            server,
            doclen,
            taken_ms: (end - self.start_ms) as f64,
            done,
            failed_length: if self.opts.variable_length {
                0
            } else {
                mismatched.round() as u64
            },
            non2xx: non2xx.round() as u64,
            total_bytes: bytes.round() as u64,
            html_bytes: body.round() as u64,
            connect_ms: if self.opts.keepalive { 0.0 } else { CONNECT_MS },
            stretches,
        };
        report::lines(&tally, &self.opts)
    }
}

/// The runs to evaluate: container runs found (new ones started, gone ones dropped) and
/// the learner's machine's; each routed, or why it cannot be.
pub(super) fn prepare(cx: &mut NetCx<'_>, now: i64) -> Vec<Pending> {
    find(cx, now);
    let keys: Vec<SlotKey> = cx.net.load.benches.keys().cloned().collect();
    let mut out = Vec::new();
    for key in keys {
        let Some(b) = cx.net.load.benches.get(&key) else {
            continue;
        };
        if !b.running(now) {
            continue;
        }
        let clients = u32::try_from(b.opts.concurrency.max(1)).unwrap_or(1);
        let think_ms = if b.opts.keepalive {
            KEEPALIVE_MS
        } else {
            CONNECT_MS
        };
        let routed = route(cx, &key, now);
        out.push(Pending {
            key,
            routed,
            clients,
            think_ms,
        });
    }
    out
}

/// Starts runs for the containers whose main process is ab; drops those whose container
/// is gone.
fn find(cx: &mut NetCx<'_>, now: i64) {
    let mut seen = Vec::new();
    for (key, slot) in cx.kubelet.streaming() {
        if seen.len() >= super::MAX_STREAMS {
            break;
        }
        let Some(i) = slot.current.as_ref() else {
            continue;
        };
        if i.start_error.is_some() || !i.process.runs_ab() {
            continue;
        }
        let known = cx
            .net
            .load
            .benches
            .get(key)
            .is_some_and(|b| b.container_id == i.container_id);
        if known {
            seen.push((key.clone(), None));
            continue;
        }
        if i.exit.is_some_and(|(at, _)| at <= now) {
            continue;
        }
        let Ok(opts) = ab::parse(&i.process.argv, Build::Image) else {
            continue;
        };
        let Some(pod) = cx.world.api.get_as::<Pod>(&key.0, &key.1) else {
            continue;
        };
        let node = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default();
        let origin = Origin::Pod {
            namespace: key.0.clone(),
            name: key.1.clone(),
            ip: i.process.pod_ip.clone(),
            node,
        };
        let bench = Bench::new(
            origin,
            opts,
            Build::Image,
            i.container_id.clone(),
            i.process.start_ms,
        );
        seen.push((key.clone(), Some(bench)));
    }
    let host = host_key();
    let keep: std::collections::BTreeSet<SlotKey> = seen.iter().map(|(k, _)| k.clone()).collect();
    let gone: Vec<SlotKey> = cx
        .net
        .load
        .benches
        .keys()
        .filter(|k| **k != host && !keep.contains(*k))
        .cloned()
        .collect();
    for k in gone {
        if let Some(b) = cx.net.load.benches.remove(&k) {
            close_flows(cx, b.flows, now);
        }
    }
    for (key, bench) in seen {
        if let Some(b) = bench {
            if let Some(old) = cx.net.load.benches.insert(key, b) {
                close_flows(cx, old.flows, now);
            }
        }
    }
}

/// A run's backends, or why it has none.
fn route(cx: &mut NetCx<'_>, key: &SlotKey, now: i64) -> Result<Vec<(SlotKey, Request)>, Fault> {
    let Some(b) = cx.net.load.benches.get(key) else {
        return Err(Fault::Refused);
    };
    let (origin, opts, ip) = (b.origin.clone(), b.opts.clone(), b.ip.clone());
    let ip = match ip {
        Some(ip) => ip,
        None => {
            let mut client = Client {
                cx: NetCx {
                    world: &mut *cx.world,
                    kubelet: &mut *cx.kubelet,
                    net: &mut *cx.net,
                },
                origin: origin.clone(),
                kit: Kit::Host,
                tty: false,
            };
            let resolved = if opts.target.host.parse::<std::net::Ipv4Addr>().is_ok() {
                Some(opts.target.host.clone())
            } else {
                client.resolve(&opts.target.host)
            };
            let Some(ip) = resolved else {
                return Err(Fault::NoName);
            };
            if let Some(b) = cx.net.load.benches.get_mut(key) {
                b.ip = Some(ip.clone());
            }
            ip
        }
    };
    let routes = proxy::spread(cx.world, cx.net, &origin, &ip, opts.target.port);
    let agent = opts
        .user_agent
        .clone()
        .unwrap_or_else(|| "ApacheBench/2.3".into());
    let host = opts
        .host
        .clone()
        .unwrap_or_else(|| opts.target.host_header());
    let mut out = Vec::new();
    for r in routes {
        let (backend, client_ip) = match r {
            Route::Pod {
                backend, client_ip, ..
            } => (backend, client_ip),
            Route::Dropped { .. } => return Err(Fault::Dropped),
            Route::Refused { .. } | Route::Node { .. } => return Err(Fault::Refused),
        };
        match exchange::listening(cx, &backend, now) {
            Some((server, Listener::Http)) if !opts.target.https => out.push((
                server,
                Request {
                    method: opts.method.clone(),
                    path: opts.target.path.clone(),
                    host: host.clone(),
                    user_agent: Some(agent.clone()),
                    client_ip,
                    local_ip: backend.ip.clone(),
                    at_ms: 0,
                    http10: true,
                },
            )),
            Some(_) => return Err(Fault::Reset),
            None => return Err(Fault::Refused),
        }
    }
    if out.is_empty() {
        return Err(Fault::Refused);
    }
    Ok(out)
}

/// Applies the model's answers (throughput per ms, mean residence in ms) to the runs, in
/// the order of `pending`'s routed ones.
pub(super) fn apply(
    cx: &mut NetCx<'_>,
    pending: Vec<Pending>,
    solved: &mut impl Iterator<Item = (f64, f64)>,
    now: i64,
) {
    for p in pending {
        let Some(mut b) = cx.net.load.benches.remove(&p.key) else {
            continue;
        };
        match p.routed {
            Err(fault) => {
                close_flows(cx, std::mem::take(&mut b.flows), now);
                b.fail(fault, now.max(b.start_ms));
            }
            Ok(backends) => {
                let (x, cycle) = solved.next().unwrap_or((0.0, 0.0));
                let servers: Vec<SlotKey> = backends.iter().map(|(s, _)| s.clone()).collect();
                let total_ms = cycle + p.think_ms;
                let same = b.backends == servers
                    && b.stretches.last().is_some_and(|s| {
                        (s.per_ms - x).abs() <= 1e-12 && (s.total_ms - total_ms).abs() <= 1e-9
                    });
                if !same && x > 0.0 {
                    close_flows(cx, std::mem::take(&mut b.flows), now);
                    restretch(cx, &mut b, &backends, x, total_ms, now);
                    b.backends = servers;
                }
            }
        }
        publish(cx, &p.key, &mut b);
        cx.net.load.benches.insert(p.key, b);
    }
}

/// Starts a stretch at `now` with these backends and rates; predicts the end.
fn restretch(
    cx: &mut NetCx<'_>,
    b: &mut Bench,
    backends: &[(SlotKey, Request)],
    x: f64,
    total_ms: f64,
    now: i64,
) {
    let from = now.max(b.start_ms);
    let done_before = b.completed(from);
    // What each backend answers: the first response sets the document length.
    let mut answers = Vec::new();
    for (server, req) in backends {
        let Some(i) = cx
            .kubelet
            .containers
            .get(server)
            .and_then(|s| s.current.as_ref())
        else {
            continue;
        };
        let mut req = req.clone();
        req.at_ms = from;
        let (r, _) = i.process.respond_in(Some(&cx.world.storage), &req);
        let server_header = r
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("Server"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let body = r.body.len() as f64;
        let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, r.reason()).len();
        for (k, v) in &r.headers {
            if !(k.eq_ignore_ascii_case("Connection") || k.eq_ignore_ascii_case("Keep-Alive")) {
                head += k.len() + v.len() + 4;
            }
        }
        head += match (b.opts.keepalive, server_header.starts_with("Apache")) {
            (true, true) => "Keep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\n".len(),
            (true, false) => "Connection: keep-alive\r\n".len(),
            (false, _) => "Connection: close\r\n".len(),
        } + 2;
        if b.first.is_none() {
            b.first = Some((server_header, r.body.len() as u64));
        }
        answers.push((head as f64 + body, body, r.status));
    }
    let doclen = b.first.as_ref().map_or(0, |f| f.1) as f64;
    let n = answers.len().max(1) as f64;
    let stretch = Stretch {
        from_ms: from,
        per_ms: x,
        total_ms,
        done_before,
        bytes: answers.iter().map(|a| a.0).sum::<f64>() / n,
        body: answers.iter().map(|a| a.1).sum::<f64>() / n,
        mismatched: answers.iter().filter(|a| a.1 != doclen).count() as f64 / n,
        non2xx: answers
            .iter()
            .filter(|a| !(200..300).contains(&a.2))
            .count() as f64
            / n,
    };
    if b.stretches.len() >= MAX_STRETCHES {
        b.stretches.pop();
    }
    b.stretches.push(stretch);
    // The end: the last request, or the first completion after the time limit.
    let last = b.time_of(b.requests()).unwrap_or(i64::MAX);
    let stop = b.opts.time_limit.map_or(i64::MAX, |t| {
        b.start_ms.saturating_add(t.clamp(0, 86_400 * 400) * 1000)
    });
    let end = last.min(stop).max(from);
    b.end = Some((end, 0));
    let k = i64::try_from(backends.len()).unwrap_or(1).max(1);
    let period = ((k as f64) / x).round().max(1.0) as i64;
    b.flows = open_flows(cx, backends, period, (period / k).max(1), from, Some(end));
    b.render();
}

/// Writes a container run's output and exit where the kubelet sees them, with a sync due
/// at its end.
fn publish(cx: &mut NetCx<'_>, key: &SlotKey, b: &mut Bench) {
    if *key == host_key() {
        if let Some((end, _)) = b.end {
            cx.world.timers.at(end, crate::timers::Task::Wake);
        }
        return;
    }
    let Some(i) = cx
        .kubelet
        .containers
        .get_mut(key)
        .and_then(|s| s.current.as_mut())
        .filter(|i| i.container_id == b.container_id)
    else {
        return;
    };
    i.process.bench = Some(Scripted {
        lines: b.lines.clone(),
    });
    let Some(end) = b.end else {
        return;
    };
    if (i.exit.is_none() || i.exit == b.published) && i.exit != Some(end) {
        i.exit = Some(end);
        b.published = Some(end);
        if let Some(pod) = cx.world.api.get_as::<Pod>(&key.0, &key.1) {
            let task = crate::node::kubelet::key_task(&pod.metadata);
            cx.world.timers.at(end.0, task);
        }
    }
}

/// Whether a run ended without its flows being closed yet.
pub(super) fn stale(cx: &NetCx<'_>, now: i64) -> bool {
    cx.net
        .load
        .benches
        .values()
        .any(|b| !b.closed && !b.running(now))
}

/// Closes the flows of runs that ended by `now`.
pub(super) fn close_ended(cx: &mut NetCx<'_>, now: i64) {
    let ended: Vec<SlotKey> = cx
        .net
        .load
        .benches
        .iter()
        .filter(|(_, b)| !b.closed && !b.running(now))
        .map(|(k, _)| k.clone())
        .collect();
    for k in ended {
        let Some(b) = cx.net.load.benches.get_mut(&k) else {
            continue;
        };
        b.closed = true;
        let flows = std::mem::take(&mut b.flows);
        close_flows(cx, flows, now);
    }
}

/// Starts `ab` on the learner's machine at `now` (the streams are evaluated at once).
pub fn start_host(cx: &mut NetCx<'_>, origin: Origin, opts: Options, now: i64) {
    let b = Bench::new(origin, opts, Build::Host, String::new(), now);
    if let Some(old) = cx.net.load.benches.insert(host_key(), b) {
        close_flows(cx, old.flows, now);
    }
    cx.net.load.seen = None;
}

/// The learner's machine's run, if any.
pub fn host(net: &crate::network::Network) -> Option<&Bench> {
    net.load.benches.get(&host_key())
}

/// Ends the learner's machine's run: interrupted at `now` (Ctrl-C) if it still runs.
pub fn stop_host(cx: &mut NetCx<'_>, now: i64, interrupt: bool) -> Option<Bench> {
    let mut b = cx.net.load.benches.remove(&host_key())?;
    if interrupt {
        b.interrupt(now);
    }
    let flows = std::mem::take(&mut b.flows);
    close_flows(cx, flows, now);
    cx.net.load.seen = None;
    Some(b)
}
