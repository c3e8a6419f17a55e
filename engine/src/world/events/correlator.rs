//! client-go's `EventCorrelator` (`tools/record/events_cache.go`), one per event source:
//! each event is aggregated (the tenth distinct message of one reason within ten minutes
//! becomes a `(combined from similar events): …` event), observed (repeats count up,
//! even those the filter then drops) and filtered (a token bucket per source and object).

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::bucket::Bucket;
use super::lru::Lru;

/// The entries of each cache (`maxLruCacheEntries`).
pub const CACHE_ENTRIES: usize = 4096;
/// Distinct messages of one aggregate key within the interval that make an aggregate
/// (`defaultAggregateMaxEvents`).
const AGGREGATE_MAX_EVENTS: usize = 10;
/// How long an aggregate key's messages are remembered since its last event
/// (`defaultAggregateIntervalInSeconds`).
const AGGREGATE_INTERVAL_MS: i64 = 600_000;
/// Events a source may send about one object at once (`defaultSpamBurst`).
const SPAM_BURST: i64 = 25;
/// One more event every five minutes (`defaultSpamQPS`, 1/300).
const SPAM_PERIOD_MS: i64 = 300_000;
/// What `EventAggregatorByReasonMessageFunc` puts before the message of an aggregate.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// What the correlator reads of an event: the parts of its keys, already joined.
pub struct Incoming<'a> {
    /// Source component and host, involved object kind, namespace, name, uid, apiVersion
    /// and the event type (`getSpamKey`).
    pub spam_key: &'a str,
    /// The reason, reporting controller and instance (with `spam_key`: the aggregate key).
    pub reason_key: &'a str,
    /// The reason alone (with `spam_key` and the message: `getEventKey`).
    pub reason: &'a str,
    /// The message.
    pub message: &'a str,
    /// The name a new event would get, made only if one is needed.
    pub fresh_name: &'a mut dyn FnMut() -> String,
}

/// What to write for an event the filter let through.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The event's name (a repeat's is the first occurrence's).
    pub name: String,
    /// Its count: above 1, a patch of the event called `name`.
    pub count: i32,
    /// When the first occurrence happened.
    pub first: Time,
    /// Whether this is an aggregate (message prefixed, no reporting controller).
    pub aggregate: bool,
    /// The message to write.
    pub message: String,
}

/// A key of the observation cache: an event's own key or an aggregate's.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum LogKey {
    Event(String),
    Aggregate(String),
}

/// The distinct messages of an aggregate key, and when it last had an event.
#[derive(Clone, Debug)]
struct Aggregate {
    messages: BTreeSet<String>,
    last_ms: i64,
}

/// What the logger remembers of an event (`eventLog`).
#[derive(Clone, Debug)]
struct Observation {
    count: i32,
    first: Time,
    name: String,
}

/// One source's correlator: its three caches.
#[derive(Clone, Debug)]
pub struct Correlator {
    aggregates: Lru<String, Aggregate>,
    log: Lru<LogKey, Observation>,
    spam: Lru<String, Bucket>,
}

impl Default for Correlator {
    fn default() -> Self {
        Correlator {
            aggregates: Lru::new(CACHE_ENTRIES),
            log: Lru::new(CACHE_ENTRIES),
            spam: Lru::new(CACHE_ENTRIES),
        }
    }
}

impl Correlator {
    /// `EventCorrelate`: aggregate, observe, filter. `None` when the filter drops it.
    pub fn correlate(&mut self, event: Incoming<'_>, now: &Time, now_ms: i64) -> Option<Outcome> {
        let aggregate_key = format!("{}\0{}", event.spam_key, event.reason_key);
        let combined = self.aggregate(aggregate_key.clone(), event.message, now_ms);
        let (key, message) = if combined {
            (
                LogKey::Aggregate(aggregate_key),
                format!("{COMBINED_PREFIX}{}", event.message),
            )
        } else {
            (
                LogKey::Event(event_key(event.spam_key, event.reason, event.message)),
                event.message.to_string(),
            )
        };
        let observed = self.observe(key, now, event.fresh_name);
        if !self.allow(event.spam_key, now_ms) {
            return None;
        }
        Some(Outcome {
            name: observed.name,
            count: observed.count,
            first: observed.first,
            aggregate: combined,
            message,
        })
    }

    /// `UpdateState` after an aggregate's write: the server's copy is remembered under its
    /// own event key (which nothing looks up, but which takes a place in the cache).
    pub fn written_aggregate(&mut self, spam_key: &str, reason: &str, outcome: &Outcome) {
        let key = LogKey::Event(event_key(spam_key, reason, &outcome.message));
        self.log.put(
            key,
            Observation {
                count: outcome.count,
                first: outcome.first.clone(),
                name: outcome.name.clone(),
            },
        );
    }

    /// `EventAggregate`: whether this event is the aggregate of its key's messages.
    fn aggregate(&mut self, key: String, message: &str, now_ms: i64) -> bool {
        let mut record = match self.aggregates.get(&key) {
            Some(r) if now_ms.saturating_sub(r.last_ms) <= AGGREGATE_INTERVAL_MS => r.clone(),
            _ => Aggregate {
                messages: BTreeSet::new(),
                last_ms: now_ms,
            },
        };
        record.messages.insert(message.to_string());
        record.last_ms = now_ms;
        let combined = record.messages.len() >= AGGREGATE_MAX_EVENTS;
        if combined {
            // client-go drops one at random (`PopAny`); the first in order here.
            record.messages.pop_first();
        }
        self.aggregates.put(key, record);
        combined
    }

    /// `eventObserve`: a repeat of a remembered event takes its name and first time and
    /// counts one more; either way it is remembered, written or not.
    fn observe(
        &mut self,
        key: LogKey,
        now: &Time,
        fresh_name: &mut dyn FnMut() -> String,
    ) -> Observation {
        let observed = match self.log.get(&key) {
            Some(last) if last.count > 0 => Observation {
                count: last.count.saturating_add(1),
                first: last.first.clone(),
                name: last.name.clone(),
            },
            _ => Observation {
                count: 1,
                first: now.clone(),
                name: fresh_name(),
            },
        };
        self.log.put(key, observed.clone());
        observed
    }

    /// `EventSourceObjectSpamFilter.Filter`: whether the source's bucket for the object
    /// has a token.
    fn allow(&mut self, spam_key: &str, now_ms: i64) -> bool {
        let key = spam_key.to_string();
        let mut bucket = self
            .spam
            .get(&key)
            .copied()
            .unwrap_or_else(|| Bucket::full(SPAM_BURST, SPAM_PERIOD_MS, now_ms));
        let allowed = bucket.try_take(SPAM_BURST, SPAM_PERIOD_MS, now_ms);
        self.spam.put(key, bucket);
        allowed
    }
}

/// `getEventKey` (its field path is always empty here).
fn event_key(spam_key: &str, reason: &str, message: &str) -> String {
    format!("{spam_key}\0{reason}\0{message}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::time_from_ms;

    /// Correlates an event about one pod from one kubelet at `ms`.
    fn send(
        c: &mut Correlator,
        kind: &str,
        reason: &str,
        message: &str,
        ms: i64,
    ) -> Option<Outcome> {
        let spam_key = format!("kubelet\0node1\0Pod\0default\0web\0uid-1\0v1\0{kind}");
        let reason_key = format!("{reason}\0kubelet\0node1");
        let mut names = 0;
        let mut fresh = || {
            names += 1;
            format!("web.{ms:x}")
        };
        c.correlate(
            Incoming {
                spam_key: &spam_key,
                reason_key: &reason_key,
                reason,
                message,
                fresh_name: &mut fresh,
            },
            &time_from_ms(ms),
            ms,
        )
    }

    #[test]
    fn repeats_count_up_on_the_first_occurrence() {
        let mut c = Correlator::default();
        let first = send(&mut c, "Warning", "BackOff", "Back-off", 1_000).unwrap();
        assert_eq!((first.name.as_str(), first.count), ("web.3e8", 1));
        let again = send(&mut c, "Warning", "BackOff", "Back-off", 9_000).unwrap();
        assert_eq!((again.name.as_str(), again.count), ("web.3e8", 2));
        assert_eq!(again.first, time_from_ms(1_000));
        let other = send(&mut c, "Warning", "Failed", "Error", 9_000).unwrap();
        assert_eq!((other.name.as_str(), other.count), ("web.2328", 1));
    }

    #[test]
    fn spam_past_the_burst_is_dropped_but_counted() {
        let mut c = Correlator::default();
        for i in 0..25 {
            let out = send(&mut c, "Normal", "Pulled", "pulled", i).unwrap();
            assert_eq!(out.count, i as i32 + 1);
        }
        // The burst is spent: the next repeats are counted, not written.
        for i in 25..36 {
            assert_eq!(send(&mut c, "Normal", "Pulled", "pulled", i), None);
        }
        // Other reasons of the same type share the bucket; another type has its own.
        assert_eq!(send(&mut c, "Normal", "Created", "created", 40), None);
        assert!(send(&mut c, "Warning", "BackOff", "Back-off", 40).is_some());
        // Five minutes on, one more gets through, its count jumped by the dropped ones.
        let out = send(&mut c, "Normal", "Pulled", "pulled", 300_000).unwrap();
        assert_eq!(out.count, 37);
        assert_eq!(send(&mut c, "Normal", "Pulled", "pulled", 300_001), None);
    }

    #[test]
    fn the_tenth_message_of_a_reason_in_ten_minutes_is_combined() {
        let mut c = Correlator::default();
        for i in 0..9 {
            let out = send(&mut c, "Normal", "Created", &format!("pod {i}"), i * 1_000).unwrap();
            assert!(!out.aggregate && out.count == 1, "{out:?}");
        }
        let tenth = send(&mut c, "Normal", "Created", "pod 9", 9_000).unwrap();
        assert!(tenth.aggregate);
        assert_eq!(tenth.message, "(combined from similar events): pod 9");
        assert_eq!((tenth.count, tenth.name.as_str()), (1, "web.2328"));
        let next = send(&mut c, "Normal", "Created", "pod 10", 10_000).unwrap();
        assert_eq!(next.message, "(combined from similar events): pod 10");
        assert_eq!((next.count, next.name.as_str()), (2, "web.2328"));
        // A message still among the remembered nine is not combined.
        let known = send(&mut c, "Normal", "Created", "pod 8", 11_000).unwrap();
        assert!(!known.aggregate);
        assert_eq!(known.count, 2);
    }

    #[test]
    fn ten_quiet_minutes_forget_the_messages() {
        let mut c = Correlator::default();
        for i in 0..9 {
            send(&mut c, "Normal", "Created", &format!("pod {i}"), i).unwrap();
        }
        let out = send(&mut c, "Normal", "Created", "pod 9", 8 + 600_001).unwrap();
        assert!(!out.aggregate, "{out:?}");
        // Exactly ten minutes after the last one is still the same window.
        let out = send(&mut c, "Normal", "Created", "pod 10", 8 + 1_200_001).unwrap();
        assert!(!out.aggregate, "two messages so far");
        for i in 11..18 {
            send(&mut c, "Normal", "Created", &format!("pod {i}"), 1_200_009).unwrap();
        }
        let out = send(&mut c, "Normal", "Created", "pod 18", 1_800_009).unwrap();
        assert!(out.aggregate, "{out:?}");
    }
}
