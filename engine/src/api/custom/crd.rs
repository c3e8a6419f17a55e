//! A CustomResourceDefinition's defaults (`SetDefaults_CustomResourceDefinition`), the
//! storedVersions its create strategy records, and its validation with the messages of
//! apiextensions-apiserver's `pkg/apis/apiextensions/validation`.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceConversion, CustomResourceDefinition, CustomResourceDefinitionNames,
    CustomResourceDefinitionStatus,
};

use super::schema;
use crate::api::object::{KindRules, Object, StatusSubresource};
use crate::api::validation::DNS1123_SUBDOMAIN;

/// kube's DNS-1035 label message.
const DNS1035_LABEL: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// Printer column types, as the validation lists them.
const COLUMN_TYPES: &str = "boolean,date,integer,number,string";

/// The causes `IsDNS1035Label` gives for `s`, joined as the validation joins them.
fn dns1035(s: &str) -> Option<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.ends_with('-');
    if !ok {
        errs.push(DNS1035_LABEL.to_string());
    }
    (!errs.is_empty()).then(|| errs.join(","))
}

impl KindRules for CustomResourceDefinition {
    fn default_fields(&mut self) {
        let names = &mut self.spec.names;
        if names.singular.as_deref().unwrap_or("").is_empty() {
            names.singular = Some(names.kind.to_ascii_lowercase());
        }
        if names.list_kind.as_deref().unwrap_or("").is_empty() && !names.kind.is_empty() {
            names.list_kind = Some(format!("{}List", names.kind));
        }
        self.spec
            .conversion
            .get_or_insert_with(|| CustomResourceConversion {
                strategy: "None".into(),
                webhook: None,
            });
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let name = self.metadata.name.as_deref().unwrap_or("");
        let spec = &self.spec;
        if !name.is_empty() && name != format!("{}.{}", spec.names.plural, spec.group) {
            causes.push(format!(
                "metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"
            ));
        }
        if spec.group.is_empty() {
            causes.push("spec.group: Required value".into());
        } else if !crate::api::validation::is_dns1123_subdomain(&spec.group) {
            causes.push(format!(
                "spec.group: Invalid value: \"{}\": {DNS1123_SUBDOMAIN}",
                spec.group
            ));
        } else if !spec.group.contains('.') {
            causes.push(format!(
                "spec.group: Invalid value: \"{}\": should be a domain with at least one dot",
                spec.group
            ));
        }
        match spec.scope.as_str() {
            "" => causes.push("spec.scope: Required value".into()),
            "Cluster" | "Namespaced" => {}
            other => causes.push(format!(
                "spec.scope: Unsupported value: \"{other}\": supported values: \"Cluster\", \"Namespaced\""
            )),
        }
        for (i, v) in spec.versions.iter().enumerate() {
            if v.schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
                .is_none()
            {
                causes.push(format!(
                    "spec.versions[{i}].schema.openAPIV3Schema: Required value"
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut unique = true;
        for (i, v) in spec.versions.iter().enumerate() {
            unique &= seen.insert(v.name.as_str());
            if let Some(e) = dns1035(&v.name) {
                causes.push(format!(
                    "spec.versions[{i}].name: Invalid value: \"{}\": {e}",
                    v.name
                ));
            }
            if let Some(props) = v
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
            {
                schema::structural_causes(
                    props,
                    &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                    causes,
                );
            }
            for (j, c) in v.additional_printer_columns.iter().flatten().enumerate() {
                let at = format!("spec.versions[{i}].additionalPrinterColumns[{j}]");
                if c.name.is_empty() {
                    causes.push(format!("{at}.name: Required value"));
                }
                if c.type_.is_empty() {
                    causes.push(format!(
                        "{at}.type: Required value: must be one of {COLUMN_TYPES}"
                    ));
                } else if !COLUMN_TYPES.split(',').any(|t| t == c.type_) {
                    causes.push(format!(
                        "{at}.type: Invalid value: \"{}\": must be one of {COLUMN_TYPES}",
                        c.type_
                    ));
                }
                if c.json_path.is_empty() {
                    causes.push(format!("{at}.JSONPath: Required value"));
                } else if !c.json_path.starts_with('.') {
                    causes.push(format!(
                        "{at}.JSONPath: Invalid value: \"{}\": must be a simple json path starting with .",
                        c.json_path
                    ));
                }
            }
        }
        // Go prints the whole versions slice here (`%#v`); Kubeplay abbreviates it.
        let versions = "[]apiextensions.CustomResourceDefinitionVersion{...}";
        if spec.versions.is_empty() {
            causes.push("spec.versions: Invalid value: null: must have exactly one version marked as storage version".into());
        } else {
            if !unique {
                causes.push(format!(
                    "spec.versions: Invalid value: {versions}: must contain unique version names"
                ));
            }
            if spec.versions.iter().filter(|v| v.storage).count() != 1 {
                causes.push(format!(
                    "spec.versions: Invalid value: {versions}: must have exactly one version marked as storage version"
                ));
            }
        }
        let names = &spec.names;
        if names.plural.is_empty() {
            causes.push("spec.names.plural: Required value".into());
        }
        if names.singular.as_deref().unwrap_or("").is_empty() {
            causes.push("spec.names.singular: Required value".into());
        }
        if names.kind.is_empty() {
            causes.push("spec.names.kind: Required value".into());
        }
        if names.list_kind.as_deref().unwrap_or("").is_empty() {
            causes.push("spec.names.listKind: Required value".into());
        }
        names_causes(names, "spec.names", causes);
    }
}

/// `ValidateCustomResourceDefinitionNames`.
fn names_causes(names: &CustomResourceDefinitionNames, path: &str, causes: &mut Vec<String>) {
    let plain = |field: &str, value: &str, causes: &mut Vec<String>| {
        if let Some(e) = dns1035(value).filter(|_| !value.is_empty()) {
            causes.push(format!("{path}.{field}: Invalid value: \"{value}\": {e}"));
        }
    };
    plain("plural", &names.plural, causes);
    plain("singular", names.singular.as_deref().unwrap_or(""), causes);
    for (field, value) in [
        ("kind", names.kind.as_str()),
        ("listKind", names.list_kind.as_deref().unwrap_or("")),
    ] {
        if let Some(e) = dns1035(&value.to_ascii_lowercase()).filter(|_| !value.is_empty()) {
            causes.push(format!(
                "{path}.{field}: Invalid value: \"{value}\": may have mixed case, but should otherwise match: {e}"
            ));
        }
    }
    for (i, s) in names.short_names.iter().flatten().enumerate() {
        plain(&format!("shortNames[{i}]"), s, causes);
    }
    if !names.kind.is_empty() && Some(names.kind.as_str()) == names.list_kind.as_deref() {
        causes.push(format!(
            "{path}.listKind: Invalid value: \"{}\": kind and listKind may not be the same",
            names.kind
        ));
    }
    for (i, c) in names.categories.iter().flatten().enumerate() {
        plain(&format!("categories[{i}]"), c, causes);
    }
}

/// The create strategy's status: cleared, with the storage version as the stored one.
pub fn prepare_for_create(crd: &mut CustomResourceDefinition) {
    let stored: Vec<String> = crd
        .spec
        .versions
        .iter()
        .filter(|v| v.storage)
        .take(1)
        .map(|v| v.name.clone())
        .collect();
    crd.status = Some(CustomResourceDefinitionStatus {
        stored_versions: Some(stored),
        ..Default::default()
    });
}

impl StatusSubresource for CustomResourceDefinition {
    fn keep_status(&mut self, old: &Self) {
        let mut status = old.status.clone().unwrap_or_default();
        // The update strategy adds a new storage version to storedVersions.
        if let Some(v) = self.spec.versions.iter().find(|v| v.storage) {
            let stored = status.stored_versions.get_or_insert_with(Vec::new);
            if !stored.contains(&v.name) {
                stored.push(v.name.clone());
            }
        }
        self.status = Some(status);
    }

    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd(v: serde_json::Value) -> Vec<String> {
        let mut c: CustomResourceDefinition = serde_json::from_value(v).unwrap();
        c.default_fields();
        let obj = Object::CustomResourceDefinition(Box::new(c.clone()));
        let mut causes = Vec::new();
        c.validate(&obj, &mut causes);
        causes
    }

    #[test]
    fn the_name_must_be_plural_dot_group() {
        let causes = crd(serde_json::json!({
            "metadata": {"name": "x"},
            "spec": {"group": "stable.example.com", "scope": "Namespaced",
                "names": {"plural": "crontabs", "kind": "CronTab"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object"}}}]}
        }));
        assert_eq!(
            causes,
            ["metadata.name: Invalid value: \"x\": must be spec.names.plural+\".\"+spec.group"]
        );
    }

    #[test]
    fn scope_storage_and_schema() {
        let causes = crd(serde_json::json!({
            "metadata": {"name": "crontabs.example"},
            "spec": {"group": "example", "scope": "Global",
                "names": {"plural": "crontabs", "kind": "CronTab"},
                "versions": [{"name": "v1", "served": true, "storage": false}]}
        }));
        assert_eq!(
            causes,
            [
                "spec.group: Invalid value: \"example\": should be a domain with at least one dot",
                "spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"",
                "spec.versions[0].schema.openAPIV3Schema: Required value",
                "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version",
            ]
        );
    }
}
