//! The kubectl command set.

mod api_resources;
mod apply;
mod auth;
mod autoscale;
mod catalog;
mod certificate;
mod completion;
mod config;
mod cp;
mod create;
mod create_batch;
mod create_configmap;
mod create_deployment;
mod create_ingress;
mod create_quota;
mod create_rbac;
mod create_secret;
mod create_service;
mod data_sources;
mod delete;
mod describe;
mod diff;
pub(crate) mod drain;
mod dry_run;
mod edit;
mod events;
pub(crate) mod exec;
pub(crate) mod explain;
mod flag_values;
pub(crate) mod flags;
mod generate;
mod get;
mod get_raw;
mod impersonate;
mod label;
pub(crate) mod logs;
mod object_update;
mod output_templates;
mod overrides;
mod patch;
mod port_forward;
mod replace;
mod resources;
mod reviews;
pub(crate) mod rollout;
mod rollout_workloads;
mod run;
pub(crate) mod run_attach;
mod scale;
mod set_env;
mod set_image;
mod set_resources;
mod sort_by;
mod taint;
mod top;
mod unified_diff;
mod version;
mod wait;
pub(crate) mod watch;

use crate::api::manifest::edit_distance;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::sort::SliceSort;
pub(crate) use create_secret::SUBCOMMANDS as SECRET_TYPES;
pub use flag_values::{duration_flag, int_flag};

/// One kubectl verb: the one row that drives dispatch, `kubectl --help`, Tab completion
/// and "Did you mean". Adding a verb is its module plus its row here.
pub(crate) struct Verb {
    /// `get`, `rollout`, ...
    pub name: &'static str,
    /// Its group and one-line description in `kubectl --help` (`None`: not listed there).
    pub help: Option<(Group, &'static str)>,
    /// Runs `kubectl NAME ARGS` (with the pipe's stdin); `None`: not simulated yet.
    pub run: Option<RunVerb>,
    /// The flags it accepts besides the global ones, by subcommand (for completion): the
    /// very tables it parses with.
    pub flags: fn(Option<&str>) -> &'static [flags::Flag],
}

/// How a verb runs: the cluster, its arguments, and the pipe's stdin.
pub(crate) type RunVerb = fn(&mut Cluster, &[String], Option<&str>) -> Output;

/// The groups of `kubectl --help`, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    Beginner,
    Intermediate,
    Deploy,
    ClusterManagement,
    Troubleshooting,
    Advanced,
    Settings,
    Other,
}

impl Group {
    const ALL: [Group; 8] = [
        Group::Beginner,
        Group::Intermediate,
        Group::Deploy,
        Group::ClusterManagement,
        Group::Troubleshooting,
        Group::Advanced,
        Group::Settings,
        Group::Other,
    ];

    fn title(self) -> &'static str {
        match self {
            Group::Beginner => "Basic Commands (Beginner):",
            Group::Intermediate => "Basic Commands (Intermediate):",
            Group::Deploy => "Deploy Commands:",
            Group::ClusterManagement => "Cluster Management Commands:",
            Group::Troubleshooting => "Troubleshooting and Debugging Commands:",
            Group::Advanced => "Advanced Commands:",
            Group::Settings => "Settings Commands:",
            Group::Other => "Other Commands:",
        }
    }
}

fn no_flags(_: Option<&str>) -> &'static [flags::Flag] {
    &[]
}

/// Every verb, in the order `kubectl --help` lists them within each group.
pub(crate) const VERBS: &[Verb] = &[
    Verb {
        name: "create",
        help: Some((Group::Beginner, "Create a resource from a file or from stdin")),
        run: Some(create::run),
        flags: |sub| match sub {
            Some("namespace" | "ns") => create::NS_FLAGS,
            Some("deployment" | "deploy") => create_deployment::FLAGS,
            Some("service" | "svc") => create_service::SERVICE_FLAGS,
            Some("configmap" | "cm") => create_configmap::CM_FLAGS,
            Some("secret") => create_secret::ALL_FLAGS,
            Some("job") => create_batch::JOB_FLAGS,
            Some("cronjob" | "cj") => create_batch::CRONJOB_FLAGS,
            Some("ingress" | "ing") => create_ingress::FLAGS,
            Some("quota" | "resourcequota") => create_quota::FLAGS,
            Some("serviceaccount" | "sa") => generate::FLAGS,
            Some("role") => create_rbac::ROLE_FLAGS,
            Some("clusterrole") => create_rbac::CLUSTERROLE_FLAGS,
            Some("rolebinding" | "clusterrolebinding") => create_rbac::BINDING_FLAGS,
            Some("token") => create_rbac::TOKEN_FLAGS,
            _ => apply::FLAGS,
        },
    },
    Verb {
        name: "expose",
        help: Some((Group::Beginner, "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service")),
        run: Some(|c, a, _| create_service::expose(c, a)),
        flags: |_| create_service::EXPOSE_FLAGS,
    },
    Verb {
        name: "run",
        help: Some((Group::Beginner, "Run a particular image on the cluster")),
        run: Some(|c, a, _| run::run(c, a)),
        flags: |_| run::FLAGS,
    },
    Verb {
        name: "set",
        help: Some((Group::Beginner, "Set specific features on objects")),
        run: Some(|c, a, _| set_image::run(c, a)),
        flags: |sub| match sub {
            Some("env") => set_env::FLAGS,
            Some("resources") => set_resources::FLAGS,
            Some("image") => set_image::FLAGS,
            _ => &[],
        },
    },
    Verb {
        name: "explain",
        help: Some((Group::Intermediate, "Get documentation for a resource")),
        run: Some(|c, a, _| explain::run(c, a)),
        flags: |_| explain::FLAGS,
    },
    Verb {
        name: "get",
        help: Some((Group::Intermediate, "Display one or many resources")),
        run: Some(|c, a, _| {
            if get_raw::wanted(a) {
                get_raw::run(c, a)
            } else if watch::wanted(a) {
                watch::run(c, a)
            } else {
                get::run(c, a)
            }
        }),
        flags: |_| watch::FLAGS,
    },
    Verb {
        name: "edit",
        help: Some((Group::Intermediate, "Edit a resource on the server")),
        run: Some(|c, a, _| edit::run(c, a)),
        flags: |_| edit::FLAGS,
    },
    Verb {
        name: "delete",
        help: Some((Group::Intermediate, "Delete resources by file names, stdin, resources and names, or by resources and label selector")),
        run: Some(delete::run),
        flags: |_| delete::FLAGS,
    },
    Verb {
        name: "rollout",
        help: Some((Group::Deploy, "Manage the rollout of a resource")),
        run: Some(|c, a, _| rollout::run(c, a)),
        flags: |_| rollout::FLAGS,
    },
    Verb {
        name: "scale",
        help: Some((Group::Deploy, "Set a new size for a deployment, replica set, or replication controller")),
        run: Some(|c, a, _| scale::run(c, a)),
        flags: |_| scale::FLAGS,
    },
    Verb {
        name: "autoscale",
        help: Some((Group::Deploy, "Auto-scale a deployment, replica set, stateful set, or replication controller")),
        run: Some(|c, a, _| autoscale::run(c, a)),
        flags: |_| autoscale::FLAGS,
    },
    Verb {
        name: "certificate",
        help: Some((Group::ClusterManagement, "Modify certificate resources")),
        run: Some(|c, a, _| certificate::run(c, a)),
        flags: |_| certificate::FLAGS,
    },
    Verb {
        name: "cluster-info",
        help: Some((Group::ClusterManagement, "Display cluster information")),
        run: Some(|c, _, _| config::cluster_info(c)),
        flags: no_flags,
    },
    Verb {
        name: "top",
        help: Some((Group::ClusterManagement, "Display resource (CPU/memory) usage")),
        run: Some(|c, a, _| top::run(c, a)),
        flags: |_| top::FLAGS,
    },
    Verb {
        name: "cordon",
        help: Some((Group::ClusterManagement, "Mark node as unschedulable")),
        run: Some(|c, a, _| drain::cordon(c, a, true)),
        flags: |_| drain::CORDON_FLAGS,
    },
    Verb {
        name: "uncordon",
        help: Some((Group::ClusterManagement, "Mark node as schedulable")),
        run: Some(|c, a, _| drain::cordon(c, a, false)),
        flags: |_| drain::CORDON_FLAGS,
    },
    Verb {
        name: "drain",
        help: Some((Group::ClusterManagement, "Drain node in preparation for maintenance")),
        run: Some(|c, a, _| drain::drain(c, a)),
        flags: |_| drain::DRAIN_FLAGS,
    },
    Verb {
        name: "taint",
        help: Some((Group::ClusterManagement, "Update the taints on one or more nodes")),
        run: Some(|c, a, _| taint::run(c, a)),
        flags: |_| taint::FLAGS,
    },
    Verb {
        name: "describe",
        help: Some((Group::Troubleshooting, "Show details of a specific resource or group of resources")),
        run: Some(|c, a, _| describe::run(c, a)),
        flags: |_| describe::FLAGS,
    },
    Verb {
        name: "logs",
        help: Some((Group::Troubleshooting, "Print the logs for a container in a pod")),
        run: Some(|c, a, _| logs::run(c, a)),
        flags: |_| logs::FLAGS,
    },
    Verb {
        name: "exec",
        help: Some((Group::Troubleshooting, "Execute a command in a container")),
        run: Some(|c, a, _| exec::run(c, a)),
        flags: |_| exec::FLAGS,
    },
    Verb {
        name: "port-forward",
        help: Some((Group::Troubleshooting, "Forward one or more local ports to a pod")),
        run: Some(|c, a, _| port_forward::run(c, a)),
        flags: |_| port_forward::FLAGS,
    },
    Verb {
        name: "cp",
        help: Some((Group::Troubleshooting, "Copy files and directories to and from containers")),
        run: Some(|c, a, _| cp::run(c, a)),
        flags: |_| cp::FLAGS,
    },
    Verb {
        name: "auth",
        help: Some((Group::Troubleshooting, "Inspect authorization")),
        run: Some(|c, a, _| auth::run(c, a)),
        flags: |sub| match sub {
            Some("can-i") => auth::CAN_I_FLAGS,
            Some("whoami") => auth::WHOAMI_FLAGS,
            _ => &[],
        },
    },
    Verb {
        name: "events",
        help: Some((Group::Troubleshooting, "List events")),
        run: Some(|c, a, _| events::run(c, a)),
        flags: |_| events::FLAGS,
    },
    Verb {
        name: "diff",
        help: Some((Group::Advanced, "Diff the live version against a would-be applied version")),
        run: Some(diff::run),
        flags: |_| diff::FLAGS,
    },
    Verb {
        name: "apply",
        help: Some((Group::Advanced, "Apply a configuration to a resource by file name or stdin")),
        run: Some(|c, a, stdin| apply::run(c, a, stdin, apply::Mode::Apply)),
        flags: |_| apply::FLAGS,
    },
    Verb {
        name: "patch",
        help: Some((Group::Advanced, "Update fields of a resource")),
        run: Some(patch::run),
        flags: |_| patch::FLAGS,
    },
    Verb {
        name: "replace",
        help: Some((Group::Advanced, "Replace a resource by file name or stdin")),
        run: Some(replace::run),
        flags: |_| replace::FLAGS,
    },
    Verb {
        name: "wait",
        help: None,
        run: Some(|c, a, _| wait::run(c, a)),
        flags: |_| wait::FLAGS,
    },
    Verb {
        name: "label",
        help: Some((Group::Settings, "Update the labels on a resource")),
        run: Some(|c, a, _| label::run(c, a, label::Target::Labels)),
        flags: |_| label::FLAGS,
    },
    Verb {
        name: "annotate",
        help: Some((Group::Settings, "Update the annotations on a resource")),
        run: Some(|c, a, _| label::run(c, a, label::Target::Annotations)),
        flags: |_| label::FLAGS,
    },
    Verb {
        name: "completion",
        help: Some((Group::Settings, "Output shell completion code for the specified shell (bash, zsh, fish, or powershell)")),
        run: Some(|_, a, _| completion::run(a)),
        flags: no_flags,
    },
    Verb {
        name: "api-resources",
        help: Some((Group::Other, "Print the supported API resources on the server")),
        run: Some(|c, a, _| api_resources::run(c, a)),
        flags: |_| api_resources::FLAGS,
    },
    Verb {
        name: "config",
        help: Some((Group::Other, "Modify kubeconfig files")),
        run: Some(|c, a, _| config::run(c, a)),
        flags: |sub| match sub {
            Some("set-context") => config::SET_CONTEXT_FLAGS,
            _ => &[],
        },
    },
    Verb {
        name: "version",
        help: Some((Group::Other, "Print the client and server version information")),
        run: Some(|_, a, _| version::run(a)),
        flags: |_| version::FLAGS,
    },
];

/// The verb called `name`.
pub(crate) fn verb(name: &str) -> Option<&'static Verb> {
    VERBS.iter().find(|v| v.name == name)
}

/// Every verb's name, sorted (completion, "Did you mean").
pub(crate) fn verb_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = VERBS.iter().map(|v| v.name).collect();
    names.stable_sort();
    names
}

/// Runs `kubectl ARGS`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let (globals, args) = leading_globals(args);
    let Some((command, rest)) = args.split_first() else {
        return usage();
    };
    match command.as_str() {
        "help" | "--help" | "-h" => usage(),
        c => match verb(c) {
            Some(Verb { run: Some(_), .. }) if refused(cluster, c, rest) => {
                let server = &cluster.profile.kubeconfig.server;
                let host = server.strip_prefix("https://").unwrap_or(server);
                Output::failure(format!(
                    "The connection to the server {host} was refused - did you specify the right host or port?"
                ))
            }
            Some(Verb { run: Some(run), .. }) => {
                let moved: Vec<String> = globals.iter().chain(rest).cloned().collect();
                run_as(cluster, c, *run, &moved, stdin)
            }
            Some(_) => error(format!("\"kubectl {c}\" is not simulated in Kubeplay yet")),
            None if c.starts_with('-') => flag_before_verb(cluster, globals, args, stdin),
            // cobra finds no command after flags: kubectl's plugin handler answers.
            None if !globals.is_empty() => plugin_flags_error(&globals[0]),
            None => unknown_command(c),
        },
    }
}

/// Whether `kubectl VERB ARGS` needs the API server while it is down (its static pod
/// replaced and not ready yet, or its manifest broken): commands that work from the
/// kubeconfig or the client alone (`config`, `completion`, `version --client`, `--help`) go on.
fn refused(cluster: &Cluster, verb: &str, args: &[String]) -> bool {
    let local = matches!(verb, "config" | "completion" | "plugin" | "kustomize")
        || (verb == "version" && args.iter().any(|a| a == "--client"))
        || args.iter().any(|a| a == "--help" || a == "-h");
    !local && cluster.kubelet.static_pods.api_server_down()
}

/// An unknown flag before the verb, as cobra's `Find` reads it (`stripFlags`): a flag
/// without `=` takes the next word as its value unless it is the last; `-x`-like shorthands
/// do too. The first word left is the command: a verb reports the flag itself; no word left,
/// the root command does (`unknown shorthand flag: 'a' in -apply`); an unknown one is kubectl's
/// plugin handler's complaint.
fn flag_before_verb(
    cluster: &mut Cluster,
    globals: &[String],
    args: &[String],
    stdin: Option<&str>,
) -> Output {
    let mut i = 0;
    let mut word = None;
    while let Some(a) = args.get(i) {
        let takes_value = !a.contains('=')
            && (a.starts_with("--") || (a.starts_with('-') && a.chars().count() == 2));
        if a == "--" {
            break;
        } else if takes_value {
            if args.len() - i - 1 <= 1 {
                break;
            }
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            word = Some(i);
            break;
        }
    }
    match word {
        Some(at) => match verb(&args[at]) {
            Some(Verb { run: Some(run), .. }) => {
                let rest: Vec<String> = globals
                    .iter()
                    .chain(&args[..at])
                    .chain(&args[at + 1..])
                    .cloned()
                    .collect();
                run_as(cluster, args[at].as_str(), *run, &rest, stdin)
            }
            _ => plugin_flags_error(globals.first().unwrap_or(&args[0])),
        },
        None => {
            let first = &args[0];
            let message = match first.strip_prefix("--") {
                Some(long) => format!("unknown flag: --{}", long.split('=').next().unwrap_or(long)),
                None => {
                    let c = first.chars().nth(1).unwrap_or('-');
                    if flags::GLOBAL.iter().any(|f| f.short == Some(c)) {
                        format!("flag needs an argument: '{c}' in -{c}")
                    } else {
                        format!("unknown shorthand flag: '{c}' in {first}")
                    }
                }
            };
            error(format!("{message}\nSee 'kubectl --help' for usage."))
        }
    }
}

/// kubectl's plugin handler when flags come before a word that is no command.
fn plugin_flags_error(first: &str) -> Output {
    Output::failure(format!(
        "Error: flags cannot be placed before plugin name: {first}"
    ))
}

/// Runs a verb as the user its `--as` flags name (its reads checked first, its writes as
/// they are made), or as the console's admin.
fn run_as(
    cluster: &mut Cluster,
    verb: &str,
    run: RunVerb,
    args: &[String],
    stdin: Option<&str>,
) -> Output {
    let Some(user) = impersonate::requested(args) else {
        return run(cluster, args, stdin);
    };
    if let Err(denied) = impersonate::check_reads(cluster, &user, verb, args) {
        return denied;
    }
    cluster.console.acting = Some(user);
    let out = run(cluster, args, stdin);
    cluster.console.acting = None;
    out
}

/// The global flags given before the verb (`kubectl -n NS get pods`: cobra reads them
/// anywhere), and the arguments from the verb on; the verb parses them with its own.
fn leading_globals(args: &[String]) -> (&[String], &[String]) {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let global = |name: &str| flags::GLOBAL.iter().any(|f| f.long == name);
        let (is_global, inline) = if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = body
                .split_once('=')
                .map_or((body, false), |(n, _)| (n, true));
            (global(name), inline)
        } else if let Some(short) = arg.strip_prefix('-').and_then(|a| a.chars().next()) {
            let known = flags::GLOBAL.iter().any(|f| f.short == Some(short));
            (known, arg.len() > 2)
        } else {
            (false, false)
        };
        // Only a complete flag is moved: one lacking its value is left for the verb to report.
        if !is_global || (!inline && args.get(i + 1).is_none()) {
            break;
        }
        i += if inline { 1 } else { 2 };
    }
    args.split_at(i.min(args.len()))
}

/// `kubectl --help`, from the verb table.
fn usage() -> Output {
    let mut text = String::from(USAGE_HEADER);
    for group in Group::ALL {
        text.push_str(group.title());
        text.push('\n');
        for v in VERBS {
            if let Some((g, short)) = v.help.filter(|(g, _)| *g == group) {
                let _ = g;
                text.push_str(&format!("  {:<15} {short}\n", v.name));
            }
        }
        text.push('\n');
    }
    text.push_str(USAGE_FOOTER);
    let mut o = Output::default();
    o.out(text);
    o
}

/// kubectl's note on stderr when a request matched nothing (not an error: exit code 0).
pub fn no_resources_found(namespaced: bool, namespace: &str) -> Output {
    let mut o = Output::default();
    o.err(if namespaced {
        format!("No resources found in {namespace} namespace.")
    } else {
        "No resources found".into()
    });
    o
}

/// An `error: ...` line on stderr with exit code 1 (an apiserver error keeps its own prefix).
pub fn error(message: impl AsRef<str>) -> Output {
    let message = message.as_ref();
    if message.starts_with("Error from server") {
        return Output::failure(message);
    }
    Output::failure(format!("error: {message}"))
}

/// The namespace a command works in: `-n`, or the context's.
fn namespace(cluster: &Cluster, parsed: &flags::Parsed) -> String {
    parsed
        .value("namespace")
        .map(str::to_string)
        .unwrap_or_else(|| cluster.console.namespace.clone())
}

fn unknown_command(command: &str) -> Output {
    let suggestions: Vec<&str> = verb_names()
        .into_iter()
        .filter(|c| edit_distance(c, command) <= 2 || c.starts_with(command))
        .collect();
    let mut message = format!("unknown command \"{command}\" for \"kubectl\"");
    if !suggestions.is_empty() {
        message.push_str("\n\nDid you mean this?\n");
        for s in suggestions {
            message.push_str(&format!("\t{s}\n"));
        }
    }
    error(message)
}

const USAGE_HEADER: &str = "\
kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

";

const USAGE_FOOTER: &str = "\
Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command.";

/// The flags `kubectl VERB [SUB]` accepts besides the global ones (for completion).
pub(crate) fn verb_flags(verb_name: &str, sub: Option<&str>) -> &'static [flags::Flag] {
    verb(verb_name).map_or(&[], |v| (v.flags)(sub))
}

#[cfg(test)]
mod tests {
    use super::leading_globals;

    /// The global flags split off `line` and the rest, joined with spaces.
    fn split(line: &str) -> (String, String) {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        let (globals, rest) = leading_globals(&args);
        (globals.join(" "), rest.join(" "))
    }

    #[test]
    fn global_flags_before_the_verb_are_split_off() {
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            split("-n kube-system get pods"),
            pair("-n kube-system", "get pods")
        );
        assert_eq!(
            split("--namespace=x -nfoo --context c logs p"),
            pair("--namespace=x -nfoo --context c", "logs p")
        );
        assert_eq!(split("-n"), pair("", "-n"));
        assert_eq!(split("-o wide get"), pair("", "-o wide get"));
        assert_eq!(split("get -n x"), pair("", "get -n x"));
    }
}
