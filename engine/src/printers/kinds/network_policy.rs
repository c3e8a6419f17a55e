//! NetworkPolicy: `get` columns (`printNetworkPolicy`: NAME, POD-SELECTOR, AGE) and
//! `describe` (kubectl's `describeNetworkPolicy` and `describeNetworkPolicySpec`, through
//! its prefix writer: two spaces a level).

use k8s_openapi::api::networking::v1::{NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Columns, KindPrinter};
use crate::api::object::{NetworkPolicy, Object};
use crate::api::selector::format_label_selector;
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::map_lines;
use crate::world::World;

impl KindPrinter for NetworkPolicy {
    fn columns() -> Columns {
        (&["NAME", "POD-SELECTOR", "AGE"], &[])
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![
            obj.name().into(),
            format_label_selector(&pod_selector(self)),
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
        let created = self.metadata.creation_timestamp.as_ref().map_or_else(
            || "0001-01-01 00:00:00 +0000 UTC".to_string(),
            |t| t.0.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string(),
        );
        o.push_str(&format!("Created on:\t{created}\n"));
        o.push_str(&map_lines(
            "Labels:",
            self.metadata.labels.as_ref(),
            &[],
            "",
        ));
        o.push_str(&map_lines(
            "Annotations:",
            self.metadata.annotations.as_ref(),
            &["kubectl.kubernetes.io/last-applied-configuration"],
            "",
        ));
        o.push_str(&spec_text(self));
        Some(o)
    }

    fn describes_events(&self) -> bool {
        false
    }
}

fn pod_selector(p: &NetworkPolicy) -> LabelSelector {
    p.spec
        .as_ref()
        .and_then(|s| s.pod_selector.clone())
        .unwrap_or_default()
}

/// `describeNetworkPolicySpec`.
fn spec_text(p: &NetworkPolicy) -> String {
    let spec = p.spec.clone().unwrap_or_default();
    let selector = pod_selector(p);
    let mut o = String::from("Spec:\n  PodSelector: ");
    let empty = selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(|e| e.is_empty());
    if empty {
        o.push_str("    <none> (Allowing the specific traffic to all pods in this namespace)\n");
    } else {
        o.push_str(&format!("    {}\n", format_label_selector(&selector)));
    }
    let types = spec.policy_types.clone().unwrap_or_default();
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("Ingress") {
        o.push_str("  Allowing ingress traffic:\n");
        let rules: Vec<_> = spec
            .ingress
            .iter()
            .flatten()
            .map(|r| (r.ports.as_deref(), r.from.as_deref()))
            .collect();
        rules_text(&rules, "ingress", "From", "source", &mut o);
    } else {
        o.push_str("  Not affecting ingress traffic\n");
    }
    if has("Egress") {
        o.push_str("  Allowing egress traffic:\n");
        let rules: Vec<_> = spec
            .egress
            .iter()
            .flatten()
            .map(|r| (r.ports.as_deref(), r.to.as_deref()))
            .collect();
        rules_text(&rules, "egress", "To", "destination", &mut o);
    } else {
        o.push_str("  Not affecting egress traffic\n");
    }
    let shown = if types.is_empty() {
        "<none>".to_string()
    } else {
        types.join(", ")
    };
    o.push_str(&format!("  Policy Types: {shown}\n"));
    o
}

type Rule<'a> = (
    Option<&'a [NetworkPolicyPort]>,
    Option<&'a [NetworkPolicyPeer]>,
);

/// `printNetworkPolicySpecIngressFrom` / `…EgressTo`: each rule's ports, then its peers,
/// rules parted by a dashed line.
fn rules_text(rules: &[Rule<'_>], way: &str, peer: &str, whom: &str, o: &mut String) {
    const IN: &str = "    ";
    if rules.is_empty() {
        o.push_str(&format!(
            "{IN}<none> (Selected pods are isolated for {way} connectivity)\n"
        ));
        return;
    }
    for (i, (ports, peers)) in rules.iter().enumerate() {
        let ports = ports.unwrap_or(&[]);
        if ports.is_empty() {
            o.push_str(&format!(
                "{IN}To Port: <any> (traffic allowed to all ports)\n"
            ));
        }
        for p in ports {
            let proto = p.protocol.as_deref().unwrap_or("TCP");
            let port = match &p.port {
                None => "<nil>".to_string(),
                Some(IntOrString::Int(n)) => n.to_string(),
                Some(IntOrString::String(s)) => s.clone(),
            };
            match p.end_port {
                None => o.push_str(&format!("{IN}To Port: {port}/{proto}\n")),
                Some(end) => o.push_str(&format!("{IN}To Port Range: {port}-{end}/{proto}\n")),
            }
        }
        let peers = peers.unwrap_or(&[]);
        if peers.is_empty() {
            o.push_str(&format!(
                "{IN}{peer}: <any> (traffic not restricted by {whom})\n"
            ));
        }
        for p in peers {
            o.push_str(&format!("{IN}{peer}:\n"));
            let sel = |label: &str, s: &LabelSelector| {
                format!("  {IN}{label}: {}\n", format_label_selector(s))
            };
            match (&p.pod_selector, &p.namespace_selector, &p.ip_block) {
                (Some(pods), Some(nss), _) => {
                    o.push_str(&sel("NamespaceSelector", nss));
                    o.push_str(&sel("PodSelector", pods));
                }
                (Some(pods), None, _) => o.push_str(&sel("PodSelector", pods)),
                (None, Some(nss), _) => o.push_str(&sel("NamespaceSelector", nss)),
                (None, None, Some(b)) => {
                    o.push_str(&format!("  {IN}IPBlock:\n"));
                    o.push_str(&format!("    {IN}CIDR: {}\n", b.cidr));
                    let except = b.except.as_deref().unwrap_or(&[]).join(", ");
                    o.push_str(&format!("    {IN}Except: {except}\n"));
                }
                (None, None, None) => {}
            }
        }
        if i + 1 != rules.len() {
            o.push_str(&format!("{IN}----------\n"));
        }
    }
}
