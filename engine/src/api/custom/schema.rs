//! A CRD version's `openAPIV3Schema` as the apiserver uses it on custom objects: the
//! structural checks a CRD must pass, pruning of unknown fields (strict field validation
//! reports them), structural defaulting, and validation with kube-openapi's messages.
//!
//! A schema is user input: [`Schema::build`] refuses one deeper than [`MAX_DEPTH`] or larger
//! than [`MAX_NODES`], and every walk over a value is bounded by the schema's depth.
//! CEL rules (`x-kubernetes-validations`) are accepted and ignored.

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool,
};
use serde_json::{Map, Value};

use crate::api::go_number;

/// Deepest schema nesting accepted.
pub const MAX_DEPTH: usize = crate::bounds::SCHEMA;
/// Most schema nodes one version's schema may have.
pub const MAX_NODES: usize = 10_000;
/// Longest `pattern` compiled.
const MAX_PATTERN: usize = 1024;

/// One node of a structural schema.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// `type`: object, array, string, integer, number, boolean; empty when unset.
    pub type_: String,
    /// `description`.
    pub description: String,
    /// `properties`.
    pub properties: BTreeMap<String, Schema>,
    /// `additionalProperties` as a schema (`true` is an empty schema that keeps fields).
    pub additional: Option<Box<Schema>>,
    /// `items`.
    pub items: Option<Box<Schema>>,
    /// `required`.
    pub required: Vec<String>,
    /// `enum`.
    pub enum_: Option<Vec<Value>>,
    /// `minimum`, `exclusiveMinimum`.
    pub minimum: Option<(f64, bool)>,
    /// `maximum`, `exclusiveMaximum`.
    pub maximum: Option<(f64, bool)>,
    /// `minLength`, `maxLength`.
    pub length: (Option<i64>, Option<i64>),
    /// `minItems`, `maxItems`.
    pub item_count: (Option<i64>, Option<i64>),
    /// `pattern`, compiled.
    pub pattern: Option<(String, regex_lite::Regex)>,
    /// `nullable`.
    pub nullable: bool,
    /// `default`.
    pub default: Option<Value>,
    /// `x-kubernetes-preserve-unknown-fields`.
    pub preserve_unknown: bool,
    /// `x-kubernetes-int-or-string`.
    pub int_or_string: bool,
    /// `x-kubernetes-embedded-resource`.
    pub embedded: bool,
}

/// Where a schema node sits, for the structural checks' messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Item,
    Field,
}

const TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

impl Schema {
    /// Builds the structural schema of `props`; `Err` when it is deeper or larger than the
    /// bounds, or has a pattern that does not compile (the message is a cause's tail).
    pub fn build(props: &JSONSchemaProps) -> Result<Schema, String> {
        let mut nodes = 0;
        Self::node(props, 0, &mut nodes)
    }

    fn node(p: &JSONSchemaProps, depth: usize, nodes: &mut usize) -> Result<Schema, String> {
        *nodes += 1;
        if depth > MAX_DEPTH {
            return Err(format!(
                "Forbidden: Kubeplay accepts schemas nested at most {MAX_DEPTH} levels deep"
            ));
        }
        if *nodes > MAX_NODES {
            return Err(format!(
                "Forbidden: Kubeplay accepts schemas of at most {MAX_NODES} nodes"
            ));
        }
        let mut properties = BTreeMap::new();
        for (k, v) in p.properties.iter().flatten() {
            properties.insert(k.clone(), Self::node(v, depth + 1, nodes)?);
        }
        let additional = match &p.additional_properties {
            Some(JSONSchemaPropsOrBool::Schema(s)) => {
                Some(Box::new(Self::node(s, depth + 1, nodes)?))
            }
            Some(JSONSchemaPropsOrBool::Bool(true)) => Some(Box::new(Schema {
                preserve_unknown: true,
                ..Schema::default()
            })),
            _ => None,
        };
        let items = match &p.items {
            Some(JSONSchemaPropsOrArray::Schema(s)) => {
                Some(Box::new(Self::node(s, depth + 1, nodes)?))
            }
            Some(JSONSchemaPropsOrArray::Schemas(list)) => match list.first() {
                Some(s) => Some(Box::new(Self::node(s, depth + 1, nodes)?)),
                None => None,
            },
            None => None,
        };
        let pattern = match p.pattern.as_deref() {
            Some(src) if src.len() <= MAX_PATTERN => regex_lite::RegexBuilder::new(src)
                .size_limit(1 << 20)
                .build()
                .ok()
                .map(|r| (src.to_string(), r)),
            _ => None,
        };
        Ok(Schema {
            type_: p.type_.clone().unwrap_or_default(),
            description: p.description.clone().unwrap_or_default(),
            properties,
            additional,
            items,
            required: p.required.clone().unwrap_or_default(),
            enum_: p
                .enum_
                .as_ref()
                .map(|e| e.iter().map(|j| j.0.clone()).collect()),
            minimum: p.minimum.map(|m| (m, p.exclusive_minimum.unwrap_or(false))),
            maximum: p.maximum.map(|m| (m, p.exclusive_maximum.unwrap_or(false))),
            length: (p.min_length, p.max_length),
            item_count: (p.min_items, p.max_items),
            pattern,
            nullable: p.nullable.unwrap_or(false),
            default: p.default.as_ref().map(|d| d.0.clone()),
            preserve_unknown: p.x_kubernetes_preserve_unknown_fields.unwrap_or(false),
            int_or_string: p.x_kubernetes_int_or_string.unwrap_or(false),
            embedded: p.x_kubernetes_embedded_resource.unwrap_or(false),
        })
    }

    /// The property at `path` (field names), descending through arrays' items and maps'
    /// values as `kubectl explain` does.
    pub fn find(&self, path: &[&str]) -> Option<&Schema> {
        let mut at = self;
        for field in path {
            at = at.through_lists();
            at = at.properties.get(*field).or(at.additional.as_deref())?;
        }
        Some(at)
    }

    /// This node, or the items of the arrays it holds.
    pub fn through_lists(&self) -> &Schema {
        let mut at = self;
        for _ in 0..MAX_DEPTH {
            match (&at.items, at.type_.as_str()) {
                (Some(items), "array") => at = items,
                _ => break,
            }
        }
        at
    }

    /// Drops the fields the schema does not know from `value` (an object's content at the
    /// resource root: `apiVersion`, `kind` and `metadata` stay), returning their paths sorted,
    /// as the apiserver's pruning reports them to strict field validation.
    pub fn prune_root(&self, value: &mut Map<String, Value>) -> Vec<String> {
        let mut unknown = Vec::new();
        let keys: Vec<String> = value.keys().cloned().collect();
        for k in keys {
            if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            match self.properties.get(&k).or(self.additional.as_deref()) {
                Some(s) => {
                    if let Some(v) = value.get_mut(&k) {
                        s.prune(v, &k, &mut unknown, 0);
                    }
                }
                None if self.preserve_unknown => {}
                None => {
                    value.remove(&k);
                    unknown.push(k);
                }
            }
        }
        unknown.stable_sort();
        unknown
    }

    fn prune(&self, value: &mut Value, path: &str, unknown: &mut Vec<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for k in keys {
                    if self.embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                        continue;
                    }
                    let child = format!("{path}.{k}");
                    match self.properties.get(&k).or(self.additional.as_deref()) {
                        Some(s) => {
                            if let Some(v) = map.get_mut(&k) {
                                s.prune(v, &child, unknown, depth + 1);
                            }
                        }
                        None if self.preserve_unknown => {}
                        None => {
                            map.remove(&k);
                            unknown.push(child);
                        }
                    }
                }
            }
            Value::Array(list) => {
                if let Some(items) = &self.items {
                    for (i, v) in list.iter_mut().enumerate() {
                        items.prune(v, &format!("{path}[{i}]"), unknown, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// Structural defaulting: fills in the defaults of absent (or null, not nullable)
    /// properties, then descends.
    pub fn apply_defaults(&self, value: &mut Value) {
        self.defaults(value, 0);
    }

    fn defaults(&self, value: &mut Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(map) => {
                for (k, s) in &self.properties {
                    let missing = match map.get(k) {
                        None => true,
                        Some(Value::Null) => !s.nullable,
                        Some(_) => false,
                    };
                    if missing {
                        if let Some(d) = &s.default {
                            map.insert(k.clone(), d.clone());
                        }
                    }
                }
                for (k, v) in map.iter_mut() {
                    if let Some(s) = self.properties.get(k).or(self.additional.as_deref()) {
                        s.defaults(v, depth + 1);
                    }
                }
            }
            Value::Array(list) => {
                if let Some(items) = &self.items {
                    for v in list {
                        items.defaults(v, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// Validates the content of a custom object (its fields besides `apiVersion`, `kind`,
    /// `metadata`), adding causes as `kubectl` prints them.
    pub fn validate_root(&self, value: &Map<String, Value>, causes: &mut Vec<String>) {
        self.validate_fields(value, "", true, causes, 0);
        for k in &self.required {
            if !value.contains_key(k) && !matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                causes.push(format!("{k}: Required value"));
            }
        }
    }

    fn validate(&self, value: &Value, path: &str, causes: &mut Vec<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let actual = json_type(value);
        if value.is_null() {
            if !self.nullable && !self.type_.is_empty() {
                causes.push(type_error(path, &self.type_, "null"));
            }
            return;
        }
        if self.int_or_string {
            if !matches!(actual, "integer" | "string") {
                causes.push(type_error(path, "integer,string", actual));
                return;
            }
        } else if !self.type_.is_empty()
            && self.type_ != actual
            && !(self.type_ == "number" && actual == "integer")
        {
            causes.push(type_error(path, &self.type_, actual));
            return;
        }
        if let Some(allowed) = &self.enum_ {
            if !allowed.iter().any(|a| json_equal(a, value)) {
                let list: Vec<String> = allowed
                    .iter()
                    .map(|a| match a {
                        Value::String(s) => format!("\"{s}\""),
                        other => format!("\"{}\"", other.to_string().replace('"', "\\\"")),
                    })
                    .collect();
                causes.push(format!(
                    "{path}: Unsupported value: {}: supported values: {}",
                    go_value(value),
                    list.join(", ")
                ));
            }
        }
        match value {
            Value::Number(n) => {
                self.validate_number(n.as_f64().unwrap_or(0.0), value, path, causes)
            }
            Value::String(s) => self.validate_string(s, path, causes),
            Value::Array(list) => {
                let (min, max) = self.item_count;
                let len = list.len() as i64;
                if let Some(max) = max.filter(|m| len > *m) {
                    causes.push(format!(
                        "{path}: Too many: {len}: must have at most {max} items"
                    ));
                }
                if let Some(min) = min.filter(|m| len < *m) {
                    causes.push(format!(
                        "{path}: Invalid value: {len}: {path} in body should have at least {min} items"
                    ));
                }
                if let Some(items) = &self.items {
                    for (i, v) in list.iter().enumerate() {
                        items.validate(v, &format!("{path}[{i}]"), causes, depth + 1);
                    }
                }
            }
            Value::Object(map) => {
                self.validate_fields(map, path, self.embedded, causes, depth);
                for k in &self.required {
                    if !map.contains_key(k) {
                        causes.push(format!("{path}.{k}: Required value"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Validates an object's fields: the schema's properties in name order, then the
    /// others against `additionalProperties` (the apiserver walks Go maps, in no order;
    /// Kubeplay picks this one).
    fn validate_fields(
        &self,
        map: &Map<String, Value>,
        path: &str,
        skip_meta: bool,
        causes: &mut Vec<String>,
        depth: usize,
    ) {
        let child = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        let meta = |k: &str| skip_meta && matches!(k, "apiVersion" | "kind" | "metadata");
        for (k, s) in &self.properties {
            if let Some(v) = map.get(k).filter(|_| !meta(k)) {
                s.validate(v, &child(k), causes, depth + 1);
            }
        }
        if let Some(s) = &self.additional {
            for (k, v) in map {
                if !self.properties.contains_key(k) && !meta(k) {
                    s.validate(v, &child(k), causes, depth + 1);
                }
            }
        }
    }

    /// `maximum`/`minimum` as kube-openapi checks them (`MaximumNativeType`): an integer
    /// against the bound cut to an integer (`int64(max)`), printed so; a float against the
    /// bound, printed with `%v`.
    fn validate_number(&self, n: f64, value: &Value, path: &str, causes: &mut Vec<String>) {
        let shown = go_value(value);
        let int = value
            .as_i64()
            .or_else(|| value.as_f64().and_then(go_number::json_int));
        // Whether `n` is past `bound` (`above`: beyond a maximum), and the bound as printed.
        let past = |bound: f64, exclusive: bool, above: bool| {
            let (order, shown) = match int {
                Some(i) => (i.cmp(&(bound as i64)), (bound as i64).to_string()),
                None => (
                    n.partial_cmp(&bound).unwrap_or(std::cmp::Ordering::Equal),
                    go_number::fmt_float(bound),
                ),
            };
            let beyond = if above { order.is_gt() } else { order.is_lt() };
            (beyond || exclusive && order.is_eq()).then_some(shown)
        };
        if let Some((max, exclusive)) = self.maximum {
            if let Some(max) = past(max, exclusive, true) {
                let relation = if exclusive {
                    "less than"
                } else {
                    "less than or equal to"
                };
                causes.push(format!(
                    "{path}: Invalid value: {shown}: {path} in body should be {relation} {max}"
                ));
            }
        }
        if let Some((min, exclusive)) = self.minimum {
            if let Some(min) = past(min, exclusive, false) {
                let relation = if exclusive {
                    "greater than"
                } else {
                    "greater than or equal to"
                };
                causes.push(format!(
                    "{path}: Invalid value: {shown}: {path} in body should be {relation} {min}"
                ));
            }
        }
    }

    fn validate_string(&self, s: &str, path: &str, causes: &mut Vec<String>) {
        let chars = s.chars().count() as i64;
        if let Some(max) = self.length.1.filter(|m| chars > *m) {
            let unit = if max == 1 { "byte" } else { "bytes" };
            causes.push(format!(
                "{path}: Too long: may not be more than {max} {unit}"
            ));
        }
        if let Some(min) = self.length.0.filter(|m| chars < *m) {
            causes.push(format!(
                "{path}: Invalid value: \"{s}\": {path} in body should be at least {min} chars long"
            ));
        }
        if let Some((src, re)) = &self.pattern {
            if !re.is_match(s) {
                causes.push(format!(
                    "{path}: Invalid value: \"{s}\": {path} in body should match '{src}'"
                ));
            }
        }
    }
}

/// The JSON type kube-openapi names for a value.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn type_error(path: &str, want: &str, got: &str) -> String {
    format!("{path}: Invalid value: \"{got}\": {path} in body must be of type {want}: \"{got}\"")
}

/// A value as Go's `%v` prints it in a field error (strings quoted; numbers as the API
/// server decoded what kubectl sent).
fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Number(n) => go_number::fmt_json_number(n),
        other => other.to_string(),
    }
}

/// The structural checks of a CRD version's schema at `path`
/// (`spec.versions[0].schema.openAPIV3Schema`), with the apiserver's messages.
pub fn structural_causes(p: &JSONSchemaProps, path: &str, causes: &mut Vec<String>) {
    if let Err(e) = Schema::build(p) {
        causes.push(format!("{path}: {e}"));
        return;
    }
    check(p, path, Level::Root, causes, 0);
}

fn check(p: &JSONSchemaProps, path: &str, level: Level, causes: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let type_ = p.type_.as_deref().unwrap_or("");
    if !type_.is_empty() && !TYPES.contains(&type_) {
        let list: Vec<String> = TYPES.iter().map(|t| format!("\"{t}\"")).collect();
        causes.push(format!(
            "{path}.type: Unsupported value: \"{type_}\": supported values: {}",
            list.join(", ")
        ));
    }
    if type_ == "array" && p.items.is_none() {
        causes.push(format!("{path}.items: Required value: must be specified"));
    }
    if let Some(JSONSchemaPropsOrArray::Schema(items)) = &p.items {
        check(
            items,
            &format!("{path}.items"),
            Level::Item,
            causes,
            depth + 1,
        );
    }
    for (k, v) in p.properties.iter().flatten() {
        check(
            v,
            &format!("{path}.properties[{k}]"),
            Level::Field,
            causes,
            depth + 1,
        );
    }
    if let Some(additional) = &p.additional_properties {
        if level == Level::Root {
            causes.push(format!(
                "{path}.additionalProperties: Forbidden: must not be used at the root"
            ));
        }
        if p.properties.as_ref().is_some_and(|m| !m.is_empty()) {
            causes.push(format!(
                "{path}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
            ));
        }
        if let JSONSchemaPropsOrBool::Schema(s) = additional {
            check(
                s,
                &format!("{path}.additionalProperties"),
                Level::Field,
                causes,
                depth + 1,
            );
        }
    }
    let int_or_string = p.x_kubernetes_int_or_string.unwrap_or(false);
    let preserve = p.x_kubernetes_preserve_unknown_fields.unwrap_or(false);
    if type_.is_empty()
        && !int_or_string
        && !preserve
        && !p.x_kubernetes_embedded_resource.unwrap_or(false)
    {
        let detail = match level {
            Level::Root => "must not be empty at the root",
            Level::Item => "must not be empty for specified array items",
            Level::Field => "must not be empty for specified object fields",
        };
        causes.push(format!("{path}.type: Required value: {detail}"));
    }
    if level == Level::Root && !type_.is_empty() && type_ != "object" {
        causes.push(format!(
            "{path}.type: Invalid value: \"{type_}\": must be object at the root"
        ));
    }
    if let Some(src) = p.pattern.as_deref() {
        let ok = src.len() <= MAX_PATTERN
            && regex_lite::RegexBuilder::new(src)
                .size_limit(1 << 20)
                .build()
                .is_ok();
        if !ok {
            causes.push(format!(
                "{path}.pattern: Invalid value: \"{src}\": must be a valid regular expression, but isn't: error parsing regexp"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(v: Value) -> Schema {
        let props: JSONSchemaProps = serde_json::from_value(v).unwrap();
        Schema::build(&props).unwrap()
    }

    fn pool() -> Schema {
        schema(json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["addresses"],
                    "properties": {
                        "addresses": {"type": "array", "items": {"type": "string"}},
                        "autoAssign": {"type": "boolean", "default": true},
                        "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
                        "mode": {"type": "string", "enum": ["layer2", "bgp"]},
                        "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
                        "port": {"x-kubernetes-int-or-string": true},
                        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                    }
                }
            }
        }))
    }

    fn causes(s: &Schema, v: Value) -> Vec<String> {
        let mut out = Vec::new();
        s.validate_root(v.as_object().unwrap(), &mut out);
        out
    }

    #[test]
    fn type_errors_read_like_the_apiserver() {
        assert_eq!(
            causes(&pool(), json!({"spec": {"addresses": "10.0.0.1"}})),
            ["spec.addresses: Invalid value: \"string\": spec.addresses in body must be of type array: \"string\""]
        );
    }

    #[test]
    fn required_enum_bounds_pattern() {
        let got = causes(
            &pool(),
            json!({"spec": {"replicas": 20, "mode": "x", "name": "ABCDEFG", "port": true}}),
        );
        assert_eq!(
            got,
            [
                "spec.mode: Unsupported value: \"x\": supported values: \"layer2\", \"bgp\"",
                "spec.name: Too long: may not be more than 5 bytes",
                "spec.name: Invalid value: \"ABCDEFG\": spec.name in body should match '^[a-z]+$'",
                "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
                "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
                "spec.addresses: Required value",
            ]
        );
        assert!(causes(&pool(), json!({"spec": {"addresses": [], "port": "80"}})).is_empty());
    }

    #[test]
    fn pruning_reports_unknown_fields_and_keeps_preserved_ones() {
        let mut v = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {}, "foo": 1,
            "spec": {"addresses": [], "bar": {"baz": 1}, "extra": {"anything": [1]}}});
        let unknown = pool().prune_root(v.as_object_mut().unwrap());
        assert_eq!(unknown, ["foo", "spec.bar"]);
        assert_eq!(v["spec"]["extra"]["anything"], json!([1]));
    }

    #[test]
    fn defaults_fill_absent_fields() {
        let mut v = json!({"spec": {"addresses": []}});
        pool().apply_defaults(&mut v);
        assert_eq!(v["spec"]["autoAssign"], json!(true));
    }

    #[test]
    fn structural_checks() {
        let props: JSONSchemaProps = serde_json::from_value(json!({
            "type": "string",
            "properties": {"a": {}, "b": {"type": "array"}, "c": {"type": "strin"}}
        }))
        .unwrap();
        let mut out = Vec::new();
        structural_causes(&props, "s", &mut out);
        assert_eq!(
            out,
            [
                "s.properties[a].type: Required value: must not be empty for specified object fields",
                "s.properties[b].items: Required value: must be specified",
                "s.properties[c].type: Unsupported value: \"strin\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"",
                "s.type: Invalid value: \"string\": must be object at the root",
            ]
        );
    }
}
