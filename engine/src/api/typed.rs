//! The one way JSON becomes a typed value (a `k8s-openapi` object, or a struct embedding
//! one): [`decode`], which also says where in the document a failure is.
//!
//! Each deserializer type instantiates every kind's `Deserialize` code afresh, and that
//! code is most of the page's size; so every typed decode goes through this one (text is
//! parsed to a `Value` first). It reads a `&serde_json::Value` as serde_json's own `&Value`
//! deserializer does (same visits, same errors; map keys are read as strings, enums are
//! handed to serde_json) and keeps the path to each value as a chain on the call stack,
//! made into [`Segment`]s only when decoding fails: nothing is allocated on the way down
//! and a level takes about the stack serde_json's takes (serde_path_to_error allocates
//! every key, takes twice the stack per level and carries its own copy of the code).

use std::cell::RefCell;
use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Unexpected, Visitor,
};
use serde::Deserializer;
use serde_json::{Map, Number, Value};

/// One step of the path from a document's root to a value in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A map key or struct field.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A decoding failure: serde_json's message (its `Display`) and where it happened.
#[derive(Debug)]
pub struct Error {
    inner: serde_json::Error,
    path: Vec<Segment>,
}

impl Error {
    /// The path from the document's root to the value that failed.
    pub fn path(&self) -> &[Segment] {
        &self.path
    }
}

impl fmt::Display for Error {
    /// serde_json's message, without the path (as `serde_json::from_value` prints it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// `value` decoded as `T`.
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, Error> {
    let failed = RefCell::new(None);
    let node = Node {
        value,
        at: At::Root,
        failed: &failed,
    };
    T::deserialize(node).map_err(|inner| Error {
        inner,
        path: failed.into_inner().unwrap_or_default(),
    })
}

/// A kind's decoder with the kind erased: whether (and where) a document fails to decode.
/// Code that only needs the failure takes one of these rather than a type parameter, so it
/// is compiled once rather than once per kind.
pub type Probe = fn(&Value) -> Result<(), Error>;

/// The [`Probe`] of `T`.
pub fn probe<T: DeserializeOwned>(value: &Value) -> Result<(), Error> {
    decode::<T>(value).map(drop)
}

/// Where a node is: the root, or one step from its parent (which lives on the caller's stack).
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn segments(&self) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut at = self;
        loop {
            at = match at {
                At::Root => break,
                At::Key(parent, key) => {
                    out.push(Segment::Key((*key).to_string()));
                    parent
                }
                At::Index(parent, i) => {
                    out.push(Segment::Index(*i));
                    parent
                }
            };
        }
        out.reverse();
        out
    }
}

/// The deepest failing node's path: the first one noted, as the error passes up through it.
type Failed = RefCell<Option<Vec<Segment>>>;

#[cold]
fn note(failed: &Failed, at: &At<'_>) {
    let mut slot = failed.borrow_mut();
    if slot.is_none() {
        *slot = Some(at.segments());
    }
}

/// A value being decoded, and where it is.
struct Node<'de, 'a> {
    value: &'de Value,
    at: At<'a>,
    failed: &'a Failed,
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => number_unexpected(n),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn number_unexpected(n: &Number) -> Unexpected<'static> {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => Unexpected::Unsigned(u),
        (None, Some(i)) => Unexpected::Signed(i),
        _ => Unexpected::Float(n.as_f64().unwrap_or(0.0)),
    }
}

impl<'de> Node<'de, '_> {
    fn invalid<V: Visitor<'de>>(&self, visitor: &V) -> serde_json::Error {
        de::Error::invalid_type(unexpected(self.value), visitor)
    }

    fn any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => self.seq_of(items, visitor),
            Value::Object(map) => self.map_of(map, visitor),
        }
    }

    fn seq_of<V: Visitor<'de>>(
        &self,
        items: &'de [Value],
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut access = Seq {
            items: items.iter().enumerate(),
            parent: &self.at,
            failed: self.failed,
        };
        let out = visitor.visit_seq(&mut access);
        if out.is_ok() && access.items.len() > 0 {
            return Err(de::Error::invalid_length(
                items.len(),
                &"fewer elements in array",
            ));
        }
        out
    }

    fn map_of<V: Visitor<'de>>(
        &self,
        map: &'de Map<String, Value>,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut access = Entries {
            entries: map.iter(),
            value: None,
            parent: &self.at,
            failed: self.failed,
        };
        let out = visitor.visit_map(&mut access);
        if out.is_ok() && access.entries.len() > 0 {
            return Err(de::Error::invalid_length(
                map.len(),
                &"fewer elements in map",
            ));
        }
        out
    }
}

/// A `Deserializer` method: its body's failure is noted with this node's path.
macro_rules! noted {
    ($($method:ident($($arg:ident: $ty:ty),*) => |$node:ident, $visitor:ident| $body:expr;)*) => {
        $(fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* $visitor: V) -> Result<V::Value, serde_json::Error> {
            $(let _ = $arg;)*
            let (at, failed) = (self.at, self.failed);
            let $node = self;
            let result: Result<V::Value, serde_json::Error> = $body;
            if result.is_err() {
                note(failed, &at);
            }
            result
        })*
    };
}

/// A number method: serde_json's `&Value` visits any number as itself, and refuses the rest.
macro_rules! numbers {
    ($($method:ident)*) => {
        noted! {$($method() => |node, visitor| match node.value {
            Value::Number(n) => n.deserialize_any(visitor),
            _ => Err(node.invalid(&visitor)),
        };)*}
    };
}

impl<'de> Deserializer<'de> for Node<'de, '_> {
    type Error = serde_json::Error;

    numbers!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64);

    noted! {
        deserialize_any() => |node, visitor| node.any(visitor);
        deserialize_option() => |node, visitor| match node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(node),
        };
        deserialize_enum(name: &'static str, variants: &'static [&'static str]) => |node, visitor|
            node.value.deserialize_enum(name, variants, visitor);
        deserialize_newtype_struct(name: &'static str) => |node, visitor| match node.value {
            // `Quantity.UnmarshalJSON`: a quantity's text is parsed as it is decoded.
            Value::String(q) if name == "Quantity" => match super::quantity::check(q) {
                Ok(()) => visitor.visit_newtype_struct(node),
                Err(message) => Err(de::Error::custom(message)),
            },
            _ => visitor.visit_newtype_struct(node),
        };
        deserialize_bool() => |node, visitor| match node.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => Err(node.invalid(&visitor)),
        };
        deserialize_char() => |node, visitor| node.deserialize_str(visitor);
        deserialize_str() => |node, visitor| match node.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            _ => Err(node.invalid(&visitor)),
        };
        deserialize_string() => |node, visitor| node.deserialize_str(visitor);
        deserialize_bytes() => |node, visitor| match node.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => node.seq_of(items, visitor),
            _ => Err(node.invalid(&visitor)),
        };
        deserialize_byte_buf() => |node, visitor| node.deserialize_bytes(visitor);
        deserialize_unit() => |node, visitor| match node.value {
            Value::Null => visitor.visit_unit(),
            _ => Err(node.invalid(&visitor)),
        };
        deserialize_unit_struct(_name: &'static str) => |node, visitor| node.deserialize_unit(visitor);
        deserialize_seq() => |node, visitor| match node.value {
            Value::Array(items) => node.seq_of(items, visitor),
            _ => Err(node.invalid(&visitor)),
        };
        deserialize_tuple(_len: usize) => |node, visitor| node.deserialize_seq(visitor);
        deserialize_tuple_struct(_name: &'static str, _len: usize) => |node, visitor|
            node.deserialize_seq(visitor);
        deserialize_map() => |node, visitor| match node.value {
            Value::Object(map) => node.map_of(map, visitor),
            _ => Err(node.invalid(&visitor)),
        };
        deserialize_struct(_name: &'static str, _fields: &'static [&'static str]) => |node, visitor|
            match node.value {
                Value::Array(items) => node.seq_of(items, visitor),
                Value::Object(map) => node.map_of(map, visitor),
                _ => Err(node.invalid(&visitor)),
            };
        deserialize_identifier() => |node, visitor| node.deserialize_str(visitor);
        deserialize_ignored_any() => |_node, visitor| visitor.visit_unit();
    }
}

/// A list's items, each at its index.
struct Seq<'de, 'a> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
    parent: &'a At<'a>,
    failed: &'a Failed,
}

impl<'de> SeqAccess<'de> for Seq<'de, '_> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, serde_json::Error> {
        let Some((i, value)) = self.items.next() else {
            return Ok(None);
        };
        let node = Node {
            value,
            at: At::Index(self.parent, i),
            failed: self.failed,
        };
        seed.deserialize(node).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A map's entries, each value at its key.
struct Entries<'de, 'a> {
    entries: serde_json::map::Iter<'de>,
    value: Option<(&'de str, &'de Value)>,
    parent: &'a At<'a>,
    failed: &'a Failed,
}

impl<'de> MapAccess<'de> for Entries<'de, '_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, serde_json::Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, serde_json::Error> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("value is missing"));
        };
        let node = Node {
            value,
            at: At::Key(self.parent, key),
            failed: self.failed,
        };
        seed.deserialize(node)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    #[test]
    fn messages_match_serde_json() {
        for doc in [
            json!({"spec": {"containers": {}}}),
            json!({"spec": {"containers": [{"name": 1}]}}),
            json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 1e10}]}]}}),
            json!({"spec": {"containers": [], "priority": 99999999999_i64}}),
            json!({"metadata": {"labels": {"a": 1}}}),
            json!([]),
            json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 1.5}]}]}}),
        ] {
            let ours = decode::<Pod>(&doc).unwrap_err().to_string();
            let theirs = serde_json::from_value::<Pod>(doc).unwrap_err().to_string();
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn values_match_serde_json() {
        use k8s_openapi::api::apps::v1::Deployment;
        use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
        let deployment = json!({
            "metadata": {"name": "web", "labels": {"app": "web"}, "creationTimestamp": "2024-01-02T03:04:05Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{
                    "name": "web", "image": "nginx", "ports": [{"containerPort": 80}],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}}
        });
        let ours: Deployment = decode(&deployment).unwrap();
        assert_eq!(
            ours,
            serde_json::from_value::<Deployment>(deployment).unwrap()
        );
        let crd = json!({"spec": {"group": "g", "scope": "Namespaced",
            "names": {"plural": "ts", "kind": "T"}, "versions": [{"name": "v1", "served": true,
            "storage": true, "schema": {"openAPIV3Schema": {"type": "object",
                "properties": {"n": {"type": "integer", "default": 5, "x-kubernetes-int-or-string": true},
                    "o": {"type": "object", "default": {"a": [1, -2, 1.5, null, true]}}}}}}]}});
        let ours: CustomResourceDefinition = decode(&crd).unwrap();
        assert_eq!(
            ours,
            serde_json::from_value::<CustomResourceDefinition>(crd).unwrap()
        );
    }

    #[test]
    fn base64_failures_keep_their_message_and_path() {
        use k8s_openapi::api::core::v1::Secret;
        let doc = json!({"data": {"a": "!!"}});
        let err = decode::<Secret>(&doc).unwrap_err();
        let theirs = serde_json::from_value::<Secret>(doc)
            .unwrap_err()
            .to_string();
        assert_eq!(err.to_string(), theirs);
        assert_eq!(
            err.path(),
            [Segment::Key("data".into()), Segment::Key("a".into())]
        );
    }

    #[test]
    fn deep_documents_decode_in_a_small_stack() {
        use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
        let mut doc = json!({"type": "string"});
        for _ in 0..40 {
            doc = json!({"type": "object", "properties": {"a": doc}});
        }
        let decoded = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || decode::<JSONSchemaProps>(&doc).is_ok())
            .unwrap()
            .join();
        assert!(matches!(decoded, Ok(true)));
    }

    #[test]
    fn path_names_the_failing_field() {
        let doc = json!({"spec": {"containers": [{"name": 1}]}});
        let err = decode::<Pod>(&doc).unwrap_err();
        let path = [
            Segment::Key("spec".into()),
            Segment::Key("containers".into()),
        ];
        assert_eq!(err.path()[..2], path);
        assert_eq!(
            err.path()[2..],
            [Segment::Index(0), Segment::Key("name".into())]
        );
    }
}
