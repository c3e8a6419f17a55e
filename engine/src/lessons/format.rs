//! The lesson file format: types, and parsing with errors that name the file and line.

use std::fmt;

use super::goals::{self, Goal};
use super::yaml::{self, Node, Value};
use super::{did_you_mean, Text, LOCALES};
use crate::cluster::ClusterProfile;

/// One lesson, parsed.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// Stable identifier (`first-pod`), what `kubeplay lesson ID` takes.
    pub id: String,
    /// Position in the course (1, 2, ...).
    pub order: u32,
    /// Title.
    pub title: Text,
    /// One or two sentences on what the lesson teaches.
    pub summary: Text,
    /// Estimated minutes.
    pub minutes: u32,
    /// Cluster profile name (`minikube`), or `None` for the multi-node default.
    pub profile: Option<String>,
    /// What is prepared before the learner starts.
    pub setup: Setup,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The file it came from.
    pub file: String,
}

/// What a lesson prepares before the learner types.
#[derive(Clone, Debug, Default)]
pub struct Setup {
    /// Workspace files, written first.
    pub files: Vec<SetupFile>,
    /// Manifests applied next (`kubectl apply -f -`), with their lines in the lesson file.
    pub manifests: Vec<(String, usize)>,
    /// Console commands run last (`sleep N` lets time pass).
    pub commands: Vec<String>,
}

/// A workspace file a lesson writes.
#[derive(Clone, Debug)]
pub struct SetupFile {
    /// Path in the workspace (`nginx-pod.yaml`).
    pub path: String,
    /// Contents.
    pub content: String,
    /// Line in the lesson file.
    pub line: usize,
}

/// One step of a lesson.
#[derive(Clone, Debug)]
pub struct Step {
    /// Identifier, unique in the lesson.
    pub id: String,
    /// Short title.
    pub title: Text,
    /// Markdown; commands are inline code or fenced blocks, so a page can make them clickable.
    pub text: Text,
    /// What must hold for the step to be done.
    pub goal: Goal,
    /// Hints, from a gentle nudge to the exact command.
    pub hints: Vec<Text>,
    /// Reference solution: console lines, replayed by the checker.
    pub solution: Vec<String>,
    /// Line of the step in the lesson file.
    pub line: usize,
}

/// A problem in a lesson file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// The lesson file.
    pub file: String,
    /// 1-based line (0 when the problem is not tied to one).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// Collects problems while a file is read, so one run reports them all.
pub(crate) struct Errors {
    pub file: String,
    pub list: Vec<LessonError>,
}

impl Errors {
    pub fn add(&mut self, line: usize, message: impl Into<String>) {
        self.list.push(LessonError {
            file: self.file.clone(),
            line,
            message: message.into(),
        });
    }

    /// Reports keys of `node` (a mapping) that are not in `known`, with a suggestion.
    pub fn unknown_keys(&mut self, node: &Node, known: &[&str], what: &str) {
        if let Value::Map(m) = &node.value {
            for (k, _) in m {
                let name = k.scalar().unwrap_or_default();
                if !known.contains(&name.as_str()) {
                    let hint = did_you_mean(&name, known.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_else(|| format!(" (known: {})", known.join(", ")));
                    self.add(k.line, format!("unknown key `{name}` in {what}{hint}"));
                }
            }
        }
    }

    /// A mapping, or an error.
    pub fn map<'a>(&mut self, node: &'a Node, what: &str) -> Option<&'a Node> {
        match node.value {
            Value::Map(_) => Some(node),
            _ => {
                self.add(node.line, format!("{what} must be a mapping"));
                None
            }
        }
    }

    /// A required key of a mapping.
    pub fn required<'a>(&mut self, node: &'a Node, key: &str, what: &str) -> Option<&'a Node> {
        let v = node.get(key);
        if v.is_none() {
            self.add(node.line, format!("{what} needs `{key}`"));
        }
        v
    }

    /// A scalar as text.
    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.scalar() {
            Some(s) => Some(s),
            None => {
                self.add(node.line, format!("{what} must be text"));
                None
            }
        }
    }

    /// A non-negative integer.
    pub fn number(&mut self, node: &Node, what: &str) -> Option<u32> {
        match node.value {
            Value::Int(i) if (0..=u32::MAX as i64).contains(&i) => Some(i as u32),
            _ => {
                self.add(node.line, format!("{what} must be a whole number"));
                None
            }
        }
    }

    /// A list of strings.
    pub fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| self.string(i, &format!("each of {what}")))
                .collect(),
            Value::Null => Vec::new(),
            _ => {
                self.add(node.line, format!("{what} must be a list"));
                Vec::new()
            }
        }
    }

    /// A text in every locale: a mapping `ko: ..., en: ...`.
    pub fn text(&mut self, node: &Node, what: &str) -> Text {
        let mut text = Text::default();
        let Some(entries) = node.entries() else {
            self.add(
                node.line,
                format!("{what} must give every locale ({})", LOCALES.join(", ")),
            );
            return text;
        };
        for (locale, value) in entries {
            if !LOCALES.contains(&locale.as_str()) {
                let hint = did_you_mean(&locale, LOCALES.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.add(
                    value.line,
                    format!("unknown locale `{locale}` in {what}{hint}"),
                );
                continue;
            }
            if let Some(s) = self.string(value, &format!("{what} ({locale})")) {
                if s.trim().is_empty() {
                    self.add(value.line, format!("{what} ({locale}) is empty"));
                }
                text.0.insert(locale, s);
            }
        }
        for locale in LOCALES {
            if !text.0.contains_key(*locale) && node.get(locale).is_none() {
                self.add(node.line, format!("{what} is missing locale `{locale}`"));
            }
        }
        text
    }
}

const LESSON_KEYS: &[&str] = &[
    "id", "order", "title", "summary", "minutes", "profile", "setup", "steps",
];
const SETUP_KEYS: &[&str] = &["files", "manifests", "commands"];
const FILE_KEYS: &[&str] = &["path", "content"];
const STEP_KEYS: &[&str] = &["id", "title", "text", "goal", "hints", "solution"];

/// Parses a lesson file. `file` names it in errors; every problem found is returned.
pub fn parse(file: &str, text: &str) -> Result<Lesson, Vec<LessonError>> {
    let mut errors = Errors {
        file: file.to_string(),
        list: Vec::new(),
    };
    let root = match yaml::parse(text) {
        Ok(n) => n,
        Err(e) => {
            errors.add(e.line, format!("YAML syntax: {}", e.message));
            return Err(errors.list);
        }
    };
    let lesson = lesson(&root, &mut errors, file);
    match lesson {
        Some(l) if errors.list.is_empty() => Ok(l),
        _ => {
            if errors.list.is_empty() {
                errors.add(root.line, "not a lesson");
            }
            Err(errors.list)
        }
    }
}

fn lesson(root: &Node, e: &mut Errors, file: &str) -> Option<Lesson> {
    let root = e.map(root, "a lesson file")?;
    e.unknown_keys(root, LESSON_KEYS, "the lesson");
    let id = e
        .required(root, "id", "the lesson")
        .and_then(|n| e.string(n, "id"));
    if let Some(id) = &id {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            e.add(
                root.get("id").map_or(root.line, |n| n.line),
                format!("id `{id}` must be lower-case letters, digits and `-`"),
            );
        }
    }
    let order = e
        .required(root, "order", "the lesson")
        .and_then(|n| e.number(n, "order"));
    let title = e
        .required(root, "title", "the lesson")
        .map(|n| e.text(n, "title"));
    let summary = e
        .required(root, "summary", "the lesson")
        .map(|n| e.text(n, "summary"));
    let minutes = e
        .required(root, "minutes", "the lesson")
        .and_then(|n| e.number(n, "minutes"));
    let profile = match root.get("profile") {
        None
        | Some(Node {
            value: Value::Null, ..
        }) => None,
        Some(n) => {
            let name = e.string(n, "profile")?;
            if ClusterProfile::named(&name).is_none() {
                e.add(
                    n.line,
                    format!("unknown cluster profile `{name}` (try default or minikube)"),
                );
            }
            Some(name)
        }
    };
    let setup = root.get("setup").map(|n| setup(n, e)).unwrap_or_default();
    let steps_node = e.required(root, "steps", "the lesson")?;
    let mut steps = Vec::new();
    match &steps_node.value {
        Value::Seq(items) if !items.is_empty() => {
            for item in items {
                if let Some(s) = step(item, e) {
                    if steps.iter().any(|o: &Step| o.id == s.id) {
                        e.add(item.line, format!("two steps are called `{}`", s.id));
                    }
                    steps.push(s);
                }
            }
        }
        _ => e.add(steps_node.line, "steps must be a non-empty list"),
    }
    Some(Lesson {
        id: id?,
        order: order?,
        title: title?,
        summary: summary?,
        minutes: minutes?,
        profile,
        setup,
        steps,
        file: file.to_string(),
    })
}

fn setup(node: &Node, e: &mut Errors) -> Setup {
    let mut setup = Setup::default();
    if matches!(node.value, Value::Null) || e.map(node, "setup").is_none() {
        return setup;
    }
    e.unknown_keys(node, SETUP_KEYS, "setup");
    if let Some(files) = node.get("files") {
        match &files.value {
            Value::Seq(items) => {
                for item in items {
                    if e.map(item, "a setup file").is_none() {
                        continue;
                    }
                    e.unknown_keys(item, FILE_KEYS, "a setup file");
                    let path = e
                        .required(item, "path", "a setup file")
                        .and_then(|n| e.string(n, "path"));
                    let content = e
                        .required(item, "content", "a setup file")
                        .and_then(|n| e.string(n, "content"));
                    if let (Some(path), Some(content)) = (path, content) {
                        setup.files.push(SetupFile {
                            path,
                            content,
                            line: item.line,
                        });
                    }
                }
            }
            _ => e.add(files.line, "setup.files must be a list"),
        }
    }
    if let Some(m) = node.get("manifests") {
        match &m.value {
            Value::Seq(items) => {
                for item in items {
                    if let Some(s) = e.string(item, "a setup manifest") {
                        setup.manifests.push((s, item.line));
                    }
                }
            }
            _ => e.add(m.line, "setup.manifests must be a list"),
        }
    }
    if let Some(c) = node.get("commands") {
        setup.commands = e.strings(c, "setup.commands");
    }
    setup
}

fn step(node: &Node, e: &mut Errors) -> Option<Step> {
    let node = e.map(node, "a step")?;
    e.unknown_keys(node, STEP_KEYS, "a step");
    let id = e
        .required(node, "id", "a step")
        .and_then(|n| e.string(n, "step id"));
    let title = e
        .required(node, "title", "a step")
        .map(|n| e.text(n, "step title"));
    let text = e
        .required(node, "text", "a step")
        .map(|n| e.text(n, "step text"));
    let goal = e
        .required(node, "goal", "a step")
        .and_then(|n| goals::parse(n, e));
    let mut hints = Vec::new();
    if let Some(h) = node.get("hints") {
        match &h.value {
            Value::Seq(items) => hints = items.iter().map(|i| e.text(i, "a hint")).collect(),
            _ => e.add(h.line, "hints must be a list"),
        }
    }
    let solution = match e.required(node, "solution", "a step") {
        Some(s) => {
            let lines = e.strings(s, "solution");
            if lines.is_empty() {
                e.add(s.line, "a step's solution needs at least one command");
            }
            lines
        }
        None => Vec::new(),
    };
    Some(Step {
        id: id?,
        title: title?,
        text: text?,
        goal: goal?,
        hints,
        solution,
        line: node.line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "\
id: tiny
order: 1
title: {ko: 작은 수업, en: Tiny}
summary: {ko: 요약, en: Summary}
minutes: 1
steps:
  - id: nodes
    title: {ko: 노드, en: Nodes}
    text: {ko: '`kubectl get nodes`', en: '`kubectl get nodes`'}
    goal:
      ran: kubectl get nodes
    solution:
      - kubectl get nodes
";

    #[test]
    fn a_minimal_lesson_parses() {
        let l = parse("tiny.yaml", MINIMAL).unwrap();
        assert_eq!((l.id.as_str(), l.order, l.steps.len()), ("tiny", 1, 1));
        assert_eq!(l.steps[0].text.get("ko"), "`kubectl get nodes`");
    }

    #[test]
    fn a_byte_order_mark_is_not_content() {
        let l = parse("tiny.yaml", &format!("\u{feff}{MINIMAL}")).unwrap();
        assert_eq!(l.id, "tiny");
    }

    #[test]
    fn errors_name_line_and_suggest() {
        let text = MINIMAL
            .replace("minutes: 1", "minutse: 1")
            .replace("en: Nodes}", "eng: Nodes}");
        let errs = parse("tiny.yaml", &text).unwrap_err();
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            shown.contains(
                &"tiny.yaml:5: unknown key `minutse` in the lesson; did you mean `minutes`?"
                    .to_string()
            ),
            "{shown:?}"
        );
        assert!(shown
            .iter()
            .any(|s| s.starts_with("tiny.yaml:8: unknown locale `eng`")));
        assert!(shown
            .iter()
            .any(|s| s == "tiny.yaml:8: step title is missing locale `en`"));
    }

    #[test]
    fn yaml_syntax_errors_have_lines() {
        let errs = parse("x.yaml", "id: [a\nb: c\n").unwrap_err();
        assert!(
            errs[0].to_string().starts_with("x.yaml:2: YAML syntax"),
            "{errs:?}"
        );
    }
}
