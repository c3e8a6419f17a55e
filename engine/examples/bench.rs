//! Engine benchmarks: `./dev bench` (or `cargo run --release -p kubeplay-engine --example bench`).
//! Prints wall time per operation; simulated time is reported where it matters.

use std::time::Instant;

use kubeplay_engine::Cluster;

fn measure(label: &str, iterations: u32, mut f: impl FnMut()) {
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let per = start.elapsed() / iterations;
    println!("{label:<44} {per:>12.2?} per run ({iterations} runs)");
}

fn main() {
    measure("create the default cluster", 1000, || {
        std::hint::black_box(Cluster::new());
    });
    let mut cluster = Cluster::new();
    measure("kubectl get nodes -o wide", 10_000, || {
        std::hint::black_box(cluster.run("kubectl get nodes -o wide"));
    });
    measure("kubectl get all -A (empty)", 10_000, || {
        std::hint::black_box(cluster.run("kubectl get all -A"));
    });
}
