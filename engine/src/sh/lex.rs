//! The lexer: an entry's characters to words (quotes removed, expansions kept as
//! [`Piece`]s) and operators, over lines; heredoc bodies read after the line of their `<<`.

use super::param::{self, Param};
use super::{Piece, SyntaxError};

/// A word: its text after quote removal, and its pieces when it has expansions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Word {
    pub(super) text: String,
    pub(super) pieces: Option<Vec<Piece>>,
    /// Typed without quotes, escapes or expansions: may be a reserved word (`do`, `done`).
    pub(super) plain: bool,
}

/// A token: a word, an operator, or a heredoc's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Token {
    Word(Word),
    /// An operator; `"\n"` ends a line.
    Op(&'static str),
    /// A heredoc's body, right after its `<<` (the delimiter line not included).
    Body(String),
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// A word being read: its text and its pieces.
#[derive(Default)]
struct WordBuf {
    text: String,
    pieces: Vec<Piece>,
    expands: bool,
    quoted: bool,
}

impl WordBuf {
    fn push(&mut self, c: char) {
        self.text.push(c);
        match self.pieces.last_mut() {
            Some(Piece::Lit(s)) => s.push(c),
            _ => self.pieces.push(Piece::Lit(c.to_string())),
        }
    }

    fn expansion(&mut self, piece: Piece, raw: &str) {
        self.text.push_str(raw);
        self.pieces.push(piece);
        self.expands = true;
    }

    fn take(&mut self) -> Word {
        let buf = std::mem::take(self);
        Word {
            plain: !buf.quoted && !buf.expands,
            text: buf.text,
            pieces: buf.expands.then_some(buf.pieces),
        }
    }
}

/// After a `$`: the expansion it starts, with its text as typed (`None`: a plain `$`).
fn dollar(chars: &mut Chars, quoted: bool) -> Result<Option<(Piece, String)>, SyntaxError> {
    match chars.peek().copied() {
        Some('(') => {
            chars.next();
            if chars.peek() == Some(&'(') {
                chars.next();
                // `$((1+2))`: the expression ends at the first `)` of the closing two.
                let unclosed = |_| SyntaxError::Unterminated("))");
                let expr = until_paren(chars).map_err(unclosed)?;
                if chars.next() != Some(')') {
                    return Err(SyntaxError::Unterminated("))"));
                }
                let raw = format!("$(({expr}))");
                return Ok(Some((Piece::Arith(expr), raw)));
            }
            let command = until_paren(chars)?;
            let raw = format!("$({command})");
            Ok(Some((Piece::Subst { command, quoted }, raw)))
        }
        Some('{') => {
            chars.next();
            let inner = until_char(chars, '}')?;
            let raw = format!("${{{inner}}}");
            match Param::parse(&inner) {
                None => Err(SyntaxError::BadSubstitution(inner)),
                Some(Param {
                    name,
                    op: param::Op::Value,
                }) => Ok(Some((Piece::Var { name, quoted }, raw))),
                Some(param) => Ok(Some((Piece::Param { param, quoted }, raw))),
            }
        }
        Some('?') => {
            chars.next();
            let name = "?".to_string();
            Ok(Some((Piece::Var { name, quoted }, "$?".into())))
        }
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if !(c.is_ascii_alphanumeric() || c == '_') {
                    break;
                }
                name.push(c);
                chars.next();
            }
            let raw = format!("${name}");
            Ok(Some((Piece::Var { name, quoted }, raw)))
        }
        _ => Ok(None),
    }
}

/// The text up to `end` (not included), or bash's error when `end` never comes.
fn until_char(chars: &mut Chars, end: char) -> Result<String, SyntaxError> {
    let mut text = String::new();
    for c in chars.by_ref() {
        if c == end {
            return Ok(text);
        }
        text.push(c);
    }
    Err(SyntaxError::Unterminated(if end == '}' {
        "}"
    } else {
        "'"
    }))
}

/// The text up to the `)` closing a `$(` (nested parentheses and quotes respected).
fn until_paren(chars: &mut Chars) -> Result<String, SyntaxError> {
    let mut inner = String::new();
    let mut depth = 1;
    while let Some(c) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(inner);
                }
            }
            '\'' | '"' => {
                inner.push(c);
                for q in chars.by_ref() {
                    inner.push(q);
                    if q == c {
                        break;
                    }
                }
                continue;
            }
            '\\' => {
                inner.push(c);
                if let Some(n) = chars.next() {
                    inner.push(n);
                }
                continue;
            }
            _ => {}
        }
        inner.push(c);
    }
    Err(SyntaxError::Unterminated(")"))
}

/// The text up to the closing backtick.
fn until_backtick(chars: &mut Chars) -> Result<String, SyntaxError> {
    let mut inner = String::new();
    while let Some(c) = chars.next() {
        match c {
            '`' => return Ok(inner),
            '\\' => match chars.next() {
                Some(n @ ('`' | '\\' | '$')) => inner.push(n),
                Some(n) => {
                    inner.push('\\');
                    inner.push(n);
                }
                None => inner.push('\\'),
            },
            c => inner.push(c),
        }
    }
    Err(SyntaxError::Unterminated("`"))
}

/// The descriptor redirection starting at `c` (a `>` after the word being read, or `&`),
/// and how many more characters it takes: `2>`, `2>>`, `2>&1`, `>&2`, `&>`, `&>>`.
/// `None` for a plain `>`/`>>` and anything else.
fn fd_redirect(
    c: char,
    word: &WordBuf,
    in_word: bool,
    chars: &Chars,
) -> Option<(&'static str, usize)> {
    let mut ahead = chars.clone();
    let fd = (in_word && !word.quoted && !word.expands)
        .then_some(word.text.as_str())
        .filter(|t| matches!(*t, "1" | "2"));
    if c == '&' {
        if ahead.next() != Some('>') {
            return None;
        }
        return Some(if ahead.next() == Some('>') {
            ("&>>", 2)
        } else {
            ("&>", 1)
        });
    }
    match (fd, ahead.next(), ahead.next()) {
        (Some("2"), Some('&'), Some('1')) => Some(("2>&1", 2)),
        (Some("2"), Some('>'), _) => Some(("2>>", 1)),
        (Some("2"), _, _) => Some(("2>", 0)),
        (Some("1") | None, Some('&'), Some('2')) => Some((">&2", 2)),
        (Some("1"), Some('>'), _) => Some((">>", 1)),
        (Some("1"), _, _) => Some((">", 0)),
        _ => None,
    }
}

/// An entry's tokens, and whether its input ended before the entry did in a way that is
/// not an error (a heredoc without its delimiter line, a final `\`).
pub(super) struct Lexed {
    pub(super) tokens: Vec<Token>,
    /// A heredoc's delimiter line never came (its body runs to the end, as bash does).
    pub(super) open_heredoc: bool,
    /// The last character is an unquoted `\`: the line goes on.
    pub(super) trailing_backslash: bool,
    /// The delimiter words of its heredocs, in order (`-EOF` for `<<-EOF`).
    pub(super) delimiters: Vec<String>,
}

/// The tokens of an entry, read as one stream so that quotes, `$(...)` and `\`-newline
/// span lines: each line ends with a `"\n"` operator, and each `<<DELIM` is followed by
/// its body, read from the lines after the line it is on.
pub(super) fn lex(text: &str) -> Result<Lexed, SyntaxError> {
    let mut tokens = Vec::new();
    let mut word = WordBuf::default();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    // Heredocs opened on the current line: their body's place among the tokens, delimiter.
    let mut heredocs: Vec<(usize, String)> = Vec::new();
    let mut open_heredoc = false;
    let mut trailing_backslash = false;
    let mut delimiters = Vec::new();
    // Inside `[[ ... ]]`, where `<<` is an operator of the expression, not a heredoc.
    let mut in_cond = false;
    macro_rules! end_word {
        () => {
            if in_word {
                let w = word.take();
                if tokens.last() == Some(&Token::Op("<<")) && !in_cond {
                    // The delimiter gives way to the body, read after this line.
                    delimiters.push(w.text.clone());
                    heredocs.push((tokens.len(), w.text));
                    tokens.push(Token::Body(String::new()));
                } else {
                    #[allow(unused_assignments)]
                    if w.plain && w.text == "[[" && command_starts(&tokens) {
                        in_cond = true;
                    } else if w.plain && w.text == "]]" {
                        in_cond = false;
                    }
                    tokens.push(Token::Word(w));
                }
                #[allow(unused_assignments)]
                {
                    in_word = false;
                }
            }
        };
    }
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                end_word!();
                tokens.push(Token::Op("\n"));
                for (at, delimiter) in heredocs.drain(..) {
                    let (body, closed) = heredoc_body(&delimiter, &mut chars);
                    if let Some(slot) = tokens.get_mut(at) {
                        *slot = Token::Body(body);
                    }
                    open_heredoc |= !closed;
                }
            }
            '\'' => {
                in_word = true;
                word.quoted = true;
                for ch in until_char(&mut chars, '\'')?.chars() {
                    word.push(ch);
                }
            }
            '"' => {
                in_word = true;
                word.quoted = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$') => match dollar(&mut chars, true)? {
                            Some((piece, raw)) => word.expansion(piece, &raw),
                            None => word.push('$'),
                        },
                        Some('`') => {
                            let command = until_backtick(&mut chars)?;
                            let raw = format!("`{command}`");
                            word.expansion(
                                Piece::Subst {
                                    command,
                                    quoted: true,
                                },
                                &raw,
                            );
                        }
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            // A line continuation.
                            Some('\n') => {}
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => return Err(SyntaxError::Unterminated("\"")),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err(SyntaxError::Unterminated("\"")),
                    }
                }
            }
            '\\' => match chars.next() {
                // A line continuation: both characters go.
                Some('\n') => {}
                Some(ch) => {
                    in_word = true;
                    word.quoted = true;
                    word.push(ch);
                }
                None => trailing_backslash = true,
            },
            '$' => {
                in_word = true;
                match dollar(&mut chars, false)? {
                    Some((piece, raw)) => word.expansion(piece, &raw),
                    None => word.push('$'),
                }
            }
            '`' => {
                in_word = true;
                let command = until_backtick(&mut chars)?;
                let raw = format!("`{command}`");
                word.expansion(
                    Piece::Subst {
                        command,
                        quoted: false,
                    },
                    &raw,
                );
            }
            // A comment runs to the end of its line.
            '#' if !in_word => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
            }
            c if c.is_whitespace() => end_word!(),
            '(' | ')' => {
                end_word!();
                tokens.push(Token::Op(if c == '(' { "(" } else { ")" }));
            }
            // `2>`, `2>>`, `2>&1`, `>&2`, `&>`, `&>>`: where stderr (or both) goes.
            '>' | '&' if fd_redirect(c, &word, in_word, &chars).is_some() => {
                let (op, skip) = fd_redirect(c, &word, in_word, &chars).unwrap_or((">", 0));
                for _ in 0..skip {
                    chars.next();
                }
                if in_word && !word.quoted && matches!(word.text.as_str(), "1" | "2") {
                    // The descriptor number belongs to the operator, not to the command.
                    word = WordBuf::default();
                    in_word = false;
                } else {
                    end_word!();
                }
                tokens.push(Token::Op(op));
            }
            // `<(cmd)`: process substitution, a word of its own.
            '<' if chars.peek() == Some(&'(') => {
                end_word!();
                chars.next();
                let command = until_paren(&mut chars)?;
                let raw = format!("<({command})");
                word.expansion(Piece::ProcSubst(command), &raw);
                in_word = true;
                end_word!();
            }
            ';' | '&' | '|' | '>' | '<' => {
                end_word!();
                let doubled = chars.peek() == Some(&c);
                if doubled {
                    chars.next();
                }
                tokens.push(Token::Op(match (c, doubled) {
                    (';', true) => ";;",
                    (';', false) => ";",
                    ('&', true) => "&&",
                    ('|', true) => "||",
                    ('|', false) => "|",
                    ('>', true) => ">>",
                    ('>', false) => ">",
                    ('<', true) => "<<",
                    ('<', false) => "<",
                    _ => return Err(SyntaxError::Background),
                }));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word!();
    tokens.push(Token::Op("\n"));
    // A heredoc opened on the last line has no body yet.
    open_heredoc |= !heredocs.is_empty();
    Ok(Lexed {
        tokens,
        open_heredoc,
        trailing_backslash,
        delimiters,
    })
}

/// Whether a word after `tokens` is where a command starts (so `[[` opens an expression).
fn command_starts(tokens: &[Token]) -> bool {
    match tokens.last() {
        None => true,
        Some(Token::Op(op)) => matches!(*op, "\n" | ";" | ";;" | "&&" | "||" | "|" | "("),
        Some(Token::Word(w)) => {
            w.plain
                && matches!(
                    w.text.as_str(),
                    "do" | "then" | "else" | "elif" | "if" | "while" | "until" | "!"
                )
        }
        Some(Token::Body(_)) => false,
    }
}

/// The lines of a heredoc's body up to `delimiter` (`-DELIM` strips leading tabs), read from
/// the characters after the newline that ends its `<<` line; whether the delimiter line came
/// (like bash, a heredoc without it ends at the end of the input).
fn heredoc_body(delimiter: &str, chars: &mut Chars) -> (String, bool) {
    let (strip_tabs, delimiter) = match delimiter.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, delimiter),
    };
    let mut body = String::new();
    while chars.peek().is_some() {
        let mut line = String::new();
        for c in chars.by_ref() {
            if c == '\n' {
                break;
            }
            line.push(c);
        }
        let line = if strip_tabs {
            line.trim_start_matches('\t')
        } else {
            &line
        };
        if line == delimiter {
            return (body, true);
        }
        body.push_str(line);
        body.push('\n');
    }
    (body, false)
}
