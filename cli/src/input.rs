//! Console input for the REPL and `kubeplay lesson`: rustyline on a terminal (history in
//! `~/.kubeplay_history`, `> ` for the continuation lines of an unfinished entry, as bash),
//! or the lines of a piped script (heredocs and loops joined), so both front ends can be
//! driven by a script.

use std::cell::RefCell;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::rc::Rc;

use kubeplay_engine::{transcript, Cluster};
use rustyline::completion::{Completer, Pair};
use rustyline::history::DefaultHistory;

/// The line editor, with Tab completion from the cluster.
type Editor = rustyline::Editor<Completion, DefaultHistory>;

/// Tab completion through [`Cluster::complete`]; the cluster is lent for one
/// [`Input::read_completing`] (without one, nothing completes).
#[derive(Default)]
pub struct Completion {
    cluster: Rc<RefCell<Option<Cluster>>>,
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let Some(cluster) = &*self.cluster.borrow() else {
            return Ok((pos, Vec::new()));
        };
        let done = cluster.complete(line.get(..pos).unwrap_or(line));
        let pairs = done
            .candidates
            .into_iter()
            .map(|c| {
                // A finished word gets its space; `TYPE/`, `--flag=`, `pod.spec.` wait for more.
                let space = if kubeplay_engine::Completion::is_finished(&c) {
                    " "
                } else {
                    ""
                };
                Pair {
                    replacement: format!("{c}{space}"),
                    display: c,
                }
            })
            .collect();
        Ok((done.start, pairs))
    }
}

impl rustyline::hint::Hinter for Completion {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Completion {}
impl rustyline::validate::Validator for Completion {}
impl rustyline::Helper for Completion {}

/// Why a continuation line did not come.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C: bash drops the unfinished entry.
    Interrupted,
    /// Ctrl-D (or the end of input): the entry runs as it is, and its error shows.
    EndOfInput,
}

/// Reads continuation lines after `first` with the `> ` prompt while the entry is unfinished
/// ([`Cluster::needs_more`]: an open loop, quote, heredoc, a final `|` or `\\`), joined with
/// `\n` into the one entry that runs (and goes to history). Ctrl-C gives an empty entry.
pub fn complete_entry(first: String, mut next: impl FnMut(&str) -> Result<String, Stop>) -> String {
    let mut entry = first;
    while Cluster::needs_more(&entry) {
        match next("> ") {
            Ok(line) => {
                entry.push('\n');
                entry.push_str(&line);
            }
            Err(Stop::Interrupted) => return String::new(),
            Err(Stop::EndOfInput) => break,
        }
    }
    entry
}

/// Where console lines come from.
pub enum Input {
    /// An interactive terminal.
    Terminal {
        editor: Box<Editor>,
        cluster: Rc<RefCell<Option<Cluster>>>,
        history: Option<PathBuf>,
    },
    /// A script on stdin, already split into command lines.
    Piped(std::vec::IntoIter<String>),
}

impl Input {
    /// Opens stdin: the line editor on a terminal, else the whole script.
    pub fn open() -> Result<Input, String> {
        if !std::io::stdin().is_terminal() {
            let mut text = String::new();
            let _ = std::io::stdin().read_to_string(&mut text);
            let lines: Vec<String> = transcript::parse_script(&text)
                .into_iter()
                .filter_map(|e| match e {
                    transcript::ScriptLine::Command(c) => Some(c),
                    transcript::ScriptLine::Comment(_) => None,
                })
                .collect();
            return Ok(Input::Piped(lines.into_iter()));
        }
        let config = rustyline::Config::builder()
            .completion_type(rustyline::CompletionType::List)
            .build();
        let mut editor = Editor::with_config(config)
            .map_err(|e| format!("cannot start the line editor: {e}"))?;
        let helper = Completion::default();
        let cluster = helper.cluster.clone();
        editor.set_helper(Some(helper));
        let history = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kubeplay_history"));
        if let Some(h) = &history {
            let _ = editor.load_history(h);
        }
        Ok(Input::Terminal {
            editor: Box::new(editor),
            cluster,
            history,
        })
    }

    /// Whether a person is typing.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Input::Terminal { .. })
    }

    /// [`Input::read`] with Tab completing from `cluster`, which is lent to the line editor
    /// for the time of the read and given back.
    pub fn read_completing(
        &mut self,
        prompt: &str,
        in_container: bool,
        cluster: Cluster,
    ) -> (Option<String>, Cluster) {
        let Input::Terminal { cluster: slot, .. } = self else {
            return (self.read(prompt, in_container), cluster);
        };
        let slot = slot.clone();
        *slot.borrow_mut() = Some(cluster);
        let line = self.read(prompt, in_container);
        let cluster = slot.borrow_mut().take().expect("the lent cluster is back");
        (line, cluster)
    }

    /// The next console entry (its continuation lines joined to it, see [`complete_entry`]),
    /// `None` at the end. Ctrl-C gives an empty line; Ctrl-D in a container shell gives `exit`.
    pub fn read(&mut self, prompt: &str, in_container: bool) -> Option<String> {
        let (editor, _) = match self {
            Input::Piped(lines) => return lines.next(),
            Input::Terminal {
                editor, history, ..
            } => (editor, history),
        };
        let first = match editor.readline(prompt) {
            Ok(l) => l,
            Err(rustyline::error::ReadlineError::Interrupted) => return Some(String::new()),
            Err(_) if in_container => return Some("exit".to_string()),
            Err(_) => return None,
        };
        // A container shell reads its lines one by one.
        let line = if in_container {
            first
        } else {
            complete_entry(first, |p| {
                editor.readline(p).map_err(|e| match e {
                    rustyline::error::ReadlineError::Interrupted => Stop::Interrupted,
                    _ => Stop::EndOfInput,
                })
            })
        };
        if !line.trim().is_empty() {
            let _ = editor.add_history_entry(line.as_str());
        }
        Some(line)
    }

    /// Saves the terminal's history.
    pub fn close(self) {
        if let Input::Terminal {
            mut editor,
            history: Some(h),
            ..
        } = self
        {
            let _ = editor.save_history(&h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `lines` as the continuation lines typed, recording the prompts shown.
    fn typed(first: &str, lines: &[Result<&str, Stop>]) -> (String, Vec<String>) {
        let mut lines = lines.iter();
        let mut prompts = Vec::new();
        let entry = complete_entry(first.to_string(), |p| {
            prompts.push(p.to_string());
            match lines.next() {
                Some(Ok(l)) => Ok(l.to_string()),
                Some(Err(Stop::Interrupted)) => Err(Stop::Interrupted),
                _ => Err(Stop::EndOfInput),
            }
        });
        (entry, prompts)
    }

    #[test]
    fn unfinished_entries_read_continuation_lines() {
        let (entry, prompts) = typed("for i in 1 2", &[Ok("do"), Ok("echo $i"), Ok("done")]);
        assert_eq!(entry, "for i in 1 2\ndo\necho $i\ndone");
        assert_eq!(prompts, ["> ", "> ", "> "]);
        let (entry, _) = typed("echo 'a", &[Ok("b'")]);
        assert_eq!(entry, "echo 'a\nb'");
        let (entry, _) = typed("cat <<EOF > f", &[Ok("x"), Ok("EOF")]);
        assert_eq!(entry, "cat <<EOF > f\nx\nEOF");
        let (entry, prompts) = typed("kubectl get pods", &[]);
        assert_eq!(entry, "kubectl get pods");
        assert!(prompts.is_empty());
    }

    #[test]
    fn ctrl_c_drops_the_entry_and_ctrl_d_runs_it() {
        let (entry, _) = typed("while true; do", &[Ok("echo x"), Err(Stop::Interrupted)]);
        assert_eq!(entry, "");
        let (entry, _) = typed("while true; do", &[Ok("echo x")]);
        assert_eq!(entry, "while true; do\necho x");
        let mut cluster = Cluster::new();
        assert!(cluster
            .run(&entry)
            .text()
            .contains("syntax error: unexpected end of file"));
    }
}
