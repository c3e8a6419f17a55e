//! The kind registry: kind ↔ resource ↔ short names ↔ group/version ↔ scope.
//!
//! It drives the parsing of resource arguments (`po`, `pods`, `deploy/web`), `kubectl
//! api-resources`, and the resource names in every message. Rows are in the order `kubectl
//! api-resources` prints them: the core group first, then the named groups alphabetically.

/// One API resource, as discovery describes it.
#[derive(Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// The kind, e.g. `Deployment`.
    pub kind: &'static str,
    /// The plural resource name, e.g. `deployments`.
    pub plural: &'static str,
    /// Short names, e.g. `deploy`.
    pub short_names: &'static [&'static str],
    /// API group; empty for the core group.
    pub group: &'static str,
    /// API version within the group.
    pub version: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Whether `kubectl get all` includes it.
    pub in_all: bool,
}

impl KindInfo {
    /// The singular resource name: the kind in lower case (`deployment`).
    pub fn singular(&self) -> String {
        self.kind.to_ascii_lowercase()
    }

    /// The singular resource qualified by its group, as delete messages name it:
    /// `pod`, `replicaset.apps`.
    pub fn qualified_singular(&self) -> String {
        if self.group.is_empty() {
            self.singular()
        } else {
            format!("{}.{}", self.singular(), self.group)
        }
    }

    /// Go's `GroupVersionResource.String()`, as client errors quote it:
    /// `/v1, Resource=pods`, `apps/v1, Resource=deployments`.
    pub fn group_version_resource(&self) -> String {
        format!("{}/{}, Resource={}", self.group, self.version, self.plural)
    }

    /// `apiVersion` as written in manifests: `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether a manifest's `apiVersion` names this resource's group and version.
    pub fn api_version_is(&self, api_version: &str) -> bool {
        match api_version.split_once('/') {
            Some((group, version)) => group == self.group && version == self.version,
            None => self.group.is_empty() && api_version == self.version,
        }
    }

    /// The resource qualified by its group, as API messages name it: `pods`, `deployments.apps`.
    pub fn qualified_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Whether the resource only answers `create` (the authentication and authorization
    /// reviews): reading, listing or deleting one is refused as `MethodNotAllowed`.
    pub fn create_only(&self) -> bool {
        matches!(self.group, "authentication.k8s.io" | "authorization.k8s.io")
    }

    /// The kind qualified by its group, as kubectl's name printer writes it: `pod`, `deployment.apps`.
    pub fn qualified_kind(&self) -> String {
        let lower = self.kind.to_ascii_lowercase();
        if self.group.is_empty() {
            lower
        } else {
            format!("{lower}.{}", self.group)
        }
    }
}

macro_rules! kind {
    ($kind:literal, $plural:literal, [$($short:literal),*], $group:literal, $version:literal, $ns:literal, $all:literal) => {
        KindInfo {
            kind: $kind,
            plural: $plural,
            short_names: &[$($short),*],
            group: $group,
            version: $version,
            namespaced: $ns,
            in_all: $all,
        }
    };
}

/// Every resource the emulated apiserver serves, in `kubectl api-resources` order.
pub static KINDS: &[KindInfo] = &[
    kind!("Binding", "bindings", [], "", "v1", true, false),
    kind!(
        "ComponentStatus",
        "componentstatuses",
        ["cs"],
        "",
        "v1",
        false,
        false
    ),
    kind!("ConfigMap", "configmaps", ["cm"], "", "v1", true, false),
    kind!("Endpoints", "endpoints", ["ep"], "", "v1", true, false),
    kind!("Event", "events", ["ev"], "", "v1", true, false),
    kind!(
        "LimitRange",
        "limitranges",
        ["limits"],
        "",
        "v1",
        true,
        false
    ),
    kind!("Namespace", "namespaces", ["ns"], "", "v1", false, false),
    kind!("Node", "nodes", ["no"], "", "v1", false, false),
    kind!(
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        ["pvc"],
        "",
        "v1",
        true,
        false
    ),
    kind!(
        "PersistentVolume",
        "persistentvolumes",
        ["pv"],
        "",
        "v1",
        false,
        false
    ),
    kind!("Pod", "pods", ["po"], "", "v1", true, true),
    kind!("PodTemplate", "podtemplates", [], "", "v1", true, false),
    kind!(
        "ReplicationController",
        "replicationcontrollers",
        ["rc"],
        "",
        "v1",
        true,
        true
    ),
    kind!(
        "ResourceQuota",
        "resourcequotas",
        ["quota"],
        "",
        "v1",
        true,
        false
    ),
    kind!("Secret", "secrets", [], "", "v1", true, false),
    kind!(
        "ServiceAccount",
        "serviceaccounts",
        ["sa"],
        "",
        "v1",
        true,
        false
    ),
    kind!("Service", "services", ["svc"], "", "v1", true, true),
    kind!(
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        [],
        "admissionregistration.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        [],
        "admissionregistration.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        [],
        "admissionregistration.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        [],
        "admissionregistration.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "CustomResourceDefinition",
        "customresourcedefinitions",
        ["crd", "crds"],
        "apiextensions.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "APIService",
        "apiservices",
        [],
        "apiregistration.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "ControllerRevision",
        "controllerrevisions",
        [],
        "apps",
        "v1",
        true,
        false
    ),
    kind!("DaemonSet", "daemonsets", ["ds"], "apps", "v1", true, true),
    kind!(
        "Deployment",
        "deployments",
        ["deploy"],
        "apps",
        "v1",
        true,
        true
    ),
    kind!(
        "ReplicaSet",
        "replicasets",
        ["rs"],
        "apps",
        "v1",
        true,
        true
    ),
    kind!(
        "StatefulSet",
        "statefulsets",
        ["sts"],
        "apps",
        "v1",
        true,
        true
    ),
    kind!(
        "SelfSubjectReview",
        "selfsubjectreviews",
        [],
        "authentication.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "TokenReview",
        "tokenreviews",
        [],
        "authentication.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
        [],
        "authorization.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        [],
        "authorization.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        [],
        "authorization.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "SubjectAccessReview",
        "subjectaccessreviews",
        [],
        "authorization.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        ["hpa"],
        "autoscaling",
        "v2",
        true,
        true
    ),
    kind!("CronJob", "cronjobs", ["cj"], "batch", "v1", true, true),
    kind!("Job", "jobs", [], "batch", "v1", true, true),
    kind!(
        "CertificateSigningRequest",
        "certificatesigningrequests",
        ["csr"],
        "certificates.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "Lease",
        "leases",
        [],
        "coordination.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "EndpointSlice",
        "endpointslices",
        [],
        "discovery.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "Event",
        "events",
        ["ev"],
        "events.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "FlowSchema",
        "flowschemas",
        [],
        "flowcontrol.apiserver.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "PriorityLevelConfiguration",
        "prioritylevelconfigurations",
        [],
        "flowcontrol.apiserver.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "IngressClass",
        "ingressclasses",
        [],
        "networking.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "Ingress",
        "ingresses",
        ["ing"],
        "networking.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "IPAddress",
        "ipaddresses",
        ["ip"],
        "networking.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "NetworkPolicy",
        "networkpolicies",
        ["netpol"],
        "networking.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "ServiceCIDR",
        "servicecidrs",
        [],
        "networking.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "RuntimeClass",
        "runtimeclasses",
        [],
        "node.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        ["pdb"],
        "policy",
        "v1",
        true,
        false
    ),
    kind!(
        "ClusterRoleBinding",
        "clusterrolebindings",
        [],
        "rbac.authorization.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "ClusterRole",
        "clusterroles",
        [],
        "rbac.authorization.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "RoleBinding",
        "rolebindings",
        [],
        "rbac.authorization.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "Role",
        "roles",
        [],
        "rbac.authorization.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "DeviceClass",
        "deviceclasses",
        [],
        "resource.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "ResourceClaim",
        "resourceclaims",
        [],
        "resource.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "ResourceClaimTemplate",
        "resourceclaimtemplates",
        [],
        "resource.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "ResourceSlice",
        "resourceslices",
        [],
        "resource.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "PriorityClass",
        "priorityclasses",
        ["pc"],
        "scheduling.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "CSIDriver",
        "csidrivers",
        [],
        "storage.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "CSINode",
        "csinodes",
        [],
        "storage.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "CSIStorageCapacity",
        "csistoragecapacities",
        [],
        "storage.k8s.io",
        "v1",
        true,
        false
    ),
    kind!(
        "StorageClass",
        "storageclasses",
        ["sc"],
        "storage.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "VolumeAttachment",
        "volumeattachments",
        [],
        "storage.k8s.io",
        "v1",
        false,
        false
    ),
    kind!(
        "VolumeAttributesClass",
        "volumeattributesclasses",
        ["vac"],
        "storage.k8s.io",
        "v1",
        false,
        false
    ),
];

/// Finds the resource a kubectl resource argument names: plural, singular, short name or kind,
/// in any case, optionally qualified by group (`deployments.apps`) or version and group
/// (`deployments.v1.apps`).
pub fn resolve(arg: &str) -> Option<&'static KindInfo> {
    resolve_in(KINDS.iter(), arg)
}

/// [`resolve`] over any rows (the built-in ones, then the API server's custom kinds).
pub fn resolve_in<'a>(
    rows: impl IntoIterator<Item = &'a KindInfo>,
    arg: &str,
) -> Option<&'a KindInfo> {
    let lower = arg.to_ascii_lowercase();
    let (name, qualifier) = match lower.split_once('.') {
        Some((n, q)) => (n.to_string(), Some(q.to_string())),
        None => (lower.clone(), None),
    };
    rows.into_iter().find(|k| {
        let name_matches = k.plural == name
            || k.short_names.contains(&name.as_str())
            || k.kind.eq_ignore_ascii_case(&name);
        let qualifier_matches = match &qualifier {
            None => true,
            Some(q) => *q == k.group || *q == format!("{}.{}", k.version, k.group),
        };
        name_matches && qualifier_matches
    })
}

/// Whether `api_version` is an older version of `kind` the apiserver still accepts and
/// converts to the stored one (`autoscaling/v1` HorizontalPodAutoscalers).
pub fn converted_version(kind: &str, api_version: &str) -> bool {
    kind == "HorizontalPodAutoscaler" && api_version == "autoscaling/v1"
}

/// The registry entry for a kind name such as `Pod`.
pub fn by_kind(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The registry entry for a kind that the engine itself stores; a missing one is a bug.
pub fn info(kind: &str) -> &'static KindInfo {
    by_kind(kind).unwrap_or(&KINDS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_every_spelling() {
        for arg in ["po", "pod", "pods", "Pod", "PODS", "pods.v1."] {
            let _ = resolve(arg);
        }
        assert_eq!(resolve("po").unwrap().kind, "Pod");
        assert_eq!(resolve("deploy").unwrap().kind, "Deployment");
        assert_eq!(resolve("deployments.apps").unwrap().kind, "Deployment");
        assert_eq!(resolve("deployments.v1.apps").unwrap().kind, "Deployment");
        assert_eq!(resolve("no").unwrap().kind, "Node");
        assert_eq!(
            resolve("hpa").unwrap().qualified_resource(),
            "horizontalpodautoscalers.autoscaling"
        );
        assert!(resolve("deployments.batch").is_none());
        assert!(resolve("pdos").is_none());
    }

    #[test]
    fn singular_is_lowercase_kind() {
        assert_eq!(
            resolve("persistentvolumeclaim").unwrap().singular(),
            "persistentvolumeclaim"
        );
    }
}
