//! `kubectl taint node NAME... KEY[=VALUE]:EFFECT... KEY[:EFFECT]-...` (or `-l`/`--all`):
//! adds, replaces (`--overwrite`) and removes node taints as kubectl 1.34's `taint`
//! (`pkg/cmd/taint`) does, with its argument checks and messages, printing `node/x tainted`,
//! `untainted` or `modified`.

use k8s_openapi::api::core::v1::Taint;

use super::flags::{self, Flag};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("selector", Some('l')),
    flags::boolean("overwrite", None),
    flags::boolean("all", None),
    flags::value("dry-run", None),
];

const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// `parseTaint`: `key=value:effect`, `key:effect` or `key`.
fn parse_taint(spec: &str) -> Result<Taint, String> {
    let invalid = || format!("invalid taint spec: {spec}");
    let parts: Vec<&str> = spec.split(':').collect();
    let (key, value, effect) = match parts[..] {
        [key] => (key, None, ""),
        [kv, effect] => {
            if !EFFECTS.contains(&effect) {
                return Err(format!(
                    "invalid taint effect: {effect}, unsupported taint effect"
                ));
            }
            let kv: Vec<&str> = kv.split('=').collect();
            match kv[..] {
                [key] => (key, None, effect),
                [key, value] => {
                    let causes = crate::api::validation::label_value_causes(value);
                    if !causes.is_empty() {
                        return Err(format!("{}, {}", invalid(), causes.join("; ")));
                    }
                    (key, Some(value.to_string()), effect)
                }
                _ => return Err(invalid()),
            }
        }
        _ => return Err(invalid()),
    };
    let causes = crate::api::resource_names::qualified_name_causes(key);
    if !causes.is_empty() {
        return Err(format!("{}, {}", invalid(), causes.join("; ")));
    }
    Ok(Taint {
        key: key.to_string(),
        value,
        effect: effect.to_string(),
        time_added: None,
    })
}

/// `parseTaints`: the taints to add and to remove (`…-`), each added one with an effect
/// and unique by key and effect.
fn parse_taints(specs: &[String]) -> Result<(Vec<Taint>, Vec<Taint>), String> {
    let (mut add, mut remove) = (Vec::<Taint>::new(), Vec::new());
    for spec in specs {
        if let Some(rest) = spec.strip_suffix('-') {
            let t = parse_taint(rest)?;
            remove.push(Taint { value: None, ..t });
            continue;
        }
        let t = parse_taint(spec)?;
        if t.effect.is_empty() {
            return Err(format!("invalid taint spec: {spec}"));
        }
        if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
            // Go's `%v` of the struct: {Key Value Effect TimeAdded}.
            return Err(format!(
                "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                t.key,
                t.value.as_deref().unwrap_or(""),
                t.effect
            ));
        }
        add.push(t);
    }
    Ok((add, remove))
}

/// `reorganizeTaints`: the node's new taints and the word for what happened.
fn reorganize(
    old: &[Taint],
    overwrite: bool,
    add: &[Taint],
    remove: &[Taint],
) -> Result<(&'static str, Vec<Taint>), String> {
    let matches = |a: &Taint, b: &Taint| a.key == b.key && a.effect == b.effect;
    let mut taints = add.to_vec();
    for o in old {
        if !taints.iter().any(|t| matches(t, o)) {
            taints.push(o.clone());
        }
    }
    let added = old.len() != taints.len();
    let mut errors = Vec::new();
    let mut deleted = false;
    for r in remove {
        let before = taints.len();
        taints.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        deleted = taints.len() != before;
        if !deleted {
            errors.push(format!(
                "taint \"{}\" not found",
                crate::printers::describe::taint_string(r)
            ));
        }
    }
    if let Some(e) = crate::api::limit_range::aggregate(errors) {
        return Err(e);
    }
    let word = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    Ok((word, taints))
}

/// Runs `kubectl taint`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let usage = "\nSee 'kubectl taint -h' for help and examples";
    let parsed = match flags::parse("taint", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let dry_run = match super::dry_run::suffix(parsed.value("dry-run")) {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let (mut resources, mut specs) = (Vec::new(), Vec::new());
    for a in &parsed.positionals {
        let is_taint = a.contains('=') || a.contains(':') || a.ends_with('-');
        match (specs.is_empty(), is_taint) {
            (_, true) => specs.push(a.clone()),
            (true, false) => resources.push(a.clone()),
            (false, false) => {
                return super::error(format!(
                    "all resources must be specified before taint changes: {a}"
                ))
            }
        }
    }
    if resources.is_empty() {
        return super::error("one or more resources must be specified as <resource> <name>");
    }
    if specs.is_empty() {
        return super::error("at least one taint update is required");
    }
    let (add, remove) = match parse_taints(&specs) {
        Ok(t) => t,
        Err(e) => return super::error(format!("{e}{usage}")),
    };
    if !matches!(resources[0].to_ascii_lowercase().as_str(), "node" | "nodes") {
        return super::error(format!(
            "invalid resource type {}, only [\"node\" \"nodes\"] are supported",
            resources[0]
        ));
    }
    let conflicts: Vec<String> = add
        .iter()
        .flat_map(|a| {
            remove
                .iter()
                .filter(move |r| r.key == a.key && (r.effect.is_empty() || r.effect == a.effect))
        })
        .map(|r| format!("{{\"{}\":\"{}\"}}", r.key, r.effect))
        .collect();
    if !conflicts.is_empty() {
        return super::error(format!(
            "can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        ));
    }
    let (all, selector) = (parsed.bool("all"), parsed.value("selector"));
    if all && selector.is_some() {
        return super::error("setting 'all' parameter with a non empty selector is prohibited");
    }
    if !all && selector.is_none() && resources.len() < 2 {
        return super::error(
            "at least one resource name must be specified since 'all' parameter is not set",
        );
    }
    let names: Vec<String> = if all || selector.is_some() {
        let selector = match selector.map(crate::api::selector::Selector::parse) {
            Some(Err(e)) => return super::error(e),
            Some(Ok(s)) => Some(s),
            None => None,
        };
        cluster
            .world
            .api
            .list("Node", None)
            .filter(|n| {
                selector
                    .as_ref()
                    .is_none_or(|s| s.matches(n.metadata().labels.as_ref()))
            })
            .map(|n| n.name().to_string())
            .collect()
    } else {
        resources[1..].to_vec()
    };
    let mut out = Output::default();
    // kubectl goes on to the next node and reports the errors at the end.
    let mut errors: Vec<String> = Vec::new();
    for name in names {
        let Some(Object::Node(mut node)) = cluster.world.api.get("Node", "", &name).cloned() else {
            let kind = crate::api::kinds::info("Node");
            out.err(crate::api::error::ApiError::not_found(kind, &name).kubectl_message());
            out.exit_code = 1;
            continue;
        };
        let spec = node.spec.get_or_insert_with(Default::default);
        let old = spec.taints.clone().unwrap_or_default();
        if !parsed.bool("overwrite") {
            let exists: Vec<&str> = add
                .iter()
                .filter(|a| old.iter().any(|o| o.key == a.key && o.effect == a.effect))
                .map(|a| a.key.as_str())
                .collect();
            if !exists.is_empty() {
                errors.push(format!(
                    "node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                    exists.join(",")
                ));
                continue;
            }
        }
        let (word, taints) = match reorganize(&old, parsed.bool("overwrite"), &add, &remove) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        spec.taints = (!taints.is_empty()).then_some(taints);
        if dry_run.is_empty() {
            if let Err(e) = cluster.patch(Object::Node(node), "") {
                out.err(e.kubectl_message());
                out.exit_code = 1;
                continue;
            }
        }
        out.out(format!("node/{name} {word}{dry_run}"));
    }
    if let Some(e) = crate::api::limit_range::aggregate(errors) {
        out.extend(super::error(e));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str, value: Option<&str>, effect: &str) -> Taint {
        Taint {
            key: key.into(),
            value: value.map(str::to_string),
            effect: effect.into(),
            time_added: None,
        }
    }

    #[test]
    fn parses_kubectls_forms() {
        assert_eq!(
            parse_taint("dedicated=special-user:NoSchedule"),
            Ok(taint("dedicated", Some("special-user"), "NoSchedule"))
        );
        assert_eq!(
            parse_taint("bar:NoExecute"),
            Ok(taint("bar", None, "NoExecute"))
        );
        assert_eq!(
            parse_taint("a=b:Never"),
            Err("invalid taint effect: Never, unsupported taint effect".into())
        );
        assert_eq!(
            parse_taints(&["k:NoSchedule".into(), "k:NoSchedule".into()]),
            Err("duplicated taints with the same key and effect: {k  NoSchedule <nil>}".into())
        );
        assert_eq!(
            parse_taints(&["k".into()]),
            Err("invalid taint spec: k".into())
        );
        assert!(parse_taint("a b:NoSchedule")
            .unwrap_err()
            .starts_with("invalid taint spec: a b:NoSchedule, name part must consist of"));
    }

    #[test]
    fn reorganizes_as_kubectl() {
        let old = vec![taint("a", Some("1"), "NoSchedule")];
        let (word, new) = reorganize(&old, false, &[taint("b", None, "NoExecute")], &[]).unwrap();
        assert_eq!((word, new.len()), ("tainted", 2));
        let (word, new) = reorganize(&old, false, &[], &[taint("a", None, "")]).unwrap();
        assert_eq!((word, new.len()), ("untainted", 0));
        let (word, _) =
            reorganize(&old, true, &[taint("a", Some("2"), "NoSchedule")], &[]).unwrap();
        assert_eq!(word, "modified");
        assert_eq!(
            reorganize(&old, false, &[], &[taint("x", None, "NoSchedule")]),
            Err("taint \"x:NoSchedule\" not found".into())
        );
    }
}
