//! kubectl's generic describer (`GenericDescriberFor`), for kinds without a describer of
//! their own (CRDs, custom objects, webhook configurations, APIServices): every field of the
//! object as served, with labels made of its camelCase words (`smartLabelFor`).

use super::labels_and_annotations;
use crate::api::object::Object;
use crate::sort::SliceSort;

/// kubectl's generic describer (`GenericDescriberFor`), for kinds without a describer of
/// their own (CRDs, custom objects): name, namespace, labels, annotations, then every field
/// of the object with labels made from its keys (`apiVersion` → `API Version`).
pub fn describe(obj: &Object) -> String {
    let meta = obj.metadata();
    let mut s = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
    s.push_str(&labels_and_annotations(meta));
    if let serde_json::Value::Object(content) = obj.to_json() {
        unstructured(&mut s, 0, &content, "", 0);
    }
    s
}

/// Fields the generic describer leaves out (shown above, or internal).
const GENERIC_SKIP: &[&str] = &[
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
];

/// kubectl's `printUnstructuredContent`: sorted keys, nested maps indented two spaces a
/// level, list items one level deeper.
fn unstructured(
    out: &mut String,
    level: usize,
    content: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    depth: usize,
) {
    use serde_json::Value;
    if depth > crate::api::manifest::MAX_DEPTH {
        return;
    }
    let indent = "  ".repeat(level);
    let mut keys: Vec<&String> = content.keys().collect();
    keys.stable_sort();
    for key in keys {
        let path = format!("{prefix}.{key}");
        if GENERIC_SKIP.contains(&path.as_str()) {
            continue;
        }
        match &content[key] {
            Value::Object(m) => {
                out.push_str(&format!("{indent}{}:\n", smart_label(key)));
                unstructured(out, level + 1, m, &path, depth + 1);
            }
            Value::Array(items) => {
                out.push_str(&format!("{indent}{}:\n", smart_label(key)));
                for item in items {
                    match item {
                        Value::Object(m) => unstructured(out, level + 1, m, &path, depth + 1),
                        v => out.push_str(&format!("{indent}  {}\n", go_value(v))),
                    }
                }
            }
            v => out.push_str(&format!("{indent}{}:\t{}\n", smart_label(key), go_value(v))),
        }
    }
}

/// A JSON value as Go's `%v` prints it.
fn go_value(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => crate::api::go_number::fmt_json_number(n),
        other => other.to_string(),
    }
}

/// kubectl's `smartLabelFor`: `apiVersion` → `API Version`, `cronSpec` → `Cron Spec`; a key
/// with characters other than letters and `-` stays as it is.
pub fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    let parts = camel_split(field);
    parts
        .iter()
        .map(|p| {
            let upper = p.to_uppercase();
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&upper.as_str()) {
                upper
            } else {
                let mut cs = p.chars();
                match cs.next() {
                    Some(first) => first.to_uppercase().chain(cs).collect(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// fatih/camelcase's `Split`: runs of one character class (lower, upper, digit, other),
/// an upper run's last letter moving to a lower run that follows it.
fn camel_split(s: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in s.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if k == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower = runs[i].first().is_some_and(|c| c.is_uppercase())
            && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower {
            if let Some(c) = runs[i].pop() {
                runs[i + 1].insert(0, c);
            }
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_made_of_camel_case_words() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(
            smart_label("insecureSkipTLSVerify"),
            "Insecure Skip TLS Verify"
        );
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("caBundle"), "Ca Bundle");
        assert_eq!(smart_label("v1"), "v1");
    }
}
