//! The stored events as `events.k8s.io/v1` serves them: the same objects as core `v1`
//! Events, converted field by field (`pkg/apis/events/v1` conversion): the involved object
//! becomes `regarding`, the message `note`, the source, count and first and last timestamps
//! their `deprecated…` fields.

use k8s_openapi::api::core::v1::Event as CoreEvent;
use k8s_openapi::api::events::v1::{Event, EventSeries};
use serde_json::Value;

/// `event` in the `events.k8s.io/v1` shape, as JSON.
pub fn served(event: &CoreEvent) -> Value {
    let e = event.clone();
    let series = e.series.and_then(|s| {
        Some(EventSeries {
            count: s.count?,
            last_observed_time: s.last_observed_time?,
        })
    });
    let v1 = Event {
        action: e.action,
        deprecated_count: e.count,
        deprecated_first_timestamp: e.first_timestamp,
        deprecated_last_timestamp: e.last_timestamp,
        deprecated_source: e.source,
        event_time: e.event_time,
        metadata: e.metadata,
        note: e.message,
        reason: e.reason,
        regarding: Some(e.involved_object),
        related: e.related,
        reporting_controller: e.reporting_component.filter(|c| !c.is_empty()),
        reporting_instance: e.reporting_instance.filter(|i| !i.is_empty()),
        series,
        type_: e.type_,
    };
    let mut v = serde_json::to_value(v1).unwrap_or(Value::Null);
    // Go serves structs even when unset (`omitempty` does not apply to them): the times as
    // null, the source as `{}`.
    if let Some(map) = v.as_object_mut() {
        for key in [
            "eventTime",
            "deprecatedFirstTimestamp",
            "deprecatedLastTimestamp",
        ] {
            map.entry(key).or_insert(Value::Null);
        }
        map.entry("deprecatedSource")
            .or_insert_with(|| Value::Object(Default::default()));
    }
    v
}
