//! The objects kubeadm leaves in a fresh cluster besides nodes and pods: the `kube-dns`
//! Service, kube-system's ConfigMaps and ServiceAccounts, and kube-public's `cluster-info`.

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServiceAccount, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::object::Object;

/// kube-system's ServiceAccounts besides the controllers' (`rbac_policy`): the bootstrap
/// token signer and cleaner, CoreDNS and kube-proxy.
const OTHER_KUBE_SYSTEM_ACCOUNTS: &[&str] =
    &["bootstrap-signer", "coredns", "kube-proxy", "token-cleaner"];

/// Every ServiceAccount kubeadm's kube-system holds, by name.
fn kube_system_accounts() -> Vec<&'static str> {
    let mut all: Vec<&str> = super::rbac_policy::controller_service_accounts().collect();
    all.extend(OTHER_KUBE_SYSTEM_ACCOUNTS);
    all.stable_sort();
    all
}

fn meta(namespace: &str, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        ..Default::default()
    }
}

fn pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn configmap(namespace: &str, name: &str, data: &[(&str, &str)]) -> Object {
    Object::ConfigMap(Box::new(ConfigMap {
        metadata: meta(namespace, name),
        data: Some(pairs(data)),
        ..Default::default()
    }))
}

/// Every such object, for a cluster whose control plane is `cp_name` at `cp_ip`.
pub fn objects(cp_name: &str, cp_ip: &str, boot_date: &str) -> Vec<Object> {
    let mut out = vec![kube_dns()];
    out.extend(kube_system_accounts().into_iter().map(|n| {
        Object::ServiceAccount(Box::new(ServiceAccount {
            metadata: meta("kube-system", n),
            ..Default::default()
        }))
    }));
    let server = format!("https://{cp_ip}:6443");
    let kubeconfig = format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n    server: {server}\n  name: \"\"\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {{}}\nusers: null\n"
    );
    out.push(configmap(
        "kube-public",
        "cluster-info",
        &[
            ("jws-kubeconfig-abcdef", "eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..q0Vb1kZt1HoS6y2mOeQxXxZz3jJ8a7T0m9dS3fW8gkE"),
            ("kubeconfig", &kubeconfig),
        ],
    ));
    out.push(configmap(
        "kube-system",
        "coredns",
        &[("Corefile", crate::node::system_pods::COREFILE)],
    ));
    out.push(configmap(
        "kube-system",
        "extension-apiserver-authentication",
        &[
            (
                "client-ca-file",
                crate::controllers::system_objects::ROOT_CA,
            ),
            ("requestheader-allowed-names", "[\"front-proxy-client\"]"),
            (
                "requestheader-client-ca-file",
                crate::controllers::system_objects::ROOT_CA,
            ),
            (
                "requestheader-extra-headers-prefix",
                "[\"X-Remote-Extra-\"]",
            ),
            ("requestheader-group-headers", "[\"X-Remote-Group\"]"),
            ("requestheader-username-headers", "[\"X-Remote-User\"]"),
        ],
    ));
    out.push(configmap(
        "kube-system",
        "kube-apiserver-legacy-service-account-token-tracking",
        &[("since", boot_date)],
    ));
    let proxy_kubeconfig = format!("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /var/lib/kube-proxy/ca.crt\n    server: {server}\n  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n    user: default\n  name: default\ncurrent-context: default\nusers:\n- name: default\n  user:\n    tokenFile: /var/lib/kube-proxy/token\n");
    out.push(configmap(
        "kube-system",
        "kube-proxy",
        &[
            ("config.conf", KUBE_PROXY_CONFIG),
            ("kubeconfig.conf", &proxy_kubeconfig),
        ],
    ));
    let cluster_config = format!("apiServer: {{}}\napiVersion: kubeadm.k8s.io/v1beta4\ncaCertificateValidityPeriod: 87600h0m0s\ncertificateValidityPeriod: 8760h0m0s\ncertificatesDir: /etc/kubernetes/pki\nclusterName: kubernetes\ncontrolPlaneEndpoint: {cp_name}:6443\ncontrollerManager: {{}}\ndns: {{}}\nencryptionAlgorithm: RSA-2048\netcd:\n  local:\n    dataDir: /var/lib/etcd\nimageRepository: registry.k8s.io\nkind: ClusterConfiguration\nkubernetesVersion: {}\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\nproxy: {{}}\nscheduler: {{}}\n", crate::KUBERNETES_VERSION);
    out.push(configmap(
        "kube-system",
        "kubeadm-config",
        &[("ClusterConfiguration", &cluster_config)],
    ));
    out.push(configmap(
        "kube-system",
        "kubelet-config",
        &[("kubelet", KUBELET_CONFIG)],
    ));
    out
}

/// CoreDNS's Service, at the conventional 10.96.0.10.
fn kube_dns() -> Object {
    let mut m = meta("kube-system", "kube-dns");
    m.labels = Some(pairs(&[
        ("k8s-app", "kube-dns"),
        ("kubernetes.io/cluster-service", "true"),
        ("kubernetes.io/name", "CoreDNS"),
    ]));
    m.annotations = Some(pairs(&[
        ("prometheus.io/port", "9153"),
        ("prometheus.io/scrape", "true"),
    ]));
    let port = |name: &str, port: i32, proto: &str| ServicePort {
        name: Some(name.into()),
        port,
        protocol: Some(proto.into()),
        target_port: Some(IntOrString::Int(port)),
        ..Default::default()
    };
    let mut svc = Service {
        metadata: m,
        spec: Some(ServiceSpec {
            cluster_ip: Some("10.96.0.10".into()),
            ports: Some(vec![
                port("dns", 53, "UDP"),
                port("dns-tcp", 53, "TCP"),
                port("metrics", 9153, "TCP"),
            ]),
            selector: Some(pairs(&[("k8s-app", "kube-dns")])),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut taken = crate::api::service::Allocated::default();
    let mut rng = crate::rng::Rng::new(0);
    crate::api::service::default_new(&mut svc, &mut taken, &mut rng);
    Object::Service(Box::new(svc))
}

const KUBE_PROXY_CONFIG: &str = "apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: \"\"
  burst: 0
  contentType: \"\"
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocalMode: \"\"
enableProfiling: false
healthzBindAddress: \"\"
hostnameOverride: \"\"
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
    text:
      infoBufferSize: \"0\"
  verbosity: 0
metricsBindAddress: \"\"
mode: \"\"
nodePortAddresses: null
oomScoreAdj: null
portRange: \"\"
showHiddenMetricsForVersion: \"\"
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: \"\"
  rootHnsEndpointName: \"\"
  sourceVip: \"\"
";

pub(crate) const KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: \"\"
cpuManagerReconcilePeriod: 0s
crashLoopBackOff: {}
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
    text:
      infoBufferSize: \"0\"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
";
