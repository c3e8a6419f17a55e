//! Defaulting as the apiserver (and its admission plugins) does it, so `-o yaml` looks like a
//! real cluster's.

use k8s_openapi::api::core::v1::{
    DownwardAPIVolumeFile, HTTPGetAction, Namespace, NamespaceSpec, NamespaceStatus, Pod,
    PodSecurityContext, PodSpec, PodStatus, Probe, ResourceRequirements, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::api::image_ref::ImageRef;

/// Fills in any object's defaulted fields, by kind (its [`KindRules`](super::object::KindRules)).
pub fn object(obj: &mut crate::api::object::Object) {
    obj.default_fields();
}

/// Fills in a new namespace's defaulted fields: its name label, finalizer and phase.
pub fn namespace(ns: &mut Namespace) {
    let name = ns.metadata.name.clone().unwrap_or_default();
    ns.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("kubernetes.io/metadata.name".into(), name);
    ns.spec.get_or_insert_with(|| NamespaceSpec {
        finalizers: Some(vec!["kubernetes".into()]),
    });
    ns.status.get_or_insert_with(|| NamespaceStatus {
        phase: Some("Active".into()),
        conditions: None,
    });
}

/// Fills in a new pod's defaulted fields: the type's defaults, then what admission adds
/// (service account, priority, the default not-ready/unreachable tolerations).
pub fn pod(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    pod_spec(spec);
    requests_from_limits(spec);
    super::pod_resources::defaults(spec);
    spec.enable_service_links.get_or_insert(true);
    // `SetDefaults_Pod`: with the host's network, each container port is a host port.
    if spec.host_network == Some(true) {
        for c in spec
            .containers
            .iter_mut()
            .chain(spec.init_containers.iter_mut().flatten())
        {
            for p in c.ports.iter_mut().flatten() {
                if p.host_port.unwrap_or(0) == 0 {
                    p.host_port = Some(p.container_port);
                }
            }
        }
    }
    spec.priority.get_or_insert(0);
    spec.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".into());
    // The ServiceAccount plugin's default; a mirror pod keeps what its kubelet wrote.
    if !super::pod::is_mirror(&pod.metadata) {
        spec.service_account_name
            .get_or_insert_with(|| "default".into());
    }
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    // DefaultTolerationSeconds: unless a toleration of the key (or of every key) covers
    // NoExecute already.
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let covered = tolerations.iter().any(|t| {
            matches!(t.key.as_deref(), None | Some("")) || t.key.as_deref() == Some(key)
        } && matches!(t.effect.as_deref(), None | Some("" | "NoExecute")));
        if !covered {
            tolerations.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
    let qos = super::pod_resources::qos_class(spec).to_string();
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase.get_or_insert_with(|| "Pending".into());
    status.qos_class.get_or_insert(qos);
}

/// `SetDefaults_Pod`: a container's (or init container's) limit without a request of the
/// same resource makes that request. Pods only: a workload's pod template keeps what its
/// author wrote, and its pods get the requests when they are created.
fn requests_from_limits(spec: &mut PodSpec) {
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        let Some(r) = c.resources.as_mut() else {
            continue;
        };
        let Some(limits) = r.limits.as_ref().filter(|l| !l.is_empty()) else {
            continue;
        };
        let requests = r.requests.get_or_insert_with(Default::default);
        for (name, limit) in limits {
            requests
                .entry(name.clone())
                .or_insert_with(|| limit.clone());
        }
    }
}

/// The PodSpec type's own defaults (also applied to pod templates of workloads).
pub fn pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.security_context
        .get_or_insert_with(PodSecurityContext::default);
    for v in spec.volumes.iter_mut().flatten() {
        config_volume(v);
    }
    pod_quantities(spec);
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        let latest =
            ImageRef::parse(c.image.as_deref().unwrap_or("")).is_none_or(|r| r.tag == "latest");
        c.image_pull_policy.get_or_insert_with(|| {
            if latest {
                "Always".into()
            } else {
                "IfNotPresent".into()
            }
        });
        c.termination_message_path
            .get_or_insert_with(|| "/dev/termination-log".into());
        c.termination_message_policy
            .get_or_insert_with(|| "File".into());
        c.resources
            .get_or_insert_with(ResourceRequirements::default);
        for p in c.ports.iter_mut().flatten() {
            p.protocol.get_or_insert_with(|| "TCP".into());
        }
        for p in [
            &mut c.liveness_probe,
            &mut c.readiness_probe,
            &mut c.startup_probe,
        ]
        .into_iter()
        .flatten()
        {
            probe(p);
        }
        if let Some(l) = c.lifecycle.as_mut() {
            for h in [&mut l.post_start, &mut l.pre_stop].into_iter().flatten() {
                if let Some(g) = h.http_get.as_mut() {
                    http_get(g);
                }
            }
        }
    }
}

/// Every quantity of a pod spec as the apiserver decodes it (`resource.Quantity`'s canonical
/// text): its containers' requests and limits, the pod's own resources and overhead,
/// emptyDir size limits and the divisors of resource field references.
fn pod_quantities(spec: &mut PodSpec) {
    use super::resource_names::{canonicalize, canonicalize_one};
    canonicalize(&mut spec.overhead);
    let mut requirements: Vec<&mut ResourceRequirements> = spec.resources.iter_mut().collect();
    let mut divisors = Vec::new();
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        requirements.extend(c.resources.as_mut());
        divisors.extend(c.env.iter_mut().flatten().filter_map(|e| {
            e.value_from
                .as_mut()?
                .resource_field_ref
                .as_mut()?
                .divisor
                .as_mut()
        }));
    }
    for e in spec.ephemeral_containers.iter_mut().flatten() {
        requirements.extend(e.resources.as_mut());
    }
    for r in requirements {
        canonicalize(&mut r.requests);
        canonicalize(&mut r.limits);
    }
    for v in spec.volumes.iter_mut().flatten() {
        divisors.extend(v.empty_dir.as_mut().and_then(|d| d.size_limit.as_mut()));
        let items = v
            .downward_api
            .iter_mut()
            .flat_map(|d| d.items.iter_mut().flatten());
        let projected = v
            .projected
            .iter_mut()
            .flat_map(|p| p.sources.iter_mut().flatten())
            .filter_map(|s| s.downward_api.as_mut())
            .flat_map(|d| d.items.iter_mut().flatten());
        divisors.extend(
            items
                .chain(projected)
                .filter_map(|i| i.resource_field_ref.as_mut()?.divisor.as_mut()),
        );
    }
    divisors.into_iter().for_each(canonicalize_one);
}

/// A configMap, secret, downwardAPI or projected volume's defaults: `defaultMode` 0644
/// (420), a token's `expirationSeconds` 3600, a field's `apiVersion` v1, a resource's
/// `divisor` 0 (how the apiserver's zero Quantity prints).
fn config_volume(v: &mut Volume) {
    const MODE: i32 = 0o644;
    if let Some(c) = v.config_map.as_mut() {
        c.default_mode.get_or_insert(MODE);
    }
    if let Some(s) = v.secret.as_mut() {
        s.default_mode.get_or_insert(MODE);
    }
    if let Some(d) = v.downward_api.as_mut() {
        d.default_mode.get_or_insert(MODE);
        downward_items(d.items.iter_mut().flatten());
    }
    if let Some(p) = v.projected.as_mut() {
        p.default_mode.get_or_insert(MODE);
        for src in p.sources.iter_mut().flatten() {
            if let Some(t) = src.service_account_token.as_mut() {
                t.expiration_seconds.get_or_insert(3600);
            }
            if let Some(d) = src.downward_api.as_mut() {
                downward_items(d.items.iter_mut().flatten());
            }
        }
    }
}

fn downward_items<'a>(items: impl Iterator<Item = &'a mut DownwardAPIVolumeFile>) {
    for item in items {
        if let Some(f) = item.field_ref.as_mut() {
            f.api_version.get_or_insert_with(|| "v1".into());
        }
        if let Some(r) = item.resource_field_ref.as_mut() {
            r.divisor.get_or_insert_with(|| Quantity("0".into()));
        }
    }
}

/// A probe's defaults (`SetDefaults_Probe`): timeout 1 s, period 10 s, thresholds 1 and 3;
/// an unset or zero field takes its default, as Go's zero value does.
fn probe(p: &mut Probe) {
    for (field, default) in [
        (&mut p.timeout_seconds, 1),
        (&mut p.period_seconds, 10),
        (&mut p.success_threshold, 1),
        (&mut p.failure_threshold, 3),
    ] {
        if field.is_none_or(|v| v == 0) {
            *field = Some(default);
        }
    }
    if p.initial_delay_seconds == Some(0) {
        p.initial_delay_seconds = None;
    }
    if let Some(g) = p.http_get.as_mut() {
        http_get(g);
    }
    if let Some(g) = p.grpc.as_mut() {
        g.service.get_or_insert_with(String::new);
    }
}

/// An HTTP GET action's defaults: path `/`, scheme `HTTP`.
fn http_get(g: &mut HTTPGetAction) {
    if g.path.as_deref().is_none_or(str::is_empty) {
        g.path = Some("/".into());
    }
    if g.scheme.as_deref().is_none_or(str::is_empty) {
        g.scheme = Some("HTTP".into());
    }
}
