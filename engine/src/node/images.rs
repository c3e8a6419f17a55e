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
    /// CPU its main program uses while idle, in millicores (`node::usage`).
    pub idle_milli: u64,
    /// Its main program's working set while idle, in bytes.
    pub idle_bytes: u64,
}

const MI: u64 = 1 << 20;
const KI: u64 = 1 << 10;

static CATALOG: &[ImageInfo] = &[
    ImageInfo {
        repository: "docker.io/library/nginx",
        size_bytes: 72_225_394,
        pull_ms: 5_340,
        stop_ms: Some(600),
        private: false,
        idle_milli: 0,
        idle_bytes: 3 * MI + 600 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/httpd",
        size_bytes: 58_233_742,
        pull_ms: 4_120,
        stop_ms: Some(1_100),
        private: false,
        idle_milli: 1,
        idle_bytes: 9 * MI,
    },
    ImageInfo {
        repository: "docker.io/library/busybox",
        size_bytes: 2_155_550,
        pull_ms: 1_870,
        stop_ms: None,
        private: false,
        idle_milli: 0,
        idle_bytes: 420 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/alpine",
        size_bytes: 3_802_452,
        pull_ms: 1_950,
        stop_ms: None,
        private: false,
        idle_milli: 0,
        idle_bytes: 520 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/centos",
        size_bytes: 79_659_614,
        pull_ms: 7_480,
        stop_ms: None,
        private: false,
        idle_milli: 0,
        idle_bytes: MI + 700 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/debian",
        size_bytes: 49_283_061,
        pull_ms: 3_940,
        stop_ms: None,
        private: false,
        idle_milli: 0,
        idle_bytes: MI + 300 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/ubuntu",
        size_bytes: 29_723_147,
        pull_ms: 3_260,
        stop_ms: None,
        private: false,
        idle_milli: 0,
        idle_bytes: MI + 400 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/redis",
        size_bytes: 52_104_581,
        pull_ms: 4_870,
        stop_ms: Some(300),
        private: false,
        idle_milli: 2,
        idle_bytes: 3 * MI + 800 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/perl",
        size_bytes: 336_174_624,
        pull_ms: 24_870,
        stop_ms: Some(100),
        private: false,
        idle_milli: 0,
        idle_bytes: 2 * MI + 200 * KI,
    },
    ImageInfo {
        repository: "docker.io/library/mysql",
        size_bytes: 172_530_112,
        pull_ms: 12_640,
        stop_ms: Some(2_500),
        private: false,
        idle_milli: 5,
        idle_bytes: 382 * MI,
    },
    // The course's private repository (it runs the generic `/app/server` of unknown
    // images): pulling it needs a `docker-registry` Secret.
    ImageInfo {
        repository: "docker.io/kubeplay/private-app",
        size_bytes: 9_834_212,
        pull_ms: 2_310,
        stop_ms: Some(400),
        private: true,
        idle_milli: 0,
        idle_bytes: 6 * MI,
    },
    // Add-on images whose pulls a course shows (others pull as `OTHER_REPOSITORY`).
    ImageInfo {
        repository: "docker.io/rancher/local-path-provisioner",
        size_bytes: 19_862_354,
        pull_ms: 2_730,
        // It cancels its context on SIGTERM and returns.
        stop_ms: Some(100),
        private: false,
        idle_milli: 1,
        idle_bytes: 8 * MI + 400 * KI,
    },
    // Images outside the library whose idle use a learner sees in `kubectl top`: the
    // kube-system pods of a fresh kubeadm cluster, metrics-server, the course's and the docs'
    // samples and the stress images. They pull as `OTHER_REPOSITORY`.
    idle("registry.k8s.io/kube-apiserver", 48, 252 * MI),
    idle("registry.k8s.io/etcd", 21, 41 * MI),
    idle("registry.k8s.io/kube-controller-manager", 16, 47 * MI),
    idle("registry.k8s.io/kube-scheduler", 4, 21 * MI),
    idle("registry.k8s.io/kube-proxy", 1, 15 * MI + 300 * KI),
    idle("registry.k8s.io/coredns/coredns", 2, 14 * MI + 800 * KI),
    idle("registry.k8s.io/metrics-server/metrics-server", 4, 21 * MI),
    idle("docker.io/flannel/flannel", 3, 18 * MI),
    idle("gcr.io/k8s-minikube/storage-provisioner", 1, 9 * MI),
    idle("docker.io/sysnet4admin/echo-hname", 0, MI + 800 * KI),
    idle("docker.io/sysnet4admin/echo-ip", 0, MI + 800 * KI),
    idle("registry.k8s.io/hpa-example", 1, 10 * MI + 500 * KI),
    idle("gcr.io/google-samples/hello-app", 0, 3 * MI + 200 * KI),
    idle("docker.io/kim0lil/80700", 0, 31 * MI),
    idle("docker.io/polinux/stress", 0, 5 * MI + 300 * KI),
    idle("docker.io/progrium/stress", 0, 5 * MI + 300 * KI),
    idle("docker.io/vish/stress", 0, 2 * MI + 600 * KI),
    // Other Docker Hub repositories the course notes and the docs' examples use: Docker Hub
    // repositories exist only when listed here (see `lookup`).
    public("docker.io/wardviaene/k8s-demo"),
    public("docker.io/ciw0707/testnginx"),
    public("docker.io/beomtaek78/edustack"),
    public("docker.io/metallb/speaker"),
    public("docker.io/metallb/controller"),
    public("docker.io/hashicorp/http-echo"),
    public("docker.io/curlimages/curl"),
    public("docker.io/corelab/gb-frontend"),
    public("docker.io/prom/node-exporter"),
    public("docker.io/kubernetesui/dashboard"),
    public("docker.io/bitnami/nginx"),
    public("docker.io/bitnami/redis"),
    public("docker.io/bitnami/mysql"),
    // Official library images the notes and docs name (the library's tag rule applies).
    public("docker.io/library/wordpress"),
    public("docker.io/library/python"),
    public("docker.io/library/bash"),
    public("docker.io/library/rabbitmq"),
    public("docker.io/library/mongo"),
    public("docker.io/library/fedora"),
    public("docker.io/library/postgres"),
    public("docker.io/library/mariadb"),
    public("docker.io/library/node"),
    public("docker.io/library/php"),
    public("docker.io/library/golang"),
    public("docker.io/library/memcached"),
    public("docker.io/library/tomcat"),
    public("docker.io/library/traefik"),
    public("docker.io/library/haproxy"),
    public("docker.io/library/caddy"),
    public("docker.io/library/rockylinux"),
    public("docker.io/library/amazonlinux"),
    public("docker.io/library/eclipse-temurin"),
];

/// A public repository that pulls with [`OTHER_REPOSITORY`]'s figures.
const fn public(repository: &'static str) -> ImageInfo {
    ImageInfo {
        repository,
        ..OTHER
    }
}

/// An entry that pulls as `OTHER_REPOSITORY`, with its own idle use.
const fn idle(repository: &'static str, idle_milli: u64, idle_bytes: u64) -> ImageInfo {
    ImageInfo {
        repository,
        idle_milli,
        idle_bytes,
        ..OTHER
    }
}

/// What the registry serves for an image of a registry other than Docker Hub
/// (`registry.k8s.io/...`, `quay.io/...`, a private `registry.example.com:5000/app`):
/// Kubeplay cannot know those repositories, so any of them pulls.
static OTHER_REPOSITORY: ImageInfo = OTHER;

/// [`OTHER_REPOSITORY`]'s figures, which the entries below keep for what a course pulls.
const OTHER: ImageInfo = ImageInfo {
    repository: "",
    size_bytes: 48_318_382,
    pull_ms: 4_400,
    stop_ms: Some(500),
    private: false,
    idle_milli: 1,
    idle_bytes: 10 * MI,
};

/// The image ID containerd gives the image `full` names (its config's digest,
/// `sha256:` and 64 hex digits), derived from the reference so that every node agrees.
pub fn config_id(full: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("image config:{full}"));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The idle CPU (millicores) and working set (bytes) of `image`'s main program, from its
/// catalog entry (`OTHER_REPOSITORY`'s for images the catalog does not name).
pub fn idle_use(image: &str) -> (u64, u64) {
    let info = ImageRef::parse_with(image, |r| r.and_then(lookup)).unwrap_or(&OTHER_REPOSITORY);
    (info.idle_milli, info.idle_bytes)
}

/// The catalog entry for a reference whose repository and tag exist, if any. The rule:
/// Docker Hub repositories exist only in the catalog, so a typo such as `ngnix` or a made-up
/// `nosuchthing/abc` fails to pull like on a real cluster; official library images also need
/// a plausible tag (`latest`, `stable`, `alpine`, or a version); the catalog's private
/// repositories exist (pulling them needs credentials); repositories of other registries
/// always pull, with any tag.
pub fn lookup(r: &ImageRef) -> Option<&'static ImageInfo> {
    if let Some(private) = CATALOG
        .iter()
        .find(|i| i.private && i.repository == r.repository)
    {
        return Some(private);
    }
    if !r.repository.starts_with("docker.io/") {
        let known = CATALOG.iter().find(|i| i.repository == r.repository);
        return Some(known.unwrap_or(&OTHER_REPOSITORY));
    }
    if !r.repository.starts_with("docker.io/library/") {
        return CATALOG.iter().find(|i| i.repository == r.repository);
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
        assert!(lookup(&ImageRef::parse("nosuchthing/abc").unwrap()).is_none());
        assert!(lookup(&ImageRef::parse("wordpress:nope").unwrap()).is_none());
        assert!(lookup(&ImageRef::parse("wordpress:6.8").unwrap()).is_some());
        assert!(lookup(&ImageRef::parse("quay.io/someone/app:v1").unwrap()).is_some());
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
