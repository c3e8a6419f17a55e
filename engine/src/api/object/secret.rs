//! Secret (v1): `stringData` merged into `data` and the `Opaque` default as the apiserver's
//! decoding does them, and validation (`ValidateSecret`, `ValidateSecretUpdate` in
//! `pkg/apis/core/validation`). Values are bytes; nothing here prints them.

use k8s_openapi::ByteString;

use super::{KindRules, Object, Secret, StatusSubresource};

/// Most bytes a Secret's values hold together (`core.MaxSecretSize`).
const MAX_SECRET_SIZE: usize = 1024 * 1024;

/// The longest key (a DNS-1123 subdomain's length).
const MAX_KEY_LENGTH: usize = 253;

/// The keys each built-in type requires, as (type, keys).
const REQUIRED_KEYS: &[(&str, &[&str])] = &[
    ("kubernetes.io/dockercfg", &[".dockercfg"]),
    ("kubernetes.io/dockerconfigjson", &[".dockerconfigjson"]),
    ("kubernetes.io/tls", &["tls.crt", "tls.key"]),
];

impl KindRules for Secret {
    /// `stringData` overwrites `data` key by key (`Convert_v1_Secret_To_core_Secret`) and is
    /// never stored; `type` defaults to `Opaque`.
    fn default_fields(&mut self) {
        if let Some(strings) = self.string_data.take().filter(|s| !s.is_empty()) {
            let data = self.data.get_or_insert_with(Default::default);
            for (k, v) in strings {
                data.insert(k, ByteString(v.into_bytes()));
            }
        }
        if self.type_.as_deref().unwrap_or("").is_empty() {
            self.type_ = Some("Opaque".into());
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let data = self.data.clone().unwrap_or_default();
        let mut total = 0;
        for (key, value) in &data {
            for msg in config_key_causes(key) {
                causes.push(format!("data[{key}]: Invalid value: \"{key}\": {msg}"));
            }
            total += value.0.len();
        }
        if total > MAX_SECRET_SIZE {
            causes.push(format!(
                "data: Too long: may not be more than {MAX_SECRET_SIZE} bytes"
            ));
        }
        let kind = self.type_.as_deref().unwrap_or("");
        match kind {
            "kubernetes.io/service-account-token" => {
                let named = self
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("kubernetes.io/service-account.name"))
                    .is_some_and(|n| !n.is_empty());
                if !named {
                    causes.push(
                        "metadata.annotations[kubernetes.io/service-account.name]: Required value"
                            .into(),
                    );
                }
            }
            "kubernetes.io/basic-auth" => {
                if !data.contains_key("username") && !data.contains_key("password") {
                    causes.push("data[username]: Required value".into());
                    causes.push("data[password]: Required value".into());
                }
            }
            "kubernetes.io/ssh-auth" => {
                if data.get("ssh-privatekey").is_none_or(|v| v.0.is_empty()) {
                    causes.push("data[ssh-privatekey]: Required value".into());
                }
            }
            _ => {
                let required = REQUIRED_KEYS.iter().find(|(t, _)| *t == kind);
                for key in required.map(|(_, keys)| *keys).unwrap_or(&[]) {
                    if !data.contains_key(*key) {
                        causes.push(format!("data[{key}]: Required value"));
                    }
                }
            }
        }
    }

    /// `type` never changes; an immutable Secret keeps its data and stays immutable.
    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        let kind = self.type_.as_deref().unwrap_or("");
        if old.type_.as_deref().unwrap_or("") != kind {
            causes.push(format!(
                "type: Invalid value: \"{kind}\": field is immutable"
            ));
        }
        if old.immutable == Some(true) {
            if self.immutable != Some(true) {
                causes.push(
                    "immutable: Forbidden: field is immutable when `immutable` is set".into(),
                );
            }
            if self.data != old.data {
                causes.push("data: Forbidden: field is immutable when `immutable` is set".into());
            }
        }
        self.validate(obj, causes);
    }
}

impl StatusSubresource for Secret {}

/// `IsConfigMapKey`: what is wrong with `key` as a key of a Secret's or ConfigMap's data.
pub(crate) fn config_key_causes(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    if key.len() > MAX_KEY_LENGTH {
        out.push(format!("must be no more than {MAX_KEY_LENGTH} characters"));
    }
    let valid = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    if !valid {
        out.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".into());
    }
    match key {
        "." => out.push("must not be '.'".into()),
        ".." => out.push("must not be '..'".into()),
        k if k.starts_with("..") => out.push("must not start with '..'".into()),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::manifest::DecodeError;

    fn decoded(v: serde_json::Value) -> Object {
        let Some(Ok(mut obj)) = Object::decode_strict("Secret", &v) else {
            panic!("not a Secret: {v}");
        };
        obj.default_fields();
        obj
    }

    #[test]
    fn string_data_is_merged_into_data_and_type_defaults_to_opaque() {
        let obj = decoded(json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"user": "YWRtaW4=", "pass": "b2xk"},
            "stringData": {"pass": "new"}
        }));
        let served = obj.to_json();
        assert_eq!(served["type"], "Opaque");
        assert_eq!(served["data"], json!({"pass": "bmV3", "user": "YWRtaW4="}));
        assert!(served.get("stringData").is_none());
    }

    #[test]
    fn bad_base64_is_go_s_message_and_newlines_are_taken() {
        let v = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"password": "my-password"}});
        assert_eq!(
            Object::decode_strict("Secret", &v).map(|r| r.err()),
            Some(Some(DecodeError::Invalid(
                "illegal base64 data at input byte 2".into()
            )))
        );
        let obj = decoded(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s"}, "data": {"a": "YWRt\naW4="}}));
        assert_eq!(obj.to_json()["data"]["a"], "YWRtaW4=");
    }

    #[test]
    fn keys_and_typed_secrets_are_checked() {
        let obj = decoded(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s"}, "type": "kubernetes.io/tls",
            "stringData": {"bad key": "x"}}));
        let mut causes = Vec::new();
        obj.validate_fields(&mut causes);
        assert_eq!(causes, vec![
            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            "data[tls.crt]: Required value",
            "data[tls.key]: Required value",
        ]);
    }
}
