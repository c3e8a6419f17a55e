//! A pod's volumes on the board: each volume's type and what backs it, down to the
//! PersistentVolume behind a claim (`data` → claim `data` → volume `pv1`, NFS
//! `211.183.3.99:/pvpvc`).

use k8s_openapi::api::core::v1::{PersistentVolumeSpec, Pod, Volume};

use crate::api::object::{PersistentVolume, PersistentVolumeClaim};
use crate::api::service_account::VOLUME_PREFIX;
use crate::apiserver::ApiServer;

/// What backs a volume: its type and the source's own words.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceView {
    /// The source's field name, as in a manifest: `configMap`, `secret`, `emptyDir`,
    /// `hostPath`, `nfs`, `persistentVolumeClaim`, `projected`, `downwardAPI`, `local`,
    /// `csi`, …; `unknown` for a source the board does not name.
    pub type_: String,
    /// The ConfigMap or Secret name, the host path, `server:path`, the claim name, the
    /// emptyDir medium (empty: the node's disk), the projected sources (`secret/x, configMap/y`).
    pub text: String,
}

/// The claim behind a pod's `persistentVolumeClaim` (or generic `ephemeral`) volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimLink {
    /// The claim's name (in the pod's namespace).
    pub name: String,
    /// STATUS as `kubectl get pvc` prints it; empty when the claim does not exist.
    pub status: String,
    /// The PersistentVolume it is bound to, if any.
    pub volume: Option<String>,
    /// What backs that PersistentVolume, if it exists.
    pub volume_source: Option<SourceView>,
}

/// One volume of a pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VolumeView {
    /// The volume's name in the pod spec.
    pub name: String,
    /// Its source.
    pub source: SourceView,
    /// For claim-backed volumes: the claim and its volume.
    pub claim: Option<ClaimLink>,
    /// The `kube-api-access-…` token volume the ServiceAccount admission adds to every pod.
    pub token: bool,
}

fn source(type_: &str, text: impl Into<String>) -> SourceView {
    SourceView {
        type_: type_.to_string(),
        text: text.into(),
    }
}

/// A pod volume's source.
fn pod_source(v: &Volume) -> SourceView {
    if let Some(cm) = &v.config_map {
        return source("configMap", cm.name.clone());
    }
    if let Some(s) = &v.secret {
        return source("secret", s.secret_name.clone().unwrap_or_default());
    }
    if let Some(e) = &v.empty_dir {
        let mut text = e.medium.clone().unwrap_or_default();
        if let Some(limit) = &e.size_limit {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(&format!("sizeLimit {}", limit.0));
        }
        return source("emptyDir", text);
    }
    if let Some(h) = &v.host_path {
        return source("hostPath", h.path.clone());
    }
    if let Some(n) = &v.nfs {
        return source("nfs", format!("{}:{}", n.server, n.path));
    }
    if let Some(c) = &v.persistent_volume_claim {
        return source("persistentVolumeClaim", c.claim_name.clone());
    }
    if let Some(p) = &v.projected {
        let parts: Vec<String> = p
            .sources
            .iter()
            .flatten()
            .filter_map(|s| {
                if let Some(cm) = &s.config_map {
                    Some(format!("configMap/{}", cm.name))
                } else if let Some(sec) = &s.secret {
                    Some(format!("secret/{}", sec.name))
                } else if s.downward_api.is_some() {
                    Some("downwardAPI".to_string())
                } else if s.service_account_token.is_some() {
                    Some("serviceAccountToken".to_string())
                } else {
                    s.cluster_trust_bundle
                        .as_ref()
                        .map(|_| "clusterTrustBundle".into())
                }
            })
            .collect();
        return source("projected", parts.join(", "));
    }
    if v.downward_api.is_some() {
        return source("downwardAPI", "");
    }
    if v.ephemeral.is_some() {
        return source("ephemeral", "");
    }
    if let Some(c) = &v.csi {
        return source("csi", c.driver.clone());
    }
    if let Some(i) = &v.image {
        return source("image", i.reference.clone().unwrap_or_default());
    }
    source("unknown", "")
}

/// What backs a PersistentVolume (the sources learners meet; others by their type only).
pub(super) fn volume_source(spec: &PersistentVolumeSpec) -> SourceView {
    if let Some(n) = &spec.nfs {
        return source("nfs", format!("{}:{}", n.server, n.path));
    }
    if let Some(h) = &spec.host_path {
        return source("hostPath", h.path.clone());
    }
    if let Some(l) = &spec.local {
        return source("local", l.path.clone());
    }
    if let Some(c) = &spec.csi {
        return source("csi", format!("{} {}", c.driver, c.volume_handle));
    }
    source("unknown", "")
}

/// The claim `name` in `namespace`, with the volume it is bound to.
fn claim_link(api: &ApiServer, namespace: &str, name: &str) -> ClaimLink {
    let Some(claim) = api.get_as::<PersistentVolumeClaim>(namespace, name) else {
        return ClaimLink {
            name: name.to_string(),
            ..Default::default()
        };
    };
    let volume = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .filter(|v| !v.is_empty());
    let volume_source = volume
        .as_deref()
        .and_then(|v| api.get_as::<PersistentVolume>("", v))
        .map(|pv| volume_source(&pv.spec.clone().unwrap_or_default()));
    let status = if claim.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        claim
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default()
    };
    ClaimLink {
        name: name.to_string(),
        status,
        volume,
        volume_source,
    }
}

/// The claim a pod volume uses, if any: its own `claimName`, or for a generic ephemeral
/// volume the claim named `<pod>-<volume>` the ephemeral volume controller creates.
pub(super) fn claim_name(pod: &Pod, v: &Volume) -> Option<String> {
    if let Some(c) = &v.persistent_volume_claim {
        return Some(c.claim_name.clone());
    }
    v.ephemeral.as_ref()?;
    Some(format!(
        "{}-{}",
        pod.metadata.name.as_deref().unwrap_or_default(),
        v.name
    ))
}

/// The volumes of `pod`, in its spec's order.
pub(super) fn read(api: &ApiServer, pod: &Pod) -> Vec<VolumeView> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .map(|v| VolumeView {
            name: v.name.clone(),
            source: pod_source(v),
            claim: claim_name(pod, v).map(|c| claim_link(api, namespace, &c)),
            token: v.name.starts_with(VOLUME_PREFIX) && v.projected.is_some(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::Cluster;

    fn apply(c: &mut Cluster, file: &str, yaml: &str) {
        c.write_file(file, yaml).unwrap();
        let out = c.run(&format!("kubectl apply -f {file}"));
        assert!(out.stderr().is_empty(), "{}", out.stderr());
    }

    const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: vols
spec:
  containers:
  - name: app
    image: nginx
  volumes:
  - name: config
    configMap:
      name: app-config
  - name: creds
    secret:
      secretName: app-secret
  - name: scratch
    emptyDir:
      medium: Memory
      sizeLimit: 64Mi
  - name: logs
    hostPath:
      path: /var/log/app
  - name: share
    nfs:
      server: 211.183.3.99
      path: /shared
  - name: data
    persistentVolumeClaim:
      claimName: data
";

    #[test]
    fn a_pods_volumes_name_their_sources() {
        let mut c = Cluster::new();
        apply(&mut c, "pod.yaml", POD);
        let pod = c
            .snapshot()
            .pods
            .into_iter()
            .find(|p| p.name == "vols")
            .unwrap();
        let seen: Vec<(&str, &str, &str)> = pod
            .volumes
            .iter()
            .map(|v| {
                (
                    v.name.as_str(),
                    v.source.type_.as_str(),
                    v.source.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            &seen[..6],
            [
                ("config", "configMap", "app-config"),
                ("creds", "secret", "app-secret"),
                ("scratch", "emptyDir", "Memory, sizeLimit 64Mi"),
                ("logs", "hostPath", "/var/log/app"),
                ("share", "nfs", "211.183.3.99:/shared"),
                ("data", "persistentVolumeClaim", "data"),
            ]
        );
        // The ServiceAccount admission's token volume comes last, marked.
        let token = &pod.volumes[6];
        assert!(token.token && token.name.starts_with("kube-api-access-"));
        assert_eq!(token.source.type_, "projected");
        assert!(token.source.text.contains("serviceAccountToken"));
        assert!(pod.volumes[..6].iter().all(|v| !v.token));
        // A claim that does not exist (yet): no status, no volume.
        let data = pod.volumes[5].claim.clone().unwrap();
        assert_eq!((data.name.as_str(), data.status.as_str()), ("data", ""));
        assert_eq!(data.volume, None);
        assert!(pod.volumes[..5].iter().all(|v| v.claim.is_none()));
    }

    #[test]
    fn a_claim_volume_follows_its_claim_to_the_bound_volume() {
        let mut c = Cluster::new();
        apply(&mut c, "pod.yaml", POD);
        apply(
            &mut c,
            "pvc.yaml",
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  storageClassName: \"\"\n  accessModes: [ReadWriteMany]\n  resources:\n    requests:\n      storage: 1Gi\n",
        );
        let data = |c: &Cluster| {
            c.snapshot()
                .pods
                .into_iter()
                .find(|p| p.name == "vols")
                .unwrap()
                .volumes[5]
                .claim
                .clone()
                .unwrap()
        };
        assert_eq!(data(&c).status, "Pending");
        // Bound as the binder leaves it (written here directly, as a binder would).
        apply(
            &mut c,
            "pv.yaml",
            "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv1\nspec:\n  capacity:\n    storage: 1Gi\n  accessModes: [ReadWriteMany]\n  storageClassName: \"\"\n  nfs:\n    server: 211.183.3.99\n    path: /pvpvc\n",
        );
        super::super::storage::tests::bind(&mut c, "default", "data", "pv1");
        let linked = data(&c);
        assert_eq!(linked.status, "Bound");
        assert_eq!(linked.volume.as_deref(), Some("pv1"));
        let src = linked.volume_source.unwrap();
        assert_eq!(
            (src.type_.as_str(), src.text.as_str()),
            ("nfs", "211.183.3.99:/pvpvc")
        );
    }
}
