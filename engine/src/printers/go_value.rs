//! How Go prints a value decoded as `unstructured` content (`map[string]interface {}`,
//! `[]interface {}`, `int64`, `float64`, `string`, `bool`, `nil`): `encoding/json`'s compact
//! form, `fmt`'s `%v` and `%#v`, and the Go type names errors mention.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::gotemplate::format_float;
use crate::sort::SliceSort;

/// Whether a JSON number is an `int64` once decoded as unstructured content (whole numbers
/// that fit; the rest are `float64`).
pub fn is_int64(n: &serde_json::Number) -> bool {
    n.is_i64()
}

/// The Go type of a value from unstructured content.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "interface {}",
        Value::Bool(_) => "bool",
        Value::Number(n) if is_int64(n) => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// `json.Marshal`: compact, map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub fn json(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out, None, 0);
    out
}

/// `json.MarshalIndent(v, "", indent)`.
pub fn json_indent(v: &Value, indent: &str) -> String {
    let mut out = String::new();
    write_json(v, &mut out, Some(indent), 0);
    out
}

fn write_json(v: &Value, out: &mut String, indent: Option<&str>, level: usize) {
    let newline = |out: &mut String, level: usize| {
        if let Some(unit) = indent {
            out.push('\n');
            for _ in 0..level {
                out.push_str(unit);
            }
        }
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if is_int64(n) => out.push_str(&n.to_string()),
        Value::Number(n) => out.push_str(&json_float(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => json_string_into(s, out),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_json(x, out, indent, level + 1);
            }
            newline(out, level);
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in sorted(m).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                json_string_into(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(x, out, indent, level + 1);
            }
            newline(out, level);
            out.push('}');
        }
    }
}

/// A map's entries in Go's order (keys sorted).
pub(crate) fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.stable_sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// A string as `encoding/json` writes it.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json_string_into(s, &mut out);
    out
}

fn json_string_into(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A `float64` as `encoding/json` writes it: `strconv`'s shortest `'f'` form, or `'e'`
/// (with a one-digit exponent kept short: `1e-7`) below 1e-6 or from 1e21 on.
fn json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let sci = format!("{f:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{}", exp.abs());
    }
    format!("{f}")
}

/// `fmt`'s `%v` of a scalar or container (`map[a:b]`, `[x y]`, `<nil>`).
pub fn plain(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if is_int64(n) => n.to_string(),
        Value::Number(n) => format_float(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(plain).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(m) => {
            let items: Vec<String> = sorted(m)
                .into_iter()
                .map(|(k, x)| format!("{k}:{}", plain(x)))
                .collect();
            format!("map[{}]", items.join(" "))
        }
    }
}

/// `fmt`'s `%#v`: Go syntax (`map[string]interface {}{"a":1, "b":[]interface {}{"x"}}`).
pub fn go_syntax(v: &Value) -> String {
    let mut out = String::new();
    write_go_syntax(v, &mut out);
    out
}

fn write_go_syntax(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::String(s) => out.push_str(&crate::node::hooks::go_quote(s)),
        Value::Array(a) => {
            out.push_str("[]interface {}{");
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_go_syntax(x, out);
            }
            out.push('}');
        }
        Value::Object(m) => {
            out.push_str("map[string]interface {}{");
            for (i, (k, x)) in sorted(m).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&crate::node::hooks::go_quote(k));
                out.push(':');
                write_go_syntax(x, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&plain(scalar)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marshals_as_encoding_json() {
        let v = json!({"b": [1, 2.5, true, null], "a": "<x&y>", "c": {}});
        assert_eq!(
            json(&v),
            r#"{"a":"\u003cx\u0026y\u003e","b":[1,2.5,true,null],"c":{}}"#
        );
        assert_eq!(json(&json!(1e21)), "1e+21");
        assert_eq!(json(&json!(0.0000001)), "1e-7");
        assert_eq!(json(&json!(100000.0)), "100000");
        assert_eq!(
            json_indent(&json!([{"b": 1, "a": []}]), "    "),
            "[\n    {\n        \"a\": [],\n        \"b\": 1\n    }\n]"
        );
    }

    #[test]
    fn prints_as_fmt() {
        let v = json!({"kind": "List", "items": [], "metadata": {"resourceVersion": ""}, "n": 3, "x": null});
        assert_eq!(
            go_syntax(&v),
            r#"map[string]interface {}{"items":[]interface {}{}, "kind":"List", "metadata":map[string]interface {}{"resourceVersion":""}, "n":3, "x":interface {}(nil)}"#
        );
        assert_eq!(plain(&json!({"a": ["x", 1]})), "map[a:[x 1]]");
        assert_eq!(plain(&json!(1000000.0)), "1e+06");
    }
}
