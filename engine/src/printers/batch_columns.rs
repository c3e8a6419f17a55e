//! `kubectl get` rows for Jobs and CronJobs (batch/v1), as kubectl 1.34's printers compute
//! them.

use k8s_openapi::api::batch::v1::{CronJob, Job};

use super::age::human_duration_secs;
use super::columns::TableOptions;
use super::workload_columns::containers_and_images;
use crate::api::batch::has_condition;
use crate::api::selector::format_label_selector;
use crate::clock::ms_from_time;

/// Header of the table for a batch kind, if `kind` is one.
pub fn headers(kind: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const WIDE: &[&str] = &["CONTAINERS", "IMAGES", "SELECTOR"];
    match kind {
        "Job" => Some((&["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], WIDE)),
        "CronJob" => Some((
            &[
                "NAME",
                "SCHEDULE",
                "TIMEZONE",
                "SUSPEND",
                "ACTIVE",
                "LAST SCHEDULE",
                "AGE",
            ],
            WIDE,
        )),
        _ => None,
    }
}

/// The STATUS cell: Complete, Failed, Terminating, Suspended, FailureTarget or Running.
pub fn job_status(j: &Job) -> &'static str {
    if has_condition(j, "Complete") {
        "Complete"
    } else if has_condition(j, "Failed") {
        "Failed"
    } else if j.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if has_condition(j, "Suspended") {
        "Suspended"
    } else if has_condition(j, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

/// The COMPLETIONS cell: `1/1`, or `0/1 of 3` for a parallelism-driven Job.
pub fn job_completions(j: &Job) -> String {
    let spec = j.spec.as_ref();
    let succeeded = j.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0);
    match spec.and_then(|s| s.completions) {
        Some(c) => format!("{succeeded}/{c}"),
        None => match spec.and_then(|s| s.parallelism).unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    }
}

/// The DURATION cell: blank before the start, then running or total time.
pub fn job_duration(j: &Job, now_ms: i64) -> String {
    let status = j.status.as_ref();
    let Some(start) = status.and_then(|s| s.start_time.as_ref()).map(ms_from_time) else {
        return String::new();
    };
    let end = status
        .and_then(|s| s.completion_time.as_ref())
        .map(ms_from_time)
        .unwrap_or(now_ms);
    human_duration_secs((end - start).div_euclid(1000))
}

/// A Job's row.
pub fn job_row(j: &Job, name: String, age: String, now_ms: i64, opts: TableOptions) -> Vec<String> {
    let mut row = vec![
        name,
        job_status(j).into(),
        job_completions(j),
        job_duration(j, now_ms),
        age,
    ];
    if opts.wide {
        let spec = j.spec.as_ref();
        let (c, i) = containers_and_images(spec.map(|s| &s.template));
        let selector = spec
            .and_then(|s| s.selector.as_ref())
            .map(format_label_selector)
            .unwrap_or_else(|| "<none>".into());
        row.extend([c, i, selector]);
    }
    row
}

/// A CronJob's row.
pub fn cron_job_row(
    c: &CronJob,
    name: String,
    age: String,
    now_ms: i64,
    opts: TableOptions,
) -> Vec<String> {
    let spec = c.spec.clone().unwrap_or_default();
    let status = c.status.clone().unwrap_or_default();
    let last = status
        .last_schedule_time
        .as_ref()
        .map(|t| human_duration_secs((now_ms - ms_from_time(t)).div_euclid(1000)))
        .unwrap_or_else(|| "<none>".into());
    let suspend = match spec.suspend {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    let mut row = vec![
        name,
        spec.schedule.clone(),
        spec.time_zone.clone().unwrap_or_else(|| "<none>".into()),
        suspend.into(),
        status.active.map_or(0, |a| a.len()).to_string(),
        last,
        age,
    ];
    if opts.wide {
        let js = spec.job_template.spec.as_ref();
        let (c, i) = containers_and_images(js.map(|s| &s.template));
        let selector = js
            .and_then(|s| s.selector.as_ref())
            .map(format_label_selector)
            .unwrap_or_else(|| "<none>".into());
        row.extend([c, i, selector]);
    }
    row
}
