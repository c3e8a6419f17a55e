//! The namespace controller: empties a namespace that is being deleted (phase
//! `Terminating`), then removes its `kubernetes` finalizer so the namespace goes.

use crate::api::kinds;
use crate::api::object::Object;
use crate::cluster::Cluster;

/// Runs one pass over the namespaces being deleted.
pub fn reconcile(cluster: &mut Cluster) {
    let terminating: Vec<String> = cluster
        .world
        .api
        .list("Namespace", None)
        .filter(|ns| ns.metadata().deletion_timestamp.is_some())
        .map(|ns| ns.name().to_string())
        .collect();
    for ns in terminating {
        if empty_namespace(cluster, &ns) {
            finalize(cluster, &ns);
        }
    }
}

/// Deletes everything in `namespace`; returns whether nothing is left.
fn empty_namespace(cluster: &mut Cluster, namespace: &str) -> bool {
    let mut left = false;
    for kind in Object::KINDS {
        if !kinds::info(kind).namespaced {
            continue;
        }
        let names: Vec<(String, bool)> = cluster
            .world
            .api
            .list(kind, Some(namespace))
            .map(|o| {
                (
                    o.name().to_string(),
                    o.metadata().deletion_timestamp.is_some(),
                )
            })
            .collect();
        for (name, deleting) in names {
            left = true;
            if !deleting {
                let _ = cluster.world.delete(kind, namespace, &name, None, false);
            }
        }
    }
    // Objects removed at once above no longer hold the namespace.
    !left
        || Object::KINDS
            .iter()
            .filter(|k| kinds::info(k).namespaced)
            .all(|k| cluster.world.api.list(k, Some(namespace)).next().is_none())
}

fn finalize(cluster: &mut Cluster, namespace: &str) {
    let Some(Object::Namespace(ns)) = cluster.world.api.get("Namespace", "", namespace).cloned()
    else {
        return;
    };
    let mut ns = *ns;
    crate::cluster::finalize_namespace(&mut ns);
    if cluster
        .world
        .api
        .update(Object::Namespace(Box::new(ns)))
        .is_ok()
    {
        cluster
            .world
            .remove_if_finalized("Namespace", "", namespace);
    }
}
