//! The API documentation behind `kubectl explain`: descriptions, field types and required
//! fields of every served kind, rendered with kubectl's plaintext template (1.27+ output).
//!
//! The data, `public/explain.json`, is generated from the schemas k8s-openapi carries by
//! `tools/explain-gen`. Native builds embed it; the page fetches it after start-up and hands
//! it over with [`install_docs`], so the wasm bundle stays small.

use crate::sort::SliceSort;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::kinds::KindInfo;

/// The generated documentation: kinds (`apps/v1/Deployment`) to schema names, and schemas.
#[derive(Debug, Deserialize)]
pub struct Docs {
    kinds: BTreeMap<String, String>,
    defs: BTreeMap<String, Schema>,
}

/// One schema: its description, JSON type if primitive, and its fields in name order.
#[derive(Debug, Deserialize)]
struct Schema {
    d: String,
    #[serde(default)]
    f: Vec<Field>,
}

/// One field: name, kubectl's type guess, description, referenced schema, required.
#[derive(Debug, Deserialize)]
struct Field(String, String, String, String, bool);

static DOCS: OnceLock<Docs> = OnceLock::new();

/// Installs the documentation from the JSON of `public/explain.json`.
pub fn install_docs(json: &str) -> Result<(), String> {
    let docs: Docs = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let _ = DOCS.set(docs);
    Ok(())
}

/// The documentation, if installed (native builds install the embedded copy on first use).
fn docs() -> Option<&'static Docs> {
    #[cfg(not(target_arch = "wasm32"))]
    if DOCS.get().is_none() {
        let _ = install_docs(include_str!("../../../public/explain.json"));
    }
    DOCS.get()
}

/// Whether `kubectl explain` has its data (the page loads it shortly after start).
pub fn docs_loaded() -> bool {
    docs().is_some()
}

/// The names of the fields under `path` in `kind`'s schema, in name order (for Tab
/// completion of `kubectl explain pod.spec.`): none when the path is not a field with
/// fields, or while the documentation is loading.
pub fn field_names(kind: &KindInfo, path: &[&str]) -> Vec<String> {
    let Some(docs) = docs() else {
        return Vec::new();
    };
    let gvk = format!("{}/{}", kind.api_version(), kind.kind);
    let Some(mut schema) = docs.kinds.get(&gvk).and_then(|name| docs.defs.get(name)) else {
        return Vec::new();
    };
    for name in path {
        let next = schema
            .f
            .iter()
            .find(|f| f.0 == *name)
            .and_then(|f| docs.defs.get(&f.3));
        match next {
            Some(t) => schema = t,
            None => return Vec::new(),
        }
    }
    schema.f.iter().map(|f| f.0.clone()).collect()
}

/// How to render: `--recursive` and `--max-depth`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Field names only, nested.
    pub recursive: bool,
    /// Nesting limit with `recursive` (0 = none).
    pub max_depth: usize,
}

/// kubectl's explain output for `kind` and a field path under it, or the error line.
pub fn explain(kind: &KindInfo, path: &[&str], opts: Options) -> Result<String, String> {
    let docs = docs().ok_or("the API documentation is still loading; try again in a moment")?;
    render(
        &Layered {
            local: docs,
            global: docs,
        },
        kind,
        path,
        opts,
    )
}

/// The explain text of `kind` (and `path` under it) from `docs`.
fn render(docs: &Layered, kind: &KindInfo, path: &[&str], opts: Options) -> Result<String, String> {
    let gvk = format!("{}/{}", kind.api_version(), kind.kind);
    let root = docs
        .kind(&gvk)
        .ok_or_else(|| format!("couldn't find resource for \"{}\"", kind.kind))?;
    let mut out = String::new();
    if !kind.group.is_empty() {
        out.push_str(&format!("GROUP:      {}\n", kind.group));
    }
    out.push_str(&format!(
        "KIND:       {}\nVERSION:    {}\n\n",
        kind.kind, kind.version
    ));
    let missing = || {
        format!(
            "field \"{}\" does not exist",
            path.last().copied().unwrap_or("")
        )
    };
    let mut schema = root;
    let mut description = with_newline(&root.d);
    for (i, name) in path.iter().enumerate() {
        let Some(field) = schema.f.iter().find(|f| f.0 == *name) else {
            let hint = super::manifest::suggest(name, schema.f.iter().map(|f| f.0.as_str()))
                .map(|s| format!("\n  hint: \"{name}\" is not a field here; did you mean \"{s}\"?"))
                .unwrap_or_default();
            return Err(format!("{}{hint}", missing()));
        };
        let target = docs.def(&field.3);
        if i + 1 == path.len() {
            out.push_str(&format!("FIELD: {} <{}>\n\n\n", field.0, field.1));
            description = with_newline(&field.2);
            if let Some(t) = target {
                description.push_str(&with_newline(&t.d));
            }
        }
        match target {
            Some(t) => schema = t,
            None if i + 1 == path.len() => schema = &EMPTY,
            None => return Err(missing()),
        }
    }
    out.push_str("DESCRIPTION:\n");
    let text = if description.is_empty() {
        "<empty>".to_string()
    } else {
        description
    };
    out.push_str(&indent(&wrap(&text, 76), 4));
    out.push('\n');
    let mut fields = String::new();
    let mut history = vec![schema as *const Schema];
    field_list(docs, schema, 1, opts, &mut history, &mut fields);
    if !fields.is_empty() {
        out.push_str("FIELDS:\n");
        out.push_str(&fields);
    }
    out.push('\n');
    Ok(out)
}

/// kubectl's explain output for a custom kind, from its CRD's schema (as the apiserver
/// publishes it: `apiVersion`, `kind` and `metadata` documented as for every kind).
pub fn explain_custom(
    kind: &KindInfo,
    schema: &super::custom::schema::Schema,
    path: &[&str],
    opts: Options,
) -> Result<String, String> {
    let global = docs().ok_or("the API documentation is still loading; try again in a moment")?;
    let mut defs: BTreeMap<String, Schema> = BTreeMap::new();
    let root = custom_def(schema, "#custom", &mut defs, 0);
    // The resource-level fields every kind has, as a built-in kind documents them.
    let standard: Vec<Field> = global
        .kinds
        .get("v1/ConfigMap")
        .and_then(|n| global.defs.get(n))
        .map(|s| {
            s.f.iter()
                .filter(|f| matches!(f.0.as_str(), "apiVersion" | "kind" | "metadata"))
                .map(|f| Field(f.0.clone(), f.1.clone(), f.2.clone(), f.3.clone(), false))
                .collect()
        })
        .unwrap_or_default();
    let mut fields: Vec<Field> = standard;
    fields.extend(
        root.f
            .into_iter()
            .filter(|f| !matches!(f.0.as_str(), "apiVersion" | "kind" | "metadata")),
    );
    fields.stable_sort_by(|a, b| a.0.cmp(&b.0));
    defs.insert(
        "#custom".into(),
        Schema {
            d: root.d,
            f: fields,
        },
    );
    let mut merged_kinds = BTreeMap::new();
    merged_kinds.insert(
        format!("{}/{}", kind.api_version(), kind.kind),
        "#custom".to_string(),
    );
    // Definitions the standard fields refer to (ObjectMeta and below) come from the
    // built-in documentation.
    let local = Docs {
        kinds: merged_kinds,
        defs,
    };
    render(
        &Layered {
            local: &local,
            global,
        },
        kind,
        path,
        opts,
    )
}

/// A custom schema node as a documentation schema named `name` (its fields' schemas added
/// to `defs` under names below it).
fn custom_def(
    s: &super::custom::schema::Schema,
    name: &str,
    defs: &mut BTreeMap<String, Schema>,
    depth: usize,
) -> Schema {
    let mut fields = Vec::new();
    if depth < super::custom::schema::MAX_DEPTH {
        let inner = s.through_lists();
        for (k, v) in &inner.properties {
            let child = format!("{name}.{k}");
            let target = v.through_lists();
            let def = custom_def(v, &child, defs, depth + 1);
            let has_fields = !def.f.is_empty() || !target.properties.is_empty();
            if has_fields {
                defs.insert(child.clone(), def);
            }
            fields.push(Field(
                k.clone(),
                custom_type(v),
                v.description.clone(),
                if has_fields { child } else { String::new() },
                inner.required.contains(k),
            ));
        }
    }
    Schema {
        // A field's own description is shown once, from the field.
        d: if depth == 0 {
            s.description.clone()
        } else {
            String::new()
        },
        f: fields,
    }
}

/// kubectl's type name for a custom schema node: `string`, `Object`, `[]string`,
/// `map[string]string`, `IntOrString`.
fn custom_type(s: &super::custom::schema::Schema) -> String {
    if s.int_or_string {
        return "IntOrString".into();
    }
    match s.type_.as_str() {
        "array" => format!(
            "[]{}",
            s.items
                .as_deref()
                .map(custom_type)
                .unwrap_or_else(|| "Object".into())
        ),
        "object" if s.properties.is_empty() => match s.additional.as_deref() {
            Some(a) if !a.type_.is_empty() => format!("map[string]{}", custom_type(a)),
            _ => "Object".into(),
        },
        "object" | "" => "Object".into(),
        t => t.into(),
    }
}

/// Documentation looked up in a custom kind's own schemas, then the built-in ones.
struct Layered<'a> {
    local: &'a Docs,
    global: &'a Docs,
}

impl Layered<'_> {
    fn kind(&self, gvk: &str) -> Option<&Schema> {
        let name = self.local.kinds.get(gvk)?;
        self.def(name)
    }

    fn def(&self, name: &str) -> Option<&Schema> {
        self.local
            .defs
            .get(name)
            .or_else(|| self.global.defs.get(name))
    }
}

static EMPTY: Schema = Schema {
    d: String::new(),
    f: Vec::new(),
};

fn with_newline(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("{s}\n")
    }
}

/// The template's `fieldList`: each field's detail, and with `--recursive` its fields nested
/// below it (a schema already on the path is not expanded again).
fn field_list(
    docs: &Layered,
    schema: &Schema,
    level: usize,
    opts: Options,
    history: &mut Vec<*const Schema>,
    out: &mut String,
) {
    let pad = level * 2;
    for f in &schema.f {
        out.push_str(&" ".repeat(pad));
        out.push_str(&format!("{}\t<{}>", f.0, f.1));
        if f.4 {
            out.push_str(" -required-");
        }
        out.push('\n');
        if !opts.recursive {
            let text = if f.2.is_empty() {
                "<no description>"
            } else {
                &f.2
            };
            out.push_str(&indent(&wrap(text, 78 - pad), pad + 2));
            out.push_str("\n\n");
            continue;
        }
        if opts.max_depth == 0 || level < opts.max_depth {
            if let Some(t) = docs.def(&f.3) {
                let ptr = t as *const Schema;
                if !history.contains(&ptr) {
                    history.push(ptr);
                    field_list(docs, t, level + 1, opts, history, out);
                    history.pop();
                }
            }
        }
    }
}

/// The template's `indent`: `amount` spaces before the text and after every newline.
fn indent(text: &str, amount: usize) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// Word wrapping as kubectl's explain does it (mitchellh/go-wordwrap): breaks only at
/// whitespace, keeps existing newlines, lets a word longer than the limit overflow.
pub fn wrap(s: &str, limit: usize) -> String {
    let mut buf = String::with_capacity(s.len() + s.len() / 64);
    let mut current = 0usize;
    let (mut word, mut space) = (String::new(), String::new());
    let (mut word_len, mut space_len) = (0usize, 0usize);
    for c in s.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= limit {
                    buf.push_str(&space);
                }
            } else {
                buf.push_str(&space);
                buf.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            buf.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                buf.push_str(&space);
                buf.push_str(&word);
                space.clear();
                word.clear();
                space_len = 0;
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > limit && word_len < limit {
                buf.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            buf.push_str(&space);
        }
    } else {
        buf.push_str(&space);
        buf.push_str(&word);
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds;

    #[test]
    fn wraps_at_spaces_like_go_wordwrap() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("aaa bbb\n\nccc", 80), "aaa bbb\n\nccc");
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            "averyveryverylongword\nx"
        );
    }

    #[test]
    fn explains_a_kind_and_a_field() {
        let pod = kinds::info("Pod");
        let text = explain(pod, &[], Options::default()).unwrap_or_default();
        assert!(text.starts_with("KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n    Pod is a collection of containers that can run on a host. This resource is\n    created by clients and scheduled onto hosts.\n    \nFIELDS:\n  apiVersion\t<string>\n"), "{text}");
        let deploy = kinds::info("Deployment");
        let text = explain(deploy, &["spec", "replicas"], Options::default()).unwrap_or_default();
        assert!(text.starts_with("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n\n\nDESCRIPTION:\n"), "{text}");
        let err = explain(pod, &["spec", "contianers"], Options::default());
        assert_eq!(
            err,
            Err("field \"contianers\" does not exist\n  hint: \"contianers\" is not a field here; did you mean \"containers\"?".into())
        );
    }
}
