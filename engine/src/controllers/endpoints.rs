//! The endpoints controller: for every Service with a selector, an Endpoints object of the
//! same name listing the matching pods' IPs (ready ones in `addresses`, the others in
//! `notReadyAddresses`) and the service's target ports. Services without a selector keep
//! whatever Endpoints the user wrote; an Endpoints object whose selector service is gone is
//! deleted.

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::runtime::{Controller, Queue, WholeStore};
use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::api::selector::Selector;
use crate::world::World;

/// The label the controller puts on the Endpoints it manages (Kubernetes 1.33+).
const MANAGED_BY: &str = "endpoints.kubernetes.io/managed-by";

/// The kinds a pass reads, or whose objects can refuse its writes: a write of any other
/// kind (an Event, a Job) changes nothing it computes.
const READS: [&str; 5] = ["Service", "Pod", "Endpoints", "Namespace", "ResourceQuota"];

/// The controller: one pass over every service, after a write it did not make of a kind it
/// reads.
#[derive(Clone, Debug)]
pub struct EndpointsController {
    trigger: WholeStore,
}

impl Default for EndpointsController {
    fn default() -> Self {
        EndpointsController {
            trigger: WholeStore::over("Service"),
        }
    }
}

impl Controller for EndpointsController {
    fn name(&self) -> &'static str {
        "endpoints"
    }

    fn reads(&self, obj: &Object) -> bool {
        READS.contains(&obj.kind())
    }

    /// A pod's write matters only where a selector service could list it: in a namespace
    /// without one (a Job's pods in `default`), it changes no Endpoints.
    fn enqueue(&mut self, event: &WatchEvent, world: &World, _queue: &mut Queue) {
        let obj = &*event.object;
        let matters = match obj {
            Object::Pod(_) => world
                .api
                .list_as::<Service>(Some(obj.namespace()))
                .any(has_selector),
            // The runtime hands it only the kinds it reads.
            _ => true,
        };
        if matters {
            self.trigger.note(world);
        }
    }

    fn after_events(&mut self, _world: &World, queue: &mut Queue) {
        self.trigger.queue(queue);
    }

    /// Brings every selector service's Endpoints up to date and deletes the managed
    /// Endpoints whose service is gone.
    fn sync(&mut self, world: &mut World, _key: &ObjectKey, _queue: &mut Queue) {
        // Read before any write: what each selector service wants, and which ones exist.
        let wanted: Vec<Endpoints> = world
            .api
            .list_as::<Service>(None)
            .filter_map(|svc| desired(world, svc))
            .collect();
        let selecting: BTreeSet<(String, String)> = wanted
            .iter()
            .map(|ep| {
                let m = &ep.metadata;
                (
                    m.namespace.clone().unwrap_or_default(),
                    m.name.clone().unwrap_or_default(),
                )
            })
            .collect();
        for ep in wanted {
            let ns = ep.metadata.namespace.clone().unwrap_or_default();
            let name = ep.metadata.name.clone().unwrap_or_default();
            match world.api.get("Endpoints", &ns, &name) {
                Some(Object::Endpoints(cur)) => {
                    if cur.subsets != ep.subsets || cur.metadata.labels != ep.metadata.labels {
                        let mut next = cur.as_ref().clone();
                        next.subsets = ep.subsets;
                        next.metadata.labels = ep.metadata.labels;
                        let _ = world.api.update(Object::Endpoints(Box::new(next)));
                    }
                }
                _ => {
                    let _ = world.create(Object::Endpoints(Box::new(ep)));
                }
            }
        }
        // Managed Endpoints whose service is gone (or lost its selector) go too.
        let orphans: Vec<(String, String)> = world
            .api
            .list("Endpoints", None)
            .filter(|o| {
                o.metadata()
                    .labels
                    .as_ref()
                    .is_some_and(|l| l.contains_key(MANAGED_BY))
            })
            .filter(|o| !selecting.contains(&(o.namespace().to_string(), o.name().to_string())))
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect();
        for (ns, name) in orphans {
            let _ = world.delete("Endpoints", &ns, &name, None, false);
        }
        self.trigger.synced(world);
    }
}

fn has_selector(s: &Service) -> bool {
    s.spec
        .as_ref()
        .and_then(|sp| sp.selector.as_ref())
        .is_some_and(|m| !m.is_empty())
        && s.spec.as_ref().and_then(|sp| sp.type_.as_deref()) != Some("ExternalName")
}

/// The Endpoints a selector service should have now.
fn desired(world: &World, svc: &Service) -> Option<Endpoints> {
    if !has_selector(svc) {
        return None;
    }
    let spec = svc.spec.as_ref()?;
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let selector = Selector::from_map(spec.selector.as_ref()?);
    // Subsets keyed by their resolved ports, so pods with the same ports share one.
    let mut subsets: BTreeMap<Vec<(String, i32, String)>, EndpointSubset> = BTreeMap::new();
    for obj in world.api.list("Pod", Some(&ns)) {
        let Object::Pod(pod) = obj else { continue };
        if !selector.matches(pod.metadata.labels.as_ref())
            || pod.metadata.deletion_timestamp.is_some()
        {
            continue;
        }
        let status = pod.status.as_ref();
        let Some(ip) = status
            .and_then(|s| s.pod_ip.clone())
            .filter(|ip| !ip.is_empty())
        else {
            continue;
        };
        if matches!(
            status.and_then(|s| s.phase.as_deref()),
            Some("Succeeded" | "Failed")
        ) {
            continue;
        }
        let ports: Vec<(String, i32, String)> = spec
            .ports
            .iter()
            .flatten()
            .filter_map(|sp| {
                let port = match sp.target_port.clone().unwrap_or(IntOrString::Int(sp.port)) {
                    IntOrString::Int(n) => n,
                    IntOrString::String(name) => named_port(pod, &name)?,
                };
                Some((
                    sp.name.clone().unwrap_or_default(),
                    port,
                    sp.protocol.clone().unwrap_or_else(|| "TCP".into()),
                ))
            })
            .collect();
        let address = EndpointAddress {
            ip,
            node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(ObjectReference {
                kind: Some("Pod".into()),
                name: pod.metadata.name.clone(),
                namespace: pod.metadata.namespace.clone(),
                uid: pod.metadata.uid.clone(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let subset = subsets
            .entry(ports.clone())
            .or_insert_with(|| EndpointSubset {
                ports: (!ports.is_empty()).then(|| {
                    ports
                        .iter()
                        .map(|(name, port, proto)| EndpointPort {
                            name: (!name.is_empty()).then(|| name.clone()),
                            port: *port,
                            protocol: Some(proto.clone()),
                            ..Default::default()
                        })
                        .collect()
                }),
                ..Default::default()
            });
        let list = if crate::api::pod::is_ready(pod) {
            subset.addresses.get_or_insert_with(Vec::new)
        } else {
            subset.not_ready_addresses.get_or_insert_with(Vec::new)
        };
        list.push(address);
    }
    let mut subsets: Vec<EndpointSubset> = subsets.into_values().collect();
    for s in &mut subsets {
        for list in [s.addresses.as_mut(), s.not_ready_addresses.as_mut()]
            .into_iter()
            .flatten()
        {
            list.stable_sort_by(|a, b| a.ip.cmp(&b.ip));
        }
    }
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    labels.insert(MANAGED_BY.into(), "endpoint-controller".into());
    Some(Endpoints {
        metadata: ObjectMeta {
            name: svc.metadata.name.clone(),
            namespace: Some(ns),
            labels: Some(labels),
            ..Default::default()
        },
        subsets: (!subsets.is_empty()).then_some(subsets),
    })
}

/// The number of the container port called `name` in the pod.
fn named_port(pod: &Pod, name: &str) -> Option<i32> {
    pod.spec
        .as_ref()?
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .map(|p| p.container_port)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::SimDuration;
    use crate::cluster::Cluster;
    use crate::controllers::testing::{object, Bench};

    fn subsets(c: &Cluster, name: &str) -> Option<Vec<EndpointSubset>> {
        match c.world.api.get("Endpoints", "default", name) {
            Some(Object::Endpoints(ep)) => ep.subsets.clone(),
            _ => None,
        }
    }

    #[test]
    fn endpoints_follow_pod_readiness_and_service_lifetime() {
        let mut c = Cluster::new();
        c.run("kubectl run web --image=nginx -l app=web");
        c.run("kubectl expose pod web --port=80 --target-port=8080");
        let s = subsets(&c, "web").expect("endpoints");
        assert!(s[0].addresses.is_none());
        assert_eq!(s[0].not_ready_addresses.as_ref().map(Vec::len), Some(1));
        assert_eq!(s[0].ports.as_ref().map(|p| p[0].port), Some(8080));
        c.advance(SimDuration::seconds(10));
        let s = subsets(&c, "web").expect("endpoints");
        assert_eq!(s[0].addresses.as_ref().map(Vec::len), Some(1));
        assert!(s[0].not_ready_addresses.is_none());
        c.run("kubectl delete svc web");
        assert!(c.world.api.get("Endpoints", "default", "web").is_none());
    }

    /// A pod labelled `app: web` with `ip`, Running, ready or not.
    fn pod(bench: &mut Bench, name: &str, ip: &str, ready: bool) {
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "nodeName": "node1",
                "containers": [{"name": "nginx", "image": "nginx"}]
            }
        })));
        let Some(Object::Pod(mut p)) = bench.world.api.get("Pod", "default", name).cloned() else {
            panic!("no pod {name}");
        };
        let status = p.status.get_or_insert_with(Default::default);
        status.phase = Some("Running".into());
        status.pod_ip = Some(ip.into());
        crate::api::pod::set_condition(
            &mut p,
            k8s_openapi::api::core::v1::PodCondition {
                type_: "Ready".into(),
                status: if ready { "True" } else { "False" }.into(),
                ..Default::default()
            },
        );
        bench.world.api.update_status(Object::Pod(p)).unwrap();
    }

    #[test]
    fn a_selector_service_lists_ready_and_not_ready_pod_ips() {
        let mut bench = Bench::new(Box::<EndpointsController>::default());
        pod(&mut bench, "web-b", "10.244.1.7", true);
        pod(&mut bench, "web-a", "10.244.1.9", true);
        pod(&mut bench, "web-c", "10.244.2.3", false);
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "selector": {"app": "web"},
                "ports": [{"name": "http", "port": 80, "targetPort": 8080}]
            }
        })));
        bench.pass();
        let Some(ep) = bench.world.api.get_as::<Endpoints>("default", "web") else {
            panic!("no Endpoints");
        };
        assert_eq!(
            ep.metadata.labels.as_ref().and_then(|l| l.get(MANAGED_BY)),
            Some(&"endpoint-controller".to_string())
        );
        let subsets = ep.subsets.clone().expect("subsets");
        assert_eq!(subsets.len(), 1);
        let ips = |list: &Option<Vec<EndpointAddress>>| -> Vec<String> {
            list.iter().flatten().map(|a| a.ip.clone()).collect()
        };
        assert_eq!(ips(&subsets[0].addresses), vec!["10.244.1.7", "10.244.1.9"]);
        assert_eq!(ips(&subsets[0].not_ready_addresses), vec!["10.244.2.3"]);
        let target = subsets[0].addresses.as_ref().unwrap()[0].target_ref.clone();
        assert_eq!(target.and_then(|t| t.name).as_deref(), Some("web-b"));
        let ports = subsets[0].ports.clone().unwrap_or_default();
        assert_eq!(
            ports
                .iter()
                .map(|p| (p.name.as_deref(), p.port, p.protocol.as_deref()))
                .collect::<Vec<_>>(),
            vec![(Some("http"), 8080, Some("TCP"))]
        );
        // Another pass writes nothing.
        let rv = bench.world.api.resource_version();
        bench.pass();
        assert_eq!(bench.world.api.resource_version(), rv);
        // The service gone, its Endpoints go too.
        bench
            .world
            .delete("Service", "default", "web", None, false)
            .unwrap();
        bench.pass();
        assert!(bench.world.api.get("Endpoints", "default", "web").is_none());
    }
}
