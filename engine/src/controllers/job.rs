//! The Job controller (kube-controller-manager's `job`) and the TTL-after-finished
//! controller: run pods until enough succeed (NonIndexed or Indexed), count terminated pods
//! through the `batch.kubernetes.io/job-tracking` finalizer, recreate failed pods with
//! back-off, fail on `backoffLimit` or `activeDeadlineSeconds`, suspend and resume, report
//! status and conditions, and delete finished Jobs after `ttlSecondsAfterFinished`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobSpec, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::runtime::{Controller, Queue};
use super::slow_start::slow_start;
use crate::api::batch::COMPLETION_INDEX;
use crate::api::batch::{finished, has_condition};
use crate::api::object::{Kind, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::apiserver::{DeleteOptions, Propagation};
use crate::clock::{ms_from_time, time_from_ms};
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// Finalizer the controller puts on its pods until it has counted them.
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
/// First pod-recreation back-off after a failure; it doubles per failure.
const POD_BACKOFF_MS: i64 = 10_000;
/// Longest pod-recreation back-off.
const POD_BACKOFF_MAX_MS: i64 = 600_000;

/// The controller, with what it remembers between passes.
#[derive(Clone, Debug, Default)]
pub struct Jobs {
    /// Pod names by the uid of the Job that owns them.
    owned: BTreeMap<String, BTreeSet<String>>,
    /// Per Job uid: failures since the last success, and when the last one was counted.
    backoff: BTreeMap<String, (u32, i64)>,
    /// Terminating pods with the tracking finalizer seen this pass, to let go before the
    /// pass's first sync if their Job is gone.
    orphans: Vec<(String, String)>,
}

fn source() -> Source<'static> {
    Source {
        component: "job-controller",
        host: None,
    }
}

fn job_owner(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true) && r.kind == "Job")
}

impl Controller for Jobs {
    fn name(&self) -> &'static str {
        "job"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Job(_) | Object::Pod(_))
    }

    /// A Job's own changes, and any change to a pod it controls (kept in the pod index).
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        let key = |name: &str| ObjectKey {
            kind: "Job",
            namespace: obj.namespace().to_string(),
            name: name.to_string(),
        };
        match obj {
            Object::Job(j) => {
                if event.kind == WatchEventType::Deleted {
                    if let Some(uid) = j.metadata.uid.as_ref() {
                        self.owned.remove(uid);
                        self.backoff.remove(uid);
                    }
                } else {
                    queue.add(key(obj.name()));
                }
            }
            Object::Pod(p) => {
                let Some(r) = job_owner(&p.metadata) else {
                    return;
                };
                if event.kind == WatchEventType::Deleted {
                    // An emptied entry goes (a missing one reads as empty).
                    if let Some(names) = self.owned.get_mut(&r.uid) {
                        names.remove(obj.name());
                        if names.is_empty() {
                            self.owned.remove(&r.uid);
                        }
                    }
                } else {
                    let names = self.owned.entry(r.uid.clone()).or_default();
                    names.insert(obj.name().to_string());
                    if has_tracking(p) && p.metadata.deletion_timestamp.is_some() {
                        self.orphans
                            .push((obj.namespace().to_string(), obj.name().to_string()));
                    }
                }
                queue.add(key(&r.name));
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        // Every pod event that noted an orphan also queued its Job's key, so the first sync
        // of a pass always comes here: the finalizers go before any Job is synced.
        self.release_orphans(world);
        sync_job(self, world, key, queue);
    }
}

impl Jobs {
    /// Pods whose Job is gone keep no finalizer.
    fn release_orphans(&mut self, world: &mut World) {
        for (ns, name) in std::mem::take(&mut self.orphans) {
            let owner_gone = match world.api.get("Pod", &ns, &name) {
                Some(Object::Pod(p)) => job_owner(&p.metadata).is_none_or(|r| {
                    world
                        .api
                        .get("Job", &ns, &r.name)
                        .is_none_or(|j| j.metadata().uid.as_deref() != Some(r.uid.as_str()))
                }),
                _ => false,
            };
            if owner_gone {
                remove_tracking(world, &ns, &name);
            }
        }
    }
}

fn has_tracking(p: &Pod) -> bool {
    p.metadata
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == TRACKING_FINALIZER)
}

fn remove_tracking(world: &mut World, ns: &str, name: &str) {
    let Some(Object::Pod(mut pod)) = world.api.get("Pod", ns, name).cloned() else {
        return;
    };
    if let Some(list) = pod.metadata.finalizers.as_mut() {
        list.retain(|f| f != TRACKING_FINALIZER);
        if list.is_empty() {
            pod.metadata.finalizers = None;
        }
    }
    if world.api.update(Object::Pod(pod)).is_ok() {
        world.remove_if_finalized("Pod", ns, name);
    }
}

fn phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

fn index_of(p: &Pod) -> Option<i32> {
    p.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(COMPLETION_INDEX))
        .and_then(|v| v.parse().ok())
}

fn restarts(p: &Pod) -> i32 {
    let s = p.status.as_ref();
    s.into_iter()
        .flat_map(|s| {
            s.container_statuses
                .iter()
                .flatten()
                .chain(s.init_container_statuses.iter().flatten())
        })
        .map(|c| c.restart_count)
        .sum()
}

fn condition(type_: &str, status: &str, reason: &str, message: &str, now: i64) -> JobCondition {
    JobCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_probe_time: Some(time_from_ms(now)),
        last_transition_time: Some(time_from_ms(now)),
    }
}

/// Adds or replaces the condition of the same type (keeping its transition time when the
/// status does not change).
fn set_condition(status: &mut JobStatus, c: JobCondition) {
    let list = status.conditions.get_or_insert_with(Vec::new);
    match list.iter_mut().find(|x| x.type_ == c.type_) {
        Some(x) if x.status == c.status => {}
        Some(x) => *x = c,
        None => list.push(c),
    }
}

/// Indexes as the API writes `completedIndexes`: `0-2,4`.
fn format_indexes(set: &BTreeSet<i32>) -> String {
    let mut parts = Vec::new();
    let mut iter = set.iter().peekable();
    while let Some(&start) = iter.next() {
        let mut end = start;
        while iter.peek().is_some_and(|&&n| n == end + 1) {
            end += 1;
            iter.next();
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    parts.join(",")
}

fn parse_indexes(s: &str) -> BTreeSet<i32> {
    let mut set = BTreeSet::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) {
            set.extend(a..=b.min(a.saturating_add(100_000)));
        }
    }
    set
}

fn sync_job(jobs: &mut Jobs, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
    let now = world.clock.now_ms();
    // The stored versions, shared with the store (no copies): the Job is not written
    // before its status at the end, and its pods are read as they were at the start.
    let Some(job_obj) = world.api.get_shared("Job", &key.namespace, &key.name) else {
        return;
    };
    let Object::Job(job) = &*job_obj else {
        return;
    };
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let pod_objs: Vec<std::sync::Arc<Object>> = jobs
        .owned
        .get(&uid)
        .into_iter()
        .flatten()
        .filter_map(|n| world.api.get_shared("Pod", &key.namespace, n))
        .filter(|o| {
            Pod::of(o).is_some_and(|p| job_owner(&p.metadata).is_some_and(|r| r.uid == uid))
        })
        .collect();
    let pods: Vec<&Pod> = pod_objs.iter().filter_map(|o| Pod::of(o)).collect();
    if finished(job) {
        for p in pods.iter().filter(|p| has_tracking(p)) {
            let name = p.metadata.name.clone().unwrap_or_default();
            remove_tracking(world, &key.namespace, &name);
        }
        ttl_after_finished(world, queue, key, job, now);
        return;
    }
    if job.metadata.deletion_timestamp.is_some() {
        // A Job being deleted (foreground) lets its pods go.
        for p in pods.iter().filter(|p| has_tracking(p)) {
            let name = p.metadata.name.clone().unwrap_or_default();
            remove_tracking(world, &key.namespace, &name);
        }
        return;
    }
    let no_spec = JobSpec::default();
    let spec = job.spec.as_ref().unwrap_or(&no_spec);
    let mut status = job.status.clone().unwrap_or_default();
    let indexed = spec.completion_mode.as_deref() == Some("Indexed");
    let mut completed_indexes = parse_indexes(status.completed_indexes.as_deref().unwrap_or(""));

    // Count newly terminated pods, then let them go.
    let (mut new_failed, mut new_succeeded) = (0, 0);
    for p in pods.iter().filter(|p| has_tracking(p)) {
        let deleting = p.metadata.deletion_timestamp.is_some();
        match phase(p) {
            "Succeeded" => {
                new_succeeded += 1;
                if let Some(i) = index_of(p) {
                    completed_indexes.insert(i);
                }
            }
            "Failed" => new_failed += 1,
            _ if deleting => new_failed += 1,
            _ => continue,
        }
        let name = p.metadata.name.clone().unwrap_or_default();
        remove_tracking(world, &key.namespace, &name);
    }
    let succeeded = if indexed {
        completed_indexes.len() as i32
    } else {
        status.succeeded.unwrap_or(0).saturating_add(new_succeeded)
    };
    let failed = status.failed.unwrap_or(0).saturating_add(new_failed);
    let backoff = jobs.backoff.entry(uid.clone()).or_default();
    if new_succeeded > 0 {
        *backoff = (0, 0);
    }
    if new_failed > 0 {
        *backoff = (backoff.0 + new_failed as u32, now);
    }
    let backoff = *backoff;

    let active: Vec<&Pod> = pods
        .iter()
        .copied()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| !matches!(phase(p), "Succeeded" | "Failed"))
        .collect();
    let terminating = pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_some())
        .filter(|p| !matches!(phase(p), "Succeeded" | "Failed"))
        .count() as i32;
    let suspended = spec.suspend == Some(true);
    let parallelism = spec.parallelism.unwrap_or(1).max(0);
    let backoff_limit = spec.backoff_limit.unwrap_or(6);

    if !suspended && status.start_time.is_none() {
        status.start_time = Some(time_from_ms(now));
    }
    let mut finish: Option<(&str, &str)> = None;
    let on_failure = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        == Some("OnFailure");
    let restart_total: i32 = active.iter().map(|p| restarts(p)).sum();
    let past_on_failure = on_failure
        && if backoff_limit == 0 {
            restart_total > 0
        } else {
            restart_total >= backoff_limit
        };
    if has_condition(job, "FailureTarget") {
        let c = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "FailureTarget");
        let reason = c.and_then(|c| c.reason.clone()).unwrap_or_default();
        finish = Some(if reason == "DeadlineExceeded" {
            (
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            )
        } else {
            (
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            )
        });
    } else if failed > backoff_limit || past_on_failure {
        finish = Some((
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ));
    } else if let (Some(ads), Some(start), false) = (
        spec.active_deadline_seconds,
        status.start_time.as_ref(),
        suspended,
    ) {
        let deadline = ms_from_time(start).saturating_add(ads.saturating_mul(1000));
        if now >= deadline {
            finish = Some((
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            ));
        } else {
            queue.requeue_at(world, deadline, key.clone());
        }
    }
    let complete = finish.is_none()
        && match spec.completions {
            Some(c) => succeeded >= c,
            None => succeeded > 0 && active.is_empty(),
        };

    let mut still_active = active.len() as i32;
    let mut terminating = terminating;
    if let Some((reason, message)) = finish {
        set_condition(
            &mut status,
            condition("FailureTarget", "True", reason, message, now),
        );
        for p in &active {
            delete_pod(world, &job_obj, p);
            terminating += 1;
        }
        still_active = 0;
        if terminating == 0 {
            set_condition(
                &mut status,
                condition("Failed", "True", reason, message, now),
            );
            events::record(
                world,
                &job_obj,
                EventType::Warning,
                reason,
                message,
                source(),
            );
        }
    } else if complete {
        let message = "Reached expected number of succeeded pods";
        set_condition(
            &mut status,
            condition(
                "SuccessCriteriaMet",
                "True",
                "CompletionsReached",
                message,
                now,
            ),
        );
        for p in &active {
            delete_pod(world, &job_obj, p);
            terminating += 1;
        }
        still_active = 0;
        if terminating == 0 {
            set_condition(
                &mut status,
                condition("Complete", "True", "CompletionsReached", message, now),
            );
            status.completion_time = Some(time_from_ms(now));
            events::record(
                world,
                &job_obj,
                EventType::Normal,
                "Completed",
                "Job completed",
                source(),
            );
        }
    } else if suspended {
        for p in &active {
            delete_pod(world, &job_obj, p);
            terminating += 1;
        }
        still_active = 0;
        if !has_condition(job, "Suspended") {
            set_condition(
                &mut status,
                condition("Suspended", "True", "JobSuspended", "Job suspended", now),
            );
            status.start_time = None;
            events::record(
                world,
                &job_obj,
                EventType::Normal,
                "Suspended",
                "Job suspended",
                source(),
            );
        }
    } else {
        if has_condition(job, "Suspended") {
            set_condition(
                &mut status,
                condition("Suspended", "False", "JobResumed", "Job resumed", now),
            );
            status.start_time = Some(time_from_ms(now));
            events::record(
                world,
                &job_obj,
                EventType::Normal,
                "Resumed",
                "Job resumed",
                source(),
            );
        }
        let want = match spec.completions {
            Some(c) => parallelism.min((c - succeeded).max(0)),
            None if succeeded > 0 => still_active,
            None => parallelism,
        };
        let missing = want - still_active;
        let wait_until = if backoff.0 > 0 {
            let delay = (POD_BACKOFF_MS << (backoff.0 - 1).min(16)).min(POD_BACKOFF_MAX_MS);
            backoff.1 + delay
        } else {
            0
        };
        if missing > 0 && now < wait_until {
            queue.requeue_at(world, wait_until, key.clone());
        } else if missing > 0 {
            let busy: BTreeSet<i32> = active.iter().filter_map(|p| index_of(p)).collect();
            let mut free = (0..spec.completions.unwrap_or(0))
                .filter(|i| !completed_indexes.contains(i) && !busy.contains(i));
            let missing = usize::try_from(missing).unwrap_or(0);
            let created = slow_start(missing, || {
                let index = match indexed {
                    true => match free.next() {
                        Some(i) => Some(i),
                        None => return false,
                    },
                    false => None,
                };
                create_pod(world, &job_obj, job, index)
            });
            still_active += i32::try_from(created).unwrap_or(0);
        }
    }

    status.active = (still_active > 0).then_some(still_active);
    status.ready = Some(
        active
            .iter()
            .filter(|p| crate::api::pod::is_ready(p))
            .count() as i32,
    );
    status.succeeded = (succeeded > 0).then_some(succeeded);
    status.failed = (failed > 0).then_some(failed);
    status.terminating = Some(terminating);
    status.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());
    if indexed {
        status.completed_indexes = Some(format_indexes(&completed_indexes));
    }
    if finished_status(&status) {
        status.ready = Some(0);
    }
    let Some(Object::Job(current)) = world.api.get("Job", &key.namespace, &key.name) else {
        return;
    };
    if current.status.as_ref() != Some(&status) {
        let mut current = current.clone();
        current.status = Some(status);
        let _ = world.api.update_status(Object::Job(current));
    }
}

fn finished_status(s: &JobStatus) -> bool {
    s.conditions
        .iter()
        .flatten()
        .any(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
}

fn create_pod(world: &mut World, job_obj: &Object, job: &Job, index: Option<i32>) -> bool {
    let name = job.metadata.name.clone().unwrap_or_default();
    let ns = job.metadata.namespace.clone().unwrap_or_default();
    let template = job
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let meta = template.metadata.unwrap_or_default();
    let mut labels = meta.labels;
    let mut annotations = meta.annotations;
    let mut spec: PodSpec = template.spec.unwrap_or_default();
    let prefix = match index {
        Some(i) => {
            let i = i.to_string();
            labels
                .get_or_insert_with(Default::default)
                .insert(COMPLETION_INDEX.into(), i.clone());
            annotations
                .get_or_insert_with(Default::default)
                .insert(COMPLETION_INDEX.into(), i.clone());
            spec.hostname.get_or_insert_with(|| format!("{name}-{i}"));
            for c in spec.containers.iter_mut() {
                c.env.get_or_insert_with(Vec::new).push(index_env());
            }
            format!("{name}-{i}-")
        }
        None => format!("{name}-"),
    };
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(prefix),
            namespace: Some(ns),
            labels,
            annotations,
            finalizers: Some(vec![TRACKING_FINALIZER.into()]),
            owner_references: Some(vec![OwnerReference {
                api_version: "batch/v1".into(),
                kind: "Job".into(),
                name,
                uid: job.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    };
    match world
        .create(Object::Pod(Box::new(pod)))
        .map(|p| p.name().to_string())
    {
        Ok(pod_name) => {
            events::record(
                world,
                job_obj,
                EventType::Normal,
                "SuccessfulCreate",
                &format!("Created pod: {pod_name}"),
                source(),
            );
            true
        }
        Err(e) => {
            events::record(
                world,
                job_obj,
                EventType::Warning,
                "FailedCreate",
                &format!("Error creating: {}", e.status_message("")),
                source(),
            );
            false
        }
    }
}

/// `JOB_COMPLETION_INDEX`, read from the pod's annotation.
fn index_env() -> k8s_openapi::api::core::v1::EnvVar {
    use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector};
    EnvVar {
        name: "JOB_COMPLETION_INDEX".into(),
        value: None,
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                api_version: Some("v1".into()),
                field_path: format!("metadata.annotations['{COMPLETION_INDEX}']"),
            }),
            ..Default::default()
        }),
    }
}

fn delete_pod(world: &mut World, job_obj: &Object, p: &Pod) {
    let name = p.metadata.name.clone().unwrap_or_default();
    let ns = p.metadata.namespace.clone().unwrap_or_default();
    if world.delete("Pod", &ns, &name, None, false).is_ok() {
        events::record(
            world,
            job_obj,
            EventType::Normal,
            "SuccessfulDelete",
            &format!("Deleted pod: {name}"),
            source(),
        );
    }
}

/// The TTL-after-finished controller: a finished Job with `ttlSecondsAfterFinished` goes
/// (with its pods, foreground) that long after it finished.
fn ttl_after_finished(world: &mut World, queue: &mut Queue, key: &ObjectKey, job: &Job, now: i64) {
    let Some(ttl) = job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished) else {
        return;
    };
    if job.metadata.deletion_timestamp.is_some() {
        return;
    }
    let status = job.status.clone().unwrap_or_default();
    let finished_at = status
        .completion_time
        .as_ref()
        .map(ms_from_time)
        .or_else(|| {
            status
                .conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == "Failed" && c.status == "True")
                .and_then(|c| c.last_transition_time.as_ref().map(ms_from_time))
        });
    let Some(at) = finished_at.map(|t| t + i64::from(ttl) * 1000) else {
        return;
    };
    if now >= at {
        let options = DeleteOptions {
            grace: None,
            force: false,
            propagation: Propagation::Foreground,
        };
        let _ = world.delete_with("Job", &key.namespace, &key.name, &options);
    } else {
        queue.requeue_at(world, at, key.clone());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::controllers::testing::{object, Bench};

    fn job(completions: i32, parallelism: i32, backoff_limit: i32) -> Object {
        object(json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "calc", "namespace": "default"},
            "spec": {
                "completions": completions,
                "parallelism": parallelism,
                "backoffLimit": backoff_limit,
                "template": {"spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "calc", "image": "busybox"}]
                }}
            }
        }))
    }

    fn get_job(bench: &Bench) -> Job {
        match bench.world.api.get("Job", "default", "calc") {
            Some(Object::Job(j)) => j.as_ref().clone(),
            _ => panic!("no Job"),
        }
    }

    fn get_pod(bench: &Bench, name: &str) -> Pod {
        match bench.world.api.get("Pod", "default", name) {
            Some(Object::Pod(p)) => p.as_ref().clone(),
            _ => panic!("no pod {name}"),
        }
    }

    /// What the kubelet writes when the pod's containers have exited.
    fn set_phase(bench: &mut Bench, name: &str, phase: &str) {
        let mut pod = get_pod(bench, name);
        pod.status.get_or_insert_with(Default::default).phase = Some(phase.into());
        bench
            .world
            .api
            .update_status(Object::Pod(Box::new(pod)))
            .unwrap();
    }

    /// The pods still carrying the tracking finalizer (not yet counted).
    fn tracked(bench: &Bench) -> Vec<String> {
        bench
            .names("Pod")
            .into_iter()
            .filter(|n| has_tracking(&get_pod(bench, n)))
            .collect()
    }

    fn condition_reason(job: &Job, type_: &str) -> Option<String> {
        job.status
            .as_ref()?
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == type_ && c.status == "True")
            .and_then(|c| c.reason.clone())
    }

    #[test]
    fn runs_pods_one_at_a_time_until_complete() {
        let mut bench = Bench::new(Box::<Jobs>::default());
        bench.create(job(2, 1, 6));
        bench.pass();
        let first = bench.names("Pod");
        assert_eq!(first.len(), 1);
        assert!(first[0].starts_with("calc-") && first[0].len() == 10);
        let pod = get_pod(&bench, &first[0]);
        assert_eq!(pod.metadata.generate_name.as_deref(), Some("calc-"));
        assert_eq!(
            pod.metadata.finalizers,
            Some(vec![TRACKING_FINALIZER.to_string()])
        );
        assert_eq!(
            job_owner(&pod.metadata).map(|r| r.name.as_str()),
            Some("calc")
        );
        assert_eq!(
            bench.events(),
            vec![format!("SuccessfulCreate: Created pod: {}", first[0])]
        );
        // Its own pod's creation changes nothing more.
        bench.pass();
        assert_eq!(bench.names("Pod"), first);
        assert_eq!(get_job(&bench).status.unwrap().active, Some(1));

        set_phase(&mut bench, &first[0], "Succeeded");
        bench.pass();
        let pods = bench.names("Pod");
        assert_eq!(pods.len(), 2);
        let second = pods.iter().find(|p| **p != first[0]).unwrap().clone();
        assert_eq!(tracked(&bench), vec![second.clone()]);
        let status = get_job(&bench).status.unwrap();
        assert_eq!((status.succeeded, status.active), (Some(1), Some(1)));
        assert!(!finished(&get_job(&bench)));

        set_phase(&mut bench, &second, "Succeeded");
        bench.pass();
        assert_eq!(bench.names("Pod").len(), 2);
        assert!(tracked(&bench).is_empty());
        let job = get_job(&bench);
        let status = job.status.clone().unwrap();
        assert_eq!((status.succeeded, status.active), (Some(2), None));
        assert!(status.completion_time.is_some());
        assert_eq!(
            condition_reason(&job, "Complete").as_deref(),
            Some("CompletionsReached")
        );
        assert!(has_condition(&job, "SuccessCriteriaMet"));
        assert_eq!(
            bench.events().last().map(String::as_str),
            Some("Completed: Job completed")
        );
        // Finished: nothing more to do.
        let rv = bench.world.api.resource_version();
        bench.pass();
        assert_eq!(bench.world.api.resource_version(), rv);
    }

    #[test]
    fn fails_with_backoff_limit_exceeded() {
        let mut bench = Bench::new(Box::<Jobs>::default());
        bench.create(job(1, 1, 1));
        bench.pass();
        let first = bench.names("Pod").remove(0);
        set_phase(&mut bench, &first, "Failed");
        let failed_at = bench.world.clock.now_ms();
        bench.pass();
        // One failure, within the limit: the replacement waits out the back-off.
        assert_eq!(bench.names("Pod"), vec![first.clone()]);
        assert_eq!(get_job(&bench).status.unwrap().failed, Some(1));
        assert_eq!(bench.next_wake(), Some(failed_at + POD_BACKOFF_MS));
        assert_eq!(bench.wake(), Some(failed_at + POD_BACKOFF_MS));
        let second = bench
            .names("Pod")
            .into_iter()
            .find(|p| *p != first)
            .expect("a replacement pod");

        set_phase(&mut bench, &second, "Failed");
        bench.pass();
        let job = get_job(&bench);
        assert_eq!(job.status.as_ref().unwrap().failed, Some(2));
        assert_eq!(
            condition_reason(&job, "Failed").as_deref(),
            Some("BackoffLimitExceeded")
        );
        assert_eq!(
            condition_reason(&job, "FailureTarget").as_deref(),
            Some("BackoffLimitExceeded")
        );
        assert!(!has_condition(&job, "Complete"));
        assert_eq!(
            bench.events().last().map(String::as_str),
            Some("BackoffLimitExceeded: Job has reached the specified backoff limit")
        );
        assert_eq!(bench.names("Pod").len(), 2);
        assert!(tracked(&bench).is_empty());
    }

    #[test]
    fn a_terminating_pod_whose_job_is_gone_loses_its_finalizer() {
        let mut bench = Bench::new(Box::<Jobs>::default());
        bench.create(job(1, 1, 6));
        bench.pass();
        let pod = bench.names("Pod").remove(0);
        bench
            .world
            .delete("Job", "default", "calc", None, false)
            .unwrap();
        bench
            .world
            .delete("Pod", "default", &pod, Some(0), true)
            .unwrap();
        // Held by the tracking finalizer until the controller lets it go.
        assert_eq!(bench.names("Pod"), vec![pod]);
        bench.pass();
        assert!(bench.names("Pod").is_empty());
    }

    #[test]
    fn indexes_round_trip() {
        let set: BTreeSet<i32> = [0, 1, 2, 4, 6, 7].into_iter().collect();
        assert_eq!(format_indexes(&set), "0-2,4,6-7");
        assert_eq!(parse_indexes("0-2,4,6-7"), set);
        assert!(parse_indexes("").is_empty());
    }

    #[test]
    fn backoff_doubles_to_ten_minutes() {
        let delay = |n: u32| (POD_BACKOFF_MS << (n - 1).min(16)).min(POD_BACKOFF_MAX_MS);
        assert_eq!(delay(1), 10_000);
        assert_eq!(delay(3), 40_000);
        assert_eq!(delay(7), 600_000);
        assert_eq!(delay(40), 600_000);
    }
}
