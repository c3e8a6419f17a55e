//! The grammar over an entry's tokens, as bash reads it: lists of pipelines joined by `;`,
//! newlines, `&&` and `||`; pipelines of simple commands or loops; `for`, `while` and `until`
//! loops whose lists may span lines; bash's syntax errors.

use super::{Command, Connector, ForLoop, Loop, Simple, Token, WhileLoop, Word, MAX_LOOP_DEPTH};

/// bash's message when the entry ends inside a construct (the front end may read on).
pub(super) const END_OF_FILE: &str = "bash: syntax error: unexpected end of file";

/// The commands of a whole entry.
pub(super) fn parse(tokens: Vec<Token>) -> Result<Vec<Command>, String> {
    let mut parser = Parser { tokens, pos: 0 };
    let commands = parser.list(0, None)?;
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

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
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

    /// Commands up to the reserved word `closer` (not taken) or the end; `depth` loops in.
    fn list(&mut self, depth: usize, closer: Option<&str>) -> Result<Vec<Command>, String> {
        let mut commands = Vec::new();
        let mut connector = Connector::Always;
        loop {
            self.skip_newlines();
            let at_closer = closer.is_some_and(|c| is_reserved(self.peek(), c));
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
        let mut simple = Simple::default();
        match self.peek() {
            None => return Err(END_OF_FILE.into()),
            Some(Token::Word(w)) if w.plain => match w.text.as_str() {
                "for" | "while" | "until" => {
                    let keyword = w.text.clone();
                    self.pos += 1;
                    simple.compound = Some(Box::new(self.loop_after(&keyword, depth)?));
                }
                "do" | "done" => return Err(unexpected(&Token::Word(w.clone()))),
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
                Some(Token::Op(op @ (">" | ">>" | "<" | "<<"))) => {
                    let op = *op;
                    self.pos += 1;
                    self.redirection(op, &mut simple)?;
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
        match op {
            ">" => simple.stdout_to = Some((target, false)),
            ">>" => simple.stdout_to = Some((target, true)),
            _ => simple.stdin_from = Some(target),
        }
        Ok(())
    }

    /// A loop after its keyword (`for`, `while` or `until`), up to its `done`.
    fn loop_after(&mut self, keyword: &str, depth: usize) -> Result<Loop, String> {
        if depth >= MAX_LOOP_DEPTH {
            return Err("bash: loops nested too deeply".into());
        }
        if keyword == "for" {
            return self.for_after(depth).map(Loop::For);
        }
        let test = self.list(depth + 1, Some("do"))?;
        self.close("do", test.is_empty())?;
        let body = self.list(depth + 1, Some("done"))?;
        self.close("done", body.is_empty())?;
        Ok(Loop::While(WhileLoop {
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
        let body = self.list(depth + 1, Some("done"))?;
        self.close("done", body.is_empty())?;
        Ok(ForLoop {
            name,
            items,
            body: body.into(),
        })
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
