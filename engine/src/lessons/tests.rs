//! Lessons end to end: goals evaluated against a real cluster, the run state machine, the
//! checker, and the parser against hostile input.

use proptest::prelude::*;

use super::*;

/// A one-step lesson whose goal is `goal` (YAML, indented for the `goal:` key).
fn lesson_with(goal: &str, solution: &[&str]) -> String {
    // The text shows every solution command as code, as the checker requires.
    let code: String = solution.iter().map(|c| format!(" `{c}`")).collect();
    let mut text = format!(
        "id: t\norder: 1\ntitle: {{ko: 테스트, en: Test}}\nsummary: {{ko: 요약, en: Summary}}\n\
         minutes: 1\nsteps:\n  - id: s\n    title: {{ko: 단계, en: Step}}\n    \
         text: {{ko: {:?}, en: {:?}}}\n    hints:\n      - {{ko: 힌트, en: Hint}}\n    goal:\n",
        format!("본문{code}"),
        format!("Text{code}"),
    );
    for l in goal.lines() {
        text.push_str("      ");
        text.push_str(l);
        text.push('\n');
    }
    text.push_str("    solution:\n");
    for s in solution {
        text.push_str(&format!("      - {s:?}\n"));
    }
    text
}

fn start(goal: &str) -> (LessonRun, crate::Cluster) {
    let lesson = parse("t.yaml", &lesson_with(goal, &["true"])).expect("parses");
    LessonRun::start(lesson, 0).expect("starts")
}

#[test]
fn count_explains_what_is_missing_in_both_locales() {
    let (mut run, mut cluster) =
        start("count: {kind: Pod, selector: app=web, phase: Running, equals: 3}");
    run.run_line(
        &mut cluster,
        "kubectl create deployment web --image=nginx:1.25 --replicas=3",
    );
    let en = run.checklist("en");
    assert_eq!(en.len(), 1);
    assert!(!en[0].met);
    assert_eq!(
        en[0].why.as_deref(),
        Some("3 pods expected, 0 of 3 are Running (3 ContainerCreating)")
    );
    let ko = run.checklist("ko");
    assert_eq!(
        ko[0].why.as_deref(),
        Some("파드가 3개 필요한데 조건(Running)에 맞는 것은 0개입니다 (전체 3개) — ContainerCreating 3개")
    );
    assert_eq!(ko[0].label, "`app=web` 레이블이 붙은 파드 3개 (Running)");
    let (_, progress) = run.run_line(&mut cluster, "sleep 20");
    assert_eq!(progress.completed, vec![0]);
    assert!(progress.finished && run.finished());
}

#[test]
fn ran_needs_a_successful_matching_command_in_the_step() {
    let (mut run, mut cluster) = start("ran: 'kubectl get nodes'");
    run.run_line(&mut cluster, "kubectl get nodez");
    assert!(!run.finished());
    run.run_line(&mut cluster, "kubectl   get   nodes");
    assert!(run.finished());
    assert_eq!(run.commands_used(), 2);
}

#[test]
fn ran_with_output_needs_what_the_learner_saw() {
    let (mut run, mut cluster) = start("ran: {pattern: '^echo', output: '^v2$'}");
    assert_eq!(run.checklist("en")[0].label, "run `echo` and see `v2`");
    run.run_line(&mut cluster, "echo v1");
    assert_eq!(
        run.checklist("en")[0].why.as_deref(),
        Some("no successful run in this step has printed `^v2$` yet")
    );
    run.run_line(&mut cluster, "echo v2; false");
    assert!(!run.finished(), "a failed line does not count");
    run.run_line(&mut cluster, "echo v2");
    assert!(run.finished());
    let bad = lesson_with("ran: {pattern: x, output: '('}", &["true"]);
    let errs = parse("t.yaml", &bad).unwrap_err();
    assert!(
        errs[0].to_string().contains("output: bad pattern"),
        "{}",
        errs[0]
    );
}

#[test]
fn ran_with_exit_needs_that_exit_code() {
    let (mut run, mut cluster) =
        start("ran: {pattern: 'kubectl top node', output: 'Metrics API not available', exit: 1}");
    assert_eq!(
        run.checklist("en")[0].label,
        "run `kubectl top node` and see `Metrics API not available` (exit code 1)"
    );
    run.run_line(&mut cluster, "kubectl top pod");
    assert_eq!(
        run.checklist("en")[0].why.as_deref(),
        Some("no run exiting with code 1 in this step has printed `Metrics API not available` yet")
    );
    run.run_line(&mut cluster, "kubectl top node");
    assert!(run.finished(), "{:?}", run.checklist("en"));
    let bad = lesson_with("ran: {pattern: x, exit: 256}", &["true"]);
    let errs = parse("t.yaml", &bad).unwrap_err();
    assert!(errs[0]
        .to_string()
        .contains("exit: an exit code is 0 to 255"));
}

#[test]
fn events_count_only_from_the_step_start() {
    let (mut run, mut cluster) = start("event: {reason: Killing, kind: Pod}");
    run.run_line(&mut cluster, "kubectl run web --image=nginx:1.25");
    run.run_line(&mut cluster, "sleep 10");
    assert!(!run.finished());
    assert_eq!(run.checklist("en")[0].label, "a Killing event for a pod");
    run.run_line(&mut cluster, "kubectl delete pod web");
    assert!(run.finished());
}

#[test]
fn events_can_require_a_message() {
    let (mut run, mut cluster) =
        start("event: {reason: Pulling, kind: Pod, message: 'image \"busybox\"'}");
    assert_eq!(
        run.checklist("en")[0].label,
        "a Pulling event for a pod saying `image \"busybox\"`"
    );
    run.run_line(&mut cluster, "kubectl run web --image=nginx:1.25");
    run.run_line(&mut cluster, "sleep 10");
    assert!(!run.finished(), "another image's Pulling does not count");
    run.run_line(&mut cluster, "kubectl run box --image=busybox -- sleep 600");
    run.run_line(&mut cluster, "sleep 2");
    assert!(run.finished());
    let bad = lesson_with("event: {reason: x, message: '('}", &["true"]);
    let errs = parse("t.yaml", &bad).unwrap_err();
    assert!(errs[0].to_string().contains("message: bad pattern"));
}

#[test]
fn always_breaks_for_good_and_restart_forgets() {
    let goal = "all:\n  - ran: 'echo done'\n  - always:\n      count: {kind: Pod, selector: run=web, min: 1}";
    let lesson = parse("t.yaml", &lesson_with(goal, &["true"])).unwrap();
    let mut cluster = crate::Cluster::new();
    cluster.run("kubectl run web --image=nginx:1.25");
    let mut run = LessonRun::begin(lesson, &mut cluster).unwrap();
    assert!(run.checklist("en")[1].met);
    run.run_line(&mut cluster, "kubectl delete pod web");
    run.run_line(&mut cluster, "kubectl run web --image=nginx:1.25");
    let line = &run.checklist("en")[1];
    assert!(!line.met, "broken once, broken for the step");
    assert!(line.why.as_deref().unwrap().contains("stopped holding"));
    run.run_line(&mut cluster, "echo done");
    assert!(!run.finished());
    run.restart_step(&cluster);
    run.run_line(&mut cluster, "echo done");
    assert!(run.finished());
}

#[test]
fn fields_compare_values_and_absence() {
    let (mut run, mut cluster) = start(
        "all:\n  - field: {kind: Deployment, name: web, path: spec.replicas, equals: 2}\n  - field: {kind: Deployment, name: web, path: 'metadata.labels[''tier'']', missing: true}",
    );
    assert_eq!(
        run.checklist("en")[0].why.as_deref(),
        Some("deployment web not found")
    );
    run.run_line(
        &mut cluster,
        "kubectl create deployment web --image=nginx:1.25",
    );
    assert_eq!(
        run.checklist("en")[0].why.as_deref(),
        Some("spec.replicas is 1 (expected 2)")
    );
    run.run_line(&mut cluster, "kubectl scale deployment web --replicas=2");
    assert!(run.finished());
}

#[test]
fn hints_and_solution_are_revealed_in_order() {
    let (mut run, _) = start("ran: x");
    assert_eq!(run.next_hint("ko").as_deref(), Some("힌트"));
    assert_eq!(run.next_hint("en"), None);
    assert_eq!(run.hints_shown(), 1);
    assert_eq!(run.solution(), ["true".to_string()]);
    assert_eq!(run.step_text("en"), "Text `true`");
}

#[test]
fn unknown_predicates_and_kinds_are_suggested_with_lines() {
    let text = lesson_with("cuont: {kind: Pod, equals: 1}", &["true"]);
    let errs = parse("t.yaml", &text).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "t.yaml:13: unknown predicate `cuont`; did you mean `count`?"
    );
    let text = lesson_with("exists: pood/web", &["true"]);
    let errs = parse("t.yaml", &text).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "t.yaml:13: unknown kind `pood`; did you mean `Pod`?"
    );
}

#[test]
fn the_checker_finds_a_met_goal_and_a_missing_solution_step() {
    let met = check_text(
        "t.yaml",
        &lesson_with("exists: namespace/default", &["true"]),
    );
    assert!(
        met.errors[0].contains("already met when the step starts"),
        "{:?}",
        met.errors
    );
    let unmet = check_text(
        "t.yaml",
        &lesson_with("exists: pod/web", &["kubectl get pods"]),
    );
    assert_eq!(
        unmet.errors,
        vec!["t.yaml:7: step 1 `s`: the reference solution does not meet the goal:\npod web exists — pod web not found yet".to_string()]
    );
    let ok = check_text(
        "t.yaml",
        &lesson_with("exists: pod/web", &["kubectl run web --image=nginx:1.25"]),
    );
    assert!(ok.ok(), "{:?}", ok.errors);
    assert_eq!(ok.commands, 1);
}

#[test]
fn the_checker_wants_solution_commands_shown_as_code() {
    let text = lesson_with("exists: pod/web", &["kubectl run web --image=nginx:1.25"])
        .replace("`kubectl run web --image=nginx:1.25`", "kubectl run");
    let r = check_text("t.yaml", &text);
    assert_eq!(
        r.errors[0],
        "t.yaml:7: step `s` (en): the solution's `kubectl run web --image=nginx:1.25` is not shown as code in the text or hints"
    );
}

#[test]
fn the_checker_rejects_invalid_manifests() {
    let text = lesson_with("exists: pod/web", &["kubectl apply -f pod.yaml"]).replace(
        "steps:",
        "setup:\n  files:\n    - path: pod.yaml\n      content: |\n        apiVersion: v1\n        kind: Pod\n        metadata: {name: web}\n        spec:\n          containers:\n          - name: web\n            imagee: nginx\nsteps:",
    );
    let r = check_text("t.yaml", &text);
    assert!(
        r.errors.iter().any(
            |e| e.starts_with("t.yaml:8: file pod.yaml is not a valid manifest")
                && e.contains("unknown field \"spec.containers[0].imagee\"")
        ),
        "{:?}",
        r.errors
    );
}

#[test]
fn ids_and_orders_must_be_unique_across_files() {
    let a = lesson_with("exists: pod/web", &["kubectl run web --image=nginx:1.25"]);
    let reports = check(&[("a.yaml".into(), a.clone()), ("b.yaml".into(), a)]);
    assert!(reports[0].ok(), "{:?}", reports[0].errors);
    assert_eq!(
        reports[1].errors,
        vec![
            "b.yaml: id `t` is also used by a.yaml".to_string(),
            "b.yaml: order 1 is also used by a.yaml".to_string()
        ]
    );
    assert!(reports[1]
        .render()
        .starts_with("FAIL  b.yaml\n      b.yaml: id `t`"));
}

#[test]
fn singular_counts_read_naturally() {
    let (run, _) = start("count: {kind: Pod, selector: run=web, min: 1}");
    let line = &run.checklist("en")[0];
    assert_eq!(line.label, "at least 1 pod labelled `run=web`");
    assert_eq!(
        line.why.as_deref(),
        Some("at least 1 pod expected, found 0")
    );
}

#[test]
fn a_profile_picks_the_cluster_and_setup_failures_are_reported() {
    let text =
        lesson_with("ran: x", &["true"]).replace("minutes: 1\n", "minutes: 1\nprofile: minikube\n");
    let (_, cluster) = LessonRun::start(parse("t.yaml", &text).unwrap(), 0).unwrap();
    assert_eq!(cluster.node_names(), ["minikube"]);
    let bad = lesson_with("ran: x", &["true"]).replace(
        "steps:",
        "setup:\n  commands:\n    - kubectl get pod nope\nsteps:",
    );
    let Err(err) = LessonRun::start(parse("t.yaml", &bad).unwrap(), 0) else {
        panic!("the setup should fail");
    };
    assert_eq!(
        err,
        "setup: `kubectl get pod nope` failed:\nError from server (NotFound): pods \"nope\" not found"
    );
    let typo =
        lesson_with("ran: x", &["true"]).replace("minutes: 1\n", "minutes: 1\nprofile: minikub\n");
    let errs = parse("t.yaml", &typo).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "t.yaml:6: unknown cluster profile `minikub` (try default or minikube)"
    );
}

#[test]
fn builtin_lessons_parse_in_order() {
    let lessons = builtin();
    let files = crate::bundle::lesson_files().len();
    assert_eq!(lessons.len(), files);
    let orders: Vec<u32> = lessons.iter().map(|l| l.order).collect();
    assert_eq!(orders, (1..=files as u32).collect::<Vec<_>>());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Random text never panics the parser.
    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse("r.yaml", &text);
    }

    /// Random YAML-ish text built from lesson vocabulary never panics the parser.
    #[test]
    fn random_yaml_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("id: x\n"), Just("steps:\n"), Just("  - "), Just("goal:\n"), Just("all:\n"),
        Just("count: {kind: Pod, equals: 1}\n"), Just("field: {path: '[0'}\n"),
        Just("    "), Just("ran: '('\n"), Just("&a [*a, *a]\n"), Just("not:\n"),
        Just("title: {ko: a, en: b}\n"), Just("- {"), Just("}\n"), Just("label: 3\n"),
        Just("always:\n"), Just("event: {}\n"), Just("exists: pod\n"),
    ], 0..40)) {
        let _ = parse("r.yaml", &parts.concat());
    }

    /// Deleting or duplicating any line of a real lesson never panics, and a parse failure
    /// always names the file.
    #[test]
    fn mutated_lessons_never_panic(which in 0usize..8, line in 0usize..400, dup in any::<bool>()) {
        let files = crate::bundle::lesson_files();
        let (file, text) = files[which % files.len()];
        let mut lines: Vec<&str> = text.lines().collect();
        let at = line % lines.len();
        if dup { lines.insert(at, lines[at]); } else { lines.remove(at); }
        if let Err(errs) = parse(file, &lines.join("\n")) {
            prop_assert!(!errs.is_empty());
            prop_assert!(errs.iter().all(|e| e.to_string().starts_with(file)));
        }
    }
}
