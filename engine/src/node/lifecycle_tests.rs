//! Golden tests of the node side: a pod bound to a node goes in, and the kubelet's stages
//! come out as the pod's status and events over simulated time, through the timer tasks
//! the kubelet schedules for itself.

use serde_json::json;

use super::Kubelet;
use crate::api::object::Pod;
use crate::cluster::ClusterProfile;
use crate::controllers::node_lifecycle::NodeLifecycle;
use crate::controllers::testing::{object, Bench};
use crate::sort::SliceSort;
use crate::timers::Task;

/// A bench with pod `web` of one container (`container`, its spec) bound to node1: runs the
/// kubelet's timer tasks for `seconds` of simulated time, calling `observe(bench, start,
/// elapsed)` after each (`start`: the clock at the start, epoch ms), and returns the bench.
fn drive(
    container: serde_json::Value,
    seconds: i64,
    observe: impl FnMut(&Bench, i64, i64),
) -> Bench {
    drive_pod(json!({"containers": [container]}), &[], seconds, observe)
}

/// As [`drive`], for a pod of spec `spec` (bound to node1), after creating `objects`.
fn drive_pod(
    mut spec: serde_json::Value,
    objects: &[serde_json::Value],
    seconds: i64,
    mut observe: impl FnMut(&Bench, i64, i64),
) -> Bench {
    let mut bench = Bench::new(Box::<NodeLifecycle>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    for o in objects {
        bench.create(object(o.clone()));
    }
    spec["nodeName"] = json!("node1");
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": spec
    })));
    let start = bench.world.clock.now_ms();
    let mut kubelet = Kubelet::default();
    let until = start + seconds * 1000;
    run_until(&mut bench, &mut kubelet, until, |bench, due| {
        observe(bench, start, due - start)
    });
    bench
}

/// Runs the kubelet's timer tasks until `until_ms`, calling `observe(bench, due)` after each.
fn run_until(
    bench: &mut Bench,
    kubelet: &mut Kubelet,
    until_ms: i64,
    mut observe: impl FnMut(&Bench, i64),
) {
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
        observe(bench, due);
    }
}

/// Runs the kubelet's timer tasks for `seconds` of simulated time; returns one line per
/// change of the pod (`+ms phase container-state`) and the events recorded, in order.
fn run(image: &str, seconds: i64) -> String {
    let mut lines = Vec::new();
    let mut last = String::new();
    let container = json!({"name": "web", "image": image});
    let bench = drive(container, seconds, |bench, _, elapsed| {
        let Some(pod) = bench.world.api.get_as::<Pod>("default", "web") else {
            return;
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
            lines.push(format!("+{elapsed}ms {line}"));
            last = line;
        }
    });
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
    run_until(&mut bench, &mut kubelet, start + 60_000, |_, _| {});
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
    run_until(&mut bench, &mut kubelet, start + 400_000, |_, _| {});
    let stored = bench.world.api.get_as::<Pod>("default", "crash").cloned();
    let images: Vec<String> = stored
        .iter()
        .flat_map(|p| p.status.iter())
        .flat_map(|s| s.container_statuses.iter().flatten())
        .map(|c| c.image.clone())
        .collect();
    assert_eq!(images, ["docker.io/library/busybox:1.36"]);
}

fn pod_uid(bench: &Bench) -> String {
    let pod = bench.world.api.get_as::<Pod>("default", "web");
    pod.and_then(|p| p.metadata.uid.clone()).unwrap_or_default()
}

/// Runs a pod of one container (`container`, its spec) for `seconds`; returns one line per
/// change of its status (`+ms phase state restarts ready`) and per event the kubelet records
/// (`+ms Reason: message`), in time order.
fn timeline(container: serde_json::Value, seconds: i64) -> String {
    timeline_of(json!({"containers": [container]}), &[], seconds)
}

/// As [`timeline`], for a pod of spec `spec`, after creating `objects`.
fn timeline_of(spec: serde_json::Value, objects: &[serde_json::Value], seconds: i64) -> String {
    let mut lines = Vec::new();
    let mut last = String::new();
    let mut seen = std::collections::BTreeMap::new();
    drive_pod(spec, objects, seconds, |bench, start, elapsed| {
        // New events and repeats, in the order they were written.
        let mut fresh = Vec::new();
        for o in bench.world.api.list("Event", Some("default")) {
            if let crate::api::object::Object::Event(e) = o {
                let name = e.metadata.name.clone().unwrap_or_default();
                let count = e.count.unwrap_or(1);
                if seen.insert(name, count) != Some(count) {
                    let rv = e.metadata.resource_version.as_deref().unwrap_or_default();
                    let line = format!(
                        "+{}ms {}: {}",
                        elapsed,
                        e.reason.as_deref().unwrap_or_default(),
                        e.message.as_deref().unwrap_or_default()
                    );
                    let uid = pod_uid(bench);
                    let line = line.replace(&uid, "<uid>");
                    fresh.push((rv.parse::<u64>().unwrap_or_default(), line));
                }
            }
        }
        fresh.stable_sort();
        lines.extend(fresh.into_iter().map(|(_, l)| l));
        let Some(pod) = bench.world.api.get_as::<Pod>("default", "web") else {
            return;
        };
        let status = pod.status.clone().unwrap_or_default();
        let state = status
            .container_statuses
            .iter()
            .flatten()
            .map(|c| {
                let s = c.state.clone().unwrap_or_default();
                let state = match (s.waiting, s.running, s.terminated) {
                    (Some(w), _, _) => format!("waiting:{}", w.reason.unwrap_or_default()),
                    (_, Some(_), _) => "running".into(),
                    (_, _, Some(t)) => format!(
                        "terminated:{}({}) {}..{}",
                        t.reason.unwrap_or_default(),
                        t.exit_code,
                        t.started_at.map_or(0, |t| t.0.as_millisecond() - start),
                        t.finished_at.map_or(0, |t| t.0.as_millisecond() - start)
                    ),
                    _ => "none".into(),
                };
                format!("{state} restarts={} ready={}", c.restart_count, c.ready)
            })
            .collect::<Vec<_>>()
            .join(",");
        let line = format!("{} {state}", status.phase.unwrap_or_default());
        if line != last {
            lines.push(format!("+{elapsed}ms {line}"));
            last = line;
        }
    });
    lines.join("\n") + "\n"
}

/// A container that has exited by the kubelet's next relist after its start is reported
/// from waiting straight to terminated (never running, never ready); every restart of an
/// image with pull policy Always (`busybox`: no tag) pulls it again first.
#[test]
fn a_container_that_exits_at_once_is_never_reported_running() {
    let got = timeline(
        json!({"name": "c", "image": "busybox", "command": ["false"]}),
        20,
    );
    let pulled = "Pulled: Successfully pulled image \"busybox\"";
    let backoff = "BackOff: Back-off restarting failed container c in pod web_default(<uid>)";
    assert_eq!(
        got,
        format!(
            r#"+0ms Pulling: Pulling image "busybox"
+0ms Pending waiting:ContainerCreating restarts=0 ready=false
+2570ms {pulled} in 1.87s (1.87s including waiting). Image size: 2155550 bytes.
+2570ms Created: Created container: c
+2570ms Started: Started container c
+2870ms Running terminated:Error(1) 2000..2000 restarts=0 ready=false
+3870ms Pulling: Pulling image "busybox"
+4820ms {pulled} in 950ms (950ms including waiting). Image size: 2155550 bytes.
+4820ms Created: Created container: c
+4820ms Started: Started container c
+5120ms Running terminated:Error(1) 5000..5000 restarts=1 ready=false
+6120ms {backoff}
+6120ms Running waiting:CrashLoopBackOff restarts=1 ready=false
+16120ms Pulling: Pulling image "busybox"
+17070ms {pulled} in 950ms (950ms including waiting). Image size: 2155550 bytes.
+17070ms Created: Created container: c
+17070ms Started: Started container c
+17370ms Running terminated:Error(1) 17000..17000 restarts=2 ready=false
+18370ms {backoff}
+18370ms Running waiting:CrashLoopBackOff restarts=2 ready=false
"#
        )
    );
}

/// With pull policy IfNotPresent the image is found on the node at each restart; a
/// container that lives past the next relist is reported running.
#[test]
fn a_container_that_outlives_the_relist_is_reported_running() {
    let got = timeline(
        json!({"name": "c", "image": "busybox:1.36", "imagePullPolicy": "IfNotPresent",
               "command": ["sh", "-c", "sleep 2; exit 3"]}),
        12,
    );
    assert_eq!(
        got,
        r#"+0ms Pulling: Pulling image "busybox:1.36"
+0ms Pending waiting:ContainerCreating restarts=0 ready=false
+2570ms Pulled: Successfully pulled image "busybox:1.36" in 1.87s (1.87s including waiting). Image size: 2155550 bytes.
+2570ms Created: Created container: c
+2570ms Started: Started container c
+2570ms Running running restarts=0 ready=true
+4870ms Running terminated:Error(3) 2000..4000 restarts=0 ready=false
+5870ms Pulled: Container image "busybox:1.36" already present on machine
+5870ms Created: Created container: c
+5870ms Started: Started container c
+5870ms Running running restarts=1 ready=true
+8170ms Running terminated:Error(3) 6000..8000 restarts=1 ready=false
+9170ms BackOff: Back-off restarting failed container c in pod web_default(<uid>)
+9170ms Running waiting:CrashLoopBackOff restarts=1 ready=false
"#
    );
}

/// A restart's pull of a private image (pull policy Always) is authorized by the pod's pull
/// secrets, as the first pull was: it takes a cached image's check (950 ms), not a refused
/// pull's time.
#[test]
fn a_restart_pulls_a_private_image_with_the_pods_secrets() {
    let config = r#"{"auths":{"docker.io":{"username":"u","password":"p"}}}"#;
    let secret = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "key", "namespace": "default"},
        "type": "kubernetes.io/dockerconfigjson",
        "stringData": {".dockerconfigjson": config}
    });
    let got = timeline_of(
        json!({"imagePullSecrets": [{"name": "key"}],
               "containers": [{"name": "c", "image": "kubeplay/private-app:v1",
                               "imagePullPolicy": "Always", "command": ["false"]}]}),
        &[secret],
        6,
    );
    let pulled = "Pulled: Successfully pulled image \"kubeplay/private-app:v1\"";
    assert_eq!(
        got,
        format!(
            r#"+0ms Pulling: Pulling image "kubeplay/private-app:v1"
+0ms Pending waiting:ContainerCreating restarts=0 ready=false
+3010ms {pulled} in 2.31s (2.31s including waiting). Image size: 9834212 bytes.
+3010ms Created: Created container: c
+3010ms Started: Started container c
+3310ms Running terminated:Error(1) 3000..3000 restarts=0 ready=false
+4310ms Pulling: Pulling image "kubeplay/private-app:v1"
+5260ms {pulled} in 950ms (950ms including waiting). Image size: 9834212 bytes.
+5260ms Created: Created container: c
+5260ms Started: Started container c
+5560ms Running terminated:Error(1) 5000..5000 restarts=1 ready=false
"#
        )
    );
}

/// The containers whose process may send requests (a shell's `-c` script) are indexed for
/// the network as they start, and leave the index with their pod.
#[test]
fn streaming_containers_are_indexed_while_they_exist() {
    let mut bench = Bench::new(Box::<NodeLifecycle>::default());
    bench.add_nodes(&ClusterProfile::multi_node());
    for (name, command) in [
        (
            "client",
            json!(["sh", "-c", "while true; do sleep 1; done"]),
        ),
        ("server", json!(["nginx", "-g", "daemon off;"])),
    ] {
        bench.create(object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": "node1",
                     "containers": [{"name": "c", "image": "busybox:1.36", "command": command}]}
        })));
    }
    let start = bench.world.clock.now_ms();
    let mut kubelet = Kubelet::default();
    run_until(&mut bench, &mut kubelet, start + 20_000, |_, _| {});
    let indexed: Vec<_> = kubelet.streamers.iter().map(|k| k.1.as_str()).collect();
    assert_eq!(indexed, ["client"]);
    let mut cx = super::NodeCx {
        world: &mut bench.world,
        kubelet: &mut kubelet,
    };
    super::runtime::forget_pod(&mut cx, "default", "client");
    assert!(kubelet.streamers.is_empty());
}
