//! `kubectl explain RESOURCE[.FIELD...]`: the API documentation of a kind or field.

use super::flags::{self, Flag};
use crate::api::explain::{self, Options};
use crate::api::kinds::KindInfo;
use crate::apiserver::ApiServer;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::boolean("recursive", None),
    flags::value("max-depth", None),
    flags::value("api-version", None),
    flags::value("output", Some('o')),
];

/// Prints the documentation of a resource or one of its fields, as kubectl 1.34 does.
pub fn run(cluster: &Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("explain", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let max_depth = match parsed.value("max-depth").map(str::parse::<i64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            let v = parsed.value("max-depth").unwrap_or_default();
            return super::error(format!(
                "invalid argument \"{v}\" for \"--max-depth\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
            ));
        }
    };
    let recursive = parsed.bool("recursive");
    match parsed.positionals.as_slice() {
        [] => {
            return super::error("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n")
        }
        [_] => {}
        _ => return super::error("We accept only this format: explain RESOURCE\n"),
    }
    if max_depth > 0 && !recursive {
        return super::error("--max-depth requires --recursive");
    }
    if max_depth < 0 {
        return super::error("--max-depth must be non-negative");
    }
    if let Some(o) = parsed.value("output") {
        if o != "plaintext" && o != "plaintext-openapiv2" {
            return super::error(format!("unsupported output format: {o}"));
        }
    }
    let arg = parsed.positionals[0].trim_end_matches('.');
    let (kind, parts) = match resource_path(&cluster.world.api, arg) {
        Ok(found) => found,
        Err(resource) => {
            return super::error(format!(
                "the server doesn't have a resource type \"{resource}\""
            ))
        }
    };
    if parts.iter().any(|p| p.is_empty()) {
        return super::error("invalid jsonpath syntax, all nodes must be field nodes");
    }
    let opts = Options {
        recursive,
        max_depth: max_depth as usize,
    };
    let explained = match cluster.world.api.custom_kind(kind.kind) {
        Some(def) => explain::explain_custom(kind, &def.preferred().schema, &parts, opts),
        None => explain::explain(kind, &parts, opts),
    };
    match explained {
        Ok(text) => {
            let mut o = Output::default();
            o.out_raw(text);
            o
        }
        Err(e) => super::error(e),
    }
}

/// `RESOURCE[.GROUP].FIELD...` as `kubectl explain` takes it: the kind and the field path
/// (`deployments.apps.spec`: the group may follow the resource), or the resource that is
/// not a resource type.
pub(crate) fn resource_path<'a>(
    api: &ApiServer,
    arg: &'a str,
) -> Result<(&'static KindInfo, Vec<&'a str>), &'a str> {
    let mut parts: Vec<&str> = arg.split('.').collect();
    let resource = parts.remove(0);
    let kind = api.resolve(resource).ok_or(resource)?;
    let group: Vec<&str> = kind.group.split('.').filter(|p| !p.is_empty()).collect();
    if !group.is_empty() && parts.starts_with(&group) {
        parts.drain(..group.len());
    }
    Ok((kind, parts))
}
