//! Authorization: kube-apiserver's chain of the privileged-group authorizer (`system:masters`
//! may do anything) and RBAC (`plugin/pkg/auth/authorizer/rbac`): the bindings that name a
//! user are visited (ClusterRoleBindings, then the RoleBindings of the request's namespace),
//! and a request is allowed when one of their roles' rules covers it
//! (`rbac/v1` `RuleAllows`). Denials carry RBAC's reason (roles a binding names that do not
//! exist) and render as the apiserver's `Forbidden` status (`responsewriters.ForbiddenStatusError`).

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};

use super::ApiServer;
use crate::api::error::ApiError;
use crate::api::object::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};

/// The group whose members every request is allowed (`user.SystemPrivilegedGroup`).
pub const PRIVILEGED_GROUP: &str = "system:masters";
/// The group every authenticated user is in.
pub const AUTHENTICATED: &str = "system:authenticated";
/// The prefix of a ServiceAccount's user name.
pub const SA_PREFIX: &str = "system:serviceaccount:";

/// Who makes a request: a user name and its groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The user an impersonating client becomes (`filters.WithImpersonation`): a
    /// ServiceAccount's name gets its groups unless some were given; every user but
    /// `system:anonymous` is in `system:authenticated` unless the groups name it or
    /// `system:unauthenticated`.
    pub fn impersonated(name: &str, groups: &[String]) -> UserInfo {
        let mut all: Vec<String> = groups.to_vec();
        if groups.is_empty() {
            if let Some((ns, _)) = service_account(name) {
                all = vec![
                    "system:serviceaccounts".into(),
                    format!("system:serviceaccounts:{ns}"),
                ];
            }
        }
        if name != "system:anonymous" {
            if !all
                .iter()
                .any(|g| g == AUTHENTICATED || g == "system:unauthenticated")
            {
                all.push(AUTHENTICATED.into());
            }
        } else if !all.iter().any(|g| g == "system:unauthenticated") {
            all.push("system:unauthenticated".into());
        }
        UserInfo {
            name: name.into(),
            groups: all,
        }
    }
}

/// `system:serviceaccount:NS:NAME` split into its namespace and name.
pub fn service_account(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix(SA_PREFIX)?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
}

/// What a request asks (`authorizer.Attributes`): a resource request, or a non-resource
/// `path` when `resource` is empty and `path` is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
    /// A non-resource URL (`/healthz`); empty for resource requests.
    pub path: String,
}

impl Attributes {
    /// A resource request.
    pub fn resource(verb: &str, group: &str, resource: &str, namespace: &str, name: &str) -> Self {
        Attributes {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            namespace: namespace.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    fn is_resource_request(&self) -> bool {
        self.path.is_empty()
    }
}

/// An authorizer's answer: allowed, or denied with RBAC's reason (may be empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// The rules a user holds in a namespace (`RulesFor`), and the errors met collecting them.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<PolicyRule>,
    pub errors: Vec<String>,
}

impl ApiServer {
    /// Authorizes `attrs` for `user`: `system:masters` always, otherwise RBAC.
    pub fn authorize(&self, user: &UserInfo, attrs: &Attributes) -> Decision {
        if user.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
            return Decision {
                allowed: true,
                reason: String::new(),
            };
        }
        let mut errors = Vec::new();
        let mut allowed = false;
        self.visit_rules(user, &attrs.namespace, &mut |rule| match rule {
            Ok(rule) if rule_allows(attrs, rule) => {
                allowed = true;
                false
            }
            Ok(_) => true,
            Err(e) => {
                errors.push(e);
                true
            }
        });
        Decision {
            allowed,
            reason: if allowed || errors.is_empty() {
                String::new()
            } else {
                format!("RBAC: {}", aggregate(&errors))
            },
        }
    }

    /// `authorize`, as the apiserver answers a denied request: its `Forbidden` error.
    pub fn check(&self, user: &UserInfo, attrs: &Attributes) -> Result<(), ApiError> {
        let decision = self.authorize(user, attrs);
        if decision.allowed {
            return Ok(());
        }
        Err(forbidden(user, attrs, &decision.reason))
    }

    /// Every rule `user` holds in `namespace` (`SelfSubjectRulesReview`): the privileged
    /// group's `*`, then RBAC's rules in visiting order.
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> RuleSet {
        let mut set = RuleSet::default();
        if user.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
            let all = vec!["*".to_string()];
            set.rules.push(PolicyRule {
                verbs: all.clone(),
                api_groups: Some(all.clone()),
                resources: Some(all.clone()),
                ..Default::default()
            });
            set.rules.push(PolicyRule {
                verbs: all.clone(),
                non_resource_urls: Some(all),
                ..Default::default()
            });
        }
        self.visit_rules(user, namespace, &mut |rule| {
            match rule {
                Ok(r) => set.rules.push(r.clone()),
                Err(e) => set.errors.push(e),
            }
            true
        });
        set
    }

    /// `VisitRulesFor`: the rules of every ClusterRoleBinding naming `user`, then of every
    /// RoleBinding in `namespace` naming it; a missing role is an error. `visit` returns
    /// whether to go on.
    fn visit_rules(
        &self,
        user: &UserInfo,
        namespace: &str,
        visit: &mut dyn FnMut(Result<&PolicyRule, String>) -> bool,
    ) {
        for b in self.list_as::<ClusterRoleBinding>(None) {
            if applies(user, b.subjects.as_deref(), "") && !self.visit_role(&b.role_ref, "", visit)
            {
                return;
            }
        }
        if namespace.is_empty() {
            return;
        }
        for b in self.list_as::<RoleBinding>(Some(namespace)) {
            if applies(user, b.subjects.as_deref(), namespace)
                && !self.visit_role(&b.role_ref, namespace, visit)
            {
                return;
            }
        }
    }

    /// Visits the rules of the role `role_ref` names; false when the visitor stopped.
    fn visit_role(
        &self,
        role_ref: &RoleRef,
        namespace: &str,
        visit: &mut dyn FnMut(Result<&PolicyRule, String>) -> bool,
    ) -> bool {
        let rules = match role_ref.kind.as_str() {
            "ClusterRole" => self
                .get_as::<ClusterRole>("", &role_ref.name)
                .map(|r| r.rules.as_deref().unwrap_or(&[]))
                .ok_or("clusterrole"),
            "Role" => self
                .get_as::<Role>(namespace, &role_ref.name)
                .map(|r| r.rules.as_deref().unwrap_or(&[]))
                .ok_or("role"),
            _ => return true,
        };
        match rules {
            Ok(rules) => rules.iter().all(|r| visit(Ok(r))),
            // The listers' NotFound: the singular resource, qualified by RBAC's group.
            Err(what) => visit(Err(format!(
                "{what}.rbac.authorization.k8s.io \"{}\" not found",
                role_ref.name
            ))),
        }
    }
}

/// `utilerrors.NewAggregate(...).Error()`: one message alone, several in brackets.
fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// Whether a binding's subjects name `user` (`appliesToUser`); a ServiceAccount subject
/// without a namespace means the binding's own.
pub fn applies(user: &UserInfo, subjects: Option<&[Subject]>, namespace: &str) -> bool {
    subjects
        .into_iter()
        .flatten()
        .any(|s| match s.kind.as_str() {
            "User" => user.name == s.name,
            "Group" => user.groups.contains(&s.name),
            "ServiceAccount" => {
                let ns = s
                    .namespace
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .unwrap_or(namespace);
                !ns.is_empty() && service_account(&user.name) == Some((ns, s.name.as_str()))
            }
            _ => false,
        })
}

/// `RuleAllows`: verb, API group, resource (with `*/sub`), resource name; or verb and
/// non-resource URL (`*` and trailing-`*` prefixes).
pub fn rule_allows(attrs: &Attributes, rule: &PolicyRule) -> bool {
    let verb = rule.verbs.iter().any(|v| v == "*" || *v == attrs.verb);
    if !attrs.is_resource_request() {
        return verb
            && rule.non_resource_urls.iter().flatten().any(|u| {
                u == "*"
                    || *u == attrs.path
                    || (u.ends_with('*') && attrs.path.starts_with(u.trim_end_matches('*')))
            });
    }
    let combined = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    let group = rule
        .api_groups
        .iter()
        .flatten()
        .any(|g| g == "*" || *g == attrs.group);
    let resource = rule.resources.iter().flatten().any(|r| {
        r == "*"
            || *r == combined
            || (!attrs.subresource.is_empty()
                && r.len() == attrs.subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(&attrs.subresource))
    });
    let names = rule.resource_names.as_deref().unwrap_or(&[]);
    let name = names.is_empty() || names.contains(&attrs.name);
    verb && group && resource && name
}

/// The apiserver's `Forbidden` for a denied request (`forbiddenMessage`, then
/// `NewForbidden(groupResource, name, …)`).
pub fn forbidden(user: &UserInfo, attrs: &Attributes, reason: &str) -> ApiError {
    let mut message = if attrs.is_resource_request() {
        let mut resource = attrs.resource.clone();
        if !attrs.subresource.is_empty() {
            resource = format!("{resource}/{}", attrs.subresource);
        }
        let scope = if attrs.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace {:?}", attrs.namespace)
        };
        format!(
            "User {:?} cannot {} resource {:?} in API group {:?} {scope}",
            user.name, attrs.verb, resource, attrs.group
        )
    } else {
        format!(
            "User {:?} cannot {} path {:?}",
            user.name, attrs.verb, attrs.path
        )
    };
    // The apiserver keeps its error text from looking like HTML.
    message = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if !reason.is_empty() {
        message = format!("{message}: {reason}");
    }
    let resource = if attrs.group.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}.{}", attrs.resource, attrs.group)
    };
    ApiError::Denied {
        resource,
        name: attrs.name.clone(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> PolicyRule {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        PolicyRule {
            api_groups: Some(v(groups)),
            resources: Some(v(resources)),
            verbs: v(verbs),
            resource_names: (!names.is_empty()).then(|| v(names)),
            ..Default::default()
        }
    }

    #[test]
    fn rules_match_as_rbac_does() {
        let get = |res: &str, sub: &str, name: &str| Attributes {
            subresource: sub.into(),
            ..Attributes::resource("get", "", res, "default", name)
        };
        let r = rule(&[""], &["pods", "*/log"], &["get"], &[]);
        assert!(rule_allows(&get("pods", "", "x"), &r));
        assert!(rule_allows(&get("nodes", "log", ""), &r));
        assert!(!rule_allows(&get("pods", "exec", "x"), &r));
        let named = rule(&["*"], &["pods"], &["*"], &["a"]);
        assert!(rule_allows(&get("pods", "", "a"), &named));
        assert!(!rule_allows(&get("pods", "", "b"), &named));
        assert!(!rule_allows(&get("pods", "", ""), &named));
        let url = PolicyRule {
            verbs: vec!["get".into()],
            non_resource_urls: Some(vec!["/api/*".into(), "/healthz".into()]),
            ..Default::default()
        };
        let path = |p: &str| Attributes {
            verb: "get".into(),
            path: p.into(),
            ..Default::default()
        };
        assert!(rule_allows(&path("/api/v1"), &url));
        assert!(rule_allows(&path("/healthz"), &url));
        assert!(!rule_allows(&path("/healthz/etcd"), &url));
    }

    #[test]
    fn impersonated_users_get_their_groups() {
        let sa = UserInfo::impersonated("system:serviceaccount:dev:foo", &[]);
        assert_eq!(
            sa.groups,
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:dev",
                "system:authenticated"
            ]
        );
        let jane = UserInfo::impersonated("jane", &["devs".into()]);
        assert_eq!(jane.groups, vec!["devs", "system:authenticated"]);
    }

    #[test]
    fn forbidden_messages_name_the_scope() {
        let user = UserInfo::impersonated("system:serviceaccount:default:sa", &[]);
        let list = Attributes::resource("list", "", "pods", "default", "");
        assert_eq!(
            forbidden(&user, &list, "").kubectl_message(),
            "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:sa\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        let node = Attributes::resource("get", "", "nodes", "", "n1");
        assert_eq!(
            forbidden(&user, &node, "RBAC: x").kubectl_message(),
            "Error from server (Forbidden): nodes \"n1\" is forbidden: User \"system:serviceaccount:default:sa\" cannot get resource \"nodes\" in API group \"\" at the cluster scope: RBAC: x"
        );
    }
}
