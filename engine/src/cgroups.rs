//! The kernel's accounting of containers (their cgroups): how much CPU and memory each
//! running container uses over simulated time, capped by its limits.
//!
//! CPU is a sum of *demands*, each constant until its owner changes it (the image's idle
//! baseline, what its processes compute, the load its server carries), plus *charges* of
//! work done at an instant (one request's cost). Usage is the demand capped at the CPU
//! limit (the CFS quota throttles the rest), integrated lazily: reading the counter at any
//! instant costs the same however much time passed, and only changes cost work.
//! Memory is a working set its owners set; the kernel's OOM killer acts when a set would
//! pass the memory limit ([`Cgroups::set_memory`] says so; the runtime kills).
//!
//! Both the kubelet (which creates and removes groups, and runs the processes) and the
//! network (which delivers requests) write here; the kubelet's Summary API
//! (`node::stats`) reads it. It is owned by the `World`, like the disks in `storage`.

use std::collections::{BTreeMap, BTreeSet};

/// Which container a group accounts for: the pod's uid and the container's name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    /// The pod's uid.
    pub pod_uid: String,
    /// The container's name.
    pub container: String,
}

impl GroupKey {
    /// The group of container `container` of the pod with uid `pod_uid`.
    pub fn new(pod_uid: &str, container: &str) -> GroupKey {
        GroupKey {
            pod_uid: pod_uid.to_string(),
            container: container.to_string(),
        }
    }
}

/// A source of CPU demand; each is set independently and they add up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Demand {
    /// What the image's program uses while idle (from the image catalog).
    Baseline,
    /// What its processes compute (a busy loop, `stress`, a Job computing π).
    Process,
    /// What serving a steady stream of requests costs (the network's load streams).
    Load,
}

/// Why the kernel refused a memory increase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory;

/// One container's group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    /// The CPU limit (CFS quota), in millicores; `None` = unlimited (the node's cores).
    pub cpu_limit_milli: Option<u64>,
    /// The memory limit, in bytes; `None` = unlimited.
    pub memory_limit_bytes: Option<u64>,
    /// When it was created (epoch ms).
    pub start_ms: i64,
    /// The node its container runs on.
    pub node: String,
    /// Demands in millicores, by source.
    demands: BTreeMap<Demand, u64>,
    /// CPU time used up to `since_ms`, in core-nanoseconds.
    used_core_ns: u64,
    /// When `used_core_ns` was last brought up to date.
    since_ms: i64,
    /// The working set, in bytes.
    memory_bytes: u64,
    /// Requests served (Kubeplay's own counter, for the board's load).
    requests: u64,
}

impl Group {
    /// The CPU it uses now, in millicores: the demands' sum capped at the limit.
    pub fn cpu_milli(&self) -> u64 {
        let demand = self
            .demands
            .values()
            .fold(0u64, |sum, d| sum.saturating_add(*d));
        self.cpu_limit_milli.map_or(demand, |l| demand.min(l))
    }

    /// Whether its demand is above its CPU limit (it is being throttled).
    pub fn throttled(&self) -> bool {
        let demand = self
            .demands
            .values()
            .fold(0u64, |sum, d| sum.saturating_add(*d));
        self.cpu_limit_milli.is_some_and(|l| demand > l)
    }

    /// CPU time used up to `now_ms`, in core-nanoseconds.
    pub fn cpu_usage_core_ns(&self, now_ms: i64) -> u64 {
        let elapsed = now_ms.saturating_sub(self.since_ms).max(0) as u64;
        // millicores × ms = 10⁻³ core × 10⁶ ns = core-ns × 10³.
        self.used_core_ns.saturating_add(
            self.cpu_milli()
                .saturating_mul(elapsed)
                .saturating_mul(1_000),
        )
    }

    /// The working set, in bytes.
    pub fn memory_bytes(&self) -> u64 {
        self.memory_bytes
    }

    /// Requests its server answered.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    fn settle(&mut self, now_ms: i64) {
        if now_ms > self.since_ms {
            self.used_core_ns = self.cpu_usage_core_ns(now_ms);
            self.since_ms = now_ms;
        }
    }
}

/// Every container's group.
#[derive(Clone, Debug, Default)]
pub struct Cgroups {
    groups: BTreeMap<GroupKey, Group>,
    /// The groups on each node (a node's sums cost its own containers, not the cluster's).
    by_node: BTreeMap<String, BTreeSet<GroupKey>>,
    /// The working sets of each node's groups together, in bytes, kept as they change (the
    /// eviction manager reads it after every kubelet sync); wide enough never to saturate.
    node_memory: BTreeMap<String, u128>,
    /// CPU time of removed groups, by the node they ran on, in core-nanoseconds: a node's
    /// own counter never goes back when a container stops.
    retired: BTreeMap<String, u64>,
}

impl Cgroups {
    /// Creates (or re-creates, for a restarted container) a group on `node` with these
    /// limits at `now_ms`: its counters start from zero.
    pub fn create(
        &mut self,
        key: GroupKey,
        node: &str,
        cpu_limit_milli: Option<u64>,
        memory_limit_bytes: Option<u64>,
        now_ms: i64,
    ) {
        self.take(&key);
        // Looked up before it is made: no allocation for a node that has groups.
        match self.by_node.get_mut(node) {
            Some(keys) => {
                keys.insert(key.clone());
            }
            None => {
                self.by_node
                    .insert(node.to_string(), std::iter::once(key.clone()).collect());
            }
        }
        self.groups.insert(
            key,
            Group {
                cpu_limit_milli,
                memory_limit_bytes,
                start_ms: now_ms,
                node: node.to_string(),
                since_ms: now_ms,
                ..Group::default()
            },
        );
    }

    /// Removes a group from both maps.
    fn take(&mut self, key: &GroupKey) -> Option<Group> {
        let g = self.groups.remove(key)?;
        add_node_memory(&mut self.node_memory, &g.node, g.memory_bytes, 0);
        if let Some(keys) = self.by_node.get_mut(&g.node) {
            keys.remove(key);
            if keys.is_empty() {
                self.by_node.remove(&g.node);
            }
        }
        Some(g)
    }

    /// The keys of the pod with uid `pod_uid`'s groups.
    fn pod_keys(&self, pod_uid: &str) -> Vec<GroupKey> {
        self.of_pod(pod_uid)
            .map(|(container, _)| GroupKey::new(pod_uid, container))
            .collect()
    }

    /// Removes a stopped container's group.
    pub fn remove(&mut self, key: &GroupKey) {
        self.take(key);
    }

    /// Removes every group of the pod with uid `pod_uid`.
    pub fn remove_pod(&mut self, pod_uid: &str) {
        for k in self.pod_keys(pod_uid) {
            self.take(&k);
        }
    }

    /// Removes a stopped container's group at `now_ms`, its CPU time kept in `node`'s
    /// counter ([`Cgroups::retired_core_ns`]).
    pub fn retire(&mut self, key: &GroupKey, node: &str, now_ms: i64) {
        if let Some(g) = self.take(key) {
            let used = g.cpu_usage_core_ns(now_ms);
            match self.retired.get_mut(node) {
                Some(total) => *total = total.saturating_add(used),
                None => {
                    self.retired.insert(node.to_string(), used);
                }
            }
        }
    }

    /// Removes every group of the pod with uid `pod_uid` at `now_ms`, as [`Cgroups::retire`].
    pub fn retire_pod(&mut self, pod_uid: &str, node: &str, now_ms: i64) {
        for k in self.pod_keys(pod_uid) {
            self.retire(&k, node, now_ms);
        }
    }

    /// CPU time the removed groups of `node` used, in core-nanoseconds.
    pub fn retired_core_ns(&self, node: &str) -> u64 {
        self.retired.get(node).copied().unwrap_or(0)
    }

    /// The group, if its container runs.
    pub fn get(&self, key: &GroupKey) -> Option<&Group> {
        self.groups.get(key)
    }

    /// Sets one source's CPU demand, in millicores, from `now_ms` on.
    pub fn set_cpu_demand(&mut self, key: &GroupKey, source: Demand, milli: u64, now_ms: i64) {
        if let Some(g) = self.groups.get_mut(key) {
            g.settle(now_ms);
            if milli == 0 {
                g.demands.remove(&source);
            } else {
                g.demands.insert(source, milli);
            }
        }
    }

    /// Charges work done at an instant: `core_ms` of CPU time (one request's cost), and
    /// one request served when `request` is set.
    pub fn charge_cpu(&mut self, key: &GroupKey, core_ms: u64, request: bool, now_ms: i64) {
        if let Some(g) = self.groups.get_mut(key) {
            g.settle(now_ms);
            g.used_core_ns = g
                .used_core_ns
                .saturating_add(core_ms.saturating_mul(1_000_000));
            if request {
                g.requests = g.requests.saturating_add(1);
            }
        }
    }

    /// Adds `count` requests served to the counter (a load stream's, settled in bulk).
    pub fn count_requests(&mut self, key: &GroupKey, count: u64) {
        if let Some(g) = self.groups.get_mut(key) {
            g.requests = g.requests.saturating_add(count);
        }
    }

    /// Sets the working set; refuses (and leaves it) when it would pass the memory limit.
    pub fn set_memory(&mut self, key: &GroupKey, bytes: u64) -> Result<(), OutOfMemory> {
        let Some(g) = self.groups.get_mut(key) else {
            return Ok(());
        };
        if g.memory_limit_bytes.is_some_and(|l| bytes > l) {
            return Err(OutOfMemory);
        }
        let old = std::mem::replace(&mut g.memory_bytes, bytes);
        add_node_memory(&mut self.node_memory, &g.node, old, bytes);
        Ok(())
    }

    /// The working sets of every group on `node` together, in bytes.
    pub fn node_memory_bytes(&self, node: &str) -> u64 {
        let sum = self.node_memory.get(node).copied().unwrap_or(0);
        u64::try_from(sum).unwrap_or(u64::MAX)
    }

    /// The groups of the pod with uid `pod_uid`, by container name (keys sort by pod uid
    /// first: one range).
    pub fn of_pod<'a>(&'a self, pod_uid: &'a str) -> impl Iterator<Item = (&'a str, &'a Group)> {
        self.groups
            .range(GroupKey::new(pod_uid, "")..)
            .take_while(move |(k, _)| k.pod_uid == pod_uid)
            .map(|(k, g)| (k.container.as_str(), g))
    }
}

/// Moves `node`'s memory sum in `sums` from a group's `old` working set to its `new` one.
fn add_node_memory(sums: &mut BTreeMap<String, u128>, node: &str, old: u64, new: u64) {
    if old == new {
        return;
    }
    let sum = match sums.get_mut(node) {
        Some(sum) => sum,
        None => sums.entry(node.to_string()).or_default(),
    };
    *sum = sum
        .saturating_sub(u128::from(old))
        .saturating_add(u128::from(new));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_integrates_demand_capped_at_the_limit() {
        let mut c = Cgroups::default();
        let k = GroupKey::new("u", "c");
        c.create(k.clone(), "n", Some(500), Some(64 << 20), 1_000);
        c.set_cpu_demand(&k, Demand::Baseline, 1, 1_000);
        // 1m for 10 s = 10 core-ms.
        assert_eq!(c.get(&k).unwrap().cpu_usage_core_ns(11_000), 10_000_000);
        c.set_cpu_demand(&k, Demand::Load, 2_000, 11_000);
        assert!(c.get(&k).unwrap().throttled());
        // Capped at 500m: 10 s more = 5 core-s.
        assert_eq!(
            c.get(&k).unwrap().cpu_usage_core_ns(21_000),
            10_000_000 + 5_000_000_000
        );
        c.charge_cpu(&k, 100, true, 21_000);
        assert_eq!(c.get(&k).unwrap().requests(), 1);
        assert_eq!(c.set_memory(&k, 65 << 20), Err(OutOfMemory));
        assert_eq!(c.set_memory(&k, 8 << 20), Ok(()));
        assert_eq!(c.node_memory_bytes("n"), 8 << 20);
        assert_eq!(c.node_memory_bytes("m"), 0);
        let other = GroupKey::new("v", "c");
        c.create(other.clone(), "n", None, None, 21_000);
        assert_eq!(c.set_memory(&other, u64::MAX), Ok(()));
        assert_eq!(c.node_memory_bytes("n"), u64::MAX);
        // Re-creating a group starts its working set again from zero.
        c.create(other, "n", None, None, 22_000);
        assert_eq!(c.node_memory_bytes("n"), 8 << 20);
        c.remove_pod("u");
        assert!(c.get(&k).is_none());
        c.create(k.clone(), "n", None, None, 30_000);
        c.set_cpu_demand(&k, Demand::Process, 1_000, 30_000);
        c.retire_pod("u", "n", 31_000);
        assert!(c.get(&k).is_none());
        assert_eq!(c.retired_core_ns("n"), 1_000_000_000);
    }
}
