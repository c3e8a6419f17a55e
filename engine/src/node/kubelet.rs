//! The kubelet: drives each bound pod through its lifecycle on its node — sandbox, image
//! pulls (first pull takes time, later ones find the image present), container start,
//! image-pull back-off, and termination within the grace period — emitting the real events.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateWaiting, ContainerStatus, HostIP, Pod, PodCondition, PodIP,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::object::{Node, Object};
use crate::api::pod::set_condition;
use crate::apiserver::ApiServer;
use crate::node::images::{self, ImageRef};
use crate::node::NodeCx;
use crate::timers::Task;
use crate::world::events::{self, EventType, Source};

/// Where a pod is in its life on the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Init container `index` is being pulled, or runs: the app containers wait.
    Initializing { index: usize },
    /// Images are being pulled (the `attempt`-th try); containers start when the timer fires.
    Pulling { attempt: u32 },
    /// Containers run.
    Running,
    /// A pull failed; `attempt` pulls have failed so far.
    PullFailed { attempt: u32 },
    /// Waiting out the image-pull back-off before trying again.
    PullBackOff { attempt: u32 },
    /// Containers were told to stop; the pod goes away when the timer fires.
    Terminating,
    /// Evicted: containers were told to stop; the pod fails when the timer fires (and stays
    /// so: nothing more runs).
    Evicted,
}

/// Back-off after the `attempt`-th failure: 10 s doubling, at most 300 s.
pub fn backoff_ms(attempt: u32) -> i64 {
    (10_000i64 << attempt.saturating_sub(1).min(5)).min(300_000)
}

/// Time from binding to the pod sandbox being ready (network set up, IP assigned).
const SANDBOX_MS: i64 = 700;
/// How long a registry takes to refuse an image that does not exist.
const FAILED_PULL_MS: i64 = 1_200;
/// How long a pull of an image that is already present takes with `imagePullPolicy: Always`.
const CACHED_PULL_MS: i64 = 950;
/// How long the kubelet takes to notice that a container exited (its relist period).
pub(crate) const RELIST_MS: i64 = 1_000;

/// The timer task that brings the kubelet back to this pod.
pub(crate) fn key_task(meta: &ObjectMeta) -> Task {
    Task::KubeletSync {
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
    }
}

/// The key a pod's kubelet state is kept under: its uid (a pod recreated under the same
/// name is a new pod).
pub(crate) fn pod_key(meta: &ObjectMeta) -> String {
    meta.uid.clone().unwrap_or_default()
}

/// The Pulled event's message: the image was already present (`None`), or was pulled in
/// `(milliseconds, bytes)`.
pub fn pulled_message(image: &str, pull: Option<(i64, u64)>) -> String {
    match pull {
        None => format!("Container image \"{image}\" already present on machine"),
        Some((ms, bytes)) => {
            let d = crate::clock::SimDuration::millis(ms).go_string();
            format!(
                "Successfully pulled image \"{image}\" in {d} ({d} including waiting). Image size: {bytes} bytes."
            )
        }
    }
}

/// Runs the kubelet's next step for the pod named in a timer task.
pub fn sync(cx: &mut NodeCx<'_>, namespace: &str, name: &str, uid: &str) {
    // The stored version, shared with the store: read in place while the sync writes.
    let Some(shared) = cx.world.api.get_shared("Pod", namespace, name) else {
        return;
    };
    let Object::Pod(stored) = &*shared else {
        return;
    };
    if stored.metadata.uid.as_deref() != Some(uid) {
        return;
    }
    let stage = cx.kubelet.stages.get(uid).cloned();
    if stage == Some(Stage::Running) && stored.metadata.deletion_timestamp.is_none() {
        // The common case (every restart of a crash loop): no copy of the pod.
        crate::node::runtime::sync_pod(cx, stored);
        return;
    }
    let mut pod = Pod::clone(stored);
    let key = uid.to_string();
    let node = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .unwrap_or_default();

    if pod.metadata.deletion_timestamp.is_some() {
        if stage == Some(Stage::Terminating) {
            let now = cx.world.clock.now_ms();
            let codes = crate::node::runtime::exit_codes(cx, &pod);
            crate::node::runtime::mark_stopped(&mut pod, now, &codes);
            crate::node::usage::forget(cx.world, &pod);
            save_pod(cx, pod);
            crate::node::runtime::forget_pod(cx, namespace, name);
            cx.kubelet.stages.remove(uid);
            cx.world.api.finish_pod_deletion(namespace, name);
        } else {
            start_termination(cx, &mut pod, &node, stage);
        }
        return;
    }
    match stage {
        None if !crate::node::volumes::cloud::awaited(&pod).is_empty() => {
            let volumes = crate::node::volumes::cloud::awaited(&pod);
            crate::node::volumes::cloud::wait(cx, pod, &node, &volumes)
        }
        None => match crate::node::volumes::setup::set_up(cx.world, &pod) {
            Ok(()) => {
                cx.kubelet.mount_attempts.remove(uid);
                start_pod(cx, pod, &node)
            }
            Err(message) => mount_failed(cx, pod, &node, &message),
        },
        Some(Stage::Initializing { index }) => crate::node::init::sync(cx, pod, &node, index),
        Some(Stage::Pulling { attempt }) => finish_pulls(cx, pod, &node, attempt),
        Some(Stage::PullFailed { attempt }) => {
            // Just failed: now wait out the back-off.
            set_waiting(&mut pod, "ImagePullBackOff", None);
            let image = failing_image(cx, &pod).unwrap_or_default();
            let stored = store_pod(cx, pod);
            let kubelet = Source {
                component: "kubelet",
                host: Some(&node),
            };
            events::record(
                cx.world,
                &stored,
                EventType::Normal,
                "BackOff",
                &format!("Back-off pulling image \"{image}\""),
                kubelet.clone(),
            );
            events::record(
                cx.world,
                &stored,
                EventType::Warning,
                "Failed",
                "Error: ImagePullBackOff",
                kubelet,
            );
            cx.kubelet
                .stages
                .insert(key, Stage::PullBackOff { attempt });
            let due = cx.world.clock.now_ms() + backoff_ms(attempt);
            cx.world.timers.at(due, key_task(stored.metadata()));
        }
        Some(Stage::PullBackOff { attempt }) => {
            // The image that failed (or, its credentials arrived meanwhile, the first one
            // not on the node yet).
            let containers: Vec<_> = pod.spec.iter().flat_map(|s| s.containers.clone()).collect();
            let failing = containers
                .iter()
                .find(|c| failing_image_of(cx, &pod, c).is_some())
                .or_else(|| {
                    containers.iter().find(|c| {
                        let image = c.image.clone().unwrap_or_default();
                        !cx.kubelet.image_cache.contains(&(node.clone(), image))
                    })
                })
                .or(containers.first())
                .cloned()
                .unwrap_or_default();
            let image = failing.image.clone().unwrap_or_default();
            let obj = Object::Pod(Box::new(pod.clone()));
            warn_missing_pull_secrets(cx, &obj, &node);
            record_pulling(cx.world, events::Involved::of(&obj), &node, &image);
            cx.kubelet.stages.insert(
                key,
                Stage::Pulling {
                    attempt: attempt + 1,
                },
            );
            // The failing image: a refusal, unless its credentials arrived meanwhile.
            let denied = failing_image_of(cx, &pod, &failing).is_some();
            let due = cx.world.clock.now_ms() + pull_ms(&image, false, denied);
            cx.world.timers.at(due, key_task(&pod.metadata));
        }
        Some(Stage::Running) => crate::node::runtime::sync_pod(cx, &pod),
        Some(Stage::Evicted) => crate::node::eviction::finish(cx, pod),
        Some(Stage::Terminating) => {}
    }
}

/// Writes the pod's status; returns the pod as stored (only its metadata if it is gone).
pub(crate) fn store_pod(cx: &mut NodeCx<'_>, pod: Pod) -> Arc<Object> {
    let gone = crate::node::runtime::event_ref(&pod);
    let (namespace, name) = (gone.namespace(), gone.name());
    match cx.world.api.update_status(Object::Pod(Box::new(pod))) {
        // The version now stored, shared with the store (not a copy).
        Ok(_) => cx
            .world
            .api
            .get_shared("Pod", namespace, name)
            .unwrap_or_else(|| Arc::new(gone)),
        Err(_) => Arc::new(gone),
    }
}

/// Writes the pod's status (a write whose result nobody reads).
pub(crate) fn save_pod(cx: &mut NodeCx<'_>, pod: Pod) {
    let _ = cx.world.api.update_status(Object::Pod(Box::new(pod)));
}

/// The first container image of `pod` that cannot be pulled, if any.
fn failing_image(cx: &NodeCx<'_>, pod: &Pod) -> Option<String> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .find_map(|c| failing_image_of(cx, pod, c))
}

/// Container `c`'s image, if it cannot be pulled.
pub(crate) fn failing_image_of(
    cx: &NodeCx<'_>,
    pod: &Pod,
    c: &k8s_openapi::api::core::v1::Container,
) -> Option<String> {
    refusal(cx, pod, c).map(|_| c.image.clone().unwrap_or_default())
}

/// Why an image cannot be pulled (see [`refusal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// The name does not parse.
    InvalidName,
    /// The repository exists, not the tag.
    NotFound,
    /// No such repository, or no credentials for it.
    Denied,
}

/// Why container `c`'s image cannot be pulled for `pod`, if it cannot: the waiting reason
/// and the message of the kubelet's `Failed` event.
fn pull_failure(
    cx: &NodeCx<'_>,
    pod: &Pod,
    c: &k8s_openapi::api::core::v1::Container,
) -> Option<(&'static str, String)> {
    let refusal = refusal(cx, pod, c)?;
    let image = c.image.as_deref().unwrap_or_default();
    let full = ImageRef::parse(image).map(|r| r.full()).unwrap_or_default();
    Some(match refusal {
        Refusal::InvalidName => {
            let why = crate::api::image_ref::normalized_error(image)
                .unwrap_or_else(|| "invalid reference format".into());
            (
                "InvalidImageName",
                format!("Failed to apply default image tag {image:?}: couldn't parse image name {image:?}: {why}"),
            )
        }
        Refusal::NotFound => (
            "ErrImagePull",
            format!(
                "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
            ),
        ),
        Refusal::Denied => (
            "ErrImagePull",
            format!(
                "Failed to pull image \"{image}\": rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
            ),
        ),
    })
}

/// Whether (and why) container `c`'s image cannot be pulled for `pod`. A private repository
/// pulls only with credentials for its registry among the pod's pull secrets (an image
/// already on the node is used without them unless the policy is `Always`, as upstream does
/// without the `KubeletEnsureSecretPulledImages` gate).
fn refusal(
    cx: &NodeCx<'_>,
    pod: &Pod,
    c: &k8s_openapi::api::core::v1::Container,
) -> Option<Refusal> {
    let image = c.image.as_deref().unwrap_or_default();
    let Some(found) = ImageRef::parse_with(image, |r| r.map(images::lookup)) else {
        return Some(Refusal::InvalidName);
    };
    match found {
        Some(info) if info.private => {
            let node = pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_default();
            let present = cx.kubelet.image_cache.contains(&(node, image.to_string()))
                && c.image_pull_policy.as_deref() != Some("Always");
            if present {
                return None;
            }
            let secrets = crate::node::pull_secrets::for_pod(&cx.world.api, pod);
            let r = ImageRef::parse(image)?;
            let ok = crate::node::pull_secrets::authorizes(&secrets.found, &r);
            (!ok).then_some(Refusal::Denied)
        }
        Some(_) => None,
        None => {
            // A repository the registry has, without that tag.
            let r = ImageRef::parse(image)?;
            let latest = ImageRef {
                tag: "latest".into(),
                ..r
            };
            Some(match images::lookup(&latest) {
                Some(_) => Refusal::NotFound,
                None => Refusal::Denied,
            })
        }
    }
}

/// The kubelet's warning, on each try at pulling, that some of the pod's pull secrets do not
/// exist (`FailedToRetrieveImagePullSecret`).
fn warn_missing_pull_secrets(cx: &mut NodeCx<'_>, pod: &Object, node: &str) {
    let Object::Pod(p) = pod else {
        return;
    };
    let missing = crate::node::pull_secrets::for_pod(&cx.world.api, p).missing;
    if missing.is_empty() {
        return;
    }
    events::record(
        cx.world,
        pod,
        EventType::Warning,
        "FailedToRetrieveImagePullSecret",
        &crate::node::pull_secrets::missing_message(&missing),
        Source {
            component: "kubelet",
            host: Some(node),
        },
    );
}

fn container_names(pod: &Pod) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| c.name.clone())
        .collect()
}

fn set_waiting(pod: &mut Pod, reason: &str, message: Option<String>) {
    let names = container_names(pod);
    let images: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| c.image.clone().unwrap_or_default())
        .collect();
    let status = pod.status.get_or_insert_with(Default::default);
    status.container_statuses = Some(
        names
            .iter()
            .zip(images)
            .map(|(n, image)| ContainerStatus {
                name: n.clone(),
                image,
                image_id: String::new(),
                ready: false,
                restart_count: 0,
                started: Some(false),
                state: Some(ContainerState {
                    waiting: Some(ContainerStateWaiting {
                        reason: Some(reason.into()),
                        message: message.clone(),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
    );
}

fn not_ready_conditions(pod: &mut Pod, now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) {
    let names = container_names(pod).join(" ");
    let inits: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.init_containers.iter().flatten())
        .map(|c| c.name.clone())
        .collect();
    set_condition(
        pod,
        PodCondition {
            type_: "PodReadyToStartContainers".into(),
            status: "True".into(),
            last_transition_time: Some(now.clone()),
            ..Default::default()
        },
    );
    crate::node::init::set_initialized(pod, &inits, now);
    for kind in ["Ready", "ContainersReady"] {
        set_condition(
            pod,
            PodCondition {
                type_: kind.into(),
                status: "False".into(),
                reason: Some("ContainersNotReady".into()),
                message: Some(format!("containers with unready status: [{names}]")),
                last_transition_time: Some(now.clone()),
                ..Default::default()
            },
        );
    }
}

/// Longest wait between two tries to mount a pod's volumes (the operation executor's cap,
/// 2m2s).
const MOUNT_RETRY_MAX_MS: i64 = 122_000;

/// A volume could not be set up: the pod waits in ContainerCreating (no sandbox, no IP yet),
/// a FailedMount event is recorded and the kubelet tries again after a back-off (500 ms
/// doubling).
fn mount_failed(cx: &mut NodeCx<'_>, mut pod: Pod, node: &str, message: &str) {
    let key = pod_key(&pod.metadata);
    let attempt = cx.kubelet.mount_attempts.entry(key).or_insert(0);
    *attempt = attempt.saturating_add(1);
    let delay = (500i64 << (*attempt - 1).min(8)).min(MOUNT_RETRY_MAX_MS);
    let first = pod
        .status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .is_none();
    let stored = if first {
        begin_status(cx, &mut pod, node);
        store_pod(cx, pod)
    } else {
        Arc::new(Object::Pod(Box::new(pod)))
    };
    events::record(
        cx.world,
        &stored,
        EventType::Warning,
        "FailedMount",
        message,
        Source {
            component: "kubelet",
            host: Some(node),
        },
    );
    let at = cx.world.clock.now_ms() + delay;
    cx.world.timers.at(at, key_task(stored.metadata()));
}

/// The status a pod gets when its kubelet first takes it up: host IP, start time, every
/// container waiting (`ContainerCreating`, or `PodInitializing` behind init containers),
/// not ready.
pub(crate) fn begin_status(cx: &mut NodeCx<'_>, pod: &mut Pod, node: &str) {
    let now = cx.world.clock.now_time();
    let host_ip = node_ip(&cx.world.api, node);
    let status = pod.status.get_or_insert_with(Default::default);
    status.host_ip = Some(host_ip.clone());
    status.host_ips = Some(vec![HostIP { ip: host_ip }]);
    status.start_time = Some(now.clone());
    if crate::node::init::has_init(pod) {
        set_waiting(pod, "PodInitializing", None);
        crate::node::init::set_all_waiting(pod);
    } else {
        set_waiting(pod, "ContainerCreating", None);
    }
    not_ready_conditions(pod, &now);
}

fn start_pod(cx: &mut NodeCx<'_>, mut pod: Pod, node: &str) {
    begin_status(cx, &mut pod, node);
    // A hostNetwork pod shares its node's address.
    let host_network = pod.spec.as_ref().and_then(|s| s.host_network) == Some(true);
    let ip = if host_network {
        node_ip(&cx.world.api, node)
    } else {
        allocate_pod_ip(cx, node)
    };
    let status = pod.status.get_or_insert_with(Default::default);
    status.pod_ip = Some(ip.clone());
    status.pod_ips = Some(vec![PodIP { ip }]);
    let stored = store_pod(cx, pod);
    let Object::Pod(pod) = &*stored else {
        return;
    };
    if crate::node::init::has_init(pod) {
        crate::node::init::begin(cx, pod, node, 0, SANDBOX_MS);
    } else {
        begin_pulls(cx, &stored, node, SANDBOX_MS);
    }
}

/// Pulls every app container's image in order, starting `elapsed` ms from now; the
/// containers start when the last pull is done.
pub(crate) fn begin_pulls(cx: &mut NodeCx<'_>, stored: &Object, node: &str, elapsed: i64) {
    let Object::Pod(pod) = stored else {
        return;
    };
    let mut elapsed = elapsed;
    warn_missing_pull_secrets(cx, stored, node);
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        elapsed += pull_if_needed(cx, pod, node, c);
    }
    cx.kubelet
        .stages
        .insert(pod_key(&pod.metadata), Stage::Pulling { attempt: 1 });
    let due = cx.world.clock.now_ms() + elapsed;
    cx.world.timers.at(due, key_task(&pod.metadata));
}

/// Pulls container `c`'s image on `node` unless it is cached and the policy allows using it
/// (`Pulling` event about `pod`): the time the pull takes, 0 when there is none. Whether the
/// registry refuses it is decided with `pod`'s pull secrets, on every pull (a restart's too).
pub(crate) fn pull_if_needed(
    cx: &mut NodeCx<'_>,
    pod: &Pod,
    node: &str,
    c: &k8s_openapi::api::core::v1::Container,
) -> i64 {
    let image = c.image.as_deref().unwrap_or_default();
    let policy = c.image_pull_policy.as_deref().unwrap_or_default();
    let cached = cx
        .kubelet
        .image_cache
        .contains(&(node.to_string(), image.to_string()));
    // An unparsable name is refused before any pull (`InvalidImageName`).
    if cached && policy != "Always" || ImageRef::parse_with(image, |r| r.is_none()) {
        return 0;
    }
    record_pulling(cx.world, events::Involved::pod(&pod.metadata), node, image);
    let denied = refusal(cx, pod, c).is_some();
    pull_ms(image, cached, denied)
}

/// Records the kubelet's `Pulling image "..."` event for a pod on `node`.
pub(crate) fn record_pulling(
    world: &mut crate::world::World,
    pod: events::Involved<'_>,
    node: &str,
    image: &str,
) {
    events::record_about(
        world,
        pod,
        EventType::Normal,
        "Pulling",
        &format!("Pulling image \"{image}\""),
        Source {
            component: "kubelet",
            host: Some(node),
        },
    );
}

/// How long pulling `image` takes: a first pull, a check of a cached one, or a failure (it
/// does not exist, or the registry `denied` it).
pub(crate) fn pull_ms(image: &str, cached: bool, denied: bool) -> i64 {
    match ImageRef::parse_with(image, |r| r.and_then(images::lookup)) {
        Some(_) if denied => FAILED_PULL_MS,
        Some(info) if !cached => info.pull_ms,
        Some(_) => CACHED_PULL_MS,
        None => FAILED_PULL_MS,
    }
}

fn finish_pulls(cx: &mut NodeCx<'_>, mut pod: Pod, node: &str, attempt: u32) {
    let key = pod_key(&pod.metadata);
    let kubelet = Source {
        component: "kubelet",
        host: Some(node),
    };
    let obj = crate::node::runtime::event_ref(&pod);
    let failure = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .find_map(|c| pull_failure(cx, &pod, c));
    if let Some((reason, detail)) = failure {
        // An unparsable name fails the image manager's inspection (`InspectFailed`).
        let first = if reason == "InvalidImageName" {
            "InspectFailed"
        } else {
            "Failed"
        };
        events::record(
            cx.world,
            &obj,
            EventType::Warning,
            first,
            &detail,
            kubelet.clone(),
        );
        events::record(
            cx.world,
            &obj,
            EventType::Warning,
            "Failed",
            &format!("Error: {reason}"),
            kubelet,
        );
        set_waiting(&mut pod, reason, Some(detail));
        let stored = store_pod(cx, pod);
        if reason == "ErrImagePull" {
            cx.kubelet.stages.insert(key, Stage::PullFailed { attempt });
            let due = cx.world.clock.now_ms() + 1_000;
            cx.world.timers.at(due, key_task(stored.metadata()));
        }
        return;
    }

    // Every image is present: report the pulls, then create and start each container.
    let mut statuses = Vec::new();
    let before = pod.status.clone();
    let shown = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        record_pulled(cx, events::Involved::pod(&pod.metadata), node, c);
        let fresh = crate::node::runtime::start_container(cx, &pod, c, 0, None);
        let prior = shown.iter().find(|s| s.name == c.name).cloned();
        let prior = prior.unwrap_or_else(|| fresh.clone());
        let (status, _) = crate::node::runtime::observed_start(cx, &pod, c, fresh, &prior);
        statuses.push(status);
    }
    let status = pod.status.get_or_insert_with(Default::default);
    status.phase = Some("Running".into());
    status.container_statuses = Some(statuses.clone());
    let policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.clone())
        .unwrap_or_else(|| "Always".into());
    crate::node::runtime::update_phase(cx, &mut pod, &policy, &statuses);
    // Nothing to report while every container is yet to be seen running (the status
    // manager writes only changes).
    let stored = if pod.status == before {
        Arc::new(Object::Pod(Box::new(pod)))
    } else {
        store_pod(cx, pod)
    };
    cx.kubelet.stages.insert(key, Stage::Running);
    if let Object::Pod(pod) = &*stored {
        crate::node::runtime::sync_pod(cx, pod);
    }
}

/// The Pulled event of container `c`'s image (its pull is done); the node keeps the image.
pub(crate) fn record_pulled(
    cx: &mut NodeCx<'_>,
    about: events::Involved<'_>,
    node: &str,
    c: &k8s_openapi::api::core::v1::Container,
) {
    let image = c.image.clone().unwrap_or_default();
    let info = ImageRef::parse_with(&image, |r| r.and_then(images::lookup));
    let cache_key = (node.to_string(), image.clone());
    let cached = cx.kubelet.image_cache.contains(&cache_key);
    let policy = c.image_pull_policy.clone().unwrap_or_default();
    let pull = if cached && policy != "Always" {
        None
    } else if cached {
        Some((CACHED_PULL_MS, info.map_or(0, |i| i.size_bytes)))
    } else {
        Some(info.map_or((0, 0), |i| (i.pull_ms, i.size_bytes)))
    };
    if !cached {
        cx.kubelet.image_cache.insert(cache_key);
    }
    events::record_about(
        cx.world,
        about,
        EventType::Normal,
        "Pulled",
        &pulled_message(&image, pull),
        Source {
            component: "kubelet",
            host: Some(node),
        },
    );
}

fn start_termination(cx: &mut NodeCx<'_>, pod: &mut Pod, node: &str, stage: Option<Stage>) {
    let key = pod_key(&pod.metadata);
    let grace_ms = pod
        .metadata
        .deletion_grace_period_seconds
        .unwrap_or(30)
        .saturating_mul(1000);
    let stop_ms = if stage == Some(Stage::Running) {
        kill_containers(cx, pod, node, grace_ms)
    } else {
        0
    };
    cx.kubelet.stages.insert(key, Stage::Terminating);
    let due = cx.world.clock.now_ms().saturating_add(stop_ms);
    cx.world.timers.at(due, key_task(&pod.metadata));
}

/// Stops every container of a running pod that has not exited (`Killing` events, preStop
/// hooks, SIGTERM then SIGKILL after `grace_ms`): how long until the last one has exited.
pub(crate) fn kill_containers(cx: &mut NodeCx<'_>, pod: &Pod, node: &str, grace_ms: i64) -> i64 {
    let mut stop_ms = 0;
    let obj = Object::Pod(Box::new(pod.clone()));
    let kubelet = Source {
        component: "kubelet",
        host: Some(node),
    };
    // Containers that already exited (a finished Job's pod) have nothing to stop.
    let exited: Vec<String> = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .filter(|s| s.state.as_ref().is_some_and(|st| st.terminated.is_some()))
        .map(|s| s.name.clone())
        .collect();
    for c in pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter(|c| !exited.contains(&c.name))
    {
        events::record(
            cx.world,
            &obj,
            EventType::Normal,
            "Killing",
            &format!("Stopping container {}", c.name),
            kubelet.clone(),
        );
        let now = cx.world.clock.now_ms();
        let k = crate::node::runtime::key(pod, &c.name);
        let Some(inst) = cx
            .kubelet
            .containers
            .get(&k)
            .and_then(|s| s.current.clone())
        else {
            // A container the kubelet did not start itself (a static pod's): its image
            // says how it stops.
            let image_stop = ImageRef::parse(c.image.as_deref().unwrap_or(""))
                .as_ref()
                .and_then(images::lookup)
                .and_then(|i| i.stop_ms)
                .unwrap_or(grace_ms);
            stop_ms = stop_ms.max(image_stop.min(grace_ms));
            continue;
        };
        if inst.exit.is_some_and(|(at, _)| at <= now) {
            continue;
        }
        let (ms, code) = crate::node::runtime::stop_container(cx, pod, c, &inst, grace_ms);
        if let Some(cur) = cx
            .kubelet
            .containers
            .get_mut(&k)
            .and_then(|s| s.current.as_mut())
        {
            let at = now.saturating_add(ms);
            if cur.exit.is_none_or(|(e, _)| e > at) {
                cur.exit = Some((at, code));
            }
        }
        stop_ms = stop_ms.max(ms);
    }
    stop_ms
}

/// The node's `InternalIP` (empty if it has none).
pub(crate) fn node_ip(api: &ApiServer, node: &str) -> String {
    match api.get("Node", "", node) {
        Some(Object::Node(n)) => n
            .status
            .iter()
            .flat_map(|s| s.addresses.iter().flatten())
            .find(|a| a.type_ == "InternalIP")
            .map(|a| a.address.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// `10.244.N` of the node's pod CIDR (`10.244.N.0/24`).
pub fn pod_ip_prefix(api: &ApiServer, node: &str) -> String {
    let cidr = api
        .get_as::<Node>("", node)
        .and_then(|n| n.spec.as_ref())
        .and_then(|s| s.pod_cidr.clone())
        .unwrap_or_default();
    let base = cidr.split('/').next().unwrap_or("10.244.0.0");
    base.split('.').take(3).collect::<Vec<_>>().join(".")
}

/// The next free address in the node's pod CIDR (`10.244.N.2`, `.3`, ...).
fn allocate_pod_ip(cx: &mut NodeCx<'_>, node: &str) -> String {
    let prefix = pod_ip_prefix(&cx.world.api, node);
    let next = cx.kubelet.next_pod_ip.entry(node.to_string()).or_insert(1);
    *next = if *next >= 254 { 2 } else { *next + 1 };
    format!("{prefix}.{next}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_pull_backoff() {
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(2), 20_000);
        assert_eq!(backoff_ms(6), 300_000);
        assert_eq!(backoff_ms(60), 300_000);
    }
}
