//! Validation as the apiserver does it, with its field paths and messages.

pub(crate) mod affinity;
mod cloud_volumes;
mod config_volumes;
mod probes;
pub(crate) use probes::port_name_messages;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::error::ApiError;
use crate::api::object::Object;

/// kube's DNS-1123 subdomain message.
pub(crate) const DNS1123_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
/// kube's DNS-1123 label message.
pub(crate) const DNS1123_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// Whether `s` is a DNS-1123 label (`my-name`).
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Whether `s` is a DNS-1123 subdomain (`web.example`).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Whether `s` is a valid label value (empty, or alphanumerics with `-_.` inside, ≤ 63).
pub fn is_label_value(s: &str) -> bool {
    s.len() <= 63 && label_value_form(s)
}

/// The label value pattern `(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`, length aside.
fn label_value_form(s: &str) -> bool {
    s.is_empty()
        || s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Checks a pod spec found at `path` (`spec`, `spec.template.spec`): its config volumes,
/// its containers, then its init containers (whose names must differ from every container's).
pub fn pod_spec(spec: &PodSpec, path: &str, causes: &mut Vec<String>) {
    config_volumes::volumes(spec, path, causes);
    cloud_volumes::volumes(spec, path, causes);
    if spec.containers.is_empty() {
        causes.push(format!("{path}.containers: Required value"));
    }
    let mut seen = std::collections::BTreeSet::new();
    let init = spec.init_containers.as_deref().unwrap_or(&[]);
    for (field, list, is_init) in [
        ("containers", spec.containers.as_slice(), false),
        ("initContainers", init, true),
    ] {
        for (i, c) in list.iter().enumerate() {
            let at = format!("{path}.{field}[{i}]");
            if c.name.is_empty() {
                causes.push(format!("{at}.name: Required value"));
            } else if !is_dns1123_label(&c.name) {
                causes.push(format!(
                    "{at}.name: Invalid value: \"{}\": {DNS1123_LABEL}",
                    c.name
                ));
            } else if !seen.insert(c.name.clone()) {
                causes.push(format!("{at}.name: Duplicate value: \"{}\"", c.name));
            }
            if c.image.as_deref().unwrap_or("").trim().is_empty() {
                causes.push(format!("{at}.image: Required value"));
            }
            for (j, port) in c.ports.iter().flatten().enumerate() {
                if !(1..=65535).contains(&port.container_port) {
                    causes.push(format!(
                        "{at}.ports[{j}].containerPort: Invalid value: {}: must be between 1 and 65535, inclusive",
                        port.container_port
                    ));
                }
            }
            for (j, e) in c.env.iter().flatten().enumerate() {
                if e.name.is_empty() {
                    causes.push(format!("{at}.env[{j}].name: Required value"));
                } else if e
                    .name
                    .chars()
                    .any(|ch| !(' '..='~').contains(&ch) || ch == '=')
                {
                    // RelaxedEnvironmentVariableValidation (GA in 1.34).
                    causes.push(format!(
                        "{at}.env[{j}].name: Invalid value: \"{}\": a valid environment variable name must consist only of printable ASCII characters other than '='",
                        e.name
                    ));
                }
            }
            resource_causes(c.resources.as_ref(), &at, causes);
            probes::container(c, &at, is_init, causes);
        }
    }
}

/// `ValidateContainerResourceRequirements`: no negative limit or request
/// (`ValidateNonnegativeQuantity`), a request at most its limit, and a resource that cannot
/// be overcommitted (an extended resource, hugepages) requested exactly at a limit that is
/// set; quantities print in canonical form.
fn resource_causes(
    resources: Option<&k8s_openapi::api::core::v1::ResourceRequirements>,
    at: &str,
    causes: &mut Vec<String>,
) {
    use super::quantity::Amount;
    let Some(r) = resources else { return };
    let negative = |field: &str, name: &str, a: Amount, causes: &mut Vec<String>| {
        if a.nanos() < 0 {
            causes.push(format!(
                "{at}.resources.{field}[{name}]: Invalid value: \"{a}\": must be greater than or equal to 0"
            ));
        }
    };
    for (name, q) in r.limits.iter().flatten() {
        if let Some(a) = Amount::parse(&q.0) {
            negative("limits", name, a, causes);
        }
    }
    for (name, q) in r.requests.iter().flatten() {
        let Some(request) = Amount::parse(&q.0) else {
            continue;
        };
        negative("requests", name, request, causes);
        let overcommit = overcommit_allowed(name);
        match r.limits.as_ref().and_then(|l| l.get(name)) {
            Some(l) => {
                let Some(limit) = Amount::parse(&l.0) else {
                    continue;
                };
                let rule = if request.nanos() != limit.nanos() && !overcommit {
                    "must be equal to"
                } else if request.nanos() > limit.nanos() {
                    "must be less than or equal to"
                } else {
                    continue;
                };
                causes.push(format!(
                    "{at}.resources.requests: Invalid value: \"{request}\": {rule} {name} limit of {limit}"
                ));
            }
            None if !overcommit => causes.push(format!(
                "{at}.resources.limits: Required value: Limit must be set for non overcommitable resources"
            )),
            None => {}
        }
    }
}

/// `IsOvercommitAllowed`: a native resource (no domain, or a `kubernetes.io` one) other than
/// hugepages.
fn overcommit_allowed(name: &str) -> bool {
    let native = !name.contains('/') || name.contains("kubernetes.io/");
    native && !name.starts_with("hugepages-")
}

/// Checks an object before it is stored; errors carry every cause, like the apiserver's.
pub fn validate(obj: &Object) -> Result<(), ApiError> {
    checked(obj, |causes| obj.validate_fields(causes))
}

/// Checks an update of `old` to `obj` (`ValidateUpdate`): the kind's update rules (e.g. an
/// immutable field) besides its validation.
pub fn validate_update(obj: &Object, old: &Object) -> Result<(), ApiError> {
    checked(obj, |causes| {
        crate::api::object::validate_update(obj, old, causes)
    })
}

/// The name's causes, then the fields' (`fields`), as one error.
fn checked(obj: &Object, fields: impl FnOnce(&mut Vec<String>)) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    let name = obj.name();
    if name.is_empty() {
        causes.push("metadata.name: Required value: name or generateName is required".to_string());
    } else {
        for msg in name_causes(obj.kind(), name) {
            causes.push(format!("metadata.name: Invalid value: \"{name}\": {msg}"));
        }
    }
    meta_causes(Some(obj.metadata()), "metadata", &mut causes);
    fields(&mut causes);
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid {
            kind: obj.kind().to_string(),
            name: name.to_string(),
            causes,
        })
    }
}

/// The labels and annotations of the metadata at `path` (`metadata`, or a pod template's
/// `spec.template`, as `ValidatePodTemplateSpec` reports them: `spec.template.labels`).
pub fn meta_causes(meta: Option<&ObjectMeta>, path: &str, causes: &mut Vec<String>) {
    let Some(meta) = meta else { return };
    if let Some(labels) = &meta.labels {
        label_causes(labels, &format!("{path}.labels"), causes);
    }
    if let Some(annotations) = &meta.annotations {
        annotation_causes(annotations, &format!("{path}.annotations"), causes);
    }
}

/// `ValidateAnnotations`: each key a qualified name once lowercased, and keys and values
/// together at most 256 KiB.
fn annotation_causes(
    annotations: &std::collections::BTreeMap<String, String>,
    path: &str,
    causes: &mut Vec<String>,
) {
    let mut total = 0usize;
    for (k, v) in annotations {
        for msg in super::resource_names::qualified_name_causes(&k.to_lowercase()) {
            causes.push(format!("{path}: Invalid value: {k:?}: {msg}"));
        }
        total = total.saturating_add(k.len()).saturating_add(v.len());
    }
    if total > ANNOTATIONS_SIZE_LIMIT {
        causes.push(format!(
            "{path}: Too long: may not be more than {ANNOTATIONS_SIZE_LIMIT} bytes"
        ));
    }
}

/// `TotalAnnotationSizeLimitB`: 256 KiB of annotation keys and values per object.
const ANNOTATIONS_SIZE_LIMIT: usize = 256 * 1024;

/// `ValidateLabels`: each key a qualified name (`IsQualifiedName`), each value a label value
/// (`IsValidLabelValue`), reported at `path`.
pub fn label_causes(
    labels: &std::collections::BTreeMap<String, String>,
    path: &str,
    causes: &mut Vec<String>,
) {
    for (k, v) in labels {
        for msg in super::resource_names::qualified_name_causes(k) {
            causes.push(format!("{path}: Invalid value: {k:?}: {msg}"));
        }
        for msg in label_value_causes(v) {
            causes.push(format!("{path}: Invalid value: {v:?}: {msg}"));
        }
    }
}

/// `validation.IsValidLabelValue`'s messages for `v`.
pub fn label_value_causes(v: &str) -> Vec<String> {
    let mut causes = Vec::new();
    if v.len() > 63 {
        causes.push("must be no more than 63 characters".to_string());
    }
    if !label_value_form(v) {
        causes.push(LABEL_VALUE.to_string());
    }
    causes
}

/// `IsValidLabelValue`'s message for a value of the wrong form.
pub const LABEL_VALUE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/// What is wrong with `name` as the name of a `kind` object: namespaces are DNS labels,
/// RBAC objects and APIServices path segments (`system:node`), the rest DNS subdomains.
fn name_causes(kind: &str, name: &str) -> Vec<String> {
    match kind {
        "Namespace" if !is_dns1123_label(name) => vec![DNS1123_LABEL.to_string()],
        "Namespace" => Vec::new(),
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" | "APIService" => {
            path_segment_causes(name)
        }
        _ if !is_dns1123_subdomain(name) => vec![DNS1123_SUBDOMAIN.to_string()],
        _ => Vec::new(),
    }
}

/// `path.IsValidPathSegmentName`: not `.` or `..`, no `/` or `%`.
pub fn path_segment_causes(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    ["/", "%"]
        .iter()
        .filter(|c| name.contains(*c))
        .map(|c| format!("may not contain '{c}'"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn meta(labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> ObjectMeta {
        let map = |pairs: &[(&str, &str)]| {
            let m: BTreeMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Some(m)
        };
        ObjectMeta {
            labels: map(labels),
            annotations: map(annotations),
            ..Default::default()
        }
    }

    #[test]
    fn template_metadata_is_reported_at_the_template_path() {
        let mut causes = Vec::new();
        let m = meta(&[("a b", "ok")], &[("-x", "1")]);
        meta_causes(Some(&m), "spec.template", &mut causes);
        assert_eq!(causes.len(), 2, "{causes:?}");
        assert!(causes[0].starts_with("spec.template.labels: Invalid value: \"a b\": "));
        assert!(causes[1].starts_with("spec.template.annotations: Invalid value: \"-x\": "));
    }

    #[test]
    fn annotation_keys_are_checked_lowercased_and_sized_together() {
        let mut causes = Vec::new();
        let big = "x".repeat(ANNOTATIONS_SIZE_LIMIT);
        let m = meta(&[], &[("Example.COM/Ok", "1"), ("k", &big)]);
        meta_causes(Some(&m), "metadata", &mut causes);
        assert_eq!(
            causes,
            ["metadata.annotations: Too long: may not be more than 262144 bytes"]
        );
        let mut causes = Vec::new();
        let m = meta(&[], &[("k", &big[1..])]);
        meta_causes(Some(&m), "metadata", &mut causes);
        assert!(causes.is_empty(), "{causes:?}");
    }
}
