//! Load streams: containers whose main process sends HTTP requests forever
//! (`node::process::script::load_loop`), run as rates instead of one request at a time.
//!
//! A stream is a closed-loop client (concurrency 1, think time = its sleeps plus the
//! client's own overhead) aimed at its URL, resolved as its requests would be (DNS, then
//! kube-proxy's routes to every ready endpoint, in equal shares). [`model`] turns the
//! streams and the pods they reach (each request's CPU cost, the CPU each pod may use)
//! into throughputs. Per stream and serving pod that is a periodic series of requests:
//! the server's access log shows them when read (`serve::Periodic`), its cgroup carries
//! their CPU as [`Demand::Load`] and counts them; the client's own output is written when
//! read too (`process::stream`), each iteration printing what its backend answered in turn.
//!
//! [`refresh`] runs after every reconcile: it counts the requests that arrived since the
//! last call (cheap), and evaluates the streams again only when the API server's log moved
//! (a pod started or stopped, endpoints or limits changed): simulated time costs what
//! changes, not what passes. A stream whose target cannot be reached, or is not a plain
//! HTTP server (ingress-nginx), repeats what its first request printed, at its pace.

pub mod bench;
pub mod model;

use std::collections::{BTreeMap, BTreeSet};

use super::exchange;
use super::proxy::{self, Route, ServiceRef};
use super::tools::{self, Client, Kit};
use super::{NetCx, Origin};
use crate::cgroups::{Demand, GroupKey};
use crate::node::process::script::load_loop::{self, LoadLoop};
use crate::node::process::serve::{Listener, Periodic, Request};
use crate::node::process::stream::{LoadOutput, Segment};
use crate::node::process::{self, Flavor};
use crate::node::runtime::SlotKey;
use crate::world::World;
use k8s_openapi::api::core::v1::Pod;

/// Most streams run at once; further loops are left to the shell.
pub const MAX_STREAMS: usize = 64;
/// What one iteration costs the client beyond its sleeps, in ms: starting the program,
/// the connection's round trip.
const CLIENT_MS: f64 = 2.0;
/// A node's core: the CPU of a pod without a CPU limit, in millicores.
const NODE_CORE_MILLI: f64 = 1000.0;

/// The streams the network runs.
#[derive(Clone, Debug, Default)]
pub struct Streams {
    /// The API server's log end at the last evaluation.
    seen: Option<usize>,
    /// By the client container.
    active: BTreeMap<SlotKey, Stream>,
    /// Servers whose load demand is set.
    loaded: BTreeSet<SlotKey>,
    /// `ab` runs, by their container (`bench::host_key` for the learner's machine's).
    benches: BTreeMap<SlotKey, bench::Bench>,
}

/// One running stream.
#[derive(Clone, Debug, PartialEq)]
struct Stream {
    /// Where its requests start.
    origin: Origin,
    /// Its target as written.
    url: String,
    /// What decides its segment: its routes and its pace.
    shape: Shape,
    /// The series of requests each serving container receives (empty when replayed).
    flows: Vec<Flow>,
    /// The Service its requests go through.
    service: Option<ServiceRef>,
    /// For a stream that reaches no HTTP server: its address and routes when its request
    /// was last run for real.
    replay_key: Option<String>,
}

/// The inputs of a stream's current segment: when they change, a new segment starts.
#[derive(Clone, Debug, PartialEq)]
struct Shape {
    /// The backends in turn (server container, request).
    backends: Vec<(SlotKey, Request)>,
    /// Start to start, in ms.
    cycle_ms: i64,
    /// What each iteration prints, per backend.
    texts: Vec<(String, bool)>,
    /// When the client's process starts (a container is started a moment after the
    /// kubelet's sync that creates it).
    from_ms: i64,
    /// When it exits, if the runtime knows (killed on deletion).
    until_ms: Option<i64>,
}

/// The requests one serving container receives from one stream.
#[derive(Clone, Debug, PartialEq)]
struct Flow {
    server: SlotKey,
    group: Option<GroupKey>,
    periodic: Periodic,
    /// Requests already counted.
    counted: u64,
    cost_ms: u64,
}

/// A stream as the traffic view shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The client: `pod/NAME`.
    pub from: String,
    /// The target as written.
    pub target: String,
    /// The Service it goes through.
    pub service: Option<ServiceRef>,
    /// The pods that answer: (namespace, name).
    pub pods: Vec<(String, String)>,
    /// Requests per minute.
    pub per_minute: u64,
}

impl Streams {
    /// The running streams, for the traffic view.
    pub fn summaries(&self) -> Vec<Summary> {
        self.active
            .values()
            .map(|s| Summary {
                from: s.origin.label(),
                target: s.url.clone(),
                service: s.service.clone(),
                pods: s
                    .shape
                    .backends
                    .iter()
                    .map(|(k, _)| (k.0.clone(), k.1.clone()))
                    .collect(),
                per_minute: u64::try_from(60_000 / s.shape.cycle_ms.max(1)).unwrap_or(0),
            })
            .chain(self.benches.values().filter_map(bench::Bench::summary))
            .collect()
    }
}

/// Counts the requests that arrived since the last call and, when the API server's log
/// moved, evaluates the streams again.
pub fn refresh(cx: &mut NetCx<'_>) {
    let now = cx.world.clock.now_ms();
    settle(cx, now);
    let end = cx.world.api.log_end();
    if cx.net.load.seen == Some(end) && !stale(cx, now) {
        return;
    }
    cx.net.load.seen = Some(end);
    evaluate(cx, now);
}

/// Counts the requests that arrived by now, before anything reads the counters (a
/// timer's task, the end of an advance): cheap, one step per flow.
pub fn count(cx: &mut NetCx<'_>) {
    if !cx.net.load.active.is_empty() || !cx.net.load.benches.is_empty() {
        let now = cx.world.clock.now_ms();
        settle(cx, now);
    }
}

/// Adds each flow's arrivals by `now` to its server's request counter.
fn settle(cx: &mut NetCx<'_>, now: i64) {
    let World { cgroups, .. } = &mut *cx.world;
    let load = &mut cx.net.load;
    let flows = load
        .active
        .values_mut()
        .flat_map(|s| s.flows.iter_mut())
        .chain(load.benches.values_mut().flat_map(|b| b.flows.iter_mut()));
    {
        for f in flows {
            let arrived = arrivals(&f.periodic, now);
            if let (Some(g), true) = (&f.group, arrived > f.counted) {
                cgroups.count_requests(g, arrived - f.counted);
            }
            f.counted = f.counted.max(arrived);
        }
    }
}

/// Whether a stream's client or server stopped without the API server hearing of it (the
/// kubelet killing the containers of a pod already deleted).
fn stale(cx: &NetCx<'_>, now: i64) -> bool {
    let gone = |key: &SlotKey| {
        cx.kubelet
            .containers
            .get(key)
            .and_then(|s| s.current.as_ref())
            .is_none_or(|i| i.exit.is_some_and(|(at, _)| at <= now))
    };
    cx.net
        .load
        .active
        .iter()
        .any(|(client, s)| gone(client) || s.flows.iter().any(|f| gone(&f.server)))
        || bench::stale(cx, now)
}

/// How many of `p`'s requests arrived by `now`.
fn arrivals(p: &Periodic, now: i64) -> u64 {
    let end = p.until_ms.map_or(now, |u| u.min(now));
    if end < p.from_ms {
        return 0;
    }
    u64::try_from((end - p.from_ms) / p.period_ms.max(1) + 1).unwrap_or(0)
}

/// A stream found but not yet shaped.
struct Found {
    client: SlotKey,
    origin: Origin,
    recipe: LoadLoop,
    kit: Kit,
    /// When its process starts and exits, if known.
    start_ms: i64,
    exit_ms: Option<i64>,
}

/// Finds the streams, solves the model and starts new segments where shapes changed.
fn evaluate(cx: &mut NetCx<'_>, now: i64) {
    let found = find(cx, now);
    // Routes of each stream: Ok(backends) to HTTP servers, or Err(what its replay depends on).
    let mut routed = Vec::with_capacity(found.len());
    for f in &found {
        routed.push(route(cx, f, now));
    }
    // `ab` runs: one class of `-c` clients each, after the loops'.
    let benches = bench::prepare(cx, now);
    let load = &cx.net.load;
    if found.is_empty() && benches.is_empty() && load.active.is_empty() && load.loaded.is_empty() {
        // Nothing streams and nothing did (most passes of most clusters): no model to solve.
        bench::close_ended(cx, now);
        return;
    }
    // The model: stations are the serving containers.
    let mut stations: Vec<SlotKey> = Vec::new();
    let mut classes = Vec::new();
    for (f, r) in found.iter().zip(&routed) {
        let Ok((backends, _)) = r else {
            continue;
        };
        let idx = station_indices(&mut stations, backends);
        classes.push(model::Class {
            clients: 1,
            think_ms: f.recipe.think_ms as f64 + CLIENT_MS,
            stations: idx,
        });
    }
    for p in &benches {
        let Ok(backends) = &p.routed else {
            continue;
        };
        let idx = station_indices(&mut stations, backends);
        classes.push(model::Class {
            clients: p.clients,
            think_ms: p.think_ms,
            stations: idx,
        });
    }
    let params: Vec<model::Station> = stations
        .iter()
        .map(|s| model::Station {
            cost_ms: cost_of(cx, s) as f64,
            cpu_milli: cpu_of(cx.world, s),
        })
        .collect();
    let solved = model::solve(&params, &classes);
    let loops = classes.len() - benches.iter().filter(|p| p.routed.is_ok()).count();
    let mut bench_results = solved.get(loops..).unwrap_or_default().to_vec().into_iter();
    let mut solved = solved.into_iter().take(loops);
    let mut next: BTreeMap<SlotKey, Stream> = BTreeMap::new();
    for (f, r) in found.into_iter().zip(routed) {
        let mut replay_key = None;
        let (shape, service) = match r {
            Ok((backends, service)) => {
                let x = solved.next().map_or(0.0, |(x, _)| x);
                let cycle_ms = if x > 0.0 { (1.0 / x).round() as i64 } else { 1 };
                let texts = backends
                    .iter()
                    .map(|(server, req)| iteration_text(cx, &f.recipe, server, req))
                    .collect();
                let shape = Shape {
                    backends,
                    cycle_ms: cycle_ms.max(1),
                    texts,
                    from_ms: f.start_ms,
                    until_ms: f.exit_ms,
                };
                (shape, service)
            }
            Err(key) => {
                // The same failure as before is not run again.
                let before = cx
                    .net
                    .load
                    .active
                    .get(&f.client)
                    .filter(|p| p.replay_key.as_deref() == Some(key.as_str()))
                    .and_then(|p| Some((p.shape.texts.first()?.clone(), p.shape.cycle_ms)));
                let (text, cycle_ms) = match before {
                    Some(b) => b,
                    None => replayed(cx, &f, now),
                };
                replay_key = Some(key);
                (
                    Shape {
                        backends: Vec::new(),
                        cycle_ms,
                        texts: vec![text],
                        from_ms: f.start_ms,
                        until_ms: f.exit_ms,
                    },
                    None,
                )
            }
        };
        let previous = cx.net.load.active.remove(&f.client);
        let replay_key = replay_key.take();
        let stream = match previous {
            Some(p) if p.shape == shape && p.origin == f.origin => p,
            Some(p) => {
                close(cx, &f.client, p, now);
                open(cx, &f, shape, service, now)
            }
            None => open(cx, &f, shape, service, now),
        };
        next.insert(
            f.client,
            Stream {
                replay_key,
                ..stream
            },
        );
    }
    // Streams whose client is gone stop.
    let gone = std::mem::take(&mut cx.net.load.active);
    for (client, s) in gone {
        close(cx, &client, s, now);
    }
    cx.net.load.active = next;
    bench::apply(cx, benches, &mut bench_results, now);
    bench::close_ended(cx, now);
    set_demands(cx, now);
}

/// The running containers whose main process is a load loop, in key order (bounded).
fn find(cx: &NetCx<'_>, now: i64) -> Vec<Found> {
    let mut out = Vec::new();
    for (key, slot) in cx.kubelet.streaming() {
        if out.len() >= MAX_STREAMS {
            break;
        }
        let Some(i) = slot.current.as_ref() else {
            continue;
        };
        // Started or about to start, and not exited yet.
        let running = i.start_error.is_none() && i.exit.is_none_or(|(at, _)| at > now);
        if !running {
            continue;
        }
        let p = &i.process;
        let (Some(exe), Some("-c"), Some(script)) = (
            p.argv.first(),
            p.argv.get(1).map(String::as_str),
            p.argv.get(2),
        ) else {
            continue;
        };
        let base = exe.rsplit('/').next().unwrap_or(exe);
        let dialect = match (base, p.flavor()) {
            ("bash", _) => process::cond::Dialect::Bash,
            ("sh" | "ash", Flavor::Busybox | Flavor::Alpine) => process::cond::Dialect::Ash,
            ("sh", _) => process::cond::Dialect::Dash,
            _ => continue,
        };
        let Some(recipe) = load_loop::recognize(script, dialect) else {
            continue;
        };
        let kit = tools::kit_of(&p.image);
        let program = recipe.request.first().map_or("", String::as_str);
        if !tools::ships(kit, program) {
            continue;
        }
        // A pod gone from the API server (force-deleted) sends nothing any more.
        let Some(pod) = cx.world.api.get_as::<Pod>(&key.0, &key.1) else {
            continue;
        };
        let node = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default();
        out.push(Found {
            client: key.clone(),
            origin: Origin::Pod {
                namespace: key.0.clone(),
                name: key.1.clone(),
                ip: p.pod_ip.clone(),
                node,
            },
            recipe,
            kit,
            start_ms: p.start_ms,
            exit_ms: i.exit.map(|(at, _)| at),
        });
    }
    out
}

/// Each backend's station in the model, adding the servers not yet among `stations`.
fn station_indices<T>(stations: &mut Vec<SlotKey>, backends: &[(SlotKey, T)]) -> Vec<usize> {
    backends
        .iter()
        .map(|(server, _)| {
            stations
                .iter()
                .position(|s| s == server)
                .unwrap_or_else(|| {
                    stations.push(server.clone());
                    stations.len() - 1
                })
        })
        .collect()
}

/// A stream's HTTP backends in turn (server container, the request it receives) and its
/// Service; or, when it reaches none, what decides its replayed run (its address and
/// routes).
#[allow(clippy::type_complexity)]
fn route(
    cx: &mut NetCx<'_>,
    f: &Found,
    now: i64,
) -> Result<(Vec<(SlotKey, Request)>, Option<ServiceRef>), String> {
    let Ok(u) = tools::url::parse(&f.recipe.url) else {
        return Err("url".into());
    };
    let Some(ip) = client(cx, f).resolve(&u.host) else {
        return Err("name".into());
    };
    let routes = proxy::spread(cx.world, cx.net, &f.origin, &ip, u.port);
    // A stream through a backend NetworkPolicy drops replays its runs (the client's timeout).
    let blocked: Vec<bool> = routes
        .iter()
        .map(|r| match r {
            Route::Pod {
                backend, client_ip, ..
            } => exchange::admitted(cx, &f.origin, client_ip, &backend.ip, backend.port, "TCP")
                .is_err(),
            _ => false,
        })
        .collect();
    let key = format!("{ip} {routes:?} {blocked:?}");
    if blocked.iter().any(|b| *b) {
        return Err(key);
    }
    let agent = match (f.recipe.client, f.kit) {
        (load_loop::Client::Wget, _) => "Wget".to_string(),
        (load_loop::Client::Curl, kit) => format!("curl/{}", tools::curl_version(kit)),
    };
    let mut service = None;
    let mut out = Vec::new();
    for r in routes {
        let Route::Pod {
            backend,
            client_ip,
            service: via,
        } = r
        else {
            return Err(key);
        };
        let Some((server, Listener::Http)) = exchange::listening(cx, &backend, now) else {
            return Err(key);
        };
        service = via;
        out.push((
            server,
            Request {
                method: "GET".into(),
                path: u.path.clone(),
                host: u.host_header(),
                user_agent: Some(agent.clone()),
                client_ip,
                local_ip: backend.ip.clone(),
                // Each arrival's time is set by its series.
                at_ms: 0,
                http10: false,
            },
        ));
    }
    if out.is_empty() {
        return Err(key);
    }
    Ok((out, service))
}

/// The tools of the stream's container, bound to the network.
fn client<'a>(cx: &'a mut NetCx<'_>, f: &Found) -> Client<'a> {
    Client {
        cx: NetCx {
            world: &mut *cx.world,
            kubelet: &mut *cx.kubelet,
            net: &mut *cx.net,
        },
        origin: f.origin.clone(),
        kit: f.kit,
        tty: false,
    }
}

/// Runs the stream's request once for real: what it printed and the iteration's cycle.
fn replayed(cx: &mut NetCx<'_>, f: &Found, now: i64) -> ((String, bool), i64) {
    let run = client(cx, f)
        .run(&f.recipe.request, now)
        .unwrap_or_default();
    let mut text = String::new();
    for l in &f.recipe.before {
        text.push_str(l);
        text.push('\n');
    }
    let mut stderr = false;
    for (l, err) in &run.lines {
        if *err || f.recipe.shows_body {
            stderr |= *err;
            text.push_str(l);
            text.push('\n');
        }
    }
    for l in &f.recipe.after {
        text.push_str(l);
        text.push('\n');
    }
    let cycle = f
        .recipe
        .think_ms
        .saturating_add(run.elapsed_ms)
        .saturating_add(CLIENT_MS as i64);
    ((text, stderr), cycle.max(1))
}

/// What one iteration prints when `server` answers `req`: the echoes around the body
/// (busybox wget reports an error status instead of a body).
fn iteration_text(
    cx: &NetCx<'_>,
    recipe: &LoadLoop,
    server: &SlotKey,
    req: &Request,
) -> (String, bool) {
    let response = cx
        .kubelet
        .containers
        .get(server)
        .and_then(|s| s.current.as_ref())
        .map(|i| i.process.respond_in(Some(&cx.world.storage), req).0);
    let mut text = String::new();
    let mut stderr = false;
    for l in &recipe.before {
        text.push_str(l);
        text.push('\n');
    }
    if let Some(r) = response {
        if recipe.client == load_loop::Client::Wget && r.status >= 400 {
            text.push_str(&format!(
                "wget: server returned error: HTTP/1.1 {} {}\n",
                r.status,
                r.reason()
            ));
            stderr = true;
        } else if recipe.shows_body {
            text.push_str(&r.body);
        }
    }
    for l in &recipe.after {
        text.push_str(l);
        text.push('\n');
    }
    (text, stderr)
}

/// Starts a stream's segment at `now`: the client's output and each server's series.
fn open(
    cx: &mut NetCx<'_>,
    f: &Found,
    shape: Shape,
    service: Option<ServiceRef>,
    now: i64,
) -> Stream {
    let now = now.max(shape.from_ms);
    if let Some(i) = cx
        .kubelet
        .containers
        .get_mut(&f.client)
        .and_then(|s| s.current.as_mut())
    {
        let load = i.process.load.get_or_insert_with(LoadOutput::default);
        load.close(now);
        load.segments.push(Segment {
            from_ms: now,
            cycle_ms: shape.cycle_ms,
            until_ms: shape.until_ms,
            texts: shape.texts.clone(),
        });
    }
    let n = i64::try_from(shape.backends.len()).unwrap_or(1).max(1);
    let flows = open_flows(
        cx,
        &shape.backends,
        (shape.cycle_ms * n).max(1),
        shape.cycle_ms,
        now,
        shape.until_ms,
    );
    Stream {
        origin: f.origin.clone(),
        url: f.recipe.url.clone(),
        shape,
        flows,
        service,
        replay_key: None,
    }
}

/// Starts the series of requests each of `backends` receives from `now`, in turn
/// `offset_ms` apart, each every `period_ms`, until `until_ms` if set.
fn open_flows(
    cx: &mut NetCx<'_>,
    backends: &[(SlotKey, Request)],
    period_ms: i64,
    offset_ms: i64,
    now: i64,
    until_ms: Option<i64>,
) -> Vec<Flow> {
    let mut flows = Vec::new();
    for (turn, (server, req)) in (0i64..).zip(backends) {
        let mut request = req.clone();
        let from_ms = now + turn * offset_ms;
        request.at_ms = from_ms;
        let periodic = Periodic {
            from_ms,
            period_ms: period_ms.max(1),
            until_ms,
            request,
        };
        let Some(inst) = cx
            .kubelet
            .containers
            .get_mut(server)
            .and_then(|s| s.current.as_mut())
        else {
            continue;
        };
        inst.process.periodic.push(periodic.clone());
        flows.push(Flow {
            server: server.clone(),
            group: group_of(cx.world, server),
            cost_ms: inst.process.request_cost_ms(),
            periodic,
            counted: 0,
        });
    }
    flows
}

/// Ends a stream's segment at `now`: its requests are counted and stop arriving.
fn close(cx: &mut NetCx<'_>, client: &SlotKey, s: Stream, now: i64) {
    if let Some(load) = cx
        .kubelet
        .containers
        .get_mut(client)
        .and_then(|slot| slot.current.as_mut())
        .and_then(|i| i.process.load.as_mut())
    {
        load.close(now);
    }
    close_flows(cx, s.flows, now);
}

/// Stops `flows` at `now`: their requests are counted and stop arriving.
fn close_flows(cx: &mut NetCx<'_>, flows: Vec<Flow>, now: i64) {
    for mut f in flows {
        let Some(inst) = cx
            .kubelet
            .containers
            .get_mut(&f.server)
            .and_then(|slot| slot.current.as_mut())
        else {
            continue;
        };
        let periodic = &mut inst.process.periodic;
        let until = f.periodic.until_ms.map_or(now, |u| u.min(now));
        if let Some(p) = periodic.iter_mut().find(|p| **p == f.periodic) {
            p.until_ms = Some(until);
        }
        f.periodic.until_ms = Some(until);
        // Ended series beyond a few rotate out, as their lines would.
        let ended: Vec<usize> = (0..periodic.len())
            .filter(|i| periodic.get(*i).is_some_and(|p| p.until_ms.is_some()))
            .collect();
        let extra = ended.len().saturating_sub(process::stream::SEGMENTS);
        for i in ended.into_iter().take(extra).rev() {
            periodic.remove(i);
        }
        let arrived = arrivals(&f.periodic, now);
        if let (Some(g), true) = (&f.group, arrived > f.counted) {
            cx.world.cgroups.count_requests(g, arrived - f.counted);
        }
    }
}

/// Sets each serving container's load demand from the streams' rates.
fn set_demands(cx: &mut NetCx<'_>, now: i64) {
    let mut demand: BTreeMap<SlotKey, (Option<GroupKey>, f64)> = BTreeMap::new();
    let load = &cx.net.load;
    let flows = load
        .active
        .values()
        .flat_map(|s| s.flows.iter())
        .chain(load.benches.values().flat_map(|b| b.flows.iter()));
    {
        for f in flows {
            let per_ms = 1.0 / f.periodic.period_ms.max(1) as f64;
            let e = demand
                .entry(f.server.clone())
                .or_insert((f.group.clone(), 0.0));
            // requests/ms × core-ms = cores; × 1000 = millicores.
            e.1 += per_ms * f.cost_ms as f64 * 1000.0;
        }
    }
    let before = std::mem::take(&mut cx.net.load.loaded);
    for server in before.difference(&demand.keys().cloned().collect()) {
        if let Some(g) = group_of(cx.world, server) {
            cx.world.cgroups.set_cpu_demand(&g, Demand::Load, 0, now);
        }
    }
    for (server, (group, milli)) in demand {
        if let Some(g) = group {
            cx.world
                .cgroups
                .set_cpu_demand(&g, Demand::Load, milli.round() as u64, now);
        }
        cx.net.load.loaded.insert(server);
    }
}

/// The cgroup of a container slot (its pod's uid and the container).
pub(crate) fn group_of(world: &World, slot: &SlotKey) -> Option<GroupKey> {
    let pod = world.api.get_as::<Pod>(&slot.0, &slot.1)?;
    Some(GroupKey::new(pod.metadata.uid.as_deref()?, &slot.2))
}

/// A serving container's cost per request, in core-ms.
fn cost_of(cx: &NetCx<'_>, server: &SlotKey) -> u64 {
    cx.kubelet
        .containers
        .get(server)
        .and_then(|s| s.current.as_ref())
        .map_or(1, |i| i.process.request_cost_ms())
}

/// The CPU a serving container may use, in millicores: its cgroup's limit, else its
/// spec's, else a node's core.
fn cpu_of(world: &World, server: &SlotKey) -> f64 {
    if let Some(l) = group_of(world, server)
        .and_then(|g| world.cgroups.get(&g))
        .and_then(|g| g.cpu_limit_milli)
    {
        return l as f64;
    }
    world
        .api
        .get_as::<Pod>(&server.0, &server.1)
        .and_then(|p| {
            let c = p
                .spec
                .as_ref()?
                .containers
                .iter()
                .find(|c| c.name == server.2)?;
            let q = c.resources.as_ref()?.limits.as_ref()?.get("cpu")?;
            crate::api::quantity::parse(&q.0)
        })
        .map_or(NODE_CORE_MILLI, |cores| (cores * 1000.0).max(1.0))
}
