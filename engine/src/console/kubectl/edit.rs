//! `kubectl edit TYPE/NAME [-o yaml|json]`: the object goes to an editor with kubectl's
//! comment header; the edited text comes back through [`Cluster::finish_edit`], which applies
//! it or asks for the file to be reopened with the errors on top, as kubectl's edit loop does.
//! With `KUBE_EDITOR`/`EDITOR` naming a console command (`sed -i ...`), the edit runs in the
//! console itself; otherwise the `Output` carries an [`EditRequest`] for the front end.

use serde_json::{Map, Value};

use super::flags::{self, Flag};
use super::{object_update, resources};
use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::api::{json_patch, kinds, manifest};
use crate::cluster::Cluster;
use crate::output::{EditOutcome, EditRequest, Output};

pub(super) const FLAGS: &[Flag] = &[
    flags::value("output", Some('o')),
    flags::boolean("output-patch", None),
    flags::boolean("save-config", None),
    flags::value("validate", None),
    flags::boolean("windows-line-endings", None),
    flags::value("field-manager", None),
    flags::boolean("show-managed-fields", None),
    flags::value("subresource", None),
    flags::value("filename", Some('f')),
];

/// The comment header kubectl writes above the object.
const HEADER: &str = "\
# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";

/// Console commands that can act as a non-interactive editor inside the console.
const CONSOLE_EDITORS: &[&str] = &["sed", "true", "false", "cat", ":"];

/// How many times an in-console editor is rerun on a reopened file before giving up.
const MAX_ROUNDS: usize = 5;

/// Runs `kubectl edit`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        let mut o = Output::default();
        o.out(HELP);
        return o;
    }
    let parsed = match flags::parse("edit", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let json = match parsed.value("output").unwrap_or("yaml") {
        "yaml" => false,
        "json" => true,
        other => {
            return super::error(format!(
                "the edit mode must be one of [yaml json], not \"{other}\""
            ))
        }
    };
    if parsed.value("subresource").is_some() || !parsed.values("filename").is_empty() {
        return super::error(
            "kubectl edit of files and subresources is not simulated in Kubeplay yet",
        );
    }
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => return super::error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"),
        Err(e) => return super::error(e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let targets: Vec<(&'static kinds::KindInfo, String)> = requests
        .iter()
        .flat_map(|r| r.names.iter().map(move |n| (r.kind, n.clone())))
        .collect();
    let [(kind, name)] = targets.as_slice() else {
        return super::error(if targets.is_empty() {
            "resource(s) were provided, but no name was specified"
        } else {
            "Kubeplay's kubectl edit opens one object at a time"
        });
    };
    let ns = if kind.namespaced {
        namespace.as_str()
    } else {
        ""
    };
    let Some(obj) = cluster.world.api.get(kind.kind, ns, name).cloned() else {
        return Output::failure(ApiError::not_found(kind, name).kubectl_message());
    };
    let body = render(&obj, json);
    let text = format!("{HEADER}{body}");
    let stamp = cluster.world.clock.now_ms();
    let extension = if json { "json" } else { "yaml" };
    let request = EditRequest {
        text: text.clone(),
        file_name: format!(
            "/tmp/kubectl-edit-{}.{extension}",
            1_000_000_000 + (stamp / 11) % 3_000_000_000
        ),
        target: (kind.kind, ns.to_string(), name.clone()),
        original: body,
        first_text: text,
        failed_attempt: None,
    };
    let editor = ["KUBE_EDITOR", "EDITOR"]
        .iter()
        .find_map(|v| cluster.console.env.get(*v).filter(|e| !e.trim().is_empty()))
        .cloned();
    match editor {
        Some(e)
            if e.split_whitespace()
                .next()
                .is_some_and(|p| CONSOLE_EDITORS.contains(&p)) =>
        {
            edit_in_console(cluster, &e, request)
        }
        _ => Output {
            edit: Some(Box::new(request)),
            ..Default::default()
        },
    }
}

/// The object as the editor shows it.
fn render(obj: &Object, json: bool) -> String {
    if json {
        format!("{}\n", super::get::json_pretty(&obj.to_json()))
    } else {
        object_update::to_yaml(obj)
    }
}

/// Runs a console command as the editor (`sed -i ... FILE`), looping like kubectl while the
/// file is reopened with errors.
fn edit_in_console(cluster: &mut Cluster, editor: &str, mut request: EditRequest) -> Output {
    let mut out = Output::default();
    for _ in 0..MAX_ROUNDS {
        let path = request.file_name.clone();
        if let Err(e) = cluster.console.files.write(&path, &request.text, false) {
            return super::error(e);
        }
        let ran = crate::console::run_line(cluster, &format!("{editor} {path}"));
        let edited = cluster.console.files.read(&path).unwrap_or("").to_string();
        cluster.console.files.remove(&path);
        let failed = ran.exit_code != 0;
        out.chunks.extend(ran.chunks);
        if failed {
            out.extend(super::error(format!(
                "there was a problem with the editor \"{editor}\""
            )));
            return out;
        }
        match cluster.finish_edit(&request, &edited) {
            EditOutcome::Done(o) => {
                out.extend(o);
                return out;
            }
            EditOutcome::Reopen(next, o) => {
                out.chunks.extend(o.chunks);
                request = next;
            }
        }
    }
    out.extend(super::error("Edit cancelled, no valid changes were saved."));
    out
}

/// Lines that are not comments (kubectl's `ManualStrip`).
fn strip_comments(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| !l.trim().starts_with('#'))
        .collect()
}

/// Whether two texts say the same once comments are gone (as JSON when both parse).
fn same_content(a: &str, b: &str) -> bool {
    let (a, b) = (strip_comments(a), strip_comments(b));
    match (parse_one(&a), parse_one(&b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn parse_one(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    let docs = manifest::parse(text)?;
    let mut values: Vec<Value> = docs.into_iter().map(|d| d.value).collect();
    match values.len() {
        1 => Ok(values.remove(0)),
        0 => Ok(Value::Null),
        _ => Err("kubectl edit expects a single object".into()),
    }
}

/// A JSON merge patch turning `from` into `to` (lists are replaced whole).
fn merge_diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(f), Value::Object(t)) => {
            let mut patch = Map::new();
            for (k, v) in t {
                match f.get(k) {
                    Some(old) if old == v => {}
                    Some(old) if old.is_object() && v.is_object() => {
                        patch.insert(k.clone(), merge_diff(old, v));
                    }
                    _ => {
                        patch.insert(k.clone(), v.clone());
                    }
                }
            }
            for k in f.keys() {
                if !t.contains_key(k) {
                    patch.insert(k.clone(), Value::Null);
                }
            }
            Value::Object(patch)
        }
        _ => to.clone(),
    }
}

/// The header with kubectl's error block: `# <head>:` then `# * <cause>` lines, then `#`.
fn header_with(head: &str, causes: &[String]) -> String {
    let hash = |s: &str| s.replace('\n', "\n# ");
    let mut h = HEADER.to_string();
    if causes.is_empty() {
        h.push_str(&format!("# {}\n", hash(head)));
    } else {
        h.push_str(&format!("# {}:\n", hash(head)));
        for c in causes {
            h.push_str(&format!("# * {}\n", hash(c)));
        }
    }
    h.push_str("#\n");
    h
}

fn message(text: impl AsRef<str>, exit_code: i32) -> Output {
    let mut o = Output::default();
    o.err(text);
    o.exit_code = exit_code;
    o
}

impl Cluster {
    /// Ends one round of `kubectl edit`: `edited` is the editor's text for `request`.
    /// Returns kubectl's outcome: cancelled (no change, empty file), `edited`, an error, or
    /// the file to reopen with the errors in its header (syntax errors, invalid objects).
    pub fn finish_edit(&mut self, request: &EditRequest, edited: &str) -> EditOutcome {
        let file = &request.file_name;
        let preserved = |m: &str| {
            let mut o = message(
                format!("A copy of your changes has been stored to \"{file}\""),
                1,
            );
            o.extend(super::error(m));
            o
        };
        if let Some(previous) = &request.failed_attempt {
            if same_content(previous, edited) {
                return EditOutcome::Done(preserved(
                    "Edit cancelled, no valid changes were saved.",
                ));
            }
        }
        if same_content(&request.first_text, edited) {
            return EditOutcome::Done(message("Edit cancelled, no changes made.", 0));
        }
        let body = strip_comments(edited);
        if body.trim().is_empty() {
            return EditOutcome::Done(message("Edit cancelled, saved file was empty.", 0));
        }
        let reopen = |head: String, causes: Vec<String>, out: Output| {
            EditOutcome::Reopen(
                EditRequest {
                    text: format!("{}{body}", header_with(&head, &causes)),
                    failed_attempt: Some(edited.to_string()),
                    ..request.clone()
                },
                out,
            )
        };
        let value = match parse_one(&body) {
            Ok(v) if v.is_object() => v,
            Ok(_) => return reopen(
                "The edited file had a syntax error: Object 'Kind' is missing in the edited file"
                    .into(),
                Vec::new(),
                Output::default(),
            ),
            Err(e) => {
                return reopen(
                    format!("The edited file had a syntax error: {e}"),
                    Vec::new(),
                    Output::default(),
                )
            }
        };
        let (kind, ns, name) = &request.target;
        let info = kinds::info(kind);
        let resource = format!("{} \"{name}\"", info.qualified_resource());
        let original = parse_one(&request.original).unwrap_or(Value::Null);
        let identity = |v: &Value| {
            (
                v.get("apiVersion").cloned(),
                v.get("kind").cloned(),
                v.pointer("/metadata/name").cloned(),
            )
        };
        if identity(&original) != identity(&value) {
            return EditOutcome::Done(preserved(
                "At least one of apiVersion, kind and name was changed",
            ));
        }
        if original == value {
            let mut o = Output::default();
            o.out(format!("{}/{name} skipped", info.qualified_kind()));
            return EditOutcome::Done(o);
        }
        let Some(live) = self.world.api.get(kind, ns, name).cloned() else {
            let mut o = message(
                format!("error: {resource} could not be found on the server"),
                1,
            );
            o.err(format!(
                "The edits you made on deleted resources have been saved to \"{file}\""
            ));
            return EditOutcome::Done(o);
        };
        let patch = merge_diff(&original, &value);
        let merged = json_patch::merge(&live.to_json(), &patch);
        match object_update::update(self, &live, &merged, false) {
            Ok(u) => {
                let mut o = Output::default();
                for w in u.warnings {
                    o.err(w);
                }
                o.out(format!("{}/{name} edited", info.qualified_kind()));
                EditOutcome::Done(o)
            }
            Err(object_update::UpdateError::Api(ApiError::Invalid { causes, .. })) => reopen(
                format!("{resource} was not valid"),
                causes,
                message(format!("error: {resource} is invalid"), 1),
            ),
            Err(object_update::UpdateError::Api(ApiError::Forbidden { message: m, .. })) => reopen(
                format!("{resource} was not valid"),
                vec![m],
                message(format!("error: {resource} is invalid"), 1),
            ),
            Err(e) => {
                let mut o = message(
                    format!("error: {resource} could not be patched: {}", e.message()),
                    1,
                );
                o.err(format!(
                    "You can run `kubectl replace -f {file}` to try this update again."
                ));
                EditOutcome::Done(o)
            }
        }
    }
}

/// `kubectl edit -h` (summary and usage).
const HELP: &str = "\
Edit a resource from the default editor.

 The edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. When attempting to open the editor, it will first attempt to use the shell that has been defined in the 'SHELL' environment variable. If this is not defined, the default shell will be used, which is '/bin/bash' for Linux or 'cmd' for Windows.

 You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 Editing is done with the API version used to fetch the resource. To edit using a specific API version, fully-qualify the resource, version, and group.

 The default format is YAML. To edit in JSON, specify \"-o json\".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version.

Examples:
  # Edit the service named 'registry'
  kubectl edit svc/registry

  # Use an alternative editor
  KUBE_EDITOR=\"nano\" kubectl edit svc/registry

  # Edit the job 'myjob' in JSON using the v1 API format
  kubectl edit job.v1.batch/myjob -o json

  # Edit the deployment 'mydeployment' in YAML and save the modified config in its annotation
  kubectl edit deployment/mydeployment -o yaml --save-config

  # Edit the 'status' subresource for the 'mydeployment' deployment
  kubectl edit deployment mydeployment --subresource='status'

Usage:
  kubectl edit (RESOURCE/NAME | -f FILENAME) [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_diffs_and_headers() {
        let from = json!({"a": 1, "b": {"c": 2, "d": 3}, "l": [1]});
        let to = json!({"a": 1, "b": {"c": 5}, "l": [1, 2]});
        assert_eq!(
            merge_diff(&from, &to),
            json!({"b": {"c": 5, "d": null}, "l": [1, 2]})
        );
        assert!(same_content("# x\na: 1\n", "a:   1\n# y\n"));
        assert!(!same_content("a: 1\n", "a: 2\n"));
        let h = header_with(
            "deployments.apps \"web\" was not valid",
            &["spec.replicas: bad".into()],
        );
        assert!(h.ends_with(
            "#\n# deployments.apps \"web\" was not valid:\n# * spec.replicas: bad\n#\n"
        ));
    }
}

#[cfg(test)]
mod cluster_tests {
    use crate::output::EditOutcome;
    use crate::Cluster;

    #[test]
    fn invalid_edits_reopen_with_the_errors_on_top() {
        let mut c = Cluster::new();
        c.run("kubectl create deployment web --image=nginx");
        let request = c
            .run("kubectl edit deploy/web")
            .edit
            .expect("an edit request");
        assert!(request.text.starts_with(
            "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
        ));
        assert!(request
            .text
            .contains("\napiVersion: apps/v1\nkind: Deployment\n"));
        let edited = request.text.replace("replicas: 1", "replicas: -1");
        let EditOutcome::Reopen(again, out) = c.finish_edit(&request, &edited) else {
            panic!("expected a reopen");
        };
        assert_eq!(out.stderr(), "error: deployments.apps \"web\" is invalid\n");
        assert!(again.text.contains(
            "#\n# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\napiVersion: apps/v1\n"
        ));
        let EditOutcome::Done(out) = c.finish_edit(&again, &again.text) else {
            panic!("expected the end");
        };
        assert!(out
            .stderr()
            .ends_with("error: Edit cancelled, no valid changes were saved.\n"));
        let fixed = again.text.replace("replicas: -1", "replicas: 2");
        let EditOutcome::Done(out) = c.finish_edit(&again, &fixed) else {
            panic!("expected the end");
        };
        assert_eq!(out.stdout(), "deployment.apps/web edited\n");
        let broken = request.text.replace("spec:", "spec: [");
        let EditOutcome::Reopen(again, out) = c.finish_edit(&request, &broken) else {
            panic!("expected a reopen");
        };
        assert_eq!(out.text(), "");
        assert!(again
            .text
            .contains("# The edited file had a syntax error: "));
    }
}
