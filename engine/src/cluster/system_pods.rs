//! Boot of the kube-system pods (built by `node::system_pods`): Running since boot, each
//! known to its kubelet.

use super::profile::{ClusterProfile, NodeRole};
use super::Cluster;
use crate::api::object::Object;
use crate::node::{system_pods, Stage};

/// Creates every system pod at boot; returns the mirror pods (for the kubelet to recreate).
pub(crate) fn create_all(cluster: &mut Cluster, profile: &ClusterProfile) {
    let at = cluster.world.clock.now_time();
    let node_uid = |c: &Cluster, n: &str| {
        c.world
            .api
            .get("Node", "", n)
            .and_then(|o| o.metadata().uid.clone())
            .unwrap_or_default()
    };
    let mut pods = Vec::new();
    if let Some(cp) = profile
        .nodes
        .iter()
        .find(|n| n.role == NodeRole::ControlPlane)
    {
        let uid = node_uid(cluster, &cp.name);
        for c in system_pods::STATIC_COMPONENTS {
            pods.extend(system_pods::static_pod(
                &mut cluster.world,
                c,
                &cp.name,
                &uid,
                &cp.internal_ip,
                &at,
            ));
        }
        let rs_uid = super::system_workloads::coredns(
            cluster,
            system_pods::COREDNS_IMAGE,
            system_pods::COREDNS_HASH,
            &at,
        );
        for i in 0..2u32 {
            let prefix = crate::node::kubelet::pod_ip_prefix(&cluster.world.api, &cp.name);
            let ip = format!("{prefix}.{}", i + 2);
            pods.extend(system_pods::coredns(
                &mut cluster.world,
                &cp.name,
                &cp.internal_ip,
                &ip,
                &at,
                &rs_uid,
            ));
        }
        cluster.kubelet.next_pod_ip.insert(cp.name.clone(), 3);
    }
    let image = format!("registry.k8s.io/kube-proxy:{}", crate::KUBERNETES_VERSION);
    let count = i32::try_from(profile.nodes.len()).unwrap_or(0);
    let (uid, hash) = super::system_workloads::kube_proxy(cluster, &image, count, &at);
    for n in &profile.nodes {
        pods.extend(system_pods::kube_proxy(
            &mut cluster.world,
            &n.name,
            &n.internal_ip,
            &at,
            (&uid, &hash),
        ));
    }
    for p in pods {
        if let Ok(created) =
            cluster
                .world
                .api
                .restore(Object::Pod(Box::new(p)), at.clone(), &mut cluster.world.rng)
        {
            let uid = created.metadata().uid.clone().unwrap_or_default();
            if let Object::Pod(p) = created.clone() {
                crate::node::usage::adopt(&mut cluster.world, &p);
                let mut cx = crate::node::NodeCx {
                    world: &mut cluster.world,
                    kubelet: &mut cluster.kubelet,
                };
                let start = crate::clock::ms_from_time(&at);
                crate::node::runtime::adopt_running(&mut cx, &p, start);
            }
            cluster.kubelet.stages.insert(uid, Stage::Running);
        }
    }
}
