//! Keeping projections up to date, as the kubelet does: it watches the ConfigMaps and
//! Secrets its pods mount (not immutable ones), and each pod's periodic sync rewrites the
//! changed files (a new timestamped directory and an atomic `..data` swap). Pod label and
//! annotation changes reach downwardAPI files the same way. Environment variables and
//! `subPath` copies never change.
//!
//! The delay: a pod worker resyncs every `syncFrequency` (1 m) plus up to half of it of
//! jitter, so a change shows 60–90 s later. Here each pod's jitter is fixed by its uid
//! ([`delay_ms`]) and the refresh lands that long after the first change it has not yet
//! seen; changes in between are picked up by the same refresh. Only pods that mount the
//! changed object get a timer, so idle time costs nothing.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Volume;

use super::{is_projection, payload, Source};
use crate::api::object::{Object, Pod, WatchEventType};
use crate::storage::Backing;
use crate::timers::Task;
use crate::world::events::{self, EventType, Source as EventSource};
use crate::world::World;

/// The kubelet's sync period.
pub const SYNC_FREQUENCY_MS: i64 = 60_000;

/// How long after a change pod `uid` shows it: 60 s plus a jitter of up to 30 s fixed by
/// the uid (FNV-1a).
pub fn delay_ms(uid: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uid.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    SYNC_FREQUENCY_MS + (h % (SYNC_FREQUENCY_MS as u64 / 2 + 1)) as i64
}

/// What the kubelets' projection watch remembers.
#[derive(Clone, Debug, Default)]
pub struct Watch {
    /// Its place in the API server's watch log.
    cursor: crate::apiserver::Cursor,
    /// Pods (by uid) with a refresh queued.
    pending: BTreeSet<String>,
}

impl Watch {
    /// Reads the watch log since its last look and queues a refresh for each mounted pod
    /// whose ConfigMaps, Secrets or (for downwardAPI files) own metadata changed.
    pub fn observe(&mut self, world: &mut World) {
        let mut changed: BTreeSet<(String, Source)> = BTreeSet::new();
        let mut pods: BTreeSet<(String, String)> = BTreeSet::new();
        for event in world.api.read(&self.cursor) {
            let ns = event.object.namespace().to_string();
            match &*event.object {
                Object::ConfigMap(c) if c.immutable != Some(true) => {
                    changed.insert((ns, Source::ConfigMap(event.object.name().into())));
                }
                Object::Secret(s) if s.immutable != Some(true) => {
                    changed.insert((ns, Source::Secret(event.object.name().into())));
                }
                Object::Pod(p)
                    if event.kind == WatchEventType::Modified
                        && volumes(p).any(payload::follows_pod_metadata) =>
                {
                    pods.insert((ns, event.object.name().into()));
                }
                _ => {}
            }
        }
        let namespaces: BTreeSet<&String> = changed.iter().map(|(ns, _)| ns).collect();
        let mut due: Vec<(String, String, String)> = Vec::new();
        for ns in namespaces {
            for pod in world.api.list_as::<Pod>(Some(ns)) {
                let mounts_changed = volumes(pod).any(|v| {
                    mounted(world, pod, v)
                        && payload::sources(v)
                            .into_iter()
                            .any(|s| changed.contains(&(ns.clone(), s)))
                });
                if mounts_changed {
                    due.push(key(pod));
                }
            }
        }
        for (ns, name) in pods {
            if let Some(pod) = world.api.get_as::<Pod>(&ns, &name) {
                if volumes(pod).any(|v| mounted(world, pod, v)) {
                    due.push(key(pod));
                }
            }
        }
        for (namespace, name, uid) in due {
            self.queue(world, namespace, name, uid);
        }
    }

    /// Queues pod `uid`'s next periodic sync unless one is queued already.
    fn queue(&mut self, world: &mut World, namespace: String, name: String, uid: String) {
        if self.pending.insert(uid.clone()) {
            let at = world.clock.now_ms() + delay_ms(&uid);
            world.timers.at(
                at,
                Task::VolumeRefresh {
                    namespace,
                    name,
                    uid,
                },
            );
        }
    }

    /// A pod's periodic sync: rewrites each of its mounted projections whose data changed;
    /// a source that cannot be read any more leaves the old files and a FailedMount event,
    /// and the next periodic sync tries again (the event's count grows) until it can.
    pub fn run(&mut self, world: &mut World, namespace: &str, name: &str, uid: &str) {
        self.pending.remove(uid);
        let Some(pod) = world.api.get_as::<Pod>(namespace, name).cloned() else {
            return;
        };
        if pod.metadata.uid.as_deref() != Some(uid) || pod.metadata.deletion_timestamp.is_some() {
            return;
        }
        let mounted: Vec<Volume> = volumes(&pod)
            .filter(|v| mounted(world, &pod, v))
            .cloned()
            .collect();
        let mut failed = false;
        for v in &mounted {
            if let Err(message) = super::write(world, &pod, v) {
                failed = true;
                let node = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.clone())
                    .unwrap_or_default();
                events::record(
                    world,
                    &Object::Pod(Box::new(pod.clone())),
                    EventType::Warning,
                    "FailedMount",
                    &message,
                    EventSource {
                        component: "kubelet",
                        host: Some(&node),
                    },
                );
            }
        }
        if failed {
            self.queue(world, namespace.into(), name.into(), uid.into());
        }
    }

    /// Whether a refresh of pod `uid` is queued.
    #[cfg(test)]
    pub fn is_pending(&self, uid: &str) -> bool {
        self.pending.contains(uid)
    }
}

fn key(pod: &Pod) -> (String, String, String) {
    let m = &pod.metadata;
    (
        m.namespace.clone().unwrap_or_default(),
        m.name.clone().unwrap_or_default(),
        m.uid.clone().unwrap_or_default(),
    )
}

fn volumes(pod: &Pod) -> impl Iterator<Item = &Volume> {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter(|v| is_projection(v))
}

/// Whether the kubelet has set the volume up (its tree exists).
fn mounted(world: &World, pod: &Pod, v: &Volume) -> bool {
    let b: Backing = super::backing(pod, v);
    world.storage.tree(&b).is_some()
}
