//! The CronJob controller (kube-controller-manager's `cronjob`, v2): creates a Job named
//! `<cronjob>-<scheduled minute since the epoch>` at each scheduled time on the simulated
//! clock, applies the concurrency policy and starting deadline, tracks active Jobs and the
//! last schedule/success times, and deletes finished Jobs beyond the history limits.

use std::collections::BTreeMap;

use crate::sort::SliceSort;
use k8s_openapi::api::batch::v1::{CronJobSpec, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::runtime::{Controller, Queue};
use crate::api::batch::{finished, has_condition};
use crate::api::cron::Schedule;
use crate::api::object::{Object, ObjectKey, WatchEvent, WatchEventType};
use crate::clock::{ms_from_time, time_from_ms};
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// Annotation with the scheduled time on each Job the controller creates.
const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/// The controller is requeued this long after each scheduled time.
const REQUEUE_DELAY_MS: i64 = 100;
/// Missed schedules looked at before giving up on catching up.
const MAX_MISSED: usize = 100;

/// The controller. Beyond what the runtime keeps (its watch cursor and the requeues at the
/// next scheduled times), it remembers only the schedules it has parsed.
#[derive(Clone, Debug, Default)]
pub struct CronJobs {
    /// Parsed schedules by their text (a cache: each sync reads its CronJob's).
    schedules: BTreeMap<String, Schedule>,
}

/// The most parsed schedules kept (past it, the cache starts over).
const MAX_SCHEDULES: usize = 64;

impl CronJobs {
    /// `spec`'s schedule, parsed once; `None` when it does not parse.
    fn schedule_of(&mut self, spec: &str) -> Option<Schedule> {
        if let Some(s) = self.schedules.get(spec) {
            return Some(s.clone());
        }
        let parsed = crate::api::cron::parse(spec).ok()?;
        if self.schedules.len() >= MAX_SCHEDULES {
            self.schedules.clear();
        }
        self.schedules.insert(spec.to_string(), parsed.clone());
        Some(parsed)
    }
}

fn source() -> Source<'static> {
    Source {
        component: "cronjob-controller",
        host: None,
    }
}

impl Controller for CronJobs {
    fn name(&self) -> &'static str {
        "cronjob"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::CronJob(_) | Object::Job(_))
    }

    /// A CronJob's own changes, and any change to a Job it controls.
    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        let key = |name: &str| ObjectKey {
            kind: "CronJob",
            namespace: obj.namespace().to_string(),
            name: name.to_string(),
        };
        match obj {
            Object::CronJob(_) if event.kind != WatchEventType::Deleted => {
                queue.add(key(obj.name()));
            }
            Object::Job(j) => {
                if let Some(r) = j
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .find(|r| r.controller == Some(true) && r.kind == "CronJob")
                {
                    queue.add(key(&r.name));
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        sync(self, world, key, queue);
    }
}

fn start_ms(j: &Job) -> i64 {
    j.status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .or(j.metadata.creation_timestamp.as_ref())
        .map(ms_from_time)
        .unwrap_or(0)
}

fn sync(cron_jobs: &mut CronJobs, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
    // The stored version, shared with the store (no copy): read as it was at the start.
    let Some(cj_obj) = world.api.get_shared("CronJob", &key.namespace, &key.name) else {
        return;
    };
    let Object::CronJob(cj) = &*cj_obj else {
        return;
    };
    if cj.metadata.deletion_timestamp.is_some() {
        return;
    }
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let no_spec = CronJobSpec::default();
    let spec = cj.spec.as_ref().unwrap_or(&no_spec);
    let mut status = cj.status.clone().unwrap_or_default();
    // Read with the Jobs borrowed from the store; the writes they call for come after.
    let (mut active, saw, victims) = read_jobs(world, key, &uid, spec, &mut status);
    for (name, condition) in saw {
        events::record(
            world,
            &cj_obj,
            EventType::Normal,
            "SawCompletedJob",
            &format!("Saw completed job: {name}, condition: {condition}"),
            source(),
        );
    }
    for name in victims {
        delete_job(world, &cj_obj, &key.namespace, &name);
    }

    if spec.suspend != Some(true) {
        if let Some(sched) = cron_jobs.schedule_of(&spec.schedule) {
            schedule(world, queue, key, &cj_obj, &sched, &mut status, &mut active);
        }
    }
    status.active = (!active.is_empty()).then_some(active);
    let Some(Object::CronJob(current)) = world.api.get("CronJob", &key.namespace, &key.name) else {
        return;
    };
    if current.status.as_ref() != Some(&status) {
        let mut current = current.clone();
        current.status = Some(status);
        let _ = world.api.update_status(Object::CronJob(current));
    }
}

/// What the CronJob's Jobs (those it controls, by `uid`) say: the active list, the finished
/// Jobs it has not seen finish yet (name, condition), and the finished Jobs beyond the
/// history limits (oldest first). Moves `status.lastSuccessfulTime`.
fn read_jobs(
    world: &World,
    key: &ObjectKey,
    uid: &str,
    spec: &CronJobSpec,
    status: &mut k8s_openapi::api::batch::v1::CronJobStatus,
) -> (
    Vec<ObjectReference>,
    Vec<(String, &'static str)>,
    Vec<String>,
) {
    let mut jobs: Vec<&Job> = world
        .api
        .list_as::<Job>(Some(&key.namespace))
        .filter(|j| {
            j.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && r.uid == uid)
        })
        .collect();

    // Active list: finished Jobs leave it, running ones join it, vanished ones are dropped.
    let mut active = status.active.clone().unwrap_or_default();
    let mut saw = Vec::new();
    for j in &jobs {
        let name = j.metadata.name.as_deref().unwrap_or_default();
        let listed = active.iter().any(|r| r.name.as_deref() == Some(name));
        if finished(j) && listed {
            active.retain(|r| r.name.as_deref() != Some(name));
            let condition = if has_condition(j, "Complete") {
                "Complete"
            } else {
                "Failed"
            };
            saw.push((name.to_string(), condition));
        } else if !finished(j) && !listed && j.metadata.deletion_timestamp.is_none() {
            active.push(reference(j));
        }
        if has_condition(j, "Complete") {
            let done = j.status.as_ref().and_then(|s| s.completion_time.as_ref());
            if let Some(done) = done {
                if status
                    .last_successful_time
                    .as_ref()
                    .is_none_or(|t| ms_from_time(t) < ms_from_time(done))
                {
                    status.last_successful_time = Some(done.clone());
                }
            }
        }
    }
    active.retain(|r| jobs.iter().any(|j| j.metadata.name == r.name));

    // History limits: the oldest finished Jobs beyond them go.
    jobs.stable_sort_by(|a, b| {
        (start_ms(a), &a.metadata.name).cmp(&(start_ms(b), &b.metadata.name))
    });
    let mut victims = Vec::new();
    for (complete, limit) in [
        (true, spec.successful_jobs_history_limit.unwrap_or(3)),
        (false, spec.failed_jobs_history_limit.unwrap_or(1)),
    ] {
        let done: Vec<&&Job> = jobs
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
        victims.extend(
            done.iter()
                .take(excess)
                .filter_map(|j| j.metadata.name.clone()),
        );
    }
    (active, saw, victims)
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

fn delete_job(world: &mut World, cj_obj: &Object, ns: &str, name: &str) {
    if world.delete("Job", ns, name, None, false).is_ok() {
        events::record(
            world,
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
    world: &mut World,
    queue: &mut Queue,
    key: &ObjectKey,
    cj_obj: &Object,
    sched: &Schedule,
    status: &mut k8s_openapi::api::batch::v1::CronJobStatus,
    active: &mut Vec<ObjectReference>,
) {
    let Object::CronJob(cj) = cj_obj else {
        return;
    };
    let now = world.clock.now_ms();
    let no_spec = CronJobSpec::default();
    let spec = cj.spec.as_ref().unwrap_or(&no_spec);
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
    // The walk ends at the first time after `now` (unless it started later or gave up).
    let next = match t {
        Some(t) if earliest <= now && seen <= MAX_MISSED * 100 => Some(t),
        _ => sched.next(now),
    };
    if let Some(next) = next {
        queue.requeue_at(world, next + REQUEUE_DELAY_MS, key.clone());
    }
    let Some(scheduled) = most_recent else {
        return;
    };
    if seen > MAX_MISSED {
        events::record(
            world,
            cj_obj,
            EventType::Warning,
            "TooManyMissedTimes",
            "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
            source(),
        );
    }
    if let Some(deadline) = spec.starting_deadline_seconds {
        if scheduled.saturating_add(deadline.saturating_mul(1000)) < now {
            let when = time_from_ms(scheduled)
                .0
                .strftime("%a, %d %b %Y %H:%M:%S +0000");
            events::record(
                world,
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
    if world.api.get("Job", &key.namespace, &name).is_some() {
        status.last_schedule_time = Some(time_from_ms(scheduled));
        return;
    }
    match spec.concurrency_policy.as_deref() {
        Some("Forbid") if !active.is_empty() => {
            events::record(
            world,
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
                    delete_job(world, cj_obj, &key.namespace, &n);
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
    match world.create(Object::Job(Box::new(job))) {
        Ok(_) => {
            events::record(
                world,
                cj_obj,
                EventType::Normal,
                "SuccessfulCreate",
                &format!("Created job {name}"),
                source(),
            );
            if let Some(Object::Job(j)) = world.api.get("Job", &key.namespace, &name) {
                active.push(reference(j));
            }
            status.last_schedule_time = Some(time_from_ms(scheduled));
        }
        Err(e) => events::record(
            world,
            cj_obj,
            EventType::Warning,
            "FailedCreate",
            &format!("Error creating job: {}", e.status_message("batch")),
            source(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::batch::v1::{CronJob, JobCondition};
    use serde_json::json;

    use super::*;
    use crate::clock::{SimDuration, BOOT_MS};
    use crate::controllers::testing::{object, Bench};

    /// The bench starts on a minute: `*/1` fires at `BOOT_MS + n` minutes, and the
    /// controller looks again 100 ms after each.
    const MINUTE: i64 = 60_000;
    /// `BOOT_MS` in minutes since the epoch (the suffix of the first Job's name is this + 1).
    const BOOT_MINUTE: i64 = BOOT_MS / MINUTE;

    fn cron_job(extra: serde_json::Value) -> Object {
        let mut spec = json!({
            "schedule": "*/1 * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "tick", "image": "busybox"}]
            }}}}
        });
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        object(json!({
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "tick", "namespace": "default"},
            "spec": spec
        }))
    }

    fn job_name(minute: i64) -> String {
        format!("tick-{}", BOOT_MINUTE + minute)
    }

    fn get_cron_job(bench: &Bench) -> CronJob {
        match bench.world.api.get("CronJob", "default", "tick") {
            Some(Object::CronJob(cj)) => cj.as_ref().clone(),
            _ => panic!("no CronJob"),
        }
    }

    /// What the Job controller would write when the Job's pods are done.
    fn complete(bench: &mut Bench, name: &str) {
        let Some(Object::Job(mut job)) = bench.world.api.get("Job", "default", name).cloned()
        else {
            panic!("no Job {name}");
        };
        let now = bench.world.clock.now_time();
        let status = job.status.get_or_insert_with(Default::default);
        status.start_time = job.metadata.creation_timestamp.clone();
        status.completion_time = Some(now.clone());
        status.succeeded = Some(1);
        status.conditions = Some(
            ["SuccessCriteriaMet", "Complete"]
                .into_iter()
                .map(|type_| JobCondition {
                    type_: type_.into(),
                    status: "True".into(),
                    reason: Some("CompletionsReached".into()),
                    last_transition_time: Some(now.clone()),
                    ..Default::default()
                })
                .collect(),
        );
        bench.world.api.update_status(Object::Job(job)).unwrap();
    }

    #[test]
    fn creates_the_job_of_each_minute_and_requeues_at_the_next() {
        let mut bench = Bench::new(Box::<CronJobs>::default());
        bench.create(cron_job(json!({})));
        bench.pass();
        assert!(bench.names("Job").is_empty());
        assert_eq!(bench.next_wake(), Some(BOOT_MS + MINUTE + REQUEUE_DELAY_MS));

        bench.advance(SimDuration::millis(MINUTE + REQUEUE_DELAY_MS));
        assert_eq!(bench.names("Job"), vec![job_name(1)]);
        assert_eq!(
            bench.events(),
            vec![format!("SuccessfulCreate: Created job {}", job_name(1))]
        );
        let Some(job) = bench.world.api.get_as::<Job>("default", &job_name(1)) else {
            panic!("no Job");
        };
        let owner = crate::api::pod::controller_of(&job.metadata).unwrap();
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("CronJob", "tick")
        );
        assert_eq!(
            job.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(SCHEDULED_TIMESTAMP))
                .map(String::as_str),
            Some("2025-09-01T09:01:00Z")
        );
        // The next fire time is the following minute (the bench runs no timers, so the wake
        // of the first minute is still queued before it).
        let status = get_cron_job(&bench).status.unwrap_or_default();
        assert_eq!(
            status.last_schedule_time.as_ref().map(ms_from_time),
            Some(BOOT_MS + MINUTE)
        );
        assert_eq!(status.active.map(|a| a.len()), Some(1));
        assert_eq!(bench.wake(), Some(BOOT_MS + MINUTE + REQUEUE_DELAY_MS));
        assert_eq!(
            bench.next_wake(),
            Some(BOOT_MS + 2 * MINUTE + REQUEUE_DELAY_MS)
        );

        // A minute later, the next Job.
        assert_eq!(bench.wake(), Some(BOOT_MS + 2 * MINUTE + REQUEUE_DELAY_MS));
        assert_eq!(bench.names("Job"), vec![job_name(1), job_name(2)]);
        assert_eq!(
            bench.next_wake(),
            Some(BOOT_MS + 3 * MINUTE + REQUEUE_DELAY_MS)
        );
    }

    #[test]
    fn forbid_skips_a_run_while_a_job_is_active() {
        let mut bench = Bench::new(Box::<CronJobs>::default());
        bench.create(cron_job(json!({"concurrencyPolicy": "Forbid"})));
        bench.pass();
        bench.wake();
        assert_eq!(bench.names("Job"), vec![job_name(1)]);
        bench.wake();
        assert_eq!(bench.names("Job"), vec![job_name(1)]);
        assert_eq!(
            bench.events().last().map(String::as_str),
            Some(
                "JobAlreadyActive: Not starting job because prior execution is running and \
                 concurrency policy is Forbid"
            )
        );
        // Once it is done, the next minute runs.
        complete(&mut bench, &job_name(1));
        bench.wake();
        assert_eq!(bench.names("Job"), vec![job_name(1), job_name(3)]);
        let events = bench.events();
        assert_eq!(
            events[events.len() - 2..],
            [
                format!(
                    "SawCompletedJob: Saw completed job: {}, condition: Complete",
                    job_name(1)
                ),
                format!("SuccessfulCreate: Created job {}", job_name(3)),
            ]
        );
    }

    #[test]
    fn replace_deletes_the_running_job() {
        let mut bench = Bench::new(Box::<CronJobs>::default());
        bench.create(cron_job(json!({"concurrencyPolicy": "Replace"})));
        bench.pass();
        bench.wake();
        bench.wake();
        assert_eq!(bench.names("Job"), vec![job_name(2)]);
        assert_eq!(
            bench.events(),
            vec![
                format!("SuccessfulCreate: Created job {}", job_name(1)),
                format!("SuccessfulDelete: Deleted job {}", job_name(1)),
                format!("SuccessfulCreate: Created job {}", job_name(2)),
            ]
        );
        let active = get_cron_job(&bench).status.unwrap_or_default().active;
        let active: Vec<_> = active
            .into_iter()
            .flatten()
            .filter_map(|r| r.name)
            .collect();
        assert_eq!(active, vec![job_name(2)]);
    }

    #[test]
    fn successful_history_limit_deletes_the_oldest_finished_jobs() {
        let mut bench = Bench::new(Box::<CronJobs>::default());
        bench.create(cron_job(json!({"successfulJobsHistoryLimit": 1})));
        bench.pass();
        bench.wake();
        complete(&mut bench, &job_name(1));
        bench.wake();
        assert_eq!(bench.names("Job"), vec![job_name(1), job_name(2)]);
        complete(&mut bench, &job_name(2));
        bench.wake();
        assert_eq!(bench.names("Job"), vec![job_name(2), job_name(3)]);
        let events = bench.events();
        assert_eq!(
            events[events.len() - 3..],
            [
                format!(
                    "SawCompletedJob: Saw completed job: {}, condition: Complete",
                    job_name(2)
                ),
                format!("SuccessfulDelete: Deleted job {}", job_name(1)),
                format!("SuccessfulCreate: Created job {}", job_name(3)),
            ]
        );
        let status = get_cron_job(&bench).status.unwrap_or_default();
        assert_eq!(
            status.last_successful_time.as_ref().map(ms_from_time),
            Some(BOOT_MS + 2 * MINUTE) // Job 2 completed then (times are whole seconds).
        );
    }

    #[test]
    fn suspended_creates_nothing() {
        let mut bench = Bench::new(Box::<CronJobs>::default());
        bench.create(cron_job(json!({"suspend": true})));
        bench.pass();
        assert_eq!(bench.next_wake(), None);
        bench.advance(SimDuration::seconds(180));
        assert!(bench.names("Job").is_empty());
        assert!(bench.events().is_empty());
        assert_eq!(bench.next_wake(), None);
    }
}
