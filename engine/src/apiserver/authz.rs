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
                format!(
                    "RBAC: {}",
                    crate::api::limit_range::aggregate(errors).unwrap_or_default()
                )
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

    mod properties {
        use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        use proptest::prelude::*;

        use super::super::*;
        use crate::api::object::Object;
        use crate::rng::Rng;

        const WORDS: &[&str] = &[
            "", "*", "get", "list", "pods", "pods/log", "*/log", "apps", "a", "b",
        ];
        const USERS: &[&str] = &[
            "jane",
            "system:serviceaccount:ns1:sa",
            "system:serviceaccount:ns2:sa",
        ];

        fn words() -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec(prop::sample::select(WORDS).prop_map(String::from), 0..3)
        }

        fn rule() -> impl Strategy<Value = PolicyRule> {
            (words(), words(), words(), words(), prop::bool::ANY).prop_map(
                |(verbs, groups, resources, names, urls)| PolicyRule {
                    verbs,
                    api_groups: Some(groups),
                    resources: Some(resources),
                    resource_names: Some(names.clone()),
                    non_resource_urls: urls
                        .then(|| names.iter().map(|n| format!("/{n}")).collect()),
                },
            )
        }

        /// A binding: namespaced or not, role kind and name, subject kind/name/namespace.
        type Binding = (bool, bool, u8, u8, u8, u8);

        fn meta(name: String, ns: Option<&str>) -> ObjectMeta {
            ObjectMeta {
                name: Some(name),
                namespace: ns.map(String::from),
                ..Default::default()
            }
        }

        fn subject(kind: u8, who: u8, ns: u8) -> Subject {
            let ns = ["", "ns1", "ns2"][usize::from(ns % 3)];
            match kind % 3 {
                0 => Subject {
                    kind: "User".into(),
                    name: ["jane", "bob"][usize::from(who % 2)].into(),
                    ..Default::default()
                },
                1 => Subject {
                    kind: "Group".into(),
                    name: ["system:authenticated", "devs"][usize::from(who % 2)].into(),
                    ..Default::default()
                },
                _ => Subject {
                    kind: "ServiceAccount".into(),
                    name: "sa".into(),
                    namespace: (!ns.is_empty()).then(|| ns.into()),
                    ..Default::default()
                },
            }
        }

        /// The oracle: RBAC written out once more, from the objects as generated.
        fn oracle(
            roles: &[Vec<PolicyRule>],
            bindings: &[Binding],
            user: &UserInfo,
            attrs: &Attributes,
        ) -> bool {
            let matches = |rule: &PolicyRule| {
                let has = |list: &[String], want: &str| list.iter().any(|x| x == "*" || x == want);
                if !has(&rule.verbs, &attrs.verb) {
                    return false;
                }
                if !attrs.path.is_empty() {
                    return rule.non_resource_urls.iter().flatten().any(|u| {
                        u == "*"
                            || *u == attrs.path
                            || (u.ends_with('*') && attrs.path.starts_with(u.trim_end_matches('*')))
                    });
                }
                let full = if attrs.subresource.is_empty() {
                    attrs.resource.clone()
                } else {
                    format!("{}/{}", attrs.resource, attrs.subresource)
                };
                let res = rule.resources.iter().flatten().any(|r| {
                    r == "*"
                        || *r == full
                        || (!attrs.subresource.is_empty()
                            && *r == format!("*/{}", attrs.subresource))
                });
                let names = rule.resource_names.clone().unwrap_or_default();
                has(rule.api_groups.as_deref().unwrap_or(&[]), &attrs.group)
                    && res
                    && (names.is_empty() || names.contains(&attrs.name))
            };
            bindings
                .iter()
                .any(|&(namespaced, role_kind, role, kind, who, ns)| {
                    let bound_ns = if namespaced { "ns1" } else { "" };
                    if namespaced && attrs.namespace != "ns1" {
                        return false;
                    }
                    if !namespaced && role_kind {
                        return false; // a ClusterRoleBinding to a Role is refused
                    }
                    let s = subject(kind, who, ns);
                    let applies = match s.kind.as_str() {
                        "User" => s.name == user.name,
                        "Group" => user.groups.contains(&s.name),
                        _ => {
                            let sns = s.namespace.clone().unwrap_or_else(|| bound_ns.to_string());
                            !sns.is_empty()
                                && user.name == format!("system:serviceaccount:{sns}:sa")
                        }
                    };
                    applies && roles[usize::from(role) % roles.len()].iter().any(matches)
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

            #[test]
            fn allowed_exactly_when_a_bound_rule_matches(
                roles in prop::collection::vec(prop::collection::vec(rule(), 0..3), 1..4),
                bindings in prop::collection::vec((prop::bool::ANY, prop::bool::ANY, 0u8..4, 0u8..3, 0u8..2, 0u8..3), 0..5),
                user in prop::sample::select(USERS),
                verb in prop::sample::select(WORDS),
                group in prop::sample::select(WORDS),
                resource in prop::sample::select(WORDS),
                sub in prop::sample::select(&["", "log", "status"][..]),
                ns in prop::sample::select(&["", "ns1", "ns2"][..]),
                name in prop::sample::select(WORDS),
                url in prop::option::of(prop::sample::select(&["/a", "/b/c", "/*"][..])),
            ) {
                let mut api = ApiServer::default();
                let mut rng = Rng::new(1);
                let at = crate::clock::time_from_ms(0);
                let mut objects = Vec::new();
                for (i, rules) in roles.iter().enumerate() {
                    objects.push(Object::ClusterRole(Box::new(ClusterRole { metadata: meta(format!("r{i}"), None), rules: Some(rules.clone()), ..Default::default() })));
                    objects.push(Object::Role(Box::new(Role { metadata: meta(format!("r{i}"), Some("ns1")), rules: Some(rules.clone()) })));
                }
                for (i, &(namespaced, role_kind, role, kind, who, sns)) in bindings.iter().enumerate() {
                    let role_ref = RoleRef { api_group: "rbac.authorization.k8s.io".into(), kind: if role_kind { "Role" } else { "ClusterRole" }.into(), name: format!("r{}", usize::from(role) % roles.len()) };
                    let subjects = Some(vec![subject(kind, who, sns)]);
                    objects.push(if namespaced {
                        Object::RoleBinding(Box::new(RoleBinding { metadata: meta(format!("b{i}"), Some("ns1")), role_ref, subjects }))
                    } else {
                        Object::ClusterRoleBinding(Box::new(ClusterRoleBinding { metadata: meta(format!("b{i}"), None), role_ref, subjects }))
                    });
                }
                for obj in objects {
                    let _ = api.restore(obj, at.clone(), &mut rng);
                }
                let user = UserInfo::impersonated(user, &[]);
                let attrs = Attributes {
                    verb: verb.into(), group: group.into(), resource: resource.into(), subresource: sub.into(),
                    namespace: ns.into(), name: name.into(), path: url.unwrap_or("").into(),
                };
                let decision = api.authorize(&user, &attrs);
                prop_assert_eq!(decision.allowed, oracle(&roles, &bindings, &user, &attrs));
                let _ = api.rules_for(&user, ns);
            }
        }
    }
}
