//! The RBAC policy a kubeadm 1.34 cluster boots with: the apiserver's bootstrap ClusterRoles
//! and ClusterRoleBindings (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`, labelled
//! `kubernetes.io/bootstrapping: rbac-defaults`), the controllers' roles, and what kubeadm
//! adds (`kubeadm:cluster-admins`, the node bootstrap bindings, CoreDNS's role). `admin`,
//! `edit` and `view` are stored with the rules the clusterrole-aggregation controller
//! gathers for them.

use std::collections::BTreeMap;

use k8s_openapi::api::rbac::v1::{
    AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::api::object::Object;

const GROUP: &str = "rbac.authorization.k8s.io";
const AUTOUPDATE: &str = "rbac.authorization.kubernetes.io/autoupdate";
const BOOTSTRAPPING: &str = "kubernetes.io/bootstrapping";

/// A rule: API groups, resources, verbs (space-separated; `-` for the core group), and
/// resource names.
type R = (&'static str, &'static str, &'static str, &'static str);
/// A non-resource rule: URLs and verbs.
type U = (&'static str, &'static str);

/// A bootstrap ClusterRole: name, aggregate-to label (`admin`, `edit`, `view`, or empty),
/// the aggregation it has (same values), resource rules and URL rules.
struct Role {
    name: &'static str,
    label: &'static str,
    aggregates: &'static str,
    rules: &'static [R],
    urls: &'static [U],
}

const fn role(name: &'static str, rules: &'static [R]) -> Role {
    Role {
        name,
        label: "",
        aggregates: "",
        rules,
        urls: &[],
    }
}

const fn url_role(name: &'static str, urls: &'static [U]) -> Role {
    Role {
        name,
        label: "",
        aggregates: "",
        rules: &[],
        urls,
    }
}

const RW: &str = "create delete deletecollection patch update";
const RO: &str = "get list watch";
const ALL_RW: &str = "create delete deletecollection get list patch update watch";
const EVENTS: R = ("- events.k8s.io", "events", "create patch update", "");

const AGGREGATE_TO_ADMIN: &[R] = &[
    (
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        "create",
        "",
    ),
    (GROUP, "rolebindings roles", ALL_RW, ""),
];

const AGGREGATE_TO_EDIT: &[R] = &[
    ("-", "pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy", RO, ""),
    ("-", "serviceaccounts", "impersonate", ""),
    ("-", "pods pods/attach pods/exec pods/portforward pods/proxy", RW, ""),
    ("-", "pods/eviction", "create", ""),
    ("-", "configmaps events persistentvolumeclaims replicationcontrollers replicationcontrollers/scale secrets serviceaccounts services services/proxy", RW, ""),
    ("-", "serviceaccounts/token", "create", ""),
    ("apps", "daemonsets deployments deployments/rollback deployments/scale replicasets replicasets/scale statefulsets statefulsets/scale", RW, ""),
    ("autoscaling", "horizontalpodautoscalers", RW, ""),
    ("batch", "cronjobs jobs", RW, ""),
    ("extensions", "daemonsets deployments deployments/rollback deployments/scale ingresses networkpolicies replicasets replicasets/scale replicationcontrollers/scale", RW, ""),
    ("policy", "poddisruptionbudgets", RW, ""),
    ("networking.k8s.io", "ingresses networkpolicies", RW, ""),
    ("coordination.k8s.io", "leases", ALL_RW, ""),
];

const AGGREGATE_TO_VIEW: &[R] = &[
    ("-", "configmaps endpoints persistentvolumeclaims persistentvolumeclaims/status pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status", RO, ""),
    ("-", "bindings events limitranges namespaces/status pods/log pods/status replicationcontrollers/status resourcequotas resourcequotas/status", RO, ""),
    ("-", "namespaces", RO, ""),
    ("discovery.k8s.io", "endpointslices", RO, ""),
    ("apps", "controllerrevisions daemonsets daemonsets/status deployments deployments/scale deployments/status replicasets replicasets/scale replicasets/status statefulsets statefulsets/scale statefulsets/status", RO, ""),
    ("autoscaling", "horizontalpodautoscalers horizontalpodautoscalers/status", RO, ""),
    ("batch", "cronjobs cronjobs/status jobs jobs/status", RO, ""),
    ("extensions", "daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status networkpolicies replicasets replicasets/scale replicasets/status replicationcontrollers/scale", RO, ""),
    ("policy", "poddisruptionbudgets poddisruptionbudgets/status", RO, ""),
    ("networking.k8s.io", "ingresses ingresses/status networkpolicies", RO, ""),
];

const SCHEDULER: &[R] = &[
    EVENTS,
    ("coordination.k8s.io", "leases", "create", ""),
    (
        "coordination.k8s.io",
        "leases",
        "get update",
        "kube-scheduler",
    ),
    ("-", "nodes", RO, ""),
    ("-", "pods", "delete get list watch", ""),
    ("-", "bindings pods/binding", "create", ""),
    ("-", "pods/status", "patch update", ""),
    ("-", "replicationcontrollers services", RO, ""),
    ("apps extensions", "replicasets", RO, ""),
    ("apps", "statefulsets", RO, ""),
    ("policy", "poddisruptionbudgets", RO, ""),
    ("-", "persistentvolumeclaims persistentvolumes", RO, ""),
    ("authentication.k8s.io", "tokenreviews", "create", ""),
    ("authorization.k8s.io", "subjectaccessreviews", "create", ""),
    ("storage.k8s.io", "csinodes", RO, ""),
    ("-", "namespaces", RO, ""),
    ("storage.k8s.io", "csidrivers", RO, ""),
    ("storage.k8s.io", "csistoragecapacities", RO, ""),
];

const CONTROLLER_MANAGER: &[R] = &[
    EVENTS,
    ("coordination.k8s.io", "leases", "create", ""),
    (
        "coordination.k8s.io",
        "leases",
        "get update",
        "kube-controller-manager",
    ),
    ("-", "secrets serviceaccounts", "create", ""),
    ("-", "secrets", "delete", ""),
    (
        "-",
        "configmaps namespaces secrets serviceaccounts",
        "get",
        "",
    ),
    ("-", "secrets serviceaccounts", "update", ""),
    ("authentication.k8s.io", "tokenreviews", "create", ""),
    ("authorization.k8s.io", "subjectaccessreviews", "create", ""),
    ("*", "*", "list watch", ""),
    ("-", "serviceaccounts/token", "create", ""),
];

const NODE: &[R] = &[
    ("authentication.k8s.io", "tokenreviews", "create", ""),
    (
        "authorization.k8s.io",
        "localsubjectaccessreviews subjectaccessreviews",
        "create",
        "",
    ),
    ("-", "services", RO, ""),
    ("-", "nodes", "create get list watch", ""),
    ("-", "nodes/status", "patch update", ""),
    ("-", "nodes", "patch update", ""),
    ("-", "events", "create patch update", ""),
    ("-", "pods", RO, ""),
    ("-", "pods", "create delete", ""),
    ("-", "pods/status", "patch update", ""),
    ("-", "pods/eviction", "create", ""),
    ("-", "configmaps secrets", RO, ""),
    ("-", "persistentvolumeclaims persistentvolumes", "get", ""),
    ("-", "endpoints", "get", ""),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        "create get list watch",
        "",
    ),
    (
        "coordination.k8s.io",
        "leases",
        "create delete get patch update",
        "",
    ),
    ("storage.k8s.io", "volumeattachments", "get", ""),
    ("-", "serviceaccounts/token", "create", ""),
    ("-", "persistentvolumeclaims/status", "get patch update", ""),
    ("storage.k8s.io", "csidrivers", RO, ""),
    (
        "storage.k8s.io",
        "csinodes",
        "create delete get patch update",
        "",
    ),
    ("node.k8s.io", "runtimeclasses", RO, ""),
];

/// The bootstrap ClusterRoles besides the controllers', by name.
const ROLES: &[Role] = &[
    Role {
        name: "admin",
        label: "",
        aggregates: "admin",
        rules: &[],
        urls: &[],
    },
    Role {
        name: "cluster-admin",
        label: "",
        aggregates: "",
        rules: &[("*", "*", "*", "")],
        urls: &[("*", "*")],
    },
    Role {
        name: "edit",
        label: "admin",
        aggregates: "edit",
        rules: &[],
        urls: &[],
    },
    Role {
        name: "system:aggregate-to-admin",
        label: "admin",
        aggregates: "",
        rules: AGGREGATE_TO_ADMIN,
        urls: &[],
    },
    Role {
        name: "system:aggregate-to-edit",
        label: "edit",
        aggregates: "",
        rules: AGGREGATE_TO_EDIT,
        urls: &[],
    },
    Role {
        name: "system:aggregate-to-view",
        label: "view",
        aggregates: "",
        rules: AGGREGATE_TO_VIEW,
        urls: &[],
    },
    role(
        "system:auth-delegator",
        &[
            ("authentication.k8s.io", "tokenreviews", "create", ""),
            ("authorization.k8s.io", "subjectaccessreviews", "create", ""),
        ],
    ),
    role(
        "system:basic-user",
        &[
            ("authorization.k8s.io", "selfsubjectaccessreviews selfsubjectrulesreviews", "create", ""),
            ("authentication.k8s.io", "selfsubjectreviews", "create", ""),
        ],
    ),
    role(
        "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
        &[("certificates.k8s.io", "certificatesigningrequests/nodeclient", "create", "")],
    ),
    role(
        "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
        &[("certificates.k8s.io", "certificatesigningrequests/selfnodeclient", "create", "")],
    ),
    role(
        "system:certificates.k8s.io:kube-apiserver-client-approver",
        &[("certificates.k8s.io", "signers", "approve", "kubernetes.io/kube-apiserver-client")],
    ),
    role(
        "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
        &[("certificates.k8s.io", "signers", "approve", "kubernetes.io/kube-apiserver-client-kubelet")],
    ),
    role(
        "system:certificates.k8s.io:kubelet-serving-approver",
        &[("certificates.k8s.io", "signers", "approve", "kubernetes.io/kubelet-serving")],
    ),
    role(
        "system:certificates.k8s.io:legacy-unknown-approver",
        &[("certificates.k8s.io", "signers", "approve", "kubernetes.io/legacy-unknown")],
    ),
    url_role(
        "system:discovery",
        &[(
            "/api /api/* /apis /apis/* /healthz /livez /openapi /openapi/* /readyz /version /version/",
            "get",
        )],
    ),
    role(
        "system:heapster",
        &[
            ("-", "events namespaces nodes pods", RO, ""),
            ("extensions", "deployments", RO, ""),
        ],
    ),
    role("system:kube-aggregator", &[("-", "endpoints services", RO, "")]),
    role("system:kube-controller-manager", CONTROLLER_MANAGER),
    role("system:kube-dns", &[("-", "endpoints services", "list watch", "")]),
    role("system:kube-scheduler", SCHEDULER),
    role(
        "system:kubelet-api-admin",
        &[
            ("-", "nodes", RO, ""),
            ("-", "nodes", "proxy", ""),
            ("-", "nodes/log nodes/metrics nodes/proxy nodes/stats", "*", ""),
        ],
    ),
    url_role(
        "system:monitoring",
        &[(
            "/healthz /healthz/* /livez /livez/* /metrics /metrics/slis /readyz /readyz/*",
            "get",
        )],
    ),
    role("system:node", NODE),
    role(
        "system:node-bootstrapper",
        &[("certificates.k8s.io", "certificatesigningrequests", "create get list watch", "")],
    ),
    role(
        "system:node-problem-detector",
        &[
            ("-", "nodes", "get", ""),
            ("-", "nodes/status", "patch", ""),
            EVENTS,
        ],
    ),
    role(
        "system:node-proxier",
        &[
            ("-", "endpoints services", "list watch", ""),
            ("-", "nodes", RO, ""),
            EVENTS,
            ("discovery.k8s.io", "endpointslices", "list watch", ""),
        ],
    ),
    role(
        "system:persistent-volume-provisioner",
        &[
            ("-", "persistentvolumes", "create delete get list watch", ""),
            ("-", "persistentvolumeclaims", "get list update watch", ""),
            ("storage.k8s.io", "storageclasses", RO, ""),
            ("-", "events", "watch", ""),
            EVENTS,
        ],
    ),
    url_role(
        "system:public-info-viewer",
        &[("/healthz /livez /readyz /version /version/", "get")],
    ),
    url_role(
        "system:service-account-issuer-discovery",
        &[("/.well-known/openid-configuration /openid/v1/jwks", "get")],
    ),
    role(
        "system:volume-scheduler",
        &[
            ("-", "persistentvolumes", "get list patch update watch", ""),
            ("storage.k8s.io", "storageclasses", RO, ""),
            ("-", "persistentvolumeclaims", "get list patch update watch", ""),
        ],
    ),
    Role {
        name: "view",
        label: "edit",
        aggregates: "view",
        rules: &[],
        urls: &[],
    },
];

/// kube-controller-manager's controllers, each with `system:controller:NAME` bound to its
/// ServiceAccount in kube-system: whether a kubeadm cluster runs it (then the
/// ServiceAccount exists; the cloud's route and service controllers and the disabled ones
/// have none), and the role's rules (`bootstrappolicy/controller_policy.go`; controllers
/// themselves are not authorized).
const CONTROLLERS: &[(&str, bool, &[R])] = &[
    (
        "attachdetach-controller",
        true,
        &[
            ("-", "persistentvolumeclaims persistentvolumes", "list watch", ""),
            ("-", "nodes", "get list watch", ""),
            ("-", "nodes/status", "patch update", ""),
            ("-", "pods", "list watch", ""),
            EVENTS,
            ("storage.k8s.io", "volumeattachments", "create delete get list watch", ""),
            ("storage.k8s.io", "csidrivers", "get list watch", ""),
            ("storage.k8s.io", "csinodes", "get list watch", ""),
        ],
    ),
    (
        "certificate-controller",
        true,
        &[
            ("certificates.k8s.io", "certificatesigningrequests", "delete get list watch", ""),
            ("certificates.k8s.io", "certificatesigningrequests/approval certificatesigningrequests/status", "update", ""),
            ("certificates.k8s.io", "signers", "approve", "kubernetes.io/kube-apiserver-client-kubelet"),
            ("certificates.k8s.io", "signers", "sign", "kubernetes.io/kube-apiserver-client kubernetes.io/kube-apiserver-client-kubelet kubernetes.io/kubelet-serving kubernetes.io/legacy-unknown"),
            ("authorization.k8s.io", "subjectaccessreviews", "create", ""),
            EVENTS,
        ],
    ),
    (
        "clusterrole-aggregation-controller",
        true,
        &[
            ("rbac.authorization.k8s.io", "clusterroles", "escalate get list patch update watch", ""),
        ],
    ),
    (
        "cronjob-controller",
        true,
        &[
            ("batch", "cronjobs", "get list update watch", ""),
            ("batch", "jobs", "create delete get list patch update watch", ""),
            ("batch", "cronjobs/status", "update", ""),
            ("batch", "cronjobs/finalizers", "update", ""),
            ("-", "pods", "delete list watch", ""),
            EVENTS,
        ],
    ),
    (
        "daemon-set-controller",
        true,
        &[
            ("apps extensions", "daemonsets", "get list watch", ""),
            ("apps extensions", "daemonsets/status", "update", ""),
            ("apps extensions", "daemonsets/finalizers", "update", ""),
            ("-", "nodes", "list watch", ""),
            ("-", "pods", "create delete list patch watch", ""),
            ("-", "pods/binding", "create", ""),
            ("apps", "controllerrevisions", "create delete get list patch update watch", ""),
            EVENTS,
        ],
    ),
    (
        "deployment-controller",
        true,
        &[
            ("apps extensions", "deployments", "get list update watch", ""),
            ("apps extensions", "deployments/status", "update", ""),
            ("apps extensions", "deployments/finalizers", "update", ""),
            ("apps extensions", "replicasets", "create delete get list patch update watch", ""),
            ("-", "pods", "get list update watch", ""),
            EVENTS,
        ],
    ),
    (
        "disruption-controller",
        true,
        &[
            ("apps extensions", "deployments", "get list watch", ""),
            ("apps extensions", "replicasets", "get list watch", ""),
            ("-", "replicationcontrollers", "get list watch", ""),
            ("policy", "poddisruptionbudgets", "get list watch", ""),
            ("apps", "statefulsets", "get list watch", ""),
            ("policy", "poddisruptionbudgets/status", "update", ""),
            ("-", "pods/status", "patch update", ""),
            ("*", "*/scale", "get", ""),
            EVENTS,
        ],
    ),
    (
        "endpoint-controller",
        true,
        &[
            ("-", "pods services", "get list watch", ""),
            ("-", "endpoints", "create delete get list update watch", ""),
            ("-", "endpoints/restricted", "create", ""),
            EVENTS,
        ],
    ),
    (
        "endpointslice-controller",
        true,
        &[
            ("-", "nodes pods services", "get list watch", ""),
            ("-", "services/finalizers", "update", ""),
            ("discovery.k8s.io", "endpointslices", "create delete get list update watch", ""),
            EVENTS,
        ],
    ),
    (
        "endpointslicemirroring-controller",
        true,
        &[
            ("-", "endpoints services", "get list watch", ""),
            ("-", "services/finalizers", "update", ""),
            ("-", "endpoints/finalizers", "update", ""),
            ("discovery.k8s.io", "endpointslices", "create delete get list update watch", ""),
            EVENTS,
        ],
    ),
    (
        "ephemeral-volume-controller",
        true,
        &[
            ("-", "pods", "get list watch", ""),
            ("-", "pods/finalizers", "update", ""),
            ("-", "persistentvolumeclaims", "create get list watch", ""),
            EVENTS,
        ],
    ),
    (
        "expand-controller",
        true,
        &[
            ("-", "persistentvolumes", "get list patch update watch", ""),
            ("-", "persistentvolumeclaims/status", "patch update", ""),
            ("-", "persistentvolumeclaims", "get list watch", ""),
            EVENTS,
            ("-", "services", "get", ""),
        ],
    ),
    (
        "generic-garbage-collector",
        true,
        &[
            ("*", "*", "delete get list patch update watch", ""),
            EVENTS,
        ],
    ),
    (
        "horizontal-pod-autoscaler",
        true,
        &[
            ("autoscaling", "horizontalpodautoscalers", "get list watch", ""),
            ("autoscaling", "horizontalpodautoscalers/status", "update", ""),
            ("*", "*/scale", "get update", ""),
            ("-", "pods", "list watch", ""),
            ("metrics.k8s.io", "pods", "list watch", ""),
            ("custom.metrics.k8s.io", "*", "get list watch", ""),
            ("external.metrics.k8s.io", "*", "get list watch", ""),
            EVENTS,
        ],
    ),
    (
        "job-controller",
        true,
        &[
            ("batch", "jobs", "get list patch update watch", ""),
            ("batch", "jobs/status", "update", ""),
            ("batch", "jobs/finalizers", "update", ""),
            ("-", "pods", "create delete list patch watch", ""),
            EVENTS,
        ],
    ),
    (
        "legacy-service-account-token-cleaner",
        true,
        &[
            ("-", "configmaps", "get", "kube-apiserver-legacy-service-account-token-tracking"),
            ("-", "secrets", "delete patch", ""),
        ],
    ),
    (
        "namespace-controller",
        true,
        &[
            ("-", "namespaces", "delete get list watch", ""),
            ("-", "namespaces/finalize namespaces/status", "update", ""),
            ("*", "*", "delete deletecollection get list watch", ""),
        ],
    ),
    (
        "node-controller",
        true,
        &[
            ("-", "nodes", "delete get list patch update watch", ""),
            ("-", "nodes/status", "patch update", ""),
            ("-", "pods/status", "patch update", ""),
            ("-", "pods", "delete get list watch", ""),
            EVENTS,
        ],
    ),
    (
        "persistent-volume-binder",
        true,
        &[
            ("-", "persistentvolumes", "create delete get list update watch", ""),
            ("-", "persistentvolumes/status", "update", ""),
            ("-", "persistentvolumeclaims", "get list update watch", ""),
            ("-", "persistentvolumeclaims/status", "update", ""),
            ("-", "pods", "create delete get list watch", ""),
            ("storage.k8s.io", "storageclasses", "get list watch", ""),
            ("-", "nodes", "list watch", ""),
            EVENTS,
            ("-", "events", "watch", ""),
            ("-", "services", "get", ""),
        ],
    ),
    (
        "pod-garbage-collector",
        true,
        &[
            ("-", "pods", "delete list watch", ""),
            ("-", "nodes", "get list watch", ""),
            ("-", "pods/status", "patch", ""),
        ],
    ),
    (
        "pv-protection-controller",
        true,
        &[
            ("-", "persistentvolumes", "get list update watch", ""),
            EVENTS,
        ],
    ),
    (
        "pvc-protection-controller",
        true,
        &[
            ("-", "persistentvolumeclaims", "get list update watch", ""),
            ("-", "pods", "get list watch", ""),
            EVENTS,
        ],
    ),
    (
        "replicaset-controller",
        true,
        &[
            ("apps extensions", "replicasets", "get list update watch", ""),
            ("apps extensions", "replicasets/status", "update", ""),
            ("apps extensions", "replicasets/finalizers", "update", ""),
            ("-", "pods", "create delete list patch watch", ""),
            EVENTS,
        ],
    ),
    (
        "replication-controller",
        true,
        &[
            ("-", "replicationcontrollers", "get list update watch", ""),
            ("-", "replicationcontrollers/status", "update", ""),
            ("-", "replicationcontrollers/finalizers", "update", ""),
            ("-", "pods", "create delete list patch watch", ""),
            EVENTS,
        ],
    ),
    (
        "resourcequota-controller",
        true,
        &[
            ("*", "*", "list watch", ""),
            ("-", "resourcequotas/status", "update", ""),
            EVENTS,
        ],
    ),
    (
        "root-ca-cert-publisher",
        true,
        &[
            ("-", "configmaps", "create update", ""),
            EVENTS,
        ],
    ),
    (
        "route-controller",
        false,
        &[
            ("-", "nodes", "list watch", ""),
            ("-", "nodes/status", "patch", ""),
            EVENTS,
        ],
    ),
    ("selinux-warning-controller", false, &[]),
    (
        "service-account-controller",
        true,
        &[
            ("-", "serviceaccounts", "create", ""),
            EVENTS,
        ],
    ),
    (
        "service-cidrs-controller",
        false,
        &[
            ("networking.k8s.io", "servicecidrs", "get list patch update watch", ""),
            ("networking.k8s.io", "servicecidrs/finalizers", "patch update", ""),
            ("networking.k8s.io", "servicecidrs/status", "patch update", ""),
            ("networking.k8s.io", "ipaddresses", "get list watch", ""),
            EVENTS,
        ],
    ),
    (
        "service-controller",
        false,
        &[
            ("-", "services", "get list watch", ""),
            ("-", "services/status", "patch update", ""),
            ("-", "nodes", "list watch", ""),
            EVENTS,
        ],
    ),
    (
        "statefulset-controller",
        true,
        &[
            ("-", "pods", "list watch", ""),
            ("apps", "statefulsets", "get list watch", ""),
            ("apps", "statefulsets/status", "update", ""),
            ("apps", "statefulsets/finalizers", "update", ""),
            ("-", "pods", "create delete get patch update", ""),
            ("apps", "controllerrevisions", "create delete get list patch update watch", ""),
            ("-", "persistentvolumeclaims", "create get list watch", ""),
            ("-", "persistentvolumeclaims", "delete update", ""),
            ("-", "pods/finalizers", "update", ""),
            EVENTS,
        ],
    ),
    (
        "ttl-after-finished-controller",
        true,
        &[
            ("batch", "jobs", "delete get list watch", ""),
            EVENTS,
        ],
    ),
    (
        "ttl-controller",
        true,
        &[
            ("-", "nodes", "list patch update watch", ""),
            EVENTS,
        ],
    ),
    (
        "validatingadmissionpolicy-status-controller",
        true,
        &[
            ("admissionregistration.k8s.io", "validatingadmissionpolicies", "get list watch", ""),
            ("admissionregistration.k8s.io", "validatingadmissionpolicies/status", "get patch update", ""),
            EVENTS,
        ],
    ),
];

/// The kube-system ServiceAccounts of the controllers a kubeadm cluster runs.
pub fn controller_service_accounts() -> impl Iterator<Item = &'static str> {
    CONTROLLERS
        .iter()
        .filter(|(_, runs, _)| *runs)
        .map(|(c, _, _)| *c)
}

/// A binding's subject: `User`, `Group` or `ServiceAccount` (`ns/name`).
type S = (&'static str, &'static str);

/// The bootstrap ClusterRoleBindings (role = binding name unless given), then kubeadm's.
const BINDINGS: &[(&str, &str, &[S])] = &[
    ("cluster-admin", "", &[("Group", "system:masters")]),
    (
        "system:basic-user",
        "",
        &[("Group", "system:authenticated")],
    ),
    ("system:discovery", "", &[("Group", "system:authenticated")]),
    (
        "system:kube-controller-manager",
        "",
        &[("User", "system:kube-controller-manager")],
    ),
    (
        "system:kube-dns",
        "",
        &[("ServiceAccount", "kube-system/kube-dns")],
    ),
    (
        "system:kube-scheduler",
        "",
        &[("User", "system:kube-scheduler")],
    ),
    ("system:monitoring", "", &[("Group", "system:monitoring")]),
    ("system:node", "", &[]),
    ("system:node-proxier", "", &[("User", "system:kube-proxy")]),
    (
        "system:public-info-viewer",
        "",
        &[
            ("Group", "system:authenticated"),
            ("Group", "system:unauthenticated"),
        ],
    ),
    (
        "system:service-account-issuer-discovery",
        "",
        &[("Group", "system:serviceaccounts")],
    ),
    (
        "system:volume-scheduler",
        "",
        &[("User", "system:kube-scheduler")],
    ),
];

const BOOTSTRAP_TOKENS: &str = "system:bootstrappers:kubeadm:default-node-token";

const KUBEADM_BINDINGS: &[(&str, &str, &[S])] = &[
    (
        "kubeadm:cluster-admins",
        "cluster-admin",
        &[("Group", "kubeadm:cluster-admins")],
    ),
    (
        "kubeadm:get-nodes",
        "kubeadm:get-nodes",
        &[("Group", BOOTSTRAP_TOKENS)],
    ),
    (
        "kubeadm:kubelet-bootstrap",
        "system:node-bootstrapper",
        &[("Group", BOOTSTRAP_TOKENS)],
    ),
    (
        "kubeadm:node-autoapprove-bootstrap",
        "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
        &[("Group", BOOTSTRAP_TOKENS)],
    ),
    (
        "kubeadm:node-autoapprove-certificate-rotation",
        "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
        &[("Group", "system:nodes")],
    ),
    (
        "kubeadm:node-proxier",
        "system:node-proxier",
        &[("ServiceAccount", "kube-system/kube-proxy")],
    ),
    (
        "system:coredns",
        "system:coredns",
        &[("ServiceAccount", "kube-system/coredns")],
    ),
];

fn words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| if w == "-" { String::new() } else { w.into() })
        .collect()
}

fn rule(&(groups, resources, verbs, names): &R) -> PolicyRule {
    PolicyRule {
        api_groups: Some(words(groups)),
        resources: Some(words(resources)),
        verbs: words(verbs),
        resource_names: (!names.is_empty()).then(|| words(names)),
        ..Default::default()
    }
}

fn url_rule(&(urls, verbs): &U) -> PolicyRule {
    PolicyRule {
        non_resource_urls: Some(words(urls)),
        verbs: words(verbs),
        ..Default::default()
    }
}

fn pairs(list: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

fn bootstrap_meta(name: &str, extra_label: Option<String>) -> ObjectMeta {
    let mut labels = vec![(BOOTSTRAPPING, "rbac-defaults")];
    let extra = extra_label.unwrap_or_default();
    if !extra.is_empty() {
        labels.push((extra.as_str(), "true"));
    }
    ObjectMeta {
        name: Some(name.into()),
        labels: pairs(&labels),
        annotations: pairs(&[(AUTOUPDATE, "true")]),
        ..Default::default()
    }
}

fn aggregate_label(to: &str) -> String {
    format!("{GROUP}/aggregate-to-{to}")
}

fn cluster_role(r: &Role) -> ClusterRole {
    let rules: Vec<PolicyRule> = r
        .rules
        .iter()
        .map(rule)
        .chain(r.urls.iter().map(url_rule))
        .collect();
    ClusterRole {
        metadata: bootstrap_meta(
            r.name,
            (!r.label.is_empty()).then(|| aggregate_label(r.label)),
        ),
        aggregation_rule: (!r.aggregates.is_empty()).then(|| AggregationRule {
            cluster_role_selectors: Some(vec![LabelSelector {
                match_labels: pairs(&[(&aggregate_label(r.aggregates), "true")]),
                ..Default::default()
            }]),
        }),
        rules: (!rules.is_empty()).then_some(rules),
    }
}

fn subject(&(kind, name): &S) -> Subject {
    match kind {
        "ServiceAccount" => {
            let (ns, name) = name.split_once('/').unwrap_or(("", name));
            Subject {
                kind: kind.into(),
                name: name.into(),
                namespace: Some(ns.into()),
                ..Default::default()
            }
        }
        _ => Subject {
            kind: kind.into(),
            name: name.into(),
            api_group: Some(GROUP.into()),
            ..Default::default()
        },
    }
}

fn binding(meta: ObjectMeta, role: &str, subjects: Vec<Subject>) -> ClusterRoleBinding {
    ClusterRoleBinding {
        metadata: meta,
        role_ref: RoleRef {
            api_group: GROUP.into(),
            kind: "ClusterRole".into(),
            name: role.into(),
        },
        subjects: (!subjects.is_empty()).then_some(subjects),
    }
}

/// Every ClusterRole and ClusterRoleBinding of a fresh kubeadm cluster, aggregated.
pub fn objects() -> Vec<Object> {
    let mut roles: Vec<ClusterRole> = ROLES.iter().map(cluster_role).collect();
    roles.extend(CONTROLLERS.iter().map(|(c, _, rules)| ClusterRole {
        metadata: bootstrap_meta(&format!("system:controller:{c}"), None),
        rules: (!rules.is_empty()).then(|| rules.iter().map(rule).collect()),
        ..Default::default()
    }));
    let plain = |name: &str| ObjectMeta {
        name: Some(name.into()),
        ..Default::default()
    };
    roles.push(ClusterRole {
        metadata: plain("kubeadm:get-nodes"),
        rules: Some(vec![rule(&("-", "nodes", "get", ""))]),
        ..Default::default()
    });
    roles.push(ClusterRole {
        metadata: plain("system:coredns"),
        rules: Some(vec![
            rule(&("-", "endpoints services pods namespaces", "list watch", "")),
            rule(&("discovery.k8s.io", "endpointslices", "list watch", "")),
        ]),
        ..Default::default()
    });
    // admin aggregates edit, which aggregates view: a few rounds reach the fixed point.
    for _ in 0..3 {
        let snapshot = roles.clone();
        let all: Vec<&ClusterRole> = snapshot.iter().collect();
        for r in &mut roles {
            if let Some(rules) = crate::api::object::aggregated_rules(r, &all) {
                r.rules = (!rules.is_empty()).then_some(rules);
            }
        }
    }
    let mut out: Vec<Object> = roles
        .into_iter()
        .map(|r| Object::ClusterRole(Box::new(r)))
        .collect();
    for (name, role, subjects) in BINDINGS {
        let role = if role.is_empty() { name } else { role };
        let b = binding(
            bootstrap_meta(name, None),
            role,
            subjects.iter().map(subject).collect(),
        );
        out.push(Object::ClusterRoleBinding(Box::new(b)));
    }
    for (c, _, _) in CONTROLLERS {
        let name = format!("system:controller:{c}");
        let sa = subject(&("ServiceAccount", "kube-system/x"));
        let sa = Subject {
            name: (*c).into(),
            ..sa
        };
        let b = binding(bootstrap_meta(&name, None), &name, vec![sa]);
        out.push(Object::ClusterRoleBinding(Box::new(b)));
    }
    for (name, role, subjects) in KUBEADM_BINDINGS {
        let b = binding(plain(name), role, subjects.iter().map(subject).collect());
        out.push(Object::ClusterRoleBinding(Box::new(b)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_roles_carry_their_rules() {
        let objects = objects();
        for (c, _, _) in CONTROLLERS {
            let name = format!("system:controller:{c}");
            let Some(Object::ClusterRole(r)) = objects.iter().find(|o| o.name() == name) else {
                panic!("no {name}");
            };
            // selinux-warning-controller's rules are not transcribed yet.
            let empty = r.rules.as_ref().is_none_or(Vec::is_empty);
            assert_eq!(empty, *c == "selinux-warning-controller", "{name}");
        }
    }

    #[test]
    fn admin_edit_and_view_are_aggregated() {
        let objects = objects();
        let rules = |name: &str| match objects.iter().find(|o| o.name() == name) {
            Some(Object::ClusterRole(r)) => r.rules.clone().unwrap_or_default(),
            _ => panic!("no {name}"),
        };
        let view = rules("view");
        assert_eq!(view.len(), AGGREGATE_TO_VIEW.len());
        let edit = rules("edit");
        assert_eq!(edit.len(), AGGREGATE_TO_EDIT.len() + view.len());
        assert_eq!(rules("admin").len(), AGGREGATE_TO_ADMIN.len() + edit.len());
    }
}
