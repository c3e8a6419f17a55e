//! JSON Patch (RFC 6902: add, remove, replace, move, copy, test) and JSON Merge Patch
//! (RFC 7386), with the failure texts of the apiserver's json-patch library.

use serde_json::{Map, Value};

/// Why a JSON patch was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchError {
    /// The patch document is not a list of operations (400 BadRequest).
    Decode(String),
    /// An operation does not apply to the object (422, the message stays on the server).
    Apply(String),
}

/// Applies an RFC 6902 patch (`patch` must be a JSON array of operations) to `doc`.
pub fn apply(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let ops = match patch {
        Value::Array(ops) => ops,
        other => {
            return Err(PatchError::Decode(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                go_type(other)
            )))
        }
    };
    let mut doc = doc.clone();
    for op in ops {
        let Some(op) = op.as_object() else {
            return Err(PatchError::Decode(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                go_type(op)
            )));
        };
        let kind = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str);
        let value = op.get("value");
        let from = op.get("from").and_then(Value::as_str);
        let missing = |what: &str| PatchError::Apply(format!("{kind} operation missing {what}"));
        match kind {
            "add" => add(
                &mut doc,
                path.ok_or_else(|| missing("path"))?,
                value.cloned(),
            )?,
            "remove" => {
                remove(&mut doc, path.ok_or_else(|| missing("path"))?)?;
            }
            "replace" => replace(&mut doc, path.ok_or_else(|| missing("path"))?, value)?,
            "move" | "copy" => {
                let from = from.ok_or_else(|| missing("from"))?;
                let path = path.ok_or_else(|| missing("path"))?;
                let taken = if kind == "move" {
                    remove(&mut doc, from).map_err(|_| ())
                } else {
                    get(&doc, from).cloned().ok_or(())
                }
                .map_err(|_| {
                    PatchError::Apply(format!(
                        "{kind} operation does not apply: doc is missing from path: {from}: missing value"
                    ))
                })?;
                add(&mut doc, path, Some(taken))?;
            }
            "test" => {
                let path = path.ok_or_else(|| missing("path"))?;
                let expected = value.unwrap_or(&Value::Null);
                if get(&doc, path) != Some(expected) {
                    return Err(PatchError::Apply(format!(
                        "testing value {path} failed: test failed"
                    )));
                }
            }
            other => return Err(PatchError::Apply(format!("Unexpected kind: {other}"))),
        }
    }
    Ok(doc)
}

/// The Go JSON type name of a value, as `encoding/json` names it in errors.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

/// `/a/b~1c` → `["a", "b/c"]`; `None` for a pointer not starting with `/` (and not empty).
fn tokens(path: &str) -> Option<Vec<String>> {
    if path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

fn get<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = doc;
    for t in tokens(path)? {
        cur = match cur {
            Value::Object(m) => m.get(&t)?,
            Value::Array(a) => a.get(index(&t, a.len())?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn index(token: &str, len: usize) -> Option<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse::<usize>().ok().filter(|i| *i <= len)
}

/// The parent container of `path` and the last token.
fn parent<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let mut toks = tokens(path)?;
    let last = toks.pop()?;
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Object(m) => m.get_mut(&t)?,
            Value::Array(a) => {
                let i = index(&t, a.len())?;
                a.get_mut(i)?
            }
            _ => return None,
        };
    }
    Some((cur, last))
}

fn add(doc: &mut Value, path: &str, value: Option<Value>) -> Result<(), PatchError> {
    let value = value.unwrap_or(Value::Null);
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let missing = || {
        PatchError::Apply(format!(
            "add operation does not apply: doc is missing path: \"{path}\": missing value"
        ))
    };
    let (container, key) = parent(doc, path).ok_or_else(missing)?;
    match container {
        Value::Object(m) => {
            m.insert(key, value);
        }
        Value::Array(a) => {
            let i = if key == "-" {
                a.len()
            } else {
                index(&key, a.len()).ok_or_else(|| {
                    PatchError::Apply(format!(
                        "Unable to access invalid index: {key}: invalid index referenced"
                    ))
                })?
            };
            a.insert(i, value);
        }
        _ => return Err(missing()),
    }
    Ok(())
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, PatchError> {
    let (container, key) = parent(doc, path).ok_or_else(|| {
        PatchError::Apply(format!(
            "remove operation does not apply: doc is missing path: \"{path}\": missing value"
        ))
    })?;
    let gone = match container {
        Value::Object(m) => m.shift_remove(&key),
        Value::Array(a) => index(&key, a.len())
            .filter(|i| *i < a.len())
            .map(|i| a.remove(i)),
        _ => None,
    };
    gone.ok_or_else(|| {
        PatchError::Apply(format!(
            "error in remove for path: '{path}': Unable to remove nonexistent key: {key}: missing value"
        ))
    })
}

fn replace(doc: &mut Value, path: &str, value: Option<&Value>) -> Result<(), PatchError> {
    let value = value.cloned().unwrap_or(Value::Null);
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (container, key) = parent(doc, path).ok_or_else(|| {
        PatchError::Apply(format!(
            "replace operation does not apply: doc is missing path: {path}: missing value"
        ))
    })?;
    let slot = match container {
        Value::Object(m) => m.get_mut(&key),
        Value::Array(a) => match index(&key, a.len()) {
            Some(i) => a.get_mut(i),
            None => None,
        },
        _ => None,
    };
    match slot {
        Some(s) => {
            *s = value;
            Ok(())
        }
        None => Err(PatchError::Apply(format!(
            "replace operation does not apply: doc is missing key: {path}: missing value"
        ))),
    }
}

/// RFC 7386 JSON Merge Patch: objects merge, `null` removes, anything else replaces.
pub fn merge(target: &Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else {
        return patch.clone();
    };
    let mut out = match target {
        Value::Object(t) => t.clone(),
        _ => Map::new(),
    };
    for (k, v) in p {
        if v.is_null() {
            out.shift_remove(k);
        } else {
            let merged = merge(out.get(k).unwrap_or(&Value::Null), v);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc6902_operations() {
        let doc = json!({"a": {"b": 1}, "l": [1, 2]});
        let p = json!([
            {"op": "add", "path": "/a/c", "value": 2},
            {"op": "add", "path": "/l/-", "value": 3},
            {"op": "add", "path": "/l/0", "value": 0},
            {"op": "replace", "path": "/a/b", "value": 5},
            {"op": "copy", "from": "/a/b", "path": "/x"},
            {"op": "move", "from": "/x", "path": "/y"},
            {"op": "remove", "path": "/l/1"},
            {"op": "test", "path": "/y", "value": 5}
        ]);
        assert_eq!(
            apply(&doc, &p).unwrap(),
            json!({"a": {"b": 5, "c": 2}, "l": [0, 2, 3], "y": 5})
        );
        let doc = json!({"a/b": {"~": 1}});
        let p = json!([{"op": "replace", "path": "/a~1b/~0", "value": 2}]);
        assert_eq!(apply(&doc, &p).unwrap(), json!({"a/b": {"~": 2}}));
    }

    #[test]
    fn rfc6902_errors() {
        let doc = json!({"a": 1});
        let err = |p: Value| apply(&doc, &p).unwrap_err();
        assert_eq!(
            err(json!({"op": "add"})),
            PatchError::Decode(
                "json: cannot unmarshal object into Go value of type jsonpatch.Patch".into()
            )
        );
        assert_eq!(
            err(json!([{"op": "test", "path": "/a", "value": 2}])),
            PatchError::Apply("testing value /a failed: test failed".into())
        );
        assert!(matches!(
            err(json!([{"op": "remove", "path": "/b"}])),
            PatchError::Apply(m) if m.contains("Unable to remove nonexistent key: b")
        ));
        assert!(matches!(
            err(json!([{"op": "replace", "path": "/b", "value": 1}])),
            PatchError::Apply(m) if m.contains("doc is missing key: /b")
        ));
        assert!(matches!(
            err(json!([{"op": "add", "path": "/x/y", "value": 1}])),
            PatchError::Apply(m) if m.contains("doc is missing path: \"/x/y\"")
        ));
        assert!(matches!(
            err(json!([{"op": "frob", "path": "/a"}])),
            PatchError::Apply(m) if m == "Unexpected kind: frob"
        ));
    }

    #[test]
    fn rfc7386_examples() {
        let target = json!({"a": "b", "c": {"d": "e", "f": "g"}, "l": [1]});
        let patch = json!({"a": "z", "c": {"f": null}, "l": [2, 3]});
        assert_eq!(
            merge(&target, &patch),
            json!({"a": "z", "c": {"d": "e"}, "l": [2, 3]})
        );
        assert_eq!(merge(&json!({"a": "b"}), &json!(["c"])), json!(["c"]));
        assert_eq!(
            merge(&json!("x"), &json!({"a": {"b": null}})),
            json!({"a": {}})
        );
    }
}
