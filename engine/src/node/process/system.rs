//! The kube-system images' programs (kubeadm 1.34): which image runs which component, its
//! ENTRYPOINT, what else is on its PATH (the control-plane images and CoreDNS are
//! distroless; etcd's image adds a static bash as `/bin/sh`, kube-proxy's distroless-iptables
//! adds dash and a few tools), `--version` answers, and the startup lines each writes, in its
//! own format (klog, etcd's JSON, CoreDNS's banner), on the simulated clock.

use super::{fmt_ms, Container, Line};

/// A component of the cluster that runs from a kube-system image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    Etcd,
    ApiServer,
    ControllerManager,
    Scheduler,
    Proxy,
    CoreDns,
    /// minikube's `storage-provisioner` (an image built from scratch: its binary alone).
    StorageProvisioner,
}

/// The etcd release in kubeadm 1.34's etcd image.
const ETCD_VERSION: &str = "3.6.4";
/// CoreDNS's version, Go release and commit as `coredns` prints them (v1.12.1's `.go-version`
/// and tag).
const COREDNS_BANNER: [&str; 2] = ["CoreDNS-1.12.1", "linux/amd64, go1.24.1, 707c7c1"];

/// The component an image runs, by its repository.
pub fn component(image: &str) -> Option<Component> {
    crate::node::images::ImageRef::repository_with(image, component_of)
}

/// The component a repository holds.
fn component_of(repository: &str) -> Option<Component> {
    Some(match repository {
        "registry.k8s.io/etcd" => Component::Etcd,
        "registry.k8s.io/kube-apiserver" => Component::ApiServer,
        "registry.k8s.io/kube-controller-manager" => Component::ControllerManager,
        "registry.k8s.io/kube-scheduler" => Component::Scheduler,
        "registry.k8s.io/kube-proxy" => Component::Proxy,
        "registry.k8s.io/coredns/coredns" => Component::CoreDns,
        "gcr.io/k8s-minikube/storage-provisioner" => Component::StorageProvisioner,
        _ => return None,
    })
}

impl Component {
    /// What listens on `port` for the control plane's components (their health and
    /// metrics endpoints, on the host's network: the kubelet's probes reach them), given
    /// the program's `argv`. DNS and kube-proxy's ports are the network's, not HTTP.
    pub fn health_port(self, argv: &[String], port: u16) -> Option<super::serve::Listener> {
        use super::serve::Listener;
        let flag = |name: &str, default: u16| {
            super::addon::flag(argv, name)
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or(default)
        };
        match self {
            Component::ApiServer => {
                (port == flag("--secure-port", 6443)).then_some(Listener::Https)
            }
            Component::ControllerManager => {
                (port == flag("--secure-port", 10257)).then_some(Listener::Https)
            }
            Component::Scheduler => {
                (port == flag("--secure-port", 10259)).then_some(Listener::Https)
            }
            Component::Etcd => match port {
                2379 => Some(Listener::Https),
                2381 => Some(Listener::Http),
                _ => None,
            },
            Component::Proxy | Component::CoreDns | Component::StorageProvisioner => None,
        }
    }

    /// The component's answer to a request for `path` from an anonymous client: its health
    /// checks (`/livez`, `/readyz`, `/healthz`, etcd's `/health`) pass; the API server
    /// forbids other paths, the others have no such page.
    pub fn health(self, path: &str) -> (u16, String) {
        let bare = path.split('?').next().unwrap_or(path);
        let check = ["/livez", "/readyz", "/healthz"]
            .iter()
            .any(|c| bare == *c || bare.starts_with(&format!("{c}/")));
        match self {
            _ if check => (200, "ok".into()),
            Component::Etcd if bare == "/health" => {
                (200, "{\"health\":\"true\",\"reason\":\"\"}".into())
            }
            Component::ApiServer => {
                let status = serde_json::json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": format!("forbidden: User \"system:anonymous\" cannot get path \"{bare}\""),
                    "reason": "Forbidden", "details": {}, "code": 403
                });
                (
                    403,
                    serde_json::to_string_pretty(&status).unwrap_or_default(),
                )
            }
            _ => (404, "404 page not found\n".into()),
        }
    }

    /// The component's own program.
    pub fn binary(self) -> &'static str {
        match self {
            Component::Etcd => "etcd",
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Proxy => "kube-proxy",
            Component::CoreDns => "coredns",
            Component::StorageProvisioner => "storage-provisioner",
        }
    }

    /// The image's ENTRYPOINT and CMD. CoreDNS's image sets `ENTRYPOINT ["/coredns"]`; the
    /// others leave both to the pod (kubeadm's manifests give `command`), so the component's
    /// binary stands in for a pod without one.
    pub fn defaults(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Component::CoreDns => (&["/coredns"], &[]),
            Component::Etcd => (&[], &["etcd"]),
            Component::ApiServer => (&[], &["kube-apiserver"]),
            Component::ControllerManager => (&[], &["kube-controller-manager"]),
            Component::Scheduler => (&[], &["kube-scheduler"]),
            Component::Proxy => (&[], &["kube-proxy"]),
            Component::StorageProvisioner => (&[], &["/storage-provisioner"]),
        }
    }

    /// Programs on the image's PATH besides the component's own.
    fn programs(self) -> &'static [&'static str] {
        match self {
            Component::Etcd => &["sh", "cp", "etcdctl", "etcdutl", "migrate"],
            Component::ApiServer | Component::ControllerManager | Component::Scheduler => {
                &["go-runner"]
            }
            Component::Proxy => &[
                "sh",
                "dash",
                "cat",
                "chmod",
                "grep",
                "ln",
                "rm",
                "sleep",
                "wc",
                "iptables",
                "ip6tables",
                "ipset",
                "nft",
                "modprobe",
            ],
            Component::CoreDns | Component::StorageProvisioner => &[],
        }
    }

    /// Its shell's error for a program the image lacks (etcd's `sh` is a static bash,
    /// kube-proxy's is dash); `None` when the image has it.
    pub fn missing(self, program: &str) -> Option<String> {
        if self.ships(program) || utility_only(program) {
            return None;
        }
        Some(match self {
            Component::Etcd => format!("sh: line 1: {program}: command not found"),
            _ => format!("sh: 1: {program}: not found"),
        })
    }

    /// Whether the image ships `program` (a path's last element counts).
    pub fn ships(self, program: &str) -> bool {
        let base = program.rsplit('/').next().unwrap_or(program);
        base == self.binary() || self.programs().contains(&base)
    }
}

/// Programs the shells of these images run as builtins although others ship them
/// (`sleep` is on kube-proxy's PATH; bash and dash both have `printf` and `echo`).
fn utility_only(program: &str) -> bool {
    matches!(program, "echo" | "printf")
}

/// What the component's programs print for a version query (`etcd --version`,
/// `kube-apiserver --version`, `coredns -version`, `etcdctl version`), or `None`.
pub fn utility(image: &str, argv: &[String]) -> Option<String> {
    let c = component(image)?;
    let (exe, args) = argv.split_first()?;
    let base = exe.rsplit('/').next().unwrap_or(exe);
    let first = args.first().map(String::as_str);
    let k8s = crate::KUBERNETES_VERSION;
    match (c, base, first) {
        (Component::Etcd, "etcdctl", Some("version")) => {
            Some(format!("etcdctl version: {ETCD_VERSION}\nAPI version: 3.6"))
        }
        (Component::CoreDns, "coredns", Some("-version" | "--version")) => {
            Some(COREDNS_BANNER.join("\n"))
        }
        (_, b, Some("--version")) if b == c.binary() => Some(format!("Kubernetes {k8s}")),
        _ => None,
    }
}

/// klog's header and message: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`, the thread
/// id right-aligned in seven columns.
fn klog(ms: i64, at: &str, msg: &str) -> String {
    format!("I{} {:>7} {at}] {msg}", fmt_ms(ms, "%m%d %H:%M:%S.%6f"), 1)
}

/// An etcd (zap, JSON) log line.
fn zap(ms: i64, caller: &str, msg: &str, fields: &str) -> String {
    let ts = fmt_ms(ms, "%Y-%m-%dT%H:%M:%S.%6fZ");
    let sep = if fields.is_empty() { "" } else { "," };
    format!("{{\"level\":\"info\",\"ts\":\"{ts}\",\"caller\":\"{caller}\",\"msg\":\"{msg}\"{sep}{fields}}}")
}

/// The lines the component writes as it starts, built from what its container knows: the
/// node's address (these pods use the host's network), the nodes, the clock.
pub fn startup(c: Component, proc: &Container) -> Vec<Line> {
    let t = proc.start_ms;
    let ip = proc.pod_ip.as_str();
    let k8s = crate::KUBERNETES_VERSION;
    let mut lines: Vec<(i64, String)> = Vec::new();
    let mut k = |off: i64, at: &str, msg: String| lines.push((off, klog(t + off, at, &msg)));
    match c {
        Component::ApiServer => {
            k(
                84,
                "options.go:263",
                format!("external host was not specified, using {ip}"),
            );
            k(91, "server.go:175", format!("Version: {k8s}"));
            k(
                91,
                "server.go:177",
                "\"Golang settings\" GOGC=\"\" GOMAXPROCS=\"\" GOTRACEBACK=\"\"".into(),
            );
            k(
                1_204,
                "dynamic_cafile_content.go:161",
                "\"Starting controller\" name=\"client-ca-bundle::/etc/kubernetes/pki/ca.crt\""
                    .into(),
            );
            k(
                1_530,
                "secure_serving.go:211",
                "Serving securely on [::]:6443".into(),
            );
            k(
                1_988,
                "cidrallocator.go:277",
                "updated ClusterIP allocator for Service CIDR 10.96.0.0/12".into(),
            );
            k(
                2_102,
                "alloc.go:329",
                "\"allocated clusterIPs\" service=\"default/kubernetes\" clusterIPs={\"IPv4\":\"10.96.0.1\"}".into(),
            );
            k(
                2_415,
                "controller.go:667",
                "quota admission added evaluator for: leases.coordination.k8s.io".into(),
            );
            k(
                9_870,
                "alloc.go:329",
                "\"allocated clusterIPs\" service=\"kube-system/kube-dns\" clusterIPs={\"IPv4\":\"10.96.0.10\"}".into(),
            );
            k(
                10_233,
                "controller.go:667",
                "quota admission added evaluator for: replicasets.apps".into(),
            );
        }
        Component::ControllerManager => {
            k(
                412,
                "serving.go:386",
                "Generated self-signed cert in-memory".into(),
            );
            k(
                803,
                "controllermanager.go:196",
                format!("\"Starting\" version=\"{k8s}\""),
            );
            k(
                812,
                "secure_serving.go:211",
                "Serving securely on 127.0.0.1:10257".into(),
            );
            k(
                815,
                "leaderelection.go:257",
                "attempting to acquire leader lease kube-system/kube-controller-manager...".into(),
            );
            k(
                4_020,
                "leaderelection.go:271",
                "successfully acquired lease kube-system/kube-controller-manager".into(),
            );
            for (i, ctl) in ["deployment", "replicaset", "daemon sets", "endpoint_slice"]
                .iter()
                .enumerate()
            {
                let off = 4_600 + 3 * i64::try_from(i).unwrap_or(0);
                k(
                    off,
                    "shared_informer.go:356",
                    format!("\"Caches are synced\" controller=\"{ctl}\""),
                );
            }
        }
        Component::Scheduler => {
            k(
                350,
                "serving.go:386",
                "Generated self-signed cert in-memory".into(),
            );
            k(
                702,
                "server.go:177",
                format!("\"Starting Kubernetes Scheduler\" version=\"{k8s}\""),
            );
            k(
                710,
                "secure_serving.go:211",
                "Serving securely on 127.0.0.1:10259".into(),
            );
            k(
                712,
                "leaderelection.go:257",
                "attempting to acquire leader lease kube-system/kube-scheduler...".into(),
            );
            k(
                3_015,
                "leaderelection.go:271",
                "successfully acquired lease kube-system/kube-scheduler".into(),
            );
        }
        Component::Proxy => {
            let node = proc.env.get("NODE_NAME").cloned().unwrap_or_default();
            k(40, "server_linux.go:53", "\"Using iptables proxy\"".into());
            k(
                62,
                "server.go:715",
                format!("\"Successfully retrieved node IP(s)\" IPs=[\"{ip}\"]"),
            );
            k(
                70,
                "server_linux.go:132",
                "\"Using iptables Proxier\"".into(),
            );
            k(
                74,
                "server.go:530",
                format!("\"Version info\" version=\"{k8s}\""),
            );
            k(
                80,
                "config.go:200",
                "\"Starting service config controller\"".into(),
            );
            k(
                81,
                "config.go:106",
                "\"Starting endpoint slice config controller\"".into(),
            );
            k(
                82,
                "config.go:329",
                format!("\"Starting node config controller\" node=\"{node}\""),
            );
            k(
                183,
                "shared_informer.go:356",
                "\"Caches are synced\" controller=\"service config\"".into(),
            );
            k(
                184,
                "shared_informer.go:356",
                "\"Caches are synced\" controller=\"endpoint slice config\"".into(),
            );
        }
        Component::Etcd => {
            let z = |off: i64, caller: &str, msg: &str, fields: String| {
                (off, zap(t + off, caller, msg, &fields))
            };
            lines.extend([
                z(
                    12,
                    "etcdmain/etcd.go:64",
                    "Running: ",
                    format!(
                        "\"args\":{}",
                        serde_json::to_string(&proc.argv).unwrap_or_default()
                    ),
                ),
                z(
                    14,
                    "embed/etcd.go:138",
                    "configuring peer listeners",
                    format!("\"listen-peer-urls\":[\"https://{ip}:2380\"]"),
                ),
                z(
                    15,
                    "embed/etcd.go:146",
                    "configuring client listeners",
                    format!("\"listen-client-urls\":[\"https://127.0.0.1:2379\",\"https://{ip}:2379\"]"),
                ),
                z(
                    17,
                    "embed/etcd.go:323",
                    "starting an etcd server",
                    format!("\"etcd-version\":\"{ETCD_VERSION}\",\"data-dir\":\"/var/lib/etcd\""),
                ),
                z(
                    412,
                    "etcdserver/server.go:1820",
                    "published local member to cluster through raft",
                    format!("\"local-member-attributes\":\"{{Name:{} ClientURLs:[https://{ip}:2379]}}\"", proc.pod.trim_start_matches("etcd-")),
                ),
                z(
                    415,
                    "embed/serve.go:210",
                    "serving client traffic securely",
                    "\"traffic\":\"grpc+http\",\"address\":\"127.0.0.1:2379\"".into(),
                ),
                z(
                    416,
                    "embed/serve.go:210",
                    "serving client traffic securely",
                    format!("\"traffic\":\"grpc+http\",\"address\":\"{ip}:2379\""),
                ),
            ]);
        }
        Component::StorageProvisioner => {
            // The provisioner library's identity: name, host, a UUID (here from the
            // container's id, so it stays the same for a container).
            let hex: String = proc
                .id
                .trim_start_matches("containerd://")
                .chars()
                .chain(std::iter::repeat('0'))
                .take(32)
                .collect();
            let uuid = format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            );
            let node = proc.nodes.first().map_or("minikube", |(n, _)| n.as_str());
            let id = format!("k8s.io/minikube-hostpath_{node}_{uuid}");
            k(
                30,
                "storage_provisioner.go:116",
                "Initializing the minikube storage provisioner...".into(),
            );
            k(
                41,
                "storage_provisioner.go:141",
                "Storage provisioner initialized, now starting service!".into(),
            );
            k(
                42,
                "leaderelection.go:243",
                "attempting to acquire leader lease kube-system/k8s.io-minikube-hostpath...".into(),
            );
            k(
                17_611,
                "leaderelection.go:253",
                "successfully acquired lease kube-system/k8s.io-minikube-hostpath".into(),
            );
            k(
                17_612,
                "controller.go:835",
                format!("Starting provisioner controller {id}!"),
            );
            k(
                17_713,
                "controller.go:884",
                format!("Started provisioner controller {id}!"),
            );
        }
        Component::CoreDns => {
            lines.push((30, ".:53".into()));
            lines.push((
                30,
                format!(
                    "[INFO] plugin/reload: Running configuration SHA512 = {}",
                    corefile_sha512()
                ),
            ));
            for s in COREDNS_BANNER {
                lines.push((30, s.into()));
            }
        }
    }
    lines
        .into_iter()
        .map(|(at, text)| Line {
            at,
            text,
            stderr: !matches!(c, Component::CoreDns),
        })
        .collect()
}

/// The SHA-512 of kubeadm's Corefile, which CoreDNS's reload plugin logs.
fn corefile_sha512() -> String {
    use sha2::Digest;
    let sum = sha2::Sha512::digest(crate::node::system_pods::COREFILE.as_bytes());
    sum.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_components_answer_their_health_checks_and_nothing_else() {
        assert_eq!(Component::Scheduler.health("/livez"), (200, "ok".into()));
        assert_eq!(
            Component::ApiServer.health("/readyz/etcd?verbose"),
            (200, "ok".into())
        );
        assert_eq!(
            Component::Etcd.health("/health"),
            (200, r#"{"health":"true","reason":""}"#.into())
        );
        assert_eq!(
            Component::ControllerManager.health("/metrics"),
            (404, "404 page not found\n".into())
        );
        let forbidden = r#"{
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "forbidden: User \"system:anonymous\" cannot get path \"/\"",
  "reason": "Forbidden",
  "details": {},
  "code": 403
}"#;
        assert_eq!(Component::ApiServer.health("/"), (403, forbidden.into()));
    }

    #[test]
    fn klog_header_is_klogs_layout() {
        // 2025-09-01T09:00:00.123Z
        let ms = 1_756_717_200_123;
        assert_eq!(
            klog(ms, "server.go:175", "Version: v1"),
            "I0901 09:00:00.123000       1 server.go:175] Version: v1"
        );
    }

    #[test]
    fn images_and_their_programs() {
        let coredns = component("registry.k8s.io/coredns/coredns:v1.12.1").unwrap();
        assert_eq!(coredns, Component::CoreDns);
        assert!(!coredns.ships("sh"));
        assert!(coredns.ships("/coredns"));
        assert!(Component::Etcd.ships("etcdctl") && Component::Etcd.ships("sh"));
        assert!(Component::Proxy.ships("sh") && !Component::Proxy.ships("ls"));
        assert!(!Component::ApiServer.ships("sh"));
        assert_eq!(
            Component::Proxy.missing("ls").as_deref(),
            Some("sh: 1: ls: not found")
        );
        assert_eq!(Component::Proxy.missing("cat"), None);
        assert_eq!(component("nginx"), None);
    }

    #[test]
    fn odd_argv_is_no_version_query() {
        let image = "registry.k8s.io/etcd:3.6.4-0";
        for argv in [
            vec![],
            vec![String::new()],
            vec!["/".to_string(), "--version".into()],
        ] {
            assert_eq!(utility(image, &argv), None);
        }
        assert_eq!(utility("not an image", &["etcdctl".into()]), None);
        assert!(Component::Etcd.missing("").is_some());
    }
}
