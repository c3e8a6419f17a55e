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
pub mod taint_eviction;
#[cfg(test)]
pub mod testing;
pub mod webhook_certgen;

/// Every controller, in the order a pass runs them, with the process it runs in
/// (kube-controller-manager's and kube-scheduler's wait while theirs is down; the API
/// server's own and the add-ons' do not). Adding a controller is one line here.
pub fn registry() -> runtime::Runtime {
    use crate::world::control_plane::Process;
    const KCM: Process = Process::ControllerManager;
    let mut runtime = runtime::Runtime::default();
    runtime.register(Box::<crd_names::CrdNames>::default());
    runtime.register_in(KCM, Box::<node_lifecycle::NodeLifecycle>::default());
    runtime.register_in(KCM, Box::<taint_eviction::TaintEviction>::default());
    // Before the Jobs' TTL removes the admission Jobs' pods it reads.
    runtime.register(Box::<webhook_certgen::WebhookCertgen>::default());
    runtime.register_in(KCM, Box::<deployment::Deployments>::default());
    runtime.register_in(KCM, Box::<replicaset::ReplicaSets>::default());
    runtime.register_in(KCM, Box::<cronjob::CronJobs>::default());
    runtime.register_in(KCM, Box::<job::Jobs>::default());
    runtime.register_in(KCM, Box::<statefulset::StatefulSets>::default());
    runtime.register_in(KCM, Box::<daemonset::DaemonSets>::default());
    runtime.register_in(KCM, Box::<hpa::Autoscalers>::default());
    runtime.register_in(KCM, Box::<disruption::Disruption>::default());
    // Volumes first: a volume created with its claim is Available when the claim syncs.
    runtime.register_in(KCM, Box::<persistentvolume::Volumes>::default());
    runtime.register_in(KCM, Box::<persistentvolume::ClaimBinder>::default());
    runtime.register(Box::new(persistentvolume::ExternalProvisioner::minikube()));
    runtime.register(Box::new(persistentvolume::ExternalProvisioner::local_path()));
    runtime.register_in(KCM, Box::<persistentvolume::Expansion>::default());
    runtime.register_in(KCM, Box::<persistentvolume::ClaimProtection>::default());
    runtime.register_in(KCM, Box::<garbage_collector::GarbageCollector>::default());
    runtime.register_in(KCM, Box::<namespace::Namespaces>::default());
    runtime.register_in(
        KCM,
        Box::<clusterrole_aggregation::ClusterRoleAggregation>::default(),
    );
    runtime.register_in(KCM, Box::<system_objects::SystemObjects>::default());
    runtime.register_in(KCM, Box::<endpoints::EndpointsController>::default());
    runtime.register_in(
        KCM,
        Box::<endpointslice::EndpointSliceController>::default(),
    );
    runtime.register(Box::<apiservice::ApiServices>::default());
    runtime.register_in(KCM, Box::<csr_signing::CsrSigning>::default());
    runtime.register_in(KCM, Box::<resource_quota::Quotas>::default());
    // Add-ons the learner installs act only while their pods run.
    runtime.register(Box::<metallb::MetalLb>::default());
    runtime.register(Box::<ingress_nginx::IngressNginx>::default());
    runtime.register(Box::<metrics_server::MetricsServer>::default());
    // Last: the scheduler places what this pass's controllers created.
    runtime.register_in(
        Process::Scheduler,
        Box::<crate::controllers::scheduler::Scheduler>::default(),
    );
    runtime
}
