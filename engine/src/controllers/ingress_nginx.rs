//! ingress-nginx's controller loop, while its pods run: every Ingress of its class gets the
//! event `Sync` ("Scheduled for sync") when it is created or changed, and its
//! `status.loadBalancer.ingress` (the `ADDRESS` column): the addresses of the
//! `--publish-service` (its load-balancer IPs) or, without one (the bare-metal manifest), the
//! InternalIPs of the nodes its pods run on. Routing is `network::ingress_nginx`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::networking::v1::{
    Ingress, IngressClass, IngressLoadBalancerIngress, IngressLoadBalancerStatus, IngressStatus,
};

use super::addon_pods::AddonPods;
use super::runtime::{Controller, Queue, WholeStore};
use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::api::pod;
use crate::network::ingress_nginx::Controller as Flags;
use crate::node::process::addon;
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// The loop: one pass over every Ingress after any write it did not make.
#[derive(Clone, Debug)]
pub struct IngressNginx {
    trigger: WholeStore,
    pods: AddonPods,
    /// The generation of each Ingress last announced with `Sync`, by uid.
    synced: BTreeMap<String, i64>,
}

impl Default for IngressNginx {
    fn default() -> Self {
        IngressNginx {
            trigger: WholeStore::over("Ingress"),
            pods: AddonPods::of(addon::Program::IngressNginx),
            synced: BTreeMap::new(),
        }
    }
}

/// A running controller pod and its argv (with `$(POD_NAMESPACE)` expanded).
fn controllers(world: &World) -> Vec<(Pod, Vec<String>)> {
    world
        .api
        .list_as::<Pod>(None)
        .filter(|p| pod::running_and_ready(p))
        .filter_map(|p| match addon::pod_command(p)? {
            (addon::Program::IngressNginx, argv) => Some((p.clone(), argv)),
            _ => None,
        })
        .collect()
}

/// The addresses a controller publishes.
fn addresses(world: &World, pods: &[(Pod, Vec<String>)]) -> Vec<String> {
    let published = pods
        .iter()
        .find_map(|(_, argv)| addon::flag(argv, "--publish-service").map(str::to_string));
    if let Some(svc) = published {
        let (ns, name) = svc.split_once('/').unwrap_or(("", svc.as_str()));
        return world
            .api
            .get_as::<Service>(ns, name)
            .and_then(|s| s.status.as_ref()?.load_balancer.as_ref()?.ingress.clone())
            .into_iter()
            .flatten()
            .filter_map(|i| i.ip)
            .collect();
    }
    let nodes: BTreeSet<String> = pods
        .iter()
        .filter_map(|(p, _)| p.spec.as_ref()?.node_name.clone())
        .collect();
    nodes
        .iter()
        .filter_map(|n| {
            let node = world.api.get_as::<Node>("", n)?;
            let addrs = node.status.as_ref()?.addresses.as_ref()?;
            let pick = |t: &str| {
                addrs
                    .iter()
                    .find(|a| a.type_ == t)
                    .map(|a| a.address.clone())
            };
            pick("ExternalIP").or_else(|| pick("InternalIP"))
        })
        .collect()
}

impl Controller for IngressNginx {
    fn name(&self) -> &'static str {
        "ingress-nginx"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Pod(_))
            || (self.pods.present()
                && matches!(
                    obj,
                    Object::Ingress(_)
                        | Object::IngressClass(_)
                        | Object::Service(_)
                        | Object::Node(_)
                ))
    }

    fn enqueue(&mut self, event: &WatchEvent, world: &World, _queue: &mut Queue) {
        let own_pod = self.pods.note(event);
        let relevant = own_pod
            || matches!(
                *event.object,
                Object::Ingress(_) | Object::IngressClass(_) | Object::Service(_) | Object::Node(_)
            );
        if relevant && self.pods.present() {
            self.trigger.note(world);
        }
    }

    fn after_events(&mut self, _world: &World, queue: &mut Queue) {
        self.trigger.queue(queue);
    }

    fn sync(&mut self, world: &mut World, _key: &ObjectKey, _queue: &mut Queue) {
        let pods = controllers(world);
        if let Some((_, argv)) = pods.first() {
            let flags = Flags::from_argv(argv);
            let classes: Vec<IngressClass> =
                world.api.list_as::<IngressClass>(None).cloned().collect();
            let ingresses: Vec<Ingress> = world
                .api
                .list_as::<Ingress>(None)
                .filter(|i| flags.serves(i, &classes))
                .cloned()
                .collect();
            let wanted = addresses(world, &pods);
            let live: BTreeSet<String> = ingresses
                .iter()
                .filter_map(|i| i.metadata.uid.clone())
                .collect();
            self.synced.retain(|uid, _| live.contains(uid));
            for ing in ingresses {
                self.announce(world, &ing, pods.len());
                publish(world, ing, &wanted);
            }
        }
        self.trigger.synced(world);
    }
}

impl IngressNginx {
    /// `Sync` from every controller pod, once per generation of the Ingress.
    fn announce(&mut self, world: &mut World, ing: &Ingress, replicas: usize) {
        let uid = ing.metadata.uid.clone().unwrap_or_default();
        let generation = ing.metadata.generation.unwrap_or(1);
        if self.synced.get(&uid) == Some(&generation) {
            return;
        }
        self.synced.insert(uid, generation);
        let obj = Object::Ingress(Box::new(ing.clone()));
        for _ in 0..replicas.max(1) {
            let source = Source {
                component: "nginx-ingress-controller",
                host: None,
            };
            events::record(
                world,
                &obj,
                EventType::Normal,
                "Sync",
                "Scheduled for sync",
                source,
            );
        }
    }
}

/// Writes the published addresses into the Ingress's status when they differ.
fn publish(world: &mut World, mut ing: Ingress, wanted: &[String]) {
    let current: Vec<String> = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref()?.ingress.clone())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip)
        .collect();
    if current == wanted {
        return;
    }
    let ingress = wanted
        .iter()
        .map(|ip| IngressLoadBalancerIngress {
            ip: Some(ip.clone()),
            ..Default::default()
        })
        .collect::<Vec<_>>();
    ing.status = Some(IngressStatus {
        load_balancer: Some(IngressLoadBalancerStatus {
            ingress: (!ingress.is_empty()).then_some(ingress),
        }),
    });
    let _ = world.api.update_status(Object::Ingress(Box::new(ing)));
}
