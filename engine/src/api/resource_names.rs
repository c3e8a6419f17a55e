//! Resource names and lists as `pkg/apis/core/helper` and validation judge them: standard
//! names for containers, limit ranges and quotas, qualified names, integer resources, and
//! resource lists made canonical (`0.5` → `500m`, `1024Mi` → `1Gi`).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::quantity::Amount;
use super::validation::{is_dns1123_subdomain, DNS1123_SUBDOMAIN};

const NAME_PART: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED: &str = "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";

/// `validation.IsQualifiedName`'s messages for `value`.
pub fn qualified_name_causes(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts[..] {
        [name] => name,
        [prefix, name] => {
            let mut out = Vec::new();
            if prefix.is_empty() {
                out.push("prefix part must be non-empty".to_string());
            } else if !is_dns1123_subdomain(prefix) {
                out.push(format!("prefix part {DNS1123_SUBDOMAIN}"));
            }
            out.extend(name_part(name));
            return out;
        }
        _ => return vec![QUALIFIED.to_string()],
    };
    name_part(name)
}

fn name_part(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.is_empty() {
        out.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        out.push("name part must be no more than 63 bytes".to_string());
    }
    let ok = |b: u8| b.is_ascii_alphanumeric();
    let bytes = name.as_bytes();
    let valid = bytes.first().is_some_and(|b| ok(*b))
        && bytes.last().is_some_and(|b| ok(*b))
        && bytes
            .iter()
            .all(|b| ok(*b) || matches!(b, b'-' | b'_' | b'.'));
    if !valid {
        out.push(NAME_PART.to_string());
    }
    out
}

/// `IsHugePageResourceName`.
fn huge_pages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsQuotaHugePageResourceName`.
fn quota_huge_pages(name: &str) -> bool {
    huge_pages(name) || name.starts_with("requests.hugepages-")
}

const STANDARD: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];

/// Object-count resources, which must be whole numbers (`IsIntegerResourceName`).
const INTEGER: &[&str] = &[
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

/// `IsStandardResourceName`.
fn standard(name: &str) -> bool {
    STANDARD.contains(&name) || quota_huge_pages(name)
}

/// `IsStandardQuotaResourceName`: the standard names but `storage`.
fn standard_quota(name: &str) -> bool {
    name != "storage" && standard(name)
}

/// `IsNativeResource`: no domain, or a `kubernetes.io` one.
fn native(name: &str) -> bool {
    match name.split_once('/') {
        None => true,
        Some((prefix, _)) => prefix == "kubernetes.io" || prefix.ends_with(".kubernetes.io"),
    }
}

/// `IsExtendedResourceName`.
fn extended(name: &str) -> bool {
    !native(name)
        && !name.starts_with("requests.")
        && qualified_name_causes(&format!("requests.{name}")).is_empty()
}

/// `IsOvercommitAllowed`: native resources but huge pages.
pub fn overcommit_allowed(name: &str) -> bool {
    native(name) && !huge_pages(name)
}

/// `validateResourceName`: qualified, and standard unless prefixed.
fn resource_name_causes(name: &str, at: &str) -> Vec<String> {
    let msgs = qualified_name_causes(name);
    if !msgs.is_empty() {
        return msgs
            .into_iter()
            .map(|m| format!("{at}: Invalid value: \"{name}\": {m}"))
            .collect();
    }
    if !name.contains('/') && !standard(name) {
        return vec![format!(
            "{at}: Invalid value: \"{name}\": must be a standard resource type or fully qualified"
        )];
    }
    Vec::new()
}

/// `validateLimitRangeResourceName`: container resources for Pod and Container items,
/// any standard resource for the others.
pub fn limit_range_causes(name: &str, container_like: bool, at: &str) -> Vec<String> {
    let mut out = resource_name_causes(name, at);
    if !container_like || !out.is_empty() {
        return out;
    }
    if !name.contains('/') {
        if !matches!(name, "cpu" | "memory" | "ephemeral-storage") && !huge_pages(name) {
            out.push(format!(
                "{at}: Invalid value: \"{name}\": must be a standard resource for containers"
            ));
        }
    } else if !native(name) && !extended(name) {
        out.push(format!(
            "{at}: Invalid value: \"{name}\": doesn't follow extended resource name standard"
        ));
    }
    out
}

/// `ValidateResourceQuotaResourceName` and `validateResourceQuantityValue` for one entry
/// of `spec.hard`.
pub fn quota_causes(name: &str, value: &str, at: &str) -> Vec<String> {
    let mut out = resource_name_causes(name, at);
    if !name.contains('/') && !standard_quota(name) {
        out.push(format!(
            "{at}: Invalid value: \"{name}\": must be a standard resource for quota"
        ));
    }
    let millis = Amount::parse(value).map_or(0, Amount::millis);
    if millis < 0 {
        out.push(format!(
            "{at}: Invalid value: \"{value}\": must be greater than or equal to 0"
        ));
    }
    if (INTEGER.contains(&name) || extended(name)) && millis % 1000 != 0 {
        out.push(format!(
            "{at}: Invalid value: \"{value}\": must be an integer"
        ));
    }
    out
}

/// Rewrites every quantity of `list` as the apiserver stores it.
pub fn canonicalize(list: &mut Option<BTreeMap<String, Quantity>>) {
    list.iter_mut()
        .flat_map(|l| l.values_mut())
        .for_each(canonicalize_one);
}

/// Rewrites `q` as the apiserver stores it: the canonical text of the amount it decoded
/// (`0.5` → `500m`, `2048Mi` → `2Gi`, `0.0000005` → `500n`); a saturated or malformed
/// quantity stays as written.
pub fn canonicalize_one(q: &mut Quantity) {
    if let Some(a) = Amount::parse(&q.0).filter(|a| !a.saturated()) {
        q.0 = a.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(qualified_name_causes("count/deployments.apps").is_empty());
        assert!(
            qualified_name_causes("gold.storageclass.storage.k8s.io/requests.storage").is_empty()
        );
        assert_eq!(qualified_name_causes("a/b/c"), vec![QUALIFIED.to_string()]);
        assert!(quota_causes("pods", "1.5", "x")[0].ends_with("must be an integer"));
        assert!(quota_causes("foo", "1", "x")
            .last()
            .unwrap()
            .ends_with("must be a standard resource for quota"));
        assert!(quota_causes("requests.memory", "1Gi", "x").is_empty());
        assert!(limit_range_causes("storage", true, "x")[0].ends_with("for containers"));
        assert!(limit_range_causes("storage", false, "x").is_empty());
    }
}
