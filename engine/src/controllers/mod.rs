//! Controllers, as kube-controller-manager's (and kube-scheduler's loop): each a struct
//! holding what it remembers, implementing [`runtime::Controller`]: which keys a watch event
//! concerns, and how to reconcile one key. They act on the [`World`](crate::world::World)
//! through the API server only, never on the `Cluster`.
//!
//! [`registry`] lists them in the order a pass runs them (determinism); the cluster runs a
//! pass after every command and every timer instant, until a pass writes nothing.

pub mod addon_pods;
pub mod apiservice;
pub mod clusterrole_aggregation;
pub mod crd_names;
pub mod cronjob;
pub mod csr_signing;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod endpoints;
pub mod endpointslice;
pub mod garbage_collector;
pub mod hpa;
pub mod ingress_nginx;
pub mod job;
pub mod metallb;
pub mod metrics_server;
pub mod namespace;
pub mod node_lifecycle;
pub mod persistentvolume;
pub mod replicaset;
pub mod resource_quota;
pub mod runtime;
pub mod scheduler;
pub mod slow_start;
pub mod statefulset;
pub mod system_objects;
#[cfg(test)]
pub mod testing;
pub mod webhook_certgen;

/// Every controller, in the order a pass runs them. Adding a controller is one line here.
pub fn registry() -> runtime::Runtime {
    let mut runtime = runtime::Runtime::default();
    runtime.register(Box::<crd_names::CrdNames>::default(), 0);
    runtime.register(Box::<node_lifecycle::NodeLifecycle>::default(), 0);
    // Before the Jobs' TTL removes the admission Jobs' pods it reads.
    runtime.register(Box::<webhook_certgen::WebhookCertgen>::default(), 0);
    runtime.register(Box::<deployment::Deployments>::default(), 0);
    runtime.register(Box::<replicaset::ReplicaSets>::default(), 0);
    runtime.register(Box::<cronjob::CronJobs>::default(), 0);
    runtime.register(Box::<job::Jobs>::default(), 0);
    runtime.register(Box::<statefulset::StatefulSets>::default(), 0);
    runtime.register(Box::<daemonset::DaemonSets>::default(), 0);
    runtime.register(Box::<hpa::Autoscalers>::default(), 0);
    runtime.register(Box::<disruption::Disruption>::default(), 0);
    // Volumes first: a volume created with its claim is Available when the claim syncs.
    runtime.register(Box::<persistentvolume::Volumes>::default(), 0);
    runtime.register(Box::<persistentvolume::ClaimBinder>::default(), 0);
    runtime.register(
        Box::new(persistentvolume::ExternalProvisioner::minikube()),
        0,
    );
    runtime.register(
        Box::new(persistentvolume::ExternalProvisioner::local_path()),
        0,
    );
    runtime.register(Box::<persistentvolume::Expansion>::default(), 0);
    runtime.register(Box::<persistentvolume::ClaimProtection>::default(), 0);
    runtime.register(Box::<garbage_collector::GarbageCollector>::default(), 0);
    runtime.register(Box::<namespace::Namespaces>::default(), 0);
    runtime.register(
        Box::<clusterrole_aggregation::ClusterRoleAggregation>::default(),
        0,
    );
    runtime.register(Box::<system_objects::SystemObjects>::default(), 0);
    runtime.register(Box::<endpoints::EndpointsController>::default(), 0);
    runtime.register(Box::<endpointslice::EndpointSliceController>::default(), 0);
    runtime.register(Box::<apiservice::ApiServices>::default(), 0);
    runtime.register(Box::<csr_signing::CsrSigning>::default(), 0);
    runtime.register(Box::<resource_quota::Quotas>::default(), 0);
    // Add-ons the learner installs act only while their pods run.
    runtime.register(Box::<metallb::MetalLb>::default(), 0);
    runtime.register(Box::<ingress_nginx::IngressNginx>::default(), 0);
    runtime.register(Box::<metrics_server::MetricsServer>::default(), 0);
    // Last: the scheduler places what this pass's controllers created.
    runtime.register(
        Box::<crate::controllers::scheduler::Scheduler>::default(),
        0,
    );
    runtime
}
