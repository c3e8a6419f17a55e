//! The two storage add-ons `minikube start` enables (`default-storageclass`,
//! `storage-provisioner`; minikube's `deploy/addons/storageclass/storageclass.yaml` and
//! `storage-provisioner.yaml.tmpl`): the `standard (default)` class and the
//! `storage-provisioner` pod in kube-system, Running since boot. Their random draws come
//! from a fork, so the rest of the cluster is what it was without them.

use crate::node::system_pods::running_status;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{json, Value};

use super::Cluster;
use crate::api::object::Object;
use crate::node::Stage;

/// The provisioner's image (`STORAGE_PROVISIONER_TAG ?= v5`).
const IMAGE: &str = "gcr.io/k8s-minikube/storage-provisioner:v5";

/// The `standard` class as the addon manager applied it.
fn storage_class() -> Value {
    let applied = r#"{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"},"labels":{"addonmanager.kubernetes.io/mode":"EnsureExists"},"name":"standard"},"provisioner":"k8s.io/minikube-hostpath"}"#;
    json!({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {
            "name": "standard",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": format!("{applied}\n"),
                "storageclass.kubernetes.io/is-default-class": "true"
            },
            "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"}
        },
        "provisioner": "k8s.io/minikube-hostpath",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate"
    })
}

/// The provisioner's pod (hostNetwork: its IP is the node's), Running since `at`.
fn pod(node: &str, ip: &str, at: &Time, rng: &mut crate::rng::Rng) -> Value {
    let status = running_status(
        rng,
        &[("storage-provisioner", IMAGE)],
        ip,
        ip,
        "BestEffort",
        at,
    );
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "storage-provisioner", "namespace": "kube-system",
            "labels": {"addonmanager.kubernetes.io/mode": "Reconcile", "integration-test": "storage-provisioner"}
        },
        "spec": {
            "containers": [{
                "name": "storage-provisioner", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                "command": ["/storage-provisioner"], "resources": {},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "volumeMounts": [{"mountPath": "/tmp", "name": "tmp"}]
            }],
            "dnsPolicy": "ClusterFirst", "enableServiceLinks": true, "hostNetwork": true,
            "nodeName": node, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {},
            "serviceAccount": "storage-provisioner", "serviceAccountName": "storage-provisioner",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
            ],
            "volumes": [{"name": "tmp", "hostPath": {"path": "/tmp", "type": "Directory"}}]
        },
        "status": status
    })
}

/// Restores the class, the provisioner's ServiceAccount and its pod on `node`.
pub(crate) fn create(cluster: &mut Cluster, node: &str, ip: &str, at: &Time) {
    let mut rng = cluster.world.rng.fork("minikube-storage");
    let sa = json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "storage-provisioner", "namespace": "kube-system",
                     "labels": {"addonmanager.kubernetes.io/mode": "Reconcile"}}
    });
    let pod = pod(node, ip, at, &mut rng);
    for (kind, v) in [
        ("StorageClass", storage_class()),
        ("ServiceAccount", sa),
        ("Pod", pod),
    ] {
        let Some(Ok(obj)) = Object::decode_strict(kind, &v) else {
            continue;
        };
        if let Ok(stored) = cluster.world.api.restore(obj, at.clone(), &mut rng) {
            if let Object::Pod(p) = stored.clone() {
                let uid = p.metadata.uid.clone().unwrap_or_default();
                crate::node::usage::adopt(&mut cluster.world, &p);
                cluster.kubelet.stages.insert(uid, Stage::Running);
                let mut cx = crate::node::NodeCx {
                    world: &mut cluster.world,
                    kubelet: &mut cluster.kubelet,
                };
                let start = crate::clock::ms_from_time(at);
                crate::node::runtime::adopt_running(&mut cx, &p, start);
            }
        }
    }
}
