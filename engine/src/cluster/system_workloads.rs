//! The workload objects behind kubeadm's system pods: the `coredns` Deployment and its
//! ReplicaSet, and the `kube-proxy` DaemonSet, so that the pods have living owners (the
//! garbage collector keeps them) and a deleted pod comes back like on a real cluster.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{json, Value};

use super::Cluster;
use crate::api::object::Object;
use crate::api::typed;

/// CoreDNS's pod template as kubeadm's manifest writes it (defaults filled in).
fn template(image: &str, hash: Option<&str>) -> Value {
    let mut labels = json!({"k8s-app": "kube-dns"});
    if let Some(h) = hash {
        labels["pod-template-hash"] = json!(h);
    }
    let port = |name: &str, port: i32, proto: &str| json!({"containerPort": port, "name": name, "protocol": proto});
    json!({
        "metadata": {"labels": labels},
        "spec": {
            "containers": [{
                "name": "coredns", "image": image, "imagePullPolicy": "IfNotPresent",
                "args": ["-conf", "/etc/coredns/Corefile"],
                "ports": [port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP"), port("metrics", 9153, "TCP")],
                "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }],
            "dnsPolicy": "Default",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "priorityClassName": "system-cluster-critical", "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {},
            "serviceAccountName": "coredns",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}
            ]
        }
    })
}

fn time_json(t: &Time) -> Value {
    json!(t.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Creates the `coredns` Deployment and ReplicaSet (`coredns-<hash>`, 2 ready replicas)
/// at boot; returns the ReplicaSet's uid for its pods' owner references.
pub(crate) fn coredns(cluster: &mut Cluster, image: &str, hash: &str, at: &Time) -> String {
    let now = time_json(at);
    let condition = |kind: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": "True", "reason": reason, "message": message,
               "lastUpdateTime": now, "lastTransitionTime": now})
    };
    let rs_name = format!("coredns-{hash}");
    let deployment: Option<Deployment> = typed::decode(&json!({
        "metadata": {
            "name": "coredns", "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns"},
            "annotations": {"deployment.kubernetes.io/revision": "1"}
        },
        "spec": {
            "replicas": 2, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": template(image, None)
        },
        "status": {
            "observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2,
            "availableReplicas": 2,
            "conditions": [
                condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                condition("Progressing", "NewReplicaSetAvailable", &format!("ReplicaSet \"{rs_name}\" has successfully progressed."))
            ]
        }
    }))
    .ok();
    let Some(deployment) = deployment else {
        return String::new();
    };
    let Ok(created) = cluster.world.api.restore(
        Object::Deployment(Box::new(deployment)),
        at.clone(),
        &mut cluster.world.rng,
    ) else {
        return String::new();
    };
    let deployment_uid = created.metadata().uid.clone().unwrap_or_default();
    let rs: Option<ReplicaSet> = typed::decode(&json!({
        "metadata": {
            "name": rs_name, "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "pod-template-hash": hash},
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": "2",
                "deployment.kubernetes.io/max-replicas": "3",
                "deployment.kubernetes.io/revision": "1"
            },
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                                 "kind": "Deployment", "name": "coredns", "uid": deployment_uid}]
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"k8s-app": "kube-dns", "pod-template-hash": hash}},
            "template": template(image, Some(hash))
        },
        "status": {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2,
                   "availableReplicas": 2, "observedGeneration": 1}
    }))
    .ok();
    let Some(rs) = rs else {
        return String::new();
    };
    cluster
        .world
        .api
        .restore(
            Object::ReplicaSet(Box::new(rs)),
            at.clone(),
            &mut cluster.world.rng,
        )
        .ok()
        .and_then(|o| o.metadata().uid.clone())
        .unwrap_or_default()
}

/// kube-proxy's pod template as kubeadm's DaemonSet writes it (defaults filled in).
pub(crate) fn kube_proxy_template(image: &str) -> Value {
    json!({
        "metadata": {"labels": {"k8s-app": "kube-proxy"}},
        "spec": {
            "containers": [{
                "name": "kube-proxy", "image": image, "imagePullPolicy": "IfNotPresent",
                "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "resources": {}, "securityContext": {"privileged": true},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }],
            "dnsPolicy": "ClusterFirst", "hostNetwork": true,
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "priorityClassName": "system-node-critical", "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {},
            "serviceAccount": "kube-proxy", "serviceAccountName": "kube-proxy",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [{"operator": "Exists"}]
        }
    })
}

/// Creates the `kube-proxy` DaemonSet (one ready pod per node) at boot; returns its uid and
/// its template's `controller-revision-hash` for the pods.
pub(crate) fn kube_proxy(
    cluster: &mut Cluster,
    image: &str,
    nodes: i32,
    at: &Time,
) -> (String, String) {
    let ds: Option<DaemonSet> = typed::decode(&json!({
        "metadata": {
            "name": "kube-proxy", "namespace": "kube-system",
            "labels": {"k8s-app": "kube-proxy"},
            "annotations": {"deprecated.daemonset.template.generation": "1"}
        },
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
            "template": kube_proxy_template(image),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
        },
        "status": {
            "currentNumberScheduled": nodes, "desiredNumberScheduled": nodes,
            "numberAvailable": nodes, "numberMisscheduled": 0, "numberReady": nodes,
            "observedGeneration": 1, "updatedNumberScheduled": nodes
        }
    }))
    .ok();
    let Some(ds) = ds else {
        return (String::new(), String::new());
    };
    let hash = crate::controllers::daemonset::template_hash(&ds);
    let uid = cluster
        .world
        .api
        .restore(
            Object::DaemonSet(Box::new(ds)),
            at.clone(),
            &mut cluster.world.rng,
        )
        .ok()
        .and_then(|o| o.metadata().uid.clone())
        .unwrap_or_default();
    (uid, hash)
}
