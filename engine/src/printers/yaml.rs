//! A YAML emitter that writes what `kubectl get -o yaml` writes (sigs.k8s.io/yaml → go-yaml
//! v2): keys sorted, two-space indentation, sequences not indented under their key, strings
//! quoted only when they would otherwise read as something else, multi-line strings as `|`
//! blocks.

use crate::sort::SliceSort;
use serde_json::Value;

/// Renders a JSON value as kubectl's YAML.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.stable_sort();
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str(&plain_or_quoted(k));
        out.push(':');
        write_value_after_key(out, &m[k], indent);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            write_map(out, m, indent + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            pad(out, indent);
            write_seq(out, a, indent);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent + 2));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], indent: usize) {
    for (i, item) in a.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => write_map(out, m, indent + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, indent + 2),
            other => {
                out.push_str(&scalar(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::String(s) if s.contains('\n') && !s.chars().any(|c| c != '\n' && c.is_control()) => {
            block(s, indent)
        }
        Value::String(s) => plain_or_quoted(s),
    }
}

/// A `|` literal block (`|-` when the text has no final newline).
fn block(s: &str, indent: usize) -> String {
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    let mut out = format!("|{chomp}");
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
    }
    out
}

/// Whether a plain scalar would be read back as a bool, number, null or timestamp.
fn resolves_to_other_type(s: &str) -> bool {
    const RESERVED: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
        "+.inf",
    ];
    RESERVED.contains(&s.to_ascii_lowercase().as_str())
        || looks_numeric(s)
        || looks_like_timestamp(s)
}

/// Whether YAML syntax prevents writing the string as a plain scalar.
fn has_syntax_conflict(s: &str) -> bool {
    if s.trim() != s {
        return true;
    }
    let mut chars = s.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next();
    let indicator = match first {
        '-' | '?' | ':' => second.is_none_or(|c| c == ' '),
        ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
        | '@' | '`' => true,
        _ => false,
    };
    indicator || s.contains(": ") || s.contains(" #") || s.ends_with(':')
}

fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    if t.is_empty() {
        return false;
    }
    let digits = t.replace('_', "");
    digits.parse::<f64>().is_ok()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
        || t.starts_with("0x") && t.len() > 2 && t[2..].chars().all(|c| c.is_ascii_hexdigit())
        || t.starts_with("0o") && t.len() > 2 && t[2..].chars().all(|c| c.is_digit(8))
}

fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
}

fn plain_or_quoted(s: &str) -> String {
    if s.is_empty() || s.chars().any(|c| c.is_control()) || resolves_to_other_type(s) {
        return serde_json::to_string(s).unwrap_or_default();
    }
    if has_syntax_conflict(s) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kubectl_style() {
        let v = json!({
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"name": "nginx", "labels": {"run": "nginx"}, "resourceVersion": "123",
                          "creationTimestamp": "2025-09-01T09:10:00Z", "annotations": {"a": "line1\nline2\n"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}], "resources": {}, "args": []}]},
            "status": {"phase": "Pending", "ok": true, "empty": "", "colon": "a: b", "star": "*", "yes": "yes"}
        });
        assert_eq!(
            to_yaml(&v),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    a: |\n      line1\n      line2\n  creationTimestamp: \"2025-09-01T09:10:00Z\"\n  labels:\n    run: nginx\n  name: nginx\n  resourceVersion: \"123\"\nspec:\n  containers:\n  - args: []\n    image: nginx\n    name: nginx\n    ports:\n    - containerPort: 80\n    resources: {}\nstatus:\n  colon: 'a: b'\n  empty: \"\"\n  ok: true\n  phase: Pending\n  star: '*'\n  \"yes\": \"yes\"\n"
        );
    }
}
