//! `kubectl label` and `kubectl annotate`: set (`k=v`) and remove (`k-`) keys.

use std::collections::BTreeMap;

use super::flags::{self, Flag};
use super::resources;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::boolean("overwrite", None),
    flags::boolean("all", None),
    flags::value("selector", Some('l')),
    flags::boolean("all-namespaces", Some('A')),
];

/// Which map the command edits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `kubectl label`.
    Labels,
    /// `kubectl annotate`.
    Annotations,
}

/// Runs `kubectl label|annotate TYPE NAME... KEY=VAL... KEY-...`.
pub fn run(cluster: &mut Cluster, args: &[String], target: Target) -> Output {
    let verb = if target == Target::Labels {
        "label"
    } else {
        "annotate"
    };
    let parsed = match flags::parse(verb, args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let (changes, names): (Vec<&String>, Vec<&String>) = parsed
        .positionals
        .iter()
        .partition(|a| a.contains('=') || (a.ends_with('-') && !a.contains('/')));
    if names.is_empty() {
        return super::error(format!("one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl {verb} -h' for help and examples"));
    }
    let names: Vec<String> = names.into_iter().cloned().collect();
    let requests = match resources::resolve(&cluster.world.api, &names) {
        Ok(r) => r,
        Err(e) => return super::error(e),
    };
    let selector = match parsed
        .value("selector")
        .map(crate::api::selector::Selector::parse)
        .transpose()
    {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let mut targets = Vec::new();
    for r in requests {
        if !r.names.is_empty() {
            targets.extend(r.names.into_iter().map(|n| (r.kind, n)));
            continue;
        }
        if selector.is_none() && !parsed.bool("all") {
            return super::error(format!("resource(s) were provided, but no name was specified\nSee 'kubectl {verb} -h' for help and examples"));
        }
        let ns = if r.kind.namespaced {
            namespace.as_str()
        } else {
            ""
        };
        targets.extend(
            cluster
                .world
                .api
                .list(r.kind.kind, Some(ns))
                .filter(|o| {
                    selector
                        .as_ref()
                        .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
                })
                .map(|o| (r.kind, o.name().to_string())),
        );
    }
    if changes.is_empty() {
        return super::error(format!(
            "at least one {} update is required",
            if target == Target::Labels {
                "label"
            } else {
                "annotation"
            }
        ));
    }
    let mut set = BTreeMap::new();
    let mut remove = Vec::new();
    for c in &changes {
        match c.split_once('=') {
            Some((k, v)) => {
                if target == Target::Labels && !crate::api::validation::is_label_value(v) {
                    return super::error(format!(
                        "invalid label value: \"{c}\": {}",
                        crate::api::validation::LABEL_VALUE
                    ));
                }
                set.insert(k.to_string(), v.to_string());
            }
            None => remove.push(c.trim_end_matches('-').to_string()),
        }
    }
    let mut out = Output::default();
    for (kind, name) in targets {
        let ns = if kind.namespaced {
            namespace.as_str()
        } else {
            ""
        };
        let Some(mut obj) = cluster.world.api.get(kind.kind, ns, &name).cloned() else {
            out.err(crate::api::error::ApiError::not_found(kind, &name).kubectl_message());
            out.exit_code = 1;
            continue;
        };
        let meta = obj.metadata_mut();
        let map = if target == Target::Labels {
            &mut meta.labels
        } else {
            &mut meta.annotations
        };
        let map = map.get_or_insert_with(BTreeMap::new);
        for (k, v) in &set {
            if let Some(old) = map.get(k) {
                if old != v && !parsed.bool("overwrite") {
                    out.err(format!(
                        "error: '{k}' already has a value ({old}), and --overwrite is false"
                    ));
                    out.exit_code = 1;
                    return out;
                }
            }
        }
        let before = map.clone();
        for k in &remove {
            map.remove(k);
        }
        map.extend(set.clone());
        let changed = *map != before;
        let only_removed = set.is_empty();
        if let Err(e) = cluster.patch(obj, "") {
            out.err(e.kubectl_message());
            out.exit_code = 1;
            continue;
        }
        let done = match (target, changed) {
            (Target::Labels, false) => "not labeled",
            (Target::Labels, true) if only_removed => "unlabeled",
            (Target::Labels, true) => "labeled",
            (Target::Annotations, false) => "not annotated",
            (Target::Annotations, true) => "annotated",
        };
        out.out(format!("{}/{name} {done}", kind.qualified_kind()));
    }
    out
}
