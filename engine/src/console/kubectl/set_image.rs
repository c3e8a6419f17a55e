//! `kubectl set image TYPE/NAME CONTAINER=IMAGE ... [--record]`.

use super::flags::{self, Flag};
use super::resources;
use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::boolean("record", None),
    flags::boolean("all", None),
    flags::value("selector", Some('l')),
];

/// The annotation `--record` writes.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// What cobra prints when `--record` is used.
pub const RECORD_DEPRECATED: &str =
    "Flag --record has been deprecated, --record will be removed in the future";

/// Runs `kubectl set SUBCOMMAND` (only `image` so far).
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    match args.first().map(String::as_str) {
        Some("image") => image(cluster, &args[1..]),
        Some("env") => super::set_env::run(cluster, &args[1..]),
        Some("resources") => super::set_resources::run(cluster, &args[1..]),
        Some(sub) => super::error(format!("\"kubectl set {sub}\" is not simulated in Kubeplay yet")),
        None => super::error("Configure application resources.\n\nAvailable Commands:\n  env              Update environment variables on a pod template\n  image            Update the image of a pod template\n  resources        Update resource requests/limits on objects with pod templates\n  selector         Set the selector on a resource\n  serviceaccount   Update the service account of a resource\n  subject          Update the user, group, or service account in a role binding or cluster role binding"),
    }
}

fn image(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("set image", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let (pairs, targets): (Vec<&String>, Vec<&String>) =
        parsed.positionals.iter().partition(|a| a.contains('='));
    if pairs.is_empty() {
        return super::error("at least one image update is required\nSee 'kubectl set image -h' for help and examples");
    }
    let targets: Vec<String> = targets.into_iter().cloned().collect();
    let requests = match resources::resolve(&cluster.world.api, &targets) {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => return super::error("one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl set image -h' for help and examples"),
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let mut out = Output::default();
    let record = parsed.bool("record");
    if parsed.value("record").is_some() {
        out.err(RECORD_DEPRECATED);
    }
    let cause = parsed.change_cause("set image");
    let mut errors = Vec::new();
    for r in &requests {
        let names: Vec<String> = if r.names.is_empty() {
            cluster
                .world
                .api
                .list(r.kind.kind, Some(&namespace))
                .map(|o| o.name().to_string())
                .collect()
        } else {
            r.names.clone()
        };
        for name in names {
            let Some(mut obj) = cluster
                .world
                .api
                .get(r.kind.kind, &namespace, &name)
                .cloned()
            else {
                errors.push(ApiError::not_found(r.kind, &name).kubectl_message());
                continue;
            };
            let Some(spec) = obj.pod_spec_mut() else {
                errors.push(format!(
                    "error: {}/{name} has no pod template",
                    r.kind.qualified_kind()
                ));
                continue;
            };
            for pair in &pairs {
                let (container, image) = pair.split_once('=').unwrap_or((pair, ""));
                let mut found = false;
                for c in spec
                    .containers
                    .iter_mut()
                    .chain(spec.init_containers.iter_mut().flatten())
                {
                    if container == "*" || c.name == container {
                        c.image = Some(image.to_string());
                        found = true;
                    }
                }
                if !found {
                    errors.push(format!(
                        "error: unable to find container named \"{container}\""
                    ));
                }
            }
            if !errors.is_empty() {
                continue;
            }
            if record {
                obj.metadata_mut()
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(CHANGE_CAUSE.into(), cause.clone());
            }
            let result = match obj {
                Object::Pod(_) => {
                    let existing = cluster
                        .world
                        .api
                        .get(r.kind.kind, &namespace, &name)
                        .cloned();
                    match existing {
                        Some(e) => cluster.update_from_apply(e, obj),
                        None => Ok(()),
                    }
                }
                other => cluster.patch(other, "").map(|_| ()),
            };
            match result {
                Ok(()) => out.out(format!("{}/{name} image updated", r.kind.qualified_kind())),
                Err(e) => errors.push(e.kubectl_message()),
            }
        }
    }
    if !errors.is_empty() {
        out.err(errors.join("\n"));
        out.exit_code = 1;
    }
    out
}
