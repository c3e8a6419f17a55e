//! Goals: declarative predicates over the cluster, parsed once and evaluated after every
//! command and tick, each with a label and a reason it is not met yet, in every locale.

use regex_lite::Regex;
use serde_json::Value as Json;

use super::format::Errors;
use super::history::History;
use super::yaml::{Node, Value};
use super::{did_you_mean, Text};
use crate::api::kinds;
use crate::api::selector::Selector;
use crate::cluster::Cluster;
use crate::store::Object;

/// A step's goal: a tree of predicates, ready to evaluate (nothing is parsed per evaluation).
#[derive(Clone, Debug)]
pub struct Goal {
    pub(crate) root: Pred,
    /// How many history slots (`ran`, `event`, `always`, `ever`) the tree uses.
    pub(crate) slots: usize,
}

/// One line of the live checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalLine {
    /// What must hold, in the requested locale.
    pub label: String,
    /// Whether it holds now.
    pub met: bool,
    /// Why it does not hold yet (`None` when met): "3 pods expected, 2 Running, ...".
    pub why: Option<String>,
}

/// A predicate node.
#[derive(Clone, Debug)]
pub(crate) struct Pred {
    pub kind: PredKind,
    /// The author's label, else one is generated.
    pub label: Option<Text>,
}

/// Which object a predicate looks at.
#[derive(Clone, Debug)]
pub(crate) struct ObjRef {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
}

/// Pod conditions a `count` can require.
#[derive(Clone, Debug, Default)]
pub(crate) struct PodConds {
    pub phase: Option<String>,
    pub ready: Option<bool>,
    pub status: Option<String>,
    pub image: Option<String>,
}

/// The bounds of a `count`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) enum FieldTest {
    Equals(Json),
    Matches(Regex),
    /// The field is not set (`missing: true`).
    Missing,
}

#[derive(Clone, Debug)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Debug)]
pub(crate) enum PredKind {
    Exists(ObjRef),
    Absent(ObjRef),
    Count {
        kind: &'static str,
        /// `None`: every namespace.
        namespace: Option<String>,
        selector: Option<(String, Selector)>,
        conds: PodConds,
        bounds: Bounds,
    },
    Field {
        obj: ObjRef,
        path_text: String,
        path: Vec<Seg>,
        test: FieldTest,
        expected_text: String,
    },
    Rollout(ObjRef),
    Ran {
        pattern: String,
        regex: Regex,
        slot: usize,
    },
    Event {
        reason: String,
        involved_kind: Option<&'static str>,
        name_prefix: Option<String>,
        namespace: Option<String>,
        slot: usize,
    },
    All(Vec<Pred>),
    Any(Vec<Pred>),
    Not(Box<Pred>),
    Always(Box<Pred>, usize),
    Ever(Box<Pred>, usize),
}

/// The predicate names, for "did you mean".
pub(crate) const PREDICATES: &[&str] = &[
    "exists", "absent", "count", "field", "rollout", "ran", "event", "all", "any", "not", "always",
    "ever",
];

// ---------------------------------------------------------------------------------------
// Parsing

struct Parser<'e> {
    e: &'e mut Errors,
    slots: usize,
}

/// Parses a goal; problems go to `e` with their lines.
pub(crate) fn parse(node: &Node, e: &mut Errors) -> Option<Goal> {
    let mut p = Parser { e, slots: 0 };
    let root = p.pred(node, 0)?;
    Some(Goal {
        root,
        slots: p.slots,
    })
}

/// Deepest nesting accepted (keeps recursion bounded on hostile input).
const MAX_DEPTH: usize = 32;

impl Parser<'_> {
    fn slot(&mut self) -> usize {
        self.slots += 1;
        self.slots - 1
    }

    fn pred(&mut self, node: &Node, depth: usize) -> Option<Pred> {
        if depth > MAX_DEPTH {
            self.e.add(node.line, "goal nested too deeply");
            return None;
        }
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
                let preds: Vec<Pred> = items
                    .iter()
                    .filter_map(|i| self.pred(i, depth + 1))
                    .collect();
                if preds.len() != items.len() {
                    return None;
                }
                if name == "all" {
                    PredKind::All(preds)
                } else {
                    PredKind::Any(preds)
                }
            }
            "not" => PredKind::Not(Box::new(self.pred(body, depth + 1)?)),
            "always" => {
                let inner = self.pred(body, depth + 1)?;
                PredKind::Always(Box::new(inner), self.slot())
            }
            _ => {
                let inner = self.pred(body, depth + 1)?;
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

    fn ran(&mut self, node: &Node) -> Option<PredKind> {
        let pattern_node = match &node.value {
            Value::Map(_) => {
                self.e.unknown_keys(node, &["pattern"], "`ran`");
                self.e_required(node, "pattern", "ran")?
            }
            _ => node,
        };
        let pattern = self.e.string(pattern_node, "ran")?;
        match Regex::new(&pattern) {
            Ok(regex) => Some(PredKind::Ran {
                pattern,
                regex,
                slot: self.slot(),
            }),
            Err(err) => {
                self.e
                    .add(pattern_node.line, format!("ran: bad pattern: {err}"));
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
                slot: self.slot(),
            });
        }
        self.e.map(node, "event")?;
        self.e
            .unknown_keys(node, &["reason", "kind", "name", "namespace"], "`event`");
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
        Some(PredKind::Event {
            reason,
            involved_kind,
            name_prefix,
            namespace,
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

// ---------------------------------------------------------------------------------------
// Evaluation

/// The outcome of one predicate: whether it holds, and why not.
#[derive(Clone, Debug)]
pub(crate) struct Eval {
    pub met: bool,
    pub why: Option<Text>,
}

impl Eval {
    fn yes() -> Eval {
        Eval {
            met: true,
            why: None,
        }
    }

    fn no(why: Text) -> Eval {
        Eval {
            met: false,
            why: Some(why),
        }
    }

    fn check(met: bool, why: impl FnOnce() -> Text) -> Eval {
        if met {
            Eval::yes()
        } else {
            Eval::no(why())
        }
    }
}

impl Goal {
    /// The top-level predicates shown as checklist lines (the children of a top `all`).
    pub(crate) fn lines(&self) -> Vec<&Pred> {
        match (&self.root.kind, &self.root.label) {
            (PredKind::All(children), None) => children.iter().collect(),
            _ => vec![&self.root],
        }
    }
}

impl Pred {
    /// Evaluates against `cluster`, updating `always`/`ever` slots in `history`.
    pub(crate) fn eval(&self, cluster: &Cluster, history: &mut History) -> Eval {
        match &self.kind {
            PredKind::Exists(r) => {
                let found = cluster.store.get(r.kind, &r.namespace, &r.name).is_some();
                Eval::check(found, || {
                    Text::ko_en(
                        format!(
                            "{}{} 아직 없습니다",
                            ko_obj(r),
                            josa(&ko_obj(r), "이", "가")
                        ),
                        format!("{} {} not found yet", en_kind(r.kind), r.name),
                    )
                })
            }
            PredKind::Absent(r) => {
                let obj = cluster.store.get(r.kind, &r.namespace, &r.name);
                let deleting = obj.is_some_and(|o| o.metadata().deletion_timestamp.is_some());
                Eval::check(obj.is_none(), || {
                    if deleting {
                        Text::ko_en(
                            format!("{} 삭제 중입니다 (Terminating)", ko_obj(r)),
                            format!("{} {} is still terminating", en_kind(r.kind), r.name),
                        )
                    } else {
                        Text::ko_en(
                            format!(
                                "{}{} 아직 있습니다",
                                ko_obj(r),
                                josa(&ko_obj(r), "이", "가")
                            ),
                            format!("{} {} still exists", en_kind(r.kind), r.name),
                        )
                    }
                })
            }
            PredKind::Count {
                kind,
                namespace,
                selector,
                conds,
                bounds,
            } => count(
                cluster,
                kind,
                namespace.as_deref(),
                selector,
                conds,
                *bounds,
            ),
            PredKind::Field {
                obj,
                path_text,
                path,
                test,
                expected_text,
            } => {
                let Some(o) = cluster.store.get(obj.kind, &obj.namespace, &obj.name) else {
                    return Eval::no(Text::ko_en(
                        format!("{}{} 없습니다", ko_obj(obj), josa(&ko_obj(obj), "이", "가")),
                        format!("{} {} not found", en_kind(obj.kind), obj.name),
                    ));
                };
                let json = o.to_json();
                let value = lookup(&json, path);
                if let FieldTest::Missing = test {
                    return Eval::check(value.is_none_or(Json::is_null), || {
                        let v = value.map(json_text).unwrap_or_default();
                        Text::ko_en(
                            format!("{path_text} 값이 지금 {v}"),
                            format!("{path_text} is {v}"),
                        )
                    });
                }
                let met = match (test, value) {
                    (FieldTest::Missing, _) | (_, None) => false,
                    (FieldTest::Equals(want), Some(v)) => json_equal(v, want),
                    (FieldTest::Matches(re), Some(v)) => re.is_match(&json_text(v)),
                };
                Eval::check(met, || match value {
                    None => Text::ko_en(
                        format!("{path_text} 값이 없습니다 (기대값: {expected_text})"),
                        format!("{path_text} is not set (expected {expected_text})"),
                    ),
                    Some(v) => Text::ko_en(
                        format!(
                            "{path_text} 값이 지금 {} (기대값: {expected_text})",
                            json_text(v)
                        ),
                        format!("{path_text} is {} (expected {expected_text})", json_text(v)),
                    ),
                })
            }
            PredKind::Rollout(r) => match cluster.store.get(r.kind, &r.namespace, &r.name) {
                Some(Object::Deployment(d)) => {
                    let (message, done, _) = crate::console::kubectl::rollout::status_message(d);
                    Eval::check(done, || {
                        Text::ko_en(rollout_ko(d, &r.name), message.clone())
                    })
                }
                _ => Eval::no(Text::ko_en(
                    format!("{}{} 없습니다", ko_obj(r), josa(&ko_obj(r), "이", "가")),
                    format!("deployment {} not found", r.name),
                )),
            },
            PredKind::Ran { slot, .. } => Eval::check(history.slot(*slot), || {
                Text::ko_en(
                    "이 단계에서 아직 실행하지 않았습니다",
                    "not run successfully in this step yet",
                )
            }),
            PredKind::Event { slot, .. } => Eval::check(history.slot(*slot), || {
                Text::ko_en(
                    "이 단계가 시작된 뒤로 아직 일어나지 않았습니다",
                    "has not happened since the step started",
                )
            }),
            PredKind::All(children) => {
                let evals: Vec<Eval> = children.iter().map(|c| c.eval(cluster, history)).collect();
                match evals.into_iter().find(|e| !e.met) {
                    None => Eval::yes(),
                    Some(first) => first,
                }
            }
            PredKind::Any(children) => {
                let evals: Vec<Eval> = children.iter().map(|c| c.eval(cluster, history)).collect();
                if evals.iter().any(|e| e.met) {
                    Eval::yes()
                } else {
                    evals.into_iter().next().unwrap_or(Eval::yes())
                }
            }
            PredKind::Not(inner) => {
                let e = inner.eval(cluster, history);
                Eval::check(!e.met, || {
                    let l = inner.label_text();
                    Text::ko_en(
                        format!("지금은 성립합니다: {}", l.get("ko")),
                        format!("currently true: {}", l.get("en")),
                    )
                })
            }
            PredKind::Always(inner, slot) => {
                let e = inner.eval(cluster, history);
                if !e.met {
                    history.set(*slot, false);
                }
                Eval::check(history.slot(*slot), || {
                    let mut why = Text::ko_en(
                        "이 단계 도중에 한 번 깨졌습니다 (`restart`로 단계를 다시 시작하세요)",
                        "it stopped holding during this step (restart the step to try again)",
                    );
                    if let Some(now) = e.why {
                        for (locale, text) in why.0.iter_mut() {
                            text.push_str(&format!(" — {}", now.get(locale)));
                        }
                    }
                    why
                })
            }
            PredKind::Ever(inner, slot) => {
                let e = inner.eval(cluster, history);
                if e.met {
                    history.set(*slot, true);
                }
                Eval::check(history.slot(*slot), || {
                    e.why.unwrap_or_else(|| {
                        Text::ko_en("아직 한 번도 성립하지 않았습니다", "has not held yet")
                    })
                })
            }
        }
    }

    /// The author's label, else a generated one.
    pub(crate) fn label_text(&self) -> Text {
        self.label.clone().unwrap_or_else(|| self.generated_label())
    }

    fn generated_label(&self) -> Text {
        match &self.kind {
            PredKind::Exists(r) => Text::ko_en(
                format!("{}{} 있음", ko_obj(r), josa(&ko_obj(r), "이", "가")),
                format!(
                    "{} {} exists{}",
                    en_kind(r.kind),
                    r.name,
                    en_ns(&r.namespace)
                ),
            ),
            PredKind::Absent(r) => Text::ko_en(
                format!("{}{} 없음", ko_obj(r), josa(&ko_obj(r), "이", "가")),
                format!(
                    "{} {} is gone{}",
                    en_kind(r.kind),
                    r.name,
                    en_ns(&r.namespace)
                ),
            ),
            PredKind::Count {
                kind,
                namespace,
                selector,
                conds,
                bounds,
            } => {
                let ns_ko = match namespace.as_deref() {
                    None => "모든 네임스페이스의 ".to_string(),
                    Some("default") | Some("") => String::new(),
                    Some(ns) => format!("{ns} 네임스페이스의 "),
                };
                let ns_en = match namespace.as_deref() {
                    None => " in all namespaces".to_string(),
                    Some(ns) => en_ns(ns),
                };
                let sel_ko = selector
                    .as_ref()
                    .map(|(s, _)| format!("`{s}` 레이블이 붙은 "))
                    .unwrap_or_default();
                let sel_en = selector
                    .as_ref()
                    .map(|(s, _)| format!(" labelled `{s}`"))
                    .unwrap_or_default();
                let (c_ko, c_en) = conds_text(conds);
                Text::ko_en(
                    format!(
                        "{ns_ko}{sel_ko}{} {}{}",
                        ko_kind(kind),
                        bounds_ko(bounds),
                        c_ko.map(|c| format!(" ({c})")).unwrap_or_default()
                    ),
                    format!(
                        "{} {}{sel_en}{ns_en}{}",
                        bounds_en(bounds),
                        en_noun(kind, bounds),
                        c_en.map(|c| format!(": {c}")).unwrap_or_default()
                    ),
                )
            }
            PredKind::Field {
                obj,
                path_text,
                test,
                expected_text,
                ..
            } => {
                let (ko_op, en_op) = match test {
                    FieldTest::Equals(_) => ("값이", "is"),
                    FieldTest::Matches(_) => ("값이 패턴", "matches"),
                    FieldTest::Missing => {
                        return Text::ko_en(
                            format!("{}에 {path_text} 없음", ko_obj(obj)),
                            format!(
                                "{path_text} of {} {} is not set",
                                en_kind(obj.kind),
                                obj.name
                            ),
                        )
                    }
                };
                Text::ko_en(
                    format!("{}의 {path_text} {ko_op} {expected_text}", ko_obj(obj)),
                    format!(
                        "{path_text} of {} {} {en_op} {expected_text}",
                        en_kind(obj.kind),
                        obj.name
                    ),
                )
            }
            PredKind::Rollout(r) => Text::ko_en(
                format!("{} 롤아웃 완료", ko_obj(r)),
                format!("deployment {} has finished rolling out", r.name),
            ),
            PredKind::Ran { pattern, .. } => {
                let shown = display_pattern(pattern);
                Text::ko_en(format!("`{shown}` 실행"), format!("run `{shown}`"))
            }
            PredKind::Event {
                reason,
                involved_kind,
                name_prefix,
                ..
            } => {
                let about_ko = match (involved_kind, name_prefix) {
                    (Some(k), Some(n)) => format!("{} {n}에 대한 ", ko_kind(k)),
                    (Some(k), None) => format!("{}에 대한 ", ko_kind(k)),
                    (None, Some(n)) => format!("{n}에 대한 "),
                    (None, None) => String::new(),
                };
                let about_en = match (involved_kind, name_prefix) {
                    (Some(k), Some(n)) => format!(" for {} {n}", en_kind(k)),
                    (Some(k), None) => format!(" for a {}", en_kind(k)),
                    (None, Some(n)) => format!(" for {n}"),
                    (None, None) => String::new(),
                };
                Text::ko_en(
                    format!("{about_ko}{reason} 이벤트 발생"),
                    format!("a {reason} event{about_en}"),
                )
            }
            PredKind::All(children) => join(children, " 그리고 ", " and "),
            PredKind::Any(children) => join(children, " 또는 ", " or "),
            PredKind::Not(inner) => {
                let l = inner.label_text();
                Text::ko_en(
                    format!("다음이 아님: {}", l.get("ko")),
                    format!("not: {}", l.get("en")),
                )
            }
            PredKind::Always(inner, _) => {
                let l = inner.label_text();
                Text::ko_en(
                    format!("{} (단계 내내 유지)", l.get("ko")),
                    format!("{} (the whole step long)", l.get("en")),
                )
            }
            PredKind::Ever(inner, _) => {
                let l = inner.label_text();
                Text::ko_en(
                    format!("{} (한 번이라도)", l.get("ko")),
                    format!("{} (at some point)", l.get("en")),
                )
            }
        }
    }

    /// Visits every predicate of the tree.
    pub(crate) fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Pred)) {
        f(self);
        match &self.kind {
            PredKind::All(c) | PredKind::Any(c) => c.iter().for_each(|p| p.visit(f)),
            PredKind::Not(i) | PredKind::Always(i, _) | PredKind::Ever(i, _) => i.visit(f),
            _ => {}
        }
    }
}

fn join(children: &[Pred], ko: &str, en: &str) -> Text {
    let labels: Vec<Text> = children.iter().map(Pred::label_text).collect();
    Text::ko_en(
        labels
            .iter()
            .map(|l| l.get("ko"))
            .collect::<Vec<_>>()
            .join(ko),
        labels
            .iter()
            .map(|l| l.get("en"))
            .collect::<Vec<_>>()
            .join(en),
    )
}

fn count(
    cluster: &Cluster,
    kind: &'static str,
    namespace: Option<&str>,
    selector: &Option<(String, Selector)>,
    conds: &PodConds,
    bounds: Bounds,
) -> Eval {
    let mut matched = 0u64;
    let mut qualifying = 0u64;
    // Pods by STATUS column, for the reason: "2 Running, 1 ContainerCreating".
    let mut by_status: Vec<(String, u64)> = Vec::new();
    for o in cluster.store.list(kind, namespace) {
        if let Some((_, sel)) = selector {
            if !sel.matches(o.metadata().labels.as_ref()) {
                continue;
            }
        }
        // Objects being deleted are on their way out: controllers no longer count them.
        if o.metadata().deletion_timestamp.is_some() {
            if let Object::Pod(p) = o {
                bump(&mut by_status, crate::printers::pod_columns::status(p));
            }
            continue;
        }
        matched += 1;
        let ok = match o {
            Object::Pod(p) => {
                bump(&mut by_status, crate::printers::pod_columns::status(p));
                pod_meets(p, conds)
            }
            _ => true,
        };
        if ok {
            qualifying += 1;
        }
    }
    let met =
        bounds.min.is_none_or(|m| qualifying >= m) && bounds.max.is_none_or(|m| qualifying <= m);
    Eval::check(met, || {
        let (c_ko, c_en) = conds_text(conds);
        let found_ko = match c_ko {
            Some(c) => format!("조건({c})에 맞는 것은 {qualifying}개입니다 (전체 {matched}개)"),
            None => format!("지금 {qualifying}개입니다"),
        };
        let found_en = match c_en {
            Some(c) => format!("{qualifying} of {matched} are {c}"),
            None => format!("found {qualifying}"),
        };
        let detail: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let detail_ko: Vec<String> = by_status
            .iter()
            .map(|(s, n)| format!("{s} {n}개"))
            .collect();
        let (detail_en, detail_ko) = if detail.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!(" ({})", detail.join(", ")),
                format!(" — {}", detail_ko.join(", ")),
            )
        };
        let k = ko_kind(kind);
        let need_ko = match (bounds.min, bounds.max) {
            (_, Some(0)) => format!("{k}{} 없어야 하는데", josa(k, "이", "가")),
            (None, Some(z)) => format!("{k}{} {z}개 이하여야 하는데", josa(k, "이", "가")),
            _ => format!("{k}{} {} 필요한데", josa(k, "이", "가"), bounds_ko(&bounds)),
        };
        Text::ko_en(
            format!("{need_ko} {found_ko}{detail_ko}"),
            format!(
                "{} {} expected, {found_en}{detail_en}",
                bounds_en(&bounds),
                en_noun(kind, &bounds)
            ),
        )
    })
}

fn bump(list: &mut Vec<(String, u64)>, key: String) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key, 1)),
    }
}

fn pod_meets(p: &k8s_openapi::api::core::v1::Pod, conds: &PodConds) -> bool {
    let status = p.status.as_ref();
    if let Some(phase) = &conds.phase {
        if status.and_then(|s| s.phase.as_deref()) != Some(phase.as_str()) {
            return false;
        }
    }
    if let Some(ready) = conds.ready {
        let is_ready = status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if is_ready != ready {
            return false;
        }
    }
    if let Some(want) = &conds.status {
        if crate::printers::pod_columns::status(p) != *want {
            return false;
        }
    }
    if let Some(image) = &conds.image {
        let has = p.spec.as_ref().is_some_and(|s| {
            s.containers
                .iter()
                .any(|c| c.image.as_deref() == Some(image))
        });
        if !has {
            return false;
        }
    }
    true
}

fn conds_text(c: &PodConds) -> (Option<String>, Option<String>) {
    let mut ko = Vec::new();
    let mut en = Vec::new();
    if let Some(p) = &c.phase {
        ko.push(p.clone());
        en.push(p.clone());
    }
    if let Some(s) = &c.status {
        ko.push(format!("STATUS {s}"));
        en.push(format!("STATUS {s}"));
    }
    match c.ready {
        Some(true) => {
            ko.push("준비됨".into());
            en.push("ready".into());
        }
        Some(false) => {
            ko.push("준비 안 됨".into());
            en.push("not ready".into());
        }
        None => {}
    }
    if let Some(i) = &c.image {
        ko.push(format!("이미지 {i}"));
        en.push(format!("image {i}"));
    }
    if ko.is_empty() {
        (None, None)
    } else {
        (Some(ko.join(", ")), Some(en.join(", ")))
    }
}

fn bounds_ko(b: &Bounds) -> String {
    match (b.min, b.max) {
        (Some(a), Some(z)) if a == z => format!("{a}개"),
        (Some(a), Some(z)) => format!("{a}~{z}개"),
        (Some(a), None) => format!("{a}개 이상"),
        (None, Some(z)) => format!("{z}개 이하"),
        (None, None) => "몇 개".into(),
    }
}

/// `pod` or `pods`, agreeing with the number the bounds show.
fn en_noun(kind: &str, b: &Bounds) -> String {
    let shown = match (b.min, b.max) {
        (Some(a), Some(z)) if a == z => a,
        (Some(a), None) => a,
        (None, Some(z)) => z,
        _ => 2,
    };
    if shown == 1 {
        en_kind(kind)
    } else {
        en_plural(kind).to_string()
    }
}

fn bounds_en(b: &Bounds) -> String {
    match (b.min, b.max) {
        (Some(a), Some(z)) if a == z => format!("{a}"),
        (Some(a), Some(z)) => format!("{a} to {z}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(z)) => format!("at most {z}"),
        (None, None) => "any number of".into(),
    }
}

fn rollout_ko(d: &k8s_openapi::api::apps::v1::Deployment, name: &str) -> String {
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    if d.metadata.generation > st.observed_generation {
        return format!("{name} 디플로이먼트의 변경을 컨트롤러가 아직 반영하지 않았습니다");
    }
    let replicas = spec.replicas.unwrap_or(1);
    let updated = st.updated_replicas.unwrap_or(0);
    let total = st.replicas.unwrap_or(0);
    let available = st.available_replicas.unwrap_or(0);
    if updated < replicas {
        format!("새 레플리카 {replicas}개 중 {updated}개만 업데이트되었습니다")
    } else if total > updated {
        format!(
            "예전 레플리카 {}개가 아직 종료를 기다립니다",
            total - updated
        )
    } else {
        format!("업데이트된 레플리카 {updated}개 중 {available}개만 사용 가능합니다")
    }
}

fn lookup<'a>(json: &'a Json, path: &[Seg]) -> Option<&'a Json> {
    path.iter().try_fold(json, |v, seg| match seg {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_equal(have: &Json, want: &Json) -> bool {
    match (have.as_f64(), want.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => have == want || json_text(have) == json_text(want),
    }
}

/// A `ran` pattern as a person would type it: regex escapes and `\s+` removed.
fn display_pattern(p: &str) -> String {
    let p = p.trim_start_matches('^').trim_end_matches('$');
    let p = p
        .replace("\\s+", " ")
        .replace("\\s*", " ")
        .replace(" +", " ");
    let mut out = String::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn en_ns(ns: &str) -> String {
    if ns.is_empty() || ns == "default" {
        String::new()
    } else {
        format!(" in namespace {ns}")
    }
}

/// `deployment`, `pod`: the kind as kubectl names it in messages.
fn en_kind(kind: &str) -> String {
    kind.to_ascii_lowercase()
}

fn en_plural(kind: &str) -> &'static str {
    kinds::info(kind).plural
}

/// The kind in Korean, as the course notes write it.
fn ko_kind(kind: &str) -> &'static str {
    match kind {
        "Pod" => "파드",
        "Deployment" => "디플로이먼트",
        "ReplicaSet" => "레플리카셋",
        "ReplicationController" => "레플리케이션컨트롤러",
        "Namespace" => "네임스페이스",
        "Node" => "노드",
        "Service" => "서비스",
        "ConfigMap" => "컨피그맵",
        "StatefulSet" => "스테이트풀셋",
        "DaemonSet" => "데몬셋",
        "Job" => "잡",
        "CronJob" => "크론잡",
        "Event" => "이벤트",
        "Endpoints" => "엔드포인트",
        "ServiceAccount" => "서비스어카운트",
        "PersistentVolumeClaim" => "퍼시스턴트볼륨클레임",
        _ => "오브젝트",
    }
}

/// `dev 네임스페이스의 nginx 파드`.
fn ko_obj(r: &ObjRef) -> String {
    let ns = if r.namespace.is_empty() || r.namespace == "default" {
        String::new()
    } else {
        format!("{} 네임스페이스의 ", r.namespace)
    };
    format!("{ns}{} {}", r.name, ko_kind(r.kind))
}

/// The Korean particle that follows `word`: `with` after a final consonant, else `without`.
pub(crate) fn josa(word: &str, with: &'static str, without: &'static str) -> &'static str {
    match word.chars().last() {
        Some(c @ '가'..='힣') if !(c as u32 - 0xAC00).is_multiple_of(28) => with,
        _ => without,
    }
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

    #[test]
    fn korean_particles_follow_the_last_syllable() {
        assert_eq!(josa("레플리카셋", "이", "가"), "이");
        assert_eq!(josa("파드", "이", "가"), "가");
        assert_eq!(josa("web", "이", "가"), "가");
    }

    #[test]
    fn patterns_display_as_typed() {
        assert_eq!(
            display_pattern(r"kubectl\s+get\s+nodes"),
            "kubectl get nodes"
        );
        assert_eq!(display_pattern(r"^kubectl get po\.?$"), "kubectl get po.?");
    }
}
