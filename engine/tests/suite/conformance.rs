//! The conformance corpus: every official documentation example manifest in
//! `tests/conformance/k8s-examples` is applied to a fresh cluster. Each must be created
//! or refused with a kubectl-style message, and nothing may panic. The outcome of every file
//! is kept in `tests/conformance/outcomes.txt` (`KUBEPLAY_BLESS=1` rewrites it), so a change
//! in what Kubeplay accepts shows up in review. A missing or thinned-out corpus fails the test.

use std::path::{Path, PathBuf};

use kubeplay_engine::sort::SliceSort;
use kubeplay_engine::Cluster;

/// Fewer manifests than this means the corpus was not checked out whole.
const MIN_MANIFESTS: usize = 200;

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/k8s-examples");
    assert!(
        dir.is_dir(),
        "conformance corpus missing: {} is not a directory (it is part of the repository; \
         see tests/conformance/README.md)",
        dir.display()
    );
    dir
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for e in entries {
        let p = e
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            out.push(p);
        }
    }
}

/// What the documentation page that uses an example runs before applying it, so the example
/// is applied as the page applies it (`kubernetes.io/docs/...` paths).
const PRELUDES: &[(&str, &[&str])] = &[
    // tasks/administer-cluster/manage-resources/memory-default-namespace/
    ("admin/resource/memory-defaults-pod-3.yaml", &["kubectl create namespace default-mem-example"]),
    ("admin/resource/memory-defaults-pod.yaml", &["kubectl create namespace default-mem-example"]),
    ("admin/resource/memory-defaults.yaml", &["kubectl create namespace default-mem-example"]),
    // tasks/configure-pod-container/quality-service-pod/
    ("pods/qos/qos-pod-3.yaml", &["kubectl create namespace qos-example"]),
    ("pods/qos/qos-pod.yaml", &["kubectl create namespace qos-example"]),
    // tasks/configure-pod-container/assign-memory-resource/
    ("pods/resource/memory-request-limit.yaml", &["kubectl create namespace mem-example"]),
    // tasks/configure-pod-container/assign-pod-level-resources/
    ("pods/resource/pod-level-resources.yaml", &["kubectl create namespace pod-resources-example"]),
    // concepts/policy/resource-quotas/ (quota per PriorityClass): the page assumes the
    // classes exist; this value is ours.
    (
        "policy/high-priority-pod.yaml",
        &["echo '{apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000}' | kubectl apply -f -"],
    ),
];

/// Whether a line is something kubectl would print for an apply.
fn kubectl_like(line: &str) -> bool {
    line.ends_with(" created")
        || line.ends_with(" configured")
        || line.ends_with(" unchanged")
        || line.starts_with("error: ")
        || line.starts_with("Error from server")
        || line.starts_with("Error: ")
        || line.starts_with("Warning: ")
        || line.starts_with("The ")
        || line.starts_with("* ")
        || line.starts_with("ensure CRDs")
        || line.starts_with("  ")
        || line.starts_with("Resource: ")
        || line.starts_with("Name: ")
        || line.starts_with("from server for: ")
}

#[test]
fn documentation_examples_apply_or_are_refused_clearly() {
    let dir = corpus();
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    files.stable_sort();
    assert!(
        files.len() >= MIN_MANIFESTS,
        "conformance corpus incomplete: {} manifests (*.yaml, *.yml, *.json) in {}, \
         expected at least {MIN_MANIFESTS}",
        files.len(),
        dir.display()
    );
    let mut report = String::new();
    let mut strange = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(file).unwrap();
        let mut cluster = Cluster::new();
        cluster.write_file(&rel, &text).unwrap();
        for (_, commands) in PRELUDES.iter().filter(|(f, _)| *f == rel) {
            for command in *commands {
                let out = cluster.run(command);
                assert_eq!(
                    out.exit_code,
                    0,
                    "{rel}: prelude `{command}` failed: {}",
                    out.text()
                );
            }
        }
        let out = cluster.run(&format!("kubectl apply -f {rel}"));
        let all = format!("{}{}", out.stdout(), out.stderr());
        for line in all.lines() {
            if !kubectl_like(line) {
                strange.push(format!("{rel}: {line}"));
            }
        }
        let first = all.lines().next().unwrap_or("(no output)");
        let verdict = if out.exit_code == 0 { "ok " } else { "ERR" };
        report.push_str(&format!("{verdict} {rel}: {first}\n"));
    }
    assert!(
        strange.is_empty(),
        "lines kubectl would not print:\n{}",
        strange.join("\n")
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/outcomes.txt");
    if std::env::var_os("KUBEPLAY_BLESS").is_some() {
        std::fs::write(&path, &report).unwrap();
    } else {
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            expected == report,
            "conformance outcomes changed (KUBEPLAY_BLESS=1 rewrites {}):\n{}",
            path.display(),
            report
                .lines()
                .filter(|l| !expected.lines().any(|e| e == *l))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
