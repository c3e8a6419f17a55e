//! The disruption controller (kube-controller-manager's `pkg/controller/disruption`): for
//! each PodDisruptionBudget, the pods it selects, how many its owners expect
//! (`expectedPods`, from their scale), how many must stay healthy (`desiredHealthy`), how
//! many are (`currentHealthy`: Ready, not deleting, not just evicted) and so how many may
//! go (`disruptionsAllowed`), with the `DisruptionAllowed` condition. Evictions the API
//! server granted (`disruptedPods`) count as gone until the pod goes or two minutes pass.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::runtime::{Controller, Queue};
use crate::api::disruption::{self, DELETION_TIMEOUT_MS};
use crate::api::object::policy::scaled_value;
use crate::api::object::{
    Deployment, Object, ObjectKey, ReplicaSet, ReplicationController, StatefulSet, WatchEvent,
};
use crate::clock::ms_from_time;
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// The controller (what it knows is in the store).
#[derive(Clone, Debug, Default)]
pub struct Disruption;

fn source() -> Source<'static> {
    Source {
        component: "controllermanager",
        host: None,
    }
}

fn key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "PodDisruptionBudget",
        namespace: namespace.into(),
        name: name.into(),
    }
}

impl Controller for Disruption {
    fn name(&self) -> &'static str {
        "disruption"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::PodDisruptionBudget(_)
                | Object::Pod(_)
                | Object::Deployment(_)
                | Object::ReplicaSet(_)
                | Object::ReplicationController(_)
                | Object::StatefulSet(_)
        )
    }

    /// A budget itself; the budgets of a namespace when one of its pods or scalable
    /// workloads changes.
    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        match obj {
            Object::PodDisruptionBudget(_) => queue.add(key(obj.namespace(), obj.name())),
            Object::Pod(pod) => {
                for b in world
                    .api
                    .list_as::<PodDisruptionBudget>(Some(obj.namespace()))
                {
                    if disruption::selects(b, pod) {
                        queue.add(key(
                            obj.namespace(),
                            b.metadata.name.as_deref().unwrap_or(""),
                        ));
                    }
                }
            }
            Object::Deployment(_)
            | Object::ReplicaSet(_)
            | Object::ReplicationController(_)
            | Object::StatefulSet(_) => {
                for b in world
                    .api
                    .list_as::<PodDisruptionBudget>(Some(obj.namespace()))
                {
                    queue.add(key(
                        obj.namespace(),
                        b.metadata.name.as_deref().unwrap_or(""),
                    ));
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        let Some(pdb) = world
            .api
            .get_as::<PodDisruptionBudget>(&key.namespace, &key.name)
            .cloned()
        else {
            return;
        };
        if pdb.metadata.deletion_timestamp.is_some() {
            return;
        }
        if let Some(recheck) = reconcile(world, pdb) {
            queue.requeue_at(world, recheck, key.clone());
        }
    }
}

/// One budget's pass (`trySync`); returns when to look again (a disrupted pod's deadline).
fn reconcile(world: &mut World, pdb: PodDisruptionBudget) -> Option<i64> {
    let namespace = pdb.metadata.namespace.clone().unwrap_or_default();
    let pods: Vec<Pod> = world
        .api
        .list_as::<Pod>(Some(&namespace))
        .filter(|p| disruption::selects(&pdb, p))
        .cloned()
        .collect();
    let obj = Object::PodDisruptionBudget(Box::new(pdb.clone()));
    if pods.is_empty() {
        event(
            world,
            &obj,
            EventType::Normal,
            "NoPods",
            "No matching pods found",
        );
    }
    let (expected, desired, unmanaged) = match expected_pods(world, &pdb, &pods) {
        Ok(counts) => counts,
        Err(e) => {
            let message = format!("Failed to calculate the number of expected pods: {e}");
            event(
                world,
                &obj,
                EventType::Warning,
                "CalculateExpectedPodCountFailed",
                &message,
            );
            fail_safe(world, pdb, &e);
            return None;
        }
    };
    if unmanaged {
        let selector = pdb
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .map(crate::api::selector::format_label_selector)
            .unwrap_or_default();
        let message = format!("Pods selected by this PodDisruptionBudget (selector: {selector}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        event(world, &obj, EventType::Warning, "UnmanagedPods", &message);
    }
    let now = world.clock.now_ms();
    let (disrupted, recheck, expired) = disrupted_pods(&pdb, &pods, now);
    let pdb_name = format!("{namespace}/{}", pdb.metadata.name.as_deref().unwrap_or(""));
    for _ in 0..expired {
        let message = format!("Pod was expected by PDB {pdb_name} to be deleted but it wasn't");
        event(world, &obj, EventType::Warning, "NotDeleted", &message);
    }
    let healthy = pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| !disrupted.contains_key(p.metadata.name.as_deref().unwrap_or("")))
        .filter(|p| crate::api::pod::is_ready(p))
        .count();
    let healthy = i32::try_from(healthy).unwrap_or(i32::MAX);
    update_status(world, pdb, healthy, desired, expected, disrupted);
    recheck
}

/// `getExpectedPodCount`: (expectedPods, desiredHealthy, whether unmanaged pods were met).
fn expected_pods(
    world: &World,
    pdb: &PodDisruptionBudget,
    pods: &[Pod],
) -> Result<(i32, i32, bool), String> {
    let spec = pdb.spec.clone().unwrap_or_default();
    if let Some(max) = &spec.max_unavailable {
        let (expected, unmanaged) = expected_scale(world, pods)?;
        let max = scaled_value(max, expected, true).ok_or_else(|| bad_percent(max))?;
        return Ok((expected, expected.saturating_sub(max).max(0), unmanaged));
    }
    match &spec.min_available {
        Some(IntOrString::Int(min)) => {
            let count = i32::try_from(pods.len()).unwrap_or(i32::MAX);
            Ok((count, *min, false))
        }
        Some(min) => {
            let (expected, unmanaged) = expected_scale(world, pods)?;
            let min = scaled_value(min, expected, true).ok_or_else(|| bad_percent(min))?;
            Ok((expected, min, unmanaged))
        }
        None => Ok((0, 0, false)),
    }
}

fn bad_percent(v: &IntOrString) -> String {
    let s = match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    format!("invalid value for IntOrString: invalid value {s:?}")
}

/// `getExpectedScale`: the sum of the scales of the pods' controllers, each counted once
/// (a ReplicaSet's Deployment when it has one); whether pods without a controller were met.
fn expected_scale(world: &World, pods: &[Pod]) -> Result<(i32, bool), String> {
    let mut scales: BTreeMap<String, i32> = BTreeMap::new();
    let mut unmanaged = false;
    for pod in pods {
        let Some(owner) = crate::api::pod::controller_of(&pod.metadata) else {
            unmanaged = true;
            continue;
        };
        if scales.contains_key(&owner.uid) {
            continue;
        }
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let found = scale_of(world, ns, &owner.kind, &owner.name, &owner.uid)?;
        let Some((uid, scale)) = found else {
            let name = pod.metadata.name.as_deref().unwrap_or("");
            return Err(format!("found no controllers for pod {name:?}"));
        };
        scales.insert(uid, scale);
    }
    let total = scales.values().fold(0i32, |a, b| a.saturating_add(*b));
    Ok((total, unmanaged))
}

/// The finders: (the counted controller's uid, its scale), `None` when it is gone.
fn scale_of(
    world: &World,
    ns: &str,
    kind: &str,
    name: &str,
    uid: &str,
) -> Result<Option<(String, i32)>, String> {
    let same = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        m.uid.as_deref() == Some(uid)
    };
    Ok(match kind {
        "ReplicaSet" => {
            let Some(rs) = world
                .api
                .get_as::<ReplicaSet>(ns, name)
                .filter(|r| same(&r.metadata))
            else {
                return Ok(None);
            };
            let deployment = crate::api::pod::controller_of(&rs.metadata)
                .filter(|o| o.kind == "Deployment")
                .and_then(|o| {
                    world
                        .api
                        .get_as::<Deployment>(ns, &o.name)
                        .filter(|d| d.metadata.uid.as_deref() == Some(o.uid.as_str()))
                });
            match deployment {
                Some(d) => Some((
                    d.metadata.uid.clone().unwrap_or_default(),
                    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                )),
                None => Some((
                    uid.to_string(),
                    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                )),
            }
        }
        "ReplicationController" => world
            .api
            .get_as::<ReplicationController>(ns, name)
            .filter(|r| same(&r.metadata))
            .map(|r| {
                let scale = r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                (uid.to_string(), scale)
            }),
        "StatefulSet" => world
            .api
            .get_as::<StatefulSet>(ns, name)
            .filter(|s| same(&s.metadata))
            .map(|s| {
                let scale = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                (uid.to_string(), scale)
            }),
        other => {
            let resource = crate::api::kinds::resolve(other)
                .map(|k| k.qualified_resource())
                .unwrap_or_else(|| other.to_lowercase());
            return Err(format!(
                "{resource} does not implement the scale subresource"
            ));
        }
    })
}

/// `buildDisruptedPodMap`: the evictions still expected to happen; when to look again; how
/// many were not followed by a deletion in time.
fn disrupted_pods(
    pdb: &PodDisruptionBudget,
    pods: &[Pod],
    now: i64,
) -> (BTreeMap<String, Time>, Option<i64>, usize) {
    let recorded = pdb
        .status
        .as_ref()
        .and_then(|s| s.disrupted_pods.clone())
        .unwrap_or_default();
    let mut kept = BTreeMap::new();
    let mut recheck: Option<i64> = None;
    let mut expired = 0;
    for pod in pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
    {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let Some(at) = recorded.get(&name) else {
            continue;
        };
        let deadline = ms_from_time(at).saturating_add(DELETION_TIMEOUT_MS);
        if deadline < now {
            expired += 1;
        } else {
            recheck = Some(recheck.map_or(deadline, |r| r.min(deadline)));
            kept.insert(name, at.clone());
        }
    }
    (kept, recheck, expired)
}

/// `updatePdbStatus`: writes the counts, the disrupted pods and the condition when anything
/// changed.
fn update_status(
    world: &mut World,
    mut pdb: PodDisruptionBudget,
    healthy: i32,
    desired: i32,
    expected: i32,
    disrupted: BTreeMap<String, Time>,
) {
    let allowed = if expected <= 0 {
        0
    } else {
        healthy.saturating_sub(desired).max(0)
    };
    let old = pdb.status.clone().unwrap_or_default();
    let generation = pdb.metadata.generation;
    let disrupted = Some(disrupted).filter(|d| !d.is_empty());
    let up_to_date = old.conditions.iter().flatten().any(|c| {
        c.type_ == disruption::DISRUPTION_ALLOWED
            && c.observed_generation == generation
            && (c.status == "True") == (allowed > 0)
    });
    if old.current_healthy == healthy
        && old.desired_healthy == desired
        && old.expected_pods == expected
        && old.disruptions_allowed == allowed
        && old.disrupted_pods.clone().filter(|d| !d.is_empty()) == disrupted
        && old.observed_generation == generation
        && up_to_date
    {
        return;
    }
    pdb.status = Some(PodDisruptionBudgetStatus {
        current_healthy: healthy,
        desired_healthy: desired,
        expected_pods: expected,
        disruptions_allowed: allowed,
        disrupted_pods: disrupted,
        observed_generation: generation,
        conditions: old.conditions,
    });
    let now = world.clock.now_time();
    disruption::update_allowed_condition(&mut pdb, &now);
    let _ = world
        .api
        .update_status(Object::PodDisruptionBudget(Box::new(pdb)));
}

/// `failSafe`: no disruptions allowed, the `SyncFailed` reason.
fn fail_safe(world: &mut World, mut pdb: PodDisruptionBudget, err: &str) {
    let now = world.clock.now_time();
    let generation = pdb.metadata.generation;
    let stored = pdb.status.clone();
    let status = pdb.status.get_or_insert_with(Default::default);
    status.disruptions_allowed = 0;
    status.observed_generation = generation;
    let condition = k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
        type_: disruption::DISRUPTION_ALLOWED.into(),
        status: "False".into(),
        reason: "SyncFailed".into(),
        message: err.into(),
        observed_generation: generation,
        last_transition_time: now,
    };
    disruption::set_condition(status.conditions.get_or_insert_with(Vec::new), condition);
    if pdb.status != stored {
        let _ = world
            .api
            .update_status(Object::PodDisruptionBudget(Box::new(pdb)));
    }
}

fn event(world: &mut World, obj: &Object, kind: EventType, reason: &str, message: &str) {
    events::record(world, obj, kind, reason, message, source());
}
