//! What the cluster board shows, computed from an engine snapshot without touching the DOM
//! (unit-tested natively): pods per node lane, the namespace filter, status colours, owner
//! colours, the clock text and the events filter.

use std::collections::HashMap;

use kubeplay_engine::sort::SliceSort;
use kubeplay_engine::view::{BoardSnapshot, EventView, PodUsage, PodView};

/// The board's data for one generation of the cluster, indexed for the tiles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoardModel {
    /// The engine's snapshot.
    pub snapshot: BoardSnapshot,
    /// Each pod's [`tile_key`], in the snapshot's order (made once per snapshot: the lanes
    /// and tiles of a thousand pods read them every update).
    keys: Vec<String>,
    by_key: HashMap<String, usize>,
    /// Pods gone from the cluster, still drawn (fading out) for a few ticks: (pod, tick gone).
    leaving: Vec<(PodView, u64)>,
    /// Some new pods of the snapshot are not drawn yet (see [`BoardModel::next_in_steps`]).
    pub partial: bool,
}

/// The most tiles one board update adds; more new pods than this (a Deployment of 300)
/// arrive over the next frames, so no single frame has to build and lay out them all.
pub const MAX_NEW_TILES: usize = 50;

/// The most existing tiles one board update redraws (pods whose status changed); the
/// others are redrawn over the next frames.
pub const MAX_TILE_UPDATES: usize = 100;

/// How many ticks a deleted pod's tile stays to animate out.
pub const LEAVE_TICKS: u64 = 3;

/// Which namespaces the board shows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum NamespaceFilter {
    /// Every namespace (kube-system drawn faintly).
    #[default]
    All,
    /// One namespace.
    Only(String),
}

impl NamespaceFilter {
    /// The `<select>` value: empty for all namespaces.
    pub fn value(&self) -> String {
        match self {
            NamespaceFilter::All => String::new(),
            NamespaceFilter::Only(ns) => ns.clone(),
        }
    }

    /// The filter for a `<select>` value.
    pub fn from_value(value: &str) -> Self {
        if value.is_empty() {
            NamespaceFilter::All
        } else {
            NamespaceFilter::Only(value.to_string())
        }
    }

    /// Whether a pod of `namespace` is shown.
    pub fn shows(&self, namespace: &str) -> bool {
        match self {
            NamespaceFilter::All => true,
            NamespaceFilter::Only(ns) => ns == namespace,
        }
    }
}

impl BoardModel {
    /// Indexes a snapshot.
    pub fn new(snapshot: BoardSnapshot) -> Self {
        let keys = snapshot.pods.iter().map(tile_key).collect();
        Self::with_keys(snapshot, keys)
    }

    fn with_keys(snapshot: BoardSnapshot, keys: Vec<String>) -> Self {
        let by_key = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        BoardModel {
            snapshot,
            keys,
            by_key,
            leaving: Vec::new(),
            partial: false,
        }
    }

    /// The model of a newer snapshot, taken at `tick`: pods that vanished since this one stay
    /// as leaving tiles for [`LEAVE_TICKS`] ticks, so their exit can be animated.
    pub fn next(&self, snapshot: BoardSnapshot, tick: u64) -> Self {
        self.follow(BoardModel::new(snapshot), tick)
    }

    /// `model` with the tiles leaving since this one.
    fn follow(&self, mut model: BoardModel, tick: u64) -> Self {
        let gone_now = self
            .snapshot
            .pods
            .iter()
            .zip(&self.keys)
            .filter(|(_, k)| !model.by_key.contains_key(*k))
            .map(|(p, _)| (p.clone(), tick));
        let still_leaving = self
            .leaving
            .iter()
            .filter(|(p, since)| {
                tick < since + LEAVE_TICKS && !model.by_key.contains_key(&tile_key(p))
            })
            .cloned();
        model.leaving = gone_now.chain(still_leaving).collect();
        model
    }

    /// Like [`BoardModel::next`], but adding at most `max_new` tiles of pods this model
    /// does not draw yet (in the snapshot's order); the model is then `partial`, and the
    /// same snapshot given again adds the next ones.
    pub fn next_in_steps(&self, mut snapshot: BoardSnapshot, tick: u64, max_new: usize) -> Self {
        let all = snapshot.pods.len();
        let mut keys = Vec::with_capacity(all);
        let mut new = 0;
        snapshot.pods.retain(|p| {
            let key = tile_key(p);
            let drawn = self.by_key.contains_key(&key) || {
                new += 1;
                new <= max_new
            };
            if drawn {
                keys.push(key);
            }
            drawn
        });
        let partial = snapshot.pods.len() < all;
        let mut model = self.follow(BoardModel::with_keys(snapshot, keys), tick);
        model.partial = partial;
        model
    }

    /// Whether some leaving tile has had its time at `tick`.
    pub fn has_expired(&self, tick: u64) -> bool {
        self.leaving
            .iter()
            .any(|(_, since)| tick >= since + LEAVE_TICKS)
    }

    /// This model without the leaving tiles whose time is up at `tick`.
    pub fn expire(&self, tick: u64) -> Self {
        let mut model = self.clone();
        model
            .leaving
            .retain(|(_, since)| tick < since + LEAVE_TICKS);
        model
    }

    /// Every tile: its key, its pod, and whether it is leaving.
    pub fn tiles(&self) -> impl Iterator<Item = (String, &PodView, bool)> {
        let present = self
            .snapshot
            .pods
            .iter()
            .zip(&self.keys)
            .map(|(p, k)| (k.clone(), p, false));
        let leaving = self
            .leaving
            .iter()
            .map(|(p, _)| (tile_key(p), p, true))
            .filter(|(k, _, _)| !self.by_key.contains_key(k));
        present.chain(leaving)
    }

    /// Tile keys of the pods on `node` (`None`: the Unscheduled lane) that `filter` shows,
    /// leaving ones in their old place.
    pub fn lane(&self, node: Option<&str>, filter: &NamespaceFilter) -> Vec<String> {
        let on_lane = |p: &&PodView| p.node.as_deref() == node && filter.shows(&p.namespace);
        let mut keys: Vec<String> = self
            .snapshot
            .pods
            .iter()
            .zip(&self.keys)
            .filter(|(p, _)| on_lane(p))
            .map(|(_, k)| k.clone())
            .collect();
        let before = keys.len();
        keys.extend(
            self.leaving
                .iter()
                .map(|(p, _)| p)
                .filter(on_lane)
                .map(tile_key),
        );
        if keys.len() > before {
            keys.stable_sort();
        }
        keys
    }
}

/// A tile's identity: the pod's namespace, name and uid (a re-created pod is a new tile).
pub fn tile_key(p: &PodView) -> String {
    format!("{}/{}/{}", p.namespace, p.name, p.uid)
}

/// From how many pods a lane (a node's, or the Unscheduled one) draws them as small squares.
pub const DENSE_FROM: usize = 40;

/// The class of a lane of `pods` tiles: `dense` (small squares) above [`DENSE_FROM`].
pub fn lane_class(pods: usize) -> &'static str {
    if pods > DENSE_FROM {
        "pod-lane dense"
    } else {
        "pod-lane"
    }
}

/// The statuses the legend explains, in its order, with their CSS class.
pub const LEGEND: [(&str, &str); 8] = [
    ("Running", "st-running"),
    ("Pending", "st-pending"),
    ("ContainerCreating", "st-creating"),
    ("Terminating", "st-terminating"),
    ("CrashLoopBackOff", "st-crash"),
    ("ImagePullBackOff", "st-pull"),
    ("Completed", "st-completed"),
    ("Error", "st-error"),
];

/// The colour class of a kubectl STATUS text.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "Running" => "st-running",
        "Pending" => "st-pending",
        "ContainerCreating" | "PodInitializing" => "st-creating",
        "Terminating" => "st-terminating",
        "CrashLoopBackOff" => "st-crash",
        "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" | "ErrImageNeverPull" => "st-pull",
        "Completed" | "Succeeded" => "st-completed",
        s if s.starts_with("Init:") => "st-creating",
        "NotReady" | "Unknown" => "st-pending",
        _ => "st-error",
    }
}

/// A stable hue (0–359) for an owner name (FNV-1a), so a Deployment keeps its colour.
pub fn owner_hue(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % 360
}

/// A pod's owner hue (its ring) and its ReplicaSet's (its stripe; the owner's when the
/// pod has no ReplicaSet), or `None` for a pod without an owner.
pub fn owner_hues(p: &PodView) -> Option<(u32, u32)> {
    let owner = p.owner.as_ref()?;
    let owner_hue = owner_hue(&format!("{}/{}/{}", p.namespace, owner.kind, owner.name));
    let rs_hue = p
        .replica_set
        .as_deref()
        .map_or(owner_hue, |rs| owner_hue_of_rs(&p.namespace, rs));
    Some((owner_hue, rs_hue))
}

/// The inline style of a tile: its owner's colour (border) and its ReplicaSet's (stripe).
pub fn owner_style(p: &PodView) -> String {
    match owner_hues(p) {
        Some((owner_hue, rs_hue)) => format!("--owner-hue: {owner_hue}; --rs-hue: {rs_hue};"),
        None => String::new(),
    }
}

fn owner_hue_of_rs(namespace: &str, rs: &str) -> u32 {
    owner_hue(&format!("{namespace}/ReplicaSet/{rs}"))
}

/// The owner chain as a short text: `Deployment web › ReplicaSet web-6d4cf56db6`.
pub fn owner_text(p: &PodView) -> Option<String> {
    let owner = p.owner.as_ref()?;
    let mut s = format!("{} {}", owner.kind, owner.name);
    if let Some(rs) = p.replica_set.as_ref().filter(|rs| **rs != owner.name) {
        s.push_str(&format!(" › ReplicaSet {rs}"));
    }
    Some(s)
}

/// The simulated clock as `HH:MM:SS` (hours keep growing past 99).
pub fn clock_text(uptime_ms: i64) -> String {
    let s = uptime_ms.max(0) / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A used/total share as a whole percentage, clamped to 0–100 for bar widths.
pub fn percent(used: i64, total: i64) -> u32 {
    if total <= 0 {
        0
    } else {
        ((used.max(0) as f64 / total as f64) * 100.0)
            .round()
            .min(100.0) as u32
    }
}

/// `250m / 2` CPU as a learner reads it (cores with millicores).
pub fn cpu_text(milli: i64) -> String {
    if milli % 1000 == 0 {
        format!("{}", milli / 1000)
    } else {
        format!("{milli}m")
    }
}

/// Bytes in Mi or Gi (`170Mi`, `3.8Gi`).
pub fn memory_text(bytes: i64) -> String {
    const MI: f64 = 1024.0 * 1024.0;
    let mi = bytes as f64 / MI;
    if mi >= 1024.0 {
        format!("{:.1}Gi", mi / 1024.0)
    } else {
        format!("{}Mi", mi.round() as i64)
    }
}

/// A pod tile's usage bars: CPU against its request (else its limit), memory against its
/// limit (else its request), as whole percentages not clamped (over 100 % means over the
/// request), `None` without a denominator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageBars {
    /// CPU used, in percent of the request (or limit).
    pub cpu_pct: Option<u32>,
    /// Memory used, in percent of the limit (or request).
    pub memory_pct: Option<u32>,
    /// The numbers as text: `CPU 120m / 200m request · memory 12Mi / 128Mi limit`.
    pub text: String,
}

fn share(used: i64, of: Option<i64>) -> Option<u32> {
    let of = of.filter(|o| *o > 0)?;
    Some(
        ((used.max(0) as f64 / of as f64) * 100.0)
            .round()
            .min(9999.0) as u32,
    )
}

/// The bars of a pod's usage.
pub fn usage_bars(u: &PodUsage) -> UsageBars {
    let (cpu_of, cpu_word) = match (u.cpu_request_milli, u.cpu_limit_milli) {
        (Some(r), _) => (Some(r), "request"),
        (None, Some(l)) => (Some(l), "limit"),
        _ => (None, ""),
    };
    let (mem_of, mem_word) = match (u.memory_limit_bytes, u.memory_request_bytes) {
        (Some(l), _) => (Some(l), "limit"),
        (None, Some(r)) => (Some(r), "request"),
        _ => (None, ""),
    };
    let part = |name: &str, used: String, of: Option<String>, word: &str| match of {
        Some(of) => format!("{name} {used} / {of} {word}"),
        None => format!("{name} {used}"),
    };
    let text = format!(
        "{} · {}",
        part("CPU", cpu_text(u.cpu_milli), cpu_of.map(cpu_text), cpu_word),
        part(
            "memory",
            memory_text(u.memory_bytes),
            mem_of.map(memory_text),
            mem_word
        )
    );
    UsageBars {
        cpu_pct: share(u.cpu_milli, cpu_of),
        memory_pct: share(u.memory_bytes, mem_of),
        text,
    }
}

/// Whether an event matches the feed's text filter (case-insensitive, over every column)
/// and its "warnings only" switch.
pub fn event_matches(e: &EventView, text: &str, warnings_only: bool) -> bool {
    if warnings_only && !e.is_warning() {
        return false;
    }
    let needle = text.trim().to_lowercase();
    needle.is_empty()
        || [&e.type_, &e.reason, &e.object, &e.message, &e.namespace]
            .iter()
            .any(|f| f.to_lowercase().contains(&needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_engine::view::OwnerView;

    fn pod(ns: &str, name: &str, node: Option<&str>) -> PodView {
        PodView {
            namespace: ns.into(),
            name: name.into(),
            uid: format!("uid-{name}"),
            node: node.map(str::to_string),
            status: "Running".into(),
            ..Default::default()
        }
    }

    #[test]
    fn usage_bars_compare_cpu_to_the_request_and_memory_to_the_limit() {
        let u = PodUsage {
            cpu_milli: 250,
            memory_bytes: 12 << 20,
            cpu_request_milli: Some(200),
            cpu_limit_milli: Some(500),
            memory_request_bytes: Some(64 << 20),
            memory_limit_bytes: Some(128 << 20),
        };
        let b = usage_bars(&u);
        assert_eq!(b.cpu_pct, Some(125));
        assert_eq!(b.memory_pct, Some(9));
        assert_eq!(
            b.text,
            "CPU 250m / 200m request · memory 12Mi / 128Mi limit"
        );
        let bare = usage_bars(&PodUsage {
            cpu_milli: 1,
            memory_bytes: 4 << 20,
            ..PodUsage::default()
        });
        assert_eq!((bare.cpu_pct, bare.memory_pct), (None, None));
        assert_eq!(bare.text, "CPU 1m · memory 4Mi");
    }

    /// The tile `key` of `m`: its pod's name, and whether it is leaving.
    fn tile(m: &BoardModel, key: &str) -> Option<(String, bool)> {
        m.tiles()
            .find(|(k, _, _)| k == key)
            .map(|(_, p, leaving)| (p.name.clone(), leaving))
    }

    fn model() -> BoardModel {
        BoardModel::new(BoardSnapshot {
            pods: vec![
                pod("default", "a", Some("node1")),
                pod("default", "b", None),
                pod("kube-system", "c", Some("node1")),
            ],
            ..Default::default()
        })
    }

    #[test]
    fn lanes_follow_nodes_and_the_namespace_filter() {
        let m = model();
        let all = NamespaceFilter::All;
        assert_eq!(
            m.lane(Some("node1"), &all),
            ["default/a/uid-a", "kube-system/c/uid-c"]
        );
        assert_eq!(m.lane(None, &all), ["default/b/uid-b"]);
        let only = NamespaceFilter::from_value("default");
        assert_eq!(m.lane(Some("node1"), &only), ["default/a/uid-a"]);
        assert_eq!(tile(&m, "default/b/uid-b").unwrap().0, "b");
        assert!(tile(&m, "default/b/other").is_none());
        assert_eq!(NamespaceFilter::from_value(""), NamespaceFilter::All);
        assert_eq!(only.value(), "default");
    }

    #[test]
    fn many_new_pods_arrive_in_steps() {
        let empty = BoardModel::default();
        let snapshot = BoardSnapshot {
            pods: (0..7)
                .map(|i| pod("default", &format!("p{i}"), Some("node1")))
                .collect(),
            ..Default::default()
        };
        let first = empty.next_in_steps(snapshot.clone(), 1, 3);
        assert!(first.partial);
        assert_eq!(first.snapshot.pods.len(), 3);
        let second = first.next_in_steps(snapshot.clone(), 1, 3);
        assert_eq!(second.snapshot.pods.len(), 6);
        assert!(second.leaving.is_empty(), "nothing left the cluster");
        let third = second.next_in_steps(snapshot.clone(), 1, 3);
        assert!(!third.partial);
        assert_eq!(third, BoardModel::new(snapshot));
    }

    #[test]
    fn vanished_pods_leave_for_a_few_ticks() {
        let m = model();
        let mut snapshot = m.snapshot.clone();
        snapshot.pods.remove(0); // default/a is gone
        let next = m.next(snapshot.clone(), 10);
        assert_eq!(tile(&next, "default/a/uid-a"), Some(("a".into(), true)));
        assert_eq!(
            tile(&next, "kube-system/c/uid-c"),
            Some(("c".into(), false))
        );
        let all = NamespaceFilter::All;
        assert_eq!(
            next.lane(Some("node1"), &all),
            ["default/a/uid-a", "kube-system/c/uid-c"]
        );
        // A later snapshot keeps it until its time is up.
        let later = next.next(snapshot.clone(), 11);
        assert_eq!(tile(&later, "default/a/uid-a"), Some(("a".into(), true)));
        assert!(!later.has_expired(12));
        assert!(later.has_expired(10 + LEAVE_TICKS));
        let done = later.expire(10 + LEAVE_TICKS);
        assert!(tile(&done, "default/a/uid-a").is_none());
        assert_eq!(done.lane(Some("node1"), &all), ["kube-system/c/uid-c"]);
        assert!(tile(&next.next(snapshot, 10 + LEAVE_TICKS), "default/a/uid-a").is_none());
    }

    #[test]
    fn every_legend_status_has_its_own_class() {
        let classes: std::collections::BTreeSet<_> = LEGEND.iter().map(|(_, c)| *c).collect();
        assert_eq!(classes.len(), LEGEND.len());
        for (status, class) in LEGEND {
            assert_eq!(status_class(status), class, "{status}");
        }
        assert_eq!(status_class("ErrImagePull"), "st-pull");
        assert_eq!(status_class("ExitCode:1"), "st-error");
        assert_eq!(status_class("Init:0/1"), "st-creating");
    }

    #[test]
    fn owners_keep_a_stable_colour() {
        let mut p = pod("default", "web-6d4cf56db6-8xkqz", Some("node1"));
        assert_eq!(owner_style(&p), "");
        assert_eq!(owner_text(&p), None);
        p.owner = Some(OwnerView {
            kind: "Deployment".into(),
            name: "web".into(),
        });
        p.replica_set = Some("web-6d4cf56db6".into());
        let style = owner_style(&p);
        assert_eq!(style, owner_style(&p.clone()));
        assert!(style.starts_with("--owner-hue: "), "{style}");
        assert_eq!(
            owner_hue("default/Deployment/web"),
            owner_hue("default/Deployment/web")
        );
        assert_ne!(
            owner_hue("default/Deployment/web"),
            owner_hue("default/Deployment/api")
        );
        assert!(owner_hue("x") < 360);
        assert_eq!(
            owner_text(&p).unwrap(),
            "Deployment web › ReplicaSet web-6d4cf56db6"
        );
    }

    #[test]
    fn clock_and_quantities_read_well() {
        assert_eq!(clock_text(0), "00:00:00");
        assert_eq!(clock_text(192_000), "00:03:12");
        assert_eq!(clock_text(3_600_000 + 5_500), "01:00:05");
        assert_eq!(percent(500, 2000), 25);
        assert_eq!(percent(5, 0), 0);
        assert_eq!(percent(3000, 2000), 100);
        assert_eq!(cpu_text(2000), "2");
        assert_eq!(cpu_text(950), "950m");
        assert_eq!(memory_text(170 * 1024 * 1024), "170Mi");
        assert_eq!(memory_text(4 * 1024 * 1024 * 1024), "4.0Gi");
    }

    #[test]
    fn events_filter_by_text_and_warnings() {
        let e = EventView {
            type_: "Warning".into(),
            reason: "BackOff".into(),
            object: "pod/typo".into(),
            message: "Back-off pulling image \"ngnix\"".into(),
            ..Default::default()
        };
        assert!(event_matches(&e, "", false));
        assert!(event_matches(&e, "NGNIX", true));
        assert!(event_matches(&e, " pod/typo ", false));
        assert!(!event_matches(&e, "web", false));
        let normal = EventView {
            type_: "Normal".into(),
            ..e.clone()
        };
        assert!(!event_matches(&normal, "", true));
        assert!(event_matches(&normal, "", false));
    }
}
