//! [`decide`]: one case per rule type, then random policies, pods and packets against an
//! oracle written straight from the NetworkPolicy spec over plain data.

use super::*;
use proptest::prelude::*;

fn policy(ns: &str, name: &str, spec: serde_json::Value) -> NetworkPolicy {
    use crate::api::object::KindRules;
    let mut p: NetworkPolicy = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }))
    .unwrap();
    p.default_fields();
    p
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn pod(ns: &str, ip: &str, l: &[(&str, &str)]) -> End {
    End {
        ip: ip.into(),
        pod: Some(PodFacts {
            namespace: ns.into(),
            labels: labels(l),
            namespace_labels: labels(&[("kubernetes.io/metadata.name", ns)]),
            ports: vec![("http".into(), 8080, "TCP".into())],
        }),
    }
}

fn packet(src: End, dst: End, port: u16, protocol: &'static str) -> Packet {
    Packet {
        src,
        dst,
        port,
        protocol,
        from_dst_node: false,
    }
}

fn verdict(policies: &[NetworkPolicy], p: &Packet) -> Verdict {
    let refs: Vec<&NetworkPolicy> = policies.iter().collect();
    decide(&refs, p)
}

#[test]
fn unselected_pods_are_open_and_default_deny_isolates() {
    let web = pod("prod", "10.244.1.2", &[("app", "web")]);
    let client = pod("prod", "10.244.2.2", &[("app", "client")]);
    let p = packet(client.clone(), web.clone(), 80, "TCP");
    assert_eq!(verdict(&[], &p), Verdict::Allow);
    let deny = policy("prod", "deny", serde_json::json!({"podSelector": {}}));
    assert_eq!(
        verdict(std::slice::from_ref(&deny), &p),
        Verdict::Deny(Direction::Ingress, vec!["deny".into()])
    );
    // A policy of another namespace does not apply; the pod's own node always gets in.
    let elsewhere = policy("dev", "deny", serde_json::json!({"podSelector": {}}));
    assert_eq!(verdict(&[elsewhere], &p), Verdict::Allow);
    let from_node = Packet {
        from_dst_node: true,
        ..p.clone()
    };
    assert_eq!(verdict(&[deny], &from_node), Verdict::Allow);
}

#[test]
fn pod_and_namespace_selectors() {
    let web = pod("prod", "10.244.1.2", &[("app", "web")]);
    let friend = pod("prod", "10.244.2.2", &[("access", "true")]);
    let stranger = pod("dev", "10.244.3.2", &[("access", "true")]);
    let by_pod = policy(
        "prod",
        "by-pod",
        serde_json::json!({"podSelector": {"matchLabels": {"app": "web"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"access": "true"}}}]}]}),
    );
    let ok = |ps: &[NetworkPolicy], src: &End| {
        verdict(ps, &packet(src.clone(), web.clone(), 80, "TCP")) == Verdict::Allow
    };
    assert!(ok(std::slice::from_ref(&by_pod), &friend));
    // A bare pod selector means pods of the policy's namespace.
    assert!(!ok(&[by_pod], &stranger));
    let by_ns = policy(
        "prod",
        "by-ns",
        serde_json::json!({"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dev"}}}]}]}),
    );
    assert!(ok(std::slice::from_ref(&by_ns), &stranger));
    assert!(!ok(&[by_ns], &friend));
    let both = policy(
        "prod",
        "both",
        serde_json::json!({"ingress": [{"from": [{
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dev"}},
            "podSelector": {"matchLabels": {"access": "false"}}}]}]}),
    );
    assert!(!ok(&[both], &stranger));
}

#[test]
fn ip_blocks_with_exceptions() {
    let web = pod("prod", "10.244.1.2", &[]);
    let p = policy(
        "prod",
        "blocks",
        serde_json::json!({"ingress": [{"from": [{"ipBlock": {"cidr": "192.168.1.0/24", "except": ["192.168.1.10/32"]}}]}]}),
    );
    let from = |ip: &str| End {
        ip: ip.into(),
        pod: None,
    };
    let v = |ip: &str| {
        verdict(
            std::slice::from_ref(&p),
            &packet(from(ip), web.clone(), 80, "TCP"),
        )
    };
    assert_eq!(v("192.168.1.101"), Verdict::Allow);
    assert_ne!(v("192.168.1.10"), Verdict::Allow);
    assert_ne!(v("10.0.0.1"), Verdict::Allow);
}

#[test]
fn ports_ranges_names_and_protocols() {
    let web = pod("prod", "10.244.1.2", &[]);
    let client = pod("prod", "10.244.2.2", &[]);
    let p = policy(
        "prod",
        "ports",
        serde_json::json!({"ingress": [{"ports": [
            {"port": 80}, {"port": 9000, "endPort": 9010}, {"port": "http"}, {"protocol": "UDP"}]}]}),
    );
    let v = |port: u16, proto: &'static str| {
        verdict(
            std::slice::from_ref(&p),
            &packet(client.clone(), web.clone(), port, proto),
        ) == Verdict::Allow
    };
    assert!(v(80, "TCP"));
    assert!(!v(81, "TCP"));
    assert!(v(9005, "TCP") && v(9010, "TCP") && !v(9011, "TCP"));
    assert!(v(8080, "TCP"), "the destination pod's port named http");
    assert!(
        v(53, "UDP") && v(5353, "UDP"),
        "a protocol without a port: every port"
    );
    assert!(!v(80, "SCTP"));
    assert!(!v(0, "ICMP"), "rules with ports never admit ICMP");
}

#[test]
fn egress_isolates_the_source_and_policy_types_default() {
    let web = pod("prod", "10.244.1.2", &[("app", "web")]);
    let client = pod("prod", "10.244.2.2", &[]);
    let deny_out = policy(
        "prod",
        "deny-out",
        serde_json::json!({"policyTypes": ["Egress"]}),
    );
    assert_eq!(
        verdict(&[deny_out], &packet(client.clone(), web.clone(), 80, "TCP")),
        Verdict::Deny(Direction::Egress, vec!["deny-out".into()])
    );
    // Egress rules make the default types Ingress and Egress: this isolates ingress too.
    let to_web = policy(
        "prod",
        "to-web",
        serde_json::json!({"egress": [{"to": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]}),
    );
    assert_eq!(
        verdict(&[to_web], &packet(client, web, 80, "TCP")),
        Verdict::Deny(Direction::Ingress, vec!["to-web".into()])
    );
}

/// The oracle's world: plain data, small alphabets.
#[derive(Clone, Debug)]
struct Sel(Vec<(u8, u8, u8)>); // (key, operator 0 In 1 NotIn 2 Exists 3 DoesNotExist, value)

#[derive(Clone, Debug)]
enum MPeer {
    Pods(Sel),
    Nss(Sel),
    Both(Sel, Sel),
    Block(u8, Option<u8>),
}

#[derive(Clone, Debug)]
struct MPort {
    udp: bool,
    port: Option<u16>,
    end: Option<u16>,
    named: bool,
}

#[derive(Clone, Debug)]
struct MRule {
    ports: Vec<MPort>,
    peers: Vec<MPeer>,
}

#[derive(Clone, Debug)]
struct MPolicy {
    ns: u8,
    select: Sel,
    ingress: Option<Vec<MRule>>,
    egress: Option<Vec<MRule>>,
    types: Option<(bool, bool)>,
}

const KEYS: [&str; 2] = ["app", "tier"];
const VALUES: [&str; 2] = ["a", "b"];
const NSS: [&str; 2] = ["x", "y"];

fn sel() -> impl Strategy<Value = Sel> {
    prop::collection::vec((0u8..2, 0u8..4, 0u8..2), 0..3).prop_map(Sel)
}

fn peer() -> impl Strategy<Value = MPeer> {
    prop_oneof![
        sel().prop_map(MPeer::Pods),
        sel().prop_map(MPeer::Nss),
        (sel(), sel()).prop_map(|(a, b)| MPeer::Both(a, b)),
        (0u8..3, prop::option::of(0u8..4)).prop_map(|(c, e)| MPeer::Block(c, e)),
    ]
}

fn port() -> impl Strategy<Value = MPort> {
    (
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![53u16, 80, 8080])),
        prop::option::of(prop::sample::select(vec![80u16, 90, 9000])),
        any::<bool>(),
    )
        .prop_map(|(udp, port, end, named)| MPort {
            udp,
            port,
            end: end.filter(|e| port.is_some_and(|p| *e >= p)),
            named,
        })
}

fn rule() -> impl Strategy<Value = MRule> {
    (
        prop::collection::vec(port(), 0..3),
        prop::collection::vec(peer(), 0..3),
    )
        .prop_map(|(ports, peers)| MRule { ports, peers })
}

fn mpolicy() -> impl Strategy<Value = MPolicy> {
    (
        0u8..2,
        sel(),
        prop::option::of(prop::collection::vec(rule(), 0..3)),
        prop::option::of(prop::collection::vec(rule(), 0..3)),
        prop::option::of((any::<bool>(), any::<bool>())),
    )
        .prop_map(|(ns, select, ingress, egress, types)| MPolicy {
            ns,
            select,
            ingress,
            egress,
            types: types.filter(|(i, e)| *i || *e),
        })
}

/// A pod: namespace, labels (key → value), and whether port 8080 is named `http`.
#[derive(Clone, Debug)]
struct MPod {
    ns: u8,
    labels: Vec<Option<u8>>,
    named: bool,
}

fn mpod() -> impl Strategy<Value = MPod> {
    (
        0u8..2,
        prop::collection::vec(prop::option::of(0u8..2), 2),
        any::<bool>(),
    )
        .prop_map(|(ns, labels, named)| MPod { ns, labels, named })
}

/// The block of `c`: 10.0.0.0/8, 10.1.0.0/16, 10.1.2.0/24; excepts 10.1.0.0/16 …
fn block(c: u8) -> &'static str {
    ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32"][usize::from(c)]
}

fn ip_in(c: u8, ip: [u8; 4]) -> bool {
    match c {
        0 => ip[0] == 10,
        1 => ip[0] == 10 && ip[1] == 1,
        2 => ip[0] == 10 && ip[1] == 1 && ip[2] == 2,
        _ => ip == [10, 1, 2, 3],
    }
}

fn to_selector(s: &Sel) -> serde_json::Value {
    let exprs: Vec<serde_json::Value> = s
        .0
        .iter()
        .map(|(k, op, v)| {
            let key = KEYS[usize::from(*k)];
            match op {
                0 => serde_json::json!({"key": key, "operator": "In", "values": [VALUES[usize::from(*v)]]}),
                1 => serde_json::json!({"key": key, "operator": "NotIn", "values": [VALUES[usize::from(*v)]]}),
                2 => serde_json::json!({"key": key, "operator": "Exists"}),
                _ => serde_json::json!({"key": key, "operator": "DoesNotExist"}),
            }
        })
        .collect();
    serde_json::json!({ "matchExpressions": exprs })
}

fn to_rule(r: &MRule, peers_field: &str) -> serde_json::Value {
    let ports: Vec<serde_json::Value> = r
        .ports
        .iter()
        .map(|p| {
            let mut v = serde_json::json!({"protocol": if p.udp { "UDP" } else { "TCP" }});
            if p.named {
                v["port"] = "http".into();
            } else if let Some(n) = p.port {
                v["port"] = n.into();
                if let Some(e) = p.end {
                    v["endPort"] = e.into();
                }
            }
            v
        })
        .collect();
    let peers: Vec<serde_json::Value> = r
        .peers
        .iter()
        .map(|p| match p {
            MPeer::Pods(s) => serde_json::json!({"podSelector": to_selector(s)}),
            MPeer::Nss(s) => serde_json::json!({"namespaceSelector": to_selector(s)}),
            MPeer::Both(n, s) => serde_json::json!({"namespaceSelector": to_selector(n), "podSelector": to_selector(s)}),
            MPeer::Block(c, e) => {
                let except: Vec<&str> = e.iter().map(|e| block(*e)).collect();
                serde_json::json!({"ipBlock": {"cidr": block(*c), "except": except}})
            }
        })
        .collect();
    serde_json::json!({"ports": ports, peers_field: peers})
}

fn to_policy(i: usize, m: &MPolicy) -> NetworkPolicy {
    let mut spec = serde_json::json!({"podSelector": to_selector(&m.select)});
    if let Some(rules) = &m.ingress {
        spec["ingress"] = rules.iter().map(|r| to_rule(r, "from")).collect();
    }
    if let Some(rules) = &m.egress {
        spec["egress"] = rules.iter().map(|r| to_rule(r, "to")).collect();
    }
    if let Some((i, e)) = m.types {
        let mut t = Vec::new();
        if i {
            t.push("Ingress");
        }
        if e {
            t.push("Egress");
        }
        spec["policyTypes"] = t.into();
    }
    policy(NSS[usize::from(m.ns)], &format!("p{i}"), spec)
}

fn to_end(p: &MPod, ip: [u8; 4]) -> End {
    let mut l = BTreeMap::new();
    for (k, v) in p.labels.iter().enumerate() {
        if let Some(v) = v {
            l.insert(KEYS[k].to_string(), VALUES[usize::from(*v)].to_string());
        }
    }
    let ns = NSS[usize::from(p.ns)];
    End {
        ip: format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]),
        pod: Some(PodFacts {
            namespace: ns.into(),
            labels: l,
            namespace_labels: labels(&[("kubernetes.io/metadata.name", ns)]),
            ports: if p.named {
                vec![("http".into(), 8080, "TCP".into())]
            } else {
                Vec::new()
            },
        }),
    }
}

// The oracle.

fn o_sel(s: &Sel, labels: &[Option<u8>]) -> bool {
    s.0.iter().all(|(k, op, v)| {
        let have = labels[usize::from(*k)];
        match op {
            0 => have == Some(*v),
            1 => have != Some(*v),
            2 => have.is_some(),
            _ => have.is_none(),
        }
    })
}

/// Namespace labels are only `kubernetes.io/metadata.name`: a selector on `app`/`tier`
/// sees them unset.
fn o_ns_sel(s: &Sel) -> bool {
    o_sel(s, &[None, None])
}

struct OEnd<'a> {
    pod: Option<&'a MPod>,
    ip: [u8; 4],
}

fn o_peer(p: &MPeer, policy_ns: u8, e: &OEnd<'_>) -> bool {
    match p {
        MPeer::Block(c, ex) => ip_in(*c, e.ip) && !ex.is_some_and(|x| ip_in(x, e.ip)),
        MPeer::Pods(s) => e
            .pod
            .is_some_and(|p| p.ns == policy_ns && o_sel(s, &p.labels)),
        MPeer::Nss(n) => e.pod.is_some() && o_ns_sel(n),
        MPeer::Both(n, s) => e.pod.is_some_and(|p| o_ns_sel(n) && o_sel(s, &p.labels)),
    }
}

fn o_port(p: &MPort, port: u16, udp: bool, dst: Option<&MPod>) -> bool {
    if p.udp != udp {
        return false;
    }
    if p.named {
        return !udp && port == 8080 && dst.is_some_and(|d| d.named);
    }
    match (p.port, p.end) {
        (None, _) => true,
        (Some(n), None) => n == port,
        (Some(n), Some(e)) => n <= port && port <= e,
    }
}

fn o_types(m: &MPolicy) -> (bool, bool) {
    m.types
        .unwrap_or((true, m.egress.as_ref().is_some_and(|e| !e.is_empty())))
}

/// Whether `pod` may send (egress) or receive (ingress) this packet.
fn o_side(
    policies: &[MPolicy],
    pod: &MPod,
    egress: bool,
    peer: &OEnd<'_>,
    dst: Option<&MPod>,
    port: u16,
    udp: bool,
) -> bool {
    let mut isolated = false;
    for m in policies {
        let (i, e) = o_types(m);
        if m.ns != pod.ns || !o_sel(&m.select, &pod.labels) || !(if egress { e } else { i }) {
            continue;
        }
        isolated = true;
        let rules = if egress { &m.egress } else { &m.ingress };
        for r in rules.iter().flatten() {
            let port_ok = r.ports.is_empty() || r.ports.iter().any(|p| o_port(p, port, udp, dst));
            let peer_ok = r.peers.is_empty() || r.peers.iter().any(|p| o_peer(p, m.ns, peer));
            if port_ok && peer_ok {
                return true;
            }
        }
    }
    !isolated
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]
    #[test]
    fn decisions_match_the_spec(
        policies in prop::collection::vec(mpolicy(), 0..4),
        src in prop::option::of(mpod()),
        dst in prop::option::of(mpod()),
        src_ip in prop::sample::select(vec![[10u8, 1, 2, 3], [10, 1, 2, 9], [10, 1, 7, 7], [10, 9, 9, 9], [192, 168, 1, 1]]),
        dst_ip in prop::sample::select(vec![[10u8, 1, 2, 4], [10, 2, 0, 1], [172, 16, 0, 1]]),
        port in prop::sample::select(vec![53u16, 80, 85, 8080, 9000]),
        udp in any::<bool>(),
        from_dst_node in any::<bool>(),
    ) {
        let objects: Vec<NetworkPolicy> = policies.iter().enumerate().map(|(i, m)| to_policy(i, m)).collect();
        let end = |p: &Option<MPod>, ip| match p {
            Some(p) => to_end(p, ip),
            None => End { ip: format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]), pod: None },
        };
        let packet = Packet {
            src: end(&src, src_ip),
            dst: end(&dst, dst_ip),
            port,
            protocol: if udp { "UDP" } else { "TCP" },
            from_dst_node,
        };
        let got = verdict(&objects, &packet);
        let s = OEnd { pod: src.as_ref(), ip: src_ip };
        let d = OEnd { pod: dst.as_ref(), ip: dst_ip };
        let out_ok = src.as_ref().is_none_or(|p| o_side(&policies, p, true, &d, dst.as_ref(), port, udp));
        let in_ok = from_dst_node
            || dst.as_ref().is_none_or(|p| o_side(&policies, p, false, &s, dst.as_ref(), port, udp));
        let want = match (out_ok, in_ok) {
            (false, _) => Some(Direction::Egress),
            (true, false) => Some(Direction::Ingress),
            (true, true) => None,
        };
        let got_dir = match &got {
            Verdict::Allow => None,
            Verdict::Deny(d, names) => {
                prop_assert!(!names.is_empty());
                Some(*d)
            }
        };
        prop_assert_eq!(got_dir, want);
    }
}
