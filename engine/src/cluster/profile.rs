//! Cluster profiles: the shape of the cluster a learner starts with, as plain data.

/// What a node is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRole {
    /// Runs the control plane; tainted `NoSchedule` unless the profile says otherwise.
    ControlPlane,
    /// Runs workloads.
    Worker,
}

/// One node of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeProfile {
    /// Node name (and hostname).
    pub name: String,
    /// Control plane or worker.
    pub role: NodeRole,
    /// Whether the control-plane `NoSchedule` taint is set.
    pub tainted: bool,
    /// InternalIP address.
    pub internal_ip: String,
    /// CPU capacity, in cores.
    pub cpu: u32,
    /// Memory capacity, in KiB.
    pub memory_ki: u64,
    /// Pod capacity.
    pub pods: u32,
    /// The kubelet's `memory.available` hard eviction threshold, in bytes (`None`: it has
    /// none): what allocatable memory leaves out, and where memory pressure starts.
    pub eviction_memory: Option<u64>,
}

/// How the learner's kubeconfig names and reaches the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kubeconfig {
    /// The API server URL (`https://192.168.1.10:6443`).
    pub server: String,
    /// Cluster entry name.
    pub cluster: String,
    /// User entry name.
    pub user: String,
    /// The (only) context's name.
    pub context: String,
}

/// A named cluster shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterProfile {
    /// Profile name, as lessons refer to it (`default`, `minikube`).
    pub name: &'static str,
    /// The nodes, in creation order.
    pub nodes: Vec<NodeProfile>,
    /// The kubeconfig a learner of this cluster has.
    pub kubeconfig: Kubeconfig,
    /// NFS servers on the cluster's network, outside it (the course's file server).
    pub nfs_servers: Vec<crate::storage::NfsServer>,
    /// The CNI plugin: the course's kubeadm cluster runs Calico, which enforces
    /// NetworkPolicy; minikube's default (`bridge`) stores policies and ignores them.
    pub cni: crate::network::policy::Cni,
}

/// The course's NFS server (`/etc/exports`: `/k8s` and `/pvpvc` to 211.183.3.0/24): a CentOS
/// VM with a 50 GiB root volume.
pub fn course_nfs_server() -> crate::storage::NfsServer {
    crate::storage::NfsServer {
        address: "211.183.3.99".into(),
        exports: vec!["/k8s".into(), "/pvpvc".into()],
        size: 50 << 30,
        device: "/dev/mapper/centos-root".into(),
    }
}

const GIB_IN_KI: u64 = 1024 * 1024;
/// The kubelet's default `memory.available` hard eviction threshold (kubeadm keeps it).
const KUBELET_EVICTION_MEMORY: u64 = crate::node::eviction::memory::DEFAULT_THRESHOLD;

impl ClusterProfile {
    /// Who the kubeconfig's client certificate says the console is: kubeadm's admin.conf
    /// names `kubernetes-admin` in `kubeadm:cluster-admins` (bound to `cluster-admin`);
    /// minikube's names `minikube-user` in `system:masters`.
    pub fn admin_user(&self) -> crate::apiserver::authz::UserInfo {
        let (name, group) = if self.name == "minikube" {
            ("minikube-user", "system:masters")
        } else {
            ("kubernetes-admin", "kubeadm:cluster-admins")
        };
        crate::apiserver::authz::UserInfo {
            name: name.into(),
            groups: vec![group.into(), crate::apiserver::authz::AUTHENTICATED.into()],
        }
    }

    /// One control-plane node and three workers, like a kubeadm classroom cluster.
    pub fn multi_node() -> Self {
        let worker = |name: &str, ip: &str| NodeProfile {
            name: name.into(),
            role: NodeRole::Worker,
            tainted: false,
            internal_ip: ip.into(),
            cpu: 2,
            memory_ki: 4 * GIB_IN_KI,
            pods: 110,
            eviction_memory: Some(KUBELET_EVICTION_MEMORY),
        };
        ClusterProfile {
            name: "default",
            nodes: vec![
                NodeProfile {
                    name: "control-plane".into(),
                    role: NodeRole::ControlPlane,
                    tainted: true,
                    internal_ip: "192.168.1.10".into(),
                    cpu: 2,
                    memory_ki: 4 * GIB_IN_KI,
                    pods: 110,
                    eviction_memory: Some(KUBELET_EVICTION_MEMORY),
                },
                worker("node1", "192.168.1.101"),
                worker("node2", "192.168.1.102"),
                worker("node3", "192.168.1.103"),
            ],
            // As kubeadm writes admin.conf.
            kubeconfig: Kubeconfig {
                server: "https://192.168.1.10:6443".into(),
                cluster: "kubernetes".into(),
                user: "kubernetes-admin".into(),
                context: "kubernetes-admin@kubernetes".into(),
            },
            nfs_servers: vec![course_nfs_server()],
            cni: crate::network::policy::Cni::Calico,
        }
    }

    /// The default shape with `workers` worker nodes (`node1` … `nodeN`), for big exercises
    /// and benchmarks.
    pub fn with_workers(workers: usize) -> Self {
        let mut profile = Self::multi_node();
        let template = profile.nodes[1].clone();
        profile.name = "large";
        profile.nodes.truncate(1);
        for i in 1..=workers {
            profile.nodes.push(NodeProfile {
                name: format!("node{i}"),
                internal_ip: format!("192.168.{}.{}", 1 + (100 + i) / 256, (100 + i) % 256),
                ..template.clone()
            });
        }
        profile
    }

    /// A single untainted node called `minikube`, like a laptop cluster.
    pub fn single_node() -> Self {
        ClusterProfile {
            name: "minikube",
            nodes: vec![NodeProfile {
                name: "minikube".into(),
                role: NodeRole::ControlPlane,
                tainted: false,
                internal_ip: "192.168.49.2".into(),
                cpu: 2,
                memory_ki: 4 * GIB_IN_KI,
                pods: 110,
                // minikube's kubelet config sets `evictionHard` for the disks only, which
                // leaves memory without a threshold (the defaults apply only when unset).
                eviction_memory: None,
            }],
            // As `minikube start` writes ~/.kube/config.
            kubeconfig: Kubeconfig {
                server: "https://192.168.49.2:8443".into(),
                cluster: "minikube".into(),
                user: "minikube".into(),
                context: "minikube".into(),
            },
            nfs_servers: Vec::new(),
            cni: crate::network::policy::Cni::Bridge,
        }
    }

    /// The profile called `name`, if there is one.
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "default" | "multi-node" => Some(Self::multi_node()),
            "minikube" | "single-node" => Some(Self::single_node()),
            _ => None,
        }
    }
}
