//! When an Event was seen, as kubectl reads it from either recorder's fields: the legacy
//! recorder's `firstTimestamp`, `lastTimestamp` and `count`, or the events API's `eventTime`
//! and `series` (the other fields stay empty).

use k8s_openapi::api::core::v1::Event;

use crate::clock::ms_from_time;

/// `kubectl get events`' FIRST SEEN (epoch ms): `firstTimestamp`, else `eventTime`.
pub fn first_seen_ms(e: &Event) -> Option<i64> {
    e.first_timestamp
        .as_ref()
        .map(ms_from_time)
        .or_else(|| event_time_ms(e))
}

/// `kubectl describe`'s first time (epoch ms): `eventTime`, else `firstTimestamp`.
pub fn described_first_ms(e: &Event) -> Option<i64> {
    event_time_ms(e).or_else(|| e.first_timestamp.as_ref().map(ms_from_time))
}

/// LAST SEEN (epoch ms): the series' last observation, else `lastTimestamp`, else the first
/// time.
pub fn last_seen_ms(e: &Event) -> Option<i64> {
    match series(e) {
        Some((_, last)) => Some(last),
        None => e
            .last_timestamp
            .as_ref()
            .map(ms_from_time)
            .or_else(|| first_seen_ms(e)),
    }
}

/// How many times it happened: the series' count, else `count` (a singleton of the events
/// API has none: 1).
pub fn count(e: &Event) -> i32 {
    match series(e) {
        Some((n, _)) => n,
        None => e.count.filter(|&c| c != 0).unwrap_or(1),
    }
}

/// The series' count and last observation (epoch ms), for an event the events API repeated.
pub fn series(e: &Event) -> Option<(i32, i64)> {
    let s = e.series.as_ref()?;
    Some((s.count?, s.last_observed_time.as_ref()?.0.as_millisecond()))
}

/// `eventTime` (epoch ms), set by the events API's recorder.
pub fn event_time_ms(e: &Event) -> Option<i64> {
    e.event_time.as_ref().map(|t| t.0.as_millisecond())
}
