//! Secret: `get` columns (`printSecret`) and `describe` (`describeSecret`), which shows each
//! value's size, never the value (a service account token excepted, as kubectl does).

use super::{Columns, KindPrinter};
use crate::api::object::{Object, Secret};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::labels_and_annotations;
use crate::world::World;

impl KindPrinter for Secret {
    fn columns() -> Columns {
        (&["NAME", "TYPE", "DATA", "AGE"], &[])
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![
            obj.name().into(),
            self.type_.clone().unwrap_or_default(),
            self.data.as_ref().map_or(0, |d| d.len()).to_string(),
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let kind = self.type_.as_deref().unwrap_or("");
        let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
        o.push_str(&labels_and_annotations(&self.metadata));
        o.push_str(&format!("\nType:\t{kind}\n\nData\n====\n"));
        for (k, v) in self.data.iter().flatten() {
            if k == "token" && kind == "kubernetes.io/service-account-token" {
                o.push_str(&format!("{k}:\t{}\n", String::from_utf8_lossy(&v.0)));
            } else {
                o.push_str(&format!("{k}:\t{} bytes\n", v.0.len()));
            }
        }
        Some(o)
    }

    fn describes_events(&self) -> bool {
        false
    }
}
