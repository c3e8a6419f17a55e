//! Ingress and IngressClass (`networking.k8s.io/v1`): validation with the apiserver's field
//! paths (`pkg/apis/networking/validation`). Nothing routes them until an ingress
//! controller is installed, as on a fresh kubeadm cluster: ADDRESS stays empty.

use k8s_openapi::api::networking::v1::{HTTPIngressPath, IngressBackend};

use super::{Ingress, IngressClass, KindRules, Object, StatusSubresource};

impl KindRules for Ingress {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let Some(spec) = self.spec.as_ref() else {
            causes.push("spec: Invalid value: \"null\": either `defaultBackend` or `rules` must be specified".into());
            return;
        };
        let rules = spec.rules.as_deref().unwrap_or(&[]);
        if spec.default_backend.is_none() && rules.is_empty() {
            causes.push(
                "spec: Invalid value: \"\": either `defaultBackend` or `rules` must be specified"
                    .into(),
            );
        }
        if let Some(b) = &spec.default_backend {
            backend(b, "spec.defaultBackend", causes);
        }
        for (i, rule) in rules.iter().enumerate() {
            let Some(http) = &rule.http else { continue };
            for (j, p) in http.paths.iter().enumerate() {
                path(p, &format!("spec.rules[{i}].http.paths[{j}]"), causes);
            }
        }
    }
}

impl StatusSubresource for Ingress {}

fn path(p: &HTTPIngressPath, at: &str, causes: &mut Vec<String>) {
    match p.path_type.as_str() {
        "" => causes.push(format!("{at}.pathType: Required value: pathType must be specified")),
        "Exact" | "Prefix" => {
            let path = p.path.as_deref().unwrap_or("");
            if !path.starts_with('/') {
                causes.push(format!(
                    "{at}.path: Invalid value: \"{path}\": must be an absolute path"
                ));
            }
        }
        "ImplementationSpecific" => {}
        other => causes.push(format!(
            "{at}.pathType: Unsupported value: \"{other}\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""
        )),
    }
    backend(&p.backend, &format!("{at}.backend"), causes);
}

fn backend(b: &IngressBackend, at: &str, causes: &mut Vec<String>) {
    match (&b.service, &b.resource) {
        (Some(_), Some(_)) => causes.push(format!(
            "{at}: Invalid value: \"\": cannot set both resource and service backends"
        )),
        (None, None) => causes.push(format!(
            "{at}: Invalid value: \"\": resource or service backend is required"
        )),
        (Some(s), None) => {
            let port = s.port.as_ref();
            let named = port
                .and_then(|p| p.name.as_deref())
                .is_some_and(|n| !n.is_empty());
            let numbered = port.and_then(|p| p.number).is_some_and(|n| n != 0);
            match (named, numbered) {
                (true, true) => causes.push(format!(
                    "{at}.service.port: Invalid value: \"\": cannot set both port name & port number"
                )),
                (false, false) => causes.push(format!(
                    "{at}.service.port.name: Required value: port name or number is required"
                )),
                _ => {}
            }
        }
        (None, Some(_)) => {}
    }
}

impl KindRules for IngressClass {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let controller = self
            .spec
            .as_ref()
            .and_then(|s| s.controller.as_deref())
            .unwrap_or("");
        if controller.is_empty() {
            causes.push("spec.controller: Required value".into());
        }
    }
}

impl StatusSubresource for IngressClass {}
