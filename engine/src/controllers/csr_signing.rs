//! The csrsigning controller (kube-controller-manager, with kubeadm's cluster CA): issues
//! `status.certificate` for approved CertificateSigningRequests of the kubernetes.io signers
//! it serves. The certificate is a fixed, PEM-shaped placeholder naming the request: no key
//! is involved.

use super::runtime::{Controller, Queue};
use crate::api::object::certificates::has_condition;
use crate::api::object::{CertificateSigningRequest, Object, ObjectKey, WatchEvent};
use crate::world::World;

/// The signers kubeadm's controller-manager signs for.
const SIGNERS: &[&str] = &[
    "kubernetes.io/kube-apiserver-client",
    "kubernetes.io/kube-apiserver-client-kubelet",
    "kubernetes.io/kubelet-serving",
];

/// The controller: no state of its own.
#[derive(Clone, Debug, Default)]
pub struct CsrSigning;

/// Whether the controller has a certificate to issue for `csr`.
fn wants_certificate(csr: &CertificateSigningRequest) -> bool {
    SIGNERS.contains(&csr.spec.signer_name.as_str())
        && has_condition(csr, "Approved")
        && !has_condition(csr, "Denied")
        && !has_condition(csr, "Failed")
        && csr
            .status
            .as_ref()
            .and_then(|s| s.certificate.as_ref())
            .is_none_or(|c| c.0.is_empty())
}

/// The placeholder certificate issued for the request `name`.
fn certificate(name: &str) -> Vec<u8> {
    format!(
        "-----BEGIN CERTIFICATE-----\nS3ViZXBsYXkgc2ltdWxhdGVkIGNlcnRpZmljYXRl\n{}\n-----END CERTIFICATE-----\n",
        crate::api::base64::encode(format!("issued for {name}").as_bytes())
    )
    .into_bytes()
}

impl Controller for CsrSigning {
    fn name(&self) -> &'static str {
        "csrsigning"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::CertificateSigningRequest(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if let Object::CertificateSigningRequest(csr) = &*event.object {
            if wants_certificate(csr) {
                queue.add(ObjectKey {
                    kind: "CertificateSigningRequest",
                    namespace: String::new(),
                    name: event.object.name().to_string(),
                });
            }
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(csr) = world
            .api
            .get_as::<CertificateSigningRequest>("", &key.name)
            .filter(|c| wants_certificate(c))
            .cloned()
        else {
            return;
        };
        let mut csr = csr;
        csr.status.get_or_insert_with(Default::default).certificate =
            Some(k8s_openapi::ByteString(certificate(&key.name)));
        let _ = world
            .api
            .update_status(Object::CertificateSigningRequest(Box::new(csr)));
    }
}
