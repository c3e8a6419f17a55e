//! `kubectl get -w` / `--watch` / `--watch-only`: after the table, one row per change of a
//! matching object while simulated time passes. Column widths only grow, as with kubectl's
//! width-remembering tabwriter.
//!
//! A console command cannot stream yet, so the watch runs in simulated time: for as long as
//! `timeout DURATION` allows (exit status 124, like coreutils), or without `timeout` until
//! the cluster settles (nothing due in the next minute), at most ten minutes.

use std::collections::BTreeSet;

use super::flags::{self, Flag};
use super::resources;
use crate::api::object::{Object, WatchEventType};
use crate::api::selector::Selector;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::columns::{self, TableOptions};

pub(super) const FLAGS: &[Flag] = &[
    flags::value("output", Some('o')),
    flags::boolean("all-namespaces", Some('A')),
    flags::boolean("show-labels", None),
    flags::boolean("no-headers", None),
    flags::value("selector", Some('l')),
    flags::value("field-selector", None),
    flags::value("label-columns", Some('L')),
    flags::boolean("watch", Some('w')),
    flags::boolean("watch-only", None),
    flags::boolean("output-watch-events", None),
    flags::value("raw", None),
];

/// Longest a watch without `timeout` runs.
const SETTLE_LIMIT: SimDuration = SimDuration::seconds(600);
/// A watch without `timeout` ends once nothing is due within this long.
const QUIET: i64 = 60_000;

/// Whether `get` arguments ask for a watch.
pub fn wanted(args: &[String]) -> bool {
    args.iter().any(|a| {
        a == "-w"
            || a == "--watch"
            || a == "--watch=true"
            || a == "--watch-only"
            || (a.starts_with('-') && !a.starts_with("--") && a.contains('w') && a.len() <= 4)
    })
}

/// Runs `kubectl get ... -w`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("get", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => return super::get::run(cluster, args),
        Err(e) => return super::error(e),
    };
    if requests.len() > 1 {
        return super::error("you may only specify a single resource type");
    }
    if parsed.value("field-selector").is_some() {
        // A watch through a field selector also reports objects leaving the selection.
        return super::error("--field-selector with --watch is not simulated in Kubeplay yet");
    }
    let req = &requests[0];
    let all_namespaces = parsed.bool("all-namespaces") && req.kind.namespaced;
    let namespace = super::namespace(cluster, &parsed);
    let selector = match parsed.value("selector").map(Selector::parse).transpose() {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let opts = TableOptions {
        wide: parsed.value("output") == Some("wide"),
    };
    let limit = cluster.console.watch_limit;
    let now = cluster.world.clock.now_ms();
    let mut watch = Watch {
        kind: req.kind.kind,
        namespaced: req.kind.namespaced,
        all_namespaces,
        namespace,
        names: req.names.iter().cloned().collect(),
        selector,
        opts,
        events_column: parsed.bool("output-watch-events"),
        printer: Printer::default(),
        cursor: cluster.world.api.watch(),
        deadline: limit.map(|l| now.saturating_add(l.0)),
    };
    let mut header: Vec<String> = columns::headers(req.kind.kind, opts)
        .iter()
        .map(|s| s.to_string())
        .collect();
    if all_namespaces {
        header.insert(0, "NAMESPACE".into());
    }
    if watch.events_column {
        header.insert(0, "EVENT".into());
    }
    let mut out = Output::default();
    let initial: Vec<Vec<String>> = cluster
        .world
        .api
        .list(req.kind.kind, None)
        .filter(|o| watch.matches(o))
        .map(|o| watch.row(o, now, None))
        .collect();
    // The header and the current objects are one table; later rows keep its widths.
    let mut first: Vec<Vec<String>> = Vec::new();
    if !parsed.bool("no-headers") {
        first.push(header);
    }
    if !parsed.bool("watch-only") {
        first.extend(initial);
    }
    for r in &first {
        watch.printer.grow(r);
    }
    for r in &first {
        out.out_raw(watch.printer.line(r));
    }
    if cluster.console.may_stream() {
        cluster.console.job = Some(crate::console::Job::Watch(watch));
        return out;
    }
    // Not streaming: run the watch here, in simulated time.
    let deadline = watch.deadline.unwrap_or(now + SETTLE_LIMIT.0);
    loop {
        let now = cluster.world.clock.now_ms();
        if now >= deadline {
            break;
        }
        if limit.is_none()
            && cluster
                .world
                .timers
                .next_due()
                .is_none_or(|due| due > now + QUIET)
        {
            break;
        }
        let start = watch.cursor.next();
        cluster.advance_until(SimDuration::millis(deadline - now), move |c| {
            c.world.api.log_end() != start
        });
        if watch.poll(cluster, &mut out) {
            break;
        }
    }
    if limit.is_some() {
        out.exit_code = 124;
    }
    out
}

/// A running watch: what it matches, the widths printed so far, and where it has read to.
#[derive(Clone, Debug)]
pub(crate) struct Watch {
    kind: &'static str,
    namespaced: bool,
    all_namespaces: bool,
    namespace: String,
    names: BTreeSet<String>,
    selector: Option<Selector>,
    opts: TableOptions,
    events_column: bool,
    printer: Printer,
    cursor: crate::apiserver::Cursor,
    /// When `timeout` ends it (epoch ms).
    deadline: Option<i64>,
}

impl Watch {
    fn matches(&self, o: &Object) -> bool {
        (self.all_namespaces || !self.namespaced || o.namespace() == self.namespace)
            && (self.names.is_empty() || self.names.contains(o.name()))
            && self
                .selector
                .as_ref()
                .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
    }

    fn row(&self, o: &Object, now: i64, event: Option<&str>) -> Vec<String> {
        let mut cells = columns::row(o, now, self.opts);
        if self.all_namespaces {
            cells.insert(0, o.namespace().to_string());
        }
        if self.events_column {
            cells.insert(0, event.unwrap_or("ADDED").to_string());
        }
        cells
    }

    /// Prints a row for each change since the last poll; true once `timeout` has ended it
    /// (the exit status is then 124).
    pub(crate) fn poll(&mut self, cluster: &Cluster, out: &mut Output) -> bool {
        let now = cluster.world.clock.now_ms();
        let changes: Vec<(WatchEventType, std::sync::Arc<Object>)> = cluster
            .world
            .api
            .read(&self.cursor)
            .iter()
            .filter(|e| e.object.kind() == self.kind && self.matches(&e.object))
            .map(|e| (e.kind, e.object.clone()))
            .collect();
        for (kind, obj) in changes {
            let event = match kind {
                WatchEventType::Added => "ADDED",
                WatchEventType::Modified => "MODIFIED",
                WatchEventType::Deleted => "DELETED",
            };
            let line = self.printer.line(&self.row(&obj, now, Some(event)));
            out.out_raw(line);
        }
        let ended = self.deadline.is_some_and(|d| now >= d);
        if ended {
            out.exit_code = 124;
        }
        ended
    }
}

/// Prints rows with column widths that only grow (liggitt/tabwriter's RememberWidths).
#[derive(Clone, Debug, Default)]
struct Printer {
    widths: Vec<usize>,
}

impl Printer {
    /// Widens the columns to fit `cells`.
    fn grow(&mut self, cells: &[String]) {
        if self.widths.len() < cells.len() {
            self.widths.resize(cells.len(), 0);
        }
        for (i, c) in cells.iter().enumerate() {
            self.widths[i] = self.widths[i].max(c.chars().count());
        }
    }

    fn line(&mut self, cells: &[String]) -> String {
        self.grow(cells);
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let w = c.chars().count();
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(self.widths[i] - w + 3));
            }
        }
        s.push('\n');
        s
    }
}
