//! The common end of kubectl's generator commands (`create service`, `create configmap`,
//! `expose`, ...): `--dry-run` and `-o` handling, then creation and the success line.

use super::flags::{self, Flag, Parsed};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

/// Flags every generator command accepts.
pub const FLAGS: &[Flag] = &[
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

/// The `--dry-run` mode (`client`/`server`, `None` for none) and the `-o` format, or
/// kubectl's error for either (checked in that order, as its `Complete` does).
pub fn printing(parsed: &Parsed) -> Result<(Option<&str>, &str), String> {
    let dry_run = match parsed.value("dry-run") {
        None | Some("none") => None,
        Some(mode @ ("client" | "server")) => Some(mode),
        // A bare `--dry-run` (where a command allows it): deprecated, a client dry run.
        Some("unchanged") => Some("client"),
        Some(other) => {
            return Err(format!(
                "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ))
        }
    };
    let format = parsed.value("output").unwrap_or("");
    if !matches!(format, "" | "yaml" | "json" | "name") {
        return Err(format!(
            "unable to match a printer suitable for the output format \"{format}\", allowed formats are: json,name,yaml"
        ));
    }
    Ok((dry_run, format))
}

/// Prints (dry run) or creates `obj`, ending with `<kind>/<name> <verb>` like kubectl.
pub fn finish(cluster: &mut Cluster, parsed: &Parsed, obj: Object, verb: &str) -> Output {
    create_and_print(cluster, parsed, obj, verb, None)
}

/// [`finish`] for commands that wrap the server's error as kubectl's
/// `fmt.Errorf("<context>%v", err)` does: `context` ends with its separator
/// (`failed to create ingress: `, or `failed to create secret ` without a colon).
pub fn finish_wrapped(
    cluster: &mut Cluster,
    parsed: &Parsed,
    obj: Object,
    verb: &str,
    context: &str,
) -> Output {
    create_and_print(cluster, parsed, obj, verb, Some(context))
}

fn create_and_print(
    cluster: &mut Cluster,
    parsed: &Parsed,
    obj: Object,
    verb: &str,
    context: Option<&str>,
) -> Output {
    let (dry_run, format) = match printing(parsed) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let shown = format!("{}/{}", obj.info().qualified_kind(), obj.name());
    if dry_run == Some("client") {
        // The object as the client built it: no server-side defaulting, and a namespace
        // only when `-n` named one (kubectl's EnforceNamespace).
        let mut value = obj.to_json();
        if let Some(m) = value.as_object_mut() {
            m.insert("apiVersion".into(), obj.info().api_version().into());
            m.insert("kind".into(), obj.kind().into());
            if let Some(meta) = m.get_mut("metadata").and_then(|v| v.as_object_mut()) {
                if parsed.value("namespace").is_none() {
                    meta.remove("namespace");
                }
            }
        }
        return print(&value, format, &format!("{shown} {verb} (dry run)"), &shown);
    }
    let kind = obj.kind();
    let (ns, name) = (obj.namespace().to_string(), obj.name().to_string());
    if obj.info().namespaced && cluster.world.api.get("Namespace", "", &ns).is_none() {
        let context = context
            .map(str::to_string)
            .unwrap_or_else(|| format!("failed to create {}: ", obj.info().singular()));
        return Output::failure(format!("error: {context}namespaces \"{ns}\" not found"));
    }
    if dry_run.is_some() {
        return print(
            &obj.to_json(),
            format,
            &format!("{shown} {verb} (server dry run)"),
            &shown,
        );
    }
    let group = obj.info().group;
    if let Err(e) = cluster.create(obj) {
        return Output::failure(match context {
            Some(context) => format!("error: {context}{}", e.status_message(group)),
            None => e.kubectl_message(),
        });
    }
    let stored = cluster
        .world
        .api
        .get(kind, &ns, &name)
        .map(Object::to_json)
        .unwrap_or_default();
    print(&stored, format, &format!("{shown} {verb}"), &shown)
}

fn print(value: &serde_json::Value, format: &str, line: &str, name: &str) -> Output {
    let mut o = Output::default();
    match format {
        "yaml" => o.out_raw(crate::printers::yaml::to_yaml(value)),
        "json" => o.out(serde_json::to_string_pretty(value).unwrap_or_default()),
        "name" => o.out(name),
        _ => o.out(line),
    }
    o
}

/// `k=v,k2=v2` into a map, with kubectl's error for a malformed pair.
pub fn parse_labels(spec: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut m = std::collections::BTreeMap::new();
    for pair in spec.split(',').filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("invalid label spec: {pair}"));
        };
        m.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(m)
}
