//! kube-aggregator's availability controllers: the `Available` condition of every
//! APIService. A local one (no `spec.service`) is always available; one backed by a
//! Service is available once that Service exists, has the port and a ready endpoint for it
//! (`remote_available_controller`'s checks, with their reasons and messages). The discovery
//! request that follows upstream is taken to succeed.

use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::endpointslice::LABEL_SERVICE_NAME;
use super::runtime::{Controller, Queue};
use crate::api::object::{
    api_service_available, APIService, Object, ObjectKey, Service, WatchEvent,
};
use crate::world::World;

/// The availability controllers; they remember nothing but their queue.
#[derive(Clone, Debug, Default)]
pub struct ApiServices;

fn key(name: &str) -> ObjectKey {
    ObjectKey {
        kind: "APIService",
        namespace: String::new(),
        name: name.to_string(),
    }
}

impl Controller for ApiServices {
    fn name(&self) -> &'static str {
        "apiservice-availability"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::APIService(_) | Object::Service(_) | Object::EndpointSlice(_)
        )
    }

    /// An APIService's own events, and those of the Service (or its slices) it points at.
    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        let (ns, service) = match &*event.object {
            Object::APIService(a) => {
                queue.add(key(a.metadata.name.as_deref().unwrap_or("")));
                return;
            }
            Object::Service(s) => (
                s.metadata.namespace.as_deref().unwrap_or(""),
                s.metadata.name.as_deref().unwrap_or(""),
            ),
            Object::EndpointSlice(e) => {
                let Some(name) = e
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(LABEL_SERVICE_NAME))
                else {
                    return;
                };
                (e.metadata.namespace.as_deref().unwrap_or(""), name.as_str())
            }
            _ => return,
        };
        for a in world.api.list_as::<APIService>(None) {
            let target = a.spec.as_ref().and_then(|s| s.service.as_ref());
            if target.is_some_and(|t| {
                t.namespace.as_deref() == Some(ns) && t.name.as_deref() == Some(service)
            }) {
                queue.add(key(a.metadata.name.as_deref().unwrap_or("")));
            }
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(mut api) = world.api.get_as::<APIService>("", &key.name).cloned() else {
            return;
        };
        let (status, reason, message) = availability(world, &api);
        let now = world.clock.now_time();
        let conditions = api
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .get_or_insert_with(Vec::new);
        match conditions.iter_mut().find(|c| c.type_ == "Available") {
            Some(c) => {
                if c.status == status
                    && c.reason.as_deref() == Some(reason)
                    && c.message.as_deref() == Some(message.as_str())
                {
                    return;
                }
                if c.status != status {
                    c.status = status.into();
                    c.last_transition_time = Some(now);
                }
                c.reason = Some(reason.into());
                c.message = Some(message);
            }
            None => conditions.push(api_service_available(status, reason, &message, now)),
        }
        let _ = world.api.update_status(Object::APIService(Box::new(api)));
    }
}

/// The `Available` condition's status, reason and message.
fn availability(world: &World, api: &APIService) -> (&'static str, &'static str, String) {
    let Some(target) = api.spec.as_ref().and_then(|s| s.service.as_ref()) else {
        return (
            "True",
            "Local",
            "Local APIServices are always available".into(),
        );
    };
    let ns = target.namespace.as_deref().unwrap_or("");
    let name = target.name.as_deref().unwrap_or("");
    let Some(svc) = world.api.get_as::<Service>(ns, name) else {
        return (
            "False",
            "ServiceNotFound",
            format!("service/{name} in \"{ns}\" is not present"),
        );
    };
    let spec = svc.spec.clone().unwrap_or_default();
    if spec.type_.as_deref().unwrap_or("ClusterIP") == "ClusterIP" {
        let port = target.port.unwrap_or(443);
        let Some(service_port) = spec.ports.iter().flatten().find(|p| p.port == port) else {
            return (
                "False",
                "ServicePortError",
                format!("service/{name} in \"{ns}\" is not listening on port {port}"),
            );
        };
        let port_name = service_port.name.clone().unwrap_or_default();
        let slices: Vec<&EndpointSlice> = world
            .api
            .list_as::<EndpointSlice>(Some(ns))
            .filter(|e| {
                e.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(LABEL_SERVICE_NAME))
                    .is_some_and(|n| n == name)
            })
            .collect();
        if slices.is_empty() {
            return (
                "False",
                "EndpointsNotFound",
                format!("cannot find endpointslices for service/{name} in \"{ns}\""),
            );
        }
        let active = slices.iter().any(|s| {
            s.endpoints
                .iter()
                .any(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
                && s.ports
                    .iter()
                    .flatten()
                    .any(|p| p.name.as_deref() == Some(port_name.as_str()) && p.port.is_some())
        });
        if !active {
            return (
                "False",
                "MissingEndpoints",
                format!(
                    "endpointslices for service/{name} in \"{ns}\" have no addresses with port name \"{port_name}\""
                ),
            );
        }
    }
    ("True", "Passed", "all checks passed".into())
}
