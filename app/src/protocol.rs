//! The messages between the page and the engine host (a Web Worker on the page, the same
//! thread in native tests): requests, answers and the view the host sends with every answer.
//! They travel as JSON text.

use kubeplay_engine::view::{AutoscalerView, BoardSnapshot, DescribeKind};
use kubeplay_engine::{Completion, EditOutcome, ManifestProblem, Output};
use serde::{Deserialize, Serialize};

use crate::journal::Entry;

/// A request with the number its reply will carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Chosen by the page, unique per page.
    pub id: u64,
    /// What is asked.
    pub request: Request,
}

/// What the page asks of the engine host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Replay a saved journal on a fresh cluster (the first request of a page); lesson views
    /// are worded in `locale`.
    Start {
        /// The saved journal.
        journal: Vec<Entry>,
        /// `en` or `ko`.
        locale: String,
    },
    /// Apply one journal entry (the page journals it too).
    Apply(Entry),
    /// Word lesson views in this language from now on.
    SetLocale(String),
    /// `explain.json`'s text, fetched by the page after start-up.
    ExplainDocs(String),
    /// `bundle.json`'s text (lessons, add-on manifests): a worker's first request, before
    /// `Start`.
    Bundle(String),
    /// Tab completion of a line.
    Complete(String),
    /// `kubectl describe` of a pod or node, read-only.
    Describe {
        /// Pod or node.
        kind: DescribeKind,
        /// The pod's namespace (empty for nodes).
        namespace: String,
        /// The object's name.
        name: String,
    },
    /// A workspace file's text.
    ReadFile(String),
    /// What `kubectl apply --dry-run=server` would say about an editor's text.
    Lint {
        /// The file's name (for messages).
        path: String,
        /// The text.
        text: String,
    },
}

/// The answer to one request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Done; nothing to say (time passed, a hint shown, the journal replayed, ...).
    Done,
    /// A console line's output.
    Output(Output),
    /// Ctrl-C: whether a command was running.
    Interrupted(bool),
    /// `kubectl edit` finished or reopened (`None`: no edit was waiting).
    Edit(Option<EditOutcome>),
    /// A file write or a lesson start: refused with this reason, or done.
    Result(Result<(), String>),
    /// Tab completion.
    Completion(Completion),
    /// A text (describe, a file), if there is one.
    Text(Option<String>),
    /// Manifest problems.
    Problems(Vec<ManifestProblem>),
}

/// The lesson being played, as the lesson panel shows it (worded in one language).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonView {
    /// The lesson's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// How many steps it has.
    pub steps: usize,
    /// The current step (0-based; `steps` once finished).
    pub step: usize,
    /// The step's title.
    pub step_title: String,
    /// The step's text (markdown).
    pub step_text: String,
    /// The goal checklist: label, met, why not yet.
    pub goals: Vec<(String, bool, Option<String>)>,
    /// Hints revealed so far.
    pub hints: Vec<String>,
    /// Hints still hidden.
    pub hints_left: usize,
    /// Every step done.
    pub finished: bool,
    /// Commands the learner used.
    pub used: usize,
    /// Commands of the reference solution.
    pub reference: usize,
    /// The current step's solution commands.
    pub solution: Vec<String>,
}

/// What the views show of the cluster, sent with every answer. Bulky parts come only when
/// they changed since the previous reply.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// Simulated time since the cluster booted, in milliseconds.
    pub uptime_ms: i64,
    /// The console prompt (`$ `, or a container shell's).
    pub prompt: String,
    /// Lines go to the engine one by one (a container shell), not collected into entries.
    #[serde(default)]
    pub one_by_one: bool,
    /// Whether a command (a watch) is still running.
    pub job_running: bool,
    /// What the running command printed while time passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_output: Option<Output>,
    /// The workspace files, when they changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
    /// The board's data, when the generation moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<BoardSnapshot>,
    /// The autoscaling chart's data, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscalers: Option<Vec<AutoscalerView>>,
    /// The lesson view, when it changed (`Some(None)`: no lesson any more).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub lesson: Option<Option<LessonView>>,
    /// The id of the lesson played, if it is finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_lesson: Option<String>,
}

/// A field that is there, even as `null`, is `Some` (so `Some(None)` survives JSON).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The host's reply to the request of the same id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request's id.
    pub id: u64,
    /// The answer.
    pub answer: Answer,
    /// The views' data after the request.
    pub view: View,
}

/// Something the host says on its own: it stopped (a panic), with the message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crash {
    /// The panic message.
    pub crash: String,
}
