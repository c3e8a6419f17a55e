//! `kubectl get --sort-by=JSONPATH` as kubectl sorts (`pkg/cmd/get/sorter.go`): objects are
//! ordered by the first value the path finds in each, compared as kubectl compares decoded
//! JSON (integers, floats, quantities, then strings in natural order), with Go's unstable
//! `sort.Sort`, so equal values end up where kubectl leaves them.

use std::cmp::Ordering;

use serde_json::Value;

use super::output_templates::relaxed;
use crate::api::quantity::Amount;
use crate::printers::jsonpath::Template;
use crate::sort::go_sort_by;

/// A parsed `--sort-by`.
pub(super) struct SortBy {
    /// The path as kubectl names it in messages (`{.metadata.name}`).
    field: String,
    template: Template,
    /// What kubectl's message on unsortable values names (the Go type it sorts).
    sorted: &'static str,
}

impl SortBy {
    /// The sort of a table (the default and `-o wide` printers): a path kubectl cannot relax
    /// is used as written, and one that does not parse is a "sorting error".
    pub(super) fn for_tables(spec: &str) -> Result<SortBy, String> {
        let field = relaxed(spec).unwrap_or_else(|_| spec.to_string());
        let template = Template::parse(&field).map_err(|e| format!("sorting error: {e}"))?;
        Ok(SortBy {
            field,
            template,
            sorted: "[][][]reflect.Value",
        })
    }

    /// The sort of a list for the other printers (`-o json`, `name`, …).
    pub(super) fn for_lists(spec: &str) -> Result<SortBy, String> {
        let field = relaxed(spec)?;
        let template = Template::parse(&field)?;
        Ok(SortBy {
            field,
            template,
            sorted: "*unstructured.Unstructured",
        })
    }

    /// Sorts `items` by the value the path finds in each one's JSON (`json`). Fails when
    /// no item has the field, or when two values cannot be compared (kubectl exits then).
    pub(super) fn sort<T>(
        &self,
        items: &mut Vec<T>,
        json: impl Fn(&T) -> Value,
    ) -> Result<(), String> {
        if items.is_empty() {
            return Ok(());
        }
        let mut keyed: Vec<(Option<Value>, T)> = std::mem::take(items)
            .into_iter()
            .map(|item| (self.template.values(&json(&item)).into_iter().next(), item))
            .collect();
        self.found_once(keyed.iter().map(|(k, _)| k))?;
        let mut failed = None;
        go_sort_by(&mut keyed, |(a, _), (b, _)| match (a, b) {
            (None, _) => true,
            (_, None) => false,
            (Some(a), Some(b)) => is_less(a, b).unwrap_or_else(|e| {
                failed.get_or_insert(e);
                false
            }),
        });
        items.extend(keyed.into_iter().map(|(_, item)| item));
        match failed {
            Some(e) => Err(format!(
                "Field {} in {} is an unsortable type: interface, err: {e}",
                self.field, self.sorted
            )),
            None => Ok(()),
        }
    }

    /// Fails unless the path finds a value in one of `objects` (a single object checked
    /// alone, as kubectl checks each table).
    pub(super) fn check(&self, object: &Value) -> Result<(), String> {
        self.found_once(std::iter::once(
            &self.template.values(object).into_iter().next(),
        ))
    }

    fn found_once<'a>(
        &self,
        mut keys: impl Iterator<Item = &'a Option<Value>>,
    ) -> Result<(), String> {
        if keys.any(|k| k.is_some()) {
            return Ok(());
        }
        Err(format!(
            "couldn't find any field with path \"{}\" in the list of objects",
            self.field
        ))
    }
}

/// kubectl's `isLess` on two decoded JSON values (`interface{}`): `null` first, integers and
/// floats each among their own, strings as quantities when both are one, else in natural
/// order; anything else cannot be sorted.
fn is_less(i: &Value, j: &Value) -> Result<bool, String> {
    let mismatch = || Err("unsortable interface: interface".to_string());
    match (i, j) {
        (Value::Null, Value::Null) => Ok(false),
        (Value::Null, _) => Ok(true),
        (_, Value::Null) => Ok(false),
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Ok(a < b),
            (None, None) => Ok(a.as_f64().unwrap_or(0.0) < b.as_f64().unwrap_or(0.0)),
            _ => mismatch(),
        },
        (Value::Number(_), _) => mismatch(),
        (Value::String(a), Value::String(b)) => Ok(match (Amount::parse(a), Amount::parse(b)) {
            (Some(x), Some(y)) => x.nanos() < y.nanos(),
            _ => natural_less(a, b),
        }),
        (Value::String(_), _) => mismatch(),
        (Value::Bool(_), _) => Err("unsortable type: bool".into()),
        (Value::Object(_), _) => Err("unsortable type: map[string]interface {}".into()),
        (Value::Array(_), _) => Err("unsortable type: []interface {}".into()),
    }
}

/// `sortorder.NaturalLess`: runs of ASCII digits compare as numbers (fewer leading zeros
/// first when equal), digits before other bytes, other bytes bytewise.
fn natural_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, db) = (a[i].is_ascii_digit(), b[j].is_ascii_digit());
        if da != db {
            return da;
        }
        if !da {
            if a[i] != b[j] {
                return a[i] < b[j];
            }
            i += 1;
            j += 1;
            continue;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let (nz_a, nz_b) = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (run_a, run_b) = (&a[nz_a..i], &b[nz_b..j]);
        match run_a.len().cmp(&run_b.len()).then_with(|| run_a.cmp(run_b)) {
            Ordering::Equal if nz_a != nz_b => return nz_a < nz_b,
            Ordering::Equal => {}
            other => return other == Ordering::Less,
        }
    }
    a.len() < b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn natural_order_counts_digits_as_numbers() {
        assert!(natural_less("web-2", "web-10"));
        assert!(!natural_less("web-10", "web-2"));
        assert!(natural_less("2", "02"));
        assert!(natural_less("1a", "a"));
        assert!(natural_less("abc", "abcd"));
        assert!(!natural_less("abc", "abc"));
    }

    #[test]
    fn values_compare_as_kubectl_compares_them() {
        assert_eq!(is_less(&json!(2), &json!(10)), Ok(true));
        assert_eq!(is_less(&json!("500m"), &json!("1")), Ok(true));
        assert_eq!(is_less(&json!("1Gi"), &json!("900Mi")), Ok(false));
        assert_eq!(is_less(&json!("b"), &json!("a")), Ok(false));
        assert_eq!(is_less(&json!(null), &json!(1)), Ok(true));
        assert!(is_less(&json!(1), &json!("1")).is_err());
        assert!(is_less(&json!(true), &json!(false)).is_err());
    }

    #[test]
    fn missing_values_sort_first_and_a_path_found_nowhere_fails() {
        let by = SortBy::for_lists(".spec.n").unwrap();
        let mut items = vec![
            json!({"spec": {"n": 3}}),
            json!({}),
            json!({"spec": {"n": 1}}),
        ];
        by.sort(&mut items, Value::clone).unwrap();
        assert_eq!(
            items,
            vec![
                json!({}),
                json!({"spec": {"n": 1}}),
                json!({"spec": {"n": 3}})
            ]
        );
        let mut none = vec![json!({}), json!({})];
        assert_eq!(
            by.sort(&mut none, Value::clone),
            Err("couldn't find any field with path \"{.spec.n}\" in the list of objects".into())
        );
    }
}
