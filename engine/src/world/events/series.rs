//! client-go's events API broadcaster (`tools/events`), which kube-scheduler records with:
//! events carry `eventTime`, an `action` and the reporting controller and instance, and no
//! source, first or last timestamp or count. An isomorphic event (same type, action, reason,
//! reporter, regarding object at the same resourceVersion, related object) seen again while
//! cached becomes a series: its second occurrence patches `series.count: 2` at once, later
//! ones only count up in the cache, written every 30 minutes (`refreshTime`) and when the
//! series ends, 6 minutes after its last occurrence (`finishTime`, checked every 6 minutes).
//! The periodic checks fall on multiples of their periods of the simulated clock.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, EventSeries, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::key::{Key, KeyHasher};
use super::{EventType, Involved};
use crate::api::object::Object;
use crate::timers::Task;
use crate::world::World;

/// How often series that ended are written and forgotten (`finishTime`).
const FINISH_MS: i64 = 6 * 60_000;
/// How often every series is written (`refreshTime`).
const REFRESH_MS: i64 = 30 * 60_000;
/// The most events the cache holds; past it the one of the lowest key is forgotten (its
/// next occurrence is a new event). Upstream's map is unbounded; pods are bounded by the
/// scale envelope, their resourceVersions are not.
const CACHE_ENTRIES: usize = 10_000;

/// The cached events of every reporter, and whether the periodic check is queued.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// By key (a burst of thousands of pods looks each up).
    cache: BTreeMap<Key, Cached>,
    /// When the next periodic check runs (epoch ms), if one is queued.
    next_check: Option<i64>,
}

/// A cached event, under its isomorphism key (`eventKey`: type, action, reason, reporter,
/// the regarding and related objects): the event as first written, and its count and last
/// occurrence (epoch ms) once it repeated.
#[derive(Clone, Debug)]
struct Cached {
    event: Event,
    series: Option<(i32, i64)>,
}

/// Who reports an event through the events API: `default-scheduler` on its host.
#[derive(Clone, Copy, Debug)]
pub struct Reporter<'a> {
    /// The reporting controller.
    pub controller: &'a str,
    /// The reporting instance (`<controller>-<hostname>`).
    pub instance: &'a str,
}

/// What happened, through the events API.
pub struct Occurrence<'a> {
    /// The object it is about.
    pub regarding: Involved<'a>,
    /// A second object it concerns (the preemptor of a preempted pod).
    pub related: Option<Involved<'a>>,
    /// Normal or Warning.
    pub kind: EventType,
    /// Why (`Scheduled`).
    pub reason: &'a str,
    /// What was done (`Binding`).
    pub action: &'a str,
    /// The message.
    pub note: &'a str,
}

/// The fields of a reference the key compares, as parts.
fn ref_parts<'a>(r: &Involved<'a>, api_version: &'a str) -> [&'a str; 6] {
    [
        api_version,
        r.info.kind,
        r.namespace,
        r.name,
        r.uid,
        r.resource_version.unwrap_or("\0"),
    ]
}

/// The reference an event names.
fn reference(r: &Involved<'_>) -> ObjectReference {
    ObjectReference {
        api_version: Some(r.info.api_version()),
        kind: Some(r.info.kind.to_string()),
        name: Some(r.name.to_string()),
        namespace: (!r.namespace.is_empty()).then(|| r.namespace.to_string()),
        uid: Some(r.uid.to_string()),
        resource_version: r.resource_version.map(str::to_string),
        ..Default::default()
    }
}

/// Records `what` as `reporter`'s events API broadcaster does.
pub fn record(world: &mut World, what: Occurrence<'_>, reporter: Reporter<'_>) {
    let now_ms = world.clock.now_ms();
    let versions = [
        what.regarding.info.api_version(),
        what.related
            .as_ref()
            .map(|r| r.info.api_version())
            .unwrap_or_default(),
    ];
    let mut parts = vec![
        what.kind.as_str(),
        what.action,
        what.reason,
        reporter.controller,
        reporter.instance,
    ];
    parts.extend(ref_parts(&what.regarding, &versions[0]));
    if let Some(related) = &what.related {
        parts.extend(ref_parts(related, &versions[1]));
    }
    let key = KeyHasher::of(&parts).key(b's', &[]);
    if let Some(cached) = world.events.series.cache.get_mut(&key) {
        match cached.series.as_mut() {
            Some((count, last)) => {
                *count = count.saturating_add(1);
                *last = now_ms;
            }
            None => {
                cached.series = Some((2, now_ms));
                let cached = cached.clone();
                write(world, &cached);
            }
        }
        return;
    }
    let namespace = match what.regarding.namespace {
        "" => "default",
        ns => ns,
    };
    let event = Event {
        metadata: ObjectMeta {
            name: Some(super::fresh_name(
                &mut world.events.seq,
                what.regarding.name,
                now_ms,
            )),
            namespace: Some(namespace.to_string()),
            ..Default::default()
        },
        involved_object: reference(&what.regarding),
        related: what.related.as_ref().map(reference),
        reason: Some(what.reason.to_string()),
        message: Some(what.note.to_string()),
        type_: Some(what.kind.as_str().to_string()),
        event_time: Some(crate::clock::micro_time_from_ms(now_ms)),
        action: Some(what.action.to_string()),
        reporting_component: Some(reporter.controller.to_string()),
        reporting_instance: Some(reporter.instance.to_string()),
        source: Some(EventSource::default()),
        ..Default::default()
    };
    let cached = Cached {
        event,
        series: None,
    };
    let cache = &mut world.events.series.cache;
    if cache.len() >= CACHE_ENTRIES {
        cache.pop_first();
    }
    cache.insert(key, cached.clone());
    write(world, &cached);
    queue_check(world);
}

/// The periodic checks due now (a `Task::EventSeries`): every 30 minutes every series is
/// written (`refreshExistingEventSeries`); every 6 minutes a series whose last occurrence is
/// older than that is written a last time and forgotten, and so is an event that never
/// repeated (`finishSeries`).
pub fn check(world: &mut World) {
    let now_ms = world.clock.now_ms();
    world.events.series.next_check = None;
    let mut cache = std::mem::take(&mut world.events.series.cache);
    cache.retain(|_, cached| {
        let last = match cached.series {
            Some((_, last)) => last,
            None => cached
                .event
                .event_time
                .as_ref()
                .map_or(now_ms, |t| t.0.as_millisecond()),
        };
        let ended = last < now_ms - FINISH_MS;
        if cached.series.is_some() && (ended || now_ms.rem_euclid(REFRESH_MS) == 0) {
            write(world, cached);
        }
        !ended
    });
    world.events.series.cache = cache;
    queue_check(world);
}

/// Queues the next periodic check while anything is cached.
fn queue_check(world: &mut World) {
    let series = &mut world.events.series;
    if series.cache.is_empty() || series.next_check.is_some() {
        return;
    }
    let now_ms = world.clock.now_ms();
    let due = (now_ms.div_euclid(FINISH_MS) + 1).saturating_mul(FINISH_MS);
    series.next_check = Some(due);
    world.timers.at(due, Task::EventSeries);
}

/// Writes `cached`: a series patches the stored event (creating it again if it is gone); a
/// singleton is created.
fn write(world: &mut World, cached: &Cached) {
    let series = cached.series.map(|(count, last)| EventSeries {
        count: Some(count),
        last_observed_time: Some(crate::clock::micro_time_from_ms(last)),
    });
    let meta = &cached.event.metadata;
    let (namespace, name) = (
        meta.namespace.as_deref().unwrap_or_default(),
        meta.name.as_deref().unwrap_or_default(),
    );
    if series.is_some() {
        if let Some(Object::Event(stored)) = world.api.get("Event", namespace, name) {
            let mut patched = stored.clone();
            patched.series = series;
            let _ = world.api.update(Object::Event(patched));
            return;
        }
    }
    if !super::namespace_accepts_events(world, namespace) {
        return;
    }
    let mut event = cached.event.clone();
    event.series = series;
    let _ = world.create(Object::Event(Box::new(event)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A world with the `default` namespace.
    fn world() -> World {
        let mut world = World::new(0, 1);
        let ns = serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}
        });
        let now = world.clock.now_time();
        if let Some(Ok(ns)) = Object::decode_strict("Namespace", &ns) {
            let _ = world.api.restore(ns, now, &mut world.rng);
        }
        world
    }

    /// A failed scheduling attempt of pod `p` read at `version`, at `at_ms`.
    fn fail(world: &mut World, version: &str, at_ms: i64) {
        world.clock.set(at_ms);
        let regarding = Involved {
            info: crate::api::kinds::info("Pod"),
            namespace: "default",
            name: "p",
            uid: "u",
            resource_version: Some(version),
        };
        let what = Occurrence {
            regarding,
            related: None,
            kind: EventType::Warning,
            reason: "FailedScheduling",
            action: "Scheduling",
            note: "0/1 nodes are available",
        };
        let reporter = Reporter {
            controller: "default-scheduler",
            instance: "default-scheduler-cp",
        };
        record(world, what, reporter);
    }

    /// The stored events: (name, series count, involved resourceVersion).
    fn stored(world: &World) -> Vec<(String, Option<i32>, String)> {
        world
            .api
            .list_as::<Event>(None)
            .map(|e| {
                (
                    e.metadata.name.clone().unwrap_or_default(),
                    e.series.as_ref().and_then(|s| s.count),
                    e.involved_object
                        .resource_version
                        .clone()
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Runs the periodic checks due by `until_ms`.
    fn run_checks(world: &mut World, until_ms: i64) {
        while let Some((due, task)) = world.timers.pop_due(until_ms) {
            world.clock.set(due);
            assert!(matches!(task, Task::EventSeries));
            check(world);
        }
    }

    #[test]
    fn repeats_become_a_series_written_at_the_second_and_when_it_ends() {
        let mut world = world();
        let t0 = 10 * REFRESH_MS + 1_000;
        fail(&mut world, "5", t0);
        let first = stored(&world);
        assert_eq!(first.len(), 1);
        let event = world.api.list_as::<Event>(None).next().cloned().unwrap();
        assert_eq!(event.event_time.map(|t| t.0.as_millisecond()), Some(t0));
        assert_eq!((event.first_timestamp, event.count), (None, None));
        assert_eq!(event.action.as_deref(), Some("Scheduling"));
        // Another version of the pod: another event.
        fail(&mut world, "6", t0 + 1_000);
        assert_eq!(stored(&world).len(), 2);
        // The same again: a series of 2 at once, then counted in the cache only.
        fail(&mut world, "6", t0 + 2_000);
        fail(&mut world, "6", t0 + 3_000);
        fail(&mut world, "6", t0 + 4_000);
        let now = stored(&world);
        assert_eq!(now[1].1, Some(2));
        assert_eq!(now[0].1, None);
        // Six minutes after its last occurrence, at a 6-minute mark, its end is written.
        run_checks(&mut world, t0 + 4_000 + FINISH_MS);
        assert_eq!(stored(&world)[1].1, Some(2));
        run_checks(&mut world, t0 + 4_000 + 2 * FINISH_MS);
        assert_eq!(stored(&world)[1].1, Some(4));
        assert!(world.events.series.cache.is_empty());
        // Nothing cached: no check is queued.
        assert_eq!(world.timers.pop_due(i64::MAX).map(|(due, _)| due), None);
    }

    #[test]
    fn every_thirty_minutes_the_running_series_are_written() {
        let mut world = world();
        let t0 = 10 * REFRESH_MS + 1_000;
        for i in 0..40 {
            run_checks(&mut world, t0 + i * 60_000);
            fail(&mut world, "5", t0 + i * 60_000);
        }
        // The 30-minute mark on the way wrote the count of then.
        run_checks(&mut world, t0 + 39 * 60_000);
        assert_eq!(stored(&world)[0].1, Some(30));
    }
}
