//! batch/v1 defaulting and validation of Jobs and CronJobs, as the apiserver does them.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::defaults::pod_spec;
use super::selector::Selector;
use super::validation;
use crate::api::object::Object;

/// Label (and selector key) naming the Job's uid.
pub const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
/// Label naming the Job.
pub const JOB_NAME: &str = "batch.kubernetes.io/job-name";
/// Annotation and label of an Indexed Job's pods.
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";

fn template(t: &mut PodTemplateSpec) {
    pod_spec(t.spec.get_or_insert_with(Default::default));
}

/// Job defaults (`SetDefaults_Job`): completions and parallelism 1 when both are unset,
/// backoffLimit 6, NonIndexed, not suspended, TerminatingOrFailed replacement.
pub fn job(j: &mut Job) {
    let spec = j.spec.get_or_insert_with(Default::default);
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    spec.backoff_limit
        .get_or_insert(if spec.backoff_limit_per_index.is_some() {
            i32::MAX
        } else {
            6
        });
    spec.completion_mode
        .get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    let failure_policy = spec.pod_failure_policy.is_some();
    spec.pod_replacement_policy.get_or_insert_with(|| {
        if failure_policy {
            "Failed".into()
        } else {
            "TerminatingOrFailed".into()
        }
    });
    template(&mut spec.template);
}

/// The selector the apiserver generates for a Job with uid `uid` (unless `manualSelector`),
/// and the labels it adds to the template; the Job's own labels default to the template's.
pub fn generate_selector(j: &mut Job, uid: &str) {
    let name = j.metadata.name.clone().unwrap_or_default();
    let Some(spec) = j.spec.as_mut() else { return };
    if spec.manual_selector != Some(true) {
        let labels = spec
            .template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(BTreeMap::new);
        for (k, v) in [
            (CONTROLLER_UID, uid),
            (JOB_NAME, name.as_str()),
            ("controller-uid", uid),
            ("job-name", name.as_str()),
        ] {
            labels.entry(k.into()).or_insert_with(|| v.into());
        }
        if spec.selector.is_none() {
            spec.selector = Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(CONTROLLER_UID.into(), uid.into())])),
                match_expressions: None,
            });
        }
    }
    let template_labels = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone());
    if j.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) && template_labels.is_some() {
        j.metadata.labels = template_labels;
    }
}

/// CronJob defaults: Allow, not suspended, history 3 successful / 1 failed, and the pod
/// template's defaults (the job template's spec itself is not defaulted).
pub fn cron_job(c: &mut CronJob) {
    let spec = c.spec.get_or_insert_with(Default::default);
    spec.concurrency_policy
        .get_or_insert_with(|| "Allow".into());
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(3);
    spec.failed_jobs_history_limit.get_or_insert(1);
    if let Some(js) = spec.job_template.spec.as_mut() {
        template(&mut js.template);
    }
}

/// Adds the causes an invalid Job or CronJob has to `causes`.
pub fn validate(obj: &Object, causes: &mut Vec<String>) {
    match obj {
        Object::Job(j) => match j.spec.as_ref() {
            Some(spec) => job_spec(spec, "spec", causes),
            None => causes.push("spec.template.spec.containers: Required value".into()),
        },
        Object::CronJob(c) => {
            let name = c.metadata.name.as_deref().unwrap_or("");
            if name.len() > 52 {
                causes.push(format!(
                    "metadata.name: Invalid value: \"{name}\": must be no more than 52 characters"
                ));
            }
            let Some(spec) = c.spec.as_ref() else {
                causes.push("spec.schedule: Required value".into());
                return;
            };
            if spec.schedule.is_empty() {
                causes.push("spec.schedule: Required value".into());
            } else if let Err(e) = super::cron::parse(&spec.schedule) {
                causes.push(format!(
                    "spec.schedule: Invalid value: {:?}: {e}",
                    spec.schedule
                ));
            }
            if spec.schedule.contains("TZ") {
                causes.push(format!(
                    "spec.schedule: Invalid value: {:?}: cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                    spec.schedule
                ));
            }
            if let Some(p) = spec.concurrency_policy.as_deref() {
                if !matches!(p, "Allow" | "Forbid" | "Replace") {
                    causes.push(format!(
                        "spec.concurrencyPolicy: Unsupported value: {p:?}: supported values: \"Allow\", \"Forbid\", \"Replace\""
                    ));
                }
            }
            nonnegative(
                spec.starting_deadline_seconds,
                "spec.startingDeadlineSeconds",
                causes,
            );
            for (v, path) in [
                (
                    spec.successful_jobs_history_limit,
                    "spec.successfulJobsHistoryLimit",
                ),
                (
                    spec.failed_jobs_history_limit,
                    "spec.failedJobsHistoryLimit",
                ),
            ] {
                nonnegative(v.map(i64::from), path, causes);
            }
            match spec.job_template.spec.as_ref() {
                Some(js) => job_spec(js, "spec.jobTemplate.spec", causes),
                None => causes
                    .push("spec.jobTemplate.spec.template.spec.containers: Required value".into()),
            }
        }
        _ => {}
    }
}

fn nonnegative(v: Option<i64>, path: &str, causes: &mut Vec<String>) {
    if let Some(v) = v.filter(|v| *v < 0) {
        causes.push(format!(
            "{path}: Invalid value: {v}: must be greater than or equal to 0"
        ));
    }
}

fn job_spec(spec: &JobSpec, path: &str, causes: &mut Vec<String>) {
    for (v, field) in [
        (spec.parallelism, "parallelism"),
        (spec.completions, "completions"),
        (spec.backoff_limit, "backoffLimit"),
        (spec.ttl_seconds_after_finished, "ttlSecondsAfterFinished"),
    ] {
        nonnegative(v.map(i64::from), &format!("{path}.{field}"), causes);
    }
    nonnegative(
        spec.active_deadline_seconds,
        &format!("{path}.activeDeadlineSeconds"),
        causes,
    );
    match spec.completion_mode.as_deref() {
        None | Some("NonIndexed") => {}
        Some("Indexed") => {
            if spec.completions.is_none() {
                causes.push(format!(
                    "{path}.completions: Required value: when completion mode is Indexed"
                ));
            }
        }
        Some(m) => causes.push(format!(
            "{path}.completionMode: Unsupported value: {m:?}: supported values: \"NonIndexed\", \"Indexed\""
        )),
    }
    if spec.manual_selector == Some(true) {
        match spec.selector.as_ref() {
            None => causes.push(format!("{path}.selector: Required value")),
            Some(s) => {
                let labels = spec
                    .template
                    .metadata
                    .as_ref()
                    .and_then(|m| m.labels.clone())
                    .unwrap_or_default();
                if !Selector::from_label_selector(s).matches(Some(&labels)) {
                    causes.push(format!(
                        "{path}.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                        serde_json::to_string(&labels).unwrap_or_default()
                    ));
                }
            }
        }
    }
    let template_path = format!("{path}.template");
    validation::meta_causes(spec.template.metadata.as_ref(), &template_path, causes);
    let Some(pod) = spec.template.spec.as_ref() else {
        causes.push(format!("{path}.template.spec.containers: Required value"));
        return;
    };
    validation::pod_spec(pod, &format!("{path}.template.spec"), causes);
    match pod.restart_policy.as_deref() {
        None | Some("") | Some("Always") => causes.push(format!(
            "{path}.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
        )),
        Some("OnFailure") | Some("Never") => {}
        Some(p) => causes.push(format!(
            "{path}.template.spec.restartPolicy: Unsupported value: {p:?}: supported values: \"OnFailure\", \"Never\""
        )),
    }
}

/// Whether the Job has a condition of `type_` with status True.
pub fn has_condition(job: &Job, type_: &str) -> bool {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == type_ && c.status == "True"))
}

/// Whether the Job has finished (Complete or Failed).
pub fn finished(job: &Job) -> bool {
    has_condition(job, "Complete") || has_condition(job, "Failed")
}
