//! `ping`: busybox's (busybox and alpine images) and iputils' (the learner's machine,
//! CentOS). Pods and nodes answer; a Service's ClusterIP does not (kube-proxy only
//! rewrites TCP/UDP/SCTP to its ports).

use super::{Client, Kit, Printed};
use crate::network::proxy;
use crate::node::process::script::ToolRun;

/// Packets sent without `-c`, where a learner would press Ctrl-C.
const UNBOUNDED_COUNT: u32 = 4;
/// Most packets one ping sends.
const MAX_COUNT: u32 = 1_000;
/// How long busybox ping waits for the last reply (MAXWAIT).
const LAST_WAIT_MS: i64 = 10_000;

/// Runs `ping ARGS` at `now_ms`.
pub fn run(client: &mut Client<'_>, args: &[String], _now_ms: i64) -> ToolRun {
    let iputils = matches!(client.kit, Kit::Host | Kit::Centos);
    let mut p = Printed::default();
    let mut count = None;
    let mut target = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if let Some(v) = a.strip_prefix("-c") {
            let v = if v.is_empty() {
                i += 1;
                args.get(i - 1).map(String::as_str).unwrap_or("")
            } else {
                v
            };
            match v.parse::<u32>() {
                Ok(n) if n > 0 => count = Some(n.min(MAX_COUNT)),
                _ => {
                    p.err(if iputils {
                        format!("ping: invalid argument: '{v}': out of range: 1 <= value <= 9223372036854775807")
                    } else {
                        format!("ping: invalid number '{v}'")
                    });
                    return p.done(1, 0);
                }
            }
        } else if !a.starts_with('-') {
            target = Some(a.clone());
        }
    }
    let Some(host) = target else {
        p.err(if iputils {
            "ping: usage error: Destination address required".to_string()
        } else {
            "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST".to_string()
        });
        return p.done(1, 0);
    };
    let Some(ip) = client.resolve(&host) else {
        let timed_out = client.unanswered(&host);
        p.err(match (iputils, timed_out) {
            (true, true) => format!("ping: {host}: Temporary failure in name resolution"),
            (true, false) => format!("ping: {host}: Name or service not known"),
            (false, _) => format!("ping: bad address '{host}'"),
        });
        let spent = if timed_out {
            super::RESOLVER_TIMEOUT_MS
        } else {
            0
        };
        return p.done(if iputils { 2 } else { 1 }, spent);
    };
    let interrupted = count.is_none();
    let n = count.unwrap_or(UNBOUNDED_COUNT);
    let reply = answers(client, &ip);
    if iputils {
        p.out(format!("PING {host} ({ip}) 56(84) bytes of data."));
    } else {
        p.out(format!("PING {host} ({ip}): 56 data bytes"));
    }
    let mut times = Vec::new();
    if let Some(ttl) = reply {
        for seq in 0..n {
            // A few tens of microseconds, varying by packet: deterministic, like a quiet LAN.
            let micros = 40 + (seq * 7 + ip.len() as u32 * 13) % 60;
            times.push(micros);
            if iputils {
                p.out(format!(
                    "64 bytes from {ip}: icmp_seq={} ttl={ttl} time=0.{micros:03} ms",
                    seq + 1
                ));
            } else {
                p.out(format!(
                    "64 bytes from {ip}: seq={seq} ttl={ttl} time=0.{micros:03} ms"
                ));
            }
        }
    }
    if interrupted {
        p.out("^C");
    }
    let received = times.len() as u32;
    let loss = if received == n { 0 } else { 100 };
    let span_ms = i64::from(n.saturating_sub(1)) * 1000;
    p.out("");
    p.out(format!("--- {host} ping statistics ---"));
    if iputils {
        p.out(format!(
            "{n} packets transmitted, {received} received, {loss}% packet loss, time {}ms",
            span_ms + 3 * i64::from(n.saturating_sub(1))
        ));
    } else {
        p.out(format!(
            "{n} packets transmitted, {received} packets received, {loss}% packet loss"
        ));
    }
    if let (Some(min), Some(max)) = (times.iter().min(), times.iter().max()) {
        let avg = times.iter().sum::<u32>() / received.max(1);
        if iputils {
            p.out(format!(
                "rtt min/avg/max/mdev = 0.{min:03}/0.{avg:03}/0.{max:03}/0.{:03} ms",
                (max - min) / 2
            ));
        } else {
            p.out(format!(
                "round-trip min/avg/max = 0.{min:03}/0.{avg:03}/0.{max:03} ms"
            ));
        }
    } else if iputils {
        p.out("");
    }
    let elapsed = if received == 0 && !interrupted && !iputils {
        span_ms + LAST_WAIT_MS
    } else {
        span_ms + 1
    };
    p.done(i32::from(received == 0), elapsed)
}

/// The TTL of the replies from `ip`, or `None` when nothing answers ICMP there: 64 less one
/// for each node that routes the packet (nodes share one LAN; a pod's packets are routed by
/// its node, and again by the node of a pod on another node).
fn answers(client: &Client<'_>, ip: &str) -> Option<u32> {
    let world = &*client.cx.world;
    let here = client.origin.node();
    let from_pod = matches!(client.origin, crate::network::Origin::Pod { .. });
    if ip == "127.0.0.1" || ip == client.origin.ip() {
        return Some(64);
    }
    if proxy::node_by_ip(world, ip).is_some() {
        return Some(if from_pod { 63 } else { 64 });
    }
    if let Some(pod) = proxy::pod_by_ip(world, ip) {
        here?;
        // Echo requests are ICMP: only policy rules without ports admit them.
        let seen = match &client.origin {
            crate::network::Origin::Pod { ip, .. } => ip.clone(),
            crate::network::Origin::Host { node, ip } => node
                .as_deref()
                .and_then(|n| {
                    let local = pod.spec.as_ref()?.node_name.as_deref() == Some(n);
                    proxy::node_pod_addresses(world, n)
                        .into_iter()
                        .nth(usize::from(local))
                })
                .unwrap_or_else(|| ip.clone()),
        };
        crate::network::exchange::admitted(&client.cx, &client.origin, &seen, ip, 0, "ICMP")
            .ok()?;
        let on = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
        let hops = u32::from(from_pod && on != here) + u32::from(on != here);
        return Some(64 - hops);
    }
    None
}
