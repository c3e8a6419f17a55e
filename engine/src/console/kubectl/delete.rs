//! `kubectl delete`: by name, `TYPE/NAME`, `-f` manifests, `-l` selector or `--all`; graceful
//! deletion that waits, like kubectl, until the objects are gone.

use super::apply;
use super::flags::{self, Flag};
use super::resources;
use crate::api::error::ApiError;
use crate::api::kinds::KindInfo;
use crate::api::manifest;
use crate::api::selector::Selector;
use crate::clock::SimDuration;
use crate::cluster::{Cluster, DeleteOptions, Propagation};
use crate::output::Output;

/// Longest a delete waits for objects to go (kubectl's own default is a week).
const WAIT_LIMIT: SimDuration = SimDuration::seconds(600);

pub(super) const FLAGS: &[Flag] = &[
    flags::value("grace-period", None),
    flags::value("timeout", None),
    flags::boolean("now", None),
    flags::boolean("force", None),
    flags::boolean("wait", None),
    flags::value("filename", Some('f')),
    flags::value("selector", Some('l')),
    flags::boolean("all", None),
    flags::boolean("recursive", Some('R')),
    flags::boolean("all-namespaces", Some('A')),
    flags::boolean("ignore-not-found", None),
    flags::optional("cascade", None, "background"),
];

/// One object to delete.
struct Target {
    kind: &'static KindInfo,
    name: String,
    /// The namespace named by its manifest or found by `-A`; else the command's namespace.
    namespace: Option<String>,
    /// The manifest file it came from, for error messages.
    file: Option<String>,
}

/// Runs `kubectl delete`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let parsed = match flags::parse("delete", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    // kubectl's Complete and Validate: --now is --grace-period=1; 0 without --force is 1;
    // --force alone is 0; --force with a grace period above 0 is refused.
    // `--timeout` bounds kubectl's wait for the deletion, which is not simulated apart;
    // its value is still read as kubectl reads it.
    if let Some(Err(e)) = parsed
        .value("timeout")
        .map(|t| super::duration_flag("delete", "timeout", t))
    {
        return super::error(e);
    }
    let mut grace = match parsed.value("grace-period") {
        Some(g) => match super::int_flag("delete", "--grace-period", g, 64) {
            Ok(v) => v,
            Err(e) => return super::error(e),
        },
        None => -1,
    };
    let force_flag = parsed.bool("force");
    if parsed.bool("now") {
        if grace != -1 {
            return super::error("--now and --grace-period cannot be specified together");
        }
        grace = 1;
    }
    if grace == 0 && !force_flag {
        grace = 1;
    }
    if force_flag && grace < 0 {
        grace = 0;
    }
    if force_flag && grace > 0 {
        return super::error(
            "--force and --grace-period greater than 0 cannot be specified together",
        );
    }
    let force = force_flag && grace == 0;
    let grace = (grace >= 0).then_some(grace);
    let namespace = super::namespace(cluster, &parsed);
    let from_files = !parsed.values("filename").is_empty();
    let targets = match if from_files {
        targets_from_files(cluster, &parsed, stdin)
    } else {
        targets_from_args(cluster, &parsed, &namespace)
    } {
        Ok(t) => t,
        Err(out) => return out,
    };
    let mut out = Output::default();
    let propagation = match cascade(parsed.value("cascade").unwrap_or("background"), &mut out) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let options = DeleteOptions {
        grace,
        force,
        propagation,
    };
    let ignore_not_found = parsed.bool("ignore-not-found");
    if force {
        out.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    }
    let mut deleted = Vec::new();
    let mut errors = Vec::new();
    for Target {
        kind,
        name,
        namespace: target_ns,
        file,
    } in targets
    {
        let ns = match (kind.namespaced, target_ns) {
            (false, _) => String::new(),
            (true, Some(ns)) => ns,
            (true, None) => namespace.clone(),
        };
        let uid = cluster
            .world
            .api
            .get(kind.kind, &ns, &name)
            .and_then(|o| o.metadata().uid.clone());
        let allowed = cluster.authorize(kind, &ns, &name, "delete", "");
        match allowed.and_then(|()| cluster.world.delete_with(kind.kind, &ns, &name, &options)) {
            Ok(()) => deleted.push((kind, ns, name, uid)),
            Err(ApiError::NotFound { .. }) if ignore_not_found => {}
            Err(e) => errors.push(match file {
                Some(f) => e.kubectl_message_for_file("deleting", &f),
                None => e.kubectl_message(),
            }),
        }
    }
    // kubectl waits until each object is really gone; that takes simulated time. An orphan
    // delete does not wait for anything but the orphaning.
    if parsed.value("wait") != Some("false") {
        let pending = deleted.clone();
        // Like kubectl, wait for that uid to go: a controller may recreate the name at once.
        cluster.advance_until(WAIT_LIMIT, move |c| {
            pending.iter().all(|(k, ns, n, uid)| {
                c.world
                    .api
                    .get(k.kind, ns, n)
                    .is_none_or(|o| o.metadata().uid != *uid)
            })
        });
    }
    for (kind, ns, name, _) in deleted {
        let suffix = if kind.namespaced {
            format!(" from {ns} namespace")
        } else {
            String::new()
        };
        let verb = if force { "force deleted" } else { "deleted" };
        out.out(format!(
            "{} \"{name}\" {verb}{suffix}",
            kind.qualified_singular()
        ));
    }
    // kubectl reports failures after the objects it could delete.
    if !errors.is_empty() {
        out.err(errors.join("\n"));
        out.exit_code = 1;
    }
    out
}

/// `--cascade`: `background`, `foreground`, `orphan`, or the deprecated booleans.
fn cascade(value: &str, out: &mut Output) -> Result<Propagation, String> {
    let replacement = match value {
        "background" => return Ok(Propagation::Background),
        "foreground" => return Ok(Propagation::Foreground),
        "orphan" => return Ok(Propagation::Orphan),
        "true" | "1" | "t" | "T" | "TRUE" | "True" => ("background", Propagation::Background),
        "false" | "0" | "f" | "F" | "FALSE" | "False" => ("orphan", Propagation::Orphan),
        other => {
            return Err(format!(
                "invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
            ))
        }
    };
    out.err(format!(
        "warning: --cascade={value} is deprecated (boolean value) and can be replaced with --cascade={}.",
        replacement.0
    ));
    Ok(replacement.1)
}

fn targets_from_files(
    cluster: &Cluster,
    parsed: &flags::Parsed,
    stdin: Option<&str>,
) -> Result<Vec<Target>, Output> {
    let inputs = apply::read_sources(
        cluster,
        parsed.values("filename"),
        stdin,
        parsed.bool("recursive"),
    )
    .map_err(super::error)?;
    let mut targets = Vec::new();
    for (file, text) in inputs {
        let docs = manifest::parse(&text)
            .map_err(|e| super::error(format!("error parsing {file}: {e}")))?;
        for doc in docs {
            let kind_name = doc.value.get("kind").and_then(|v| v.as_str()).unwrap_or("");
            let name = doc
                .value
                .pointer("/metadata/name")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let Some(kind) = cluster.world.api.kind_info(kind_name) else {
                return Err(super::error(format!(
                    "resource mapping not found for name: \"{name}\" namespace: \"\" from \"{file}\": no matches for kind \"{kind_name}\""
                )));
            };
            let ns = doc
                .value
                .pointer("/metadata/namespace")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            targets.push(Target {
                kind,
                name: name.to_string(),
                namespace: ns,
                file: Some(file.clone()),
            });
        }
    }
    Ok(targets)
}

fn targets_from_args(
    cluster: &Cluster,
    parsed: &flags::Parsed,
    namespace: &str,
) -> Result<Vec<Target>, Output> {
    let positionals = &parsed.positionals;
    if positionals.is_empty() {
        return Err(super::error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"));
    }
    let requests = resources::resolve(&cluster.world.api, positionals).map_err(super::error)?;
    if requests.iter().any(|r| !r.names.is_empty()) {
        return Ok(requests
            .iter()
            .flat_map(|r| {
                r.names.iter().map(|n| Target {
                    kind: r.kind,
                    name: n.clone(),
                    namespace: None,
                    file: None,
                })
            })
            .collect());
    }
    let selector = parsed
        .value("selector")
        .map(Selector::parse)
        .transpose()
        .map_err(super::error)?;
    if selector.is_none() && !parsed.bool("all") {
        return Err(super::error(
            "resource(s) were provided, but no name, label selector, or --all flag specified",
        ));
    }
    let all_namespaces = parsed.bool("all-namespaces");
    let mut matching: Vec<Target> = Vec::new();
    for r in &requests {
        let ns = if r.kind.namespaced { namespace } else { "" };
        let scope = if all_namespaces { None } else { Some(ns) };
        matching.extend(
            cluster
                .world
                .api
                .list(r.kind.kind, scope)
                .filter(|o| {
                    selector
                        .as_ref()
                        .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
                })
                .filter(|o| o.metadata().deletion_timestamp.is_none())
                .map(|o| Target {
                    kind: r.kind,
                    name: o.name().to_string(),
                    namespace: Some(o.namespace().to_string()),
                    file: None,
                }),
        );
    }
    if matching.is_empty() {
        let namespaced = requests.iter().any(|r| r.kind.namespaced) && !all_namespaces;
        return Err(super::no_resources_found(namespaced, namespace));
    }
    Ok(matching)
}
