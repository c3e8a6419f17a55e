//! kubectl's JSONPath templates (`-o jsonpath=…`, `-o jsonpath-as-json=…`, custom columns,
//! `--sort-by`), as client-go's `util/jsonpath` parses ([`parse`]) and runs ([`eval`])
//! them, and as `PrintResults` prints what they find: strings raw, maps and lists as compact
//! JSON, other values as Go's `fmt` prints them, a space between the values of one node.
//! kubectl's printers allow missing keys (`--allow-missing-template-keys`, on by default).

mod eval;
mod parse;

use serde_json::Value;

use crate::printers::go_value;
use eval::{Exec, Val};
use parse::Node;

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
    allow_missing: bool,
}

impl Template {
    /// Parses a template; errors read like kubectl's (`error parsing jsonpath {.a, unclosed
    /// action`).
    pub fn parse(text: &str) -> Result<Template, String> {
        Self::parse_bare(text).map_err(|e| format!("error parsing jsonpath {text}, {e}"))
    }

    /// Parses a template; errors are client-go's own (`unclosed action`), as `kubectl wait`
    /// prints them.
    pub fn parse_bare(text: &str) -> Result<Template, String> {
        Ok(Template {
            nodes: parse::parse(text)?,
            allow_missing: true,
        })
    }

    /// The template with `--allow-missing-template-keys=false`: a missing field is an error
    /// (`metadata.x is not found`).
    pub fn strict(mut self) -> Template {
        self.allow_missing = false;
        self
    }

    /// What each node found on `data`, in Go's `FindResults` groups.
    fn find<'a>(&self, data: &'a Value) -> Result<Vec<Vec<Val<'a>>>, String> {
        Exec::new(self.allow_missing).find_results(&self.nodes, 0, Val::Ref(data))
    }

    /// Runs the template on `data`; an error is the engine's (`array index out of bounds:
    /// index 0, length 0`), for the caller to wrap as kubectl does.
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        for group in self.find(data)? {
            for (i, v) in group.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&text(v.value()));
            }
            check_output(&out)?;
        }
        Ok(out)
    }

    /// Runs the template as `-o jsonpath-as-json` prints it: each group of values as a JSON
    /// array, indented by four spaces, on lines of its own.
    pub fn execute_as_json(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        for group in self.find(data)? {
            let values: Vec<Value> = group.iter().map(|v| v.value().clone()).collect();
            out.push_str(&go_value::json_indent(&Value::Array(values), "    "));
            out.push('\n');
            check_output(&out)?;
        }
        Ok(out)
    }

    /// The values the template's first node finds (`--sort-by`, a CRD's printer columns);
    /// nothing when it fails.
    pub fn values(&self, data: &Value) -> Vec<Value> {
        match self.find(data) {
            Ok(groups) => groups
                .into_iter()
                .next()
                .map(|g| g.iter().map(|v| v.value().clone()).collect())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// The one value the template finds, as `kubectl wait --for=jsonpath` needs it: `None`
    /// while it finds nothing, an error when it finds several.
    pub fn single(&self, data: &Value) -> Result<Option<Value>, String> {
        let groups = self.find(data)?;
        match groups.as_slice() {
            [] => Ok(None),
            [first, ..] if first.is_empty() => Ok(None),
            [_, _, ..] => Err("given jsonpath expression matches more than one list".into()),
            [only] if only.len() > 1 => {
                Err("given jsonpath expression matches more than one value".into())
            }
            [only] => Ok(only.first().map(|v| v.value().clone())),
        }
    }

    /// A custom column's cell: every value found, as `%v` prints it, joined by commas;
    /// `<none>` when the first node finds nothing.
    pub fn cell(&self, data: &Value) -> Result<String, String> {
        let groups = self.find(data)?;
        if groups.first().is_none_or(|g| g.is_empty()) {
            return Ok("<none>".into());
        }
        let cells: Vec<String> = groups
            .iter()
            .flatten()
            .map(|v| go_value::plain(v.value()))
            .collect();
        Ok(cells.join(","))
    }
}

/// The command's output budget, as an execution error.
fn check_output(out: &str) -> Result<(), String> {
    use crate::node::process::budget;
    budget::output(out.len()).map_err(|_| {
        format!(
            "more than {} MiB of output: Kubeplay stops it here",
            budget::MAX_OUTPUT >> 20
        )
    })
}

/// A value as kubectl's JSONPath prints it: strings raw, maps and lists as compact JSON
/// (`encoding/json`), other values as `fmt` prints them.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => go_value::json(v),
        other => go_value::plain(other),
    }
}

/// JSON as Go's `json.MarshalIndent(v, "", "    ")` writes it.
pub fn pretty4(v: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    if v.serialize(&mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().execute(v).unwrap()
    }

    fn fails(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().execute(v).unwrap_err()
    }

    fn list() -> Value {
        json!({"items": [
            {"metadata": {"name": "a", "labels": {"app": "x"}}, "spec": {"replicas": 1}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}},
            {"metadata": {"name": "b"}, "spec": {"replicas": 3}, "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}]}}
        ]})
    }

    #[test]
    fn paths_ranges_filters() {
        let list = list();
        assert_eq!(run("{.items[*].metadata.name}", &list), "a b");
        assert_eq!(run("{.items[0].metadata.name}", &list), "a");
        assert_eq!(run("{.items[-1:].metadata.name}", &list), "b");
        assert_eq!(run("{.items[0,1].metadata.name}", &list), "a b");
        assert_eq!(run("{.items[::2].metadata.name}", &list), "a");
        assert_eq!(run("{.items[*]['metadata.name']}", &list), "a b");
        assert_eq!(
            run(
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}",
                &list
            ),
            "a\tRunning\nb\tPending\n"
        );
        assert_eq!(
            run(
                "{.items[?(@.status.phase==\"Pending\")].metadata.name}",
                &list
            ),
            "b"
        );
        assert_eq!(
            run("{.items[?(@.spec.replicas>1)].metadata.name}", &list),
            "b"
        );
        assert_eq!(
            run("{.items[?(@.spec.replicas<=1)].metadata.name}", &list),
            "a"
        );
        assert_eq!(
            run("{.items[?(@.metadata.labels)].metadata.name}", &list),
            "a"
        );
        assert_eq!(run("{..name}", &list), "a b");
        assert_eq!(run("{.nope}", &list), "");
        assert_eq!(
            run("name: {.items[1].metadata}", &list),
            "name: {\"name\":\"b\"}"
        );
        assert_eq!(run("{.items[0].spec.replicas} {true}", &list), "1 true");
    }

    #[test]
    fn errors_are_client_gos() {
        let list = list();
        assert_eq!(
            fails("{.items[5].metadata.name}", &list),
            "array index out of bounds: index 5, length 2"
        );
        assert_eq!(
            fails("{.items[0].metadata.name}", &json!({"items": []})),
            "array index out of bounds: index 0, length 0"
        );
        assert_eq!(
            fails("{.items[1:0]}", &list),
            "starting index 1 is greater than ending index 0"
        );
        assert_eq!(fails("{.items[0:2:0]}", &list), "step must be > 0");
        assert_eq!(
            fails("{.items[0].metadata[0]}", &list),
            "map[string]interface {} is not array or slice"
        );
        assert_eq!(
            fails("{.items[?(@.spec.replicas==1.5)]}", &list),
            "incompatible types for comparison"
        );
        assert_eq!(
            fails("{.items[?(@.status.phase==Running)]}", &list),
            "unrecognized identifier Running"
        );
        assert_eq!(
            fails(
                "{.items[?(@.status.conditions[*].type==\"Ready\")]}",
                &json!({"items": [{"status": {"conditions": [{"type": "a"}, {"type": "b"}]}}]})
            ),
            "can only compare one element at a time"
        );
        assert_eq!(fails("{end}", &list), "not in range, nothing to end");
        assert_eq!(
            Template::parse("{.items").unwrap_err(),
            "error parsing jsonpath {.items, unclosed action"
        );
        let strict = Template::parse("{.metadata.nope}").unwrap().strict();
        assert_eq!(strict.execute(&list).unwrap_err(), "metadata is not found");
    }

    #[test]
    fn ranges_keep_gos_counters() {
        let list = list();
        // Text after a range prints once, after it (an empty range too).
        assert_eq!(
            run("{range .items[*]}{.metadata.name},{end}!", &list),
            "a,b,!"
        );
        assert_eq!(run("{range .none[*]}x{end}!", &list), "!");
        // A range without its end runs to the end of the template.
        assert_eq!(run("{range .items[*]}{.metadata.name}", &list), "ab");
        let nested =
            "{range .items[*]}{.metadata.name}:{range .status.conditions[*]}{.type}{end};{end}";
        assert_eq!(run(nested, &list), "a:Ready;b:Ready;");
        assert_eq!(
            Template::parse("{range .items[*]}{.metadata.name}{end}")
                .unwrap()
                .execute_as_json(&list)
                .unwrap(),
            "[\n    \"a\"\n]\n[\n    \"b\"\n]\n"
        );
    }

    #[test]
    fn custom_column_cells_print_as_fmt() {
        let list = list();
        let t = Template::parse("{.items[0].metadata.labels}").unwrap();
        assert_eq!(t.cell(&list).unwrap(), "map[app:x]");
        let t = Template::parse("{.items[*].metadata.name}").unwrap();
        assert_eq!(t.cell(&list).unwrap(), "a,b");
        let t = Template::parse("{.nope}").unwrap();
        assert_eq!(t.cell(&list).unwrap(), "<none>");
    }

    #[test]
    fn work_is_bounded() {
        // Ranges nested in ranges over a big list stop at the step budget, at once.
        // Recursive descents after wildcards multiply what they find.
        fn tree(depth: u32) -> Value {
            if depth == 0 {
                return json!(1);
            }
            json!({"a": tree(depth - 1), "b": tree(depth - 1), "c": tree(depth - 1)})
        }
        let big = tree(9);
        let t = "{...*...*...*...*...*}";
        let start = std::time::Instant::now();
        let Err(err) = Template::parse(t).unwrap().execute(&big) else {
            panic!("no budget");
        };
        assert!(err.contains("steps: Kubeplay stops it here"), "{err}");
        assert!(start.elapsed().as_secs() < 5);
        // Ranges without their ends nest each in the one before.
        let chain = "{range .items[*]}".repeat(100);
        let err = Template::parse(&chain)
            .unwrap()
            .execute(&list())
            .unwrap_err();
        assert_eq!(err, "exceeded max depth of 64");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 400, .. Default::default() })]

        /// Any template of JSONPath's pieces (huge and negative indexes, steps, unions,
        /// filters, quotes, ranges) parses or fails with a message, and runs within budget.
        #[test]
        fn hostile_templates_never_panic(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", ".", "..", "*", "[", "]", "[*]", "[?(", ")]", "@", "$", ",", ":", "-",
                "9223372036854775807", "-9223372036854775808", "0", "1", "-1", "2",
                "items", "metadata", "name", "a", "==", "!=", "<", ">=", "\"x\"", "'y'", "\\",
                "range ", "end", "{range .items[*]}", "{end}", "true", "1.5", " ", "\n", "é",
            ]), 0..40)
        ) {
            let text: String = pieces.concat();
            let data = list();
            if let Ok(t) = Template::parse(&text) {
                let _ = t.execute(&data);
                let _ = t.execute_as_json(&data);
                let _ = t.cell(&data);
                let _ = t.clone().strict().execute(&data);
            }
        }
    }
}
