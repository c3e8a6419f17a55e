//! `-o jsonpath=TEMPLATE` and `-o custom-columns=HEADER:PATH,...` for `kubectl get`.

use serde_json::Value;

use crate::printers::jsonpath::{self, Template};
use crate::printers::table::render_aligned;

/// Runs a JSONPath template on the object (or `List`) `kubectl get` found.
pub fn jsonpath(spec: &str, value: &Value) -> Result<String, String> {
    if spec.is_empty() {
        return Err("template format specified but no template given".into());
    }
    Template::parse(spec)?.execute(value)
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
            let path = path.trim();
            let expr = if path.starts_with('{') {
                path.to_string()
            } else {
                format!("{{{path}}}")
            };
            headers.push(header.to_string());
            templates.push(Template::parse(&expr)?);
        }
        Ok(CustomColumns { headers, templates })
    }

    /// The header line's cells.
    pub fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }

    /// An object's cells: `<none>` where a path finds nothing.
    pub fn row(&self, obj: &Value) -> Vec<String> {
        self.templates
            .iter()
            .map(|t| {
                let values = t.values(obj);
                if values.is_empty() {
                    "<none>".to_string()
                } else {
                    values
                        .iter()
                        .map(jsonpath::text)
                        .collect::<Vec<_>>()
                        .join(",")
                }
            })
            .collect()
    }
}

/// A table with one column per `HEADER:PATH` pair; `<none>` where a path finds nothing.
pub fn custom_columns(spec: &str, objects: &[Value], no_headers: bool) -> Result<String, String> {
    let columns = CustomColumns::parse(spec)?;
    let mut rows = Vec::new();
    if !no_headers {
        rows.push(columns.headers());
    }
    rows.extend(objects.iter().map(|o| columns.row(o)));
    Ok(render_aligned(&rows))
}
