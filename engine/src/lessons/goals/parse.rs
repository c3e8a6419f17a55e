//! Goals from a lesson file: one predicate per mapping, errors with lines and suggestions.

use regex_lite::Regex;

use super::{Bounds, FieldTest, Goal, ObjRef, PodConds, Pred, PredKind, Seg, PREDICATES};
use crate::api::kinds;
use crate::api::object::Object;
use crate::api::selector::Selector;
use crate::bounds::{self, Depth};
use crate::lessons::did_you_mean;
use crate::lessons::format::Errors;
use crate::lessons::yaml::{Node, Value};

struct Parser<'e> {
    e: &'e mut Errors,
    slots: usize,
    /// `all`/`any`/`not`/`always`/`ever` nesting, bounded by [`bounds::GOALS`].
    depth: Depth,
}

/// Parses a goal; problems go to `e` with their lines.
pub(crate) fn parse(node: &Node, e: &mut Errors) -> Option<Goal> {
    let mut p = Parser {
        e,
        slots: 0,
        depth: Depth::new(bounds::GOALS),
    };
    let root = p.pred(node)?;
    Some(Goal {
        root,
        slots: p.slots,
    })
}

impl Parser<'_> {
    fn slot(&mut self) -> usize {
        self.slots += 1;
        self.slots - 1
    }

    /// One goal, a level deeper than its parent's (refused past the limit).
    fn pred(&mut self, node: &Node) -> Option<Pred> {
        if let Err(too_deep) = self.depth.enter() {
            self.e
                .add(node.line, format!("goal nested too deeply ({too_deep})"));
            return None;
        }
        let pred = self.pred_here(node);
        self.depth.leave();
        pred
    }

    fn pred_here(&mut self, node: &Node) -> Option<Pred> {
        let Some(entries) = node.entries() else {
            self.e.add(
                node.line,
                format!(
                    "a goal must be a mapping with one predicate ({})",
                    PREDICATES.join(", ")
                ),
            );
            return None;
        };
        let mut label = None;
        let mut found: Option<(String, &Node)> = None;
        for (key, value) in entries {
            if key == "label" {
                label = Some(self.e.text(value, "a goal label"));
            } else if PREDICATES.contains(&key.as_str()) {
                if found.is_some() {
                    self.e.add(
                        value.line,
                        format!("one predicate per goal; combine `{key}` with `all` or `any`"),
                    );
                } else {
                    found = Some((key, value));
                }
            } else {
                let hint = did_you_mean(&key, PREDICATES.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| format!(" (known: {}, label)", PREDICATES.join(", ")));
                self.e
                    .add(value.line, format!("unknown predicate `{key}`{hint}"));
            }
        }
        let Some((name, body)) = found else {
            self.e.add(node.line, "a goal needs a predicate");
            return None;
        };
        let kind = match name.as_str() {
            "exists" => PredKind::Exists(self.obj_ref(body, "exists")?),
            "absent" => PredKind::Absent(self.obj_ref(body, "absent")?),
            "count" => self.count(body)?,
            "field" => self.field(body)?,
            "rollout" => {
                let r = self.obj_ref(body, "rollout")?;
                if r.kind != "Deployment" {
                    self.e
                        .add(body.line, "rollout supports Deployments (deployment/NAME)");
                    return None;
                }
                PredKind::Rollout(r)
            }
            "ran" => self.ran(body)?,
            "event" => self.event(body)?,
            "traffic" => self.traffic(body)?,
            "all" | "any" => {
                let Value::Seq(items) = &body.value else {
                    self.e
                        .add(body.line, format!("`{name}` takes a list of goals"));
                    return None;
                };
                if items.is_empty() {
                    self.e
                        .add(body.line, format!("`{name}` needs at least one goal"));
                    return None;
                }
                let preds: Vec<Pred> = items.iter().filter_map(|i| self.pred(i)).collect();
                if preds.len() != items.len() {
                    return None;
                }
                if name == "all" {
                    PredKind::All(preds)
                } else {
                    PredKind::Any(preds)
                }
            }
            "not" => PredKind::Not(Box::new(self.pred(body)?)),
            "always" => {
                let inner = self.pred(body)?;
                PredKind::Always(Box::new(inner), self.slot())
            }
            _ => {
                let inner = self.pred(body)?;
                PredKind::Ever(Box::new(inner), self.slot())
            }
        };
        Some(Pred { kind, label })
    }

    fn kind(&mut self, node: &Node) -> Option<&'static str> {
        let name = self.e.string(node, "kind")?;
        match kinds::resolve(&name).filter(|k| Object::KINDS.contains(&k.kind)) {
            Some(k) => Some(k.kind),
            None => {
                let hint = did_you_mean(&name, Object::KINDS.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                self.e
                    .add(node.line, format!("unknown kind `{name}`{hint}"));
                None
            }
        }
    }

    fn namespace(&mut self, node: &Node, kind: &'static str) -> String {
        if !kinds::info(kind).namespaced {
            return String::new();
        }
        node.get("namespace")
            .and_then(|n| self.e.string(n, "namespace"))
            .unwrap_or_else(|| "default".to_string())
    }

    /// `KIND/NAME`, or a mapping with kind, name and namespace.
    fn obj_ref(&mut self, node: &Node, what: &str) -> Option<ObjRef> {
        if let Value::Str(s) = &node.value {
            let Some((k, name)) = s.split_once('/') else {
                self.e.add(
                    node.line,
                    format!("`{what}` takes KIND/NAME (pod/nginx) or kind, name, namespace"),
                );
                return None;
            };
            let kind = self.kind(&Node {
                value: Value::Str(k.to_string()),
                line: node.line,
            })?;
            let namespace = if kinds::info(kind).namespaced {
                "default".to_string()
            } else {
                String::new()
            };
            return Some(ObjRef {
                kind,
                namespace,
                name: name.to_string(),
            });
        }
        self.e.map(node, what)?;
        self.e
            .unknown_keys(node, &["kind", "name", "namespace"], &format!("`{what}`"));
        let kind_node = self.e_required(node, "kind", what)?;
        let kind = self.kind(kind_node)?;
        let name = self.e_required(node, "name", what)?;
        let name = self.e.string(name, "name")?;
        let namespace = self.namespace(node, kind);
        Some(ObjRef {
            kind,
            namespace,
            name,
        })
    }

    fn e_required<'n>(&mut self, node: &'n Node, key: &str, what: &str) -> Option<&'n Node> {
        self.e.required(node, key, &format!("`{what}`"))
    }

    fn count(&mut self, node: &Node) -> Option<PredKind> {
        self.e.map(node, "count")?;
        self.e.unknown_keys(
            node,
            &[
                "kind",
                "namespace",
                "selector",
                "phase",
                "ready",
                "status",
                "image",
                "equals",
                "min",
                "max",
            ],
            "`count`",
        );
        let kind_node = self.e_required(node, "kind", "count")?;
        let kind = self.kind(kind_node)?;
        let namespace = match node.get("namespace").and_then(Node::scalar) {
            Some(ns) if ns == "*" => None,
            _ => Some(self.namespace(node, kind)),
        };
        let selector = match node.get("selector") {
            Some(s) => {
                let text = self.e.string(s, "selector")?;
                match Selector::parse(&text) {
                    Ok(sel) => Some((text, sel)),
                    Err(err) => {
                        self.e.add(s.line, format!("selector: {err}"));
                        return None;
                    }
                }
            }
            None => None,
        };
        let text = |p: &mut Self, key: &str| node.get(key).and_then(|n| p.e.string(n, key));
        let conds = PodConds {
            phase: text(self, "phase"),
            status: text(self, "status"),
            image: text(self, "image"),
            ready: match node.get("ready") {
                Some(Node {
                    value: Value::Bool(b),
                    ..
                }) => Some(*b),
                Some(n) => {
                    self.e.add(n.line, "ready must be true or false");
                    None
                }
                None => None,
            },
        };
        let has_conds = conds.phase.is_some()
            || conds.status.is_some()
            || conds.image.is_some()
            || conds.ready.is_some();
        if has_conds && kind != "Pod" {
            self.e.add(
                node.line,
                "phase, ready, status and image apply to pods only (kind: Pod)",
            );
        }
        let num = |p: &mut Self, key: &str| {
            node.get(key)
                .and_then(|n| p.e.number(n, key))
                .map(u64::from)
        };
        let equals = num(self, "equals");
        let (min, max) = (num(self, "min"), num(self, "max"));
        let bounds = match (equals, min, max) {
            (Some(n), None, None) => Bounds {
                min: Some(n),
                max: Some(n),
            },
            (None, min, max) if min.is_some() || max.is_some() => Bounds { min, max },
            _ => {
                self.e.add(
                    node.line,
                    "count needs `equals`, or `min` and/or `max` (not both kinds)",
                );
                return None;
            }
        };
        Some(PredKind::Count {
            kind,
            namespace,
            selector,
            conds,
            bounds,
        })
    }

    fn field(&mut self, node: &Node) -> Option<PredKind> {
        self.e.map(node, "field")?;
        self.e.unknown_keys(
            node,
            &[
                "kind",
                "name",
                "namespace",
                "path",
                "equals",
                "matches",
                "missing",
            ],
            "`field`",
        );
        let kind_node = self.e_required(node, "kind", "field")?;
        let kind = self.kind(kind_node)?;
        let name_node = self.e_required(node, "name", "field")?;
        let name = self.e.string(name_node, "name")?;
        let namespace = self.namespace(node, kind);
        let path_node = self.e_required(node, "path", "field")?;
        let path_text = self.e.string(path_node, "path")?;
        let path = match parse_path(&path_text) {
            Ok(p) => p,
            Err(err) => {
                self.e
                    .add(path_node.line, format!("path `{path_text}`: {err}"));
                return None;
            }
        };
        let (test, expected_text) = match (node.get("equals"), node.get("matches")) {
            (None, None) if node.get("missing").is_some() => {
                let m = node.get("missing").map(|m| &m.value);
                if m != Some(&Value::Bool(true)) {
                    self.e.add(node.line, "missing can only be true");
                    return None;
                }
                (FieldTest::Missing, String::new())
            }
            (Some(v), None) => (
                FieldTest::Equals(v.to_json()),
                v.scalar().unwrap_or_else(|| v.to_json().to_string()),
            ),
            (None, Some(m)) => {
                let pattern = self.e.string(m, "matches")?;
                match Regex::new(&pattern) {
                    Ok(r) => (FieldTest::Matches(r), pattern),
                    Err(err) => {
                        self.e.add(m.line, format!("matches: bad pattern: {err}"));
                        return None;
                    }
                }
            }
            _ => {
                self.e.add(
                    node.line,
                    "field needs one of `equals`, `matches` or `missing: true`",
                );
                return None;
            }
        };
        Some(PredKind::Field {
            obj: ObjRef {
                kind,
                namespace,
                name,
            },
            path_text,
            path,
            test,
            expected_text,
        })
    }

    /// `ran: PATTERN`, or `ran: {pattern: PATTERN, output: PATTERN, exit: CODE}`.
    fn ran(&mut self, node: &Node) -> Option<PredKind> {
        let (pattern_node, output_node) = match &node.value {
            Value::Map(_) => {
                self.e
                    .unknown_keys(node, &["pattern", "output", "exit"], "`ran`");
                (self.e_required(node, "pattern", "ran")?, node.get("output"))
            }
            _ => (node, None),
        };
        let exit = match node.get("exit") {
            Some(n) => match self.e.number(n, "exit")? {
                code @ 0..=255 => code as i32,
                _ => {
                    self.e.add(n.line, "exit: an exit code is 0 to 255");
                    return None;
                }
            },
            None => 0,
        };
        let pattern = self.e.string(pattern_node, "ran")?;
        let regex = self.regex(pattern_node, &pattern, "ran")?;
        let output = match output_node {
            Some(n) => {
                let text = self.e.string(n, "output")?;
                let re = self.regex(n, &text, "output")?;
                Some((text, re))
            }
            None => None,
        };
        Some(PredKind::Ran {
            pattern,
            regex,
            output,
            exit,
            slot: self.slot(),
        })
    }

    /// A regular expression, or an error at `node`'s line.
    fn regex(&mut self, node: &Node, pattern: &str, what: &str) -> Option<Regex> {
        match Regex::new(pattern) {
            Ok(r) => Some(r),
            Err(err) => {
                self.e.add(node.line, format!("{what}: bad pattern: {err}"));
                None
            }
        }
    }

    fn event(&mut self, node: &Node) -> Option<PredKind> {
        if let Value::Str(reason) = &node.value {
            return Some(PredKind::Event {
                reason: reason.clone(),
                involved_kind: None,
                name_prefix: None,
                namespace: None,
                message: None,
                slot: self.slot(),
            });
        }
        self.e.map(node, "event")?;
        self.e.unknown_keys(
            node,
            &["reason", "kind", "name", "namespace", "message"],
            "`event`",
        );
        let reason = self.e_required(node, "reason", "event")?;
        let reason = self.e.string(reason, "reason")?;
        let involved_kind = match node.get("kind") {
            Some(k) => Some(self.kind(k)?),
            None => None,
        };
        let name_prefix = node.get("name").and_then(|n| self.e.string(n, "name"));
        let namespace = node
            .get("namespace")
            .and_then(|n| self.e.string(n, "namespace"));
        let message = match node.get("message") {
            Some(n) => {
                let text = self.e.string(n, "message")?;
                let re = self.regex(n, &text, "message")?;
                Some((text, re))
            }
            None => None,
        };
        Some(PredKind::Event {
            reason,
            involved_kind,
            name_prefix,
            namespace,
            message,
            slot: self.slot(),
        })
    }
}

impl Parser<'_> {
    /// `traffic: {service: web, namespace: default, pods: 2, requests: 5}`.
    fn traffic(&mut self, node: &Node) -> Option<PredKind> {
        self.e.map(node, "traffic")?;
        self.e.unknown_keys(
            node,
            &["service", "namespace", "pods", "requests"],
            "`traffic`",
        );
        let service = self.e_required(node, "service", "traffic")?;
        let service = self.e.string(service, "service")?;
        let namespace = match node.get("namespace") {
            Some(n) => self.e.string(n, "namespace")?,
            None => "default".to_string(),
        };
        let pods = match node.get("pods") {
            Some(n) => self.e.number(n, "pods")?,
            None => 1,
        };
        let requests = match node.get("requests") {
            Some(n) => self.e.number(n, "requests")?,
            None => 1,
        };
        Some(PredKind::Traffic {
            service,
            namespace,
            pods,
            requests,
            slot: self.slot(),
        })
    }
}

/// Parses a JSONPath-like path: `spec.replicas`, `{.spec.containers[0].image}`,
/// `metadata.labels['app.kubernetes.io/name']`.
pub(crate) fn parse_path(text: &str) -> Result<Vec<Seg>, String> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    let t = t.strip_prefix('.').unwrap_or(t);
    let mut segs = Vec::new();
    let mut chars = t.chars().peekable();
    let mut cur = String::new();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if cur.is_empty() && !matches!(segs.last(), Some(Seg::Index(_))) {
                    return Err("empty segment".into());
                }
                if !cur.is_empty() {
                    segs.push(Seg::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    segs.push(Seg::Key(std::mem::take(&mut cur)));
                }
                let mut inner = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == ']' {
                        closed = true;
                        break;
                    }
                    inner.push(c);
                }
                if !closed {
                    return Err("unclosed `[`".into());
                }
                let inner = inner.trim();
                if let Ok(i) = inner.parse::<usize>() {
                    segs.push(Seg::Index(i));
                } else if let Some(k) = inner
                    .strip_prefix('\'')
                    .and_then(|k| k.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|k| k.strip_suffix('"')))
                {
                    segs.push(Seg::Key(k.to_string()));
                } else {
                    return Err(format!("`[{inner}]` is neither an index nor a quoted key"));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        segs.push(Seg::Key(cur));
    }
    if segs.is_empty() {
        return Err("empty path".into());
    }
    Ok(segs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        let p = parse_path("{.spec.template.spec.containers[0].image}").unwrap();
        assert_eq!(p.len(), 6);
        let p = parse_path("metadata.labels['app.kubernetes.io/name']").unwrap();
        assert!(matches!(&p[2], Seg::Key(k) if k == "app.kubernetes.io/name"));
        assert!(parse_path("spec..x").is_err());
        assert!(parse_path("a[b").is_err());
    }

    /// `depth` goals, each the `not` of the next, around an `exists`.
    fn nested_nots(depth: usize) -> (Option<Goal>, Vec<String>) {
        let text = "{not: ".repeat(depth - 1) + "{exists: pod/web}" + &"}".repeat(depth - 1);
        let node = crate::lessons::yaml::parse(&text).unwrap();
        let mut e = Errors {
            file: "l.yaml".into(),
            list: Vec::new(),
        };
        let goal = parse(&node, &mut e);
        (goal, e.list.iter().map(|l| l.message.clone()).collect())
    }

    #[test]
    fn nesting_is_counted_by_the_shared_depth_budget() {
        let (goal, errors) = nested_nots(bounds::GOALS);
        assert!(goal.is_some() && errors.is_empty(), "{errors:?}");
        let (goal, errors) = nested_nots(bounds::GOALS + 1);
        assert!(goal.is_none());
        assert_eq!(
            errors,
            ["goal nested too deeply (exceeded max depth of 32)"]
        );
        let (goal, errors) = nested_nots(150);
        assert!(goal.is_none() && errors.len() == 1, "{errors:?}");
    }
}
