//! `minikube` on the minikube profile: texts, tunnels, and no panic on any argument list.

use proptest::prelude::*;

use crate::cluster::{Cluster, ClusterConfig, ClusterProfile};

fn minikube() -> Cluster {
    Cluster::with_config(ClusterConfig {
        seed: 0,
        profile: ClusterProfile::single_node(),
    })
}

#[test]
fn not_installed_on_kubeadm() {
    let out = Cluster::new().run("minikube ip");
    assert_eq!(out.text(), "bash: minikube: command not found\n");
    assert_eq!(out.exit_code, 127);
}

#[test]
fn ip_status_version() {
    let mut c = minikube();
    assert_eq!(c.run("minikube ip").text(), "192.168.49.2\n");
    assert_eq!(
        c.run("minikube status").text(),
        "minikube\ntype: Control Plane\nhost: Running\nkubelet: Running\napiserver: Running\nkubeconfig: Configured\n\n"
    );
    assert_eq!(
        c.run("minikube status -o json").text(),
        "{\"Name\":\"minikube\",\"Host\":\"Running\",\"Kubelet\":\"Running\",\"APIServer\":\"Running\",\"Kubeconfig\":\"Configured\",\"Worker\":false}"
    );
    assert_eq!(
        c.run("minikube version").text(),
        "minikube version: v1.37.0\ncommit: 65318f4cfff9c12cc87ec9eb8f4cdd57b25047f3\n"
    );
    assert_eq!(c.run("minikube version --short").text(), "v1.37.0\n");
    let other = c.run("minikube ip -p dev");
    assert_eq!(other.exit_code, 85);
    assert!(other.text().contains("Profile \"dev\" not found."));
}

#[test]
fn unknown_commands_get_cobra_suggestions() {
    let out = minikube().run("minikube servce");
    assert_eq!(
        out.text(),
        "Error: unknown command \"servce\" for \"minikube\"\n\nDid you mean this?\n\tservice\n\nRun 'minikube --help' for usage.\n"
    );
    assert_eq!(out.exit_code, 14);
}

#[test]
fn service_not_found() {
    let out = minikube().run("minikube service nope");
    assert_eq!(
        out.text(),
        "\nX Exiting due to SVC_NOT_FOUND: Service 'nope' was not found in 'default' namespace.\nYou may select another namespace by using 'minikube service nope -n <namespace>'. Or list out all the services using 'minikube service list'\n\n"
    );
    assert_eq!(out.exit_code, 115);
    let out = minikube().run("minikube service");
    assert_eq!(
        out.stderr(),
        "X Exiting due to MK_USAGE: You must specify service name(s) or --all\n"
    );
    assert_eq!(out.exit_code, 14);
}

#[test]
fn service_tunnels_replace_each_other() {
    let mut c = minikube();
    c.run("kubectl create deployment web --image=nginx --port=80");
    c.run("kubectl expose deployment web --port=80");
    c.run("kubectl create service clusterip api --tcp=8080:80");
    c.run("sleep 30");
    let out = c.run("minikube service web --url").stdout();
    // A ClusterIP Service: minikube says so on stdout, before the URL.
    let (note, url) = out.trim().split_once('\n').expect("two lines");
    assert_eq!(note, "* service default/web has no node port");
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .expect("a tunnel URL");
    assert!((32768..61000).contains(&port));
    assert_eq!(
        c.network.tunnels.get(&port),
        Some(&("default".to_string(), "web".to_string(), 80))
    );
    assert!(c.run(&format!("curl -s {url}")).stdout().contains("nginx"));
    c.run("minikube service api --url");
    assert!(!c.network.tunnels.contains_key(&port));
    assert_eq!(c.network.tunnels.len(), 1);
}

#[test]
fn tunnel_patches_new_load_balancers_after_each_line() {
    let mut c = minikube();
    let out = c.run("minikube tunnel");
    assert_eq!(
        out.text(),
        "* Tunnel successfully started\n\n* NOTE: Please do not close this terminal as this process must stay alive for the tunnel to be accessible ...\n\n"
    );
    c.run("kubectl create service loadbalancer lb --tcp=8080:80");
    let ip = c.run("kubectl get svc lb -o jsonpath={.status.loadBalancer.ingress[0].ip}");
    assert_eq!(ip.stdout(), "127.0.0.1");
    assert!(c.network.tunnels.contains_key(&8080));
    c.run("kubectl delete svc lb");
    assert!(!c.network.tunnels.contains_key(&8080));
    let again = c.run("minikube tunnel");
    assert_eq!(again.exit_code, 111);
    assert!(again
        .stderr()
        .starts_with("* Exiting due to TUNNEL_ALREADY_RUNNING"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any argument list ends with some output and never panics.
    #[test]
    fn no_panic_on_any_arguments(args in proptest::collection::vec(
        prop_oneof![
            Just("service".to_string()), Just("list".to_string()), Just("tunnel".to_string()),
            Just("ip".to_string()), Just("status".to_string()), Just("version".to_string()),
            Just("--url".to_string()), Just("--all".to_string()), Just("-n".to_string()),
            Just("--namespace=".to_string()), Just("-o".to_string()), Just("json".to_string()),
            Just("--format={{.Name}}".to_string()), Just("--https=x".to_string()),
            Just("-p".to_string()), Just("--".to_string()), Just("kubernetes".to_string()),
            Just("-".to_string()), Just("--wait=99999999999".to_string()),
            "[-a-zé=]{0,6}",
        ],
        0..6,
    )) {
        let mut c = minikube();
        let mut argv = vec!["minikube".to_string()];
        argv.extend(args.iter().cloned());
        let line: Vec<String> = argv.iter().map(|a| format!("'{}'", a.replace('\'', ""))).collect();
        let out = c.run(&line.join(" "));
        prop_assert!(out.exit_code >= 0);
    }
}

#[test]
fn tab_completion() {
    let c = minikube();
    assert_eq!(c.complete("minikube se").candidates, ["service"]);
    assert_eq!(
        c.complete("minikube service ").candidates,
        ["kubernetes", "list"]
    );
    assert_eq!(
        c.complete("minikube service -n kube-system ").candidates,
        ["kube-dns", "list"]
    );
    assert_eq!(c.complete("mini").candidates, ["minikube"]);
    assert!(Cluster::new().complete("mini").candidates.is_empty());
}
