//! The kube-system pods of a kubeadm world, Running and Ready since boot: the control
//! plane's static (mirror) pods on the control-plane node, one kube-proxy per node, and two
//! CoreDNS replicas. They are never scheduled or pulled; a deleted mirror pod is recreated by
//! its kubelet at once (see `controllers::system_objects`). The cluster's bootstrap
//! (`cluster::bootstrap`) creates them.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{json, Value};

use crate::api::typed;
use crate::world::World;

/// kubeadm 1.34's etcd image.
pub const ETCD_IMAGE: &str = "registry.k8s.io/etcd:3.6.4-0";
/// kubeadm 1.34's CoreDNS image.
pub const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.12.1";
/// kubeadm's Corefile (the `coredns` ConfigMap; CoreDNS logs its SHA-512).
pub const COREFILE: &str = ".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
";

/// The CoreDNS ReplicaSet's pod-template-hash.
pub const COREDNS_HASH: &str = "66bc5c9577";

fn time_json(t: &Time) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// Status of a pod whose containers all run since `at`.
pub(crate) fn running_status(
    rng: &mut crate::rng::Rng,
    containers: &[(&str, &str)],
    host_ip: &str,
    pod_ip: &str,
    qos: &str,
    at: &Time,
) -> Value {
    let at = time_json(at);
    let conditions: Vec<Value> = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    .iter()
    .map(|t| json!({"type": t, "status": "True", "lastProbeTime": null, "lastTransitionTime": at}))
    .collect();
    let statuses: Vec<Value> = containers
        .iter()
        .map(|(name, image)| {
            let id = rng.hex(64);
            let digest = rng.hex(64);
            let repo = image.split(':').next().unwrap_or(image);
            json!({
                "name": name, "image": image, "imageID": format!("{repo}@sha256:{digest}"),
                "containerID": format!("containerd://{id}"), "ready": true, "started": true,
                "restartCount": 0, "state": {"running": {"startedAt": at}}, "lastState": {}
            })
        })
        .collect();
    json!({
        "phase": "Running", "conditions": conditions, "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
        "startTime": at, "containerStatuses": statuses, "qosClass": qos
    })
}

fn pod_from(v: Value) -> Option<Pod> {
    typed::decode(&v).ok()
}

/// The mirror pod of a control-plane static pod, from its kubeadm manifest `text`:
/// Running since `at` on `node` (`ip`). Its hash is drawn, standing for the kubelet's hash
/// of the file at boot.
pub(crate) fn static_pod(
    world: &mut World,
    text: &str,
    node: &str,
    node_uid: &str,
    ip: &str,
    at: &Time,
) -> Option<Pod> {
    let hash = world.rng.hex(32);
    let mut pod = crate::node::static_pods::file_pod(node, text, &hash, at)?;
    crate::node::static_pods::mirror(&mut pod, &hash, node, node_uid);
    crate::api::defaults::pod(&mut pod);
    let containers: Vec<(String, String)> = pod
        .spec
        .iter()
        .flat_map(|s| &s.containers)
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect();
    let containers: Vec<(&str, &str)> = containers
        .iter()
        .map(|(n, i)| (n.as_str(), i.as_str()))
        .collect();
    let qos = pod
        .spec
        .as_ref()
        .map(|s| crate::api::pod_resources::qos_class(s).to_string())
        .unwrap_or_default();
    let status = running_status(&mut world.rng, &containers, ip, ip, &qos, at);
    pod.status = typed::decode(&status).ok();
    Some(pod)
}

pub(crate) fn kube_proxy(
    world: &mut World,
    node: &str,
    ip: &str,
    at: &Time,
    (ds_uid, hash): (&str, &str),
) -> Option<Pod> {
    let image = format!("registry.k8s.io/kube-proxy:{}", crate::KUBERNETES_VERSION);
    let name = format!("kube-proxy-{}", world.rng.name_suffix(5));
    let status = running_status(
        &mut world.rng,
        &[("kube-proxy", &image)],
        ip,
        ip,
        "BestEffort",
        at,
    );
    let tol = |key: &str, effect: &str| json!({"key": key, "operator": "Exists", "effect": effect});
    pod_from(json!({
        "metadata": {
            "name": name, "generateName": "kube-proxy-", "namespace": "kube-system",
            "labels": {"controller-revision-hash": hash, "k8s-app": "kube-proxy", "pod-template-generation": "1"},
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "DaemonSet", "name": "kube-proxy", "uid": ds_uid}]
        },
        "spec": {
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}},
            "containers": [{
                "name": "kube-proxy", "image": image, "imagePullPolicy": "IfNotPresent",
                "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "resources": {}, "securityContext": {"privileged": true},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }],
            "dnsPolicy": "ClusterFirst", "enableServiceLinks": true, "hostNetwork": true,
            "nodeName": node, "nodeSelector": {"kubernetes.io/os": "linux"},
            "preemptionPolicy": "PreemptLowerPriority", "priority": 2000001000,
            "priorityClassName": "system-node-critical", "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {},
            "serviceAccount": "kube-proxy", "serviceAccountName": "kube-proxy",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {"operator": "Exists"},
                tol("node.kubernetes.io/not-ready", "NoExecute"),
                tol("node.kubernetes.io/unreachable", "NoExecute"),
                tol("node.kubernetes.io/disk-pressure", "NoSchedule"),
                tol("node.kubernetes.io/memory-pressure", "NoSchedule"),
                tol("node.kubernetes.io/pid-pressure", "NoSchedule"),
                tol("node.kubernetes.io/unschedulable", "NoSchedule"),
                tol("node.kubernetes.io/network-unavailable", "NoSchedule")
            ]
        },
        "status": status
    }))
}

pub(crate) fn coredns(
    world: &mut World,
    node: &str,
    host_ip: &str,
    pod_ip: &str,
    at: &Time,
    rs_uid: &str,
) -> Option<Pod> {
    let name = format!("coredns-{COREDNS_HASH}-{}", world.rng.name_suffix(5));
    let status = running_status(
        &mut world.rng,
        &[("coredns", COREDNS_IMAGE)],
        host_ip,
        pod_ip,
        "Burstable",
        at,
    );
    let port = |name: &str, port: i32, proto: &str| json!({"containerPort": port, "name": name, "protocol": proto});
    pod_from(json!({
        "metadata": {
            "name": name, "generateName": format!("coredns-{COREDNS_HASH}-"), "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "pod-template-hash": COREDNS_HASH},
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet", "name": format!("coredns-{COREDNS_HASH}"), "uid": rs_uid}]
        },
        "spec": {
            "containers": [{
                "name": "coredns", "image": COREDNS_IMAGE, "imagePullPolicy": "IfNotPresent",
                "args": ["-conf", "/etc/coredns/Corefile"],
                "ports": [port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP"), port("metrics", 9153, "TCP")],
                "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }],
            "dnsPolicy": "Default", "enableServiceLinks": true, "nodeName": node,
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "preemptionPolicy": "PreemptLowerPriority", "priority": 2000000000,
            "priorityClassName": "system-cluster-critical", "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {},
            "serviceAccount": "coredns", "serviceAccountName": "coredns",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"},
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
            ]
        },
        "status": status
    }))
}
