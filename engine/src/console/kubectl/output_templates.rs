//! `-o jsonpath=TEMPLATE`, `-o go-template=TEMPLATE` and `-o custom-columns=HEADER:PATH,...`
//! for `kubectl get`.

use serde_json::Value;

use crate::printers::gotemplate::{self, GoTemplate};
use crate::printers::jsonpath::Template;
use crate::printers::table::render_aligned;

/// What kubectl says of a template printer given no template.
const NO_TEMPLATE: &str = "template format specified but no template given";

/// A `-o jsonpath` template, parsed, or kubectl's refusal; `allow_missing` is
/// `--allow-missing-template-keys` (true unless set to false).
pub fn jsonpath_of(spec: &str, allow_missing: bool) -> Result<Template, String> {
    if spec.is_empty() {
        return Err(NO_TEMPLATE.into());
    }
    let template = Template::parse(spec)?;
    Ok(if allow_missing {
        template
    } else {
        template.strict()
    })
}

/// A `-o go-template` template, parsed, or kubectl's refusal.
pub fn go_template_of(spec: &str) -> Result<GoTemplate, String> {
    if spec.is_empty() {
        return Err(NO_TEMPLATE.into());
    }
    GoTemplate::parse(spec).map_err(|e| format!("error parsing template {spec}, {e}"))
}

/// Runs a parsed JSONPath template on the object (or `List`) `kubectl get` found; `as_json`
/// for `-o jsonpath-as-json`. A failure is kubectl's message, with the template and the
/// object as Go's `%#v` prints them (`map[string]interface {}{…}`).
pub fn jsonpath(
    template: &Template,
    spec: &str,
    value: &Value,
    as_json: bool,
) -> Result<String, String> {
    let printed = if as_json {
        template.execute_as_json(value)
    } else {
        template.execute(value)
    };
    printed.map_err(|e| {
        format!(
            "error executing jsonpath {}: Error executing template: {e}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{spec}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n\n",
            crate::node::hooks::go_quote(spec),
            crate::printers::go_value::go_syntax(value)
        )
    })
}

/// Runs a Go template (`-o go-template=…`, `-o template=…`) on the object or `List`.
/// A failure is what kubectl prints: on standard output what the template wrote before
/// failing and kubectl's debugging note, then the error.
pub fn go_template(spec: &str, value: &Value) -> Result<String, (String, String)> {
    let template = go_template_of(spec).map_err(|e| (String::new(), e))?;
    template
        .execute(value, crate::node::process::budget::MAX_OUTPUT)
        .map_err(|(partial, e)| {
            let raw = crate::printers::go_value::json(value);
            let given = gotemplate::print_value(Some(value));
            let note = format!(
                "{partial}Error executing template: {e}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{spec}\n\traw data was:\n\t\t{raw}\n\tobject given to template engine was:\n\t\t{given}\n\n"
            );
            (note, format!("error executing template \"{spec}\": {e}"))
        })
}

/// A `-o custom-columns-file` template (a line of headers, a line of field specs, each
/// split at white space) as the `HEADER:PATH,…` spec it stands for.
pub fn columns_file(text: &str) -> Result<String, String> {
    const FORMAT: &str = "Expected format is one line of space separated headers, one line of space separated column specs.";
    let mut lines = text.lines();
    let headers: Vec<&str> = match lines.next() {
        Some(l) => l.split_whitespace().collect(),
        None => return Err(format!("invalid template, missing header line. {FORMAT}")),
    };
    let specs: Vec<&str> = match lines.next() {
        Some(l) => l.split_whitespace().collect(),
        None => return Err(format!("invalid template, missing spec line. {FORMAT}")),
    };
    if headers.len() != specs.len() {
        return Err(format!(
            "number of headers ({}) and field specifications ({}) don't match",
            headers.len(),
            specs.len()
        ));
    }
    Ok(headers
        .iter()
        .zip(&specs)
        .map(|(h, s)| format!("{h}:{s}"))
        .collect::<Vec<_>>()
        .join(","))
}

/// kubectl's `RelaxedJSONPathExpression`: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean
/// `{.a.b}`.
pub(super) fn relaxed(expr: &str) -> Result<String, String> {
    if expr.is_empty() {
        return Ok(String::new());
    }
    let inner = expr
        .strip_prefix('{')
        .and_then(|e| e.strip_suffix('}'))
        .unwrap_or(expr);
    // The regexp's optional dot takes nothing when nothing would be left after it.
    let inner = match inner.strip_prefix('.') {
        Some(rest) if !rest.is_empty() => rest,
        _ => inner,
    };
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
    }
    Ok(format!("{{.{inner}}}"))
}

/// `-o custom-columns=HEADER:PATH,...` parsed: a column per pair.
#[derive(Clone, Debug)]
pub struct CustomColumns {
    headers: Vec<String>,
    templates: Vec<Template>,
}

impl CustomColumns {
    /// Parses the spec after `custom-columns=`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        if spec.is_empty() {
            return Err("custom-columns format specified but no custom columns given".into());
        }
        let mut headers = Vec::new();
        let mut templates = Vec::new();
        for part in spec.split(',') {
            let Some((header, path)) = part.split_once(':') else {
                return Err(format!(
                    "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                ));
            };
            let expr = relaxed(path.trim())?;
            headers.push(header.to_string());
            templates.push(Template::parse(&expr)?);
        }
        Ok(CustomColumns { headers, templates })
    }

    /// The header line's cells.
    pub fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }

    /// An object's cells: `<none>` where a path finds nothing, values as `%v` prints them.
    pub fn row(&self, obj: &Value) -> Result<Vec<String>, String> {
        self.templates.iter().map(|t| t.cell(obj)).collect()
    }
}

/// A table with one column per `HEADER:PATH` pair; `<none>` where a path finds nothing.
pub fn custom_columns(spec: &str, objects: &[Value], no_headers: bool) -> Result<String, String> {
    let columns = CustomColumns::parse(spec)?;
    let mut rows = Vec::new();
    if !no_headers {
        rows.push(columns.headers());
    }
    for o in objects {
        rows.push(columns.row(o)?);
    }
    Ok(render_aligned(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relaxed_as_kubectl_relaxes_them() {
        for p in ["a.b", ".a.b", "{a.b}", "{.a.b}"] {
            assert_eq!(relaxed(p).as_deref(), Ok("{.a.b}"));
        }
        assert!(relaxed("{.a}{.b}").is_err());
        assert!(relaxed("{}").is_err());
        assert_eq!(relaxed(".").as_deref(), Ok("{..}"));
    }

    #[test]
    fn custom_columns_take_paths_with_or_without_the_dot() {
        let objects = [serde_json::json!({"metadata": {"name": "a"}})];
        let table = custom_columns("NAME:metadata.name,X:.spec", &objects, false);
        assert_eq!(table.as_deref(), Ok("NAME   X\na      <none>\n"));
    }
}
