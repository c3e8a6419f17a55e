//! The `Volumes:` section of `kubectl describe pod`.

use k8s_openapi::api::core::v1::{ProjectedVolumeSource, Volume};

/// `Volumes:` with one block per volume, or `Volumes:  <none>`.
pub fn section(volumes: &[Volume]) -> String {
    if volumes.is_empty() {
        return "Volumes:\t<none>\n".into();
    }
    let mut s = String::from("Volumes:\n");
    for v in volumes {
        s.push_str(&format!("  {}:\n", v.name));
        s.push_str(&volume_lines(v));
    }
    s
}

fn volume_lines(v: &Volume) -> String {
    if let Some(p) = &v.projected {
        return projected(p);
    }
    if let Some(cm) = &v.config_map {
        return format!(
            "    Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
            cm.name,
            cm.optional.unwrap_or(false)
        );
    }
    if let Some(sec) = &v.secret {
        return format!(
            "    Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
            sec.secret_name.as_deref().unwrap_or(""),
            sec.optional.unwrap_or(false)
        );
    }
    if let Some(e) = &v.empty_dir {
        return format!(
            "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{}\n",
            e.medium.as_deref().unwrap_or(""),
            e.size_limit
                .as_ref()
                .map(|q| q.0.clone())
                .unwrap_or_else(|| "<unset>".into())
        );
    }
    if let Some(h) = &v.host_path {
        return host_path(h);
    }
    if let Some(c) = &v.persistent_volume_claim {
        return format!(
            "    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
            c.claim_name,
            c.read_only.unwrap_or(false)
        );
    }
    "    <unknown>\n".into()
}

fn projected(p: &ProjectedVolumeSource) -> String {
    let mut s = String::from(
        "    Type:\tProjected (a volume that contains injected data from multiple sources)\n",
    );
    for src in p.sources.iter().flatten() {
        if let Some(sec) = &src.secret {
            s.push_str(&format!(
                "    SecretName:\t{}\n    Optional:\t{}\n",
                sec.name,
                sec.optional.unwrap_or(false)
            ));
        } else if src.downward_api.is_some() {
            s.push_str("    DownwardAPI:\ttrue\n");
        } else if let Some(cm) = &src.config_map {
            s.push_str(&format!(
                "    ConfigMapName:\t{}\n    Optional:\t{}\n",
                cm.name,
                cm.optional.unwrap_or(false)
            ));
        } else if let Some(t) = &src.service_account_token {
            s.push_str(&format!(
                "    TokenExpirationSeconds:\t{}\n",
                t.expiration_seconds.unwrap_or(3600)
            ));
        }
    }
    s
}

/// A host path volume's lines (`printHostPathVolumeSource`).
pub fn host_path(h: &k8s_openapi::api::core::v1::HostPathVolumeSource) -> String {
    format!(
        "    Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
        h.path,
        h.type_.as_deref().unwrap_or("")
    )
}
