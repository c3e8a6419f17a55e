//! What rancher's local-path-provisioner (v0.0.32) logs as it starts: with `--debug`, logrus
//! lines for the config it applied (re-encoded as Go encodes its `ConfigData`) and its
//! start; then the provisioner library's klog lines with its id
//! (`<provisioner name>_<pod name>_<uuid>`, the uuid from `addon::instance_uuid`). Both
//! loggers write to stderr.

use crate::node::hooks::logrus_value;
use crate::sort::SliceSort;
use serde_json::{Map, Value};

use super::{addon, fmt_ms, fs, Container, Line};

/// The provisioner's default name (`--provisioner-name`, `$PROVISIONER_NAME`).
const DEFAULT_NAME: &str = "rancher.io/local-path";

/// The lines of a start: logrus's debug lines, then the controller's.
pub fn startup(c: &Container, storage: Option<&crate::storage::Storage>) -> Vec<Line> {
    let t = c.start_ms;
    let argv = &c.argv;
    let debug = argv.iter().any(|a| a == "--debug" || a == "-d");
    let logrus = |at: i64, level: &str, msg: &str| Line {
        at,
        text: format!(
            "time=\"{}\" level={level} msg={}",
            fmt_ms(t + at, "%Y-%m-%dT%H:%M:%SZ"),
            logrus_value(msg)
        ),
        stderr: true,
    };
    let klog = |at: i64, line: u32, msg: &str| Line {
        at,
        text: format!(
            "I{}       1 controller.go:{line}] \"{msg}\" component=\"{}\"",
            fmt_ms(t + at, "%m%d %H:%M:%S.%6f"),
            component(c)
        ),
        stderr: true,
    };
    let mut lines = Vec::new();
    if debug {
        if let Some(applied) = config_path(argv)
            .and_then(|p| fs::read(c, storage, p))
            .and_then(|text| go_config_json(&text))
        {
            lines.push(logrus(38, "debug", &format!("Applied config: {applied}")));
        }
        lines.push(logrus(41, "debug", "Provisioner started"));
    }
    lines.push(klog(41, 838, "Starting provisioner controller"));
    lines.push(klog(143, 887, "Started provisioner controller"));
    lines
}

/// The provisioner's id, as the provisioner library builds it from the hostname.
fn component(c: &Container) -> String {
    let name = addon::flag(&c.argv, "--provisioner-name")
        .map(str::to_string)
        .or_else(|| c.env.get("PROVISIONER_NAME").cloned())
        .unwrap_or_else(|| DEFAULT_NAME.to_string());
    format!("{name}_{}_{}", c.pod, addon::instance_uuid(&c.id))
}

/// The value of `--config`.
fn config_path(argv: &[String]) -> Option<&str> {
    addon::flag(argv, "--config")
}

/// `config.json` as `json.Marshal` prints local-path's `ConfigData`: its fields in their
/// order, empty ones left out, `storageClassConfigs` `null` when absent. `None` when the
/// text is not a JSON object (the real provisioner then stops with an error).
fn go_config_json(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    let o = v.as_object()?;
    let mut out = Vec::new();
    if let Some(n) = o.get("cmdTimeoutSeconds").and_then(Value::as_i64) {
        if n != 0 {
            out.push(format!("\"cmdTimeoutSeconds\":{n}"));
        }
    }
    for key in ["setupCommand", "teardownCommand"] {
        if let Some(s) = non_empty(o, key) {
            out.push(format!("\"{key}\":{s}"));
        }
    }
    out.extend(class_config_fields(o));
    let classes = match o.get("storageClassConfigs").and_then(Value::as_object) {
        None => "null".to_string(),
        Some(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.stable_sort();
            let entries: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    let fields = m
                        .get(k)
                        .and_then(Value::as_object)
                        .map(class_config_fields)
                        .unwrap_or_default();
                    format!("{}:{{{}}}", go_json_string(k), fields.join(","))
                })
                .collect();
            format!("{{{}}}", entries.join(","))
        }
    };
    out.push(format!("\"storageClassConfigs\":{classes}"));
    Some(format!("{{{}}}", out.join(",")))
}

/// `StorageClassConfigData`'s fields: `nodePathMap` and `sharedFileSystemPath`, if set.
fn class_config_fields(o: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let entries = o
        .get("nodePathMap")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty());
    if let Some(entries) = entries {
        let items: Vec<String> = entries
            .iter()
            .map(|e| match e.as_object() {
                None => "null".to_string(),
                Some(e) => {
                    let mut f = Vec::new();
                    if let Some(node) = non_empty(e, "node") {
                        f.push(format!("\"node\":{node}"));
                    }
                    let paths = e
                        .get("paths")
                        .and_then(Value::as_array)
                        .filter(|p| !p.is_empty());
                    if let Some(paths) = paths {
                        let p: Vec<String> = paths
                            .iter()
                            .map(|p| go_json_string(p.as_str().unwrap_or_default()))
                            .collect();
                        f.push(format!("\"paths\":[{}]", p.join(",")));
                    }
                    format!("{{{}}}", f.join(","))
                }
            })
            .collect();
        out.push(format!("\"nodePathMap\":[{}]", items.join(",")));
    }
    if let Some(s) = non_empty(o, "sharedFileSystemPath") {
        out.push(format!("\"sharedFileSystemPath\":{s}"));
    }
    out
}

/// A non-empty string field, JSON-encoded.
fn non_empty(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(go_json_string)
}

/// A JSON string as Go's encoder writes it (`<`, `>`, `&` escaped for HTML).
fn go_json_string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_config_as_go_does() {
        let text = "{\n  \"nodePathMap\": [\n    {\"node\": \"DEFAULT_PATH_FOR_NON_LISTED_NODES\",\n     \"paths\": [\"/opt/local-path-provisioner\"]}\n  ]\n}";
        assert_eq!(
            go_config_json(text).as_deref(),
            Some("{\"nodePathMap\":[{\"node\":\"DEFAULT_PATH_FOR_NON_LISTED_NODES\",\"paths\":[\"/opt/local-path-provisioner\"]}],\"storageClassConfigs\":null}")
        );
        assert_eq!(go_config_json("[1]"), None);
        assert_eq!(go_config_json("{"), None);
        assert_eq!(
            logrus_value("Applied config: {\"a\":1}"),
            "\"Applied config: {\\\"a\\\":1}\""
        );
        assert_eq!(logrus_value("plain"), "plain");
    }

    #[test]
    fn logs_its_start_with_its_id() {
        let mut c = Container::for_test(
            "local-path-provisioner-7dc846544d-x2vqp",
            "rancher/local-path-provisioner:v0.0.32",
        );
        c.argv = [
            "local-path-provisioner",
            "--debug",
            "start",
            "--config",
            "/c.json",
        ]
        .map(String::from)
        .to_vec();
        c.id = "containerd://0123".into();
        let mut root = (**c.root()).clone();
        root.write("/c.json", "{}", false, 0o644, 0).unwrap();
        c.set_root(std::sync::Arc::new(root));
        let lines: Vec<String> = startup(&c, None).into_iter().map(|l| l.text).collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            "time=\"1970-01-01T00:00:00Z\" level=debug msg=\"Applied config: {\\\"storageClassConfigs\\\":null}\""
        );
        let id = addon::instance_uuid("0123");
        assert!(lines[3].ends_with(&format!("controller.go:887] \"Started provisioner controller\" component=\"rancher.io/local-path_local-path-provisioner-7dc846544d-x2vqp_{id}\"")));
    }
}
