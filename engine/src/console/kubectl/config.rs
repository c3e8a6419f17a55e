//! `kubectl config` (contexts and the current namespace) and `kubectl cluster-info`.

use super::flags::{self, Flag};
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::table::render_aligned;

pub(super) const SET_CONTEXT_FLAGS: &[Flag] = &[
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
    let kc = cluster.profile.kubeconfig.clone();
    let context = kc.context.as_str();
    match sub.as_str() {
        "current-context" => out.out(context),
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
                    kc.context.clone(),
                    kc.cluster.clone(),
                    kc.user.clone(),
                    ns,
                ],
            ]));
        }
        "use-context" => match rest.first().map(String::as_str) {
            Some(c) if c == context => out.out(format!("Switched to context \"{context}\".")),
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
                (true, _) => context.to_string(),
                (false, Some(n)) => n.clone(),
                (false, None) => {
                    return super::error("you must specify a non-empty context name or --current")
                }
            };
            if name != context {
                return super::error(format!(
                    "Kubeplay has one context, \"{context}\"; use --current"
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
            out.out(format!("Context \"{context}\" modified."));
        }
        "view" => {
            let ns = cluster
                .console
                .context_namespace
                .as_ref()
                .map(|n| format!("    namespace: {n}\n"))
                .unwrap_or_default();
            out.out_raw(format!(
                "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: {server}\n  name: {cl}\ncontexts:\n- context:\n    cluster: {cl}\n{ns}    user: {user}\n  name: {context}\ncurrent-context: {context}\nkind: Config\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n",
                server = kc.server,
                cl = kc.cluster,
                user = kc.user,
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
pub fn cluster_info(cluster: &Cluster) -> Output {
    let server = &cluster.profile.kubeconfig.server;
    let mut out = Output::default();
    out.out(format!("Kubernetes control plane is running at {server}\nCoreDNS is running at {server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."));
    out
}
