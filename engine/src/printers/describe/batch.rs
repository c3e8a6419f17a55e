//! `kubectl describe job|cronjob`, in kubectl's `describeJob` / `describeCronJob` layout.

use k8s_openapi::api::batch::v1::{CronJob, Job, JobTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::labels_and_annotations;
use super::workloads::pod_template;
use crate::api::selector::format_label_selector;
use crate::clock::ms_from_time;
use crate::printers::age::human_duration_secs;

/// Go's RFC1123Z in UTC: `Mon, 01 Sep 2025 09:10:00 +0000`.
pub(crate) fn rfc1123z(t: &Time) -> String {
    t.0.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A Job's description (without Events).
pub fn job(j: &Job) -> String {
    let spec = j.spec.clone().unwrap_or_default();
    let status = j.status.clone().unwrap_or_default();
    let meta = &j.metadata;
    let mut s = format!("Name:\t{}\n", meta.name.as_deref().unwrap_or(""));
    s.push_str(&format!(
        "Namespace:\t{}\n",
        meta.namespace.as_deref().unwrap_or("")
    ));
    let selector = spec
        .selector
        .as_ref()
        .map(format_label_selector)
        .filter(|s| s != "<none>")
        .unwrap_or_default();
    s.push_str(&format!("Selector:\t{selector}\n"));
    s.push_str(&labels_and_annotations(meta));
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
    {
        s.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    if let Some(p) = spec.parallelism {
        s.push_str(&format!("Parallelism:\t{p}\n"));
    }
    match spec.completions {
        Some(c) => s.push_str(&format!("Completions:\t{c}\n")),
        None => s.push_str("Completions:\t<unset>\n"),
    }
    if let Some(m) = &spec.completion_mode {
        s.push_str(&format!("Completion Mode:\t{m}\n"));
    }
    if let Some(v) = spec.suspend {
        s.push_str(&format!("Suspend:\t{v}\n"));
    }
    if let Some(v) = spec.backoff_limit {
        s.push_str(&format!("Backoff Limit:\t{v}\n"));
    }
    if let Some(v) = spec.ttl_seconds_after_finished {
        s.push_str(&format!("TTL Seconds After Finished:\t{v}\n"));
    }
    if let Some(t) = &status.start_time {
        s.push_str(&format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    if let Some(t) = &status.completion_time {
        s.push_str(&format!("Completed At:\t{}\n", rfc1123z(t)));
    }
    if let (Some(a), Some(b)) = (&status.start_time, &status.completion_time) {
        let secs = (ms_from_time(b) - ms_from_time(a)).div_euclid(1000);
        s.push_str(&format!("Duration:\t{}\n", human_duration_secs(secs)));
    }
    if let Some(v) = spec.active_deadline_seconds {
        s.push_str(&format!("Active Deadline Seconds:\t{v}s\n"));
    }
    let (active, succeeded, failed) = (
        status.active.unwrap_or(0),
        status.succeeded.unwrap_or(0),
        status.failed.unwrap_or(0),
    );
    match status.ready {
        Some(r) => s.push_str(&format!(
            "Pods Statuses:\t{active} Active ({r} Ready) / {succeeded} Succeeded / {failed} Failed\n"
        )),
        None => s.push_str(&format!(
            "Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"
        )),
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        let done = status
            .completed_indexes
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "<none>".into());
        s.push_str(&format!("Completed Indexes:\t{done}\n"));
    }
    s.push_str(&pod_template(Some(&spec.template)));
    s
}

fn job_template(t: &JobTemplateSpec) -> String {
    let spec = t.spec.clone().unwrap_or_default();
    let mut s = match spec.selector.as_ref() {
        Some(sel) => format!("Selector:\t{}\n", format_label_selector(sel)),
        None => "Selector:\t<unset>\n".to_string(),
    };
    let opt = |v: Option<i32>| v.map_or("<unset>".to_string(), |v| v.to_string());
    s.push_str(&format!("Parallelism:\t{}\n", opt(spec.parallelism)));
    s.push_str(&format!("Completions:\t{}\n", opt(spec.completions)));
    if let Some(v) = spec.active_deadline_seconds {
        s.push_str(&format!("Active Deadline Seconds:\t{v}s\n"));
    }
    s.push_str(&pod_template(Some(&spec.template)));
    s
}

/// A CronJob's description (without Events).
pub fn cron_job(c: &CronJob) -> String {
    let spec = c.spec.clone().unwrap_or_default();
    let status = c.status.clone().unwrap_or_default();
    let meta = &c.metadata;
    let mut s = format!("Name:\t{}\n", meta.name.as_deref().unwrap_or(""));
    s.push_str(&format!(
        "Namespace:\t{}\n",
        meta.namespace.as_deref().unwrap_or("")
    ));
    s.push_str(&labels_and_annotations(meta));
    s.push_str(&format!("Schedule:\t{}\n", spec.schedule));
    s.push_str(&format!(
        "Concurrency Policy:\t{}\n",
        spec.concurrency_policy.clone().unwrap_or_default()
    ));
    let suspend = match spec.suspend {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    s.push_str(&format!("Suspend:\t{suspend}\n"));
    let opt = |v: Option<i32>| v.map_or("<unset>".to_string(), |v| v.to_string());
    s.push_str(&format!(
        "Successful Job History Limit:\t{}\n",
        opt(spec.successful_jobs_history_limit)
    ));
    s.push_str(&format!(
        "Failed Job History Limit:\t{}\n",
        opt(spec.failed_jobs_history_limit)
    ));
    match spec.starting_deadline_seconds {
        Some(v) => s.push_str(&format!("Starting Deadline Seconds:\t{v}s\n")),
        None => s.push_str("Starting Deadline Seconds:\t<unset>\n"),
    }
    s.push_str(&job_template(&spec.job_template));
    match &status.last_schedule_time {
        Some(t) => s.push_str(&format!("Last Schedule Time:\t{}\n", rfc1123z(t))),
        None => s.push_str("Last Schedule Time:\t<unset>\n"),
    }
    let active: Vec<String> = status
        .active
        .iter()
        .flatten()
        .filter_map(|r| r.name.clone())
        .collect();
    if active.is_empty() {
        s.push_str("Active Jobs:\t<none>\n");
    } else {
        s.push_str(&format!("Active Jobs:\t{}\n", active.join(", ")));
    }
    s
}
