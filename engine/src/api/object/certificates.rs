//! CertificateSigningRequest (`certificates.k8s.io/v1`): validation of the main required
//! fields (`pkg/apis/certificates/validation`), the well-known signers, and the conditions
//! `kubectl certificate approve|deny` add.

use k8s_openapi::api::certificates::v1::CertificateSigningRequestCondition;

use super::{CertificateSigningRequest, KindRules, Object, StatusSubresource};

/// The signer that issues client certificates for the API server.
pub const KUBE_APISERVER_CLIENT: &str = "kubernetes.io/kube-apiserver-client";

/// The shortest validity a request may ask for (`spec.expirationSeconds`): ten minutes.
const MIN_EXPIRATION_SECONDS: i32 = 600;

impl KindRules for CertificateSigningRequest {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        if self.spec.request.0.is_empty() {
            causes.push("spec.request: Required value".into());
        }
        if self.spec.signer_name.is_empty() {
            causes.push("spec.signerName: Required value".into());
        }
        if self.spec.usages.as_ref().is_none_or(Vec::is_empty) {
            causes.push("spec.usages: Required value".into());
        }
        if let Some(s) = self.spec.expiration_seconds {
            if s < MIN_EXPIRATION_SECONDS {
                causes.push(format!(
                    "spec.expirationSeconds: Invalid value: {s}: may not specify a duration less than 600 seconds (10 minutes)"
                ));
            }
        }
    }
}

impl StatusSubresource for CertificateSigningRequest {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }

    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

/// Whether the request carries a condition of `type_` (`Approved`, `Denied`, `Failed`).
pub fn has_condition(csr: &CertificateSigningRequest, type_: &str) -> bool {
    csr.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == type_))
}

/// The condition `kubectl certificate approve` (`approved`) or `deny` adds.
pub fn decision_condition(
    approved: bool,
    now: k8s_openapi::jiff::Timestamp,
) -> CertificateSigningRequestCondition {
    let time = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(now);
    let (type_, reason, message) = if approved {
        (
            "Approved",
            "KubectlApprove",
            "This CSR was approved by kubectl certificate approve.",
        )
    } else {
        (
            "Denied",
            "KubectlDeny",
            "This CSR was denied by kubectl certificate deny.",
        )
    };
    CertificateSigningRequestCondition {
        type_: type_.into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_update_time: Some(time.clone()),
        last_transition_time: Some(time),
    }
}
