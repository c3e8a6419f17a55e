//! `--overrides` and `--override-type` of `kubectl run` and `kubectl expose`
//! (`cmdutil.OverrideOptions`): the generated object, as JSON with its `apiVersion` and
//! `kind`, is patched on the client with an RFC 7396 JSON merge patch (the default), an
//! RFC 6902 JSON patch (`json`) or a strategic merge patch (`strategic`), then decoded again
//! (unknown fields dropped, as kubectl's universal decoder does). Errors are those of the
//! libraries kubectl calls: evanphx/json-patch v4 and apimachinery's strategicpatch.

use crate::apiserver::ApiServer;
use serde_json::Value;

use super::flags::{self, Flag, Parsed};
use crate::api::json_patch::{self, PatchError};
use crate::api::object::Object;
use crate::api::{kinds, strategic_merge};

/// The two flags, for a verb's flag table.
pub(super) const FLAGS: [Flag; 2] = [
    flags::value("overrides", None),
    flags::value("override-type", None),
];

/// `obj` with the `--overrides` of `parsed` applied (unchanged without them), or the error
/// kubectl prints (without its `error: `).
pub(super) fn apply(api: &ApiServer, parsed: &Parsed, obj: Object) -> Result<Object, String> {
    let Some(fragment) = parsed.value("overrides").filter(|f| !f.is_empty()) else {
        return Ok(obj);
    };
    let target = obj.to_json();
    let patched = match parsed.value("override-type").unwrap_or("merge") {
        "" | "merge" => merge(&target, fragment)?,
        "json" => {
            let patch: Value =
                serde_json::from_str(fragment).map_err(|e| go_syntax(fragment, &e))?;
            json_patch::apply(&target, &patch).map_err(|e| match e {
                PatchError::Decode(m) | PatchError::Apply(m) => m,
            })?
        }
        "strategic" => {
            let patch = serde_json::from_str::<Value>(fragment)
                .ok()
                .filter(|p| p.is_object() || p.is_null())
                .ok_or("invalid JSON document")?;
            if patch.is_null() {
                target
            } else {
                strategic_merge::apply(&target, &patch)?
            }
        }
        other => return Err(format!("invalid override type: {other}")),
    };
    decode(api, &patched)
}

/// `jsonpatch.MergePatch` (v4): a fragment that is not a JSON object (or array, which then
/// replaces the whole document) is "Invalid JSON Patch".
fn merge(target: &Value, fragment: &str) -> Result<Value, String> {
    const BAD: &str = "Invalid JSON Patch";
    match serde_json::from_str::<Value>(fragment) {
        Ok(patch @ Value::Object(_)) => Ok(json_patch::merge(target, &patch)),
        Ok(Value::Array(items)) => Ok(Value::Array(items)),
        _ => Err(BAD.into()),
    }
}

/// Decodes the patched document as kubectl's scheme does: by its `apiVersion` and `kind`.
fn decode(api: &ApiServer, value: &Value) -> Result<Object, String> {
    let Some(map) = value.as_object() else {
        let found = if value.is_array() { "array" } else { "value" };
        return Err(format!("couldn't get version/kind; json parse error: json: cannot unmarshal {found} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}"));
    };
    let text = |key: &str| map.get(key).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    if kind.is_empty() {
        return Err(format!("Object 'Kind' is missing in '{value}'"));
    }
    if api_version.is_empty() {
        return Err(format!("Object 'apiVersion' is missing in '{value}'"));
    }
    let info = kinds::by_kind(kind)
        .filter(|i| i.api_version_is(api_version))
        .ok_or_else(|| {
            format!("no kind \"{kind}\" is registered for version \"{api_version}\" in scheme \"k8s.io/kubectl/pkg/scheme/scheme.go:28\"")
        })?;
    super::object_update::decode(api, info, value).map(|(obj, _dropped)| obj)
}

/// Go's `encoding/json` text for a syntax error, as `jsonpatch.DecodePatch` returns it: exact
/// at the end of the input; elsewhere the character serde stopped at, in Go's most common
/// wording (Go words some positions differently: after a key, after an element).
fn go_syntax(fragment: &str, e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    let line = fragment
        .lines()
        .nth(e.line().saturating_sub(1))
        .unwrap_or("");
    let c = line
        .chars()
        .nth(e.column().saturating_sub(1))
        .unwrap_or(' ');
    format!("invalid character '{c}' looking for beginning of value")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Parsed {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        flags::parse("expose", &args, &FLAGS).expect("flags parse")
    }

    fn service() -> Object {
        let value = serde_json::json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"ports": [{"port": 80, "protocol": "TCP"}], "selector": {"app": "web"}},
        });
        Object::decode_lenient("Service", &value).unwrap().unwrap()
    }

    #[test]
    fn a_merge_patch_by_default() {
        let obj = apply(
            &ApiServer::default(),
            &parsed(&["--overrides", r#"{"spec":{"type":"NodePort","ports":[{"port":8080,"nodePort":30080}]},"metadata":{"labels":null}}"#]),
            service(),
        )
        .unwrap();
        let json = obj.to_json();
        assert_eq!(json["spec"]["type"], "NodePort");
        // A merge patch replaces lists whole.
        assert_eq!(
            json["spec"]["ports"],
            serde_json::json!([{"port": 8080, "nodePort": 30080}])
        );
        assert!(json["metadata"].get("labels").is_none());
        assert_eq!(json["spec"]["selector"]["app"], "web");
    }

    #[test]
    fn strategic_and_json_types() {
        let obj = apply(
            &ApiServer::default(),
            &parsed(&[
                "--override-type=strategic",
                "--overrides",
                r#"{"spec":{"ports":[{"port":80,"nodePort":30080}]}}"#,
            ]),
            service(),
        )
        .unwrap();
        assert_eq!(obj.to_json()["spec"]["ports"][0]["protocol"], "TCP");
        let obj = apply(
            &ApiServer::default(),
            &parsed(&[
                "--override-type",
                "json",
                "--overrides",
                r#"[{"op":"add","path":"/spec/type","value":"NodePort"}]"#,
            ]),
            service(),
        )
        .unwrap();
        assert_eq!(obj.to_json()["spec"]["type"], "NodePort");
    }

    #[test]
    fn errors_as_kubectl() {
        let err =
            |args: &[&str]| apply(&ApiServer::default(), &parsed(args), service()).unwrap_err();
        assert_eq!(err(&["--overrides", "{bad"]), "Invalid JSON Patch");
        assert_eq!(err(&["--overrides", "null"]), "Invalid JSON Patch");
        assert_eq!(err(&["--overrides", "\"x\""]), "Invalid JSON Patch");
        assert_eq!(
            err(&["--overrides=[1]"]),
            "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }"
        );
        assert_eq!(
            err(&["--overrides", r#"{"apiVersion":"apps/v1"}"#]),
            "no kind \"Service\" is registered for version \"apps/v1\" in scheme \"k8s.io/kubectl/pkg/scheme/scheme.go:28\""
        );
        assert_eq!(
            err(&["--overrides", r#"{"spec":{"ports":"x"}}"#]),
            "json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort"
        );
        assert_eq!(
            err(&["--override-type=strategic", "--overrides", "[]"]),
            "invalid JSON document"
        );
        assert_eq!(
            err(&["--override-type=x", "--overrides", "{}"]),
            "invalid override type: x"
        );
        // Unknown fields are dropped on the client.
        assert!(apply(
            &ApiServer::default(),
            &parsed(&["--overrides", r#"{"spec":{"bogus":1}}"#]),
            service()
        )
        .is_ok());
    }
}
