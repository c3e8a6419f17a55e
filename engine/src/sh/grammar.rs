//! The grammar over an entry's tokens, as bash reads it: lists of pipelines joined by `;`,
//! newlines, `&&` and `||`; pipelines of simple or compound commands: `for`, `while` and
//! `until` loops, `if`, `case` and `[[ ... ]]`, whose lists may span lines; bash's syntax
//! errors.

use std::sync::Arc;

use super::cond::{self, CondTok};
use super::{
    CaseClause, CaseItem, Command, Compound, CondWord, Connector, ForLoop, IfClause, Redirect,
    Simple, Token, WhileLoop, Word, MAX_LOOP_DEPTH,
};

/// Reserved words that cannot start a command.
const CLOSERS: &[&str] = &["do", "done", "then", "elif", "else", "fi", "esac"];

/// bash's message when the entry ends inside a construct (the front end may read on).
pub(super) const END_OF_FILE: &str = "bash: syntax error: unexpected end of file";

/// The most tokens alias expansion may add to one entry.
const MAX_ALIAS_TOKENS: usize = 10_000;

/// The commands of a whole entry; `aliases` are expanded where a command starts.
pub(super) fn parse(tokens: Vec<Token>, aliases: Option<&Aliases>) -> Result<Vec<Command>, String> {
    let mut parser = Parser {
        tokens,
        pos: 0,
        aliases,
        spliced: 0,
    };
    let commands = parser.list(0, &[])?;
    match parser.next() {
        None => Ok(commands),
        Some(tok) => Err(unexpected(&tok)),
    }
}

/// bash's message for a token where it cannot be.
fn unexpected(tok: &Token) -> String {
    let text = match tok {
        Token::Word(w) => w.text.as_str(),
        Token::Op("\n") => "newline",
        Token::Op(op) => op,
        Token::Body(_) => "newline",
    };
    format!("bash: syntax error near unexpected token `{text}'")
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

    /// Commands up to one of `closers` (not taken) or the end; `depth` compounds in.
    fn list(&mut self, depth: usize, closers: &[&str]) -> Result<Vec<Command>, String> {
        let mut commands = Vec::new();
        let mut connector = Connector::Always;
        loop {
            self.skip_newlines();
            let at_closer = self.at(closers);
            match self.peek() {
                None if connector != Connector::Always => return Err(END_OF_FILE.into()),
                None => break,
                Some(tok) if at_closer && connector != Connector::Always => {
                    return Err(unexpected(tok))
                }
                Some(_) if at_closer => break,
                _ => {}
            }
            let pipeline = self.pipeline(depth)?;
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
    fn pipeline(&mut self, depth: usize) -> Result<Vec<Simple>, String> {
        let mut pipeline = vec![self.command(depth)?];
        while self.peek() == Some(&Token::Op("|")) {
            self.pos += 1;
            self.skip_newlines();
            pipeline.push(self.command(depth)?);
        }
        Ok(pipeline)
    }

    /// A simple command with its redirections, or a loop with the redirections after `done`.
    fn command(&mut self, depth: usize) -> Result<Simple, String> {
        self.expand_aliases();
        let mut simple = Simple::default();
        match self.peek() {
            None => return Err(END_OF_FILE.into()),
            Some(Token::Word(w)) if w.plain => match w.text.as_str() {
                "for" | "while" | "until" | "if" | "case" | "[[" => {
                    let keyword = w.text.clone();
                    self.pos += 1;
                    simple.compound = Some(Box::new(self.compound_after(&keyword, depth)?));
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
                    return Err(tok.map_or_else(|| END_OF_FILE.into(), |t| unexpected(&t)));
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
            return Err(match self.peek() {
                Some(tok) => unexpected(tok),
                None => END_OF_FILE.into(),
            });
        }
        Ok(simple)
    }

    /// The target of `>`, `>>`, `<`, or the body of `<<`.
    fn redirection(&mut self, op: &str, simple: &mut Simple) -> Result<(), String> {
        let target = match (op, self.next()) {
            ("<<", Some(Token::Body(body))) => {
                simple.heredoc = Some(body);
                return Ok(());
            }
            (_, Some(Token::Word(Word { text, .. }))) if op != "<<" => text,
            (_, Some(Token::Op(o))) if o != "\n" => return Err(unexpected(&Token::Op(o))),
            _ => return Err("bash: syntax error near unexpected token `newline'".into()),
        };
        let to = |fd, append| Redirect::To {
            fd,
            file: target.clone(),
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
    fn compound_after(&mut self, keyword: &str, depth: usize) -> Result<Compound, String> {
        if depth >= MAX_LOOP_DEPTH {
            return Err("bash: loops nested too deeply".into());
        }
        match keyword {
            "for" => return self.for_after(depth).map(Compound::For),
            "if" => return self.if_after(depth).map(Compound::If),
            "case" => return self.case_after(depth).map(Compound::Case),
            "[[" => return self.cond_after().map(Compound::Cond),
            _ => {}
        }
        let test = self.list(depth + 1, &["do"])?;
        self.close("do", test.is_empty())?;
        let body = self.list(depth + 1, &["done"])?;
        self.close("done", body.is_empty())?;
        Ok(Compound::While(WhileLoop {
            until: keyword == "until",
            test: test.into(),
            body: body.into(),
        }))
    }

    /// `NAME [in WORDS]; do LIST; done` after `for`.
    fn for_after(&mut self, depth: usize) -> Result<ForLoop, String> {
        let name = match self.next() {
            Some(Token::Word(w)) if w.pieces.is_none() && super::is_name(&w.text) => w.text,
            Some(Token::Word(w)) => {
                return Err(format!("bash: `{}': not a valid identifier", w.text))
            }
            Some(tok) => return Err(unexpected(&tok)),
            None => return Err(END_OF_FILE.into()),
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
            Some(tok) => return Err(unexpected(&tok)),
            None => return Err(END_OF_FILE.into()),
        }
        self.skip_newlines();
        match self.peek() {
            Some(tok) if !is_reserved(Some(tok), "do") => return Err(unexpected(tok)),
            None => return Err(END_OF_FILE.into()),
            Some(_) => self.pos += 1,
        }
        let body = self.list(depth + 1, &["done"])?;
        self.close("done", body.is_empty())?;
        Ok(ForLoop {
            name,
            items,
            body: body.into(),
        })
    }

    /// `LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi` after `if`.
    fn if_after(&mut self, depth: usize) -> Result<IfClause, String> {
        let mut branches = Vec::new();
        loop {
            let test = self.list(depth + 1, &["then"])?;
            self.close("then", test.is_empty())?;
            let body = self.list(depth + 1, &["elif", "else", "fi"])?;
            let end = self.next();
            if body.is_empty() {
                return Err(end.map_or_else(|| END_OF_FILE.into(), |t| unexpected(&t)));
            }
            branches.push((Arc::from(test), Arc::from(body)));
            match end {
                Some(t) if is_reserved(Some(&t), "elif") => continue,
                Some(t) if is_reserved(Some(&t), "else") => {
                    let otherwise = self.list(depth + 1, &["fi"])?;
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
                Some(t) => return Err(unexpected(&t)),
                None => return Err(END_OF_FILE.into()),
            }
        }
    }

    /// `WORD in [(]PATTERN[|PATTERN]...) LIST;; ... esac` after `case`.
    fn case_after(&mut self, depth: usize) -> Result<CaseClause, String> {
        let word = match self.next() {
            Some(Token::Word(w)) => CondWord::from(w),
            Some(tok) => return Err(unexpected(&tok)),
            None => return Err(END_OF_FILE.into()),
        };
        self.skip_newlines();
        match self.next() {
            Some(tok) if is_reserved(Some(&tok), "in") => {}
            Some(tok) => return Err(unexpected(&tok)),
            None => return Err(END_OF_FILE.into()),
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
                    Some(tok) => return Err(unexpected(&tok)),
                    None => return Err(END_OF_FILE.into()),
                }
                match self.next() {
                    Some(Token::Op("|")) => {}
                    Some(Token::Op(")")) => break,
                    Some(tok) => return Err(unexpected(&tok)),
                    None => return Err(END_OF_FILE.into()),
                }
            }
            let body = self.list(depth + 1, &["esac", ";;"])?;
            items.push(CaseItem {
                patterns,
                body: body.into(),
            });
            match self.next() {
                Some(Token::Op(";;")) => {}
                Some(tok) if is_reserved(Some(&tok), "esac") => break,
                Some(tok) => return Err(unexpected(&tok)),
                None => return Err(END_OF_FILE.into()),
            }
        }
        Ok(CaseClause {
            word,
            items: items.into(),
        })
    }

    /// The expression after `[[`, up to `]]`: `&&`, `||`, `(`, `)`, `<`, `>` are its own
    /// there, and the right side of `=~` runs on to the next `]]`, `&&` or `||`.
    fn cond_after(&mut self) -> Result<cond::Cond<CondWord>, String> {
        let mut toks: Vec<CondTok<CondWord>> = Vec::new();
        let mut regex: Option<CondWord> = None;
        loop {
            let tok = match self.next() {
                None => return Err(END_OF_FILE.into()),
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
        cond::parse_cond(toks).map_err(|e| format!("bash: {e}"))
    }

    /// Takes the reserved word `word` that ends a list (an empty list cannot end there).
    fn close(&mut self, word: &str, empty: bool) -> Result<(), String> {
        match self.next() {
            Some(tok) if is_reserved(Some(&tok), word) && !empty => Ok(()),
            Some(tok) => Err(unexpected(&tok)),
            None => Err(END_OF_FILE.into()),
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
