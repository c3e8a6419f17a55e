//! Type mismatches in manifests, reported as the apiserver's Go JSON decoder does:
//! `json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type
//! []v1.Container`.
//!
//! serde knows the expected Rust type but not the Go names, so they are found by probing:
//! the value at the failing path's parent is replaced by `true` and decoded again, and the
//! new error names the parent's struct (`expected PodSpec`); likewise `[true]` and
//! `{"k": true}` name the element type of a list or map. An integer out of its field's range
//! (`replicas: 2147483648`) is Go's `cannot unmarshal number 2147483648 into … of type int32`.

use serde_json::Value;

use super::typed::{Probe, Segment};

/// The Go-style message for a decoding failure of `value` as `T`, if it is a type mismatch
/// at a known path; `None` to fall back to serde's own text.
pub fn go_message(decode: Probe, value: &Value, kind: &str) -> Option<String> {
    let (path, out_of_range) = failing_path(decode, value)?;
    // Go names the struct holding the field; list indices after the field do not count.
    let key_at = path.iter().rposition(|s| matches!(s, Segment::Key(_)))?;
    let parents = &path[..key_at];
    let actual = lookup(value, &path)?;
    let found = match actual {
        Value::Object(_) => "object".to_string(),
        Value::Array(_) => "array".to_string(),
        Value::String(_) => "string".to_string(),
        Value::Bool(_) => "bool".to_string(),
        Value::Number(n) if n.is_f64() || out_of_range => format!("number {n}"),
        Value::Number(_) => "number".to_string(),
        Value::Null => return None,
    };
    let parent = if parents.is_empty() {
        kind.to_string()
    } else {
        expected_at(decode, value, parents, Value::Bool(true))?
    };
    let ty = go_type(decode, value, &path)?;
    let dotted: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Index(_) => None,
        })
        .collect();
    Some(format!(
        "json: cannot unmarshal {found} into Go struct field {parent}.{} of type {ty}",
        dotted.join(".")
    ))
}

/// Where decoding fails with a type mismatch, and whether it is an integer out of range.
fn failing_path(decode: Probe, value: &Value) -> Option<(Vec<Segment>, bool)> {
    let err = decode(value).err()?;
    let text = err.to_string();
    let out_of_range = text.starts_with("invalid value: integer");
    if !text.starts_with("invalid type") && !out_of_range {
        return None;
    }
    Some((err.path().to_vec(), out_of_range))
}

fn lookup<'a>(value: &'a Value, path: &[Segment]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, s| match s {
        Segment::Key(k) => v.get(k),
        Segment::Index(i) => v.get(i),
    })
}

fn lookup_mut<'a>(value: &'a mut Value, path: &[Segment]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, s| match s {
        Segment::Key(k) => v.get_mut(k),
        Segment::Index(i) => v.get_mut(*i),
    })
}

/// What serde expects at `path` once the value there is replaced by `probe`, e.g.
/// `PodSpec`, `a sequence`, `i32`.
fn expected_at(decode: Probe, value: &Value, path: &[Segment], probe: Value) -> Option<String> {
    let mut doc = value.clone();
    *lookup_mut(&mut doc, path)? = probe;
    let err = decode(&doc).err()?.to_string();
    let (_, expected) = err.split_once(", expected ")?;
    Some(expected.to_string())
}

/// The Go type of the field at `path`: `[]v1.Container`, `int32`, `map[string]string`.
fn go_type(decode: Probe, value: &Value, path: &[Segment]) -> Option<String> {
    let expected = expected_at(decode, value, path, Value::Bool(true))?;
    Some(match expected.as_str() {
        "a sequence" => {
            let element = expected_at(decode, value, path, Value::Array(vec![Value::Bool(true)]))
                .map(|e| go_name(&e))
                .unwrap_or_else(|| "interface {}".into());
            format!("[]{element}")
        }
        "a map" => {
            let mut map = serde_json::Map::new();
            map.insert("k".into(), Value::Bool(true));
            let element = expected_at(decode, value, path, Value::Object(map))
                .map(|e| go_name(&e))
                .unwrap_or_else(|| "string".into());
            format!("map[string]{element}")
        }
        other => go_name(other),
    })
}

/// serde's name of an expected type → Go's name of it.
fn go_name(expected: &str) -> String {
    match expected {
        "a string" => "string".into(),
        "a boolean" => "bool".into(),
        "i32" => "int32".into(),
        "i64" => "int64".into(),
        "u8" | "u16" | "u32" | "u64" => format!("uint{}", &expected[1..]),
        "f64" => "float64".into(),
        "f32" => "float32".into(),
        "a sequence" => "[]interface {}".into(),
        "a map" => "map[string]string".into(),
        "Quantity" => "resource.Quantity".into(),
        "IntOrString" => "intstr.IntOrString".into(),
        name if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) => {
            format!("v1.{name}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    fn message(doc: Value) -> String {
        go_message(crate::api::typed::probe::<Pod>, &doc, "Pod").unwrap_or_default()
    }

    #[test]
    fn integers_out_of_their_range() {
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},
            "spec": {"containers": [], "terminationGracePeriodSeconds": 9223372036854775808u64,
                "priority": 2147483648i64}});
        let text = message(doc);
        assert!(
            text.starts_with("json: cannot unmarshal number ") && text.contains("of type int"),
            "{text}"
        );
    }

    #[test]
    fn containers_given_as_a_map() {
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},
            "spec": {"containers": {"name": "nginx", "image": "nginx"}}});
        assert_eq!(
            message(doc),
            "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"
        );
    }

    #[test]
    fn scalars_of_the_wrong_type() {
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"},
            "spec": {"containers": [{"name": "c", "image": "nginx",
                "ports": [{"containerPort": "eighty"}]}]}});
        assert_eq!(
            message(doc),
            "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
        );
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"},
            "spec": {"containers": [{"name": "c", "image": "nginx",
                "env": [{"name": "N", "value": 9}]}]}});
        assert_eq!(
            message(doc),
            "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string"
        );
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c", "labels": "app"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        assert_eq!(
            message(doc),
            "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string"
        );
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c"},
            "spec": {"containers": [{"name": "c", "image": "nginx", "args": ["sleep", 10]}]}});
        assert_eq!(
            message(doc),
            "json: cannot unmarshal number into Go struct field Container.spec.containers.args of type string"
        );
    }

    #[test]
    fn struct_fields_given_a_list() {
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "d"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}],
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"weight": 1}]}}}});
        assert_eq!(
            message(doc),
            "json: cannot unmarshal array into Go struct field NodeAffinity.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution of type v1.NodeSelector"
        );
    }
}
