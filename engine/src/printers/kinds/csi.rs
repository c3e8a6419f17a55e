//! The CSI storage kinds: `get` columns (`printCSIDriver`, `printCSINode`,
//! `printCSIStorageCapacity`, `printVolumeAttachment`, `printVolumeAttributesClass`) and
//! `describe` (`describeCSINode`, `describeVolumeAttributesClass`; the others generic).

use super::{Columns, KindPrinter};
use crate::api::object::{
    CSIDriver, CSINode, CSIStorageCapacity, Object, VolumeAttachment, VolumeAttributesClass,
};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::batch::rfc1123z;
use crate::printers::describe::{generic, labels_and_annotations};
use crate::world::World;

impl KindPrinter for CSIDriver {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "ATTACHREQUIRED",
                "PODINFOONMOUNT",
                "STORAGECAPACITY",
                "TOKENREQUESTS",
                "REQUIRESREPUBLISH",
                "MODES",
                "AGE",
            ],
            &[],
        )
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let s = &self.spec;
        let modes = s
            .volume_lifecycle_modes
            .as_ref()
            .map(|m| m.join(","))
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "<none>".into());
        let tokens = s.token_requests.as_ref().map_or_else(
            || "<unset>".to_string(),
            |t| {
                t.iter()
                    .map(|t| t.audience.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            },
        );
        vec![
            obj.name().into(),
            s.attach_required.unwrap_or(true).to_string(),
            s.pod_info_on_mount.unwrap_or(false).to_string(),
            s.storage_capacity.unwrap_or(false).to_string(),
            tokens,
            s.requires_republish.unwrap_or(false).to_string(),
            modes,
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for CSINode {
    fn columns() -> Columns {
        (&["NAME", "DRIVERS", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let drivers = self.spec.drivers.len().to_string();
        vec![obj.name().into(), drivers, age(obj, now_ms)]
    }
    /// Name, labels, annotations, creation time and each registered driver.
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\n", obj.name());
        o.push_str(&labels_and_annotations(&self.metadata));
        if let Some(t) = &self.metadata.creation_timestamp {
            o.push_str(&format!("CreationTimestamp:\t{}\n", rfc1123z(t)));
        }
        o.push_str("Spec:\n  Drivers:\n");
        for d in &self.spec.drivers {
            o.push_str(&format!("    {}:\n      Node ID:\t{}\n", d.name, d.node_id));
            if let Some(count) = d.allocatable.as_ref().and_then(|a| a.count) {
                o.push_str(&format!("      Allocatables:\n        Count:\t{count}\n"));
            }
            if let Some(keys) = &d.topology_keys {
                o.push_str(&format!("      Topology Keys:\t[{}]\n", keys.join(" ")));
            }
        }
        Some(o)
    }
}

impl KindPrinter for CSIStorageCapacity {
    /// No AGE column.
    fn columns() -> Columns {
        (&["NAME", "STORAGECLASSNAME", "CAPACITY"], &[])
    }
    fn row(&self, obj: &Object, _now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let capacity = self
            .capacity
            .as_ref()
            .map_or_else(|| "<unset>".into(), |q| q.0.clone());
        vec![obj.name().into(), self.storage_class_name.clone(), capacity]
    }
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for VolumeAttachment {
    fn columns() -> Columns {
        (&["NAME", "ATTACHER", "PV", "NODE", "ATTACHED", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let s = &self.spec;
        let attached = self.status.as_ref().is_some_and(|st| st.attached);
        vec![
            obj.name().into(),
            s.attacher.clone(),
            s.source.persistent_volume_name.clone().unwrap_or_default(),
            s.node_name.clone(),
            attached.to_string(),
            age(obj, now_ms),
        ]
    }
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

/// The annotation that marks the default VolumeAttributesClass.
const DEFAULT_VAC: &str = "storage.kubernetes.io/is-default-class";

impl KindPrinter for VolumeAttributesClass {
    fn columns() -> Columns {
        (&["NAME", "DRIVERNAME", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let mut name = obj.name().to_string();
        let default = self
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(DEFAULT_VAC))
            .is_some_and(|v| v == "true");
        if default {
            name.push_str(" (default)");
        }
        vec![name, self.driver_name.clone(), age(obj, now_ms)]
    }
    /// Name, annotations, driver and parameters.
    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        use super::storage::format_labels;
        Some(format!(
            "Name:\t{}\nAnnotations:\t{}\nDriverName:\t{}\nParameters:\t{}\n",
            obj.name(),
            format_labels(self.metadata.annotations.as_ref()),
            self.driver_name,
            format_labels(self.parameters.as_ref())
        ))
    }
}
