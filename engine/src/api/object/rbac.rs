//! RBAC (`rbac.authorization.k8s.io/v1`): Role, ClusterRole, RoleBinding and
//! ClusterRoleBinding, with their defaults (`pkg/apis/rbac/v1/defaults.go`) and validation
//! (`pkg/apis/rbac/validation`), and the rules an aggregated ClusterRole gathers.

use crate::sort::SliceSort;
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};

use super::{
    ClusterRole, ClusterRoleBinding, KindRules, Object, Role, RoleBinding, StatusSubresource,
};
use crate::api::validation::path_segment_causes;

/// The RBAC API group, the only one a roleRef may name.
const GROUP: &str = "rbac.authorization.k8s.io";

impl KindRules for Role {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        rules(self.rules.as_deref().unwrap_or(&[]), true, causes);
    }

    fn served_json(&self, v: &mut serde_json::Value) {
        null_rules(v);
    }
}

impl KindRules for ClusterRole {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        rules(self.rules.as_deref().unwrap_or(&[]), false, causes);
    }

    fn served_json(&self, v: &mut serde_json::Value) {
        null_rules(v);
    }
}

/// `rules` has no `omitempty`: a role without rules is served with `rules: null`.
fn null_rules(v: &mut serde_json::Value) {
    if let Some(map) = v.as_object_mut() {
        map.entry("rules").or_insert(serde_json::Value::Null);
    }
}

impl KindRules for RoleBinding {
    fn default_fields(&mut self) {
        defaults(&mut self.role_ref, self.subjects.as_deref_mut());
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        binding(&self.role_ref, self.subjects.as_deref(), true, causes);
    }

    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        self.validate(obj, causes);
        role_ref_unchanged(&self.role_ref, &old.role_ref, causes);
    }
}

impl KindRules for ClusterRoleBinding {
    fn default_fields(&mut self) {
        defaults(&mut self.role_ref, self.subjects.as_deref_mut());
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        binding(&self.role_ref, self.subjects.as_deref(), false, causes);
    }

    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        self.validate(obj, causes);
        role_ref_unchanged(&self.role_ref, &old.role_ref, causes);
    }
}

impl StatusSubresource for Role {}
impl StatusSubresource for ClusterRole {}
impl StatusSubresource for RoleBinding {}
impl StatusSubresource for ClusterRoleBinding {}

/// A roleRef's group defaults to RBAC's; a User's or Group's subject too.
fn defaults(role_ref: &mut RoleRef, subjects: Option<&mut [Subject]>) {
    if role_ref.api_group.is_empty() {
        role_ref.api_group = GROUP.into();
    }
    for s in subjects.into_iter().flatten() {
        if s.api_group.as_deref().unwrap_or("").is_empty()
            && matches!(s.kind.as_str(), "User" | "Group")
        {
            s.api_group = Some(GROUP.into());
        }
    }
}

/// `validatePolicyRule` for each rule: verbs required; non-resource URLs only in cluster
/// roles and alone; resource rules name groups and resources.
fn rules(list: &[PolicyRule], namespaced: bool, causes: &mut Vec<String>) {
    for (i, rule) in list.iter().enumerate() {
        let at = format!("rules[{i}]");
        if rule.verbs.is_empty() {
            causes.push(format!(
                "{at}.verbs: Required value: verbs must contain at least one value"
            ));
        }
        let urls = rule.non_resource_urls.as_deref().unwrap_or(&[]);
        let groups = rule.api_groups.as_deref().unwrap_or(&[]);
        let resources = rule.resources.as_deref().unwrap_or(&[]);
        let names = rule.resource_names.as_deref().unwrap_or(&[]);
        if !urls.is_empty() {
            let shown = go_list(urls);
            if namespaced {
                causes.push(format!("{at}.nonResourceURLs: Invalid value: {shown}: namespaced rules cannot apply to non-resource URLs"));
            }
            if !groups.is_empty() || !resources.is_empty() || !names.is_empty() {
                causes.push(format!("{at}.nonResourceURLs: Invalid value: {shown}: rules cannot apply to both regular resources and non-resource URLs"));
            }
            continue;
        }
        if groups.is_empty() {
            causes.push(format!(
                "{at}.apiGroups: Required value: resource rules must supply at least one api group"
            ));
        }
        if resources.is_empty() {
            causes.push(format!(
                "{at}.resources: Required value: resource rules must supply at least one resource"
            ));
        }
        if !names.is_empty() && resources.len() > 1 {
            causes.push(format!(
                "{at}.resourceNames: Required value: resource names cannot apply to multiple resources"
            ));
        }
    }
}

/// A `[]string` as the apiserver's field errors print it (`%#v`).
fn go_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// `ValidateRoleBinding` / `ValidateClusterRoleBinding` past the name.
fn binding(
    role_ref: &RoleRef,
    subjects: Option<&[Subject]>,
    namespaced: bool,
    causes: &mut Vec<String>,
) {
    if role_ref.api_group != GROUP {
        causes.push(format!(
            "roleRef.apiGroup: Unsupported value: \"{}\": supported values: \"{GROUP}\"",
            role_ref.api_group
        ));
    }
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    if !kinds.contains(&role_ref.kind.as_str()) {
        let supported: Vec<String> = kinds.iter().map(|k| format!("\"{k}\"")).collect();
        causes.push(format!(
            "roleRef.kind: Unsupported value: \"{}\": supported values: {}",
            role_ref.kind,
            supported.join(", ")
        ));
    }
    if role_ref.name.is_empty() {
        causes.push("roleRef.name: Required value".into());
    } else {
        for msg in path_segment_causes(&role_ref.name) {
            causes.push(format!(
                "roleRef.name: Invalid value: \"{}\": {msg}",
                role_ref.name
            ));
        }
    }
    for (i, s) in subjects.into_iter().flatten().enumerate() {
        subject(s, namespaced, &format!("subjects[{i}]"), causes);
    }
}

/// `validateRoleBindingSubject`.
fn subject(s: &Subject, namespaced: bool, at: &str, causes: &mut Vec<String>) {
    if s.name.is_empty() {
        causes.push(format!("{at}.name: Required value"));
    }
    let group = s.api_group.as_deref().unwrap_or("");
    match s.kind.as_str() {
        "ServiceAccount" => {
            if !s.name.is_empty() && !crate::api::validation::is_dns1123_subdomain(&s.name) {
                causes.push(format!(
                    "{at}.name: Invalid value: \"{}\": {}",
                    s.name,
                    crate::api::validation::DNS1123_SUBDOMAIN
                ));
            }
            if !group.is_empty() {
                causes.push(format!(
                    "{at}.apiGroup: Unsupported value: \"{group}\": supported values: \"\""
                ));
            }
            if !namespaced && s.namespace.as_deref().unwrap_or("").is_empty() {
                causes.push(format!("{at}.namespace: Required value"));
            }
        }
        "User" | "Group" => {
            if s.name.is_empty() {
                let who = if s.kind == "User" { "user" } else { "group" };
                causes.push(format!(
                    "{at}.name: Invalid value: \"\": {who} name cannot be empty"
                ));
            }
            if group != GROUP {
                causes.push(format!(
                    "{at}.apiGroup: Unsupported value: \"{group}\": supported values: \"{GROUP}\""
                ));
            }
        }
        other => causes.push(format!(
            "{at}.kind: Unsupported value: \"{other}\": supported values: \"ServiceAccount\", \"User\", \"Group\""
        )),
    }
}

/// A binding's roleRef never changes (`ValidateRoleBindingUpdate`).
fn role_ref_unchanged(new: &RoleRef, old: &RoleRef, causes: &mut Vec<String>) {
    if new != old {
        causes.push(format!(
            "roleRef: Invalid value: rbac.RoleRef{{APIGroup:{:?}, Kind:{:?}, Name:{:?}}}: cannot change roleRef",
            new.api_group, new.kind, new.name
        ));
    }
}

/// The rules the clusterrole-aggregation controller gives `role`: those of every other
/// ClusterRole its selectors match, by name, each rule once; `None` when `role` has no
/// aggregation rule.
pub fn aggregated_rules(role: &ClusterRole, all: &[&ClusterRole]) -> Option<Vec<PolicyRule>> {
    let selectors = role
        .aggregation_rule
        .as_ref()?
        .cluster_role_selectors
        .as_deref()?;
    let mut rules: Vec<PolicyRule> = Vec::new();
    for selector in selectors {
        let selector = crate::api::selector::Selector::from_label_selector(selector);
        let mut matched: Vec<&ClusterRole> = all
            .iter()
            .copied()
            .filter(|r| r.metadata.name != role.metadata.name)
            .filter(|r| selector.matches(r.metadata.labels.as_ref()))
            .collect();
        matched.stable_sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        for r in matched {
            for rule in r.rules.iter().flatten() {
                if !rules.contains(rule) {
                    rules.push(rule.clone());
                }
            }
        }
    }
    Some(rules)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn causes(kind: &str, v: serde_json::Value) -> Vec<String> {
        let Some(Ok(mut obj)) = Object::decode_strict(kind, &v) else {
            panic!("not a {kind}: {v}");
        };
        obj.default_fields();
        let mut out = Vec::new();
        obj.validate_fields(&mut out);
        out
    }

    #[test]
    fn rules_and_bindings_are_checked_with_their_paths() {
        let role = json!({"metadata": {"name": "r"}, "rules": [
            {"verbs": [], "resources": ["pods"]},
            {"verbs": ["get"], "nonResourceURLs": ["/healthz"]}
        ]});
        assert_eq!(
            causes("Role", role),
            vec![
                "rules[0].verbs: Required value: verbs must contain at least one value",
                "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
                "rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs",
            ]
        );
        let binding = json!({"metadata": {"name": "b"},
            "roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "ServiceAccount", "name": "default"}, {"kind": "Robot", "name": "x"}]});
        assert_eq!(
            causes("ClusterRoleBinding", binding),
            vec![
                "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
                "subjects[0].namespace: Required value",
                "subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
            ]
        );
    }
}
