//! Discovery: the resources the API server serves, as its discovery documents describe each
//! (`/api/v1`, `/apis/GROUP/VERSION`): name, singular name, scope, kind, verbs, short names,
//! categories and storage version hash. `kubectl api-resources` prints them; the verbs and
//! categories are those of a 1.34 apiserver (`api/discovery/*.json` upstream).

use sha2::{Digest, Sha256};

use crate::sort::SliceSort;

use super::ApiServer;
use crate::api::kinds::{self, KindInfo};

/// One served resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResource {
    /// Its registry row: plural, short names, group, version, scope, kind.
    pub info: &'static KindInfo,
    /// `singularName` (empty where the server leaves it so, as metrics-server does).
    pub singular: String,
    /// The verbs, in the discovery document's order.
    pub verbs: &'static [&'static str],
    /// The categories (`all`, `api-extensions`, a CRD's own).
    pub categories: Vec<String>,
    /// `storageVersionHash`, for resources kept in storage.
    pub storage_version_hash: Option<String>,
}

/// What most built-in resources answer.
const FULL: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
/// Custom resources: the apiextensions-apiserver lists the same verbs in its own order.
const CUSTOM: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];
const CREATE: &[&str] = &["create"];
const GET_LIST: &[&str] = &["get", "list"];
/// Namespaces: no `deletecollection` (the namespace controller deletes each one's content).
const NAMESPACES: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
/// The metrics API's resources, as metrics-server registers them.
static METRICS: [KindInfo; 2] = [
    KindInfo {
        kind: "NodeMetrics",
        plural: "nodes",
        short_names: &[],
        group: "metrics.k8s.io",
        version: "v1beta1",
        namespaced: false,
        in_all: false,
    },
    KindInfo {
        kind: "PodMetrics",
        plural: "pods",
        short_names: &[],
        group: "metrics.k8s.io",
        version: "v1beta1",
        namespaced: true,
        in_all: false,
    },
];

/// A built-in resource's verbs.
fn verbs(info: &KindInfo) -> &'static [&'static str] {
    match (info.group, info.plural) {
        ("", "bindings") => CREATE,
        ("", "componentstatuses") => GET_LIST,
        ("", "namespaces") => NAMESPACES,
        _ if info.create_only() => CREATE,
        _ => FULL,
    }
}

/// A built-in resource's categories.
fn categories(info: &KindInfo) -> &'static [&'static str] {
    let extension = matches!(
        info.group,
        "admissionregistration.k8s.io" | "apiextensions.k8s.io" | "apiregistration.k8s.io"
    );
    if info.in_all {
        &["all"]
    } else if extension {
        &["api-extensions"]
    } else {
        &[]
    }
}

/// The group and version a built-in resource is kept in, where they are not the served
/// ones: 1.34 still stores CRDs as `v1beta1`, and the resources whose `v1` is new in 1.34
/// (VolumeAttributesClass, the resource.k8s.io kinds) in their beta; `events.k8s.io`
/// Events are core Events.
fn storage_group_version(info: &KindInfo) -> (&'static str, &'static str) {
    match (info.group, info.plural) {
        ("apiextensions.k8s.io", _)
        | ("resource.k8s.io", _)
        | ("storage.k8s.io", "volumeattributesclasses") => (info.group, "v1beta1"),
        ("events.k8s.io", _) => ("", "v1"),
        _ => (info.group, info.version),
    }
}

/// A built-in resource kept in storage, or only computed per request (no hash).
fn stored(info: &KindInfo) -> bool {
    !matches!(
        (info.group, info.plural),
        ("", "bindings" | "componentstatuses")
    ) && !info.create_only()
}

/// `discovery.StorageVersionHash`: the first 8 bytes of the SHA-256 of
/// `group/version/kind`, in base64.
pub fn storage_version_hash(group: &str, version: &str, kind: &str) -> String {
    let digest = Sha256::digest(format!("{group}/{version}/{kind}").as_bytes());
    crate::api::base64::encode(&digest[..8])
}

impl ApiServer {
    /// Every resource discovery lists now, in `kubectl api-resources` order (by group, the
    /// core group first; inside a group as the registry lists them): the built-in
    /// resources, those of Established CRDs, and the metrics API's while its APIService is
    /// available (an unavailable one is left out, as kubectl leaves out a stale group).
    pub fn discovery(&self) -> Vec<ApiResource> {
        let mut rows: Vec<ApiResource> = kinds::KINDS
            .iter()
            .map(|info| ApiResource {
                info,
                singular: info.singular(),
                verbs: verbs(info),
                categories: categories(info).iter().map(|c| c.to_string()).collect(),
                storage_version_hash: stored(info).then(|| {
                    let (group, version) = storage_group_version(info);
                    storage_version_hash(group, version, info.kind)
                }),
            })
            .collect();
        rows.extend(self.custom_kinds().map(|k| ApiResource {
            info: k.info,
            singular: k.singular.clone(),
            verbs: CUSTOM,
            categories: k.categories.clone(),
            storage_version_hash: Some(storage_version_hash(
                k.info.group,
                &k.storage_version,
                k.info.kind,
            )),
        }));
        if self.metrics().is_ok() {
            rows.extend(METRICS.iter().map(|info| ApiResource {
                info,
                singular: String::new(),
                verbs: GET_LIST,
                categories: Vec::new(),
                storage_version_hash: None,
            }));
        }
        // Stable: each group keeps the registry's order.
        rows.stable_sort_by(|a, b| a.info.group.cmp(b.info.group));
        rows
    }

    /// The resources a category names, as kubectl's category expander finds them in
    /// discovery (`kubectl get all`, `kubectl get api-extensions`), in discovery's order;
    /// empty when no resource lists the category.
    pub fn in_category(&self, category: &str) -> Vec<&'static KindInfo> {
        let mut rows: Vec<&'static KindInfo> = kinds::KINDS
            .iter()
            .filter(|info| categories(info).contains(&category))
            .collect();
        rows.extend(
            self.custom_kinds()
                .filter(|k| k.categories.iter().any(|c| c == category))
                .map(|k| k.info),
        );
        rows.stable_sort_by(|a, b| a.group.cmp(b.group));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from the upstream discovery documents (`api/discovery/*.json`).
    #[test]
    fn hashes_match_a_real_apiserver() {
        assert_eq!(storage_version_hash("", "v1", "ConfigMap"), "qFsyl6wFWjQ=");
        assert_eq!(storage_version_hash("", "v1", "Pod"), "xPOwRZ+Yhw8=");
        assert_eq!(
            storage_version_hash("apps", "v1", "Deployment"),
            "8aSe+NMegvE="
        );
        assert_eq!(
            storage_version_hash("autoscaling", "v2", "HorizontalPodAutoscaler"),
            "qwQve8ut294="
        );
        assert_eq!(
            storage_version_hash(
                "apiextensions.k8s.io",
                "v1beta1",
                "CustomResourceDefinition"
            ),
            "jfWCUB31mvA="
        );
    }

    /// Every built-in resource's `storageVersionHash` as a 1.34 apiserver lists it (the
    /// upstream discovery documents; `events.k8s.io` Events share the core Events' hash).
    const HASHES: &str = "\
configmaps qFsyl6wFWjQ= endpoints fWeeMqaN/OA= events r2yiGXH7wu8= limitranges EBKMFVe6cwo= \
namespaces Q3oi5N2YM8M= nodes XwShjMxG9Fs= persistentvolumeclaims QWTyNDq0dC4= persistentvolumes HN/zwEC+JgM= \
pods xPOwRZ+Yhw8= podtemplates LIXB2x4IFpk= replicationcontrollers Jond2If31h0= resourcequotas 8uhSgffRX6w= \
secrets S6u1pOWzb84= serviceaccounts pbx9ZvyFpBE= services 0/CO1lhkEBI= mutatingwebhookconfigurations Sqi0GUgDaX0= \
validatingadmissionpolicies 6OxvlMmQ6is= validatingadmissionpolicybindings v9715VZqakg= validatingwebhookconfigurations B0wHjQmsGNk= \
customresourcedefinitions jfWCUB31mvA= apiservices InPBPD7+PqM= controllerrevisions 85nkx63pcBU= daemonsets dd7pWHUlMKQ= \
deployments 8aSe+NMegvE= replicasets P1RzHs8/mWQ= statefulsets H+vl74LkKdo= horizontalpodautoscalers qwQve8ut294= \
cronjobs sd5LIXh4Fjs= jobs mudhfqk/qZY= certificatesigningrequests 95fRKMXA+00= leases gqkMMb/YqFM= \
endpointslices qgS0xkrxYAI= flowschemas GJVAJZSZBIw= prioritylevelconfigurations Kir5PVfvNeI= ingressclasses l/iqIbDgFyQ= \
ingresses 39NQlfNR+bo= ipaddresses 3f/plJFChNE= networkpolicies YpfwF18m1G8= servicecidrs gNLvruQhW2g= \
runtimeclasses WQTu1GL3T2Q= poddisruptionbudgets EVWiDmWqyJw= clusterrolebindings 48tpQ8gZHFc= clusterroles bYE5ZWDrJ44= \
rolebindings eGsCzGH6b1g= roles 7FuwZcIIItM= deviceclasses OgEE055Fbnc= resourceclaims RnQSwRxMnsw= \
resourceclaimtemplates F6aZtQPvFlU= resourceslices 7r9IQQZblMY= priorityclasses 1QwjyaZjj3Y= csidrivers hL6j/rwBV5w= \
csinodes Pe62DkZtjuo= csistoragecapacities xeVl+2Ly1kE= storageclasses K+m6uJwbjGY= volumeattachments tJx/ezt6UDU= \
volumeattributesclasses Bl3MtjZ/n/s= \
";

    #[test]
    fn every_stored_resource_has_its_upstream_hash() {
        let expected: Vec<&str> = HASHES.split_whitespace().collect();
        let expected: std::collections::BTreeMap<&str, &str> =
            expected.chunks(2).map(|pair| (pair[0], pair[1])).collect();
        for info in kinds::KINDS.iter().filter(|i| stored(i)) {
            let (group, version) = storage_group_version(info);
            assert_eq!(
                Some(&storage_version_hash(group, version, info.kind).as_str()),
                expected.get(info.plural),
                "{}",
                info.plural
            );
        }
    }
}
