//! `kubectl delete TYPE NAME...`: graceful deletion that waits, like kubectl, until the
//! objects are gone.

use super::flags::{self, Flag};
use crate::api::kinds;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;

/// Longest a delete waits for objects to go (kubectl's own default is a week).
const WAIT_LIMIT: SimDuration = SimDuration::seconds(600);

const FLAGS: &[Flag] = &[
    flags::value("grace-period", None),
    flags::boolean("now", None),
    flags::boolean("force", None),
    flags::boolean("wait", None),
];

/// Runs `kubectl delete`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("delete", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let mut targets = Vec::new();
    let positionals = &parsed.positionals;
    if positionals.is_empty() {
        return super::error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    if positionals[0].contains('/') {
        for p in positionals {
            let (k, n) = p.split_once('/').unwrap_or((p, ""));
            match kinds::resolve(k) {
                Some(kind) => targets.push((kind, n.to_string())),
                None => {
                    return super::error(format!("the server doesn't have a resource type \"{k}\""))
                }
            }
        }
    } else {
        let Some(kind) = kinds::resolve(&positionals[0]) else {
            return super::error(format!(
                "the server doesn't have a resource type \"{}\"",
                positionals[0]
            ));
        };
        if positionals.len() == 1 {
            return super::error("resource(s) were provided, but no name was specified");
        }
        targets.extend(positionals[1..].iter().map(|n| (kind, n.clone())));
    }
    let grace = match parsed.value("grace-period") {
        Some(g) => match g.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => return super::error(format!("invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax")),
        },
        None if parsed.bool("now") => Some(1),
        None => None,
    };
    let force = parsed.bool("force") && grace == Some(0);
    let namespace = super::namespace(cluster, &parsed);
    let mut out = Output::default();
    if force {
        out.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    }
    let mut deleted = Vec::new();
    for (kind, name) in targets {
        let ns = if kind.namespaced {
            namespace.as_str()
        } else {
            ""
        };
        match cluster.delete(kind.kind, ns, &name, grace, force) {
            Ok(()) => deleted.push((kind, ns.to_string(), name)),
            Err(e) => {
                out.err(e.kubectl_message());
                out.exit_code = 1;
            }
        }
    }
    // kubectl waits until each object is really gone; that takes simulated time.
    if parsed.value("wait") != Some("false") {
        let pending = deleted.clone();
        cluster.advance_until(WAIT_LIMIT, move |c| {
            pending
                .iter()
                .all(|(k, ns, n)| c.store.get(k.kind, ns, n).is_none())
        });
    }
    for (kind, ns, name) in deleted {
        let suffix = if kind.namespaced {
            format!(" from {ns} namespace")
        } else {
            String::new()
        };
        let verb = if force { "force deleted" } else { "deleted" };
        out.out(format!("{} \"{name}\" {verb}{suffix}", kind.singular()));
    }
    out
}
