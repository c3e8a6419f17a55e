//! Objects the control plane keeps in place, recreating them when deleted: the `default`
//! ServiceAccount (serviceaccount controller) and the `kube-root-ca.crt` ConfigMap
//! (root-ca-cert-publisher) in every namespace, and the apiserver's own `kubernetes`
//! Service with its Endpoints and EndpointSlice in `default`; the system namespaces
//! (`kube-system`, `kube-public`, `kube-node-lease`: the apiserver's system namespaces
//! controller, which looks every minute). (Mirror pods are their kubelets',
//! `node::static_pods`.)

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Service, ServiceAccount,
    ServicePort, ServiceSpec,
};
use k8s_openapi::api::discovery::v1::{self as discovery, Endpoint, EndpointConditions};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::runtime::{Controller, Queue, WholeStore};
use crate::api::object::{EndpointSlice, Object, ObjectKey, WatchEvent};
use crate::world::World;

/// The cluster CA as the root-ca-cert-publisher copies it (a fixed, PEM-shaped text).
pub const ROOT_CA: &str = "-----BEGIN CERTIFICATE-----
MIIDBTCCAe2gAwIBAgIIGx8LqLkP0S0wDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE
AxMKa3ViZXJuZXRlczAeFw0yNjExMjIxNzQ1MDBaFw0zNjExMjAxNzUwMDBaMBUx
EzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
AoIBAQC7kPlYc1qZ3n0aVbWm4u9Jk2XfT8sR5dLwQ0eH6yN1pGcA3vKzMiUoE7tB
d9xS4rFqW2hJ8nLcV5yP0gTkZ6aR3mDu1oXeIbN7sQ9wHfCj4vKl2tGpY8zUq5Ma
Rn3eW6bT0xJd1oVhS9gLk7cF2yP4uQzN8mAiE5rD3tXwB6sKj0vHlY9pGoC1fMnU
Tq7eZ4bW2xR8dL5kJ3hN0aS6cV9yF1gP7iQmE2oB4tD8uK3wX5zH6jA0rC9lM1nG
sV2eT7bY4xQ8dK5fJ3hR0aW6cN9yL1gP7iZmE2oU4tD8uB3wX5zA6jH0rF9lS1nK
AgMBAAGjWTBXMA4GA1UdDwEB/wQEAwICpDAPBgNVHRMBAf8EBTADAQH/MB0GA1Ud
DgQWBBSk3vJ8mQ2wR5tY7uI9oP1aS3dF5gAVBgNVHREEDjAMggprdWJlcm5ldGVz
MA0GCSqGSIb3DQEBCwUAA4IBAQBm7xK2pL9nQ4vR8sT1uW3yZ5aB7cD9eF0gH2iJ
4kL6mN8oP0qR2sT4uV6wX8yZ0aB2cD4eF6gH8iJ0kL2mN4oP6qR8sT0uV2wX4yZ
6aB8cD0eF2gH4iJ6kL8mN0oP2qR4sT6uV8wX0yZ2aB4cD6eF8gH0iJ2kL4mN6oP
8qR0sT2uV4wX6yZ8aB0cD2eF4gH6iJ8kL0mN2oP4qR6sT8uV0wX2yZ4aB6cD8eF
0gH2iJ4kL6mN8oP0qR2sT4uV6wX8yZ0aB2cD4eF6gH8iJ0kL2mN4oP6qR8sT0uV
2wX4yZ6aB8cD0eF2gH4iJ6kL8mN0oP2qR4sT6uV8wX0yZ2aB4cD6eF8g
-----END CERTIFICATE-----
";

/// The description the publisher puts on every `kube-root-ca.crt`.
const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

fn meta(namespace: &str, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        ..Default::default()
    }
}

/// The controller: one pass over every namespace, after a write it did not make of a kind
/// it reads.
#[derive(Clone, Debug)]
pub struct SystemObjects {
    trigger: WholeStore,
    /// When the system namespaces controller looks next, while one of them is missing.
    namespaces_due: Option<i64>,
}

/// The namespaces the apiserver recreates (`default` is the kubernetes Service
/// controller's, which the admission plugin keeps from being deleted anyway).
const SYSTEM_NAMESPACES: [&str; 3] = ["kube-system", "kube-public", "kube-node-lease"];
/// The kinds a pass reads, or whose objects can refuse its writes: a write of any other
/// kind (an Event, a Job) changes nothing it computes.
const READS: [&str; 9] = [
    "Namespace",
    "ConfigMap",
    "ServiceAccount",
    "Service",
    "Endpoints",
    "EndpointSlice",
    "Node",
    "ResourceQuota",
    "LimitRange",
];
/// The system namespaces controller's period.
const NAMESPACES_PERIOD_MS: i64 = 60_000;

impl Default for SystemObjects {
    fn default() -> Self {
        SystemObjects {
            trigger: WholeStore::over("Namespace"),
            namespaces_due: None,
        }
    }
}

impl Controller for SystemObjects {
    fn name(&self) -> &'static str {
        "serviceaccount"
    }

    fn reads(&self, obj: &Object) -> bool {
        READS.contains(&obj.kind())
    }

    /// The runtime hands it only the kinds it reads.
    fn enqueue(&mut self, _event: &WatchEvent, world: &World, _queue: &mut Queue) {
        self.trigger.note(world);
    }

    fn after_events(&mut self, _world: &World, queue: &mut Queue) {
        self.trigger.queue(queue);
    }

    /// Creates whatever is missing.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue) {
        self.recreate_system_namespaces(world, key, queue);
        let namespaces: Vec<String> = world
            .api
            .list("Namespace", None)
            .filter(|n| n.metadata().deletion_timestamp.is_none())
            .map(|n| n.name().to_string())
            .collect();
        let mut missing = Vec::new();
        for ns in &namespaces {
            if world.api.get("ConfigMap", ns, "kube-root-ca.crt").is_none() {
                let mut m = meta(ns, "kube-root-ca.crt");
                m.annotations = Some(BTreeMap::from([(
                    "kubernetes.io/description".to_string(),
                    ROOT_CA_DESCRIPTION.to_string(),
                )]));
                missing.push(Object::ConfigMap(Box::new(ConfigMap {
                    metadata: m,
                    data: Some(BTreeMap::from([(
                        "ca.crt".to_string(),
                        ROOT_CA.to_string(),
                    )])),
                    ..Default::default()
                })));
            }
            if world.api.get("ServiceAccount", ns, "default").is_none() {
                missing.push(Object::ServiceAccount(Box::new(ServiceAccount {
                    metadata: meta(ns, "default"),
                    ..Default::default()
                })));
            }
        }
        if namespaces.iter().any(|n| n == "default") {
            if world.api.get("Service", "default", "kubernetes").is_none() {
                missing.push(kubernetes_service());
            }
            if world
                .api
                .get("Endpoints", "default", "kubernetes")
                .is_none()
            {
                missing.push(kubernetes_endpoints(&control_plane_ip(world)));
            }
            if world
                .api
                .get("EndpointSlice", "default", "kubernetes")
                .is_none()
            {
                missing.push(kubernetes_endpoint_slice(&control_plane_ip(world)));
            }
        }
        for obj in missing {
            // The namespaces' objects are POSTed by their controllers (admission and all); the
            // `kubernetes` Service and Endpoints and the mirror pods are the apiserver's and
            // the kubelet's own, kept in place without admission.
            if matches!(obj, Object::ConfigMap(_) | Object::ServiceAccount(_)) {
                let _ = world.create(obj);
            } else if matches!(obj, Object::EndpointSlice(_)) {
                // Its uid from a fork of the generator, like the controller's slices
                // (`controllers::endpointslice`), so no other random choice moved.
                let now = world.clock.now_time();
                let mut rng = world.side_rng("EndpointSlice/default/kubernetes");
                let _ = world.api.restore(obj, now, &mut rng);
            } else {
                let now = world.clock.now_time();
                if let Ok(Object::Pod(p)) = world.api.restore(obj, now, &mut world.rng).cloned() {
                    // The static pod's container runs on; its mirror's uid is new.
                    crate::node::usage::adopt(world, &p);
                }
            }
        }
        self.trigger.synced(world);
    }
}

impl SystemObjects {
    /// Recreates a missing system namespace at the controller's next minute tick.
    fn recreate_system_namespaces(
        &mut self,
        world: &mut World,
        key: &ObjectKey,
        queue: &mut Queue,
    ) {
        let missing: Vec<&str> = SYSTEM_NAMESPACES
            .into_iter()
            .filter(|n| world.api.get("Namespace", "", n).is_none())
            .collect();
        if missing.is_empty() {
            self.namespaces_due = None;
            return;
        }
        let now = world.clock.now_ms();
        match self.namespaces_due {
            Some(due) if due <= now => {
                self.namespaces_due = None;
                for name in missing {
                    let ns = k8s_openapi::api::core::v1::Namespace {
                        metadata: ObjectMeta {
                            name: Some(name.into()),
                            ..Default::default()
                        },
                        ..Default::default()
                    };
                    let _ = world.create(Object::Namespace(Box::new(ns)));
                }
            }
            Some(_) => {}
            None => {
                let due = (now / NAMESPACES_PERIOD_MS + 1) * NAMESPACES_PERIOD_MS;
                self.namespaces_due = Some(due);
                queue.requeue_at(world, due, key.clone());
            }
        }
    }
}

/// The InternalIP of the first control-plane node (the apiserver's advertise address).
fn control_plane_ip(world: &World) -> String {
    world
        .api
        .list("Node", None)
        .find_map(|o| match o {
            Object::Node(n)
                if n.metadata
                    .labels
                    .as_ref()
                    .is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane")) =>
            {
                n.status
                    .iter()
                    .flat_map(|s| s.addresses.iter().flatten())
                    .find(|a| a.type_ == "InternalIP")
                    .map(|a| a.address.clone())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The apiserver's `kubernetes` Service: always the first address of the service CIDR.
fn kubernetes_service() -> Object {
    let mut m = meta("default", "kubernetes");
    m.labels = Some(BTreeMap::from([
        ("component".to_string(), "apiserver".to_string()),
        ("provider".to_string(), "kubernetes".to_string()),
    ]));
    let mut svc = Service {
        metadata: m,
        spec: Some(ServiceSpec {
            cluster_ip: Some("10.96.0.1".into()),
            ports: Some(vec![ServicePort {
                name: Some("https".into()),
                port: 443,
                target_port: Some(IntOrString::Int(6443)),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut taken = crate::api::service::Allocated::default();
    let mut rng = crate::rng::Rng::new(0);
    crate::api::service::default_new(&mut svc, &mut taken, &mut rng);
    Object::Service(Box::new(svc))
}

/// The `kubernetes` Endpoints, kept by the apiserver (never mirrored to an EndpointSlice).
fn kubernetes_endpoints(ip: &str) -> Object {
    let mut m = meta("default", "kubernetes");
    m.labels = Some(BTreeMap::from([(
        "endpointslice.kubernetes.io/skip-mirror".to_string(),
        "true".to_string(),
    )]));
    Object::Endpoints(Box::new(Endpoints {
        metadata: m,
        subsets: Some(vec![EndpointSubset {
            addresses: Some(vec![EndpointAddress {
                ip: ip.into(),
                ..Default::default()
            }]),
            ports: Some(vec![EndpointPort {
                name: Some("https".into()),
                port: 6443,
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }]),
    }))
}

/// The `kubernetes` EndpointSlice, kept by the apiserver's endpoint reconciler
/// (`pkg/controlplane/reconcilers/endpointsadapter.go`): named after the service, labelled
/// with it only, one ready endpoint per apiserver.
fn kubernetes_endpoint_slice(ip: &str) -> Object {
    let mut m = meta("default", "kubernetes");
    m.labels = Some(BTreeMap::from([(
        crate::controllers::endpointslice::LABEL_SERVICE_NAME.to_string(),
        "kubernetes".to_string(),
    )]));
    Object::EndpointSlice(Box::new(EndpointSlice {
        metadata: m,
        address_type: "IPv4".into(),
        endpoints: vec![Endpoint {
            addresses: vec![ip.into()],
            conditions: Some(EndpointConditions {
                ready: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ports: Some(vec![discovery::EndpointPort {
            name: Some("https".into()),
            port: Some(6443),
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::controllers::testing::{object, Bench};

    fn names(bench: &Bench, kind: &'static str, ns: &str) -> Vec<String> {
        bench
            .world
            .api
            .list(kind, Some(ns))
            .map(|o| o.name().to_string())
            .collect()
    }

    #[test]
    fn every_namespace_gets_its_service_account_and_root_ca_back() {
        let mut bench = Bench::new(Box::<SystemObjects>::default());
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}
        })));
        bench.pass();
        assert_eq!(names(&bench, "ServiceAccount", "team"), vec!["default"]);
        assert_eq!(names(&bench, "ConfigMap", "team"), vec!["kube-root-ca.crt"]);
        assert_eq!(names(&bench, "Service", "default"), vec!["kubernetes"]);
        assert_eq!(names(&bench, "Endpoints", "default"), vec!["kubernetes"]);
        assert_eq!(
            names(&bench, "EndpointSlice", "default"),
            vec!["kubernetes"]
        );
        // Another pass writes nothing; a deleted object comes back on the next one.
        let rv = bench.world.api.resource_version();
        bench.pass();
        assert_eq!(bench.world.api.resource_version(), rv);
        bench
            .world
            .delete("ServiceAccount", "team", "default", None, false)
            .unwrap();
        bench.pass();
        assert_eq!(names(&bench, "ServiceAccount", "team"), vec!["default"]);
    }
}
