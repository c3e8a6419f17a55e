//! The node side: what runs on each simulated node. The kubelet (`kubelet`) walks each pod
//! bound to its node through its lifecycle stages (image pulls, start, termination), the
//! container runtime (`runtime`) runs containers' processes (`process`: the images' main
//! programs and shells) with restarts and back-off, and `images` is the registry's catalog.
//! `usage` keeps each running container's cgroup (CPU, memory, the OOM killer) and `stats`
//! is the kubelet's Summary API over them.
//!
//! Everything the node side remembers lives in [`Kubelet`]; it acts on the cluster only
//! through the [`World`] (the API server, the clock, timers), as a real kubelet only talks
//! to the apiserver.

pub mod agent;
pub mod env;
pub mod eviction;
pub mod hooks;
pub mod images;
pub mod init;
pub mod kubelet;
pub mod probes;
pub mod process;
pub mod pull_secrets;
pub mod runtime;
pub mod slots;
pub mod static_pods;
pub mod stats;
pub mod system_pods;
pub mod usage;
pub mod volumes;

#[cfg(test)]
mod lifecycle_tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::api::object::{Object, WatchEventType};
use crate::world::World;
pub use kubelet::Stage;

/// What the kubelets and container runtimes of every node remember.
#[derive(Clone, Debug, Default)]
pub struct Kubelet {
    /// Each pod's lifecycle stage, by pod uid.
    pub stages: BTreeMap<String, Stage>,
    /// Images present on each node, as (node, image as written in the pod).
    pub image_cache: BTreeSet<(String, String)>,
    /// Last pod IP host number handed out on each node.
    pub next_pod_ip: BTreeMap<String, u32>,
    /// Each container's processes and restart back-off.
    pub containers: slots::Slots,
    /// The containers whose current process may send requests of its own (a shell's `-c`
    /// script, `ab`): what the network's load model scans, not every container. Kept with
    /// `containers` by [`runtime::set_current`] and [`Kubelet::remove_container`].
    pub streamers: BTreeSet<runtime::SlotKey>,
    /// Each pod's budget for probe events, as (credit in ms, when it was counted): the
    /// event recorder's spam filter (a burst of 25, then one every 5 minutes per object).
    pub probe_event_budget: BTreeMap<String, (i64, i64)>,
    /// Failed tries to set up each pod's volumes, by pod uid (the retry back-off).
    pub mount_attempts: BTreeMap<String, u32>,
    /// The kubelets' watch cursor on pods.
    cursor: crate::apiserver::Cursor,
    /// The watch that keeps configMap, secret and downwardAPI files up to date.
    pub projections: volumes::projection::refresh::Watch,
    /// The eviction managers' state: pods with local storage limits and their usage, nodes
    /// short of memory.
    pub eviction: eviction::Manager,
    /// The static pods each kubelet runs from its manifest directory.
    pub static_pods: static_pods::StaticPods,
    /// The count of node disk writes when the failing kubelets last read their files.
    failing_seen_writes: Option<u64>,
}

/// The node side at work: the world it acts on and its own state.
pub struct NodeCx<'a> {
    /// The API server, clock and timers.
    pub world: &'a mut World,
    /// The kubelets' and runtimes' state.
    pub kubelet: &'a mut Kubelet,
}

/// Whether the pod `namespace/name` is bound to a node whose kubelet is stopped.
fn on_stopped_node(world: &World, namespace: &str, name: &str) -> bool {
    world.heartbeats.any_down()
        && world
            .api
            .get_as::<k8s_openapi::api::core::v1::Pod>(namespace, name)
            .and_then(|p| p.spec.as_ref()?.node_name.as_deref())
            .is_some_and(|node| world.heartbeats.is_down(node))
}

impl Kubelet {
    /// The containers whose process may send requests ([`Kubelet::streamers`]), with their
    /// slots, in key order.
    pub fn streaming(&self) -> impl Iterator<Item = (&runtime::SlotKey, &runtime::Slot)> {
        self.streamers
            .iter()
            .filter_map(|k| Some((k, self.containers.get(k)?)))
    }

    /// Forgets container `key` (its slot, and whether it streams).
    pub(crate) fn remove_container(&mut self, key: &runtime::SlotKey) {
        self.containers.remove(key);
        self.streamers.remove(key);
    }

    /// Runs the kubelet's next step for a pod (a `KubeletSync` timer task).
    pub fn sync(&mut self, world: &mut World, namespace: &str, name: &str, uid: &str) {
        self.forget_deleted(world);
        if on_stopped_node(world, namespace, name) {
            // Its kubelet syncs every pod again when it starts.
            return;
        }
        let mut cx = NodeCx {
            world,
            kubelet: self,
        };
        kubelet::sync(&mut cx, namespace, name, uid);
        // The pod as the sync left it (one read serves both eviction checks).
        let Some(pod) = cx
            .world
            .api
            .get_as::<k8s_openapi::api::core::v1::Pod>(namespace, name)
        else {
            return;
        };
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
        if pod.metadata.uid.as_deref() == Some(uid) && eviction::wants_watch(&cx, pod) {
            eviction::watch(&mut cx, namespace, name, uid);
        }
        if let Some(node) = node {
            eviction::memory::notice(&mut cx, &node);
        }
    }

    /// `systemctl stop kubelet` on `node` ([`agent::stop`]).
    pub fn stop_agent(&mut self, world: &mut World, node: &str) {
        agent::stop(
            &mut NodeCx {
                world,
                kubelet: self,
            },
            node,
        );
    }

    /// systemd's start of `node`'s failing kubelet, due now ([`agent::restart_failed`]).
    pub fn restart_failed(&mut self, world: &mut World, node: &str) {
        agent::restart_failed(
            &mut NodeCx {
                world,
                kubelet: self,
            },
            node,
        );
    }

    /// `systemctl start kubelet` on `node` ([`agent::start`]).
    pub fn start_agent(&mut self, world: &mut World, node: &str) {
        agent::start(
            &mut NodeCx {
                world,
                kubelet: self,
            },
            node,
        );
    }

    /// The eviction managers' housekeeping (a `Housekeeping` timer task).
    pub fn housekeeping(&mut self, world: &mut World) {
        self.forget_deleted(world);
        eviction::housekeeping(&mut NodeCx {
            world,
            kubelet: self,
        });
    }

    /// Queues the refresh of projected files whose sources changed (after every pass of
    /// the controllers: the kubelets' watch of ConfigMaps, Secrets and pods).
    /// Then each kubelet looks at its static pod manifests (when a node's disk was written)
    /// and posts again the mirror pods deleted meanwhile.
    pub fn observe(&mut self, world: &mut World) {
        self.projections.observe(world);
        // The pod watch: a deleted mirror pod is noticed at once.
        self.forget_deleted(world);
        static_pods::observe(&mut NodeCx {
            world,
            kubelet: self,
        });
        agent::observe_failing(&mut NodeCx {
            world,
            kubelet: self,
        });
    }

    /// A pod's periodic sync rewriting its projected files (a `VolumeRefresh` timer task).
    pub fn refresh_volumes(&mut self, world: &mut World, namespace: &str, name: &str, uid: &str) {
        if on_stopped_node(world, namespace, name) {
            return;
        }
        self.projections.run(world, namespace, name, uid);
    }

    /// Drops the stages of pods that left the store (the kubelets' pod watch).
    fn forget_deleted(&mut self, world: &mut World) {
        let now = world.clock.now_ms();
        for event in world.api.read(&self.cursor) {
            if let (WatchEventType::Deleted, Object::Pod(p)) = (event.kind, &*event.object) {
                let uid = p.metadata.uid.as_deref().unwrap_or_default();
                if self.static_pods.mirrors(uid) {
                    // Its static pod runs on: the kubelet posts the mirror again.
                    self.static_pods.orphaned(event.object.clone());
                    continue;
                }
                if let Some(uid) = p.metadata.uid.as_deref() {
                    self.stages.remove(uid);
                    self.probe_event_budget.remove(uid);
                    self.mount_attempts.remove(uid);
                    self.eviction.forget(uid);
                    // The pod's own volumes (emptyDir, projections) go with it.
                    world.storage.remove_pod(uid);
                    // So do its cgroups (their CPU time kept in the node's counter).
                    let node = p.spec.as_ref().and_then(|s| s.node_name.as_deref());
                    world.cgroups.retire_pod(uid, node.unwrap_or_default(), now);
                }
                // A terminated pod goes without a stop: its exited containers go with it.
                let ip = p.status.as_ref().and_then(|s| s.pod_ip.as_deref());
                let (ns, name) = (event.object.namespace(), event.object.name());
                let exited: Vec<runtime::SlotKey> = self
                    .containers
                    .of_pod(ns, name)
                    .filter(|(_, s)| {
                        s.current.as_ref().is_some_and(|i| {
                            Some(i.process.pod_ip.as_str()) == ip
                                && i.exit.is_some_and(|(at, _)| at <= now)
                        })
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in exited {
                    self.remove_container(&k);
                }
            }
        }
    }
}
