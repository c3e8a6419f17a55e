//! PersistentVolumeClaims: the apiserver's defaulting, the protection finalizer its
//! admission adds, validation, and the class a claim or volume belongs to.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus,
};

/// The finalizer the StorageObjectInUseProtection admission plugin adds to every claim.
pub const PROTECTION_FINALIZER: &str = "kubernetes.io/pvc-protection";

/// The finalizer the same plugin adds to every PersistentVolume.
pub const PV_PROTECTION_FINALIZER: &str = "kubernetes.io/pv-protection";

/// The beta class annotation both kinds still honour over `storageClassName`.
pub const BETA_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// `GetPersistentVolumeClaimClass`: the beta annotation, else `spec.storageClassName`, else
/// `""`.
pub fn claim_class(claim: &PersistentVolumeClaim) -> String {
    claim
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(BETA_CLASS_ANNOTATION))
        .cloned()
        .or_else(|| claim.spec.as_ref()?.storage_class_name.clone())
        .unwrap_or_default()
}

/// `GetPersistentVolumeClass`: the beta annotation, else `spec.storageClassName`.
pub fn volume_class(pv: &PersistentVolume) -> String {
    pv.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(BETA_CLASS_ANNOTATION))
        .cloned()
        .or_else(|| pv.spec.as_ref()?.storage_class_name.clone())
        .unwrap_or_default()
}

/// Type defaults: `volumeMode: Filesystem`, `status.phase: Pending`.
pub fn defaults(claim: &mut PersistentVolumeClaim) {
    let spec = claim.spec.get_or_insert_with(Default::default);
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
    if let Some(r) = spec.resources.as_mut() {
        super::resource_names::canonicalize(&mut r.requests);
        super::resource_names::canonicalize(&mut r.limits);
    }
    let status = claim
        .status
        .get_or_insert_with(PersistentVolumeClaimStatus::default);
    status.phase.get_or_insert_with(|| "Pending".into());
}

/// A claim being created: type defaults plus the protection finalizer.
pub fn new_claim(claim: &mut PersistentVolumeClaim) {
    defaults(claim);
    let finalizers = claim.metadata.finalizers.get_or_insert_with(Vec::new);
    if !finalizers.iter().any(|f| f == PROTECTION_FINALIZER) {
        finalizers.push(PROTECTION_FINALIZER.into());
    }
}

/// Adds the causes an invalid claim spec has, its fields under `path` (`spec`, or
/// `spec.volumeClaimTemplates[0].spec`).
pub fn validate(claim: &PersistentVolumeClaim, path: &str, causes: &mut Vec<String>) {
    let spec = claim.spec.clone().unwrap_or_default();
    let modes = spec.access_modes.unwrap_or_default();
    if modes.is_empty() {
        causes.push(format!(
            "{path}.accessModes: Required value: at least 1 access mode is required"
        ));
    }
    for mode in &modes {
        if !matches!(
            mode.as_str(),
            "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod"
        ) {
            causes.push(format!("{path}.accessModes: Unsupported value: \"{mode}\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""));
        }
    }
    let has_storage = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .is_some_and(|r| r.contains_key("storage"));
    if !has_storage {
        causes.push(format!("{path}.resources[storage]: Required value"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_claim_is_pending_with_its_finalizer() {
        let mut c = PersistentVolumeClaim::default();
        new_claim(&mut c);
        new_claim(&mut c);
        assert_eq!(c.metadata.finalizers.as_deref().map(<[_]>::len), Some(1));
        assert_eq!(c.status.and_then(|s| s.phase).as_deref(), Some("Pending"));
        let mut causes = Vec::new();
        validate(&PersistentVolumeClaim::default(), "spec", &mut causes);
        assert_eq!(causes.len(), 2);
    }
}
