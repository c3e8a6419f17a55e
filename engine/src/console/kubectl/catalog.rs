//! The add-on catalog: the upstream manifests a course installs with `kubectl apply -f
//! https://…`, bundled (pinned versions; their exact contents, or for local-path-provisioner
//! an equivalent written for Kubeplay; `engine/addons/README.md`) so that they apply offline. Any other URL fails as kubectl fails on a machine without a
//! network.

/// (URL, contents) of every bundled manifest.
const CATALOG: &[(&str, &str)] = &[
    (
        "https://raw.githubusercontent.com/metallb/metallb/v0.15.2/config/manifests/metallb-native.yaml",
        include_str!("../../../addons/metallb-v0.15.2-native.yaml"),
    ),
    (
        "https://raw.githubusercontent.com/metallb/metallb/v0.8.3/manifests/metallb.yaml",
        include_str!("../../../addons/metallb-v0.8.3.yaml"),
    ),
    (
        "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/baremetal/deploy.yaml",
        include_str!("../../../addons/ingress-nginx-v1.15.1-baremetal.yaml"),
    ),
    (
        "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/cloud/deploy.yaml",
        include_str!("../../../addons/ingress-nginx-v1.15.1-cloud.yaml"),
    ),
    (
        "https://raw.githubusercontent.com/rancher/local-path-provisioner/v0.0.32/deploy/local-path-storage.yaml",
        include_str!("../../../addons/local-path-storage-v0.0.32.yaml"),
    ),
];

/// Whether a `-f` argument is a URL (kubectl reads `http://` and `https://` sources).
pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// The manifest at `url`, or kubectl's error on a machine that cannot reach it, followed
/// by the URLs the catalog holds.
pub fn fetch(url: &str) -> Result<&'static str, String> {
    if let Some((_, text)) = CATALOG.iter().find(|(u, _)| *u == url) {
        return Ok(text);
    }
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = host.split(':').next().unwrap_or(host);
    let mut msg = format!(
        "Get \"{url}\": dial tcp: lookup {name} on 127.0.0.53:53: server misbehaving\n\
         (Kubeplay runs offline; `kubectl apply -f` reads only these URLs, from its bundled catalog:"
    );
    for (u, _) in CATALOG {
        msg.push_str("\n  ");
        msg.push_str(u);
    }
    msg.push(')');
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_bundled_urls_and_refuses_others() {
        for (url, text) in CATALOG {
            assert!(is_url(url));
            assert_eq!(fetch(url), Ok(*text));
            assert!(crate::api::manifest::parse(text).is_ok(), "{url} parses");
        }
        let err = fetch("https://example.com:8443/x.yaml").unwrap_err();
        assert!(err.starts_with(
            "Get \"https://example.com:8443/x.yaml\": dial tcp: lookup example.com on 127.0.0.53:53: server misbehaving"
        ));
        assert!(!is_url("./x.yaml"));
    }
}
