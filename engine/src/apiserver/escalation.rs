//! RBAC's privilege-escalation prevention (the `policybased` storage of roles and bindings,
//! `pkg/registry/rbac/validation`): a Role or ClusterRole, or a binding to one, may only
//! grant rules its writer already holds, unless the writer is in `system:masters` or may
//! `escalate` that role (`bind` it, for a binding). The refusal lists the missing rules,
//! broken down and compacted as `ConfirmNoEscalation` does.

use std::collections::BTreeSet;

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef};

use super::authz::{Attributes, UserInfo, PRIVILEGED_GROUP};
use super::ApiServer;
use crate::api::error::ApiError;
use crate::api::object::{ClusterRole, Object, Role};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

impl ApiServer {
    /// Refuses `obj` (a Role, ClusterRole or binding `user` creates or updates) when it
    /// grants what `user` does not hold; other kinds pass.
    pub fn confirm_no_escalation(&self, user: &UserInfo, obj: &Object) -> Result<(), ApiError> {
        if user.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
            return Ok(());
        }
        let (ns, name) = (obj.namespace(), obj.name());
        let allowed = |verb: &str, resource: &str, target: &str| {
            let attrs = Attributes::resource(verb, RBAC_GROUP, resource, ns, target);
            self.authorize(user, &attrs).allowed
        };
        let rules: Vec<PolicyRule> = match obj {
            Object::Role(r) if !allowed("escalate", "roles", name) => {
                r.rules.clone().unwrap_or_default()
            }
            Object::ClusterRole(r) if !allowed("escalate", "clusterroles", name) => {
                r.rules.clone().unwrap_or_default()
            }
            Object::RoleBinding(b) if !bind_allowed(&b.role_ref, &allowed) => self
                .role_rules(&b.role_ref, ns)
                .map_err(|e| ApiError::denied(obj.info(), name, e))?,
            Object::ClusterRoleBinding(b) if !bind_allowed(&b.role_ref, &allowed) => self
                .role_rules(&b.role_ref, "")
                .map_err(|e| ApiError::denied(obj.info(), name, e))?,
            _ => return Ok(()),
        };
        let owner = self.rules_for(user, ns);
        let missing: Vec<PolicyRule> = rules
            .iter()
            .flat_map(breakdown)
            .filter(|sub| !owner.rules.iter().any(|o| covers(o, sub)))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let lines: BTreeSet<String> = compact(missing).iter().map(compact_string).collect();
        let groups: Vec<String> = user.groups.iter().map(|g| format!("{g:?}")).collect();
        let mut message = format!(
            "user {:?} (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
            user.name,
            groups.join(" "),
            lines.into_iter().collect::<Vec<_>>().join("\n")
        );
        if !owner.errors.is_empty() {
            message.push_str(&format!(
                "; resolution errors: [{}]",
                owner.errors.join(" ")
            ));
        }
        Err(ApiError::denied(obj.info(), name, message))
    }

    /// `GetRoleReferenceRules`: the rules of the role a binding in `namespace` names.
    fn role_rules(&self, role_ref: &RoleRef, namespace: &str) -> Result<Vec<PolicyRule>, String> {
        let rules = match role_ref.kind.as_str() {
            "Role" => self
                .get_as::<Role>(namespace, &role_ref.name)
                .map(|r| r.rules.clone()),
            "ClusterRole" => self
                .get_as::<ClusterRole>("", &role_ref.name)
                .map(|r| r.rules.clone()),
            other => return Err(format!("unsupported role reference kind: {other:?}")),
        };
        let what = role_ref.kind.to_lowercase();
        rules
            .map(Option::unwrap_or_default)
            .ok_or_else(|| format!("{what}s.{RBAC_GROUP} {:?} not found", role_ref.name))
    }
}

/// `BindingAuthorized`: whether the writer may `bind` the role the binding names.
fn bind_allowed(role_ref: &RoleRef, allowed: &dyn Fn(&str, &str, &str) -> bool) -> bool {
    let resource = if role_ref.kind == "ClusterRole" {
        "clusterroles"
    } else {
        "roles"
    };
    allowed("bind", resource, &role_ref.name)
}

fn one(s: &str) -> Option<Vec<String>> {
    Some(vec![s.to_string()])
}

/// `BreakdownRule`: one rule per group × resource × verb (× resource name), then per
/// non-resource URL × verb.
fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    let names = rule.resource_names.as_deref().unwrap_or(&[]);
    for group in rule.api_groups.iter().flatten() {
        for resource in rule.resources.iter().flatten() {
            for verb in &rule.verbs {
                let simple = PolicyRule {
                    api_groups: one(group),
                    resources: one(resource),
                    verbs: vec![verb.clone()],
                    ..Default::default()
                };
                if names.is_empty() {
                    out.push(simple);
                } else {
                    out.extend(names.iter().map(|n| PolicyRule {
                        resource_names: one(n),
                        ..simple.clone()
                    }));
                }
            }
        }
    }
    for url in rule.non_resource_urls.iter().flatten() {
        for verb in &rule.verbs {
            out.push(PolicyRule {
                non_resource_urls: one(url),
                verbs: vec![verb.clone()],
                ..Default::default()
            });
        }
    }
    out
}

fn has_all(owner: Option<&Vec<String>>, wanted: Option<&Vec<String>>) -> bool {
    let owner = owner.map_or(&[][..], Vec::as_slice);
    wanted.into_iter().flatten().all(|w| owner.contains(w))
}

/// `ruleCovers`: whether `owner` grants all of the broken-down rule `sub`.
fn covers(owner: &PolicyRule, sub: &PolicyRule) -> bool {
    let star = |v: Option<&Vec<String>>| v.is_some_and(|v| v.iter().any(|x| x == "*"));
    let verbs =
        owner.verbs.iter().any(|v| v == "*") || sub.verbs.iter().all(|v| owner.verbs.contains(v));
    let groups = star(owner.api_groups.as_ref())
        || has_all(owner.api_groups.as_ref(), sub.api_groups.as_ref());
    let resources = sub.resources.iter().flatten().all(|r| {
        owner.resources.iter().flatten().any(|o| {
            o == "*"
                || o == r
                || (o.starts_with("*/") && r.split_once('/').is_some_and(|(_, s)| s == &o[2..]))
        })
    });
    let urls = sub.non_resource_urls.iter().flatten().all(|u| {
        owner.non_resource_urls.iter().flatten().any(|o| {
            o == "*" || o == u || (o.ends_with('*') && u.starts_with(o.trim_end_matches('*')))
        })
    });
    let owner_names = owner.resource_names.as_ref().filter(|n| !n.is_empty());
    let names = match sub.resource_names.as_ref().filter(|n| !n.is_empty()) {
        None => owner_names.is_none(),
        Some(_) => owner_names.is_none() || has_all(owner_names, sub.resource_names.as_ref()),
    };
    verbs && groups && resources && urls && names
}

/// `CompactRules`: rules of one group and one resource, without names or URLs, merged
/// into one rule with all their verbs.
fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for rule in rules {
        let is_simple = rule.resource_names.as_ref().is_none_or(Vec::is_empty)
            && rule.non_resource_urls.as_ref().is_none_or(Vec::is_empty)
            && rule.api_groups.as_ref().is_some_and(|g| g.len() == 1)
            && rule.resources.as_ref().is_some_and(|r| r.len() == 1);
        if !is_simple {
            out.push(rule);
            continue;
        }
        match simple
            .iter_mut()
            .find(|s| s.api_groups == rule.api_groups && s.resources == rule.resources)
        {
            Some(s) => s.verbs.extend(rule.verbs),
            None => simple.push(rule),
        }
    }
    out.extend(simple);
    out
}

/// `CompactString`: `{APIGroups:["g"], Resources:["r"], ..., Verbs:["v"]}` with Go's `%q`
/// of each list.
fn compact_string(rule: &PolicyRule) -> String {
    let quoted = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
        format!("[{}]", items.join(" "))
    };
    let mut parts = Vec::new();
    for (label, list) in [
        ("APIGroups", rule.api_groups.as_deref()),
        ("Resources", rule.resources.as_deref()),
        ("NonResourceURLs", rule.non_resource_urls.as_deref()),
        ("ResourceNames", rule.resource_names.as_deref()),
        ("Verbs", Some(rule.verbs.as_slice())),
    ] {
        if let Some(list) = list.filter(|l| !l.is_empty()) {
            parts.push(format!("{label}:{}", quoted(list)));
        }
    }
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| Some(x.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        PolicyRule {
            api_groups: v(groups),
            resources: v(resources),
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn missing_rules_are_broken_down_then_compacted() {
        let owner = [rule(&[""], &["pods"], &["get"])];
        let wanted = rule(&[""], &["pods", "secrets"], &["get", "list"]);
        let missing: Vec<PolicyRule> = breakdown(&wanted)
            .into_iter()
            .filter(|s| !owner.iter().any(|o| covers(o, s)))
            .collect();
        let lines: Vec<String> = compact(missing).iter().map(compact_string).collect();
        assert_eq!(
            lines,
            vec![
                r#"{APIGroups:[""], Resources:["pods"], Verbs:["list"]}"#,
                r#"{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}"#,
            ]
        );
    }

    #[test]
    fn wildcards_and_subresources_cover() {
        let all = rule(&["*"], &["*"], &["*"]);
        assert!(covers(
            &all,
            &rule(&["apps"], &["deployments/scale"], &["patch"])
        ));
        let logs = rule(&[""], &["*/log"], &["get"]);
        assert!(covers(&logs, &rule(&[""], &["pods/log"], &["get"])));
        assert!(!covers(&logs, &rule(&[""], &["pods"], &["get"])));
        let mut named = rule(&[""], &["pods"], &["get"]);
        named.resource_names = Some(vec!["a".into()]);
        assert!(!covers(&named, &rule(&[""], &["pods"], &["get"])));
    }
}
