//! ResourceQuota (v1): `spec.hard` canonical, a new quota's status cleared (the strategy's
//! `PrepareForCreate`), and validation (`ValidateResourceQuota`): resource names and
//! values, scopes and the scope selector.

use super::{KindRules, Object, ResourceQuota};
use crate::api::resource_names;

/// Every scope a quota may name (`IsStandardResourceQuotaScope`).
pub const SCOPES: &[&str] = &[
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "PriorityClass",
    "CrossNamespacePodAffinity",
    "VolumeAttributesClass",
];

/// The pod compute resources the pod scopes apply to.
const POD_COMPUTE: &[&str] = &[
    "cpu",
    "limits.cpu",
    "limits.memory",
    "memory",
    "requests.cpu",
    "requests.memory",
];

/// `IsResourceQuotaScopeValidForResource`, for standard resource names.
fn scope_fits(scope: &str, resource: &str) -> bool {
    match scope {
        "BestEffort" => resource == "pods",
        "Terminating"
        | "NotTerminating"
        | "NotBestEffort"
        | "PriorityClass"
        | "CrossNamespacePodAffinity" => resource == "pods" || POD_COMPUTE.contains(&resource),
        "VolumeAttributesClass" => {
            matches!(resource, "persistentvolumeclaims" | "requests.storage")
        }
        _ => true,
    }
}

fn standard_quota_name(name: &str) -> bool {
    !name.contains('/') && resource_names::quota_causes(name, "0", "").is_empty()
}

impl KindRules for ResourceQuota {
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        resource_names::canonicalize(&mut spec.hard);
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let Some(spec) = self.spec.as_ref() else {
            return;
        };
        let hard: Vec<&String> = spec.hard.iter().flatten().map(|(k, _)| k).collect();
        for (k, v) in spec.hard.iter().flatten() {
            causes.extend(resource_names::quota_causes(
                k,
                &v.0,
                &format!("spec.hard[{k}]"),
            ));
        }
        let scopes = spec.scopes.as_deref().unwrap_or(&[]);
        if !scopes.is_empty() {
            let listed = serde_json::to_string(scopes).unwrap_or_default();
            for scope in scopes {
                if !SCOPES.contains(&scope.as_str()) {
                    causes.push(format!(
                        "spec.scopes: Invalid value: {listed}: unsupported scope"
                    ));
                }
                for k in &hard {
                    if standard_quota_name(k) && !scope_fits(scope, k) {
                        causes.push(format!(
                            "spec.scopes: Invalid value: {listed}: unsupported scope applied to resource"
                        ));
                    }
                }
            }
            let has = |s: &str| scopes.iter().any(|x| x == s);
            for (a, b) in [
                ("BestEffort", "NotBestEffort"),
                ("Terminating", "NotTerminating"),
            ] {
                if has(a) && has(b) {
                    causes.push(format!(
                        "spec.scopes: Invalid value: {listed}: conflicting scopes"
                    ));
                }
            }
        }
        let exprs = spec
            .scope_selector
            .as_ref()
            .and_then(|s| s.match_expressions.as_deref())
            .unwrap_or(&[]);
        let at = "spec.scopeSelector.matchExpressions";
        for r in exprs {
            if !SCOPES.contains(&r.scope_name.as_str()) {
                causes.push(format!(
                    "{at}.scopeName: Invalid value: \"{}\": unsupported scope",
                    r.scope_name
                ));
            }
            let exists_only = matches!(
                r.scope_name.as_str(),
                "BestEffort"
                    | "NotBestEffort"
                    | "Terminating"
                    | "NotTerminating"
                    | "CrossNamespacePodAffinity"
            );
            if exists_only && r.operator != "Exists" {
                causes.push(format!(
                    "{at}.operator: Invalid value: \"{}\": must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
                    r.operator
                ));
            }
            let values = r.values.as_deref().unwrap_or(&[]);
            match r.operator.as_str() {
                "In" | "NotIn" if values.is_empty() => causes.push(format!(
                    "{at}.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"
                )),
                "Exists" | "DoesNotExist" if !values.is_empty() => causes.push(format!(
                    "{at}.values: Invalid value: {}: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
                    serde_json::to_string(values).unwrap_or_default()
                )),
                "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
                op => causes.push(format!(
                    "{at}.operator: Invalid value: \"{op}\": not a valid selector operator"
                )),
            }
        }
    }
}
