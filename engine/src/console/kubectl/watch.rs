//! `kubectl get -w` / `--watch` / `--watch-only`: after the current objects, each change of
//! a matching object while simulated time passes, printed by the `-o` printer as kubectl
//! prints it: a table row (widths only grow, as with kubectl's width-remembering
//! tabwriter), a name, an indented JSON object, a YAML document after `---`, a JSONPath or
//! custom-columns row. `--output-watch-events` adds the EVENT column, or wraps each object
//! in a `WatchEvent` (`{"type":…,"object":…}`) for the other printers.
//!
//! A console command cannot stream yet, so the watch runs in simulated time: for as long as
//! `timeout DURATION` allows (exit status 124, like coreutils), or without `timeout` until
//! the cluster settles (nothing due in the next minute), at most ten minutes.

use std::collections::BTreeSet;

use super::flags::{self, Flag};
use super::get::{printer_and_template, served_json, TableExtras};
use super::output_templates::{self, CustomColumns};
use super::resources;
use crate::api::kinds::KindInfo;
use crate::api::object::{Object, WatchEventType};
use crate::api::selector::Selector;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::columns::TableOptions;
use crate::printers::gotemplate::GoTemplate;
use crate::printers::jsonpath::Template;

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
    flags::value("sort-by", None),
    flags::boolean("ignore-not-found", None),
    flags::value("chunk-size", None),
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
    let mut out = Output::default();
    if parsed.value("sort-by").is_some_and(|s| !s.is_empty()) {
        out.err("warning: --watch or --watch-only requested, --sort-by will be ignored");
    }
    if let Err(e) = super::get::validate(&parsed, true) {
        out.extend(super::error(e));
        return out;
    }
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
    let format = parsed.value("output").unwrap_or("");
    let (printer, spec) = match printer_and_template(cluster, &parsed) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let spec = spec.as_str();
    let opts = TableOptions {
        wide: format == "wide",
    };
    let format = match printer {
        "name" => Format::Name,
        "json" => Format::Json,
        "yaml" => Format::Yaml,
        "jsonpath" | "jsonpath-as-json" => {
            match output_templates::jsonpath_of(spec, super::get::allow_missing_keys(&parsed)) {
                Ok(t) => Format::JsonPath(t, printer == "jsonpath-as-json", spec.to_string()),
                Err(e) => return super::error(e),
            }
        }
        "go-template" => match output_templates::go_template_of(spec) {
            Ok(t) => Format::GoTemplate(t, spec.to_string()),
            Err(e) => return super::error(e),
        },
        "custom-columns" => match CustomColumns::parse(spec) {
            Ok(c) => Format::CustomColumns(c),
            Err(e) => return super::error(e),
        },
        _ => Format::Table {
            opts,
            extras: TableExtras::of(&parsed, all_namespaces),
        },
    };
    // The header line, printed with the first row (kubectl prints no header over no rows).
    let header = match &format {
        _ if parsed.bool("no-headers") => None,
        Format::Table { opts, extras } => {
            let custom = cluster.world.api.custom_kind(req.kind.kind);
            let mut header = extras.header(custom.map(|d| d.as_ref()), req.kind, *opts);
            if parsed.bool("output-watch-events") {
                header.insert(0, "EVENT".into());
            }
            Some(header)
        }
        Format::CustomColumns(columns) => Some(columns.headers()),
        _ => None,
    };
    let watch = Watch {
        kind: req.kind,
        namespaced: req.kind.namespaced,
        all_namespaces,
        namespace,
        names: req.names.iter().cloned().collect(),
        selector,
        format,
        events: parsed.bool("output-watch-events"),
        header,
        printer: Printer::default(),
        documents: 0,
        cursor: cluster.world.api.watch(),
        deadline: deadline(cluster),
    };
    start(cluster, watch, out, !parsed.bool("watch-only"))
}

/// When a watch started now ends: after the console's `timeout`, if one is set.
fn deadline(cluster: &Cluster) -> Option<i64> {
    let now = cluster.world.clock.now_ms();
    cluster.console.watch_limit.map(|l| now.saturating_add(l.0))
}

/// Starts `watch`: prints the objects it matches now (with `current`: as one block, so a
/// table aligns them together), then follows it.
fn start(cluster: &mut Cluster, mut watch: Watch, mut out: Output, current: bool) -> Output {
    if current {
        let now = cluster.world.clock.now_ms();
        let initial: Vec<std::sync::Arc<Object>> = cluster
            .world
            .api
            .list_shared(watch.kind.kind, None)
            .filter(|o| watch.matches(o))
            .cloned()
            .collect();
        match watch.print(&initial, now, "ADDED") {
            Ok(text) => out.out_raw(text),
            Err(e) => return super::error(e),
        }
    }
    follow(cluster, watch, out)
}

/// Runs `watch` from here: as the console's streaming job on the page, or in simulated
/// time until `timeout` ends it or the cluster settles.
fn follow(cluster: &mut Cluster, mut watch: Watch, mut out: Output) -> Output {
    let limit = cluster.console.watch_limit;
    let now = cluster.world.clock.now_ms();
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
    if limit.is_some() && out.exit_code == 0 {
        out.exit_code = 124;
    }
    out
}

/// `kubectl events -w`: the events there are (the watch's first, synthetic ADDED events),
/// then each new or repeated one as it comes (not those that expire), header first.
pub(crate) fn events(
    cluster: &mut Cluster,
    filter: super::events::Filter,
    all_namespaces: bool,
    namespace: String,
    no_headers: bool,
) -> Output {
    let Some(kind) = crate::api::kinds::by_kind("Event") else {
        return Output::default();
    };
    let watch = Watch {
        kind,
        namespaced: true,
        all_namespaces,
        namespace,
        names: BTreeSet::new(),
        selector: None,
        format: Format::Events(filter),
        events: false,
        header: (!no_headers).then(|| super::events::header(all_namespaces)),
        printer: Printer::default(),
        documents: 0,
        cursor: cluster.world.api.watch(),
        deadline: deadline(cluster),
    };
    // The watch's first, synthetic ADDED events: the events there are.
    start(cluster, watch, Output::default(), true)
}

/// A running watch: what it matches, how it prints, the widths printed so far, and where it
/// has read to.
#[derive(Clone, Debug)]
pub(crate) struct Watch {
    kind: &'static KindInfo,
    namespaced: bool,
    all_namespaces: bool,
    namespace: String,
    names: BTreeSet<String>,
    selector: Option<Selector>,
    format: Format,
    /// `--output-watch-events`.
    events: bool,
    /// The table's header line until it is printed (with the first row).
    header: Option<Vec<String>>,
    printer: Printer,
    /// YAML documents printed so far (the second and later start with `---`).
    documents: usize,
    cursor: crate::apiserver::Cursor,
    /// When `timeout` ends it (epoch ms).
    deadline: Option<i64>,
}

/// The `-o` printer of a watch.
#[derive(Clone, Debug)]
enum Format {
    /// The kind's table (`-o wide`, `-A`, `-L`, `--show-labels`).
    Table {
        opts: TableOptions,
        extras: TableExtras,
    },
    Name,
    Json,
    Yaml,
    /// A template; `true` for `-o jsonpath-as-json`.
    JsonPath(Template, bool, String),
    /// A Go template and its text.
    GoTemplate(GoTemplate, String),
    CustomColumns(CustomColumns),
    /// `kubectl events -w`: the event printer's rows, of the events the filter keeps.
    Events(super::events::Filter),
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

    /// What the printer writes for `objects` (`event` names the change; several are the
    /// current objects, written at once), or why it cannot (a JSONPath template that fails:
    /// kubectl stops there).
    fn print(
        &mut self,
        objects: &[std::sync::Arc<Object>],
        now: i64,
        event: &str,
    ) -> Result<String, String> {
        let mut text = String::new();
        let mut rows: Vec<Vec<String>> = Vec::new();
        for o in objects {
            let served = || served_json(self.kind, o);
            // The object, or with `--output-watch-events` the WatchEvent wrapping it.
            let value = || match self.events {
                true => serde_json::json!({"type": event, "object": served()}),
                false => served(),
            };
            match &self.format {
                Format::Table { opts, extras } => {
                    let mut cells = extras.row(o, now, *opts, None);
                    if self.events {
                        cells.insert(0, event.to_string());
                    }
                    rows.push(cells);
                }
                Format::CustomColumns(columns) => rows.push(columns.row(&value())?),
                Format::Events(filter) => match &**o {
                    // Events that expire are not news.
                    Object::Event(e) if event != "DELETED" && filter.keeps(e) => {
                        rows.push(super::events::row(e, now, self.all_namespaces))
                    }
                    _ => {}
                },
                Format::Name => {
                    text.push_str(&format!("{}/{}\n", self.kind.qualified_kind(), o.name()))
                }
                // A WatchEvent is marshalled compact, type first (Go's field order).
                Format::Json if self.events => text.push_str(&format!(
                    "{{\"type\":{},\"object\":{}}}\n",
                    serde_json::Value::from(event),
                    served()
                )),
                Format::Json => {
                    text.push_str(&super::get::json_pretty(&served()));
                    text.push('\n');
                }
                Format::Yaml => {
                    self.documents += 1;
                    if self.documents > 1 {
                        text.push_str("---\n");
                    }
                    text.push_str(&crate::printers::yaml::to_yaml(&value()));
                }
                Format::JsonPath(template, as_json, spec) => text.push_str(
                    &output_templates::jsonpath(template, spec, &value(), *as_json)?,
                ),
                Format::GoTemplate(template, spec) => {
                    let printed = template
                        .execute(&value(), crate::node::process::budget::MAX_OUTPUT)
                        .map_err(|(_, e)| format!("error executing template \"{spec}\": {e}"))?;
                    text.push_str(&printed);
                }
            }
        }
        if !rows.is_empty() {
            // One flush of kubectl's tabwriter: the lines written together align together.
            if let Some(header) = self.header.take() {
                rows.insert(0, header);
            }
            for r in &rows {
                self.printer.grow(r);
            }
            for r in &rows {
                text.push_str(&self.printer.line(r));
            }
        }
        Ok(text)
    }

    /// Prints each change since the last poll; true once `timeout` has ended it (the exit
    /// status is then 124).
    pub(crate) fn poll(&mut self, cluster: &Cluster, out: &mut Output) -> bool {
        let now = cluster.world.clock.now_ms();
        let changes: Vec<(WatchEventType, std::sync::Arc<Object>)> = cluster
            .world
            .api
            .read(&self.cursor)
            .iter()
            .filter(|e| e.object.kind() == self.kind.kind && self.matches(&e.object))
            .map(|e| (e.kind, e.object.clone()))
            .collect();
        for (kind, obj) in changes {
            let event = match kind {
                WatchEventType::Added => "ADDED",
                WatchEventType::Modified => "MODIFIED",
                WatchEventType::Deleted => "DELETED",
            };
            match self.print(&[obj], now, event) {
                Ok(text) => out.out_raw(text),
                Err(e) => {
                    out.err(format!("error: {e}"));
                    out.exit_code = 1;
                    return true;
                }
            }
        }
        let ended = self.deadline.is_some_and(|d| now >= d);
        if ended {
            out.exit_code = 124;
        }
        ended
    }
}

/// kubectl's tabwriter (`printers.GetNewTabWriter`): a column is at least 6 wide, with 3
/// spaces after its widest cell.
const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

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
            self.widths[i] = self.widths[i]
                .max(c.chars().count() + PADDING)
                .max(MIN_WIDTH);
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
                s.push_str(&" ".repeat(self.widths[i].saturating_sub(w)));
            }
        }
        s.push('\n');
        s
    }
}
