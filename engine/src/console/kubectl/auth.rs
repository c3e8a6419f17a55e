//! `kubectl auth`: `can-i` (a SelfSubjectAccessReview, or with `--list` a
//! SelfSubjectRulesReview printed as kubectl's rule table) and `whoami` (a
//! SelfSubjectReview), as `pkg/cmd/auth` does them, for the console's user or the one
//! `--as` names.

use super::flags::{self, Flag};
use super::impersonate::identity;
use crate::apiserver::authz::Attributes;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::tabwriter::tabwrite;

pub(super) const CAN_I_FLAGS: &[Flag] = &[
    flags::boolean("all-namespaces", Some('A')),
    flags::boolean("quiet", Some('q')),
    flags::value("subresource", None),
    flags::boolean("list", None),
    flags::boolean("no-headers", None),
];

pub(super) const WHOAMI_FLAGS: &[Flag] = &[flags::value("output", Some('o'))];

/// The verbs `can-i` knows for resources and for non-resource URLs.
const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];
const URL_VERBS: &[&str] = &[
    "get", "put", "post", "head", "options", "delete", "patch", "*",
];

/// Runs `kubectl auth ...`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    match args.first().map(String::as_str) {
        Some("can-i") => can_i(cluster, &args[1..]),
        Some("whoami") => whoami(cluster, &args[1..]),
        Some("reconcile") => {
            super::error("\"kubectl auth reconcile\" is not simulated in Kubeplay yet")
        }
        // `DefaultSubCommandRun`: `RequireNoArguments`, else the help on stderr, exit 1.
        Some(other) if !other.starts_with('-') => super::error(format!(
            "unknown command [{other:?}]\nSee 'kubectl auth -h' for help and examples"
        )),
        _ => Output::failure(HELP),
    }
}

const HELP: &str = "Inspect authorization

Available Commands:
  can-i       Check whether an action is allowed
  reconcile   Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects
  whoami      Experimental: Check self subject attributes

Usage:
  kubectl auth [flags] [options]

Use \"kubectl auth <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

fn can_i(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("auth can-i", args, CAN_I_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let user = identity(cluster, args);
    let all = parsed.bool("all-namespaces");
    let namespace = if all {
        String::new()
    } else {
        super::namespace(cluster, &parsed)
    };
    let quiet = parsed.bool("quiet");
    let subresource = parsed.value("subresource").unwrap_or("").to_string();
    if parsed.bool("list") {
        if !parsed.positionals.is_empty() {
            return super::error("list option must be specified with no arguments");
        }
        if quiet || all || !subresource.is_empty() {
            return super::error(
                "list option can't be specified with neither quiet, all-namespaces nor subresource options",
            );
        }
        return list(cluster, &user, &namespace, parsed.bool("no-headers"));
    }
    let [verb, target] = parsed.positionals.as_slice() else {
        return super::error("you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.");
    };
    let mut o = Output::default();
    let mut attrs = Attributes {
        verb: verb.clone(),
        ..Default::default()
    };
    if target.starts_with('/') {
        attrs.path = target.clone();
    } else {
        let (resource, name) = target.split_once('/').unwrap_or((target, ""));
        attrs.name = name.into();
        attrs.namespace = namespace.clone();
        attrs.subresource = subresource.clone();
        resolve(cluster, resource, &mut attrs, &mut o);
    }
    // Validate: its checks after Complete's resolution, in kubectl's order.
    if !attrs.path.is_empty() {
        if !subresource.is_empty() {
            return super::error("--subresource can not be used with NonResourceURL");
        }
        if !URL_VERBS.contains(&verb.as_str()) {
            o.err(format!("Warning: verb '{verb}' is not a known verb"));
        }
    } else if !attrs.resource.is_empty() && !all {
        if let Some(info) = cluster.world.api.resolve(&attrs.resource) {
            if !info.namespaced && attrs.resource != "*" {
                o.err(if info.group.is_empty() {
                    format!(
                        "Warning: resource '{}' is not namespace scoped",
                        info.plural
                    )
                } else {
                    format!(
                        "Warning: resource '{}' is not namespace scoped in group '{}'",
                        info.plural, info.group
                    )
                });
            }
        }
        if !RESOURCE_VERBS.contains(&verb.as_str()) {
            o.err(format!("Warning: verb '{verb}' is not a known verb"));
        }
    }
    if parsed.bool("no-headers") {
        o.extend(super::error(
            "--no-headers cannot be set without --list specified",
        ));
        return o;
    }
    let decision = cluster.world.api.authorize(&user, &attrs);
    if !quiet {
        if decision.allowed {
            o.out("yes");
        } else if decision.reason.is_empty() {
            o.out("no");
        } else {
            o.out(format!("no - {}", decision.reason));
        }
    }
    if !decision.allowed {
        o.exit_code = 1;
    }
    o
}

/// `resourceFor`: `*`, a known resource (short names and `resource.group` resolved), or
/// the text as typed with a warning.
fn resolve(cluster: &Cluster, arg: &str, attrs: &mut Attributes, o: &mut Output) {
    if arg == "*" {
        attrs.resource = "*".into();
        return;
    }
    let lower = arg.to_ascii_lowercase();
    if let Some(info) = cluster.world.api.resolve(&lower) {
        attrs.resource = info.plural.into();
        attrs.group = info.group.into();
        return;
    }
    let (resource, group) = lower.split_once('.').unwrap_or((&lower, ""));
    if !matches!(lower.as_str(), "users" | "groups") {
        o.err(if group.is_empty() {
            format!("Warning: the server doesn't have a resource type '{resource}'")
        } else {
            format!(
                "Warning: the server doesn't have a resource type '{resource}' in group '{group}'"
            )
        });
    }
    attrs.resource = arg.into();
}

/// `can-i --list`: the user's rules in the namespace, broken down, compacted and sorted.
fn list(
    cluster: &Cluster,
    user: &crate::apiserver::authz::UserInfo,
    ns: &str,
    bare: bool,
) -> Output {
    let set = cluster.world.api.rules_for(user, ns);
    let mut o = Output::default();
    if !set.errors.is_empty() {
        let errors = match set.errors.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        o.err(format!("Warning: the list may be incomplete: {errors}"));
    }
    let mut text = String::new();
    if !bare {
        text.push_str("Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    }
    text.push_str(&crate::printers::kinds::rule_rows(&set.rules, ""));
    o.out(tabwrite(&text, 6, 3).trim_end_matches('\n'));
    o
}

fn whoami(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("auth whoami", args, WHOAMI_FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let user = identity(cluster, args);
    let groups = format!("[{}]", user.groups.join(" "));
    let mut o = Output::default();
    match parsed.value("output") {
        None | Some("") => {
            let text = format!(
                "ATTRIBUTE\tVALUE\nUsername\t{}\nGroups\t{groups}\n",
                user.name
            );
            o.out(tabwrite(&text, 6, 3).trim_end_matches('\n'));
        }
        Some(format @ ("yaml" | "json")) => {
            // The typed object in Go's field order, as kubectl's JSON printer writes it
            // (four-space indentation); 1.34 leaves out the zero `creationTimestamp`.
            let value = serde_json::json!({
                "kind": "SelfSubjectReview",
                "apiVersion": "authentication.k8s.io/v1",
                "metadata": {},
                "status": {"userInfo": {"username": user.name, "groups": user.groups}},
            });
            if format == "yaml" {
                o.out_raw(crate::printers::yaml::to_yaml(&value));
            } else {
                o.out(super::get::json_pretty(&value));
            }
        }
        Some(other) => {
            return super::error(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,yaml"
            ))
        }
    }
    o
}
