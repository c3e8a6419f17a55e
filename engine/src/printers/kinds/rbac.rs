//! RBAC kinds: `get` columns (`printRole`, `printRoleBinding` and their cluster twins) and
//! `describe` (kubectl's `RoleDescriber` and friends, with the PolicyRule table built as
//! `pkg/util/rbac`'s `BreakdownRule`, `CompactRules` and `SortableRuleSlice` do).

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};

use super::{Columns, KindPrinter};
use crate::api::object::{ClusterRole, ClusterRoleBinding, Object, Role, RoleBinding};
use crate::printers::columns::{age, created_at, TableOptions};
use crate::printers::describe::labels_and_annotations;
use crate::world::World;

/// Roles print their name and creation time.
macro_rules! role_printer {
    ($($kind:ident),*) => {$(
        impl KindPrinter for $kind {
            fn columns() -> Columns {
                (&["NAME", "CREATED AT"], &[])
            }
            fn row(&self, obj: &Object, _now_ms: i64, _opts: TableOptions) -> Vec<String> {
                vec![obj.name().into(), created_at(&self.metadata)]
            }
            fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
                Some(describe_role(obj, self.rules.as_deref().unwrap_or(&[])))
            }
            fn describes_events(&self) -> bool {
                false
            }
        }
    )*};
}

/// Bindings print the role they bind and, wide, their subjects by kind.
macro_rules! binding_printer {
    ($($kind:ident),*) => {$(
        impl KindPrinter for $kind {
            fn columns() -> Columns {
                (&["NAME", "ROLE", "AGE"], &["USERS", "GROUPS", "SERVICEACCOUNTS"])
            }
            fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
                binding_row(obj, &self.role_ref, self.subjects.as_deref(), now_ms, opts)
            }
            fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
                Some(describe_binding(obj, &self.role_ref, self.subjects.as_deref()))
            }
            fn describes_events(&self) -> bool {
                false
            }
        }
    )*};
}

role_printer!(Role, ClusterRole);
binding_printer!(RoleBinding, ClusterRoleBinding);

fn binding_row(
    obj: &Object,
    role_ref: &RoleRef,
    subjects: Option<&[Subject]>,
    now_ms: i64,
    opts: TableOptions,
) -> Vec<String> {
    let mut row = vec![
        obj.name().into(),
        format!("{}/{}", role_ref.kind, role_ref.name),
        age(obj, now_ms),
    ];
    if opts.wide {
        let (mut users, mut groups, mut accounts) = (Vec::new(), Vec::new(), Vec::new());
        for s in subjects.into_iter().flatten() {
            match s.kind.as_str() {
                "ServiceAccount" => accounts.push(format!(
                    "{}/{}",
                    s.namespace.as_deref().unwrap_or(""),
                    s.name
                )),
                "User" => users.push(s.name.clone()),
                "Group" => groups.push(s.name.clone()),
                _ => {}
            }
        }
        row.extend([users.join(", "), groups.join(", "), accounts.join(", ")]);
    }
    row
}

/// A rule reduced to one group, resource and resource name, or one non-resource URL.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    verbs: Vec<String>,
    groups: Vec<String>,
    resources: Vec<String>,
    names: Vec<String>,
    urls: Vec<String>,
}

impl Rule {
    /// Go's generated `PolicyRule.String()`, the key rules are sorted by.
    fn sort_key(&self) -> String {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go_list(&self.verbs),
            go_list(&self.groups),
            go_list(&self.resources),
            go_list(&self.names),
            go_list(&self.urls)
        )
    }
}

/// `%v` of a `[]string`: `[get list]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// `BreakdownRule`: one rule per group × resource × verb (× resource name), then one per
/// non-resource URL × verb.
fn breakdown(rule: &PolicyRule) -> Vec<Rule> {
    let one = |s: &String| vec![s.clone()];
    let mut out = Vec::new();
    let names = rule.resource_names.as_deref().unwrap_or(&[]);
    for group in rule.api_groups.iter().flatten() {
        for resource in rule.resources.iter().flatten() {
            for verb in &rule.verbs {
                let base = Rule {
                    verbs: one(verb),
                    groups: one(group),
                    resources: one(resource),
                    names: Vec::new(),
                    urls: Vec::new(),
                };
                if names.is_empty() {
                    out.push(base);
                } else {
                    out.extend(names.iter().map(|n| Rule {
                        names: one(n),
                        ..base.clone()
                    }));
                }
            }
        }
    }
    for url in rule.non_resource_urls.iter().flatten() {
        for verb in &rule.verbs {
            out.push(Rule {
                verbs: one(verb),
                groups: Vec::new(),
                resources: Vec::new(),
                names: Vec::new(),
                urls: one(url),
            });
        }
    }
    out
}

/// `CompactRules`: resource rules that differ only by verb become one; then sorted.
fn compact(rules: &[PolicyRule]) -> Vec<Rule> {
    let mut resource_rules: Vec<Rule> = Vec::new();
    let mut others = Vec::new();
    for r in rules.iter().flat_map(breakdown) {
        if !r.urls.is_empty() {
            others.push(r);
            continue;
        }
        match resource_rules
            .iter_mut()
            .find(|e| e.groups == r.groups && e.resources == r.resources && e.names == r.names)
        {
            Some(existing) => {
                for v in r.verbs {
                    if !existing.verbs.contains(&v) {
                        existing.verbs.push(v);
                    }
                }
            }
            None => resource_rules.push(r),
        }
    }
    others.extend(resource_rules);
    others.sort_by_cached_key(Rule::sort_key);
    others
}

/// `CombineResourceGroup`: `deployments.apps`, `deployments.apps/scale`, `pods`.
fn resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (resource, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = resource.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        out.push('.');
        out.push_str(g);
    }
    if let Some(s) = sub {
        out.push('/');
        out.push_str(s);
    }
    out
}

/// The rows of kubectl's rule tables (`describe role`, `auth can-i --list`): Resources,
/// Non-Resource URLs, Resource Names and Verbs, each tab-terminated but the last.
pub(crate) fn rule_rows(rules: &[PolicyRule], indent: &str) -> String {
    let mut o = String::new();
    for r in compact(rules) {
        o.push_str(&format!(
            "{indent}{}\t{}\t{}\t{}\n",
            resource_group(&r.resources, &r.groups),
            go_list(&r.urls),
            go_list(&r.names),
            go_list(&r.verbs)
        ));
    }
    o
}

fn describe_role(obj: &Object, rules: &[PolicyRule]) -> String {
    let mut o = format!("Name:\t{}\n", obj.name());
    o.push_str(&labels_and_annotations(obj.metadata()));
    o.push_str("PolicyRule:\n");
    o.push_str("  Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    o.push_str("  ---------\t-----------------\t--------------\t-----\n");
    o.push_str(&rule_rows(rules, "  "));
    o
}

fn describe_binding(obj: &Object, role_ref: &RoleRef, subjects: Option<&[Subject]>) -> String {
    let mut o = format!("Name:\t{}\n", obj.name());
    o.push_str(&labels_and_annotations(obj.metadata()));
    o.push_str(&format!(
        "Role:\n  Kind:\t{}\n  Name:\t{}\n",
        role_ref.kind, role_ref.name
    ));
    o.push_str("Subjects:\n  Kind\tName\tNamespace\n  ----\t----\t---------\n");
    for s in subjects.into_iter().flatten() {
        o.push_str(&format!(
            "  {}\t{}\t{}\n",
            s.kind,
            s.name,
            s.namespace.as_deref().unwrap_or("")
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        PolicyRule {
            api_groups: Some(v(groups)),
            resources: Some(v(resources)),
            verbs: v(verbs),
            ..Default::default()
        }
    }

    #[test]
    fn rules_are_broken_down_compacted_and_sorted_by_their_go_string() {
        let rules = [
            rule(
                &["", "apps"],
                &["pods", "deployments/scale"],
                &["get", "list"],
            ),
            rule(&[""], &["pods"], &["watch"]),
            PolicyRule {
                non_resource_urls: Some(vec!["/healthz".into()]),
                verbs: vec!["get".into()],
                ..Default::default()
            },
        ];
        let shown: Vec<String> = compact(&rules)
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    resource_group(&r.resources, &r.groups),
                    go_list(&r.urls),
                    go_list(&r.verbs)
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                "pods [] [get list watch]",
                "deployments/scale [] [get list]",
                "deployments.apps/scale [] [get list]",
                "pods.apps [] [get list]",
                " [/healthz] [get]",
            ]
        );
    }
}
