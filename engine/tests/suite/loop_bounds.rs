//! Property tests: hostile console loops (deep nesting, huge `seq` ranges, `while true` with
//! no `sleep`, growing variables, long sleeps) end quickly, with bounded output and bounded
//! simulated time, whether the front end streams or not.

use std::time::{Duration, Instant};

use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;

/// What a loop may start with.
const HEADS: &[&str] = &[
    "while true; do ",
    "until false; do ",
    "for i in $(seq 1 1000000000); do ",
    "for i in $(seq 0 0.000001 1); do ",
    "while kubectl get pods | grep -q zzz || true; do ",
    "for i in a b c; do ",
    "while [ $n -lt 1000000000 ]; do if [[ $n == 1* ]]; then n=$((n+1)); fi; ",
    "for i in $(seq 1 $((n+100000))); do ",
    "for i in $(seq 1 10) $(seq 1 10); do ",
];

/// Commands a loop body may hold.
const BODIES: &[&str] = &[
    "echo x",
    "echo $((n++))",
    "x=\"$x$x$x$x\"",
    "x=$(seq 1 100000)",
    "seq 1 100000",
    "sleep 1",
    "sleep 0",
    "sleep 1000",
    "kubectl get pods",
    "continue",
    "true || break",
    "echo -n .",
    "kubectl run p$n --image=nginx",
    "if [ $n -gt 5 ]; then break; else echo $n; fi",
    "case $n in 1*) continue;; *) echo $n;; esac",
    "[[ $x == a* ]] && x=$x$x",
    "x=$(echo \"$x\" | sed 's/./&&&&/g')",
    "printf '%s%s' \"$x\" \"$x\" | wc -c",
    "echo ${#x} $((n = n * 2 + 1)) $((1 << n)) ${x%a*}",
    "echo $x$x$x$x >> f",
    "kubectl run q$((n++)) --image=nginx -- sh -c 'x=a; while true; do x=$x$x; done'",
];

/// A loop `depth` levels deep with random heads and bodies.
fn hostile_loop() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(HEADS), 1..6),
        prop::collection::vec(prop::sample::select(BODIES), 1..4),
        prop::bool::ANY,
    )
        .prop_map(|(heads, bodies, piped)| {
            let mut line = String::from("x=ab; n=0; ");
            for h in &heads {
                line.push_str(h);
            }
            line.push_str(&bodies.join("; "));
            line.push_str("; ");
            line.push_str(&"done; ".repeat(heads.len()));
            if piped {
                line.push_str("echo end | wc -l");
            }
            line
        })
}

/// Bytes a bounded entry may print: the loops' bound (16 MiB), one command's output and `^C`.
const MAX_PRINTED: usize = (16 << 20) + 2 * 700_000;

/// Wall time one case may take (a debug build on a busy machine); the slowest of 1,500
/// random cases took under a second once loops were held to the shell budget (a loop
/// creating 10,000 pods took minutes before `budget::MAX_CLUSTER_COMMANDS`).
const MAX_WALL: Duration = Duration::from_secs(20);

proptest! {
    // Random seeds: each run tries new cases (`PROPTEST_CASES=1500` to hunt).
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn hostile_loops_end_quickly_with_bounded_output(line in hostile_loop()) {
        let mut c = Cluster::new();
        let start = Instant::now();
        let before = c.uptime().0;
        let out = c.run(&line);
        prop_assert!(start.elapsed() < MAX_WALL, "{line} took {:?}", start.elapsed());
        prop_assert!(out.text().len() <= MAX_PRINTED, "{line}: {} bytes", out.text().len());
        // At most the loop span (ten minutes) of simulated time, plus one long sleep.
        prop_assert!(c.uptime().0 - before <= 600_000 + 1_000_000, "{line}");
        prop_assert!(!c.job_running());
    }

    #[test]
    fn streamed_hostile_loops_pause_or_end_quickly(line in hostile_loop()) {
        let mut c = Cluster::new();
        c.set_streaming(true);
        let start = Instant::now();
        let mut printed = c.run(&line).text().len();
        for _ in 0..3 {
            c.advance(SimDuration::seconds(1000));
            printed += c.poll_job().text().len();
        }
        c.interrupt();
        prop_assert!(start.elapsed() < MAX_WALL, "{line} took {:?}", start.elapsed());
        prop_assert!(printed <= 4 * MAX_PRINTED, "{line}: {printed} bytes");
        prop_assert!(!c.job_running());
    }
}

#[test]
fn an_endless_loop_without_sleep_stops_at_the_pass_bound() {
    let mut c = Cluster::new();
    let out = c.run("while true; do echo x; done");
    assert_eq!(out.exit_code, 130);
    let text = out.text();
    assert_eq!(text.matches("x\n").count(), 10_000);
    assert!(text.ends_with(
        "x\nbash: this loop exceeds 10000 passes: Kubeplay stops it here (use a smaller loop, or sleep in it)\n"
    ));
    assert_eq!(c.run("echo $?").stdout(), "130\n");
}

#[test]
fn a_huge_seq_stops_at_the_byte_bound() {
    let mut c = Cluster::new();
    let out = c.run("seq 1 1000000000000");
    assert_eq!(out.exit_code, 130);
    assert!(out.text().len() <= (16 << 20) + 200);
    let said = "bash: output of this command exceeds 16 MiB: Kubeplay stops it here (use head or a smaller loop)\n";
    assert!(out.text().ends_with(said));
    // Inside `$(...)` the whole line stops: the command is not run.
    let out = c.run("kubectl delete pods $(seq 1 1000000000000)");
    assert_eq!(out.text(), said);
}

#[test]
fn a_sleeping_loop_stops_after_its_span_of_simulated_time() {
    let mut c = Cluster::new();
    let before = c.uptime().0;
    let out = c.run("while true; do sleep 7; done");
    assert_eq!(out.text(), "^C\n");
    assert_eq!(c.uptime().0 - before, 600_000);
}

#[test]
fn growing_variables_are_stopped() {
    let mut c = Cluster::new();
    let out = c.run("x=abcdefgh; while true; do x=\"$x$x\"; done");
    assert_eq!(out.exit_code, 130);
    assert_eq!(
        out.text(),
        "bash: a string of this command exceeds 4 MiB: Kubeplay stops it here (keep variables, arguments and $(...) results smaller)\n"
    );
    // The value before the doubling that would pass the limit.
    assert_eq!(c.run("echo ${#x}").stdout(), "2097152\n");
}
