//! `kubectl apply -f https://…`: the add-on catalog (`network::internet`, the manifests
//! bundled in `engine/addons/`) answers; any other URL fails as kubectl fails on a machine
//! without a network.

use crate::network::internet;

/// What `apply -f` of a catalog URL says before the page has the catalog's texts.
const LOADING: &str = "Kubeplay's add-on catalog is still loading; try again in a moment";

/// Whether a `-f` argument is a URL (kubectl reads `http://` and `https://` sources).
pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// The manifest at `url`, or kubectl's error on a machine that cannot reach it, followed
/// by the URLs the catalog holds (or, on a page whose add-on texts have not arrived, a
/// note to try again).
pub fn fetch(url: &str) -> Result<&'static str, String> {
    if let Some(text) = internet::lookup(url) {
        return Ok(text);
    }
    if internet::loading(url) {
        return Err(LOADING.to_string());
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
    for u in internet::urls() {
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
        for url in internet::urls() {
            assert!(is_url(url));
            assert_eq!(fetch(url).ok(), internet::lookup(url));
        }
        let err = fetch("https://example.com:8443/x.yaml").unwrap_err();
        assert!(err.starts_with(
            "Get \"https://example.com:8443/x.yaml\": dial tcp: lookup example.com on 127.0.0.53:53: server misbehaving"
        ));
        assert!(!is_url("./x.yaml"));
    }
}
