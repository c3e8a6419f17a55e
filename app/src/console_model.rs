//! The console's state without any DOM: scrollback lines and command history navigation.

use kubeplay_engine::{Cluster, Output, Stream};
use serde::{Deserialize, Serialize};

/// How a scrollback line is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The echoed command, after the prompt.
    Command,
    /// Standard output.
    Stdout,
    /// Standard error: an error (red).
    Stderr,
    /// Standard error: a warning or deprecation (amber).
    Warning,
    /// Standard error that is neither: notes such as "No resources found", hints (muted).
    Note,
}

/// How a line kubectl or the shell wrote to stderr is coloured, as a terminal user reads it:
/// errors red, warnings amber, informational notes muted.
pub fn stderr_kind(line: &str) -> LineKind {
    let t = line.trim_start();
    if t.starts_with("Warning:")
        || t.starts_with("warning:")
        || t.starts_with("Flag --")
        || t.starts_with("kubectl exec [POD] [COMMAND] is DEPRECATED")
    {
        LineKind::Warning
    } else if t.starts_with("No resources found")
        || t.starts_with("hint:")
        || t.starts_with("Defaulted container")
        || t.starts_with("If you don't see a command prompt")
        || t.starts_with("Unable to use a TTY")
    {
        LineKind::Note
    } else {
        LineKind::Stderr
    }
}

/// One line of scrollback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Unique, increasing id (a stable key for the view).
    pub id: u64,
    /// How it is shown.
    pub kind: LineKind,
    /// The text, without a newline.
    pub text: String,
}

/// A scrollback line as the saved session keeps it, to show again after a reload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLine {
    /// How it is shown.
    pub kind: LineKind,
    /// The text.
    pub text: String,
}

/// At most this many of the last scrollback lines are saved with the session.
pub const MAX_SAVED_LINES: usize = 300;

/// Scrollback and history of one console.
#[derive(Clone, Debug, Default)]
pub struct ConsoleModel {
    /// Lines on screen, oldest first.
    pub lines: Vec<Line>,
    history: Vec<String>,
    /// Position while browsing history with ↑/↓; `None` = editing a new line.
    cursor: Option<usize>,
    next_id: u64,
    /// An unfinished entry being typed (an open loop, quote or heredoc): its lines so far.
    pending: Option<String>,
    /// The engine's prompt when it is not `$` (inside `kubectl exec -it` or `ssh NODE`),
    /// without the space.
    pub shell_prompt: Option<String>,
    /// Lines go to the engine one by one (a container shell): no entry spans lines.
    pub one_by_one: bool,
}

/// At most this many history entries are kept.
pub const MAX_HISTORY: usize = 500;

/// At most this many bytes of history are kept (oldest entries go first), so the saved
/// session stays well inside the browser's storage quota.
pub const MAX_HISTORY_BYTES: usize = 256 * 1024;

/// An entry longer than this (a big pasted heredoc) runs, and is journaled to replay, but
/// is not kept in the history a second time.
pub const MAX_HISTORY_ENTRY_BYTES: usize = 16 * 1024;

/// Adds a console entry to a history, oldest first: trimmed, no blank lines, no immediate
/// repeats, none over [`MAX_HISTORY_ENTRY_BYTES`], at most [`MAX_HISTORY`] entries and
/// [`MAX_HISTORY_BYTES`] kept. The console and the saved session share this rule.
pub fn remember(history: &mut Vec<String>, line: &str) {
    let line = line.trim();
    if line.is_empty()
        || line.len() > MAX_HISTORY_ENTRY_BYTES
        || history.last().map(String::as_str) == Some(line)
    {
        return;
    }
    history.push(line.to_string());
    let mut bytes: usize = history.iter().map(String::len).sum();
    let mut extra = history.len().saturating_sub(MAX_HISTORY);
    for old in &history[..extra] {
        bytes -= old.len();
    }
    while bytes > MAX_HISTORY_BYTES && extra + 1 < history.len() {
        bytes -= history[extra].len();
        extra += 1;
    }
    history.drain(..extra);
}

/// At most this many scrollback lines are kept, so long sessions stay light.
const MAX_LINES: usize = 10_000;

/// Width, in characters, that listed completions are laid out in.
const COLUMNS: usize = 80;

impl ConsoleModel {
    /// A console whose ↑ starts from a saved history (oldest first).
    pub fn with_history(history: Vec<String>) -> Self {
        ConsoleModel {
            history,
            ..ConsoleModel::default()
        }
    }

    /// Shows a note from the page itself (not from a command), e.g. a session not restored.
    pub fn note(&mut self, text: &str) {
        for line in text.lines() {
            self.push(LineKind::Stderr, line);
        }
    }

    /// Shows an informational line from the page itself (muted), e.g. a session restored.
    pub fn info(&mut self, text: &str) {
        self.push(LineKind::Note, text);
    }

    /// The last scrollback lines ([`MAX_SAVED_LINES`] at most), oldest first, to save.
    pub fn saved_lines(&self) -> Vec<SavedLine> {
        let from = self.lines.len().saturating_sub(MAX_SAVED_LINES);
        self.lines[from..]
            .iter()
            .map(|l| SavedLine {
                kind: l.kind,
                text: l.text.clone(),
            })
            .collect()
    }

    /// Shows saved lines again (after a reload), before anything new.
    pub fn restore_lines(&mut self, saved: &[SavedLine]) {
        let from = saved.len().saturating_sub(MAX_SAVED_LINES);
        for line in &saved[from..] {
            self.push(line.kind, &line.text);
        }
    }

    fn push(&mut self, kind: LineKind, text: &str) {
        self.lines.push(Line {
            id: self.next_id,
            kind,
            text: text.to_string(),
        });
        self.next_id += 1;
    }

    /// The prompt for the next line: `$`, `>` while an entry goes on, or a container shell's.
    pub fn prompt(&self) -> String {
        match (&self.pending, &self.shell_prompt) {
            (Some(_), _) => ">".into(),
            (None, Some(p)) => p.clone(),
            (None, None) => "$".into(),
        }
    }

    /// Takes one typed line and echoes it. Returns the whole entry, its lines joined with
    /// `\n`, once it is complete: at once for a plain line; while it is unfinished (an open
    /// loop, quote or heredoc, a final `|` or `\\`: [`Cluster::needs_more`]) the prompt
    /// becomes `>` and lines are collected, as bash does, in an ssh session too. A container
    /// shell (`kubectl exec -it`) takes its lines one by one.
    pub fn enter(&mut self, line: &str) -> Option<String> {
        let echo = format!("{} {line}", self.prompt());
        self.push(LineKind::Command, &echo);
        let entry = match self.pending.take() {
            Some(mut entry) => {
                entry.push('\n');
                entry.push_str(line);
                entry
            }
            None => line.to_string(),
        };
        if !self.one_by_one && Cluster::needs_more(&entry) {
            self.pending = Some(entry);
            return None;
        }
        Some(entry)
    }

    /// Whether an unfinished entry is being typed (Tab then completes nothing).
    pub fn continuing(&self) -> bool {
        self.pending.is_some()
    }

    /// Ctrl-C while an entry goes on: the line typed so far is echoed with `^C` and the
    /// whole entry is dropped, as bash does.
    pub fn cancel(&mut self, typed: &str) {
        if self.pending.take().is_some() {
            let echo = format!("> {typed}^C");
            self.push(LineKind::Command, &echo);
        }
    }

    /// Records what a completed entry printed, and remembers the entry in history.
    pub fn record(&mut self, command: &str, output: &Output) {
        self.append(output);
        remember(&mut self.history, command);
        self.cursor = None;
    }

    /// Adds what a command printed (also later output of a running watch) to the scrollback.
    pub fn append(&mut self, output: &Output) {
        if output.clear {
            self.lines.clear();
        }
        for (stream, text) in &output.chunks {
            for l in text.strip_suffix('\n').unwrap_or(text).split('\n') {
                let kind = match stream {
                    Stream::Stdout => LineKind::Stdout,
                    Stream::Stderr => stderr_kind(l),
                };
                self.push(kind, l);
            }
        }
        if self.lines.len() > MAX_LINES {
            self.lines.drain(..self.lines.len() - MAX_LINES);
        }
    }

    /// A second Tab on an ambiguous word: the typed line echoed after the prompt, then the
    /// candidates in columns, as bash lists them (the input keeps the typed line).
    pub fn show_candidates(&mut self, line: &str, candidates: &[String]) {
        let echo = format!("{} {line}", self.prompt());
        self.push(LineKind::Command, &echo);
        for row in crate::completion::columns(candidates, COLUMNS) {
            self.push(LineKind::Stdout, &row);
        }
    }

    /// Ctrl-C while a command runs: `^C` on the screen.
    pub fn interrupted(&mut self) {
        self.push(LineKind::Command, "^C");
    }

    /// ↑: the previous history entry, if any.
    pub fn history_prev(&mut self) -> Option<String> {
        let i = match self.cursor {
            None => self.history.len().checked_sub(1)?,
            Some(0) => 0,
            Some(i) => i - 1,
        };
        self.cursor = Some(i);
        self.history.get(i).cloned()
    }

    /// ↓: the next history entry, or an empty line past the newest.
    pub fn history_next(&mut self) -> Option<String> {
        let i = self.cursor? + 1;
        if i >= self.history.len() {
            self.cursor = None;
            return Some(String::new());
        }
        self.cursor = Some(i);
        self.history.get(i).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_lines_are_errors_warnings_or_notes() {
        assert_eq!(
            stderr_kind("error: unknown command \"gte\" for \"kubectl\""),
            LineKind::Stderr
        );
        assert_eq!(
            stderr_kind("Error from server (NotFound): pods \"x\" not found"),
            LineKind::Stderr
        );
        assert_eq!(
            stderr_kind("bash: foo: command not found"),
            LineKind::Stderr
        );
        assert_eq!(
            stderr_kind("No resources found in default namespace."),
            LineKind::Note
        );
        assert_eq!(
            stderr_kind("  hint: pod.yaml:7: \"contianers\" is not a field here"),
            LineKind::Note
        );
        assert_eq!(
            stderr_kind(
                "Flag --record has been deprecated, --record will be removed in the future"
            ),
            LineKind::Warning
        );
        assert_eq!(stderr_kind("Warning: resource pods/web is missing the kubectl.kubernetes.io/last-applied-configuration annotation"), LineKind::Warning);
    }

    #[test]
    fn knows_when_a_heredoc_is_being_typed() {
        let mut m = ConsoleModel::default();
        assert!(!m.continuing());
        assert_eq!(m.enter("cat <<EOF > a.yaml"), None);
        assert!(m.continuing());
        assert!(m.enter("EOF").is_some());
        assert!(!m.continuing());
    }

    #[test]
    fn unfinished_entries_continue_with_a_prompt() {
        let mut m = ConsoleModel::default();
        assert_eq!(m.enter("while true; do"), None);
        assert_eq!(m.prompt(), ">");
        assert_eq!(m.enter("echo 'a"), None);
        assert_eq!(m.enter("b'; sleep 1"), None);
        assert_eq!(
            m.enter("done").as_deref(),
            Some("while true; do\necho 'a\nb'; sleep 1\ndone")
        );
        assert_eq!(m.prompt(), "$");
        assert_eq!(m.enter("kubectl get pods |"), None);
        assert_eq!(
            m.enter("grep web").as_deref(),
            Some("kubectl get pods |\ngrep web")
        );
        let echoed: Vec<_> = m.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            echoed,
            [
                "$ while true; do",
                "> echo 'a",
                "> b'; sleep 1",
                "> done",
                "$ kubectl get pods |",
                "> grep web"
            ]
        );
        // A syntax error is not unfinished: it runs (and fails) at once.
        assert_eq!(m.enter("done").as_deref(), Some("done"));
    }

    #[test]
    fn ctrl_c_drops_an_unfinished_entry() {
        let mut m = ConsoleModel::default();
        assert_eq!(m.enter("for i in 1 2"), None);
        m.cancel("do ech");
        assert_eq!(m.prompt(), "$");
        assert!(!m.continuing());
        assert_eq!(m.lines.last().map(|l| l.text.as_str()), Some("> do ech^C"));
        // Nothing is pending: Ctrl-C at the prompt echoes nothing here.
        m.cancel("");
        assert_eq!(m.lines.len(), 2);
        assert_eq!(m.enter("echo hi").as_deref(), Some("echo hi"));
    }

    #[test]
    fn a_container_shell_takes_lines_one_by_one() {
        let mut m = ConsoleModel {
            shell_prompt: Some("/ #".into()),
            one_by_one: true,
            ..Default::default()
        };
        assert_eq!(m.enter("while true; do").as_deref(), Some("while true; do"));
    }

    #[test]
    fn an_ssh_session_collects_a_heredoc() {
        let mut m = ConsoleModel {
            shell_prompt: Some("root@node1:~#".into()),
            ..Default::default()
        };
        assert_eq!(m.enter("cat <<EOF > /tmp/f"), None);
        assert_eq!(m.enter("hello"), None);
        assert_eq!(
            m.enter("EOF").as_deref(),
            Some("cat <<EOF > /tmp/f\nhello\nEOF")
        );
    }

    #[test]
    fn candidates_are_listed_after_the_typed_line() {
        let mut m = ConsoleModel::default();
        m.show_candidates("kubectl d", &["delete".into(), "describe".into()]);
        let texts: Vec<&str> = m.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["$ kubectl d", "delete    describe"]);
        assert_eq!(m.lines[0].kind, LineKind::Command);
        assert_eq!(m.lines[1].kind, LineKind::Stdout);
    }

    #[test]
    fn records_output_and_browses_history() {
        let mut m = ConsoleModel::default();
        let mut out = Output::default();
        out.out("a\nb");
        out.err("oops");
        let first = m.enter("first").unwrap();
        m.record(&first, &out);
        let second = m.enter("second").unwrap();
        m.record(&second, &Output::default());
        let texts: Vec<_> = m.lines.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(
            texts,
            vec![
                (LineKind::Command, "$ first"),
                (LineKind::Stdout, "a"),
                (LineKind::Stdout, "b"),
                (LineKind::Stderr, "oops"),
                (LineKind::Command, "$ second"),
            ]
        );
        assert_eq!(m.history_prev().as_deref(), Some("second"));
        assert_eq!(m.history_prev().as_deref(), Some("first"));
        assert_eq!(m.history_prev().as_deref(), Some("first"));
        assert_eq!(m.history_next().as_deref(), Some("second"));
        assert_eq!(m.history_next().as_deref(), Some(""));
        assert_eq!(m.history_next(), None);
        m.record(
            "clear",
            &Output {
                clear: true,
                ..Default::default()
            },
        );
        assert!(m.lines.is_empty());
    }

    #[test]
    fn history_is_bounded_by_entries_and_bytes() {
        let mut h = Vec::new();
        remember(&mut h, &"x".repeat(MAX_HISTORY_ENTRY_BYTES + 1));
        assert!(h.is_empty(), "a huge paste is not kept twice");
        for i in 0..MAX_HISTORY + 10 {
            remember(&mut h, &format!("echo {i}"));
        }
        assert_eq!(h.len(), MAX_HISTORY);
        assert_eq!(h.last().map(String::as_str), Some("echo 509"));
        let big = "y".repeat(MAX_HISTORY_ENTRY_BYTES - 4);
        for i in 0..40 {
            remember(&mut h, &format!("{big}{i}"));
        }
        assert!(h.iter().map(String::len).sum::<usize>() <= MAX_HISTORY_BYTES);
        assert!(h.last().is_some_and(|l| l.ends_with("39")));
    }

    #[test]
    fn heredocs_span_lines() {
        let mut m = ConsoleModel::default();
        assert_eq!(m.enter("cat <<EOF > pod.yaml"), None);
        assert_eq!(m.prompt(), ">");
        assert_eq!(m.enter("kind: Pod"), None);
        assert_eq!(
            m.enter("EOF").as_deref(),
            Some("cat <<EOF > pod.yaml\nkind: Pod\nEOF")
        );
        assert_eq!(m.prompt(), "$");
        let echoed: Vec<_> = m.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            echoed,
            vec!["$ cat <<EOF > pod.yaml", "> kind: Pod", "> EOF"]
        );
        m.enter("cat <<EOF");
        m.cancel("");
        assert_eq!(m.prompt(), "$");
    }

    #[test]
    fn the_last_lines_are_saved_and_come_back_as_they_were() {
        let mut model = ConsoleModel::default();
        for i in 0..(MAX_SAVED_LINES + 5) {
            model.note(&format!("line {i}"));
        }
        let saved = model.saved_lines();
        assert_eq!(saved.len(), MAX_SAVED_LINES);
        assert_eq!(saved[0].text, "line 5");
        let json = serde_json::to_string(&saved).unwrap();
        let back: Vec<SavedLine> = serde_json::from_str(&json).unwrap();
        let mut restored = ConsoleModel::default();
        restored.restore_lines(&back);
        assert_eq!(restored.lines.len(), MAX_SAVED_LINES);
        assert_eq!(restored.lines[0].kind, LineKind::Stderr);
        assert_eq!(restored.saved_lines(), saved);
    }
}
