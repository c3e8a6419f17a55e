//! APIService (`apiregistration.k8s.io/v1`, served by kube-aggregator): defaults,
//! validation (`pkg/apis/apiregistration/validation`) and what its create strategy does
//! The `Available` condition is the `apiservice`
//! controller's.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIServiceCondition;

use super::{APIService, KindRules, Object, StatusSubresource};
use crate::api::validation::{is_dns1123_subdomain, DNS1123_SUBDOMAIN};

/// A DNS-1035 label's message (what a version must be).
const DNS1035_LABEL: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_dns1035_label(s: &str) -> bool {
    crate::api::validation::is_dns1123_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

impl KindRules for APIService {
    /// A Service's port defaults to 443.
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        if let Some(s) = spec.service.as_mut() {
            s.port.get_or_insert(443);
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = self.spec.clone().unwrap_or_default();
        let group = spec.group.as_deref().unwrap_or("");
        let version = spec.version.as_deref().unwrap_or("");
        let required = format!("{version}.{group}");
        let name = self.metadata.name.as_deref().unwrap_or("");
        if !name.is_empty()
            && crate::api::validation::path_segment_causes(name).is_empty()
            && name != required
        {
            causes.push(format!(
                "metadata.name: Invalid value: \"{name}\": must be `spec.version+\".\"+spec.group`: \"{required}\""
            ));
        }
        if group.is_empty() && version != "v1" {
            causes.push("spec.group: Required value: only v1 may have an empty group and it better be legacy kube".into());
        }
        if !group.is_empty() && !is_dns1123_subdomain(group) {
            causes.push(format!(
                "spec.group: Invalid value: \"{group}\": {DNS1123_SUBDOMAIN}"
            ));
        }
        if !is_dns1035_label(version) {
            causes.push(format!(
                "spec.version: Invalid value: \"{version}\": {DNS1035_LABEL}"
            ));
        }
        if !(1..=20000).contains(&spec.group_priority_minimum) {
            causes.push(format!(
                "spec.groupPriorityMinimum: Invalid value: {}: must be positive and less than 20000",
                spec.group_priority_minimum
            ));
        }
        if !(1..=1000).contains(&spec.version_priority) {
            causes.push(format!(
                "spec.versionPriority: Invalid value: {}: must be positive and less than 1000",
                spec.version_priority
            ));
        }
        let insecure = spec.insecure_skip_tls_verify.unwrap_or(false);
        let ca_len = spec.ca_bundle.as_ref().map_or(0, |b| b.0.len());
        let Some(svc) = &spec.service else {
            if ca_len > 0 {
                causes.push(format!("spec.caBundle: Invalid value: \"{ca_len} bytes\": local APIServices may not have a caBundle"));
            }
            if insecure {
                causes.push("spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify".into());
            }
            return;
        };
        let name = svc.name.as_deref().unwrap_or("");
        let namespace = svc.namespace.as_deref().unwrap_or("");
        if namespace.is_empty() {
            causes.push("spec.service.namespace: Required value".into());
        }
        if name.is_empty() {
            causes.push("spec.service.name: Required value".into());
        }
        let port = svc.port.unwrap_or(443);
        if !(1..=65535).contains(&port) {
            causes.push(format!("spec.service.port: Invalid value: {port}: port is not valid: must be between 1 and 65535, inclusive"));
        }
        if insecure && ca_len > 0 {
            causes.push(
                "spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present"
                    .into(),
            );
        }
    }
}

impl StatusSubresource for APIService {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }

    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

/// An `Available` condition.
pub fn available(status: &str, reason: &str, message: &str, at: Time) -> APIServiceCondition {
    APIServiceCondition {
        type_: "Available".into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_transition_time: Some(at),
    }
}
