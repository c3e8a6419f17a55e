//! `nslookup`: busybox's own resolver (busybox and alpine images), which queries A and
//! AAAA for the name under each search domain when it has no dot (and only as given when it
//! has one), printing every reply; and ISC nslookup on the learner's machine, whose
//! resolver (systemd-resolved) knows nothing of the cluster.

use super::{Client, Kit, Printed};
use crate::network::dns::{self, Answer, NAMESERVER};
use crate::node::process::script::ToolRun;

/// Runs `nslookup NAME [SERVER]`.
pub fn run(client: &mut Client<'_>, args: &[String]) -> ToolRun {
    let mut p = Printed::default();
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(name) = names.first() else {
        if client.kit == Kit::Host {
            // Interactive mode needs a terminal on stdin.
            return p.done(0, 0);
        }
        p.err("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any");
        return p.done(1, 0);
    };
    if client.kit == Kit::Host {
        return host(p, client, name);
    }
    let Some(namespace) = (match &client.origin {
        crate::network::Origin::Pod { namespace, .. } => Some(namespace.clone()),
        crate::network::Origin::Host { .. } => None,
    }) else {
        return p.done(1, 0);
    };
    let queried: Vec<String> = if let Some(absolute) = name.strip_suffix('.') {
        vec![absolute.to_string()]
    } else if name.contains('.') || dns::is_ipv4(name) {
        vec![name.to_string()]
    } else {
        dns::search_list(&namespace)
            .iter()
            .map(|d| format!("{name}.{d}"))
            .collect()
    };
    if client.unanswered(name) {
        p.out(";; connection timed out; no servers could be reached\n");
        return p.done(1, super::RESOLVER_TIMEOUT_MS);
    }
    p.out(format!(
        "Server:\t\t{NAMESERVER}\nAddress:\t{NAMESERVER}:53\n"
    ));
    let answers: Vec<(String, Option<Answer>)> = queried
        .iter()
        .map(|q| {
            let mut a = dns::lookup(client.cx.world, q);
            if let Some(a) = a.as_mut() {
                dns::shuffle(a, &mut client.cx.net.rng);
            }
            (q.clone(), a)
        })
        .collect();
    let nx = |p: &mut Printed, q: &str| p.out(format!("** server can't find {q}: NXDOMAIN\n"));
    // A queries: the NXDOMAIN replies come back first, then the answers.
    for (q, a) in &answers {
        if a.is_none() {
            nx(&mut p, q);
        }
    }
    for (q, a) in &answers {
        match a {
            Some(Answer::Addresses(ips)) => {
                let mut block = String::new();
                for ip in ips {
                    block.push_str(&format!("Name:\t{q}\nAddress: {ip}\n"));
                }
                p.out(block);
            }
            Some(Answer::Alias(target)) => {
                p.out(format!("{q}\tcanonical name = {target}\n"));
            }
            None => {}
        }
    }
    // AAAA queries: the names that exist have no IPv6 record (an empty reply).
    for (_, a) in &answers {
        if a.is_some() {
            p.out("");
        }
    }
    for (q, a) in &answers {
        if a.is_none() {
            nx(&mut p, q);
        }
    }
    let code = i32::from(answers.iter().any(|(_, a)| a.is_none()));
    p.done(code, 1)
}

/// ISC nslookup on the learner's machine: only addresses resolve.
fn host(mut p: Printed, client: &Client<'_>, name: &str) -> ToolRun {
    p.out("Server:\t\t127.0.0.53\nAddress:\t127.0.0.53#53\n");
    if dns::is_ipv4(name) {
        p.out(format!(
            "** server can't find {}.in-addr.arpa: NXDOMAIN\n",
            reverse(name)
        ));
        return p.done(1, 1);
    }
    let _ = client;
    p.out(format!("** server can't find {name}: NXDOMAIN\n"));
    p.done(1, 1)
}

/// `10.96.0.1` → `1.0.96.10`.
fn reverse(ip: &str) -> String {
    ip.split('.').rev().collect::<Vec<_>>().join(".")
}
