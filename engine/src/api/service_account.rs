//! The ServiceAccount admission plugin: every pod runs as a service account (`default` unless
//! set) and, unless automounting is off, gets the projected `kube-api-access-<suffix>` volume
//! (token, cluster CA, namespace) mounted read-only in every container.

use k8s_openapi::api::core::v1::{
    ConfigMapProjection, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath,
    ObjectFieldSelector, Pod, ProjectedVolumeSource, ServiceAccountTokenProjection, Volume,
    VolumeMount, VolumeProjection,
};

/// Where the token volume is mounted.
pub const MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The name prefix of the token volume.
pub const VOLUME_PREFIX: &str = "kube-api-access-";

/// The service account a pod runs as (after defaulting).
pub fn account(pod: &Pod) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.service_account_name.clone())
        .unwrap_or_else(|| "default".into())
}

/// The name of the pod's token volume, if it has one.
pub fn token_volume(pod: &Pod) -> Option<String> {
    pod.spec
        .as_ref()?
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name.starts_with(VOLUME_PREFIX) && v.projected.is_some())
        .map(|v| v.name.clone())
}

/// Sets the service account fields and adds the token volume called `volume_name`.
pub fn admit(pod: &mut Pod, volume_name: &str) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    let sa = spec
        .service_account_name
        .get_or_insert_with(|| "default".into())
        .clone();
    spec.service_account.get_or_insert(sa);
    if spec.automount_service_account_token == Some(false) {
        return;
    }
    let already_mounted = spec
        .containers
        .iter()
        .flat_map(|c| c.volume_mounts.iter().flatten())
        .any(|m| m.mount_path == MOUNT_PATH);
    if already_mounted || spec.volumes.iter().flatten().any(|v| v.name == volume_name) {
        return;
    }
    spec.volumes.get_or_insert_with(Vec::new).push(Volume {
        name: volume_name.into(),
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(420),
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        expiration_seconds: Some(3607),
                        path: "token".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: "kube-root-ca.crt".into(),
                        items: Some(vec![KeyToPath {
                            key: "ca.crt".into(),
                            path: "ca.crt".into(),
                            mode: None,
                        }]),
                        optional: None,
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            field_ref: Some(ObjectFieldSelector {
                                api_version: Some("v1".into()),
                                field_path: "metadata.namespace".into(),
                            }),
                            path: "namespace".into(),
                            ..Default::default()
                        }]),
                    }),
                    ..Default::default()
                },
            ]),
        }),
        ..Default::default()
    });
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        c.volume_mounts
            .get_or_insert_with(Vec::new)
            .push(VolumeMount {
                mount_path: MOUNT_PATH.into(),
                name: volume_name.into(),
                read_only: Some(true),
                ..Default::default()
            });
    }
}
