//! ValidatingWebhookConfiguration and MutatingWebhookConfiguration
//! (`admissionregistration.k8s.io/v1`): defaults (`pkg/apis/admissionregistration/v1/defaults.go`)
//! and validation (`pkg/apis/admissionregistration/validation`). They are stored only:
//! Kubeplay's apiserver calls no webhooks.

use k8s_openapi::api::admissionregistration::v1::{
    RuleWithOperations, ServiceReference, WebhookClientConfig,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{
    KindRules, MutatingWebhookConfiguration, Object, StatusSubresource,
    ValidatingWebhookConfiguration,
};
use crate::api::validation::{is_dns1123_subdomain, DNS1123_SUBDOMAIN};

/// What both kinds of webhook share, borrowed for the checks.
struct Hook<'a> {
    name: &'a str,
    rules: &'a [RuleWithOperations],
    failure_policy: Option<&'a str>,
    match_policy: Option<&'a str>,
    side_effects: &'a str,
    timeout: Option<i32>,
    reinvocation: Option<Option<&'a str>>,
    client: &'a WebhookClientConfig,
    review_versions: &'a [String],
}

/// Defaults both kinds share: Fail, Equivalent, empty selectors, 10 s, rules' scope `*`,
/// a service's port 443.
#[allow(clippy::too_many_arguments)]
fn defaults(
    failure_policy: &mut Option<String>,
    match_policy: &mut Option<String>,
    namespace_selector: &mut Option<LabelSelector>,
    object_selector: &mut Option<LabelSelector>,
    timeout: &mut Option<i32>,
    rules: Option<&mut Vec<RuleWithOperations>>,
    client: &mut WebhookClientConfig,
) {
    failure_policy.get_or_insert_with(|| "Fail".into());
    match_policy.get_or_insert_with(|| "Equivalent".into());
    namespace_selector.get_or_insert_with(Default::default);
    object_selector.get_or_insert_with(Default::default);
    timeout.get_or_insert(10);
    for r in rules.into_iter().flatten() {
        r.scope.get_or_insert_with(|| "*".into());
    }
    if let Some(s) = client.service.as_mut() {
        s.port.get_or_insert(443);
    }
}

impl KindRules for ValidatingWebhookConfiguration {
    fn default_fields(&mut self) {
        for h in self.webhooks.iter_mut().flatten() {
            defaults(
                &mut h.failure_policy,
                &mut h.match_policy,
                &mut h.namespace_selector,
                &mut h.object_selector,
                &mut h.timeout_seconds,
                h.rules.as_mut(),
                &mut h.client_config,
            );
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let hooks: Vec<Hook> = self
            .webhooks
            .iter()
            .flatten()
            .map(|h| Hook {
                name: &h.name,
                rules: h.rules.as_deref().unwrap_or(&[]),
                failure_policy: h.failure_policy.as_deref(),
                match_policy: h.match_policy.as_deref(),
                side_effects: &h.side_effects,
                timeout: h.timeout_seconds,
                reinvocation: None,
                client: &h.client_config,
                review_versions: &h.admission_review_versions,
            })
            .collect();
        webhooks(&hooks, causes);
    }
}

impl KindRules for MutatingWebhookConfiguration {
    fn default_fields(&mut self) {
        for h in self.webhooks.iter_mut().flatten() {
            defaults(
                &mut h.failure_policy,
                &mut h.match_policy,
                &mut h.namespace_selector,
                &mut h.object_selector,
                &mut h.timeout_seconds,
                h.rules.as_mut(),
                &mut h.client_config,
            );
            h.reinvocation_policy.get_or_insert_with(|| "Never".into());
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let hooks: Vec<Hook> = self
            .webhooks
            .iter()
            .flatten()
            .map(|h| Hook {
                name: &h.name,
                rules: h.rules.as_deref().unwrap_or(&[]),
                failure_policy: h.failure_policy.as_deref(),
                match_policy: h.match_policy.as_deref(),
                side_effects: &h.side_effects,
                timeout: h.timeout_seconds,
                reinvocation: Some(h.reinvocation_policy.as_deref()),
                client: &h.client_config,
                review_versions: &h.admission_review_versions,
            })
            .collect();
        webhooks(&hooks, causes);
    }
}

impl StatusSubresource for ValidatingWebhookConfiguration {}
impl StatusSubresource for MutatingWebhookConfiguration {}

/// `supported values: "A", "B"`.
fn supported(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    quoted.join(", ")
}

fn webhooks(hooks: &[Hook], causes: &mut Vec<String>) {
    let mut names = std::collections::BTreeSet::new();
    for (i, h) in hooks.iter().enumerate() {
        let at = format!("webhooks[{i}]");
        hook(h, &at, causes);
        review_versions(h.review_versions, &at, causes);
        if !h.name.is_empty() && !names.insert(h.name) {
            causes.push(format!("{at}.name: Duplicate value: \"{}\"", h.name));
        }
    }
}

fn hook(h: &Hook, at: &str, causes: &mut Vec<String>) {
    if h.name.is_empty() {
        causes.push(format!("{at}.name: Required value"));
    } else if !is_dns1123_subdomain(h.name) {
        causes.push(format!(
            "{at}.name: Invalid value: \"{}\": {DNS1123_SUBDOMAIN}",
            h.name
        ));
    } else if h.name.split('.').count() < 3 {
        causes.push(format!(
            "{at}.name: Invalid value: \"{}\": should be a domain with at least three segments separated by dots",
            h.name
        ));
    }
    for (j, r) in h.rules.iter().enumerate() {
        rule(r, &format!("{at}.rules[{j}]"), causes);
    }
    let checks = [
        ("failurePolicy", h.failure_policy, &["Fail", "Ignore"][..]),
        ("matchPolicy", h.match_policy, &["Equivalent", "Exact"][..]),
    ];
    for (field, value, allowed) in checks {
        if let Some(v) = value.filter(|v| !allowed.contains(v)) {
            causes.push(format!(
                "{at}.{field}: Unsupported value: \"{v}\": supported values: {}",
                supported(allowed)
            ));
        }
    }
    let side_effects = ["None", "NoneOnDryRun"];
    if h.side_effects.is_empty() {
        causes.push(format!(
            "{at}.sideEffects: Required value: must specify one of None, NoneOnDryRun"
        ));
    } else if !side_effects.contains(&h.side_effects) {
        causes.push(format!(
            "{at}.sideEffects: Unsupported value: \"{}\": supported values: {}",
            h.side_effects,
            supported(&side_effects)
        ));
    }
    if let Some(t) = h.timeout.filter(|t| !(1..=30).contains(t)) {
        causes.push(format!(
            "{at}.timeoutSeconds: Invalid value: {t}: the timeout value must be between 1 and 30 seconds"
        ));
    }
    if let Some(Some(p)) = h.reinvocation {
        if !["IfNeeded", "Never"].contains(&p) {
            causes.push(format!(
                "{at}.reinvocationPolicy: Unsupported value: \"{p}\": supported values: \"IfNeeded\", \"Never\""
            ));
        }
    }
    client_config(h.client, &format!("{at}.clientConfig"), causes);
}

/// `validateRuleWithOperations` (wildcard combinations are not checked).
fn rule(r: &RuleWithOperations, at: &str, causes: &mut Vec<String>) {
    let ops = r.operations.as_deref().unwrap_or(&[]);
    if ops.is_empty() {
        causes.push(format!("{at}.operations: Required value"));
    }
    let allowed = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
    for (k, op) in ops.iter().enumerate() {
        if !allowed.contains(&op.as_str()) {
            causes.push(format!(
                "{at}.operations[{k}]: Unsupported value: \"{op}\": supported values: {}",
                supported(&allowed)
            ));
        }
    }
    for (field, list) in [
        ("apiGroups", &r.api_groups),
        ("apiVersions", &r.api_versions),
        ("resources", &r.resources),
    ] {
        if list.as_deref().unwrap_or(&[]).is_empty() {
            causes.push(format!("{at}.{field}: Required value"));
        }
    }
    if let Some(s) = r.scope.as_deref() {
        if !["*", "Cluster", "Namespaced"].contains(&s) {
            causes.push(format!(
                "{at}.scope: Unsupported value: \"{s}\": supported values: \"*\", \"Cluster\", \"Namespaced\""
            ));
        }
    }
}

fn client_config(c: &WebhookClientConfig, at: &str, causes: &mut Vec<String>) {
    const FORM: &str = "; desired format: https://host[/path]";
    match (&c.url, &c.service) {
        (Some(_), Some(_)) | (None, None) => causes.push(format!(
            "{at}: Required value: exactly one of url or service is required"
        )),
        (Some(url), None) => {
            let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
            if scheme != "https" {
                causes.push(format!(
                    "{at}.url: Invalid value: \"{scheme}\": 'https' is the only allowed URL scheme{FORM}"
                ));
            }
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            if host.is_empty() {
                causes.push(format!(
                    "{at}.url: Invalid value: \"\": host must be specified{FORM}"
                ));
            }
        }
        (None, Some(s)) => service(s, &format!("{at}.service"), causes),
    }
}

/// `ValidateWebhookService`: name, namespace, port and path.
pub(crate) fn service(s: &ServiceReference, at: &str, causes: &mut Vec<String>) {
    if s.name.is_empty() {
        causes.push(format!(
            "{at}.name: Required value: service name is required"
        ));
    }
    if s.namespace.is_empty() {
        causes.push(format!(
            "{at}.namespace: Required value: service namespace is required"
        ));
    }
    let port = s.port.unwrap_or(443);
    if !(1..=65535).contains(&port) {
        causes.push(format!(
            "{at}.port: Invalid value: {port}: port is not valid: must be between 1 and 65535, inclusive"
        ));
    }
    if let Some(p) = s.path.as_deref().filter(|p| !p.is_empty() && *p != "/") {
        if !p.starts_with('/') {
            causes.push(format!(
                "{at}.path: Invalid value: \"{p}\": must start with a '/'"
            ));
        }
    }
}

/// `validateAdmissionReviewVersions`.
fn review_versions(versions: &[String], at: &str, causes: &mut Vec<String>) {
    let at = format!("{at}.admissionReviewVersions");
    if versions.is_empty() {
        causes.push(format!(
            "{at}: Required value: must specify one of v1, v1beta1"
        ));
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, v) in versions.iter().enumerate() {
        if !seen.insert(v.as_str()) {
            causes.push(format!(
                "{at}[{i}]: Invalid value: \"{v}\": duplicate version"
            ));
        }
    }
    if !versions.iter().any(|v| v == "v1" || v == "v1beta1") {
        let quoted: Vec<String> = versions.iter().map(|v| format!("{v:?}")).collect();
        causes.push(format!(
            "{at}: Invalid value: []string{{{}}}: must include at least one of v1, v1beta1",
            quoted.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn webhooks_are_defaulted_and_need_side_effects_and_review_versions() {
        let v = json!({"metadata": {"name": "w"}, "webhooks": [
            {"name": "hook.example.com", "clientConfig": {"service": {"name": "s", "namespace": "n"}},
             "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]},
            {"name": "short", "clientConfig": {"url": "http://x"}, "sideEffects": "Some",
             "admissionReviewVersions": ["v2"], "timeoutSeconds": 60}
        ]});
        let Some(Ok(mut obj)) = Object::decode_strict("MutatingWebhookConfiguration", &v) else {
            panic!("not decoded");
        };
        obj.default_fields();
        let served = obj.to_json();
        let hook = &served["webhooks"][0];
        assert_eq!(hook["failurePolicy"], "Fail");
        assert_eq!(hook["reinvocationPolicy"], "Never");
        assert_eq!(hook["timeoutSeconds"], 10);
        assert_eq!(hook["clientConfig"]["service"]["port"], 443);
        assert_eq!(hook["rules"][0]["scope"], "*");
        let mut causes = Vec::new();
        obj.validate_fields(&mut causes);
        assert_eq!(causes, vec![
            "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
            "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1",
            "webhooks[1].name: Invalid value: \"short\": should be a domain with at least three segments separated by dots",
            "webhooks[1].sideEffects: Unsupported value: \"Some\": supported values: \"None\", \"NoneOnDryRun\"",
            "webhooks[1].timeoutSeconds: Invalid value: 60: the timeout value must be between 1 and 30 seconds",
            "webhooks[1].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
            "webhooks[1].admissionReviewVersions: Invalid value: []string{\"v2\"}: must include at least one of v1, v1beta1",
        ]);
    }
}
