//! Admission plugins, in kube-apiserver's order: NamespaceLifecycle, ServiceAccount (with its
//! `imagePullSecrets` copied into pods that have none), LimitRanger (defaults before
//! validation, limits after), Priority, DefaultStorageClass, the Service REST storage's
//! allocation of ClusterIPs and NodePorts, and ResourceQuota last (its charges returned to be
//! stored).

use k8s_openapi::api::core::v1::{LimitRange, PersistentVolumeClaim, Pod, ResourceQuota, Service};

use super::store::Store;
use crate::api::error::ApiError;
use crate::api::object::{default_class, Object};
use crate::api::{kinds, limit_range, quota, service, service_account};
use crate::rng::Rng;

/// The mutating plugins that run before validation: LimitRanger's defaults for a new pod.
pub(super) fn mutate_create(store: &Store, obj: &mut Object) {
    if let Object::Pod(p) = obj {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        for range in limit_ranges(store, &ns) {
            limit_range::default_pod(range, p);
        }
    }
}

/// The namespace's LimitRanges, in name order.
fn limit_ranges<'a>(store: &'a Store, ns: &'a str) -> impl Iterator<Item = &'a LimitRange> + 'a {
    store.list("LimitRange", Some(ns)).filter_map(|o| match o {
        Object::LimitRange(l) => Some(l.as_ref()),
        _ => None,
    })
}

/// The namespace's ResourceQuotas, in name order.
fn quotas<'a>(store: &'a Store, ns: &'a str) -> Vec<&'a ResourceQuota> {
    store
        .list("ResourceQuota", Some(ns))
        .filter_map(|o| match o {
            Object::ResourceQuota(q) => Some(q.as_ref()),
            _ => None,
        })
        .collect()
}

/// Admits a new object (already defaulted and validated), completing what the plugins add;
/// returns the quotas whose use it raises, to store with it.
pub(super) fn admit_create(
    store: &Store,
    obj: &mut Object,
    rng: &mut Rng,
) -> Result<Vec<Object>, ApiError> {
    namespace_lifecycle(store, obj)?;
    super::envelope::admit(store, obj)?;
    match obj {
        Object::Pod(p) => {
            admit_service_account(store, p, rng)?;
            admit_priority(store, p)?;
            admit_runtime_class(store, p)?;
        }
        Object::PriorityClass(pc) => only_one_default(store, pc)?,
        Object::Service(svc) => allocate_service(store, svc, rng)?,
        Object::PersistentVolumeClaim(claim) => default_storage_class(store, claim),
        _ => {}
    }
    limit_ranger(store, obj)?;
    resource_quota(store, obj, None)
}

/// LimitRanger's validation: a pod (on create) or claim against each LimitRange.
fn limit_ranger(store: &Store, obj: &Object) -> Result<(), ApiError> {
    for range in limit_ranges(store, obj.namespace()) {
        let refused = match obj {
            Object::Pod(p) => limit_range::validate_pod(range, p),
            Object::PersistentVolumeClaim(c) => limit_range::validate_claim(range, c),
            _ => None,
        };
        if let Some(message) = refused {
            return Err(ApiError::denied(obj.info(), obj.name(), message));
        }
    }
    Ok(())
}

/// ResourceQuota: the object's use checked against (and charged to) each quota of its
/// namespace; `old` for an update, charged only what grows.
fn resource_quota(
    store: &Store,
    obj: &Object,
    old: Option<&Object>,
) -> Result<Vec<Object>, ApiError> {
    if !obj.info().namespaced {
        return Ok(Vec::new());
    }
    let quotas = quotas(store, obj.namespace());
    if quotas.is_empty() {
        return Ok(Vec::new());
    }
    let checked = match old {
        None => quota::check(&quotas, obj),
        Some(old) => quota::check_update(&quotas, obj, old),
    };
    checked
        .map(|qs| {
            qs.into_iter()
                .map(|q| Object::ResourceQuota(Box::new(q)))
                .collect()
        })
        .map_err(|message| ApiError::denied(obj.info(), obj.name(), message))
}

/// Admits an update: PersistentVolumeClaimResize (and the claim's storage-request rule),
/// LimitRanger for claims, and ResourceQuota for what a claim or Service grows by.
pub(super) fn admit_update(
    store: &Store,
    new: &Object,
    old: &Object,
) -> Result<Vec<Object>, ApiError> {
    if let (Object::PersistentVolumeClaim(n), Object::PersistentVolumeClaim(o)) = (new, old) {
        resize(store, n, o)?;
        limit_ranger(store, new)?;
    }
    if let (Object::PriorityClass(n), Object::PriorityClass(_)) = (new, old) {
        only_one_default(store, n)?;
    }
    match new {
        Object::PersistentVolumeClaim(_) | Object::Service(_) => {
            resource_quota(store, new, Some(old))
        }
        _ => Ok(Vec::new()),
    }
}

/// PersistentVolumeClaimResize: a claim's storage request may grow only once it is Bound
/// (validation's rule, checked first) and only if its class allows expansion; it may not
/// shrink below what it has (`field can not be less than status.capacity`).
fn resize(
    store: &Store,
    new: &PersistentVolumeClaim,
    old: &PersistentVolumeClaim,
) -> Result<(), ApiError> {
    let storage = |q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
        q.and_then(|q| crate::api::quantity::parse(&q.0))
            .unwrap_or(0.0)
    };
    let request = |c: &PersistentVolumeClaim| {
        storage(
            c.spec
                .as_ref()
                .and_then(|s| s.resources.as_ref()?.requests.as_ref()?.get("storage")),
        )
    };
    let (wanted, had) = (request(new), request(old));
    let name = old.metadata.name.clone().unwrap_or_default();
    let info = kinds::info("PersistentVolumeClaim");
    let bound = old.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    let capacity = storage(
        old.status
            .as_ref()
            .and_then(|s| s.capacity.as_ref()?.get("storage")),
    );
    if wanted < had && bound && wanted < capacity {
        return Err(ApiError::Invalid {
            kind: "PersistentVolumeClaim".into(),
            name,
            causes: vec![
                "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity".into(),
            ],
        });
    }
    if wanted <= had {
        return Ok(());
    }
    if !bound {
        // Validation refuses it before the plugin would (kube-apiserver adds a diff of the
        // spec after this line).
        return Err(ApiError::Invalid {
            kind: "PersistentVolumeClaim".into(),
            name,
            causes: vec![
                "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims".into(),
            ],
        });
    }
    let class = old
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default();
    let allowed = !class.is_empty()
        && matches!(
            store.get("StorageClass", "", &class),
            Some(Object::StorageClass(c)) if c.allow_volume_expansion == Some(true)
        );
    if !allowed {
        return Err(ApiError::denied(
            info,
            &name,
            "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
        ));
    }
    Ok(())
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

/// DefaultStorageClass: a claim that names no class (neither `storageClassName` nor the beta
/// annotation) gets the default one, if the cluster has one.
fn default_storage_class(store: &Store, claim: &mut PersistentVolumeClaim) {
    let beta = claim
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("volume.beta.kubernetes.io/storage-class"));
    let spec = claim.spec.get_or_insert_with(Default::default);
    if beta || spec.storage_class_name.is_some() {
        return;
    }
    let classes = store.list("StorageClass", None).filter_map(|o| match o {
        Object::StorageClass(c) => Some(c.as_ref()),
        _ => None,
    });
    if let Some(class) = default_class(classes) {
        spec.storage_class_name.clone_from(&class.metadata.name);
    }
}

/// ServiceAccount: the account must exist; the projected token volume is added. A mirror
/// pod is left as its kubelet wrote it, and may name no account, secret or token volume.
fn admit_service_account(store: &Store, pod: &mut Pod, rng: &mut Rng) -> Result<(), ApiError> {
    if crate::api::pod::is_mirror(&pod.metadata) {
        return mirror_references(pod);
    }
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

/// What the ServiceAccount plugin refuses in a mirror pod (its `Validate`).
fn mirror_references(pod: &Pod) -> Result<(), ApiError> {
    let spec = pod.spec.as_ref();
    let forbidden = |message: &str| {
        Err(ApiError::Denied {
            resource: "pods".into(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            message: message.into(),
        })
    };
    if spec.is_some_and(|s| {
        s.service_account_name
            .as_deref()
            .is_some_and(|n| !n.is_empty())
    }) {
        return forbidden("a mirror pod may not reference service accounts");
    }
    if crate::api::pod::references_secret(pod) {
        return forbidden("a mirror pod may not reference secrets");
    }
    let token = spec
        .into_iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.projected.as_ref())
        .flat_map(|p| p.sources.iter().flatten())
        .any(|s| s.service_account_token.is_some());
    if token {
        return forbidden("a mirror pod may not use ServiceAccountToken volume projections");
    }
    Ok(())
}

/// Priority: a pod's `priorityClassName` (or the global default class) gives its
/// `priority` and `preemptionPolicy`; a class that does not exist is refused.
fn admit_priority(store: &Store, pod: &mut Pod) -> Result<(), ApiError> {
    let spec = pod.spec.get_or_insert_with(Default::default);
    let wanted = spec.priority_class_name.clone().unwrap_or_default();
    let class = if wanted.is_empty() {
        store
            .list("PriorityClass", None)
            .filter_map(|o| match o {
                Object::PriorityClass(pc) if pc.global_default == Some(true) => Some(pc),
                _ => None,
            })
            .min_by_key(|pc| pc.value)
    } else {
        match store.get("PriorityClass", "", &wanted) {
            Some(Object::PriorityClass(pc)) => Some(pc),
            _ => {
                return Err(ApiError::Denied {
                    resource: "pods".into(),
                    name: pod.metadata.name.clone().unwrap_or_default(),
                    message: format!("no PriorityClass with name {wanted} was found"),
                })
            }
        }
    };
    match class {
        Some(pc) => {
            spec.priority_class_name.clone_from(&pc.metadata.name);
            spec.priority = Some(pc.value);
            spec.preemption_policy.clone_from(&pc.preemption_policy);
        }
        None => {
            spec.priority.get_or_insert(0);
            spec.preemption_policy
                .get_or_insert_with(|| "PreemptLowerPriority".into());
        }
    }
    Ok(())
}

/// RuntimeClass: a pod's `runtimeClassName` must name a RuntimeClass, whose overhead and
/// scheduling constraints it takes.
fn admit_runtime_class(store: &Store, pod: &mut Pod) -> Result<(), ApiError> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let Some(spec) = pod.spec.as_mut() else {
        return Ok(());
    };
    let Some(wanted) = spec.runtime_class_name.clone() else {
        return Ok(());
    };
    let refuse = |message: String| ApiError::Denied {
        resource: "pods".into(),
        name: name.clone(),
        message,
    };
    let Some(Object::RuntimeClass(rc)) = store.get("RuntimeClass", "", &wanted) else {
        return Err(refuse(format!(
            "pod rejected: RuntimeClass \"{wanted}\" not found"
        )));
    };
    if let Some(fixed) = rc.overhead.as_ref().and_then(|o| o.pod_fixed.clone()) {
        match &spec.overhead {
            Some(o) if *o != fixed => {
                return Err(refuse(
                    "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"
                        .into(),
                ))
            }
            _ => spec.overhead = Some(fixed),
        }
    }
    if let Some(scheduling) = &rc.scheduling {
        let selector = spec.node_selector.get_or_insert_with(Default::default);
        for (k, v) in scheduling.node_selector.iter().flatten() {
            match selector.get(k) {
                Some(existing) if existing != v => {
                    return Err(refuse(format!(
                        "conflict: runtimeClass.scheduling.nodeSelector[{k}] = {v}; pod.spec.nodeSelector[{k}] = {existing}"
                    )))
                }
                _ => {
                    selector.insert(k.clone(), v.clone());
                }
            }
        }
        if selector.is_empty() {
            spec.node_selector = None;
        }
        let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
        for t in scheduling.tolerations.iter().flatten() {
            if !tolerations.contains(t) {
                tolerations.push(t.clone());
            }
        }
        if tolerations.is_empty() {
            spec.tolerations = None;
        }
    }
    Ok(())
}

/// Priority, for PriorityClasses: only one class may be the global default.
fn only_one_default(
    store: &Store,
    pc: &k8s_openapi::api::scheduling::v1::PriorityClass,
) -> Result<(), ApiError> {
    if pc.global_default != Some(true) {
        return Ok(());
    }
    let name = pc.metadata.name.clone().unwrap_or_default();
    let other = store.list("PriorityClass", None).find_map(|o| match o {
        Object::PriorityClass(c)
            if c.global_default == Some(true) && c.metadata.name != pc.metadata.name =>
        {
            c.metadata.name.clone()
        }
        _ => None,
    });
    match other {
        Some(other) => Err(ApiError::denied(
            kinds::info("PriorityClass"),
            &name,
            format!(
                "PriorityClass {other} is already marked as default. Only one default can exist"
            ),
        )),
        None => Ok(()),
    }
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
