//! `kubectl get`.

use super::flags::{self, Flag};
use super::resources;
use super::sort_by::SortBy;
use crate::api::field_selector::FieldSelector;
use crate::api::kinds::KindInfo;
use crate::api::object::Object;
use crate::api::selector::Selector;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::columns::{self, TableOptions};
use crate::printers::table::render_aligned;
use crate::sort::SliceSort;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("output", Some('o')),
    flags::boolean("all-namespaces", Some('A')),
    flags::boolean("show-labels", None),
    flags::boolean("no-headers", None),
    flags::value("selector", Some('l')),
    flags::value("field-selector", None),
    flags::value("label-columns", Some('L')),
    flags::value("sort-by", None),
    flags::value("template", None),
    flags::boolean("allow-missing-template-keys", None),
    flags::boolean("output-watch-events", None),
    // `--watch=false`: a plain get (a watch goes to `watch::run`).
    flags::boolean("watch", Some('w')),
    flags::boolean("watch-only", None),
    flags::boolean("ignore-not-found", None),
    // Paging only: the objects printed are the same.
    flags::value("chunk-size", None),
];

/// Output formats kubectl 1.34 accepts, in the order its error message lists them.
const PRINTERS: &[&str] = &[
    "custom-columns",
    "custom-columns-file",
    "go-template",
    "go-template-file",
    "json",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
    "name",
    "template",
    "templatefile",
    "wide",
    "yaml",
];

const NO_TYPE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\n\
error: Required resource not specified.\n\
Use \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\n\
See 'kubectl get -h' for help and examples";

/// The objects one request found, of one kind: whether they were asked for by name.
type Found<'a> = (&'static KindInfo, Vec<&'a Object>, bool);

/// `--sort-by`, as kubectl applies it. A table is sorted on its own (and each object asked
/// for by name is a table of its own, only checked for the field); the other printers sort
/// every object found together, across kinds, unless a single object was asked for.
fn sort_found(
    found: &mut Vec<Found<'_>>,
    spec: &str,
    tables: bool,
    single: bool,
) -> Result<(), String> {
    if tables {
        let by = SortBy::for_tables(spec)?;
        for (kind, objects, named) in found.iter_mut() {
            if *named {
                for o in objects.iter() {
                    by.check(&served_json(kind, o))?;
                }
            } else {
                by.sort(objects, |o| served_json(kind, o))?;
            }
        }
        return Ok(());
    }
    if single {
        return Ok(());
    }
    let by = SortBy::for_lists(spec)?;
    let mut items: Vec<(&'static KindInfo, &Object)> = found
        .drain(..)
        .flat_map(|(kind, objects, _)| objects.into_iter().map(move |o| (kind, o)))
        .collect();
    by.sort(&mut items, |(kind, o)| served_json(kind, o))?;
    // Back into runs of one kind, in the sorted order.
    for (kind, o) in items {
        match found.last_mut() {
            Some((k, objects, _)) if std::ptr::eq(*k, kind) => objects.push(o),
            _ => found.push((kind, vec![o], false)),
        }
    }
    Ok(())
}

/// kubectl get's `Validate`: flags that do not go together (`watching`: `-w` or
/// `--watch-only` was given).
pub(super) fn validate(parsed: &flags::Parsed, watching: bool) -> Result<(), String> {
    if let Some(size) = parsed.value("chunk-size") {
        super::flag_values::int_flag("get", "--chunk-size", size, 64)?;
    }
    let format = parsed.value("output").unwrap_or("");
    if parsed.bool("show-labels") && !matches!(format, "" | "wide") {
        return Err(format!(
            "--show-labels option cannot be used with {format} printer"
        ));
    }
    if parsed.bool("output-watch-events") && !watching {
        return Err("--output-watch-events option can only be used with --watch or --watch-only\nSee 'kubectl get -h' for help and examples".into());
    }
    Ok(())
}

/// The printer `-o FORMAT` names (`jsonpath` for `jsonpath=…`), or kubectl's refusal.
pub(super) fn printer_of(format: &str) -> Result<&str, String> {
    let printer = format.split_once('=').map_or(format, |(p, _)| p);
    if matches!(format, "" | "wide" | "name" | "yaml" | "json") || PRINTERS.contains(&printer) {
        return Ok(printer);
    }
    Err(format!(
        "unable to match a printer suitable for the output format \"{format}\", allowed formats are: {}",
        PRINTERS.join(",")
    ))
}

/// The printer `-o` names, as one of `""`, `wide`, `name`, `yaml`, `json`, `jsonpath`,
/// `jsonpath-as-json`, `go-template` or `custom-columns`, and its template: the text after
/// `=`, else `--template`; the `-file` printers read it from the workspace.
pub(super) fn printer_and_template<'p>(
    cluster: &Cluster,
    parsed: &'p flags::Parsed,
) -> Result<(&'p str, String), String> {
    let format = parsed.value("output").unwrap_or("");
    let named = printer_of(format)?;
    let spec = format
        .split_once('=')
        .map(|(_, t)| t)
        .or(parsed.value("template"))
        .unwrap_or("")
        .to_string();
    let (printer, from_file) = match named {
        "go-template" | "template" => ("go-template", false),
        "go-template-file" | "templatefile" => ("go-template", true),
        "jsonpath-file" => ("jsonpath", true),
        "custom-columns-file" => ("custom-columns", true),
        other => (other, false),
    };
    if !from_file || spec.is_empty() {
        return Ok((printer, spec));
    }
    match cluster.console.files.read(&spec) {
        Some(text) if printer == "custom-columns" => {
            Ok((printer, super::output_templates::columns_file(text)?))
        }
        Some(text) => Ok((printer, text.to_string())),
        None if printer == "custom-columns" => Err(format!(
            "error reading template {spec}, open {spec}: no such file or directory"
        )),
        None => Err(format!(
            "error reading --template {spec}, open {spec}: no such file or directory"
        )),
    }
}

/// `--allow-missing-template-keys` (true unless set to false).
pub(super) fn allow_missing_keys(parsed: &flags::Parsed) -> bool {
    parsed.value("allow-missing-template-keys") != Some("false")
}

/// Runs `kubectl get`.
pub fn run(cluster: &Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("get", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if let Err(e) = validate(&parsed, false) {
        return super::error(e);
    }
    let format = parsed.value("output").unwrap_or("");
    let (printer, spec) = match printer_and_template(cluster, &parsed) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if parsed.positionals.is_empty() {
        return Output::failure(NO_TYPE);
    }
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) => r,
        Err(e) => return super::error(e),
    };
    let all_namespaces = parsed.bool("all-namespaces");
    if all_namespaces && requests.iter().any(|r| !r.names.is_empty()) {
        return super::error("a resource cannot be retrieved by name across all namespaces");
    }
    let namespace = super::namespace(cluster, &parsed);
    let selector = match parsed.value("selector").map(Selector::parse).transpose() {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    let field_text = parsed.value("field-selector");
    let fields = field_text.map(FieldSelector::parse);
    if (selector.is_some() || fields.is_some()) && requests.iter().any(|r| !r.names.is_empty()) {
        return super::error("name cannot be provided when a selector is specified");
    }
    // The server refuses a selector it cannot read, or a field the kind does not select on.
    for req in &requests {
        let refused = match &fields {
            Some(Err(e)) => Some(e.clone()),
            Some(Ok(f)) => f.unsupported(req.kind.kind),
            None => None,
        };
        if let Some(why) = refused {
            return Output::failure(format!(
                "Error from server (BadRequest): Unable to find \"{}\" that match label selector \"{}\", field selector \"{}\": {why}",
                req.kind.group_version_resource(),
                parsed.value("selector").unwrap_or(""),
                field_text.unwrap_or(""),
            ));
        }
    }
    let fields = fields.and_then(Result::ok);

    let ignore_not_found = parsed.bool("ignore-not-found");
    let mut found: Vec<Found> = Vec::new();
    let mut errors = Vec::new();
    for req in &requests {
        let ns_filter = match (req.kind.namespaced, all_namespaces) {
            (false, _) => Some(""),
            (true, true) => None,
            (true, false) => Some(namespace.as_str()),
        };
        let mut objects = Vec::new();
        if req.names.is_empty() {
            objects.extend(
                cluster
                    .world
                    .api
                    .list(req.kind.kind, ns_filter)
                    .filter(|o| {
                        selector
                            .as_ref()
                            .is_none_or(|s| s.matches(o.metadata().labels.as_ref()))
                            && fields.as_ref().is_none_or(|f| f.matches(o))
                    }),
            );
        } else {
            for name in &req.names {
                match cluster
                    .world
                    .api
                    .get(req.kind.kind, ns_filter.unwrap_or(""), name)
                {
                    Some(o) => objects.push(o),
                    None if ignore_not_found => {}
                    None => errors.push(
                        crate::api::error::ApiError::not_found(req.kind, name).kubectl_message(),
                    ),
                }
            }
        }
        if req.kind.kind == "FlowSchema" {
            // The server's table of FlowSchemas lists them in matching order.
            objects.stable_sort_by(|a, b| crate::api::object::flowcontrol::matching_order(a, b));
        }
        if !objects.is_empty() {
            found.push((req.kind, objects, !req.names.is_empty()));
        }
    }

    let mut out = Output::default();
    if requests.iter().any(|r| r.kind.kind == "Endpoints") {
        // The apiserver's deprecation warning for the v1 Endpoints API, shown by kubectl.
        out.err(
            "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
        );
    }
    if found.is_empty() && ignore_not_found {
        // Nothing at all, not even an empty List.
        return out;
    }
    let prefix_kind = found.len() > 1;
    let now = cluster.world.clock.now_ms();
    let single = requests.len() == 1 && requests[0].names.len() == 1;
    if let Some(spec) = parsed.value("sort-by").filter(|s| !s.is_empty()) {
        let tables = matches!(format, "" | "wide");
        if let Err(e) = sort_found(&mut found, spec, tables, single) {
            out.extend(super::error(e));
            return out;
        }
    }
    if printer == "go-template" {
        match super::output_templates::go_template(&spec, &printed_value(&found, single)) {
            Ok(text) => out.out_raw(text),
            Err((printed, e)) => {
                out.out_raw(printed);
                out.extend(super::error(e));
                return out;
            }
        }
    } else if matches!(printer, "jsonpath" | "jsonpath-as-json" | "custom-columns") {
        let printed = if printer != "custom-columns" {
            let value = printed_value(&found, single);
            super::output_templates::jsonpath_of(&spec, allow_missing_keys(&parsed)).and_then(|t| {
                super::output_templates::jsonpath(&t, &spec, &value, printer == "jsonpath-as-json")
            })
        } else {
            let objects: Vec<serde_json::Value> = found
                .iter()
                .flat_map(|(kind, objs, _)| objs.iter().map(|o| served_json(kind, o)))
                .collect();
            super::output_templates::custom_columns(&spec, &objects, parsed.bool("no-headers"))
        };
        match printed {
            Ok(text) => out.out_raw(text),
            Err(e) => return super::error(e),
        }
    } else if format == "yaml" || format == "json" {
        let value = printed_value(&found, single);
        if single && found.is_empty() {
            // Only the NotFound error below.
        } else if format == "yaml" {
            out.out_raw(crate::printers::yaml::to_yaml(&value));
        } else {
            out.out(json_pretty(&value));
        }
    } else if format == "name" {
        for (kind, objects, _) in &found {
            for o in objects {
                out.out(format!("{}/{}", kind.qualified_kind(), o.name()));
            }
        }
    } else {
        let opts = TableOptions {
            wide: format == "wide",
        };
        let mut rendered = Vec::new();
        for (kind, objects, _) in &found {
            rendered.push(render_kind_table(
                cluster.world.api.custom_kind(kind.kind).map(|d| d.as_ref()),
                kind,
                objects,
                now,
                opts,
                &parsed,
                all_namespaces,
                prefix_kind,
            ));
        }
        if !rendered.is_empty() {
            out.out_raw(rendered.join("\n"));
        }
    }
    // Only the table printers say so: the others print the (empty) List they were given.
    if found.is_empty() && errors.is_empty() && matches!(printer, "" | "wide") {
        let namespaced = requests.iter().any(|r| r.kind.namespaced) && !all_namespaces;
        out.extend(super::no_resources_found(namespaced, &namespace));
    }
    for e in &errors {
        out.err(e);
    }
    if !errors.is_empty() {
        out.exit_code = 1;
    }
    out
}

/// What a table adds around a kind's own columns: the NAMESPACE column (`-A`), label
/// columns (`-L`) and LABELS (`--show-labels`).
#[derive(Clone, Debug)]
pub(super) struct TableExtras {
    with_namespace: bool,
    label_columns: Vec<String>,
    show_labels: bool,
}

impl TableExtras {
    pub(super) fn of(parsed: &flags::Parsed, with_namespace: bool) -> Self {
        TableExtras {
            with_namespace,
            label_columns: parsed.list("label-columns"),
            show_labels: parsed.bool("show-labels"),
        }
    }

    /// The header line: the kind's own headers (`custom` for a custom kind's printer
    /// columns) with the extras.
    pub(super) fn header(
        &self,
        custom: Option<&crate::api::custom::CustomKind>,
        kind: &KindInfo,
        opts: TableOptions,
    ) -> Vec<String> {
        let mut header: Vec<String> = match custom {
            Some(def) => crate::printers::kinds::custom::headers(def, opts),
            None => columns::headers(kind.kind, opts)
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        if self.with_namespace {
            header.insert(0, "NAMESPACE".into());
        }
        header.extend(
            self.label_columns
                .iter()
                .map(|k| k.rsplit('/').next().unwrap_or(k).to_ascii_uppercase()),
        );
        if self.show_labels {
            header.push("LABELS".into());
        }
        header
    }

    /// An object's row: its own cells (the first prefixed `KIND/` with `prefix`) with the
    /// extras.
    pub(super) fn row(
        &self,
        o: &Object,
        now: i64,
        opts: TableOptions,
        prefix: Option<&KindInfo>,
    ) -> Vec<String> {
        let mut row = columns::row(o, now, opts);
        if let (Some(kind), Some(first)) = (prefix, row.first_mut()) {
            *first = format!("{}/{first}", kind.qualified_kind());
        }
        if self.with_namespace {
            row.insert(0, o.namespace().to_string());
        }
        let labels = o.metadata().labels.as_ref();
        row.extend(
            self.label_columns
                .iter()
                .map(|k| labels.and_then(|l| l.get(k)).cloned().unwrap_or_default()),
        );
        if self.show_labels {
            row.push(label_string(o));
        }
        row
    }
}

#[allow(clippy::too_many_arguments)]
fn render_kind_table(
    custom: Option<&crate::api::custom::CustomKind>,
    kind: &KindInfo,
    objects: &[&Object],
    now: i64,
    opts: TableOptions,
    parsed: &flags::Parsed,
    all_namespaces: bool,
    prefix_kind: bool,
) -> String {
    let extras = TableExtras::of(parsed, all_namespaces && kind.namespaced);
    let mut lines = Vec::new();
    if !parsed.bool("no-headers") {
        lines.push(extras.header(custom, kind, opts));
    }
    let prefix = prefix_kind.then_some(kind);
    lines.extend(objects.iter().map(|o| extras.row(o, now, opts, prefix)));
    render_aligned(&lines)
}

/// An object as JSON in the version `kind` names: events read through `events.k8s.io` are
/// served in that group's shape.
pub(super) fn served_json(kind: &KindInfo, obj: &Object) -> serde_json::Value {
    match obj {
        Object::Event(e) if kind.group == "events.k8s.io" => crate::api::events_v1::served(e),
        _ => obj.to_json(),
    }
}

/// Labels as `k=v,k2=v2` sorted by key, or `<none>`.
fn label_string(o: &Object) -> String {
    match &o.metadata().labels {
        Some(l) if !l.is_empty() => l
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".into(),
    }
}

/// What the object printers print: the one object asked for by name, or a `List` of them all.
fn printed_value(found: &[Found], single: bool) -> serde_json::Value {
    let mut items: Vec<serde_json::Value> = found
        .iter()
        .flat_map(|(kind, objs, _)| objs.iter().map(|o| served_json(kind, o)))
        .collect();
    if single && items.len() == 1 {
        return items.pop().unwrap_or_default();
    }
    serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// JSON as kubectl prints it: four-space indentation.
pub(super) fn json_pretty(v: &serde_json::Value) -> String {
    crate::printers::jsonpath::pretty4(v)
}
