//! A projected volume's files, source by source, as the kubelet's volume plugins collect
//! them (`MakePayload` of pkg/volume/{configmap,secret}, `CollectData` of downwardapi and
//! projected): every key of a ConfigMap (data and binaryData) or Secret (decoded), or the
//! `items` chosen, with `defaultMode` or the item's `mode`; a missing object or key is the
//! plugin's error unless the source is `optional`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, DownwardAPIVolumeFile, KeyToPath, Node, Pod, Secret, ServiceAccount,
    ServiceAccountTokenProjection, Volume,
};

use super::atomic::{FileProjection, Payload};
use super::downward;
use crate::world::World;

/// `defaultMode` when the spec leaves it unset (the API's default, 0644).
pub const DEFAULT_MODE: u32 = 0o644;

/// Where a source's data comes from, for the errors and for watching it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A ConfigMap, by name.
    ConfigMap(String),
    /// A Secret, by name.
    Secret(String),
}

/// The ConfigMaps and Secrets a projection volume reads, in spec order.
pub fn sources(v: &Volume) -> Vec<Source> {
    let mut out = Vec::new();
    if let Some(c) = &v.config_map {
        out.push(Source::ConfigMap(c.name.clone()));
    }
    if let Some(s) = &v.secret {
        out.push(Source::Secret(s.secret_name.clone().unwrap_or_default()));
    }
    for p in v.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
        if let Some(c) = &p.config_map {
            out.push(Source::ConfigMap(c.name.clone()));
        }
        if let Some(s) = &p.secret {
            out.push(Source::Secret(s.name.clone()));
        }
    }
    out
}

/// Whether some file of the volume shows the pod's labels or annotations.
pub fn follows_pod_metadata(v: &Volume) -> bool {
    let items = v
        .downward_api
        .iter()
        .flat_map(|d| d.items.iter().flatten())
        .chain(v.projected.iter().flat_map(|p| {
            p.sources
                .iter()
                .flatten()
                .flat_map(|s| s.downward_api.iter().flat_map(|d| d.items.iter().flatten()))
        }));
    items
        .filter_map(|i| i.field_ref.as_ref())
        .any(downward::follows_metadata)
}

fn mode(m: Option<i32>) -> u32 {
    m.map_or(DEFAULT_MODE, |m| (m as u32) & 0o7777)
}

/// The files of a configMap, secret, downwardAPI or projected volume of `pod`; `Err` is the
/// plugin's error text (several, as Go's aggregate: `[a, b]`).
pub fn collect(world: &mut World, pod: &Pod, v: &Volume) -> Result<Payload, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    if let Some(c) = &v.config_map {
        let optional = c.optional == Some(true);
        return config_map(
            world,
            ns,
            &c.name,
            c.items.as_deref(),
            mode(c.default_mode),
            optional,
        );
    }
    if let Some(s) = &v.secret {
        let optional = s.optional == Some(true);
        let name = s.secret_name.as_deref().unwrap_or_default();
        return secret(
            world,
            ns,
            name,
            s.items.as_deref(),
            mode(s.default_mode),
            optional,
        );
    }
    if let Some(d) = &v.downward_api {
        return downward_api(world, pod, d.items.as_deref(), mode(d.default_mode));
    }
    let Some(p) = &v.projected else {
        return Ok(Payload::new());
    };
    let default = mode(p.default_mode);
    let mut payload = Payload::new();
    let mut errors = Vec::new();
    for src in p.sources.iter().flatten() {
        let part = if let Some(s) = &src.secret {
            let optional = s.optional == Some(true);
            secret(world, ns, &s.name, s.items.as_deref(), default, optional)
        } else if let Some(c) = &src.config_map {
            let optional = c.optional == Some(true);
            config_map(world, ns, &c.name, c.items.as_deref(), default, optional)
        } else if let Some(d) = &src.downward_api {
            downward_api(world, pod, d.items.as_deref(), default)
        } else if let Some(t) = &src.service_account_token {
            Ok(token(world, pod, t, default))
        } else {
            Ok(Payload::new())
        };
        match part {
            Ok(files) => payload.extend(files),
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(payload),
        1 => Err(errors.remove(0)),
        _ => Err(format!("[{}]", errors.join(", "))),
    }
}

/// Files from `(key, bytes)` pairs: every key, or the `items` asked for.
fn from_data(
    data: &BTreeMap<String, String>,
    items: Option<&[KeyToPath]>,
    default: u32,
    optional: bool,
    missing: impl Fn(&str) -> String,
) -> Result<Payload, String> {
    let mut payload = Payload::new();
    match items.filter(|i| !i.is_empty()) {
        None => {
            for (k, d) in data {
                payload.insert(
                    k.clone(),
                    FileProjection {
                        data: d.clone(),
                        mode: default,
                    },
                );
            }
        }
        Some(items) => {
            for item in items {
                let Some(d) = data.get(&item.key) else {
                    if optional {
                        continue;
                    }
                    return Err(missing(&item.key));
                };
                let mode = item.mode.map_or(default, |m| (m as u32) & 0o7777);
                payload.insert(
                    item.path.clone(),
                    FileProjection {
                        data: d.clone(),
                        mode,
                    },
                );
            }
        }
    }
    Ok(payload)
}

fn config_map(
    world: &World,
    ns: &str,
    name: &str,
    items: Option<&[KeyToPath]>,
    default: u32,
    optional: bool,
) -> Result<Payload, String> {
    let mut data = BTreeMap::new();
    match world.api.get_as::<ConfigMap>(ns, name) {
        Some(cm) => {
            for (k, v) in cm.data.iter().flatten() {
                data.insert(k.clone(), v.clone());
            }
            for (k, v) in cm.binary_data.iter().flatten() {
                data.insert(k.clone(), String::from_utf8_lossy(&v.0).into_owned());
            }
        }
        None if optional => {}
        None => return Err(format!("configmap \"{name}\" not found")),
    }
    from_data(&data, items, default, optional, |k| {
        format!("configmap references non-existent config key: {k}")
    })
}

fn secret(
    world: &World,
    ns: &str,
    name: &str,
    items: Option<&[KeyToPath]>,
    default: u32,
    optional: bool,
) -> Result<Payload, String> {
    let mut data = BTreeMap::new();
    match world.api.get_as::<Secret>(ns, name) {
        Some(s) => {
            for (k, v) in s.data.iter().flatten() {
                data.insert(k.clone(), String::from_utf8_lossy(&v.0).into_owned());
            }
        }
        None if optional => {}
        None => return Err(format!("secret \"{name}\" not found")),
    }
    from_data(&data, items, default, optional, |k| {
        format!("references non-existent secret key: {k}")
    })
}

fn downward_api(
    world: &World,
    pod: &Pod,
    items: Option<&[DownwardAPIVolumeFile]>,
    default: u32,
) -> Result<Payload, String> {
    let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
    let allocatable = node
        .and_then(|n| world.api.get_as::<Node>("", n))
        .and_then(|n| n.status.as_ref())
        .and_then(|s| s.allocatable.as_ref());
    let mut payload = Payload::new();
    let mut errors = Vec::new();
    for item in items.into_iter().flatten() {
        let data = if let Some(f) = &item.field_ref {
            downward::field(pod, f)
        } else if let Some(r) = &item.resource_field_ref {
            downward::resource(pod, r, allocatable)
        } else {
            Ok(String::new())
        };
        match data {
            Ok(data) => {
                payload.insert(
                    item.path.clone(),
                    FileProjection {
                        data,
                        mode: item.mode.map_or(default, |m| (m as u32) & 0o7777),
                    },
                );
            }
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(payload),
        1 => Err(errors.remove(0)),
        _ => Err(format!("[{}]", errors.join(", "))),
    }
}

/// The service account token the kubelet requests for the pod (a TokenRequest's JWT: an
/// RS256 header, the bound claims, a signature of random bytes).
fn token(world: &mut World, pod: &Pod, t: &ServiceAccountTokenProjection, mode: u32) -> Payload {
    let meta = &pod.metadata;
    let ns = meta.namespace.clone().unwrap_or_default();
    let sa = pod
        .spec
        .as_ref()
        .and_then(|s| s.service_account_name.clone())
        .unwrap_or_else(|| "default".into());
    let node = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .unwrap_or_default();
    let uid_of = |kind_uid: Option<&String>| kind_uid.cloned().unwrap_or_default();
    let sa_uid = uid_of(
        world
            .api
            .get_as::<ServiceAccount>(&ns, &sa)
            .and_then(|s| s.metadata.uid.as_ref()),
    );
    let node_uid = uid_of(
        world
            .api
            .get_as::<Node>("", &node)
            .and_then(|n| n.metadata.uid.as_ref()),
    );
    let iat = world.clock.now_ms() / 1000;
    let requested = t.expiration_seconds.unwrap_or(3600);
    let aud = t
        .audience
        .clone()
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "https://kubernetes.default.svc.cluster.local".into());
    let mut rng = world.side_rng(&format!("token/{}", uid_of(meta.uid.as_ref())));
    let jti = format!(
        "{}-{}-{}-{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(4),
        rng.hex(4),
        rng.hex(12)
    );
    let claims = serde_json::json!({
        "aud": [aud],
        "exp": iat + 31_536_000,
        "iat": iat,
        "iss": "https://kubernetes.default.svc.cluster.local",
        "jti": jti,
        "kubernetes.io": {
            "namespace": ns,
            "node": {"name": node, "uid": node_uid},
            "pod": {"name": meta.name.clone().unwrap_or_default(), "uid": uid_of(meta.uid.as_ref())},
            "serviceaccount": {"name": sa, "uid": sa_uid},
            "warnafter": iat + requested,
        },
        "nbf": iat,
        "sub": format!("system:serviceaccount:{ns}:{sa}"),
    });
    let signature: Vec<u8> = (0..32).flat_map(|_| rng.next_u64().to_be_bytes()).collect();
    let jwt = format!(
        "{}.{}.{}",
        base64url(br#"{"alg":"RS256","kid":"kubeplay-service-account-signing-key-0001"}"#),
        base64url(claims.to_string().as_bytes()),
        base64url(&signature)
    );
    let mut payload = Payload::new();
    payload.insert(t.path.clone(), FileProjection { data: jwt, mode });
    payload
}

/// Unpadded base64url, as JWTs use.
fn base64url(bytes: &[u8]) -> String {
    crate::api::base64::encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}
