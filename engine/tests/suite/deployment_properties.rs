//! Property test of the Deployment controller: for random sequences of apply, scale, set
//! image, rollout undo and pod deletions with time passing, a Deployment never has more than
//! `replicas + maxSurge` pods, never lets its own rollout take availability below
//! `replicas - maxUnavailable`, and always converges to one ReplicaSet of ready pods.

use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;
use serde_json::Value;

const MAX_SURGE: i64 = 1;
const MAX_UNAVAILABLE: i64 = 1;
const IMAGES: &[&str] = &["nginx:1.25", "nginx:1.26", "nginx:1.27", "httpd:2.4"];

#[derive(Clone, Debug)]
enum Op {
    Apply { replicas: i64, image: usize },
    Scale(i64),
    SetImage(usize),
    Undo,
    DeletePod(usize),
    Wait(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i64..6, 0..IMAGES.len()).prop_map(|(replicas, image)| Op::Apply { replicas, image }),
        (1i64..7).prop_map(Op::Scale),
        (0..IMAGES.len()).prop_map(Op::SetImage),
        Just(Op::Undo),
        (0usize..8).prop_map(Op::DeletePod),
        (1u32..15).prop_map(Op::Wait),
    ]
}

fn manifest(replicas: i64, image: &str) -> String {
    format!(
        "cat <<EOF | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  strategy:
    rollingUpdate:
      maxSurge: {MAX_SURGE}
      maxUnavailable: {MAX_UNAVAILABLE}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: {image}
EOF"
    )
}

fn json(cluster: &mut Cluster, command: &str) -> Value {
    let out = cluster.run(command);
    serde_json::from_str(&out.stdout()).unwrap_or(Value::Null)
}

/// The Deployment's pods that are not terminating, and how many of them are ready.
fn pods(cluster: &mut Cluster) -> (Vec<Value>, i64) {
    let list = json(cluster, "kubectl get pods -l app=web -o json");
    let live: Vec<Value> = list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .collect();
    let ready = live
        .iter()
        .filter(|p| {
            p["status"]["conditions"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .count() as i64;
    (live, ready)
}

fn replicas(cluster: &mut Cluster) -> i64 {
    json(cluster, "kubectl get deployment web -o json")["spec"]["replicas"]
        .as_i64()
        .unwrap_or(0)
}

/// Lets `seconds` pass one second at a time, checking the invariants after each.
fn run_for(cluster: &mut Cluster, seconds: u32, disrupted: &mut bool) -> Result<(), TestCaseError> {
    for _ in 0..seconds {
        cluster.advance(SimDuration::seconds(1));
        let want = replicas(cluster);
        let (live, ready) = pods(cluster);
        prop_assert!(
            live.len() as i64 <= want + MAX_SURGE,
            "{} pods for {} replicas (maxSurge {})",
            live.len(),
            want,
            MAX_SURGE
        );
        if ready >= want {
            *disrupted = false;
        }
        if !*disrupted {
            prop_assert!(
                ready >= want - MAX_UNAVAILABLE,
                "{ready} ready pods for {want} replicas (maxUnavailable {MAX_UNAVAILABLE})"
            );
        }
    }
    Ok(())
}

/// Cases per run: 24, or `PROPTEST_CASES` for a longer search.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn deployments_respect_surge_and_availability_and_converge(ops in prop::collection::vec(op(), 1..10)) {
        check(&ops)?;
    }
}

/// Found by CI: scaling down in the middle of a rollout must shrink every active
/// ReplicaSet proportionally (upstream `scale`), not just the old one.
#[test]
fn scaling_down_during_a_rollout_stays_within_surge() {
    let ops = [
        Op::Apply {
            replicas: 4,
            image: 2,
        },
        Op::Scale(5),
        Op::Apply {
            replicas: 3,
            image: 2,
        },
    ];
    if let Err(e) = check(&ops) {
        panic!("{e}");
    }
}

fn check(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut cluster = Cluster::new();
    cluster.run(&manifest(3, IMAGES[0]));
    // Starting up is not a rollout: nothing is available yet.
    let mut disrupted = true;
    run_for(&mut cluster, 20, &mut disrupted)?;
    for op in ops {
        match op {
            Op::Apply { replicas, image } => {
                if *replicas > self::replicas(&mut cluster) {
                    disrupted = true;
                }
                cluster.run(&manifest(*replicas, IMAGES[*image]));
            }
            Op::Scale(n) => {
                if *n > replicas(&mut cluster) {
                    disrupted = true;
                }
                cluster.run(&format!("kubectl scale deployment web --replicas={n}"));
            }
            Op::SetImage(i) => {
                cluster.run(&format!(
                    "kubectl set image deployment/web web={}",
                    IMAGES[*i]
                ));
            }
            Op::Undo => {
                cluster.run("kubectl rollout undo deployment/web");
            }
            Op::DeletePod(i) => {
                let (live, _) = pods(&mut cluster);
                if let Some(p) = live.get(*i % live.len().max(1)) {
                    let name = p["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    cluster.run(&format!("kubectl delete pod {name} --wait=false"));
                    disrupted = true;
                }
            }
            Op::Wait(s) => run_for(&mut cluster, *s, &mut disrupted)?,
        }
        run_for(&mut cluster, 1, &mut disrupted)?;
    }
    run_for(&mut cluster, 120, &mut disrupted)?;

    let deploy = json(&mut cluster, "kubectl get deployment web -o json");
    let want = deploy["spec"]["replicas"].as_i64().unwrap_or(-1);
    let status = &deploy["status"];
    prop_assert_eq!(
        status["updatedReplicas"].as_i64().unwrap_or(0),
        want,
        "status {}",
        status
    );
    prop_assert_eq!(
        status["availableReplicas"].as_i64().unwrap_or(0),
        want,
        "status {}",
        status
    );
    prop_assert_eq!(
        status["replicas"].as_i64().unwrap_or(0),
        want,
        "status {}",
        status
    );
    let image = deploy["spec"]["template"]["spec"]["containers"][0]["image"].clone();
    let (live, ready) = pods(&mut cluster);
    prop_assert_eq!(ready, want);
    prop_assert_eq!(live.len() as i64, want);
    for p in &live {
        prop_assert_eq!(&p["spec"]["containers"][0]["image"], &image);
    }
    let rs = json(&mut cluster, "kubectl get rs -l app=web -o json");
    let active = rs["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|r| r["spec"]["replicas"].as_i64().unwrap_or(0) > 0)
                .count()
        })
        .unwrap_or(0);
    prop_assert_eq!(active, 1);
    Ok(())
}
