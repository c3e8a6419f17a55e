//! `kubectl create -f` of the create-only review kinds: the apiserver answers them from its
//! authenticator and RBAC authorizer and stores nothing. SelfSubjectReview returns the
//! caller; the access reviews whether a request would be allowed; SelfSubjectRulesReview the
//! caller's rules in a namespace. TokenReview authenticates nothing: Kubeplay issues no
//! tokens it can check.

use serde_json::{json, Map, Value};

use crate::api::error::ApiError;
use crate::api::kinds::KindInfo;
use crate::api::typed;
use crate::apiserver::authz::{Attributes, UserInfo};
use crate::cluster::Cluster;

/// A field of `v` as a string (empty when missing).
fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The request an access review's spec describes, or the validation error.
fn attributes(spec: &Value, namespace: Option<&str>) -> Result<Attributes, String> {
    let resource = spec.get("resourceAttributes").filter(|v| !v.is_null());
    let non_resource = spec.get("nonResourceAttributes").filter(|v| !v.is_null());
    match (resource, non_resource) {
        (Some(r), None) => Ok(Attributes {
            verb: text(r, "verb").into(),
            group: text(r, "group").into(),
            resource: text(r, "resource").into(),
            subresource: text(r, "subresource").into(),
            namespace: namespace.unwrap_or(text(r, "namespace")).into(),
            name: text(r, "name").into(),
            path: String::new(),
        }),
        (None, Some(n)) => Ok(Attributes {
            verb: text(n, "verb").into(),
            path: text(n, "path").into(),
            ..Default::default()
        }),
        _ => Err("spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified".into()),
    }
}

/// The user a SubjectAccessReview names (`spec.user`, `spec.groups`).
fn subject(spec: &Value) -> Result<UserInfo, String> {
    let name = text(spec, "user").to_string();
    let groups: Vec<String> = spec
        .get("groups")
        .and_then(Value::as_array)
        .map(|g| {
            g.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if name.is_empty() && groups.is_empty() {
        return Err(
            "spec.user: Invalid value: \"\": at least one of user or group must be specified"
                .into(),
        );
    }
    Ok(UserInfo { name, groups })
}

/// The access decision as a review's status.
fn decision(cluster: &Cluster, user: &UserInfo, attrs: &Attributes) -> Value {
    let d = cluster.world.api.authorize(user, attrs);
    let mut status = Map::new();
    status.insert("allowed".into(), json!(d.allowed));
    if !d.reason.is_empty() {
        status.insert("reason".into(), json!(d.reason));
    }
    Value::Object(status)
}

/// The caller's rules in `namespace` as a SelfSubjectRulesReview's status.
fn rules(cluster: &Cluster, user: &UserInfo, namespace: &str) -> Value {
    let set = cluster.world.api.rules_for(user, namespace);
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for r in &set.rules {
        if let Some(urls) = r.non_resource_urls.as_ref().filter(|u| !u.is_empty()) {
            non_resource_rules.push(json!({"nonResourceURLs": urls, "verbs": r.verbs}));
        } else {
            let mut rule = json!({"verbs": r.verbs});
            for (key, list) in [
                ("apiGroups", &r.api_groups),
                ("resources", &r.resources),
                ("resourceNames", &r.resource_names),
            ] {
                if let Some(l) = list.as_ref().filter(|l| !l.is_empty()) {
                    rule[key] = json!(l);
                }
            }
            resource_rules.push(rule);
        }
    }
    let mut status = json!({
        "incomplete": !set.errors.is_empty(),
        "nonResourceRules": non_resource_rules,
        "resourceRules": resource_rules,
    });
    if !set.errors.is_empty() {
        status["evaluationError"] = json!(set.errors.join(", "));
    }
    status
}

/// The spec as the server serves it back: through its typed value (its fields in their
/// order, unknown ones dropped), or as sent when it does not decode.
fn served_spec(kind: &str, spec: Value) -> Value {
    use k8s_openapi::api::{authentication::v1 as authn, authorization::v1 as authz};
    fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> Option<Value> {
        typed::decode::<T>(v)
            .ok()
            .and_then(|t| serde_json::to_value(t).ok())
    }
    let served = match kind {
        "TokenReview" => typed::<authn::TokenReviewSpec>(&spec),
        "SelfSubjectAccessReview" => typed::<authz::SelfSubjectAccessReviewSpec>(&spec),
        "SelfSubjectRulesReview" => typed::<authz::SelfSubjectRulesReviewSpec>(&spec),
        _ => typed::<authz::SubjectAccessReviewSpec>(&spec),
    };
    served.unwrap_or(spec)
}

/// The review the apiserver returns for `manifest` (a create-only kind), made by `user` in
/// the `namespace` the command targets; or the apiserver's error.
pub fn answer(
    cluster: &Cluster,
    info: &KindInfo,
    manifest: &Value,
    user: &UserInfo,
    namespace: &str,
) -> Result<Value, ApiError> {
    let spec = manifest.get("spec").cloned().unwrap_or(json!({}));
    let invalid = |cause: String| ApiError::Invalid {
        kind: info.kind.into(),
        name: String::new(),
        causes: vec![cause],
    };
    let status = match info.kind {
        "SelfSubjectReview" => {
            json!({"userInfo": {"groups": user.groups, "username": user.name}})
        }
        "TokenReview" => json!({"user": {}}),
        "SelfSubjectAccessReview" => {
            let attrs = attributes(&spec, None).map_err(invalid)?;
            decision(cluster, user, &attrs)
        }
        "LocalSubjectAccessReview" => {
            let attrs = attributes(&spec, Some(namespace)).map_err(invalid)?;
            decision(cluster, &subject(&spec).map_err(invalid)?, &attrs)
        }
        "SubjectAccessReview" => {
            let attrs = attributes(&spec, None).map_err(invalid)?;
            decision(cluster, &subject(&spec).map_err(invalid)?, &attrs)
        }
        "SelfSubjectRulesReview" => {
            let ns = text(&spec, "namespace");
            if ns.is_empty() {
                return Err(invalid("spec.namespace: Required value".into()));
            }
            rules(cluster, user, ns)
        }
        _ => {
            return Err(ApiError::Internal {
                message: format!("{} is not a review", info.kind),
            })
        }
    };
    let mut metadata = json!({"creationTimestamp": null});
    if info.namespaced {
        metadata["namespace"] = json!(namespace);
    }
    let mut review = json!({
        "apiVersion": info.api_version(),
        "kind": info.kind,
        "metadata": metadata,
    });
    if info.kind != "SelfSubjectReview" {
        review["spec"] = served_spec(info.kind, spec);
    }
    review["status"] = status;
    Ok(review)
}
