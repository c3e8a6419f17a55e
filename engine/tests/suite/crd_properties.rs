//! Property tests for CustomResourceDefinitions: hostile schemas (deep nesting, huge
//! numbers, odd patterns, aliases) and hostile objects never panic and stay fast.

use std::time::{Duration, Instant};

use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const NAMES: &[&str] = &[
    "spec", "status", "a", "b", "replicas", "metadata", "kind", "x",
];

/// Numbers at the edges of what JSON and f64 hold.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(u64::MAX)),
        (-1e6f64..1e6).prop_map(Value::from),
    ]
}

/// A schema node, nested up to a few levels by proptest and deeper by `chain`.
fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "string", "pattern": "(a+)+$", "maxLength": 3})),
        Just(json!({"type": "string", "pattern": "["})),
        Just(json!({"type": "string", "pattern": "a{1000000}"})),
        Just(json!({"type": "boolean", "default": "no"})),
        Just(json!({"x-kubernetes-int-or-string": true})),
        Just(json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})),
        Just(json!({"type": "strin"})),
        Just(json!({})),
        (number(), number())
            .prop_map(|(lo, hi)| json!({"type": "integer", "minimum": lo, "maximum": hi})),
        prop::collection::vec(number(), 0..4).prop_map(|e| json!({"type": "number", "enum": e})),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            prop::collection::btree_map(prop::sample::select(NAMES), inner.clone(), 0..4).prop_map(
                |m| {
                    let props: Map<String, Value> =
                        m.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                    json!({"type": "object", "properties": props, "required": ["a"]})
                }
            ),
            inner
                .clone()
                .prop_map(|i| json!({"type": "array", "items": i, "maxItems": 2})),
            inner.prop_map(|i| json!({"type": "object", "additionalProperties": i})),
        ]
    })
}

/// An object's content, loosely shaped like the schemas.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        "[a-z*]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(prop::sample::select(NAMES), inner, 0..4).prop_map(|m| {
                Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// A property nested `depth` levels deep.
fn chain(depth: usize) -> Value {
    let mut s = json!({"type": "string"});
    for _ in 0..depth {
        s = json!({"type": "object", "properties": {"a": s}});
    }
    s
}

fn crd(schema: &Value) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "things", "kind": "Thing", "shortNames": ["th"], "categories": ["all"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": schema}}},
                "additionalPrinterColumns": [{"name": "A", "type": "integer", "jsonPath": ".spec.a"},
                    {"name": "When", "type": "date", "jsonPath": ".spec.b", "priority": 1}]}]
        }
    })
}

/// Applies the CRD and an object, then reads them every way; returns how long it took and
/// what was printed.
fn exercise(schema: &Value, spec: &Value) -> (Duration, String) {
    let start = Instant::now();
    let mut printed = String::new();
    let mut cluster = Cluster::new();
    let _ = cluster.write_file("crd.json", &crd(schema).to_string());
    let obj = json!({"apiVersion": "example.com/v1", "kind": "Thing",
        "metadata": {"name": "t"}, "spec": spec});
    let _ = cluster.write_file("thing.json", &obj.to_string());
    for line in [
        "kubectl apply -f crd.json",
        "kubectl apply -f thing.json",
        "kubectl get things -o wide",
        "kubectl get all",
        "kubectl get th t -o yaml",
        "kubectl describe thing t",
        "kubectl explain thing.spec --recursive",
        "kubectl patch th t --type=merge -p '{\"spec\":{\"a\":1}}'",
        "kubectl delete crd things.example.com",
        "kubectl get things",
    ] {
        for (_, text) in cluster.run(line).chunks {
            printed.push_str(&text);
        }
    }
    cluster.advance(SimDuration::seconds(1));
    (start.elapsed(), printed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn hostile_schemas_and_objects_never_panic(schema in schema(), spec in value()) {
        let (took, _) = exercise(&schema, &spec);
        prop_assert!(took < Duration::from_secs(20), "took {took:?}");
    }
}

#[test]
fn deep_schemas_are_refused_with_a_message() {
    let mut cluster = Cluster::new();
    let _ = cluster.write_file("crd.json", &crd(&chain(90)).to_string());
    let out = cluster.run("kubectl apply -f crd.json");
    let text: String = out.chunks.iter().map(|(_, t)| t.as_str()).collect();
    assert!(text.contains("nested at most 64 levels deep"), "{text}");
    // A chain within the bound is accepted, and an object as deep validates.
    let mut deep = json!("x");
    for _ in 0..40 {
        deep = json!({ "a": deep });
    }
    let (_, printed) = exercise(&chain(40), &deep);
    assert!(printed.contains("thing.example.com/t created"), "{printed}");
    assert!(
        printed.contains("error: the server doesn't have a resource type \"things\""),
        "{printed}"
    );
}

#[test]
fn yaml_aliases_in_a_crd_are_refused() {
    let mut cluster = Cluster::new();
    let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.b.c\nx: &a [1, 2]\ny: [*a, *a, *a]\n";
    let _ = cluster.write_file("crd.yaml", text);
    let out = cluster.run("kubectl apply -f crd.yaml");
    assert_ne!(out.exit_code, 0);
}
