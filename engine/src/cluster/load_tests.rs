//! The load streams end to end: a generator pod's loop loads the pods behind a Service,
//! whose cgroups carry the load's CPU and count its requests, until the generator goes.

use super::Cluster;
use crate::cgroups::GroupKey;
use crate::clock::SimDuration;
use k8s_openapi::api::core::v1::Pod;

const PHP: &str =
    "kubectl create deployment php-apache --image=registry.k8s.io/hpa-example --port=80";

/// The group of the php-apache pod's container, created as the usage model would.
fn php_group(c: &mut Cluster) -> GroupKey {
    let pod = c
        .world
        .api
        .list_as::<Pod>(Some("default"))
        .find(|p| {
            p.metadata
                .name
                .as_deref()
                .unwrap_or("")
                .starts_with("php-apache")
        })
        .cloned()
        .expect("the php-apache pod");
    let key = GroupKey::new(pod.metadata.uid.as_deref().unwrap_or(""), "hpa-example");
    let now = c.world.clock.now_ms();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    c.world
        .cgroups
        .create(key.clone(), &node.unwrap_or_default(), Some(500), None, now);
    key
}

#[test]
fn a_generator_loads_the_serving_pod_until_it_is_deleted() {
    let mut c = Cluster::new();
    c.run(PHP);
    c.run("kubectl expose deployment php-apache --port=80");
    c.advance(SimDuration::seconds(20));
    let group = php_group(&mut c);
    c.run("kubectl run load-generator --image=busybox:1.28 --restart=Never -- /bin/sh -c \"while sleep 0.01; do wget -q -O- http://php-apache; done\"");
    c.advance(SimDuration::seconds(60));
    let g = c.world.cgroups.get(&group).expect("the group");
    // One client, 200 ms per request at 500m, 12 ms between: ~4.7 requests a second.
    let milli = g.cpu_milli();
    assert!(milli > 400 && milli <= 500, "{milli}");
    let served = g.requests();
    assert!((250..=300).contains(&served), "{served}");
    let snapshot = c.snapshot();
    assert_eq!(snapshot.streams.len(), 1);
    assert_eq!(snapshot.streams[0].from, "pod/load-generator");
    c.run("kubectl delete pod load-generator --wait=false --grace-period=0 --force");
    c.advance(SimDuration::seconds(5));
    let g = c.world.cgroups.get(&group).expect("the group");
    assert_eq!(g.cpu_milli(), 0);
    let after = g.requests();
    c.advance(SimDuration::seconds(60));
    assert_eq!(
        c.world.cgroups.get(&group).map(|g| g.requests()),
        Some(after)
    );
    assert!(c.snapshot().streams.is_empty());
}
