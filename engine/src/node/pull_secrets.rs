//! The kubelet's image pull credentials (`getPullSecretsForPod` and
//! `pkg/credentialprovider`'s keyring): the pod's `imagePullSecrets` that exist and those
//! that do not, and whether any of them holds credentials for an image's registry.
//!
//! The simulated registries accept any credentials with a non-empty username and password
//! for the private repositories of the image catalog (`images::ImageInfo::private`).

use k8s_openapi::api::core::v1::{Pod, Secret};

use crate::api::image_ref::ImageRef;
use crate::apiserver::ApiServer;

/// The pod's pull secrets as the kubelet finds them.
#[derive(Debug, Default)]
pub struct PullSecrets {
    /// The Secrets that exist, in the pod's order.
    pub found: Vec<Secret>,
    /// The names of those that do not (the `FailedToRetrieveImagePullSecret` event's list).
    pub missing: Vec<String>,
}

/// `getPullSecretsForPod`: entries with an empty name are ignored.
pub fn for_pod(api: &ApiServer, pod: &Pod) -> PullSecrets {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let mut out = PullSecrets::default();
    let refs = pod
        .spec
        .iter()
        .flat_map(|s| s.image_pull_secrets.iter().flatten());
    for r in refs.filter(|r| !r.name.is_empty()) {
        match api.get_as::<Secret>(ns, &r.name) {
            Some(s) => out.found.push(s.clone()),
            None => out.missing.push(r.name.clone()),
        }
    }
    out
}

/// The message of the kubelet's `FailedToRetrieveImagePullSecret` warning.
pub fn missing_message(missing: &[String]) -> String {
    format!(
        "Unable to retrieve some image pull secrets ({}); attempting to pull the image may not succeed.",
        missing.join(", ")
    )
}

/// Whether one of `secrets` (of type `kubernetes.io/dockerconfigjson` or
/// `kubernetes.io/dockercfg`) has a username and password for `image`'s registry.
pub fn authorizes(secrets: &[Secret], image: &ImageRef) -> bool {
    let registry = registry_host(&image.repository);
    secrets.iter().any(|s| {
        entries(s)
            .iter()
            .any(|(key, entry)| registry_host(key) == registry && has_credentials(entry))
    })
}

/// The `auths` entries of a docker config Secret, as (registry key, entry).
fn entries(s: &Secret) -> Vec<(String, serde_json::Value)> {
    let (key, nested) = match s.type_.as_deref() {
        Some("kubernetes.io/dockerconfigjson") => (".dockerconfigjson", true),
        Some("kubernetes.io/dockercfg") => (".dockercfg", false),
        _ => return Vec::new(),
    };
    let Some(bytes) = s.data.as_ref().and_then(|d| d.get(key)) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes.0) else {
        return Vec::new();
    };
    let auths = if nested {
        json.get("auths")
    } else {
        Some(&json)
    };
    auths
        .and_then(|a| a.as_object())
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// A registry's host from a keyring key or an image repository (`https://index.docker.io/v1/`,
/// `docker.io/library/nginx`), Docker Hub's aliases folded into `docker.io`.
fn registry_host(key: &str) -> String {
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".into()
        }
        _ => host,
    }
}

/// A non-empty username and password, given as fields or as `auth` (base64 `user:password`).
fn has_credentials(entry: &serde_json::Value) -> bool {
    let field = |k: &str| entry.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    if !field("username").is_empty() && !field("password").is_empty() {
        return true;
    }
    crate::api::base64::decode(field("auth"))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(u, p)| !u.is_empty() && !p.is_empty())
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use k8s_openapi::ByteString;

    use super::*;

    fn secret(type_: &str, key: &str, json: &str) -> Secret {
        Secret {
            type_: Some(type_.into()),
            data: Some([(key.to_string(), ByteString(json.as_bytes().to_vec()))].into()),
            ..Default::default()
        }
    }

    #[test]
    fn docker_hub_keys_cover_docker_io_images() {
        let image = ImageRef::parse("kubeplay/private-app:v1").unwrap();
        let hub = secret(
            "kubernetes.io/dockerconfigjson",
            ".dockerconfigjson",
            r#"{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p","auth":"dTpw"}}}"#,
        );
        assert!(authorizes(&[hub], &image));
        let by_auth = secret(
            "kubernetes.io/dockerconfigjson",
            ".dockerconfigjson",
            r#"{"auths":{"docker.io":{"auth":"dTpw"}}}"#,
        );
        assert!(authorizes(&[by_auth], &image));
        let other = secret(
            "kubernetes.io/dockerconfigjson",
            ".dockerconfigjson",
            r#"{"auths":{"ghcr.io":{"username":"u","password":"p"}}}"#,
        );
        assert!(!authorizes(&[other], &image));
        let empty = secret(
            "kubernetes.io/dockerconfigjson",
            ".dockerconfigjson",
            r#"{"auths":{"https://index.docker.io/v1/":{"username":"u"}}}"#,
        );
        assert!(!authorizes(&[empty], &image));
        let opaque = secret(
            "Opaque",
            ".dockerconfigjson",
            r#"{"auths":{"docker.io":{"username":"u","password":"p"}}}"#,
        );
        assert!(!authorizes(&[opaque], &image));
        let legacy = secret(
            "kubernetes.io/dockercfg",
            ".dockercfg",
            r#"{"https://index.docker.io/v1/":{"auth":"dTpw"}}"#,
        );
        assert!(authorizes(&[legacy], &image));
    }
}
