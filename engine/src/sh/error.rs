//! Why a script does not parse, and each shell's words for it: the console's interactive
//! bash (`bash: syntax error near unexpected token `fi'`), and the containers' `sh -c`
//! as dash (`sh: 1: Syntax error: "fi" unexpected`), busybox ash (`sh: syntax error:
//! unexpected "fi"`) or bash (`bash: -c: line 1: ...`) prints it.

use super::Dialect;

/// Reserved words that cannot start a command.
pub(super) const CLOSERS: &[&str] = &["do", "done", "then", "elif", "else", "fi", "esac"];

/// What the parser found where it could not go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// The end of the script.
    End,
    /// A word, as typed after quote removal.
    Word(String),
    /// An operator (`"\n"`: the end of a line).
    Op(&'static str),
    /// The newline that ends the script: bash names it, dash and ash see the end.
    LastNewline,
}

/// Why a script does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxError {
    /// A quote, `$(`, `$((`, `${` or backtick never closed: the text that would close it.
    Unterminated(&'static str),
    /// `${...}` that is no parameter expansion: the text inside the braces.
    BadSubstitution(String),
    /// A lone `&`.
    Background,
    /// A token where it cannot be, and the word the shell expected there, if one.
    Unexpected {
        /// What came.
        found: Found,
        /// What dash and ash name as expected (`then`, `fi`, `do`, `)`, ...).
        expecting: Option<&'static str>,
    },
    /// `for NAME` with a NAME that is no variable name.
    NotIdentifier(String),
    /// Compound commands nested past [`crate::bounds::SHELL`].
    TooDeep,
    /// A malformed `[[ ... ]]`: bash's text (without `bash: `).
    Cond(String),
}

impl SyntaxError {
    /// A token where it cannot be, with nothing named as expected.
    pub(super) fn at(found: Found) -> SyntaxError {
        SyntaxError::Unexpected {
            found,
            expecting: None,
        }
    }

    /// The script ended inside a construct (an interactive shell reads on).
    pub fn is_end_of_file(&self) -> bool {
        matches!(
            self,
            SyntaxError::Unexpected {
                found: Found::End,
                ..
            }
        )
    }

    /// bash's message at its interactive prompt (the console).
    pub fn interactive(&self) -> String {
        match self {
            SyntaxError::Unterminated(end) => {
                let end = if *end == "))" { ")" } else { end };
                format!("bash: unexpected EOF while looking for matching `{end}'")
            }
            SyntaxError::BadSubstitution(inner) => format!("bash: ${{{inner}}}: bad substitution"),
            SyntaxError::Background => {
                "bash: running commands in the background (&) is not supported here".into()
            }
            SyntaxError::Unexpected {
                found: Found::End, ..
            } => "bash: syntax error: unexpected end of file".into(),
            SyntaxError::Unexpected { found, .. } => {
                let text = match found {
                    Found::Word(w) => w.as_str(),
                    Found::Op("\n") | Found::LastNewline | Found::End => "newline",
                    Found::Op(op) => op,
                };
                format!("bash: syntax error near unexpected token `{text}'")
            }
            SyntaxError::NotIdentifier(w) => format!("bash: `{w}': not a valid identifier"),
            SyntaxError::TooDeep => "bash: loops nested too deeply".into(),
            SyntaxError::Cond(e) => format!("bash: {e}"),
        }
    }

    /// The message of the shell `name` running `src` with `sh -c` in `dialect`: dash
    /// `sh: 1: Syntax error: "fi" unexpected`, busybox `sh: syntax error: unexpected "fi"`,
    /// bash `bash: -c: line 1: syntax error near unexpected token `fi'` and the line.
    pub fn message(&self, dialect: Dialect, name: &str, src: &str) -> String {
        let quoted = |found: &Found| match found {
            Found::End | Found::LastNewline => "end of file".to_string(),
            Found::Word(w) if CLOSERS.contains(&w.as_str()) => format!("\"{w}\""),
            Found::Word(_) => "word".into(),
            Found::Op("\n") => "\";\"".into(),
            Found::Op(op) => format!("\"{op}\""),
        };
        let expected =
            |e: &Option<&str>| e.map_or(String::new(), |e| format!(" (expecting \"{e}\")"));
        let quote = |what: &str| matches!(what, "'" | "\"");
        match (dialect, self) {
            (Dialect::Dash, SyntaxError::Unterminated(q)) if quote(q) => {
                format!("{name}: 1: Syntax error: Unterminated quoted string")
            }
            (Dialect::Ash, SyntaxError::Unterminated(q)) if quote(q) => {
                format!("{name}: syntax error: unterminated quoted string")
            }
            // `$((` and `${` left open: dash's `Missing '))'`, busybox's `missing '}'`.
            (Dialect::Dash, SyntaxError::Unterminated(end @ ("))" | "}"))) => {
                format!("{name}: 1: Syntax error: Missing '{end}'")
            }
            (Dialect::Ash, SyntaxError::Unterminated(end @ ("))" | "}"))) => {
                format!("{name}: syntax error: missing '{end}'")
            }
            (Dialect::Dash | Dialect::Ash, SyntaxError::Unterminated(end)) => {
                let end = end.chars().next().map_or(String::new(), String::from);
                let missing = SyntaxError::Unexpected {
                    found: Found::End,
                    expecting: None,
                };
                let text = missing.message(dialect, name, src);
                format!("{text} (expecting \"{end}\")")
            }
            (Dialect::Bash, SyntaxError::Unterminated(end)) => {
                // bash looks for the first `)` of the two that close `$((`.
                let end = if *end == "))" { ")" } else { end };
                format!("{name}: -c: line 1: unexpected EOF while looking for matching `{end}'")
            }
            (Dialect::Dash, SyntaxError::BadSubstitution(_)) => {
                format!("{name}: 1: Bad substitution")
            }
            (Dialect::Ash, SyntaxError::BadSubstitution(_)) => {
                format!("{name}: syntax error: bad substitution")
            }
            (Dialect::Bash, SyntaxError::BadSubstitution(inner)) => {
                format!("{name}: ${{{inner}}}: bad substitution")
            }
            (_, SyntaxError::Background) => {
                format!("{name}: running commands in the background (&) is not supported here")
            }
            (_, SyntaxError::TooDeep) => format!("{name}: nested too deeply"),
            (Dialect::Dash, SyntaxError::NotIdentifier(_)) => {
                format!("{name}: 1: Syntax error: Bad for loop variable")
            }
            (Dialect::Ash, SyntaxError::NotIdentifier(_)) => {
                format!("{name}: syntax error: bad for loop variable")
            }
            (Dialect::Bash, SyntaxError::NotIdentifier(w)) => {
                format!("{name}: `{w}': not a valid identifier")
            }
            (_, SyntaxError::Cond(e)) => format!("{name}: -c: line 1: {e}"),
            (Dialect::Dash, SyntaxError::Unexpected { found, expecting }) => format!(
                "{name}: 1: Syntax error: {} unexpected{}",
                quoted(found),
                expected(expecting)
            ),
            (Dialect::Ash, SyntaxError::Unexpected { found, expecting }) => format!(
                "{name}: syntax error: unexpected {}{}",
                quoted(found),
                expected(expecting)
            ),
            (
                Dialect::Bash,
                SyntaxError::Unexpected {
                    found: Found::End, ..
                },
            ) => {
                let lines = src.lines().count().max(1) + 1;
                format!("{name}: -c: line {lines}: syntax error: unexpected end of file")
            }
            (Dialect::Bash, SyntaxError::Unexpected { found, .. }) => {
                let tok = match found {
                    Found::Word(w) => w.as_str(),
                    Found::Op("\n") | Found::End => ";",
                    Found::LastNewline => "newline",
                    Found::Op(op) => op,
                };
                let line = src.lines().next().unwrap_or_default();
                format!(
                    "{name}: -c: line 1: syntax error near unexpected token `{tok}'\n{name}: -c: line 1: `{line}'"
                )
            }
        }
    }
}
