//! Transcript tests: every `tests/transcripts/*.txt` is its own test case, named after the
//! file's stem, replayed on a fresh cluster (seed 0); it must print exactly the file's contents.
//! `cargo test -p kubeplay-engine --test transcripts -- affinity` runs `affinity.txt` alone;
//! `KUBEPLAY_BLESS=1` rewrites the files that differ. The files are found when the test binary
//! runs (libtest-mimic, `harness = false` in Cargo.toml); a missing or empty folder fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kubeplay_engine::sort::SliceSort;
use kubeplay_engine::transcript::{run_script, script_of_transcript};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let bless = std::env::var_os("KUBEPLAY_BLESS").is_some();
    let trials = transcripts(&dir)
        .into_iter()
        .map(|file| {
            let name = file
                .file_stem()
                .expect("a .txt file has a stem")
                .to_string_lossy()
                .into_owned();
            Trial::test(name, move || check(&file, bless))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

/// The `*.txt` files of `dir`, sorted; panics when the folder is missing or holds none, so the
/// suite cannot pass without running a transcript.
fn transcripts(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("transcripts folder {}: {e}", dir.display()));
    let mut files: Vec<_> = entries
        .map(|e| {
            e.unwrap_or_else(|e| panic!("transcripts folder {}: {e}", dir.display()))
                .path()
        })
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.stable_sort();
    assert!(
        !files.is_empty(),
        "no transcripts (*.txt) in {}",
        dir.display()
    );
    files
}

/// Replays one transcript; with `bless`, rewrites the file instead of failing.
fn check(file: &Path, bless: bool) -> Result<(), Failed> {
    let expected = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let actual = run_script(&script_of_transcript(&expected), 0);
    if actual == expected {
        return Ok(());
    }
    if bless {
        std::fs::write(file, &actual)
            .map_err(|e| format!("cannot rewrite {}: {e}", file.display()))?;
        return Ok(());
    }
    let mut lines = diff(&expected, &actual);
    if lines.is_empty() {
        lines = "the lines are equal; line endings or the final newline differ\n".into();
    }
    Err(format!(
        "{} differs (KUBEPLAY_BLESS=1 rewrites it):\n{lines}",
        file.display()
    )
    .into())
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
