//! `kubectl events` (`pkg/cmd/events`): the namespace's events (or every namespace's, `-A`)
//! oldest first, optionally only those of one object (`--for KIND/NAME`) or of some types
//! (`--types`), as kubectl's event printer shows them: `LAST SEEN`, with `(xN over …)` for
//! a repeated event, and `OBJECT` as `Kind/name`. `-w` prints the events as they come.

use k8s_openapi::api::core::v1::Event;

use super::flags::{self, Flag};
use crate::api::event_times;
use crate::clock::ms_from_time;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::columns::event_interval;
use crate::printers::table::render_aligned;
use crate::sort::go_sort_by;
use crate::sort::SliceSort;

pub(super) const FLAGS: &[Flag] = &[
    flags::boolean("watch", Some('w')),
    flags::boolean("all-namespaces", Some('A')),
    flags::value("for", None),
    flags::value("types", None),
    flags::boolean("no-headers", None),
    flags::value("chunk-size", None),
    flags::value("output", Some('o')),
];

/// Which events a `kubectl events` prints.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    /// `--for`: the involved object's kind and name.
    object: Option<(&'static str, String)>,
    /// `--types`, deduplicated and sorted; empty for every type.
    types: Vec<String>,
}

impl Filter {
    pub(crate) fn keeps(&self, e: &Event) -> bool {
        let ty = e.type_.as_deref().unwrap_or_default();
        (self.types.is_empty() || self.types.iter().any(|t| t.eq_ignore_ascii_case(ty)))
            && self.object.as_ref().is_none_or(|(kind, name)| {
                e.involved_object.kind.as_deref() == Some(kind)
                    && e.involved_object.name.as_deref() == Some(name.as_str())
            })
    }
}

/// Runs `kubectl events`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("events", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if let Some(size) = parsed.value("chunk-size") {
        if let Err(e) = super::flag_values::int_flag("events", "--chunk-size", size, 64) {
            return super::error(e);
        }
    }
    if let Some(format) = parsed.value("output").filter(|f| !f.is_empty()) {
        return super::error(format!(
            "-o {format} is not simulated for kubectl events in Kubeplay yet"
        ));
    }
    let object = match parsed.value("for").filter(|f| !f.is_empty()) {
        None => None,
        Some(target) => match for_object(cluster, target) {
            Ok(o) => Some(o),
            Err(e) => return super::error(e),
        },
    };
    let mut types: Vec<String> = parsed
        .values("types")
        .iter()
        .filter(|v| !v.is_empty())
        .flat_map(|v| v.split(','))
        .map(str::to_string)
        .collect();
    types.stable_sort();
    types.dedup();
    if types
        .iter()
        .any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning"))
    {
        return super::error("valid --types are Normal or Warning");
    }
    let filter = Filter { object, types };
    let all_namespaces = parsed.bool("all-namespaces");
    let namespace = super::namespace(cluster, &parsed);
    let no_headers = parsed.bool("no-headers");
    if parsed.bool("watch") {
        return super::watch::events(cluster, filter, all_namespaces, namespace, no_headers);
    }
    let now = cluster.world.clock.now_ms();
    let mut events: Vec<&Event> = cluster
        .world
        .api
        .list_as::<Event>((!all_namespaces).then_some(namespace.as_str()))
        .filter(|e| filter.keeps(e))
        .collect();
    if events.is_empty() {
        let mut out = Output::default();
        out.err(if all_namespaces {
            "No events found.".to_string()
        } else {
            format!("No events found in {namespace} namespace.")
        });
        return out;
    }
    // Go's sort.Sort by the time of each: the series' last, the last timestamp, the event
    // time (none: the zero time, first).
    go_sort_by(&mut events, |a, b| sort_time(a) < sort_time(b));
    let mut lines = Vec::new();
    if !no_headers {
        lines.push(header(all_namespaces));
    }
    lines.extend(events.iter().map(|e| row(e, now, all_namespaces)));
    let mut out = Output::default();
    out.out_raw(render_aligned(&lines));
    out
}

/// `--for KIND/NAME`: the kind the resource names, and the name.
fn for_object(cluster: &Cluster, target: &str) -> Result<(&'static str, String), String> {
    let Some((resource, name)) = target.split_once('/') else {
        return Err("--for must be in resource/name form".into());
    };
    if name.contains('/') {
        return Err("arguments in resource/name form may not have more than one slash".into());
    }
    match cluster.world.api.resolve(resource) {
        Some(kind) => Ok((kind.kind, name.to_string())),
        None => Err(format!("no matches for /, Resource={resource}")),
    }
}

/// When the event last happened, for sorting (epoch ms; `i64::MIN` for none).
fn sort_time(e: &Event) -> i64 {
    event_times::series(e)
        .map(|(_, last)| last)
        .or_else(|| e.last_timestamp.as_ref().map(ms_from_time))
        .or_else(|| event_times::event_time_ms(e))
        .unwrap_or(i64::MIN)
}

/// The header line.
pub(crate) fn header(all_namespaces: bool) -> Vec<String> {
    let mut h: Vec<String> = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if all_namespaces {
        h.insert(0, "NAMESPACE".into());
    }
    h
}

/// One event's row, as kubectl's event printer writes it.
pub(crate) fn row(e: &Event, now: i64, all_namespaces: bool) -> Vec<String> {
    let object = &e.involved_object;
    let mut cells = vec![
        event_interval(e, now),
        e.type_.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        format!(
            "{}/{}",
            object.kind.as_deref().unwrap_or_default(),
            object.name.as_deref().unwrap_or_default()
        ),
        e.message.as_deref().unwrap_or_default().trim().to_string(),
    ];
    if all_namespaces {
        cells.insert(0, e.metadata.namespace.clone().unwrap_or_default());
    }
    cells
}
