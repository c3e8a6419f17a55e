//! The runtime's side of the kernel's accounting (`world.cgroups`): a container's group is
//! created when it starts (its `resources.limits` as the CFS quota and memory limit), holds
//! its image's idle baseline and what its process computes or holds ([`Busy`]), is charged
//! each request its server answers, and is removed when it stops (its CPU time kept in its
//! node's counter). A working set past the memory limit is the OOM killer's: the container
//! dies with 137 (`OOMKilled`) the moment it allocates.

use k8s_openapi::api::core::v1::{Container as Spec, Pod};

use crate::api::quantity;
use crate::cgroups::{Demand, GroupKey};
use crate::node::images;
use crate::node::process::Busy;
use crate::node::runtime::SlotKey;
use crate::world::World;

/// How long a process takes to touch the memory it allocates (when the OOM killer strikes).
pub const ALLOC_MS: i64 = 120;

/// What starting a container's group decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Started {
    /// When the OOM killer kills it (epoch ms), if its memory passes the limit.
    pub oom_at: Option<i64>,
    /// A later change of its use (epoch ms): its process turns busy then.
    pub pending: Option<(i64, Busy)>,
}

/// The group of container `container` of `pod`.
pub fn key(pod: &Pod, container: &str) -> GroupKey {
    GroupKey::new(pod.metadata.uid.as_deref().unwrap_or_default(), container)
}

fn node_of(pod: &Pod) -> &str {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .unwrap_or_default()
}

/// Container `c`'s CPU limit (millicores) and memory limit (bytes), if set.
fn limits(c: &Spec) -> (Option<u64>, Option<u64>) {
    let limits = c.resources.as_ref().and_then(|r| r.limits.as_ref());
    let get = |name: &str, scale: f64| {
        limits
            .and_then(|l| l.get(name))
            .and_then(|q| quantity::parse(&q.0))
            .filter(|v| *v > 0.0)
            .map(|v| (v * scale).ceil().min(1e15) as u64)
    };
    (get("cpu", 1000.0), get("memory", 1.0))
}

/// Creates the group of container `c` of `pod` whose process starts at `start_ms` and turns
/// `busy` as its run found (the runtime's start). A restarted container's group starts again
/// from zero.
pub fn start(world: &mut World, pod: &Pod, c: &Spec, start_ms: i64, busy: Option<Busy>) -> Started {
    let k = key(pod, &c.name);
    world.cgroups.retire(&k, node_of(pod), start_ms);
    let (cpu, memory) = limits(c);
    world
        .cgroups
        .create(k.clone(), node_of(pod), cpu, memory, start_ms);
    let image = c.image.as_deref().unwrap_or_default();
    let idle = apply(world, &k, image, Busy::default(), start_ms);
    let mut started = Started {
        oom_at: idle.then_some(start_ms + ALLOC_MS),
        pending: None,
    };
    match busy {
        Some(b) if b.at > 0 => started.pending = Some((start_ms.saturating_add(b.at), b)),
        Some(b) if apply(world, &k, image, b, start_ms) => {
            started.oom_at = started.oom_at.or(Some(start_ms + ALLOC_MS));
        }
        _ => {}
    }
    started
}

/// Sets the group's demands for `image`'s baseline plus `busy` from `at_ms`; whether the
/// memory passed the limit (the OOM killer's cue).
fn apply(world: &mut World, k: &GroupKey, image: &str, busy: Busy, at_ms: i64) -> bool {
    let (idle_milli, idle_bytes) = images::idle_use(image);
    let groups = &mut world.cgroups;
    groups.set_cpu_demand(k, Demand::Baseline, idle_milli, at_ms);
    groups.set_cpu_demand(k, Demand::Process, busy.cpu_milli, at_ms);
    groups
        .set_memory(k, idle_bytes.saturating_add(busy.memory_bytes))
        .is_err()
}

/// Applies a pending change of container `c`'s use at `at_ms`: when the OOM killer kills it,
/// if it does.
pub fn turn_busy(world: &mut World, pod: &Pod, c: &Spec, busy: Busy, at_ms: i64) -> Option<i64> {
    let k = key(pod, &c.name);
    let image = c.image.as_deref().unwrap_or_default();
    apply(world, &k, image, busy, at_ms).then_some(at_ms + ALLOC_MS)
}

/// Removes container `container`'s group: it stopped at `at_ms`.
pub fn stop(world: &mut World, pod: &Pod, container: &str, at_ms: i64) {
    world
        .cgroups
        .retire(&key(pod, container), node_of(pod), at_ms);
}

/// Removes every group of `pod` (it is gone from its node).
pub fn forget(world: &mut World, pod: &Pod) {
    let now = world.clock.now_ms();
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    world.cgroups.retire_pod(uid, node_of(pod), now);
}

/// Creates the groups of a pod that runs since boot without the runtime having started it
/// (the kube-system pods): one per running container, from its `startedAt`, at its image's
/// idle baseline.
pub fn adopt(world: &mut World, pod: &Pod) {
    let statuses = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten());
    for st in statuses {
        let Some(started) = st
            .state
            .as_ref()
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.as_ref())
        else {
            continue;
        };
        let Some(c) = pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .find(|c| c.name == st.name)
        else {
            continue;
        };
        start(world, pod, c, crate::clock::ms_from_time(started), None);
    }
}

/// Charges the container of `slot` for answering a request at `at_ms` that cost `cpu_ms`
/// of CPU time (the network's delivery path).
pub fn charge_request(world: &mut World, slot: &SlotKey, cpu_ms: u64, at_ms: i64) {
    let (namespace, name, container) = slot;
    let Some(uid) = world
        .api
        .get_as::<Pod>(namespace, name)
        .and_then(|p| p.metadata.uid.clone())
    else {
        return;
    };
    let k = GroupKey::new(&uid, container);
    world.cgroups.charge_cpu(&k, cpu_ms, true, at_ms);
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodSpec, ResourceRequirements};
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

    fn pod(image: &str, cpu: &str, memory: &str) -> (Pod, Spec) {
        let mut limits = std::collections::BTreeMap::new();
        for (k, v) in [("cpu", cpu), ("memory", memory)] {
            if !v.is_empty() {
                limits.insert(k.to_string(), Quantity(v.into()));
            }
        }
        let c = Spec {
            name: "app".into(),
            image: Some(image.into()),
            resources: Some(ResourceRequirements {
                limits: Some(limits),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut p = Pod {
            spec: Some(PodSpec {
                containers: vec![c.clone()],
                node_name: Some("node1".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        p.metadata.uid = Some("uid-1".into());
        p.metadata.namespace = Some("default".into());
        p.metadata.name = Some("web".into());
        (p, c)
    }

    #[test]
    fn baseline_busy_loop_throttled_at_the_limit() {
        let mut w = World::new(0, 1);
        let (p, c) = pod("nginx", "200m", "");
        let s = start(
            &mut w,
            &p,
            &c,
            1_000,
            Some(crate::node::process::script::spinning(0)),
        );
        assert_eq!(s, Started::default());
        let g = w.cgroups.get(&key(&p, "app")).unwrap();
        assert_eq!(g.cpu_limit_milli, Some(200));
        assert!(g.throttled());
        assert_eq!(g.cpu_milli(), 200);
        // 10 s at 200m = 2 core-s.
        assert_eq!(g.cpu_usage_core_ns(11_000), 2_000_000_000);
        assert_eq!(g.memory_bytes(), images::idle_use("nginx").1);
        stop(&mut w, &p, "app", 11_000);
        assert!(w.cgroups.get(&key(&p, "app")).is_none());
        assert_eq!(w.cgroups.retired_core_ns("node1"), 2_000_000_000);
    }

    #[test]
    fn memory_past_the_limit_is_oom_killed() {
        let mut w = World::new(0, 1);
        let (p, c) = pod("polinux/stress", "", "100Mi");
        let busy = Busy {
            at: 0,
            cpu_milli: 0,
            memory_bytes: 250 << 20,
        };
        let s = start(&mut w, &p, &c, 5_000, Some(busy));
        assert_eq!(s.oom_at, Some(5_000 + ALLOC_MS));
        let fits = Busy {
            memory_bytes: 50 << 20,
            ..busy
        };
        let s = start(&mut w, &p, &c, 9_000, Some(Busy { at: 3_000, ..fits }));
        assert_eq!(s.oom_at, None);
        assert_eq!(s.pending, Some((12_000, Busy { at: 3_000, ..fits })));
        assert_eq!(
            turn_busy(&mut w, &p, &c, busy, 12_000),
            Some(12_000 + ALLOC_MS)
        );
        assert_eq!(turn_busy(&mut w, &p, &c, fits, 12_000), None);
    }

    #[test]
    fn requests_are_charged_to_their_container() {
        let mut w = World::new(0, 1);
        let (p, c) = pod("registry.k8s.io/hpa-example", "500m", "");
        w.api
            .restore(
                crate::api::object::Object::Pod(Box::new(p.clone())),
                crate::clock::time_from_ms(0),
                &mut crate::rng::Rng::new(0),
            )
            .unwrap();
        let stored = w.api.get_as::<Pod>("default", "web").unwrap().clone();
        start(&mut w, &stored, &c, 0, None);
        let slot = ("default".to_string(), "web".to_string(), "app".to_string());
        charge_request(&mut w, &slot, 100, 1_000);
        let g = w.cgroups.get(&key(&stored, "app")).unwrap();
        assert_eq!(g.requests(), 1);
        // 1m idle for 1 s plus the request's 100 ms.
        assert_eq!(g.cpu_usage_core_ns(1_000), 1_000_000 + 100_000_000);
    }
}
