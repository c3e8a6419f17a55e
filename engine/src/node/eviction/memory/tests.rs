//! Memory pressure: the ranking, the eviction message, and a node filled past its threshold.

use crate::sort::SliceSort;
use serde_json::json;

use super::*;
use crate::cluster::ClusterProfile;
use crate::controllers::node_lifecycle::NodeLifecycle;
use crate::controllers::testing::{object, Bench};
use crate::node::Kubelet;
use crate::timers::Task;

const MI: u64 = 1 << 20;

fn candidate(usage: Option<u64>, request: u64, priority: i32) -> Candidate {
    Candidate {
        usage,
        request,
        priority,
    }
}

/// Sorts `pods` as the eviction manager does and gives their indexes in eviction order.
fn order(pods: &[Candidate]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..pods.len()).collect();
    idx.stable_sort_by(|a, b| rank(&pods[*a], &pods[*b]));
    idx
}

#[test]
fn pods_over_their_requests_go_first_then_by_priority_then_by_excess() {
    let pods = [
        // Guaranteed-like: under its request.
        candidate(Some(100 * MI), 200 * MI, 0),
        // BestEffort, small.
        candidate(Some(10 * MI), 0, 0),
        // BestEffort, big.
        candidate(Some(900 * MI), 0, 0),
        // Burstable over its request by 50Mi, high priority.
        candidate(Some(150 * MI), 100 * MI, 1000),
        // Over its request, lower priority than 0.
        candidate(Some(20 * MI), 0, -5),
    ];
    assert_eq!(order(&pods), vec![4, 2, 1, 3, 0]);
}

#[test]
fn pods_without_stats_go_first_and_tie_on_stats_among_themselves() {
    let pods = [
        candidate(Some(900 * MI), 0, 0),
        candidate(None, 0, 10),
        candidate(None, 0, 5),
    ];
    // Without stats first; between them priority decides.
    assert_eq!(order(&pods), vec![2, 1, 0]);
    // Equal usage and request: a tie (the sort keeps the pods' order).
    let a = candidate(Some(MI), 0, 0);
    assert_eq!(rank(&a, &a.clone()), Ordering::Equal);
}

#[test]
fn usage_under_requests_ranks_by_priority_only_before_excess() {
    // Both under their requests: the lower priority goes first even if it uses less.
    let pods = [
        candidate(Some(50 * MI), 100 * MI, 10),
        candidate(Some(10 * MI), 100 * MI, 1),
    ];
    assert_eq!(order(&pods), vec![1, 0]);
}

#[test]
fn quantities_print_as_go_binary_quantities() {
    assert_eq!(binary(i128::from(DEFAULT_THRESHOLD)), "100Mi");
    assert_eq!(binary(52_428 * 1024), "52428Ki");
    assert_eq!(binary(-(3 << 20)), "-3Mi");
    assert_eq!(binary(1500), "1500");
    assert_eq!(binary(0), "0");
}

fn pod(spec: serde_json::Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "uid": "u1"},
        "spec": spec
    }))
    .unwrap()
}

fn stats(name: &str, bytes: u64) -> stats::ContainerStats {
    stats::ContainerStats {
        name: name.into(),
        memory_working_set_bytes: bytes,
        ..Default::default()
    }
}

#[test]
fn the_message_names_each_container_over_its_request() {
    let p = pod(json!({"containers": [
        {"name": "hog", "image": "polinux/stress"},
        {"name": "side", "image": "nginx", "resources": {"requests": {"memory": "64Mi"}}},
        {"name": "big", "image": "nginx", "resources": {"requests": {"memory": "0.5Gi"}}}
    ]}));
    let containers = [
        stats("hog", 1200 * MI),
        stats("side", 8 * MI),
        stats("big", 600 * MI),
    ];
    assert_eq!(
        message(&p, &containers, DEFAULT_THRESHOLD, 40 * 1024 * 1024 + 4096),
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 40964Ki. \
         Container hog was using 1200Mi, request is 0, has larger consumption of memory. \
         Container big was using 600Mi, request is 512Mi, has larger consumption of memory. "
    );
}

#[test]
fn static_mirror_and_system_critical_pods_are_never_evicted() {
    let plain = pod(json!({"containers": [{"name": "c", "image": "nginx"}]}));
    assert!(!critical(&plain));
    let mut mirror = plain.clone();
    mirror.metadata.annotations = Some(
        [("kubernetes.io/config.mirror".to_string(), "abc".to_string())]
            .into_iter()
            .collect(),
    );
    assert!(critical(&mirror));
    let mut system = plain.clone();
    system.spec.as_mut().unwrap().priority = Some(2_000_001_000);
    assert!(critical(&system));
    let with_init = pod(json!({
        "initContainers": [{"name": "i", "image": "busybox", "resources": {"requests": {"memory": "1Gi"}}}],
        "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"memory": "64Mi"}}}]
    }));
    assert_eq!(memory_request(&with_init), 1 << 30);
}

/// Runs every timer for `seconds` with the node lifecycle controller after each, as the
/// cluster does.
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
        bench.pass();
    }
    bench.world.clock.set(until);
}

fn hog(bench: &mut Bench, name: &str, bytes: &str) {
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "nodeName": "node1",
            "containers": [{"name": "stress", "image": "polinux/stress",
                "command": ["stress"], "args": ["--vm", "1", "--vm-bytes", bytes, "--vm-hang", "1"]}]
        }
    })));
}

fn node(bench: &Bench) -> Node {
    bench.world.api.get_as::<Node>("", "node1").unwrap().clone()
}

fn pressure(bench: &Bench) -> (String, Vec<String>) {
    let n = node(bench);
    let status = n
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .find(|c| c.type_ == "MemoryPressure")
        .map(|c| c.status.clone())
        .unwrap_or_default();
    let taints = n
        .spec
        .iter()
        .flat_map(|s| s.taints.iter().flatten())
        .map(|t| format!("{}:{}", t.key, t.effect))
        .collect();
    (status, taints)
}

fn phase(bench: &Bench, name: &str) -> String {
    bench
        .world
        .api
        .get_as::<Pod>("default", name)
        .and_then(|p| p.status.as_ref()?.phase.clone())
        .unwrap_or_default()
}

#[test]
fn a_full_node_reports_pressure_evicts_the_biggest_best_effort_pod_and_recovers() {
    let mut bench = Bench::new(Box::<NodeLifecycle>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    let mut kubelet = Kubelet::default();
    hog(&mut bench, "small", "1000M");
    run(&mut bench, &mut kubelet, 30);
    // Plenty left: nothing watched, no timers.
    assert!(!kubelet.eviction.memory.is_watching());
    assert_eq!(bench.world.timers.next_due(), None);
    hog(&mut bench, "big", "2500M");
    run(&mut bench, &mut kubelet, 30);
    assert_eq!(phase(&bench, "big"), "Failed");
    assert_eq!(phase(&bench, "small"), "Running");
    assert_eq!(
        pressure(&bench),
        (
            "True".to_string(),
            vec!["node.kubernetes.io/memory-pressure:NoSchedule".to_string()]
        )
    );
    let big = bench.world.api.get_as::<Pod>("default", "big").unwrap();
    let status = big.status.clone().unwrap();
    assert_eq!(status.reason.as_deref(), Some("Evicted"));
    assert!(status.message.as_deref().unwrap().starts_with(
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: -"
    ));
    let disruption = status.conditions.iter().flatten().last().cloned().unwrap();
    assert_eq!(
        (disruption.type_.as_str(), disruption.reason.as_deref()),
        ("DisruptionTarget", Some("TerminationByKubelet"))
    );
    // Its memory is free again; the condition holds for the transition period.
    let uid = big.metadata.uid.clone().unwrap();
    assert_eq!(bench.world.cgroups.of_pod(&uid).count(), 0);
    run(&mut bench, &mut kubelet, 240);
    assert_eq!(pressure(&bench).0, "True");
    run(&mut bench, &mut kubelet, 60);
    assert_eq!(pressure(&bench), ("False".to_string(), vec![]));
    assert!(!kubelet.eviction.memory.is_watching());
    assert_eq!(bench.world.timers.next_due(), None);
    let reasons: Vec<String> = bench
        .world
        .api
        .list_as::<k8s_openapi::api::core::v1::Event>(None)
        .filter(|e| e.involved_object.kind.as_deref() == Some("Node"))
        .map(|e| {
            format!(
                "{} {}",
                e.reason.clone().unwrap_or_default(),
                e.count.unwrap_or(0)
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            "NodeHasInsufficientMemory 1",
            "EvictionThresholdMet 1",
            "NodeHasSufficientMemory 1"
        ]
    );
}

#[test]
fn a_node_without_a_threshold_never_reports_pressure() {
    let mut bench = Bench::new(Box::<NodeLifecycle>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    let mut kubelet = Kubelet::default();
    kubelet.eviction.memory.set_threshold("node1", None);
    hog(&mut bench, "big", "3900M");
    run(&mut bench, &mut kubelet, 60);
    assert_eq!(phase(&bench, "big"), "Running");
    assert_eq!(pressure(&bench), ("False".to_string(), vec![]));
}
