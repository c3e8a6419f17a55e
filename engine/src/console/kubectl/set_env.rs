//! `kubectl set env RESOURCE KEY=VAL ... KEY-` (`-e`, `--from=configmap/x|secret/x`,
//! `--prefix`, `--keys`, `-c`, `--list`, `--overwrite`): the containers' environment of pods
//! and pod templates.

use serde_json::{json, Value};

use super::flags::{self, Flag};
use super::object_update;
use super::resources;
use crate::api::error::ApiError;
use crate::api::object::{pod_spec_pointer, Object};
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("env", Some('e')),
    flags::value("from", None),
    flags::value("prefix", None),
    flags::value("keys", None),
    flags::value("containers", Some('c')),
    flags::boolean("list", None),
    flags::boolean("resolve", None),
    flags::boolean("overwrite", None),
    flags::boolean("all", None),
    flags::value("selector", Some('l')),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("filename", Some('f')),
];

/// Whether a container name matches `-c` (a glob where `*` matches anything).
pub fn container_matches(pattern: &str, name: &str) -> bool {
    fn matches(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| matches(rest, &n[i..])),
            Some((c, rest)) => n.first() == Some(c) && matches(rest, &n[1..]),
        }
    }
    matches(pattern.as_bytes(), name.as_bytes())
}

/// The objects named by `TYPE NAME`, `TYPE/NAME`, `--all` or `-l`, and the errors for names
/// not found (kubectl reports them and goes on with the others).
pub fn select_objects(
    cluster: &Cluster,
    targets: &[String],
    parsed: &flags::Parsed,
    namespace: &str,
    verb: &str,
) -> Result<(Vec<Object>, Vec<String>), Vec<String>> {
    let requests = match resources::resolve(&cluster.world.api, targets) {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => return Err(vec![format!("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl set {verb} -h' for help and examples")]),
        Err(e) => return Err(vec![format!("error: {e}")]),
    };
    let selector = match parsed.value("selector") {
        Some(s) => match crate::api::selector::Selector::parse(s) {
            Ok(sel) => Some(sel),
            Err(e) => return Err(vec![format!("error: {e}")]),
        },
        None => None,
    };
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for r in requests {
        let ns = if r.kind.namespaced { namespace } else { "" };
        if r.names.is_empty() {
            if !parsed.bool("all") && selector.is_none() {
                errors.push(format!("error: resource(s) were provided, but no name was specified\nSee 'kubectl set {verb} -h' for help and examples"));
                continue;
            }
            found.extend(
                cluster
                    .world
                    .api
                    .list(r.kind.kind, Some(ns))
                    .filter(|o| {
                        selector
                            .as_ref()
                            .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
                    })
                    .cloned(),
            );
        } else {
            for n in &r.names {
                match cluster.world.api.get(r.kind.kind, ns, n) {
                    Some(o) => found.push(o.clone()),
                    None => errors.push(ApiError::not_found(r.kind, n).kubectl_message()),
                }
            }
        }
    }
    Ok((found, errors))
}

/// `KEY-` removals and `KEY=VAL` settings, in order.
struct EnvChanges {
    set: Vec<Value>,
    remove: Vec<String>,
}

fn key_to_env_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs `kubectl set env`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        let mut o = Output::default();
        o.out(HELP);
        return o;
    }
    let parsed = match flags::parse("set env", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let is_env = |a: &str| a.contains('=') || (a.ends_with('-') && a.len() > 1);
    let first_env = parsed
        .positionals
        .iter()
        .position(|a| is_env(a))
        .unwrap_or(parsed.positionals.len());
    let (targets, env_args) = parsed.positionals.split_at(first_env);
    if env_args.iter().any(|a| !is_env(a)) {
        return super::error(format!(
            "all resources must be specified before environment changes: {}\nSee 'kubectl set env -h' for help and examples",
            parsed.positionals.join(" ")
        ));
    }
    if parsed.value("keys").is_some() && parsed.value("from").is_none() {
        return super::error(
            "when specifying --keys, a configmap or secret must be provided with --from",
        );
    }
    let list = parsed.bool("list");
    if list && parsed.value("output").is_some() {
        return super::error("--list and --output may not be specified together\nSee 'kubectl set env -h' for help and examples");
    }
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let mut changes = EnvChanges {
        set: Vec::new(),
        remove: Vec::new(),
    };
    for a in parsed.values("env").iter().chain(env_args.iter()) {
        match a.split_once('=') {
            Some((k, v)) => changes.set.push(json!({"name": k, "value": v})),
            None => changes.remove.push(a.trim_end_matches('-').to_string()),
        }
    }
    if let Some(from) = parsed.value("from") {
        match env_from(cluster, from, &parsed, &namespace) {
            Ok(mut vars) => changes.set.append(&mut vars),
            Err(e) => return super::error(e),
        }
    }
    if let Some(prefix) = parsed.value("prefix") {
        for v in &mut changes.set {
            if let Some(n) = v.get("name").and_then(Value::as_str) {
                v["name"] = Value::String(format!("{prefix}{n}"));
            }
        }
    }
    let (objects, not_found) = match select_objects(cluster, targets, &parsed, &namespace, "env") {
        Ok(o) => o,
        Err(errors) => return Output::failure(errors.join("\n")),
    };
    if !list && changes.set.is_empty() && changes.remove.is_empty() && !objects.is_empty() {
        return super::error("at least one environment variable must be provided");
    }
    let selector = parsed.value("containers").unwrap_or("*");
    let overwrite = parsed.value("overwrite").is_none() || parsed.bool("overwrite");
    let format = parsed.value("output").unwrap_or("");
    let mut out = Output::default();
    for e in not_found {
        out.err(e);
        out.exit_code = 1;
    }
    for obj in objects {
        let shown = format!("{}/{}", obj.info().qualified_kind(), obj.name());
        let Some(pointer) = pod_spec_pointer(obj.kind()) else {
            out.err(format!(
                "error: {shown} is not a pod or does not have a pod template"
            ));
            out.exit_code = 1;
            continue;
        };
        let mut value = obj.to_json();
        let Some(containers) = value
            .pointer_mut(&format!("{pointer}/containers"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        let mut matched = 0;
        let mut failure = None;
        for c in containers.iter_mut() {
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if !container_matches(selector, &name) {
                continue;
            }
            matched += 1;
            let env = c
                .as_object_mut()
                .map(|m| m.entry("env").or_insert_with(|| json!([])));
            let Some(Value::Array(env)) = env else {
                continue;
            };
            if !overwrite {
                for new in &changes.set {
                    if let Some(old) = env.iter().find(|e| e.get("name") == new.get("name")) {
                        failure = Some(format!(
                            "'{}' already has a value ({}), and --overwrite is false",
                            old["name"].as_str().unwrap_or(""),
                            old.get("value").and_then(Value::as_str).unwrap_or("")
                        ));
                    }
                }
            }
            for new in &changes.set {
                match env.iter_mut().find(|e| e.get("name") == new.get("name")) {
                    Some(slot) => *slot = new.clone(),
                    None => env.push(new.clone()),
                }
            }
            env.retain(|e| {
                !changes
                    .remove
                    .iter()
                    .any(|r| e.get("name").and_then(Value::as_str) == Some(r))
            });
            if list {
                out.out(format!("# {} {}, container {name}", obj.kind(), obj.name()));
                for e in env.iter() {
                    let n = e.get("name").and_then(Value::as_str).unwrap_or("");
                    match e.get("valueFrom") {
                        Some(from) => out.out(format!("# {n} from {}", ref_string(from))),
                        None => out.out(format!(
                            "{n}={}",
                            e.get("value").and_then(Value::as_str).unwrap_or("")
                        )),
                    }
                }
            }
            if env.is_empty() {
                if let Some(m) = c.as_object_mut() {
                    m.remove("env");
                }
            }
        }
        if matched == 0 {
            out.err(format!(
                "warning: {}/{} does not have any containers matching \"{selector}\"",
                obj.kind(),
                obj.name()
            ));
            continue;
        }
        if let Some(f) = failure {
            out.err(format!("error: {f}"));
            out.exit_code = 1;
            continue;
        }
        if list {
            continue;
        }
        match object_update::update(cluster, &obj, &value, dry_run) {
            Ok(u) if !u.changed => {}
            Ok(u) => print_result(&mut out, format, &shown, &u.object, "env updated", dry_run),
            Err(e) => {
                out.err(format!(
                    "error: failed to patch env update to pod template: {}",
                    e.message()
                ));
                out.exit_code = 1;
            }
        }
    }
    out
}

/// Prints an updated object as `-o` asks, else `<kind>/<name> <what>`.
pub fn print_result(
    out: &mut Output,
    format: &str,
    shown: &str,
    obj: &Object,
    what: &str,
    dry_run: bool,
) {
    match format {
        "name" => out.out(shown),
        "yaml" => out.out_raw(object_update::to_yaml(obj)),
        "json" => out.out(super::get::json_pretty(&obj.to_json())),
        _ if dry_run => out.out(format!("{shown} {what} (dry run)")),
        _ => out.out(format!("{shown} {what}")),
    }
}

/// How `--list` shows a `valueFrom`.
fn ref_string(from: &Value) -> String {
    let get = |p: &str| from.pointer(p).and_then(Value::as_str).unwrap_or("");
    if from.get("configMapKeyRef").is_some() {
        format!(
            "configmap {}, key {}",
            get("/configMapKeyRef/name"),
            get("/configMapKeyRef/key")
        )
    } else if from.get("secretKeyRef").is_some() {
        format!(
            "secret {}, key {}",
            get("/secretKeyRef/name"),
            get("/secretKeyRef/key")
        )
    } else if from.get("fieldRef").is_some() {
        format!("field path {}", get("/fieldRef/fieldPath"))
    } else if from.get("resourceFieldRef").is_some() {
        let container = get("/resourceFieldRef/containerName");
        let prefix = if container.is_empty() {
            String::new()
        } else {
            format!("{container}/")
        };
        format!(
            "resource field {prefix}{}",
            get("/resourceFieldRef/resource")
        )
    } else {
        "invalid valueFrom".into()
    }
}

/// `--from=configmap/x`: one variable per key (sorted), referring to the ConfigMap.
fn env_from(
    cluster: &Cluster,
    from: &str,
    parsed: &flags::Parsed,
    namespace: &str,
) -> Result<Vec<Value>, String> {
    let requests = resources::resolve(&cluster.world.api, &[from.to_string()])?;
    let keys: Vec<&str> = parsed
        .value("keys")
        .map(|k| k.split(',').collect())
        .unwrap_or_default();
    let mut vars = Vec::new();
    for r in requests {
        for n in &r.names {
            let Some(obj) = cluster.world.api.get(r.kind.kind, namespace, n) else {
                return Err(ApiError::not_found(r.kind, n)
                    .kubectl_message()
                    .replacen("error: ", "", 1));
            };
            let Object::ConfigMap(cm) = obj else {
                return Err("unsupported resource specified in --from".into());
            };
            for key in cm.data.iter().flat_map(|d| d.keys()) {
                if keys.is_empty() || keys.contains(&key.as_str()) {
                    vars.push(json!({
                        "name": key_to_env_name(key),
                        "valueFrom": {"configMapKeyRef": {"name": n, "key": key}}
                    }));
                }
            }
        }
    }
    Ok(vars)
}

const HELP: &str = "\
Update environment variables on a pod template.

 List environment variable definitions in one or more pods, pod templates. Add, update, or remove container environment variable definitions in one or more pod templates (within replication controllers or deployment configurations). View or modify the environment variable definitions on all containers in the specified pods or pod templates, or just those that match a wildcard.

 If \"--env -\" is passed, environment variables can be read from STDIN using the standard env syntax.

 Possible resources include (case insensitive):

        pod (po), replicationcontroller (rc), deployment (deploy), daemonset (ds), statefulset (sts), cronjob (cj), replicaset (rs)

Examples:
  # Update deployment 'registry' with a new environment variable
  kubectl set env deployment/registry STORAGE_DIR=/local

  # List the environment variables defined on a deployments 'sample-build'
  kubectl set env deployment/sample-build --list

  # Import environment from a config map with a prefix
  kubectl set env --from=configmap/myconfigmap --prefix=MYSQL_ deployment/myapp

  # Import specific keys from a config map
  kubectl set env --keys=my-example-key --from=configmap/myconfigmap deployment/myapp

  # Remove the environment variable ENV from container 'c1' in all deployment configs
  kubectl set env deployments --all --containers=\"c1\" ENV-

Usage:
  kubectl set env RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";
