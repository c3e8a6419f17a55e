//! The LimitRanger admission plugin's rules (`plugin/pkg/admission/limitranger`): a new
//! pod's containers take the default requests and limits of the namespace's LimitRanges
//! (noted in the `kubernetes.io/limit-ranger` annotation), then pods and claims are checked
//! against each range's min, max and maxLimitRequestRatio.

use std::collections::BTreeMap;

use crate::sort::CollectMap;

use k8s_openapi::api::core::v1::{
    Container, LimitRange, PersistentVolumeClaim, Pod, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::pod_resources::{self, Totals};
use super::quantity::Amount;

/// The annotation the plugin writes on a pod it defaulted.
pub const ANNOTATION: &str = "kubernetes.io/limit-ranger";

type List = BTreeMap<String, Quantity>;

/// `PodMutateLimitFunc` for one range: fills in each container's missing requests and
/// limits from the range's Container item and writes the annotation (if it set anything).
pub fn default_pod(range: &LimitRange, pod: &mut Pod) {
    let (mut requests, mut limits) = (List::new(), List::new());
    for item in range.spec.iter().flat_map(|s| &s.limits) {
        if item.type_ == "Container" {
            requests.extend(item.default_request.clone().unwrap_or_default());
            limits.extend(item.default.clone().unwrap_or_default());
        }
    }
    let Some(spec) = pod.spec.as_mut() else {
        return;
    };
    let mut notes = Vec::new();
    for c in spec.containers.iter_mut() {
        merge(c, &requests, &limits, "container", &mut notes);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        merge(c, &requests, &limits, "init container", &mut notes);
    }
    if !notes.is_empty() {
        pod.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(
                ANNOTATION.into(),
                format!("LimitRanger plugin set: {}", notes.join("; ")),
            );
    }
}

/// `mergeContainerResources`.
fn merge(c: &mut Container, requests: &List, limits: &List, what: &str, notes: &mut Vec<String>) {
    let r = c
        .resources
        .get_or_insert_with(ResourceRequirements::default);
    let fill = |have: &mut Option<List>, defaults: &List| -> Vec<String> {
        let have = have.get_or_insert_with(Default::default);
        let mut set = Vec::new();
        for (k, v) in defaults {
            if !have.contains_key(k) {
                have.insert(k.clone(), v.clone());
                set.push(k.clone());
            }
        }
        set
    };
    let set_limits = fill(&mut r.limits, limits);
    let set_requests = fill(&mut r.requests, requests);
    if !set_requests.is_empty() {
        notes.push(format!(
            "{} request for {what} {}",
            set_requests.join(", "),
            c.name
        ));
    }
    if !set_limits.is_empty() {
        notes.push(format!(
            "{} limit for {what} {}",
            set_limits.join(", "),
            c.name
        ));
    }
}

/// Amounts of a resource list (malformed quantities are absent).
fn amounts(list: Option<&List>) -> Totals {
    list.into_iter()
        .flatten()
        .filter_map(|(k, q)| Some((k.clone(), Amount::parse(&q.0)?)))
        .collect_map()
}

fn min_check(
    kind: &str,
    name: &str,
    enforced: Amount,
    req: &Totals,
    lim: &Totals,
) -> Option<String> {
    let Some(r) = req.get(name) else {
        return Some(format!(
            "minimum {name} usage per {kind} is {enforced}.  No request is specified"
        ));
    };
    if r.nanos() < enforced.nanos() {
        return Some(format!(
            "minimum {name} usage per {kind} is {enforced}, but request is {r}"
        ));
    }
    match lim.get(name) {
        Some(l) if l.nanos() < enforced.nanos() => Some(format!(
            "minimum {name} usage per {kind} is {enforced}, but limit is {l}"
        )),
        _ => None,
    }
}

fn max_check(
    kind: &str,
    name: &str,
    enforced: Amount,
    req: &Totals,
    lim: &Totals,
) -> Option<String> {
    let Some(l) = lim.get(name) else {
        return Some(format!(
            "maximum {name} usage per {kind} is {enforced}.  No limit is specified"
        ));
    };
    if l.nanos() > enforced.nanos() {
        return Some(format!(
            "maximum {name} usage per {kind} is {enforced}, but limit is {l}"
        ));
    }
    match req.get(name) {
        Some(r) if r.nanos() > enforced.nanos() => Some(format!(
            "maximum {name} usage per {kind} is {enforced}, but request is {r}"
        )),
        _ => None,
    }
}

fn ratio_check(
    kind: &str,
    name: &str,
    enforced: Amount,
    req: &Totals,
    lim: &Totals,
) -> Option<String> {
    let r = req.get(name).map_or(0, |a| a.millis());
    if r == 0 {
        return Some(format!("{name} max limit to request ratio per {kind} is {enforced}, but no request is specified or request is 0"));
    }
    let l = lim.get(name).map_or(0, |a| a.millis());
    if l == 0 {
        return Some(format!("{name} max limit to request ratio per {kind} is {enforced}, but no limit is specified or limit is 0"));
    }
    let observed = l as f64 / r as f64;
    (observed * 1000.0 > enforced.millis() as f64).then(|| {
        format!("{name} max limit to request ratio per {kind} is {enforced}, but provided ratio is {observed:.6}")
    })
}

/// The three checks of one item against a set of requests and limits.
fn check_item(
    item: &k8s_openapi::api::core::v1::LimitRangeItem,
    req: &Totals,
    lim: &Totals,
    errs: &mut Vec<String>,
) {
    let kind = item.type_.as_str();
    type Check = fn(&str, &str, Amount, &Totals, &Totals) -> Option<String>;
    let checks: [(&Option<List>, Check); 3] = [
        (&item.min, min_check),
        (&item.max, max_check),
        (&item.max_limit_request_ratio, ratio_check),
    ];
    for (list, check) in checks {
        for (name, enforced) in amounts(list.as_ref()) {
            errs.extend(check(kind, &name, enforced, req, lim));
        }
    }
}

/// `PodValidateLimitFunc`: each container against Container items, the pod's totals
/// against Pod items; the errors as `utilerrors.NewAggregate` prints them.
pub fn validate_pod(range: &LimitRange, pod: &Pod) -> Option<String> {
    let mut errs = Vec::new();
    let spec = pod.spec.clone().unwrap_or_default();
    for item in range.spec.iter().flat_map(|s| &s.limits) {
        match item.type_.as_str() {
            "Container" => {
                for c in spec
                    .containers
                    .iter()
                    .chain(spec.init_containers.iter().flatten())
                {
                    let r = c.resources.as_ref();
                    let req = amounts(r.and_then(|r| r.requests.as_ref()));
                    let lim = amounts(r.and_then(|r| r.limits.as_ref()));
                    check_item(item, &req, &lim, &mut errs);
                }
            }
            "Pod" => {
                let (req, lim) = (pod_resources::requests(&spec), pod_resources::limits(&spec));
                check_item(item, &req, &lim, &mut errs);
            }
            _ => {}
        }
    }
    aggregate(errs)
}

/// `PersistentVolumeClaimValidateLimitFunc`: a claim's storage request against each
/// PersistentVolumeClaim item's min and max (limits are not the claim's).
pub fn validate_claim(range: &LimitRange, claim: &PersistentVolumeClaim) -> Option<String> {
    let mut errs = Vec::new();
    let req = amounts(
        claim
            .spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref()),
    );
    for item in range.spec.iter().flat_map(|s| &s.limits) {
        if item.type_ != "PersistentVolumeClaim" {
            continue;
        }
        let kind = item.type_.as_str();
        for (name, enforced) in amounts(item.min.as_ref()) {
            errs.extend(min_check(kind, &name, enforced, &req, &Totals::new()));
        }
        for (name, enforced) in amounts(item.max.as_ref()) {
            match req.get(&name) {
                None => errs.push(format!(
                    "maximum {name} usage per {kind} is {enforced}.  No request is specified"
                )),
                Some(r) if r.nanos() > enforced.nanos() => errs.push(format!(
                    "maximum {name} usage per {kind} is {enforced}, but request is {r}"
                )),
                Some(_) => {}
            }
        }
    }
    aggregate(errs)
}

/// `utilerrors.NewAggregate(errs).Error()`: one message alone, several (duplicates
/// dropped) in brackets.
pub fn aggregate(errs: Vec<String>) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for e in errs {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    match seen.len() {
        0 => None,
        1 => seen.pop(),
        _ => Some(format!("[{}]", seen.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: serde_json::Value) -> LimitRange {
        let mut lr: LimitRange = serde_json::from_value(
            serde_json::json!({"metadata": {"name": "lr"}, "spec": {"limits": [v]}}),
        )
        .unwrap();
        crate::api::object::KindRules::default_fields(&mut lr);
        lr
    }

    fn pod(resources: serde_json::Value) -> Pod {
        let mut p: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": resources}]}
        }))
        .unwrap();
        crate::api::defaults::pod(&mut p);
        p
    }

    #[test]
    fn defaults_and_annotation() {
        let lr = range(
            serde_json::json!({"type": "Container", "default": {"memory": "512Mi"}, "defaultRequest": {"memory": "256Mi"}}),
        );
        let mut p = pod(serde_json::json!({}));
        default_pod(&lr, &mut p);
        let r = p.spec.unwrap().containers[0].resources.clone().unwrap();
        assert_eq!(r.requests.unwrap()["memory"].0, "256Mi");
        assert_eq!(r.limits.unwrap()["memory"].0, "512Mi");
        assert_eq!(
            p.metadata.annotations.unwrap()[ANNOTATION],
            "LimitRanger plugin set: memory request for container nginx; memory limit for container nginx"
        );
    }

    #[test]
    fn min_and_max_errors_aggregate() {
        let lr = range(
            serde_json::json!({"type": "Container", "min": {"cpu": "200m", "memory": "500Mi"}, "max": {"cpu": "800m", "memory": "1Gi"}}),
        );
        let p = pod(
            serde_json::json!({"requests": {"cpu": "100m", "memory": "600Mi"}, "limits": {"cpu": "500m", "memory": "1.5Gi"}}),
        );
        assert_eq!(
            validate_pod(&lr, &p).unwrap(),
            "[minimum cpu usage per Container is 200m, but request is 100m, maximum memory usage per Container is 1Gi, but limit is 1536Mi]"
        );
    }

    #[test]
    fn ratio() {
        let lr = range(serde_json::json!({"type": "Pod", "maxLimitRequestRatio": {"memory": "2"}}));
        let p = pod(
            serde_json::json!({"requests": {"memory": "100Mi"}, "limits": {"memory": "300Mi"}}),
        );
        assert_eq!(
            validate_pod(&lr, &p).unwrap(),
            "memory max limit to request ratio per Pod is 2, but provided ratio is 3.000000"
        );
    }
}
