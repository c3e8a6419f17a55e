//! Problems in a manifest before it is saved or applied, each on its line: what
//! `kubectl apply --dry-run=server` would say (YAML errors, unknown fields with "did you
//! mean", unknown kinds, the apiserver's validation), for an editor to mark in its gutter.
//!
//! Each document is tried on a throwaway cluster, so the learner's cluster, its clock and
//! its random names are untouched. Field paths in validation messages are mapped back to
//! their lines with a YAML event walk.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::cluster::Cluster;

/// One problem found in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestProblem {
    /// 1-based line it is on, when known.
    pub line: Option<usize>,
    /// What is wrong, as kubectl says it (with Kubeplay's hint where there is one).
    pub message: String,
}

/// Lints `text`, the content of the workspace file `path` (named in messages).
/// Files that are not manifests (no `kind:` anywhere) have no problems.
pub fn lint_manifest(path: &str, text: &str) -> Vec<ManifestProblem> {
    if text.trim().is_empty() || !text.contains("kind") {
        return Vec::new();
    }
    let docs = match crate::api::manifest::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            return vec![ManifestProblem {
                line: yaml_error_line(&e),
                message: e
                    .trim_start_matches("error converting YAML to JSON: ")
                    .to_string(),
            }]
        }
    };
    let index = PathIndex::build(text);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut problems = Vec::new();
    let mut cluster = Cluster::new();
    for (n, doc) in docs.iter().enumerate() {
        // The document alone, on the lines it has in the file (others blanked), so the
        // messages' line numbers are the file's.
        let end = docs
            .get(n + 1)
            .map_or(lines.len(), |d| d.line.saturating_sub(1));
        let only: Vec<&str> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let line = i + 1;
                if line >= doc.line && line <= end && l.trim() != "---" && l.trim() != "..." {
                    *l
                } else {
                    ""
                }
            })
            .collect();
        let file = if path.is_empty() {
            "manifest.yaml"
        } else {
            path
        };
        if cluster
            .console
            .files
            .write(file, &only.join("\n"), false)
            .is_err()
        {
            continue;
        }
        let quoted = file.replace('\'', "'\\''");
        let out = cluster.run(&format!("kubectl apply --dry-run=server -f '{quoted}'"));
        let doc_index = index.doc_at(doc.line);
        problems.extend(problems_in(&out.stderr(), file, doc.line, |p| {
            index.line_of(doc_index, p)
        }));
    }
    problems
}

fn yaml_error_line(message: &str) -> Option<usize> {
    let rest = message.split("line ").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Turns kubectl's error text for one document into problems with lines.
fn problems_in(
    stderr: &str,
    file: &str,
    doc_line: usize,
    line_of: impl Fn(&str) -> Option<usize>,
) -> Vec<ManifestProblem> {
    let mut out: Vec<ManifestProblem> = Vec::new();
    let mut pending_headline: Option<String> = None;
    let hint_prefix = format!("hint: {file}:");
    for raw in stderr.lines() {
        let line = raw.trim();
        if line.is_empty() || line == "ensure CRDs are installed first" {
            continue;
        }
        // The throwaway cluster has only the default namespaces: not the learner's problem.
        if line.contains("namespaces \"") && line.ends_with("not found") {
            pending_headline = None;
            continue;
        }
        if let Some(rest) = line.strip_prefix(&hint_prefix) {
            // `hint: pod.yaml:7: "contianers" is not a field here; did you mean ...?`
            let (num, msg) = rest.split_once(':').unwrap_or(("", rest));
            pending_headline = None;
            out.push(ManifestProblem {
                line: num.trim().parse().ok(),
                message: msg.trim().to_string(),
            });
        } else if let Some(msg) = line.strip_prefix("hint: ") {
            // A kind typo: `hint: did you mean kind "Deployment" (apiVersion apps/v1)?`
            let head = pending_headline.take().unwrap_or_default();
            out.push(ManifestProblem {
                line: line_of("kind").or(Some(doc_line)),
                message: format!("{head} {msg}").trim().to_string(),
            });
        } else if let Some(item) = line.strip_prefix("* ") {
            // `* spec.containers[0].ports[0].containerPort: Invalid value: ...`
            pending_headline = None;
            let path = item.split(": ").next().unwrap_or("");
            out.push(ManifestProblem {
                line: nearest_line(path, &line_of).or(Some(doc_line)),
                message: item.to_string(),
            });
        } else if line.ends_with("is invalid:") || line.ends_with("is invalid: ") {
            pending_headline = None;
        } else {
            if let Some(head) = pending_headline.take() {
                out.push(ManifestProblem {
                    line: Some(doc_line),
                    message: head,
                });
            }
            let short = line
                .rsplit_once("no matches for ")
                .map(|(_, m)| format!("no matches for {m}"))
                .unwrap_or_else(|| line.to_string());
            pending_headline = Some(short);
        }
    }
    if let Some(head) = pending_headline {
        // A headline whose detail was a hint with a line was already covered by it.
        if !head.contains("strict decoding error") || out.is_empty() {
            out.push(ManifestProblem {
                line: Some(doc_line),
                message: head,
            });
        }
    }
    out
}

/// The line of `path` or, failing that, of its nearest ancestor (a missing field's parent).
fn nearest_line(path: &str, line_of: &impl Fn(&str) -> Option<usize>) -> Option<usize> {
    let mut p = path.to_string();
    loop {
        if let Some(l) = line_of(&p) {
            return Some(l);
        }
        let cut = p.rfind(['.', '['])?;
        p.truncate(cut);
        if p.is_empty() {
            return None;
        }
    }
}

/// Field paths (`spec.containers[0].image`) of every document, with the line they start on.
#[derive(Debug, Default)]
struct PathIndex {
    /// (document index, path) → line.
    lines: BTreeMap<(usize, String), usize>,
    /// First line of each document.
    doc_starts: Vec<usize>,
}

impl PathIndex {
    fn build(text: &str) -> Self {
        let mut walker = Walker::default();
        let mut parser = Parser::new_from_str(text);
        // A text that does not parse has no index; its parse error is reported instead.
        let _ = parser.load(&mut walker, true);
        walker.index
    }

    fn doc_at(&self, line: usize) -> usize {
        self.doc_starts
            .iter()
            .rposition(|&start| start <= line)
            .unwrap_or(0)
    }

    fn line_of(&self, doc: usize, path: &str) -> Option<usize> {
        self.lines.get(&(doc, path.to_string())).copied()
    }
}

/// Where the walk is inside one collection.
#[derive(Debug)]
enum Frame {
    /// A mapping: the key whose value comes next (None while a key is expected).
    Map { path: String, key: Option<String> },
    /// A sequence: the index of the next item.
    Seq { path: String, next: usize },
}

#[derive(Debug, Default)]
struct Walker {
    index: PathIndex,
    stack: Vec<Frame>,
    doc: Option<usize>,
}

impl Walker {
    /// The path of the node starting now, or None when the node is a mapping key.
    fn node_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { path, key }) => {
                let k = key.take()?;
                Some(if path.is_empty() {
                    k
                } else {
                    format!("{path}.{k}")
                })
            }
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                Some(p)
            }
        }
    }

    fn record(&mut self, path: &str, line: usize) {
        if let Some(doc) = self.doc {
            self.index
                .lines
                .entry((doc, path.to_string()))
                .or_insert(line);
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::DocumentStart => {
                self.doc = Some(self.index.doc_starts.len());
                self.index.doc_starts.push(line);
                self.stack.clear();
            }
            Event::Scalar(value, ..) => match self.stack.last_mut() {
                Some(Frame::Map { key, .. }) if key.is_none() => {
                    *key = Some(value);
                    // The key's line is where its value is reported.
                    let path = match self.stack.last() {
                        Some(Frame::Map { path, key: Some(k) }) if path.is_empty() => k.clone(),
                        Some(Frame::Map { path, key: Some(k) }) => format!("{path}.{k}"),
                        _ => return,
                    };
                    self.record(&path, line);
                }
                _ => {
                    if let Some(p) = self.node_path() {
                        self.record(&p, line);
                    }
                }
            },
            Event::MappingStart(..) => {
                if let Some(p) = self.node_path() {
                    self.record(&p, line);
                    self.stack.push(Frame::Map { path: p, key: None });
                } else {
                    // A complex key: not something manifests use; keep the walk balanced.
                    self.stack.push(Frame::Map {
                        path: "?".into(),
                        key: None,
                    });
                }
            }
            Event::SequenceStart(..) => {
                let p = self.node_path().unwrap_or_else(|| "?".into());
                self.record(&p, line);
                self.stack.push(Frame::Seq { path: p, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(problems: &[ManifestProblem]) -> Vec<(Option<usize>, &str)> {
        problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect()
    }

    #[test]
    fn a_valid_manifest_and_plain_text_have_no_problems() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n";
        assert_eq!(lint_manifest("pod.yaml", pod), vec![]);
        assert_eq!(lint_manifest("notes.txt", "just some notes\n"), vec![]);
        // A namespace the throwaway cluster lacks is not a problem.
        let other = pod.replace("name: web\nspec", "name: web\n  namespace: dev\nspec");
        assert_eq!(lint_manifest("pod.yaml", &other), vec![]);
    }

    #[test]
    fn marks_yaml_errors_unknown_fields_and_validation_on_their_lines() {
        let broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n   labels: x\n";
        let p = lint_manifest("b.yaml", broken);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, Some(5));
        assert!(
            p[0].message.contains("mapping values are not allowed"),
            "{p:?}"
        );

        let typo = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  contianers:\n  - name: web\n    image: nginx\n";
        assert_eq!(
            lines(&lint_manifest("pod.yaml", typo)),
            vec![(
                Some(6),
                "\"contianers\" is not a field here; did you mean \"containers\"?"
            )]
        );

        let invalid = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Web_1\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 99999\n";
        let p = lint_manifest("bad.yaml", invalid);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].line, Some(4));
        assert!(p[0]
            .message
            .starts_with("metadata.name: Invalid value: \"Web_1\""));
        assert_eq!(p[1].line, Some(10));
        assert!(p[1].message.contains("must be between 1 and 65535"));
    }

    #[test]
    fn finds_the_document_of_a_multi_document_file() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n  - name: a\n    image: nginx\n---\napiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: web\n";
        let p = lint_manifest("two.yaml", text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(11));
        assert!(
            p[0].message.contains("did you mean kind \"Deployment\""),
            "{p:?}"
        );
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "kind",
            "kind: [",
            "- kind: Pod\n- 1",
            "? complex\n: key\nkind: Pod",
            "kind: Pod\n---\n---\nkind: x\n...\n",
            "{kind: Pod, metadata: {name: a}}",
            "kind: Pod\nmetadata: {name: 'a'}\nspec: {containers: [{name: a}]}",
        ] {
            let _ = lint_manifest("x.yaml", text);
        }
    }
}
