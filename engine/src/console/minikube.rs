//! `minikube` on the learner's laptop (the `minikube` profile only; elsewhere bash does not
//! find it): `addons`, `service`, `service list`, `tunnel`, `ip`, `status`, `version`, with
//! minikube v1.37's texts.
//!
//! Which minikube this is: the docker driver on Linux in a setup where minikube forwards
//! ports through SSH (`driver.NeedsPortForward`: WSL2, Docker Desktop, rootless docker), so
//! `minikube service` tunnels every service it opens to `http://127.0.0.1:PORT` (after the
//! NodePort table) and `minikube tunnel` gives LoadBalancer Services the ingress IP
//! `127.0.0.1` and forwards their ports there, as `pkg/minikube/tunnel/kic` does. The
//! laptop still reaches the node (`192.168.49.2`) directly. Messages are minikube's
//! 7-bit forms (`* `, `! `, `X ` instead of emoji), as on a terminal without colour.
//!
//! Both commands block until Ctrl-C on a real laptop. Here they return at once and their
//! tunnels stay open: those of `minikube service` until it runs again (the previous one
//! was interrupted to type it), `minikube tunnel`'s for the rest of the session, where it
//! keeps tunnelling new LoadBalancer Services after each console line ([`after_line`]),
//! silently, as its output would go to the terminal it holds. Tunnels live in
//! `network::Network::tunnels` (local port → Service port), which the router honours.

mod addons;
mod service;
mod sha1;
mod table;
mod tunnel;

pub(crate) use tunnel::after_line;

use std::collections::BTreeMap;

use crate::cluster::Cluster;
use crate::output::Output;

/// What minikube keeps running between console lines.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    /// The local ports of the last `minikube service`'s tunnels.
    service_ports: Vec<u16>,
    /// `minikube tunnel`, when running: its connections by minikube's unique name
    /// (`NAME-CLUSTERIP-PORT…`) → the Service (namespace, name) and the local ports it holds.
    tunnel: Option<BTreeMap<String, TunnelConn>>,
    /// The profile's addons.
    addons: addons::Addons,
}

/// One SSH connection of `minikube tunnel`.
#[derive(Clone, Debug)]
struct TunnelConn {
    service: (String, String),
    ports: Vec<u16>,
}

/// minikube's version and the commit its release was built from.
const VERSION: &str = "v1.37.0";
const COMMIT: &str = "65318f4cfff9c12cc87ec9eb8f4cdd57b25047f3";

/// The profile (and machine) name.
const PROFILE: &str = "minikube";

/// minikube's top-level commands (for cobra's "Did you mean this?").
const COMMANDS: &[&str] = &[
    "addons",
    "cache",
    "completion",
    "config",
    "cp",
    "dashboard",
    "delete",
    "docker-env",
    "help",
    "image",
    "ip",
    "kubectl",
    "license",
    "logs",
    "mount",
    "node",
    "options",
    "pause",
    "podman-env",
    "profile",
    "service",
    "ssh",
    "ssh-host",
    "ssh-key",
    "start",
    "status",
    "stop",
    "tunnel",
    "unpause",
    "update-check",
    "update-context",
    "version",
];

/// The commands Kubeplay runs (Tab completion offers these).
pub(crate) const SIMULATED: &[&str] = &[
    "addons", "ip", "service", "ssh", "status", "tunnel", "version",
];

/// Exit code of a usage error (`reason.ExProgramUsage`).
const EX_USAGE: i32 = 14;

/// Runs `minikube ARGS…`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let Some(command) = command_of(args) else {
        return help();
    };
    let rest: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != command.0)
        .map(|(_, a)| a.clone())
        .collect();
    match command.1 {
        "addons" => addons::run(cluster, &rest, stdin),
        "service" => service::run(cluster, &rest),
        "tunnel" => tunnel::run(cluster, &rest),
        "ip" => ip(&rest),
        "ssh" => super::ssh::minikube(cluster, &rest, stdin),
        "status" => status(cluster, &rest),
        "version" => version(&rest),
        "help" => help(),
        other if COMMANDS.contains(&other) => Output::failure(format!(
            "\"minikube {other}\" is not simulated in Kubeplay yet"
        )),
        other => unknown_command(other),
    }
}

/// The index and name of the command among `args` (after global flags such as `-p NAME`);
/// `None` for none, or for `-h`/`--help` before it.
fn command_of(args: &[String]) -> Option<(Option<usize>, &str)> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-h" | "--help" => return None,
            "-p" | "--profile" => i += 2,
            a if a.starts_with('-') => i += 1,
            a => return Some((Some(i), a)),
        }
    }
    None
}

/// `minikube` alone: the commands Kubeplay simulates (minikube's own help lists ~30).
fn help() -> Output {
    let mut o = Output::default();
    o.out(
        "minikube provisions and manages local Kubernetes clusters optimized for development workflows.\n\n\
         Kubeplay simulates these minikube commands:\n  \
         addons          Enable or disable a minikube addon\n  \
         ip              Retrieves the IP address of the specified node\n  \
         service         Returns a URL to connect to a service\n  \
         ssh             Log into the minikube environment (for debugging)\n  \
         status          Gets the status of a local Kubernetes cluster\n  \
         tunnel          Connect to LoadBalancer services\n  \
         version         Print the version of minikube",
    );
    o
}

/// cobra's answer to a command minikube does not have.
fn unknown_command(command: &str) -> Output {
    let lower = command.to_lowercase();
    let close: Vec<&&str> = COMMANDS
        .iter()
        .filter(|c| {
            crate::api::manifest::edit_distance(c, &lower) <= 2 || c.starts_with(lower.as_str())
        })
        .collect();
    let mut message = format!("Error: unknown command \"{command}\" for \"minikube\"");
    if !close.is_empty() {
        message.push_str("\n\nDid you mean this?\n");
        for c in close {
            message.push_str(&format!("\t{c}\n"));
        }
    }
    message.push_str("\nRun 'minikube --help' for usage.");
    let mut o = Output::failure(message);
    o.exit_code = EX_USAGE;
    o
}

/// A flag a command takes.
struct Flag {
    long: &'static str,
    short: Option<char>,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Str,
    Int,
}

const fn flag(long: &'static str, short: Option<char>, kind: Kind) -> Flag {
    Flag { long, short, kind }
}

/// Flags every command takes (minikube's persistent root flags the course may use).
const GLOBAL: &[Flag] = &[
    flag("profile", Some('p'), Kind::Str),
    flag("alsologtostderr", None, Kind::Bool),
    flag("logtostderr", None, Kind::Bool),
    flag("v", Some('v'), Kind::Int),
];

/// A command line parsed as pflag would: positionals and flag values (the last one wins).
#[derive(Default)]
struct Parsed {
    args: Vec<String>,
    values: BTreeMap<&'static str, String>,
}

impl Parsed {
    fn value(&self, long: &str) -> Option<&str> {
        self.values.get(long).map(String::as_str)
    }

    fn bool(&self, long: &str) -> bool {
        self.value(long) == Some("true")
    }
}

/// Parses `args` against `flags` and [`GLOBAL`]; the error is pflag's message.
fn parse(args: &[String], flags: &[Flag]) -> Result<Parsed, String> {
    let all = || flags.iter().chain(GLOBAL);
    let mut parsed = Parsed::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            parsed.args.extend(it.by_ref().cloned());
            break;
        }
        let (spec, inline, shown) = if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec = all()
                .find(|f| f.long == name)
                .ok_or_else(|| format!("unknown flag: --{name}"))?;
            (spec, inline, format!("--{name}"))
        } else if let Some(body) = a.strip_prefix('-').filter(|b| !b.is_empty()) {
            let c = body.chars().next().unwrap_or('-');
            let spec = all()
                .find(|f| f.short == Some(c))
                .ok_or_else(|| format!("unknown shorthand flag: '{c}' in {a}"))?;
            let rest = &body[c.len_utf8()..];
            let inline = (!rest.is_empty()).then(|| rest.trim_start_matches('=').to_string());
            (spec, inline, format!("'{c}' in {a}"))
        } else {
            parsed.args.push(a.clone());
            continue;
        };
        let value = match (spec.kind, inline) {
            (_, Some(v)) => v,
            (Kind::Bool, None) => "true".into(),
            (_, None) => it
                .next()
                .cloned()
                .ok_or_else(|| format!("flag needs an argument: {shown}"))?,
        };
        let name = format!("--{}", spec.long);
        let value = match spec.kind {
            Kind::Bool => match value.as_str() {
                "1" | "t" | "T" | "true" | "TRUE" | "True" => "true".into(),
                "0" | "f" | "F" | "false" | "FALSE" | "False" => "false".into(),
                _ => {
                    return Err(format!(
                        "invalid argument \"{value}\" for \"{name}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"
                    ))
                }
            },
            Kind::Int if value.parse::<i64>().is_err() => {
                return Err(format!(
                    "invalid argument \"{value}\" for \"{name}\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax"
                ))
            }
            _ => value,
        };
        parsed.values.insert(spec.long, value);
    }
    Ok(parsed)
}

/// Parses a command's flags; `Err` is cobra's output for a bad one (its usage text left out).
fn parse_or_usage(args: &[String], flags: &[Flag]) -> Result<Parsed, Output> {
    parse(args, flags).map_err(|e| {
        let mut o = Output::failure(format!("Error: {e}"));
        o.exit_code = EX_USAGE;
        o
    })
}

/// minikube's answer when `-p` names a profile that does not exist (`mustload.Partial`).
fn missing_profile(parsed: &Parsed) -> Option<Output> {
    let name = parsed.value("profile").unwrap_or(PROFILE);
    if name == PROFILE {
        return None;
    }
    let mut o = Output::default();
    o.out(format!(
        "* Profile \"{name}\" not found. Run \"minikube profile list\" to view all profiles."
    ));
    o.out(format!(
        "  To start a cluster, run: \"minikube start -p {name}\""
    ));
    o.exit_code = 85;
    Some(o)
}

/// `exit.Message`: a blank line, `X Exiting due to ID: message` on stderr, a blank line.
fn exit_message(prefix: &str, id: &str, message: &str, code: i32) -> Output {
    let mut o = Output::default();
    o.out("");
    o.err(format!("{prefix}Exiting due to {id}: {message}"));
    o.out("");
    o.exit_code = code;
    o
}

/// `displayGitHubIssueMessage`, after an [`exit_message`] for an unexpected error: the
/// rounded box asking for a bug report, naming the command's log file (a digest of the user
/// and the command's arguments), then the final blank line.
fn report_issue(o: &mut Output, command: &str, args: &[String]) {
    // The final blank line comes after the box.
    o.chunks.pop();
    let mut seed = String::from("root");
    seed.push_str(command);
    for a in args {
        seed.push_str(a);
    }
    let log = format!(
        "/tmp/minikube_{command}_{}_0.log",
        sha1::hex(seed.as_bytes())
    );
    o.err("* ");
    o.err(table::boxed(&format!(
        "* If the above advice does not help, please let us know:\n  \
         https://github.com/kubernetes/minikube/issues/new/choose\n\n\
         * Please run `minikube logs --file=logs.txt` and attach logs.txt to the GitHub issue.\n\
         * Please also attach the following file to the GitHub issue:\n\
         * - {log}"
    )));
    o.out("");
}

/// `minikube ip`: the node's address.
fn ip(args: &[String]) -> Output {
    let parsed = match parse_or_usage(args, &[flag("node", Some('n'), Kind::Str)]) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if let Some(o) = missing_profile(&parsed) {
        return o;
    }
    match parsed.value("node") {
        None | Some("") | Some(PROFILE) => {
            let mut o = Output::default();
            o.out("192.168.49.2");
            o
        }
        Some(other) => Output::failure(format!(
            "\"minikube ip -n {other}\": Kubeplay's minikube has one node, minikube"
        )),
    }
}

/// The status fields of the running node, in `cluster.Status`'s order.
const STATUS: [(&str, &str); 5] = [
    ("Name", PROFILE),
    ("Host", "Running"),
    ("Kubelet", "Running"),
    ("APIServer", "Running"),
    ("Kubeconfig", "Configured"),
];

/// The default `--format` of `minikube status`.
const STATUS_FORMAT: &str = "{{.Name}}\ntype: Control Plane\nhost: {{.Host}}\nkubelet: {{.Kubelet}}\napiserver: {{.APIServer}}\nkubeconfig: {{.Kubeconfig}}\n\n";

/// `minikube status [-o text|json] [-f FORMAT]`.
fn status(cluster: &Cluster, args: &[String]) -> Output {
    let flags = [
        flag("output", Some('o'), Kind::Str),
        flag("format", Some('f'), Kind::Str),
        flag("node", Some('n'), Kind::Str),
        flag("layout", Some('l'), Kind::Str),
    ];
    let parsed = match parse_or_usage(args, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let output = parsed.value("output").unwrap_or("text").to_lowercase();
    let format = parsed.value("format");
    if output != "text" && format.is_some_and(|f| f != STATUS_FORMAT) {
        return exit_message(
            "X ",
            "MK_USAGE",
            "Cannot use both --output and --format options",
            EX_USAGE,
        );
    }
    if let Some(o) = missing_profile(&parsed) {
        return o;
    }
    // The node's kubelet may be stopped (`minikube ssh -- sudo systemctl stop kubelet`):
    // the exit status then has `clusterNotRunningStatusFlag` (2).
    let stopped = cluster
        .profile
        .nodes
        .first()
        .is_some_and(|n| cluster.world.heartbeats.is_down(&n.name));
    let fields = STATUS.map(|(field, value)| match field {
        "Kubelet" if stopped => (field, "Stopped"),
        _ => (field, value),
    });
    let mut o = Output::default();
    if stopped {
        o.exit_code = 2;
    }
    match output.as_str() {
        "text" => {
            let mut text = format.unwrap_or(STATUS_FORMAT).to_string();
            for (field, value) in fields {
                text = text.replace(&format!("{{{{.{field}}}}}"), value);
            }
            text = text.replace("{{.Worker}}", "false");
            o.out_raw(text);
        }
        "json" => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("\"{k}\":\"{v}\""))
                .collect();
            o.out_raw(format!("{{{},\"Worker\":false}}", fields.join(",")));
        }
        other => {
            return exit_message(
                "X ",
                "MK_USAGE",
                &format!("invalid output format: {other}. Valid values: 'text', 'json'"),
                EX_USAGE,
            )
        }
    }
    o
}

/// `minikube version [--short] [-o json|yaml]`.
fn version(args: &[String]) -> Output {
    let flags = [
        flag("short", None, Kind::Bool),
        flag("output", Some('o'), Kind::Str),
        flag("components", None, Kind::Bool),
    ];
    let parsed = match parse_or_usage(args, &flags) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut o = Output::default();
    match parsed.value("output").unwrap_or("") {
        "" if parsed.bool("short") => o.out(VERSION),
        "" => o.out(format!("minikube version: {VERSION}\ncommit: {COMMIT}")),
        "json" => o.out(format!(
            "{{\"commit\":\"{COMMIT}\",\"minikubeVersion\":\"{VERSION}\"}}"
        )),
        "yaml" => o.out(format!("commit: {COMMIT}\nminikubeVersion: {VERSION}\n")),
        _ => {
            return exit_message(
                "X ",
                "MK_OUTPUT_USAGE",
                "error: --output must be 'yaml' or 'json'",
                10,
            )
        }
    }
    o
}

#[cfg(test)]
mod tests;
