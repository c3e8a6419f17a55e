//! Pod-level resources (`spec.resources`, the PodLevelResources feature, beta and on in 1.34):
//! what the containers add up to, and the defaults a pod's own resources get from them.

use std::collections::BTreeMap;

use crate::sort::CollectMap;

use k8s_openapi::api::core::v1::{Container, PodSpec, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::quantity::Amount;

/// Resource name → amount, as a `ResourceList` being summed.
pub type Totals = BTreeMap<String, Amount>;

/// Whether `name` can be set at pod level: cpu, memory and huge pages.
pub fn supported(name: &str) -> bool {
    matches!(name, "cpu" | "memory") || name.starts_with("hugepages-")
}

/// `SetDefaults_Pod`'s pod-level part, after the containers' requests are defaulted; only for
/// a pod that sets some pod-level resources. Huge-page limits missing at pod level take the
/// containers' total (unless requested at pod level); then, with pod-level limits, a missing
/// cpu or memory request takes the containers' total requests, and any other missing request
/// its pod-level limit.
pub fn defaults(spec: &mut PodSpec) {
    let Some(own) = spec.resources.as_ref() else {
        return;
    };
    let has = |m: &Option<BTreeMap<String, Quantity>>| m.as_ref().is_some_and(|m| !m.is_empty());
    if !has(&own.limits) && !has(&own.requests) {
        return;
    }
    let limits = aggregate(spec, |c| {
        c.resources.as_ref().and_then(|r| r.limits.as_ref())
    });
    let requests = aggregate(spec, |c| {
        c.resources.as_ref().and_then(|r| r.requests.as_ref())
    });
    let Some(own) = spec.resources.as_mut() else {
        return;
    };
    let pod_requests = own.requests.clone().unwrap_or_default();
    let mut pod_limits = own.limits.clone().unwrap_or_default();
    for (name, total) in &limits {
        if name.starts_with("hugepages-") && !pod_requests.contains_key(name) {
            pod_limits
                .entry(name.clone())
                .or_insert_with(|| Quantity(total.to_string()));
        }
    }
    if pod_limits.is_empty() {
        return;
    }
    own.limits = Some(pod_limits.clone());
    let mut wanted = pod_requests;
    for (name, total) in &requests {
        if matches!(name.as_str(), "cpu" | "memory") {
            wanted
                .entry(name.clone())
                .or_insert_with(|| Quantity(total.to_string()));
        }
    }
    for (name, limit) in &pod_limits {
        if supported(name) {
            wanted.entry(name.clone()).or_insert_with(|| limit.clone());
        }
    }
    if !wanted.is_empty() {
        own.requests = Some(wanted);
    }
}

/// The pod's QoS class (`ComputePodQOS`): from its own resources when it sets them, else
/// Guaranteed when every container (init containers too) requests exactly its cpu and
/// memory limits, BestEffort when none requests or limits either, Burstable otherwise.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    if let Some(own) = spec.resources.as_ref() {
        return resource_qos(own);
    }
    let mut pod = None;
    for c in spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
    {
        let empty = ResourceRequirements::default();
        let qos = resource_qos(c.resources.as_ref().unwrap_or(&empty));
        match pod {
            _ if qos == BURSTABLE => return BURSTABLE,
            None => pod = Some(qos),
            Some(seen) if seen != qos => return BURSTABLE,
            Some(_) => {}
        }
    }
    pod.unwrap_or(BEST_EFFORT)
}

const BEST_EFFORT: &str = "BestEffort";
const BURSTABLE: &str = "Burstable";
const GUARANTEED: &str = "Guaranteed";

/// One set of requirements' class: cpu and memory each requested as limited (by value),
/// all unset or zero for BestEffort, all set for Guaranteed.
fn resource_qos(r: &ResourceRequirements) -> &'static str {
    let amount = |m: &Option<BTreeMap<String, Quantity>>, name: &str| {
        m.as_ref()
            .and_then(|m| m.get(name))
            .and_then(|q| Amount::parse(&q.0))
            .map_or(0, |a| a.nanos())
    };
    let mut qos = None;
    for name in ["cpu", "memory"] {
        let (req, lim) = (amount(&r.requests, name), amount(&r.limits, name));
        if req != lim {
            return BURSTABLE;
        }
        let class = if req == 0 { BEST_EFFORT } else { GUARANTEED };
        match qos {
            None => qos = Some(class),
            Some(seen) if seen != class => return BURSTABLE,
            Some(_) => {}
        }
    }
    qos.unwrap_or(BEST_EFFORT)
}

/// The pod's requests (`PodRequests` without pod-level resources): what its containers
/// add up to, init containers and sidecars included.
pub fn requests(spec: &PodSpec) -> Totals {
    aggregate(spec, |c| {
        c.resources.as_ref().and_then(|r| r.requests.as_ref())
    })
}

/// The pod's limits, added up as [`requests`] are.
pub fn limits(spec: &PodSpec) -> Totals {
    aggregate(spec, |c| {
        c.resources.as_ref().and_then(|r| r.limits.as_ref())
    })
}

/// `AggregateContainerRequests`/`Limits` of the spec: the containers' sum, raised to what any
/// init container needs while it runs (with the sidecars started before it); sidecars
/// (restartable init containers) count in the sum. Malformed quantities count as absent.
fn aggregate(
    spec: &PodSpec,
    list: impl Fn(&Container) -> Option<&BTreeMap<String, Quantity>>,
) -> Totals {
    let amounts = |c: &Container| -> Totals {
        list(c)
            .into_iter()
            .flatten()
            .filter_map(|(k, q)| Some((k.clone(), Amount::parse(&q.0)?)))
            .collect_map()
    };
    let mut total = Totals::new();
    for c in &spec.containers {
        add(&mut total, &amounts(c));
    }
    let mut sidecars = Totals::new();
    let mut init = Totals::new();
    for c in spec.init_containers.iter().flatten() {
        let own = amounts(c);
        let running = if c.restart_policy.as_deref() == Some("Always") {
            add(&mut total, &own);
            add(&mut sidecars, &own);
            sidecars.clone()
        } else {
            let mut combined = own;
            add(&mut combined, &sidecars);
            combined
        };
        max(&mut init, &running);
    }
    max(&mut total, &init);
    total
}

/// `addResourceList`: adds each of `more` into `into` (an overflowing sum stays as it was).
fn add(into: &mut Totals, more: &Totals) {
    for (name, amount) in more {
        match into.get_mut(name) {
            Some(sum) => *sum = sum.add(*amount).unwrap_or(*sum),
            None => {
                into.insert(name.clone(), *amount);
            }
        }
    }
}

/// `maxResourceList`: raises each of `into` to `other`'s amount where that is larger.
fn max(into: &mut Totals, other: &Totals) {
    for (name, amount) in other {
        match into.get_mut(name) {
            Some(have) => *have = have.max(*amount),
            None => {
                into.insert(name.clone(), *amount);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(v: serde_json::Value) -> PodSpec {
        serde_json::from_value(v).unwrap()
    }

    fn resources(s: &PodSpec) -> serde_json::Value {
        serde_json::to_value(&s.resources).unwrap()
    }

    #[test]
    fn pod_requests_default_to_containers_then_to_pod_limits() {
        let mut s = spec(serde_json::json!({
            "resources": {"limits": {"cpu": "2", "memory": "1Gi"}},
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "500m"}}},
                {"name": "b", "resources": {"requests": {"cpu": "1"}}}
            ]
        }));
        defaults(&mut s);
        assert_eq!(
            resources(&s),
            serde_json::json!({"limits": {"cpu": "2", "memory": "1Gi"},
                               "requests": {"cpu": "1500m", "memory": "1Gi"}})
        );
    }

    #[test]
    fn qos_classes() {
        let qos = |v| qos_class(&spec(v));
        let both = serde_json::json!({"cpu": "1", "memory": "1Gi"});
        assert_eq!(
            qos(serde_json::json!({"containers": [{"name": "a"}]})),
            "BestEffort"
        );
        assert_eq!(
            qos(serde_json::json!({"containers": [
                {"name": "a", "resources": {"limits": both, "requests": {"cpu": "1000m", "memory": "1Gi"}}}
            ]})),
            "Guaranteed"
        );
        assert_eq!(
            qos(serde_json::json!({
                "initContainers": [{"name": "i", "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}}],
                "containers": [{"name": "a", "resources": {"limits": both, "requests": both}}]
            })),
            "Burstable"
        );
        assert_eq!(
            qos(serde_json::json!({
                "containers": [{"name": "a", "resources": {"limits": both, "requests": both}}, {"name": "b"}]
            })),
            "Burstable"
        );
        assert_eq!(
            qos(serde_json::json!({
                "resources": {"limits": both, "requests": both},
                "containers": [{"name": "a"}]
            })),
            "Guaranteed"
        );
    }

    #[test]
    fn init_containers_and_sidecars_raise_the_total() {
        let s = spec(serde_json::json!({
            "initContainers": [
                {"name": "side", "restartPolicy": "Always",
                 "resources": {"requests": {"memory": "64Mi"}}},
                {"name": "init", "resources": {"requests": {"memory": "256Mi"}}}
            ],
            "containers": [{"name": "a", "resources": {"requests": {"memory": "128Mi"}}}]
        }));
        let total = aggregate(&s, |c| {
            c.resources.as_ref().and_then(|r| r.requests.as_ref())
        });
        assert_eq!(total["memory"].to_string(), "320Mi");
    }

    #[test]
    fn only_a_pod_with_its_own_resources_changes() {
        let mut s = spec(serde_json::json!({
            "containers": [{"name": "a", "resources": {"limits": {"cpu": "1"}}}]
        }));
        defaults(&mut s);
        assert_eq!(s.resources, None);
        let mut s = spec(serde_json::json!({
            "resources": {"requests": {"cpu": "1"}},
            "containers": [{"name": "a", "resources": {"limits": {"hugepages-2Mi": "4Mi"}}}]
        }));
        defaults(&mut s);
        assert_eq!(
            resources(&s),
            serde_json::json!({"limits": {"hugepages-2Mi": "4Mi"},
                               "requests": {"cpu": "1", "hugepages-2Mi": "4Mi"}})
        );
    }
}
