//! `kubectl scale`: sets `spec.replicas` of Deployments, ReplicaSets and
//! ReplicationControllers (through their `scale` subresource).

use super::flags::{self, Flag};
use super::resources;
use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::api::selector::Selector;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("replicas", None),
    flags::value("current-replicas", None),
    flags::value("selector", Some('l')),
    flags::boolean("all", None),
    flags::value("resource-version", None),
    flags::value("timeout", None),
];

/// Runs `kubectl scale`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("scale", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(replicas) = parsed.value("replicas") else {
        return super::error("required flag(s) \"replicas\" not set");
    };
    // An `int` flag: 64 bits; more than an int32 holds is refused (kubectl would wrap it).
    let replicas: i32 = match super::int_flag("scale", "--replicas", replicas, 64) {
        Ok(r) if r >= 0 => i32::try_from(r).unwrap_or(i32::MAX),
        Ok(_) => return super::error(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        ),
        Err(e) => return super::error(e),
    };
    if let Some(t) = parsed.value("timeout") {
        if let Err(e) = super::duration_flag("scale", "timeout", t) {
            return super::error(e);
        }
    }
    let current: Option<i32> = match parsed.value("current-replicas").map(str::parse) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => return super::error("invalid argument for \"--current-replicas\" flag"),
    };
    if parsed.positionals.is_empty() {
        return super::error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) => r,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let selector = match parsed.value("selector").map(Selector::parse).transpose() {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let mut targets = Vec::new();
    for r in &requests {
        if r.names.is_empty() {
            if selector.is_none() && !parsed.bool("all") {
                return super::error("resource(s) were provided, but no name was specified");
            }
            targets.extend(
                cluster
                    .world
                    .api
                    .list(r.kind.kind, Some(&namespace))
                    .filter(|o| {
                        selector
                            .as_ref()
                            .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
                    })
                    .map(|o| (r.kind, o.name().to_string())),
            );
        } else {
            targets.extend(r.names.iter().map(|n| (r.kind, n.clone())));
        }
    }
    let mut out = Output::default();
    let mut errors = Vec::new();
    for (kind, name) in targets {
        if !matches!(
            kind.kind,
            "Deployment" | "ReplicaSet" | "ReplicationController" | "StatefulSet"
        ) {
            errors.push(
                "Error from server (NotFound): the server could not find the requested resource"
                    .to_string(),
            );
            continue;
        }
        let Some(mut obj) = cluster.world.api.get(kind.kind, &namespace, &name).cloned() else {
            errors.push(ApiError::not_found(kind, &name).kubectl_message());
            continue;
        };
        let spec_replicas = match &mut obj {
            Object::Deployment(d) => d.spec.as_mut().map(|s| &mut s.replicas),
            Object::ReplicaSet(rs) => rs.spec.as_mut().map(|s| &mut s.replicas),
            Object::ReplicationController(rc) => rc.spec.as_mut().map(|s| &mut s.replicas),
            Object::StatefulSet(s) => s.spec.as_mut().map(|s| &mut s.replicas),
            _ => None,
        };
        let Some(slot) = spec_replicas else {
            continue;
        };
        if let Some(c) = current {
            let actual = slot.unwrap_or(1);
            if actual != c {
                errors.push(format!("error: Expected replicas to be {c}, was {actual}"));
                continue;
            }
        }
        *slot = Some(replicas);
        match cluster.patch(obj, "scale") {
            Ok(_) => out.out(format!("{}/{name} scaled", kind.qualified_kind())),
            Err(e) => errors.push(e.kubectl_message()),
        }
    }
    if !errors.is_empty() {
        out.err(errors.join("\n"));
        out.exit_code = 1;
    }
    out
}
