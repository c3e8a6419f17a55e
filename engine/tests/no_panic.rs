//! Property tests: no console input makes the engine panic (a panic kills the page in wasm).

use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;

/// Words learners type, so random lines often reach deep into the kubectl code paths.
const WORDS: &[&str] = &[
    "kubectl",
    "k",
    "get",
    "run",
    "delete",
    "version",
    "pods",
    "po",
    "nodes",
    "no",
    "ns",
    "all",
    "events",
    "pod/x",
    "node/node1",
    "x",
    "nginx",
    "--image=nginx",
    "--image=nginxx",
    "--image=",
    "-o",
    "wide",
    "name",
    "-A",
    "-n",
    "kube-system",
    "--show-labels",
    "--labels=a=b",
    "--port=80",
    "--port=x",
    "--grace-period=0",
    "--force",
    "--",
    "sleep",
    "5",
    "echo",
    "&&",
    "||",
    ";",
    "'",
    "\"",
    "\\",
    "#",
    "clear",
    "help",
    "-",
    "--",
    "=",
    ",",
    "/",
];

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        // Arbitrary text, including control characters and non-ASCII (Korean) input.
        ".{0,80}",
        // Sequences of known words, glued with spaces or nothing.
        prop::collection::vec((prop::sample::select(WORDS), prop::bool::ANY), 0..10).prop_map(
            |ws| {
                ws.into_iter()
                    .map(|(w, space)| {
                        if space {
                            format!("{w} ")
                        } else {
                            w.to_string()
                        }
                    })
                    .collect()
            }
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn console_never_panics(lines in prop::collection::vec(line(), 1..8), seed in 0u64..4) {
        let mut cluster = Cluster::with_config(kubeplay_engine::ClusterConfig { seed, ..Default::default() });
        for l in &lines {
            let _ = cluster.run(l);
            cluster.advance(SimDuration::seconds(3));
        }
    }

    #[test]
    fn same_seed_same_output(lines in prop::collection::vec(line(), 1..6)) {
        let run = || {
            let mut c = Cluster::new();
            lines.iter().map(|l| { let o = c.run(l).text(); c.advance(SimDuration::seconds(2)); o }).collect::<Vec<_>>()
        };
        prop_assert_eq!(run(), run());
    }
}
