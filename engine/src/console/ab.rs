//! `ab` on the learner's machine (Ubuntu's `apache2-utils`): the network runs it
//! (`network::load::bench`) while time passes; the console prints what it wrote, at once
//! when nobody watches, or as a job that Ctrl-C stops.

use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::network::load::bench;
use crate::node::process::ab::{self, Build};
use crate::output::Output;

/// Longest a run may take when nobody watches (as `sleep`'s cap); then it is stopped as
/// Ctrl-C would.
const UNWATCHED_LIMIT: SimDuration = SimDuration::seconds(86_400);

/// A run the console streams.
#[derive(Clone, Debug)]
pub(crate) struct Running {
    /// Its lines up to this time are printed (epoch ms).
    printed_until: i64,
}

/// `ab ARGS`.
pub(super) fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let argv: Vec<String> = std::iter::once("ab".to_string())
        .chain(args.iter().cloned())
        .collect();
    let opts = match ab::parse(&argv, Build::Host) {
        Ok(o) => o,
        Err(r) => return printed(r.lines, r.code),
    };
    let start = cluster.world.clock.now_ms();
    let origin = cluster.host_origin();
    bench::start_host(&mut cluster.net_cx(), origin, opts, start);
    cluster.advance(SimDuration::millis(0));
    if cluster.console.may_stream() {
        let mut job = Running {
            printed_until: start - 1,
        };
        let mut out = Output::default();
        if !job.poll(cluster, &mut out) {
            cluster.console.job = Some(super::Job::Bench(job));
        }
        return out;
    }
    let ended = cluster.advance_until(UNWATCHED_LIMIT, |c| {
        bench::host(&c.network)
            .and_then(bench::Bench::end)
            .is_some_and(|(at, _)| at <= c.world.clock.now_ms())
    });
    let now = cluster.world.clock.now_ms();
    let Some(b) = bench::stop_host(&mut cluster.net_cx(), now, !ended) else {
        return Output::default();
    };
    let mut out = printed(b.lines_between(start - 1, now), 0);
    out.exit_code = b.end().map_or(1, |(_, code)| code);
    out
}

impl Running {
    /// Prints what the run wrote since the last poll; true once it has ended.
    pub(crate) fn poll(&mut self, cluster: &mut Cluster, out: &mut Output) -> bool {
        let now = cluster.world.clock.now_ms();
        let Some(b) = bench::host(&cluster.network) else {
            return true;
        };
        out.extend(printed(b.lines_between(self.printed_until, now), 0));
        self.printed_until = now;
        match b.end() {
            Some((at, code)) if at <= now => {
                bench::stop_host(&mut cluster.net_cx(), now, false);
                out.exit_code = code;
                true
            }
            _ => false,
        }
    }

    /// Ctrl-C: ab prints its report of what was done (its SIGINT handler) and exits 1.
    pub(crate) fn interrupt(self, cluster: &mut Cluster) -> Output {
        let now = cluster.world.clock.now_ms();
        let mut out = Output::default();
        if let Some(b) = bench::stop_host(&mut cluster.net_cx(), now, true) {
            out.err("^C");
            out.extend(printed(b.lines_between(self.printed_until, now), 1));
        }
        out.exit_code = 1;
        out
    }
}

/// Lines as output, stdout and stderr in order.
fn printed(lines: Vec<(String, bool)>, code: i32) -> Output {
    let mut o = Output::default();
    for (text, stderr) in lines {
        if stderr {
            o.err(text);
        } else {
            o.out(text);
        }
    }
    o.exit_code = code;
    o
}
