//! Engine benchmarks: `./dev bench` (or `cargo run --release -p kubeplay-engine --example bench`).
//! Prints wall time per operation, simulated time where it matters, and memory per pod.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use kubeplay_engine::{Cluster, ClusterConfig, ClusterProfile, SimDuration};
use mimalloc::MiMalloc;

/// Counts live heap bytes, to report memory per pod, over the allocator the CLI uses.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { MiMalloc.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        moved
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn measure(label: &str, iterations: u32, mut f: impl FnMut()) {
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let per = start.elapsed() / iterations;
    println!("{label:<52} {per:>12.2?} per run ({iterations} runs)");
}

fn main() {
    // `bench rollout` runs only the rollout benchmark (handy under a profiler).
    match std::env::args().nth(1).as_deref() {
        Some("rollout") => return rollout(500),
        Some("ticks") => return ticks(300),
        Some("network") => return network(),
        Some("autoscaling") => return autoscaling(300),
        Some("pods") => return pods(1000),
        Some("scale") => return scale(9_000),
        Some("day") => return day(),
        Some("week") => return week(),
        _ => {}
    }
    measure("create the default cluster", 200, || {
        std::hint::black_box(Cluster::new());
    });
    let mut cluster = Cluster::new();
    measure("kubectl get nodes -o wide", 2_000, || {
        std::hint::black_box(cluster.run("kubectl get nodes -o wide"));
    });

    pods(1000);
    rollout(500);
    ticks(300);
    network();
    autoscaling(300);
    day();
    week();
}

/// The long-running cases: a `*/1` CronJob (a Job and its pod a minute, history limits,
/// garbage collection) and 50 crash-looping pods.
const LONG_RUNS: [(&str, &str); 2] = [
    (
        "a */1 CronJob",
        "kubectl create cronjob c --image=busybox --schedule='*/1 * * * *' -- date",
    ),
    (
        "50 crash-looping pods",
        "kubectl create deploy d --image=busybox --replicas=50 -- false",
    ),
];

/// A simulated day of `sleep` (the console's cap) over each of [`LONG_RUNS`]: wall time,
/// and live memory after each of six days (flat when every history is bounded).
/// `bench day WORD [DAYS]` runs only the cases naming WORD, for DAYS days (handy under a
/// profiler).
fn day() {
    let only = std::env::args().nth(2).unwrap_or_default();
    let days: u32 = std::env::args()
        .nth(3)
        .and_then(|d| d.parse().ok())
        .unwrap_or(6);
    for (what, setup) in LONG_RUNS
        .into_iter()
        .filter(|(what, _)| what.contains(&only))
    {
        let mut cluster = Cluster::new();
        cluster.run(setup);
        let mut memory = Vec::new();
        for d in 1..=days {
            let start = Instant::now();
            cluster.run("sleep 86400");
            if d == 1 {
                println!(
                    "{:<52} {:>12.2?} wall",
                    format!("sleep 86400 with {what}"),
                    start.elapsed()
                );
            }
            memory.push(format!("{} MB", LIVE.load(Ordering::Relaxed) >> 20));
        }
        let events = cluster.run("kubectl get events -A --no-headers | wc -l");
        println!(
            "{:<52} {:>12} ({} events)",
            format!("  live memory after days 1 to {days}"),
            memory.join(", "),
            events.stdout().trim()
        );
    }
}

/// A simulated week (seven `sleep 86400`) over each of [`LONG_RUNS`]: wall time for the
/// week, and live memory at its end.
fn week() {
    for (what, setup) in LONG_RUNS {
        let mut cluster = Cluster::new();
        cluster.run(setup);
        let start = Instant::now();
        for _ in 0..7 {
            cluster.run("sleep 86400");
        }
        println!(
            "{:<52} {:>12.2?} wall ({} MB live)",
            format!("a week of sleep with {what}"),
            start.elapsed(),
            LIVE.load(Ordering::Relaxed) >> 20
        );
    }
}

/// `pods` pods created one `kubectl run` at a time on 10 workers, until all are Running;
/// then memory per pod and `kubectl get pods` over them (`PODS_ONLY=1 bench pods` stops
/// before the gets, so a profile of it holds only the pods' start).
#[allow(non_snake_case)]
fn pods(PODS: usize) {
    let mut cluster = Cluster::with_config(ClusterConfig {
        seed: 1,
        profile: ClusterProfile::with_workers(10),
    });
    let before = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    for i in 0..PODS {
        cluster.run(&format!("kubectl run pod-{i} --image=nginx"));
    }
    let created = start.elapsed();
    let sim_start = cluster.uptime();
    let mut waited = 0;
    while !cluster
        .run("kubectl get pods --no-headers")
        .stdout()
        .lines()
        .all(|l| l.contains("Running"))
        && waited < 600
    {
        cluster.advance(SimDuration::seconds(1));
        waited += 1;
    }
    let running = start.elapsed();
    let simulated = SimDuration::millis(cluster.uptime().0 - sim_start.0).as_seconds();
    println!(
        "{:<52} {:>12.2?} wall ({created:.2?} to create)",
        format!("kubectl run {PODS} pods until all are Running"),
        running
    );
    println!(
        "{:<52} {:>12} s simulated",
        "  simulated time until all Running", simulated
    );
    let per_pod = (LIVE.load(Ordering::Relaxed) - before) / PODS as isize;
    println!(
        "{:<52} {:>12} bytes (pods, events, watch log)",
        "memory per running pod", per_pod
    );
    if std::env::var_os("PODS_ONLY").is_some() {
        return;
    }
    measure(&format!("kubectl get pods over {PODS} pods"), 50, || {
        std::hint::black_box(cluster.run("kubectl get pods"));
    });
    measure(
        &format!("kubectl get pods -o wide over {PODS} pods"),
        50,
        || {
            std::hint::black_box(cluster.run("kubectl get pods -o wide"));
        },
    );
}

/// The page's ticks while metrics-server scrapes every 15 s and an HPA holds a Deployment
/// of `replicas` php-apache pods under the load of 60 generator pods (each a `wget` loop:
/// a load stream), on 20 workers.
fn autoscaling(replicas: usize) {
    let mut cluster = Cluster::with_config(ClusterConfig {
        seed: 3,
        profile: ClusterProfile::with_workers(20),
    });
    cluster.run("wget -q https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml");
    cluster.run(
        "sed -i 's/- --metric-resolution=15s/- --metric-resolution=15s\\n        - --kubelet-insecure-tls/' components.yaml",
    );
    cluster.run("kubectl apply -f components.yaml");
    let app = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        resources:
          requests:
            cpu: 20m
          limits:
            cpu: 100m
"
    );
    let _ = cluster.write_file("app.yaml", &app);
    cluster.run("kubectl apply -f app.yaml");
    cluster.run("kubectl expose deployment php-apache --port=80");
    cluster.run(&format!(
        "kubectl autoscale deployment php-apache --cpu=50% --min=1 --max={replicas}"
    ));
    for i in 0..60 {
        cluster.run(&format!(
            "kubectl run load-{i} --image=busybox:1.28 --restart=Never -- /bin/sh -c \"while sleep 0.01; do wget -q -O- http://php-apache; done\""
        ));
    }
    cluster.advance(SimDuration::seconds(120));
    let tick = SimDuration::millis(250);
    let (mut worst, mut total) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    const TICKS: u32 = 480;
    for _ in 0..TICKS {
        let t = Instant::now();
        cluster.advance(tick);
        let d = t.elapsed();
        worst = worst.max(d);
        total += d;
    }
    println!(
        "{:<52} {:>12.2?} mean, {:>10.2?} worst ({TICKS} ticks)",
        format!("page ticks: HPA + metrics over {replicas} pods, loaded"),
        total / TICKS,
        worst
    );
    let hpa = cluster.run("kubectl get hpa php-apache --no-headers");
    println!("  {}", hpa.stdout().trim());
}

/// Requests through a Service: 10,000 `curl`s from the learner's machine to a NodePort of
/// 10 endpoints; then the page's ticks while a `curl` loop runs as a console job over 300
/// pods behind one Service.
fn network() {
    let mut cluster = Cluster::new();
    cluster.run("kubectl create deployment hname --image=sysnet4admin/echo-hname --replicas=10");
    cluster.run("kubectl expose deployment hname --type=NodePort --port=80");
    cluster.advance(SimDuration::seconds(30));
    let port = cluster
        .run("kubectl get svc hname -o jsonpath={.spec.ports[0].nodePort}")
        .stdout();
    let line = format!("curl -s 192.168.1.101:{}", port.trim());
    const REQUESTS: u32 = 10_000;
    let start = Instant::now();
    for _ in 0..REQUESTS {
        std::hint::black_box(cluster.run(&line));
    }
    println!(
        "{:<52} {:>12.2?} wall",
        format!("{REQUESTS} requests through a Service of 10 endpoints"),
        start.elapsed()
    );

    let mut cluster = Cluster::new();
    cluster.run("kubectl create deployment web --image=sysnet4admin/echo-hname --replicas=300");
    cluster.run("kubectl expose deployment web --type=NodePort --port=80");
    cluster.advance(SimDuration::seconds(120));
    let port = cluster
        .run("kubectl get svc web -o jsonpath={.spec.ports[0].nodePort}")
        .stdout();
    cluster.set_streaming(true);
    cluster.run(&format!(
        "while true; do curl -s 192.168.1.101:{}; sleep 1; done",
        port.trim()
    ));
    let (mut worst, mut total) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    const TICKS: u32 = 240;
    for _ in 0..TICKS {
        let t = Instant::now();
        cluster.advance(SimDuration::millis(250));
        std::hint::black_box(cluster.poll_job());
        let d = t.elapsed();
        worst = worst.max(d);
        total += d;
    }
    cluster.interrupt();
    println!(
        "{:<52} {:>12.2?} mean, {:>10.2?} worst ({TICKS} ticks)",
        "page ticks: a curl loop over 300 pods",
        total / TICKS,
        worst
    );
}

/// The page's tick loop over `replicas` pods on the default 4-node cluster: each tick is one
/// `advance(250 ms)` on the UI thread, so its worst case decides whether the page stutters.
fn ticks(replicas: usize) {
    let mut cluster = Cluster::new();
    let tick = SimDuration::millis(250);
    let run_phase =
        |cluster: &mut Cluster, label: &str, max: u32, until: &dyn Fn(&mut Cluster) -> bool| {
            let (mut worst, mut total, mut n) =
                (std::time::Duration::ZERO, std::time::Duration::ZERO, 0u32);
            while n < max {
                let t = Instant::now();
                cluster.advance(tick);
                let d = t.elapsed();
                worst = worst.max(d);
                total += d;
                n += 1;
                if n % 4 == 0 && until(cluster) {
                    break;
                }
            }
            println!(
                "{:<52} {:>12.2?} mean, {:>10.2?} worst ({n} ticks)",
                label,
                total / n.max(1),
                worst
            );
        };
    let done = |c: &mut Cluster| {
        let out = c.run("kubectl get deployment web -o jsonpath={.status.updatedReplicas}/{.status.availableReplicas}/{.status.replicas}");
        let want = format!("{replicas}/{replicas}/{replicas}");
        out.stdout().trim() == want
    };
    measure(
        &format!("page command: create {replicas} replicas"),
        1,
        || {
            cluster.run(&format!(
                "kubectl create deployment web --image=nginx:1.26 --replicas={replicas}"
            ));
        },
    );
    run_phase(
        &mut cluster,
        &format!("page ticks: {replicas} pods starting"),
        2400,
        &done,
    );
    run_phase(
        &mut cluster,
        &format!("page ticks: {replicas} pods idle"),
        240,
        &|_| false,
    );
    cluster.run("kubectl set image deployment/web nginx=nginx:1.27");
    run_phase(
        &mut cluster,
        &format!("page ticks: rolling {replicas} pods"),
        2400,
        &done,
    );
}

/// A Deployment of `replicas` nginx pods, then a rolling update to a new image until
/// `rollout status` reports success: wall time and simulated time of each phase.
fn rollout(replicas: usize) {
    let mut cluster = Cluster::with_config(ClusterConfig {
        seed: 2,
        profile: ClusterProfile::with_workers(20),
    });
    let start = Instant::now();
    cluster.run(&format!(
        "kubectl create deployment web --image=nginx:1.26 --replicas={replicas}"
    ));
    let sim_start = cluster.uptime();
    let status = cluster.run("kubectl rollout status deployment/web --timeout=30m");
    let ready_sim = SimDuration::millis(cluster.uptime().0 - sim_start.0).as_seconds();
    println!(
        "{:<52} {:>12.2?} wall, {ready_sim} s simulated",
        format!("create a {replicas}-replica Deployment until available"),
        start.elapsed()
    );
    let start = Instant::now();
    let sim_start = cluster.uptime();
    cluster.run("kubectl set image deployment/web nginx=nginx:1.27");
    let status2 = cluster.run("kubectl rollout status deployment/web --timeout=30m");
    let rollout_sim = SimDuration::millis(cluster.uptime().0 - sim_start.0).as_seconds();
    println!(
        "{:<52} {:>12.2?} wall, {rollout_sim} s simulated",
        format!("roll {replicas} replicas to a new image (rollout status)"),
        start.elapsed()
    );
    for out in [status, status2] {
        let last = out.stdout().lines().last().unwrap_or_default().to_string();
        if !last.contains("successfully rolled out") {
            println!("  rollout did not finish: {last}");
        }
    }
}

/// The scale profile: `pods` pods (Deployments of 1,000) on 100 workers; idle ticks,
/// `kubectl get pods -A` over them, and ticks while one Deployment of 1,000 rolls.
fn scale(pods: usize) {
    let mut cluster = Cluster::with_config(ClusterConfig {
        seed: 4,
        profile: ClusterProfile::with_workers(100),
    });
    let start = Instant::now();
    for i in 0..pods / 1000 {
        cluster.run(&format!(
            "kubectl create deployment app{i} --image=nginx:1.26 --replicas=1000"
        ));
    }
    // kube-controller-manager's client sends 20 requests a second: 9,000 creates take
    // minutes of simulated time, as on a real cluster.
    for i in 0..pods / 1000 {
        cluster.run(&format!(
            "kubectl rollout status deployment/app{i} --timeout=30m"
        ));
    }
    cluster.advance(SimDuration::seconds(30));
    let running = cluster
        .run("kubectl get pods -A --no-headers")
        .stdout()
        .lines()
        .filter(|l| l.contains("Running"))
        .count();
    println!(
        "{:<52} {:>12.2?} wall ({running} Running)",
        format!("{pods} pods on 100 workers until Running"),
        start.elapsed()
    );
    measure(&format!("kubectl get pods -A over {pods} pods"), 5, || {
        std::hint::black_box(cluster.run("kubectl get pods -A"));
    });
    let ticks = |cluster: &mut Cluster, label: &str, n: u32| {
        let (mut worst, mut total) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
        for _ in 0..n {
            let t = Instant::now();
            cluster.advance(SimDuration::millis(250));
            let d = t.elapsed();
            worst = worst.max(d);
            total += d;
        }
        println!(
            "{label:<52} {:>12.2?} mean, {worst:>10.2?} worst ({n} ticks)",
            total / n
        );
    };
    ticks(&mut cluster, &format!("ticks: {pods} pods idle"), 120);
    cluster.run("kubectl set image deployment/app0 nginx=nginx:1.27");
    ticks(
        &mut cluster,
        &format!("ticks: {pods} pods, 1,000 rolling"),
        120,
    );
}
