//! `kubectl set resources RESOURCE [--limits=cpu=200m,memory=512Mi] [--requests=...] [-c NAME]`:
//! container resource requests and limits of pod templates (a pod's own are immutable).

use serde_json::{Map, Value};

use super::flags::{self, Flag};
use super::object_update;
use super::set_env::{container_matches, print_result, select_objects};
use crate::api::object::pod_spec_pointer;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("limits", None),
    flags::value("requests", None),
    flags::value("containers", Some('c')),
    flags::boolean("all", None),
    flags::value("selector", Some('l')),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("filename", Some('f')),
    flags::boolean("local", None),
];

/// `cpu=200m,memory=512Mi` as a JSON map, checking each quantity.
fn parse_list(text: &str) -> Result<Map<String, Value>, String> {
    let mut map = Map::new();
    for pair in text.split(',').filter(|p| !p.is_empty()) {
        let Some((name, q)) = pair.split_once('=') else {
            return Err(format!(
                "Invalid argument syntax {pair}, expected <resource>=<value>"
            ));
        };
        crate::api::quantity::check(q)?;
        map.insert(name.to_string(), Value::String(q.to_string()));
    }
    Ok(map)
}

/// Runs `kubectl set resources`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        let mut o = Output::default();
        o.out(HELP);
        return o;
    }
    let parsed = match flags::parse("set resources", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let (limits, requests) = match (
        parse_list(parsed.value("limits").unwrap_or("")),
        parse_list(parsed.value("requests").unwrap_or("")),
    ) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), _) | (_, Err(e)) => return super::error(e),
    };
    if limits.is_empty() && requests.is_empty() {
        return super::error(
            "you must specify an update to requests or limits (in the form of --requests/--limits)",
        );
    }
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let (objects, not_found) = match select_objects(
        cluster,
        &parsed.positionals,
        &parsed,
        &namespace,
        "resources",
    ) {
        Ok(o) => o,
        Err(errors) => return Output::failure(errors.join("\n")),
    };
    let selector = parsed.value("containers").unwrap_or("*");
    let format = parsed.value("output").unwrap_or("");
    let mut out = Output::default();
    for e in not_found {
        out.err(e);
        out.exit_code = 1;
    }
    for obj in objects {
        let shown = format!("{}/{}", obj.info().qualified_kind(), obj.name());
        let object_name = format!("{}/{}", obj.info().qualified_resource(), obj.name());
        let Some(pointer) = pod_spec_pointer(obj.kind()) else {
            out.err(format!(
                "error: {object_name} error: object does not contain a pod template"
            ));
            out.exit_code = 1;
            continue;
        };
        let mut value = obj.to_json();
        let mut matched = false;
        for c in value
            .pointer_mut(&format!("{pointer}/containers"))
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            if !container_matches(selector, name) {
                continue;
            }
            matched = true;
            let Some(c) = c.as_object_mut() else { continue };
            let res = c
                .entry("resources")
                .or_insert_with(|| Value::Object(Map::new()));
            for (field, wanted) in [("limits", &limits), ("requests", &requests)] {
                if wanted.is_empty() {
                    continue;
                }
                if let Some(r) = res.as_object_mut() {
                    let slot = r.entry(field).or_insert_with(|| Value::Object(Map::new()));
                    if let Some(s) = slot.as_object_mut() {
                        for (k, v) in wanted {
                            s.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
        }
        if !matched {
            out.err(format!(
                "error: {object_name} error: unable to find container named {selector}"
            ));
            out.exit_code = 1;
            continue;
        }
        match object_update::update(cluster, &obj, &value, dry_run) {
            Ok(u) if !u.changed => {}
            Ok(u) => print_result(
                &mut out,
                format,
                &shown,
                &u.object,
                "resource requirements updated",
                dry_run,
            ),
            Err(e) => {
                out.err(format!(
                    "error: failed to patch resources update to pod template {}",
                    e.message()
                ));
                out.exit_code = 1;
            }
        }
    }
    out
}

const HELP: &str = "\
Specify compute resource requirements (CPU, memory) for any resource that defines a pod template.  If a pod is successfully scheduled, it is guaranteed the amount of resource requested, but may burst up to its specified limits.

 For each compute resource, if a limit is specified and a request is omitted, the request will default to the limit.

 Possible resources include (case insensitive): replicationcontroller (rc), deployment (deploy), daemonset (ds), job, replicaset (rs), statefulset (sts)

Examples:
  # Set a deployments nginx container cpu limits to \"200m\" and memory to \"512Mi\"
  kubectl set resources deployment nginx -c=nginx --limits=cpu=200m,memory=512Mi

  # Set the resource request and limits for all containers in nginx
  kubectl set resources deployment nginx --limits=cpu=200m,memory=512Mi --requests=cpu=100m,memory=256Mi

  # Remove the resource requests for resources on containers in nginx
  kubectl set resources deployment nginx --limits=cpu=0,memory=0 --requests=cpu=0,memory=0

  # Print the result (in yaml format) of updating nginx container limits from a local, without hitting the server
  kubectl set resources -f path/to/file.yaml --limits=cpu=200m,memory=512Mi --local -o yaml

Usage:
  kubectl set resources (-f FILENAME | TYPE NAME)  ([--limits=LIMITS & --requests=REQUESTS] [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";
