//! The event recorder: `Event` objects as the kubelet, scheduler and controllers emit them,
//! with repeats folded into one event whose count grows.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use std::collections::BTreeMap;

use crate::api::object::Object;
use crate::world::World;

/// What the recorder remembers to fold repeats.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// Event names by (involved uid, reason, message).
    index: BTreeMap<(String, String, String), String>,
    /// Events recorded so far (the nanoseconds of their names).
    seq: u64,
}

/// `Normal` or `Warning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Routine.
    Normal,
    /// Something went wrong.
    Warning,
}

/// Who reports an event: `default-scheduler`, or `kubelet` on a host.
#[derive(Clone, Debug)]
pub struct Source<'a> {
    /// Reporting component.
    pub component: &'a str,
    /// Node name, for the kubelet.
    pub host: Option<&'a str>,
}

/// Records an event about `involved`. A repeat (same object, reason and message) raises the
/// existing event's count and last-seen time instead of adding a new one.
pub fn record(
    world: &mut World,
    involved: &Object,
    kind: EventType,
    reason: &str,
    message: &str,
    source: Source<'_>,
) {
    let now = world.clock.now_time();
    let uid = involved.metadata().uid.clone().unwrap_or_default();
    let namespace = match involved.namespace() {
        "" => "default".to_string(),
        ns => ns.to_string(),
    };
    // The apiserver refuses new events in a namespace being deleted (NamespaceLifecycle).
    if world
        .api
        .get("Namespace", "", &namespace)
        .is_none_or(|ns| ns.metadata().deletion_timestamp.is_some())
    {
        return;
    }
    let index_key = (uid.clone(), reason.to_string(), message.to_string());
    if let Some(name) = world.events.index.get(&index_key).cloned() {
        if let Some(Object::Event(existing)) = world.api.get("Event", &namespace, &name).cloned() {
            let mut ev = existing;
            ev.count = Some(ev.count.unwrap_or(1) + 1);
            ev.last_timestamp = Some(now);
            let _ = world.api.update(Object::Event(ev));
            return;
        }
    }
    world.events.seq += 1;
    let nanos = world.clock.now_ms() as u64 * 1_000_000 + world.events.seq;
    let name = format!("{}.{:x}", involved.name(), nanos);
    let info = involved.info();
    let event = Event {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(namespace),
            ..Default::default()
        },
        involved_object: ObjectReference {
            api_version: Some(info.api_version()),
            kind: Some(info.kind.to_string()),
            name: Some(involved.name().to_string()),
            namespace: (!involved.namespace().is_empty()).then(|| involved.namespace().to_string()),
            uid: Some(uid),
            resource_version: involved.metadata().resource_version.clone(),
            ..Default::default()
        },
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        source: Some(EventSource {
            component: Some(source.component.to_string()),
            host: source.host.map(str::to_string),
        }),
        first_timestamp: Some(now.clone()),
        last_timestamp: Some(now),
        count: Some(1),
        type_: Some(match kind {
            EventType::Normal => "Normal".to_string(),
            EventType::Warning => "Warning".to_string(),
        }),
        reporting_component: Some(source.component.to_string()),
        reporting_instance: Some(source.host.unwrap_or(source.component).to_string()),
        ..Default::default()
    };
    if world.create(Object::Event(Box::new(event))).is_ok() {
        world.events.index.insert(index_key, name);
    }
}
