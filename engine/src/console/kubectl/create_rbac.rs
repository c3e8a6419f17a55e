//! `kubectl create role|clusterrole|rolebinding|clusterrolebinding|token`, as
//! `pkg/cmd/create/create_{role,clusterrole,rolebinding,clusterrolebinding,token}.go` build
//! and check them.

use std::collections::BTreeMap;

use k8s_openapi::api::rbac::v1::{AggregationRule, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::flags::{self, Flag, Parsed};
use super::generate;
use crate::api::object::{ClusterRole, ClusterRoleBinding, Object, Role, RoleBinding};
use crate::cluster::Cluster;
use crate::output::Output;

const GROUP: &str = "rbac.authorization.k8s.io";

pub(super) const ROLE_FLAGS: &[Flag] = &[
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("verb", None),
    flags::value("resource", None),
    flags::value("resource-name", None),
];

pub(super) const CLUSTERROLE_FLAGS: &[Flag] = &[
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("verb", None),
    flags::value("resource", None),
    flags::value("resource-name", None),
    flags::value("non-resource-url", None),
    flags::value("aggregation-rule", None),
];

pub(super) const BINDING_FLAGS: &[Flag] = &[
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("role", None),
    flags::value("clusterrole", None),
    flags::value("user", None),
    flags::value("group", None),
    flags::value("serviceaccount", None),
];

pub(super) const TOKEN_FLAGS: &[Flag] = &[
    flags::value("output", Some('o')),
    flags::value("duration", None),
    flags::value("audience", None),
];

/// Verbs kubectl knows for resources; others are created with a warning.
const RESOURCE_VERBS: &[&str] = &[
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
];
const URL_VERBS: &[&str] = &[
    "*", "get", "post", "put", "delete", "patch", "head", "options",
];

/// Verbs only some resources take: (verb, [(group, resource)]).
const SPECIAL_VERBS: &[(&str, &[(&str, &str)])] = &[
    (
        "use",
        &[
            ("policy", "podsecuritypolicies"),
            ("extensions", "podsecuritypolicies"),
        ],
    ),
    ("bind", &[(GROUP, "roles"), (GROUP, "clusterroles")]),
    ("escalate", &[(GROUP, "roles"), (GROUP, "clusterroles")]),
    (
        "impersonate",
        &[
            ("", "users"),
            ("", "serviceaccounts"),
            ("", "groups"),
            ("authentication.k8s.io", "userextras"),
        ],
    ),
];

/// `--flag=a,b --flag c`: a StringSlice's values.
fn slice(parsed: &Parsed, flag: &str) -> Vec<String> {
    parsed
        .values(flag)
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::to_string)
        .collect()
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn name(parsed: &Parsed, command: &str) -> Result<String, Output> {
    match parsed.positionals.as_slice() {
        [one] => Ok(one.clone()),
        other => Err(super::error(format!(
            "exactly one NAME is required, got {}\nSee 'kubectl create {command} -h' for help and examples",
            other.len()
        ))),
    }
}

/// A `--resource` value: resource, group and subresource (`deployments.apps/scale`).
struct ResourceArg {
    resource: String,
    group: String,
    sub: String,
}

fn resource_args(parsed: &Parsed) -> Vec<ResourceArg> {
    let mut out = Vec::new();
    for r in slice(parsed, "resource") {
        let (main, sub) = r.split_once('/').unwrap_or((&r, ""));
        let (resource, group) = main.split_once('.').unwrap_or((main, ""));
        let arg = ResourceArg {
            resource: resource.into(),
            group: group.into(),
            sub: sub.into(),
        };
        if arg.resource == "*" && group.is_empty() && !r.contains('/') {
            return vec![arg];
        }
        out.push(arg);
    }
    out
}

/// Verbs deduplicated (`*` alone stands for all), warnings for non-standard ones, then the
/// resource checks of `validateResource`; the rules `generateResourcePolicyRules` makes.
fn rules(
    cluster: &Cluster,
    parsed: &Parsed,
    verbs: &[String],
    urls: &[String],
    warnings: &mut Output,
) -> Result<Vec<PolicyRule>, String> {
    let resources = resource_args(parsed);
    let names = dedup(parsed.values("resource-name").to_vec());
    let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !resources.is_empty() {
        for v in verbs {
            if !RESOURCE_VERBS.contains(&v.as_str()) {
                warnings.err(format!("Warning: '{v}' is not a standard resource verb"));
            }
        }
    }
    for r in &resources {
        if r.resource.is_empty() {
            return Err("resource must be specified if apiGroup/subresource specified".into());
        }
        if r.resource == "*" {
            break;
        }
        let typed = if r.group.is_empty() {
            r.resource.clone()
        } else {
            format!("{}.{}", r.resource, r.group)
        };
        let found = cluster.world.api.resolve(&typed);
        let (resource, group) = found
            .map(|i| (i.plural.to_string(), i.group.to_string()))
            .unwrap_or((r.resource.clone(), r.group.clone()));
        for v in verbs {
            if let Some((_, allowed)) = SPECIAL_VERBS.iter().find(|(s, _)| s == v) {
                if !allowed
                    .iter()
                    .any(|(g, res)| *g == group && *res == resource)
                {
                    return Err(format!(
                        "can not perform '{v}' on '{resource}' in group '{group}'"
                    ));
                }
            }
        }
        let special = verbs
            .iter()
            .any(|v| SPECIAL_VERBS.iter().any(|(s, _)| s == v));
        if found.is_none() && !special {
            return Err(format!(
                "the server doesn't have a resource type \"{}\"",
                r.resource
            ));
        }
    }
    for r in &resources {
        let typed = if r.group.is_empty() {
            r.resource.clone()
        } else {
            format!("{}.{}", r.resource, r.group)
        };
        let (mut resource, group) = match cluster.world.api.resolve(&typed) {
            Some(i) if r.resource != "*" => (i.plural.to_string(), i.group.to_string()),
            _ => (r.resource.clone(), r.group.clone()),
        };
        if !r.sub.is_empty() {
            resource = format!("{resource}/{}", r.sub);
        }
        let list = by_group.entry(group).or_default();
        if !list.contains(&resource) {
            list.push(resource);
        }
    }
    let mut out: Vec<PolicyRule> = by_group
        .into_iter()
        .map(|(group, resources)| PolicyRule {
            verbs: verbs.to_vec(),
            api_groups: Some(vec![group]),
            resources: Some(resources),
            resource_names: (!names.is_empty()).then(|| names.clone()),
            ..Default::default()
        })
        .collect();
    if !urls.is_empty() {
        out.push(PolicyRule {
            verbs: verbs.to_vec(),
            non_resource_urls: Some(urls.to_vec()),
            ..Default::default()
        });
    }
    Ok(out)
}

fn verbs(parsed: &Parsed) -> Vec<String> {
    let all = slice(parsed, "verb");
    if all.iter().any(|v| v == "*") {
        return vec!["*".into()];
    }
    dedup(all)
}

/// `kubectl create role`.
pub fn create_role(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create role", args, ROLE_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match name(&parsed, "role") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let verbs = verbs(&parsed);
    if verbs.is_empty() {
        return super::error("at least one verb must be specified");
    }
    if parsed.values("resource").is_empty() {
        return super::error("at least one resource must be specified");
    }
    let mut o = Output::default();
    let rules = match rules(cluster, &parsed, &verbs, &[], &mut o) {
        Ok(r) => r,
        Err(e) => {
            o.extend(super::error(e));
            return o;
        }
    };
    let role = Role {
        metadata: meta(name, Some(super::namespace(cluster, &parsed))),
        rules: Some(rules),
    };
    o.extend(generate::finish(
        cluster,
        &parsed,
        Object::Role(Box::new(role)),
        "created",
    ));
    o
}

/// `kubectl create clusterrole`.
pub fn create_clusterrole(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create clusterrole", args, CLUSTERROLE_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match name(&parsed, "clusterrole") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let verbs = verbs(&parsed);
    let urls = dedup(slice(&parsed, "non-resource-url"));
    let aggregation = match parsed.value("aggregation-rule") {
        Some(spec) => match generate::parse_labels(spec) {
            Ok(m) if !m.is_empty() => Some(m),
            Ok(_) => None,
            Err(e) => return super::error(e),
        },
        None => None,
    };
    let has_resources = !parsed.values("resource").is_empty();
    let mut o = Output::default();
    let role = if let Some(labels) = aggregation {
        if !urls.is_empty()
            || !verbs.is_empty()
            || has_resources
            || !parsed.values("resource-name").is_empty()
        {
            return super::error("aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames");
        }
        ClusterRole {
            metadata: meta(name, None),
            aggregation_rule: Some(AggregationRule {
                cluster_role_selectors: Some(vec![LabelSelector {
                    match_labels: Some(labels),
                    ..Default::default()
                }]),
            }),
            rules: None,
        }
    } else {
        if verbs.is_empty() {
            return super::error("at least one verb must be specified");
        }
        if !has_resources && urls.is_empty() {
            return super::error("one of resource or nonResourceURL must be specified");
        }
        let rules = if has_resources {
            match rules(cluster, &parsed, &verbs, &[], &mut o) {
                Ok(r) => r,
                Err(e) => {
                    o.extend(super::error(e));
                    return o;
                }
            }
        } else {
            Vec::new()
        };
        if !urls.is_empty() {
            if let Some(v) = verbs.iter().find(|v| !URL_VERBS.contains(&v.as_str())) {
                o.extend(super::error(format!(
                    "invalid verb: '{v}' for nonResourceURL"
                )));
                return o;
            }
            for url in urls.iter().filter(|u| *u != "*") {
                if !url.starts_with('/') {
                    o.extend(super::error("nonResourceURL should start with /"));
                    return o;
                }
                if url[..url.len() - 1].contains('*') {
                    o.extend(super::error(
                        "nonResourceURL only supports wildcard matches when '*' is at the end",
                    ));
                    return o;
                }
            }
        }
        let mut rules = rules;
        if !urls.is_empty() {
            rules.push(PolicyRule {
                verbs: verbs.clone(),
                non_resource_urls: Some(urls),
                ..Default::default()
            });
        }
        ClusterRole {
            metadata: meta(name, None),
            rules: Some(rules),
            ..Default::default()
        }
    };
    o.extend(generate::finish(
        cluster,
        &parsed,
        Object::ClusterRole(Box::new(role)),
        "created",
    ));
    o
}

fn meta(name: String, namespace: Option<String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace,
        ..Default::default()
    }
}

/// `--user`, `--group`, then `--serviceaccount NS:NAME` subjects, in that order.
fn subjects(parsed: &Parsed) -> Result<Option<Vec<Subject>>, String> {
    let mut out = Vec::new();
    for (flag, kind) in [("user", "User"), ("group", "Group")] {
        for n in parsed.values(flag) {
            out.push(Subject {
                kind: kind.into(),
                name: n.clone(),
                api_group: Some(GROUP.into()),
                ..Default::default()
            });
        }
    }
    for sa in parsed.values("serviceaccount") {
        let parts: Vec<&str> = sa.splitn(2, ':').collect();
        let [ns, name] = parts.as_slice() else {
            return Err("serviceaccount must be <namespace>:<name>".into());
        };
        out.push(Subject {
            kind: "ServiceAccount".into(),
            name: (*name).into(),
            namespace: Some((*ns).into()),
            ..Default::default()
        });
    }
    Ok((!out.is_empty()).then_some(out))
}

/// `kubectl create rolebinding`.
pub fn create_rolebinding(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create rolebinding", args, BINDING_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match name(&parsed, "rolebinding") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let role_ref = match (parsed.value("role"), parsed.value("clusterrole")) {
        (Some(r), None) if !r.is_empty() => ("Role", r),
        (None, Some(r)) if !r.is_empty() => ("ClusterRole", r),
        _ => return super::error("exactly one of clusterrole or role must be specified"),
    };
    let subjects = match subjects(&parsed) {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let binding = RoleBinding {
        metadata: meta(name, Some(super::namespace(cluster, &parsed))),
        role_ref: RoleRef {
            api_group: GROUP.into(),
            kind: role_ref.0.into(),
            name: role_ref.1.into(),
        },
        subjects,
    };
    generate::finish_wrapped(
        cluster,
        &parsed,
        Object::RoleBinding(Box::new(binding)),
        "created",
        "failed to create rolebinding: ",
    )
}

/// `kubectl create clusterrolebinding`.
pub fn create_clusterrolebinding(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create clusterrolebinding", args, BINDING_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(role) = parsed.value("clusterrole") else {
        return super::error("required flag(s) \"clusterrole\" not set");
    };
    let role = role.to_string();
    let name = match name(&parsed, "clusterrolebinding") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let subjects = match subjects(&parsed) {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let binding = ClusterRoleBinding {
        metadata: meta(name, None),
        role_ref: RoleRef {
            api_group: GROUP.into(),
            kind: "ClusterRole".into(),
            name: role,
        },
        subjects,
    };
    generate::finish_wrapped(
        cluster,
        &parsed,
        Object::ClusterRoleBinding(Box::new(binding)),
        "created",
        "failed to create clusterrolebinding: ",
    )
}

/// The audience kube-apiserver issues tokens for by default (kubeadm sets
/// `--service-account-issuer` to it).
const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// `kubectl create token SA`: a TokenRequest; the token a JWT of the seeded random source
/// (header, claims as kube-apiserver's `ServiceAccountTokenGenerator` writes them, and a
/// signature of random bytes).
pub fn create_token(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create token", args, TOKEN_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(sa) = parsed.positionals.first().cloned() else {
        return super::error("service account name is required");
    };
    let namespace = super::namespace(cluster, &parsed);
    let seconds = match parsed.value("duration") {
        None => 3600,
        Some(text) => match super::duration_flag("create token", "duration", text) {
            Ok(d) if d.0 < 0 => {
                return super::error("--duration must be greater than or equal to 0")
            }
            Ok(d) if d.0 % 1000 != 0 => {
                return super::error("--duration cannot be expressed in units less than seconds")
            }
            Ok(d) if d.0 == 0 => 3600,
            Ok(d) => d.0 / 1000,
            Err(e) => return super::error(e),
        },
    };
    let audiences = parsed.values("audience").to_vec();
    if audiences.iter().any(String::is_empty) {
        return super::error("--audience must not be an empty string");
    }
    if seconds > 1 << 32 {
        return super::error(format!("failed to create token: TokenRequest.authentication.k8s.io \"{sa}\" is invalid: spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration larger than 2^32 seconds"));
    }
    if seconds < 600 {
        return super::error(format!("failed to create token: TokenRequest.authentication.k8s.io \"{sa}\" is invalid: spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration less than 10 minutes"));
    }
    if let Some(user) = cluster.console.acting.clone() {
        let attrs = crate::apiserver::authz::Attributes {
            subresource: "token".into(),
            ..crate::apiserver::authz::Attributes::resource(
                "create",
                "",
                "serviceaccounts",
                &namespace,
                &sa,
            )
        };
        if let Err(e) = cluster.world.api.check(&user, &attrs) {
            return super::error(format!("failed to create token: {}", e.status_message("")));
        }
    }
    let Some(account) = cluster
        .world
        .api
        .get_as::<k8s_openapi::api::core::v1::ServiceAccount>(&namespace, &sa)
    else {
        return super::error(format!(
            "failed to create token: serviceaccounts \"{sa}\" not found"
        ));
    };
    let uid = account.metadata.uid.clone().unwrap_or_default();
    let now = cluster.world.clock.now_ms() / 1000;
    // The signing key's id is the cluster's own; each token's id and signature are new.
    let cluster_id = cluster
        .world
        .api
        .get("Namespace", "", "kube-system")
        .and_then(|n| n.metadata().uid.clone())
        .unwrap_or_default();
    let kid = url64(&bytes(&mut crate::rng::Rng::new(0).fork(&cluster_id), 32));
    let rng = &mut cluster.world.rng;
    let audiences = if audiences.is_empty() {
        vec![ISSUER.to_string()]
    } else {
        audiences
    };
    let header = serde_json::json!({"alg": "RS256", "kid": kid});
    // Claims in the order Go's JSON writes a map: by key.
    let claims = serde_json::json!({
        "aud": audiences,
        "exp": now + seconds,
        "iat": now,
        "iss": ISSUER,
        "jti": rng.uuid_v4(),
        "kubernetes.io": {
            "namespace": namespace,
            "serviceaccount": {"name": sa, "uid": uid},
        },
        "nbf": now,
        "sub": format!("system:serviceaccount:{namespace}:{sa}"),
    });
    let token = format!(
        "{}.{}.{}",
        url64(header.to_string().as_bytes()),
        url64(claims.to_string().as_bytes()),
        url64(&bytes(rng, 256))
    );
    let mut o = Output::default();
    o.out(token);
    o
}

fn bytes(rng: &mut crate::rng::Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| (rng.next_u64() >> 56) as u8).collect()
}

/// Base64url without padding, as JWTs are written.
fn url64(bytes: &[u8]) -> String {
    crate::api::base64::encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}
