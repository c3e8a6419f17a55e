//! How CustomResourceDefinitions and custom objects print: a CRD's `NAME  CREATED AT`; a
//! custom object's `additionalPrinterColumns` (as the apiextensions-apiserver's table
//! convertor computes them, `NAME AGE` without any); both described by kubectl's generic
//! describer (`GenericDescriberFor`).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

use super::{Columns, KindPrinter};
use crate::api::custom::{CustomKind, CustomObject};
use crate::api::object::Object;
use crate::api::typed;
use crate::clock::ms_from_time;
use crate::printers::age::human_duration_secs;
use crate::printers::columns::TableOptions;
use crate::printers::describe::generic;
use crate::printers::jsonpath::{self, Template};
use crate::world::World;

impl KindPrinter for CustomResourceDefinition {
    fn columns() -> Columns {
        (&["NAME", "CREATED AT"], &[])
    }

    fn row(&self, obj: &Object, _now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let created = self
            .metadata
            .creation_timestamp
            .as_ref()
            .and_then(|t| serde_json::to_value(t).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        vec![obj.name().to_string(), created]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for CustomObject {
    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        let json = obj.to_json();
        let mut cells = vec![obj.name().to_string()];
        for c in shown(&self.def, opts) {
            cells.push(cell(c.type_.as_str(), &c.json_path, &json, now_ms));
        }
        cells
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

/// The columns `get` shows for a custom kind: its preferred version's, or `Age`.
fn shown(def: &CustomKind, opts: TableOptions) -> Vec<crate::api::custom::Column> {
    let columns = &def.preferred().columns;
    if columns.is_empty() {
        return vec![crate::api::custom::Column {
            name: "Age".into(),
            type_: "date".into(),
            json_path: ".metadata.creationTimestamp".into(),
            priority: 0,
            description: String::new(),
        }];
    }
    columns
        .iter()
        .filter(|c| opts.wide || c.priority == 0)
        .cloned()
        .collect()
}

/// The header of a custom kind's table.
pub fn headers(def: &CustomKind, opts: TableOptions) -> Vec<String> {
    std::iter::once("NAME".to_string())
        .chain(shown(def, opts).iter().map(|c| c.name.to_ascii_uppercase()))
        .collect()
}

/// One cell: the column's JSONPath on the object, printed as its type says (`<none>` when
/// missing or of another type; a `date` as an age).
fn cell(type_: &str, path: &str, json: &Value, now_ms: i64) -> String {
    let none = || "<none>".to_string();
    let Ok(template) = Template::parse(&format!("{{{path}}}")) else {
        return none();
    };
    let Some(value) = template.values(json).into_iter().next() else {
        return none();
    };
    match (type_, &value) {
        (_, Value::Null) => none(),
        ("string", v) => jsonpath::text(v),
        ("integer", Value::Number(n)) => n
            .as_i64()
            .map(|i| i.to_string())
            .unwrap_or_else(|| format!("{}", n.as_f64().unwrap_or(0.0) as i64)),
        ("number", Value::Number(n)) => crate::api::go_number::fmt_json_number(n),
        ("boolean", Value::Bool(b)) => b.to_string(),
        ("date", Value::String(_)) => {
            match typed::decode::<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>(&value) {
                Ok(t) => human_duration_secs((now_ms - ms_from_time(&t)).div_euclid(1000)),
                Err(_) => "<invalid>".into(),
            }
        }
        _ => none(),
    }
}
