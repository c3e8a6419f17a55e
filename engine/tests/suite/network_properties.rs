//! Property tests of the network: with random Deployments behind Services, scaling, rollouts
//! and pod deletions, every answered request came from a ready pod of the Service asked for
//! (or, while none is ready, from one still serving as it terminates),
//! and kube-proxy's random choice spreads requests evenly over the endpoints.

use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;
use serde_json::Value;

/// The two applications: each answers its own pod name (`sysnet4admin/echo-hname`).
const APPS: &[&str] = &["blue", "green"];

#[derive(Clone, Debug)]
enum Op {
    Scale(usize, u8),
    Rollout(usize, u8),
    DeletePod(usize, usize),
    Wait(u32),
    Ask(usize, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..APPS.len(), 0u8..5).prop_map(|(a, n)| Op::Scale(a, n)),
        (0..APPS.len(), 1u8..4).prop_map(|(a, v)| Op::Rollout(a, v)),
        (0..APPS.len(), 0usize..6).prop_map(|(a, i)| Op::DeletePod(a, i)),
        (1u32..20).prop_map(Op::Wait),
        (0..APPS.len(), 1u8..6).prop_map(|(a, n)| Op::Ask(a, n)),
    ]
}

fn run(cluster: &mut Cluster, line: &str) -> String {
    cluster.run(line).stdout()
}

/// The pods kube-proxy may send the app's requests to: those Ready and not terminating, or,
/// when there are none, those still Ready (serving) while they terminate.
fn ready_pods(cluster: &mut Cluster, app: &str) -> Vec<String> {
    let ready = serving_pods(cluster, app, false);
    if ready.is_empty() {
        serving_pods(cluster, app, true)
    } else {
        ready
    }
}

/// The app's Ready pods that are (or are not) terminating.
fn serving_pods(cluster: &mut Cluster, app: &str, terminating: bool) -> Vec<String> {
    let out = run(cluster, &format!("kubectl get pods -l app={app} -o json"));
    let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
    v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null() != terminating)
        .filter(|p| {
            p["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

fn setup() -> Cluster {
    let mut cluster = Cluster::new();
    for app in APPS {
        run(
            &mut cluster,
            &format!(
                "kubectl create deployment {app} --image=sysnet4admin/echo-hname:v1 --replicas=2"
            ),
        );
        run(
            &mut cluster,
            &format!("kubectl expose deployment {app} --port=80"),
        );
    }
    run(&mut cluster, "kubectl run client --image=nginx");
    cluster.advance(SimDuration::seconds(20));
    cluster
}

/// Sends `n` requests to the app's Service from the client pod and checks each answer.
fn ask(cluster: &mut Cluster, app: &str, n: u8) -> Result<(), TestCaseError> {
    for _ in 0..n {
        let ready = ready_pods(cluster, app);
        let out = cluster.run(&format!("kubectl exec client -- curl -sS {app}"));
        let answer = out.stdout().trim().to_string();
        if ready.is_empty() {
            prop_assert!(
                answer.is_empty() && out.exit_code == 7,
                "{app} has no ready pod, yet got {answer:?} (exit {})",
                out.exit_code
            );
        } else {
            prop_assert!(
                ready.contains(&answer),
                "{app} answered by {answer:?} ({:?}), not one of its ready pods {ready:?}",
                out.stderr()
            );
        }
    }
    Ok(())
}

fn check(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut cluster = setup();
    for op in ops {
        match op {
            Op::Scale(a, n) => {
                run(
                    &mut cluster,
                    &format!("kubectl scale deployment {} --replicas={n}", APPS[*a]),
                );
            }
            Op::Rollout(a, v) => {
                let app = APPS[*a];
                run(
                    &mut cluster,
                    &format!("kubectl set image deployment/{app} echo-hname=sysnet4admin/echo-hname:v{v}"),
                );
            }
            Op::DeletePod(a, i) => {
                let pods = run(
                    &mut cluster,
                    &format!("kubectl get pods -l app={} -o name", APPS[*a]),
                );
                if let Some(p) = pods.lines().nth(*i) {
                    run(&mut cluster, &format!("kubectl delete {p} --wait=false"));
                }
            }
            Op::Wait(s) => cluster.advance(SimDuration::seconds(i64::from(*s))),
            Op::Ask(a, n) => ask(&mut cluster, APPS[*a], *n)?,
        }
        cluster.advance(SimDuration::millis(300));
        ask(&mut cluster, APPS[0], 1)?;
        ask(&mut cluster, APPS[1], 1)?;
    }
    Ok(())
}

/// Cases per run: 16, or `PROPTEST_CASES` for a longer search.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn answers_come_from_ready_pods_of_the_service(ops in prop::collection::vec(op(), 1..12)) {
        check(&ops)?;
    }
}

/// Over many requests each of a Service's endpoints answers about the same share.
#[test]
fn requests_spread_evenly_over_endpoints() {
    let mut cluster = Cluster::new();
    run(
        &mut cluster,
        "kubectl create deployment web --image=sysnet4admin/echo-hname --replicas=4",
    );
    run(
        &mut cluster,
        "kubectl expose deployment web --type=NodePort --port=80",
    );
    cluster.advance(SimDuration::seconds(20));
    let port = run(
        &mut cluster,
        "kubectl get svc web -o jsonpath={.spec.ports[0].nodePort}",
    );
    let mut counts: std::collections::BTreeMap<String, u32> = Default::default();
    const REQUESTS: u32 = 4_000;
    for _ in 0..REQUESTS {
        let answer = run(&mut cluster, &format!("curl -s 192.168.1.101:{port}"));
        *counts.entry(answer.trim().to_string()).or_default() += 1;
    }
    assert_eq!(counts.len(), 4, "{counts:?}");
    let mean = f64::from(REQUESTS) / 4.0;
    for (pod, n) in &counts {
        let off = (f64::from(*n) - mean).abs() / mean;
        assert!(
            off < 0.12,
            "{pod} answered {n} of {REQUESTS} requests: {counts:?}"
        );
    }
}
