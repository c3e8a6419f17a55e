//! Raw `GET`s of the API server's paths (`kubectl get --raw URI`): the health checks
//! (`/healthz`, `/livez`, `/readyz` → `ok`) and the resource metrics API as the aggregator
//! routes it to metrics-server (`/apis/metrics.k8s.io`, `…/v1beta1`, `…/nodes[/NAME]`,
//! `…/pods`, `…/namespaces/NS/pods[/NAME]`, `?labelSelector=`), with the statuses either
//! answers: the group not registered (404), its APIService not available (503), a node
//! or pod that does not exist or has no metrics (404). Other paths the real server serves
//! are not simulated; the rest are the real 404.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};

use super::metrics::{MetricsData, MetricsUnavailable};
use super::{metrics_json, ApiServer};
use crate::api::kinds::KINDS;
use crate::api::selector::Selector;

/// Why a raw `GET` has no body to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawError {
    /// The server answered with an error status: (`reason`, message), printed by kubectl as
    /// `Error from server (REASON): MESSAGE`.
    Status(&'static str, String),
    /// A path the real server serves that Kubeplay does not answer yet.
    NotSimulated,
}

impl RawError {
    fn not_found(message: impl Into<String>) -> RawError {
        RawError::Status("NotFound", message.into())
    }

    /// A path nothing serves (kubectl's text for a 404 without a status body).
    fn no_resource() -> RawError {
        RawError::not_found("the server could not find the requested resource")
    }
}

const METRICS_GROUP: &str = "/apis/metrics.k8s.io";
const METRICS_VERSION: &str = "/apis/metrics.k8s.io/v1beta1";

impl ApiServer {
    /// The body the API server answers a `GET` of `uri` (a path with an optional query)
    /// with at `now_ms`.
    pub fn get_raw(&self, uri: &str, now_ms: i64) -> Result<String, RawError> {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        match path {
            "/healthz" | "/livez" | "/readyz" => Ok("ok".into()),
            // JSON as the API server's encoder writes it: one line.
            _ => self
                .get_metrics_raw(path, query, now_ms)
                .map(|body| body + "\n"),
        }
    }

    /// A `GET` of `path` that is not a health check: the metrics API's JSON.
    fn get_metrics_raw(&self, path: &str, query: &str, now_ms: i64) -> Result<String, RawError> {
        let Some(rest) = path.strip_prefix(METRICS_GROUP) else {
            return Err(if self.serves_elsewhere(path) {
                RawError::NotSimulated
            } else {
                RawError::no_resource()
            });
        };
        if !rest.is_empty() && !rest.starts_with('/') {
            // `/apis/metrics.k8s.iox`: another group.
            return Err(if self.serves_elsewhere(path) {
                RawError::NotSimulated
            } else {
                RawError::no_resource()
            });
        }
        let data = match self.metrics() {
            Err(MetricsUnavailable::NotRegistered) => return Err(RawError::no_resource()),
            // The aggregator answers the group's discovery from the APIService itself.
            _ if rest.is_empty() || rest == "/" => return Ok(api_group()),
            Err(MetricsUnavailable::Unavailable) => {
                return Err(RawError::Status(
                    "ServiceUnavailable",
                    "the server is currently unable to handle the request".into(),
                ))
            }
            Ok(data) => data,
        };
        let Some(resource) = path.strip_prefix(METRICS_VERSION) else {
            return Err(RawError::no_resource());
        };
        let selector = match label_selector(query) {
            Ok(s) => s,
            Err(message) => return Err(RawError::Status("BadRequest", message)),
        };
        let segments: Vec<&str> = resource.split('/').skip(1).collect();
        match segments.as_slice() {
            [] | [""] => Ok(metrics_json::resource_list()),
            ["nodes"] => Ok(self.node_metrics_list(data, selector.as_ref(), now_ms)),
            ["nodes", name] => self.node_metrics(data, name, now_ms),
            ["pods"] => Ok(self.pod_metrics_list(data, None, selector.as_ref(), now_ms)),
            ["namespaces", ns, "pods"] => {
                Ok(self.pod_metrics_list(data, Some(ns), selector.as_ref(), now_ms))
            }
            ["namespaces", ns, "pods", name] => self.pod_metrics(data, ns, name, now_ms),
            _ => Err(RawError::no_resource()),
        }
    }

    /// Whether the real server serves `path` from something Kubeplay does not answer raw:
    /// the core API, discovery, `/version`, `/openapi`, `/metrics`, the groups of the kinds
    /// it serves.
    fn serves_elsewhere(&self, path: &str) -> bool {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["api", ..] | ["apis"] | ["apis", ""] | ["version"] | ["metrics"] => true,
            ["openapi", ..] => true,
            ["apis", group, ..] => {
                KINDS.iter().any(|k| k.group == *group)
                    || self.custom_kinds().any(|k| k.info.group == *group)
            }
            _ => false,
        }
    }

    fn node_labels(&self, name: &str) -> BTreeMap<String, String> {
        self.get_as::<Node>("", name)
            .and_then(|n| n.metadata.labels.clone())
            .unwrap_or_default()
    }

    /// The running pod's labels (metrics-server lists only pods in phase Running).
    fn running_pod_labels(&self, namespace: &str, name: &str) -> Option<BTreeMap<String, String>> {
        let pod = self.get_as::<Pod>(namespace, name)?;
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        (phase == Some("Running")).then(|| pod.metadata.labels.clone().unwrap_or_default())
    }

    fn node_metrics_list(
        &self,
        data: &MetricsData,
        selector: Option<&Selector>,
        now_ms: i64,
    ) -> String {
        let items: Vec<_> = data
            .nodes
            .values()
            .filter(|m| self.get_as::<Node>("", &m.name).is_some())
            .map(|m| (m, self.node_labels(&m.name)))
            .filter(|(_, l)| selector.is_none_or(|s| s.matches(Some(l))))
            .collect();
        metrics_json::node_list(items.iter().map(|(m, l)| (*m, l)), now_ms)
    }

    fn node_metrics(
        &self,
        data: &MetricsData,
        name: &str,
        now_ms: i64,
    ) -> Result<String, RawError> {
        if self.get_as::<Node>("", name).is_none() {
            // The node lister's NotFound names the resource `node`.
            return Err(RawError::not_found(format!("node \"{name}\" not found")));
        }
        let m = data.nodes.get(name).ok_or_else(|| {
            RawError::not_found(format!("nodemetrics.metrics.k8s.io \"{name}\" not found"))
        })?;
        Ok(metrics_json::node(m, &self.node_labels(name), now_ms))
    }

    fn pod_metrics_list(
        &self,
        data: &MetricsData,
        namespace: Option<&str>,
        selector: Option<&Selector>,
        now_ms: i64,
    ) -> String {
        let items: Vec<_> = data
            .pods
            .values()
            .filter(|m| namespace.is_none_or(|ns| m.namespace == ns))
            .filter_map(|m| Some((m, self.running_pod_labels(&m.namespace, &m.name)?)))
            .filter(|(_, l)| selector.is_none_or(|s| s.matches(Some(l))))
            .collect();
        metrics_json::pod_list(items.iter().map(|(m, l)| (*m, l)), now_ms)
    }

    fn pod_metrics(
        &self,
        data: &MetricsData,
        namespace: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<String, RawError> {
        let labels = self
            .running_pod_labels(namespace, name)
            .ok_or_else(|| RawError::not_found(format!("pods \"{name}\" not found")))?;
        let m = data
            .pods
            .get(&(namespace.to_string(), name.to_string()))
            .ok_or_else(|| {
                RawError::not_found(format!(
                    "podmetrics.metrics.k8s.io \"{namespace}/{name}\" not found"
                ))
            })?;
        Ok(metrics_json::pod(m, &labels, now_ms))
    }
}

/// `/apis/metrics.k8s.io`: the group's discovery document.
fn api_group() -> String {
    let version = "{\"groupVersion\":\"metrics.k8s.io/v1beta1\",\"version\":\"v1beta1\"}";
    format!(
        "{{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":\"metrics.k8s.io\",\"versions\":[{version}],\"preferredVersion\":{version}}}"
    )
}

/// The `labelSelector` of a query string, percent-decoded as Go's `url.ParseQuery` does.
fn label_selector(query: &str) -> Result<Option<Selector>, String> {
    let Some(value) = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "labelSelector")
        .map(|(_, v)| v)
    else {
        return Ok(None);
    };
    let value = percent_decode(value);
    if value.is_empty() {
        return Ok(None);
    }
    Selector::parse(&value).map(Some)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_as_go_does() {
        assert_eq!(percent_decode("app%3Dweb"), "app=web");
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert!(label_selector("labelSelector=app%3Dweb").unwrap().is_some());
        assert!(label_selector("limit=5").unwrap().is_none());
    }
}
