//! The eviction manager: which limit a measurement breaks and the message it gives, and a
//! pod over its emptyDir `sizeLimit` evicted at the housekeeping after it is measured.

use serde_json::{json, Value};

use super::*;
use crate::api::object::Pod;
use crate::cluster::ClusterProfile;
use crate::controllers::node_lifecycle::NodeLifecycle;
use crate::controllers::testing::{object, Bench};
use crate::node::Kubelet;

fn pod(spec: Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "uid": "u1"},
        "spec": spec
    }))
    .unwrap()
}

fn sample(volumes: &[(&str, u64)], containers: &[(&str, u64)]) -> Sample {
    Sample {
        volumes: volumes.iter().map(|(n, b)| (n.to_string(), *b)).collect(),
        containers: containers
            .iter()
            .map(|(n, b)| (n.to_string(), *b))
            .collect(),
        ..Default::default()
    }
}

#[test]
fn empty_dir_over_its_size_limit() {
    let p = pod(json!({
        "containers": [{"name": "c", "image": "nginx"}],
        "volumes": [
            {"name": "mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1Ki"}},
            {"name": "cache", "emptyDir": {"sizeLimit": "0.5Mi"}}
        ]
    }));
    assert!(has_limits(&p));
    assert_eq!(violation(&p, &sample(&[("cache", 524_288)], &[])), None);
    assert_eq!(
        violation(&p, &sample(&[("cache", 524_289), ("mem", 1 << 20)], &[])).as_deref(),
        Some("Usage of EmptyDir volume \"cache\" exceeds the limit \"512Ki\". ")
    );
}

#[test]
fn ephemeral_storage_limits() {
    let limit = |q: &str| json!({"limits": {"ephemeral-storage": q}});
    let p = pod(json!({
        "containers": [
            {"name": "a", "image": "nginx", "resources": limit("100Mi")},
            {"name": "b", "image": "nginx", "resources": limit("50Mi")}
        ],
        "volumes": [{"name": "scratch", "emptyDir": {}}]
    }));
    let mib = 1 << 20;
    assert_eq!(
        violation(&p, &sample(&[("scratch", 100 * mib)], &[("a", 51 * mib)])).as_deref(),
        Some("Pod ephemeral local storage usage exceeds the total limit of containers 150Mi. ")
    );
    assert_eq!(
        violation(&p, &sample(&[], &[("a", 10 * mib), ("b", 51 * mib)])).as_deref(),
        Some("Container b exceeded its local ephemeral storage limit \"50Mi\". ")
    );
    assert_eq!(violation(&p, &sample(&[], &[("b", 50 * mib)])), None);
    let plain = pod(json!({"containers": [{"name": "c", "image": "nginx"}]}));
    assert!(!has_limits(&plain));
}

#[test]
fn grid() {
    assert_eq!(next_tick(0), 10_000);
    assert_eq!(next_tick(12_345), 20_000);
    assert_eq!(next_tick(20_000), 30_000);
}

/// Runs every timer for `seconds`, as the cluster does (kubelet syncs and housekeeping).
fn run(bench: &mut Bench, kubelet: &mut Kubelet, seconds: i64) {
    let until = bench.world.clock.now_ms() + seconds * 1000;
    while let Some((due, task)) = bench.world.timers.pop_due(until) {
        bench.world.clock.set(due);
        match task {
            Task::KubeletSync {
                namespace,
                name,
                uid,
            } => kubelet.sync(&mut bench.world, &namespace, &name, &uid),
            Task::Housekeeping => kubelet.housekeeping(&mut bench.world),
            _ => {}
        }
    }
    bench.world.clock.set(until);
}

fn start(volume: Value) -> (Bench, Kubelet, String) {
    let mut bench = Bench::new(Box::<NodeLifecycle>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "nodeName": "node1",
            "containers": [{"name": "web", "image": "nginx",
                "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]}],
            "volumes": [volume]
        }
    })));
    let mut kubelet = Kubelet::default();
    run(&mut bench, &mut kubelet, 30);
    let uid = bench
        .world
        .api
        .get_as::<Pod>("default", "web")
        .and_then(|p| p.metadata.uid.clone())
        .unwrap();
    (bench, kubelet, uid)
}

#[test]
fn a_pod_over_its_size_limit_is_evicted() {
    let (mut bench, mut kubelet, uid) =
        start(json!({"name": "cache", "emptyDir": {"sizeLimit": "20Ki"}}));
    assert!(kubelet.eviction.watched.contains_key(&uid));
    let backing = Backing::Pod {
        uid: uid.clone(),
        volume: "cache".into(),
    };
    let data = "x".repeat(30_000);
    bench
        .world
        .storage
        .tree_mut(&backing, 1 << 30)
        .unwrap()
        .write("/big", &data, false, 0o644, 0)
        .unwrap();
    run(&mut bench, &mut kubelet, 120);
    let pod = bench.world.api.get_as::<Pod>("default", "web").unwrap();
    let status = pod.status.clone().unwrap();
    assert_eq!(status.phase.as_deref(), Some("Failed"));
    assert_eq!(status.reason.as_deref(), Some("Evicted"));
    assert_eq!(
        status.message.as_deref(),
        Some("Usage of EmptyDir volume \"cache\" exceeds the limit \"20Ki\". ")
    );
    let cs = &status.container_statuses.unwrap()[0];
    let term = cs.state.as_ref().unwrap().terminated.clone().unwrap();
    assert_eq!(
        (term.exit_code, term.reason.as_deref()),
        (137, Some(STATUS_UNKNOWN))
    );
    assert_eq!(cs.restart_count, 1);
    assert!(bench.world.storage.tree(&backing).is_none());
    let reasons: Vec<String> = bench
        .world
        .api
        .list_as::<k8s_openapi::api::core::v1::Event>(Some("default"))
        .map(|e| e.reason.clone().unwrap_or_default())
        .collect();
    assert!(reasons.iter().any(|r| r == "Evicted"));
    assert!(reasons.iter().any(|r| r == "Killing"));
    // Nothing is left to watch: the housekeeping stops.
    assert!(kubelet.eviction.watched.is_empty());
    assert_eq!(kubelet.eviction.armed, None);
    run(&mut bench, &mut kubelet, 60);
    assert_eq!(bench.world.timers.next_due(), None);
}

#[test]
fn pods_without_limits_cost_nothing() {
    let (bench, kubelet, _) = start(json!({"name": "cache", "emptyDir": {}}));
    assert!(kubelet.eviction.watched.is_empty());
    assert_eq!(kubelet.eviction.armed, None);
    assert_eq!(bench.world.timers.next_due(), None);
}

#[test]
fn usage_under_the_limit_keeps_the_pod_running() {
    let (mut bench, mut kubelet, uid) =
        start(json!({"name": "cache", "emptyDir": {"sizeLimit": "1Mi"}}));
    run(&mut bench, &mut kubelet, 300);
    let pod = bench.world.api.get_as::<Pod>("default", "web").unwrap();
    assert_eq!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Running")
    );
    assert!(kubelet.eviction.watched.contains_key(&uid));
}
