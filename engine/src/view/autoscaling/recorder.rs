//! The autoscaling chart's memory: per HPA, a point on a fixed 15 s grid (aligned to the
//! cluster's boot) and each `SuccessfulRescale` decision, at most the last two hours.
//!
//! The cluster calls [`Recorder::before_clock_moves`] each time its clock is about to move
//! (and at the end of every advance), so a grid instant is sampled with the state after
//! everything due at or before it, however the learner splits time: advancing 60 s at once
//! or in 250 ms ticks records the same points. Decisions are read from the watch log at the
//! instant they were written.

use std::collections::{BTreeMap, VecDeque};

use k8s_openapi::api::core::v1::Pod;

use super::{hpas, scale_target, target_pods, ChartPoint, Decision, Hpa, HPA_KIND};
use crate::api::object::{Object, WatchEventType};
use crate::clock::BOOT_MS;
use crate::world::World;

/// The grid's step: the HPA controller's default sync period.
pub const SAMPLE_MS: i64 = 15_000;
/// Points kept per HPA: two hours of the grid.
pub const HISTORY_POINTS: usize = 480;
/// Decisions kept per HPA.
const DECISION_LIMIT: usize = 200;

/// One HPA's history.
#[derive(Clone, Debug, Default)]
struct Series {
    /// The HPA's uid: a re-created HPA starts a new history.
    uid: String,
    points: VecDeque<ChartPoint>,
    decisions: VecDeque<Decision>,
    /// Requests each target pod (by uid) had served at `served_ms`.
    served: BTreeMap<String, u64>,
    served_ms: Option<i64>,
}

/// The history of every HPA, fed as time passes.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// The watch log read so far.
    cursor: crate::apiserver::Cursor,
    /// The next grid instant to sample.
    next_ms: Option<i64>,
    /// By (namespace, name).
    series: BTreeMap<(String, String), Series>,
    /// Moves on every new point or decision.
    version: u64,
}

/// The first grid instant at or after `ms`.
fn grid_ceil(ms: i64) -> i64 {
    BOOT_MS
        + (ms - BOOT_MS).div_euclid(SAMPLE_MS) * SAMPLE_MS
        + if (ms - BOOT_MS).rem_euclid(SAMPLE_MS) == 0 {
            0
        } else {
            SAMPLE_MS
        }
}

/// `New size: 4; reason: …` → 4.
fn new_size(message: &str) -> Option<i32> {
    let rest = message.strip_prefix("New size: ")?;
    rest.split(';').next()?.trim().parse().ok()
}

impl Recorder {
    /// Moves on every new point or decision.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// `hpa`'s points and decisions, oldest first (empty for an HPA not seen yet).
    pub(crate) fn history(&self, hpa: &Hpa) -> (Vec<ChartPoint>, Vec<Decision>) {
        match self.series.get(&(hpa.namespace.clone(), hpa.name.clone())) {
            Some(s) if s.uid == hpa.uid => (
                s.points.iter().cloned().collect(),
                s.decisions.iter().cloned().collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// Records what happened at the current instant (decisions), then samples every grid
    /// instant before `to_ms` (and at `to_ms` when `inclusive`: the end of an advance, with
    /// everything due then done). Called before the cluster's clock moves to `to_ms`.
    pub(crate) fn before_clock_moves(&mut self, world: &World, to_ms: i64, inclusive: bool) {
        let next = self
            .next_ms
            .unwrap_or_else(|| grid_ceil(world.clock.now_ms()));
        let end = if inclusive { to_ms } else { to_ms - 1 };
        if world.api.list(HPA_KIND, None).next().is_none() {
            // Nothing to chart: forget gone HPAs and skip ahead at no cost.
            if !self.series.is_empty() {
                self.series.clear();
                self.version += 1;
            }
            // Nothing to read either: mark the log read.
            let _ = world.api.read(&self.cursor);
            self.next_ms = Some(next.max(grid_ceil(end + 1)));
            return;
        }
        let hpas = hpas(&world.api);
        self.forget_gone(&hpas);
        self.read_decisions(world, &hpas);
        // Older instants than the history keeps would be dropped at once: skip them.
        let oldest = grid_ceil(end - (HISTORY_POINTS as i64 - 1) * SAMPLE_MS);
        let mut at = next.max(oldest);
        while at <= end {
            self.sample(world, &hpas, at);
            at += SAMPLE_MS;
        }
        self.next_ms = Some(at);
    }

    /// Drops the series of HPAs that are gone or were re-created.
    fn forget_gone(&mut self, hpas: &[Hpa]) {
        let before = self.series.len();
        self.series.retain(|(ns, name), s| {
            hpas.iter()
                .any(|h| &h.namespace == ns && &h.name == name && h.uid == s.uid)
        });
        if self.series.len() != before {
            self.version += 1;
        }
    }

    fn series(&mut self, hpa: &Hpa) -> &mut Series {
        self.series
            .entry((hpa.namespace.clone(), hpa.name.clone()))
            .or_insert_with(|| Series {
                uid: hpa.uid.clone(),
                ..Series::default()
            })
    }

    /// `SuccessfulRescale` events written since the last look, as decisions taken now.
    fn read_decisions(&mut self, world: &World, hpas: &[Hpa]) {
        let mut rescales = Vec::new();
        for e in world.api.read(&self.cursor) {
            let Object::Event(ev) = &*e.object else {
                continue;
            };
            if matches!(e.kind, WatchEventType::Deleted)
                || ev.reason.as_deref() != Some("SuccessfulRescale")
                || ev.involved_object.kind.as_deref() != Some(HPA_KIND)
            {
                continue;
            }
            rescales.push((
                ev.metadata.namespace.clone().unwrap_or_default(),
                ev.involved_object.name.clone().unwrap_or_default(),
                ev.message.clone().unwrap_or_default(),
            ));
        }
        let now = world.clock.now_ms();
        for (namespace, name, message) in rescales {
            let Some(hpa) = hpas
                .iter()
                .find(|h| h.namespace == namespace && h.name == name)
            else {
                continue;
            };
            let to = new_size(&message).unwrap_or(hpa.desired_replicas);
            let series = self.series(hpa);
            // The status written with a rescale keeps the replicas the sync started from.
            let from = if hpa.current_replicas != to {
                hpa.current_replicas
            } else {
                series
                    .points
                    .back()
                    .map_or(hpa.current_replicas, |p| p.replicas)
            };
            series.decisions.push_back(Decision {
                at_ms: now,
                from,
                to,
                utilization: hpa.utilization,
                target: hpa.target,
                message,
            });
            if series.decisions.len() > DECISION_LIMIT {
                series.decisions.pop_front();
            }
            self.version += 1;
        }
    }

    /// One grid instant for every HPA.
    fn sample(&mut self, world: &World, hpas: &[Hpa], at: i64) {
        // Requests served per pod uid, per node, read once for all HPAs.
        let mut served_by_node: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for hpa in hpas {
            let target = scale_target(&world.api, hpa);
            let replicas = target
                .and_then(|t| {
                    t.to_json()
                        .pointer("/spec/replicas")
                        .and_then(|r| r.as_i64())
                })
                .map_or(hpa.current_replicas, |r| {
                    r.clamp(0, i64::from(i32::MAX)) as i32
                });
            let pods: Vec<&Pod> = target
                .map(|t| target_pods(&world.api, t))
                .unwrap_or_default();
            let mut served = BTreeMap::new();
            for pod in pods {
                let (Some(node), Some(uid)) = (
                    pod.spec.as_ref().and_then(|s| s.node_name.as_deref()),
                    pod.metadata.uid.as_deref(),
                ) else {
                    continue;
                };
                let counts = served_by_node
                    .entry(node.to_string())
                    .or_insert_with(|| requests_served(world, node, at));
                if let Some(n) = counts.get(uid) {
                    served.insert(uid.to_string(), *n);
                }
            }
            let series = self.series(hpa);
            let load_rps = match series.served_ms {
                Some(since) if at > since => {
                    let delta: u64 = served
                        .iter()
                        .map(|(uid, n)| {
                            n.saturating_sub(series.served.get(uid).copied().unwrap_or(0))
                        })
                        .sum();
                    delta as f64 * 1000.0 / (at - since) as f64
                }
                _ => 0.0,
            };
            series.served = served;
            series.served_ms = Some(at);
            series.points.push_back(ChartPoint {
                at_ms: at,
                replicas,
                utilization: hpa.utilization,
                target: hpa.target,
                load_rps,
            });
            if series.points.len() > HISTORY_POINTS {
                series.points.pop_front();
            }
            self.version += 1;
        }
    }
}

/// Requests served so far by each pod (by uid) on `node`, from its kubelet's Summary API.
fn requests_served(world: &World, node: &str, at: i64) -> BTreeMap<String, u64> {
    crate::node::stats::summary(world, node, at)
        .pods
        .into_iter()
        .map(|p| {
            let n = p
                .containers
                .iter()
                .fold(0u64, |sum, c| sum.saturating_add(c.requests_served));
            (p.uid, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_is_aligned_to_boot() {
        assert_eq!(grid_ceil(BOOT_MS), BOOT_MS);
        assert_eq!(grid_ceil(BOOT_MS + 1), BOOT_MS + SAMPLE_MS);
        assert_eq!(grid_ceil(BOOT_MS + SAMPLE_MS), BOOT_MS + SAMPLE_MS);
        assert_eq!(grid_ceil(BOOT_MS - 1), BOOT_MS);
    }

    #[test]
    fn new_size_is_read_from_the_message() {
        assert_eq!(
            new_size("New size: 4; reason: cpu resource utilization (percentage of request) above target"),
            Some(4)
        );
        assert_eq!(
            new_size("New size: 1; reason: All metrics below target"),
            Some(1)
        );
        assert_eq!(new_size("something else"), None);
    }

    #[test]
    fn without_hpas_nothing_is_kept_and_time_costs_nothing() {
        let mut c = crate::Cluster::new();
        c.run("kubectl create deployment web --image=nginx");
        c.advance(crate::SimDuration::seconds(3600 * 24 * 30));
        assert!(c.autoscalers().is_empty());
        assert!(c.autoscaling.series.is_empty());
        assert_eq!(c.autoscaling.version(), 0);
        assert!(c.autoscaling.next_ms.unwrap() > c.world.clock.now_ms());
    }
}
