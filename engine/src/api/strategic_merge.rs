//! Strategic merge patch (the default `kubectl patch` type): maps merge, `null` deletes, lists
//! with a patch merge key (containers by `name`, ports by `containerPort`, ...) merge item by
//! item, other lists are replaced; `$patch: replace|delete|merge`, `$retainKeys`,
//! `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` directives.

use crate::sort::SliceSort;
use serde_json::{Map, Value};

/// The patch merge key of a list field, given the field that holds the enclosing map.
fn merge_key(field: &str, parent: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" | "addresses" => "type",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "taints" => "key",
        "readinessGates" => "conditionType",
        "ownerReferences" => "uid",
        "ports"
            if matches!(
                parent,
                "containers" | "initContainers" | "ephemeralContainers"
            ) =>
        {
            "containerPort"
        }
        "ports" => "port",
        _ => return None,
    })
}

/// Lists of scalars that merge as sets instead of being replaced.
fn merges_primitives(field: &str) -> bool {
    field == "finalizers"
}

/// Applies `patch` to `original` (both whole objects).
pub fn apply(original: &Value, patch: &Value) -> Result<Value, String> {
    match (original, patch) {
        (Value::Object(o), Value::Object(p)) => {
            Ok(merge_map(o, p, "")?.map(Value::Object).unwrap_or_default())
        }
        (_, Value::Object(p)) => Ok(Value::Object(strip(p))),
        _ => {
            Err("json: cannot unmarshal array into Go value of type map[string]interface {}".into())
        }
    }
}

/// Merges a patch map into an original map; `None` when the patch deletes the map.
fn merge_map(
    original: &Map<String, Value>,
    patch: &Map<String, Value>,
    field: &str,
) -> Result<Option<Map<String, Value>>, String> {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("replace") => return Ok(Some(strip(patch))),
        Some("delete") => return Ok(None),
        Some("merge") | None => {}
        Some(other) => return Err(format!("Unknown patch type: {other}")),
    }
    let mut out = original.clone();
    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        if value.is_null() {
            out.shift_remove(key);
            continue;
        }
        let merged = match (out.get(key), value) {
            (Some(Value::Object(o)), Value::Object(p)) => match merge_map(o, p, key)? {
                Some(m) => Value::Object(m),
                None => {
                    out.shift_remove(key);
                    continue;
                }
            },
            (_, Value::Object(p)) => {
                if p.get("$patch").and_then(Value::as_str) == Some("delete") {
                    out.shift_remove(key);
                    continue;
                }
                Value::Object(strip(p))
            }
            (Some(Value::Array(o)), Value::Array(p)) => Value::Array(merge_list(o, p, key, field)?),
            (_, Value::Array(p)) => Value::Array(merge_list(&[], p, key, field)?),
            (_, v) => v.clone(),
        };
        out.insert(key.clone(), merged);
    }
    for (key, value) in patch {
        if let Some(list) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(items)), Value::Array(gone)) = (out.get_mut(list), value) {
                items.retain(|i| !gone.contains(i));
            }
        }
    }
    for (key, value) in patch {
        if let (Some(list), Value::Array(order)) = (key.strip_prefix("$setElementOrder/"), value) {
            let mk = merge_key(list, field);
            if let Some(Value::Array(items)) = out.get_mut(list) {
                reorder(items, order, mk);
            }
        }
    }
    if let Some(Value::Array(keep)) = patch.get("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        out.retain(|k, _| keep.contains(&k.as_str()));
    }
    Ok(Some(out))
}

/// Merges list `patch` into list `original` (the list field is `field`, inside `parent`).
fn merge_list(
    original: &[Value],
    patch: &[Value],
    field: &str,
    parent: &str,
) -> Result<Vec<Value>, String> {
    let is_replace = |v: &Value| v.get("$patch").and_then(Value::as_str) == Some("replace");
    if patch.iter().any(is_replace) {
        return Ok(patch
            .iter()
            .filter(|v| !is_replace(v))
            .map(strip_value)
            .collect());
    }
    let Some(key) = merge_key(field, parent) else {
        if merges_primitives(field) {
            let mut out = original.to_vec();
            for v in patch {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            return Ok(out);
        }
        return Ok(patch.iter().map(strip_value).collect());
    };
    let mut out = original.to_vec();
    for item in patch {
        let Some(map) = item.as_object() else {
            return Err(format!(
                "map: {} does not contain declared merge key: {key}",
                go_map(item)
            ));
        };
        let Some(id) = map.get(key) else {
            return Err(format!(
                "map: {} does not contain declared merge key: {key}",
                go_map(item)
            ));
        };
        let at = out.iter().position(|o| o.get(key) == Some(id));
        if map.get("$patch").and_then(Value::as_str) == Some("delete") {
            out.retain(|o| o.get(key) != Some(id));
            continue;
        }
        match at {
            Some(i) => {
                let merged = match out[i].as_object() {
                    Some(o) => merge_map(o, map, field)?,
                    None => Some(strip(map)),
                };
                match merged {
                    Some(m) => out[i] = Value::Object(m),
                    None => {
                        out.remove(i);
                    }
                }
            }
            None => out.push(Value::Object(strip(map))),
        }
    }
    Ok(out)
}

/// Puts `items` in the order of `order` (by merge key, or by value); others keep their place
/// after them.
fn reorder(items: &mut Vec<Value>, order: &[Value], key: Option<&str>) {
    let id = |v: &Value| match key {
        Some(k) => v.get(k).cloned(),
        None => Some(v.clone()),
    };
    let wanted: Vec<Value> = order.iter().filter_map(&id).collect();
    let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
    for w in &wanted {
        if let Some(i) = items.iter().position(|v| id(v).as_ref() == Some(w)) {
            sorted.push(items.remove(i));
        }
    }
    sorted.append(items);
    *items = sorted;
}

/// A map as Go's `%v` prints `map[string]interface{}`: `map[a:1 b:x]`.
fn go_map(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.stable_sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_map(&m[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(go_map).collect::<Vec<_>>().join(" ")),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The patch without its directives (for values added as they are).
fn strip(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, v)| !k.starts_with('$') && !v.is_null())
        .map(|(k, v)| (k.clone(), strip_value(v)))
        .collect()
}

fn strip_value(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(strip(m)),
        Value::Array(a) => Value::Array(a.iter().map(strip_value).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({"spec": {"replicas": 1, "template": {"spec": {
            "containers": [
                {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}],
                 "env": [{"name": "A", "value": "1"}]},
                {"name": "log", "image": "busybox"}
            ],
            "tolerations": [{"key": "a", "operator": "Exists"}]
        }}}})
    }

    #[test]
    fn containers_merge_by_name() {
        let p = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "nginx:1.27", "env": [{"name": "B", "value": "2"}]},
            {"name": "new", "image": "redis"}
        ]}}}});
        let out = apply(&deployment(), &p).unwrap();
        let cs = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(cs[0]["image"], "nginx:1.27");
        assert_eq!(
            cs[0]["env"],
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
        );
        assert_eq!(cs[0]["ports"], json!([{"containerPort": 80}]));
        assert_eq!(cs[1]["name"], "log");
        assert_eq!(cs[2]["name"], "new");
    }

    #[test]
    fn directives_and_replaced_lists() {
        let p = json!({"spec": {"replicas": null, "template": {"spec": {
            "containers": [{"name": "log", "$patch": "delete"}],
            "tolerations": [{"key": "b", "operator": "Exists"}]
        }}}});
        let out = apply(&deployment(), &p).unwrap();
        assert!(out["spec"].get("replicas").is_none());
        let spec = &out["spec"]["template"]["spec"];
        assert_eq!(spec["containers"].as_array().unwrap().len(), 1);
        assert_eq!(
            spec["tolerations"],
            json!([{"key": "b", "operator": "Exists"}])
        );
        let p = json!({"spec": {"template": {"spec": {"$patch": "replace", "containers": []}}}});
        let out = apply(&deployment(), &p).unwrap();
        assert_eq!(out["spec"]["template"]["spec"], json!({"containers": []}));
        let p = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "only", "image": "x"}, {"$patch": "replace"}
        ]}}}});
        let out = apply(&deployment(), &p).unwrap();
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"],
            json!([{"name": "only", "image": "x"}])
        );
        let p = json!({"spec": {"$retainKeys": ["template"], "template": {"spec": {
            "$setElementOrder/containers": [{"name": "log"}, {"name": "web"}]
        }}}});
        let out = apply(&deployment(), &p).unwrap();
        assert!(out["spec"].get("replicas").is_none());
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"][0]["name"],
            "log"
        );
    }

    #[test]
    fn merge_key_errors_and_primitives() {
        let p = json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}});
        assert_eq!(
            apply(&deployment(), &p).unwrap_err(),
            "map: map[image:x] does not contain declared merge key: name"
        );
        let o = json!({"metadata": {"finalizers": ["a"]}});
        let p = json!({"metadata": {"finalizers": ["b"], "$deleteFromPrimitiveList/finalizers": ["a"]}});
        assert_eq!(
            apply(&o, &p).unwrap(),
            json!({"metadata": {"finalizers": ["b"]}})
        );
        let svc = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}]}});
        let p = json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}});
        assert_eq!(
            apply(&svc, &p).unwrap(),
            json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}})
        );
    }
}
