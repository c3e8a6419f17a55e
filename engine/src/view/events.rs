//! The board's events feed: the newest cluster events, as `kubectl get events` lists them.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::Event;

use crate::cluster::Cluster;

/// One event (repeats folded into `count`).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventView {
    /// The Event object's name: stable across count updates, a key for lists.
    pub id: String,
    /// The namespace the event was recorded in.
    pub namespace: String,
    /// `Normal` or `Warning`.
    pub type_: String,
    /// `Scheduled`, `Pulling`, `FailedScheduling`, ...
    pub reason: String,
    /// OBJECT as `kubectl get events` prints it: `pod/web-6d4cf56db6-8xkqz`.
    pub object: String,
    /// The message.
    pub message: String,
    /// How many times it happened.
    pub count: i32,
    /// When it last happened, in simulated milliseconds since the epoch.
    pub last_seen_ms: i64,
    /// LAST SEEN as kubectl prints it, at the snapshot's time (`5s`, `2m3s`).
    pub age: String,
}

impl EventView {
    /// Whether this is a `Warning` event.
    pub fn is_warning(&self) -> bool {
        self.type_ == "Warning"
    }
}

/// The `limit` most recently changed events, newest first.
pub(super) fn read(cluster: &Cluster, now_ms: i64, limit: usize) -> Vec<EventView> {
    let mut events: Vec<(u64, &Event)> = cluster
        .world
        .api
        .list_as::<Event>(None)
        .map(|e| {
            let rv = e
                .metadata
                .resource_version
                .as_deref()
                .and_then(|r| r.parse().ok())
                .unwrap_or(0);
            (rv, e)
        })
        .collect();
    // The latest resourceVersion is the latest change, a repeat's count bump included.
    // Only the newest `limit` are turned into views.
    events.stable_sort_by_key(|e| std::cmp::Reverse(e.0));
    events
        .into_iter()
        .take(limit)
        .map(|(_, e)| view(e, now_ms))
        .collect()
}

fn view(e: &Event, now_ms: i64) -> EventView {
    let obj = &e.involved_object;
    let last_seen_ms = crate::api::event_times::last_seen_ms(e).unwrap_or(now_ms);
    EventView {
        id: e.metadata.name.clone().unwrap_or_default(),
        namespace: e.metadata.namespace.clone().unwrap_or_default(),
        type_: e.type_.clone().unwrap_or_default(),
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            obj.kind.clone().unwrap_or_default().to_ascii_lowercase(),
            obj.name.clone().unwrap_or_default()
        ),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.unwrap_or(1).max(1),
        last_seen_ms,
        age: super::human_age(crate::SimDuration::millis(now_ms - last_seen_ms)),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cluster, SimDuration};

    #[test]
    fn newest_events_first_with_kubectl_object_names() {
        let mut c = Cluster::new();
        c.run("kubectl run web --image=nginx");
        c.advance(SimDuration::seconds(20));
        let events = c.snapshot().events;
        assert!(!events.is_empty());
        let reasons: Vec<_> = events
            .iter()
            .filter(|e| e.object == "pod/web")
            .map(|e| e.reason.as_str())
            .collect();
        // Newest first: Started comes before Scheduled.
        let started = reasons.iter().position(|r| *r == "Started").unwrap();
        let scheduled = reasons.iter().position(|r| *r == "Scheduled").unwrap();
        assert!(started < scheduled, "{reasons:?}");
        let s = events.iter().find(|e| e.reason == "Scheduled").unwrap();
        assert_eq!(s.type_, "Normal");
        assert!(!s.is_warning());
        assert!(s
            .message
            .starts_with("Successfully assigned default/web to "));
        assert_eq!(s.age, "20s");
        assert_eq!(s.namespace, "default");
    }

    #[test]
    fn warnings_and_the_limit() {
        let mut c = Cluster::new();
        c.run("kubectl run typo --image=ngnix");
        c.advance(SimDuration::seconds(60));
        let events = c.snapshot().events;
        assert!(events
            .iter()
            .any(|e| e.is_warning() && e.object == "pod/typo"));
        assert!(events.len() <= super::super::EVENT_LIMIT);
        let back_off = events.iter().find(|e| e.reason == "BackOff");
        assert!(back_off.is_some_and(|e| e.count >= 1));
    }
}
