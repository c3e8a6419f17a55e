//! `kubectl apply -f` and `kubectl create -f`: manifests from files, folders or stdin.

use crate::sort::SliceSort;
use serde_json::Value;

use super::flags::{self, Flag};
use crate::api::kinds;
use crate::api::manifest::{self, DecodeError, Document};
use crate::api::validation;
use crate::cluster::Cluster;
use crate::output::Output;

/// Which verb is running.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `kubectl apply`: create or update, remembering the last applied configuration.
    Apply,
    /// `kubectl create`: create only.
    Create,
}

pub(super) const FLAGS: &[Flag] = &[
    flags::value("filename", Some('f')),
    flags::boolean("recursive", Some('R')),
    flags::value("dry-run", None),
    flags::value("validate", None),
    flags::boolean("record", None),
    flags::value("output", Some('o')),
];

/// What a document's write returns: the line kubectl prints, and the object as the server
/// answered (for `-o yaml|json|name`).
struct Written {
    line: String,
    object: Option<Value>,
}

/// The annotation `kubectl apply` keeps the applied manifest in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Runs `kubectl apply|create -f ...`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>, mode: Mode) -> Output {
    let verb = if mode == Mode::Apply {
        "apply"
    } else {
        "create"
    };
    let parsed = match flags::parse(verb, args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let sources = parsed.values("filename");
    if sources.is_empty() {
        return super::error(if mode == Mode::Apply {
            "must specify one of -f and -k".to_string()
        } else {
            "must specify one of -f and -k\n\nerror: unknown command \"\" for \"kubectl create\""
                .to_string()
        });
    }
    let dry_run = match parsed.value("dry-run") {
        None | Some("none") => false,
        Some("client" | "server") => true,
        Some(other) => {
            return super::error(format!(
                "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ))
        }
    };
    let mut out = Output::default();
    // --record (deprecated) writes the command line into each object's change-cause.
    let record = parsed.bool("record").then(|| parsed.change_cause(verb));
    if parsed.value("record").is_some() {
        out.err(super::set_image::RECORD_DEPRECATED);
    }
    let inputs = match read_sources(cluster, sources, stdin, parsed.bool("recursive")) {
        Ok(i) => i,
        Err(e) => return super::error(e),
    };
    let namespace_flag = parsed.value("namespace").map(str::to_string);
    let output = parsed.value("output").unwrap_or("");
    if !matches!(output, "" | "yaml" | "json" | "name") {
        return super::error(format!(
            "unable to match a printer suitable for the output format \"{output}\", allowed formats are: json,name,yaml"
        ));
    }
    let mut failed = Vec::new();
    let mut objects = 0;
    for (file, text) in inputs {
        let docs = match manifest::parse(&text) {
            Ok(d) => d,
            Err(e) => {
                out.err(format!("error: error parsing {file}: {e}"));
                out.exit_code = 1;
                continue;
            }
        };
        objects += docs.len();
        for mut doc in docs {
            if let (Some(cause), Some(meta)) = (
                record.as_ref(),
                doc.value.get_mut("metadata").and_then(Value::as_object_mut),
            ) {
                let annotations = meta
                    .entry("annotations")
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Some(a) = annotations.as_object_mut() {
                    a.insert(
                        super::set_image::CHANGE_CAUSE.into(),
                        Value::String(cause.clone()),
                    );
                }
            }
            let result = apply_document(
                cluster,
                &file,
                &text,
                &doc,
                mode,
                dry_run,
                namespace_flag.as_deref(),
            );
            match result {
                Ok(Written { line, object }) => {
                    if !line.contains(" unchanged") {
                        for w in crate::api::object::volume_warnings(&doc.value) {
                            out.err(format!("Warning: {w}"));
                        }
                    }
                    match (output, object) {
                        ("yaml", Some(o)) => out.out_raw(crate::printers::yaml::to_yaml(&o)),
                        ("json", Some(o)) => out.out(super::get::json_pretty(&o)),
                        ("name", _) => out.out(line.split(' ').next().unwrap_or("")),
                        _ => out.out(line),
                    }
                }
                Err(message) => failed.push(message),
            }
        }
    }
    if objects == 0 && out.exit_code == 0 {
        return super::error(format!("no objects passed to {verb}"));
    }
    report_failures(&mut out, failed);
    out
}

/// The objects that failed, after those that succeeded, as kubectl reports its aggregate of
/// errors: only the first line keeps its `error: ` prefix.
fn report_failures(out: &mut Output, failed: Vec<String>) {
    for (i, message) in failed.into_iter().enumerate() {
        // Kubeplay's own notes (kinds it does not simulate) keep their prefix.
        let message = match message.strip_prefix("error: ") {
            Some(rest) if i > 0 && !rest.starts_with("Kubeplay ") => rest.to_string(),
            _ => message,
        };
        out.err(message);
        out.exit_code = 1;
    }
}

fn apply_document(
    cluster: &mut Cluster,
    file: &str,
    text: &str,
    doc: &Document,
    mode: Mode,
    dry_run: bool,
    namespace_flag: Option<&str>,
) -> Result<Written, String> {
    let api_version = doc
        .value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind_name = doc.value.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut missing = Vec::new();
    if api_version.is_empty() {
        missing.push("apiVersion not set");
    }
    if kind_name.is_empty() {
        missing.push("kind not set");
    }
    if !missing.is_empty() {
        let list = if missing.len() == 1 {
            missing[0].to_string()
        } else {
            format!("[{}]", missing.join(", "))
        };
        return Err(format!(
            "error: error validating \"{file}\": error validating data: {list}; if you choose to ignore these errors, turn validation off with --validate=false"
        ));
    }
    let name = doc
        .value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(info) = cluster.world.api.kind_for(api_version, kind_name) else {
        let ns = doc
            .value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let mut message = format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"{ns}\" from \"{file}\": no matches for kind \"{kind_name}\" in version \"{api_version}\"\nensure CRDs are installed first"
        );
        // Hints name built-in kinds: only for an apiVersion of a built-in group.
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let builtin_group = kinds::KINDS.iter().any(|k| k.group == group);
        if !builtin_group {
        } else if let Some(k) = manifest::suggest(kind_name, kinds::KINDS.iter().map(|k| k.kind)) {
            let info = kinds::by_kind(&k)
                .map(|i| i.api_version())
                .unwrap_or_default();
            message.push_str(&format!(
                "\n  hint: did you mean kind \"{k}\" (apiVersion {info})?"
            ));
        } else if let Some(k) = kinds::KINDS.iter().find(|k| k.kind == kind_name) {
            message.push_str(&format!(
                "\n  hint: {} is served as apiVersion {}",
                k.kind,
                k.api_version()
            ));
        }
        return Err(message);
    };
    let decode_failure = |e: DecodeError| -> String {
        let prefix = format!(
            "Error from server (BadRequest): error when creating \"{file}\": {kind_name} in version \"{}\" cannot be handled as a {kind_name}: ",
            api_version.rsplit('/').next().unwrap_or(info.version)
        );
        match e {
            // kubectl reads metadata itself before sending anything, so it fails first.
            DecodeError::Invalid(msg) if msg.contains("Go struct field ObjectMeta.") => {
                format!("error: unable to decode \"{file}\": {msg}")
            }
            DecodeError::Invalid(msg) => format!("{prefix}{msg}"),
            DecodeError::UnknownFields(fields) => {
                let list: Vec<String> = fields
                    .iter()
                    .map(|(p, _)| format!("unknown field \"{p}\""))
                    .collect();
                let mut message = format!("{prefix}strict decoding error: {}", list.join(", "));
                for (path, suggestion) in &fields {
                    let field = path.rsplit('.').next().unwrap_or(path);
                    let field = field.split('[').next().unwrap_or(field);
                    let line = find_key_line(text, doc.line, field)
                        .map(|l| format!("{file}:{l}: "))
                        .unwrap_or_default();
                    match suggestion {
                        Some(s) => message.push_str(&format!("\n  hint: {line}\"{field}\" is not a field here; did you mean \"{s}\"?")),
                        None => message.push_str(&format!("\n  hint: {line}\"{field}\" is not a field here")),
                    }
                }
                message
            }
        }
    };
    if info.create_only() {
        let namespace = match (doc.value.pointer("/metadata/namespace"), namespace_flag) {
            (Some(Value::String(m)), _) => m.clone(),
            (_, Some(f)) => f.to_string(),
            _ => cluster.console.namespace.clone(),
        };
        let user = cluster
            .console
            .acting
            .clone()
            .unwrap_or_else(|| cluster.profile.admin_user());
        let review = super::reviews::answer(cluster, info, &doc.value, &user, &namespace)
            .map_err(|e| e.kubectl_message_for_file("creating", file))?;
        let shown = format!("{}/<unknown>", info.qualified_kind());
        return Ok(Written {
            line: format!("{shown} created"),
            object: Some(review),
        });
    }
    // Events and nodes are not created from manifests yet.
    let decoded = match info.kind {
        "Event" | "Node" => None,
        _ => cluster
            .world
            .api
            .decode(info, &doc.value, true)
            .map(|r| r.map(|(o, _)| o)),
    };
    let Some(decoded) = decoded else {
        return Err(format!(
            "error: Kubeplay does not simulate {} objects yet ({file})",
            info.kind
        ));
    };
    let mut obj = decoded.map_err(decode_failure)?;

    // Namespace: from the manifest, else -n, else the context's; they must agree.
    if info.namespaced {
        let context_ns = cluster.console.namespace.clone();
        let ns = match (obj.metadata().namespace.clone(), namespace_flag) {
            (Some(m), Some(f)) if m != f => {
                return Err(format!(
                    "error: the namespace from the provided object \"{m}\" does not match the namespace \"{f}\". You must pass '--namespace={m}' to perform this operation."
                ))
            }
            (Some(m), _) => m,
            (None, Some(f)) => f.to_string(),
            (None, None) => context_ns,
        };
        obj.metadata_mut().namespace = Some(ns);
    } else {
        obj.metadata_mut().namespace = None;
    }
    if mode == Mode::Apply && obj.name().is_empty() {
        // kubectl apply first GETs the object by name; client-go refuses an empty one.
        return Err(format!(
            "error: error when retrieving current configuration of:\nResource: \"{}\", GroupVersionKind: \"{g}/{v}, Kind={}\"\nName: \"\", Namespace: \"{}\"\nfrom server for: \"{file}\": resource name may not be empty",
            info.group_version_resource(),
            info.kind,
            obj.namespace(),
            g = info.group,
            v = info.version,
        ));
    }
    crate::api::defaults::object(&mut obj);
    validation::validate(&obj).map_err(|e| e.kubectl_message())?;
    let ns = obj.namespace().to_string();
    let name = obj.name().to_string();
    cluster
        .world
        .api
        .admit_namespace(&obj)
        .map_err(|e| e.kubectl_message_for_file("creating", file))?;
    let shown = format!("{}/{name}", info.qualified_kind());
    let suffix = if dry_run { " (dry run)" } else { "" };
    if mode == Mode::Apply {
        let applied = format!("{}\n", sorted_json(&doc.value));
        obj.metadata_mut()
            .annotations
            .get_or_insert_with(Default::default)
            .insert(LAST_APPLIED.into(), applied.clone());
        if let Some(existing) = cluster.world.api.get(info.kind, &ns, &name).cloned() {
            let previous = existing
                .metadata()
                .annotations
                .as_ref()
                .and_then(|a| a.get(LAST_APPLIED))
                .cloned();
            if previous.as_deref() == Some(applied.as_str()) {
                return Ok(stored(
                    cluster,
                    info,
                    &ns,
                    &name,
                    format!("{shown} unchanged{suffix}"),
                ));
            }
            if !dry_run {
                cluster
                    .update_from_apply(existing, obj)
                    .map_err(|e| e.kubectl_message())?;
            }
            return Ok(stored(
                cluster,
                info,
                &ns,
                &name,
                format!("{shown} configured{suffix}"),
            ));
        }
    }
    if cluster.world.api.get(info.kind, &ns, &name).is_some() {
        return Err(format!(
            "Error from server (AlreadyExists): error when creating \"{file}\": {} \"{name}\" already exists",
            info.qualified_resource()
        ));
    }
    if dry_run {
        let env = crate::apiserver::Env {
            clock: &cluster.world.clock,
            rng: &mut cluster.world.rng,
        };
        let would = cluster
            .world
            .api
            .create_dry_run(obj, env)
            .map_err(|e| e.kubectl_message_for_file("creating", file))?;
        return Ok(Written {
            line: format!("{shown} created{suffix}"),
            object: Some(would.to_json()),
        });
    }
    cluster
        .create(obj)
        .map_err(|e| e.kubectl_message_for_file("creating", file))?;
    Ok(stored(
        cluster,
        info,
        &ns,
        &name,
        format!("{shown} created"),
    ))
}

/// The object as stored after a write, with the line kubectl prints for it.
fn stored(
    cluster: &Cluster,
    info: &kinds::KindInfo,
    ns: &str,
    name: &str,
    line: String,
) -> Written {
    Written {
        line,
        object: cluster
            .world
            .api
            .get(info.kind, ns, name)
            .map(|o| o.to_json()),
    }
}

/// Reads every `-f` source: a file, a folder (its .yaml/.yml/.json files; those of its
/// sub-folders too with `recursive`, `-R`), `-` (stdin) or a URL (the add-on catalog).
/// Returns (name as kubectl shows it, text) pairs.
pub fn read_sources(
    cluster: &Cluster,
    sources: &[String],
    stdin: Option<&str>,
    recursive: bool,
) -> Result<Vec<(String, String)>, String> {
    let mut inputs = Vec::new();
    for source in sources {
        if source == "-" {
            inputs.push(("STDIN".into(), stdin.unwrap_or("").to_string()));
        } else if super::catalog::is_url(source) {
            inputs.push((source.clone(), super::catalog::fetch(source)?.to_string()));
        } else if let Some(text) = cluster.console.files.read(source) {
            inputs.push((source.clone(), text.to_string()));
        } else if cluster.console.files.is_dir(source) {
            let dir = crate::console::files_normalize(source);
            let before = inputs.len();
            for f in cluster.console.files.files_under(source) {
                let nested = f
                    .strip_prefix(&dir)
                    .unwrap_or(&f)
                    .trim_start_matches('/')
                    .contains('/');
                if (recursive || !nested)
                    && [".yaml", ".yml", ".json"].iter().any(|e| f.ends_with(e))
                {
                    let text = cluster.console.files.read(&f).unwrap_or("").to_string();
                    inputs.push((f, text));
                }
            }
            if inputs.len() == before {
                return Err(format!(
                    "error reading \"{source}\": recognized file extensions are [.json .yaml .yml]"
                ));
            }
        } else {
            return Err(format!("the path \"{source}\" does not exist"));
        }
    }
    Ok(inputs)
}

/// Compact JSON with keys sorted, as kubectl writes the last-applied annotation.
fn sorted_json(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.stable_sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&sort(v)).unwrap_or_default()
}

/// The 1-based line, at or after `from`, where `key:` is written.
fn find_key_line(text: &str, from: usize, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            let t = t.trim_start_matches(['"', '\'']);
            (t.starts_with(key)
                && t[key.len()..]
                    .trim_start_matches(['"', '\''])
                    .starts_with(':'))
            .then_some(i + 1)
        })
}
