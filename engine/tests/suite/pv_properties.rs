//! PersistentVolume binding under random traffic: volumes and claims of assorted sizes,
//! access modes, classes and pre-bindings, pods using the claims, deletions of each, time
//! passing — on a kubeadm cluster (static volumes only) and on minikube (its provisioner).
//! After every step: no claim is bound to two volumes, no volume to two claims, and every
//! binding satisfies its claim (class, access modes, capacity, volume mode).

use std::collections::BTreeMap;

use kubeplay_engine::{Cluster, ClusterConfig, ClusterProfile, SimDuration, Stream};
use proptest::prelude::*;
use serde_json::Value;

const SIZES: &[&str] = &["100Mi", "500Mi", "1Gi", "2Gi"];
const MODES: &[&str] = &["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"];
const CLASSES: &[Option<&str>] = &[None, Some(""), Some("standard"), Some("manual")];

#[derive(Clone, Debug)]
enum Step {
    Volume {
        name: u8,
        size: usize,
        modes: u8,
        class: usize,
        mode_block: bool,
        recycle: bool,
    },
    Claim {
        name: u8,
        size: usize,
        modes: u8,
        class: usize,
        wants: Option<u8>,
    },
    Pod {
        name: u8,
        claim: u8,
    },
    DeleteClaim(u8),
    DeleteVolume(u8),
    DeletePod(u8),
    Wait(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (
            0u8..4,
            0..SIZES.len(),
            1u8..8,
            0..CLASSES.len(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(
                |(name, size, modes, class, mode_block, recycle)| Step::Volume {
                    name,
                    size,
                    modes,
                    class,
                    mode_block,
                    recycle
                }
            ),
        (
            0u8..4,
            0..SIZES.len(),
            1u8..8,
            0..CLASSES.len(),
            prop::option::of(0u8..4)
        )
            .prop_map(|(name, size, modes, class, wants)| Step::Claim {
                name,
                size,
                modes,
                class,
                wants
            }),
        (0u8..3, 0u8..4).prop_map(|(name, claim)| Step::Pod { name, claim }),
        (0u8..4).prop_map(Step::DeleteClaim),
        (0u8..4).prop_map(Step::DeleteVolume),
        (0u8..3).prop_map(Step::DeletePod),
        (1u8..40).prop_map(Step::Wait),
    ]
}

fn modes(bits: u8) -> String {
    let list: Vec<&str> = MODES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, m)| *m)
        .collect();
    format!("[{}]", list.join(", "))
}

fn class_line(class: usize) -> String {
    match CLASSES.get(class).copied().flatten() {
        None => String::new(),
        Some(c) => format!("  storageClassName: \"{c}\"\n"),
    }
}

fn manifest(s: &Step) -> Option<String> {
    Some(match s {
        Step::Volume { name, size, modes: m, class, mode_block, recycle } => format!(
            "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv{name}\n  labels:\n    n: \"{name}\"\nspec:\n  capacity:\n    storage: {}\n  accessModes: {}\n{}  volumeMode: {}\n  persistentVolumeReclaimPolicy: {}\n  nfs:\n    server: 10.0.0.1\n    path: /v{name}\n",
            SIZES[*size],
            modes(*m),
            class_line(*class),
            if *mode_block { "Block" } else { "Filesystem" },
            if *recycle { "Recycle" } else { "Retain" },
        ),
        Step::Claim { name, size, modes: m, class, wants } => format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c{name}\nspec:\n  accessModes: {}\n{}{}  resources:\n    requests:\n      storage: {}\n",
            modes(*m),
            class_line(*class),
            wants.map(|w| format!("  volumeName: pv{w}\n")).unwrap_or_default(),
            SIZES[*size],
        ),
        Step::Pod { name, claim } => format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n  volumes:\n  - name: d\n    persistentVolumeClaim:\n      claimName: c{claim}\n"
        ),
        _ => return None,
    })
}

fn json(cluster: &mut Cluster, what: &str) -> Vec<Value> {
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

fn bytes(q: &str) -> f64 {
    let (n, unit) = q.split_at(q.find(|c: char| !c.is_ascii_digit()).unwrap_or(q.len()));
    let n: f64 = n.parse().unwrap_or(0.0);
    n * match unit {
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        _ => 1.0,
    }
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("")
}

/// The invariant, checked on the live objects. A binding is checked against its volume when
/// it is first seen (`known` remembers it): a bound volume's spec may change afterwards
/// (its access modes and capacity are mutable), and the binder does not undo a binding then.
fn check(cluster: &mut Cluster, known: &mut BTreeMap<String, String>) -> Result<(), String> {
    let volumes = json(cluster, "pv");
    let claims = json(cluster, "pvc");
    let by_name: BTreeMap<&str, &Value> = volumes
        .iter()
        .map(|v| (s(v, "/metadata/name"), v))
        .collect();
    let mut taken: BTreeMap<&str, &str> = BTreeMap::new();
    for c in &claims {
        let name = s(c, "/metadata/name");
        if s(c, "/status/phase") != "Bound" {
            continue;
        }
        let vol = s(c, "/spec/volumeName");
        if let Some(other) = taken.insert(vol, name) {
            return Err(format!("volume {vol} bound to claims {other} and {name}"));
        }
        let Some(pv) = by_name.get(vol) else {
            continue; // Lost: its volume went.
        };
        if s(pv, "/spec/claimRef/name") != name {
            return Err(format!(
                "claim {name} bound to {vol}, which is claimed by another"
            ));
        }
        if known.insert(name.to_string(), vol.to_string()).as_deref() == Some(vol) {
            continue; // Checked when it bound.
        }
        let class = |v: &Value| s(v, "/spec/storageClassName").to_string();
        if class(pv) != class(c) {
            return Err(format!(
                "claim {name} ({}) bound to {vol} ({})",
                class(c),
                class(pv)
            ));
        }
        let mode = |v: &Value| match s(v, "/spec/volumeMode") {
            "" => "Filesystem".to_string(),
            m => m.to_string(),
        };
        if mode(pv) != mode(c) {
            return Err(format!(
                "claim {name} bound to {vol} of another volume mode"
            ));
        }
        if bytes(s(pv, "/spec/capacity/storage")) < bytes(s(c, "/spec/resources/requests/storage"))
        {
            return Err(format!("claim {name} bound to the too small {vol}"));
        }
        let offered: Vec<&Value> = pv
            .pointer("/spec/accessModes")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let wanted = c.pointer("/spec/accessModes").and_then(Value::as_array);
        if wanted.is_some_and(|w| w.iter().any(|m| !offered.contains(&m))) {
            return Err(format!(
                "claim {name} bound to {vol} without its access modes"
            ));
        }
    }
    // A volume names at most one claim, and a Bound volume's claim (if it exists) is it.
    for v in &volumes {
        if s(v, "/status/phase") != "Bound" {
            continue;
        }
        let claim = s(v, "/spec/claimRef/name");
        let holder = claims.iter().find(|c| s(c, "/metadata/name") == claim);
        if let Some(c) = holder {
            let vol = s(v, "/metadata/name");
            let cv = s(c, "/spec/volumeName");
            if !cv.is_empty() && cv != vol {
                return Err(format!("{vol} Bound to {claim}, which is bound to {cv}"));
            }
        }
    }
    Ok(())
}

fn run_steps(profile: ClusterProfile, steps: &[Step]) -> Result<(), String> {
    let mut cluster = Cluster::with_config(ClusterConfig { seed: 7, profile });
    let mut known = BTreeMap::new();
    for (i, st) in steps.iter().enumerate() {
        if let Some(text) = manifest(st) {
            let file = format!("s{i}.yaml");
            cluster
                .write_file(&file, &text)
                .map_err(|e| format!("{e:?}"))?;
            cluster.run(&format!("kubectl apply -f {file}"));
        }
        match st {
            Step::DeleteClaim(n) => {
                drop(cluster.run(&format!("kubectl delete pvc c{n} --wait=false")))
            }
            Step::DeleteVolume(n) => {
                drop(cluster.run(&format!("kubectl delete pv pv{n} --wait=false")))
            }
            Step::DeletePod(n) => {
                drop(cluster.run(&format!("kubectl delete pod p{n} --wait=false")))
            }
            Step::Wait(secs) => cluster.advance(SimDuration::seconds(i64::from(*secs))),
            _ => {}
        }
        check(&mut cluster, &mut known).map_err(|e| format!("after step {i} ({st:?}): {e}"))?;
    }
    cluster.advance(SimDuration::seconds(60));
    check(&mut cluster, &mut known)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn claims_bind_only_to_volumes_that_satisfy_them(
        steps in prop::collection::vec(step(), 1..14),
        minikube in any::<bool>(),
    ) {
        let profile = if minikube { ClusterProfile::single_node() } else { ClusterProfile::multi_node() };
        prop_assert_eq!(run_steps(profile, &steps), Ok(()));
    }
}

/// The check reads what it should: a claim and a matching volume do bind.
#[test]
fn the_check_sees_bindings() {
    let mut cluster = Cluster::new();
    let steps = [
        Step::Volume {
            name: 0,
            size: 2,
            modes: 1,
            class: 1,
            mode_block: false,
            recycle: false,
        },
        Step::Claim {
            name: 0,
            size: 1,
            modes: 1,
            class: 1,
            wants: None,
        },
    ];
    for (i, st) in steps.iter().enumerate() {
        let file = format!("s{i}.yaml");
        let text = manifest(st).unwrap_or_default();
        assert!(cluster.write_file(&file, &text).is_ok());
        cluster.run(&format!("kubectl apply -f {file}"));
    }
    let claims = json(&mut cluster, "pvc");
    assert_eq!(claims.len(), 1);
    assert_eq!(s(&claims[0], "/status/phase"), "Bound");
    assert_eq!(s(&claims[0], "/spec/volumeName"), "pv0");
    assert_eq!(check(&mut cluster, &mut BTreeMap::new()), Ok(()));
}

/// Pieces of storage manifests, valid and not, for the no-panic test.
fn storage_manifest() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "apiVersion: v1",
        "apiVersion: storage.k8s.io/v1",
        "kind: PersistentVolume",
        "kind: PersistentVolumeClaim",
        "kind: StorageClass",
        "kind: Pod",
        "metadata:",
        "  name: a",
        "  name: b",
        "  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}",
        "  annotations: {volume.beta.kubernetes.io/storage-class: fast}",
        "  annotations: {volume.kubernetes.io/selected-node: nowhere}",
        "provisioner: k8s.io/minikube-hostpath",
        "provisioner: kubernetes.io/aws-ebs",
        "provisioner: kubernetes.io/no-provisioner",
        "volumeBindingMode: WaitForFirstConsumer",
        "allowVolumeExpansion: true",
        "reclaimPolicy: Retain",
        "spec:",
        "  capacity: {storage: 1Gi}",
        "  capacity: {storage: -1}",
        "  capacity: {storage: 1e400}",
        "  accessModes: [ReadWriteOnce]",
        "  accessModes: [ReadWriteMany, ReadOnlyMany]",
        "  accessModes: []",
        "  resources: {requests: {storage: 500Mi}}",
        "  resources: {requests: {storage: 0}}",
        "  storageClassName: \"\"",
        "  storageClassName: standard",
        "  storageClassName: fast",
        "  volumeName: a",
        "  volumeMode: Block",
        "  selector: {matchLabels: {x: y}}",
        "  selector: {matchExpressions: [{key: x, operator: Bogus}]}",
        "  claimRef: {namespace: default, name: b}",
        "  persistentVolumeReclaimPolicy: Delete",
        "  persistentVolumeReclaimPolicy: Recycle",
        "  hostPath: {path: /tmp/x}",
        "  hostPath: {path: /}",
        "  nfs: {server: 10.0.0.1, path: /}",
        "  local: {path: /mnt}",
        "  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node1]}]}]}}",
        "  containers: [{name: c, image: nginx}]",
        "  volumes: [{name: d, persistentVolumeClaim: {claimName: b}}]",
        "---",
        "  ",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..18).prop_map(|p| p.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// No storage manifest, patch, deletion or wait makes the engine panic.
    #[test]
    fn storage_objects_never_panic(
        texts in prop::collection::vec(storage_manifest(), 1..4),
        minikube in any::<bool>(),
        size in prop::sample::select(&["2Gi", "1", "-5", "x", "100Ki"][..]),
    ) {
        let profile = if minikube { ClusterProfile::single_node() } else { ClusterProfile::multi_node() };
        let mut cluster = Cluster::with_config(ClusterConfig { seed: 1, profile });
        for text in &texts {
            let _ = cluster.run(&format!("kubectl apply -f - <<EOF\n{text}\nEOF"));
        }
        let patch = format!("{{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"{size}\"}}}}}}}}");
        let _ = cluster.run(&format!("kubectl patch pvc b -p '{patch}'"));
        cluster.advance(SimDuration::seconds(20));
        let _ = cluster.run("kubectl delete pvc --all --wait=false");
        let _ = cluster.run("kubectl delete pv --all --wait=false");
        cluster.advance(SimDuration::seconds(20));
        for what in ["pv", "pvc", "sc", "events"] {
            let _ = cluster.run(&format!("kubectl get {what} -o wide"));
            let _ = cluster.run(&format!("kubectl describe {what}"));
        }
    }
}
