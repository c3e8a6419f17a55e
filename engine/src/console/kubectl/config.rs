//! `kubectl config` (contexts and the current namespace) and `kubectl cluster-info`.

use super::flags::{self, Flag};
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::table::render_aligned;

/// The one context of the emulated kubeconfig, as kubeadm names it.
pub const CONTEXT: &str = "kubernetes-admin@kubernetes";

const SET_CONTEXT_FLAGS: &[Flag] = &[
    flags::boolean("current", None),
    flags::value("cluster", None),
    flags::value("user", None),
];

/// Runs `kubectl config SUBCOMMAND`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let Some((sub, rest)) = args.split_first() else {
        return super::error("Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\"\n\nAvailable Commands:\n  current-context   Display the current-context\n  get-contexts      Describe one or many contexts\n  set-context       Set a context entry in kubeconfig\n  use-context       Set the current-context in a kubeconfig file\n  view              Display merged kubeconfig settings or a specified kubeconfig file");
    };
    let mut out = Output::default();
    match sub.as_str() {
        "current-context" => out.out(CONTEXT),
        "get-contexts" => {
            let ns = cluster
                .console
                .context_namespace
                .clone()
                .unwrap_or_default();
            out.out_raw(render_aligned(&[
                ["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]
                    .map(String::from)
                    .to_vec(),
                vec![
                    "*".into(),
                    CONTEXT.into(),
                    "kubernetes".into(),
                    "kubernetes-admin".into(),
                    ns,
                ],
            ]));
        }
        "use-context" => match rest.first().map(String::as_str) {
            Some(CONTEXT) => out.out(format!("Switched to context \"{CONTEXT}\".")),
            Some(other) => {
                return super::error(format!("no context exists with the name: \"{other}\""))
            }
            None => return super::error(
                "Unexpected args: []\nSee 'kubectl config use-context -h' for help and examples",
            ),
        },
        "set-context" => {
            let parsed = match flags::parse("config set-context", rest, SET_CONTEXT_FLAGS) {
                Ok(p) => p,
                Err(e) => return super::error(e),
            };
            let name = match (parsed.bool("current"), parsed.positionals.first()) {
                (true, _) => CONTEXT.to_string(),
                (false, Some(n)) => n.clone(),
                (false, None) => {
                    return super::error("you must specify a non-empty context name or --current")
                }
            };
            if name != CONTEXT {
                return super::error(format!(
                    "Kubeplay has one context, \"{CONTEXT}\"; use --current"
                ));
            }
            if let Some(ns) = parsed.value("namespace") {
                cluster.console.context_namespace = Some(ns.to_string());
                cluster.console.namespace = if ns.is_empty() {
                    "default".into()
                } else {
                    ns.to_string()
                };
            }
            out.out(format!("Context \"{CONTEXT}\" modified."));
        }
        "view" => {
            let ns = cluster
                .console
                .context_namespace
                .as_ref()
                .map(|n| format!("    namespace: {n}\n"))
                .unwrap_or_default();
            out.out_raw(format!(
                "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: https://192.168.1.10:6443\n  name: kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n{ns}    user: kubernetes-admin\n  name: {CONTEXT}\ncurrent-context: {CONTEXT}\nkind: Config\npreferences: {{}}\nusers:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n"
            ));
        }
        other => {
            return super::error(format!(
                "unknown command \"{other}\" for \"kubectl config\""
            ))
        }
    }
    out
}

/// Runs `kubectl cluster-info`.
pub fn cluster_info() -> Output {
    let mut out = Output::default();
    out.out("Kubernetes control plane is running at https://192.168.1.10:6443\nCoreDNS is running at https://192.168.1.10:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.");
    out
}
