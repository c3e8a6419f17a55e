//! `--dry-run=client [-o yaml|json|name]`: print what a generator command would send,
//! serialised as kubectl's typed client does (empty structs such as `resources: {}` and
//! `status: {}` included), without creating anything.

use serde_json::{Map, Value};

use crate::api::object::Object;
use crate::output::Output;

/// Which dry run was asked for, from the `--dry-run` flag's value.
pub fn mode(value: Option<&str>) -> Result<bool, String> {
    match value {
        None | Some("none") => Ok(false),
        Some("client" | "server") => Ok(true),
        Some(other) => Err(format!(
            "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        )),
    }
}

/// What a name printer adds after the operation for `--dry-run`'s value: nothing,
/// ` (dry run)` or ` (server dry run)`.
pub fn suffix(value: Option<&str>) -> Result<&'static str, String> {
    Ok(match value {
        _ if !mode(value)? => "",
        Some("server") => " (server dry run)",
        _ => " (dry run)",
    })
}

fn ensure_empty(map: &mut Map<String, Value>, key: &str) {
    map.entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
}

/// The object as kubectl's generators serialise it.
pub fn generated_json(obj: &Object) -> Value {
    let mut v = obj.to_json();
    if let Some(root) = v.as_object_mut() {
        ensure_empty(root, "status");
        let mut spec = root.get_mut("spec").and_then(Value::as_object_mut);
        if obj.kind() == "CronJob" {
            spec = spec
                .and_then(|s| s.get_mut("jobTemplate"))
                .and_then(|t| t.get_mut("spec"))
                .and_then(Value::as_object_mut);
        }
        if let Some(spec) = spec {
            if obj.kind() == "Deployment" {
                ensure_empty(spec, "strategy");
            }
            if matches!(obj.kind(), "Job" | "CronJob") {
                if let Some(t) = spec.get_mut("template").and_then(Value::as_object_mut) {
                    ensure_empty(t, "metadata");
                }
            }
            let pod_spec = if spec.contains_key("template") {
                spec.get_mut("template")
                    .and_then(|t| t.get_mut("spec"))
                    .and_then(Value::as_object_mut)
            } else {
                Some(spec)
            };
            for c in pod_spec
                .and_then(|s| s.get_mut("containers"))
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(c) = c.as_object_mut() {
                    ensure_empty(c, "resources");
                }
            }
        }
    }
    v
}

/// Prints a dry-run result in the `-o` format asked for (or kubectl's `(dry run)` line).
pub fn print(obj: &Object, format: Option<&str>) -> Output {
    let mut out = Output::default();
    let shown = format!("{}/{}", obj.info().qualified_kind(), obj.name());
    match format {
        None | Some("") => out.out(format!("{shown} created (dry run)")),
        Some("name") => out.out(shown),
        Some("yaml") => out.out_raw(crate::printers::yaml::to_yaml(&generated_json(obj))),
        Some("json") => out.out(super::get::json_pretty(&generated_json(obj))),
        Some(other) => {
            return super::error(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,yaml"
            ))
        }
    }
    out
}
