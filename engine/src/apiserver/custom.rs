//! The kinds CustomResourceDefinitions define, as the apiextensions-apiserver serves them:
//! a kind resolves once its CRD is Established and stops when the CRD goes (its objects go
//! with it). The registry belongs to each [`ApiServer`]: it is rebuilt from the stored CRDs
//! whenever one is written, so two clusters never share it.
//!
//! Lookups here answer for built-in and custom kinds alike ([`ApiServer::resolve`],
//! [`ApiServer::kind_info`], [`ApiServer::served_kinds`]); [`ApiServer::decode`] reads a
//! manifest of either; controllers read custom objects through [`ApiServer::custom_objects`].

use crate::sort::SliceSort;
use std::sync::Arc;

use serde_json::Value;

use super::ApiServer;
use crate::api::custom::{self, CustomKind, CustomObject};
use crate::api::error::ApiError;
use crate::api::kinds::{self, KindInfo};
use crate::api::manifest::DecodeError;
use crate::api::object::Object;

/// The custom kinds of one API server, in `kubectl api-resources` order (group, plural).
#[derive(Clone, Debug, Default)]
pub struct CustomKinds {
    kinds: Vec<Arc<CustomKind>>,
}

impl ApiServer {
    /// The custom kinds served now.
    pub fn custom_kinds(&self) -> impl Iterator<Item = &Arc<CustomKind>> {
        self.custom.kinds.iter()
    }

    /// The custom kind called `kind`, if its CRD is Established.
    pub fn custom_kind(&self, kind: &str) -> Option<&Arc<CustomKind>> {
        self.custom.kinds.iter().find(|k| k.info.kind == kind)
    }

    /// The resource a kubectl argument names (`po`, `crontabs.stable.example.com`), built-in
    /// kinds first.
    pub fn resolve(&self, arg: &str) -> Option<&'static KindInfo> {
        kinds::resolve(arg).or_else(|| {
            let rows = self.custom.kinds.iter().map(|k| k.info);
            kinds::resolve_in(rows, arg).or_else(|| {
                // The CRD's own singular name, when it is not the lower-cased kind.
                let lower = arg.to_ascii_lowercase();
                let (name, qualifier) = match lower.split_once('.') {
                    Some((n, q)) => (n, Some(q)),
                    None => (lower.as_str(), None),
                };
                self.custom
                    .kinds
                    .iter()
                    .find(|k| {
                        k.singular == name
                            && qualifier.is_none_or(|q| {
                                q == k.info.group
                                    || q == format!("{}.{}", k.info.version, k.info.group)
                            })
                    })
                    .map(|k| k.info)
            })
        })
    }

    /// The registry row of a kind name (built-in or custom).
    pub fn kind_info(&self, kind: &str) -> Option<&'static KindInfo> {
        kinds::by_kind(kind).or_else(|| self.custom_kind(kind).map(|k| k.info))
    }

    /// The registry row of a kind name, for messages about a kind that may be gone.
    pub(crate) fn info_or_builtin(&self, kind: &str) -> &'static KindInfo {
        self.kind_info(kind).unwrap_or_else(|| kinds::info(kind))
    }

    /// The resource a manifest's `apiVersion` and `kind` map to, as kubectl's REST mapper
    /// finds it; `None`: "no matches for kind".
    pub fn kind_for(&self, api_version: &str, kind: &str) -> Option<&'static KindInfo> {
        kinds::KINDS
            .iter()
            .find(|k| {
                k.kind == kind
                    && (k.api_version_is(api_version)
                        || kinds::converted_version(kind, api_version))
            })
            .or_else(|| {
                self.custom_kind(kind)
                    .filter(|k| k.version_of(api_version).is_some())
                    .map(|k| k.info)
            })
    }

    /// Every resource served, in `kubectl api-resources` order: the core group, then the
    /// named groups (built-in and custom) alphabetically.
    pub fn served_kinds(&self) -> Vec<&'static KindInfo> {
        let mut rows: Vec<&'static KindInfo> = kinds::KINDS.iter().collect();
        rows.extend(self.custom.kinds.iter().map(|k| k.info));
        // Stable: the built-in rows keep their order inside a group.
        rows.stable_sort_by(|a, b| a.group.cmp(b.group));
        rows
    }

    /// Decodes a manifest (or a client's full object) of `info`'s kind: built-in kinds
    /// through their typed values, custom kinds through their schema (unknown fields pruned
    /// and returned, or refused when `strict`). `None`: a kind the store does not hold.
    pub fn decode(
        &self,
        info: &KindInfo,
        value: &Value,
        strict: bool,
    ) -> Option<Result<(Object, Vec<String>), DecodeError>> {
        if let Some(def) = self.custom_kind(info.kind) {
            return Some(
                CustomObject::decode(def, value, strict)
                    .map(|(o, unknown)| (Object::Custom(Box::new(o)), unknown)),
            );
        }
        let converted = kinds::converted_version(info.kind, api_version_of(value));
        let decoded = if converted {
            crate::api::object::hpa::decode_v1(value)
        } else {
            Object::decode_strict(info.kind, value)?
        };
        match decoded {
            Ok(o) => Some(Ok((o, Vec::new()))),
            Err(DecodeError::UnknownFields(fields)) if !strict && !converted => {
                let lenient = Object::decode_lenient(info.kind, value)?;
                Some(
                    lenient
                        .map(|o| (o, fields.into_iter().map(|(p, _)| p).collect()))
                        .map_err(DecodeError::Invalid),
                )
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// The objects of custom kind `kind` as JSON, in etcd key order (`None`: every
    /// namespace): how a controller reads e.g. MetalLB's `IPAddressPool`s.
    #[allow(dead_code)] // The controllers' API: MetalLB's controller reads its pools here.
    pub fn custom_objects(&self, kind: &str, namespace: Option<&str>) -> Vec<Value> {
        match self.custom_kind(kind) {
            Some(k) => self
                .store
                .list(k.info.kind, namespace)
                .map(Object::to_json)
                .collect(),
            None => Vec::new(),
        }
    }

    /// One custom object as JSON.
    #[allow(dead_code)] // The controllers' API, as `custom_objects`.
    pub fn custom_object(&self, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let k = self.custom_kind(kind)?;
        self.store
            .get(k.info.kind, namespace, name)
            .map(Object::to_json)
    }

    /// Binds a custom object to its kind's current definition before a write;
    /// NotFound when the kind is gone.
    pub(super) fn bind_custom(&self, obj: &mut Object) -> Result<(), ApiError> {
        if let Object::Custom(o) = obj {
            match self.custom_kind(o.info().kind) {
                Some(def) => o.def = def.clone(),
                None => {
                    return Err(ApiError::not_found(
                        o.info(),
                        o.metadata.name.as_deref().unwrap_or(""),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Rebuilds the registry after a write of `kind` (only CRD writes change it).
    pub(super) fn refresh_after(&mut self, kind: &str) {
        if kind != "CustomResourceDefinition" {
            return;
        }
        let mut kinds: Vec<Arc<CustomKind>> = self
            .store
            .list("CustomResourceDefinition", Some(""))
            .filter_map(|o| match o {
                Object::CustomResourceDefinition(crd) => custom::definition(crd),
                _ => None,
            })
            .map(Arc::new)
            .collect();
        kinds.stable_sort_by(|a, b| {
            (a.info.group, a.info.plural).cmp(&(b.info.group, b.info.plural))
        });
        self.custom = CustomKinds { kinds };
    }

    /// Removes every object of the kind a CRD (about to go) defines, as the CRD finalizer
    /// controller does.
    pub(super) fn remove_instances(&mut self, crd_name: &str) {
        let Some(kind) = self
            .custom
            .kinds
            .iter()
            .find(|k| k.crd == crd_name)
            .map(|k| k.info.kind)
        else {
            return;
        };
        let keys: Vec<(String, String)> = self
            .store
            .list(kind, None)
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect();
        for (ns, name) in keys {
            self.store.remove(kind, &ns, &name);
        }
    }
}

/// A manifest's `apiVersion`.
fn api_version_of(value: &Value) -> &str {
    value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
}
