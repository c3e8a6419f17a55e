//! The grammar over an entry's tokens, as bash reads it: lists of pipelines joined by `;`,
//! newlines, `&&` and `||`; pipelines of simple or compound commands: `for`, `while` and
//! `until` loops, `if`, `case` and `[[ ... ]]`, whose lists may span lines; bash's syntax
//! errors.

use std::sync::Arc;

use super::cond::{self, CondTok};
use super::error::{Found, SyntaxError, CLOSERS};
use super::{
    CaseClause, CaseItem, Command, Compound, CondWord, Connector, Dialect, ForLoop, IfClause,
    Redirect, Simple, Token, WhileLoop, Word,
};
use crate::bounds::{self, Depth};

/// The script ended inside a construct.
const END: SyntaxError = SyntaxError::Unexpected {
    found: Found::End,
    expecting: None,
};

/// The most tokens alias expansion may add to one entry.
const MAX_ALIAS_TOKENS: usize = 10_000;

/// The commands of a whole script in `dialect`; `aliases` are expanded where a command
/// starts. bash reads `[[ ... ]]` as an expression, busybox ash as its `test` with the
/// words between, dash not at all.
pub(super) fn parse(
    tokens: Vec<Token>,
    dialect: Dialect,
    aliases: Option<&Aliases>,
) -> Result<Vec<Command>, SyntaxError> {
    let mut parser = Parser {
        tokens,
        pos: 0,
        aliases,
        spliced: 0,
        depth: Depth::new(bounds::SHELL),
        dialect,
    };
    let parsed = parser.list(&[]).and_then(|commands| match parser.next() {
        None => Ok(commands),
        Some(tok) => Err(unexpected(&tok)),
    });
    parsed.map_err(|mut e| {
        // The newline that ends the script is its end for dash and ash.
        let rest = parser.tokens.get(parser.pos..).unwrap_or_default();
        if let SyntaxError::Unexpected { found, .. } = &mut e {
            if *found == Found::Op("\n") && rest.iter().all(|t| *t == Token::Op("\n")) {
                *found = Found::LastNewline;
            }
        }
        e
    })
}

/// What a token is, for an error.
fn found(tok: &Token) -> Found {
    match tok {
        Token::Word(w) => Found::Word(w.text.clone()),
        Token::Op(op) => Found::Op(op),
        Token::Body(_) => Found::Op("\n"),
    }
}

/// A token where it cannot be.
fn unexpected(tok: &Token) -> SyntaxError {
    SyntaxError::at(found(tok))
}

/// A token (or the end) where `expecting` should be.
fn expected(tok: Option<&Token>, expecting: &'static str) -> SyntaxError {
    SyntaxError::Unexpected {
        found: tok.map_or(Found::End, found),
        expecting: Some(expecting),
    }
}

/// Whether `tok` is the reserved word `word` (typed as is).
fn is_reserved(tok: Option<&Token>, word: &str) -> bool {
    matches!(tok, Some(Token::Word(w)) if w.plain && w.text == word)
}

/// Alias names and their values.
pub(super) type Aliases = std::collections::BTreeMap<String, String>;

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    aliases: Option<&'a Aliases>,
    /// Tokens alias expansion added so far.
    spliced: usize,
    /// Compound commands open, within [`bounds::SHELL`].
    depth: Depth,
    /// Whose rules: `[[` is bash's and ash's.
    dialect: Dialect,
}

impl Parser<'_> {
    /// Replaces an alias at a command's start by its value's tokens, as bash does: the new
    /// first word is expanded again unless it is an alias already expanded here, and a
    /// value ending in a blank has the next word checked too.
    fn expand_aliases(&mut self) {
        let Some(aliases) = self.aliases else {
            return;
        };
        let mut seen: Vec<String> = Vec::new();
        let mut at = self.pos;
        // After a value ending in a blank: the next word's place, counted from the end.
        let mut next_from_end: Option<usize> = None;
        loop {
            let alias = match self.tokens.get(at) {
                Some(Token::Word(w)) if w.plain && !seen.contains(&w.text) => {
                    aliases.get(&w.text).map(|v| (w.text.clone(), v))
                }
                _ => None,
            };
            let Some((name, value)) = alias else {
                match next_from_end.take() {
                    Some(tail) if tail < self.tokens.len() && self.tokens.len() - tail > at => {
                        at = self.tokens.len() - tail;
                        continue;
                    }
                    _ => return,
                }
            };
            let Ok(lexed) = super::lex(value) else {
                return;
            };
            let mut toks = lexed.tokens;
            // The lexer ends every entry with a newline.
            toks.pop();
            if self.spliced + toks.len() > MAX_ALIAS_TOKENS {
                return;
            }
            seen.push(name);
            let n = toks.len();
            self.spliced += n;
            self.tokens.splice(at..at + 1, toks);
            if value.ends_with([' ', '\t']) {
                next_from_end = Some(self.tokens.len() - (at + n));
            }
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let tok = self.tokens.get_mut(self.pos).map(|t| {
            // Each token is taken once; leave a cheap one behind.
            std::mem::replace(t, Token::Op("\n"))
        });
        self.pos += tok.is_some() as usize;
        tok
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Token::Op("\n")) {
            self.pos += 1;
        }
    }

    /// Whether the next token is one of `closers`: reserved words, or `;;` in a `case`.
    fn at(&self, closers: &[&str]) -> bool {
        closers.iter().any(|c| match *c {
            ";;" => self.peek() == Some(&Token::Op(";;")),
            c => is_reserved(self.peek(), c),
        })
    }

    /// Commands up to one of `closers` (not taken) or the end.
    fn list(&mut self, closers: &[&'static str]) -> Result<Vec<Command>, SyntaxError> {
        let mut commands = Vec::new();
        let mut connector = Connector::Always;
        loop {
            self.skip_newlines();
            let at_closer = self.at(closers);
            match self.peek() {
                None if connector != Connector::Always => return Err(END),
                None => break,
                Some(tok) if at_closer && connector != Connector::Always => {
                    return Err(unexpected(tok))
                }
                Some(_) if at_closer => break,
                // Another list's end: dash and ash name this one's.
                Some(tok @ Token::Word(w))
                    if connector == Connector::Always
                        && w.plain
                        && CLOSERS.contains(&w.text.as_str()) =>
                {
                    return Err(match closers.first().filter(|c| **c != ";;") {
                        Some(c) => expected(Some(tok), c),
                        None => unexpected(tok),
                    });
                }
                _ => {}
            }
            let pipeline = self.pipeline()?;
            commands.push(Command {
                connector,
                pipeline,
            });
            connector = match self.peek() {
                Some(Token::Op(";;")) if closers.contains(&";;") => break,
                Some(Token::Op(";" | "\n")) => Connector::Always,
                Some(Token::Op("&&")) => Connector::IfSuccess,
                Some(Token::Op("||")) => Connector::IfFailure,
                None => break,
                Some(tok) => return Err(unexpected(tok)),
            };
            self.pos += 1;
        }
        Ok(commands)
    }

    /// `a | b | c`.
    fn pipeline(&mut self) -> Result<Vec<Simple>, SyntaxError> {
        let mut pipeline = vec![self.command()?];
        while self.peek() == Some(&Token::Op("|")) {
            self.pos += 1;
            self.skip_newlines();
            pipeline.push(self.command()?);
        }
        Ok(pipeline)
    }

    /// A simple command with its redirections, or a loop with the redirections after `done`.
    fn command(&mut self) -> Result<Simple, SyntaxError> {
        self.expand_aliases();
        let mut simple = Simple::default();
        match self.peek() {
            None => return Err(END),
            Some(Token::Word(w)) if w.plain => match w.text.as_str() {
                "[[" if self.dialect == Dialect::Ash => {
                    self.bracket_words(&mut simple);
                }
                "[[" if self.dialect == Dialect::Dash => {}
                "for" | "while" | "until" | "if" | "case" | "[[" => {
                    let keyword = w.text.clone();
                    self.pos += 1;
                    self.depth.enter().map_err(|_| SyntaxError::TooDeep)?;
                    let compound = self.compound_after(&keyword);
                    self.depth.leave();
                    simple.compound = Some(Box::new(compound?));
                }
                word if CLOSERS.contains(&word) => return Err(unexpected(&Token::Word(w.clone()))),
                _ => {}
            },
            _ => {}
        }
        loop {
            match self.peek() {
                Some(Token::Word(_)) if simple.compound.is_some() => {
                    let tok = self.next();
                    return Err(tok.map_or(END, |t| unexpected(&t)));
                }
                Some(Token::Word(_)) => {
                    if let Some(Token::Word(w)) = self.next() {
                        simple.words.push(w.text);
                        simple.expansions.push(w.pieces);
                    }
                }
                Some(Token::Op(op @ (">" | ">>" | "<" | "<<" | "2>" | "2>>" | "&>" | "&>>"))) => {
                    let op = *op;
                    self.pos += 1;
                    self.redirection(op, &mut simple)?;
                }
                Some(Token::Op("2>&1")) => {
                    self.pos += 1;
                    simple.outputs.push(Redirect::Dup { fd: 2, to: 1 });
                }
                Some(Token::Op(">&2")) => {
                    self.pos += 1;
                    simple.outputs.push(Redirect::Dup { fd: 1, to: 2 });
                }
                _ => break,
            }
        }
        if simple.is_empty() && !simple.redirected() {
            return Err(self.peek().map_or(END, unexpected));
        }
        Ok(simple)
    }

    /// busybox ash's `[[ ... ]]`: its `test`, the words up to `]]` its arguments, the
    /// operators between (`&&`, `||`, `(`, `)`, `<`, `>`) words too.
    fn bracket_words(&mut self, simple: &mut Simple) {
        while let Some(tok) = self.peek() {
            let text = match tok {
                Token::Word(w) => w.text.clone(),
                Token::Op(op @ ("&&" | "||" | "(" | ")" | "<" | ">")) => op.to_string(),
                _ => break,
            };
            let end = is_reserved(Some(tok), "]]");
            let pieces = match self.next() {
                Some(Token::Word(w)) => w.pieces,
                _ => None,
            };
            simple.words.push(text);
            simple.expansions.push(pieces);
            if end {
                break;
            }
        }
    }

    /// The target of `>`, `>>`, `<`, or the body of `<<`.
    fn redirection(&mut self, op: &str, simple: &mut Simple) -> Result<(), SyntaxError> {
        let target = match (op, self.next()) {
            ("<<", Some(Token::Body(body))) => {
                simple.heredoc = Some(body);
                return Ok(());
            }
            (_, Some(Token::Word(Word { text, pieces, .. }))) if op != "<<" => (text, pieces),
            (_, Some(Token::Op(o))) if o != "\n" => return Err(unexpected(&Token::Op(o))),
            _ => return Err(SyntaxError::at(Found::Op("\n"))),
        };
        let (target, pieces) = target;
        let to = |fd, append| Redirect::To {
            fd,
            file: target.clone(),
            pieces: pieces.clone(),
            append,
        };
        match op {
            ">" | ">>" => simple.outputs.push(to(1, op == ">>")),
            "2>" | "2>>" => simple.outputs.push(to(2, op == "2>>")),
            "&>" | "&>>" => {
                simple.outputs.push(to(1, op == "&>>"));
                simple.outputs.push(Redirect::Dup { fd: 2, to: 1 });
            }
            _ => simple.stdin_from = Some(target),
        }
        Ok(())
    }

    /// A compound command after its keyword, up to its end (`done`, `fi`, `esac`, `]]`).
    fn compound_after(&mut self, keyword: &str) -> Result<Compound, SyntaxError> {
        match keyword {
            "for" => return self.for_after().map(Compound::For),
            "if" => return self.if_after().map(Compound::If),
            "case" => return self.case_after().map(Compound::Case),
            "[[" => return self.cond_after().map(Compound::Cond),
            _ => {}
        }
        let test = self.list(&["do"])?;
        self.close("do", test.is_empty())?;
        let body = self.list(&["done"])?;
        self.close("done", body.is_empty())?;
        Ok(Compound::While(WhileLoop {
            until: keyword == "until",
            test: test.into(),
            body: body.into(),
        }))
    }

    /// `NAME [in WORDS]; do LIST; done` after `for`.
    fn for_after(&mut self) -> Result<ForLoop, SyntaxError> {
        let name = match self.next() {
            Some(Token::Word(w)) if w.pieces.is_none() && super::is_name(&w.text) => w.text,
            Some(Token::Word(w)) => return Err(SyntaxError::NotIdentifier(w.text)),
            Some(tok) => return Err(unexpected(&tok)),
            None => return Err(END),
        };
        let mut items = Simple::default();
        if is_reserved(self.peek(), "in") {
            self.pos += 1;
            while let Some(Token::Word(_)) = self.peek() {
                if let Some(Token::Word(w)) = self.next() {
                    items.words.push(w.text);
                    items.expansions.push(w.pieces);
                }
            }
        }
        match self.next() {
            Some(Token::Op(";" | "\n")) => {}
            Some(tok) => return Err(expected(Some(&tok), "do")),
            None => return Err(expected(None, "do")),
        }
        self.skip_newlines();
        match self.peek() {
            Some(tok) if !is_reserved(Some(tok), "do") => return Err(expected(Some(tok), "do")),
            None => return Err(expected(None, "do")),
            Some(_) => self.pos += 1,
        }
        let body = self.list(&["done"])?;
        self.close("done", body.is_empty())?;
        Ok(ForLoop {
            name,
            items,
            body: body.into(),
        })
    }

    /// `LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi` after `if`.
    fn if_after(&mut self) -> Result<IfClause, SyntaxError> {
        let mut branches = Vec::new();
        loop {
            let test = self.list(&["then"])?;
            self.close("then", test.is_empty())?;
            let body = self.list(&["elif", "else", "fi"])?;
            let end = self.next();
            if body.is_empty() {
                return Err(end.map_or(END, |t| unexpected(&t)));
            }
            branches.push((Arc::from(test), Arc::from(body)));
            match end {
                Some(t) if is_reserved(Some(&t), "elif") => continue,
                Some(t) if is_reserved(Some(&t), "else") => {
                    let otherwise = self.list(&["fi"])?;
                    self.close("fi", otherwise.is_empty())?;
                    return Ok(IfClause {
                        branches: branches.into(),
                        otherwise: otherwise.into(),
                    });
                }
                Some(t) if is_reserved(Some(&t), "fi") => {
                    return Ok(IfClause {
                        branches: branches.into(),
                        otherwise: Arc::from(Vec::new()),
                    })
                }
                Some(t) => return Err(expected(Some(&t), "fi")),
                None => return Err(expected(None, "fi")),
            }
        }
    }

    /// `WORD in [(]PATTERN[|PATTERN]...) LIST;; ... esac` after `case`.
    fn case_after(&mut self) -> Result<CaseClause, SyntaxError> {
        let word = match self.next() {
            Some(Token::Word(w)) => CondWord::from(w),
            Some(tok) => return Err(unexpected(&tok)),
            None => return Err(END),
        };
        self.skip_newlines();
        match self.next() {
            Some(tok) if is_reserved(Some(&tok), "in") => {}
            Some(tok) => return Err(expected(Some(&tok), "in")),
            None => return Err(expected(None, "in")),
        }
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if is_reserved(self.peek(), "esac") {
                self.pos += 1;
                break;
            }
            if self.peek() == Some(&Token::Op("(")) {
                self.pos += 1;
            }
            let mut patterns = Vec::new();
            loop {
                match self.next() {
                    Some(Token::Word(w)) => patterns.push(CondWord::from(w)),
                    Some(tok) => return Err(expected(Some(&tok), ")")),
                    None => return Err(expected(None, ")")),
                }
                match self.next() {
                    Some(Token::Op("|")) => {}
                    Some(Token::Op(")")) => break,
                    Some(tok) => return Err(expected(Some(&tok), ")")),
                    None => return Err(expected(None, ")")),
                }
            }
            let body = self.list(&["esac", ";;"])?;
            items.push(CaseItem {
                patterns,
                body: body.into(),
            });
            match self.next() {
                Some(Token::Op(";;")) => {}
                Some(tok) if is_reserved(Some(&tok), "esac") => break,
                Some(tok) => return Err(expected(Some(&tok), "esac")),
                None => return Err(expected(None, "esac")),
            }
        }
        Ok(CaseClause {
            word,
            items: items.into(),
        })
    }

    /// The expression after `[[`, up to `]]`: `&&`, `||`, `(`, `)`, `<`, `>` are its own
    /// there, and the right side of `=~` runs on to the next `]]`, `&&` or `||`.
    fn cond_after(&mut self) -> Result<cond::Cond<CondWord>, SyntaxError> {
        let mut toks: Vec<CondTok<CondWord>> = Vec::new();
        let mut regex: Option<CondWord> = None;
        loop {
            let tok = match self.next() {
                None => return Err(END),
                Some(t) if is_reserved(Some(&t), "]]") => break,
                Some(t) => t,
            };
            if let Some(r) = regex.as_mut() {
                let (text, pieces) = match &tok {
                    Token::Word(w) => (w.text.clone(), w.pieces.clone()),
                    Token::Op(op @ ("(" | ")" | "|")) => (op.to_string(), None),
                    _ => (String::new(), None),
                };
                if !text.is_empty() {
                    glue(r, text, pieces);
                    continue;
                }
                if let Some(r) = regex.take() {
                    toks.push(CondTok::Arg(r));
                }
            }
            match tok {
                Token::Word(w) if w.plain && w.text == "=~" => {
                    toks.push(CondTok::Op(w.text));
                    regex = Some(CondWord::from(String::new()));
                }
                Token::Word(w) if w.plain && cond::is_cond_op(&w.text) => {
                    toks.push(CondTok::Op(w.text))
                }
                Token::Word(w) => toks.push(CondTok::Arg(CondWord::from(w))),
                Token::Op("\n") => {}
                Token::Op(op @ ("&&" | "||" | "(" | ")" | "<" | ">")) => {
                    toks.push(CondTok::Op(op.to_string()))
                }
                // `<<` and `>>` are no redirections there, and no operators either.
                Token::Op(op @ ("<<" | ">>")) => {
                    let after_word = matches!(toks.last(), Some(CondTok::Arg(_)));
                    return Err(SyntaxError::Cond(if after_word {
                        format!("unexpected token `{op}', conditional binary operator expected")
                    } else {
                        format!("unexpected token `{op}' in conditional command")
                    }));
                }
                tok => return Err(unexpected(&tok)),
            }
        }
        if let Some(r) = regex {
            toks.push(CondTok::Arg(r));
        }
        if toks.is_empty() {
            return Err(unexpected(&Token::Word(Word {
                text: "]]".into(),
                pieces: None,
                plain: true,
            })));
        }
        cond::parse_cond(toks).map_err(SyntaxError::Cond)
    }

    /// Takes the reserved word `word` that ends a list (an empty list cannot end there).
    fn close(&mut self, word: &'static str, empty: bool) -> Result<(), SyntaxError> {
        match self.next() {
            Some(tok) if is_reserved(Some(&tok), word) && !empty => Ok(()),
            Some(tok) if empty => Err(unexpected(&tok)),
            Some(tok) => Err(expected(Some(&tok), word)),
            None if empty => Err(END),
            None => Err(expected(None, word)),
        }
    }
}

/// Appends a word's text and pieces to the regex being read after `=~`.
fn glue(regex: &mut CondWord, text: String, pieces: Option<Vec<super::Piece>>) {
    let lit = |t: &str| vec![super::Piece::Lit(t.to_string())];
    match (regex.pieces.as_mut(), pieces) {
        (None, None) => {}
        (Some(p), None) => p.extend(lit(&text)),
        (None, Some(more)) => {
            let mut p = if regex.text.is_empty() {
                Vec::new()
            } else {
                lit(&regex.text)
            };
            p.extend(more);
            regex.pieces = Some(p);
        }
        (Some(p), Some(more)) => p.extend(more),
    }
    regex.text.push_str(&text);
}
