//! What the board's traffic view shows, computed from an engine snapshot without touching
//! the DOM (unit-tested natively): per Service, each pod's share of its recent requests and
//! the failures; the newest requests as short lines; the pod that answered the newest one.

use kubeplay_engine::view::{BoardSnapshot, RequestView, ServiceTally};

use crate::board_model::{clock_text, owner_hues, percent};

/// How many of the newest requests the view lists.
pub const SHOWN_REQUESTS: usize = 8;

/// The traffic view's data for one snapshot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrafficModel {
    /// Services with recent requests, by `namespace/name`.
    pub services: Vec<ServiceRow>,
    /// The newest requests first, at most [`SHOWN_REQUESTS`].
    pub requests: Vec<RequestLine>,
    /// The newest request, as the engine gave it (a new one flashes its pod's tile).
    pub newest: Option<RequestView>,
}

/// One Service: which pods answered its recent requests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceRow {
    /// `namespace/name`.
    pub service: String,
    /// The requests counted (answered and failed).
    pub total: u32,
    /// The pods that answered, most first.
    pub pods: Vec<PodShare>,
    /// Requests that failed.
    pub failed: u32,
    /// Failed requests as a share of `total`, in percent.
    pub failed_percent: u32,
}

/// One pod's part of a Service's recent requests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodShare {
    /// The pod's name.
    pub name: String,
    /// How many requests it answered.
    pub count: u32,
    /// Its share of the Service's counted requests, in percent.
    pub percent: u32,
    /// Its ReplicaSet's hue (as its tile's stripe), when the pod is there and has an owner.
    pub hue: Option<u32>,
    /// The pod is no longer in the cluster.
    pub gone: bool,
}

/// How a listed request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Answered with this HTTP status.
    Status(u16),
    /// Failed, and where (the engine's words).
    Failed(String),
}

/// One request as a line: `host → default/web → web-7957885594-t5tk2 200`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLine {
    /// When it was sent, as the board's clock (`00:12:03`).
    pub time: String,
    /// The client: `host` or `pod/NAME`.
    pub from: String,
    /// The Service it went through (`namespace/name`), else the target as typed.
    pub via: String,
    /// The target as typed.
    pub target: String,
    /// The name of the pod that answered (or was chosen).
    pub pod: Option<String>,
    /// Its status or failure.
    pub ending: Ending,
}

impl RequestLine {
    fn new(r: &RequestView, boot_ms: i64) -> Self {
        let ending = match (r.status, &r.failure) {
            (_, Some(why)) => Ending::Failed(why.clone()),
            (Some(status), None) => Ending::Status(status),
            (None, None) => Ending::Failed(String::new()),
        };
        RequestLine {
            time: clock_text(r.at_ms.saturating_sub(boot_ms)),
            from: r.from.clone(),
            via: r.service.clone().unwrap_or_else(|| r.target.clone()),
            target: r.target.clone(),
            pod: r.pod.as_deref().map(|p| pod_name(p).to_string()),
            ending,
        }
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        matches!(self.ending, Ending::Failed(_))
    }

    /// The whole line as one text (a tooltip): `host → default/web → web-… 200`.
    pub fn text(&self) -> String {
        let mut s = format!("{} → {}", self.from, self.via);
        if self.via != self.target {
            s.push_str(&format!(" ({})", self.target));
        }
        if let Some(pod) = &self.pod {
            s.push_str(&format!(" → {pod}"));
        }
        match &self.ending {
            Ending::Status(code) => s.push_str(&format!("  {code}")),
            Ending::Failed(why) => s.push_str(&format!(" ✕ {why}")),
        }
        s
    }
}

/// `name` of a `namespace/name`.
fn pod_name(key: &str) -> &str {
    key.rsplit_once('/').map_or(key, |(_, name)| name)
}

impl TrafficModel {
    /// Reads a snapshot's traffic.
    pub fn new(snapshot: &BoardSnapshot) -> Self {
        let boot_ms = snapshot.now_ms.saturating_sub(snapshot.uptime.0);
        TrafficModel {
            services: snapshot
                .tallies
                .iter()
                .filter_map(|t| service_row(t, snapshot))
                .collect(),
            requests: snapshot
                .requests
                .iter()
                .take(SHOWN_REQUESTS)
                .map(|r| RequestLine::new(r, boot_ms))
                .collect(),
            newest: snapshot.requests.first().cloned(),
        }
    }

    /// No traffic to show: the view hides.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.requests.is_empty()
    }

    /// The pod (`namespace/name`) that answered the newest request, if it was answered.
    pub fn newest_answer(&self) -> Option<&str> {
        self.newest
            .as_ref()
            .filter(|r| r.status.is_some() && r.failure.is_none())
            .and_then(|r| r.pod.as_deref())
    }
}

fn service_row(t: &ServiceTally, snapshot: &BoardSnapshot) -> Option<ServiceRow> {
    let total = t.pods.iter().map(|(_, n)| *n).sum::<u32>() + t.failed;
    if total == 0 {
        return None;
    }
    let namespace = t.service.split_once('/').map_or("", |(ns, _)| ns);
    let pods = t
        .pods
        .iter()
        .map(|(name, count)| {
            let pod = snapshot
                .pods
                .iter()
                .find(|p| p.namespace == namespace && p.name == *name);
            PodShare {
                name: name.clone(),
                count: *count,
                percent: percent(i64::from(*count), i64::from(total)),
                hue: pod.and_then(owner_hues).map(|(_, rs)| rs),
                gone: pod.is_none(),
            }
        })
        .collect();
    Some(ServiceRow {
        service: t.service.clone(),
        total,
        pods,
        failed: t.failed,
        failed_percent: percent(i64::from(t.failed), i64::from(total)),
    })
}

/// The CSS selector of the board tile of pod `key` (`namespace/name`), for names as
/// Kubernetes allows them (lower-case letters, digits, `-`, `.`); `None` for anything else.
pub fn tile_selector(key: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-./".contains(c);
    (!key.is_empty() && key.chars().all(allowed)).then(|| {
        format!("[data-testid=\"pod-tile\"][data-pod=\"{key}\"]:not([data-leaving=\"true\"])")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_engine::view::{OwnerView, PodView};
    use kubeplay_engine::SimDuration;

    fn pod(name: &str, rs: &str) -> PodView {
        PodView {
            namespace: "default".into(),
            name: name.into(),
            owner: Some(OwnerView {
                kind: "Deployment".into(),
                name: "web".into(),
            }),
            replica_set: Some(rs.into()),
            ..Default::default()
        }
    }

    fn answered(at_ms: i64, pod: &str) -> RequestView {
        RequestView {
            at_ms,
            from: "host".into(),
            target: "192.168.1.101:31719".into(),
            service: Some("default/web".into()),
            pod: Some(format!("default/{pod}")),
            status: Some(200),
            failure: None,
        }
    }

    fn snapshot() -> BoardSnapshot {
        BoardSnapshot {
            now_ms: 1_000_000,
            uptime: SimDuration::millis(600_000),
            pods: vec![pod("web-a-1", "web-a"), pod("web-b-1", "web-b")],
            requests: vec![
                RequestView {
                    at_ms: 400_000 + 62_000,
                    from: "pod/client".into(),
                    target: "empty".into(),
                    service: Some("default/empty".into()),
                    pod: None,
                    status: None,
                    failure: Some("the Service has no ready endpoints".into()),
                },
                answered(400_000 + 61_000, "web-a-1"),
            ],
            tallies: vec![
                ServiceTally {
                    service: "default/empty".into(),
                    pods: vec![],
                    failed: 1,
                },
                ServiceTally {
                    service: "default/web".into(),
                    pods: vec![
                        ("web-a-1".into(), 3),
                        ("web-b-1".into(), 2),
                        ("web-old".into(), 1),
                    ],
                    failed: 2,
                },
                ServiceTally {
                    service: "default/quiet".into(),
                    pods: vec![],
                    failed: 0,
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn shares_count_every_request_of_the_window() {
        let m = TrafficModel::new(&snapshot());
        let names: Vec<_> = m.services.iter().map(|s| s.service.as_str()).collect();
        assert_eq!(
            names,
            ["default/empty", "default/web"],
            "no row without requests"
        );
        let web = &m.services[1];
        assert_eq!(web.total, 8);
        assert_eq!((web.failed, web.failed_percent), (2, 25));
        let shares: Vec<_> = web
            .pods
            .iter()
            .map(|p| (p.name.as_str(), p.count, p.percent, p.gone))
            .collect();
        assert_eq!(
            shares,
            [
                ("web-a-1", 3, 38, false),
                ("web-b-1", 2, 25, false),
                ("web-old", 1, 13, true)
            ]
        );
        // Pods of one ReplicaSet share its colour, as the tiles' stripes do.
        let hue = |name: &str| owner_hues(&pod(name, "web-a")).map(|(_, rs)| rs);
        assert_eq!(web.pods[0].hue, hue("web-a-1"));
        assert_ne!(web.pods[0].hue, web.pods[1].hue);
        assert_eq!(web.pods[2].hue, None);
        assert_eq!(m.services[0].failed_percent, 100);
    }

    #[test]
    fn requests_read_as_lines_at_the_board_clock() {
        let m = TrafficModel::new(&snapshot());
        assert_eq!(m.requests.len(), 2);
        let failed = &m.requests[0];
        assert!(failed.failed());
        assert_eq!(failed.time, "00:01:02");
        assert_eq!(
            failed.text(),
            "pod/client → default/empty (empty) ✕ the Service has no ready endpoints"
        );
        let ok = &m.requests[1];
        assert!(!ok.failed());
        assert_eq!(ok.pod.as_deref(), Some("web-a-1"));
        assert_eq!(
            ok.text(),
            "host → default/web (192.168.1.101:31719) → web-a-1  200"
        );
        assert_eq!(m.newest_answer(), None, "the newest failed");
        let mut s = snapshot();
        s.requests.remove(0);
        assert_eq!(
            TrafficModel::new(&s).newest_answer(),
            Some("default/web-a-1")
        );
    }

    #[test]
    fn the_view_lists_only_the_newest_and_hides_without_traffic() {
        assert!(TrafficModel::new(&BoardSnapshot::default()).is_empty());
        let mut s = snapshot();
        s.requests = (0..20).map(|i| answered(500_000 - i, "web-a-1")).collect();
        let m = TrafficModel::new(&s);
        assert!(!m.is_empty());
        assert_eq!(m.requests.len(), SHOWN_REQUESTS);
        assert_eq!(m.newest.as_ref().map(|r| r.at_ms), Some(500_000));
        // A request without a Service reads as its target.
        let mut direct = answered(0, "web-a-1");
        direct.service = None;
        let line = RequestLine::new(&direct, 0);
        assert_eq!(line.text(), "host → 192.168.1.101:31719 → web-a-1  200");
    }

    #[test]
    fn tile_selectors_only_for_kubernetes_names() {
        assert_eq!(
            tile_selector("default/web-7957885594-t5tk2").as_deref(),
            Some("[data-testid=\"pod-tile\"][data-pod=\"default/web-7957885594-t5tk2\"]:not([data-leaving=\"true\"])")
        );
        assert_eq!(tile_selector("default/a\"] b"), None);
        assert_eq!(tile_selector(""), None);
        assert_eq!(tile_selector("Default/Web"), None);
    }
}
