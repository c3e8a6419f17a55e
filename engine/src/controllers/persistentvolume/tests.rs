//! The persistentvolume controllers on a bench: binding, pre-binding, reclaim, provisioning.

use serde_json::{json, Value};

use super::*;
use crate::api::object::{Object, PersistentVolume, PersistentVolumeClaim};
use crate::clock::SimDuration;
use crate::controllers::testing::{object, Bench};

fn bench() -> Bench {
    Bench::new(Box::<Volumes>::default())
        .also(Box::<ClaimBinder>::default())
        .also(Box::new(ExternalProvisioner::minikube()))
        .also(Box::new(ExternalProvisioner::local_path()))
        .also(Box::<ClaimProtection>::default())
}

fn volume(name: &str, size: &str, extra: Value) -> Object {
    let mut v = json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                 "hostPath": {"path": format!("/tmp/{name}")}}
    });
    if let (Some(spec), Some(more)) = (v["spec"].as_object_mut(), extra.as_object()) {
        spec.extend(more.clone());
    }
    object(v)
}

fn claim(name: &str, size: &str, extra: Value) -> Object {
    let mut v = json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    });
    if let (Some(spec), Some(more)) = (v["spec"].as_object_mut(), extra.as_object()) {
        spec.extend(more.clone());
    }
    object(v)
}

fn pv(bench: &Bench, name: &str) -> Option<PersistentVolume> {
    bench
        .world
        .api
        .get_as::<PersistentVolume>("", name)
        .cloned()
}

fn pvc(bench: &Bench, name: &str) -> Option<PersistentVolumeClaim> {
    bench
        .world
        .api
        .get_as::<PersistentVolumeClaim>("default", name)
        .cloned()
}

fn phase_of_pv(bench: &Bench, name: &str) -> String {
    pv(bench, name)
        .and_then(|p| p.status?.phase)
        .unwrap_or_default()
}

fn volume_of(bench: &Bench, claim: &str) -> Option<String> {
    pvc(bench, claim).and_then(|c| c.spec?.volume_name)
}

#[test]
fn a_claim_without_a_class_waits_and_says_why_at_every_resync() {
    let mut bench = bench();
    bench.create(claim("data", "1Gi", json!({})));
    bench.pass();
    assert_eq!(
        bench.events(),
        ["FailedBinding: no persistent volumes available for this claim and no storage class is set"]
    );
    let now = bench.world.clock.now_ms();
    assert_eq!(bench.next_wake(), Some(now + RESYNC_MS));
    bench.advance(SimDuration::seconds(15));
    let count = bench
        .world
        .api
        .list("Event", Some("default"))
        .find_map(|o| match o {
            Object::Event(e) => e.count,
            _ => None,
        });
    assert_eq!(count, Some(2));
}

#[test]
fn the_smallest_matching_volume_binds_both_ways() {
    let mut bench = bench();
    bench.create(volume("big", "5Gi", json!({"storageClassName": ""})));
    bench.create(volume("small", "1Gi", json!({"storageClassName": ""})));
    bench.create(volume(
        "other",
        "1Gi",
        json!({"storageClassName": "manual"}),
    ));
    bench.create(claim("data", "500Mi", json!({"storageClassName": ""})));
    bench.pass();
    bench.pass();
    assert_eq!(volume_of(&bench, "data").as_deref(), Some("small"));
    let c = pvc(&bench, "data").unwrap_or_default();
    let st = c.status.clone().unwrap_or_default();
    assert_eq!(st.phase.as_deref(), Some("Bound"));
    assert_eq!(
        st.capacity
            .and_then(|c| c.get("storage").map(|q| q.0.clone()))
            .as_deref(),
        Some("1Gi")
    );
    let ann = c.metadata.annotations.unwrap_or_default();
    assert_eq!(ann.get(ANN_BIND_COMPLETED).map(String::as_str), Some("yes"));
    assert_eq!(phase_of_pv(&bench, "small"), "Bound");
    assert_eq!(phase_of_pv(&bench, "big"), "Available");
    assert!(bench.events().is_empty());
}

#[test]
fn a_named_volume_that_does_not_fit_is_a_mismatch() {
    let mut bench = bench();
    bench.create(volume("pv1", "1Gi", json!({})));
    bench.create(claim(
        "data",
        "2Gi",
        json!({"volumeName": "pv1", "storageClassName": ""}),
    ));
    bench.pass();
    assert_eq!(
        bench.events(),
        ["VolumeMismatch: Cannot bind to requested volume \"pv1\": requested PV is too small"]
    );
}

#[test]
fn a_missing_class_fails_provisioning_and_a_class_without_a_provisioner_waits() {
    let mut bench = bench();
    bench.create(claim("a", "1Gi", json!({"storageClassName": "fast"})));
    bench.pass();
    assert_eq!(
        bench.events(),
        ["ProvisioningFailed: storageclass.storage.k8s.io \"fast\" not found"]
    );
    bench.create(object(
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "local"}, "provisioner": "kubernetes.io/no-provisioner",
        "volumeBindingMode": "WaitForFirstConsumer"}),
    ));
    bench.create(claim("b", "1Gi", json!({"storageClassName": "local"})));
    bench.pass();
    assert!(bench.events().contains(
        &"WaitForFirstConsumer: waiting for first consumer to be created before binding"
            .to_string()
    ));
}

#[test]
fn retain_releases_and_delete_of_a_manual_path_outside_tmp_fails() {
    let mut bench = bench();
    bench.create(volume("keep", "1Gi", json!({"storageClassName": ""})));
    bench.create(volume(
        "gone",
        "1Gi",
        json!({"storageClassName": "x",
        "persistentVolumeReclaimPolicy": "Delete", "hostPath": {"path": "/data"}}),
    ));
    bench.create(object(
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "x"}, "provisioner": "example.com/none"}),
    ));
    bench.create(claim("a", "1Gi", json!({"storageClassName": ""})));
    bench.create(claim("b", "1Gi", json!({"storageClassName": "x"})));
    bench.pass();
    bench.pass();
    assert_eq!(phase_of_pv(&bench, "keep"), "Bound");
    assert_eq!(phase_of_pv(&bench, "gone"), "Bound");
    for c in ["a", "b"] {
        let _ = bench
            .world
            .delete("PersistentVolumeClaim", "default", c, None, false);
    }
    bench.pass();
    bench.pass();
    assert_eq!(phase_of_pv(&bench, "keep"), "Released");
    assert_eq!(phase_of_pv(&bench, "gone"), "Failed");
    assert!(bench.events().contains(
        &"VolumeFailedDelete: host_path deleter only supports /tmp/.+ but received provided /data"
            .to_string()
    ));
    // A Released volume may be deleted; a Bound one stays Terminating.
    let _ = bench
        .world
        .delete("PersistentVolume", "", "keep", None, false);
    bench.pass();
    assert!(pv(&bench, "keep").is_none());
}

#[test]
fn a_bound_volume_stays_while_deleted() {
    let mut bench = bench();
    bench.create(volume("v", "1Gi", json!({"storageClassName": ""})));
    bench.create(claim("a", "1Gi", json!({"storageClassName": ""})));
    bench.pass();
    bench.pass();
    let _ = bench.world.delete("PersistentVolume", "", "v", None, false);
    bench.pass();
    assert!(pv(&bench, "v").is_some_and(|p| p.metadata.deletion_timestamp.is_some()));
}

/// minikube's provisioner, Running in kube-system on node `minikube`.
fn with_provisioner(bench: &mut Bench) {
    let pod = object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "storage-provisioner", "namespace": "kube-system"},
        "spec": {"nodeName": "minikube", "hostNetwork": true,
                 "containers": [{"name": "p", "image": "gcr.io/k8s-minikube/storage-provisioner:v5"}]},
        "status": {"phase": "Running"}
    }));
    let now = bench.world.clock.now_time();
    let _ = bench
        .world
        .api
        .restore(pod, now.clone(), &mut bench.world.rng);
    bench.create(object(json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "k8s.io/minikube-hostpath"})));
}

#[test]
fn minikube_provisions_a_directory_and_deletes_it_with_the_claim() {
    let mut bench = bench();
    with_provisioner(&mut bench);
    bench.create(claim("data", "1Gi", json!({})));
    for _ in 0..3 {
        bench.pass();
    }
    let volume = volume_of(&bench, "data").unwrap_or_default();
    assert!(volume.starts_with("pvc-"), "{volume}");
    let node = crate::storage::Backing::Node("minikube".into());
    let dir = "/tmp/hostpath-provisioner/default/data";
    let mode = |b: &Bench| {
        b.world
            .storage
            .tree(&node)
            .and_then(|t| t.stat(dir).ok())
            .map(|e| e.mode_string())
    };
    assert_eq!(mode(&bench).as_deref(), Some("drwxrwxrwx"));
    let reasons: Vec<String> = bench
        .events()
        .iter()
        .map(|e| e.split(':').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        reasons,
        [
            "ExternalProvisioning",
            "Provisioning",
            "ProvisioningSucceeded"
        ]
    );
    let _ = bench
        .world
        .delete("PersistentVolumeClaim", "default", "data", None, false);
    for _ in 0..3 {
        bench.pass();
    }
    assert!(pv(&bench, &volume).is_none());
    assert_eq!(mode(&bench), None);
}

#[test]
fn recycle_scrubs_an_nfs_share_and_makes_the_volume_available() {
    let mut bench = bench();
    let nfs = crate::storage::Backing::Nfs("10.0.0.1".into());
    if let Ok(tree) = bench.world.storage.tree_mut(&nfs, 1 << 30) {
        let _ = tree.mkdir("/share/sub", true, 0o755, 0);
        let _ = tree.write("/share/a.txt", "x", false, 0o644, 0);
    }
    bench.create(volume(
        "v",
        "1Gi",
        json!({"storageClassName": "",
        "persistentVolumeReclaimPolicy": "Recycle", "hostPath": null,
        "nfs": {"server": "10.0.0.1", "path": "/share"}}),
    ));
    bench.create(claim("a", "1Gi", json!({"storageClassName": ""})));
    bench.pass();
    bench.pass();
    let _ = bench
        .world
        .delete("PersistentVolumeClaim", "default", "a", None, false);
    bench.pass();
    bench.pass();
    assert_eq!(phase_of_pv(&bench, "v"), "Available");
    let left = bench.world.storage.tree(&nfs).map(|t| t.under("/share"));
    assert_eq!(left, Some(vec![]));
    assert!(bench
        .events()
        .contains(&"VolumeRecycled: Volume recycled".to_string()));
}

#[test]
fn local_path_provisions_on_the_selected_node_pinned_by_affinity() {
    let mut bench = bench();
    let now = bench.world.clock.now_time();
    let pod = object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "local-path-provisioner-7f8c9d-abcde", "namespace": "local-path-storage"},
        "spec": {"nodeName": "node1",
                 "containers": [{"name": "p", "image": "rancher/local-path-provisioner:v0.0.32"}]},
        "status": {"phase": "Running"}
    }));
    let _ = bench
        .world
        .api
        .restore(pod, now.clone(), &mut bench.world.rng);
    bench.create(object(
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "local-path"}, "provisioner": "rancher.io/local-path",
        "volumeBindingMode": "WaitForFirstConsumer"}),
    ));
    bench.create(claim(
        "data",
        "1Gi",
        json!({"storageClassName": "local-path"}),
    ));
    bench.pass();
    assert!(volume_of(&bench, "data").is_none());
    // The scheduler chose node2 for the claim's first pod.
    let Some(mut c) = pvc(&bench, "data") else {
        panic!("no claim");
    };
    c.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(ANN_SELECTED_NODE.into(), "node2".into());
    let _ = bench
        .world
        .api
        .update(Object::PersistentVolumeClaim(Box::new(c)));
    for _ in 0..3 {
        bench.pass();
    }
    let name = volume_of(&bench, "data").unwrap_or_default();
    let Some(volume) = pv(&bench, &name) else {
        panic!("no volume {name:?}");
    };
    let spec = volume.spec.clone().unwrap_or_default();
    let uid = name.trim_start_matches("pvc-");
    assert_eq!(
        spec.host_path.map(|h| (h.path, h.type_)),
        Some((
            format!("/opt/local-path-provisioner/pvc-{uid}_default_data"),
            Some("DirectoryOrCreate".into())
        ))
    );
    let pinned = spec
        .node_affinity
        .and_then(|a| a.required)
        .and_then(|r| r.node_selector_terms.first()?.match_expressions.clone());
    assert_eq!(
        pinned.and_then(|m| m.first()?.values.clone()),
        Some(vec!["node2".to_string()])
    );
    let node = crate::storage::Backing::Node("node2".into());
    assert!(bench.world.storage.tree(&node).is_some());
    assert_eq!(phase_of_pv(&bench, &name), "Bound");
}
