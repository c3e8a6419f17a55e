use serde_json::json;

use super::*;
use crate::cluster::ClusterProfile;
use crate::controllers::testing::{object, Bench};

/// A bench with the default cluster's nodes (endpoints need their pod's node).
fn bench() -> Bench {
    let mut bench = Bench::new(Box::<EndpointSliceController>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    bench
}

/// A pod labelled `app: web` on node1 with `ip` (none: not started), its container port
/// 8080 named `http`.
fn pod(bench: &mut Bench, name: &str, ip: Option<&str>, ready: bool) {
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "nodeName": "node1",
            "containers": [{"name": "app", "image": "nginx",
                            "ports": [{"name": "http", "containerPort": 8080}]}]
        }
    })));
    let Some(mut p) = bench.world.api.get_as::<Pod>("default", name).cloned() else {
        panic!("no pod {name}");
    };
    let status = p.status.get_or_insert_with(Default::default);
    status.phase = Some("Running".into());
    if let Some(ip) = ip {
        status.pod_ip = Some(ip.into());
        status.pod_ips = Some(vec![k8s_openapi::api::core::v1::PodIP { ip: ip.into() }]);
    }
    crate::api::pod::set_condition(
        &mut p,
        k8s_openapi::api::core::v1::PodCondition {
            type_: "Ready".into(),
            status: if ready { "True" } else { "False" }.into(),
            last_transition_time: Some(bench.world.clock.now_time()),
            ..Default::default()
        },
    );
    bench
        .world
        .api
        .update_status(Object::Pod(Box::new(p)))
        .unwrap();
}

fn service(bench: &mut Bench, selector: Option<serde_json::Value>, publish: bool) {
    let mut spec = json!({
        "ports": [{"port": 80, "targetPort": "http"}],
        "publishNotReadyAddresses": publish
    });
    if let Some(s) = selector {
        spec["selector"] = s;
    }
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "default", "labels": {"tier": "front"}},
        "spec": spec
    })));
}

fn slices(bench: &Bench) -> Vec<EndpointSlice> {
    bench
        .world
        .api
        .list_as::<EndpointSlice>(Some("default"))
        .cloned()
        .collect()
}

/// (address, ready, serving, terminating) of each endpoint of the one slice.
fn endpoints(bench: &Bench) -> Vec<(String, bool, bool, bool)> {
    let all = slices(bench);
    assert_eq!(all.len(), 1, "one slice");
    all[0]
        .endpoints
        .iter()
        .map(|e| {
            let c = e.conditions.clone().unwrap_or_default();
            (
                e.addresses.join(","),
                c.ready == Some(true),
                c.serving == Some(true),
                c.terminating == Some(true),
            )
        })
        .collect()
}

#[test]
fn a_selector_service_gets_one_owned_slice_of_its_pods_with_an_ip() {
    let mut bench = bench();
    pod(&mut bench, "web-b", Some("10.244.1.7"), true);
    pod(&mut bench, "web-a", Some("10.244.1.9"), false);
    pod(&mut bench, "web-c", None, false);
    service(&mut bench, Some(json!({"app": "web"})), false);
    bench.pass();
    let all = slices(&bench);
    assert_eq!(all.len(), 1);
    let slice = &all[0];
    let meta = &slice.metadata;
    let name = meta.name.clone().unwrap_or_default();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    assert_eq!(meta.generate_name.as_deref(), Some("web-"));
    let labels = meta.labels.clone().unwrap_or_default();
    assert_eq!(
        labels.get(LABEL_MANAGED_BY).map(String::as_str),
        Some(CONTROLLER_NAME)
    );
    assert_eq!(
        labels.get(LABEL_SERVICE_NAME).map(String::as_str),
        Some("web")
    );
    assert_eq!(labels.get("tier").map(String::as_str), Some("front"));
    let owner = &meta.owner_references.clone().unwrap_or_default()[0];
    assert_eq!(
        (
            owner.kind.as_str(),
            owner.name.as_str(),
            owner.controller,
            owner.block_owner_deletion
        ),
        ("Service", "web", Some(true), Some(true))
    );
    assert_eq!(slice.address_type, "IPv4");
    let port = &slice.ports.clone().unwrap_or_default()[0];
    assert_eq!(
        (port.name.as_deref(), port.port, port.protocol.as_deref()),
        (Some(""), Some(8080), Some("TCP"))
    );
    assert_eq!(
        endpoints(&bench),
        vec![
            ("10.244.1.7".to_string(), true, true, false),
            ("10.244.1.9".to_string(), false, false, false),
        ]
    );
    let ep = &slice.endpoints[0];
    assert_eq!(ep.node_name.as_deref(), Some("node1"));
    assert_eq!(ep.zone, None);
    let target = ep.target_ref.clone().unwrap_or_default();
    assert_eq!(
        (target.kind.as_deref(), target.name.as_deref()),
        (Some("Pod"), Some("web-b"))
    );
    // Nothing changed: another pass writes nothing.
    let rv = bench.world.api.resource_version();
    bench.pass();
    assert_eq!(bench.world.api.resource_version(), rv);
}

#[test]
fn terminating_pods_stay_not_ready_and_the_slice_keeps_its_name() {
    let mut bench = bench();
    service(&mut bench, Some(json!({"app": "web"})), false);
    bench.pass();
    // No pods: one placeholder, without ports or endpoints.
    let placeholder = slices(&bench);
    assert_eq!(placeholder.len(), 1);
    assert!(placeholder[0].endpoints.is_empty());
    assert_eq!(placeholder[0].ports.as_deref().map(<[_]>::len), Some(0));
    pod(&mut bench, "web-a", Some("10.244.1.4"), true);
    bench.pass();
    let filled = slices(&bench);
    assert_eq!(filled[0].metadata.name, placeholder[0].metadata.name);
    assert_eq!(filled[0].metadata.generation, Some(2));
    bench
        .world
        .delete("Pod", "default", "web-a", Some(30), false)
        .unwrap();
    bench.pass();
    assert_eq!(
        endpoints(&bench),
        vec![("10.244.1.4".to_string(), false, true, true)]
    );
}

#[test]
fn publish_not_ready_addresses_makes_every_endpoint_ready() {
    let mut bench = bench();
    pod(&mut bench, "web-a", Some("10.244.1.4"), false);
    service(&mut bench, Some(json!({"app": "web"})), true);
    bench.pass();
    assert_eq!(
        endpoints(&bench),
        vec![("10.244.1.4".to_string(), true, false, false)]
    );
}

#[test]
fn a_service_without_selector_gets_no_slice() {
    let mut bench = bench();
    pod(&mut bench, "web-a", Some("10.244.1.4"), true);
    service(&mut bench, None, false);
    bench.pass();
    assert!(slices(&bench).is_empty());
}
