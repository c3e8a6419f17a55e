//! ServiceCIDR and IPAddress: `get` columns (`printServiceCIDR`, `printIPAddress`) and
//! `describe` (`describeServiceCIDRV1`, `describeIPAddressV1`).

use super::{Columns, KindPrinter};
use crate::api::object::{IPAddress, Object, ServiceCIDR};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::batch::rfc1123z;
use crate::printers::describe::labels_and_annotations;
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

    /// Name, labels, annotations, the CIDRs, and the conditions as a table.
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\n", obj.name());
        o.push_str(&labels_and_annotations(&self.metadata));
        let cidrs = self.spec.as_ref().and_then(|s| s.cidrs.clone());
        o.push_str(&format!(
            "CIDRs:\t{}\n",
            cidrs.unwrap_or_default().join(", ")
        ));
        let conditions = self.status.as_ref().and_then(|s| s.conditions.clone());
        if let Some(list) = conditions.filter(|c| !c.is_empty()) {
            o.push_str("Status:\nConditions:\n");
            o.push_str("  Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
            o.push_str("  ----\t------\t------------------\t------\t-------\n");
            for c in list {
                o.push_str(&format!(
                    "  {}\t{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z(&c.last_transition_time),
                    c.reason,
                    c.message
                ));
            }
        }
        Some(o)
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

    /// Name, labels, annotations and the parent reference.
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\n", obj.name());
        o.push_str(&labels_and_annotations(&self.metadata));
        if let Some(r) = self.spec.as_ref().map(|s| &s.parent_ref) {
            o.push_str("Parent Reference:\n");
            o.push_str(&format!("  Group:\t{}\n", r.group.as_deref().unwrap_or("")));
            o.push_str(&format!("  Resource:\t{}\n", r.resource));
            o.push_str(&format!(
                "  Namespace:\t{}\n",
                r.namespace.as_deref().unwrap_or("")
            ));
            o.push_str(&format!("  Name:\t{}\n", r.name));
        }
        Some(o)
    }
}
