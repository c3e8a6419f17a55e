//! `kubectl replace -f FILE [--force]`: store each manifest over the live object (fields the
//! manifest leaves out are dropped); `--force` deletes the object, then creates it again.

use serde_json::Value;

use super::flags::{self, Flag};
use super::object_update;
use crate::api::error::ApiError;
use crate::api::kinds;
use crate::api::manifest;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("filename", Some('f')),
    flags::boolean("recursive", Some('R')),
    flags::boolean("force", None),
    flags::value("grace-period", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("validate", None),
    flags::boolean("save-config", None),
];

/// Runs `kubectl replace`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        let mut o = Output::default();
        o.out(HELP);
        return o;
    }
    let parsed = match flags::parse("replace", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let sources = parsed.values("filename");
    if sources.is_empty() {
        return super::error("must specify --filename to replace");
    }
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let inputs = match super::apply::read_sources(cluster, sources, stdin, parsed.bool("recursive"))
    {
        Ok(i) => i,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let force = parsed.bool("force");
    let format = parsed.value("output").unwrap_or("");
    let mut out = Output::default();
    for (file, text) in inputs {
        let docs = match manifest::parse(&text) {
            Ok(d) => d,
            Err(e) => {
                out.err(format!("error: error parsing {file}: {e}"));
                out.exit_code = 1;
                continue;
            }
        };
        for doc in docs {
            let result = if force && !dry_run {
                force_replace(cluster, &file, &doc.value, &namespace, &mut out)
            } else {
                replace_one(cluster, &file, &doc.value, &namespace, dry_run)
            };
            match result {
                Ok((shown, obj)) => match format {
                    "name" => out.out(shown),
                    "yaml" => out.out_raw(object_update::to_yaml(&obj)),
                    "json" => out.out(super::get::json_pretty(&obj.to_json())),
                    _ if dry_run => out.out(format!("{shown} replaced (dry run)")),
                    _ => out.out(format!("{shown} replaced")),
                },
                Err(message) => {
                    if !message.is_empty() {
                        out.err(message);
                    }
                    out.exit_code = 1;
                }
            }
        }
    }
    out
}

/// Kind, namespace and name a manifest names.
fn identify(
    api: &crate::apiserver::ApiServer,
    file: &str,
    value: &Value,
    namespace: &str,
) -> Result<(&'static kinds::KindInfo, String, String), String> {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(info) = api.kind_for(api_version, kind) else {
        return Err(format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"\" from \"{file}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first"
        ));
    };
    let ns = if info.namespaced {
        value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or(namespace)
            .to_string()
    } else {
        String::new()
    };
    Ok((info, ns, name))
}

fn replace_one(
    cluster: &mut Cluster,
    file: &str,
    value: &Value,
    namespace: &str,
    dry_run: bool,
) -> Result<(String, crate::api::object::Object), String> {
    let (info, ns, name) = identify(&cluster.world.api, file, value, namespace)?;
    let Some(existing) = cluster.world.api.get(info.kind, &ns, &name).cloned() else {
        return Err(ApiError::not_found(info, &name).kubectl_message_for_file("replacing", file));
    };
    // Status and system metadata the manifest leaves out stay the server's.
    let mut desired = value.clone();
    let live = existing.to_json();
    if let (Some(d), Some(l)) = (desired.as_object_mut(), live.as_object()) {
        if let Some(status) = l.get("status") {
            d.entry("status").or_insert_with(|| status.clone());
        }
        if let (Some(dm), Some(lm)) = (
            d.get_mut("metadata").and_then(Value::as_object_mut),
            l.get("metadata").and_then(Value::as_object),
        ) {
            for key in [
                "uid",
                "creationTimestamp",
                "generation",
                "namespace",
                "ownerReferences",
            ] {
                if let Some(v) = lm.get(key) {
                    dm.entry(key).or_insert_with(|| v.clone());
                }
            }
        }
    }
    let updated = object_update::update(cluster, &existing, &desired, dry_run)
        .map_err(|e| e.message_for_file("replacing", file))?;
    Ok((format!("{}/{name}", info.qualified_kind()), updated.object))
}

/// `--force`: delete (waiting until it is gone), then create from the manifest.
fn force_replace(
    cluster: &mut Cluster,
    file: &str,
    value: &Value,
    namespace: &str,
    out: &mut Output,
) -> Result<(String, crate::api::object::Object), String> {
    let (info, ns, name) = identify(&cluster.world.api, file, value, namespace)?;
    if cluster.world.api.get(info.kind, &ns, &name).is_some() {
        let mut args = vec![format!("{}/{name}", info.plural)];
        if info.namespaced {
            args.push(format!("--namespace={ns}"));
        }
        let deleted = super::delete::run(cluster, &args, None);
        let failed = deleted.exit_code != 0;
        out.extend(deleted);
        if failed {
            return Err(String::new());
        }
    }
    let mut v = value.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
        m.remove("uid");
        if info.namespaced {
            m.insert("namespace".into(), Value::String(ns.clone()));
        }
    }
    let (obj, _) = object_update::decode(&cluster.world.api, info, &v).map_err(|m| {
        format!(
            "Error from server (BadRequest): error when creating \"{file}\": {kind} in version \"{ver}\" cannot be handled as a {kind}: {m}",
            kind = info.kind,
            ver = info.version
        )
    })?;
    cluster
        .create(obj)
        .map_err(|e| e.kubectl_message_for_file("creating", file))?;
    let stored = cluster
        .world
        .api
        .get(info.kind, &ns, &name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(info, &name).kubectl_message())?;
    Ok((format!("{}/{name}", info.qualified_kind()), stored))
}

/// `kubectl replace -h` (summary and usage).
const HELP: &str = "\
Replace a resource by file name or stdin.

 JSON and YAML formats are accepted. If replacing an existing resource, the complete resource spec must be provided. This can be obtained by

        $ kubectl get TYPE NAME -o yaml

Examples:
  # Replace a pod using the data in pod.json
  kubectl replace -f ./pod.json

  # Replace a pod based on the JSON passed into stdin
  cat pod.json | kubectl replace -f -

  # Update a single-container pod's image version (tag) to v4
  kubectl get pod mypod -o yaml | sed 's/\\(image: myimage\\):.*$/\\1:v4/' | kubectl replace -f -

  # Force replace, delete and then re-create the resource
  kubectl replace --force -f ./pod.json

Usage:
  kubectl replace -f FILENAME [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";
