//! The kubelet's prober (`pkg/kubelet/prober`): startup, liveness and readiness probes of a
//! running container on the kubelet's timers, with upstream's rules — a worker ticks every
//! `periodSeconds` from when the kubelet took the pod, skips `initialDelaySeconds` after the
//! container started, counts consecutive results against the thresholds; startup gates the
//! other two; readiness starts failed (a manual trigger probes it once the kubelet's next
//! sync sees the container running); failed liveness or startup kills the container.
//!
//! A probe's answer depends only on the container instance (what it listens on, its files),
//! so a worker whose result can no longer change stops ticking: a probe that keeps
//! succeeding costs nothing and writes nothing; only transitions and `Unhealthy` events write.
//! A `grpc` probe is treated as a `tcpSocket` probe of its port (Kubeplay's containers do not
//! speak the gRPC health protocol).

use k8s_openapi::api::core::v1::{Container as Spec, HTTPGetAction, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::node::process::{self, serve::Listener, serve::Request, End};

/// The three probe kinds, in the order a pass runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `startupProbe`.
    Startup,
    /// `livenessProbe`.
    Liveness,
    /// `readinessProbe`.
    Readiness,
}

impl Kind {
    /// All kinds, in pass order.
    pub const ALL: [Kind; 3] = [Kind::Startup, Kind::Liveness, Kind::Readiness];

    /// As the kubelet names it in events (`Liveness probe failed: ...`).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Startup => "Startup",
            Kind::Liveness => "Liveness",
            Kind::Readiness => "Readiness",
        }
    }

    /// The container's probe of this kind.
    pub fn of(self, c: &Spec) -> Option<&Probe> {
        match self {
            Kind::Startup => c.startup_probe.as_ref(),
            Kind::Liveness => c.liveness_probe.as_ref(),
            Kind::Readiness => c.readiness_probe.as_ref(),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One probe worker's state for the current container instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Worker {
    /// When it probes next (epoch ms); `None` when nothing can change any more.
    pub due: Option<i64>,
    /// The last result (`true` = success) and how many times in a row it came.
    last: Option<bool>,
    run: i64,
}

/// The prober's state for one container instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Workers by [`Kind`] order.
    pub workers: [Worker; 3],
    /// The startup probe succeeded (or there is none).
    pub started: bool,
    /// The readiness probe succeeded (or there is none).
    pub ready: bool,
    /// A liveness or startup failure is killing the container: no more probing.
    pub on_hold: bool,
}

/// A probe's timing, clamped to sane values (validation refuses negatives; defaults fill 0).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// `initialDelaySeconds` in ms.
    pub delay_ms: i64,
    /// `periodSeconds` in ms (at least 1 s).
    pub period_ms: i64,
    /// `timeoutSeconds` in ms (at least 1 s).
    pub timeout_ms: i64,
    /// `successThreshold` (at least 1).
    pub success: i64,
    /// `failureThreshold` (at least 1).
    pub failure: i64,
}

impl Timing {
    /// The timing of `p`, with upstream's defaults for unset fields.
    pub fn of(p: &Probe) -> Timing {
        let secs = |v: Option<i32>, default: i64| match v {
            Some(v) if v > 0 => i64::from(v),
            Some(0) | None => default,
            Some(_) => default,
        };
        Timing {
            delay_ms: i64::from(p.initial_delay_seconds.unwrap_or(0).max(0)) * 1000,
            period_ms: secs(p.period_seconds, 10) * 1000,
            timeout_ms: secs(p.timeout_seconds, 1) * 1000,
            success: secs(p.success_threshold, 1),
            failure: secs(p.failure_threshold, 3),
        }
    }

    /// The first tick of a worker started at `anchor` that is at or after `from` and at
    /// least the initial delay after the container started at `started`.
    pub fn first_tick(&self, anchor: i64, started: i64, from: i64) -> i64 {
        let lo = from.max(started.saturating_add(self.delay_ms));
        if lo <= anchor {
            return anchor;
        }
        let k = (lo - anchor).saturating_add(self.period_ms - 1) / self.period_ms;
        anchor.saturating_add(k.saturating_mul(self.period_ms))
    }
}

/// How long after a container starts the kubelet's next sync sees it running and triggers
/// its readiness probe at once (the PLEG relist period).
pub const READINESS_TRIGGER_MS: i64 = 1_000;

/// The prober's state for a container instance that starts running at `started`; `anchor` is
/// when the kubelet took the pod (its workers tick from then).
pub fn initial(c: &Spec, anchor: i64, started: i64) -> State {
    let mut st = State {
        started: c.startup_probe.is_none(),
        ready: c.readiness_probe.is_none(),
        ..Default::default()
    };
    if let Some(p) = &c.startup_probe {
        st.workers[Kind::Startup.index()].due =
            Some(Timing::of(p).first_tick(anchor, started, started));
    }
    if st.started {
        activate(c, &mut st, anchor, started, started);
    }
    st
}

/// Schedules liveness and readiness once the container counts as started at `from`.
fn activate(c: &Spec, st: &mut State, anchor: i64, started: i64, from: i64) {
    if let Some(p) = &c.liveness_probe {
        st.workers[Kind::Liveness.index()].due =
            Some(Timing::of(p).first_tick(anchor, started, from.saturating_add(1)));
    }
    if let Some(p) = &c.readiness_probe {
        let t = Timing::of(p);
        let trigger = started + READINESS_TRIGGER_MS;
        let due = if c.startup_probe.is_none() && trigger >= started.saturating_add(t.delay_ms) {
            trigger
        } else {
            t.first_tick(anchor, started, from.saturating_add(1))
        };
        st.workers[Kind::Readiness.index()].due = Some(due);
    }
}

/// What one probe found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Success.
    Success,
    /// Failure, with the prober's output.
    Failure(String),
    /// The probe could not run (its result is thrown away), with the error.
    Error(String),
}

/// Where a probe runs: the probed container, the pod's other running containers (they share
/// the network namespace), the pod IP and the address the kubelet's requests come from.
pub struct Target<'a> {
    /// The probed container's process.
    pub process: &'a process::Container,
    /// Every running container of the pod (the probed one included).
    pub peers: Vec<&'a process::Container>,
    /// The pod IP.
    pub pod_ip: &'a str,
    /// The node's address on the pod network (the probe's source).
    pub source_ip: &'a str,
    /// A fresh exec id (the runtime's), for error messages.
    pub exec_id: String,
    /// Where its volumes' trees are.
    pub storage: Option<&'a crate::storage::Storage>,
}

/// The port a probe names: a number, or a named port of the container.
fn resolve_port(port: &IntOrString, c: &Spec) -> Result<u16, String> {
    let n = match port {
        IntOrString::Int(n) => i64::from(*n),
        IntOrString::String(name) => match c
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
        {
            Some(p) => i64::from(p.container_port),
            None => name
                .parse::<i64>()
                .map_err(|_| format!("strconv.Atoi: parsing {name:?}: invalid syntax"))?,
        },
    };
    u16::try_from(n)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("invalid port number: {n}"))
}

/// An httpGet request the kubelet made that reached a server: the response status and the
/// line the server logged for it, as (index of the serving container in `Target::peers`, line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The response's status code.
    pub status: u16,
    /// The access-log line, if the server writes one.
    pub served: Option<(usize, String)>,
    /// The request, and the index of the container that answered it in `Target::peers`.
    pub request: (usize, Request),
}

/// Why an httpGet request of the kubelet got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The request could not be made (its port does not resolve).
    Port(String),
    /// The connection failed: Go's `http.Client` error.
    Failed(String),
}

/// The kubelet's `GET` of `h` in the pod (a probe's or a hook's; `agent` is `probe` or
/// `lifecycle`, as in the `kube-probe/1.34` User-Agent), at `now`.
pub fn http_get(
    h: &HTTPGetAction,
    c: &Spec,
    target: &Target<'_>,
    now: i64,
    agent: &str,
) -> Result<HttpAnswer, HttpError> {
    // The action's `host` (a host-network pod's probes name the node or 127.0.0.1), else
    // the pod's IP.
    let ip = h
        .host
        .as_deref()
        .filter(|h| !h.is_empty())
        .unwrap_or(target.pod_ip);
    let port = resolve_port(&h.port, c).map_err(HttpError::Port)?;
    let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_ascii_lowercase();
    let path = h
        .path
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or("/".into());
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let url = format!("{scheme}://{ip}:{port}{path}");
    let Some((index, server, listener)) = target
        .peers
        .iter()
        .enumerate()
        .find_map(|(i, x)| x.listener(port).map(|l| (i, *x, l)))
    else {
        return Err(HttpError::Failed(format!(
            "Get \"{url}\": dial tcp {ip}:{port}: connect: connection refused"
        )));
    };
    match listener {
        Listener::Http if scheme == "https" => Err(HttpError::Failed(format!(
            "Get \"{url}\": http: server gave HTTP response to HTTPS client"
        ))),
        Listener::Https if scheme != "https" => Ok(HttpAnswer {
            status: 400,
            served: None,
            request: (
                index,
                Request {
                    method: "GET".into(),
                    path,
                    host: format!("{ip}:{port}"),
                    user_agent: Some(format!("kube-{agent}/1.34")),
                    client_ip: target.source_ip.into(),
                    local_ip: ip.into(),
                    at_ms: now,
                    http10: false,
                },
            ),
        }),
        Listener::Http | Listener::Https => {
            let req = Request {
                method: "GET".into(),
                path,
                host: format!("{ip}:{port}"),
                user_agent: Some(format!("kube-{agent}/1.34")),
                client_ip: target.source_ip.into(),
                local_ip: ip.into(),
                at_ms: now,
                http10: false,
            };
            let (response, log) = server.respond_in(target.storage, &req);
            Ok(HttpAnswer {
                status: response.status,
                served: log.map(|l| (index, l)),
                request: (index, req),
            })
        }
        // Not HTTP: the server closes the connection without an HTTP response.
        _ => Err(HttpError::Failed(format!("Get \"{url}\": EOF"))),
    }
}

/// What running one probe found and left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Its outcome.
    pub outcome: Outcome,
    /// The access-log line an httpGet probe left (see [`HttpAnswer`]).
    pub served: Option<(usize, String)>,
    /// The filesystem changes an `exec` probe's command made, at ms after it started.
    pub ops: Vec<(i64, crate::node::process::fs::Op)>,
}

impl Checked {
    fn of(outcome: Outcome) -> Checked {
        Checked {
            outcome,
            served: None,
            ops: Vec::new(),
        }
    }
}

/// Runs probe `p` of container `c` at `now` (epoch ms).
pub fn check(p: &Probe, c: &Spec, target: &Target<'_>, now: i64) -> Checked {
    let listener = |port: u16| target.peers.iter().find_map(|x| x.listener(port));
    let ip = target.pod_ip;
    if let Some(h) = &p.http_get {
        return match http_get(h, c, target, now, "probe") {
            Err(HttpError::Port(e)) => Checked::of(Outcome::Error(e)),
            Err(HttpError::Failed(e)) => Checked::of(Outcome::Failure(e)),
            Ok(a) => Checked {
                outcome: if (200..400).contains(&a.status) {
                    Outcome::Success
                } else {
                    Outcome::Failure(format!("HTTP probe failed with statuscode: {}", a.status))
                },
                served: a.served,
                ops: Vec::new(),
            },
        };
    }
    let tcp_port = match (&p.tcp_socket, &p.grpc) {
        (Some(t), _) => Some(resolve_port(&t.port, c)),
        (None, Some(g)) => Some(
            u16::try_from(g.port)
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("invalid port number: {}", g.port)),
        ),
        _ => None,
    };
    if let Some(port) = tcp_port {
        return Checked::of(match port {
            Err(e) => Outcome::Error(e),
            Ok(port) if listener(port).is_some() => Outcome::Success,
            Ok(port) => {
                Outcome::Failure(format!("dial tcp {ip}:{port}: connect: connection refused"))
            }
        });
    }
    if let Some(e) = &p.exec {
        let command = e.command.clone().unwrap_or_default();
        let (outcome, ops) = exec(&command, target, now, Timing::of(p).timeout_ms);
        return Checked {
            outcome,
            served: None,
            ops,
        };
    }
    Checked::of(Outcome::Error("missing probe handler".into()))
}

/// Runs `command` in the target container at `now` for at most `limit_ms`, as the runtime's
/// exec does; `Err` is the runtime's error when the executable is not in the image.
pub fn exec_in(
    command: &[String],
    target: &Target<'_>,
    now: i64,
    limit_ms: i64,
) -> Result<process::Run, String> {
    let mut proc = target.process.clone();
    proc.argv = command.to_vec();
    if proc.check_start().is_err() {
        let exe = command.first().cloned().unwrap_or_default();
        return Err(format!(
            "rpc error: code = Unknown desc = failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{exe}\": executable file not found in $PATH: unknown",
            target.exec_id
        ));
    }
    Ok(target
        .process
        .exec_in(target.storage, command, now, limit_ms))
}

/// The combined output of a run, one line each.
pub fn output(run: &process::Run) -> String {
    run.lines.iter().map(|l| format!("{}\n", l.text)).collect()
}

/// An exec probe: the command's combined output on failure (a command that is not in the
/// image is an error of the runtime), and the filesystem changes it made (they stay).
pub fn exec(
    command: &[String],
    target: &Target<'_>,
    now: i64,
    timeout_ms: i64,
) -> (Outcome, Vec<(i64, crate::node::process::fs::Op)>) {
    let run = match exec_in(command, target, now, timeout_ms) {
        Ok(run) => run,
        Err(e) => return (Outcome::Error(e), Vec::new()),
    };
    let outcome = match run.end {
        End::Exit { code: 0, .. } => Outcome::Success,
        End::Exit { .. } => Outcome::Failure(output(&run)),
        End::Running => Outcome::Failure(format!("command {:?} timed out", command.join(" "))),
    };
    (outcome, run.ops)
}

/// What a probe pass did to a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// `started` or `ready` changed.
    pub changed: bool,
    /// Events to record, as (warning, reason, message).
    pub events: Vec<(bool, &'static str, String)>,
    /// The container must be killed: the Killing message.
    pub kill: Option<String>,
}

/// How many ticks one pass may catch up on (a pass normally runs at its due tick).
const MAX_CATCH_UP: usize = 64;

/// Runs every probe of container `c` that is due at `now`; `probe` runs one probe.
/// `restart` says whether a killed container will be restarted (restartPolicy not Never).
pub fn pass(
    c: &Spec,
    st: &mut State,
    anchor: i64,
    started_at: i64,
    now: i64,
    restart: bool,
    probe: &mut dyn FnMut(&Probe) -> Outcome,
) -> Pass {
    let mut out = Pass::default();
    for kind in Kind::ALL {
        let Some(p) = kind.of(c) else {
            continue;
        };
        let t = Timing::of(p);
        for _ in 0..MAX_CATCH_UP {
            if st.on_hold {
                return out;
            }
            let w = &mut st.workers[kind.index()];
            let Some(due) = w.due.filter(|d| *d <= now) else {
                break;
            };
            let next = t.first_tick(anchor, started_at, due.saturating_add(1));
            w.due = Some(next);
            let outcome = probe(p);
            let ok = match outcome {
                Outcome::Error(e) => {
                    out.events.push((
                        true,
                        "Unhealthy",
                        format!(
                            "{} probe errored and resulted in unknown state: {e}",
                            kind.label()
                        ),
                    ));
                    continue;
                }
                Outcome::Failure(msg) => {
                    out.events.push((
                        true,
                        "Unhealthy",
                        format!("{} probe failed: {msg}", kind.label()),
                    ));
                    false
                }
                Outcome::Success => true,
            };
            if w.last == Some(ok) {
                w.run = w.run.saturating_add(1);
            } else {
                w.last = Some(ok);
                w.run = 1;
            }
            let threshold = if ok { t.success } else { t.failure };
            if w.run < threshold {
                continue;
            }
            match (kind, ok) {
                (Kind::Startup, true) => {
                    w.due = None;
                    st.started = true;
                    out.changed = true;
                    activate(c, st, anchor, started_at, due);
                }
                (Kind::Liveness, true) => w.due = None,
                (Kind::Readiness, true) => {
                    w.due = None;
                    if !st.ready {
                        st.ready = true;
                        out.changed = true;
                    }
                }
                (Kind::Readiness, false) => {
                    if st.ready {
                        st.ready = false;
                        out.changed = true;
                    }
                }
                (Kind::Startup | Kind::Liveness, false) => {
                    let what = if kind == Kind::Startup {
                        "startup"
                    } else {
                        "liveness"
                    };
                    let mut message = format!("Container {} failed {what} probe", c.name);
                    if restart {
                        message.push_str(", will be restarted");
                    }
                    out.kill = Some(message);
                    st.on_hold = true;
                    for w in &mut st.workers {
                        w.due = None;
                    }
                    return out;
                }
            }
        }
    }
    out
}

/// The liveness and readiness workers that stopped ticking in a pass from `before` to
/// `after` because their result can no longer change (the kubelet's probes go on, unseen).
pub fn went_idle(before: &State, after: &State) -> Vec<Kind> {
    if after.on_hold {
        return Vec::new();
    }
    [Kind::Liveness, Kind::Readiness]
        .into_iter()
        .filter(|k| {
            before.workers[k.index()].due.is_some() && after.workers[k.index()].due.is_none()
        })
        .collect()
}

/// Wakes the `exec` liveness and readiness workers that went idle on success, at their first
/// tick after `now`: the container's files changed (its own process or an exec wrote), so
/// their command may answer differently. Returns whether any woke.
pub fn wake(c: &Spec, st: &mut State, anchor: i64, started: i64, now: i64) -> bool {
    if st.on_hold || !st.started {
        return false;
    }
    let mut woke = false;
    for kind in [Kind::Liveness, Kind::Readiness] {
        let Some(p) = kind.of(c).filter(|p| p.exec.is_some()) else {
            continue;
        };
        let w = &mut st.workers[kind.index()];
        if w.due.is_none() {
            w.due = Some(Timing::of(p).first_tick(anchor, started, now.saturating_add(1)));
            woke = true;
        }
    }
    woke
}

/// Puts off a readiness worker that keeps failing (and whose container is not ready) to its
/// first tick at or after `until`: nothing it finds before then can change anything.
pub fn hold_failing_readiness(p: &Probe, st: &mut State, anchor: i64, started: i64, until: i64) {
    let w = &mut st.workers[Kind::Readiness.index()];
    if st.ready || w.last != Some(false) || w.due.is_none() {
        return;
    }
    w.due = Some(Timing::of(p).first_tick(anchor, started, until));
}

/// When the prober needs the kubelet back for this container next.
pub fn next_due(st: &State) -> Option<i64> {
    if st.on_hold {
        return None;
    }
    st.workers.iter().filter_map(|w| w.due).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(period: i32, delay: i32) -> Probe {
        Probe {
            period_seconds: Some(period),
            initial_delay_seconds: Some(delay),
            ..Default::default()
        }
    }

    #[test]
    fn ticks_follow_the_anchor_and_skip_the_initial_delay() {
        let t = Timing::of(&probe(10, 0));
        assert_eq!(t.first_tick(0, 6_040, 6_040), 10_000);
        let t = Timing::of(&probe(10, 15));
        assert_eq!(t.first_tick(0, 6_040, 6_040), 30_000);
        let t = Timing::of(&probe(5, 0));
        assert_eq!(t.first_tick(0, 6_040, 10_001), 15_000);
    }

    #[test]
    fn hostile_timings_do_not_overflow() {
        let t = Timing::of(&probe(i32::MAX, i32::MAX));
        let first = t.first_tick(0, i64::MAX / 2, i64::MAX / 2);
        assert!(first >= i64::MAX / 2);
        let t = Timing::of(&probe(-5, -5));
        assert_eq!(t.period_ms, 10_000);
        assert_eq!(t.first_tick(100, 50, 50), 100);
    }

    #[test]
    fn liveness_kills_after_failure_threshold() {
        let c = Spec {
            name: "web".into(),
            liveness_probe: Some(probe(10, 0)),
            ..Default::default()
        };
        let mut st = initial(&c, 0, 6_000);
        assert_eq!(next_due(&st), Some(10_000));
        let mut fail =
            |_: &Probe| Outcome::Failure("HTTP probe failed with statuscode: 404".into());
        for now in [10_000, 20_000] {
            let p = pass(&c, &mut st, 0, 6_000, now, true, &mut fail);
            assert_eq!(p.kill, None);
            assert_eq!(p.events.len(), 1);
        }
        let p = pass(&c, &mut st, 0, 6_000, 30_000, true, &mut fail);
        assert_eq!(
            p.kill.as_deref(),
            Some("Container web failed liveness probe, will be restarted")
        );
        assert_eq!(next_due(&st), None);
    }

    #[test]
    fn a_succeeding_probe_stops_ticking() {
        let c = Spec {
            name: "web".into(),
            liveness_probe: Some(probe(10, 0)),
            readiness_probe: Some(probe(10, 0)),
            ..Default::default()
        };
        let mut st = initial(&c, 0, 6_000);
        assert!(!st.ready);
        assert_eq!(next_due(&st), Some(7_000));
        let mut ok = |_: &Probe| Outcome::Success;
        let p = pass(&c, &mut st, 0, 6_000, 7_000, true, &mut ok);
        assert!(p.changed && st.ready);
        let p = pass(&c, &mut st, 0, 6_000, 10_000, true, &mut ok);
        assert!(!p.changed && p.events.is_empty());
        assert_eq!(next_due(&st), None);
    }

    #[test]
    fn a_file_change_wakes_an_idle_exec_probe() {
        let exec = |period| Probe {
            exec: Some(k8s_openapi::api::core::v1::ExecAction {
                command: Some(vec!["cat".into(), "/tmp/healthy".into()]),
            }),
            ..probe(period, 0)
        };
        let c = Spec {
            name: "app".into(),
            liveness_probe: Some(exec(5)),
            ..Default::default()
        };
        let mut st = initial(&c, 0, 2_000);
        let p = pass(&c, &mut st, 0, 2_000, 5_000, true, &mut |_| {
            Outcome::Success
        });
        assert!(p.kill.is_none());
        assert_eq!(next_due(&st), None);
        assert!(wake(&c, &mut st, 0, 2_000, 32_000));
        assert_eq!(next_due(&st), Some(35_000));
        assert!(!wake(&c, &mut st, 0, 2_000, 33_000), "already ticking");
        let mut fail = |_: &Probe| Outcome::Failure("cat: can't open '/tmp/healthy'".into());
        for now in [35_000, 40_000] {
            assert!(pass(&c, &mut st, 0, 2_000, now, true, &mut fail)
                .kill
                .is_none());
        }
        let p = pass(&c, &mut st, 0, 2_000, 45_000, true, &mut fail);
        assert!(p.kill.is_some());
        // A probe that is not `exec` answers from what listens, not from files.
        let tcp = Spec {
            liveness_probe: Some(probe(5, 0)),
            ..c
        };
        let mut st = initial(&tcp, 0, 2_000);
        pass(&tcp, &mut st, 0, 2_000, 5_000, true, &mut |_| {
            Outcome::Success
        });
        assert!(!wake(&tcp, &mut st, 0, 2_000, 32_000));
    }
}
