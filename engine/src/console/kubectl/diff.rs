//! `kubectl diff -f FILE`: what `apply` would change, as `diff -u -N` of the live object and
//! the merged one (both as `get -o yaml` prints them); exit status 1 when they differ.

use crate::sort::SliceSort;
use serde_json::{Map, Value};

use super::flags::{self, Flag};
use super::{object_update, unified_diff};
use crate::api::kinds::KindInfo;
use crate::api::{manifest, strategic_merge};
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("filename", Some('f')),
    flags::boolean("recursive", Some('R')),
    flags::boolean("server-side", None),
    flags::boolean("force-conflicts", None),
    flags::value("field-manager", None),
    flags::value("selector", Some('l')),
    flags::boolean("prune", None),
    flags::value("concurrency", None),
    flags::boolean("show-managed-fields", None),
];

/// The annotation `kubectl apply` keeps the applied manifest in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Runs `kubectl diff`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        let mut o = Output::default();
        o.out(HELP);
        return o;
    }
    let parsed = match flags::parse("diff", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let sources = parsed.values("filename");
    if sources.is_empty() {
        return super::error("must specify one of -f and -k");
    }
    let inputs = match super::apply::read_sources(cluster, sources, stdin, parsed.bool("recursive"))
    {
        Ok(i) => i,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let now = cluster.world.clock.now_ms();
    let live_dir = format!("/tmp/LIVE-{}", 1_000_000_000 + (now / 7) % 3_000_000_000);
    let merged_dir = format!("/tmp/MERGED-{}", 1_000_000_000 + (now / 3) % 3_000_000_000);
    let stamp = |offset_ns: i64| {
        format!(
            "{}.{:09} +0000",
            crate::node::process::fmt_ms(now, "%Y-%m-%d %H:%M:%S"),
            (now % 1000) * 1_000_000 + offset_ns
        )
    };
    let mut out = Output::default();
    let mut differs = false;
    for (file, text) in inputs {
        let docs = match manifest::parse(&text) {
            Ok(d) => d,
            Err(e) => return super::error(format!("error parsing {file}: {e}")),
        };
        for doc in docs {
            let (info, live, merged) = match merged(cluster, &file, &doc.value, &namespace) {
                Ok(x) => x,
                Err(e) => {
                    out.err(e);
                    out.exit_code = 1;
                    return out;
                }
            };
            let live_text = live
                .map(|v| crate::printers::yaml::to_yaml(&v))
                .unwrap_or_default();
            let merged_text = crate::printers::yaml::to_yaml(&merged);
            let hunks = unified_diff::hunks(&live_text, &merged_text);
            if hunks.is_empty() {
                continue;
            }
            differs = true;
            let name = merged
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let ns = merged
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            let file_name = if info.group.is_empty() {
                format!("{}.{}.{ns}.{name}", info.version, info.kind)
            } else {
                format!("{}.{}.{}.{ns}.{name}", info.group, info.version, info.kind)
            };
            out.out_raw(format!(
                "diff -u -N {live_dir}/{file_name} {merged_dir}/{file_name}\n--- {live_dir}/{file_name}\t{}\n+++ {merged_dir}/{file_name}\t{}\n{hunks}",
                stamp(123_456),
                stamp(456_789)
            ));
        }
    }
    if differs && out.exit_code == 0 {
        out.exit_code = 1;
    }
    out
}

type Merged = (&'static KindInfo, Option<Value>, Value);

/// The live object (if any) and the object `apply` would leave, both as JSON.
fn merged(cluster: &Cluster, file: &str, doc: &Value, namespace: &str) -> Result<Merged, String> {
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let name = doc
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(info) = cluster.world.api.kind_for(api_version, kind) else {
        return Err(format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"\" from \"{file}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first"
        ));
    };
    let ns = if info.namespaced {
        doc.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or(namespace)
            .to_string()
    } else {
        String::new()
    };
    let applied = format!("{}\n", sorted_json(doc));
    let mut desired = doc.clone();
    if let Some(meta) = desired.get_mut("metadata").and_then(Value::as_object_mut) {
        if info.namespaced {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(a) = annotations.as_object_mut() {
            a.insert(LAST_APPLIED.into(), Value::String(applied));
        }
    }
    let existing = cluster.world.api.get(info.kind, &ns, name);
    let Some(existing) = existing else {
        // Created by a dry run: defaults, a creation time, generation 1.
        let (mut obj, _) = object_update::decode(&cluster.world.api, info, &desired).map_err(|m| {
            format!(
                "Error from server (BadRequest): {kind} in version \"{}\" cannot be handled as a {kind}: {m}",
                info.version
            )
        })?;
        crate::api::defaults::object(&mut obj);
        let meta = obj.metadata_mut();
        meta.creation_timestamp = Some(cluster.world.clock.now_time());
        if !info.group.is_empty() {
            meta.generation = Some(1);
        }
        let mut created = obj.to_json();
        // The server returns an empty status for kinds that have one.
        if let Some(map) = created.as_object_mut() {
            if !matches!(info.kind, "ConfigMap" | "ServiceAccount" | "Endpoints") {
                map.entry("status")
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
        return Ok((info, None, created));
    };
    let live = existing.to_json();
    // Three-way: fields the last apply set and this manifest drops are deleted.
    let previous = existing
        .metadata()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    let mut patch = desired.clone();
    if let Some(prev) = &previous {
        add_deletions(prev, &mut patch);
    }
    let merged = strategic_merge::apply(&live, &patch)
        .map_err(|m| format!("Error from server (BadRequest): {m}"))?;
    let (mut obj, _) = object_update::decode(&cluster.world.api, info, &merged).map_err(|m| {
        format!(
            "Error from server (BadRequest): {kind} in version \"{}\" cannot be handled as a {kind}: {m}",
            info.version
        )
    })?;
    crate::api::defaults::object(&mut obj);
    let mut merged = obj.to_json();
    if merged.get("spec") != live.get("spec") {
        if let Some(g) = merged
            .pointer_mut("/metadata/generation")
            .and_then(|g| g.as_i64().map(|n| (g, n)))
        {
            *g.0 = Value::from(g.1 + 1);
        }
    }
    Ok((info, Some(live), merged))
}

/// Sets `null` in `patch` for each map key `previous` had and `patch` lacks.
fn add_deletions(previous: &Value, patch: &mut Value) {
    let (Value::Object(prev), Value::Object(p)) = (previous, patch) else {
        return;
    };
    for (k, v) in prev {
        match p.get_mut(k) {
            None => {
                p.insert(k.clone(), Value::Null);
            }
            Some(next) => add_deletions(v, next),
        }
    }
}

/// Compact JSON with sorted keys, as the last-applied annotation is written.
fn sorted_json(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.stable_sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&sort(v)).unwrap_or_default()
}

/// `kubectl diff -h` (summary and usage).
const HELP: &str = "\
Diff configurations specified by file name or stdin between the current online configuration, and the configuration as it would be if applied.

 The output is always YAML.

 KUBECTL_EXTERNAL_DIFF environment variable can be used to select your own diff command. Users can use external commands with params too, example: KUBECTL_EXTERNAL_DIFF=\"colordiff -N -u\"

 By default, the \"diff\" command available in your path will be run with the \"-u\" (unified diff) and \"-N\" (treat absent files as empty) options.

 Exit status: 0 No differences were found. 1 Differences were found. >1 Kubectl or diff failed with an error.

 Note: KUBECTL_EXTERNAL_DIFF, if used, is expected to follow that convention.

Examples:
  # Diff resources included in pod.json
  kubectl diff -f pod.json

  # Diff file read from stdin
  cat service.yaml | kubectl diff -f -

Usage:
  kubectl diff -f FILENAME [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";
