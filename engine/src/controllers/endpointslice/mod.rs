//! The EndpointSlice controller (kube-controller-manager's `endpointslice`,
//! `pkg/controller/endpointslice` over `k8s.io/endpointslice`): for every Service with a
//! selector, EndpointSlices named `<service>-<5 random>` listing the matching pods that have
//! an IP, with their readiness (`ready`, `serving`, `terminating`), node, zone and pod
//! reference, and the service's ports as each pod resolves them. A service with no such pod
//! keeps one empty placeholder slice. The slices are owned by the service, so the garbage
//! collector deletes them with it; services without a selector get none.

mod reconciler;
#[cfg(test)]
mod tests;

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, ObjectReference, Pod, Service, ServicePort};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::runtime::{Controller, Queue};
use crate::api::object::{EndpointSlice, Object, ObjectKey, WatchEvent};
use crate::api::selector::Selector;
use crate::apiserver::Env;
use crate::world::World;
use reconciler::{port_key, Changes, Desired, PortKey, SliceFactory};

/// The controller's name in the `managed-by` label.
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// The label naming the slice's manager.
pub const LABEL_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
/// The label naming the slice's service.
pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
/// The label of the slices of a headless service.
const LABEL_HEADLESS: &str = "service.kubernetes.io/headless";
/// The annotation with the time of the last change the slice reflects.
const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// The node label an endpoint's zone comes from.
const LABEL_ZONE: &str = "topology.kubernetes.io/zone";

/// What the controller remembers: the trigger times it last saw, per service (upstream's
/// `TriggerTimeTracker`).
#[derive(Clone, Debug, Default)]
pub struct EndpointSliceController {
    triggers: BTreeMap<(String, String), TriggerTimes>,
}

/// The service's creation and its pods' Ready transitions, as of the last sync (ms).
#[derive(Clone, Debug, Default)]
struct TriggerTimes {
    service: i64,
    pods: BTreeMap<String, i64>,
}

fn service_key(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        kind: "Service",
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

/// The selector of a service the controller manages slices for: not ExternalName, with a
/// selector (an empty one is none: the store keeps it as nil).
fn selector_of(svc: &Service) -> Option<Selector> {
    let spec = svc.spec.as_ref()?;
    if spec.type_.as_deref() == Some("ExternalName") {
        return None;
    }
    spec.selector
        .as_ref()
        .filter(|m| !m.is_empty())
        .map(Selector::from_map)
}

impl Controller for EndpointSliceController {
    fn name(&self) -> &'static str {
        "endpointslice"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::Service(_) | Object::Pod(_) | Object::Node(_) | Object::EndpointSlice(_)
        )
    }

    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        let obj = &*event.object;
        let services = |ns: Option<&str>, queue: &mut Queue| {
            for svc in world.api.list_as::<Service>(ns) {
                if selector_of(svc).is_some() {
                    let m = &svc.metadata;
                    queue.add(service_key(
                        m.namespace.as_deref().unwrap_or(""),
                        m.name.as_deref().unwrap_or(""),
                    ));
                }
            }
        };
        match obj {
            Object::Service(_) => queue.add(service_key(obj.namespace(), obj.name())),
            // A pod may join or leave any selector of its namespace (its old labels are gone).
            Object::Pod(_) => services(Some(obj.namespace()), queue),
            // An endpoint's zone comes from its node.
            Object::Node(_) => services(None, queue),
            Object::EndpointSlice(s) => {
                let labels = s.metadata.labels.as_ref();
                let managed = labels.and_then(|l| l.get(LABEL_MANAGED_BY));
                if managed.map(String::as_str) == Some(CONTROLLER_NAME) {
                    if let Some(svc) = labels.and_then(|l| l.get(LABEL_SERVICE_NAME)) {
                        queue.add(service_key(obj.namespace(), svc));
                    }
                }
            }
            _ => {}
        }
    }

    /// `syncService`: brings the service's slices up to date.
    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let (ns, name) = (key.namespace.as_str(), key.name.as_str());
        let Some(svc) = world.api.get_as::<Service>(ns, name).cloned() else {
            self.triggers.remove(&(ns.to_string(), name.to_string()));
            return;
        };
        let Some(selector) = selector_of(&svc) else {
            return;
        };
        let mut pods: Vec<Pod> = world
            .api
            .list_as::<Pod>(Some(ns))
            .filter(|p| selector.matches(p.metadata.labels.as_ref()))
            .cloned()
            .collect();
        // New endpoints are placed by address (upstream takes them from a set, in no order).
        pods.stable_sort_by(|a, b| pod_ip(a).cmp(pod_ip(b)));
        let existing: Vec<EndpointSlice> = world
            .api
            .list_as::<EndpointSlice>(Some(ns))
            .filter(|s| {
                let labels = s.metadata.labels.as_ref();
                let label = |k: &str| labels.and_then(|l| l.get(k)).map(String::as_str);
                label(LABEL_SERVICE_NAME) == Some(name)
                    && label(LABEL_MANAGED_BY) == Some(CONTROLLER_NAME)
                    && s.metadata.deletion_timestamp.is_none()
            })
            .cloned()
            .collect();
        let trigger = self.trigger_time(&svc, &pods);
        let types = address_types(&svc);
        let mut unsupported = Vec::new();
        let mut by_type: BTreeMap<&str, Vec<EndpointSlice>> = BTreeMap::new();
        for slice in existing {
            match types.get(slice.address_type.as_str()) {
                Some(t) => by_type.entry(*t).or_default().push(slice),
                None => unsupported.push(slice),
            }
        }
        for address_type in &types {
            let factory = Factory {
                svc: &svc,
                address_type,
            };
            let desired = desired(world, &svc, &pods, address_type);
            let slices = by_type.remove(address_type).unwrap_or_default();
            let changes = reconciler::reconcile(&factory, slices, desired);
            write(world, &svc, changes, trigger);
        }
        let doomed = Changes {
            delete: unsupported,
            ..Default::default()
        };
        write(world, &svc, doomed, trigger);
    }
}

impl EndpointSliceController {
    /// `ComputeEndpointLastChangeTriggerTime`: the service's creation for a service not seen
    /// before, else the earliest pod Ready transition (or service creation) that moved since
    /// the last sync; `None` when nothing did.
    fn trigger_time(&mut self, svc: &Service, pods: &[Pod]) -> Option<i64> {
        let key = (
            svc.metadata.namespace.clone().unwrap_or_default(),
            svc.metadata.name.clone().unwrap_or_default(),
        );
        let known = self.triggers.get(&key);
        let created = svc
            .metadata
            .creation_timestamp
            .as_ref()
            .map(crate::clock::ms_from_time);
        let mut changed: Option<i64> = None;
        let mut now = TriggerTimes::default();
        for pod in pods {
            let Some(t) = ready_transition(pod) else {
                continue;
            };
            let name = pod.metadata.name.clone().unwrap_or_default();
            if known
                .and_then(|k| k.pods.get(&name))
                .is_none_or(|old| t > *old)
            {
                changed = Some(changed.map_or(t, |c| c.min(t)));
            }
            now.pods.insert(name, t);
        }
        if let Some(c) = created {
            if known.is_none_or(|k| c > k.service) {
                changed = Some(changed.map_or(c, |m| m.min(c)));
            }
            now.service = c;
        }
        let was_known = known.is_some();
        self.triggers.insert(key, now);
        if was_known {
            changed
        } else {
            created
        }
    }
}

/// When the pod's Ready condition last changed, if it has one with a time.
fn ready_transition(pod: &Pod) -> Option<i64> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?
        .last_transition_time
        .as_ref()
        .map(crate::clock::ms_from_time)
}

fn pod_ip(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.pod_ip.as_deref())
        .unwrap_or("")
}

/// The address types the service's slices have (`getAddressTypesForService`).
fn address_types(svc: &Service) -> BTreeSet<&'static str> {
    let spec = svc.spec.clone().unwrap_or_default();
    let family = |f: &str| match f {
        "IPv4" => Some("IPv4"),
        "IPv6" => Some("IPv6"),
        _ => None,
    };
    let types: BTreeSet<&'static str> = spec
        .ip_families
        .iter()
        .flatten()
        .filter_map(|f| family(f))
        .collect();
    if !types.is_empty() {
        return types;
    }
    match spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty()) {
        Some(ip) if ip != "None" => {
            BTreeSet::from([if ip.contains(':') { "IPv6" } else { "IPv4" }])
        }
        _ => BTreeSet::from(["IPv4", "IPv6"]),
    }
}

/// The endpoints the service wants by port set (`reconcileByAddressType`'s desired state).
fn desired(
    world: &World,
    svc: &Service,
    pods: &[Pod],
    address_type: &str,
) -> BTreeMap<PortKey, Desired> {
    let publish = svc
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false);
    let mut out: BTreeMap<PortKey, Desired> = BTreeMap::new();
    for pod in pods {
        let status = pod.status.clone().unwrap_or_default();
        if matches!(status.phase.as_deref(), Some("Succeeded" | "Failed"))
            || (status.pod_ip.as_deref().unwrap_or("").is_empty()
                && status.pod_ips.as_deref().unwrap_or(&[]).is_empty())
        {
            continue;
        }
        let ports = endpoint_ports(svc, pod);
        let wanted = out
            .entry(port_key(&ports))
            .or_insert_with(|| Desired::new(ports));
        let node_name = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
        let node = world.api.get_as::<Node>("", node_name.unwrap_or(""));
        if node.is_none() && !publish {
            continue;
        }
        let ep = pod_to_endpoint(pod, node, svc, address_type, publish);
        if !ep.addresses.is_empty() {
            wanted.insert(ep);
        }
    }
    out
}

/// `podToEndpoint`.
fn pod_to_endpoint(
    pod: &Pod,
    node: Option<&Node>,
    svc: &Service,
    address_type: &str,
    publish: bool,
) -> Endpoint {
    let serving = crate::api::pod::is_ready(pod);
    let terminating = crate::api::pod::terminating(pod);
    let spec = pod.spec.clone().unwrap_or_default();
    let addresses = pod
        .status
        .iter()
        .flat_map(|s| s.pod_ips.iter().flatten())
        .map(|ip| ip.ip.clone())
        .filter(|ip| ip.contains(':') == (address_type == "IPv6"))
        .collect();
    let zone = node
        .and_then(|n| n.metadata.labels.as_ref())
        .and_then(|l| l.get(LABEL_ZONE))
        .filter(|z| !z.is_empty())
        .cloned();
    let hostname = spec
        .hostname
        .clone()
        .filter(|h| !h.is_empty() && spec.subdomain.as_deref() == svc.metadata.name.as_deref());
    Endpoint {
        addresses,
        conditions: Some(EndpointConditions {
            ready: Some(publish || (serving && !terminating)),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname,
        node_name: spec.node_name.clone().filter(|n| !n.is_empty()),
        target_ref: Some(ObjectReference {
            kind: Some("Pod".into()),
            namespace: pod.metadata.namespace.clone(),
            name: pod.metadata.name.clone(),
            uid: pod.metadata.uid.clone(),
            ..Default::default()
        }),
        zone,
        ..Default::default()
    }
}

/// `getEndpointPorts`: the service's ports with each target port resolved in `pod`; a named
/// port the pod does not have is left out.
fn endpoint_ports(svc: &Service, pod: &Pod) -> Vec<EndpointPort> {
    let spec = svc.spec.clone().unwrap_or_default();
    spec.ports
        .iter()
        .flatten()
        .filter_map(|sp| {
            Some(EndpointPort {
                name: Some(sp.name.clone().unwrap_or_default()),
                port: Some(find_port(pod, sp)?),
                protocol: Some(sp.protocol.clone().unwrap_or_else(|| "TCP".into())),
                app_protocol: sp.app_protocol.clone(),
            })
        })
        .collect()
}

/// `FindPort`: a numeric target port as it is, a named one looked up among the pod's
/// containers (and sidecars) by name and protocol.
fn find_port(pod: &Pod, sp: &ServicePort) -> Option<i32> {
    let name = match sp.target_port.clone().unwrap_or(IntOrString::Int(sp.port)) {
        IntOrString::Int(n) => return Some(n),
        IntOrString::String(name) => name,
    };
    let proto = sp.protocol.as_deref().unwrap_or("TCP");
    let spec = pod.spec.as_ref()?;
    let sidecars = spec
        .init_containers
        .iter()
        .flatten()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"));
    spec.containers
        .iter()
        .chain(sidecars)
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| {
            p.name.as_deref() == Some(&name) && p.protocol.as_deref().unwrap_or("TCP") == proto
        })
        .map(|p| p.container_port)
}

/// New slices, labels and ownership for one service and address type.
struct Factory<'a> {
    svc: &'a Service,
    address_type: &'a str,
}

impl SliceFactory for Factory<'_> {
    /// `newEndpointSlice`.
    fn new_slice(&self, ports: Vec<EndpointPort>) -> EndpointSlice {
        let m = &self.svc.metadata;
        let name = m.name.clone().unwrap_or_default();
        let mut slice = EndpointSlice {
            metadata: ObjectMeta {
                generate_name: Some(format!("{name}-")),
                namespace: m.namespace.clone(),
                owner_references: Some(vec![OwnerReference {
                    api_version: "v1".into(),
                    kind: "Service".into(),
                    name,
                    uid: m.uid.clone().unwrap_or_default(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }]),
                ..Default::default()
            },
            address_type: self.address_type.to_string(),
            ports: Some(ports),
            endpoints: Vec::new(),
        };
        slice.metadata.labels = Some(self.labels(&slice).0);
        slice
    }

    /// `setEndpointSliceLabels`: the service's labels but the reserved ones, the headless
    /// label for a service without a cluster IP, the service name and the manager.
    fn labels(&self, slice: &EndpointSlice) -> (BTreeMap<String, String>, bool) {
        let reserved =
            |k: &String| k == LABEL_SERVICE_NAME || k == LABEL_MANAGED_BY || k == LABEL_HEADLESS;
        let own = |labels: Option<&BTreeMap<String, String>>| -> BTreeMap<String, String> {
            labels
                .into_iter()
                .flatten()
                .filter(|(k, _)| !reserved(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let mut labels = own(self.svc.metadata.labels.as_ref());
        let changed = own(slice.metadata.labels.as_ref()) != labels;
        let cluster_ip = self.svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref());
        if matches!(cluster_ip, None | Some("" | "None")) {
            labels.insert(LABEL_HEADLESS.into(), String::new());
        }
        labels.insert(
            LABEL_SERVICE_NAME.into(),
            self.svc.metadata.name.clone().unwrap_or_default(),
        );
        labels.insert(LABEL_MANAGED_BY.into(), CONTROLLER_NAME.into());
        (labels, changed)
    }

    fn owns(&self, slice: &EndpointSlice) -> bool {
        slice.metadata.owner_references.iter().flatten().any(|o| {
            Some(&o.uid) == self.svc.metadata.uid.as_ref()
                && o.kind == "Service"
                && o.api_version == "v1"
        })
    }
}

/// Sets (or, with no trigger time, removes) the last-change annotation.
fn set_trigger_time(slice: &mut EndpointSlice, trigger: Option<i64>) {
    let annotations = slice.metadata.annotations.get_or_insert_with(BTreeMap::new);
    match trigger {
        Some(ms) => {
            let at = crate::clock::time_from_ms(ms);
            let text = at.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            annotations.insert(TRIGGER_TIME.into(), text);
        }
        None => {
            annotations.remove(TRIGGER_TIME);
        }
    }
    if annotations.is_empty() {
        slice.metadata.annotations = None;
    }
}

/// `finalize`: creates (not for a service being deleted), updates, deletes. A new slice's
/// random name and uid come from a fork of the cluster's generator, so that adding the
/// slices moved no other random choice.
fn write(world: &mut World, svc: &Service, changes: Changes, trigger: Option<i64>) {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    if svc.metadata.deletion_timestamp.is_none() {
        for mut slice in changes.create {
            set_trigger_time(&mut slice, trigger);
            let name = svc.metadata.name.as_deref().unwrap_or("");
            let mut rng = world.side_rng(&format!("EndpointSlice/{ns}/{name}"));
            let env = Env {
                clock: &world.clock,
                rng: &mut rng,
            };
            let _ = world
                .api
                .create(Object::EndpointSlice(Box::new(slice)), env);
        }
    }
    for mut slice in changes.update {
        set_trigger_time(&mut slice, trigger);
        let _ = world.api.update(Object::EndpointSlice(Box::new(slice)));
    }
    for slice in changes.delete {
        let name = slice.metadata.name.unwrap_or_default();
        let _ = world.delete("EndpointSlice", &ns, &name, None, false);
    }
}
