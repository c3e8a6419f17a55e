//! Why an HPA's CPU utilization is `<unknown>`, read from the cluster's state in the order
//! a learner meets the causes: the target, the resource metrics API (metrics-server
//! installed, then Available), the pods, their CPU requests, the first scrapes, the HPA's
//! next sync.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};

use super::{scale_target, target_pods, Hpa};
use crate::apiserver::{ApiServer, MetricsUnavailable};
use crate::world::World;

/// The flag metrics-server needs on clusters whose kubelets serve self-signed certificates.
pub const INSECURE_TLS_FLAG: &str = "--kubelet-insecure-tls";

/// Why the utilization is not known.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Unknown {
    /// `spec.scaleTargetRef` names nothing that exists.
    TargetMissing,
    /// No APIService `v1beta1.metrics.k8s.io`: metrics-server is not installed.
    NoMetricsApi,
    /// The APIService exists but is not Available: metrics-server is not ready.
    MetricsApiUnavailable {
        /// metrics-server's Deployment runs without `--kubelet-insecure-tls` (on kubeadm it
        /// then cannot verify the kubelets' certificates and never becomes ready).
        needs_insecure_tls: bool,
    },
    /// The target has no pods.
    NoPods,
    /// A container of a target pod requests no CPU: utilization is a percentage of the
    /// request, so there is nothing to divide by.
    MissingCpuRequest {
        /// The pod.
        pod: String,
        /// The container.
        container: String,
    },
    /// metrics-server has no points for the target's pods yet (its first scrape windows
    /// take about a minute; pods that are not ready are not counted).
    MetricsNotReady,
    /// Everything is in place; the HPA reads the metrics at its next sync (every 15 s).
    WaitingForSync,
}

/// Why `hpa`'s utilization is unknown (`None` when it is not a CPU-utilization HPA).
pub(super) fn unknown(world: &World, hpa: &Hpa) -> Option<Unknown> {
    hpa.target?;
    let api = &world.api;
    let Some(target) = scale_target(api, hpa) else {
        return Some(Unknown::TargetMissing);
    };
    let data = match api.metrics() {
        Err(MetricsUnavailable::NotRegistered) => return Some(Unknown::NoMetricsApi),
        Err(MetricsUnavailable::Unavailable) => {
            return Some(Unknown::MetricsApiUnavailable {
                needs_insecure_tls: lacks_insecure_tls(api),
            })
        }
        Ok(data) => data,
    };
    let pods = target_pods(api, target);
    if pods.is_empty() {
        return Some(Unknown::NoPods);
    }
    if let Some((pod, container)) = pods.iter().find_map(|p| missing_cpu_request(p)) {
        return Some(Unknown::MissingCpuRequest { pod, container });
    }
    let key = |p: &Pod| {
        (
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default(),
        )
    };
    if !pods.iter().any(|p| data.pods.contains_key(&key(p))) {
        return Some(Unknown::MetricsNotReady);
    }
    Some(Unknown::WaitingForSync)
}

/// The first container of `pod` without a CPU request (a limit alone counts: the API server
/// defaults the request to it), as (pod, container).
fn missing_cpu_request(pod: &Pod) -> Option<(String, String)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .find(|c| {
            let r = c.resources.as_ref();
            let has = |m: Option<&std::collections::BTreeMap<String, _>>| {
                m.is_some_and(|m| m.contains_key("cpu"))
            };
            !has(r.and_then(|r| r.requests.as_ref())) && !has(r.and_then(|r| r.limits.as_ref()))
        })
        .map(|c| {
            (
                pod.metadata.name.clone().unwrap_or_default(),
                c.name.clone(),
            )
        })
}

/// Whether a metrics-server Deployment runs without [`INSECURE_TLS_FLAG`].
fn lacks_insecure_tls(api: &ApiServer) -> bool {
    let Some(d) = api.get_as::<Deployment>("kube-system", "metrics-server") else {
        return false;
    };
    let containers = d
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    !containers.iter().any(|c| {
        c.args
            .iter()
            .chain(c.command.iter())
            .flatten()
            .any(|a| a == INSECURE_TLS_FLAG || a.starts_with("--kubelet-insecure-tls="))
    })
}

/// The HPA's newest Warning event, as `REASON: message`.
pub(super) fn newest_warning(api: &ApiServer, hpa: &Hpa) -> Option<String> {
    api.list_as::<Event>(Some(&hpa.namespace))
        .filter(|e| {
            e.type_.as_deref() == Some("Warning")
                && e.involved_object.kind.as_deref() == Some(super::HPA_KIND)
                && e.involved_object.name.as_deref() == Some(hpa.name.as_str())
                && (hpa.uid.is_empty() || e.involved_object.uid.as_deref() == Some(&hpa.uid))
        })
        .max_by_key(|e| {
            e.metadata
                .resource_version
                .as_deref()
                .and_then(|r| r.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .map(|e| {
            format!(
                "{}: {}",
                e.reason.as_deref().unwrap_or_default(),
                e.message.as_deref().unwrap_or_default()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(resources: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-1"},
            "spec": {"containers": [
                {"name": "sidecar", "image": "busybox", "resources": {"requests": {"cpu": "10m"}}},
                {"name": "app", "image": "nginx", "resources": resources}
            ]}
        }))
        .unwrap()
    }

    #[test]
    fn a_container_without_a_cpu_request_is_named() {
        assert_eq!(
            missing_cpu_request(&pod(serde_json::json!({}))),
            Some(("web-1".to_string(), "app".to_string()))
        );
        assert_eq!(
            missing_cpu_request(&pod(serde_json::json!({"requests": {"memory": "64Mi"}}))),
            Some(("web-1".to_string(), "app".to_string()))
        );
        assert_eq!(
            missing_cpu_request(&pod(serde_json::json!({"limits": {"cpu": "500m"}}))),
            None
        );
        assert_eq!(
            missing_cpu_request(&pod(serde_json::json!({"requests": {"cpu": "200m"}}))),
            None
        );
    }

    #[test]
    fn without_metrics_server_the_api_is_missing() {
        let mut c = crate::Cluster::new();
        c.run("kubectl create deployment web --image=nginx");
        let hpa = Hpa {
            namespace: "default".into(),
            name: "web".into(),
            target_kind: "Deployment".into(),
            target_name: "web".into(),
            target: Some(50),
            ..Hpa::default()
        };
        assert_eq!(unknown(&c.world, &hpa), Some(Unknown::NoMetricsApi));
        let missing = Hpa {
            target_name: "nope".into(),
            ..hpa.clone()
        };
        assert_eq!(unknown(&c.world, &missing), Some(Unknown::TargetMissing));
        let not_cpu = Hpa {
            target: None,
            ..hpa.clone()
        };
        assert_eq!(unknown(&c.world, &not_cpu), None);
        assert!(
            !lacks_insecure_tls(&c.world.api),
            "no metrics-server at all"
        );
        assert_eq!(newest_warning(&c.world.api, &hpa), None);
    }
}
