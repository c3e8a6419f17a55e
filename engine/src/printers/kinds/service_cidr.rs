//! ServiceCIDR and IPAddress: `get` columns (`printServiceCIDR`, `printIPAddress`) and
//! kubectl's generic `describe`.

use super::{Columns, KindPrinter};
use crate::api::object::{IPAddress, Object, ServiceCIDR};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::generic;
use crate::world::World;

impl KindPrinter for ServiceCIDR {
    fn columns() -> Columns {
        (&["NAME", "CIDRS", "AGE"], &[])
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let cidrs = self
            .spec
            .as_ref()
            .and_then(|s| s.cidrs.as_ref())
            .map(|c| c.join(","))
            .unwrap_or_default();
        vec![obj.name().into(), cidrs, age(obj, now_ms)]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for IPAddress {
    /// Two columns: the printer's AGE cell has no column, so kubectl drops it.
    fn columns() -> Columns {
        (&["NAME", "PARENTREF"], &[])
    }

    /// PARENTREF: `resource[.group][/namespace]/name`, lower case.
    fn row(&self, obj: &Object, _now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let parent = self.spec.as_ref().map(|s| &s.parent_ref).map_or_else(
            || "<none>".to_string(),
            |r| {
                let mut s = r.resource.to_lowercase();
                if let Some(g) = r.group.as_deref().filter(|g| !g.is_empty()) {
                    s.push('.');
                    s.push_str(&g.to_lowercase());
                }
                if let Some(ns) = r.namespace.as_deref().filter(|n| !n.is_empty()) {
                    s.push('/');
                    s.push_str(ns);
                }
                s.push('/');
                s.push_str(&r.name);
                s
            },
        );
        vec![obj.name().into(), parent]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}
