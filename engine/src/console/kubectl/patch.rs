//! `kubectl patch (TYPE NAME | TYPE/NAME | -f FILE) -p PATCH|--patch-file F
//! [--type strategic|merge|json] [--dry-run=client|server] [-o yaml|json|name]`.

use serde_json::Value;

use super::flags::{self, Flag};
use super::object_update::{self, UpdateError};
use super::resources;
use crate::api::error::ApiError;
use crate::api::json_patch::{self, PatchError};
use crate::api::kinds::KindInfo;
use crate::api::{manifest, strategic_merge};
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("patch", Some('p')),
    flags::value("patch-file", None),
    flags::value("type", None),
    flags::value("filename", Some('f')),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("subresource", None),
    flags::boolean("local", None),
    flags::boolean("record", None),
    flags::value("field-manager", None),
];

/// The help text of `kubectl patch -h` (its first lines and usage).
pub const HELP: &str = "\
Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

 JSON and YAML formats are accepted.

 Note: Strategic merge patch is not supported for custom resources.

Examples:
  # Partially update a node using a strategic merge patch, specifying the patch as JSON
  kubectl patch node k8s-node-1 -p '{\"spec\":{\"unschedulable\":true}}'

  # Partially update a node using a strategic merge patch, specifying the patch as YAML
  kubectl patch node k8s-node-1 -p $'spec:\\n unschedulable: true'

  # Partially update a node identified by the type and name specified in \"node.json\" using strategic merge patch
  kubectl patch -f node.json -p '{\"spec\":{\"unschedulable\":true}}'

  # Update a container's image; spec.containers[*].name is required because it's a merge key
  kubectl patch pod valid-pod -p '{\"spec\":{\"containers\":[{\"name\":\"kubernetes-serve-hostname\",\"image\":\"new image\"}]}}'

  # Update a container's image using a JSON patch with positional arrays
  kubectl patch pod valid-pod --type='json' -p='[{\"op\": \"replace\", \"path\": \"/spec/containers/0/image\", \"value\":\"new image\"}]'

  # Update a deployment's replicas through the 'scale' subresource using a merge patch
  kubectl patch deployment nginx-deployment --subresource='scale' --type='merge' -p '{\"spec\":{\"replicas\":2}}'

Usage:
  kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

const NO_RESOURCE: &str = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/// The patch types kubectl accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PatchType {
    Strategic,
    Merge,
    Json,
}

/// Runs `kubectl patch`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        let mut o = Output::default();
        o.out(HELP);
        return o;
    }
    let parsed = match flags::parse("patch", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let patch_type = match parsed.value("type").unwrap_or("strategic") {
        "strategic" => PatchType::Strategic,
        "merge" => PatchType::Merge,
        "json" => PatchType::Json,
        other => {
            return super::error(format!(
                "--type must be one of [json merge strategic], not \"{other}\""
            ))
        }
    };
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let format = parsed.value("output").unwrap_or("");
    if !matches!(format, "" | "yaml" | "json" | "name") {
        return super::error(format!(
            "unable to match a printer suitable for the output format \"{format}\", allowed formats are: json,name,yaml"
        ));
    }
    if parsed.bool("local") {
        return super::error("--local is not simulated in Kubeplay yet");
    }
    if parsed.value("subresource").is_some() {
        return super::error("--subresource is not simulated in Kubeplay yet");
    }
    let text = match (parsed.value("patch"), parsed.value("patch-file")) {
        (Some(_), Some(_)) => {
            return super::error("cannot specify --patch and --patch-file together")
        }
        (Some(p), None) => p.to_string(),
        (None, Some(f)) => match cluster.console.files.read(f) {
            Some(t) => t.to_string(),
            None => {
                return super::error(format!(
                    "unable to read patch file: open {f}: no such file or directory"
                ))
            }
        },
        (None, None) => {
            return super::error(
                "must specify --patch or --patch-file containing the contents of the patch",
            )
        }
    };
    let namespace = super::namespace(cluster, &parsed);
    let targets = match targets(cluster, &parsed, stdin, &namespace) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if text.trim().is_empty() {
        return super::error(
            "must specify --patch or --patch-file containing the contents of the patch",
        );
    }
    let patch = match parse_patch(&text) {
        Ok(p) => p,
        Err(e) => return super::error(format!("unable to parse \"{text}\": {e}")),
    };
    let mut out = Output::default();
    for (kind, ns, name) in targets {
        match patch_one(cluster, kind, &ns, &name, &patch, patch_type, dry_run) {
            Ok((changed, warnings, obj)) => {
                for w in warnings {
                    out.err(w);
                }
                let shown = format!("{}/{name}", kind.qualified_kind());
                match format {
                    "yaml" => out.out_raw(object_update::to_yaml(&obj)),
                    "json" => out.out(super::get::json_pretty(&obj.to_json())),
                    "name" => out.out(shown),
                    _ => {
                        let mut line = format!("{shown} patched");
                        if !changed {
                            line.push_str(" (no change)");
                        }
                        if dry_run {
                            line.push_str(" (dry run)");
                        }
                        out.out(line);
                    }
                }
            }
            Err(message) => {
                out.err(message);
                out.exit_code = 1;
            }
        }
    }
    out
}

/// A patch given as JSON or YAML.
pub fn parse_patch(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    let docs = manifest::parse(text)?;
    match docs.into_iter().next() {
        Some(d) => Ok(d.value),
        None => Ok(Value::Null),
    }
}

type Target = (&'static KindInfo, String, String);

/// The objects named by the arguments or by `-f` manifests.
fn targets(
    cluster: &Cluster,
    parsed: &flags::Parsed,
    stdin: Option<&str>,
    namespace: &str,
) -> Result<Vec<Target>, Output> {
    let files = parsed.values("filename");
    if !files.is_empty() {
        let inputs =
            super::apply::read_sources(cluster, files, stdin, false).map_err(super::error)?;
        let mut found = Vec::new();
        for (file, text) in inputs {
            let docs = manifest::parse(&text)
                .map_err(|e| super::error(format!("error parsing {file}: {e}")))?;
            for d in docs {
                let kind = d.value.get("kind").and_then(Value::as_str).unwrap_or("");
                let Some(info) = cluster.world.api.kind_info(kind) else {
                    return Err(super::error(format!(
                        "unable to recognize \"{file}\": no matches for kind \"{kind}\""
                    )));
                };
                let name = d
                    .value
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let ns = d
                    .value
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(namespace)
                    .to_string();
                found.push((info, ns, name));
            }
        }
        return Ok(found);
    }
    let requests =
        resources::resolve(&cluster.world.api, &parsed.positionals).map_err(super::error)?;
    if requests.is_empty() {
        return Err(super::error(NO_RESOURCE));
    }
    let mut found = Vec::new();
    for r in requests {
        if r.names.is_empty() {
            return Err(super::error(
                "resource(s) were provided, but no name was specified",
            ));
        }
        for n in r.names {
            let ns = if r.kind.namespaced { namespace } else { "" };
            found.push((r.kind, ns.to_string(), n));
        }
    }
    Ok(found)
}

fn patch_one(
    cluster: &mut Cluster,
    kind: &'static KindInfo,
    namespace: &str,
    name: &str,
    patch: &Value,
    patch_type: PatchType,
    dry_run: bool,
) -> Result<(bool, Vec<String>, crate::api::object::Object), String> {
    let ns = if kind.namespaced { namespace } else { "" };
    let Some(existing) = cluster.world.api.get(kind.kind, ns, name).cloned() else {
        return Err(ApiError::not_found(kind, name).kubectl_message());
    };
    let live = existing.to_json();
    let patched = match patch_type {
        PatchType::Json => json_patch::apply(&live, patch).map_err(|e| match e {
            PatchError::Decode(m) => format!("Error from server (BadRequest): {m}"),
            PatchError::Apply(_) => {
                "The request is invalid: the server rejected our request due to an error in our request"
                    .to_string()
            }
        })?,
        PatchType::Merge | PatchType::Strategic if !patch.is_object() => {
            return Err(format!(
                "Error from server (BadRequest): json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                match patch {
                    Value::Array(_) => "array",
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    Value::Bool(_) => "bool",
                    _ => "null",
                }
            ))
        }
        PatchType::Merge => json_patch::merge(&live, patch),
        // The apiserver passes merge-key errors on as they are (an unknown-reason status).
        // Custom objects have no patch strategy: the apiserver refuses the media type.
        PatchType::Strategic if matches!(existing, crate::api::object::Object::Custom(_)) => {
            return Err(format!(
                "error: application/strategic-merge-patch+json is not supported by {}, Kind={}: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                kind.api_version(),
                kind.kind
            ))
        }
        PatchType::Strategic => strategic_merge::apply(&live, patch)
            .map_err(|m| format!("Error from server: {m}"))?,
    };
    match object_update::update(cluster, &existing, &patched, dry_run) {
        Ok(u) => Ok((u.changed, u.warnings, u.object)),
        Err(UpdateError::Api(e)) => Err(e.kubectl_message()),
        Err(e) => Err(e.message()),
    }
}
