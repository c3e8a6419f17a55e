//! What a downwardAPI file holds: a pod field (`fieldpath.ExtractFieldPathAsString`) or a
//! container's resource (`resource.ExtractResourceValueByContainerNameAndNodeAllocatable`),
//! without a trailing newline, as the kubelet writes them.

use k8s_openapi::api::core::v1::{ObjectFieldSelector, Pod, ResourceFieldSelector};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

use crate::api::quantity;
use crate::node::hooks::go_quote;

use crate::node::env::format_map;

/// A pod field's value; `Err` as the kubelet words an unsupported path.
pub fn field(pod: &Pod, sel: &ObjectFieldSelector) -> Result<String, String> {
    let path = sel.field_path.as_str();
    let meta = &pod.metadata;
    if let Some((base, key)) = subscript(path) {
        let map = match base {
            "metadata.annotations" => meta.annotations.as_ref(),
            "metadata.labels" => meta.labels.as_ref(),
            _ => {
                return Err(format!(
                    "fieldPath {} does not support subscript",
                    go_quote(path)
                ))
            }
        };
        return Ok(map.and_then(|m| m.get(key)).cloned().unwrap_or_default());
    }
    Ok(match path {
        "metadata.annotations" => format_map(meta.annotations.as_ref()),
        "metadata.labels" => format_map(meta.labels.as_ref()),
        "metadata.name" => meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
        "metadata.uid" => meta.uid.clone().unwrap_or_default(),
        _ => return Err(format!("unsupported fieldPath: {path}")),
    })
}

/// Whether a field's file changes with the pod's labels or annotations.
pub fn follows_metadata(sel: &ObjectFieldSelector) -> bool {
    let path = subscript(&sel.field_path).map_or(sel.field_path.as_str(), |(b, _)| b);
    matches!(path, "metadata.annotations" | "metadata.labels")
}

/// `metadata.labels['app']` → (`metadata.labels`, `app`).
fn subscript(path: &str) -> Option<(&str, &str)> {
    let (base, rest) = path.split_once("['")?;
    Some((base, rest.strip_suffix("']")?))
}

/// A container's resource as a whole number of `divisor`s, rounded up; an unset limit is
/// the node's allocatable amount. `allocatable` is the node's `status.allocatable`.
pub fn resource(
    pod: &Pod,
    sel: &ResourceFieldSelector,
    allocatable: Option<&BTreeMap<String, Quantity>>,
) -> Result<String, String> {
    let name = sel.container_name.as_deref().unwrap_or_default();
    let containers = pod.spec.iter().flat_map(|s| {
        s.containers
            .iter()
            .chain(s.init_containers.iter().flatten())
    });
    let Some(c) = containers.clone().find(|c| c.name == name) else {
        return Err(format!("container {name} not found"));
    };
    let res = sel.resource.split_once('.').map_or("", |(_, r)| r);
    let node = allocatable
        .and_then(|a| a.get(res))
        .and_then(|q| quantity::parse(&q.0));
    crate::node::env::container_resource_value(c, sel, node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u-1",
                "labels": {"app": "web", "tier": "front \"end\""}},
            "spec": {"containers": [{"name": "c", "resources": {
                "limits": {"memory": "128Mi"}, "requests": {"cpu": "250m"}}}]}
        }))
        .unwrap()
    }

    fn sel(path: &str) -> ObjectFieldSelector {
        ObjectFieldSelector {
            api_version: Some("v1".into()),
            field_path: path.into(),
        }
    }

    fn res(r: &str, divisor: Option<&str>) -> ResourceFieldSelector {
        ResourceFieldSelector {
            container_name: Some("c".into()),
            resource: r.into(),
            divisor: divisor.map(|d| Quantity(d.into())),
        }
    }

    #[test]
    fn fields_as_the_kubelet_writes_them() {
        let p = pod();
        assert_eq!(
            field(&p, &sel("metadata.labels")).unwrap(),
            "app=\"web\"\ntier=\"front \\\"end\\\"\""
        );
        assert_eq!(field(&p, &sel("metadata.labels['app']")).unwrap(), "web");
        assert_eq!(field(&p, &sel("metadata.labels['x']")).unwrap(), "");
        assert_eq!(field(&p, &sel("metadata.annotations")).unwrap(), "");
        assert_eq!(field(&p, &sel("metadata.uid")).unwrap(), "u-1");
        assert_eq!(
            field(&p, &sel("spec.nodeName")),
            Err("unsupported fieldPath: spec.nodeName".into())
        );
        assert!(follows_metadata(&sel("metadata.annotations['a']")));
        assert!(!follows_metadata(&sel("metadata.name")));
    }

    #[test]
    fn resources_round_up_in_divisors() {
        let p = pod();
        let mut alloc = BTreeMap::new();
        alloc.insert("cpu".to_string(), Quantity("2".into()));
        let a = Some(&alloc);
        assert_eq!(
            resource(&p, &res("limits.memory", None), a).unwrap(),
            "134217728"
        );
        assert_eq!(
            resource(&p, &res("limits.memory", Some("1Mi")), a).unwrap(),
            "128"
        );
        assert_eq!(resource(&p, &res("requests.cpu", None), a).unwrap(), "1");
        assert_eq!(
            resource(&p, &res("requests.cpu", Some("1m")), a).unwrap(),
            "250"
        );
        assert_eq!(resource(&p, &res("limits.cpu", Some("0")), a).unwrap(), "2");
        assert!(resource(&p, &res("limits.gpu", None), a).is_err());
    }
}
