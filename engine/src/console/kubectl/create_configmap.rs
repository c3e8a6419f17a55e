//! `kubectl create configmap NAME --from-literal/--from-file/--from-env-file` (files from the
//! learner's workspace) and `kubectl create serviceaccount NAME`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::flags::{self, Flag};
use super::{data_sources, generate};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const CM_FLAGS: &[Flag] = &[
    flags::value("from-literal", None),
    flags::value("from-file", None),
    flags::value("from-env-file", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

pub(super) fn one_name(parsed: &flags::Parsed, path: &str) -> Result<String, Output> {
    match parsed.positionals.as_slice() {
        [name] => Ok(name.clone()),
        other => Err(super::error(format!(
            "exactly one NAME is required, got {}\nSee 'kubectl {path} -h' for help and examples",
            other.len()
        ))),
    }
}

/// Adds one key as kubectl's `validateNewConfigMap` checks it.
fn insert(
    data: &mut BTreeMap<String, String>,
    key: &str,
    value: String,
    name: &str,
) -> Result<(), String> {
    let causes = crate::api::object::config_key_causes(key);
    if !causes.is_empty() {
        return Err(format!(
            "{key:?} is not a valid key name for a ConfigMap: {}",
            causes.join(",")
        ));
    }
    if data.contains_key(key) {
        return Err(format!(
            "cannot add key \"{key}\", another key by that name already exists in Data for ConfigMap \"{name}\""
        ));
    }
    data.insert(key.to_string(), value);
    Ok(())
}

/// Runs `kubectl create configmap ...` (args after `configmap`).
pub fn create_configmap(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create configmap", args, CM_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match one_name(&parsed, "create configmap") {
        Ok(n) => n,
        Err(o) => return o,
    };
    match build_data(cluster, &parsed, &name) {
        Ok(data) => {
            let cm = ConfigMap {
                metadata: ObjectMeta {
                    name: Some(name),
                    namespace: Some(super::namespace(cluster, &parsed)),
                    ..Default::default()
                },
                data: (!data.is_empty()).then_some(data),
                ..Default::default()
            };
            generate::finish(cluster, &parsed, Object::ConfigMap(Box::new(cm)), "created")
        }
        Err(e) => super::error(e),
    }
}

/// The data from the sources, in kubectl's order: files, literals, env files.
fn build_data(
    cluster: &Cluster,
    parsed: &flags::Parsed,
    name: &str,
) -> Result<BTreeMap<String, String>, String> {
    data_sources::check_combination(parsed)?;
    let mut data = BTreeMap::new();
    let files = &cluster.console.files;
    let mut add = |k: &str, v: String| insert(&mut data, k, v, name);
    data_sources::from_files(files, parsed.values("from-file"), &mut add)?;
    data_sources::from_literals(parsed.values("from-literal"), true, &mut add)?;
    data_sources::from_env_files(files, parsed.values("from-env-file"), "config", &mut add)?;
    Ok(data)
}

/// Runs `kubectl create serviceaccount NAME` (args after `serviceaccount`).
pub fn create_serviceaccount(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create serviceaccount", args, generate::FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match one_name(&parsed, "create serviceaccount") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let sa = ServiceAccount {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(super::namespace(cluster, &parsed)),
            ..Default::default()
        },
        ..Default::default()
    };
    generate::finish(
        cluster,
        &parsed,
        Object::ServiceAccount(Box::new(sa)),
        "created",
    )
}
