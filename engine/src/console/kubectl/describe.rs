//! `kubectl describe TYPE [NAME...]`: finds the objects, then prints each through
//! `printers::describe`.

use super::flags;
use super::resources;
use crate::api::object::Object;
use crate::api::selector::Selector;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[flags::Flag] = &[flags::value("selector", Some('l'))];

/// Runs `kubectl describe TYPE [NAME...]`.
pub fn run(cluster: &Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("describe", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if parsed.positionals.is_empty() {
        return super::error("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.");
    }
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) => r,
        Err(e) => return super::error(e),
    };
    let selector = match parsed.value("selector").map(Selector::parse).transpose() {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let mut objects: Vec<&Object> = Vec::new();
    for r in &requests {
        let ns = if r.kind.namespaced {
            namespace.as_str()
        } else {
            ""
        };
        if r.names.is_empty() {
            objects.extend(cluster.world.api.list(r.kind.kind, Some(ns)).filter(|o| {
                selector
                    .as_ref()
                    .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
            }));
        }
        for n in &r.names {
            match cluster.world.api.get(r.kind.kind, ns, n) {
                Some(o) => objects.push(o),
                None => {
                    return Output::failure(
                        crate::api::error::ApiError::not_found(r.kind, n).kubectl_message(),
                    )
                }
            }
        }
    }
    if objects.is_empty() {
        let namespaced = requests.iter().any(|r| r.kind.namespaced);
        return super::no_resources_found(namespaced, &namespace);
    }
    let mut texts = Vec::new();
    for obj in objects {
        match crate::printers::describe::describe(&cluster.world, obj) {
            Some(text) => texts.push(text),
            None => {
                return super::error(format!(
                    "\"kubectl describe {}\" is not simulated in Kubeplay yet",
                    obj.info().plural
                ))
            }
        }
    }
    let mut out = Output::default();
    out.out_raw(texts.join("\n\n"));
    out
}
