//! `kubectl get` rows for storage kinds: PersistentVolumeClaims.

use k8s_openapi::api::core::v1::PersistentVolumeClaim;

use super::columns::TableOptions;

/// Access modes as kubectl abbreviates them: `RWO,ROX`.
pub fn access_modes(modes: &[String]) -> String {
    modes
        .iter()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A claim's row: capacity and access modes only once it is bound to a volume.
pub fn claim_row(
    c: &PersistentVolumeClaim,
    name: String,
    age: String,
    opts: TableOptions,
) -> Vec<String> {
    let spec = c.spec.clone().unwrap_or_default();
    let status = c.status.clone().unwrap_or_default();
    let phase = if c.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.phase.clone().unwrap_or_default()
    };
    let volume = spec.volume_name.clone().unwrap_or_default();
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            status
                .capacity
                .as_ref()
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_default(),
            access_modes(status.access_modes.as_deref().unwrap_or(&[])),
        )
    };
    let class = crate::api::pvc::claim_class(c);
    let mut row = vec![
        name,
        phase,
        volume,
        capacity,
        modes,
        class,
        spec.volume_attributes_class_name
            .clone()
            .unwrap_or_else(|| "<unset>".into()),
        age,
    ];
    if opts.wide {
        row.push(spec.volume_mode.unwrap_or_else(|| "<unset>".into()));
    }
    row
}
