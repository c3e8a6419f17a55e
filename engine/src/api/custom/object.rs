//! [`CustomObject`]: an object of a CRD-defined kind, as the apiserver's unstructured
//! storage holds it: typed metadata, the rest as JSON, and the definition it was read with.

use crate::sort::SliceSort;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value};

use super::CustomKind;
use crate::api::kinds::KindInfo;
use crate::api::manifest::{self, DecodeError};
use crate::api::object::{KindRules, Object, StatusSubresource};
use crate::api::typed;

/// An object of a custom kind.
#[derive(Clone, Debug)]
pub struct CustomObject {
    /// The kind's definition when the object was last written (the API server binds the
    /// current one on every write).
    pub def: Arc<CustomKind>,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// Every other field (`spec`, `status`, ...), pruned to the schema.
    pub fields: Map<String, Value>,
}

impl PartialEq for CustomObject {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.def.info, other.def.info)
            && self.metadata == other.metadata
            && self.fields == other.fields
    }
}

impl CustomObject {
    /// The kind's registry row.
    pub fn info(&self) -> &'static KindInfo {
        self.def.info
    }

    /// Reads `value` (a manifest or a client's full object) as an object of `def`, in the
    /// served version its `apiVersion` names (else the preferred one). Unknown fields are
    /// pruned and returned (sorted paths); `strict` refuses them instead, as strict field
    /// validation does.
    pub fn decode(
        def: &Arc<CustomKind>,
        value: &Value,
        strict: bool,
    ) -> Result<(CustomObject, Vec<String>), DecodeError> {
        let Some(map) = value.as_object() else {
            return Err(DecodeError::Invalid(
                "json: cannot unmarshal into Go value of type map[string]interface {}".into(),
            ));
        };
        let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let version = def.version_of(api_version).unwrap_or(def.preferred());
        let meta_value = map
            .get("metadata")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        let mut unknown: Vec<String> = Vec::new();
        let metadata = match manifest::decode_strict::<ObjectMeta>(&meta_value) {
            Ok(m) => m,
            Err(DecodeError::UnknownFields(fields)) => {
                unknown.extend(fields.into_iter().map(|(p, _)| format!("metadata.{p}")));
                typed::decode(&meta_value).map_err(|e| DecodeError::Invalid(e.to_string()))?
            }
            Err(e) => return Err(e),
        };
        let mut fields = map.clone();
        unknown.extend(version.schema.prune_root(&mut fields));
        for k in ["apiVersion", "kind", "metadata"] {
            fields.remove(k);
        }
        unknown.stable_sort();
        if strict && !unknown.is_empty() {
            return Err(DecodeError::UnknownFields(
                unknown.into_iter().map(|p| (p, None)).collect(),
            ));
        }
        Ok((
            CustomObject {
                def: def.clone(),
                metadata,
                fields,
            },
            unknown,
        ))
    }

    /// The object as the API serves it (in the preferred version).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("apiVersion".into(), self.info().api_version().into());
        out.insert("kind".into(), self.info().kind.into());
        out.insert(
            "metadata".into(),
            serde_json::to_value(&self.metadata).unwrap_or(Value::Null),
        );
        for (k, v) in &self.fields {
            out.insert(k.clone(), v.clone());
        }
        Value::Object(out)
    }

    /// What moves `metadata.generation`: everything but metadata (and status, with the
    /// status subresource).
    pub fn generation_fields(&self) -> Value {
        let mut f = self.fields.clone();
        if self.def.preferred().status_subresource {
            f.remove("status");
        }
        Value::Object(f)
    }
}

impl KindRules for CustomObject {
    fn default_fields(&mut self) {
        let mut v = Value::Object(std::mem::take(&mut self.fields));
        self.def.preferred().schema.apply_defaults(&mut v);
        if let Value::Object(m) = v {
            self.fields = m;
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        self.def
            .preferred()
            .schema
            .validate_root(&self.fields, causes);
    }
}

impl StatusSubresource for CustomObject {
    fn keep_status(&mut self, old: &Self) {
        if !self.def.preferred().status_subresource {
            return;
        }
        match old.fields.get("status") {
            Some(s) => self.fields.insert("status".into(), s.clone()),
            None => self.fields.remove("status"),
        };
    }

    fn keep_spec(&mut self, old: &Self) {
        let status = self.fields.remove("status");
        self.fields = old.fields.clone();
        match status {
            Some(s) => self.fields.insert("status".into(), s),
            None => self.fields.remove("status"),
        };
    }
}
