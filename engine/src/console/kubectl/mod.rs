//! The kubectl command set.

mod api_resources;
mod apply;
mod config;
mod create;
mod create_batch;
mod create_configmap;
mod create_deployment;
mod create_service;
mod delete;
mod describe;
mod describe_batch;
mod describe_node;
mod describe_service;
mod describe_sets;
mod describe_volumes;
mod describe_workloads;
mod diff;
mod drain;
mod dry_run;
mod edit;
pub(crate) mod exec;
pub(crate) mod explain;
pub(crate) mod flags;
mod generate;
mod get;
mod label;
pub(crate) mod logs;
mod object_update;
mod output_templates;
mod patch;
mod replace;
mod resources;
pub(crate) mod rollout;
mod rollout_workloads;
mod run;
mod scale;
mod set_env;
mod set_image;
mod set_resources;
mod unified_diff;
mod version;
mod wait;
pub(crate) mod watch;

use crate::cluster::Cluster;
use crate::output::Output;

/// Top-level kubectl commands, for dispatch, completion and "Did you mean" suggestions.
pub(crate) const COMMANDS: &[&str] = &[
    "annotate",
    "api-resources",
    "apply",
    "cluster-info",
    "config",
    "cordon",
    "create",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "exec",
    "explain",
    "expose",
    "get",
    "label",
    "logs",
    "patch",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "top",
    "uncordon",
    "version",
    "wait",
];

/// Runs `kubectl ARGS`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let Some((command, rest)) = args.split_first() else {
        let mut o = Output::default();
        o.out(USAGE);
        return o;
    };
    match command.as_str() {
        "get" if watch::wanted(rest) => watch::run(cluster, rest),
        "get" => get::run(cluster, rest),
        "run" => run::run(cluster, rest),
        "apply" => apply::run(cluster, rest, stdin, apply::Mode::Apply),
        "create" => create::run(cluster, rest, stdin),
        "delete" => delete::run(cluster, rest, stdin),
        "version" => version::run(rest),
        "wait" => wait::run(cluster, rest),
        "api-resources" => api_resources::run(rest),
        "explain" => explain::run(rest),
        "describe" => describe::run(cluster, rest),
        "logs" => logs::run(cluster, rest),
        "exec" => exec::run(cluster, rest),
        "expose" => create_service::expose(cluster, rest),
        "cordon" => drain::cordon(cluster, rest, true),
        "uncordon" => drain::cordon(cluster, rest, false),
        "drain" => drain::drain(cluster, rest),
        "config" => config::run(cluster, rest),
        "cluster-info" => config::cluster_info(cluster),
        "label" => label::run(cluster, rest, label::Target::Labels),
        "annotate" => label::run(cluster, rest, label::Target::Annotations),
        "scale" => scale::run(cluster, rest),
        "set" => set_image::run(cluster, rest),
        "rollout" => rollout::run(cluster, rest),
        "patch" => patch::run(cluster, rest, stdin),
        "replace" => replace::run(cluster, rest, stdin),
        "diff" => diff::run(cluster, rest, stdin),
        "edit" => edit::run(cluster, rest),
        "help" | "--help" | "-h" => {
            let mut o = Output::default();
            o.out(USAGE);
            o
        }
        c if COMMANDS.contains(&c) => {
            error(format!("\"kubectl {c}\" is not simulated in Kubeplay yet"))
        }
        c if c.starts_with('-') => error(format!(
            "unknown flag: {c}\nSee 'kubectl --help' for usage."
        )),
        other => unknown_command(other),
    }
}

/// kubectl's note on stderr when a request matched nothing (not an error: exit code 0).
/// `kubectl describe ARGS`, read-only: what the board's describe panel shows.
pub fn describe_readonly(cluster: &Cluster, args: &[String]) -> Output {
    describe::run(cluster, args)
}

pub fn no_resources_found(namespaced: bool, namespace: &str) -> Output {
    let mut o = Output::default();
    o.err(if namespaced {
        format!("No resources found in {namespace} namespace.")
    } else {
        "No resources found".into()
    });
    o
}

/// An `error: ...` line on stderr with exit code 1.
pub fn error(message: impl AsRef<str>) -> Output {
    Output::failure(format!("error: {}", message.as_ref()))
}

/// The namespace a command works in: `-n`, or the context's.
fn namespace(cluster: &Cluster, parsed: &flags::Parsed) -> String {
    parsed
        .value("namespace")
        .map(str::to_string)
        .unwrap_or_else(|| cluster.console.namespace.clone())
}

fn unknown_command(command: &str) -> Output {
    let suggestions: Vec<&str> = COMMANDS
        .iter()
        .copied()
        .filter(|c| levenshtein(c, command) <= 2 || c.starts_with(command))
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

/// Edit distance between two strings, as cobra uses for suggestions.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

const USAGE: &str = "\
kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  exec            Execute a command in a container

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Other Commands:
  api-resources   Print the supported API resources on the server
  config          Modify kubeconfig files
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command.";

/// A Go duration (`30s`, `5m`, `1h30m`, `250ms`, or a bare number of seconds) as simulated
/// time; `None` if it does not parse.
pub fn parse_duration(text: &str) -> Option<crate::clock::SimDuration> {
    if let Ok(secs) = text.parse::<u64>() {
        return Some(crate::clock::SimDuration::seconds(secs as i64));
    }
    let mut total_ms: f64 = 0.0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total_ms += value * factor;
        rest = &rest[unit_len..];
    }
    Some(crate::clock::SimDuration::millis(total_ms as i64))
}

/// The flags `kubectl VERB [SUB]` accepts besides the global ones (for completion): the
/// very tables the verbs parse with.
pub(crate) fn verb_flags(verb: &str, sub: Option<&str>) -> &'static [flags::Flag] {
    match (verb, sub) {
        ("get", _) => watch::FLAGS,
        ("run", _) => run::FLAGS,
        ("apply", _) => apply::FLAGS,
        ("create", Some("namespace" | "ns")) => create::NS_FLAGS,
        ("create", Some("deployment" | "deploy")) => create_deployment::FLAGS,
        ("create", Some("service" | "svc")) => create_service::SERVICE_FLAGS,
        ("create", Some("configmap" | "cm")) => create_configmap::CM_FLAGS,
        ("create", Some("job")) => create_batch::JOB_FLAGS,
        ("create", Some("cronjob" | "cj")) => create_batch::CRONJOB_FLAGS,
        ("create", Some("serviceaccount" | "sa")) => generate::FLAGS,
        ("create", _) => apply::FLAGS,
        ("delete", _) => delete::FLAGS,
        ("describe", _) => describe::FLAGS,
        ("diff", _) => diff::FLAGS,
        ("drain", _) => drain::DRAIN_FLAGS,
        ("cordon" | "uncordon", _) => drain::CORDON_FLAGS,
        ("edit", _) => edit::FLAGS,
        ("exec", _) => exec::FLAGS,
        ("explain", _) => explain::FLAGS,
        ("expose", _) => create_service::EXPOSE_FLAGS,
        ("label" | "annotate", _) => label::FLAGS,
        ("logs", _) => logs::FLAGS,
        ("patch", _) => patch::FLAGS,
        ("replace", _) => replace::FLAGS,
        ("rollout", _) => rollout::FLAGS,
        ("scale", _) => scale::FLAGS,
        ("set", Some("env")) => set_env::FLAGS,
        ("set", Some("resources")) => set_resources::FLAGS,
        ("set", Some("image")) => set_image::FLAGS,
        ("version", _) => version::FLAGS,
        ("wait", _) => wait::FLAGS,
        ("api-resources", _) => api_resources::FLAGS,
        ("config", Some("set-context")) => config::SET_CONTEXT_FLAGS,
        _ => &[],
    }
}
