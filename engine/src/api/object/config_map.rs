//! ConfigMap (v1) validation (`ValidateConfigMap`, `ValidateConfigMapUpdate` in
//! `pkg/apis/core/validation`): keys of `data` and `binaryData`, and `immutable: true`
//! freezing both and itself.

use super::secret::config_key_causes;
use super::{ConfigMap, KindRules, Object, StatusSubresource};

/// The message of a field frozen by `immutable: true`.
const FROZEN: &str = "Forbidden: field is immutable when `immutable` is set";

impl KindRules for ConfigMap {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let binary = self.binary_data.as_ref();
        for key in self.data.iter().flat_map(|d| d.keys()) {
            for msg in config_key_causes(key) {
                causes.push(format!("data[{key}]: Invalid value: \"{key}\": {msg}"));
            }
            if binary.is_some_and(|b| b.contains_key(key)) {
                causes.push(format!(
                    "data[{key}]: Invalid value: \"{key}\": duplicate of key present in binaryData"
                ));
            }
        }
        for key in binary.iter().flat_map(|d| d.keys()) {
            for msg in config_key_causes(key) {
                causes.push(format!(
                    "binaryData[{key}]: Invalid value: \"{key}\": {msg}"
                ));
            }
        }
    }

    /// An immutable ConfigMap keeps its data and stays immutable.
    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        if old.immutable == Some(true) {
            if self.immutable != Some(true) {
                causes.push(format!("immutable: {FROZEN}"));
            }
            if self.data != old.data {
                causes.push(format!("data: {FROZEN}"));
            }
            if self.binary_data != old.binary_data {
                causes.push(format!("binaryData: {FROZEN}"));
            }
        }
        self.validate(obj, causes);
    }
}

impl StatusSubresource for ConfigMap {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cm(v: serde_json::Value) -> Object {
        match Object::decode_strict("ConfigMap", &v) {
            Some(Ok(o)) => o,
            _ => panic!("not a ConfigMap: {v}"),
        }
    }

    #[test]
    fn immutable_freezes_data_and_itself() {
        let old = cm(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "immutable": true, "data": {"a": "1"}}),
        );
        let new = cm(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"a": "2"}, "binaryData": {"b": "AA=="}}),
        );
        let mut causes = Vec::new();
        new.validate_update_fields(&old, &mut causes);
        assert_eq!(
            causes,
            [
                "immutable: Forbidden: field is immutable when `immutable` is set",
                "data: Forbidden: field is immutable when `immutable` is set",
                "binaryData: Forbidden: field is immutable when `immutable` is set",
            ]
        );
        let mut causes = Vec::new();
        old.validate_update_fields(&old, &mut causes);
        assert!(causes.is_empty());
    }
}
