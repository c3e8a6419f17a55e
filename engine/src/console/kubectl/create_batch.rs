//! `kubectl create job NAME --image=IMAGE [-- COMMAND...]`, `kubectl create job NAME
//! --from=cronjob/NAME` and `kubectl create cronjob NAME --image=IMAGE --schedule=SPEC
//! [--restart=OnFailure|Never] [-- COMMAND...]`, with `--dry-run` and `-o`.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::flags::{self, Flag};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const JOB_FLAGS: &[Flag] = &[
    flags::value("image", None),
    flags::value("from", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

pub(super) const CRONJOB_FLAGS: &[Flag] = &[
    flags::value("image", None),
    flags::value("schedule", None),
    flags::value("restart", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

/// The pod template both commands build: one container named after the object.
fn pod_template(
    name: &str,
    image: &str,
    command: Option<Vec<String>>,
    restart: &str,
) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: None,
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.to_string(),
                image: Some(image.to_string()),
                command,
                ..Default::default()
            }],
            restart_policy: Some(restart.to_string()),
            ..Default::default()
        }),
    }
}

/// The namespace written into the object: a client dry run shows only an explicit `-n`.
fn shown_namespace(dry_run: bool, parsed: &flags::Parsed, namespace: &str) -> Option<String> {
    if dry_run {
        parsed.value("namespace").map(str::to_string)
    } else {
        Some(namespace.to_string())
    }
}

/// Creates `obj` or prints it for a dry run; `shown` is e.g. `job.batch/pi`.
fn finish(cluster: &mut Cluster, obj: Object, dry_run: bool, output: Option<&str>) -> Output {
    if dry_run {
        return super::dry_run::print(&obj, output);
    }
    if let Some(f) = output.filter(|f| !matches!(*f, "" | "name" | "yaml" | "json")) {
        return super::error(format!(
            "unable to match a printer suitable for the output format \"{f}\", allowed formats are: json,name,yaml"
        ));
    }
    let shown = format!("{}/{}", obj.info().qualified_kind(), obj.name());
    let (kind, ns, name) = (
        obj.kind(),
        obj.namespace().to_string(),
        obj.name().to_string(),
    );
    if let Err(e) = cluster.create(obj) {
        return Output::failure(e.kubectl_message());
    }
    let mut o = Output::default();
    let stored = cluster.world.api.get(kind, &ns, &name).map(Object::to_json);
    match (output, stored) {
        (Some("name"), _) => o.out(shown),
        (Some("yaml"), Some(v)) => o.out_raw(crate::printers::yaml::to_yaml(&v)),
        (Some("json"), Some(v)) => o.out(super::get::json_pretty(&v)),
        _ => o.out(format!("{shown} created")),
    }
    o
}

/// Runs `kubectl create job`.
pub fn create_job(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create job", args, JOB_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(name) = parsed.positionals.first().cloned() else {
        return super::error(
            "exactly one NAME is required, got 0\nSee 'kubectl create job -h' for help and examples",
        );
    };
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let image = parsed.value("image").unwrap_or("");
    let from = parsed.value("from").unwrap_or("");
    if image.is_empty() == from.is_empty() {
        return super::error("either --image or --from must be specified");
    }
    let command = parsed.after_dash.clone().filter(|c| !c.is_empty());
    if command.is_some() && !from.is_empty() {
        return super::error("cannot specify --from and command");
    }
    let namespace = super::namespace(cluster, &parsed);
    let job = if from.is_empty() {
        Job {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: shown_namespace(dry_run, &parsed, &namespace),
                ..Default::default()
            },
            spec: Some(JobSpec {
                template: pod_template(&name, image, command, "Never"),
                ..Default::default()
            }),
            status: None,
        }
    } else {
        let Some((kind, source)) = from.split_once('/') else {
            return super::error(format!(
                "from must be of the form <resource>/<name>, got: {from}"
            ));
        };
        if !matches!(
            crate::api::kinds::resolve(kind).map(|k| k.kind),
            Some("CronJob")
        ) {
            return super::error(format!("unknown object type {kind}"));
        }
        let Some(cj) = cluster.world.api.get_as::<CronJob>(&namespace, source) else {
            return Output::failure(
                crate::api::error::ApiError::not_found(crate::api::kinds::info("CronJob"), source)
                    .kubectl_message(),
            );
        };
        let template = cj.spec.clone().unwrap_or_default().job_template;
        let meta = template.metadata.unwrap_or_default();
        let mut annotations = BTreeMap::from([(
            "cronjob.kubernetes.io/instantiate".to_string(),
            "manual".to_string(),
        )]);
        annotations.extend(meta.annotations.unwrap_or_default());
        Job {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: shown_namespace(dry_run, &parsed, &namespace),
                labels: meta.labels,
                annotations: Some(annotations),
                owner_references: Some(vec![OwnerReference {
                    api_version: "batch/v1".into(),
                    kind: "CronJob".into(),
                    name: source.to_string(),
                    uid: cj.metadata.uid.clone().unwrap_or_default(),
                    controller: Some(true),
                    block_owner_deletion: None,
                }]),
                ..Default::default()
            },
            spec: template.spec,
            status: None,
        }
    };
    finish(
        cluster,
        Object::Job(Box::new(job)),
        dry_run,
        parsed.value("output"),
    )
}

/// Runs `kubectl create cronjob`.
pub fn create_cronjob(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create cronjob", args, CRONJOB_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(name) = parsed.positionals.first().cloned() else {
        return super::error(
            "exactly one NAME is required, got 0\nSee 'kubectl create cronjob -h' for help and examples",
        );
    };
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let Some(image) = parsed.value("image").filter(|i| !i.is_empty()) else {
        return super::error("--image must be specified");
    };
    let Some(schedule) = parsed.value("schedule").filter(|s| !s.is_empty()) else {
        return super::error("--schedule must be specified");
    };
    let restart = parsed.value("restart").unwrap_or("OnFailure");
    let command = parsed.after_dash.clone().filter(|c| !c.is_empty());
    let namespace = super::namespace(cluster, &parsed);
    let cj = CronJob {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: shown_namespace(dry_run, &parsed, &namespace),
            ..Default::default()
        },
        spec: Some(CronJobSpec {
            schedule: schedule.to_string(),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    name: Some(name.clone()),
                    ..Default::default()
                }),
                spec: Some(JobSpec {
                    template: pod_template(&name, image, command, restart),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: None,
    };
    finish(
        cluster,
        Object::CronJob(Box::new(cj)),
        dry_run,
        parsed.value("output"),
    )
}
