//! MetalLB's controller and speakers, while their pods run: the controller gives each
//! `LoadBalancer` Service (without a `loadBalancerClass`) an address from its pools and
//! writes it to `status.loadBalancer.ingress` (event `IPAllocated`, or `AllocationFailed`);
//! the elected speaker announces it (event `nodeAssigned`). The pools, the release's
//! configuration form and the election are `network::metallb`.

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Secret, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::ByteString;

use super::addon_pods::AddonPods;
use super::runtime::{Controller, Queue, WholeStore};
use crate::api::base64;
use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::network::metallb::{self, Install, Pool};
use crate::node::process::addon::Program;
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// The controller: one pass over every Service after any write it did not make.
#[derive(Clone, Debug)]
pub struct MetalLb {
    trigger: WholeStore,
    pods: AddonPods,
    /// The node each service's address was last announced from, so `nodeAssigned` is
    /// reported once per change: (namespace, name) → node.
    announced: BTreeMap<(String, String), String>,
}

impl Default for MetalLb {
    fn default() -> Self {
        MetalLb {
            trigger: WholeStore::over("Service"),
            pods: AddonPods::of(Program::Metallb),
            announced: BTreeMap::new(),
        }
    }
}

/// `namespace/name`, as MetalLB names a service in its messages.
fn key_of(svc: &Service) -> (String, String) {
    (
        svc.metadata.namespace.clone().unwrap_or_default(),
        svc.metadata.name.clone().unwrap_or_default(),
    )
}

/// Whether MetalLB handles `svc`: a LoadBalancer without another implementation's class.
fn handled(svc: &Service) -> bool {
    svc.spec.as_ref().is_some_and(|s| {
        s.type_.as_deref() == Some("LoadBalancer") && s.load_balancer_class.is_none()
    })
}

fn assigned(svc: &Service) -> Vec<String> {
    svc.status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip.clone())
        .collect()
}

/// The address a service asks for: `spec.loadBalancerIP` or MetalLB's annotation.
fn requested(svc: &Service) -> Option<String> {
    let annotations = svc.metadata.annotations.as_ref();
    let annotated = [
        "metallb.io/loadBalancerIPs",
        "metallb.universe.tf/loadBalancerIPs",
    ]
    .iter()
    .find_map(|k| annotations.and_then(|a| a.get(*k)).cloned());
    annotated.or_else(|| {
        svc.spec
            .as_ref()
            .and_then(|s| s.load_balancer_ip.clone())
            .filter(|ip| !ip.is_empty())
    })
}

/// The pool a service asks for by annotation.
fn requested_pool(svc: &Service) -> Option<String> {
    let annotations = svc.metadata.annotations.as_ref()?;
    [
        "metallb.io/address-pool",
        "metallb.universe.tf/address-pool",
    ]
    .iter()
    .find_map(|k| annotations.get(*k).cloned())
}

/// Picks an address for a service, or says why there is none (MetalLB's error texts).
fn allocate(
    svc: &Service,
    pools: &[Pool],
    used: &BTreeSet<String>,
    legacy: bool,
) -> Result<String, String> {
    if let Some(ip) = requested(svc) {
        if metallb::parse_ip(&ip).is_none() {
            return Err(format!("invalid spec.loadBalancerIP {ip:?}"));
        }
        return match metallb::pool_of(pools, &ip) {
            Some(_) if used.contains(&ip) => Err("existing service does not allow sharing".into()),
            Some(_) => Ok(ip),
            None if legacy => Err(format!("{ip:?} is not allowed in config")),
            None => Err(format!("[{ip:?}] is not allowed in config")),
        };
    }
    if let Some(name) = requested_pool(svc) {
        let pool = pools
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("unknown pool {name:?}"))?;
        return pool
            .first_free(used)
            .ok_or_else(|| format!("no available IPs in pool {name}"));
    }
    pools
        .iter()
        .filter(|p| p.auto_assign)
        .find_map(|p| p.first_free(used))
        .ok_or_else(|| "no available IPs".to_string())
}

impl Controller for MetalLb {
    fn name(&self) -> &'static str {
        "metallb"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Pod(_))
            || (self.pods.present()
                && matches!(
                    obj,
                    Object::Service(_)
                        | Object::EndpointSlice(_)
                        | Object::ConfigMap(_)
                        | Object::Custom(_)
                ))
    }

    fn enqueue(&mut self, event: &WatchEvent, world: &World, _queue: &mut Queue) {
        let own_pod = self.pods.note(event);
        let relevant = own_pod
            || matches!(
                *event.object,
                Object::Service(_)
                    | Object::EndpointSlice(_)
                    | Object::ConfigMap(_)
                    | Object::Custom(_)
            );
        if relevant && self.pods.present() {
            self.trigger.note(world);
        }
    }

    fn after_events(&mut self, _world: &World, queue: &mut Queue) {
        self.trigger.queue(queue);
    }

    fn sync(&mut self, world: &mut World, _key: &ObjectKey, _queue: &mut Queue) {
        if let Some(install) = metallb::install(world) {
            create_memberlist_secret(world);
            if install.controller_ready {
                assign(world, &install);
            }
            self.announce(world, &install);
        }
        self.trigger.synced(world);
    }
}

/// What the controller does at startup when `METALLB_ML_SECRET_NAME` names a secret
/// (`CreateMlSecret`): creates it, owned by the controller's Deployment
/// (`METALLB_DEPLOYMENT`), holding a random 128-bit `secretkey` (unpadded base64) — the
/// speakers mount it and stay `ContainerCreating` until it exists.
fn create_memberlist_secret(world: &mut World) {
    let Some((pod, _)) = metallb::controller_pod(world) else {
        return;
    };
    let running = pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
    let env = |name: &str| {
        pod.spec
            .as_ref()?
            .containers
            .first()?
            .env
            .as_ref()?
            .iter()
            .find(|e| e.name == name)?
            .value
            .clone()
    };
    let (Some(secret), Some(deployment)) =
        (env("METALLB_ML_SECRET_NAME"), env("METALLB_DEPLOYMENT"))
    else {
        return;
    };
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    if !running || secret.is_empty() || world.api.get_as::<Secret>(&namespace, &secret).is_some() {
        return;
    }
    let Some(uid) = world
        .api
        .get_as::<Deployment>(&namespace, &deployment)
        .and_then(|d| d.metadata.uid.clone())
    else {
        return;
    };
    let mut rng = world.side_rng("metallb-memberlist");
    let key: Vec<u8> = (0..16).map(|_| rng.next_u64() as u8).collect();
    let encoded = base64::encode(&key).trim_end_matches('=').to_string();
    let object = Secret {
        metadata: ObjectMeta {
            name: Some(secret),
            namespace: Some(namespace),
            owner_references: Some(vec![OwnerReference {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: deployment,
                uid,
                ..Default::default()
            }]),
            ..Default::default()
        },
        data: Some(BTreeMap::from([(
            "secretkey".to_string(),
            ByteString(encoded.into_bytes()),
        )])),
        ..Default::default()
    };
    let _ = world.create(Object::Secret(Box::new(object)));
}

/// Gives every handled service without an address one, oldest first.
fn assign(world: &mut World, install: &Install) {
    let pools = metallb::pools(world, install);
    if pools.is_empty() {
        return;
    }
    let mut services: Vec<Service> = world
        .api
        .list_as::<Service>(None)
        .filter(|s| handled(s))
        .cloned()
        .collect();
    services.stable_sort_by(|a, b| {
        (
            a.metadata.creation_timestamp.as_ref().map(|t| t.0),
            key_of(a),
        )
            .cmp(&(
                b.metadata.creation_timestamp.as_ref().map(|t| t.0),
                key_of(b),
            ))
    });
    // An address no pool allows any more (the pools changed) is taken back.
    let allowed = |ip: &String| metallb::pool_of(&pools, ip).is_some();
    let mut used: BTreeSet<String> = services.iter().flat_map(assigned).filter(allowed).collect();
    for svc in services {
        let current = assigned(&svc);
        if current.iter().all(allowed) && !current.is_empty() {
            continue;
        }
        let (ns, name) = key_of(&svc);
        let obj = Object::Service(Box::new(svc.clone()));
        let source = Source {
            component: "metallb-controller",
            host: None,
        };
        if let (Some(ip), false) = (current.first(), install.release.legacy()) {
            let message = format!(
                "current IP for \"{ns}/{name}\" not allowed by config, will attempt for new IP assignment: [{ip:?}] is not allowed in config"
            );
            events::record(
                world,
                &obj,
                EventType::Normal,
                "ClearAssignment",
                &message,
                source.clone(),
            );
        }
        match allocate(&svc, &pools, &used, install.release.legacy()) {
            Ok(ip) => {
                used.insert(ip.clone());
                let mut next = svc;
                let status = next.status.get_or_insert_with(Default::default);
                status.load_balancer = Some(LoadBalancerStatus {
                    ingress: Some(vec![LoadBalancerIngress {
                        ip: Some(ip.clone()),
                        ..Default::default()
                    }]),
                });
                let pool = metallb::pool_of(&pools, &ip).map(|p| p.name.clone());
                if world
                    .api
                    .update_status(Object::Service(Box::new(next)))
                    .is_ok()
                {
                    if let (false, Some(pool)) = (install.release.legacy(), pool) {
                        annotate_pool(world, &ns, &name, pool);
                    }
                    let message = if install.release.legacy() {
                        format!("Assigned IP {ip:?}")
                    } else {
                        format!("Assigned IP [{ip:?}]")
                    };
                    events::record(
                        world,
                        &obj,
                        EventType::Normal,
                        "IPAllocated",
                        &message,
                        source,
                    );
                }
            }
            Err(why) => {
                let message = format!("Failed to allocate IP for \"{ns}/{name}\": {why}");
                events::record(
                    world,
                    &obj,
                    EventType::Warning,
                    "AllocationFailed",
                    &message,
                    source,
                );
            }
        }
    }
}

/// Records the pool an address came from (`metallb.io/ip-allocated-from-pool`, since 0.13).
fn annotate_pool(world: &mut World, ns: &str, name: &str, pool: String) {
    let Some(mut svc) = world.api.get_as::<Service>(ns, name).cloned() else {
        return;
    };
    svc.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert("metallb.io/ip-allocated-from-pool".into(), pool);
    let _ = world.api.update(Object::Service(Box::new(svc)));
}

impl MetalLb {
    /// Reports the node that announces each assigned address, when it changes.
    fn announce(&mut self, world: &mut World, install: &Install) {
        let services: Vec<Service> = world
            .api
            .list_as::<Service>(None)
            .filter(|s| handled(s))
            .cloned()
            .collect();
        let mut seen = BTreeSet::new();
        for svc in services {
            let key = key_of(&svc);
            let Some(ip) = assigned(&svc).into_iter().next() else {
                continue;
            };
            let Some(node) = metallb::announcer(world, install, &svc, &ip) else {
                continue;
            };
            seen.insert(key.clone());
            if self.announced.get(&key) == Some(&node) {
                continue;
            }
            let message = if install.release.legacy() {
                format!("announcing from node {node:?}")
            } else {
                format!("announcing from node {node:?} with protocol \"layer2\"")
            };
            let obj = Object::Service(Box::new(svc));
            let source = Source {
                component: "metallb-speaker",
                host: None,
            };
            events::record(
                world,
                &obj,
                EventType::Normal,
                "nodeAssigned",
                &message,
                source,
            );
            self.announced.insert(key, node);
        }
        self.announced.retain(|k, _| seen.contains(k));
    }
}
