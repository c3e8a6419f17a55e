//! Who a kubectl command acts as, and the authorization of its requests.
//!
//! The console is the kubeconfig's admin (`ClusterProfile::admin_user`); `--as USER`
//! (`system:serviceaccount:NS:NAME` for a ServiceAccount) and `--as-group G` make the
//! apiserver treat the request as that user's (`filters.WithImpersonation`, the admin being
//! allowed to impersonate). Such a command's reads are checked here, before the verb runs,
//! from the resource and names it asks for; its creates and applies are checked by the
//! cluster as they are written (`Console::acting`).

use super::flags;
use crate::apiserver::authz::{Attributes, UserInfo};
use crate::cluster::Cluster;
use crate::output::Output;

/// The user `--as`/`--as-group` name in `args` (the last `--as`, every `--as-group`), or
/// `None` without `--as`.
pub(super) fn requested(args: &[String]) -> Option<UserInfo> {
    let mut user = None;
    let mut groups = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "--" {
            break;
        }
        let Some(body) = arg.strip_prefix("--") else {
            continue;
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        if name != "as" && name != "as-group" {
            continue;
        }
        let value = match value {
            Some(v) => v,
            None => {
                i += 1;
                match args.get(i - 1) {
                    Some(v) => v.clone(),
                    None => continue,
                }
            }
        };
        if name == "as" {
            user = Some(value);
        } else {
            groups.push(value);
        }
    }
    user.filter(|u| !u.is_empty())
        .map(|u| UserInfo::impersonated(&u, &groups))
}

/// The identity a command runs as: the impersonated user, or the console's admin.
pub(crate) fn identity(cluster: &Cluster, args: &[String]) -> UserInfo {
    requested(args).unwrap_or_else(|| cluster.profile.admin_user())
}

/// Checks the reads `kubectl VERB ARGS` makes as `user`; the apiserver's Forbidden as
/// kubectl prints it when one is denied.
pub(super) fn check_reads(
    cluster: &Cluster,
    user: &UserInfo,
    verb: &str,
    args: &[String],
) -> Result<(), Output> {
    for attrs in reads(cluster, verb, args) {
        if let Err(e) = cluster.world.api.check(user, &attrs) {
            return Err(Output::failure(e.kubectl_message()));
        }
    }
    Ok(())
}

/// The requests a verb makes before it writes: listing or getting what it names, then the
/// subresource it acts through.
fn reads(cluster: &Cluster, verb: &str, args: &[String]) -> Vec<Attributes> {
    let sub = args.first().map(String::as_str);
    let table = super::verb_flags(verb, sub);
    let Ok(parsed) = flags::parse(verb, args, table) else {
        return Vec::new();
    };
    let namespace = super::namespace(cluster, &parsed);
    let all = parsed.bool("all-namespaces");
    let pos = &parsed.positionals;
    let resolve = |arg: &str| cluster.world.api.resolve(arg);
    let attrs = |verb: &str, info: &crate::api::kinds::KindInfo, name: &str| {
        let ns = if info.namespaced && !(all && name.is_empty()) {
            namespace.as_str()
        } else {
            ""
        };
        Attributes::resource(verb, info.group, info.plural, ns, name)
    };
    // `TYPE NAME…`, `TYPE/NAME…` or `TYPE[,TYPE]`: what a reading verb asks for.
    let targets = |args: &[String]| -> Vec<Attributes> {
        let mut out = Vec::new();
        match args.first() {
            Some(first) if first.contains('/') => {
                for a in args {
                    if let Some((t, n)) = a.split_once('/') {
                        if let Some(info) = resolve(t) {
                            out.push(attrs("get", info, n));
                        }
                    }
                }
            }
            Some(first) if args.len() > 1 => {
                if let Some(info) = resolve(first) {
                    out.extend(args[1..].iter().map(|n| attrs("get", info, n)));
                }
            }
            Some(first) => {
                for t in first.split(',') {
                    let types: Vec<&str> = if t == "all" {
                        vec![
                            "pods",
                            "services",
                            "daemonsets",
                            "deployments",
                            "replicasets",
                        ]
                    } else {
                        vec![t]
                    };
                    for t in types {
                        if let Some(info) = resolve(t) {
                            out.push(attrs("list", info, ""));
                        }
                    }
                }
            }
            None => {}
        }
        out
    };
    let pod = |name: &str, sub: &str, verb: &str| Attributes {
        subresource: sub.into(),
        ..Attributes::resource(verb, "", "pods", &namespace, name)
    };
    match verb {
        "get" | "describe" | "edit" | "wait" | "rollout" | "label" | "annotate" | "scale"
        | "autoscale" => {
            let rest = if verb == "rollout" && !pos.is_empty() {
                &pos[1..]
            } else {
                &pos[..]
            };
            targets(rest)
        }
        "delete" => targets(pos)
            .into_iter()
            .map(|a| Attributes {
                verb: if a.name.is_empty() {
                    a.verb
                } else {
                    "delete".into()
                },
                ..a
            })
            .collect(),
        "set" if pos.len() > 1 => targets(&pos[1..]),
        "logs" | "attach" => pos
            .first()
            .filter(|p| !p.contains('/'))
            .map(|p| vec![pod(p, "", "get"), pod(p, "log", "get")])
            .unwrap_or_default(),
        "exec" => pos
            .first()
            .filter(|p| !p.contains('/'))
            .map(|p| vec![pod(p, "", "get"), pod(p, "exec", "create")])
            .unwrap_or_default(),
        "top" => match pos.first().map(String::as_str) {
            Some("node" | "nodes" | "no") => {
                vec![Attributes::resource(
                    "list",
                    "metrics.k8s.io",
                    "nodes",
                    "",
                    "",
                )]
            }
            Some(_) => vec![Attributes::resource(
                "list",
                "metrics.k8s.io",
                "pods",
                if all { "" } else { namespace.as_str() },
                "",
            )],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}
