//! RuntimeClass (`node.k8s.io/v1`): validation (`pkg/apis/node/validation`) of its handler.

use super::{KindRules, Object, RuntimeClass, StatusSubresource};
use crate::api::validation::is_dns1123_label;

impl KindRules for RuntimeClass {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let h = &self.handler;
        if h.is_empty() {
            causes.push("handler: Required value".into());
        } else if !is_dns1123_label(h) {
            causes.push(format!("handler: Invalid value: \"{h}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
        }
    }

    /// The handler is fixed once created.
    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        if self.handler != old.handler {
            causes.push(format!(
                "handler: Invalid value: \"{}\": field is immutable",
                self.handler
            ));
        }
        self.validate(obj, causes);
    }
}

impl StatusSubresource for RuntimeClass {}
