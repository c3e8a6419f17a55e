//! What a console command produces: text on stdout and stderr, in order, and an exit code.

/// Which stream a piece of output went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error (errors, warnings, "No resources found").
    Stderr,
}

/// The result of one console line.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Output {
    /// Output pieces in the order they were written; each ends with a newline.
    pub chunks: Vec<(Stream, String)>,
    /// Exit code of the last command (0 = success), as `$?` would show.
    pub exit_code: i32,
    /// The command asked the screen to be cleared (`clear`).
    pub clear: bool,
    /// `kubectl edit` waiting for an editor: the front end edits the text and hands the result
    /// to `Cluster::finish_edit`.
    pub edit: Option<Box<EditRequest>>,
    /// `vi FILE` (or `vim`, `nano`, `edit`): the front end opens its editor on this workspace
    /// file and writes it back with `Cluster::write_file` when the learner saves.
    pub open_file: Option<OpenFile>,
}

/// A workspace file to open in the front end's editor.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpenFile {
    /// The file's path in the workspace, as typed.
    pub path: String,
    /// Its current text (empty for a new file).
    pub text: String,
    /// Whether the file does not exist yet.
    pub new_file: bool,
}

/// An object opened by `kubectl edit`, to be edited by the front end's editor.
///
/// The front end writes [`EditRequest::text`] to a file named like
/// [`EditRequest::file_name`], runs the learner's editor (`$KUBE_EDITOR`, else `$EDITOR`, else
/// `vi`; the web page its own), then calls `Cluster::finish_edit(&request, &edited_text)`,
/// which either ends the edit or asks for the file to be reopened, as kubectl does.
/// Serialised (for a front end in another thread), only `text` and `file_name` travel: the
/// edit is finished where the cluster is, with the request the engine kept.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EditRequest {
    /// What kubectl puts in the editor: its comment header, then the object.
    pub text: String,
    /// The temporary file kubectl would use (`/tmp/kubectl-edit-1234567890.yaml`).
    pub file_name: String,
    /// The object: kind, namespace (empty when cluster-scoped) and name.
    #[serde(skip)]
    pub(crate) target: (&'static str, String, String),
    /// The object as first shown (without the header), to detect changes.
    #[serde(skip)]
    pub(crate) original: String,
    /// The text of the first round, as shown.
    #[serde(skip)]
    pub(crate) first_text: String,
    /// The edited text of the previous round when it failed.
    #[serde(skip)]
    pub(crate) failed_attempt: Option<String>,
}

/// What `Cluster::finish_edit` decided.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EditOutcome {
    /// The edit is over; print this.
    Done(Output),
    /// Print this, then open the editor again on the new request (errors in its header).
    Reopen(EditRequest, Output),
}

impl Output {
    /// Appends `text` to stdout, adding a final newline if missing.
    pub fn out(&mut self, text: impl AsRef<str>) {
        self.push(Stream::Stdout, text.as_ref());
    }

    /// Appends `text` to stderr, adding a final newline if missing.
    pub fn err(&mut self, text: impl AsRef<str>) {
        self.push(Stream::Stderr, text.as_ref());
    }

    /// Appends `text` to stdout exactly as given.
    pub fn out_raw(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !text.is_empty() {
            self.chunks.push((Stream::Stdout, text));
        }
    }

    fn push(&mut self, stream: Stream, text: &str) {
        let mut s = text.to_string();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        self.chunks.push((stream, s));
    }

    /// Appends everything another output wrote and takes its exit code.
    pub fn extend(&mut self, other: Output) {
        self.chunks.extend(other.chunks);
        self.exit_code = other.exit_code;
        self.clear |= other.clear;
        if other.open_file.is_some() {
            self.open_file = other.open_file;
        }
        if other.edit.is_some() {
            self.edit = other.edit;
        }
    }

    /// All output as one string, stdout and stderr interleaved as a terminal shows them.
    pub fn text(&self) -> String {
        self.chunks.iter().map(|(_, s)| s.as_str()).collect()
    }

    /// Only what went to stdout.
    pub fn stdout(&self) -> String {
        self.stream_text(Stream::Stdout)
    }

    /// Only what went to stderr.
    pub fn stderr(&self) -> String {
        self.stream_text(Stream::Stderr)
    }

    fn stream_text(&self, which: Stream) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| *s == which)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    /// A failed command: `message` on stderr and exit code 1.
    pub fn failure(message: impl AsRef<str>) -> Output {
        let mut o = Output::default();
        o.err(message);
        o.exit_code = 1;
        o
    }
}
