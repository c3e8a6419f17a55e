//! Transcript tests: every `tests/transcripts/*.txt` is replayed on a fresh cluster (seed 0)
//! and must print exactly the file's contents.

use std::path::Path;

use kubeplay_engine::transcript::{run_script, script_of_transcript};

#[test]
fn transcripts_match() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    assert!(!files.is_empty(), "no transcripts in {}", dir.display());
    let bless = std::env::var_os("KUBEPLAY_BLESS").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let expected = std::fs::read_to_string(file).unwrap();
        let actual = run_script(&script_of_transcript(&expected), 0);
        if actual != expected {
            if bless {
                std::fs::write(file, &actual).unwrap();
            } else {
                failures.push(format!(
                    "--- {}\n{}",
                    file.display(),
                    diff(&expected, &actual)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "transcripts differ (KUBEPLAY_BLESS=1 rewrites them):\n{}",
        failures.join("\n")
    );
}

/// A line diff that is small but enough to see what changed.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<_>, Vec<_>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                out.push_str(&format!(
                    "line {}:\n  expected: {:?}\n  actual:   {:?}\n",
                    i + 1,
                    x,
                    y
                ));
            }
        }
    }
    out
}
