//! Admission plugins, in kube-apiserver's order: NamespaceLifecycle, ServiceAccount (with its
//! `imagePullSecrets` copied into pods that have none), and the
//! Service REST storage's allocation of ClusterIPs and NodePorts.

use k8s_openapi::api::core::v1::{Pod, Service};

use super::store::Store;
use crate::api::error::ApiError;
use crate::api::object::Object;
use crate::api::{kinds, service, service_account};
use crate::rng::Rng;

/// Admits a new object (already defaulted and validated), completing what the plugins add.
pub(super) fn admit_create(store: &Store, obj: &mut Object, rng: &mut Rng) -> Result<(), ApiError> {
    namespace_lifecycle(store, obj)?;
    match obj {
        Object::Pod(p) => admit_service_account(store, p, rng),
        Object::Service(svc) => allocate_service(store, svc, rng),
        _ => Ok(()),
    }
}

/// NamespaceLifecycle: namespaced objects need a namespace that exists and is not being
/// deleted.
pub(super) fn namespace_lifecycle(store: &Store, obj: &Object) -> Result<(), ApiError> {
    if !obj.info().namespaced {
        return Ok(());
    }
    let ns = obj.namespace();
    match store.get("Namespace", "", ns) {
        None => Err(ApiError::not_found(kinds::info("Namespace"), ns)),
        Some(n) if n.metadata().deletion_timestamp.is_some() => Err(ApiError::denied(
            obj.info(),
            obj.name(),
            format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// ServiceAccount: the account must exist; the projected token volume is added.
fn admit_service_account(store: &Store, pod: &mut Pod, rng: &mut Rng) -> Result<(), ApiError> {
    let sa = service_account::account(pod);
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    if store.get("ServiceAccount", &ns, &sa).is_none() {
        return Err(ApiError::Denied {
            resource: "pods".into(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            message: format!(
                "error looking up service account {ns}/{sa}: serviceaccount \"{sa}\" not found"
            ),
        });
    }
    let volume = format!("{}{}", service_account::VOLUME_PREFIX, rng.name_suffix(5));
    service_account::admit(pod, &volume);
    // A pod without pull secrets of its own gets its account's.
    let spec = pod.spec.get_or_insert_with(Default::default);
    if spec.image_pull_secrets.as_ref().is_none_or(Vec::is_empty) {
        let inherited = match store.get("ServiceAccount", &ns, &sa) {
            Some(Object::ServiceAccount(account)) => account.image_pull_secrets.clone(),
            _ => None,
        };
        if let Some(secrets) = inherited.filter(|s| !s.is_empty()) {
            spec.image_pull_secrets = Some(secrets);
        }
    }
    Ok(())
}

/// Validates a new Service against the stored ones, then defaults it and allocates its
/// ClusterIP and NodePorts.
fn allocate_service(store: &Store, svc: &mut Service, rng: &mut Rng) -> Result<(), ApiError> {
    let mut taken =
        service::Allocated::from_services(store.list("Service", None).filter_map(|o| match o {
            Object::Service(s) => Some(s.as_ref()),
            _ => None,
        }));
    let causes = service::validate(svc, &taken);
    if !causes.is_empty() {
        return Err(ApiError::Invalid {
            kind: "Service".into(),
            name: svc.metadata.name.clone().unwrap_or_default(),
            causes,
        });
    }
    service::default_new(svc, &mut taken, rng);
    Ok(())
}
