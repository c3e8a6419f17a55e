//! StorageClass and PersistentVolume: `get` columns (`printStorageClass`,
//! `printPersistentVolume`) and `describe` (`describeStorageClass`,
//! `describePersistentVolume`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolumeSpec, VolumeNodeAffinity};

use super::{Columns, KindPrinter};
use crate::api::object::{is_default_class, Object, PersistentVolume, StorageClass};
use crate::api::pvc::volume_class;
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::{labels_and_annotations, volumes};
use crate::printers::storage_columns::access_modes;
use crate::world::World;

/// `labels.FormatLabels`: `k=v` pairs joined by `,`, `<none>` when empty.
pub(super) fn format_labels(map: Option<&BTreeMap<String, String>>) -> String {
    let pairs: Vec<String> = map
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

impl KindPrinter for StorageClass {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "PROVISIONER",
                "RECLAIMPOLICY",
                "VOLUMEBINDINGMODE",
                "ALLOWVOLUMEEXPANSION",
                "AGE",
            ],
            &[],
        )
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let mut name = obj.name().to_string();
        if is_default_class(self) {
            name.push_str(" (default)");
        }
        vec![
            name,
            self.provisioner.clone(),
            self.reclaim_policy
                .clone()
                .unwrap_or_else(|| "Delete".into()),
            self.volume_binding_mode
                .clone()
                .unwrap_or_else(|| "Immediate".into()),
            self.allow_volume_expansion.unwrap_or(false).to_string(),
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\n", obj.name());
        let default = if is_default_class(self) { "Yes" } else { "No" };
        o.push_str(&format!("IsDefaultClass:\t{default}\n"));
        o.push_str(&format!(
            "Annotations:\t{}\n",
            format_labels(self.metadata.annotations.as_ref())
        ));
        o.push_str(&format!("Provisioner:\t{}\n", self.provisioner));
        o.push_str(&format!(
            "Parameters:\t{}\n",
            format_labels(self.parameters.as_ref())
        ));
        let expansion = match self.allow_volume_expansion {
            Some(true) => "True",
            Some(false) => "False",
            None => "<unset>",
        };
        o.push_str(&format!("AllowVolumeExpansion:\t{expansion}\n"));
        match self.mount_options.as_deref().filter(|m| !m.is_empty()) {
            None => o.push_str("MountOptions:\t<none>\n"),
            Some(list) => {
                o.push_str("MountOptions:\n");
                for m in list {
                    o.push_str(&format!("  {m}\n"));
                }
            }
        }
        if let Some(p) = &self.reclaim_policy {
            o.push_str(&format!("ReclaimPolicy:\t{p}\n"));
        }
        if let Some(m) = &self.volume_binding_mode {
            o.push_str(&format!("VolumeBindingMode:\t{m}\n"));
        }
        Some(o)
    }
}

fn capacity(spec: &PersistentVolumeSpec) -> String {
    spec.capacity
        .as_ref()
        .and_then(|c| c.get("storage"))
        .map_or_else(|| "0".into(), |q| q.0.clone())
}

fn claim(spec: &PersistentVolumeSpec) -> String {
    spec.claim_ref.as_ref().map_or_else(String::new, |c| {
        format!(
            "{}/{}",
            c.namespace.as_deref().unwrap_or(""),
            c.name.as_deref().unwrap_or("")
        )
    })
}

impl KindPrinter for PersistentVolume {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "REASON",
                "AGE",
            ],
            &["VOLUMEMODE"],
        )
    }

    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        let spec = self.spec.clone().unwrap_or_default();
        let status = self.status.clone().unwrap_or_default();
        let phase = if self.metadata.deletion_timestamp.is_some() {
            "Terminating".into()
        } else {
            status.phase.unwrap_or_default()
        };
        let mut row = vec![
            obj.name().into(),
            capacity(&spec),
            access_modes(spec.access_modes.as_deref().unwrap_or(&[])),
            spec.persistent_volume_reclaim_policy
                .clone()
                .unwrap_or_default(),
            phase,
            claim(&spec),
            volume_class(self),
            spec.volume_attributes_class_name
                .clone()
                .unwrap_or_else(|| "<unset>".into()),
            status.reason.unwrap_or_default(),
            age(obj, now_ms),
        ];
        if opts.wide {
            row.push(spec.volume_mode.unwrap_or_else(|| "<unset>".into()));
        }
        row
    }

    fn describe(&self, obj: &Object, world: &World) -> Option<String> {
        let spec = self.spec.clone().unwrap_or_default();
        let status = self.status.clone().unwrap_or_default();
        let mut o = format!("Name:\t{}\n", obj.name());
        o.push_str(&labels_and_annotations(&self.metadata));
        let finalizers = self.metadata.finalizers.clone().unwrap_or_default();
        o.push_str(&format!("Finalizers:\t[{}]\n", finalizers.join(" ")));
        o.push_str(&format!("StorageClass:\t{}\n", volume_class(self)));
        match &self.metadata.deletion_timestamp {
            // `Terminating (lasts 5s)`, as describePersistentVolume prints a deleted volume.
            Some(t) => {
                let secs = (world.clock.now_ms() - crate::clock::ms_from_time(t)).div_euclid(1000);
                o.push_str(&format!(
                    "Status:\tTerminating (lasts {})\n",
                    crate::printers::age::human_duration_secs(secs)
                ));
            }
            None => o.push_str(&format!(
                "Status:\t{}\n",
                status.phase.clone().unwrap_or_default()
            )),
        }
        o.push_str(&format!("Claim:\t{}\n", claim(&spec)));
        o.push_str(&format!(
            "Reclaim Policy:\t{}\n",
            spec.persistent_volume_reclaim_policy
                .as_deref()
                .unwrap_or("")
        ));
        o.push_str(&format!(
            "Access Modes:\t{}\n",
            access_modes(spec.access_modes.as_deref().unwrap_or(&[]))
        ));
        if let Some(m) = &spec.volume_mode {
            o.push_str(&format!("VolumeMode:\t{m}\n"));
        }
        o.push_str(&format!("Capacity:\t{}\n", capacity(&spec)));
        o.push_str(&node_affinity(spec.node_affinity.as_ref()));
        o.push_str(&format!(
            "Message:\t{}\n",
            status.message.unwrap_or_default()
        ));
        o.push_str("Source:\n");
        o.push_str(&source(&spec));
        Some(o)
    }
}

/// `printVolumeNodeAffinity`.
fn node_affinity(affinity: Option<&VolumeNodeAffinity>) -> String {
    let Some(required) = affinity.and_then(|a| a.required.as_ref()) else {
        return "Node Affinity:\t<none>\n".into();
    };
    let mut o = "Node Affinity:\t\n".to_string();
    if required.node_selector_terms.is_empty() {
        o.push_str("  Required Terms:\t<none>\n");
        return o;
    }
    o.push_str("  Required Terms:\t\n");
    for (i, term) in required.node_selector_terms.iter().enumerate() {
        let reqs = term.match_expressions.as_deref().unwrap_or(&[]);
        o.push_str(&format!("    Term {i}:\t"));
        if reqs.is_empty() {
            o.push_str("<none>\n");
        }
        for (j, r) in reqs.iter().enumerate() {
            if j > 0 {
                o.push_str("    \t");
            }
            let mut expr = format!("{} {}", r.key, r.operator.to_ascii_lowercase());
            if let Some(values) = r.values.as_ref().filter(|v| !v.is_empty()) {
                expr.push_str(&format!(" [{}]", values.join(", ")));
            }
            o.push_str(&expr);
            o.push('\n');
        }
    }
    o
}

/// The volume source's lines, for the sources Kubeplay's learners meet.
fn source(spec: &PersistentVolumeSpec) -> String {
    if let Some(h) = &spec.host_path {
        return volumes::host_path(h);
    }
    if let Some(n) = &spec.nfs {
        return volumes::nfs(n);
    }
    if let Some(l) = &spec.local {
        return format!(
            "    Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
            l.path
        );
    }
    if let Some(c) = &spec.csi {
        let mut o = format!(
            "    Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    VolumeHandle:\t{}\n    ReadOnly:\t{}\n",
            c.driver,
            c.fs_type.as_deref().unwrap_or(""),
            c.volume_handle,
            c.read_only.unwrap_or(false)
        );
        let attrs = c.volume_attributes.clone().unwrap_or_default();
        o.push_str("    VolumeAttributes:\t");
        if attrs.is_empty() {
            o.push_str("<none>\n");
        }
        for (i, (k, v)) in attrs.iter().enumerate() {
            if i > 0 {
                o.push_str("    \t");
            }
            o.push_str(&format!("{k}={v}\n"));
        }
        return o;
    }
    "    <unknown>\n".into()
}
