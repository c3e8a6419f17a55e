//! `kubectl api-resources` (kubectl 1.34): the served resources from discovery, filtered by
//! `--api-group`, `--namespaced`, `--verbs` and `--categories`, sorted by group (the
//! default), `name` or `kind`, printed as a table (`-o wide` adds VERBS and CATEGORIES),
//! names (`-o name`), or one `APIResourceList` in JSON or YAML.

use serde_json::{json, Map, Value};

use super::flags::{self, Flag};
use crate::apiserver::discovery::ApiResource;
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::tabwriter::tabwrite;
use crate::sort::SliceSort;

pub(super) const FLAGS: &[Flag] = &[
    flags::boolean("namespaced", None),
    flags::value("api-group", None),
    flags::value("output", Some('o')),
    flags::boolean("no-headers", None),
    flags::value("verbs", None),
    flags::value("sort-by", None),
    flags::boolean("cached", None),
    flags::value("categories", None),
    flags::boolean("show-managed-fields", None),
];

/// The output formats, as kubectl lists them when given another.
const FORMATS: &str = "json,name,wide,yaml";

/// Runs `kubectl api-resources ARGS`.
pub fn run(cluster: &Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("api-resources", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if !parsed.positionals.is_empty() {
        return super::error(format!(
            "unexpected arguments: [{}]\nSee 'kubectl api-resources -h' for help and examples",
            parsed.positionals.join(" ")
        ));
    }
    let format = parsed.value("output").unwrap_or("");
    if !matches!(format, "" | "wide" | "name" | "json" | "yaml") {
        return super::error(format!(
            "unable to match a printer suitable for the output format \"{format}\", allowed formats are: {FORMATS}"
        ));
    }
    let sort_by = parsed.value("sort-by").unwrap_or("");
    if !matches!(sort_by, "" | "name" | "kind") {
        return super::error("--sort-by accepts only name or kind");
    }
    let group = parsed.value("api-group");
    let namespaced = parsed
        .value("namespaced")
        .map(|_| parsed.bool("namespaced"));
    let verbs = parsed.list("verbs");
    let categories = parsed.list("categories");

    let mut rows: Vec<ApiResource> = cluster
        .world
        .api
        .discovery()
        .into_iter()
        .filter(|r| group.is_none_or(|g| r.info.group == g))
        .filter(|r| namespaced.is_none_or(|n| r.info.namespaced == n))
        .filter(|r| verbs.iter().all(|v| r.verbs.contains(&v.as_str())))
        .filter(|r| categories.iter().all(|c| r.categories.contains(c)))
        .collect();
    rows.stable_sort_by(|a, b| {
        let key = |r: &ApiResource| match sort_by {
            "name" => r.info.plural,
            "kind" => r.info.kind,
            _ => r.info.group,
        };
        key(a).cmp(key(b)).then(a.info.plural.cmp(b.info.plural))
    });

    let mut out = Output::default();
    match format {
        "name" => {
            for r in &rows {
                out.out(r.info.qualified_resource());
            }
        }
        "json" | "yaml" => {
            let list = json!({
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": "",
                "resources": if rows.is_empty() {
                    Value::Null
                } else {
                    rows.iter().map(resource_json).collect()
                },
            });
            if format == "yaml" {
                out.out_raw(crate::printers::yaml::to_yaml(&list));
            } else {
                out.out(super::get::json_pretty(&list));
            }
        }
        _ => out.out_raw(table(&rows, format == "wide", parsed.bool("no-headers"))),
    }
    out
}

/// The table, through Go's tabwriter as kubectl writes it: with `-o wide` the VERBS cell is
/// padded even where CATEGORIES, the text after the last tab, is empty.
fn table(rows: &[ApiResource], wide: bool, no_headers: bool) -> String {
    let mut text = String::new();
    if !no_headers {
        text.push_str("NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND");
        if wide {
            text.push_str("\tVERBS\tCATEGORIES");
        }
        text.push('\n');
    }
    for r in rows {
        let i = r.info;
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}",
            i.plural,
            i.short_names.join(","),
            i.api_version(),
            i.namespaced,
            i.kind
        ));
        if wide {
            text.push_str(&format!(
                "\t{}\t{}",
                r.verbs.join(","),
                r.categories.join(",")
            ));
        }
        text.push('\n');
    }
    tabwrite(&text, 6, 3)
}

/// One `APIResource` in Go's field order, empty optional fields left out.
fn resource_json(r: &ApiResource) -> Value {
    let i = r.info;
    let mut m = Map::new();
    m.insert("name".into(), i.plural.into());
    m.insert("singularName".into(), r.singular.clone().into());
    m.insert("namespaced".into(), i.namespaced.into());
    if !i.group.is_empty() {
        m.insert("group".into(), i.group.into());
    }
    m.insert("version".into(), i.version.into());
    m.insert("kind".into(), i.kind.into());
    m.insert("verbs".into(), r.verbs.into());
    if !i.short_names.is_empty() {
        m.insert("shortNames".into(), i.short_names.into());
    }
    if !r.categories.is_empty() {
        m.insert("categories".into(), r.categories.clone().into());
    }
    if let Some(hash) = &r.storage_version_hash {
        m.insert("storageVersionHash".into(), hash.clone().into());
    }
    Value::Object(m)
}
