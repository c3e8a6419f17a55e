//! `kubectl create`: from files (`-f`), or a namespace by name.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::apply::{self, Mode};
use super::flags::{self, Flag};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const NS_FLAGS: &[Flag] = &[
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

/// Runs `kubectl create ...`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    match args.first().map(String::as_str) {
        Some("namespace" | "ns") => namespace(cluster, &args[1..]),
        Some("deployment" | "deploy") => super::create_deployment::run(cluster, &args[1..]),
        Some("service" | "svc") => super::create_service::create_service(cluster, &args[1..]),
        Some("configmap" | "cm") => super::create_configmap::create_configmap(cluster, &args[1..]),
        Some("secret") => super::create_secret::run(cluster, &args[1..]),
        Some("job") => super::create_batch::create_job(cluster, &args[1..]),
        Some("cronjob" | "cj") => super::create_batch::create_cronjob(cluster, &args[1..]),
        Some("ingress" | "ing") => super::create_ingress::run(cluster, &args[1..]),
        Some("quota" | "resourcequota") => super::create_quota::run(cluster, &args[1..]),
        Some("role") => super::create_rbac::create_role(cluster, &args[1..]),
        Some("clusterrole") => super::create_rbac::create_clusterrole(cluster, &args[1..]),
        Some("rolebinding") => super::create_rbac::create_rolebinding(cluster, &args[1..]),
        Some("clusterrolebinding") => {
            super::create_rbac::create_clusterrolebinding(cluster, &args[1..])
        }
        Some("token") => super::create_rbac::create_token(cluster, &args[1..]),
        Some("serviceaccount" | "sa") => {
            super::create_configmap::create_serviceaccount(cluster, &args[1..])
        }
        Some(sub) if !sub.starts_with('-') => super::error(format!(
            "\"kubectl create {sub}\" is not simulated in Kubeplay yet"
        )),
        _ => apply::run(cluster, args, stdin, Mode::Create),
    }
}

fn namespace(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create namespace", args, NS_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(name) = parsed.positionals.first() else {
        return super::error("exactly one NAME is required, got 0\nSee 'kubectl create namespace -h' for help and examples");
    };
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    match cluster.create(Object::Namespace(Box::new(ns))) {
        Ok(_) => {
            let mut o = Output::default();
            o.out(format!("namespace/{name} created"));
            o
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}
