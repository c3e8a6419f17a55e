//! `kubeplay lessons check` over the shipped lessons (so `cargo test --workspace` proves them),
//! its failure on a broken copy, and `kubeplay lesson` driven by a piped script.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn kubeplay(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubeplay runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("kubeplay ends")
}

fn lessons_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lessons")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn every_shipped_lesson_passes_the_checker() {
    let dir = lessons_dir();
    let out = kubeplay(&["lessons", "check", dir.to_str().unwrap()], "");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let lessons = std::fs::read_dir(&dir)
        .expect("lessons folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        })
        .count();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), lessons + 1, "{stdout}");
    assert!(
        lines[..lessons].iter().all(|l| l.starts_with("ok    ")),
        "{stdout}"
    );
    assert_eq!(
        lines[lessons],
        format!("{lessons} lessons: {lessons} ok, 0 failed")
    );
}

#[test]
fn a_missing_solution_step_fails_with_the_step_and_the_reason() {
    let original =
        std::fs::read_to_string(lessons_dir().join("06-self-healing.yaml")).expect("lesson 6");
    // The step `delete-owner` without its `kubectl delete rc legacy`.
    let broken = original.replacen("      - kubectl delete rc legacy\n", "", 1);
    assert_ne!(broken, original);
    let dir = std::env::temp_dir().join(format!("kubeplay-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("06-self-healing.yaml"), broken).unwrap();
    let out = kubeplay(&["lessons", "check", dir.to_str().unwrap()], "");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let file = dir.join("06-self-healing.yaml").display().to_string();
    assert!(stdout.starts_with(&format!("FAIL  {file}\n")), "{stdout}");
    assert!(
        stdout.contains("step 6 `delete-owner`: the reference solution does not meet the goal:"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "replicationcontroller legacy is gone — replicationcontroller legacy still exists"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 lessons: 0 ok, 1 failed\n"), "{stdout}");
}

#[test]
fn a_lesson_file_with_errors_reports_file_and_line() {
    let dir = std::env::temp_dir().join(format!("kubeplay-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let original =
        std::fs::read_to_string(lessons_dir().join("02-first-pod.yaml")).expect("lesson 2");
    std::fs::write(
        dir.join("02.yaml"),
        original.replacen(
            "    goal:\n      exists: pod/nginx",
            "    goal:\n      exits: pod/nginx",
            1,
        ),
    )
    .unwrap();
    let out = kubeplay(&["lessons", "check", dir.to_str().unwrap()], "");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("02.yaml:77: unknown predicate `exits`; did you mean `exists`?"),
        "{stdout}"
    );
}

#[test]
fn a_lesson_plays_from_a_piped_script() {
    let script = "hint\nkubectl get nodes\nkubectl describe node node1\ngoals\nsolution\n";
    let out = kubeplay(&["lesson", "meet-your-cluster"], script);
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.starts_with("Lesson 1: Meet your cluster\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  [ ] run `kubectl get nodes` — not run successfully in this step yet")
    );
    assert!(stdout.contains("$ hint\n💡 Listing things is `kubectl get`"));
    assert!(stdout.contains("✅ Step 1: Count the nodes — done!"));
    assert!(stdout.contains("── Step 3/5: Namespaces ──"));
    assert!(
        stdout.contains("$ solution\n  kubectl get namespaces\n"),
        "{stdout}"
    );
}

#[test]
fn a_whole_lesson_finishes_in_korean() {
    let script = "kubectl get nodes\nkubectl describe node node1\nkubectl get ns\n\
                  kubectl get pods -A\nkubectl api-resources\n";
    let out = kubeplay(&["--lang", "ko", "lesson", "1"], script);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("🎉 클러스터와 인사하기 — 수업을 마쳤습니다!"),
        "{stdout}"
    );
    assert!(stdout.contains("입력한 명령: 5 (모범 답안: 5)"), "{stdout}");
}

#[test]
fn lessons_are_listed_in_order() {
    let out = kubeplay(&["lessons"], "");
    let stdout = text(&out.stdout);
    let ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .take(10)
        .collect();
    assert_eq!(
        ids,
        [
            "meet-your-cluster",
            "first-pod",
            "multi-container-pods",
            "labels-and-selectors",
            "namespaces",
            "self-healing",
            "deployments",
            "rolling-updates",
            "services",
            "nodeport"
        ]
    );
}
