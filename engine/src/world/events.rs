//! The event recorder: `Event` objects as the kubelet, scheduler and controllers emit them,
//! through client-go's legacy recorder: each source's [`correlator`] folds repeats into one
//! event whose count grows, aggregates messages that vary and drops spam; what is left is
//! written as `recordToSink` does (a repeat patches its event, or creates it again when it
//! has expired).

mod bucket;
mod correlator;
mod key;
pub(crate) use key::KeyHasher;
mod lru;
pub mod series;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::api::object::Object;
use crate::world::World;
use correlator::{Correlator, Incoming, Outcome};

/// What the recorder remembers: each source's correlator (every component runs its own
/// event broadcaster), and how many event names it has made.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// Correlators by source component, then host.
    sources: BTreeMap<String, BTreeMap<String, Correlator>>,
    /// Event names made so far (the nanoseconds of their names).
    seq: u64,
    /// The events API broadcasters' cache of events and their series.
    series: series::Series,
}

/// A new event's name: the object's name and, in hex, the nanoseconds of now (made unique
/// by the count of names made, `seq`, as two events of one instant have different
/// nanoseconds upstream).
fn fresh_name(seq: &mut u64, object: &str, now_ms: i64) -> String {
    *seq += 1;
    let nanos = (now_ms as u64).wrapping_mul(1_000_000).wrapping_add(*seq);
    format!("{object}.{nanos:x}")
}

/// `Normal` or `Warning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Routine.
    Normal,
    /// Something went wrong.
    Warning,
}

impl EventType {
    /// `Normal` or `Warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// Who reports an event: `default-scheduler`, or `kubelet` on a host.
#[derive(Clone, Debug)]
pub struct Source<'a> {
    /// Reporting component.
    pub component: &'a str,
    /// Node name, for the kubelet.
    pub host: Option<&'a str>,
}

/// What an event says of its involved object (`ObjectReference`), borrowed from it.
#[derive(Clone, Copy, Debug)]
pub struct Involved<'a> {
    /// Kind, group and version.
    pub info: &'static crate::api::kinds::KindInfo,
    /// Namespace (empty for a cluster-scoped object).
    pub namespace: &'a str,
    /// Name.
    pub name: &'a str,
    /// Uid (empty if it has none).
    pub uid: &'a str,
    /// The resource version it was seen at.
    pub resource_version: Option<&'a str>,
}

impl<'a> Involved<'a> {
    /// The reference to `object`.
    pub fn of(object: &'a Object) -> Self {
        let meta = object.metadata();
        Involved {
            info: object.info(),
            namespace: object.namespace(),
            name: object.name(),
            uid: match object {
                Object::Pod(_) => crate::api::pod::event_uid(meta),
                _ => meta.uid.as_deref().unwrap_or_default(),
            },
            resource_version: meta.resource_version.as_deref(),
        }
    }

    /// The reference to a pod, from its metadata.
    pub fn pod(meta: &'a ObjectMeta) -> Self {
        Involved {
            info: crate::api::kinds::info("Pod"),
            namespace: meta.namespace.as_deref().unwrap_or_default(),
            name: meta.name.as_deref().unwrap_or_default(),
            uid: crate::api::pod::event_uid(meta),
            resource_version: meta.resource_version.as_deref(),
        }
    }
}

/// Records an event about `involved`, as the source's event broadcaster would write it.
pub fn record(
    world: &mut World,
    involved: &Object,
    kind: EventType,
    reason: &str,
    message: &str,
    source: Source<'_>,
) {
    record_about(world, Involved::of(involved), kind, reason, message, source);
}

/// [`record`] for an object named by reference (nothing of it copied unless the event is
/// written).
pub fn record_about(
    world: &mut World,
    involved: Involved<'_>,
    kind: EventType,
    reason: &str,
    message: &str,
    source: Source<'_>,
) {
    let now_ms = world.clock.now_ms();
    let info = involved.info;
    let api_version: Cow<'static, str> = if info.group.is_empty() {
        Cow::Borrowed(info.version)
    } else {
        Cow::Owned(info.api_version())
    };
    let host = source.host.unwrap_or_default();
    // The legacy recorder reports its host as the instance (none for a controller).
    let instance = host;
    let subject = [
        source.component,
        host,
        info.kind,
        involved.namespace,
        involved.name,
        involved.uid,
        &api_version,
        kind.as_str(),
    ];
    let Recorder { sources, seq, .. } = &mut world.events;
    let mut fresh_name = || fresh_name(seq, involved.name, now_ms);
    let Some(correlator) = correlator_of(sources, source.component, host) else {
        return;
    };
    let incoming = Incoming {
        subject,
        reason,
        reporting: [source.component, instance],
        message,
        fresh_name: &mut fresh_name,
    };
    let now = world.clock.now_time();
    let Some(outcome) = correlator.correlate(incoming, &now, now_ms) else {
        return;
    };
    // Sent in the background, through the component's client.
    world.clients.charge(source.component, now_ms);
    let namespace = match involved.namespace {
        "" => "default",
        ns => ns,
    };
    if outcome.count > 1 {
        match patch(world, namespace, &outcome, &now) {
            Patched::Done | Patched::Refused => return,
            Patched::NotFound => {}
        }
    }
    if !namespace_accepts_events(world, namespace) {
        return;
    }
    // An aggregate is made afresh, without the reporting controller and instance.
    let reporting = if outcome.aggregate {
        ("", "")
    } else {
        (source.component, instance)
    };
    let event = Event {
        metadata: ObjectMeta {
            name: Some(outcome.name.clone()),
            namespace: Some(namespace.to_string()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            api_version: Some(api_version.to_string()),
            kind: Some(info.kind.to_string()),
            name: Some(involved.name.to_string()),
            namespace: (!involved.namespace.is_empty()).then(|| involved.namespace.to_string()),
            uid: Some(involved.uid.to_string()),
            resource_version: involved.resource_version.map(str::to_string),
            ..Default::default()
        },
        reason: Some(reason.to_string()),
        message: Some(outcome.message.clone()),
        source: Some(EventSource {
            component: Some(source.component.to_string()),
            host: source.host.map(str::to_string),
        }),
        first_timestamp: Some(outcome.first.clone()),
        last_timestamp: Some(now),
        count: Some(outcome.count),
        type_: Some(kind.as_str().to_string()),
        reporting_component: Some(reporting.0.to_string()),
        reporting_instance: Some(reporting.1.to_string()),
        ..Default::default()
    };
    if world.create(Object::Event(Box::new(event))).is_ok() && outcome.aggregate {
        if let Some(c) = correlator_of(&mut world.events.sources, source.component, host) {
            c.written_aggregate(&subject, reason, &outcome);
        }
    }
}

/// The correlator of the source `component` on `host`, made on first use (looked up
/// without allocating).
fn correlator_of<'a>(
    sources: &'a mut BTreeMap<String, BTreeMap<String, Correlator>>,
    component: &str,
    host: &str,
) -> Option<&'a mut Correlator> {
    if !sources.contains_key(component) {
        sources.insert(component.to_string(), BTreeMap::new());
    }
    let hosts = sources.get_mut(component)?;
    if !hosts.contains_key(host) {
        hosts.insert(host.to_string(), Correlator::default());
    }
    hosts.get_mut(host)
}

/// How a repeat's patch went.
enum Patched {
    /// The event now has the new count.
    Done,
    /// The apiserver refused it: the event is dropped.
    Refused,
    /// The event is gone (its hour ran out): create it again.
    NotFound,
}

/// The patch `eventObserve` makes for a repeat: count, last time and message.
fn patch(world: &mut World, namespace: &str, outcome: &Outcome, now: &Time) -> Patched {
    let Some(Object::Event(stored)) = world.api.get("Event", namespace, &outcome.name) else {
        return Patched::NotFound;
    };
    let mut ev = stored.clone();
    ev.count = Some(outcome.count);
    ev.last_timestamp = Some(now.clone());
    ev.message = Some(outcome.message.clone());
    match world.api.update(Object::Event(ev)) {
        Ok(_) => Patched::Done,
        Err(_) => Patched::Refused,
    }
}

/// The apiserver refuses new events in a namespace that is missing or being deleted
/// (NamespaceLifecycle).
fn namespace_accepts_events(world: &World, namespace: &str) -> bool {
    world
        .api
        .get("Namespace", "", namespace)
        .is_some_and(|ns| ns.metadata().deletion_timestamp.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::time_from_ms;

    /// A world with the `default` namespace and a ConfigMap to report about.
    fn world() -> (World, Object) {
        let mut world = World::new(0, 1);
        let decode = |v: serde_json::Value| {
            let kind = v["kind"].as_str().unwrap_or_default().to_string();
            Object::decode_strict(&kind, &v).and_then(Result::ok)
        };
        let ns = decode(serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}
        }));
        let cm = decode(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": "default"}
        }));
        let now = world.clock.now_time();
        for obj in [ns, cm].into_iter().flatten() {
            let _ = world.api.restore(obj, now.clone(), &mut world.rng);
        }
        let cm = world.api.get("ConfigMap", "default", "cfg").cloned();
        (world, cm.expect("stored"))
    }

    fn events(world: &World) -> Vec<(String, i32, i64, i64)> {
        world
            .api
            .list("Event", Some("default"))
            .filter_map(|o| match o {
                Object::Event(e) => Some((
                    e.message.clone().unwrap_or_default(),
                    e.count.unwrap_or_default(),
                    crate::clock::ms_from_time(e.first_timestamp.as_ref()?),
                    crate::clock::ms_from_time(e.last_timestamp.as_ref()?),
                )),
                _ => None,
            })
            .collect()
    }

    fn warn(world: &mut World, cm: &Object, at_ms: i64) {
        world.clock.set(at_ms);
        world.api.expire(at_ms);
        let source = Source {
            component: "kubelet",
            host: Some("node1"),
        };
        record(world, cm, EventType::Warning, "Failed", "broken", source);
    }

    #[test]
    fn a_throttled_repeat_lands_with_the_dropped_ones_counted() {
        let (mut world, cm) = world();
        for s in 0..30 {
            warn(&mut world, &cm, s * 1_000);
        }
        assert_eq!(events(&world), [("broken".into(), 25, 0, 24_000)]);
        warn(&mut world, &cm, 299_999);
        assert_eq!(events(&world)[0].1, 25, "the bucket is not yet refilled");
        warn(&mut world, &cm, 300_000);
        assert_eq!(events(&world), [("broken".into(), 32, 0, 300_000)]);
    }

    #[test]
    fn a_repeat_of_an_expired_event_creates_it_again_with_its_count() {
        let (mut world, cm) = world();
        warn(&mut world, &cm, 0);
        warn(&mut world, &cm, 1_000);
        let name = world
            .api
            .list("Event", None)
            .next()
            .map(|e| e.name().to_string());
        warn(&mut world, &cm, 1_000 + 3_600_000);
        assert_eq!(events(&world), [("broken".into(), 3, 0, 3_601_000)]);
        let again = world
            .api
            .list("Event", None)
            .next()
            .map(|e| e.name().to_string());
        assert_eq!(again, name, "the same name, created anew");
        let created = world
            .api
            .list("Event", None)
            .next()
            .and_then(|e| e.metadata().creation_timestamp.clone());
        assert_eq!(created, Some(time_from_ms(3_601_000)));
    }
}
