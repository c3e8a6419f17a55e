//! Tab completion in the console input, without any DOM: what one Tab press does to the
//! typed line, given the engine's [`Completion`], the way bash does it.
//!
//! One candidate replaces the word (with a space after a finished word; none after `TYPE/`
//! or `--flag=`); several extend the word to their longest common prefix, and a second Tab
//! on the same line lists them.

use kubeplay_engine::Completion;

/// What the console does for one Tab press.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TabAction {
    /// Replace the input with this line.
    SetInput(String),
    /// Show these candidates in the scrollback; the input stays as typed.
    Show(Vec<String>),
    /// Nothing to do (no candidates, or ambiguous on the first press).
    Nothing,
}

/// Remembers the line left by the last Tab, so that a second Tab lists the candidates.
#[derive(Clone, Debug, Default)]
pub struct TabState {
    armed: Option<String>,
}

impl TabState {
    /// Any key but Tab: the next Tab is a first one again.
    pub fn reset(&mut self) {
        self.armed = None;
    }

    /// One Tab press on `line`, which the engine completed as `completion`.
    pub fn tab(&mut self, line: &str, completion: &Completion) -> TabAction {
        let start = completion.start.min(line.len());
        if !line.is_char_boundary(start) {
            return TabAction::Nothing;
        }
        let (head, word) = line.split_at(start);
        match completion.candidates.as_slice() {
            [] => {
                self.armed = None;
                TabAction::Nothing
            }
            [only] => {
                self.armed = None;
                let space = if Completion::is_finished(only) {
                    " "
                } else {
                    ""
                };
                let new = format!("{head}{only}{space}");
                if new == line {
                    TabAction::Nothing
                } else {
                    TabAction::SetInput(new)
                }
            }
            several => {
                let common = common_prefix(several);
                if common.len() > word.len() && common.starts_with(word) {
                    let new = format!("{head}{common}");
                    self.armed = Some(new.clone());
                    TabAction::SetInput(new)
                } else if self.armed.as_deref() == Some(line) {
                    self.armed = None;
                    TabAction::Show(several.to_vec())
                } else {
                    self.armed = Some(line.to_string());
                    TabAction::Nothing
                }
            }
        }
    }
}

/// The longest prefix (on char boundaries) all `words` share.
pub fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut end = first.len();
    for w in &words[1..] {
        end = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

/// Candidates laid out in columns, as bash lists them (down the columns first), within
/// `width` characters; one column when a word is wider than that.
pub fn columns(words: &[String], width: usize) -> Vec<String> {
    let widest = words.iter().map(|w| w.chars().count()).max().unwrap_or(0);
    let cell = widest + 2;
    let cols = (width / cell.max(1)).max(1);
    let rows = words.len().div_ceil(cols);
    (0..rows)
        .map(|r| {
            let mut line = String::new();
            for c in 0..cols {
                if let Some(w) = words.get(c * rows + r) {
                    line.push_str(w);
                    if words.get((c + 1) * rows + r).is_some() {
                        line.push_str(&" ".repeat(cell - w.chars().count()));
                    }
                }
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(start: usize, words: &[&str]) -> Completion {
        Completion {
            start,
            candidates: words.iter().map(|w| w.to_string()).collect(),
        }
    }

    #[test]
    fn one_candidate_replaces_the_word() {
        let mut t = TabState::default();
        assert_eq!(
            t.tab("kubectl get depl", &done(12, &["deployments"])),
            TabAction::SetInput("kubectl get deployments ".into())
        );
        assert_eq!(
            t.tab("kubectl get deploy/w", &done(12, &["deploy/web"])),
            TabAction::SetInput("kubectl get deploy/web ".into())
        );
        // Not finished words: no space.
        assert_eq!(
            t.tab("kubectl apply -f ma", &done(17, &["manifests/"])),
            TabAction::SetInput("kubectl apply -f manifests/".into())
        );
        assert_eq!(
            t.tab("kubectl get po -o js", &done(18, &["jsonpath="])),
            TabAction::SetInput("kubectl get po -o jsonpath=".into())
        );
        assert_eq!(t.tab("kubectl get x", &done(12, &[])), TabAction::Nothing);
    }

    #[test]
    fn several_extend_then_list_on_the_second_tab() {
        let mut t = TabState::default();
        let line = "kubectl describe deployment w";
        let c = done(28, &["web", "worker"]);
        assert_eq!(t.tab(line, &c), TabAction::Nothing);
        assert_eq!(
            t.tab(line, &c),
            TabAction::Show(vec!["web".into(), "worker".into()])
        );
        // A third press starts over.
        assert_eq!(t.tab(line, &c), TabAction::Nothing);
        // An extension first, then the list.
        let mut t = TabState::default();
        let c = done(8, &["delete", "describe"]);
        assert_eq!(
            t.tab("kubectl d", &c),
            TabAction::SetInput("kubectl de".into())
        );
        assert_eq!(
            t.tab("kubectl de", &c),
            TabAction::Show(vec!["delete".into(), "describe".into()])
        );
        // Another key in between: the next Tab is a first one.
        let mut t = TabState::default();
        assert_eq!(
            t.tab(line, &done(28, &["web", "worker"])),
            TabAction::Nothing
        );
        t.reset();
        assert_eq!(
            t.tab(line, &done(28, &["web", "worker"])),
            TabAction::Nothing
        );
    }

    #[test]
    fn common_prefixes_respect_characters() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            common_prefix(&w(&["deployment", "deployments"])),
            "deployment"
        );
        assert_eq!(common_prefix(&w(&["이름a", "이름b"])), "이름");
        assert_eq!(common_prefix(&w(&["a", "b"])), "");
        assert_eq!(common_prefix(&w(&[])), "");
    }

    #[test]
    fn lists_in_columns_down_first() {
        let w: Vec<String> = ["a", "bb", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(columns(&w, 12), ["a   c   e", "bb  d"]);
        assert_eq!(columns(&w, 2), ["a", "bb", "c", "d", "e"]);
    }
}
