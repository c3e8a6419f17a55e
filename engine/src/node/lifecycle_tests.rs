//! Golden tests of the node side: a pod bound to a node goes in, and the kubelet's stages
//! come out as the pod's status and events over simulated time, through the timer tasks
//! the kubelet schedules for itself.

use serde_json::json;

use super::Kubelet;
use crate::api::object::Pod;
use crate::cluster::ClusterProfile;
use crate::controllers::node_lifecycle::NodeLifecycle;
use crate::controllers::testing::{object, Bench};
use crate::timers::Task;

/// Runs the kubelet's timer tasks for `seconds` of simulated time; returns one line per
/// change of the pod (`+ms phase container-state`) and the events recorded, in order.
fn run(image: &str, seconds: i64) -> String {
    let mut bench = Bench::new(Box::<NodeLifecycle>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"nodeName": "node1", "containers": [{"name": "web", "image": image}]}
    })));
    let start = bench.world.clock.now_ms();
    let mut kubelet = Kubelet::default();
    let mut lines = Vec::new();
    let mut last = String::new();
    while let Some((due, task)) = bench.world.timers.pop_due(start + seconds * 1000) {
        bench.world.clock.set(due);
        if let Task::KubeletSync {
            namespace,
            name,
            uid,
        } = task
        {
            kubelet.sync(&mut bench.world, &namespace, &name, &uid);
        }
        let Some(pod) = bench.world.api.get_as::<Pod>("default", "web") else {
            continue;
        };
        let status = pod.status.clone().unwrap_or_default();
        let state = status
            .container_statuses
            .iter()
            .flatten()
            .map(|c| {
                let s = c.state.clone().unwrap_or_default();
                match (s.waiting, s.running, s.terminated) {
                    (Some(w), _, _) => format!("waiting:{}", w.reason.unwrap_or_default()),
                    (_, Some(_), _) => format!("running(restarts {})", c.restart_count),
                    (_, _, Some(t)) => format!("terminated:{}", t.reason.unwrap_or_default()),
                    _ => "none".into(),
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        let line = format!(
            "{} {} {}",
            status.phase.unwrap_or_default(),
            state,
            status.pod_ip.unwrap_or_default()
        );
        if line != last {
            lines.push(format!("+{}ms {line}", due - start));
            last = line;
        }
    }
    let events: Vec<String> = bench
        .events()
        .into_iter()
        .filter(|e| !e.is_empty())
        .collect();
    format!("{}\n--\n{}\n", lines.join("\n"), events.join("\n"))
}

#[test]
fn a_pod_pulls_starts_and_runs() {
    assert_eq!(
        run("nginx:1.27", 60),
        r#"+0ms Pending waiting:ContainerCreating 10.244.1.2
+6040ms Running running(restarts 0) 10.244.1.2
--
Pulling: Pulling image "nginx:1.27"
Pulled: Successfully pulled image "nginx:1.27" in 5.34s (5.34s including waiting). Image size: 72225394 bytes.
Created: Created container: web
Started: Started container web
"#
    );
}

#[test]
fn a_misspelt_image_backs_off_10_20_40_seconds() {
    assert_eq!(
        run("ngnix", 120),
        r#"+0ms Pending waiting:ContainerCreating 10.244.1.2
+1900ms Pending waiting:ErrImagePull 10.244.1.2
+2900ms Pending waiting:ImagePullBackOff 10.244.1.2
+14100ms Pending waiting:ErrImagePull 10.244.1.2
+15100ms Pending waiting:ImagePullBackOff 10.244.1.2
+36300ms Pending waiting:ErrImagePull 10.244.1.2
+37300ms Pending waiting:ImagePullBackOff 10.244.1.2
+78500ms Pending waiting:ErrImagePull 10.244.1.2
+79500ms Pending waiting:ImagePullBackOff 10.244.1.2
--
Pulling: Pulling image "ngnix"
Failed: Failed to pull image "ngnix": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed
Failed: Error: ErrImagePull
BackOff: Back-off pulling image "ngnix"
Failed: Error: ImagePullBackOff
"#
    );
}

/// Runs the kubelet's timer tasks until `until_ms`.
fn run_until(bench: &mut Bench, kubelet: &mut Kubelet, until_ms: i64) {
    while let Some((due, task)) = bench.world.timers.pop_due(until_ms) {
        bench.world.clock.set(due);
        if let Task::KubeletSync {
            namespace,
            name,
            uid,
        } = task
        {
            kubelet.sync(&mut bench.world, &namespace, &name, &uid);
        }
    }
}

#[test]
fn a_crash_looping_pod_is_synced_from_its_current_spec() {
    let mut bench = Bench::new(Box::<NodeLifecycle>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "crash", "namespace": "default"},
        "spec": {"nodeName": "node1",
                 "containers": [{"name": "c", "image": "busybox", "command": ["false"]}]}
    })));
    let start = bench.world.clock.now_ms();
    let mut kubelet = Kubelet::default();
    run_until(&mut bench, &mut kubelet, start + 60_000);
    let stored = bench.world.api.get_as::<Pod>("default", "crash").cloned();
    let stored = stored.expect("pod");
    assert!(stored
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .all(|c| c.restart_count >= 2));

    // Another writer changes the pod: the next restarts run its new image.
    let mut changed = stored.clone();
    if let Some(c) = changed.spec.as_mut().and_then(|s| s.containers.first_mut()) {
        c.image = Some("busybox:1.36".into());
    }
    let _ = bench
        .world
        .api
        .update(crate::api::object::Object::Pod(Box::new(changed)));
    run_until(&mut bench, &mut kubelet, start + 400_000);
    let stored = bench.world.api.get_as::<Pod>("default", "crash").cloned();
    let images: Vec<String> = stored
        .iter()
        .flat_map(|p| p.status.iter())
        .flat_map(|s| s.container_statuses.iter().flatten())
        .map(|c| c.image.clone())
        .collect();
    assert_eq!(images, ["docker.io/library/busybox:1.36"]);
}
