//! Unit tests of the Deployment controller through the bench (upstream's
//! `deployment_controller_test.go`, `sync_test.go`, `rolling_test.go`, `recreate_test.go`,
//! `progress_test.go`). Only this controller runs: the tests play the ReplicaSet controller
//! (its status counts, its pods) themselves.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, ReplicaSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{json, Value};

use super::*;
use crate::clock::SimDuration;
use crate::controllers::testing::{object, Bench};

/// `web`: `replicas` pods of nginx, with `strategy` (and `extra` spec fields).
fn deployment(replicas: i32, strategy: Value, extra: Value) -> Object {
    let mut spec = json!({
        "replicas": replicas,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": strategy,
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}
        }
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        spec[k] = v.clone();
    }
    object(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": spec
    }))
}

fn rolling(max_surge: i32, max_unavailable: i32) -> Value {
    json!({"type": "RollingUpdate",
           "rollingUpdate": {"maxSurge": max_surge, "maxUnavailable": max_unavailable}})
}

fn bench() -> Bench {
    Bench::new(Box::<Deployments>::default())
}

/// Passes until a pass writes nothing.
fn settle(bench: &mut Bench) {
    for _ in 0..20 {
        let before = bench.world.api.log_end();
        bench.pass();
        if bench.world.api.log_end() == before {
            return;
        }
    }
    panic!("the Deployment controller does not settle");
}

fn stored_deployment(bench: &Bench) -> Deployment {
    match bench.world.api.get("Deployment", "default", "web") {
        Some(Object::Deployment(d)) => d.as_ref().clone(),
        _ => panic!("no Deployment"),
    }
}

fn replica_set(bench: &Bench, name: &str) -> ReplicaSet {
    match bench.world.api.get("ReplicaSet", "default", name) {
        Some(Object::ReplicaSet(rs)) => rs.as_ref().clone(),
        _ => panic!("no ReplicaSet {name}"),
    }
}

/// `spec.replicas` of each named ReplicaSet.
fn sizes(bench: &Bench, names: &[&str]) -> Vec<i32> {
    names
        .iter()
        .map(|n| rs_replicas(&replica_set(bench, n)))
        .collect()
}

/// The one ReplicaSet not in `known`.
fn the_new_one(bench: &Bench, known: &[&str]) -> String {
    let mut names: Vec<String> = bench
        .names("ReplicaSet")
        .into_iter()
        .filter(|n| !known.contains(&n.as_str()))
        .collect();
    assert_eq!(names.len(), 1, "expected one new ReplicaSet: {names:?}");
    names.remove(0)
}

/// What the ReplicaSet controller would report: `replicas` pods, `available` of them ready
/// and available.
fn report(bench: &mut Bench, name: &str, replicas: i32, available: i32) {
    let mut rs = replica_set(bench, name);
    let status = rs.status.get_or_insert_with(Default::default);
    status.replicas = replicas;
    status.ready_replicas = (available > 0).then_some(available);
    status.available_replicas = (available > 0).then_some(available);
    status.observed_generation = rs.metadata.generation;
    bench
        .world
        .api
        .update_status(Object::ReplicaSet(Box::new(rs)))
        .expect("update_status");
}

fn edit(bench: &mut Bench, change: impl FnOnce(&mut Deployment)) {
    let mut d = stored_deployment(bench);
    change(&mut d);
    bench
        .world
        .api
        .update(Object::Deployment(Box::new(d)))
        .expect("update");
}

fn set_image(bench: &mut Bench, image: &str) {
    edit(bench, |d| {
        d.spec
            .as_mut()
            .unwrap()
            .template
            .spec
            .as_mut()
            .unwrap()
            .containers[0]
            .image = Some(image.into());
    });
}

fn condition(bench: &Bench, kind: &str) -> DeploymentCondition {
    stored_deployment(bench)
        .status
        .and_then(|s| s.conditions)
        .into_iter()
        .flatten()
        .find(|c| c.type_ == kind)
        .unwrap_or_else(|| panic!("no {kind} condition"))
}

fn annotation(meta: &ObjectMeta, key: &str) -> Option<String> {
    meta.annotations.as_ref()?.get(key).cloned()
}

#[test]
fn a_new_deployment_creates_one_replica_set_named_by_its_template_hash() {
    let mut bench = bench();
    bench.create(deployment(3, json!({}), json!({})));
    bench.pass();

    let d = stored_deployment(&bench);
    let hash = template_hash(&d.spec.as_ref().unwrap().template, None);
    let name = format!("web-{hash}");
    assert_eq!(bench.names("ReplicaSet"), vec![name.clone()]);
    let rs = replica_set(&bench, &name);
    let labels = rs.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get(HASH_LABEL), Some(&hash));
    assert_eq!(labels.get("app").map(String::as_str), Some("web"));
    let spec = rs.spec.clone().unwrap();
    let selector = spec.selector.match_labels.clone().unwrap_or_default();
    assert_eq!(selector.get(HASH_LABEL), Some(&hash));
    let template_labels = spec.template.unwrap().metadata.unwrap().labels.unwrap();
    assert_eq!(template_labels.get(HASH_LABEL), Some(&hash));
    assert_eq!(spec.replicas, Some(3));
    assert_eq!(annotation(&rs.metadata, REVISION).as_deref(), Some("1"));
    assert_eq!(
        annotation(&rs.metadata, DESIRED_REPLICAS).as_deref(),
        Some("3")
    );
    // 25% of 3, rounded up.
    assert_eq!(annotation(&rs.metadata, MAX_REPLICAS).as_deref(), Some("4"));
    let owner = controller_of(&rs.metadata).unwrap();
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("Deployment", "web")
    );
    assert_eq!(annotation(&d.metadata, REVISION).as_deref(), Some("1"));
    assert_eq!(
        bench.events(),
        vec![format!(
            "ScalingReplicaSet: Scaled up replica set {name} to 3"
        )]
    );
    let progressing = condition(&bench, "Progressing");
    assert_eq!(progressing.reason.as_deref(), Some("NewReplicaSetCreated"));
    assert_eq!(
        condition(&bench, "Available").reason.as_deref(),
        Some("MinimumReplicasUnavailable")
    );

    // Its own writes bring it back once; then nothing changes.
    settle(&mut bench);
    assert_eq!(bench.names("ReplicaSet").len(), 1);
    let rv = bench.world.api.resource_version();
    bench.pass();
    assert_eq!(bench.world.api.resource_version(), rv);
}

#[test]
fn a_template_change_rolls_within_max_surge_and_max_unavailable() {
    let mut bench = bench();
    bench.create(deployment(4, rolling(1, 1), json!({})));
    settle(&mut bench);
    let old = bench.names("ReplicaSet").remove(0);
    report(&mut bench, &old, 4, 4);
    settle(&mut bench);
    assert_eq!(
        condition(&bench, "Progressing").reason.as_deref(),
        Some("NewReplicaSetAvailable")
    );

    set_image(&mut bench, "nginx:1.28");
    bench.pass();
    let new = the_new_one(&bench, &[&old]);
    let rss = [old.as_str(), new.as_str()];
    // maxSurge 1: one new replica (5 in all); maxUnavailable 1: one old one goes (3 of 4
    // stay available).
    assert_eq!(sizes(&bench, &rss), vec![3, 1]);
    let new_rs = replica_set(&bench, &new);
    assert_eq!(annotation(&new_rs.metadata, REVISION).as_deref(), Some("2"));
    assert_eq!(
        annotation(&stored_deployment(&bench).metadata, REVISION).as_deref(),
        Some("2")
    );

    // Each step: what the ReplicaSet controller reports, then the sizes the Deployment
    // controller settles on.
    let steps = [
        // The old pod is gone: room to surge one more new replica; the new ones are not
        // available yet, so no old one may go.
        ((3, 3), (1, 0), vec![3, 2]),
        // Both new replicas available: two old ones may go (5 available, 3 the minimum),
        // and the new ReplicaSet grows into their room at once.
        ((3, 3), (2, 2), vec![1, 4]),
        // Old pods gone, but two new ones not yet available: nothing may go.
        ((1, 1), (4, 2), vec![1, 4]),
        // All four new replicas available: the last old one goes.
        ((1, 1), (4, 4), vec![0, 4]),
        ((0, 0), (4, 4), vec![0, 4]),
    ];
    for ((old_pods, old_available), (new_pods, new_available), want) in steps {
        report(&mut bench, &old, old_pods, old_available);
        report(&mut bench, &new, new_pods, new_available);
        settle(&mut bench);
        assert_eq!(sizes(&bench, &rss), want);
        assert!(want.iter().sum::<i32>() <= 4 + 1);
    }
    assert_eq!(
        bench.events(),
        vec![
            format!("ScalingReplicaSet: Scaled up replica set {old} to 4"),
            format!("ScalingReplicaSet: Scaled up replica set {new} to 1"),
            format!("ScalingReplicaSet: Scaled down replica set {old} from 4 to 3"),
            format!("ScalingReplicaSet: Scaled up replica set {new} from 1 to 2"),
            format!("ScalingReplicaSet: Scaled down replica set {old} from 3 to 1"),
            format!("ScalingReplicaSet: Scaled up replica set {new} from 2 to 4"),
            format!("ScalingReplicaSet: Scaled down replica set {old} from 1 to 0"),
        ]
    );
    let status = stored_deployment(&bench).status.unwrap();
    assert_eq!(
        (
            status.replicas,
            status.updated_replicas,
            status.available_replicas
        ),
        (Some(4), Some(4), Some(4))
    );
    assert_eq!(
        condition(&bench, "Progressing").reason.as_deref(),
        Some("NewReplicaSetAvailable")
    );
}

#[test]
fn a_scaling_event_shares_replicas_in_proportion_between_two_replica_sets() {
    // Upstream's documented example: 10 replicas, maxSurge 3, maxUnavailable 2, a rollout
    // stuck half-way (its new pods never become available), then scaled to 15.
    let mut bench = bench();
    bench.create(deployment(10, rolling(3, 2), json!({})));
    settle(&mut bench);
    let old = bench.names("ReplicaSet").remove(0);
    report(&mut bench, &old, 10, 10);
    settle(&mut bench);
    set_image(&mut bench, "nginx:does-not-exist");
    settle(&mut bench);
    let new = the_new_one(&bench, &[&old]);
    let rss = [old.as_str(), new.as_str()];
    report(&mut bench, &old, 8, 8);
    report(&mut bench, &new, 5, 0);
    settle(&mut bench);
    assert_eq!(sizes(&bench, &rss), vec![8, 5]);
    let events_before = bench.events().len();

    edit(&mut bench, |d| d.spec.as_mut().unwrap().replicas = Some(15));
    bench.pass();
    // 18 allowed (15 + maxSurge 3), 13 there: 5 more, shared by size as sized for 13
    // (8 * 18 / 13 = 11.1 → 11, 5 * 18 / 13 = 6.9 → 7).
    assert_eq!(sizes(&bench, &rss), vec![11, 7]);
    for name in rss {
        let rs = replica_set(&bench, name);
        assert_eq!(
            annotation(&rs.metadata, DESIRED_REPLICAS).as_deref(),
            Some("15")
        );
        assert_eq!(
            annotation(&rs.metadata, MAX_REPLICAS).as_deref(),
            Some("18")
        );
    }
    assert_eq!(
        bench.events()[events_before..],
        [
            format!("ScalingReplicaSet: Scaled up replica set {old} from 8 to 11"),
            format!("ScalingReplicaSet: Scaled up replica set {new} from 5 to 7"),
        ]
    );
    // Not a scaling event any more, and the rollout may not move on: nothing changes.
    settle(&mut bench);
    assert_eq!(sizes(&bench, &rss), vec![11, 7]);

    // Scaling down shares the removal the same way (18 → 7 + 3 allowed: 8 fewer).
    edit(&mut bench, |d| d.spec.as_mut().unwrap().replicas = Some(7));
    bench.pass();
    // 11 * 10 / 18 = 6.1 → 6 (-5), 7 * 10 / 18 = 3.9 → 4 (-3).
    assert_eq!(sizes(&bench, &rss), vec![6, 4]);
}

#[test]
fn a_rollout_past_its_progress_deadline_is_reported_after_a_requeue() {
    let mut bench = bench();
    bench.create(deployment(
        1,
        json!({}),
        json!({"progressDeadlineSeconds": 30}),
    ));
    bench.pass();
    let rs = bench.names("ReplicaSet").remove(0);
    // The ReplicaSet's pod exists but never becomes available.
    report(&mut bench, &rs, 1, 0);
    let progressed_at = bench.world.clock.now_ms();
    settle(&mut bench);
    let progressing = condition(&bench, "Progressing");
    assert_eq!(
        (progressing.status.as_str(), progressing.reason.as_deref()),
        ("True", Some("ReplicaSetUpdated"))
    );
    assert_eq!(
        progressing.message.as_deref(),
        Some(format!("ReplicaSet \"{rs}\" is progressing.").as_str())
    );
    assert_eq!(bench.next_wake(), Some(progressed_at + 30_000));

    // Not yet: nothing due, nothing written.
    let rv = bench.world.api.resource_version();
    bench.advance(SimDuration::seconds(29));
    assert_eq!(bench.world.api.resource_version(), rv);

    bench.advance(SimDuration::seconds(1));
    let progressing = condition(&bench, "Progressing");
    assert_eq!(
        (progressing.status.as_str(), progressing.reason.as_deref()),
        ("False", Some("ProgressDeadlineExceeded"))
    );
    assert_eq!(
        progressing.message.as_deref(),
        Some(format!("ReplicaSet \"{rs}\" has timed out progressing.").as_str())
    );
    assert_eq!(
        progressing.last_transition_time.as_ref().map(ms_from_time),
        Some(progressed_at + 30_000)
    );

    // The pod becomes available: the rollout completes after all.
    report(&mut bench, &rs, 1, 1);
    settle(&mut bench);
    let progressing = condition(&bench, "Progressing");
    assert_eq!(
        (progressing.status.as_str(), progressing.reason.as_deref()),
        ("True", Some("NewReplicaSetAvailable"))
    );
}

#[test]
fn recreate_scales_the_old_replica_set_to_zero_before_the_new_one_comes_up() {
    let mut bench = bench();
    bench.create(deployment(2, json!({"type": "Recreate"}), json!({})));
    settle(&mut bench);
    let old = bench.names("ReplicaSet").remove(0);
    assert_eq!(sizes(&bench, &[&old]), vec![2]);
    report(&mut bench, &old, 1, 1);
    // One of the old ReplicaSet's pods, as its controller would have made it.
    let old_rs = replica_set(&bench, &old);
    bench.create(object(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "old-pod", "namespace": "default",
            "labels": old_rs.spec.as_ref().unwrap().selector.match_labels.clone(),
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": old,
                "uid": old_rs.metadata.uid.clone().unwrap(),
                "controller": true, "blockOwnerDeletion": true
            }]
        },
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}
    })));
    settle(&mut bench);
    let events_before = bench.events().len();

    set_image(&mut bench, "nginx:1.28");
    settle(&mut bench);
    let new = the_new_one(&bench, &[&old]);
    let rss = [old.as_str(), new.as_str()];
    // The old one goes to 0; the new one waits at 0 while an old pod is left.
    assert_eq!(sizes(&bench, &rss), vec![0, 0]);
    assert_eq!(
        bench.events()[events_before..],
        [format!(
            "ScalingReplicaSet: Scaled down replica set {old} from 2 to 0"
        )]
    );

    // The old pod goes (its deletion wakes the Deployment through its ReplicaSet).
    bench
        .world
        .delete("Pod", "default", "old-pod", Some(0), true)
        .expect("delete");
    assert!(bench.names("Pod").is_empty());
    bench.pass();
    assert_eq!(sizes(&bench, &rss), vec![0, 2]);
    assert_eq!(
        bench.events()[events_before + 1..],
        [format!(
            "ScalingReplicaSet: Scaled up replica set {new} from 0 to 2"
        )]
    );
}
