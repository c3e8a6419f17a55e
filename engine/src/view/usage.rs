//! CPU and memory use on the board, as the resource metrics API serves them (what `kubectl
//! top` prints): nothing until metrics-server publishes, then a pod's use against its
//! requests and limits.

use k8s_openapi::api::core::v1::Pod;

use crate::api::quantity;
use crate::apiserver::ApiServer;

/// A pod's use and what its containers ask for (sums over the containers; a request or
/// limit is `None` when no container sets one).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PodUsage {
    /// CPU used, in millicores.
    pub cpu_milli: i64,
    /// Working set, in bytes.
    pub memory_bytes: i64,
    /// CPU requested, in millicores.
    pub cpu_request_milli: Option<i64>,
    /// CPU limit, in millicores.
    pub cpu_limit_milli: Option<i64>,
    /// Memory requested, in bytes.
    pub memory_request_bytes: Option<i64>,
    /// Memory limit, in bytes.
    pub memory_limit_bytes: Option<i64>,
}

/// Nanocores as millicores.
pub(super) fn milli(nanocores: u64) -> i64 {
    i64::try_from(nanocores / 1_000_000).unwrap_or(i64::MAX)
}

/// Bytes as a signed count.
pub(super) fn bytes(b: u64) -> i64 {
    i64::try_from(b).unwrap_or(i64::MAX)
}

/// The sum of one resource over the containers' requests (`limits: false`) or limits;
/// a request defaults to the limit, as the API server does.
fn total(pod: &Pod, resource: &str, limits: bool, scale: f64) -> Option<i64> {
    let mut sum: Option<f64> = None;
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let Some(r) = c.resources.as_ref() else {
            continue;
        };
        let pick = |m: Option<&std::collections::BTreeMap<String, _>>| {
            m.and_then(
                |m: &std::collections::BTreeMap<
                    String,
                    k8s_openapi::apimachinery::pkg::api::resource::Quantity,
                >| m.get(resource),
            )
            .and_then(|q| quantity::parse(&q.0))
        };
        let value = if limits {
            pick(r.limits.as_ref())
        } else {
            pick(r.requests.as_ref()).or_else(|| pick(r.limits.as_ref()))
        };
        if let Some(v) = value {
            *sum.get_or_insert(0.0) += v;
        }
    }
    sum.map(|s| (s * scale).round() as i64)
}

/// `pod`'s use, if metrics-server has published it.
pub(super) fn pod(api: &ApiServer, pod: &Pod) -> Option<PodUsage> {
    let metrics = api.metrics().ok()?;
    let key = (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    );
    let m = metrics.pods.get(&key)?;
    let (cpu, memory) = m.containers.iter().fold((0u64, 0u64), |(c, b), x| {
        (
            c.saturating_add(x.cpu_nanocores),
            b.saturating_add(x.memory_bytes),
        )
    });
    Some(PodUsage {
        cpu_milli: milli(cpu),
        memory_bytes: bytes(memory),
        cpu_request_milli: total(pod, "cpu", false, 1000.0),
        cpu_limit_milli: total(pod, "cpu", true, 1000.0),
        memory_request_bytes: total(pod, "memory", false, 1.0),
        memory_limit_bytes: total(pod, "memory", true, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_default_to_limits_and_sum_over_containers() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "spec": {"containers": [
                {"name": "a", "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}, "limits": {"cpu": "500m"}}},
                {"name": "b", "resources": {"limits": {"cpu": "100m", "memory": "32Mi"}}},
                {"name": "c"}
            ]}
        }))
        .unwrap();
        assert_eq!(total(&pod, "cpu", false, 1000.0), Some(300));
        assert_eq!(total(&pod, "cpu", true, 1000.0), Some(600));
        assert_eq!(total(&pod, "memory", false, 1.0), Some(96 << 20));
        assert_eq!(total(&pod, "memory", true, 1.0), Some(32 << 20));
        assert_eq!(total(&Pod::default(), "cpu", false, 1000.0), None);
        assert_eq!(milli(250_000_000), 250);
    }

    #[test]
    fn nothing_is_shown_without_metrics() {
        let mut c = crate::Cluster::new();
        c.run("kubectl run web --image=nginx");
        let snap = c.snapshot();
        assert!(snap.pods.iter().all(|p| p.usage.is_none()));
        assert!(snap.nodes.iter().all(|n| n.cpu_usage_milli.is_none()));
    }
}
