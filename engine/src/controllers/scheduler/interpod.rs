//! InterPodAffinity plugin (`pkg/scheduler/framework/plugins/interpodaffinity`): required pod
//! affinity and anti-affinity (the incoming pod's terms, and existing pods' anti-affinity
//! against it) as a filter, and preferred terms (plus existing pods' required affinity at
//! weight 1) as a score. A term counts the pods its selector matches in its namespaces,
//! grouped by the value of `topologyKey` on their nodes.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Affinity, Pod, PodAffinityTerm, WeightedPodAffinityTerm};

use super::cache::PodKey;
use crate::api::selector::Selector;

/// Node labels by node name.
pub(super) type NodeLabels = BTreeMap<String, BTreeMap<String, String>>;

/// `ErrReasonAffinityRulesNotMatch`.
pub(super) const AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch`.
pub(super) const ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
/// `ErrReasonExistingAntiAffinityRulesNotMatch`.
pub(super) const EXISTING_ANTI_AFFINITY: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";

/// `hardPodAffinityWeight`'s default: what an existing pod's required affinity term adds.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// A pod bound to a node, as the plugin sees it.
#[derive(Clone, Debug)]
pub(super) struct Peer {
    namespace: String,
    labels: BTreeMap<String, String>,
    node: String,
    affinity: Option<Affinity>,
}

impl Peer {
    pub(super) fn new(pod: &Pod, node: &str) -> Peer {
        Peer {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            labels: pod.metadata.labels.clone().unwrap_or_default(),
            node: node.to_string(),
            affinity: pod.spec.as_ref().and_then(|s| s.affinity.clone()),
        }
    }

    /// The pod's labels.
    pub(super) fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }

    /// Whether the pod carries pod affinity or anti-affinity terms.
    pub(super) fn has_terms(&self) -> bool {
        has_terms(self.affinity.as_ref())
    }
}

fn has_terms(a: Option<&Affinity>) -> bool {
    a.is_some_and(|a| a.pod_affinity.is_some() || a.pod_anti_affinity.is_some())
}

/// What the plugin reads of the cluster: node labels, namespace labels, bound pods.
pub(super) struct View<'a> {
    pub nodes: &'a NodeLabels,
    pub namespaces: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// Pods bound before this pass.
    pub bound: &'a BTreeMap<PodKey, Peer>,
    /// Pods bound earlier in this pass.
    pub added: &'a [Peer],
    /// How many of the bound pods carry pod (anti-)affinity terms.
    pub with_terms: usize,
}

impl View<'_> {
    fn peers(&self) -> impl Iterator<Item = &Peer> {
        self.bound.values().chain(self.added)
    }

    /// Whether no term, the pod's own or a bound pod's, can matter for `pod`.
    fn nothing_applies(&self, pod: &Pod) -> bool {
        self.with_terms == 0 && !has_terms(pod.spec.as_ref().and_then(|s| s.affinity.as_ref()))
    }
}

/// A term with its namespaces resolved (`None`: every namespace) and its selector (`None`:
/// a missing labelSelector, which matches no pod).
struct Term {
    namespaces: Option<BTreeSet<String>>,
    selector: Option<Selector>,
    key: String,
    weight: i64,
}

impl Term {
    /// `GetNamespacesFromPodAffinityTerm` plus the namespaceSelector: no namespaces and no
    /// selector mean the owner's namespace; an empty selector means all of them.
    fn new(owner_ns: &str, t: &PodAffinityTerm, weight: i64, view: &View) -> Term {
        let mut names: BTreeSet<String> = t.namespaces.iter().flatten().cloned().collect();
        let namespaces = match &t.namespace_selector {
            None if names.is_empty() => Some(BTreeSet::from([owner_ns.to_string()])),
            None => Some(names),
            Some(ls) => {
                let sel = Selector::from_label_selector(ls);
                if sel.is_empty() {
                    None
                } else {
                    names.extend(
                        view.namespaces
                            .iter()
                            .filter(|(_, l)| sel.matches(Some(l)))
                            .map(|(n, _)| n.clone()),
                    );
                    Some(names)
                }
            }
        };
        Term {
            namespaces,
            selector: t.label_selector.as_ref().map(Selector::from_label_selector),
            key: t.topology_key.clone(),
            weight,
        }
    }

    /// `PodMatchesTermsNamespaceAndSelector`.
    fn matches(&self, ns: &str, labels: &BTreeMap<String, String>) -> bool {
        self.namespaces.as_ref().is_none_or(|n| n.contains(ns))
            && self
                .selector
                .as_ref()
                .is_some_and(|s| s.matches(Some(labels)))
    }

    /// The (key, value) pair of this term's topology on `node`, if it carries the key.
    fn pair(&self, node: Option<&BTreeMap<String, String>>) -> Option<(String, String)> {
        let value = node?.get(&self.key)?;
        Some((self.key.clone(), value.clone()))
    }
}

type Counts = BTreeMap<(String, String), i64>;

fn required(a: Option<&Affinity>, anti: bool) -> &[PodAffinityTerm] {
    let terms = if anti {
        a.and_then(|a| a.pod_anti_affinity.as_ref()).and_then(|p| {
            p.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
    } else {
        a.and_then(|a| a.pod_affinity.as_ref()).and_then(|p| {
            p.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
    };
    terms.map_or(&[], Vec::as_slice)
}

fn preferred(a: Option<&Affinity>, anti: bool) -> &[WeightedPodAffinityTerm] {
    let terms = if anti {
        a.and_then(|a| a.pod_anti_affinity.as_ref()).and_then(|p| {
            p.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
    } else {
        a.and_then(|a| a.pod_affinity.as_ref()).and_then(|p| {
            p.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
    };
    terms.map_or(&[], Vec::as_slice)
}

fn resolve(owner_ns: &str, terms: &[PodAffinityTerm], weight: i64, view: &View) -> Vec<Term> {
    terms
        .iter()
        .map(|t| Term::new(owner_ns, t, weight, view))
        .collect()
}

fn resolve_weighted(owner_ns: &str, terms: &[WeightedPodAffinityTerm], view: &View) -> Vec<Term> {
    terms
        .iter()
        .map(|w| Term::new(owner_ns, &w.pod_affinity_term, i64::from(w.weight), view))
        .collect()
}

/// The PreFilter state for one pod: counts by topology pair.
pub(super) struct PreFilter {
    affinity: Vec<Term>,
    anti: Vec<Term>,
    /// Pods matching all of the pod's required affinity terms.
    affinity_counts: Counts,
    /// Pods matching one of the pod's required anti-affinity terms.
    anti_counts: Counts,
    /// Existing pods whose required anti-affinity terms match the pod.
    existing_anti_counts: Counts,
    /// Whether the pod matches all its own affinity terms (the first of a group may go).
    matches_itself: bool,
}

/// Computes the filter's state for `pod`; `None` when nothing can fail.
pub(super) fn pre_filter(pod: &Pod, view: &View) -> Option<PreFilter> {
    if view.nothing_applies(pod) {
        return None;
    }
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let own = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
    let affinity = resolve(&ns, required(own, false), 0, view);
    let anti = resolve(&ns, required(own, true), 0, view);
    let mut state = PreFilter {
        matches_itself: !affinity.is_empty() && affinity.iter().all(|t| t.matches(&ns, &labels)),
        affinity,
        anti,
        affinity_counts: Counts::new(),
        anti_counts: Counts::new(),
        existing_anti_counts: Counts::new(),
    };
    let mut any = !state.affinity.is_empty() || !state.anti.is_empty();
    for peer in view.peers() {
        let node = view.nodes.get(&peer.node);
        let theirs = required(peer.affinity.as_ref(), true);
        if !theirs.is_empty() {
            any = true;
            for t in resolve(&peer.namespace, theirs, 0, view) {
                if t.matches(&ns, &labels) {
                    if let Some(p) = t.pair(node) {
                        *state.existing_anti_counts.entry(p).or_default() += 1;
                    }
                }
            }
        }
        if !state.affinity.is_empty()
            && state
                .affinity
                .iter()
                .all(|t| t.matches(&peer.namespace, &peer.labels))
        {
            for t in &state.affinity {
                if let Some(p) = t.pair(node) {
                    *state.affinity_counts.entry(p).or_default() += 1;
                }
            }
        }
        for t in &state.anti {
            if t.matches(&peer.namespace, &peer.labels) {
                if let Some(p) = t.pair(node) {
                    *state.anti_counts.entry(p).or_default() += 1;
                }
            }
        }
    }
    any.then_some(state)
}

impl PreFilter {
    /// The reason the node fails, if it does (affinity, then anti-affinity, then existing
    /// pods' anti-affinity, as the plugin checks them).
    pub(super) fn filter(&self, node: &BTreeMap<String, String>) -> Option<&'static str> {
        let mut pods_exist = true;
        for t in &self.affinity {
            match t.pair(Some(node)) {
                None => return Some(AFFINITY),
                Some(p) => pods_exist &= self.affinity_counts.get(&p).copied().unwrap_or(0) > 0,
            }
        }
        // The first pod of a group that matches its own terms may go where no match runs.
        let first_of_group = self.affinity_counts.is_empty() && self.matches_itself;
        if !(pods_exist || first_of_group) {
            return Some(AFFINITY);
        }
        let anti_hit = self.anti.iter().any(|t| {
            t.pair(Some(node))
                .is_some_and(|p| self.anti_counts.get(&p).copied().unwrap_or(0) > 0)
        });
        if anti_hit {
            return Some(ANTI_AFFINITY);
        }
        let existing_hit = node.iter().any(|(k, v)| {
            self.existing_anti_counts
                .get(&(k.clone(), v.clone()))
                .copied()
                .unwrap_or(0)
                > 0
        });
        existing_hit.then_some(EXISTING_ANTI_AFFINITY)
    }
}

/// The plugin's normalised scores (0-100) for `candidates`, or `None` when no term applies.
pub(super) fn scores(pod: &Pod, view: &View, candidates: &[String]) -> Option<Vec<i64>> {
    if view.nothing_applies(pod) {
        return None;
    }
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let own = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
    let affinity = resolve_weighted(&ns, preferred(own, false), view);
    let anti = resolve_weighted(&ns, preferred(own, true), view);
    let mut topology = Counts::new();
    let mut add = |t: &Term, node: Option<&BTreeMap<String, String>>, sign: i64| {
        if let Some(p) = t.pair(node) {
            *topology.entry(p).or_default() += sign * t.weight;
        }
    };
    for peer in view.peers() {
        let node = view.nodes.get(&peer.node);
        for t in affinity
            .iter()
            .filter(|t| t.matches(&peer.namespace, &peer.labels))
        {
            add(t, node, 1);
        }
        for t in anti
            .iter()
            .filter(|t| t.matches(&peer.namespace, &peer.labels))
        {
            add(t, node, -1);
        }
        let theirs = peer.affinity.as_ref();
        let hard = resolve(
            &peer.namespace,
            required(theirs, false),
            HARD_POD_AFFINITY_WEIGHT,
            view,
        );
        let soft = resolve_weighted(&peer.namespace, preferred(theirs, false), view);
        for t in hard.iter().chain(&soft).filter(|t| t.matches(&ns, &labels)) {
            add(t, node, 1);
        }
        let soft_anti = resolve_weighted(&peer.namespace, preferred(theirs, true), view);
        for t in soft_anti.iter().filter(|t| t.matches(&ns, &labels)) {
            add(t, node, -1);
        }
    }
    if topology.is_empty() {
        return None;
    }
    let raw: Vec<i64> = candidates
        .iter()
        .map(|n| {
            view.nodes.get(n).map_or(0, |labels| {
                labels
                    .iter()
                    .map(|(k, v)| topology.get(&(k.clone(), v.clone())).copied().unwrap_or(0))
                    .sum()
            })
        })
        .collect();
    // NormalizeScore: min and max start at 0.
    let max = raw.iter().copied().fold(0, i64::max);
    let min = raw.iter().copied().fold(0, i64::min);
    let spread = max - min;
    Some(
        raw.iter()
            .map(|s| {
                if spread > 0 {
                    (100.0 * (s - min) as f64 / spread as f64) as i64
                } else {
                    0
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(name: &str, labels: serde_json::Value, affinity: serde_json::Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "default", "labels": labels},
            "spec": {"containers": [{"name": "c"}], "affinity": affinity}
        }))
        .unwrap()
    }

    fn nodes() -> NodeLabels {
        let mut m = NodeLabels::new();
        for (n, zone) in [("node1", "a"), ("node2", "a"), ("node3", "b")] {
            m.insert(
                n.into(),
                BTreeMap::from([
                    ("kubernetes.io/hostname".to_string(), n.to_string()),
                    ("topology.kubernetes.io/zone".to_string(), zone.to_string()),
                ]),
            );
        }
        m
    }

    fn term(kind: &str, key: &str) -> serde_json::Value {
        json!({kind: {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": key}
        ]}})
    }

    /// A view of `peers` as pods bound before the pass.
    fn view<'a>(
        nodes: &'a NodeLabels,
        namespaces: &'a BTreeMap<String, BTreeMap<String, String>>,
        bound: &'a BTreeMap<PodKey, Peer>,
    ) -> View<'a> {
        View {
            nodes,
            namespaces,
            bound,
            added: &[],
            with_terms: bound.values().filter(|p| p.has_terms()).count(),
        }
    }

    fn keyed(peers: &[Peer]) -> BTreeMap<PodKey, Peer> {
        peers
            .iter()
            .enumerate()
            .map(|(i, p)| ((String::new(), i.to_string()), p.clone()))
            .collect()
    }

    fn verdicts(p: &Pod, peers: &[Peer]) -> Vec<Option<&'static str>> {
        let nodes = nodes();
        let namespaces = BTreeMap::new();
        let bound = keyed(peers);
        let view = view(&nodes, &namespaces, &bound);
        let state = pre_filter(p, &view);
        nodes
            .values()
            .map(|n| state.as_ref().and_then(|s| s.filter(n)))
            .collect()
    }

    #[test]
    fn required_anti_affinity_keeps_replicas_apart() {
        let web = pod(
            "w",
            json!({"app": "web"}),
            term("podAntiAffinity", "kubernetes.io/hostname"),
        );
        let peers = [Peer::new(&web, "node1")];
        assert_eq!(
            verdicts(&web, &peers),
            vec![Some(ANTI_AFFINITY), None, None]
        );
        // By zone: node2 shares node1's zone.
        let zonal = pod(
            "z",
            json!({"app": "web"}),
            term("podAntiAffinity", "topology.kubernetes.io/zone"),
        );
        assert_eq!(
            verdicts(&zonal, &[Peer::new(&zonal, "node1")]),
            vec![Some(ANTI_AFFINITY), Some(ANTI_AFFINITY), None]
        );
        // A pod without terms is kept off by the existing pod's anti-affinity only.
        let plain = pod("p", json!({"app": "web"}), json!(null));
        assert_eq!(
            verdicts(&plain, &peers),
            vec![Some(EXISTING_ANTI_AFFINITY), None, None]
        );
        let other = pod("o", json!({"app": "db"}), json!(null));
        assert_eq!(verdicts(&other, &peers), vec![None, None, None]);
    }

    #[test]
    fn required_affinity_follows_matching_pods() {
        let near = pod(
            "n",
            json!({}),
            term("podAffinity", "kubernetes.io/hostname"),
        );
        let web = pod("w", json!({"app": "web"}), json!(null));
        assert_eq!(
            verdicts(&near, &[Peer::new(&web, "node2")]),
            vec![Some(AFFINITY), None, Some(AFFINITY)]
        );
        // No matching pod anywhere: fails everywhere, unless the pod matches itself.
        assert_eq!(verdicts(&near, &[]), vec![Some(AFFINITY); 3]);
        let itself = pod(
            "s",
            json!({"app": "web"}),
            term("podAffinity", "kubernetes.io/hostname"),
        );
        assert_eq!(verdicts(&itself, &[]), vec![None, None, None]);
    }

    #[test]
    fn a_missing_selector_matches_nothing_and_other_namespaces_do_not_count() {
        let mut p = pod(
            "p",
            json!({"app": "web"}),
            term("podAntiAffinity", "kubernetes.io/hostname"),
        );
        let mut elsewhere = p.clone();
        elsewhere.metadata.namespace = Some("prod".into());
        assert_eq!(verdicts(&p, &[Peer::new(&elsewhere, "node1")])[0], None);
        let anti = p.spec.as_mut().unwrap().affinity.as_mut().unwrap();
        anti.pod_anti_affinity
            .as_mut()
            .unwrap()
            .required_during_scheduling_ignored_during_execution
            .as_mut()
            .unwrap()[0]
            .label_selector = None;
        assert_eq!(verdicts(&p, &[Peer::new(&p.clone(), "node1")])[0], None);
    }

    #[test]
    fn preferred_terms_score_by_weight() {
        let p = pod(
            "p",
            json!({"app": "web"}),
            json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {
                    "labelSelector": {"matchLabels": {"app": "web"}},
                    "topologyKey": "kubernetes.io/hostname"}}
            ]}}),
        );
        let nodes = nodes();
        let namespaces = BTreeMap::new();
        let peers = [
            Peer::new(&p, "node1"),
            Peer::new(&p, "node1"),
            Peer::new(&p, "node2"),
        ];
        let bound = keyed(&peers);
        let view = view(&nodes, &namespaces, &bound);
        let names: Vec<String> = nodes.keys().cloned().collect();
        // Raw -200, -100, 0 → 0, 50, 100.
        assert_eq!(scores(&p, &view, &names), Some(vec![0, 50, 100]));
        let plain = pod("q", json!({"app": "db"}), json!(null));
        assert_eq!(scores(&plain, &view, &names), None);
    }
}
