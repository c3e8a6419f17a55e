//! `nc` (busybox's netcat): `nc -z [-v] [-w SEC] HOST PORT` probes a port; without `-z` it
//! connects and, with nothing on stdin, closes at once.

use super::{seconds_ms, Client, Printed, KERNEL_CONNECT_TIMEOUT_MS};
use crate::network::exchange::{self, Connect};
use crate::network::proxy::Route;
use crate::node::process::script::ToolRun;

/// Runs `nc ARGS` at `now_ms`.
pub fn run(client: &mut Client<'_>, args: &[String], now_ms: i64) -> ToolRun {
    let mut p = Printed::default();
    let mut verbose = 0;
    let mut wait_ms = None;
    let mut rest = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if a.len() > 1 && a.starts_with('-') {
            for (k, c) in a.chars().skip(1).enumerate() {
                match c {
                    'v' => verbose += 1,
                    'z' | 'n' => {}
                    'w' => {
                        let inline: String = a.chars().skip(k + 2).collect();
                        let v = if inline.is_empty() {
                            i += 1;
                            args.get(i - 1).cloned().unwrap_or_default()
                        } else {
                            inline
                        };
                        wait_ms = seconds_ms(&v);
                        break;
                    }
                    _ => {
                        p.err(format!("nc: invalid option -- '{c}'"));
                        p.err(USAGE);
                        return p.done(1, 0);
                    }
                }
            }
        } else {
            rest.push(a.clone());
        }
    }
    let (Some(host), Some(port)) = (rest.first(), rest.get(1)) else {
        p.err(USAGE);
        return p.done(1, 0);
    };
    let Some(port) = port.parse::<u16>().ok() else {
        p.err(format!("nc: bad port '{port}'"));
        return p.done(1, 0);
    };
    let Some(ip) = client.resolve(host) else {
        exchange::record_no_name(&mut client.cx, &client.origin, host, now_ms);
        p.err(format!("nc: bad address '{host}'"));
        let spent = if client.unanswered(host) {
            super::RESOLVER_TIMEOUT_MS
        } else {
            0
        };
        return p.done(1, spent);
    };
    match exchange::connect(&mut client.cx, &client.origin, &ip, port, now_ms) {
        Connect::Open(_) => {
            if verbose > 0 {
                p.err(format!("{host} ({ip}:{port}) open"));
            }
            p.done(0, 1)
        }
        Connect::Closed(Route::Refused { .. } | Route::Node { .. } | Route::Pod { .. }) => {
            if verbose > 1 {
                p.err(format!("nc: {host} ({ip}:{port}): Connection refused"));
            }
            p.done(1, 0)
        }
        Connect::Closed(Route::Dropped { .. }) | Connect::Blocked { .. } => {
            let spent = wait_ms.map_or(KERNEL_CONNECT_TIMEOUT_MS, |w| {
                w.min(KERNEL_CONNECT_TIMEOUT_MS)
            });
            if verbose > 0 {
                p.err(format!("nc: {host} ({ip}:{port}): Connection timed out"));
            }
            p.done(1, spent)
        }
    }
}

const USAGE: &str = "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen";
