//! Goals: declarative predicates over the cluster, parsed once (`parse`) and evaluated after
//! every command and tick (`eval`), each with a label and a reason it is not met yet, in every
//! locale (`describe`).

mod describe;
mod eval;
mod parse;

use regex_lite::Regex;
use serde_json::Value as Json;

use super::Text;
use crate::api::selector::Selector;

pub(crate) use eval::Eval;
pub(crate) use parse::parse;

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
    /// A console line matching `regex` ran in this step with exit code `exit` (0: it
    /// succeeded), and, with `output`, printed something matching it (what the learner saw: a
    /// file's new content, an env var, an error).
    Ran {
        pattern: String,
        regex: Regex,
        output: Option<(String, Regex)>,
        exit: i32,
        slot: usize,
    },
    /// An Event with `reason` (and, with `message`, a message matching it) was recorded or
    /// repeated since the step started.
    Event {
        reason: String,
        involved_kind: Option<&'static str>,
        name_prefix: Option<String>,
        namespace: Option<String>,
        message: Option<(String, Regex)>,
        slot: usize,
    },
    /// Requests to a Service answered since the step started: by at least `pods` different
    /// pods, `requests` in all.
    Traffic {
        service: String,
        namespace: String,
        pods: u32,
        requests: u32,
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
    "exists", "absent", "count", "field", "rollout", "ran", "event", "traffic", "all", "any",
    "not", "always", "ever",
];

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
