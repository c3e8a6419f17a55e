//! Projections through `world.storage`: layout, modes, items, missing objects and keys,
//! and updates reaching the files after the kubelet's sync delay.

use serde_json::{json, Value};

use super::atomic::current_dir;
use super::refresh::{delay_ms, Watch};
use super::*;
use crate::api::object::{Object, Pod};
use crate::cluster::ClusterProfile;
use crate::controllers::node_lifecycle::NodeLifecycle;
use crate::controllers::testing::{object, Bench};
use crate::storage::{Entry, Tree};
use crate::timers::Task;

fn bench() -> Bench {
    let mut b = Bench::new(Box::<NodeLifecycle>::default());
    b.add_nodes(&ClusterProfile::multi_node());
    b
}

fn pod(b: &mut Bench, volumes: Value) -> Pod {
    let created = b.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"nodeName": "node1", "volumes": volumes,
            "containers": [{"name": "c", "image": "busybox",
                "resources": {"limits": {"memory": "64Mi"}}}]}
    })));
    match created {
        Object::Pod(p) => *p,
        _ => unreachable!(),
    }
}

fn volume(p: &Pod, i: usize) -> Volume {
    p.spec.as_ref().unwrap().volumes.as_ref().unwrap()[i].clone()
}

fn tree<'a>(b: &'a Bench, p: &Pod, v: &Volume) -> &'a Tree {
    b.world.storage.tree(&backing(p, v)).expect("tree")
}

/// `ls -l`-like lines of a volume's root, dot entries included.
fn listing(t: &Tree) -> Vec<String> {
    t.list("/")
        .unwrap()
        .into_iter()
        .map(|(name, e)| match e {
            Entry::Link { target, .. } => {
                let shown = t.stat(&format!("/{name}")).unwrap().mode_string();
                format!("{name} -> {target} ({shown})")
            }
            e => format!("{} {name}", e.mode_string()),
        })
        .collect()
}

fn config_map(b: &mut Bench, name: &str, data: Value) {
    b.create(object(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default"}, "data": data
    })));
}

#[test]
fn config_map_layout_as_the_kubelet_writes_it() {
    let mut b = bench();
    config_map(
        &mut b,
        "start-k8s",
        json!({"k8s": "kubernetes", "container": "docker"}),
    );
    let p = pod(
        &mut b,
        json!([{"name": "cmap-volume", "configMap": {"name": "start-k8s"}}]),
    );
    let v = volume(&p, 0);
    assert!(is_projection(&v) && !is_tmpfs(&v));
    prepare(&mut b.world, &p, &v).unwrap();
    let t = tree(&b, &p, &v);
    let dir = current_dir(t).unwrap();
    assert!(dir.starts_with("..2025_09_01_09_00_00."), "{dir}");
    assert_eq!(
        listing(t),
        [
            format!("drwxr-xr-x {dir}"),
            format!("..data -> {dir} (drwxr-xr-x)"),
            "container -> ..data/container (-rw-r--r--)".into(),
            "k8s -> ..data/k8s (-rw-r--r--)".into(),
        ]
    );
    assert_eq!(t.read("/k8s"), Ok("kubernetes"));
    assert_eq!(t.lstat("/container").unwrap().size(), 16);
}

#[test]
fn items_modes_and_nested_paths() {
    let mut b = bench();
    config_map(&mut b, "app", json!({"a": "1", "b": "2"}));
    let p = pod(
        &mut b,
        json!([{"name": "cfg", "configMap": {"name": "app", "defaultMode": 0o440,
            "items": [{"key": "a", "path": "conf/a.txt"}, {"key": "b", "path": "b", "mode": 0o600}]}}]),
    );
    let v = volume(&p, 0);
    prepare(&mut b.world, &p, &v).unwrap();
    let t = tree(&b, &p, &v);
    assert_eq!(t.read("/conf/a.txt"), Ok("1"));
    assert_eq!(t.stat("/conf/a.txt").unwrap().mode_string(), "-r--r-----");
    assert_eq!(t.stat("/b").unwrap().mode_string(), "-rw-------");
    assert!(matches!(t.lstat("/conf"), Ok(Entry::Link { target, .. }) if target == "..data/conf"));
}

#[test]
fn missing_objects_and_keys_fail_the_mount() {
    let mut b = bench();
    config_map(&mut b, "app", json!({"a": "1"}));
    let p = pod(
        &mut b,
        json!([
            {"name": "cfg", "configMap": {"name": "nope"}},
            {"name": "key", "configMap": {"name": "app", "items": [{"key": "K", "path": "k"}]}},
            {"name": "sec", "secret": {"secretName": "db"}},
            {"name": "opt", "secret": {"secretName": "db", "optional": true}},
            {"name": "both", "projected": {"sources": [
                {"configMap": {"name": "x"}}, {"secret": {"name": "y"}}]}}
        ]),
    );
    let err = |i| prepare(&mut b.world.clone(), &p, &volume(&p, i)).unwrap_err();
    assert_eq!(
        err(0),
        "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found"
    );
    assert_eq!(
        err(1),
        "MountVolume.SetUp failed for volume \"key\" : configmap references non-existent config key: K"
    );
    assert_eq!(
        err(2),
        "MountVolume.SetUp failed for volume \"sec\" : secret \"db\" not found"
    );
    assert_eq!(
        err(4),
        "MountVolume.SetUp failed for volume \"both\" : [configmap \"x\" not found, secret \"y\" not found]"
    );
    let opt = volume(&p, 3);
    prepare(&mut b.world, &p, &opt).unwrap();
    assert_eq!(
        tree(&b, &p, &opt).len(),
        2,
        "an empty ..data dir and its link"
    );
}

#[test]
fn secrets_decoded_on_tmpfs() {
    let mut b = bench();
    b.create(object(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "default"},
        "data": {"password": "dGVzdDEyMw=="}, "stringData": {"user": "admin"}
    })));
    let p = pod(
        &mut b,
        json!([{"name": "s", "secret": {"secretName": "db", "defaultMode": 0o400}}]),
    );
    let v = volume(&p, 0);
    assert!(is_tmpfs(&v));
    prepare(&mut b.world, &p, &v).unwrap();
    let t = tree(&b, &p, &v);
    assert_eq!(t.read("/password"), Ok("test123"));
    assert_eq!(t.stat("/password").unwrap().mode_string(), "-r--------");
    assert_eq!(
        t.capacity(),
        64 << 20,
        "tmpfs sized by the pod's memory limit"
    );
}

#[test]
fn downward_api_and_projected_sources() {
    let mut b = bench();
    config_map(&mut b, "kube-root-ca.crt", json!({"ca.crt": "CERT"}));
    let p = pod(
        &mut b,
        json!([
            {"name": "info", "downwardAPI": {"items": [
                {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                {"path": "mem", "resourceFieldRef": {"containerName": "c", "resource": "limits.memory", "divisor": "1Mi"}}]}},
            {"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}
        ]),
    );
    let info = volume(&p, 0);
    prepare(&mut b.world, &p, &info).unwrap();
    let t = tree(&b, &p, &info);
    assert_eq!(t.read("/labels"), Ok("app=\"web\""));
    assert_eq!(t.read("/mem"), Ok("64"));
    let api = volume(&p, 1);
    prepare(&mut b.world, &p, &api).unwrap();
    let t = tree(&b, &p, &api);
    assert_eq!(t.read("/namespace"), Ok("default"));
    assert_eq!(t.read("/ca.crt"), Ok("CERT"));
    let token = t.read("/token").unwrap();
    assert_eq!(token.split('.').count(), 3);
    assert!(token.starts_with("eyJhbGciOiJSUzI1NiIs"), "{token}");
}

/// Runs the world's timers up to `until_ms` as the cluster does for volume refreshes.
fn run_timers(b: &mut Bench, watch: &mut Watch, until_ms: i64) {
    watch.observe(&mut b.world);
    while let Some((due, task)) = b.world.timers.pop_due(until_ms) {
        b.world.clock.set(due);
        if let Task::VolumeRefresh {
            namespace,
            name,
            uid,
        } = task
        {
            watch.run(&mut b.world, &namespace, &name, &uid);
        }
    }
    b.world.clock.set(until_ms);
}

fn update_config_map(b: &mut Bench, name: &str, data: Value, immutable: bool) {
    let Some(Object::ConfigMap(mut cm)) = b.get("ConfigMap", name).cloned() else {
        panic!("no configmap {name}");
    };
    cm.data = serde_json::from_value(data).unwrap();
    cm.immutable = immutable.then_some(true);
    b.world.api.update(Object::ConfigMap(cm)).unwrap();
}

#[test]
fn updates_reach_the_files_after_the_sync_delay() {
    let mut b = bench();
    config_map(&mut b, "app", json!({"a": "1", "b": "2"}));
    let p = pod(
        &mut b,
        json!([{"name": "cfg", "configMap": {"name": "app"}}]),
    );
    let v = volume(&p, 0);
    let mut watch = Watch::default();
    let now = b.world.clock.now_ms();
    run_timers(&mut b, &mut watch, now);
    prepare(&mut b.world, &p, &v).unwrap();
    let first = current_dir(tree(&b, &p, &v)).unwrap();

    update_config_map(&mut b, "app", json!({"a": "one"}), false);
    let changed_at = b.world.clock.now_ms();
    let uid = p.metadata.uid.clone().unwrap();
    let delay = delay_ms(&uid);
    assert!((60_000..=90_000).contains(&delay));
    run_timers(&mut b, &mut watch, changed_at + delay - 1);
    assert!(watch.is_pending(&uid));
    assert_eq!(tree(&b, &p, &v).read("/a"), Ok("1"), "not yet");
    run_timers(&mut b, &mut watch, changed_at + delay);
    let t = tree(&b, &p, &v);
    assert_eq!(t.read("/a"), Ok("one"));
    assert_eq!(t.lstat("/b"), Err(crate::storage::FsError::NotFound));
    let second = current_dir(t).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        t.lstat(&format!("/{first}")),
        Err(crate::storage::FsError::NotFound)
    );
    assert!(!watch.is_pending(&uid));

    // Immutable objects are not watched; a deleted source keeps the files, with an event.
    update_config_map(&mut b, "app", json!({"a": "frozen"}), true);
    run_timers(&mut b, &mut watch, changed_at + 10 * delay);
    assert_eq!(tree(&b, &p, &v).read("/a"), Ok("one"));
}

#[test]
fn a_deleted_source_keeps_the_files_and_reports() {
    let mut b = bench();
    config_map(&mut b, "app", json!({"a": "1"}));
    let p = pod(
        &mut b,
        json!([{"name": "cfg", "configMap": {"name": "app"}}]),
    );
    let v = volume(&p, 0);
    let mut watch = Watch::default();
    prepare(&mut b.world, &p, &v).unwrap();
    let now = b.world.clock.now_ms();
    run_timers(&mut b, &mut watch, now);
    b.world
        .delete("ConfigMap", "default", "app", None, false)
        .unwrap();
    let now = b.world.clock.now_ms();
    run_timers(&mut b, &mut watch, now + 90_000);
    assert_eq!(tree(&b, &p, &v).read("/a"), Ok("1"));
    assert_eq!(
        b.events(),
        ["FailedMount: MountVolume.SetUp failed for volume \"cfg\" : configmap \"app\" not found"]
    );
    // The next periodic sync tries again; the object back, the files follow it.
    let uid = p.metadata.uid.clone().unwrap();
    assert!(watch.is_pending(&uid));
    config_map(&mut b, "app", json!({"a": "back"}));
    run_timers(&mut b, &mut watch, now + 3 * delay_ms(&uid));
    assert_eq!(tree(&b, &p, &v).read("/a"), Ok("back"));
    assert!(!watch.is_pending(&uid));
}

#[test]
fn label_changes_reach_downward_api_files() {
    let mut b = bench();
    let p = pod(
        &mut b,
        json!([{"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}]),
    );
    let v = volume(&p, 0);
    let mut watch = Watch::default();
    prepare(&mut b.world, &p, &v).unwrap();
    let mut changed = p.clone();
    changed
        .metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("tier".into(), "front".into());
    b.world.api.update(Object::Pod(Box::new(changed))).unwrap();
    let now = b.world.clock.now_ms();
    run_timers(&mut b, &mut watch, now + 90_000);
    assert_eq!(
        tree(&b, &p, &v).read("/labels"),
        Ok("app=\"web\"\ntier=\"front\"")
    );
}

#[test]
fn sub_path_mounts_keep_the_content_of_their_start() {
    let mut b = bench();
    config_map(&mut b, "app", json!({"k8s": "kubernetes"}));
    let p = pod(
        &mut b,
        json!([{"name": "cfg", "configMap": {"name": "app"}}]),
    );
    let v = volume(&p, 0);
    let mut watch = Watch::default();
    prepare(&mut b.world, &p, &v).unwrap();
    let (snap, path) = sub_path::snapshot(&mut b.world, &p, &v, "k8s", "c").unwrap();
    assert_eq!(path, "/k8s");
    update_config_map(&mut b, "app", json!({"k8s": "k3s"}), false);
    let now = b.world.clock.now_ms();
    run_timers(&mut b, &mut watch, now + 90_000);
    assert_eq!(tree(&b, &p, &v).read("/k8s"), Ok("k3s"));
    let copy = b.world.storage.tree(&snap).unwrap();
    assert_eq!(copy.read("/k8s"), Ok("kubernetes"));
    assert_eq!(copy.stat("/k8s").unwrap().mode_string(), "-rw-r--r--");
    assert_eq!(
        sub_path::snapshot(&mut b.world, &p, &v, "nope", "c"),
        Err("No such file or directory".into())
    );
    // A restarted container takes a new copy.
    let (again, _) = sub_path::snapshot(&mut b.world, &p, &v, "k8s", "c").unwrap();
    assert_eq!(
        b.world.storage.tree(&again).unwrap().read("/k8s"),
        Ok("k3s")
    );
}
