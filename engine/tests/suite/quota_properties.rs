//! LimitRanges and ResourceQuotas under random pods and Deployments: nothing panics; after
//! every step no quota's use exceeds its hard limit (the quotas exist before the objects
//! they count); and a pod keeps every request and limit it gave, LimitRange defaults only
//! filling the ones it left out.

use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;
use serde_json::Value;

const CPU: &[&str] = &["100m", "250m", "500m", "1"];
const MEM: &[&str] = &["64Mi", "128Mi", "256Mi", "1Gi"];

/// A resource list of up to cpu and memory, from choice bits.
fn list(bits: u8, cpu: usize, mem: usize) -> Value {
    let mut m = serde_json::Map::new();
    if bits & 1 != 0 {
        m.insert("cpu".into(), CPU[cpu % CPU.len()].into());
    }
    if bits & 2 != 0 {
        m.insert("memory".into(), MEM[mem % MEM.len()].into());
    }
    Value::Object(m)
}

#[derive(Clone, Debug)]
enum Step {
    Pod {
        name: u8,
        req: (u8, usize, usize),
        lim: (u8, usize, usize),
    },
    Deployment {
        name: u8,
        replicas: u8,
    },
    DeletePod(u8),
    Wait(u8),
}

fn step() -> impl Strategy<Value = Step> {
    let l = (0u8..4, 0usize..4, 0usize..4);
    prop_oneof![
        (0u8..6, l.clone(), l).prop_map(|(name, req, lim)| Step::Pod { name, req, lim }),
        (0u8..2, 0u8..5).prop_map(|(name, replicas)| Step::Deployment { name, replicas }),
        (0u8..6).prop_map(Step::DeletePod),
        (1u8..30).prop_map(Step::Wait),
    ]
}

fn apply(c: &mut Cluster, v: &Value) -> String {
    c.run(&format!("kubectl apply -f - <<EOF\n{v}\nEOF")).text()
}

/// A quantity's value in thousandths (what these tests write and the API prints).
fn millis(q: &str) -> f64 {
    let (n, mul) = if let Some(n) = q.strip_suffix('m') {
        (n, 1.0)
    } else if let Some(n) = q.strip_suffix("Ki") {
        (n, 1024.0 * 1000.0)
    } else if let Some(n) = q.strip_suffix("Mi") {
        (n, 1024.0 * 1024.0 * 1000.0)
    } else if let Some(n) = q.strip_suffix("Gi") {
        (n, 1024.0 * 1024.0 * 1024.0 * 1000.0)
    } else {
        (q, 1000.0)
    };
    n.parse::<f64>().unwrap_or(f64::NAN) * mul
}

fn json(c: &mut Cluster, cmd: &str) -> Value {
    serde_json::from_str(&c.run(cmd).text()).unwrap_or(Value::Null)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn quotas_hold_and_defaults_fill_only_gaps(
        ranges in prop::collection::vec((0u8..4, 0u8..4, 0u8..4, 0u8..4, 0usize..4, 0usize..4), 0..3),
        quotas in prop::collection::vec((0u8..4, 0usize..4, 0usize..4, 0u8..64), 1..3),
        steps in prop::collection::vec(step(), 1..14),
    ) {
        let mut c = Cluster::new();
        for (i, (min, max, def, req, cpu, mem)) in ranges.iter().enumerate() {
            let lr = serde_json::json!({"apiVersion": "v1", "kind": "LimitRange",
                "metadata": {"name": format!("lr{i}")},
                "spec": {"limits": [{"type": "Container",
                    "min": list(*min, 0, 0), "max": list(*max, 3, 3),
                    "default": list(*def, *cpu + 1, *mem + 1), "defaultRequest": list(*req, *cpu, *mem)}]}});
            apply(&mut c, &lr);
        }
        for (i, (bits, cpu, mem, pods)) in quotas.iter().enumerate() {
            let mut hard = serde_json::Map::new();
            if bits & 1 != 0 { hard.insert("requests.cpu".into(), CPU[*cpu].into()); }
            if bits & 2 != 0 { hard.insert("limits.memory".into(), MEM[*mem].into()); }
            hard.insert("pods".into(), (pods % 5).to_string().into());
            if pods & 8 != 0 { hard.insert("count/pods".into(), "3".into()); }
            let q = serde_json::json!({"apiVersion": "v1", "kind": "ResourceQuota",
                "metadata": {"name": format!("q{i}")}, "spec": {"hard": hard}});
            apply(&mut c, &q);
        }
        for s in &steps {
            match s {
                Step::Pod { name, req, lim } => {
                    let (req, lim) = (list(req.0, req.1, req.2), list(lim.0, lim.1, lim.2));
                    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": format!("p{name}")},
                        "spec": {"containers": [{"name": "c", "image": "nginx",
                            "resources": {"requests": req, "limits": lim}}]}});
                    let out = apply(&mut c, &pod);
                    if out.ends_with("created") {
                        let stored = json(&mut c, &format!("kubectl get pod p{name} -o json"));
                        let r = &stored["spec"]["containers"][0]["resources"];
                        for (given, field) in [(&req, "requests"), (&lim, "limits")] {
                            for (k, v) in given.as_object().into_iter().flatten() {
                                prop_assert_eq!(&r[field][k], v, "{} {} changed: {}", field, k, r);
                            }
                        }
                        let note = stored["metadata"]["annotations"]["kubernetes.io/limit-ranger"].as_str().unwrap_or("");
                        for (given, what) in [(&req, "request"), (&lim, "limit")] {
                            for k in given.as_object().into_iter().flatten().map(|(k, _)| k) {
                                prop_assert!(!note.contains(&format!("{k} {what} for container c")), "{} set over a given value", note);
                            }
                        }
                    }
                }
                Step::Deployment { name, replicas } => {
                    let _ = c.run(&format!("kubectl create deployment d{name} --image=nginx --replicas={replicas}"));
                }
                Step::DeletePod(n) => {
                    let _ = c.run(&format!("kubectl delete pod p{n} --wait=false"));
                }
                Step::Wait(s) => c.advance(SimDuration::seconds(i64::from(*s))),
            }
            let list = json(&mut c, "kubectl get quota -o json");
            for q in list["items"].as_array().into_iter().flatten() {
                let hard = &q["status"]["hard"];
                for (k, h) in hard.as_object().into_iter().flatten() {
                    let used = q["status"]["used"][k].as_str().unwrap_or("0");
                    let (u, h) = (millis(used), millis(h.as_str().unwrap_or("0")));
                    prop_assert!(u <= h, "{}: {} used over {} hard", k, used, h);
                }
            }
        }
    }
}
