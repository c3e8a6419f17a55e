//! External provisioners, as `sig-storage-lib-external-provisioner` runs them: a claim the
//! binder annotated with the provisioner's name (`volume.kubernetes.io/storage-provisioner`)
//! gets a volume `pvc-<claim uid>` pre-bound to it (for a WaitForFirstConsumer class, once
//! the scheduler chose its node); a Released volume it provisioned with policy Delete is
//! deleted with its data. Each is active only while its pod runs.
//!
//! - [`Flavor::MinikubeHostPath`]: minikube's `storage-provisioner` (`k8s.io/minikube-hostpath`,
//!   `pkg/storage/storage_provisioner.go`): host paths under `/tmp/hostpath-provisioner`, on
//!   its own node. Its service account may not read nodes, so a claim with a chosen node
//!   fails (as on minikube).
//! - [`Flavor::LocalPath`]: rancher's local-path-provisioner (`rancher.io/local-path`):
//!   host paths `<base>/pvc-<uid>_<ns>_<name>` on the chosen node (the base from its
//!   `local-path-config` ConfigMap), pinned there by node affinity; it needs a chosen node.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, Pod, VolumeNodeAffinity,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::writes::claim_ref;
use super::{
    annotation, claim_key, volume_key, ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY,
    ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
};
use crate::api::object::{Object, ObjectKey, StorageClass, WatchEvent};
use crate::controllers::runtime::{Controller, Queue};
use crate::node::process::addon;
use crate::world::events::{self, EventType, Source};
use crate::world::World;

/// minikube's provisioner name.
pub const MINIKUBE_HOSTPATH: &str = "k8s.io/minikube-hostpath";
/// local-path-provisioner's default name (`--provisioner-name`).
pub const LOCAL_PATH: &str = "rancher.io/local-path";

/// Which provisioner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// minikube's storage-provisioner.
    MinikubeHostPath,
    /// rancher's local-path-provisioner.
    LocalPath,
}

impl Flavor {
    fn name(self) -> &'static str {
        match self {
            Flavor::MinikubeHostPath => MINIKUBE_HOSTPATH,
            Flavor::LocalPath => LOCAL_PATH,
        }
    }

    /// Whether `image` is this provisioner's.
    fn runs(self, pod: &Pod) -> bool {
        let image = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.as_deref())
            .unwrap_or("");
        let repo = crate::api::image_ref::ImageRef::parse(image)
            .map(|r| r.repository)
            .unwrap_or_default();
        match self {
            Flavor::MinikubeHostPath => {
                pod.metadata.namespace.as_deref() == Some("kube-system")
                    && repo == "gcr.io/k8s-minikube/storage-provisioner"
            }
            Flavor::LocalPath => repo == "docker.io/rancher/local-path-provisioner",
        }
    }
}

/// The running provisioner: its pod, the id its events carry, the identity it stamps on
/// its volumes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Running {
    /// Its pod's uid (and, for local-path, `/<container id>`).
    pod_uid: String,
    /// Its pod's namespace (where local-path reads its ConfigMap).
    namespace: String,
    /// The node it runs on.
    node: String,
    component: String,
    identity: String,
}

/// One external provisioner and the pod it runs as, if running.
#[derive(Clone, Debug)]
pub struct ExternalProvisioner {
    flavor: Flavor,
    running: Option<Running>,
}

impl ExternalProvisioner {
    /// minikube's storage-provisioner.
    pub fn minikube() -> Self {
        ExternalProvisioner {
            flavor: Flavor::MinikubeHostPath,
            running: None,
        }
    }

    /// rancher's local-path-provisioner.
    pub fn local_path() -> Self {
        ExternalProvisioner {
            flavor: Flavor::LocalPath,
            running: None,
        }
    }

    /// The provisioner as its current pod runs it (a new pod is a new provisioner; for
    /// local-path, whose process logs its id, so is a restarted container).
    fn refresh(&mut self, world: &World) -> Option<Running> {
        let flavor = self.flavor;
        let Some(pod) = world.api.list_as::<Pod>(None).find(|p| {
            let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
            running && p.metadata.deletion_timestamp.is_none() && flavor.runs(p)
        }) else {
            self.running = None;
            return None;
        };
        let mut uid = pod.metadata.uid.clone().unwrap_or_default();
        // local-path's process draws its uuid from its container (`addon::instance_uuid`).
        let container = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref()?.first()?.container_id.clone())
            .filter(|_| flavor == Flavor::LocalPath);
        if let Some(id) = &container {
            uid = format!("{uid}/{id}");
        }
        if self.running.as_ref().is_none_or(|r| r.pod_uid != uid) {
            let node = pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_default();
            // The provisioner's id is `<name>_<hostname>_<uuid>`: minikube's pod uses the
            // host's network (and name), local-path's is named after the pod.
            let host = match flavor {
                Flavor::MinikubeHostPath => node.clone(),
                Flavor::LocalPath => pod.metadata.name.clone().unwrap_or_default(),
            };
            self.running = Some(Running {
                component: format!(
                    "{}_{host}_{}",
                    flavor.name(),
                    container.as_deref().map_or_else(
                        || uuid(world, &format!("provisioner:{uid}")),
                        addon::instance_uuid
                    )
                ),
                identity: uuid(world, &format!("identity:{uid}")),
                namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                pod_uid: uid,
                node,
            });
        }
        self.running.clone()
    }
}

/// `uuid.NewUUID()` from the cluster's seeded randomness, forked by `salt`.
fn uuid(world: &World, salt: &str) -> String {
    world.rng.fork(salt).uuid_v4()
}

impl Controller for ExternalProvisioner {
    fn name(&self) -> &'static str {
        match self.flavor {
            Flavor::MinikubeHostPath => "minikube-hostpath-provisioner",
            Flavor::LocalPath => "local-path-provisioner",
        }
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(
            obj,
            Object::PersistentVolume(_) | Object::PersistentVolumeClaim(_) | Object::Pod(_)
        )
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        match &*event.object {
            Object::PersistentVolumeClaim(_) => {
                queue.add(claim_key(event.object.namespace(), event.object.name()));
            }
            Object::PersistentVolume(_) => queue.add(volume_key(event.object.name())),
            // Its pod may have started: claims that waited for it.
            Object::Pod(p) if self.flavor.runs(p) => queue.add(claim_key("", "")),
            _ => {}
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(running) = self.refresh(world) else {
            return;
        };
        let flavor = self.flavor;
        if key.kind == "PersistentVolume" {
            if let Some(pv) = world.api.get_as::<PersistentVolume>("", &key.name).cloned() {
                delete_released(world, flavor, &pv, &running);
            }
            return;
        }
        let claims: Vec<PersistentVolumeClaim> = if key.name.is_empty() {
            world
                .api
                .list_as::<PersistentVolumeClaim>(None)
                .cloned()
                .collect()
        } else {
            world
                .api
                .get_as::<PersistentVolumeClaim>(&key.namespace, &key.name)
                .cloned()
                .into_iter()
                .collect()
        };
        for claim in claims {
            if let Some(class) = should_provision(world, flavor, &claim) {
                provision(world, flavor, &claim, &class, &running);
            }
        }
    }
}

/// `shouldProvision`: an unbound claim for this provisioner, its class ours, its node chosen
/// if the class waits for one, its volume not made yet.
fn should_provision(
    world: &World,
    flavor: Flavor,
    claim: &PersistentVolumeClaim,
) -> Option<StorageClass> {
    let meta = &claim.metadata;
    let asked = annotation(meta, ANN_STORAGE_PROVISIONER)
        .or_else(|| annotation(meta, ANN_BETA_STORAGE_PROVISIONER));
    if asked != Some(flavor.name())
        || meta.deletion_timestamp.is_some()
        || claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.as_ref())
            .is_some()
    {
        return None;
    }
    let class = world
        .api
        .get_as::<StorageClass>("", &super::matching::claim_class(claim))?
        .clone();
    if class.provisioner != flavor.name() {
        return None;
    }
    if class.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer")
        && annotation(meta, ANN_SELECTED_NODE).is_none()
    {
        return None;
    }
    let pv_name = format!("pvc-{}", meta.uid.as_deref().unwrap_or(""));
    world
        .api
        .get("PersistentVolume", "", &pv_name)
        .is_none()
        .then_some(class)
}

fn record(
    world: &mut World,
    obj: &Object,
    kind: EventType,
    reason: &str,
    msg: &str,
    component: &str,
) {
    let source = Source {
        component,
        host: None,
    };
    events::record(world, obj, kind, reason, msg, source);
}

/// local-path's base directory for `node`: its `local-path-config` ConfigMap's
/// `nodePathMap` entry for the node, else the default entry's, else
/// `/opt/local-path-provisioner`.
fn local_path_base(world: &World, namespace: &str, node: &str) -> String {
    let config = world
        .api
        .get_as::<ConfigMap>(namespace, "local-path-config")
        .and_then(|c| c.data.as_ref()?.get("config.json").cloned())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let entries = config
        .as_ref()
        .and_then(|c| c.get("nodePathMap")?.as_array().cloned())
        .unwrap_or_default();
    let paths_of = |wanted: &str| {
        entries
            .iter()
            .find(|e| e.get("node").and_then(|n| n.as_str()) == Some(wanted))
            .and_then(|e| {
                e.get("paths")?
                    .as_array()?
                    .first()?
                    .as_str()
                    .map(str::to_string)
            })
    };
    paths_of(node)
        .or_else(|| paths_of("DEFAULT_PATH_FOR_NON_LISTED_NODES"))
        .unwrap_or_else(|| "/opt/local-path-provisioner".into())
}

/// `provisionClaimOperation` with the flavor's `Provision`.
fn provision(
    world: &mut World,
    flavor: Flavor,
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
    running: &Running,
) {
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let name = claim.metadata.name.clone().unwrap_or_default();
    let class_name = class.metadata.name.clone().unwrap_or_default();
    let obj = Object::PersistentVolumeClaim(Box::new(claim.clone()));
    let selected = annotation(&claim.metadata, ANN_SELECTED_NODE).map(str::to_string);
    let fail = |world: &mut World, msg: &str| {
        record(
            world,
            &obj,
            EventType::Warning,
            "ProvisioningFailed",
            msg,
            &running.component,
        );
    };
    // The chosen node is read first; minikube's ClusterRole does not let its provisioner
    // get nodes.
    if let (Flavor::MinikubeHostPath, Some(node)) = (flavor, selected.as_deref()) {
        return fail(world, &format!("failed to get target node: nodes \"{node}\" is forbidden: User \"system:serviceaccount:kube-system:storage-provisioner\" cannot get resource \"nodes\" in API group \"\" at the cluster scope"));
    }
    let msg = format!("External provisioner is provisioning volume for claim \"{ns}/{name}\"");
    record(
        world,
        &obj,
        EventType::Normal,
        "Provisioning",
        &msg,
        &running.component,
    );
    let pv_name = format!("pvc-{}", claim.metadata.uid.as_deref().unwrap_or(""));
    let (node, path, affinity, annotations) = match flavor {
        Flavor::MinikubeHostPath => (
            running.node.clone(),
            format!("/tmp/hostpath-provisioner/{ns}/{name}"),
            None,
            BTreeMap::from([(
                "hostPathProvisionerIdentity".to_string(),
                running.identity.clone(),
            )]),
        ),
        Flavor::LocalPath => {
            let Some(node) = selected else {
                return fail(world, &format!("failed to provision volume with StorageClass \"{class_name}\": configuration error, no node was specified"));
            };
            let base = local_path_base(world, &running.namespace, &node);
            let affinity = VolumeNodeAffinity {
                required: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key: "kubernetes.io/hostname".into(),
                            operator: "In".into(),
                            values: Some(vec![node.clone()]),
                        }]),
                        match_fields: None,
                    }],
                }),
            };
            (
                node.clone(),
                format!("{}/{pv_name}_{ns}_{name}", base.trim_end_matches('/')),
                Some(affinity),
                BTreeMap::from([("local.path.provisioner/selected-node".to_string(), node)]),
            )
        }
    };
    let mut annotations = annotations;
    annotations.insert(ANN_PROVISIONED_BY.to_string(), flavor.name().to_string());
    let spec = claim.spec.clone().unwrap_or_default();
    let capacity: BTreeMap<_, _> = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| ("storage".to_string(), q.clone()))
        .into_iter()
        .collect();
    let pv = PersistentVolume {
        metadata: ObjectMeta {
            name: Some(pv_name.clone()),
            annotations: Some(annotations),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: spec.access_modes.clone(),
            capacity: Some(capacity),
            claim_ref: Some(claim_ref(claim)),
            host_path: Some(HostPathVolumeSource {
                path: path.clone(),
                type_: (flavor == Flavor::LocalPath).then(|| "DirectoryOrCreate".to_string()),
            }),
            mount_options: class.mount_options.clone(),
            node_affinity: affinity,
            persistent_volume_reclaim_policy: class.reclaim_policy.clone(),
            storage_class_name: class.metadata.name.clone(),
            volume_mode: match flavor {
                Flavor::MinikubeHostPath => spec.volume_mode.clone(),
                Flavor::LocalPath => Some("Filesystem".into()),
            },
            ..Default::default()
        }),
        status: None,
    };
    super::data::make_dir(world, &node, &path);
    if world.create(Object::PersistentVolume(Box::new(pv))).is_ok() {
        let msg = format!("Successfully provisioned volume {pv_name}");
        record(
            world,
            &obj,
            EventType::Normal,
            "ProvisioningSucceeded",
            &msg,
            &running.component,
        );
    }
}

/// `deleteVolumeOperation` with the flavor's `Delete`: a Released volume this provisioner
/// made (minikube's: with its identity) with policy Delete goes, with its directory.
fn delete_released(world: &mut World, flavor: Flavor, pv: &PersistentVolume, running: &Running) {
    let meta = &pv.metadata;
    let spec = pv.spec.clone().unwrap_or_default();
    let released = pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
    let ours = match flavor {
        Flavor::MinikubeHostPath => {
            annotation(meta, "hostPathProvisionerIdentity") == Some(running.identity.as_str())
        }
        Flavor::LocalPath => true,
    };
    if !released
        || !ours
        || meta.deletion_timestamp.is_some()
        || annotation(meta, ANN_PROVISIONED_BY) != Some(flavor.name())
        || spec.persistent_volume_reclaim_policy.as_deref() != Some("Delete")
    {
        return;
    }
    super::data::drop_volume(world, pv);
    let name = meta.name.clone().unwrap_or_default();
    let _ = world.delete("PersistentVolume", "", &name, None, false);
}
