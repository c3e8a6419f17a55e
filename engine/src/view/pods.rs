//! Pod tiles of the board: STATUS as `kubectl get pods` prints it, readiness, restarts,
//! the owner chain (Deployment → ReplicaSet → Pod), why a pod is still Pending, and its
//! volumes.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::cluster::Cluster;
use crate::printers::pod_columns;

/// The top of a pod's owner chain: `Deployment web` for a pod of `web-6d4cf56db6`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct OwnerView {
    /// `Deployment`, `ReplicaSet`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`, ...
    pub kind: String,
    /// The owner's name.
    pub name: String,
}

/// One pod as the board draws it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PodView {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// The pod's uid: a re-created pod of the same name is another pod.
    pub uid: String,
    /// The node it is bound to, or `None` while unscheduled.
    pub node: Option<String>,
    /// STATUS exactly as `kubectl get pods` prints it (`Running`, `ContainerCreating`, ...).
    pub status: String,
    /// READY as kubectl prints it (`1/1`).
    pub ready: String,
    /// Sum of the containers' restart counts.
    pub restarts: i32,
    /// Top of the controller chain (a Deployment via its ReplicaSet), if any.
    pub owner: Option<OwnerView>,
    /// The controlling ReplicaSet's name, for pods of ReplicaSets (and so of Deployments).
    pub replica_set: Option<String>,
    /// Deletion requested (`metadata.deletionTimestamp` set).
    pub deleting: bool,
    /// For a pod the scheduler could not place: its `FailedScheduling` message.
    pub unschedulable_message: Option<String>,
    /// Its volumes, in the spec's order, with what backs each.
    pub volumes: Vec<super::VolumeView>,
    /// What it uses against what it asks, once metrics-server publishes its metrics.
    #[serde(default)]
    pub usage: Option<super::PodUsage>,
}

impl PodView {
    /// `namespace/name`, the board's key for a pod.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

fn controller(meta: &ObjectMeta) -> Option<(&str, &str)> {
    crate::api::pod::controller_of(meta).map(|r| (r.kind.as_str(), r.name.as_str()))
}

/// Follows controller references up from `pod` (at most a few levels).
fn owner_chain(cluster: &Cluster, pod: &Pod) -> (Option<OwnerView>, Option<String>) {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let Some((mut kind, mut name)) = controller(&pod.metadata) else {
        return (None, None);
    };
    let replica_set = (kind == "ReplicaSet").then(|| name.to_string());
    for _ in 0..3 {
        let Some(kind_static) = crate::api::kinds::by_kind(kind).map(|k| k.kind) else {
            break;
        };
        let Some(parent) = cluster.world.api.get(kind_static, ns, name) else {
            break;
        };
        match controller(parent.metadata()) {
            Some((k, n)) => (kind, name) = (k, n),
            None => break,
        }
    }
    let owner = OwnerView {
        kind: kind.to_string(),
        name: name.to_string(),
    };
    (Some(owner), replica_set)
}

fn unschedulable_message(pod: &Pod) -> Option<String> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")?
        .message
        .clone()
}

/// Every pod, by namespace then name.
pub(super) fn read(cluster: &Cluster) -> Vec<PodView> {
    cluster
        .world
        .api
        .list_as::<Pod>(None)
        .map(|p| {
            let (owner, replica_set) = owner_chain(cluster, p);
            let node = p.spec.as_ref().and_then(|s| s.node_name.clone());
            PodView {
                namespace: p.metadata.namespace.clone().unwrap_or_default(),
                name: p.metadata.name.clone().unwrap_or_default(),
                uid: p.metadata.uid.clone().unwrap_or_default(),
                status: pod_columns::status(p),
                ready: pod_columns::ready(p),
                restarts: p
                    .status
                    .iter()
                    .flat_map(|s| s.container_statuses.iter().flatten())
                    .map(|c| c.restart_count)
                    .sum(),
                owner,
                replica_set,
                deleting: p.metadata.deletion_timestamp.is_some(),
                unschedulable_message: node.is_none().then(|| unschedulable_message(p)).flatten(),
                volumes: super::volumes::read(&cluster.world.api, p),
                usage: super::usage::pod(&cluster.world.api, p),
                node,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::{Cluster, SimDuration};

    fn pods(c: &Cluster, prefix: &str) -> Vec<super::PodView> {
        c.snapshot()
            .pods
            .into_iter()
            .filter(|p| p.namespace == "default" && p.name.starts_with(prefix))
            .collect()
    }

    #[test]
    fn status_matches_kubectl_get_pods() {
        let mut c = Cluster::new();
        c.run("kubectl create deployment web --image=nginx --replicas=2");
        c.run("kubectl run typo --image=ngnix");
        for secs in [0, 2, 30] {
            c.advance(SimDuration::seconds(secs));
            let table = c.run("kubectl get pods").stdout();
            for p in pods(&c, "") {
                let row = table
                    .lines()
                    .find(|l| l.split_whitespace().next() == Some(p.name.as_str()))
                    .unwrap();
                let cells: Vec<_> = row.split_whitespace().collect();
                assert_eq!(cells[1], p.ready, "{row}");
                assert_eq!(cells[2], p.status, "{row}");
            }
        }
        let web = pods(&c, "web-");
        assert_eq!(web.len(), 2);
        assert!(web
            .iter()
            .all(|p| p.status == "Running" && p.node.is_some()));
        let typo = &pods(&c, "typo")[0];
        assert!(typo.status.contains("ImagePull"), "{}", typo.status);
        assert_eq!(typo.owner, None);
    }

    #[test]
    fn deployment_pods_name_their_deployment_and_replica_set() {
        let mut c = Cluster::new();
        c.run("kubectl create deployment web --image=nginx --replicas=1");
        let p = &pods(&c, "web-")[0];
        let owner = p.owner.clone().unwrap();
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("Deployment", "web")
        );
        let rs = p.replica_set.clone().unwrap();
        assert!(
            rs.starts_with("web-") && p.name.starts_with(&rs),
            "{rs} {}",
            p.name
        );
        assert_eq!(p.key(), format!("default/{}", p.name));
        // kube-proxy's pods belong to its DaemonSet.
        let proxy = c
            .snapshot()
            .pods
            .into_iter()
            .find(|p| p.name.starts_with("kube-proxy-"))
            .unwrap();
        assert_eq!(proxy.owner.unwrap().kind, "DaemonSet");
        assert_eq!(proxy.replica_set, None);
    }

    #[test]
    fn pending_pods_carry_the_schedulers_message() {
        let mut c = Cluster::new();
        c.run("kubectl create deployment huge --image=nginx --replicas=1");
        c.run("kubectl set resources deployment huge --requests=cpu=64");
        c.advance(SimDuration::seconds(5));
        let pending: Vec<_> = pods(&c, "huge-")
            .into_iter()
            .filter(|p| p.status == "Pending")
            .collect();
        assert!(!pending.is_empty());
        let p = &pending[0];
        assert_eq!(p.node, None);
        let msg = p.unschedulable_message.clone().unwrap();
        assert!(msg.starts_with("0/4 nodes are available"), "{msg}");
        assert!(msg.contains("Insufficient cpu"), "{msg}");
    }

    #[test]
    fn deleted_pods_show_terminating_until_gone() {
        let mut c = Cluster::new();
        c.run("kubectl run web --image=nginx");
        c.advance(SimDuration::seconds(20));
        c.run("kubectl delete pod web --wait=false");
        let p = &pods(&c, "web")[0];
        assert!(p.deleting);
        assert_eq!(p.status, "Terminating");
        c.advance(SimDuration::seconds(60));
        assert!(pods(&c, "web").is_empty());
    }
}
