//! Inline cloud disk volumes as the apiserver validates them (`validateAWSElasticBlockStore…`,
//! `validateGCEPersistentDisk…`, `validateAzureDisk`, `validateAzureFile`, `validateCinder…`,
//! `validateVsphereVolumeSource`): the fields naming the disk are required.

use k8s_openapi::api::core::v1::PodSpec;

/// Checks the cloud disk volumes of the pod spec at `path`.
pub fn volumes(spec: &PodSpec, path: &str, causes: &mut Vec<String>) {
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let at = format!("{path}.volumes[{i}]");
        let mut required = |source: &str, fields: &[(&str, &str)]| {
            for (field, value) in fields {
                if value.is_empty() {
                    causes.push(format!("{at}.{source}.{field}: Required value"));
                }
            }
        };
        if let Some(s) = &v.aws_elastic_block_store {
            required("awsElasticBlockStore", &[("volumeID", &s.volume_id)]);
        }
        if let Some(s) = &v.gce_persistent_disk {
            required("gcePersistentDisk", &[("pdName", &s.pd_name)]);
        }
        if let Some(s) = &v.azure_disk {
            required(
                "azureDisk",
                &[("diskName", &s.disk_name), ("diskURI", &s.disk_uri)],
            );
        }
        if let Some(s) = &v.azure_file {
            required(
                "azureFile",
                &[("secretName", &s.secret_name), ("shareName", &s.share_name)],
            );
        }
        if let Some(s) = &v.cinder {
            required("cinder", &[("volumeID", &s.volume_id)]);
        }
        if let Some(s) = &v.vsphere_volume {
            required("vsphereVolume", &[("volumePath", &s.volume_path)]);
        }
    }
}
