//! The API server: the only way into the cluster's state.
//!
//! [`ApiServer`] owns the [`Store`] (private to this module) and is the single write path of
//! the engine: kubectl verbs, controllers, the scheduler and the kubelet all write through
//! its entry points, as kube-apiserver's REST handlers do:
//!
//! | entry point | upstream | what runs |
//! |---|---|---|
//! | [`ApiServer::create`], [`ApiServer::create_dry_run`] | `POST` | `generateName`, defaulting, validation, admission (`strategy`, `admission`), then storage |
//! | [`ApiServer::update`] | `PUT` | validation; identity and the stored status kept; `generation` bumped when the spec changed |
//! | [`ApiServer::update_from_manifest`] | `PUT` of a client's merged object | per-kind update rules (pod fields that may change, Service allocations), then `update` |
//! | [`ApiServer::update_status`] | `PUT …/status` | the stored spec kept; `generation` never moves |
//! | [`ApiServer::bind`] | `POST …/binding` | `spec.nodeName` and the `PodScheduled` condition |
//! | [`ApiServer::delete`] | `DELETE` | grace periods, finalizers, propagation (`deletion`) |
//! | [`ApiServer::evict`] | `POST …/eviction` | the pod's disruption budget, then a graceful delete (`eviction`) |
//!
//! Reads ([`ApiServer::get`], [`ApiServer::list`]) and the watch log
//! ([`ApiServer::read`] from a [`Cursor`]) are open to every layer. Writes take an [`Env`]: the
//! cluster's clock and its seeded random source, the only inputs beyond the request.
//! Objects the cluster boots with are loaded by [`ApiServer::restore`], as from an etcd
//! snapshot, without admission.

mod admission;
pub mod authz;
mod cursor;
mod custom;
mod deletion;
pub mod discovery;
pub mod envelope;
mod escalation;
mod eviction;
pub mod ip_addresses;
mod metrics;
mod metrics_json;
mod raw;
mod store;
mod strategy;
mod ttl;

pub use cursor::Cursor;
pub use custom::CustomKinds;
pub(crate) use deletion::{
    finalize_namespace, DeleteOptions, Deletion, Propagation, FOREGROUND_FINALIZER,
    ORPHAN_FINALIZER,
};
pub use metrics::{ContainerMetrics, MetricsData, MetricsUnavailable, NodeMetrics, PodMetrics};
pub use raw::RawError;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::error::ApiError;
use crate::api::object::{Kind, Object, WatchEvent};
use crate::clock::Clock;
use crate::rng::Rng;
use store::{Store, Write};

/// What a write needs from the cluster around the API server.
pub struct Env<'a> {
    /// The cluster's clock (creation and deletion timestamps).
    pub clock: &'a Clock,
    /// The seeded random source (uids, generated names, ClusterIPs).
    pub rng: &'a mut Rng,
}

/// The API server: storage, per-kind strategies, admission and the watch log.
#[derive(Clone, Debug, Default)]
pub struct ApiServer {
    store: Store,
    /// The kinds Established CRDs define (rebuilt on every CRD write).
    custom: CustomKinds,
    /// The aggregated resource metrics API's data (`metrics`).
    metrics: metrics::MetricsStore,
}

impl ApiServer {
    /// The object of `kind` called `name` in `namespace` (empty for cluster-scoped kinds).
    pub fn get(&self, kind: &'static str, namespace: &str, name: &str) -> Option<&Object> {
        self.store.get(kind, namespace, name)
    }

    /// The stored version of an object, shared with the store (no copy), for a reader that
    /// writes while it reads.
    pub fn get_shared(
        &self,
        kind: &'static str,
        namespace: &str,
        name: &str,
    ) -> Option<std::sync::Arc<Object>> {
        self.store.get_shared(kind, namespace, name)
    }

    /// The object of kind `K` called `name` in `namespace`, typed.
    pub fn get_as<K: Kind>(&self, namespace: &str, name: &str) -> Option<&K> {
        self.store.get(K::KIND, namespace, name).and_then(K::of)
    }

    /// The pods bound to `node` (`spec.nodeName`), in etcd key order.
    pub fn pods_on<'a>(
        &'a self,
        node: &'a str,
    ) -> impl Iterator<Item = &'a k8s_openapi::api::core::v1::Pod> + 'a {
        self.list_as::<k8s_openapi::api::core::v1::Pod>(None)
            .filter(move |p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
    }

    /// Objects of kind `K`, typed, in etcd key order; `None` lists every namespace.
    pub fn list_as<'a, K: Kind + 'a>(
        &'a self,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a K> + 'a {
        self.store.list(K::KIND, namespace).filter_map(K::of)
    }

    /// Objects of `kind`, in etcd key order (namespace, then name); `None` lists every
    /// namespace.
    pub fn list<'a>(
        &'a self,
        kind: &'static str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.store.list(kind, namespace)
    }

    /// [`ApiServer::list`], each stored version shared with the store (no copy), for a
    /// reader that writes while it reads.
    pub fn list_shared<'a>(
        &'a self,
        kind: &'static str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a std::sync::Arc<Object>> + 'a {
        self.store.list_shared(kind, namespace)
    }

    /// A watch cursor that sees only what happens from now on.
    pub fn watch(&self) -> Cursor {
        self.store.watch()
    }

    /// The watch events `cursor` has not read yet, now marked read. The log keeps an event
    /// until every live cursor has read it (and [`ApiServer::compact`] runs).
    pub fn read(&self, cursor: &Cursor) -> &[WatchEvent] {
        self.store.read(cursor)
    }

    /// Drops the watch events every live cursor has read (the cluster calls it when its
    /// readers have looked).
    pub fn compact(&mut self) {
        self.store.compact();
    }

    /// The number of the next watch event (how many writes the store has seen: a reader
    /// that only asks whether anything happened compares two of them).
    pub fn log_end(&self) -> usize {
        self.store.log_end()
    }

    /// Tells the store the time is `now_ms`: Events older than `--event-ttl` (their last
    /// write an hour ago) are gone, as their etcd lease ran out. Returns how many went.
    pub fn expire(&mut self, now_ms: i64) -> usize {
        self.store.expire(now_ms)
    }

    /// The current resourceVersion of the whole store.
    pub fn resource_version(&self) -> u64 {
        self.store.resource_version()
    }

    /// The pods of `namespace` whose controller has `uid`.
    pub fn pods_owned_by(
        &self,
        namespace: &str,
        uid: &str,
    ) -> Vec<k8s_openapi::api::core::v1::Pod> {
        self.list("Pod", Some(namespace))
            .filter_map(|o| match o {
                Object::Pod(p)
                    if crate::api::pod::controller_of(&p.metadata)
                        .is_some_and(|r| r.uid == uid) =>
                {
                    Some(p.as_ref().clone())
                }
                _ => None,
            })
            .collect()
    }

    /// `POST`: runs the kind's create strategy and admission, then stores the object.
    pub fn create(&mut self, mut obj: Object, env: Env<'_>) -> Result<&Object, ApiError> {
        self.bind_custom(&mut obj)?;
        let charged = self.admit_create(&mut obj, env.rng)?;
        if obj.kind() == "CustomResourceDefinition" {
            let name = obj.name().to_string();
            self.store.create(obj, env.clock.now_time(), env.rng)?;
            return self.after_crd_write(&name);
        }
        if let Object::Service(svc) = &obj {
            ip_addresses::allocate(&mut self.store, svc, &env.clock.now_time(), env.rng);
        }
        if charged.is_empty() {
            return self.store.create(obj, env.clock.now_time(), env.rng);
        }
        let (info, kind) = (obj.info(), obj.kind());
        let (ns, name) = (obj.namespace().to_string(), obj.name().to_string());
        self.store.create(obj, env.clock.now_time(), env.rng)?;
        self.charge(charged);
        self.store
            .get(kind, &ns, &name)
            .ok_or_else(|| ApiError::not_found(info, &name))
    }

    /// Stores the quota use admission charged for a write (ResourceQuota admission's
    /// status update).
    fn charge(&mut self, quotas: Vec<Object>) {
        for q in quotas {
            let _ = self.store.update(q, Write::Status);
        }
    }

    /// Rebuilds the custom kinds after a write of the CRD `name`, and returns it as stored.
    fn after_crd_write(&mut self, name: &str) -> Result<&Object, ApiError> {
        self.refresh_after("CustomResourceDefinition");
        self.store
            .get("CustomResourceDefinition", "", name)
            .ok_or_else(|| {
                ApiError::not_found(crate::api::kinds::info("CustomResourceDefinition"), name)
            })
    }

    /// `POST` with `dryRun=All`: everything [`ApiServer::create`] checks, nothing stored and
    /// no randomness consumed. Returns the object as it would be stored.
    pub fn create_dry_run(&self, mut obj: Object, env: Env<'_>) -> Result<Object, ApiError> {
        let mut rng = env.rng.clone();
        self.bind_custom(&mut obj)?;
        self.admit_create(&mut obj, &mut rng)?;
        if self
            .store
            .get(obj.kind(), obj.namespace(), obj.name())
            .is_some()
        {
            return Err(ApiError::already_exists(obj.info(), obj.name()));
        }
        Ok(obj)
    }

    fn admit_create(&self, obj: &mut Object, rng: &mut Rng) -> Result<Vec<Object>, ApiError> {
        strategy::prepare_for_create(obj, rng);
        admission::mutate_create(&self.store, obj);
        crate::api::validation::validate(obj)?;
        admission::admit_create(&self.store, obj, rng)
    }

    /// NamespaceLifecycle alone: whether `obj`'s namespace takes new objects.
    pub fn admit_namespace(&self, obj: &Object) -> Result<(), ApiError> {
        admission::namespace_lifecycle(&self.store, obj)
    }

    /// Loads an object the cluster boots with (or that the apiserver and kubelets keep in
    /// place themselves: the `kubernetes` Service, root CA, mirror pods), created at `at`,
    /// without defaulting or admission, as a restore from etcd would.
    pub fn restore(&mut self, obj: Object, at: Time, rng: &mut Rng) -> Result<&Object, ApiError> {
        if obj.kind() == "CustomResourceDefinition" {
            let name = obj.name().to_string();
            self.store.create(obj, at, rng)?;
            return self.after_crd_write(&name);
        }
        self.store.create(obj, at, rng)
    }

    /// Loads the apiserver's bootstrap policy (`cluster::rbac_policy`) without moving the
    /// store's resourceVersion or the watch log (`Store::preload`).
    pub fn preload(&mut self, objects: Vec<Object>, at: Time, rng: &mut Rng) {
        for obj in objects {
            self.store.preload(obj, at.clone(), rng);
        }
    }

    /// `PUT`: replaces a stored object with `obj` after validating it; uid, creation time and
    /// (for kinds with a status subresource) the stored status are kept, `generation` moves
    /// when the spec changed.
    pub fn update(&mut self, mut obj: Object) -> Result<&Object, ApiError> {
        self.bind_custom(&mut obj)?;
        crate::api::validation::validate(&obj)?;
        self.write(obj, Write::Main)
    }

    /// Stores an update (rebuilding the custom kinds after a CRD write).
    fn write(&mut self, obj: Object, write: Write) -> Result<&Object, ApiError> {
        if obj.kind() == "CustomResourceDefinition" {
            let name = obj.name().to_string();
            self.store.update(obj, write)?;
            return self.after_crd_write(&name);
        }
        self.store.update(obj, write)
    }

    /// `PUT` of an object a client merged from a manifest (apply, replace, patch, edit,
    /// `set`): the kind's update rules decide what of `desired` reaches the stored object.
    pub fn update_from_manifest(
        &mut self,
        existing: Object,
        desired: Object,
        env: Env<'_>,
    ) -> Result<&Object, ApiError> {
        let mut desired = desired;
        self.bind_custom(&mut desired)?;
        let charged = admission::admit_update(&self.store, &desired, &existing)?;
        let merged = strategy::prepare_for_update(existing, desired, env.rng)?;
        if charged.is_empty() {
            return self.write(merged, Write::Main);
        }
        let (info, ns, name) = (
            merged.info(),
            merged.namespace().to_string(),
            merged.name().to_string(),
        );
        let kind = merged.kind();
        self.write(merged, Write::Main)?;
        self.charge(charged);
        self.store
            .get(kind, &ns, &name)
            .ok_or_else(|| ApiError::not_found(info, &name))
    }

    /// `PUT …/status`: stores what a controller or kubelet observed; the stored spec and
    /// `generation` stay.
    pub fn update_status(&mut self, mut obj: Object) -> Result<&Object, ApiError> {
        self.bind_custom(&mut obj)?;
        self.write(obj, Write::Status)
    }

    /// `POST …/binding`: the scheduler's choice of node (`spec.nodeName`) and the pod's
    /// `PodScheduled` condition.
    pub fn bind(&mut self, pod: Object) -> Result<&Object, ApiError> {
        self.store.update(pod, Write::Whole)
    }

    /// Removes an object for good: the end of a deletion (finalizers and grace periods done).
    fn remove(
        &mut self,
        kind: &'static str,
        namespace: &str,
        name: &str,
    ) -> Option<std::sync::Arc<Object>> {
        if kind == "Service" {
            ip_addresses::release(&mut self.store, namespace, name);
        }
        if kind != "CustomResourceDefinition" {
            return self.store.remove(kind, namespace, name);
        }
        self.remove_instances(name);
        let removed = self.store.remove(kind, namespace, name);
        self.refresh_after(kind);
        removed
    }
}
