//! NetworkPolicy (`networking.k8s.io/v1`): defaulting (`SetDefaults_NetworkPolicy`,
//! `SetDefaults_NetworkPolicyPort`) and validation with the apiserver's field paths
//! (`pkg/apis/networking/validation`: `ValidateNetworkPolicySpec` and the port, peer and
//! ipBlock checks; label selectors as `ValidateLabelSelector`'s requirement rules).
//! Whether anything enforces a policy is the network's business (`network::policy`).

use k8s_openapi::api::networking::v1::{IPBlock, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{KindRules, NetworkPolicy, Object, StatusSubresource};
use crate::api::cidr::Cidr;
use crate::api::validation::port_name_messages;

impl KindRules for NetworkPolicy {
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.pod_selector.get_or_insert_with(Default::default);
        let ports = spec
            .ingress
            .iter_mut()
            .flatten()
            .flat_map(|r| r.ports.iter_mut().flatten())
            .chain(
                spec.egress
                    .iter_mut()
                    .flatten()
                    .flat_map(|r| r.ports.iter_mut().flatten()),
            );
        for p in ports {
            p.protocol.get_or_insert_with(|| "TCP".into());
        }
        if spec.policy_types.as_ref().is_none_or(|t| t.is_empty()) {
            let mut types = vec!["Ingress".to_string()];
            if spec.egress.as_ref().is_some_and(|e| !e.is_empty()) {
                types.push("Egress".into());
            }
            spec.policy_types = Some(types);
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let Some(spec) = self.spec.as_ref() else {
            return;
        };
        if let Some(s) = &spec.pod_selector {
            label_selector(s, "spec.podSelector", causes);
        }
        for (i, rule) in spec.ingress.iter().flatten().enumerate() {
            let at = format!("spec.ingress[{i}]");
            for (j, p) in rule.ports.iter().flatten().enumerate() {
                port(p, &format!("{at}.ports[{j}]"), causes);
            }
            for (j, peer) in rule.from.iter().flatten().enumerate() {
                self::peer(peer, &format!("{at}.from[{j}]"), causes);
            }
        }
        for (i, rule) in spec.egress.iter().flatten().enumerate() {
            let at = format!("spec.egress[{i}]");
            for (j, p) in rule.ports.iter().flatten().enumerate() {
                port(p, &format!("{at}.ports[{j}]"), causes);
            }
            for (j, peer) in rule.to.iter().flatten().enumerate() {
                self::peer(peer, &format!("{at}.to[{j}]"), causes);
            }
        }
        let types = spec.policy_types.as_deref().unwrap_or(&[]);
        if types.len() > 2 {
            let quoted: Vec<String> = types.iter().map(|t| format!("{t:?}")).collect();
            causes.push(format!(
                "spec.policyTypes: Invalid value: []networking.PolicyType{{{}}}: may not specify more than two policyTypes",
                quoted.join(", ")
            ));
            return;
        }
        for (i, t) in types.iter().enumerate() {
            if t != "Ingress" && t != "Egress" {
                causes.push(format!(
                    "spec.policyTypes[{i}]: Unsupported value: \"{t}\": supported values: \"Ingress\", \"Egress\""
                ));
            }
        }
    }
}

impl StatusSubresource for NetworkPolicy {}

/// `ValidateNetworkPolicyPort`.
fn port(p: &NetworkPolicyPort, at: &str, causes: &mut Vec<String>) {
    if let Some(proto) = p
        .protocol
        .as_deref()
        .filter(|p| !matches!(*p, "TCP" | "UDP" | "SCTP"))
    {
        causes.push(format!(
            "{at}.protocol: Unsupported value: \"{proto}\": supported values: \"TCP\", \"UDP\", \"SCTP\""
        ));
    }
    let range = "must be between 1 and 65535, inclusive";
    match (&p.port, p.end_port) {
        (Some(IntOrString::Int(n)), end) => {
            if !(1..=65535).contains(n) {
                causes.push(format!("{at}.port: Invalid value: {n}: {range}"));
            }
            if let Some(e) = end {
                if e < *n {
                    causes.push(format!(
                        "{at}.endPort: Invalid value: {e}: must be greater than or equal to `port`"
                    ));
                }
                if !(1..=65535).contains(&e) {
                    causes.push(format!("{at}.endPort: Invalid value: {e}: {range}"));
                }
            }
        }
        (Some(IntOrString::String(name)), end) => {
            if let Some(e) = end {
                causes.push(format!(
                    "{at}.endPort: Invalid value: {e}: may not be specified when `port` is non-numeric"
                ));
            }
            for m in port_name_messages(name) {
                causes.push(format!("{at}.port: Invalid value: \"{name}\": {m}"));
            }
        }
        (None, Some(e)) => causes.push(format!(
            "{at}.endPort: Invalid value: {e}: may not be specified when `port` is not specified"
        )),
        (None, None) => {}
    }
}

/// `ValidateNetworkPolicyPeer`.
fn peer(p: &NetworkPolicyPeer, at: &str, causes: &mut Vec<String>) {
    let mut count = 0;
    if let Some(s) = &p.pod_selector {
        count += 1;
        label_selector(s, &format!("{at}.podSelector"), causes);
    }
    if let Some(s) = &p.namespace_selector {
        count += 1;
        label_selector(s, &format!("{at}.namespaceSelector"), causes);
    }
    if let Some(b) = &p.ip_block {
        count += 1;
        ip_block(b, &format!("{at}.ipBlock"), causes);
    }
    if count == 0 {
        causes.push(format!("{at}: Required value: must specify a peer"));
    } else if count > 1 && p.ip_block.is_some() {
        causes.push(format!(
            "{at}: Forbidden: may not specify both ipBlock and another peer"
        ));
    }
}

/// `ValidateIPBlock`: a CIDR, and `except` entries strictly inside it.
fn ip_block(b: &IPBlock, at: &str, causes: &mut Vec<String>) {
    const NOT_CIDR: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
    if b.cidr.is_empty() {
        causes.push(format!("{at}.cidr: Required value"));
        return;
    }
    let Some(cidr) = Cidr::parse(&b.cidr) else {
        causes.push(format!(
            "{at}.cidr: Invalid value: \"{}\": {NOT_CIDR}",
            b.cidr
        ));
        return;
    };
    for (i, e) in b.except.iter().flatten().enumerate() {
        match Cidr::parse(e) {
            None => causes.push(format!(
                "{at}.except[{i}]: Invalid value: \"{e}\": {NOT_CIDR}"
            )),
            Some(inner) if !cidr.strictly_contains(&inner) => causes.push(format!(
                "{at}.except[{i}]: Invalid value: \"{e}\": must be a strict subset of `cidr`"
            )),
            Some(_) => {}
        }
    }
}

/// `ValidateLabelSelectorRequirement` for each `matchExpressions` entry.
fn label_selector(s: &LabelSelector, at: &str, causes: &mut Vec<String>) {
    for (i, e) in s.match_expressions.iter().flatten().enumerate() {
        let at = format!("{at}.matchExpressions[{i}]");
        let values = e.values.as_ref().is_some_and(|v| !v.is_empty());
        match e.operator.as_str() {
            "In" | "NotIn" if !values => causes.push(format!(
                "{at}.values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            )),
            "Exists" | "DoesNotExist" if values => causes.push(format!(
                "{at}.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            op => causes.push(format!(
                "{at}.operator: Invalid value: \"{op}\": not a valid selector operator"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(spec: serde_json::Value) -> NetworkPolicy {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": spec,
        }))
        .unwrap()
    }

    fn causes(spec: serde_json::Value) -> Vec<String> {
        let mut p = policy(spec);
        p.default_fields();
        let obj = Object::NetworkPolicy(Box::new(p.clone()));
        let mut c = Vec::new();
        p.validate(&obj, &mut c);
        c
    }

    #[test]
    fn policy_types_default_from_the_rules() {
        let mut p = policy(serde_json::json!({"egress": [{}]}));
        p.default_fields();
        let spec = p.spec.unwrap();
        assert_eq!(spec.policy_types.unwrap(), ["Ingress", "Egress"]);
        assert_eq!(spec.pod_selector, Some(LabelSelector::default()));
        let mut p = policy(serde_json::json!({"ingress": [{"ports": [{"port": 80}]}]}));
        p.default_fields();
        let spec = p.spec.unwrap();
        assert_eq!(spec.policy_types.unwrap(), ["Ingress"]);
        let rules = spec.ingress.unwrap();
        let port = &rules[0].ports.as_ref().unwrap()[0];
        assert_eq!(port.protocol.as_deref(), Some("TCP"));
    }

    #[test]
    fn bad_rules_are_named_by_field() {
        let c = causes(serde_json::json!({
            "podSelector": {"matchExpressions": [{"key": "a", "operator": "Equals"}]},
            "ingress": [{
                "ports": [{"port": 80, "endPort": 70, "protocol": "ICMP"}, {"port": "http", "endPort": 90}],
                "from": [{}, {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}, "podSelector": {}}]
            }],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0/8"}}]}],
            "policyTypes": ["Ingress", "Sideways"]
        }));
        assert_eq!(
            c,
            [
                "spec.podSelector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator",
                "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
                "spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`",
                "spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
                "spec.ingress[0].from[0]: Required value: must specify a peer",
                "spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`",
                "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer",
                "spec.egress[0].to[0].ipBlock.cidr: Invalid value: \"10.0.0/8\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                "spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"",
            ]
        );
        assert!(causes(serde_json::json!({})).is_empty());
    }
}
