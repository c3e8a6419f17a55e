//! kubectl's generic describer (`genericDescriber`), for kinds without a describer of their
//! own: every field of the object as served, by name, with labels made of its camelCase
//! words (`smartLabelFor`).

use serde_json::{Map, Value};

use super::labels_and_annotations;
use crate::api::object::Object;

/// Fields the generic describer leaves out (shown above, or noise).
const SKIP: &[&str] = &[
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
];

/// The body of `describe` for `obj`, before its Events.
pub fn describe(obj: &Object) -> String {
    let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
    o.push_str(&labels_and_annotations(obj.metadata()));
    if let Value::Object(map) = obj.to_json() {
        content(&mut o, 0, &map, "");
    }
    o
}

/// `printUnstructuredContent`: fields sorted, maps and lists nested one level deeper.
fn content(o: &mut String, level: usize, map: &Map<String, Value>, prefix: &str) {
    let indent = "  ".repeat(level);
    let mut fields: Vec<&String> = map.keys().collect();
    fields.sort();
    for field in fields {
        let path = format!("{prefix}.{field}");
        if SKIP.contains(&path.as_str()) {
            continue;
        }
        let label = smart_label(field);
        match &map[field] {
            Value::Object(m) => {
                o.push_str(&format!("{indent}{label}:\n"));
                content(o, level + 1, m, &path);
            }
            Value::Array(items) => {
                o.push_str(&format!("{indent}{label}:\n"));
                for item in items {
                    match item {
                        Value::Object(m) => content(o, level + 1, m, &path),
                        other => o.push_str(&format!("{indent}  {}\n", scalar(other))),
                    }
                }
            }
            other => o.push_str(&format!("{indent}{label}:\t{}\n", scalar(other))),
        }
    }
}

/// `%v` of a JSON scalar as Go decodes it.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// `smartLabelFor`: `apiVersion` → `API Version`; a name with anything but letters and `-`
/// is kept as it is.
pub fn smart_label(field: &str) -> String {
    if !field.chars().all(|c| c.is_alphabetic() || c == '-') {
        return field.to_string();
    }
    const ACRONYMS: &[&str] = &["API", "URL", "UID", "OSB", "GUID"];
    camel_split(field)
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| {
            let upper = p.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                let mut c = p.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `camelcase.Split`: runs of lower case, upper case and other characters, the last upper
/// case letter of a run moved to a lower case run that follows (`TLSVerify` → `TLS Verify`).
fn camel_split(s: &str) -> Vec<String> {
    fn class(c: char) -> u8 {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    }
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
