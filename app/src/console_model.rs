//! The console's state without any DOM: scrollback lines and command history navigation.

use kubeplay_engine::{Output, Stream};

/// How a scrollback line is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// The echoed command, after the prompt.
    Command,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
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

/// Scrollback and history of one console.
#[derive(Clone, Debug, Default)]
pub struct ConsoleModel {
    /// Lines on screen, oldest first.
    pub lines: Vec<Line>,
    history: Vec<String>,
    /// Position while browsing history with ↑/↓; `None` = editing a new line.
    cursor: Option<usize>,
    next_id: u64,
}

/// At most this many scrollback lines are kept, so long sessions stay light.
const MAX_LINES: usize = 2000;

impl ConsoleModel {
    fn push(&mut self, kind: LineKind, text: &str) {
        self.lines.push(Line {
            id: self.next_id,
            kind,
            text: text.to_string(),
        });
        self.next_id += 1;
    }

    /// Records a submitted command and what it printed.
    pub fn record(&mut self, command: &str, output: &Output) {
        if output.clear {
            self.lines.clear();
        } else {
            for (i, l) in command.lines().enumerate() {
                self.push(
                    LineKind::Command,
                    &format!("{}{l}", if i == 0 { "$ " } else { "> " }),
                );
            }
        }
        for (stream, text) in &output.chunks {
            let kind = match stream {
                Stream::Stdout => LineKind::Stdout,
                Stream::Stderr => LineKind::Stderr,
            };
            for l in text.strip_suffix('\n').unwrap_or(text).split('\n') {
                self.push(kind, l);
            }
        }
        if self.lines.len() > MAX_LINES {
            self.lines.drain(..self.lines.len() - MAX_LINES);
        }
        let trimmed = command.trim();
        if !trimmed.is_empty() && self.history.last().map(String::as_str) != Some(trimmed) {
            self.history.push(trimmed.to_string());
        }
        self.cursor = None;
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
    fn records_output_and_browses_history() {
        let mut m = ConsoleModel::default();
        let mut out = Output::default();
        out.out("a\nb");
        out.err("oops");
        m.record("first", &out);
        m.record("second", &Output::default());
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
}
