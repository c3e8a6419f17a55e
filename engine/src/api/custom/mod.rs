//! CustomResourceDefinitions and the kinds they define, as the apiextensions-apiserver
//! serves them: a CRD's defaults and validation ([`crd`]), the kind an Established CRD
//! defines ([`CustomKind`]: its interned registry row, served versions with their schemas
//! and printer columns), and the objects of such kinds ([`CustomObject`]).
//!
//! Which kinds exist is the API server's business (`apiserver::custom`); this module only
//! turns a stored CRD into a definition.

pub mod crd;
pub mod intern;
mod object;
pub mod schema;

use crate::sort::SliceSort;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

use crate::api::kinds::KindInfo;
pub use object::CustomObject;
use schema::Schema;

/// One `additionalPrinterColumns` entry.
#[derive(Clone, Debug)]
pub struct Column {
    /// Header, upper-cased by kubectl.
    pub name: String,
    /// integer, number, string, boolean or date.
    pub type_: String,
    /// The JSONPath, e.g. `.spec.cronSpec`.
    pub json_path: String,
    /// Columns with a priority above 0 show only with `-o wide`.
    pub priority: i32,
    /// `description`.
    pub description: String,
}

/// One served version of a custom kind.
#[derive(Clone, Debug)]
pub struct CustomVersion {
    /// The version name, e.g. `v1`.
    pub name: String,
    /// Its structural schema.
    pub schema: Schema,
    /// Its `additionalPrinterColumns` (empty: `NAME AGE`).
    pub columns: Vec<Column>,
    /// Whether it has the status subresource.
    pub status_subresource: bool,
}

/// A kind defined by an Established CRD.
#[derive(Clone, Debug)]
pub struct CustomKind {
    /// Its registry row (interned: `'static` like the built-in rows).
    pub info: &'static KindInfo,
    /// The CRD's name, `plural.group`.
    pub crd: String,
    /// The singular resource name.
    pub singular: String,
    /// Categories (`all` puts it in `kubectl get all`).
    pub categories: Vec<String>,
    /// Served versions, preferred (highest priority) first.
    pub versions: Vec<CustomVersion>,
    /// The version objects are kept in (`storage: true`).
    pub storage_version: String,
}

impl CustomKind {
    /// The preferred served version (what `kubectl get` asks for).
    pub fn preferred(&self) -> &CustomVersion {
        // A definition always has a served version (see `definition`).
        &self.versions[0]
    }

    /// The served version named by a manifest's `apiVersion` (`group/version`).
    pub fn version_of(&self, api_version: &str) -> Option<&CustomVersion> {
        let (group, version) = api_version.split_once('/')?;
        if group != self.info.group {
            return None;
        }
        self.versions.iter().find(|v| v.name == version)
    }
}

/// The kind an Established CRD defines; `None` while it is not Established, has no served
/// version, or the kind interner is full.
pub fn definition(crd: &CustomResourceDefinition) -> Option<CustomKind> {
    let established = crd
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
        });
    if !established {
        return None;
    }
    let spec = &crd.spec;
    let mut versions: Vec<CustomVersion> = Vec::new();
    for v in spec.versions.iter().filter(|v| v.served) {
        let props = v
            .schema
            .as_ref()
            .and_then(|s| s.open_api_v3_schema.as_ref())?;
        versions.push(CustomVersion {
            name: v.name.clone(),
            schema: Schema::build(props).ok()?,
            columns: v
                .additional_printer_columns
                .iter()
                .flatten()
                .map(|c| Column {
                    name: c.name.clone(),
                    type_: c.type_.clone(),
                    json_path: c.json_path.clone(),
                    priority: c.priority.unwrap_or(0),
                    description: c.description.clone().unwrap_or_default(),
                })
                .collect(),
            status_subresource: v.subresources.as_ref().is_some_and(|s| s.status.is_some()),
        });
    }
    versions.stable_sort_by(|a, b| version_priority(&a.name, &b.name));
    let preferred = versions.first()?.name.clone();
    let storage_version = spec
        .versions
        .iter()
        .find(|v| v.storage)
        .map_or_else(|| preferred.clone(), |v| v.name.clone());
    let names = &spec.names;
    let categories = names.categories.clone().unwrap_or_default();
    let info = intern::intern(&intern::Row {
        kind: names.kind.clone(),
        plural: names.plural.clone(),
        short_names: names.short_names.clone().unwrap_or_default(),
        group: spec.group.clone(),
        version: preferred,
        namespaced: spec.scope == "Namespaced",
        in_all: categories.iter().any(|c| c == "all"),
    })?;
    Some(CustomKind {
        info,
        crd: crd.metadata.name.clone().unwrap_or_default(),
        singular: names
            .singular
            .clone()
            .unwrap_or_else(|| names.kind.to_ascii_lowercase()),
        categories,
        versions,
        storage_version,
    })
}

/// Kubernetes' version order (`v1` > `v1beta2` > `v1beta1` > `v1alpha1` > `foo`): GA before
/// beta before alpha, higher numbers first; other names last, alphabetically.
pub fn version_priority(a: &str, b: &str) -> std::cmp::Ordering {
    fn parse(v: &str) -> Option<(u8, u64, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let major: u64 = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        let (stage, minor) = if tail.is_empty() {
            (2, "0")
        } else if let Some(m) = tail.strip_prefix("beta") {
            (1, m)
        } else if let Some(m) = tail.strip_prefix("alpha") {
            (0, m)
        } else {
            return None;
        };
        if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((stage, major, minor.parse().ok()?))
    }
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_as_kubernetes_does() {
        let mut v = vec![
            "v1alpha1",
            "foo",
            "v1",
            "v2beta1",
            "v1beta2",
            "v2",
            "v11alpha2",
        ];
        v.stable_sort_by(|a, b| version_priority(a, b));
        assert_eq!(
            v,
            [
                "v2",
                "v1",
                "v2beta1",
                "v1beta2",
                "v11alpha2",
                "v1alpha1",
                "foo"
            ]
        );
    }
}
