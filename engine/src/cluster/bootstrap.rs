//! Builds the objects a fresh cluster has: namespaces and nodes.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Namespace, Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::profile::{NodeProfile, NodeRole};
use crate::api::object::Object;

/// The namespaces every cluster starts with.
pub const SYSTEM_NAMESPACES: [&str; 4] =
    ["default", "kube-node-lease", "kube-public", "kube-system"];

/// A namespace object, defaulted as the apiserver would.
pub fn namespace(name: &str) -> Object {
    let mut ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    crate::api::defaults::namespace(&mut ns);
    Object::Namespace(Box::new(ns))
}

fn condition(kind: &str, status: &str, reason: &str, message: &str, at: &Time) -> NodeCondition {
    NodeCondition {
        type_: kind.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_heartbeat_time: Some(at.clone()),
        last_transition_time: Some(at.clone()),
    }
}

/// 32 hex digits derived from `seed` (FNV-1a, repeated), stable for a node name, so the
/// node's machine id and uuids look real without drawing on the cluster's generator.
fn hex_id(seed: &str) -> String {
    let mut out = String::new();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    while out.len() < 32 {
        for b in seed.bytes().chain(out.len().to_string().bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out.truncate(32);
    out
}

/// `8-4-4-4-12` grouping of 32 hex digits.
fn uuid_like(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The labels `minikube start` puts on its nodes (`LabelAndUntaintNode`; minikube v1.37.0,
/// the first node `primary`), added to `node`.
pub fn label_minikube(node: &mut Object, profile: &str, primary: bool, at: &Time) {
    let labels = node.metadata_mut().labels.get_or_insert_with(BTreeMap::new);
    // Go reads the layout's `0700` as literal text, not a zone.
    let updated = at.0.strftime("%Y_%m_%dT%H_%M_%S_0700").to_string();
    for (k, v) in [
        (
            "minikube.k8s.io/commit",
            "65318f4cfff9c12cc87ec9eb8f4cdd57b25047f3",
        ),
        ("minikube.k8s.io/name", profile),
        (
            "minikube.k8s.io/primary",
            if primary { "true" } else { "false" },
        ),
        ("minikube.k8s.io/updated_at", updated.as_str()),
        ("minikube.k8s.io/version", "v1.37.0"),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
}

/// A Ready node as the kubelet registers it, with `index` choosing its pod CIDR.
pub fn node(p: &NodeProfile, index: usize, at: &Time) -> Object {
    let mut labels = BTreeMap::new();
    for (k, v) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", p.name.as_str()),
        ("kubernetes.io/os", "linux"),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    let mut taints = Vec::new();
    if p.role == NodeRole::ControlPlane {
        labels.insert(
            "node-role.kubernetes.io/control-plane".into(),
            String::new(),
        );
        labels.insert(
            "node.kubernetes.io/exclude-from-external-load-balancers".into(),
            String::new(),
        );
    }
    if p.tainted {
        taints.push(Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        });
    }
    let resources = |memory_ki: u64| {
        let mut m = BTreeMap::new();
        m.insert("cpu".to_string(), Quantity(p.cpu.to_string()));
        m.insert(
            "ephemeral-storage".to_string(),
            Quantity("61202244Ki".into()),
        );
        m.insert("hugepages-1Gi".to_string(), Quantity("0".into()));
        m.insert("hugepages-2Mi".to_string(), Quantity("0".into()));
        m.insert("memory".to_string(), Quantity(format!("{memory_ki}Ki")));
        m.insert("pods".to_string(), Quantity(p.pods.to_string()));
        m
    };
    let pod_cidr = format!("10.244.{index}.0/24");
    Object::Node(Box::new(Node {
        metadata: ObjectMeta {
            name: Some(p.name.clone()),
            labels: Some(labels),
            annotations: Some(BTreeMap::from([
                ("node.alpha.kubernetes.io/ttl".to_string(), "0".to_string()),
                (
                    "volumes.kubernetes.io/controller-managed-attach-detach".to_string(),
                    "true".to_string(),
                ),
            ])),
            ..Default::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(pod_cidr.clone()),
            pod_cidrs: Some(vec![pod_cidr]),
            taints: (!taints.is_empty()).then_some(taints),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: p.internal_ip.clone(),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: p.name.clone(),
                },
            ]),
            capacity: Some(resources(p.memory_ki)),
            allocatable: Some(resources(
                p.memory_ki
                    .saturating_sub(p.eviction_memory.unwrap_or(0) / 1024),
            )),
            conditions: Some(vec![
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                    at,
                ),
                condition(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                    at,
                ),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                    at,
                ),
                condition(
                    "Ready",
                    "True",
                    "KubeletReady",
                    "kubelet is posting ready status",
                    at,
                ),
            ]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: uuid_like(&hex_id(&format!("boot-{}", p.name))),
                container_runtime_version: "containerd://2.1.4".into(),
                kernel_version: "6.8.0-85-generic".into(),
                kube_proxy_version: String::new(),
                kubelet_version: crate::KUBERNETES_VERSION.into(),
                machine_id: hex_id(&format!("machine-{}", p.name)),
                operating_system: "linux".into(),
                os_image: "Ubuntu 24.04.3 LTS".into(),
                system_uuid: uuid_like(&hex_id(&format!("uuid-{}", p.name))),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }))
}

/// A node's disk as hostPath volumes find it: the directories of a fresh Linux install
/// (`/tmp`, `/var/log`, `/etc/hostname`, …), dated `at` (epoch ms).
pub fn node_disk(storage: &mut crate::storage::Storage, node: &str, at: i64) {
    use crate::node::volumes::NODE_DISK;
    let Ok(t) = storage.tree_mut(&crate::storage::Backing::Node(node.into()), NODE_DISK) else {
        return;
    };
    for (dir, mode) in [
        ("/tmp", 0o1777),
        ("/var/log/pods", 0o755),
        ("/var/log/containers", 0o755),
        ("/var/lib/kubelet", 0o700),
        ("/etc/kubernetes/manifests", 0o755),
        ("/home", 0o755),
        ("/root", 0o700),
        ("/mnt", 0o755),
        ("/opt", 0o755),
        ("/srv", 0o755),
    ] {
        let _ = t.mkdir(dir, true, 0o755, at);
        let _ = t.chmod(dir, mode);
    }
    let _ = t.write("/etc/hostname", &format!("{node}\n"), false, 0o644, at);
    let _ = t.write(
        "/etc/hosts",
        &format!("127.0.0.1 localhost\n127.0.1.1 {node}\n"),
        false,
        0o644,
        at,
    );
    let _ = t.write("/var/log/syslog", "", false, 0o640, at);
}

/// What the apiserver and the kubelets keep in place beside the workloads, loaded at start:
/// the flow-control bootstrap configuration, the default ServiceCIDR with an IPAddress per
/// ClusterIP already handed out, and each node's CSINode.
pub fn apiserver_objects(api: &crate::apiserver::ApiServer, now: &Time) -> Vec<Object> {
    use crate::api::object::{csi, flowcontrol, service_cidr, Node, Service};
    let mut out: Vec<Object> = flowcontrol::bootstrap_levels()
        .into_iter()
        .map(|l| Object::PriorityLevelConfiguration(Box::new(l)))
        .collect();
    out.extend(
        flowcontrol::bootstrap_schemas(now)
            .into_iter()
            .map(|s| Object::FlowSchema(Box::new(s))),
    );
    out.push(Object::ServiceCIDR(Box::new(
        service_cidr::default_service_cidr(now),
    )));
    for svc in api.list_as::<Service>(None) {
        out.extend(crate::apiserver::ip_addresses::for_service(svc));
    }
    for node in api.list_as::<Node>(None) {
        let name = node.metadata.name.as_deref().unwrap_or("");
        let uid = node.metadata.uid.as_deref().unwrap_or("");
        out.push(Object::CSINode(Box::new(csi::node_registration(name, uid))));
    }
    out
}
