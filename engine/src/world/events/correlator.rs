//! client-go's `EventCorrelator` (`tools/record/events_cache.go`), one per event source:
//! each event is aggregated (the tenth distinct message of one reason within ten minutes
//! becomes a `(combined from similar events): …` event), observed (repeats count up,
//! even those the filter then drops) and filtered (a token bucket per source and object).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::bucket::Bucket;
use super::key::{Key, KeyHasher};
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

/// What the correlator reads of an event.
pub struct Incoming<'a> {
    /// Source component and host, involved object kind, namespace, name, uid, apiVersion
    /// and the event type: what `getSpamKey` joins.
    pub subject: [&'a str; 8],
    /// The reason.
    pub reason: &'a str,
    /// The reporting controller and instance (the aggregate key's last parts).
    pub reporting: [&'a str; 2],
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

/// `getEventKey` (its field path is always empty here).
fn event_key(subject: &KeyHasher, reason: &str, message: &str) -> Key {
    subject.key(b'e', &[reason, message])
}

/// The key of a message among an aggregate's.
fn message_key(message: &str) -> Key {
    KeyHasher::of(&[message]).key(b'm', &[])
}

/// The distinct messages (hashed, sorted) of an aggregate key, and when it last had an
/// event.
#[derive(Clone, Debug)]
struct Aggregate {
    messages: Vec<Key>,
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
    aggregates: Lru<Key, Aggregate>,
    log: Lru<Key, Observation>,
    spam: Lru<Key, Bucket>,
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
    /// `EventCorrelate`: aggregate, observe, filter. `None` when the filter drops it (then
    /// nothing is built for it: the caches count it in place).
    pub fn correlate(&mut self, event: Incoming<'_>, now: &Time, now_ms: i64) -> Option<Outcome> {
        let subject = KeyHasher::of(&event.subject);
        let [controller, instance] = event.reporting;
        let aggregate_key = subject.key(b'a', &[event.reason, controller, instance]);
        let combined = self.aggregate(aggregate_key, event.message, now_ms);
        let log_key = if combined {
            aggregate_key
        } else {
            event_key(&subject, event.reason, event.message)
        };
        self.observe(log_key, now, event.fresh_name);
        if !self.allow(subject.key(b's', &[]), now_ms) {
            return None;
        }
        // `observe` has just put it: it is the most recently used, and `peek` keeps it so.
        let observed = self.log.peek(&log_key)?;
        let message = if combined {
            format!("{COMBINED_PREFIX}{}", event.message)
        } else {
            event.message.to_string()
        };
        Some(Outcome {
            name: observed.name.clone(),
            count: observed.count,
            first: observed.first.clone(),
            aggregate: combined,
            message,
        })
    }

    /// `UpdateState` after an aggregate's write: the server's copy is remembered under its
    /// own event key (which nothing looks up, but which takes a place in the cache).
    pub fn written_aggregate(&mut self, subject: &[&str; 8], reason: &str, outcome: &Outcome) {
        self.log.put(
            event_key(&KeyHasher::of(subject), reason, &outcome.message),
            Observation {
                count: outcome.count,
                first: outcome.first.clone(),
                name: outcome.name.clone(),
            },
        );
    }

    /// `EventAggregate`: whether this event is the aggregate of its key's messages.
    fn aggregate(&mut self, aggregate_key: Key, message: &str, now_ms: i64) -> bool {
        let local = message_key(message);
        let record = match self.aggregates.get(&aggregate_key) {
            Some(r) => {
                if now_ms.saturating_sub(r.last_ms) > AGGREGATE_INTERVAL_MS {
                    r.messages.clear();
                }
                r
            }
            None => {
                let fresh = Aggregate {
                    messages: Vec::new(),
                    last_ms: now_ms,
                };
                self.aggregates.put(aggregate_key, fresh);
                match self.aggregates.peek_mut(&aggregate_key) {
                    Some(r) => r,
                    None => return false,
                }
            }
        };
        if let Err(at) = record.messages.binary_search(&local) {
            record.messages.insert(at, local);
        }
        record.last_ms = now_ms;
        let combined = record.messages.len() >= AGGREGATE_MAX_EVENTS;
        if combined {
            // client-go drops one at random (`PopAny`); here the smallest hash.
            record.messages.remove(0);
        }
        combined
    }

    /// `eventObserve`: a repeat of a remembered event takes its name and first time and
    /// counts one more; either way it is remembered, written or not.
    fn observe(&mut self, log_key: Key, now: &Time, fresh_name: &mut dyn FnMut() -> String) {
        match self.log.get(&log_key) {
            Some(last) if last.count > 0 => last.count = last.count.saturating_add(1),
            _ => self.log.put(
                log_key,
                Observation {
                    count: 1,
                    first: now.clone(),
                    name: fresh_name(),
                },
            ),
        }
    }

    /// `EventSourceObjectSpamFilter.Filter`: whether the source's bucket for the object
    /// has a token.
    fn allow(&mut self, spam_key: Key, now_ms: i64) -> bool {
        if let Some(bucket) = self.spam.get(&spam_key) {
            return bucket.try_take(SPAM_BURST, SPAM_PERIOD_MS, now_ms);
        }
        let mut bucket = Bucket::full(SPAM_BURST, SPAM_PERIOD_MS, now_ms);
        let allowed = bucket.try_take(SPAM_BURST, SPAM_PERIOD_MS, now_ms);
        self.spam.put(spam_key, bucket);
        allowed
    }
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
        let mut names = 0;
        let mut fresh = || {
            names += 1;
            format!("web.{ms:x}")
        };
        c.correlate(
            Incoming {
                subject: [
                    "kubelet", "node1", "Pod", "default", "web", "uid-1", "v1", kind,
                ],
                reason,
                reporting: ["kubelet", "node1"],
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
        // Nine messages stay remembered, and one of them again is not combined.
        let subject = [
            "kubelet", "node1", "Pod", "default", "web", "uid-1", "v1", "Normal",
        ];
        let aggregate_key = KeyHasher::of(&subject).key(b'a', &["Created", "kubelet", "node1"]);
        let remembered = c.aggregates.get(&aggregate_key).unwrap().messages.clone();
        assert_eq!(remembered.len(), AGGREGATE_MAX_EVENTS - 1);
        let known = (0..=10)
            .map(|i| format!("pod {i}"))
            .find(|m| remembered.contains(&message_key(m)))
            .unwrap();
        let again = send(&mut c, "Normal", "Created", &known, 11_000).unwrap();
        assert!(!again.aggregate);
        assert_eq!(again.count, 2);
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
