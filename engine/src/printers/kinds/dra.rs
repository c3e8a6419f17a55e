//! RuntimeClass and the dynamic resource allocation kinds: `get` columns
//! (`printRuntimeClass`, `printDeviceClass`, `printResourceClaim`,
//! `printResourceClaimTemplate`, `printResourceSlice`) and kubectl's generic `describe`.

use super::{Columns, KindPrinter};
use crate::api::object::{
    DeviceClass, Object, ResourceClaim, ResourceClaimTemplate, ResourceSlice, RuntimeClass,
};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::generic;
use crate::world::World;

/// Kinds that print NAME and AGE and are described generically.
macro_rules! name_age_printer {
    ($($kind:ident),*) => {$(
        impl KindPrinter for $kind {
            fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
                Some(generic::describe(obj))
            }
        }
    )*};
}

name_age_printer!(DeviceClass, ResourceClaimTemplate);

impl KindPrinter for RuntimeClass {
    fn columns() -> Columns {
        (&["NAME", "HANDLER", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![obj.name().into(), self.handler.clone(), age(obj, now_ms)]
    }
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

/// A claim's STATE (`resourceClaimState`): `deleted`, then `pending` or `allocated`
/// (`,reserved` when a pod holds it).
fn claim_state(claim: &ResourceClaim) -> String {
    let deleted = claim.metadata.deletion_timestamp.is_some();
    let status = claim.status.as_ref();
    let mut states = Vec::new();
    if deleted {
        states.push("deleted");
    }
    match status.and_then(|s| s.allocation.as_ref()) {
        None if !deleted => states.push("pending"),
        None => {}
        Some(_) => {
            states.push("allocated");
            if status
                .and_then(|s| s.reserved_for.as_ref())
                .is_some_and(|r| !r.is_empty())
            {
                states.push("reserved");
            }
        }
    }
    states.join(",")
}

impl KindPrinter for ResourceClaim {
    fn columns() -> Columns {
        (&["NAME", "STATE", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![obj.name().into(), claim_state(self), age(obj, now_ms)]
    }
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for ResourceSlice {
    fn columns() -> Columns {
        (&["NAME", "NODE", "DRIVER", "POOL", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![
            obj.name().into(),
            self.spec.node_name.clone().unwrap_or_default(),
            self.spec.driver.clone(),
            self.spec.pool.name.clone(),
            age(obj, now_ms),
        ]
    }
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}
