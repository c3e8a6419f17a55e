//! Console input for the REPL and `kubeplay lesson`: rustyline on a terminal (history in
//! `~/.kubeplay_history`), or the lines of a piped script (heredocs joined), so both front
//! ends can be driven by a script.

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

    /// The next console line (a heredoc's body joined to it), `None` at the end. Ctrl-C gives
    /// an empty line; Ctrl-D in a container shell gives `exit`.
    pub fn read(&mut self, prompt: &str, in_container: bool) -> Option<String> {
        let (editor, _) = match self {
            Input::Piped(lines) => return lines.next(),
            Input::Terminal {
                editor, history, ..
            } => (editor, history),
        };
        let mut line = match editor.readline(prompt) {
            Ok(l) => l,
            Err(rustyline::error::ReadlineError::Interrupted) => return Some(String::new()),
            Err(_) if in_container => return Some("exit".to_string()),
            Err(_) => return None,
        };
        if let Some(term) = transcript::heredoc_terminator(&line).filter(|_| !in_container) {
            while let Ok(body) = editor.readline("> ") {
                line.push('\n');
                line.push_str(&body);
                if body.trim() == term {
                    break;
                }
            }
        }
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
