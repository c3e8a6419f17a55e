//! metrics-server's scrape loop, while its pod runs: every `--metric-resolution` from its
//! start it reads each node's Summary (`node::stats::summary`, the kubelet's
//! `/metrics/resource`) and keeps the last two points of every node and container, as its
//! storage does (`pkg/storage`: a point moves to `prev` when a newer one comes; a container
//! started 10 s to one resolution before a scrape counts from its start); CPU is the rate of
//! the cumulative counter between the two. It publishes what the API would serve
//! (`ApiServer::publish_metrics`). Without `--kubelet-insecure-tls` every scrape fails
//! (the process logs why, `node::process::metrics_server`) and nothing is served.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};

use super::addon_pods::AddonPods;
use super::runtime::{Controller, Queue};
use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::apiserver::{ContainerMetrics, MetricsData, NodeMetrics, PodMetrics};
use crate::node::process::addon::{self, Program};
use crate::node::process::metrics_server::Flags;
use crate::node::stats;
use crate::world::World;

/// A container started this long before a scrape counts from its start.
const FRESH_CONTAINER_MIN_MS: i64 = 10_000;

/// One sample of a node or container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Point {
    /// When the node or container started (epoch ms).
    pub start_ms: i64,
    /// When it was measured (epoch ms).
    pub at_ms: i64,
    /// Cumulative CPU time since the start, core-ns.
    pub cpu_core_ns: u64,
    /// Working set, bytes.
    pub memory_bytes: u64,
}

/// Usage between two points: (nanocores, memory bytes, timestamp, window ms), or `None`
/// when the counters went backwards (upstream's "unexpected decrease") or no time passed.
pub fn rate(last: &Point, prev: &Point) -> Option<(u64, u64, i64, i64)> {
    if last.start_ms < prev.start_ms || last.cpu_core_ns < prev.cpu_core_ns {
        return None;
    }
    let window = last.at_ms - prev.at_ms;
    if window <= 0 {
        return None;
    }
    let used = u128::from(last.cpu_core_ns - prev.cpu_core_ns);
    let nanocores = used * 1_000 / window as u128;
    Some((
        u64::try_from(nanocores).unwrap_or(u64::MAX),
        last.memory_bytes,
        last.at_ms,
        window,
    ))
}

type PodKey = (String, String);

/// A pod's containers' points, in the pod's order.
type PodPoints = Vec<(String, Point)>;

/// The last two scrapes, as metrics-server's storage keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Storage {
    last_nodes: BTreeMap<String, Point>,
    prev_nodes: BTreeMap<String, Point>,
    last_pods: BTreeMap<PodKey, PodPoints>,
    prev_pods: BTreeMap<PodKey, PodPoints>,
}

impl Storage {
    /// Stores one scrape's batch.
    fn store(
        &mut self,
        nodes: BTreeMap<String, Point>,
        pods: BTreeMap<PodKey, PodPoints>,
        resolution_ms: i64,
    ) {
        let mut prev_nodes = BTreeMap::new();
        for (name, p) in &nodes {
            if let Some(old) = self.last_nodes.get(name) {
                if p.at_ms > old.at_ms {
                    prev_nodes.insert(name.clone(), *old);
                } else if let Some(prev) = self.prev_nodes.get(name) {
                    prev_nodes.insert(name.clone(), *prev);
                }
            }
        }
        let mut prev_pods = BTreeMap::new();
        for (key, containers) in &pods {
            let old = self.last_pods.get(key);
            let mut prev = Vec::new();
            for (name, p) in containers {
                let age = p.at_ms - p.start_ms;
                if age > 0 && age < resolution_ms && age >= FRESH_CONTAINER_MIN_MS {
                    let from_start = Point {
                        at_ms: p.start_ms,
                        cpu_core_ns: 0,
                        ..*p
                    };
                    prev.push((name.clone(), from_start));
                } else if let Some((_, o)) = old
                    .and_then(|o| o.iter().find(|(n, _)| n == name))
                    .filter(|(_, o)| p.start_ms < o.at_ms && p.at_ms > o.at_ms)
                {
                    prev.push((name.clone(), *o));
                }
            }
            if !prev.is_empty() {
                prev_pods.insert(key.clone(), prev);
            }
        }
        self.last_nodes = nodes;
        self.prev_nodes = prev_nodes;
        self.last_pods = pods;
        self.prev_pods = prev_pods;
    }

    /// What the API serves from it.
    fn serve(&self, world: &World) -> MetricsData {
        let mut data = MetricsData::default();
        for (name, last) in &self.last_nodes {
            let Some(prev) = self.prev_nodes.get(name) else {
                continue;
            };
            let Some((cpu, memory, at, window)) = rate(last, prev) else {
                continue;
            };
            let labels = world
                .api
                .get_as::<Node>("", name)
                .and_then(|n| n.metadata.labels.clone())
                .unwrap_or_default();
            data.nodes.insert(
                name.clone(),
                NodeMetrics {
                    name: name.clone(),
                    labels,
                    timestamp_ms: at,
                    window_ms: window,
                    cpu_nanocores: cpu,
                    memory_bytes: memory,
                },
            );
        }
        for (key, last) in &self.last_pods {
            let Some(prev) = self.prev_pods.get(key) else {
                continue;
            };
            let mut containers = Vec::new();
            let mut earliest: Option<(i64, i64)> = None;
            let mut complete = true;
            for (name, l) in last {
                let Some((_, p)) = prev.iter().find(|(n, _)| n == name) else {
                    complete = false;
                    break;
                };
                let Some((cpu, memory, at, window)) = rate(l, p) else {
                    continue;
                };
                containers.push(ContainerMetrics {
                    name: name.clone(),
                    cpu_nanocores: cpu,
                    memory_bytes: memory,
                });
                if earliest.is_none_or(|(t, _)| t > at) {
                    earliest = Some((at, window));
                }
            }
            if !complete {
                continue;
            }
            let labels = world
                .api
                .get_as::<Pod>(&key.0, &key.1)
                .and_then(|p| p.metadata.labels.clone())
                .unwrap_or_default();
            let (timestamp_ms, window_ms) = earliest.unwrap_or_default();
            data.pods.insert(
                key.clone(),
                PodMetrics {
                    namespace: key.0.clone(),
                    name: key.1.clone(),
                    labels,
                    timestamp_ms,
                    window_ms,
                    containers,
                },
            );
        }
        data
    }
}

/// The running metrics-server: its pod, its container's start and its flags.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Instance {
    pod: PodKey,
    start_ms: i64,
    flags: Flags,
}

/// The scrape loop of the running metrics-server.
#[derive(Clone, Debug)]
pub struct MetricsServer {
    pods: AddonPods,
    instance: Option<Instance>,
    /// Scrape rounds done by the current instance.
    rounds: i64,
    storage: Storage,
}

impl Default for MetricsServer {
    fn default() -> Self {
        MetricsServer {
            pods: AddonPods::of(Program::MetricsServer),
            instance: None,
            rounds: 0,
            storage: Storage::default(),
        }
    }
}

fn key() -> ObjectKey {
    ObjectKey {
        kind: "Pod",
        namespace: String::new(),
        name: "metrics-server".into(),
    }
}

/// The first running metrics-server pod, by (namespace, name).
fn running(world: &World) -> Option<Instance> {
    world.api.list_as::<Pod>(None).find_map(|p| {
        let (Program::MetricsServer, argv) = addon::pod_command(p)? else {
            return None;
        };
        let status = p.status.as_ref()?.container_statuses.as_ref()?.first()?;
        let started = status
            .state
            .as_ref()?
            .running
            .as_ref()?
            .started_at
            .as_ref()?;
        Some(Instance {
            pod: (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            ),
            start_ms: started.0.as_millisecond(),
            flags: Flags::from_argv(&argv),
        })
    })
}

/// One scrape of every node at `at_ms`: (node points, pod points).
fn scrape(world: &World, at_ms: i64) -> (BTreeMap<String, Point>, BTreeMap<PodKey, PodPoints>) {
    let mut nodes = BTreeMap::new();
    let mut pods = BTreeMap::new();
    let names: Vec<String> = world
        .api
        .list_as::<Node>(None)
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    for name in names {
        let s = stats::summary(world, &name, at_ms);
        nodes.insert(
            name,
            Point {
                start_ms: 0,
                at_ms,
                cpu_core_ns: s.cpu_usage_core_ns,
                memory_bytes: s.memory_working_set_bytes,
            },
        );
        for pod in s.pods {
            let points = pod
                .containers
                .iter()
                .map(|c| {
                    let p = Point {
                        start_ms: c.start_ms,
                        at_ms,
                        cpu_core_ns: c.cpu_usage_core_ns,
                        memory_bytes: c.memory_working_set_bytes,
                    };
                    (c.name.clone(), p)
                })
                .collect();
            pods.insert((pod.namespace, pod.name), points);
        }
    }
    (nodes, pods)
}

impl Controller for MetricsServer {
    fn name(&self) -> &'static str {
        "metrics-server"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Pod(_)) || (self.instance.is_some() && !self.pods.present())
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if self.pods.note(event) || (self.instance.is_some() && !self.pods.present()) {
            queue.add(key());
        }
    }

    fn sync(&mut self, world: &mut World, _key: &ObjectKey, queue: &mut Queue) {
        let current = if self.pods.present() {
            running(world)
        } else {
            None
        };
        let Some(instance) = current else {
            if self.instance.take().is_some() {
                self.rounds = 0;
                self.storage = Storage::default();
                world.api.publish_metrics(MetricsData::default());
            }
            return;
        };
        if self.instance.as_ref() != Some(&instance) {
            self.rounds = 0;
            self.storage = Storage::default();
            self.instance = Some(instance.clone());
        }
        let f = instance.flags;
        let now = world.clock.now_ms();
        let due = f.rounds_by(instance.start_ms, now);
        // Only the last two rounds can matter to what is served.
        for k in self.rounds.max(due - 2)..due {
            let at = f.round_at(instance.start_ms, k);
            let (nodes, pods) = if f.insecure_tls {
                scrape(world, at)
            } else {
                Default::default()
            };
            self.storage.store(nodes, pods, f.resolution_ms);
        }
        self.rounds = self.rounds.max(due);
        let data = self.storage.serve(world);
        world.api.publish_metrics(data);
        queue.requeue_at(world, f.round_at(instance.start_ms, due), key());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(start: i64, at: i64, cpu: u64) -> Point {
        Point {
            start_ms: start,
            at_ms: at,
            cpu_core_ns: cpu,
            memory_bytes: 5 << 20,
        }
    }

    #[test]
    fn rate_divides_the_counter_by_the_window() {
        // 1.5 core-seconds over 15 s: 100m = 100,000,000 nanocores.
        let prev = point(0, 15_000, 1_000_000_000);
        let last = point(0, 30_000, 2_500_000_000);
        assert_eq!(
            rate(&last, &prev),
            Some((100_000_000, 5 << 20, 30_000, 15_000))
        );
        assert_eq!(rate(&prev, &last), None);
        assert_eq!(rate(&last, &last), None);
    }

    #[test]
    fn storage_needs_two_points_unless_the_container_is_fresh() {
        let mut s = Storage::default();
        let pod = ("default".to_string(), "web".to_string());
        let old = vec![("web".to_string(), point(0, 60_000, 1))];
        let fresh = vec![("web".to_string(), point(48_000, 60_000, 1))];
        let mut pods = BTreeMap::new();
        pods.insert(pod.clone(), old);
        s.store(BTreeMap::new(), pods.clone(), 15_000);
        assert!(s.prev_pods.is_empty());
        let mut later = BTreeMap::new();
        later.insert(pod.clone(), vec![("web".to_string(), point(0, 75_000, 2))]);
        s.store(BTreeMap::new(), later, 15_000);
        assert_eq!(s.prev_pods.get(&pod).map(Vec::len), Some(1));
        let mut s = Storage::default();
        pods.insert(pod.clone(), fresh);
        s.store(BTreeMap::new(), pods, 15_000);
        assert_eq!(s.prev_pods[&pod][0].1.at_ms, 48_000);
    }
}
