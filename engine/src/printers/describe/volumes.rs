//! The `Volumes:` section of `kubectl describe pod` and of pod templates
//! (`describeVolumes`), and a container's `Mounts:` lines (`describeContainerVolumes`).

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{
    Container, DownwardAPIVolumeSource, EmptyDirVolumeSource, NFSVolumeSource,
    ProjectedVolumeSource, Volume,
};

/// A pod's `Volumes:` with one block per volume, or `Volumes:  <none>`.
pub fn section(volumes: &[Volume]) -> String {
    section_at(volumes, "")
}

/// The `Volumes:` section at `space` (a pod template's is indented by two spaces, its
/// volume names by one more).
pub fn section_at(volumes: &[Volume], space: &str) -> String {
    if volumes.is_empty() {
        return format!("{space}Volumes:\t<none>\n");
    }
    let name_indent = if space.is_empty() { "" } else { " " };
    let mut s = format!("{space}Volumes:\n");
    for v in volumes {
        s.push_str(&format!("  {name_indent}{}:\n", v.name));
        s.push_str(&volume_lines(v));
    }
    s
}

/// kubectl's `Mounts:` lines: sorted by mount path, `(ro|rw[,path="subPath"])`.
pub fn mounts(c: &Container) -> String {
    let mut mounts: Vec<_> = c.volume_mounts.iter().flatten().collect();
    if mounts.is_empty() {
        return "    Mounts:\t<none>\n".into();
    }
    mounts.stable_sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    let mut s = String::from("    Mounts:\n");
    for m in mounts {
        let mut flags = vec![if m.read_only == Some(true) {
            "ro"
        } else {
            "rw"
        }
        .to_string()];
        if let Some(sub) = m.sub_path.as_deref().filter(|p| !p.is_empty()) {
            flags.push(format!("path={}", crate::node::hooks::go_quote(sub)));
        }
        s.push_str(&format!(
            "      {} from {} ({})\n",
            m.mount_path,
            m.name,
            flags.join(",")
        ));
    }
    s
}

/// One volume's lines, in `describeVolumes`' order of source types.
fn volume_lines(v: &Volume) -> String {
    if let Some(h) = &v.host_path {
        return host_path(h);
    }
    if let Some(e) = &v.empty_dir {
        return empty_dir(e);
    }
    if let Some(g) = &v.git_repo {
        return format!(
            "    Type:\tGitRepo (a volume that is pulled from git when the pod is created)\n    Repository:\t{}\n    Revision:\t{}\n",
            g.repository,
            g.revision.as_deref().unwrap_or("")
        );
    }
    if let Some(sec) = &v.secret {
        return format!(
            "    Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
            sec.secret_name.as_deref().unwrap_or(""),
            sec.optional == Some(true)
        );
    }
    if let Some(cm) = &v.config_map {
        return format!(
            "    Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
            cm.name,
            cm.optional == Some(true)
        );
    }
    if let Some(n) = &v.nfs {
        return nfs(n);
    }
    if let Some(c) = &v.persistent_volume_claim {
        return format!(
            "    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
            c.claim_name,
            c.read_only == Some(true)
        );
    }
    if let Some(d) = &v.downward_api {
        return downward_api(d);
    }
    if let Some(p) = &v.projected {
        return projected(p);
    }
    if let Some(c) = &v.csi {
        let mut s = format!(
            "    Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
            c.driver,
            c.fs_type.as_deref().unwrap_or(""),
            c.read_only == Some(true)
        );
        s.push_str(&attributes(c.volume_attributes.as_ref()));
        return s;
    }
    if let Some(i) = &v.image {
        return format!(
            "    Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
            i.reference.as_deref().unwrap_or(""),
            i.pull_policy.as_deref().unwrap_or("")
        );
    }
    "  <unknown>\n".into()
}

/// `printCSIPersistentVolumeAttributesMultiline`: `VolumeAttributes:` then one `key=value`
/// per line, sorted; `<none>` when empty.
fn attributes(attrs: Option<&std::collections::BTreeMap<String, String>>) -> String {
    let attrs: Vec<_> = attrs.into_iter().flatten().collect();
    if attrs.is_empty() {
        return "    VolumeAttributes:\t<none>\n".into();
    }
    let mut s = String::new();
    for (i, (k, v)) in attrs.iter().enumerate() {
        let label = if i == 0 { "VolumeAttributes:" } else { "" };
        s.push_str(&format!("    {label}\t{k}={v}\n"));
    }
    s
}

fn empty_dir(e: &EmptyDirVolumeSource) -> String {
    let size = e
        .size_limit
        .as_ref()
        .filter(|q| crate::api::quantity::parse(&q.0).is_some_and(|v| v > 0.0))
        .map_or_else(|| "<unset>".to_string(), |q| q.0.clone());
    format!(
        "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
        e.medium.as_deref().unwrap_or("")
    )
}

/// An NFS volume's lines (`printNFSVolumeSource`), also a PersistentVolume's.
pub fn nfs(n: &NFSVolumeSource) -> String {
    format!(
        "    Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
        n.server,
        n.path,
        n.read_only == Some(true)
    )
}

fn downward_api(d: &DownwardAPIVolumeSource) -> String {
    let mut s = String::from(
        "    Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
    );
    for item in d.items.iter().flatten() {
        if let Some(f) = &item.field_ref {
            s.push_str(&format!("      {} -> {}\n", f.field_path, item.path));
        }
        if let Some(r) = &item.resource_field_ref {
            s.push_str(&format!("      {} -> {}\n", r.resource, item.path));
        }
    }
    s
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
                sec.optional == Some(true)
            ));
        } else if src.downward_api.is_some() {
            s.push_str("    DownwardAPI:\ttrue\n");
        } else if let Some(cm) = &src.config_map {
            s.push_str(&format!(
                "    ConfigMapName:\t{}\n    Optional:\t{}\n",
                cm.name,
                cm.optional == Some(true)
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

/// A host path volume's lines (`printHostPathVolumeSource`); the API defaults an unset type
/// to `""`.
pub fn host_path(h: &k8s_openapi::api::core::v1::HostPathVolumeSource) -> String {
    format!(
        "    Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
        h.path,
        h.type_.as_deref().unwrap_or("")
    )
}
