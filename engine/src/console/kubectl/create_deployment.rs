//! `kubectl create deployment NAME --image=IMAGE [--replicas=N] [--port=P] [-- COMMAND...]`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::flags::{self, Flag};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("image", None),
    flags::value("replicas", Some('r')),
    flags::value("port", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

/// The container name kubectl derives from an image: its last path segment without tag or
/// digest (`registry.k8s.io/nginx:1.27` → `nginx`).
pub fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    last.split(':').next().unwrap_or(last).to_string()
}

/// Runs `kubectl create deployment`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create deployment", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let int32 = |shown, v| super::int_flag("create deployment", shown, v, 32).map(|n| n as i32);
    let replicas = match parsed.value("replicas").map(|v| int32("-r, --replicas", v)) {
        None => 1,
        Some(Ok(r)) => r,
        Some(Err(e)) => return super::error(e),
    };
    let port = match parsed.value("port").map(|v| int32("--port", v)).transpose() {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(name) = parsed.positionals.first() else {
        return super::error("exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples");
    };
    let images = parsed.values("image");
    if images.is_empty() {
        return super::error("required flag(s) \"image\" not set");
    }
    let command = parsed.after_dash.clone().filter(|c| !c.is_empty());
    if command.is_some() && images.len() > 1 {
        return super::error("cannot specify multiple --image options and command");
    }
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let labels: BTreeMap<String, String> = [("app".to_string(), name.clone())].into();
    let containers = images
        .iter()
        .map(|image| Container {
            name: container_name(image),
            image: Some(image.clone()),
            command: command.clone(),
            ports: port.map(|p| {
                vec![ContainerPort {
                    container_port: p,
                    ..Default::default()
                }]
            }),
            ..Default::default()
        })
        .collect();
    let deployment = Deployment {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: if dry_run {
                parsed.value("namespace").map(str::to_string)
            } else {
                Some(super::namespace(cluster, &parsed))
            },
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers,
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: None,
    };
    if dry_run {
        return super::dry_run::print(
            &Object::Deployment(Box::new(deployment)),
            parsed.value("output"),
        );
    }
    match cluster.create(Object::Deployment(Box::new(deployment))) {
        Ok(_) => {
            let mut o = Output::default();
            o.out(format!("deployment.apps/{name} created"));
            o
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}
