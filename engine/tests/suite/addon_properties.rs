//! Add-ons under hostile configuration: MetalLB with any pool text and many LoadBalancer
//! Services, ingress-nginx with any hosts, paths and backends (its own Service included, a
//! loop) — no panic, no hang, and every address handed out comes from a pool.

use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;

const CATALOG_METALLB: &str =
    "https://raw.githubusercontent.com/metallb/metallb/v0.15.2/config/manifests/metallb-native.yaml";
const CATALOG_INGRESS: &str = "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/baremetal/deploy.yaml";

const ADDRESSES: &[&str] = &[
    "192.168.1.240-192.168.1.242",
    "192.168.1.250/32",
    "0.0.0.0/0",
    "10.0.0.0/8",
    "255.255.255.255-255.255.255.255",
    "192.168.1.9-192.168.1.1",
    "fc00::/64",
    "999.1.1.1",
    "",
    "a-b",
];

fn pool_manifest(addresses: &[&str], avoid_buggy: bool) -> String {
    let list: Vec<String> = addresses.iter().map(|a| format!("  - {a:?}")).collect();
    format!(
        "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: p\n  namespace: metallb-system\nspec:\n  avoidBuggyIPs: {avoid_buggy}\n  addresses:\n{}\n---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: l2\n  namespace: metallb-system\n",
        list.join("\n")
    )
}

const HOSTS: &[&str] = &["", "a.com", "*.a.com", "x.a.com", "é", "*"];
const PATHS: &[&str] = &["/", "/ip", "/ip/", "/a/b", "/*", "//", "/%00"];
const KINDS: &[&str] = &["Prefix", "Exact", "ImplementationSpecific"];
const BACKENDS: &[(&str, &str)] = &[
    ("default", "web"),
    ("default", "nothing"),
    ("ingress-nginx", "ingress-nginx-controller"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Any pools and up to eight LoadBalancer Services: addresses come only from valid pool
    /// ranges, each at most once.
    #[test]
    fn metallb_hands_out_pool_addresses_once(
        addresses in prop::collection::vec(prop::sample::select(ADDRESSES), 0..4),
        avoid_buggy in any::<bool>(),
        services in 1usize..8,
    ) {
        let mut cluster = Cluster::new();
        cluster.run("kubectl create deployment web --image=nginx");
        cluster.run(&format!("kubectl apply -f {CATALOG_METALLB}"));
        cluster.advance(SimDuration::seconds(40));
        cluster.write_file("pool.yaml", &pool_manifest(&addresses, avoid_buggy)).unwrap();
        cluster.run("kubectl apply -f pool.yaml");
        for i in 0..services {
            cluster.run(&format!("kubectl expose deployment web --type=LoadBalancer --name=lb{i} --port=80"));
        }
        let out = cluster.run("kubectl get svc -o jsonpath='{range .items[*]}{.status.loadBalancer.ingress[0].ip}{\" \"}{end}'");
        let text = out.stdout();
        let ips: Vec<&str> = text.split_whitespace().collect();
        let mut seen = std::collections::BTreeSet::new();
        for ip in &ips {
            prop_assert!(seen.insert(*ip), "{ip} handed out twice: {ips:?}");
            prop_assert!(!addresses.is_empty(), "an address without a pool: {ips:?}");
        }
        let _ = cluster.run("for i in 1 2 3; do curl -s -m 2 192.168.1.240; done");
    }

    /// Any Ingress rules, requests with any Host and path: every request ends, the loop
    /// through the controller's own Service included.
    #[test]
    fn ingress_nginx_routes_anything_without_hanging(
        rules in prop::collection::vec(
            (prop::sample::select(HOSTS), prop::sample::select(PATHS),
             prop::sample::select(KINDS), prop::sample::select(BACKENDS)),
            1..5),
        requests in prop::collection::vec(
            (prop::sample::select(HOSTS), prop::sample::select(PATHS)), 1..6),
    ) {
        let mut cluster = Cluster::new();
        cluster.run("kubectl create deployment web --image=nginx");
        cluster.run("kubectl expose deployment web --port=80");
        cluster.run(&format!("kubectl apply -f {CATALOG_INGRESS}"));
        cluster.advance(SimDuration::seconds(60));
        for (i, (host, path, kind, (ns, svc))) in rules.iter().enumerate() {
            let host = if host.is_empty() { String::new() } else { format!("  - host: {host:?}\n    http:\n") };
            let head = if host.is_empty() { "  - http:\n".to_string() } else { host };
            let manifest = format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: r{i}\n  namespace: {ns}\nspec:\n  ingressClassName: nginx\n  rules:\n{head}      paths:\n      - path: {path:?}\n        pathType: {kind}\n        backend:\n          service:\n            name: {svc}\n            port:\n              number: 80\n"
            );
            cluster.write_file("ing.yaml", &manifest).unwrap();
            cluster.run("kubectl apply -f ing.yaml");
        }
        let port = cluster.run("kubectl get svc -n ingress-nginx ingress-nginx-controller -o jsonpath='{.spec.ports[0].nodePort}'");
        let port = port.stdout().trim().to_string();
        for (host, path) in &requests {
            let before = cluster.uptime();
            let _ = cluster.run(&format!("curl -s -m 5 -H 'Host: {host}' '192.168.1.101:{port}{path}'"));
            let spent = cluster.uptime().0 - before.0;
            prop_assert!(spent <= 6_000, "a request took {spent} ms");
        }
    }
}
