//! A container's environment as the kubelet builds it when it creates the container
//! (`makeEnvironmentVariables` in `pkg/kubelet/kubelet_pods.go`), never updated afterwards:
//! `envFrom` first (ConfigMaps and Secrets, with `prefix` and `optional`), then `env` in order
//! (literal values with `$(VAR)` expansion, `configMapKeyRef`, `secretKeyRef`, `fieldRef`,
//! `resourceFieldRef`). A missing object or key that is not optional is the error the
//! container's `CreateContainerConfigError` carries.
//!
//! Since 1.34 (RelaxedEnvironmentVariableValidation GA) the kubelet imports every key of an
//! `envFrom` source as it is: no key is skipped and no event is recorded.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, Container, EnvVarSource, ObjectFieldSelector, Pod, ResourceFieldSelector, Secret,
};

use crate::api::object::Node;
use crate::apiserver::ApiServer;

/// The variables of the `kubernetes` Service every container gets (`serviceEnv`).
pub const SERVICE_ENV: [(&str, &str); 8] = [
    ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
    ("KUBERNETES_SERVICE_PORT", "443"),
    ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
    ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
    ("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"),
    ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
    ("KUBERNETES_PORT_443_TCP_PORT", "443"),
    ("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"),
];

/// The variables container `c` of `pod` gets from its spec, by name (the kubelet's map: the
/// runtime adds the image's and the service variables around them), or the error that keeps
/// the container from being created (`configmap "x" not found`, ...).
pub fn resolve(
    api: &ApiServer,
    pod: &Pod,
    c: &Container,
) -> Result<BTreeMap<String, String>, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for from in c.env_from.iter().flatten() {
        let prefix = from.prefix.as_deref().unwrap_or_default();
        if let Some(r) = &from.config_map_ref {
            let Some(cm) = config_map(api, ns, &r.name, r.optional)? else {
                continue;
            };
            for (k, v) in cm.data.iter().flatten() {
                env.insert(format!("{prefix}{k}"), v.clone());
            }
        } else if let Some(r) = &from.secret_ref {
            let Some(s) = secret(api, ns, &r.name, r.optional)? else {
                continue;
            };
            for (k, v) in s.data.iter().flatten() {
                env.insert(format!("{prefix}{k}"), lossy(&v.0));
            }
        }
    }
    for e in c.env.iter().flatten() {
        let literal = e.value.as_deref().unwrap_or_default();
        let value = match &e.value_from {
            Some(from) if literal.is_empty() => match source_value(api, pod, c, from)? {
                Some(v) => v,
                None => continue,
            },
            _ => expand_with(literal, &env)
                .map_err(|TooLong| too_long(&format!("env \"{}\"", e.name)))?,
        };
        env.insert(e.name.clone(), value);
    }
    // `command` and `args` expand against it when the container starts: bounded the same way.
    for arg in c.command.iter().chain(c.args.iter()).flatten() {
        expand_with(arg, &env).map_err(|TooLong| too_long("an argument"))?;
    }
    Ok(env)
}

/// Longest string `$(VAR)` expansion may build: Linux's limit on one argument or environment
/// string (`MAX_ARG_STRLEN`, 32 pages), past which `exec` fails. The kubelet's own expansion
/// has no bound, so variables that double each other (`B=$(A)$(A)`, `C=$(B)$(B)`, …) would
/// grow past any memory; here they stop at this size, with [`too_long`]'s message.
pub const MAX_EXPANDED: usize = 32 * 4096;

/// `$(VAR)` expansion passed [`MAX_EXPANDED`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLong;

/// The container's config error when expanding `what` passes [`MAX_EXPANDED`].
fn too_long(what: &str) -> String {
    format!(
        "expanding $(VAR) references makes {what} longer than {MAX_EXPANDED} bytes, the most one environment variable or argument may hold"
    )
}

/// The value of one `valueFrom`; `None` when an optional source is missing (the variable is
/// left out).
fn source_value(
    api: &ApiServer,
    pod: &Pod,
    c: &Container,
    from: &EnvVarSource,
) -> Result<Option<String>, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    if let Some(f) = &from.field_ref {
        return Ok(Some(field_value(pod, f)));
    }
    if let Some(r) = &from.resource_field_ref {
        return resource_value(api, pod, c, r).map(Some);
    }
    if let Some(r) = &from.config_map_key_ref {
        let optional = r.optional == Some(true);
        let Some(cm) = config_map(api, ns, &r.name, r.optional)? else {
            return Ok(None);
        };
        return match cm.data.as_ref().and_then(|d| d.get(&r.key)) {
            Some(v) => Ok(Some(v.clone())),
            None if optional => Ok(None),
            None => Err(format!(
                "couldn't find key {} in ConfigMap {ns}/{}",
                r.key, r.name
            )),
        };
    }
    if let Some(r) = &from.secret_key_ref {
        let optional = r.optional == Some(true);
        let Some(s) = secret(api, ns, &r.name, r.optional)? else {
            return Ok(None);
        };
        return match s.data.as_ref().and_then(|d| d.get(&r.key)) {
            Some(v) => Ok(Some(lossy(&v.0))),
            None if optional => Ok(None),
            None => Err(format!(
                "couldn't find key {} in Secret {ns}/{}",
                r.key, r.name
            )),
        };
    }
    Ok(Some(String::new()))
}

/// A ConfigMap the container reads: `Ok(None)` when it is missing and optional.
fn config_map<'a>(
    api: &'a ApiServer,
    ns: &str,
    name: &str,
    optional: Option<bool>,
) -> Result<Option<&'a ConfigMap>, String> {
    match api.get_as::<ConfigMap>(ns, name) {
        Some(cm) => Ok(Some(cm)),
        None if optional == Some(true) => Ok(None),
        None => Err(format!("configmap \"{name}\" not found")),
    }
}

/// A Secret the container reads: `Ok(None)` when it is missing and optional.
fn secret<'a>(
    api: &'a ApiServer,
    ns: &str,
    name: &str,
    optional: Option<bool>,
) -> Result<Option<&'a Secret>, String> {
    match api.get_as::<Secret>(ns, name) {
        Some(s) => Ok(Some(s)),
        None if optional == Some(true) => Ok(None),
        None => Err(format!("secret \"{name}\" not found")),
    }
}

/// Secret bytes as Go's `string(b)`: kept as they are (invalid UTF-8 shown replaced).
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `fieldRef`'s value (`podFieldSelectorRuntimeValue`, `fieldpath.ExtractFieldPathAsString`).
pub fn field_value(pod: &Pod, f: &ObjectFieldSelector) -> String {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let meta = &pod.metadata;
    let keyed = |prefix: &str, map: Option<&BTreeMap<String, String>>| {
        f.field_path
            .strip_prefix(prefix)
            .and_then(|k| k.strip_suffix("']"))
            .and_then(|k| map?.get(k).cloned())
    };
    let value = match f.field_path.as_str() {
        "metadata.name" => meta.name.clone(),
        "metadata.namespace" => meta.namespace.clone(),
        "metadata.uid" => meta.uid.clone(),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()),
        "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()),
        "status.podIP" => status.and_then(|s| s.pod_ip.clone()),
        "status.hostIP" => status.and_then(|s| s.host_ip.clone()),
        "status.podIPs" => status.map(|s| {
            let ips: Vec<&str> = s.pod_ips.iter().flatten().map(|i| i.ip.as_str()).collect();
            ips.join(",")
        }),
        "status.hostIPs" => status.map(|s| {
            let ips: Vec<&str> = s.host_ips.iter().flatten().map(|i| i.ip.as_str()).collect();
            ips.join(",")
        }),
        "metadata.labels" => Some(format_map(meta.labels.as_ref())),
        "metadata.annotations" => Some(format_map(meta.annotations.as_ref())),
        _ => keyed("metadata.labels['", meta.labels.as_ref())
            .or_else(|| keyed("metadata.annotations['", meta.annotations.as_ref())),
    };
    value.unwrap_or_default()
}

/// `fieldpath.FormatMap`: `key="value"` lines in key order, values Go-quoted (`%q`), no
/// final newline.
pub fn format_map(map: Option<&BTreeMap<String, String>>) -> String {
    map.into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", crate::node::hooks::go_quote(v)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `resourceFieldRef`'s value for the kubelet: a missing limit is the node's allocatable
/// (`defaultPodLimitsForDownwardAPI`).
fn resource_value(
    api: &ApiServer,
    pod: &Pod,
    c: &Container,
    r: &ResourceFieldSelector,
) -> Result<String, String> {
    let target = match r.container_name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => pod
            .spec
            .iter()
            .flat_map(|s| {
                s.containers
                    .iter()
                    .chain(s.init_containers.iter().flatten())
            })
            .find(|x| x.name == name)
            .ok_or_else(|| format!("container {name} not found"))?,
        None => c,
    };
    let resource = r.resource.split_once('.').map_or("", |(_, res)| res);
    container_resource_value(target, r, allocatable(api, pod, resource))
}

/// `ExtractContainerResourceValue`: container `c`'s limit or request named by `r`, divided
/// by its divisor and rounded up (cpu in millicores); a missing limit is `node_allocatable`
/// (0 without one), a missing request 0.
pub fn container_resource_value(
    c: &Container,
    r: &ResourceFieldSelector,
    node_allocatable: Option<f64>,
) -> Result<String, String> {
    let unsupported = || format!("unsupported container resource : {}", r.resource);
    let (kind, resource) = r.resource.split_once('.').ok_or_else(unsupported)?;
    let known = matches!(resource, "cpu" | "memory" | "ephemeral-storage")
        || resource.starts_with("hugepages-");
    if !known || !matches!(kind, "limits" | "requests") {
        return Err(unsupported());
    }
    let res = c.resources.as_ref();
    // A limit without a request has made one already (the apiserver's pod defaulting).
    let set = if kind == "limits" {
        res.and_then(|x| x.limits.as_ref())
    } else {
        res.and_then(|x| x.requests.as_ref())
    };
    let amount = set
        .and_then(|m| m.get(resource))
        .and_then(|q| crate::api::quantity::parse(&q.0));
    let amount = match amount {
        Some(a) => a,
        None if kind == "limits" => node_allocatable.unwrap_or(0.0),
        None => 0.0,
    };
    let divisor = r
        .divisor
        .as_ref()
        .and_then(|q| crate::api::quantity::parse(&q.0))
        .filter(|d| *d > 0.0)
        .unwrap_or(1.0);
    let value = if resource == "cpu" {
        // Both in millicores, each rounded up as `MilliValue` does.
        (amount * 1000.0).ceil() / (divisor * 1000.0).ceil()
    } else {
        amount.ceil() / divisor.ceil()
    };
    // A bound far beyond any quantity a node has; Go's conversion saturates likewise.
    Ok(format!("{}", value.ceil().clamp(-9.2e18, 9.2e18) as i64))
}

/// The pod's node's allocatable `resource`, in base units.
fn allocatable(api: &ApiServer, pod: &Pod, resource: &str) -> Option<f64> {
    let node = pod.spec.as_ref()?.node_name.as_deref()?;
    let q = api
        .get_as::<Node>("", node)?
        .status
        .as_ref()?
        .allocatable
        .as_ref()?
        .get(resource)?;
    crate::api::quantity::parse(&q.0)
}

/// [`expand`] with the kubelet's mapping (`MappingFuncFor`): the container's variables, then
/// the service variables.
pub fn expand_with(input: &str, env: &BTreeMap<String, String>) -> Result<String, TooLong> {
    expand(input, &|name| {
        env.get(name).cloned().or_else(|| {
            SERVICE_ENV
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    })
}

/// `expansion.Expand`: `$(NAME)` becomes the variable's value when `lookup` knows it and
/// stays as written otherwise; `$$` is a literal `$`; any other `$` is kept. A value that
/// would grow the result past [`MAX_EXPANDED`] (or `input`'s own length) is refused.
pub fn expand(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, TooLong> {
    let mut out = String::with_capacity(input.len().min(MAX_EXPANDED));
    let mut rest = input;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if after.is_empty() {
            out.push('$');
            rest = after;
            break;
        }
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('(') {
            match body.find(')') {
                Some(end) => {
                    let name = &body[..end];
                    match lookup(name) {
                        Some(v) => {
                            if out.len() + v.len() > MAX_EXPANDED.max(input.len()) {
                                return Err(TooLong);
                            }
                            out.push_str(&v)
                        }
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &body[end + 1..];
                }
                None => {
                    out.push_str("$(");
                    rest = body;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "A" => Some("one".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn resource_values_round_up_by_divisor() {
        let c: Container = serde_json::from_value(serde_json::json!({
            "name": "app",
            "resources": {"requests": {"cpu": "250m", "memory": "64Mi"},
                          "limits": {"memory": "100M"}}
        }))
        .unwrap();
        let field = |resource: &str, divisor: Option<&str>| ResourceFieldSelector {
            resource: resource.into(),
            divisor: divisor
                .map(|d| k8s_openapi::apimachinery::pkg::api::resource::Quantity(d.into())),
            container_name: None,
        };
        let v = |r, d, node| container_resource_value(&c, &field(r, d), node).unwrap();
        assert_eq!(v("requests.cpu", None, None), "1");
        assert_eq!(v("requests.cpu", Some("1m"), None), "250");
        assert_eq!(v("requests.memory", Some("1Mi"), None), "64");
        assert_eq!(v("limits.memory", Some("1Mi"), None), "96");
        assert_eq!(v("limits.cpu", None, Some(2.0)), "2");
        assert_eq!(v("limits.cpu", None, None), "0");
        assert_eq!(v("requests.ephemeral-storage", None, None), "0");
        assert!(container_resource_value(&c, &field("limits.gpu", None), None).is_err());
    }

    #[test]
    fn expands_as_upstream() {
        for (input, want) in [
            ("$(A)-x", "one-x"),
            ("$(B)", "$(B)"),
            ("$$(A)", "$(A)"),
            ("$$$(A)", "$one"),
            ("a$", "a$"),
            ("$(A", "$(A"),
            ("$A", "$A"),
            ("$(EMPTY)!", "!"),
            ("$()", "$()"),
            ("x$(A)$(A)", "xoneone"),
            ("é$(A)ü", "éoneü"),
        ] {
            assert_eq!(expand(input, &vars), Ok(want.to_string()), "{input}");
        }
    }

    #[test]
    fn doubling_variables_stop_at_the_bound() {
        let mut env = BTreeMap::new();
        env.insert("V0".to_string(), "xx".to_string());
        let mut refused = None;
        for i in 1..=35 {
            let input = format!("$(V{})$(V{})", i - 1, i - 1);
            match expand_with(&input, &env) {
                Ok(v) => {
                    env.insert(format!("V{i}"), v);
                }
                Err(TooLong) => {
                    refused = Some(i);
                    break;
                }
            }
        }
        // 2 bytes doubled 16 times is 131072: the 17th doubling is refused.
        assert_eq!(refused, Some(17));
        assert_eq!(env["V16"].len(), MAX_EXPANDED);
    }
}
