//! `minikube addons`: the list's table, enable/disable messages and errors.

use crate::cluster::{Cluster, ClusterConfig, ClusterProfile};

fn minikube() -> Cluster {
    Cluster::with_config(ClusterConfig {
        seed: 0,
        profile: ClusterProfile::single_node(),
    })
}

#[test]
fn list_is_v1_37_table() {
    let out = minikube().run("minikube addons list");
    let text = out.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 40 + 4, "{text}");
    assert_eq!(
        lines[0],
        "┌─────────────────────────────┬──────────┬────────────┬────────────────────────────────────────┐"
    );
    assert_eq!(
        lines[1],
        "│         ADDON NAME          │ PROFILE  │   STATUS   │               MAINTAINER               │"
    );
    assert_eq!(
        lines[3],
        "│ ambassador                  │ minikube │ disabled   │ 3rd party (Ambassador)                 │"
    );
    assert!(text.contains(
        "│ default-storageclass        │ minikube │ enabled ✅ │ Kubernetes                             │\n"
    ));
    assert!(text.contains(
        "│ storage-provisioner         │ minikube │ enabled ✅ │ minikube                               │\n"
    ));
    // Go sorts "ingress" before "ingress-dns".
    let ingress = lines
        .iter()
        .position(|l| l.starts_with("│ ingress "))
        .unwrap();
    assert!(lines[ingress + 1].starts_with("│ ingress-dns "));
    assert_eq!(out.exit_code, 0);
}

#[test]
fn list_json_and_errors() {
    let mut c = minikube();
    let json = c.run("minikube addons list -o json").text();
    assert!(json.starts_with("{\"ambassador\":{\"Profile\":\"minikube\",\"Status\":\"disabled\"},"));
    assert!(
        json.contains("\"storage-provisioner\":{\"Profile\":\"minikube\",\"Status\":\"enabled\"}")
    );
    let bad = c.run("minikube addons list -o yaml");
    assert_eq!(
        bad.text(),
        "\nX Exiting due to MK_USAGE: invalid output format: yaml. Valid values: 'list', 'json'\n\n"
    );
    assert_eq!(bad.exit_code, 14);
}

#[test]
fn unknown_addons() {
    let mut c = minikube();
    let out = c.run("minikube addons enable nope");
    assert!(out.text().starts_with(
        "\nX Exiting due to MK_ADDON_ENABLE: enable failed: run callbacks: nope is not a valid addon\n* \n╭"
    ));
    assert!(out.text().contains("/tmp/minikube_addons_"));
    assert_eq!(out.exit_code, 10);
    let out = c.run("minikube addons disable nope");
    assert_eq!(
        out.text(),
        "\nX Exiting due to SVC_ADDON_UNSUPPORTED: \"'nope' is not a valid minikube addon\n\n"
    );
    assert_eq!(out.exit_code, 116);
    assert_eq!(
        c.run("minikube addons disable dashboard").text(),
        "* \"The 'dashboard' addon is disabled\n"
    );
}

#[test]
fn enable_and_disable_ingress() {
    let mut c = minikube();
    let out = c.run("minikube addons enable ingress");
    assert_eq!(
        out.text(),
        "* ingress is an addon maintained by Kubernetes. For any concerns contact minikube on GitHub.\n\
         You can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS\n  \
         - Using image registry.k8s.io/ingress-nginx/controller:v1.13.2\n  \
         - Using image registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.2\n  \
         - Using image registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.2\n\
         * Verifying ingress addon...\n\
         * The 'ingress' addon is enabled\n"
    );
    assert!(c
        .run("minikube addons list")
        .text()
        .contains("│ ingress                     │ minikube │ enabled ✅ │ Kubernetes"));
    assert!(c
        .run("kubectl get pods -n ingress-nginx")
        .text()
        .contains("Running"));
    assert_eq!(
        c.run("minikube addons disable ingress").text(),
        "* \"The 'ingress' addon is disabled\n"
    );
    assert!(c
        .run("minikube addons list")
        .text()
        .contains("│ ingress                     │ minikube │ disabled   │ Kubernetes"));
}

#[test]
fn configure_metallb_reads_stdin() {
    let mut c = minikube();
    let out = c.run("minikube addons configure metallb");
    assert_ne!(out.exit_code, 0);
    let out =
        c.run("minikube addons configure metallb <<EOF\nx\n192.168.49.100\n192.168.49.120\nEOF");
    assert_eq!(
        out.text(),
        "-- Enter Load Balancer Start IP: --Invalid input, please enter a value:-- Enter Load Balancer Start IP: -- Enter Load Balancer End IP:   \
         - Using image quay.io/metallb/speaker:v0.9.6\n  \
         - Using image quay.io/metallb/controller:v0.9.6\n\
         * metallb was successfully configured\n"
    );
    let cm = c.run("kubectl get cm config -n metallb-system -o jsonpath={.data.config}");
    assert!(
        cm.text().contains("- 192.168.49.100-192.168.49.120"),
        "{}",
        cm.text()
    );
    assert_eq!(
        c.run("minikube addons configure dashboard").text(),
        "X dashboard has no available configuration options\n"
    );
}

#[test]
fn ingress_answers_on_the_node_through_host_ports() {
    let mut c = minikube();
    c.run("minikube addons enable ingress");
    let miss = c.run("curl -s $(minikube ip)");
    assert!(
        miss.text().contains("<title>404 Not Found</title>"),
        "{}",
        miss.text()
    );
    c.run("kubectl create deployment web --image=nginx");
    c.run("kubectl expose deploy web --port 80");
    c.run(
        "cat <<EOF | kubectl apply -f -\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n  - http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\nEOF",
    );
    c.run("sleep 30");
    let hit = c.run("curl -s $(minikube ip)");
    assert!(hit.text().contains("Welcome to nginx!"), "{}", hit.text());
}
