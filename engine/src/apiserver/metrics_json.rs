//! The resource metrics API on the wire: `metrics.k8s.io/v1beta1` `NodeMetrics`,
//! `PodMetrics` and their lists as metrics-server v0.8 serves them through the aggregator —
//! compact JSON in Go's field order (`kind`, `apiVersion`, `metadata` {`name`, `namespace`,
//! `creationTimestamp` (the time of the request), `labels`}, `timestamp`, `window` as Go's
//! `time.Duration`, `usage`), list items without `kind`/`apiVersion`, usage as canonical
//! quantities (CPU in nanocores scaled −9 `DecimalSI`, memory in bytes `BinarySI`).

use std::collections::BTreeMap;

use super::metrics::{NodeMetrics, PodMetrics};
use crate::clock::{time_from_ms, SimDuration};

const API_VERSION: &str = "metrics.k8s.io/v1beta1";

/// `metav1.Time` as JSON: RFC 3339 to the second.
fn time(ms: i64) -> String {
    serde_json::to_string(&time_from_ms(ms)).unwrap_or_else(|_| "null".into())
}

fn string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// `"labels":{…},` (sorted keys, as encoding/json writes a map), or nothing when empty
/// (`omitempty`).
fn labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return String::new();
    }
    format!(
        ",\"labels\":{}",
        serde_json::to_string(labels).unwrap_or_else(|_| "{}".into())
    )
}

/// The decimal SI suffixes by power of ten.
fn decimal_suffix(exponent: i32) -> Option<&'static str> {
    Some(match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return None,
    })
}

/// A `DecimalSI` quantity of `value × 10^scale`, canonical as `Quantity.MarshalJSON`
/// writes it: trailing zeros folded into the exponent, the exponent a multiple of three
/// (`5000000n` → `5m`, `1234567n` stays, `1500000000n` → `1500m`).
pub fn decimal_si(value: u64, scale: i32) -> String {
    if value == 0 {
        return "0".into();
    }
    let (mut amount, mut exponent) = (u128::from(value), scale);
    while amount % 10 == 0 {
        amount /= 10;
        exponent += 1;
    }
    match exponent.rem_euclid(3) {
        1 => {
            amount *= 10;
            exponent -= 1;
        }
        2 => {
            amount *= 100;
            exponent -= 2;
        }
        _ => {}
    }
    // Beyond exa Go writes an exponent (`1e21`); no usage here comes near it.
    match decimal_suffix(exponent) {
        Some(suffix) => format!("{amount}{suffix}"),
        None => format!("{amount}e{exponent}"),
    }
}

/// A `BinarySI` quantity of `bytes`: below 1024 written as decimal, otherwise the largest
/// power of 1024 that divides it (`4194304` → `4Mi`, `12345678` stays).
pub fn binary_si(bytes: u64) -> String {
    if bytes < 1024 {
        return decimal_si(bytes, 0);
    }
    let (mut amount, mut power) = (bytes, 0);
    while amount % 1024 == 0 && power < 6 {
        amount /= 1024;
        power += 1;
    }
    let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        .get(power)
        .copied()
        .unwrap_or("");
    format!("{amount}{suffix}")
}

/// `"usage":{"cpu":…,"memory":…}`.
fn usage(cpu_nanocores: u64, memory_bytes: u64) -> String {
    format!(
        "\"usage\":{{\"cpu\":\"{}\",\"memory\":\"{}\"}}",
        decimal_si(cpu_nanocores, -9),
        binary_si(memory_bytes)
    )
}

fn type_meta(kind: &str) -> String {
    format!("\"kind\":\"{kind}\",\"apiVersion\":\"{API_VERSION}\",")
}

/// One node's object (`kind` and `apiVersion` only when served alone); `node_labels` are
/// the node's labels at the time of the request, `now_ms` its time.
fn node_object(
    m: &NodeMetrics,
    node_labels: &BTreeMap<String, String>,
    now_ms: i64,
    alone: bool,
) -> String {
    format!(
        "{{{}\"metadata\":{{\"name\":{},\"creationTimestamp\":{}{}}},\"timestamp\":{},\"window\":\"{}\",{}}}",
        if alone { type_meta("NodeMetrics") } else { String::new() },
        string(&m.name),
        time(now_ms),
        labels(node_labels),
        time(m.timestamp_ms),
        SimDuration::millis(m.window_ms).go_string(),
        usage(m.cpu_nanocores, m.memory_bytes)
    )
}

/// One pod's object, as [`node_object`].
fn pod_object(
    m: &PodMetrics,
    pod_labels: &BTreeMap<String, String>,
    now_ms: i64,
    alone: bool,
) -> String {
    let containers: Vec<String> = m
        .containers
        .iter()
        .map(|c| {
            format!(
                "{{\"name\":{},{}}}",
                string(&c.name),
                usage(c.cpu_nanocores, c.memory_bytes)
            )
        })
        .collect();
    format!(
        "{{{}\"metadata\":{{\"name\":{},\"namespace\":{},\"creationTimestamp\":{}{}}},\"timestamp\":{},\"window\":\"{}\",\"containers\":[{}]}}",
        if alone { type_meta("PodMetrics") } else { String::new() },
        string(&m.name),
        string(&m.namespace),
        time(now_ms),
        labels(pod_labels),
        time(m.timestamp_ms),
        SimDuration::millis(m.window_ms).go_string(),
        containers.join(",")
    )
}

/// `GET …/nodes/NAME`.
pub fn node(m: &NodeMetrics, node_labels: &BTreeMap<String, String>, now_ms: i64) -> String {
    node_object(m, node_labels, now_ms, true)
}

/// `GET …/namespaces/NS/pods/NAME`.
pub fn pod(m: &PodMetrics, pod_labels: &BTreeMap<String, String>, now_ms: i64) -> String {
    pod_object(m, pod_labels, now_ms, true)
}

fn list(kind: &str, items: Vec<String>) -> String {
    format!(
        "{{{}\"metadata\":{{}},\"items\":[{}]}}",
        type_meta(kind),
        items.join(",")
    )
}

/// `GET …/nodes`: the nodes' metrics with each node's labels, in the order given.
pub fn node_list<'a>(
    items: impl Iterator<Item = (&'a NodeMetrics, &'a BTreeMap<String, String>)>,
    now_ms: i64,
) -> String {
    let items = items
        .map(|(m, l)| node_object(m, l, now_ms, false))
        .collect();
    list("NodeMetricsList", items)
}

/// `GET …/pods` or `…/namespaces/NS/pods`, as [`node_list`].
pub fn pod_list<'a>(
    items: impl Iterator<Item = (&'a PodMetrics, &'a BTreeMap<String, String>)>,
    now_ms: i64,
) -> String {
    let items = items
        .map(|(m, l)| pod_object(m, l, now_ms, false))
        .collect();
    list("PodMetricsList", items)
}

/// `GET /apis/metrics.k8s.io/v1beta1`: the group version's discovery document.
pub fn resource_list() -> String {
    let resource = |name: &str, namespaced: bool, kind: &str| {
        format!(
            "{{\"name\":\"{name}\",\"singularName\":\"\",\"namespaced\":{namespaced},\"kind\":\"{kind}\",\"verbs\":[\"get\",\"list\"]}}"
        )
    };
    format!(
        "{{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"{API_VERSION}\",\"resources\":[{},{}]}}",
        resource("nodes", false, "NodeMetrics"),
        resource("pods", true, "PodMetrics")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::metrics::ContainerMetrics;
    use crate::clock::BOOT_MS;

    #[test]
    fn quantities_are_canonical() {
        assert_eq!(decimal_si(0, -9), "0");
        assert_eq!(decimal_si(1_234_567, -9), "1234567n");
        assert_eq!(decimal_si(5_000_000, -9), "5m");
        assert_eq!(decimal_si(1_234_000, -9), "1234u");
        assert_eq!(decimal_si(1_500_000_000, -9), "1500m");
        assert_eq!(decimal_si(2_000_000_000, -9), "2");
        assert_eq!(decimal_si(120_000, -9), "120u");
        assert_eq!(decimal_si(10, -9), "10n");
        assert_eq!(decimal_si(1000, 0), "1k");
        assert_eq!(binary_si(0), "0");
        assert_eq!(binary_si(512), "512");
        assert_eq!(binary_si(1000), "1k");
        assert_eq!(binary_si(4 * 1024 * 1024), "4Mi");
        assert_eq!(binary_si(12_345 * 1024), "12345Ki");
        assert_eq!(binary_si(12_345_678), "12345678");
        assert_eq!(binary_si(3 << 30), "3Gi");
    }

    fn node_metrics() -> NodeMetrics {
        NodeMetrics {
            name: "node1".into(),
            labels: BTreeMap::new(),
            timestamp_ms: BOOT_MS + 61_500,
            window_ms: 15_000,
            cpu_nanocores: 123_456_789,
            memory_bytes: 300 * 1024 * 1024 + 4096,
        }
    }

    #[test]
    fn node_metrics_as_the_apiserver_writes_them() {
        let labels = BTreeMap::from([("kubernetes.io/os".to_string(), "linux".to_string())]);
        let m = node_metrics();
        assert_eq!(
            node(&m, &labels, BOOT_MS + 70_000),
            "{\"kind\":\"NodeMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{\"name\":\"node1\",\"creationTimestamp\":\"2025-09-01T09:01:10Z\",\"labels\":{\"kubernetes.io/os\":\"linux\"}},\"timestamp\":\"2025-09-01T09:01:01Z\",\"window\":\"15s\",\"usage\":{\"cpu\":\"123456789n\",\"memory\":\"307204Ki\"}}"
        );
        let none = BTreeMap::new();
        assert_eq!(
            node_list(std::iter::once((&m, &none)), BOOT_MS),
            "{\"kind\":\"NodeMetricsList\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{},\"items\":[{\"metadata\":{\"name\":\"node1\",\"creationTimestamp\":\"2025-09-01T09:00:00Z\"},\"timestamp\":\"2025-09-01T09:01:01Z\",\"window\":\"15s\",\"usage\":{\"cpu\":\"123456789n\",\"memory\":\"307204Ki\"}}]}"
        );
        assert_eq!(
            node_list(std::iter::empty(), BOOT_MS),
            "{\"kind\":\"NodeMetricsList\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{},\"items\":[]}"
        );
    }

    #[test]
    fn pod_metrics_as_the_apiserver_writes_them() {
        let m = PodMetrics {
            namespace: "default".into(),
            name: "web-1".into(),
            labels: BTreeMap::new(),
            timestamp_ms: BOOT_MS + 75_000,
            window_ms: 60_000,
            containers: vec![ContainerMetrics {
                name: "nginx".into(),
                cpu_nanocores: 0,
                memory_bytes: 4 * 1024 * 1024,
            }],
        };
        let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
        assert_eq!(
            pod(&m, &labels, BOOT_MS + 80_000),
            "{\"kind\":\"PodMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\",\"creationTimestamp\":\"2025-09-01T09:01:20Z\",\"labels\":{\"app\":\"web\"}},\"timestamp\":\"2025-09-01T09:01:15Z\",\"window\":\"1m0s\",\"containers\":[{\"name\":\"nginx\",\"usage\":{\"cpu\":\"0\",\"memory\":\"4Mi\"}}]}"
        );
        assert!(pod_list(std::iter::once((&m, &labels)), BOOT_MS)
            .starts_with("{\"kind\":\"PodMetricsList\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{},\"items\":[{\"metadata\":{\"name\":\"web-1\","));
    }

    #[test]
    fn discovery_lists_both_resources() {
        assert_eq!(
            resource_list(),
            "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"metrics.k8s.io/v1beta1\",\"resources\":[{\"name\":\"nodes\",\"singularName\":\"\",\"namespaced\":false,\"kind\":\"NodeMetrics\",\"verbs\":[\"get\",\"list\"]},{\"name\":\"pods\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodMetrics\",\"verbs\":[\"get\",\"list\"]}]}"
        );
    }
}
