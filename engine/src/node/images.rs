//! The image catalog: what the simulated registry serves, how big it is, and how each
//! image's main process behaves.

pub use crate::api::image_ref::ImageRef;

/// One image repository the simulated registry knows.
#[derive(Debug)]
pub struct ImageInfo {
    /// Fully qualified repository, e.g. `docker.io/library/nginx`.
    pub repository: &'static str,
    /// Compressed size, as the Pulled event reports it.
    pub size_bytes: u64,
    /// How long a first pull takes on a node, in ms.
    pub pull_ms: i64,
    /// How long the main process takes to stop after SIGTERM, in ms; `None` = it ignores
    /// SIGTERM and is killed when the grace period ends.
    pub stop_ms: Option<i64>,
    /// A private repository: it pulls only with credentials for its registry (an
    /// `imagePullSecrets` entry, see `node::pull_secrets`); any tag exists.
    pub private: bool,
}

static CATALOG: &[ImageInfo] = &[
    ImageInfo {
        repository: "docker.io/library/nginx",
        size_bytes: 72_225_394,
        pull_ms: 5_340,
        stop_ms: Some(600),
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/httpd",
        size_bytes: 58_233_742,
        pull_ms: 4_120,
        stop_ms: Some(1_100),
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/busybox",
        size_bytes: 2_155_550,
        pull_ms: 1_870,
        stop_ms: None,
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/alpine",
        size_bytes: 3_802_452,
        pull_ms: 1_950,
        stop_ms: None,
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/centos",
        size_bytes: 79_659_614,
        pull_ms: 7_480,
        stop_ms: None,
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/debian",
        size_bytes: 49_283_061,
        pull_ms: 3_940,
        stop_ms: None,
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/ubuntu",
        size_bytes: 29_723_147,
        pull_ms: 3_260,
        stop_ms: None,
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/redis",
        size_bytes: 52_104_581,
        pull_ms: 4_870,
        stop_ms: Some(300),
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/perl",
        size_bytes: 336_174_624,
        pull_ms: 24_870,
        stop_ms: Some(100),
        private: false,
    },
    ImageInfo {
        repository: "docker.io/library/mysql",
        size_bytes: 172_530_112,
        pull_ms: 12_640,
        stop_ms: Some(2_500),
        private: false,
    },
    // The course's private repository (it runs the generic `/app/server` of unknown
    // images): pulling it needs a `docker-registry` Secret.
    ImageInfo {
        repository: "docker.io/kubeplay/private-app",
        size_bytes: 9_834_212,
        pull_ms: 2_310,
        stop_ms: Some(400),
        private: true,
    },
    // Add-on images whose pulls a course shows (others pull as `OTHER_REPOSITORY`).
    ImageInfo {
        repository: "docker.io/rancher/local-path-provisioner",
        size_bytes: 19_862_354,
        pull_ms: 2_730,
        // It cancels its context on SIGTERM and returns.
        stop_ms: Some(100),
        private: false,
    },
];

/// What the registry serves for an image outside the official library (a learner's own
/// `user/app:v1`, `registry.k8s.io/...`): Kubeplay cannot know those repositories, so any of
/// them pulls, as the image a course published would.
static OTHER_REPOSITORY: ImageInfo = ImageInfo {
    repository: "",
    size_bytes: 48_318_382,
    pull_ms: 4_400,
    stop_ms: Some(500),
    private: false,
};

/// The catalog entry for a reference whose repository and tag exist, if any. Official
/// library images (`nginx`, `busybox`) must be in the catalog, so a typo such as `ngnix`
/// fails to pull like on a real cluster; the catalog's private repositories exist (pulling
/// them needs credentials); images of other owners and registries always pull.
pub fn lookup(r: &ImageRef) -> Option<&'static ImageInfo> {
    if let Some(private) = CATALOG
        .iter()
        .find(|i| i.private && i.repository == r.repository)
    {
        return Some(private);
    }
    if !r.repository.starts_with("docker.io/library/") {
        let known = CATALOG.iter().find(|i| i.repository == r.repository);
        return Some(known.unwrap_or(&OTHER_REPOSITORY));
    }
    let tag_ok = matches!(r.tag.as_str(), "latest" | "stable" | "alpine" | "perl")
        || r.tag.starts_with(|c: char| c.is_ascii_digit())
            && r.tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
    CATALOG
        .iter()
        .find(|i| i.repository == r.repository)
        .filter(|_| tag_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            ImageRef::parse("nginx").unwrap().full(),
            "docker.io/library/nginx:latest"
        );
        assert_eq!(
            ImageRef::parse("nginx:1.27").unwrap().full(),
            "docker.io/library/nginx:1.27"
        );
        assert_eq!(
            ImageRef::parse("bitnami/nginx").unwrap().full(),
            "docker.io/bitnami/nginx:latest"
        );
        assert_eq!(
            ImageRef::parse("localhost:5000/app").unwrap().full(),
            "localhost:5000/app:latest"
        );
        assert!(ImageRef::parse("Nginx").is_none());
        assert!(ImageRef::parse("nginx:").is_none());
        assert!(lookup(&ImageRef::parse("nginx:1.16.1").unwrap()).is_some());
        assert!(lookup(&ImageRef::parse("nginx:nope").unwrap()).is_none());
        assert!(lookup(&ImageRef::parse("nginxx").unwrap()).is_none());
        assert!(lookup(&ImageRef::parse("kim0lil/80700:v-1.0.0").unwrap()).is_some());
        assert!(lookup(&ImageRef::parse("registry.k8s.io/pause:3.10").unwrap()).is_some());
        assert!(
            lookup(&ImageRef::parse("kubeplay/private-app:v2").unwrap()).is_some_and(|i| i.private)
        );
        assert!(
            !lookup(&ImageRef::parse("kubeplay/public-app").unwrap()).is_some_and(|i| i.private)
        );
        let local_path = ImageRef::parse("rancher/local-path-provisioner:v0.0.32").unwrap();
        assert_eq!(
            lookup(&local_path).map(|i| i.repository),
            Some("docker.io/rancher/local-path-provisioner")
        );
    }
}
