//! The board's storage area: PersistentVolumeClaims and PersistentVolumes with the cells
//! `kubectl get pvc` and `kubectl get pv` print, which pods use each claim, and for a
//! Pending claim what its newest event says is keeping it waiting.

use crate::sort::SliceSort;
use std::collections::HashMap;

use k8s_openapi::api::core::v1::Event;

use super::volumes::{claim_name, volume_source, SourceView};
use crate::api::object::{Object, PersistentVolume, PersistentVolumeClaim, Pod};
use crate::apiserver::ApiServer;
use crate::printers::columns::{headers, row, TableOptions};

/// An event about a claim: why it waits.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimEvent {
    /// `Normal` or `Warning`.
    pub type_: String,
    /// `FailedBinding`, `WaitForFirstConsumer`, `ProvisioningFailed`, `ExternalProvisioning`, …
    pub reason: String,
    /// The message, as `kubectl describe pvc` shows it.
    pub message: String,
}

/// One PersistentVolumeClaim.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimView {
    /// The claim's namespace.
    pub namespace: String,
    /// The claim's name.
    pub name: String,
    /// STATUS as `kubectl get pvc` prints it (`Pending`, `Bound`, `Lost`, `Terminating`).
    pub status: String,
    /// VOLUME: the PersistentVolume it is bound to (empty while unbound).
    pub volume: String,
    /// CAPACITY (empty while unbound).
    pub capacity: String,
    /// ACCESS MODES (`RWO,RWX`; empty while unbound).
    pub access_modes: String,
    /// STORAGECLASS (empty: none).
    pub class: String,
    /// The storage the claim asks for (`spec.resources.requests.storage`).
    pub requested: String,
    /// The pods (in the claim's namespace) whose volumes use it, as `describe pvc`'s Used By.
    pub used_by: Vec<String>,
    /// For a Pending claim: its newest event (why it is not bound yet).
    pub waiting: Option<ClaimEvent>,
}

impl ClaimView {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// One PersistentVolume.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersistentVolumeView {
    /// The volume's name.
    pub name: String,
    /// CAPACITY.
    pub capacity: String,
    /// ACCESS MODES (`RWO`).
    pub access_modes: String,
    /// RECLAIM POLICY (`Retain`, `Delete`, `Recycle`).
    pub reclaim_policy: String,
    /// STATUS (`Available`, `Bound`, `Released`, `Failed`, `Terminating`).
    pub status: String,
    /// CLAIM: `namespace/name` of the claim it is bound to (empty: none).
    pub claim: String,
    /// STORAGECLASS (empty: none).
    pub class: String,
    /// What backs it (NFS `server:path`, a host path, …).
    pub source: SourceView,
}

/// The cells of `obj`'s `kubectl get` row, by column name (empty for a missing column).
fn cells(obj: &Object, now_ms: i64) -> impl Fn(&str) -> String {
    let opts = TableOptions::default();
    let names = headers(obj.kind(), opts);
    let values = row(obj, now_ms, opts);
    move |column| {
        names
            .iter()
            .position(|n| *n == column)
            .and_then(|i| values.get(i))
            .cloned()
            .unwrap_or_default()
    }
}

/// A claim's identity in its events: (namespace, name, uid).
type ClaimId = (String, String, String);

/// Every claim's newest event: the latest timestamp, then the latest resourceVersion (a
/// repeat's count bump is a newer change).
fn newest_events(api: &ApiServer) -> HashMap<ClaimId, &Event> {
    let mut newest: HashMap<ClaimId, (&Event, (i64, u64))> = HashMap::new();
    for e in api.list_as::<Event>(None) {
        let obj = &e.involved_object;
        if obj.kind.as_deref() != Some("PersistentVolumeClaim") {
            continue;
        }
        let when = crate::api::event_times::last_seen_ms(e).unwrap_or(0);
        let rv = e
            .metadata
            .resource_version
            .as_deref()
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        let key = (
            obj.namespace.clone().unwrap_or_default(),
            obj.name.clone().unwrap_or_default(),
            obj.uid.clone().unwrap_or_default(),
        );
        match newest.get(&key) {
            Some((_, order)) if *order >= (when, rv) => {}
            _ => {
                newest.insert(key, (e, (when, rv)));
            }
        }
    }
    newest.into_iter().map(|(k, (e, _))| (k, e)).collect()
}

/// Pod names by the claim (namespace, name) their volumes use.
fn users(api: &ApiServer) -> HashMap<(String, String), Vec<String>> {
    let mut users: HashMap<(String, String), Vec<String>> = HashMap::new();
    for pod in api.list_as::<Pod>(None) {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
            let Some(claim) = claim_name(pod, v) else {
                continue;
            };
            let pods = users.entry((ns.clone(), claim)).or_default();
            if !pods.contains(&name) {
                pods.push(name.clone());
            }
        }
    }
    users
}

/// Every claim, by namespace then name.
pub(super) fn claims(api: &ApiServer, now_ms: i64) -> Vec<ClaimView> {
    let mut claims: Vec<&Object> = api.list("PersistentVolumeClaim", None).collect();
    if claims.is_empty() {
        return Vec::new();
    }
    let events = newest_events(api);
    let mut users = users(api);
    claims.stable_sort_by(|a, b| (a.namespace(), a.name()).cmp(&(b.namespace(), b.name())));
    claims
        .into_iter()
        .filter_map(|obj| {
            let Object::PersistentVolumeClaim(c) = obj else {
                return None;
            };
            let cell = cells(obj, now_ms);
            let (namespace, name) = (obj.namespace().to_string(), obj.name().to_string());
            let status = cell("STATUS");
            let uid = c.metadata.uid.clone().unwrap_or_default();
            let waiting = (status == "Pending")
                .then(|| events.get(&(namespace.clone(), name.clone(), uid)))
                .flatten()
                .map(|e| ClaimEvent {
                    type_: e.type_.clone().unwrap_or_default(),
                    reason: e.reason.clone().unwrap_or_default(),
                    message: e.message.clone().unwrap_or_default(),
                });
            let requested = requested(c);
            Some(ClaimView {
                used_by: users
                    .remove(&(namespace.clone(), name.clone()))
                    .unwrap_or_default(),
                namespace,
                name,
                status,
                volume: cell("VOLUME"),
                capacity: cell("CAPACITY"),
                access_modes: cell("ACCESS MODES"),
                class: cell("STORAGECLASS"),
                requested,
                waiting,
            })
        })
        .collect()
}

fn requested(c: &PersistentVolumeClaim) -> String {
    c.spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_default()
}

/// Every PersistentVolume, by name.
pub(super) fn volumes(api: &ApiServer, now_ms: i64) -> Vec<PersistentVolumeView> {
    api.list("PersistentVolume", None)
        .filter_map(|obj| {
            let Object::PersistentVolume(pv) = obj else {
                return None;
            };
            let pv: &PersistentVolume = pv;
            let cell = cells(obj, now_ms);
            Some(PersistentVolumeView {
                name: obj.name().to_string(),
                capacity: cell("CAPACITY"),
                access_modes: cell("ACCESS MODES"),
                reclaim_policy: cell("RECLAIM POLICY"),
                status: cell("STATUS"),
                claim: cell("CLAIM"),
                class: cell("STORAGECLASS"),
                source: volume_source(&pv.spec.clone().unwrap_or_default()),
            })
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use k8s_openapi::api::core::v1::ObjectReference;

    use crate::api::object::{Object, PersistentVolume, PersistentVolumeClaim};
    use crate::{Cluster, SimDuration};

    fn apply(c: &mut Cluster, file: &str, yaml: &str) {
        c.write_file(file, yaml).unwrap();
        let out = c.run(&format!("kubectl apply -f {file}"));
        assert!(out.stderr().is_empty(), "{}", out.stderr());
    }

    /// Binds claim `ns/claim` to volume `pv` as the binder leaves them (both sides, through
    /// the API server), unless a binder already did.
    pub(in crate::view) fn bind(c: &mut Cluster, ns: &str, claim: &str, pv: &str) {
        let api = &mut c.world.api;
        let mut pvc = api
            .get_as::<PersistentVolumeClaim>(ns, claim)
            .cloned()
            .unwrap();
        let mut volume = api.get_as::<PersistentVolume>("", pv).cloned().unwrap();
        let bound = |p: &PersistentVolumeClaim| {
            p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")
        };
        if !bound(&pvc) {
            let capacity = volume.spec.as_ref().and_then(|s| s.capacity.clone());
            let modes = volume.spec.as_ref().and_then(|s| s.access_modes.clone());
            let spec = volume.spec.get_or_insert_with(Default::default);
            spec.claim_ref = Some(ObjectReference {
                kind: Some("PersistentVolumeClaim".into()),
                namespace: Some(ns.into()),
                name: Some(claim.into()),
                uid: pvc.metadata.uid.clone(),
                ..Default::default()
            });
            api.update(Object::PersistentVolume(Box::new(volume.clone())))
                .unwrap();
            let mut volume = api.get_as::<PersistentVolume>("", pv).cloned().unwrap();
            volume.status.get_or_insert_with(Default::default).phase = Some("Bound".into());
            api.update_status(Object::PersistentVolume(Box::new(volume)))
                .unwrap();
            pvc.spec.get_or_insert_with(Default::default).volume_name = Some(pv.into());
            api.update(Object::PersistentVolumeClaim(Box::new(pvc)))
                .unwrap();
            let mut pvc = api
                .get_as::<PersistentVolumeClaim>(ns, claim)
                .cloned()
                .unwrap();
            let status = pvc.status.get_or_insert_with(Default::default);
            status.phase = Some("Bound".into());
            status.capacity = capacity;
            status.access_modes = modes;
            api.update_status(Object::PersistentVolumeClaim(Box::new(pvc)))
                .unwrap();
        }
        c.advance(SimDuration::seconds(0));
    }

    const PV: &str = "apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-nfs
spec:
  capacity:
    storage: 2Gi
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: \"\"
  nfs:
    server: 211.183.3.99
    path: /pvpvc
";

    const PVC: &str = "apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: \"\"
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: 1Gi
";

    /// The first `kubectl get KIND` row, split on runs of spaces.
    fn get_row(c: &mut Cluster, kind: &str) -> Vec<String> {
        let out = c.run(&format!("kubectl get {kind}")).stdout();
        let line = out.lines().nth(1).unwrap_or_default().to_string();
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn no_claims_or_volumes_leave_the_area_empty() {
        let c = Cluster::new();
        let s = c.snapshot();
        assert!(s.claims.is_empty() && s.persistent_volumes.is_empty());
    }

    #[test]
    fn claims_and_volumes_carry_kubectls_cells() {
        let mut c = Cluster::new();
        apply(&mut c, "pv.yaml", PV);
        apply(&mut c, "pvc.yaml", PVC);
        let s = c.snapshot();
        let pv = &s.persistent_volumes[0];
        assert_eq!(
            (
                pv.name.as_str(),
                pv.capacity.as_str(),
                pv.access_modes.as_str()
            ),
            ("pv-nfs", "2Gi", "RWX")
        );
        assert_eq!(pv.reclaim_policy, "Retain");
        assert_eq!(
            (pv.source.type_.as_str(), pv.source.text.as_str()),
            ("nfs", "211.183.3.99:/pvpvc")
        );
        bind(&mut c, "default", "data", "pv-nfs");
        let s = c.snapshot();
        let claim = &s.claims[0];
        assert_eq!(claim.key(), "default/data");
        assert_eq!(claim.requested, "1Gi");
        assert_eq!(claim.waiting, None, "a bound claim waits for nothing");
        // The same cells as `kubectl get pvc` / `kubectl get pv`.
        let pvc_row = get_row(&mut c, "pvc");
        assert_eq!(
            [
                &claim.name,
                &claim.status,
                &claim.volume,
                &claim.capacity,
                &claim.access_modes
            ]
            .map(String::as_str),
            pvc_row[..5].iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
        assert_eq!(claim.status, "Bound");
        assert_eq!(claim.volume, "pv-nfs");
        let pv = &s.persistent_volumes[0];
        let pv_row = get_row(&mut c, "pv");
        assert_eq!(pv_row[4], pv.status);
        assert_eq!(pv.status, "Bound");
        assert_eq!(pv.claim, "default/data");
        assert_eq!(pv_row[5], pv.claim);
        assert_eq!(pv.class, "");
    }

    #[test]
    fn a_pending_claim_says_why_from_its_newest_event() {
        let mut c = Cluster::new();
        apply(&mut c, "pvc.yaml", PVC);
        c.advance(SimDuration::seconds(1));
        let claim = c.snapshot().claims[0].clone();
        assert_eq!(claim.status, "Pending");
        assert_eq!((claim.volume.as_str(), claim.capacity.as_str()), ("", ""));
        let why = claim.waiting.expect("the binder's event");
        assert_eq!(why.reason, "FailedBinding");
        assert_eq!(
            why.message,
            "no persistent volumes available for this claim and no storage class is set"
        );
        assert_eq!(why.type_, "Normal");
    }

    #[test]
    fn a_recreated_claim_shows_its_own_newest_event() {
        let mut c = Cluster::new();
        apply(&mut c, "pvc.yaml", PVC);
        c.advance(SimDuration::seconds(1));
        c.run("kubectl delete pvc data");
        c.advance(SimDuration::seconds(1));
        assert!(c.snapshot().claims.is_empty());
        let missing_class = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  storageClassName: fast\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n";
        apply(&mut c, "pvc2.yaml", missing_class);
        c.advance(SimDuration::seconds(20));
        let why = c.snapshot().claims[0].waiting.clone().unwrap();
        assert_eq!(why.reason, "ProvisioningFailed");
        assert_eq!(why.type_, "Warning");
        assert_eq!(
            why.message,
            "storageclass.storage.k8s.io \"fast\" not found"
        );
    }

    #[test]
    fn claims_list_the_pods_that_use_them() {
        let mut c = Cluster::new();
        apply(&mut c, "pvc.yaml", PVC);
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: writer\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [sleep, '3600']\n    volumeMounts:\n    - name: data\n      mountPath: /data\n  volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: data\n";
        apply(&mut c, "pod.yaml", pod);
        let claim = c.snapshot().claims[0].clone();
        assert_eq!(claim.used_by, ["writer"]);
    }
}
