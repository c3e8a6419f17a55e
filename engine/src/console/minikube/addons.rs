//! `minikube addons` (`cmd/minikube/cmd/config/addons_list.go`, `enable.go`, `disable.go`,
//! `configure.go`; `pkg/addons`): the list of v1.37.0's addons with the profile's states, and
//! the addons Kubeplay runs, `ingress` (ingress-nginx), `metallb` (MetalLB 0.9) and
//! `metrics-server` (v0.8.0, with `--kubelet-insecure-tls`).
//!
//! Enabling one applies minikube's own manifests for it (`engine/addons/minikube/`, rendered
//! for the default profile) through `kubectl apply`, as minikube does on the node, so that
//! the add-on emulation takes over once its pods run; disabling deletes them again
//! (`kubectl delete --ignore-not-found`). `configure metallb` reads its two prompts' answers
//! from standard input (a heredoc or a pipe): the console cannot prompt interactively.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::{exit_message, flag, missing_profile, parse_or_usage, report_issue, table, Kind};
use crate::api::selector::Selector;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::{Output, Stream};

/// What the profile remembers about addons (`ClusterConfig.Addons` and the load-balancer
/// range of `KubernetesConfig`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Addons {
    /// Addons set on or off since the cluster started (`minikube start` turns on
    /// [`ON_AT_START`]).
    set: BTreeMap<String, bool>,
    /// `LoadBalancerStartIP`, `LoadBalancerEndIP` (empty until `configure metallb`).
    lb_range: (String, String),
}

/// The addons `minikube start` enables on the default profile.
const ON_AT_START: &[&str] = &["default-storageclass", "storage-provisioner"];

/// Every addon of v1.37.0 (`assets.Addons`), sorted by name: (name, maintainer, verified
/// maintainer, docs, enabled by default).
const ADDONS: &[(&str, &str, &str, &str, bool)] = &[
    (
        "ambassador",
        "3rd party (Ambassador)",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/ambassador/",
        false,
    ),
    (
        "amd-gpu-device-plugin",
        "3rd party (AMD)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/amd/",
        false,
    ),
    ("auto-pause", "minikube", "", "", false),
    (
        "cloud-spanner",
        "Google",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/cloud-spanner/",
        false,
    ),
    (
        "csi-hostpath-driver",
        "Kubernetes",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/volume_snapshots_and_csi/",
        false,
    ),
    (
        "dashboard",
        "Kubernetes",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/dashboard/",
        false,
    ),
    (
        "default-storageclass",
        "Kubernetes",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/persistent_volumes/",
        true,
    ),
    ("efk", "3rd party (Elastic)", "", "", false),
    (
        "freshpod",
        "Google",
        "",
        "https://github.com/GoogleCloudPlatform/freshpod",
        false,
    ),
    (
        "gcp-auth",
        "Google",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/gcp-auth/",
        false,
    ),
    (
        "gvisor",
        "minikube",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/gvisor/",
        false,
    ),
    (
        "headlamp",
        "3rd party (kinvolk.io)",
        "yolossn",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/headlamp/",
        false,
    ),
    (
        "inaccel",
        "3rd party (InAccel [info@inaccel.com])",
        "",
        "",
        false,
    ),
    (
        "ingress",
        "Kubernetes",
        "",
        "https://kubernetes.io/docs/tasks/access-application-cluster/ingress-minikube/",
        false,
    ),
    (
        "ingress-dns",
        "minikube",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/ingress-dns/",
        false,
    ),
    (
        "inspektor-gadget",
        "3rd party (inspektor-gadget.io)",
        "https://github.com/orgs/inspektor-gadget/people",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/inspektor-gadget/",
        false,
    ),
    (
        "istio",
        "3rd party (Istio)",
        "",
        "https://istio.io/latest/docs/setup/platform-setup/minikube/",
        false,
    ),
    (
        "istio-provisioner",
        "3rd party (Istio)",
        "",
        "https://istio.io/latest/docs/setup/platform-setup/minikube/",
        false,
    ),
    (
        "kong",
        "3rd party (Kong HQ)",
        "@gAmUssA",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/kong-ingress/",
        false,
    ),
    ("kubeflow", "3rd party", "", "", false),
    (
        "kubetail",
        "3rd party (kubetail.com)",
        "amorey",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/kubetail/",
        false,
    ),
    (
        "kubevirt",
        "3rd party (KubeVirt)",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/kubevirt/",
        false,
    ),
    ("logviewer", "3rd party (unknown)", "", "", false),
    ("metallb", "3rd party (MetalLB)", "", "", false),
    ("metrics-server", "Kubernetes", "", "", false),
    (
        "nvidia-device-plugin",
        "3rd party (NVIDIA)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/nvidia/",
        false,
    ),
    (
        "nvidia-driver-installer",
        "3rd party (NVIDIA)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/nvidia/",
        false,
    ),
    (
        "nvidia-gpu-device-plugin",
        "3rd party (NVIDIA)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/nvidia/",
        false,
    ),
    ("olm", "3rd party (Operator Framework)", "", "", false),
    ("pod-security-policy", "3rd party (unknown)", "", "", false),
    ("portainer", "3rd party (Portainer.io)", "", "", false),
    ("registry", "minikube", "", "", false),
    ("registry-aliases", "3rd party (unknown)", "", "", false),
    (
        "registry-creds",
        "3rd party (UPMC Enterprises)",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/registry/",
        false,
    ),
    ("storage-provisioner", "minikube", "", "", true),
    (
        "storage-provisioner-gluster",
        "3rd party (Gluster)",
        "",
        "",
        false,
    ),
    (
        "storage-provisioner-rancher",
        "3rd party (Rancher)",
        "",
        "",
        false,
    ),
    ("volcano", "third-party (volcano)", "hwdef", "", false),
    (
        "volumesnapshots",
        "Kubernetes",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/volume_snapshots_and_csi/",
        false,
    ),
    (
        "yakd",
        "3rd party (marcnuri.com)",
        "manusa",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/yakd-kubernetes-dashboard/",
        false,
    ),
];

/// minikube's maintainers (`isOfficialMaintainer`).
const OFFICIAL: &[&str] = &["Google", "Kubernetes", "minikube"];

/// Exit code of `SVC_ADDON_UNSUPPORTED` (`ExSvcUnsupported`).
const EX_SVC_UNSUPPORTED: i32 = 116;
/// Exit code of `MK_ADDON_ENABLE` (`ExProgramError`).
const EX_PROGRAM_ERROR: i32 = 10;

/// An addon Kubeplay runs: its manifests and the images minikube announces, in the order
/// of `assets.Addons` (minikube prints them in Go's random map order).
struct Runnable {
    name: &'static str,
    /// (image without digest, as `Using image` shows it).
    images: &'static [&'static str],
    /// The pods `verifyAddonStatus` waits for: (namespace, label selector).
    verify: Option<(&'static str, &'static str)>,
}

const RUNNABLE: &[Runnable] = &[
    Runnable {
        name: "ingress",
        images: &[
            "registry.k8s.io/ingress-nginx/controller:v1.13.2",
            "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.2",
            "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.2",
        ],
        verify: Some(("ingress-nginx", "app.kubernetes.io/name=ingress-nginx")),
    },
    Runnable {
        name: "metallb",
        images: &[
            "quay.io/metallb/speaker:v0.9.6",
            "quay.io/metallb/controller:v0.9.6",
        ],
        verify: None,
    },
    Runnable {
        name: "metrics-server",
        images: &["registry.k8s.io/metrics-server/metrics-server:v0.8.0"],
        // Not in `addonPodLabels`: minikube does not wait for its pod.
        verify: None,
    },
];

// The manifests, by path under `engine/addons/` (texts from `crate::bundle`).
/// `deploy/addons/ingress/ingress-deploy.yaml.tmpl` rendered for the default profile.
const INGRESS: &str = "minikube/ingress-deploy.yaml";
/// `deploy/addons/metallb/metallb.yaml.tmpl` rendered for the default profile.
const METALLB: &str = "minikube/metallb.yaml";
/// `deploy/addons/metallb/metallb-config.yaml.tmpl`: rendered with the configured range.
const METALLB_CONFIG: &str = "minikube/metallb-config.yaml.tmpl";
/// Kubeplay's equivalent of `deploy/addons/metrics-server/*`, rendered for the default profile.
const METRICS_SERVER: &str = "minikube/metrics-server.yaml";

/// How long `kapi.WaitForPods` waits for an addon's pods, and how often it looks.
const VERIFY_TIMEOUT_MS: i64 = 6 * 60 * 1000;
const VERIFY_INTERVAL_MS: i64 = 500;

/// Runs `minikube addons …` (the arguments after `addons`).
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let Some(sub) = args.iter().position(|a| !a.starts_with('-')) else {
        return help();
    };
    let rest: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != sub)
        .map(|(_, a)| a.clone())
        .collect();
    match args[sub].as_str() {
        "list" => list(cluster, &rest),
        "enable" => enable(cluster, &rest),
        "disable" => disable(cluster, &rest),
        "configure" => configure(cluster, &rest, stdin),
        "help" => help(),
        "images" | "open" => Output::failure(format!(
            "\"minikube addons {}\" is not simulated in Kubeplay yet",
            args[sub]
        )),
        // `addons` has a Run of its own: cobra hands it any other word, and it prints help.
        _ => help(),
    }
}

/// `minikube addons` alone (or with a word it does not know): its description and
/// subcommands (cobra's usage and flags left out).
fn help() -> Output {
    let mut o = Output::default();
    o.out(
        "addons modifies minikube addons files using subcommands like \"minikube addons enable dashboard\"\n\n\
         Available Commands:\n  \
         configure   Configures the addon w/ADDON_NAME within minikube (example: minikube addons configure registry-creds). For a list of available addons use: minikube addons list\n  \
         disable     Disables the addon w/ADDON_NAME within minikube (example: minikube addons disable dashboard). For a list of available addons use: minikube addons list \n  \
         enable      Enables the addon w/ADDON_NAME within minikube. For a list of available addons use: minikube addons list \n  \
         images      List image names the addon w/ADDON_NAME used. For a list of available addons use: minikube addons list\n  \
         list        Lists all available minikube addons as well as their current statuses (enabled/disabled)\n  \
         open        Opens the addon w/ADDON_NAME within minikube (example: minikube addons open dashboard). For a list of available addons use: minikube addons list \n\n\
         Use \"minikube <command> --help\" for more information about a command.",
    );
    o
}

/// Whether `name` is enabled on the profile (`Addon.IsEnabled`).
fn enabled(cluster: &Cluster, name: &str) -> bool {
    let set = &cluster.minikube.addons.set;
    set.get(name)
        .copied()
        .unwrap_or_else(|| ON_AT_START.contains(&name))
}

fn usage(message: &str) -> Output {
    exit_message("X ", "MK_USAGE", message, super::EX_USAGE)
}

/// The list's table rows: (name, profile, status, maintainer[, docs]).
fn rows(cluster: &Cluster, docs: bool) -> Vec<Vec<String>> {
    ADDONS
        .iter()
        .map(|(name, maintainer, _, link, _)| {
            let on = enabled(cluster, name);
            let status = if on { "enabled ✅" } else { "disabled    " };
            let maintainer = if maintainer.is_empty() {
                "3rd party (unknown)"
            } else {
                maintainer
            };
            let mut row = vec![
                name.to_string(),
                super::PROFILE.to_string(),
                status.to_string(),
                maintainer.to_string(),
            ];
            if docs {
                row.push(if link.is_empty() { "n/a" } else { link }.to_string());
            }
            row
        })
        .collect()
}

/// `minikube addons list [-o list|json] [-d]`.
fn list(cluster: &Cluster, args: &[String]) -> Output {
    let flags = [
        flag("output", Some('o'), Kind::Str),
        flag("docs", Some('d'), Kind::Bool),
    ];
    let parsed = match parse_or_usage(args, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if !parsed.args.is_empty() {
        return usage("usage: minikube addons list");
    }
    if let Some(o) = missing_profile(&parsed) {
        return o;
    }
    let docs = parsed.bool("docs");
    let format = parsed.value("output").unwrap_or("list");
    let mut o = Output::default();
    match format.to_lowercase().as_str() {
        "list" => {
            let mut header = vec!["ADDON NAME", "PROFILE", "STATUS", "MAINTAINER"];
            if docs {
                header.push("DOCS");
            }
            o.out_raw(table::render(&header, &rows(cluster, docs)));
        }
        "json" => {
            // encoding/json sorts map keys; the inner maps hold Profile, Status (and with
            // --docs, Docs and Maintainer).
            let items: Vec<String> = ADDONS
                .iter()
                .map(|(name, maintainer, _, link, _)| {
                    let status = if enabled(cluster, name) {
                        "enabled"
                    } else {
                        "disabled"
                    };
                    let extra = if docs {
                        format!(
                            "\"Docs\":{},\"Maintainer\":{},",
                            json(link),
                            json(maintainer)
                        )
                    } else {
                        String::new()
                    };
                    format!(
                        "\"{name}\":{{{extra}\"Profile\":\"{}\",\"Status\":\"{status}\"}}",
                        super::PROFILE
                    )
                })
                .collect();
            o.out(format!("{{{}}}", items.join(",")));
        }
        _ => {
            return usage(&format!(
                "invalid output format: {format}. Valid values: 'list', 'json'"
            ))
        }
    }
    o
}

fn json(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The addon called `name`.
fn addon(
    name: &str,
) -> Option<&'static (&'static str, &'static str, &'static str, &'static str, bool)> {
    ADDONS.iter().find(|a| a.0 == name)
}

/// `minikube addons enable NAME`.
fn enable(cluster: &mut Cluster, args: &[String]) -> Output {
    let flags = [
        flag("images", None, Kind::Str),
        flag("registries", None, Kind::Str),
        flag("force", None, Kind::Bool),
        flag("refresh", None, Kind::Bool),
    ];
    let parsed = match parse_or_usage(args, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let [name] = parsed.args.as_slice() else {
        return usage("usage: minikube addons enable ADDON_NAME");
    };
    if let Some(o) = missing_profile(&parsed) {
        return o;
    }
    let mut o = Output::default();
    let mut name = name.as_str();
    match name {
        "efk" => return exit_message("X ", "MK_ADDON_ENABLE", "The current images used in the efk addon contain Log4j vulnerabilities, the addon will be disabled until images are updated, see: https://github.com/kubernetes/minikube/issues/15280", EX_PROGRAM_ERROR),
        "heapster" => {
            o.out("* using metrics-server addon, heapster is deprecated");
            name = "metrics-server";
        }
        _ => {}
    }
    let Some((_, maintainer, verified, _, _)) = addon(name) else {
        let mut o = exit_message(
            "X ",
            "MK_ADDON_ENABLE",
            &format!("enable failed: run callbacks: {name} is not a valid addon"),
            EX_PROGRAM_ERROR,
        );
        let positional = vec!["enable".to_string(), name.to_string()];
        report_issue(&mut o, "addons", &positional);
        return o;
    };
    if OFFICIAL.contains(maintainer) {
        o.out(format!(
            "* {name} is an addon maintained by {maintainer}. For any concerns contact minikube on GitHub.\n\
             You can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS"
        ));
    } else {
        o.out(format!(
            "! {name} is a 3rd party addon and is not maintained or verified by minikube maintainers, enable at your own risk."
        ));
        if verified.is_empty() {
            o.out(format!(
                "! {name} does not currently have an associated maintainer."
            ));
        } else {
            o.out(format!(
                "* {name} is maintained by {maintainer} for any concerns contact {verified} on GitHub."
            ));
        }
    }
    let Some(runnable) = RUNNABLE.iter().find(|r| r.name == name) else {
        o.extend(Output::failure(format!(
            "(Kubeplay runs only the ingress, metallb and metrics-server addons; \"{name}\" is not simulated yet)"
        )));
        return o;
    };
    if let Err(e) = apply(cluster, runnable, &mut o) {
        o.extend(e);
        return o;
    }
    if let Some((namespace, selector)) = runnable.verify {
        o.out(format!("* Verifying {name} addon..."));
        if !wait_for_pods(cluster, namespace, selector) {
            o.extend(exit_message(
                "X ",
                "MK_ADDON_ENABLE",
                &format!("enable failed: run callbacks: running callbacks: [waiting for {selector} pods: context deadline exceeded]"),
                EX_PROGRAM_ERROR,
            ));
            let positional = vec!["enable".to_string(), name.to_string()];
            report_issue(&mut o, "addons", &positional);
            return o;
        }
    }
    cluster.minikube.addons.set.insert(name.to_string(), true);
    o.out(format!("* The '{name}' addon is enabled"));
    o
}

/// `EnableOrDisableAddon(…, true)`: announces the images and applies the manifests.
fn apply(cluster: &mut Cluster, runnable: &Runnable, o: &mut Output) -> Result<(), Output> {
    for image in runnable.images {
        o.out(format!("  - Using image {image}"));
    }
    for manifest in manifests(cluster, runnable.name)? {
        kubectl(cluster, &["apply", "-f", "-"], &manifest)?;
    }
    Ok(())
}

/// The addon's rendered manifests, in minikube's order; a failure while the page has not
/// got their texts yet.
fn manifests(cluster: &Cluster, name: &str) -> Result<Vec<String>, Output> {
    let text = |path: &str| {
        crate::bundle::addon(path)
            .map(str::to_string)
            .ok_or_else(|| {
                Output::failure(
                    "(Kubeplay: the addon manifests are still loading; try again in a moment)",
                )
            })
    };
    Ok(match name {
        "ingress" => vec![text(INGRESS)?],
        "metallb" => {
            let (start, end) = &cluster.minikube.addons.lb_range;
            let config = text(METALLB_CONFIG)?
                .replace("{{ .LoadBalancerStartIP }}", start)
                .replace("{{ .LoadBalancerEndIP }}", end);
            vec![text(METALLB)?, config]
        }
        "metrics-server" => vec![text(METRICS_SERVER)?],
        _ => Vec::new(),
    })
}

/// Runs kubectl on the node as minikube does (its output stays in minikube's log).
fn kubectl(cluster: &mut Cluster, args: &[&str], stdin: &str) -> Result<(), Output> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = crate::console::kubectl::run(cluster, &args, Some(stdin));
    if out.exit_code == 0 {
        return Ok(());
    }
    let mut o = Output::failure(format!(
        "(Kubeplay: minikube's kubectl {} failed:)",
        args.first().map_or("", String::as_str)
    ));
    o.chunks.extend(out.chunks);
    o.exit_code = EX_PROGRAM_ERROR;
    Err(o)
}

/// `kapi.WaitForPods`: polls until the selected pods exist and all are Running or
/// Succeeded, letting simulated time pass; false on timeout.
fn wait_for_pods(cluster: &mut Cluster, namespace: &str, selector: &str) -> bool {
    let Ok(selector) = Selector::parse(selector) else {
        return false;
    };
    let mut waited = 0;
    loop {
        let phases: Vec<String> = cluster
            .world
            .api
            .list_as::<Pod>(Some(namespace))
            .filter(|p| selector.matches(p.metadata.labels.as_ref()))
            .map(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_default()
            })
            .collect();
        if !phases.is_empty() && phases.iter().all(|p| p == "Running" || p == "Succeeded") {
            return true;
        }
        if waited >= VERIFY_TIMEOUT_MS {
            return false;
        }
        cluster.advance(SimDuration::millis(VERIFY_INTERVAL_MS));
        waited += VERIFY_INTERVAL_MS;
    }
}

/// `minikube addons disable NAME`.
fn disable(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match parse_or_usage(args, &[]) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let [name] = parsed.args.as_slice() else {
        return usage("usage: minikube addons disable ADDON_NAME");
    };
    if let Some(o) = missing_profile(&parsed) {
        return o;
    }
    if name == "heapster" {
        return exit_message(
            "X ",
            "SVC_ADDON_UNSUPPORTED",
            "The heapster addon is depreciated. please try to disable metrics-server instead",
            EX_SVC_UNSUPPORTED,
        );
    }
    if addon(name).is_none() {
        return exit_message(
            "X ",
            "SVC_ADDON_UNSUPPORTED",
            &format!("\"'{name}' is not a valid minikube addon"),
            EX_SVC_UNSUPPORTED,
        );
    }
    let mut o = Output::default();
    if enabled(cluster, name) {
        if !RUNNABLE.iter().any(|r| r.name == name) {
            return Output::failure(format!(
                "(Kubeplay runs only the ingress, metallb and metrics-server addons; disabling \"{name}\" is not simulated yet)"
            ));
        }
        let manifests = match manifests(cluster, name) {
            Ok(m) => m,
            Err(e) => return e,
        };
        for manifest in manifests.iter().rev() {
            if let Err(e) = kubectl(
                cluster,
                &["delete", "--ignore-not-found", "-f", "-"],
                manifest,
            ) {
                return e;
            }
        }
        cluster.minikube.addons.set.insert(name.to_string(), false);
    }
    o.out(format!("* \"The '{name}' addon is disabled"));
    o
}

/// `minikube addons configure NAME`: only `metallb`'s range is simulated.
fn configure(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let parsed = match parse_or_usage(args, &[flag("config-file", Some('f'), Kind::Str)]) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let [name] = parsed.args.as_slice() else {
        return usage("usage: minikube addons configure ADDON_NAME");
    };
    match name.as_str() {
        "metallb" => {}
        "registry-creds" | "ingress" | "registry-aliases" | "auto-pause" => {
            return Output::failure(format!(
                "\"minikube addons configure {name}\" is not simulated in Kubeplay yet"
            ))
        }
        _ => {
            let mut o = Output::default();
            o.chunks.push((
                Stream::Stderr,
                format!("X {name} has no available configuration options\n"),
            ));
            return o;
        }
    }
    if let Some(o) = missing_profile(&parsed) {
        return o;
    }
    let mut o = Output::default();
    let mut lines = stdin.unwrap_or("").lines();
    let mut ask = |o: &mut Output, prompt: &str| -> Option<String> {
        // A bounded number of answers: each loop consumes one line of the input.
        loop {
            o.out_raw(prompt.to_string());
            let answer = lines.next()?.trim().to_string();
            if answer.is_empty() {
                o.chunks
                    .push((Stream::Stderr, "--Error, please enter a value:".into()));
            } else if answer.parse::<std::net::IpAddr>().is_err() {
                o.chunks.push((
                    Stream::Stderr,
                    "--Invalid input, please enter a value:".into(),
                ));
            } else {
                return Some(answer);
            }
        }
    };
    let answers = ask(&mut o, "-- Enter Load Balancer Start IP: ")
        .and_then(|start| Some((start, ask(&mut o, "-- Enter Load Balancer End IP: ")?)));
    let Some(range) = answers else {
        o.extend(Output::failure(
            "\n(Kubeplay cannot prompt: give minikube the two addresses on standard input, e.g.\n  \
             minikube addons configure metallb <<EOF\n  192.168.49.100\n  192.168.49.120\n  EOF)",
        ));
        return o;
    };
    cluster.minikube.addons.lb_range = range;
    // "Re-enable metallb addon in order to generate template manifest files".
    let metallb = RUNNABLE.iter().find(|r| r.name == "metallb");
    if let Some(runnable) = metallb {
        if let Err(e) = apply(cluster, runnable, &mut o) {
            o.extend(e);
            return o;
        }
    }
    o.out(format!("* {name} was successfully configured"));
    o
}

#[cfg(test)]
mod tests;
