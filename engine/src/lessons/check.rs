//! The lesson linter: a lesson parses, has every locale, its manifests are valid, no step's
//! goal holds as the step starts, and the reference solution, replayed from the start with
//! the default seed, meets every step's goal in order.

use std::collections::BTreeMap;

use super::format::{self, Lesson, LessonError};
use super::run::LessonRun;
use crate::cluster::Cluster;

/// What the checker found about one lesson file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonReport {
    /// The file checked.
    pub file: String,
    /// The lesson's id, if it parsed.
    pub id: Option<String>,
    /// Its order, if it parsed.
    pub order: Option<u32>,
    /// How many steps it has.
    pub steps: usize,
    /// Commands of the reference solution replayed.
    pub commands: usize,
    /// Problems, each `file:line: message`; empty when the lesson is fine.
    pub errors: Vec<String>,
}

impl LessonReport {
    /// Whether the lesson passed.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The one-line summary `kubeplay lessons check` prints, then the errors indented.
    pub fn render(&self) -> String {
        if self.ok() {
            format!(
                "ok    {} ({}: {} steps, {} commands replayed)",
                self.file,
                self.id.as_deref().unwrap_or("?"),
                self.steps,
                self.commands
            )
        } else {
            let mut s = format!("FAIL  {}", self.file);
            for e in &self.errors {
                s.push_str("\n      ");
                s.push_str(&e.replace('\n', "\n        "));
            }
            s
        }
    }
}

/// Checks lesson files given as (file name, text); also that ids and orders are unique.
pub fn check(files: &[(String, String)]) -> Vec<LessonReport> {
    let mut reports: Vec<LessonReport> = files.iter().map(|(f, t)| check_text(f, t)).collect();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut orders: BTreeMap<u32, String> = BTreeMap::new();
    for r in &mut reports {
        if let Some(id) = &r.id {
            if let Some(other) = ids.insert(id.clone(), r.file.clone()) {
                r.errors
                    .push(format!("{}: id `{id}` is also used by {other}", r.file));
            }
        }
        if let Some(order) = r.order {
            if let Some(other) = orders.insert(order, r.file.clone()) {
                r.errors
                    .push(format!("{}: order {order} is also used by {other}", r.file));
            }
        }
    }
    reports
}

/// Checks one lesson file.
pub fn check_text(file: &str, text: &str) -> LessonReport {
    let mut report = LessonReport {
        file: file.to_string(),
        id: None,
        order: None,
        steps: 0,
        commands: 0,
        errors: Vec::new(),
    };
    let lesson = match format::parse(file, text) {
        Ok(l) => l,
        Err(errors) => {
            report.errors = errors.iter().map(LessonError::to_string).collect();
            return report;
        }
    };
    report.id = Some(lesson.id.clone());
    report.order = Some(lesson.order);
    report.steps = lesson.steps.len();
    for s in &lesson.steps {
        if s.hints.is_empty() {
            report
                .errors
                .push(format!("{file}:{}: step `{}` has no hints", s.line, s.id));
        }
    }
    report.errors.extend(check_commands_shown(&lesson));
    report.errors.extend(check_manifests(&lesson));
    let (errors, commands) = replay(&lesson);
    report.errors.extend(errors);
    report.commands = commands;
    report
}

/// Every manifest of the lesson: setup files that look like manifests, setup manifests, and
/// fenced `yaml` blocks with a `kind:` in the step texts. Each must apply cleanly.
fn check_manifests(lesson: &Lesson) -> Vec<String> {
    let file = &lesson.file;
    // (what, line in the lesson file, file name to apply it as, text)
    let mut manifests: Vec<(String, usize, String, String)> = Vec::new();
    for f in &lesson.setup.files {
        if (f.path.ends_with(".yaml") || f.path.ends_with(".yml")) && f.content.contains("kind:") {
            manifests.push((
                format!("file {}", f.path),
                f.line,
                f.path.clone(),
                f.content.clone(),
            ));
        }
    }
    for (i, (m, line)) in lesson.setup.manifests.iter().enumerate() {
        manifests.push((
            format!("setup manifest {}", i + 1),
            *line,
            format!("setup-manifest-{}.yaml", i + 1),
            m.clone(),
        ));
    }
    for s in &lesson.steps {
        for (locale, text) in &s.text.0 {
            for block in yaml_blocks(text) {
                if block.contains("kind:") && !manifests.iter().any(|(_, _, _, m)| *m == block) {
                    manifests.push((
                        format!("the yaml block in step `{}` ({locale})", s.id),
                        s.line,
                        format!("{}-{locale}.yaml", s.id),
                        block,
                    ));
                }
            }
        }
    }
    let mut errors = Vec::new();
    let fresh = || Cluster::with_config(LessonRun::cluster_config(lesson, 0));
    let mut cluster = fresh();
    for (what, line, name, text) in manifests {
        // Objects of kinds an add-on's CRDs define can only apply once the add-on is
        // installed: the solution's replay proves them.
        if custom_kinds_only(&text) {
            continue;
        }
        // Manifests share one cluster; one refused there (two files with the same pod name,
        // as a lesson may replace a pod) is tried again on a fresh cluster before it counts.
        let mut out = try_apply(&mut cluster, &name, &text);
        if out.exit_code != 0 {
            out = try_apply(&mut fresh(), &name, &text);
        }
        if out.exit_code != 0 {
            errors.push(format!(
                "{file}:{line}: {what} is not a valid manifest:\n{}",
                out.stderr().trim_end()
            ));
        }
    }
    errors
}

/// Applies `text` as file `name` on `cluster`, creating the namespaces it names first (only
/// the manifest is on trial).
fn try_apply(cluster: &mut Cluster, name: &str, text: &str) -> crate::output::Output {
    if let Ok(docs) = crate::api::manifest::parse(text) {
        for d in docs {
            if let Some(ns) = d
                .value
                .pointer("/metadata/namespace")
                .and_then(|v| v.as_str())
            {
                cluster.run(&format!("kubectl create namespace {ns}"));
            }
        }
    }
    let name = name.replace(|c: char| c.is_whitespace() || "'\"$;&|<>".contains(c), "_");
    let _ = cluster.write_file(&name, text);
    cluster.run(&format!("kubectl apply -f {name}"))
}

/// Whether every document of `text` is of an API group no built-in kind belongs to.
fn custom_kinds_only(text: &str) -> bool {
    let Ok(docs) = crate::api::manifest::parse(text) else {
        return false;
    };
    !docs.is_empty()
        && docs.iter().all(|d| {
            let api_version = d.value.get("apiVersion").and_then(|v| v.as_str());
            api_version.is_some_and(|v| {
                !crate::api::kinds::KINDS
                    .iter()
                    .any(|k| v.split_once('/').map_or("", |(g, _)| g) == k.group)
            })
        })
}

/// Every command of a step's solution (but `sleep`) must be shown as code, in the step's
/// text or hints, in every locale (each line of a heredoc): the page makes code clickable.
fn check_commands_shown(lesson: &Lesson) -> Vec<String> {
    let mut errors = Vec::new();
    for s in &lesson.steps {
        for (locale, text) in &s.text.0 {
            let mut shown = code_spans(text);
            for h in &s.hints {
                shown.extend(code_spans(h.get(locale)));
            }
            for c in &s.solution {
                // A command of several lines (a heredoc) is shown line by line.
                let lines_shown = c.lines().all(|l| shown.contains(&normalize(l)));
                let c = normalize(c);
                if super::run::sleep_seconds(&c).is_none() && !lines_shown {
                    errors.push(format!(
                        "{}:{}: step `{}` ({locale}): the solution's `{c}` is not shown as code in the text or hints",
                        lesson.file, s.line, s.id
                    ));
                }
            }
        }
    }
    errors
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Inline code spans and the lines of fenced blocks of a markdown text, whitespace collapsed.
pub(crate) fn code_spans(markdown: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            spans.push(normalize(line));
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(code), Some(_)) = (parts.next(), parts.next()) {
            spans.push(normalize(code));
        }
    }
    spans
}

/// The fenced ```yaml blocks of a markdown text.
pub(crate) fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let t = line.trim_start();
        match &mut current {
            None if t.starts_with("```yaml") || t.starts_with("```yml") => {
                current = Some(String::new())
            }
            Some(_) if t.starts_with("```") => blocks.extend(current.take()),
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// Replays the reference solution from the start; returns the problems and how many commands
/// ran.
fn replay(lesson: &Lesson) -> (Vec<String>, usize) {
    let file = &lesson.file;
    let mut errors = Vec::new();
    let mut commands = 0;
    let (mut run, mut cluster) = match LessonRun::start(lesson.clone(), 0) {
        Ok(r) => r,
        Err(e) => return (vec![format!("{file}: {e}")], 0),
    };
    for (i, step) in lesson.steps.iter().enumerate() {
        let at = format!("{file}:{}: step {} `{}`", step.line, i + 1, step.id);
        if run.step_index() > i || run.goal_met_at_start() {
            errors.push(format!(
                "{at}: the goal is already met when the step starts — the learner has nothing to do"
            ));
            break;
        }
        for line in &step.solution {
            commands += 1;
            run.run_line(&mut cluster, line);
        }
        if run.step_index() <= i {
            let unmet: Vec<String> = run
                .checklist("en")
                .into_iter()
                .filter(|g| !g.met)
                .map(|g| format!("{} — {}", g.label, g.why.unwrap_or_default()))
                .collect();
            errors.push(format!(
                "{at}: the reference solution does not meet the goal:\n{}",
                unmet.join("\n")
            ));
            break;
        }
    }
    (errors, commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_are_found() {
        let md = "Run `kubectl get  pods` or `k get po`, then:\n```\nsed -i 's/a/b/' f\n```\n";
        assert_eq!(
            code_spans(md),
            ["kubectl get pods", "k get po", "sed -i 's/a/b/' f"]
        );
    }

    #[test]
    fn yaml_blocks_are_found() {
        let md = "Apply:\n\n```yaml\nkind: Pod\n```\n\n```\nkubectl get pods\n```\n";
        assert_eq!(yaml_blocks(md), vec!["kind: Pod\n".to_string()]);
    }
}
