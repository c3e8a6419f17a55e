//! The static pod manifests `kubeadm init` writes to the control-plane node's
//! `/etc/kubernetes/manifests` (kubeadm 1.34: `phases/controlplane` and `phases/etcd`,
//! marshalled with sorted keys, no `creationTimestamp`, `status: {}`), for the profile's
//! cluster: the default profile's kubeadm configuration (`kubeadm-config`), or minikube's
//! (its certificates and etcd under `/var/lib/minikube`, port 8443, its admission plugins,
//! no leader election, cluster name `mk`). The control plane's mirror pods are made from
//! them, so what `cat` shows on the node is what `kubectl get pod -o yaml` shows.

use super::profile::{ClusterProfile, NodeProfile};

/// The four manifests as templates (`{{name}}` placeholders), by file name.
const TEMPLATES: [(&str, &str); 4] = [
    ("etcd.yaml", include_str!("kubeadm/etcd.yaml")),
    (
        "kube-apiserver.yaml",
        include_str!("kubeadm/kube-apiserver.yaml"),
    ),
    (
        "kube-controller-manager.yaml",
        include_str!("kubeadm/kube-controller-manager.yaml"),
    ),
    (
        "kube-scheduler.yaml",
        include_str!("kubeadm/kube-scheduler.yaml"),
    ),
];

/// minikube's `enable-admission-plugins` (its default `extraArgs` for the apiserver).
const MINIKUBE_ADMISSION: &str = "NamespaceLifecycle,LimitRanger,ServiceAccount,\
DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,MutatingAdmissionWebhook,\
ValidatingAdmissionWebhook,ResourceQuota";

/// The manifests on `node` (the control plane) of `profile`, as (path, text).
pub fn manifests(profile: &ClusterProfile, node: &NodeProfile) -> Vec<(String, String)> {
    let minikube = profile.name == "minikube";
    let values: [(&str, &str); 10] = [
        ("ip", &node.internal_ip),
        ("node", &node.name),
        ("version", crate::KUBERNETES_VERSION),
        ("etcd_image", crate::node::system_pods::ETCD_IMAGE),
        ("port", if minikube { "8443" } else { "6443" }),
        (
            "certs",
            if minikube {
                "/var/lib/minikube/certs"
            } else {
                "/etc/kubernetes/pki"
            },
        ),
        (
            "etcd_data",
            if minikube {
                "/var/lib/minikube/etcd"
            } else {
                "/var/lib/etcd"
            },
        ),
        (
            "admission_plugins",
            if minikube {
                MINIKUBE_ADMISSION
            } else {
                "NodeRestriction"
            },
        ),
        ("leader_elect", if minikube { "false" } else { "true" }),
        ("cluster_name", if minikube { "mk" } else { "kubernetes" }),
    ];
    TEMPLATES
        .iter()
        .map(|(file, template)| {
            let text = values.iter().fold(template.to_string(), |t, (k, v)| {
                t.replace(&format!("{{{{{k}}}}}"), v)
            });
            (
                format!("{}/{file}", crate::node::static_pods::STATIC_POD_PATH),
                text,
            )
        })
        .collect()
}
