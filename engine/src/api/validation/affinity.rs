//! Validation of `spec.affinity.nodeAffinity`, with the apiserver's field paths and messages.

use k8s_openapi::api::core::v1::{NodeSelectorRequirement, NodeSelectorTerm, Pod};

const BASE: &str = "spec.affinity.nodeAffinity";

/// Every problem with the pod's node affinity, as `path: message` causes.
pub fn node_affinity_causes(pod: &Pod) -> Vec<String> {
    let mut causes = Vec::new();
    let Some(na) = pod
        .spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
    else {
        return causes;
    };
    if let Some(req) = &na.required_during_scheduling_ignored_during_execution {
        let path =
            format!("{BASE}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
        if req.node_selector_terms.is_empty() {
            causes.push(format!(
                "{path}: Required value: must have at least one node selector term"
            ));
        }
        for (i, term) in req.node_selector_terms.iter().enumerate() {
            term_causes(term, &format!("{path}[{i}]"), &mut causes);
        }
    }
    for (i, p) in na
        .preferred_during_scheduling_ignored_during_execution
        .iter()
        .flatten()
        .enumerate()
    {
        let path = format!("{BASE}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
        if !(1..=100).contains(&p.weight) {
            causes.push(format!(
                "{path}.weight: Invalid value: {}: must be in the range 1-100",
                p.weight
            ));
        }
        term_causes(&p.preference, &format!("{path}.preference"), &mut causes);
    }
    causes
}

fn term_causes(term: &NodeSelectorTerm, path: &str, causes: &mut Vec<String>) {
    for (j, r) in term.match_expressions.iter().flatten().enumerate() {
        requirement_causes(r, &format!("{path}.matchExpressions[{j}]"), causes);
    }
    for (j, r) in term.match_fields.iter().flatten().enumerate() {
        let p = format!("{path}.matchFields[{j}]");
        match r.operator.as_str() {
            "In" | "NotIn" => {
                if r.values.as_ref().map_or(0, Vec::len) != 1 {
                    causes.push(format!("{p}.values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
                }
            }
            op => causes.push(format!(
                "{p}.operator: Invalid value: \"{op}\": not a valid selector operator"
            )),
        }
        if r.key != "metadata.name" {
            causes.push(format!(
                "{p}.key: Invalid value: \"{}\": not a valid field selector key",
                r.key
            ));
        }
    }
}

fn requirement_causes(r: &NodeSelectorRequirement, path: &str, causes: &mut Vec<String>) {
    let n = r.values.as_ref().map_or(0, Vec::len);
    match r.operator.as_str() {
        "In" | "NotIn" if n == 0 => causes.push(format!(
            "{path}.values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
        )),
        "Exists" | "DoesNotExist" if n > 0 => causes.push(format!(
            "{path}.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        )),
        "Gt" | "Lt" if n != 1 => causes.push(format!(
            "{path}.values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"
        )),
        "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt" => {}
        op => causes.push(format!(
            "{path}.operator: Invalid value: \"{op}\": not a valid selector operator"
        )),
    }
    if r.key.is_empty() {
        causes.push(format!(
            "{path}.key: Invalid value: \"\": name part must be non-empty"
        ));
        causes.push(format!("{path}.key: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    }
}

/// Every problem with the pod's pod affinity and anti-affinity terms (`validatePodAffinityTerm`:
/// a topologyKey that is a label name; preferred terms' weights within 1-100).
pub fn pod_affinity_causes(pod: &Pod) -> Vec<String> {
    let mut causes = Vec::new();
    let Some(a) = pod.spec.as_ref().and_then(|s| s.affinity.as_ref()) else {
        return causes;
    };
    let kinds = [
        (
            "podAffinity",
            a.pod_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
        (
            "podAntiAffinity",
            a.pod_anti_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
    ];
    for (kind, terms) in kinds {
        let Some((required, preferred)) = terms else {
            continue;
        };
        let base = format!("spec.affinity.{kind}");
        for (i, t) in required.iter().flatten().enumerate() {
            let path = format!("{base}.requiredDuringSchedulingIgnoredDuringExecution[{i}]");
            topology_key_causes(&t.topology_key, &path, &mut causes);
        }
        for (i, w) in preferred.iter().flatten().enumerate() {
            let path = format!("{base}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            if !(1..=100).contains(&w.weight) {
                causes.push(format!(
                    "{path}.weight: Invalid value: {}: must be in the range 1-100",
                    w.weight
                ));
            }
            topology_key_causes(
                &w.pod_affinity_term.topology_key,
                &format!("{path}.podAffinityTerm"),
                &mut causes,
            );
        }
    }
    causes
}

fn topology_key_causes(key: &str, path: &str, causes: &mut Vec<String>) {
    if key.is_empty() {
        causes.push(format!(
            "{path}.topologyKey: Required value: can not be empty"
        ));
    }
    for msg in crate::api::resource_names::qualified_name_causes(key) {
        causes.push(format!("{path}.topologyKey: Invalid value: {key:?}: {msg}"));
    }
}
