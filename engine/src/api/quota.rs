//! Quota accounting (`pkg/quota/v1/evaluator/core` and the generic object-count evaluator):
//! what an object uses of each quota resource, which of a quota's resources and scopes
//! apply to it, the pod constraint that cpu and memory be set, and the check the
//! ResourceQuota admission plugin makes (`CheckRequest`) with its messages.

use crate::sort::{CollectMap, SliceSort};
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, ResourceQuota, ScopedResourceSelectorRequirement};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::object::Object;
use super::pod_resources;
use super::quantity::Amount;

/// Resource name → amount.
pub type Usage = BTreeMap<String, Amount>;

fn one() -> Amount {
    Amount::parse("1").unwrap_or_else(zero)
}

fn zero() -> Amount {
    Amount::parse("0").expect("0 parses")
}

fn count(n: usize) -> Amount {
    Amount::parse(&n.to_string()).unwrap_or_else(zero)
}

/// `count/<resource>[.<group>]` of an object's kind.
fn count_name(obj: &Object) -> String {
    let info = obj.info();
    if info.group.is_empty() {
        format!("count/{}", info.plural)
    } else {
        format!("count/{}.{}", info.plural, info.group)
    }
}

/// The legacy object-count name of the core kinds that have one.
fn legacy_count(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod" => "pods",
        "Service" => "services",
        "PersistentVolumeClaim" => "persistentvolumeclaims",
        "ConfigMap" => "configmaps",
        "Secret" => "secrets",
        "ReplicationController" => "replicationcontrollers",
        "ResourceQuota" => "resourcequotas",
        _ => return None,
    })
}

const POD_RESOURCES: &[&str] = &[
    "pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
];

/// Whether the evaluator of `obj`'s kind tracks the quota resource `name`
/// (`MatchingResources`).
pub fn tracks(obj: &Object, name: &str) -> bool {
    if name == count_name(obj) {
        return true;
    }
    match obj {
        Object::Pod(_) => {
            POD_RESOURCES.contains(&name)
                || name.starts_with("hugepages-")
                || name.starts_with("requests.hugepages-")
        }
        Object::Service(_) => {
            matches!(
                name,
                "services" | "services.loadbalancers" | "services.nodeports"
            )
        }
        Object::PersistentVolumeClaim(_) => {
            matches!(name, "persistentvolumeclaims" | "requests.storage")
                || name.ends_with(".storageclass.storage.k8s.io/persistentvolumeclaims")
                || name.ends_with(".storageclass.storage.k8s.io/requests.storage")
        }
        _ => legacy_count(obj.kind()) == Some(name),
    }
}

/// Whether a pod still uses compute quota (`QuotaV1Pod`): not Succeeded or Failed.
fn pod_live(pod: &Pod) -> bool {
    !matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

/// What `obj` uses (`Usage`): its object counts and, per kind, compute, storage and ports.
pub fn usage(obj: &Object) -> Usage {
    let mut u = Usage::new();
    u.insert(count_name(obj), one());
    match obj {
        Object::Pod(p) => {
            if pod_live(p) {
                u.insert("pods".into(), one());
                pod_compute(p, &mut u);
            }
        }
        Object::Service(s) => {
            u.insert("services".into(), one());
            let spec = s.spec.clone().unwrap_or_default();
            let ports = spec.ports.as_deref().unwrap_or(&[]);
            match spec.type_.as_deref() {
                Some("NodePort") => {
                    u.insert("services.nodeports".into(), count(ports.len()));
                }
                Some("LoadBalancer") => {
                    let n = if spec.allocate_load_balancer_node_ports == Some(false) {
                        ports.iter().filter(|p| p.node_port.is_some()).count()
                    } else {
                        ports.len()
                    };
                    u.insert("services.nodeports".into(), count(n));
                    u.insert("services.loadbalancers".into(), one());
                }
                _ => {}
            }
        }
        Object::PersistentVolumeClaim(c) => {
            u.insert("persistentvolumeclaims".into(), one());
            let spec = c.spec.clone().unwrap_or_default();
            let storage = spec
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .and_then(|q| Amount::parse(&q.0));
            let class = spec.storage_class_name.filter(|c| !c.is_empty());
            if let Some(class) = &class {
                u.insert(
                    format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"),
                    one(),
                );
            }
            if let Some(s) = storage {
                u.insert("requests.storage".into(), s);
                if let Some(class) = &class {
                    u.insert(
                        format!("{class}.storageclass.storage.k8s.io/requests.storage"),
                        s,
                    );
                }
            }
        }
        _ => {
            if let Some(name) = legacy_count(obj.kind()) {
                u.insert(name.into(), one());
            }
        }
    }
    u
}

/// `podComputeUsageHelper` over the pod's total requests and limits.
fn pod_compute(pod: &Pod, u: &mut Usage) {
    let Some(spec) = pod.spec.as_ref() else {
        return;
    };
    let mut requests = pod_resources::requests(spec);
    let mut limits = pod_resources::limits(spec);
    if let Some(own) = spec.resources.as_ref() {
        for (list, into) in [(&own.requests, &mut requests), (&own.limits, &mut limits)] {
            for (k, q) in list.iter().flatten() {
                if let Some(a) = Amount::parse(&q.0) {
                    into.insert(k.clone(), a);
                }
            }
        }
    }
    compute_names(&requests, &limits, u);
}

fn compute_names(requests: &Usage, limits: &Usage, u: &mut Usage) {
    for r in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(a) = requests.get(r) {
            u.insert(r.into(), *a);
            u.insert(format!("requests.{r}"), *a);
        }
        if let Some(a) = limits.get(r) {
            u.insert(format!("limits.{r}"), *a);
        }
    }
    for (k, a) in requests {
        if k.starts_with("hugepages-") {
            u.insert(k.clone(), *a);
            u.insert(format!("requests.{k}"), *a);
        }
    }
}

/// The scope selectors of a quota: its `scopes` (as `Exists`) and its `scopeSelector`.
pub fn selectors(q: &ResourceQuota) -> Vec<ScopedResourceSelectorRequirement> {
    let spec = q.spec.clone().unwrap_or_default();
    let mut out: Vec<_> = spec
        .scopes
        .unwrap_or_default()
        .into_iter()
        .map(|s| ScopedResourceSelectorRequirement {
            scope_name: s,
            operator: "Exists".into(),
            values: None,
        })
        .collect();
    out.extend(
        spec.scope_selector
            .and_then(|s| s.match_expressions)
            .unwrap_or_default(),
    );
    out
}

/// `podMatchesScopeFunc`.
fn pod_in_scope(pod: &Pod, sel: &ScopedResourceSelectorRequirement) -> bool {
    let spec = pod.spec.clone().unwrap_or_default();
    let terminating = spec.active_deadline_seconds.is_some_and(|s| s >= 0);
    let best_effort = pod_resources::qos_class(&spec) == "BestEffort";
    match sel.scope_name.as_str() {
        "Terminating" => terminating,
        "NotTerminating" => !terminating,
        "BestEffort" => best_effort,
        "NotBestEffort" => !best_effort,
        "PriorityClass" => {
            let class = spec.priority_class_name.unwrap_or_default();
            let values = sel.values.as_deref().unwrap_or(&[]);
            match sel.operator.as_str() {
                "Exists" => !class.is_empty(),
                "In" => values.contains(&class),
                "NotIn" => !values.contains(&class),
                _ => false,
            }
        }
        _ => false,
    }
}

/// `Matches`: the quota limits some resource `obj`'s kind uses (by its status' hard
/// names) and, for pods, every scope selects it.
pub fn matches(q: &ResourceQuota, obj: &Object) -> bool {
    let hard = q.status.as_ref().and_then(|s| s.hard.as_ref());
    if !hard.into_iter().flatten().any(|(k, _)| tracks(obj, k)) {
        return false;
    }
    match obj {
        Object::Pod(p) => selectors(q).iter().all(|s| pod_in_scope(p, s)),
        _ => true,
    }
}

/// The pod constraint (`podEvaluator.Constraints`): with cpu or memory under quota, each
/// container must set them: `must specify limits.cpu for: nginx; …`.
fn pod_constraints(pod: &Pod, restricted: &[&String]) -> Option<String> {
    const VALIDATED: &[&str] = &[
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "limits.cpu",
        "limits.memory",
    ];
    let spec = pod.spec.as_ref()?;
    if spec.resources.is_some() {
        return None;
    }
    let required: Vec<&str> = restricted
        .iter()
        .map(|s| s.as_str())
        .filter(|s| VALIDATED.contains(s))
        .collect();
    let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
    {
        let amounts = |l: Option<&BTreeMap<String, Quantity>>| -> Usage {
            l.into_iter()
                .flatten()
                .filter_map(|(k, q)| Some((k.clone(), Amount::parse(&q.0)?)))
                .collect_map()
        };
        let r = c.resources.as_ref();
        let mut have = Usage::new();
        compute_names(
            &amounts(r.and_then(|r| r.requests.as_ref())),
            &amounts(r.and_then(|r| r.limits.as_ref())),
            &mut have,
        );
        for name in &required {
            if !have.contains_key(*name) {
                let names = missing.entry(name).or_default();
                if !names.contains(&c.name.as_str()) {
                    names.push(&c.name);
                    names.stable_sort();
                }
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| format!("{r} for: {}", names.join(",")))
        .collect();
    Some(format!("must specify {}", parts.join("; ")))
}

/// A resource list as quota messages print it: `a=1,b=2Gi`, names in order.
pub fn pretty(u: &Usage) -> String {
    let parts: Vec<String> = u.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(",")
}

fn list_of(l: Option<&BTreeMap<String, Quantity>>) -> Usage {
    l.into_iter()
        .flatten()
        .map(|(k, q)| (k.clone(), Amount::parse(&q.0).unwrap_or_else(zero)))
        .collect_map()
}

/// A usage as stored in a quota's status.
pub fn to_list(u: &Usage) -> BTreeMap<String, Quantity> {
    u.iter()
        .map(|(k, v)| (k.clone(), Quantity(v.to_string())))
        .collect_map()
}

/// `quota.Add`: each of `a`, plus what `b` has of it; `b`'s others added.
pub fn add(a: &Usage, b: &Usage) -> Usage {
    let mut out = a.clone();
    for (k, v) in b {
        let sum = match out.get(k) {
            Some(have) => have.add(*v).unwrap_or(*have),
            None => *v,
        };
        out.insert(k.clone(), sum);
    }
    out
}

/// `CheckRequest` for a create of `obj` against the namespace's `quotas`: the quotas with
/// their use raised by the object (those it changed), or the admission error's message.
pub fn check(quotas: &[&ResourceQuota], obj: &Object) -> Result<Vec<ResourceQuota>, String> {
    let delta = usage(obj);
    charge(quotas, obj, &delta)
}

/// [`check`] for an update of `old` to `obj`: charged the growth only.
pub fn check_update(
    quotas: &[&ResourceQuota],
    obj: &Object,
    old: &Object,
) -> Result<Vec<ResourceQuota>, String> {
    let before = usage(old);
    let delta: Usage = usage(obj)
        .into_iter()
        .map(|(k, v)| {
            let prev = before.get(&k).map_or(0, |a| a.nanos());
            let grown = (v.nanos() - prev).max(0);
            (
                k,
                Amount::parse(&format!("{grown}n")).map_or(v, |g| g.like(v)),
            )
        })
        .collect_map();
    charge(quotas, obj, &delta)
}

fn charge(
    quotas: &[&ResourceQuota],
    obj: &Object,
    delta: &Usage,
) -> Result<Vec<ResourceQuota>, String> {
    let mut interesting = Vec::new();
    for q in quotas {
        if !matches(q, obj) {
            continue;
        }
        let name = q.metadata.name.clone().unwrap_or_default();
        let status = q.status.clone().unwrap_or_default();
        let hard = status.hard.clone().unwrap_or_default();
        let used = status.used.clone().unwrap_or_default();
        let restricted: Vec<&String> = hard.keys().filter(|k| tracks(obj, k)).collect();
        if let Object::Pod(p) = obj {
            if let Some(e) = pod_constraints(p, &restricted) {
                return Err(format!("failed quota: {name}: {e}"));
            }
        }
        if restricted.iter().any(|k| !used.contains_key(*k)) {
            let names: Vec<&str> = restricted.iter().map(|s| s.as_str()).collect();
            return Err(format!(
                "status unknown for quota: {name}, resources: {}",
                names.join(",")
            ));
        }
        interesting.push(*q);
    }
    let negative: Vec<&str> = delta
        .iter()
        .filter(|(_, v)| v.nanos() < 0)
        .map(|(k, _)| k.as_str())
        .collect();
    if !negative.is_empty() {
        return Err(format!(
            "quota usage is negative for resource(s): {}",
            negative.join(",")
        ));
    }
    if delta.values().all(|v| v.nanos() == 0) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for q in interesting {
        let status = q.status.clone().unwrap_or_default();
        let hard = list_of(status.hard.as_ref());
        let used = list_of(status.used.as_ref());
        let requested: Usage = delta
            .iter()
            .filter(|(k, _)| hard.contains_key(*k))
            .map(|(k, v)| (k.clone(), *v))
            .collect_map();
        let new_used = add(&used, &requested);
        let exceeded: Vec<&String> = requested
            .keys()
            .filter(|k| {
                new_used.get(*k).map_or(0, |a| a.nanos()) > hard.get(*k).map_or(0, |a| a.nanos())
            })
            .collect();
        if !exceeded.is_empty() {
            let mask = |u: &Usage| -> Usage {
                u.iter()
                    .filter(|(k, _)| exceeded.contains(k))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect_map()
            };
            return Err(format!(
                "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                q.metadata.name.as_deref().unwrap_or(""),
                pretty(&mask(&requested)),
                pretty(&mask(&used)),
                pretty(&mask(&hard))
            ));
        }
        let mut updated = q.clone();
        updated.status.get_or_insert_with(Default::default).used = Some(to_list(&new_used));
        out.push(updated);
    }
    Ok(out)
}

/// What the quota controller records (`syncResourceQuota`): `hard` from the spec, and the
/// use of every hard resource by the namespace's `objects` the quota selects.
pub fn recalculate<'a>(
    q: &ResourceQuota,
    objects: impl Iterator<Item = &'a Object>,
) -> (Usage, Usage) {
    let hard = list_of(q.spec.as_ref().and_then(|s| s.hard.as_ref()));
    let mut used: Usage = hard.keys().map(|k| (k.clone(), zero())).collect_map();
    let mut probe = q.clone();
    probe.status.get_or_insert_with(Default::default).hard = Some(to_list(&hard));
    for obj in objects {
        if !matches(&probe, obj) {
            continue;
        }
        let u: Usage = usage(obj)
            .into_iter()
            .filter(|(k, _)| hard.contains_key(k))
            .collect_map();
        used = add(&used, &u);
    }
    (hard, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: serde_json::Value) -> Object {
        let kind = v["kind"].as_str().unwrap().to_string();
        Object::decode_lenient(&kind, &v).unwrap().unwrap()
    }

    fn quota(hard: serde_json::Value, used: serde_json::Value) -> ResourceQuota {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "mem-cpu-demo"},
            "spec": {"hard": hard},
            "status": {"hard": hard, "used": used}
        }))
        .unwrap()
    }

    fn pod(resources: serde_json::Value) -> Object {
        obj(serde_json::json!({"kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": resources}]}}))
    }

    #[test]
    fn exceeded_message() {
        let q = quota(
            serde_json::json!({"requests.memory": "1Gi", "limits.memory": "2Gi"}),
            serde_json::json!({"requests.memory": "600Mi", "limits.memory": "800Mi"}),
        );
        let p =
            pod(serde_json::json!({"requests": {"memory": "700Mi"}, "limits": {"memory": "1Gi"}}));
        assert_eq!(
            check(&[&q], &p).unwrap_err(),
            "exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi"
        );
    }

    #[test]
    fn must_specify() {
        let q = quota(
            serde_json::json!({"limits.cpu": "2", "limits.memory": "2Gi"}),
            serde_json::json!({"limits.cpu": "0", "limits.memory": "0"}),
        );
        assert_eq!(
            check(&[&q], &pod(serde_json::json!({}))).unwrap_err(),
            "failed quota: mem-cpu-demo: must specify limits.cpu for: nginx; limits.memory for: nginx"
        );
    }

    #[test]
    fn charges_and_counts() {
        let q = quota(
            serde_json::json!({"pods": "2", "count/pods": "5"}),
            serde_json::json!({"pods": "1", "count/pods": "1"}),
        );
        let out = check(&[&q], &pod(serde_json::json!({}))).unwrap();
        let used = out[0].status.as_ref().unwrap().used.as_ref().unwrap();
        assert_eq!(used["pods"].0, "2");
        let q2 = out[0].clone();
        assert!(check(&[&q2], &pod(serde_json::json!({})))
            .unwrap_err()
            .starts_with(
                "exceeded quota: mem-cpu-demo, requested: pods=1, used: pods=2, limited: pods=2"
            ));
    }
}
