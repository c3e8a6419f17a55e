//! PodDisruptionBudgets under random traffic: Deployments of assorted sizes, budgets with
//! integer or percentage (sometimes malformed) minAvailable or maxUnavailable, drains of
//! random nodes (evictions through the eviction API, with short timeouts), uncordons,
//! scaling and time passing. After every step nothing panicked, no budget allows a negative
//! number of disruptions, and right after a drain every budget still has at least
//! `desiredHealthy` Ready pods that are not being deleted.

use kubeplay_engine::{Cluster, SimDuration, Stream};
use proptest::prelude::*;
use serde_json::Value;

const VALUES: &[&str] = &[
    "0", "1", "2", "3", "\"50%\"", "\"34%\"", "\"100%\"", "\"0%\"", "\"x%\"", "-1",
];

#[derive(Clone, Debug)]
enum Step {
    Deployment { app: u8, replicas: u8 },
    Budget { app: u8, max: bool, value: usize },
    Drain { node: u8 },
    Uncordon { node: u8 },
    Scale { app: u8, replicas: u8 },
    Wait { seconds: u16 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..3, 0u8..5).prop_map(|(app, replicas)| Step::Deployment { app, replicas }),
        (0u8..3, any::<bool>(), 0..VALUES.len()).prop_map(|(app, max, value)| Step::Budget {
            app,
            max,
            value
        }),
        (1u8..4).prop_map(|node| Step::Drain { node }),
        (1u8..4).prop_map(|node| Step::Uncordon { node }),
        (0u8..3, 0u8..5).prop_map(|(app, replicas)| Step::Scale { app, replicas }),
        (1u16..90).prop_map(|seconds| Step::Wait { seconds }),
    ]
}

fn items(cluster: &mut Cluster, what: &str) -> Vec<Value> {
    let out = cluster.run(&format!("kubectl get {what} -o json"));
    let text: String = out
        .chunks
        .iter()
        .filter(|(s, _)| *s == Stream::Stdout)
        .map(|(_, t)| t.as_str())
        .collect();
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("items").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn ready(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp").is_none()
        && pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| {
                c.iter().any(|c| {
                    c.get("type").and_then(Value::as_str) == Some("Ready")
                        && c.get("status").and_then(Value::as_str) == Some("True")
                })
            })
}

/// The invariants; `drained`: the step was a drain.
fn check(cluster: &mut Cluster, drained: bool) -> Result<(), String> {
    let budgets = items(cluster, "pdb");
    let pods = items(cluster, "pods");
    for b in &budgets {
        let name = b
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let allowed = b
            .pointer("/status/disruptionsAllowed")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if allowed < 0 {
            return Err(format!("{name} allows {allowed} disruptions"));
        }
        if !drained {
            continue;
        }
        let desired = b
            .pointer("/status/desiredHealthy")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let app = b
            .pointer("/spec/selector/matchLabels/app")
            .and_then(Value::as_str)
            .unwrap_or("");
        let healthy = pods
            .iter()
            .filter(|p| p.pointer("/metadata/labels/app").and_then(Value::as_str) == Some(app))
            .filter(|p| ready(p))
            .count() as i64;
        // A budget its own status calls violated before the drain stays so; it must not
        // have been made worse by evictions.
        let current = b
            .pointer("/status/currentHealthy")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if healthy < desired.min(current) {
            return Err(format!("{name}: {healthy} healthy pods, {desired} desired"));
        }
    }
    Ok(())
}

fn run_steps(steps: &[Step]) -> Result<(), String> {
    let mut cluster = Cluster::new();
    for (i, st) in steps.iter().enumerate() {
        let line = match st {
            Step::Deployment { app, replicas } => {
                format!("kubectl create deployment a{app} --image=nginx --replicas={replicas}")
            }
            Step::Budget { app, max, value } => {
                let field = if *max {
                    "maxUnavailable"
                } else {
                    "minAvailable"
                };
                let text = format!(
                    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: b{i}\nspec:\n  {field}: {}\n  selector:\n    matchLabels:\n      app: a{app}\n",
                    VALUES[*value]
                );
                let file = format!("b{i}.yaml");
                cluster
                    .write_file(&file, &text)
                    .map_err(|e| format!("{e:?}"))?;
                format!("kubectl apply -f {file}")
            }
            Step::Drain { node } => {
                format!("kubectl drain node{node} --ignore-daemonsets --force --timeout=11s")
            }
            Step::Uncordon { node } => format!("kubectl uncordon node{node}"),
            Step::Scale { app, replicas } => {
                format!("kubectl scale deployment a{app} --replicas={replicas}")
            }
            Step::Wait { seconds } => {
                cluster.advance(SimDuration::seconds(i64::from(*seconds)));
                continue;
            }
        };
        cluster.run(&line);
        check(&mut cluster, matches!(st, Step::Drain { .. }))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn budgets_hold_under_drains(steps in prop::collection::vec(step(), 1..10)) {
        prop_assert_eq!(run_steps(&steps), Ok(()));
    }
}
