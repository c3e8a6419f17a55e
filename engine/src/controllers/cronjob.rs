//! The CronJob controller (kube-controller-manager's `cronjob`, v2): creates a Job named
//! `<cronjob>-<scheduled minute since the epoch>` at each scheduled time on the simulated
//! clock, applies the concurrency policy and starting deadline, tracks active Jobs and the
//! last schedule/success times, and deletes finished Jobs beyond the history limits.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::job::{finished, has_condition};
use crate::api::object::{Object, ObjectKey, WatchEventType};
use crate::clock::{ms_from_time, time_from_ms};
use crate::cluster::Cluster;
use crate::events::{self, EventType, Source};
use crate::timers::Task;

/// Annotation with the scheduled time on each Job the controller creates.
const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/// The controller is requeued this long after each scheduled time.
const REQUEUE_DELAY_MS: i64 = 100;
/// Missed schedules looked at before giving up on catching up.
const MAX_MISSED: usize = 100;

/// What the controller remembers between runs.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: usize,
    /// CronJobs to look at again at a given time, by due time.
    recheck: BTreeMap<i64, BTreeSet<ObjectKey>>,
}

fn source() -> Source<'static> {
    Source {
        component: "cronjob-controller",
        host: None,
    }
}

/// Runs one pass over the CronJobs that are due or were touched since the last.
pub fn reconcile(cluster: &mut Cluster) {
    for key in dirty(cluster) {
        sync(cluster, &key);
    }
}

fn dirty(cluster: &mut Cluster) -> BTreeSet<ObjectKey> {
    let mut keys = BTreeSet::new();
    let now = cluster.world.clock.now_ms();
    let state = &mut cluster.controllers.cronjob;
    let due: Vec<i64> = state.recheck.range(..=now).map(|(t, _)| *t).collect();
    for t in due {
        keys.extend(state.recheck.remove(&t).unwrap_or_default());
    }
    let events = cluster.world.api.events_since(state.cursor);
    state.cursor = cluster.world.api.log_end();
    for event in events {
        let obj = &event.object;
        let key = |name: &str| ObjectKey {
            kind: "CronJob",
            namespace: obj.namespace().to_string(),
            name: name.to_string(),
        };
        match obj {
            Object::CronJob(_) if event.kind != WatchEventType::Deleted => {
                keys.insert(key(obj.name()));
            }
            Object::Job(j) => {
                if let Some(r) = j
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .find(|r| r.controller == Some(true) && r.kind == "CronJob")
                {
                    keys.insert(key(&r.name));
                }
            }
            _ => {}
        }
    }
    keys
}

fn start_ms(j: &Job) -> i64 {
    j.status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .or(j.metadata.creation_timestamp.as_ref())
        .map(ms_from_time)
        .unwrap_or(0)
}

fn sync(cluster: &mut Cluster, key: &ObjectKey) {
    let now = cluster.world.clock.now_ms();
    let Some(Object::CronJob(cj)) = cluster
        .world
        .api
        .get("CronJob", &key.namespace, &key.name)
        .cloned()
    else {
        return;
    };
    if cj.metadata.deletion_timestamp.is_some() {
        return;
    }
    let cj_obj = Object::CronJob(cj.clone());
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let spec = cj.spec.clone().unwrap_or_default();
    let mut status = cj.status.clone().unwrap_or_default();
    let mut jobs: Vec<Job> = cluster
        .world
        .api
        .list("Job", Some(&key.namespace))
        .filter_map(|o| match o {
            Object::Job(j)
                if j.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|r| r.controller == Some(true) && r.uid == uid) =>
            {
                Some(j.as_ref().clone())
            }
            _ => None,
        })
        .collect();

    // Active list: finished Jobs leave it, running ones join it, vanished ones are dropped.
    let mut active = status.active.clone().unwrap_or_default();
    for j in &jobs {
        let name = j.metadata.name.clone().unwrap_or_default();
        let listed = active.iter().any(|r| r.name.as_deref() == Some(&name));
        if finished(j) && listed {
            active.retain(|r| r.name.as_deref() != Some(&name));
            let condition = if has_condition(j, "Complete") {
                "Complete"
            } else {
                "Failed"
            };
            events::record(
                &mut cluster.world,
                &cj_obj,
                EventType::Normal,
                "SawCompletedJob",
                &format!("Saw completed job: {name}, condition: {condition}"),
                source(),
            );
        } else if !finished(j) && !listed && j.metadata.deletion_timestamp.is_none() {
            active.push(reference(j));
        }
        if has_condition(j, "Complete") {
            let done = j.status.as_ref().and_then(|s| s.completion_time.clone());
            if let Some(done) = done {
                if status
                    .last_successful_time
                    .as_ref()
                    .is_none_or(|t| ms_from_time(t) < ms_from_time(&done))
                {
                    status.last_successful_time = Some(done);
                }
            }
        }
    }
    active.retain(|r| jobs.iter().any(|j| j.metadata.name == r.name));

    // History limits: the oldest finished Jobs beyond them go.
    jobs.sort_by_key(|j| (start_ms(j), j.metadata.name.clone()));
    for (complete, limit) in [
        (true, spec.successful_jobs_history_limit.unwrap_or(3)),
        (false, spec.failed_jobs_history_limit.unwrap_or(1)),
    ] {
        let done: Vec<&Job> = jobs
            .iter()
            .filter(|j| j.metadata.deletion_timestamp.is_none())
            .filter(|j| {
                if complete {
                    has_condition(j, "Complete")
                } else {
                    has_condition(j, "Failed")
                }
            })
            .collect();
        let excess = done.len().saturating_sub(limit.max(0) as usize);
        let victims: Vec<String> = done
            .iter()
            .take(excess)
            .filter_map(|j| j.metadata.name.clone())
            .collect();
        for name in victims {
            delete_job(cluster, &cj_obj, &key.namespace, &name);
        }
    }

    if spec.suspend != Some(true) {
        schedule(cluster, key, &cj, &cj_obj, &mut status, &mut active, now);
    }
    status.active = (!active.is_empty()).then_some(active);
    let Some(Object::CronJob(mut current)) = cluster
        .world
        .api
        .get("CronJob", &key.namespace, &key.name)
        .cloned()
    else {
        return;
    };
    if current.status.as_ref() != Some(&status) {
        current.status = Some(status);
        let _ = cluster.world.api.update_status(Object::CronJob(current));
    }
}

fn reference(j: &Job) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: j.metadata.name.clone(),
        namespace: j.metadata.namespace.clone(),
        resource_version: j.metadata.resource_version.clone(),
        uid: j.metadata.uid.clone(),
        field_path: None,
    }
}

fn delete_job(cluster: &mut Cluster, cj_obj: &Object, ns: &str, name: &str) {
    if cluster.world.delete("Job", ns, name, None, false).is_ok() {
        events::record(
            &mut cluster.world,
            cj_obj,
            EventType::Normal,
            "SuccessfulDelete",
            &format!("Deleted job {name}"),
            source(),
        );
    }
}

/// Starts the Job of the most recent missed schedule, if any, and queues the next wake-up.
fn schedule(
    cluster: &mut Cluster,
    key: &ObjectKey,
    cj: &CronJob,
    cj_obj: &Object,
    status: &mut k8s_openapi::api::batch::v1::CronJobStatus,
    active: &mut Vec<ObjectReference>,
    now: i64,
) {
    let spec = cj.spec.clone().unwrap_or_default();
    let Ok(sched) = crate::api::cron::parse(&spec.schedule) else {
        return;
    };
    let earliest = status
        .last_schedule_time
        .as_ref()
        .or(cj.metadata.creation_timestamp.as_ref())
        .map(ms_from_time)
        .unwrap_or(now);
    let mut most_recent = None;
    let mut t = sched.next(earliest);
    let mut seen = 0;
    while let Some(at) = t.filter(|at| *at <= now) {
        most_recent = Some(at);
        seen += 1;
        if seen > MAX_MISSED * 100 {
            break;
        }
        t = sched.next(at);
    }
    if let Some(next) = sched.next(now) {
        cluster
            .controllers
            .cronjob
            .recheck
            .entry(next + REQUEUE_DELAY_MS)
            .or_default()
            .insert(key.clone());
        cluster.world.timers.at(next + REQUEUE_DELAY_MS, Task::Wake);
    }
    let Some(scheduled) = most_recent else {
        return;
    };
    if seen > MAX_MISSED {
        events::record(
            &mut cluster.world,
            cj_obj,
            EventType::Warning,
            "TooManyMissedTimes",
            "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
            source(),
        );
    }
    if let Some(deadline) = spec.starting_deadline_seconds {
        if scheduled + deadline * 1000 < now {
            let when = time_from_ms(scheduled)
                .0
                .strftime("%a, %d %b %Y %H:%M:%S +0000");
            events::record(
                &mut cluster.world,
                cj_obj,
                EventType::Warning,
                "MissSchedule",
                &format!("Missed scheduled time to start a job: {when}"),
                source(),
            );
            return;
        }
    }
    let name = format!("{}-{}", key.name, scheduled.div_euclid(60_000));
    if cluster
        .world
        .api
        .get("Job", &key.namespace, &name)
        .is_some()
    {
        status.last_schedule_time = Some(time_from_ms(scheduled));
        return;
    }
    match spec.concurrency_policy.as_deref() {
        Some("Forbid") if !active.is_empty() => {
            events::record(
            &mut cluster.world,
                cj_obj,
                EventType::Normal,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
                source(),
            );
            return;
        }
        Some("Replace") => {
            for r in std::mem::take(active) {
                if let Some(n) = r.name {
                    delete_job(cluster, cj_obj, &key.namespace, &n);
                }
            }
        }
        _ => {}
    }
    let template = spec.job_template.clone();
    let meta = template.metadata.unwrap_or_default();
    let mut annotations = meta.annotations.unwrap_or_default();
    annotations.insert(
        SCHEDULED_TIMESTAMP.into(),
        time_from_ms(scheduled)
            .0
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    );
    let job = Job {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(key.namespace.clone()),
            labels: meta.labels,
            annotations: Some(annotations),
            owner_references: Some(vec![OwnerReference {
                api_version: "batch/v1".into(),
                kind: "CronJob".into(),
                name: key.name.clone(),
                uid: cj.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    };
    match cluster.create(Object::Job(Box::new(job))) {
        Ok(_) => {
            events::record(
                &mut cluster.world,
                cj_obj,
                EventType::Normal,
                "SuccessfulCreate",
                &format!("Created job {name}"),
                source(),
            );
            if let Some(Object::Job(j)) = cluster.world.api.get("Job", &key.namespace, &name) {
                active.push(reference(j));
            }
            status.last_schedule_time = Some(time_from_ms(scheduled));
        }
        Err(e) => events::record(
            &mut cluster.world,
            cj_obj,
            EventType::Warning,
            "FailedCreate",
            &format!("Error creating job: {}", e.kubectl_message()),
            source(),
        ),
    }
}
