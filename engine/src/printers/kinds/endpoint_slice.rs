//! EndpointSlice: `get` columns (`printEndpointSlice` of kubectl's internal printers) and
//! `describe` (`describeEndpointSliceV1`).

use k8s_openapi::api::discovery::v1::{Endpoint, EndpointPort};

use super::{Columns, KindPrinter};
use crate::api::object::{EndpointSlice, Object};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::labels_and_annotations;
use crate::world::World;

/// At most three items joined by `,`, then ` + N more...` (`listWithMoreString`);
/// `<unset>` for none.
pub(crate) fn list_with_more(items: &[String]) -> String {
    let shown = items.iter().take(3).cloned().collect::<Vec<_>>().join(",");
    match items.len() {
        0 => "<unset>".into(),
        n if n > 3 => format!("{shown} + {} more...", n - 3),
        _ => shown,
    }
}

/// PORTS: each port's number, or its name, or `*`.
fn ports_cell(ports: &[EndpointPort]) -> String {
    let items: Vec<String> = ports
        .iter()
        .map(|p| match (p.port, &p.name) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => "*".into(),
        })
        .collect();
    list_with_more(&items)
}

/// ENDPOINTS: every address of every endpoint, ready or not.
fn endpoints_cell(endpoints: &[Endpoint]) -> String {
    let items: Vec<String> = endpoints
        .iter()
        .flat_map(|e| e.addresses.iter().cloned())
        .collect();
    list_with_more(&items)
}

fn or_unset(v: Option<&str>) -> &str {
    v.unwrap_or("<unset>")
}

impl KindPrinter for EndpointSlice {
    fn columns() -> Columns {
        (&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[])
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![
            obj.name().into(),
            self.address_type.clone(),
            ports_cell(self.ports.as_deref().unwrap_or(&[])),
            endpoints_cell(&self.endpoints),
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
        o.push_str(&labels_and_annotations(&self.metadata));
        o.push_str(&format!("AddressType:\t{}\n", self.address_type));
        match self.ports.as_deref().filter(|p| !p.is_empty()) {
            None => o.push_str("Ports: <unset>\n"),
            Some(ports) => {
                o.push_str("Ports:\n  Name\tPort\tProtocol\n  ----\t----\t--------\n");
                for p in ports {
                    let name = p.name.as_deref().filter(|n| !n.is_empty());
                    let port = p.port.map_or("<unset>".into(), |n| n.to_string());
                    let proto = p.protocol.as_deref().unwrap_or("");
                    o.push_str(&format!("  {}\t{port}\t{proto}\n", or_unset(name)));
                }
            }
        }
        if self.endpoints.is_empty() {
            o.push_str("Endpoints: <none>\n");
            return Some(o);
        }
        o.push_str("Endpoints:\n");
        for ep in &self.endpoints {
            let addresses = match ep.addresses.join(", ") {
                a if a.is_empty() => "<none>".to_string(),
                a => a,
            };
            o.push_str(&format!("  - Addresses:\t{addresses}\n    Conditions:\n"));
            let ready = ep.conditions.as_ref().and_then(|c| c.ready);
            let ready = ready.map(|r| r.to_string());
            o.push_str(&format!("      Ready:\t{}\n", or_unset(ready.as_deref())));
            o.push_str(&format!(
                "    Hostname:\t{}\n",
                or_unset(ep.hostname.as_deref())
            ));
            if let Some(t) = &ep.target_ref {
                o.push_str(&format!(
                    "    TargetRef:\t{}/{}\n",
                    t.kind.as_deref().unwrap_or(""),
                    t.name.as_deref().unwrap_or("")
                ));
            }
            o.push_str(&format!(
                "    NodeName:\t{}\n",
                or_unset(ep.node_name.as_deref())
            ));
            o.push_str(&format!("    Zone:\t{}\n", or_unset(ep.zone.as_deref())));
        }
        Some(o)
    }
}
