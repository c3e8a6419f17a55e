//! `kubectl wait --for=condition=C[=V]|delete|jsonpath='{EXPR}'[=VALUE] [--timeout=30s]
//! TYPE/NAME...`: waits in simulated time until each object has the condition (or is gone,
//! or its JSONPath finds the value, or any value), printing `job.batch/pi condition met`,
//! or kubectl's timeout error.

use super::flags::{self, Flag};
use super::resources;
use crate::api::error::ApiError;
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::go_value;
use crate::printers::jsonpath::Template;
use serde_json::Value;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("for", None),
    flags::value("timeout", None),
    flags::value("selector", Some('l')),
    flags::boolean("all", None),
];

/// What to wait for.
#[derive(Clone)]
enum Wanted {
    /// A status condition with this type and status (case-insensitive).
    Condition(String, String),
    /// The object's deletion.
    Delete,
    /// A JSONPath that finds one value: this one (as `%v` prints it), or any.
    JsonPath(Template, Option<String>),
}

/// kubectl's `conditionFuncFor`.
fn wanted(spec: &str) -> Result<Wanted, String> {
    if spec.eq_ignore_ascii_case("delete") {
        return Ok(Wanted::Delete);
    }
    if let Some(c) = spec.strip_prefix("condition=") {
        let (t, v) = c.split_once('=').unwrap_or((c, "true"));
        return Ok(Wanted::Condition(t.to_string(), v.to_string()));
    }
    if let Some(input) = spec.strip_prefix("jsonpath=") {
        let parts = split_jsonpath_input(input);
        if parts.len() > 2 {
            return Err("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'".into());
        }
        let expr = super::output_templates::relaxed(&parts[0])?;
        let value = match parts.get(1) {
            None => None,
            Some(v) => {
                let v = v.trim_matches(['\'', '"']);
                if v.is_empty() {
                    return Err("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3".into());
                }
                Some(v.to_string())
            }
        };
        if expr.is_empty() {
            return Err("jsonpath expression cannot be empty".into());
        }
        return Ok(Wanted::JsonPath(Template::parse_bare(&expr)?, value));
    }
    Err(format!(
        "unrecognized condition: {}",
        crate::node::hooks::go_quote(spec)
    ))
}

/// kubectl's `splitJSONPathInput`: split at each single `=` (a `==` stays whole).
fn split_jsonpath_input(input: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut rest = input;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("==") {
            part.push_str("==");
            rest = after;
            continue;
        }
        if c == '=' {
            parts.push(std::mem::take(&mut part));
        } else {
            part.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    parts.push(part);
    parts
}

/// Whether the object meets what is wanted; an error stops the wait (a JSONPath that
/// finds several values, or a map).
fn met(
    cluster: &Cluster,
    kind: &'static str,
    ns: &str,
    name: &str,
    w: &Wanted,
) -> Result<bool, String> {
    let obj = cluster.world.api.get(kind, ns, name);
    Ok(match w {
        Wanted::Delete => obj.is_none(),
        Wanted::JsonPath(template, want) => {
            let Some(o) = obj else { return Ok(false) };
            match (template.single(&o.to_json())?, want) {
                (None, _) => false,
                (Some(Value::Object(_) | Value::Array(_)), Some(_)) => {
                    return Err(
                        "jsonpath leads to a nested object or list which is not supported".into(),
                    )
                }
                (Some(_), None) => true,
                (Some(v), Some(want)) => go_value::plain(&v).trim() == want.trim(),
            }
        }
        Wanted::Condition(t, v) => obj.is_some_and(|o| {
            let json = o.to_json();
            json.pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
                .any(|c| {
                    let field = |k: &str| c.get(k).and_then(|x| x.as_str()).unwrap_or("");
                    field("type").eq_ignore_ascii_case(t) && field("status").eq_ignore_ascii_case(v)
                })
        }),
    })
}

/// Runs `kubectl wait`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("wait", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(spec) = parsed.value("for") else {
        return super::error("--for must be specified");
    };
    let wanted = match wanted(spec) {
        Ok(w) => w,
        Err(e) => return super::error(e),
    };
    let timeout = match parsed.value("timeout") {
        None => SimDuration::seconds(30),
        // Negative means a week (168h), as kubectl.
        Some(t) => match super::duration_flag("wait", "timeout", t) {
            Ok(d) if d.0 < 0 => SimDuration::seconds(7 * 86_400),
            Ok(d) => d,
            Err(e) => return super::error(e),
        },
    };
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) => r,
        Err(e) => return super::error(e),
    };
    if requests.is_empty() {
        return super::error("resource(s) were provided, but no name was specified");
    }
    let namespace = super::namespace(cluster, &parsed);
    let selector = match parsed
        .value("selector")
        .map(crate::api::selector::Selector::parse)
    {
        Some(Err(e)) => return super::error(e),
        Some(Ok(s)) => Some(s),
        None => None,
    };
    let mut out = Output::default();
    for mut r in requests {
        if r.names.is_empty() {
            if selector.is_none() && !parsed.bool("all") {
                return super::error("resource(s) were provided, but no name was specified");
            }
            // `-l`/`--all`: the objects that match when the command starts.
            let ns = if r.kind.namespaced {
                Some(namespace.as_str())
            } else {
                None
            };
            r.names = cluster
                .world
                .api
                .list(r.kind.kind, ns)
                .filter(|o| {
                    selector
                        .as_ref()
                        .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
                })
                .map(|o| o.name().to_string())
                .collect();
            if r.names.is_empty() {
                if matches!(wanted, Wanted::Delete) {
                    continue;
                }
                return super::error("no matching resources found");
            }
        }
        let ns = if r.kind.namespaced {
            namespace.clone()
        } else {
            String::new()
        };
        for name in r.names {
            if cluster.world.api.get(r.kind.kind, &ns, &name).is_none() {
                if matches!(wanted, Wanted::Delete) {
                    continue;
                }
                out.err(ApiError::not_found(r.kind, &name).kubectl_message());
                out.exit_code = 1;
                return out;
            }
            let outcome = if timeout.0 == 0 {
                // Zero: one look, no waiting.
                met(cluster, r.kind.kind, &ns, &name, &wanted)
            } else {
                let (kind, w, n, namespace) =
                    (r.kind.kind, wanted.clone(), name.clone(), ns.clone());
                // Read again only when the object changed (its resourceVersion): a long wait
                // costs what happens to it, not every instant the cluster wakes.
                let seen = std::cell::RefCell::new(None::<(Option<String>, bool)>);
                let failed = std::cell::RefCell::new(None::<String>);
                let failure = &failed;
                let done = cluster.advance_until(timeout, move |c| {
                    let version = c
                        .world
                        .api
                        .get(kind, &namespace, &n)
                        .and_then(|o| o.metadata().resource_version.clone());
                    if let Some((v, answer)) = seen.borrow().as_ref() {
                        if *v == version {
                            return *answer;
                        }
                    }
                    let answer = met(c, kind, &namespace, &n, &w).unwrap_or_else(|e| {
                        *failure.borrow_mut() = Some(e);
                        true
                    });
                    *seen.borrow_mut() = Some((version, answer));
                    answer
                });
                failed.into_inner().map_or(Ok(done), Err)
            };
            match outcome {
                Ok(true) => out.out(format!("{}/{name} condition met", r.kind.qualified_kind())),
                Ok(false) if timeout.0 == 0 => {
                    out.extend(super::error(format!(
                        "condition not met for {}/{name}",
                        r.kind.plural
                    )));
                    return out;
                }
                Ok(false) => {
                    out.extend(super::error(format!(
                        "timed out waiting for the condition on {}/{name}",
                        r.kind.plural
                    )));
                    return out;
                }
                Err(e) => {
                    out.extend(super::error(e));
                    return out;
                }
            }
        }
    }
    out
}
