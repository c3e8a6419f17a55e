//! `kubectl create configmap NAME --from-literal/--from-file/--from-env-file` (files from the
//! learner's workspace) and `kubectl create serviceaccount NAME`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::flags::{self, Flag};
use super::generate;
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

fn one_name(parsed: &flags::Parsed, path: &str) -> Result<String, Output> {
    match parsed.positionals.as_slice() {
        [name] => Ok(name.clone()),
        other => Err(super::error(format!(
            "exactly one NAME is required, got {}\nSee 'kubectl {path} -h' for help and examples",
            other.len()
        ))),
    }
}

fn insert(
    data: &mut BTreeMap<String, String>,
    key: &str,
    value: String,
    name: &str,
) -> Result<(), String> {
    if !is_config_key(key) {
        return Err(format!("\"{key}\" is not a valid key name for a ConfigMap: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    }
    if data.contains_key(key) {
        return Err(format!(
            "cannot add key \"{key}\", another key by that name already exists in Data for ConfigMap \"{name}\""
        ));
    }
    data.insert(key.to_string(), value);
    Ok(())
}

fn is_config_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
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

fn build_data(
    cluster: &Cluster,
    parsed: &flags::Parsed,
    name: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut data = BTreeMap::new();
    let files = &cluster.console.files;
    for source in parsed.values("from-file") {
        let (key, path) = match source.split_once('=') {
            Some((k, p)) => (Some(k.to_string()), p.to_string()),
            None => (None, source.clone()),
        };
        if let Some(text) = files.read(&path) {
            let key = key.unwrap_or_else(|| path.rsplit('/').next().unwrap_or(&path).to_string());
            insert(&mut data, &key, text.to_string(), name)?;
        } else if files.is_dir(&path) {
            if key.is_some() {
                return Err("cannot give a key name for a directory path".to_string());
            }
            for f in files.files_under(&path) {
                let base = f.rsplit('/').next().unwrap_or(&f).to_string();
                if is_config_key(&base) {
                    let text = files.read(&f).unwrap_or("").to_string();
                    insert(&mut data, &base, text, name)?;
                }
            }
        } else {
            return Err(format!("error reading {path}: no such file or directory"));
        }
    }
    for lit in parsed.values("from-literal") {
        let Some((k, v)) = lit.split_once('=') else {
            return Err(format!("invalid literal source {lit}, expected key=value"));
        };
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
            .unwrap_or(v);
        insert(&mut data, k, v.to_string(), name)?;
    }
    for path in parsed.values("from-env-file") {
        let Some(text) = files.read(path) else {
            return Err(format!("error reading {path}: no such file or directory"));
        };
        for line in text.lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            insert(&mut data, k, v.to_string(), name)?;
        }
    }
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
