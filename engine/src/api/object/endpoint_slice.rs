//! EndpointSlice (`discovery.k8s.io/v1`): its defaults (`pkg/apis/discovery/v1/defaults.go`),
//! its validation with the apiserver's field paths (`pkg/apis/discovery/validation`), and the
//! JSON the API serves for it.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use serde_json::Value;

use super::{EndpointSlice, KindRules, Object, StatusSubresource};
use crate::api::validation::{is_dns1123_label, DNS1123_LABEL};

/// Most endpoints a slice holds (validation's `maxEndpoints`).
const MAX_ENDPOINTS: usize = 1000;
/// Most addresses an endpoint holds.
const MAX_ADDRESSES: usize = 100;
/// Most ports a slice holds.
const MAX_PORTS: usize = 100;

impl KindRules for EndpointSlice {
    /// A port without a name gets `""`, without a protocol `TCP`.
    fn default_fields(&mut self) {
        for port in self.ports.iter_mut().flatten() {
            port.name.get_or_insert_with(String::new);
            port.protocol.get_or_insert_with(|| "TCP".into());
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        address_type(&self.address_type, causes);
        endpoints(self, causes);
        ports(self, causes);
    }

    /// `endpoints` and `ports` are lists without `omitempty`: the API serves an empty or
    /// missing one as `null`; an endpoint's `conditions` is a struct, always there.
    fn served_json(&self, v: &mut Value) {
        let Some(map) = v.as_object_mut() else { return };
        for key in ["endpoints", "ports"] {
            let empty = map
                .get(key)
                .is_none_or(|l| l.as_array().is_some_and(Vec::is_empty));
            if empty {
                map.insert(key.into(), Value::Null);
            }
        }
        for ep in map
            .get_mut("endpoints")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(ep) = ep.as_object_mut() {
                ep.entry("conditions")
                    .or_insert_with(|| Value::Object(Default::default()));
            }
        }
    }
}

impl StatusSubresource for EndpointSlice {}

fn address_type(t: &str, causes: &mut Vec<String>) {
    if t.is_empty() {
        causes.push("addressType: Required value".into());
    } else if !matches!(t, "IPv4" | "IPv6" | "FQDN") {
        causes.push(format!(
            "addressType: Unsupported value: \"{t}\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""
        ));
    }
}

fn endpoints(slice: &EndpointSlice, causes: &mut Vec<String>) {
    let list = &slice.endpoints;
    if list.len() > MAX_ENDPOINTS {
        causes.push(format!(
            "endpoints: Too many: {}: must have at most {MAX_ENDPOINTS} items",
            list.len()
        ));
        return;
    }
    for (i, ep) in list.iter().enumerate() {
        let path = format!("endpoints[{i}].addresses");
        if ep.addresses.is_empty() {
            causes.push(format!(
                "{path}: Required value: must contain at least 1 address"
            ));
        } else if ep.addresses.len() > MAX_ADDRESSES {
            causes.push(format!(
                "{path}: Too many: {}: must have at most {MAX_ADDRESSES} items",
                ep.addresses.len()
            ));
        }
        for (j, address) in ep.addresses.iter().enumerate() {
            address_causes(
                &slice.address_type,
                address,
                &format!("{path}[{j}]"),
                causes,
            );
        }
        if let Some(h) = &ep.hostname {
            if !is_dns1123_label(h) {
                causes.push(format!(
                    "endpoints[{i}].hostname: Invalid value: \"{h}\": {DNS1123_LABEL}"
                ));
            }
        }
    }
}

/// An address checked as its slice's address type says (IPv6 and FQDN addresses are taken
/// as they are: Kubeplay's pods and nodes have IPv4 addresses only).
fn address_causes(address_type: &str, address: &str, path: &str, causes: &mut Vec<String>) {
    if address_type != "IPv4" {
        return;
    }
    let Ok(ip) = address.parse::<Ipv4Addr>() else {
        causes.push(format!(
            "{path}: Invalid value: \"{address}\": must be a valid IPv4 address"
        ));
        return;
    };
    let special = [
        (
            ip.is_unspecified(),
            format!("may not be unspecified ({address})"),
        ),
        (
            ip.is_loopback(),
            "may not be in the loopback range (127.0.0.0/8, ::1/128)".into(),
        ),
        (
            ip.is_link_local(),
            "may not be in the link-local range (169.254.0.0/16, fe80::/10)".into(),
        ),
        (
            ip.octets()[..3] == [224, 0, 0],
            "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)".into(),
        ),
    ];
    for (_, msg) in special.iter().filter(|(hit, _)| *hit) {
        causes.push(format!("{path}: Invalid value: \"{address}\": {msg}"));
    }
}

fn ports(slice: &EndpointSlice, causes: &mut Vec<String>) {
    let list = slice.ports.as_deref().unwrap_or(&[]);
    if list.len() > MAX_PORTS {
        causes.push(format!(
            "ports: Too many: {}: must have at most {MAX_PORTS} items",
            list.len()
        ));
        return;
    }
    let mut names = BTreeSet::new();
    for (i, port) in list.iter().enumerate() {
        let name = port.name.as_deref().unwrap_or("");
        if !name.is_empty() && !is_dns1123_label(name) {
            causes.push(format!(
                "ports[{i}].name: Invalid value: \"{name}\": {DNS1123_LABEL}"
            ));
        }
        if !names.insert(name) {
            causes.push(format!("ports[{i}].name: Duplicate value: \"{name}\""));
        }
        match port.protocol.as_deref() {
            None => causes.push(format!("ports[{i}].protocol: Required value")),
            Some("TCP" | "UDP" | "SCTP") => {}
            Some(p) => causes.push(format!(
                "ports[{i}].protocol: Unsupported value: \"{p}\": supported values: \"SCTP\", \"TCP\", \"UDP\""
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn causes(v: Value) -> Vec<String> {
        let Some(Ok(mut obj)) = Object::decode_strict("EndpointSlice", &v) else {
            panic!("not an EndpointSlice: {v}");
        };
        obj.default_fields();
        let mut out = Vec::new();
        obj.validate_fields(&mut out);
        out
    }

    #[test]
    fn address_type_addresses_and_port_names_are_checked_with_their_paths() {
        let v = json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "s"},
            "endpoints": [
                {"addresses": []},
                {"addresses": ["10.0.0.300", "127.0.0.1"]}
            ],
            "ports": [{"name": "Web", "port": 80}, {"name": "Web", "protocol": "XDP"}]
        });
        assert_eq!(
            causes(v),
            vec![
                "addressType: Required value",
                "endpoints[0].addresses: Required value: must contain at least 1 address",
                "ports[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "ports[1].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "ports[1].name: Duplicate value: \"Web\"",
                "ports[1].protocol: Unsupported value: \"XDP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ]
        );
        let v = json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "s"}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.300", "127.0.0.1", "10.244.1.5"]}]
        });
        assert_eq!(
            causes(v),
            vec![
                "endpoints[0].addresses[0]: Invalid value: \"10.0.0.300\": must be a valid IPv4 address",
                "endpoints[0].addresses[1]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
            ]
        );
        let v = json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "s"}, "addressType": "IP"
        });
        assert_eq!(
            causes(v),
            vec!["addressType: Unsupported value: \"IP\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""]
        );
    }

    #[test]
    fn empty_lists_are_served_as_null_and_ports_are_defaulted() {
        let v = json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "s"}, "addressType": "IPv4",
            "ports": [{"port": 80}]
        });
        let Some(Ok(mut obj)) = Object::decode_strict("EndpointSlice", &v) else {
            panic!("not decoded");
        };
        obj.default_fields();
        let served = obj.to_json();
        assert_eq!(served["endpoints"], Value::Null);
        assert_eq!(
            served["ports"],
            json!([{"name": "", "port": 80, "protocol": "TCP"}])
        );
    }
}
