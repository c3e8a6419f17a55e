//! The one way JSON becomes a typed value (a `k8s-openapi` object, or a struct embedding
//! one): [`decode`], which also says where in the document a failure is.
//!
//! Each deserializer type instantiates every kind's `Deserialize` code afresh, and that
//! code is most of the page's size; so every typed decode goes through this one
//! (`serde_path_to_error` over `&serde_json::Value`); text is parsed to a `Value` first.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// One step of the path to the value that failed to decode.
pub use serde_path_to_error::Segment;

/// A decoding failure: serde_json's message (its `Display`) and the path where it happened.
#[derive(Debug)]
pub struct Error(serde_path_to_error::Error<serde_json::Error>);

impl Error {
    /// The path from the document's root to the value that failed.
    pub fn path(&self) -> &serde_path_to_error::Path {
        self.0.path()
    }

    /// serde_json's own error.
    pub fn inner(&self) -> &serde_json::Error {
        self.0.inner()
    }
}

impl fmt::Display for Error {
    /// serde_json's message, without the path (as `serde_json::from_value` printed it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.inner().fmt(f)
    }
}

/// `value` decoded as `T`.
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(Error)
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
    fn path_names_the_failing_field() {
        let doc = json!({"spec": {"containers": [{"name": 1}]}});
        let err = decode::<Pod>(&doc).unwrap_err();
        assert_eq!(err.path().to_string(), "spec.containers[0].name");
    }
}
