//! The container shell's grammar: words and operators, lists joined by `;`, newlines, `&&`
//! and `||`; `while`/`until`/`for` loops, `if`, `case`, and `[[ ... ]]` kept together as one
//! command (busybox ash and bash; dash has no `[[`); each shell's syntax error texts.

use super::cond::Dialect;
use crate::bounds::{self, Depth};

/// Reserved words that cannot start a command.
const CLOSERS: &[&str] = &["do", "done", "then", "elif", "else", "fi", "esac"];

/// Why a script does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum SyntaxError {
    /// A quote never closed.
    Unterminated,
    /// A token where it cannot be (`None`: the end of the script), and what was expected.
    Unexpected(Option<Tok>, Option<&'static str>),
    /// Compound commands nested past [`bounds::SHELL`].
    TooDeep,
}

impl SyntaxError {
    /// The shell's message(s) after its name: dash `sh: 1: Syntax error: "fi" unexpected`,
    /// busybox `sh: syntax error: unexpected "fi"`, bash `bash: -c: line 1: syntax error near
    /// unexpected token `fi'` and the line.
    pub(super) fn message(&self, dialect: Dialect, name: &str, src: &str) -> String {
        let word = |t: &Option<Tok>, quote: bool| match t {
            None => "end of file".to_string(),
            Some(Tok::Word(w)) if CLOSERS.contains(&w.as_str()) || !quote => {
                if quote {
                    format!("\"{w}\"")
                } else {
                    w.clone()
                }
            }
            Some(Tok::Word(_)) => "word".into(),
            Some(Tok::Semi) => "\";\"".into(),
            Some(t) => format!("\"{}\"", op_text(t)),
        };
        match (dialect, self) {
            (Dialect::Dash, SyntaxError::Unterminated) => {
                format!("{name}: 1: Syntax error: Unterminated quoted string")
            }
            (Dialect::Ash, SyntaxError::Unterminated) => {
                format!("{name}: syntax error: unterminated quoted string")
            }
            (Dialect::Bash, SyntaxError::Unterminated) => {
                format!("{name}: -c: line 1: unexpected EOF while looking for matching `''")
            }
            (_, SyntaxError::TooDeep) => format!("{name}: nested too deeply"),
            (Dialect::Dash, SyntaxError::Unexpected(t, expecting)) => {
                let e = expecting.map_or(String::new(), |e| format!(" (expecting \"{e}\")"));
                format!("{name}: 1: Syntax error: {} unexpected{e}", word(t, true))
            }
            (Dialect::Ash, SyntaxError::Unexpected(t, expecting)) => {
                let e = expecting.map_or(String::new(), |e| format!(" (expecting \"{e}\")"));
                format!("{name}: syntax error: unexpected {}{e}", word(t, true))
            }
            (Dialect::Bash, SyntaxError::Unexpected(None, _)) => {
                let lines = src.lines().count().max(1) + 1;
                format!("{name}: -c: line {lines}: syntax error: unexpected end of file")
            }
            (Dialect::Bash, SyntaxError::Unexpected(t, _)) => {
                let tok = match t {
                    Some(Tok::Semi) => ";".to_string(),
                    t => word(t, false).trim_matches('"').to_string(),
                };
                let line = src.lines().next().unwrap_or_default();
                format!(
                    "{name}: -c: line 1: syntax error near unexpected token `{tok}'\n{name}: -c: line 1: `{line}'"
                )
            }
        }
    }
}

/// An operator's text.
fn op_text(t: &Tok) -> &'static str {
    match t {
        Tok::Semi => ";",
        Tok::And => "&&",
        Tok::Or => "||",
        Tok::DSemi => ";;",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Word(_) => "word",
    }
}

/// Parses a script: `[[` is kept together unless the shell is dash.
pub(super) fn parse(src: &str, dialect: Dialect) -> Result<Vec<Item>, SyntaxError> {
    let toks = tokenize(src)?;
    let mut parser = Parser {
        toks,
        pos: 0,
        depth: Depth::new(bounds::SHELL),
        double_brackets: dialect != Dialect::Dash,
    };
    let items = parser.list(&[])?;
    match parser.toks.get(parser.pos) {
        None => Ok(items),
        Some(t) => Err(SyntaxError::Unexpected(Some(t.clone()), None)),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Word(String),
    Semi,
    And,
    Or,
    /// `;;`, ending a `case` item.
    DSemi,
    LParen,
    RParen,
}

#[derive(Clone, Debug)]
pub(super) enum Stmt {
    Simple(Vec<String>),
    /// `if`: `(test, body)` of the `if` and each `elif`, and the `else` body.
    If {
        branches: Vec<(Vec<Item>, Vec<Item>)>,
        otherwise: Vec<Item>,
    },
    /// `case WORD in PATTERNS) BODY;; ... esac`.
    Case {
        word: String,
        items: Vec<(Vec<String>, Vec<Item>)>,
    },
    While {
        until: bool,
        cond: Vec<Item>,
        body: Vec<Item>,
    },
    For {
        var: String,
        items: Vec<String>,
        body: Vec<Item>,
    },
}

/// A statement and the connector that joins it to the previous one.
#[derive(Clone, Debug)]
pub(super) struct Item {
    pub(super) conn: Tok,
    pub(super) stmt: Stmt,
}

/// Splits a script into words (quotes removed, `$` kept; single-quoted `$` escaped as `\u{1}`)
/// and operators.
fn tokenize(src: &str) -> Result<Vec<Tok>, SyntaxError> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = src.chars().peekable();
    let flush = |cur: &mut String, in_word: &mut bool, toks: &mut Vec<Tok>| {
        if *in_word {
            toks.push(Tok::Word(std::mem::take(cur)));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some('$') => cur.push('\u{1}'),
                        Some(c) => cur.push(c),
                        None => return Err(SyntaxError::Unterminated),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        // Inside double quotes a backslash escapes only $ ` " \ and newline.
                        Some('\\') => match chars.next() {
                            Some('$') => cur.push('\u{1}'),
                            Some(n @ ('`' | '"' | '\\')) => cur.push(n),
                            Some('\n') => {}
                            Some(n) => {
                                cur.push('\\');
                                cur.push(n);
                            }
                            None => {}
                        },
                        Some(c) => cur.push(c),
                        None => return Err(SyntaxError::Unterminated),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(if n == '$' { '\u{1}' } else { n });
                }
            }
            '$' if chars.peek() == Some(&'(') => {
                in_word = true;
                cur.push('$');
                let mut depth = 0;
                for n in chars.by_ref() {
                    cur.push(n);
                    match n {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            ';' if chars.peek() == Some(&';') => {
                chars.next();
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(Tok::DSemi);
            }
            ';' | '\n' => {
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(Tok::Semi);
            }
            '(' | ')' => {
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(if c == '(' { Tok::LParen } else { Tok::RParen });
            }
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(Tok::And);
            }
            '|' if chars.peek() == Some(&'|') => {
                chars.next();
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(Tok::Or);
            }
            '#' if !in_word => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        toks.push(Tok::Semi);
                        break;
                    }
                }
            }
            c if c.is_whitespace() => flush(&mut cur, &mut in_word, &mut toks),
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    flush(&mut cur, &mut in_word, &mut toks);
    Ok(toks)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: Depth,
    double_brackets: bool,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn unexpected(&self, expecting: Option<&'static str>) -> SyntaxError {
        SyntaxError::Unexpected(self.peek().cloned(), expecting)
    }

    fn skip_semis(&mut self) {
        while self.peek() == Some(&Tok::Semi) {
            self.pos += 1;
        }
    }

    /// Parses items until one of `ends` appears as a command word, or `;;` when `ends`
    /// holds it (not consumed), or the end.
    fn list(&mut self, ends: &[&'static str]) -> Result<Vec<Item>, SyntaxError> {
        let mut items = Vec::new();
        let mut conn = Tok::Semi;
        loop {
            if conn == Tok::Semi {
                self.skip_semis();
            }
            match self.peek() {
                None if conn == Tok::Semi => return Ok(items),
                Some(Tok::Word(w)) if conn == Tok::Semi && ends.contains(&w.as_str()) => {
                    return Ok(items)
                }
                Some(Tok::DSemi) if conn == Tok::Semi && ends.contains(&";;") => return Ok(items),
                Some(Tok::Word(w)) if conn == Tok::Semi && CLOSERS.contains(&w.as_str()) => {
                    let expecting = ends.first().copied().filter(|e| *e != ";;");
                    return Err(self.unexpected(expecting));
                }
                Some(Tok::Word(_)) => {}
                _ => return Err(self.unexpected(None)),
            }
            let stmt = self.stmt()?;
            items.push(Item {
                conn: conn.clone(),
                stmt,
            });
            conn = match self.peek() {
                Some(Tok::And) => Tok::And,
                Some(Tok::Or) => Tok::Or,
                _ => Tok::Semi,
            };
            if conn != Tok::Semi {
                self.pos += 1;
                self.skip_semis();
            }
        }
    }

    fn expect(&mut self, word: &'static str) -> Result<(), SyntaxError> {
        self.skip_semis();
        if self.peek_word() == Some(word) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(Some(word)))
        }
    }

    /// A list that may not be empty, up to one of `ends`.
    fn body(&mut self, ends: &[&'static str]) -> Result<Vec<Item>, SyntaxError> {
        let items = self.list(ends)?;
        if items.is_empty() {
            return Err(self.unexpected(None));
        }
        Ok(items)
    }

    fn stmt(&mut self) -> Result<Stmt, SyntaxError> {
        let keyword = self.peek_word().map(str::to_string);
        let compound = matches!(
            keyword.as_deref(),
            Some("while" | "until" | "for" | "if" | "case")
        );
        if compound {
            self.depth.enter().map_err(|_| SyntaxError::TooDeep)?;
            self.pos += 1;
        }
        let stmt = match keyword.as_deref() {
            Some(k @ ("while" | "until")) => {
                let until = k == "until";
                let cond = self.body(&["do"])?;
                self.expect("do")?;
                let body = self.body(&["done"])?;
                self.expect("done")?;
                Stmt::While { until, cond, body }
            }
            Some("for") => {
                let var = self.peek_word().unwrap_or_default().to_string();
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek_word() == Some("in") {
                    self.pos += 1;
                    while let Some(w) = self.peek_word() {
                        items.push(w.to_string());
                        self.pos += 1;
                    }
                }
                self.expect("do")?;
                let body = self.body(&["done"])?;
                self.expect("done")?;
                Stmt::For { var, items, body }
            }
            Some("if") => self.if_rest()?,
            Some("case") => self.case_rest()?,
            Some(k) if CLOSERS.contains(&k) => return Err(self.unexpected(None)),
            _ => {
                let mut words = Vec::new();
                let mut brackets = false;
                loop {
                    let word = match self.peek() {
                        Some(Tok::Word(w)) => w.clone(),
                        Some(t @ (Tok::And | Tok::Or | Tok::LParen | Tok::RParen)) if brackets => {
                            op_text(t).to_string()
                        }
                        _ => break,
                    };
                    self.pos += 1;
                    if words.is_empty() && word == "[[" && self.double_brackets {
                        brackets = true;
                    } else if brackets && word == "]]" {
                        brackets = false;
                    }
                    words.push(word);
                }
                Stmt::Simple(words)
            }
        };
        if compound {
            self.depth.leave();
            // Only operators may follow a compound command (and redirections, dropped here).
            if matches!(self.peek(), Some(Tok::Word(w)) if !w.contains(['>', '<']))
                || self.peek() == Some(&Tok::LParen)
            {
                return Err(self.unexpected(None));
            }
        }
        Ok(stmt)
    }

    /// `LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi` after `if`.
    fn if_rest(&mut self) -> Result<Stmt, SyntaxError> {
        let mut branches = Vec::new();
        loop {
            let test = self.body(&["then"])?;
            self.expect("then")?;
            let body = self.body(&["fi", "elif", "else"])?;
            branches.push((test, body));
            let end = self.peek_word().map(str::to_string);
            self.pos += 1;
            match end.as_deref() {
                Some("elif") => continue,
                Some("else") => {
                    let otherwise = self.body(&["fi"])?;
                    self.expect("fi")?;
                    return Ok(Stmt::If {
                        branches,
                        otherwise,
                    });
                }
                Some("fi") => {
                    return Ok(Stmt::If {
                        branches,
                        otherwise: Vec::new(),
                    })
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected(Some("fi")));
                }
            }
        }
    }

    /// `WORD in [(]PATTERN[|PATTERN]...) LIST;; ... esac` after `case`.
    fn case_rest(&mut self) -> Result<Stmt, SyntaxError> {
        let Some(word) = self.peek_word().map(str::to_string) else {
            return Err(self.unexpected(None));
        };
        self.pos += 1;
        self.skip_semis();
        if self.peek_word() != Some("in") {
            return Err(self.unexpected(Some("in")));
        }
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_semis();
            if self.peek_word() == Some("esac") {
                self.pos += 1;
                break;
            }
            if self.peek() == Some(&Tok::LParen) {
                self.pos += 1;
            }
            let mut patterns = Vec::new();
            loop {
                match self.peek() {
                    Some(Tok::Word(w)) => {
                        patterns.extend(w.split('|').filter(|p| !p.is_empty()).map(str::to_string));
                        self.pos += 1;
                    }
                    Some(Tok::RParen) if !patterns.is_empty() => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.unexpected(Some(")"))),
                }
            }
            let body = self.list(&["esac", ";;"])?;
            items.push((patterns, body));
            match self.peek() {
                Some(Tok::DSemi) => self.pos += 1,
                Some(Tok::Word(w)) if w == "esac" => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected(Some("esac"))),
            }
        }
        Ok(Stmt::Case { word, items })
    }
}
