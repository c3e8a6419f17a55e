//! The only part of "the internet" Kubeplay reaches: the add-on catalog, the upstream
//! manifests a course installs (`kubectl apply -f https://…`, `wget`/`curl` on the
//! learner's machine), bundled with pinned versions (`engine/addons/README.md`, texts from
//! [`crate::bundle`]) so that they load offline. Every other outside address stays
//! unreachable.

/// (URL, file under `engine/addons/`) of every bundled manifest.
const CATALOG: &[(&str, &str)] = &[
    (
        "https://raw.githubusercontent.com/metallb/metallb/v0.15.2/config/manifests/metallb-native.yaml",
        "metallb-v0.15.2-native.yaml",
    ),
    (
        "https://raw.githubusercontent.com/metallb/metallb/v0.8.3/manifests/metallb.yaml",
        "metallb-v0.8.3.yaml",
    ),
    (
        "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/baremetal/deploy.yaml",
        "ingress-nginx-v1.15.1-baremetal.yaml",
    ),
    (
        "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/cloud/deploy.yaml",
        "ingress-nginx-v1.15.1-cloud.yaml",
    ),
    (
        "https://raw.githubusercontent.com/rancher/local-path-provisioner/v0.0.32/deploy/local-path-storage.yaml",
        "local-path-storage-v0.0.32.yaml",
    ),
    (
        METRICS_SERVER_LATEST,
        "metrics-server-v0.8.0-components.yaml",
    ),
    (
        "https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.0/components.yaml",
        "metrics-server-v0.8.0-components.yaml",
    ),
    // The Kubernetes documentation's HorizontalPodAutoscaler walkthrough.
    (
        "https://k8s.io/examples/application/php-apache.yaml",
        "k8s-examples-php-apache.yaml",
    ),
    (
        "https://k8s.io/examples/application/hpa/php-apache.yaml",
        "k8s-examples-hpa-php-apache.yaml",
    ),
];

/// metrics-server's "latest release" download (v0.8.0 here).
const METRICS_SERVER_LATEST: &str =
    "https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml";

/// The bundled document at `url` (none on the page until the bundle is installed).
pub fn lookup(url: &str) -> Option<&'static str> {
    CATALOG
        .iter()
        .find(|(u, _)| *u == url)
        .and_then(|(_, file)| crate::bundle::addon(file))
}

/// Whether `url` is in the catalog but its document has not arrived yet (the page loads
/// `bundle.json` before its first command, so only a page whose bundle failed to load).
pub fn loading(url: &str) -> bool {
    !crate::bundle::loaded() && CATALOG.iter().any(|(u, _)| *u == url)
}

/// Every URL the catalog serves, in its order.
pub fn urls() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|(u, _)| *u)
}

/// The HTTP redirects a download of `url` follows before the document (GitHub's release
/// downloads: `latest` → the tag, then the tag → its asset on
/// `release-assets.githubusercontent.com`), as (status, Location) hops; empty for a direct
/// file.
pub fn redirects(url: &str) -> Vec<(u16, String)> {
    let Some(rest) = url.strip_prefix("https://github.com/") else {
        return Vec::new();
    };
    let mut hops = Vec::new();
    let mut tagged = url.to_string();
    if url == METRICS_SERVER_LATEST {
        tagged = url.replace("/latest/download/", "/download/v0.8.0/");
        hops.push((302, tagged.clone()));
    }
    let repo = rest.split('/').take(2).collect::<Vec<_>>().join("/");
    if tagged.contains("/releases/download/") {
        // Kubeplay's own stand-in for the signed asset URL GitHub answers with.
        let id = repo
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        let asset = format!(
            "https://release-assets.githubusercontent.com/github-production-release-asset/{}/{:08x}-components.yaml?sp=r&sv=2018-11-09&sr=b&spr=https&rscd=attachment%3B+filename%3Dcomponents.yaml&rsct=application%2Foctet-stream",
            92132038u32,
            id
        );
        hops.push((302, asset));
    }
    hops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_documents_parse() {
        for url in urls() {
            let text = lookup(url).unwrap_or_default();
            assert!(!text.is_empty(), "{url} is shipped");
            assert!(crate::api::manifest::parse(text).is_ok(), "{url} parses");
            assert!(!loading(url));
        }
        assert!(lookup("https://example.com/x.yaml").is_none());
    }

    #[test]
    fn github_release_downloads_redirect_to_the_asset() {
        let hops = redirects(METRICS_SERVER_LATEST);
        assert_eq!(hops.len(), 2);
        assert!(hops[0]
            .1
            .ends_with("/releases/download/v0.8.0/components.yaml"));
        assert!(hops[1]
            .1
            .starts_with("https://release-assets.githubusercontent.com/"));
        assert!(redirects("https://raw.githubusercontent.com/a/b").is_empty());
    }
}
