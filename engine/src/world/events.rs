//! The event recorder: `Event` objects as the kubelet, scheduler and controllers emit them,
//! with repeats folded into one event whose count grows.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use std::collections::BTreeMap;

use crate::api::object::Object;
use crate::world::World;

/// The entries of client-go's event cache (`maxLruCacheEntries`): past it, the least
/// recently used is forgotten, and its next repeat starts a new Event.
const CACHE_ENTRIES: usize = 4096;

/// (involved uid, reason, message): what makes two events repeats.
type Fold = (String, String, String);

/// What the recorder remembers to fold repeats: a least-recently-used cache, as client-go's.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// Event names and their last use, by what they fold.
    index: BTreeMap<Fold, (String, u64)>,
    /// The same keys by last use, oldest first.
    used: BTreeMap<u64, Fold>,
    /// Events recorded so far (the nanoseconds of their names).
    seq: u64,
    /// Uses of the cache so far.
    uses: u64,
}

impl Recorder {
    /// The event name cached for `key`, marked as just used.
    fn lookup(&mut self, key: &Fold) -> Option<String> {
        let (name, last) = self.index.get_mut(key)?;
        self.uses += 1;
        self.used.remove(last);
        *last = self.uses;
        self.used.insert(self.uses, key.clone());
        Some(name.clone())
    }

    /// Caches `name` for `key`, forgetting the least recently used past the cache's size.
    fn remember(&mut self, key: Fold, name: String) {
        self.uses += 1;
        if let Some((_, last)) = self.index.insert(key.clone(), (name, self.uses)) {
            self.used.remove(&last);
        }
        self.used.insert(self.uses, key);
        while self.index.len() > CACHE_ENTRIES {
            let Some((_, oldest)) = self.used.pop_first() else {
                break;
            };
            self.index.remove(&oldest);
        }
    }

    /// How many repeats it can fold.
    #[cfg(test)]
    fn cached(&self) -> usize {
        self.index.len()
    }
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
    if let Some(name) = world.events.lookup(&index_key) {
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
        world.events.remember(index_key, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fold_cache_forgets_the_least_recently_used() {
        let mut r = Recorder::default();
        let key = |i: usize| (format!("uid-{i}"), "Pulled".to_string(), String::new());
        for i in 0..CACHE_ENTRIES {
            r.remember(key(i), format!("e{i}"));
        }
        assert_eq!(r.lookup(&key(0)).as_deref(), Some("e0"));
        r.remember(key(CACHE_ENTRIES), "new".into());
        assert_eq!(r.cached(), CACHE_ENTRIES);
        assert_eq!(r.lookup(&key(1)), None, "the oldest unused went");
        assert_eq!(r.lookup(&key(0)).as_deref(), Some("e0"));
        assert_eq!(r.used.len(), CACHE_ENTRIES);
    }
}
