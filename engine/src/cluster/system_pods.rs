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
    // The static pods' manifests (node, path, text), by mirror pod name.
    let mut manifests = std::collections::BTreeMap::new();
    if let Some(cp) = profile
        .nodes
        .iter()
        .find(|n| n.role == NodeRole::ControlPlane)
    {
        let uid = node_uid(cluster, &cp.name);
        for (path, text) in super::kubeadm_manifests::manifests(profile, cp) {
            // kubeadm writes them 0600.
            let now = cluster.world.clock.now_ms();
            let file = [(path.as_str(), text.as_str(), 0o600)];
            super::node_files::put(&mut cluster.world.storage, &cp.name, &file, now);
            if let Some(p) = system_pods::static_pod(
                &mut cluster.world,
                &text,
                &cp.name,
                &uid,
                &cp.internal_ip,
                &at,
            ) {
                let name = p.metadata.name.clone().unwrap_or_default();
                manifests.insert(name, (cp.name.clone(), path, text));
                pods.push(p);
            }
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
                if let Some((node, path, text)) = manifests.get(created.name()) {
                    cluster.kubelet.static_pods.adopt(node, path, text, &p);
                }
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
