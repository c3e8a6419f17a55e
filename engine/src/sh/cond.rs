//! `[[ ... ]]` expressions as both shells parse them: `&&`, `||`, `!`, parentheses, unary
//! and binary operators over words `W`; bash's error texts. Evaluation lives with the
//! interpreters (`node::process::cond`).

use crate::bounds::{self, Depth};

/// `[[ ]]` and `test`'s unary operators.
pub const UNARY: &[&str] = &[
    "-e", "-f", "-d", "-s", "-r", "-w", "-x", "-a", "-h", "-L", "-b", "-c", "-p", "-S", "-z", "-n",
];
/// `[[ ]]` and `test`'s binary operators.
pub const BINARY: &[&str] = &[
    "=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "=~",
];

/// A `[[ ... ]]` expression over words `W` (the console keeps its words unexpanded until
/// the command runs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond<W> {
    /// `! EXPR`.
    Not(Box<Cond<W>>),
    /// `A && B`.
    And(Box<Cond<W>>, Box<Cond<W>>),
    /// `A || B`.
    Or(Box<Cond<W>>, Box<Cond<W>>),
    /// `-f WORD`, `-z WORD`, ...
    Unary(String, W),
    /// `WORD == PATTERN`, `WORD -lt WORD`, `WORD =~ REGEX`, ...
    Binary(W, String, W),
    /// `WORD`: true when not empty.
    Word(W),
}

/// A token inside `[[ ... ]]`: an operator typed as is, or an operand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CondTok<W> {
    /// `&&`, `||`, `!`, `(`, `)`, `<`, `>` or an unquoted `-f`, `==`, `-lt`, ...
    Op(String),
    /// Anything else.
    Arg(W),
}

/// Whether an unquoted word is an operator inside `[[ ... ]]`.
pub fn is_cond_op(word: &str) -> bool {
    matches!(word, "!" | "&&" | "||" | "(" | ")") || UNARY.contains(&word) || BINARY.contains(&word)
}

/// Parses the words between `[[` and `]]`; errors read as bash's (after `bash: `).
pub fn parse_cond<W: From<String>>(toks: Vec<CondTok<W>>) -> Result<Cond<W>, String> {
    let first = toks.iter().find_map(|t| match t {
        CondTok::Op(o) => Some(o.clone()),
        CondTok::Arg(_) => None,
    });
    let mut p = CondParser {
        toks: toks.into_iter().map(Some).collect(),
        pos: 0,
        depth: Depth::new(bounds::COND),
    };
    let cond = p.or()?;
    if p.pos < p.toks.len() {
        return Err(format!(
            "syntax error near unexpected token `{}'",
            first.unwrap_or_else(|| "]]".into())
        ));
    }
    Ok(cond)
}

struct CondParser<W> {
    toks: Vec<Option<CondTok<W>>>,
    pos: usize,
    /// `!` and `(` nested so far, within [`bounds::COND`].
    depth: Depth,
}

impl<W: From<String>> CondParser<W> {
    fn peek_op(&self) -> Option<&str> {
        match self.toks.get(self.pos) {
            Some(Some(CondTok::Op(o))) => Some(o),
            _ => None,
        }
    }

    fn take(&mut self) -> Option<CondTok<W>> {
        let t = self.toks.get_mut(self.pos).and_then(Option::take);
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Cond<W>, String> {
        let mut c = self.and()?;
        while self.peek_op() == Some("||") {
            self.pos += 1;
            c = Cond::Or(Box::new(c), Box::new(self.and()?));
        }
        Ok(c)
    }

    fn and(&mut self) -> Result<Cond<W>, String> {
        let mut c = self.term()?;
        while self.peek_op() == Some("&&") {
            self.pos += 1;
            c = Cond::And(Box::new(c), Box::new(self.term()?));
        }
        Ok(c)
    }

    fn operand(&mut self, kind: &str) -> Result<W, String> {
        match self.take() {
            Some(CondTok::Arg(w)) => Ok(w),
            Some(CondTok::Op(o)) if !matches!(o.as_str(), "&&" | "||" | "(" | ")") => {
                Ok(W::from(o))
            }
            _ => Err(format!(
                "unexpected argument `]]' to conditional {kind} operator"
            )),
        }
    }

    fn term(&mut self) -> Result<Cond<W>, String> {
        match self.take() {
            Some(CondTok::Op(o)) if o == "!" => {
                self.deeper()?;
                let c = self.term();
                self.depth.leave();
                Ok(Cond::Not(Box::new(c?)))
            }
            Some(CondTok::Op(o)) if o == "(" => {
                self.deeper()?;
                let c = self.or();
                self.depth.leave();
                let c = c?;
                match self.take() {
                    Some(CondTok::Op(o)) if o == ")" => Ok(c),
                    _ => Err("unexpected token `]]', expected `)'".into()),
                }
            }
            Some(CondTok::Op(o)) if UNARY.contains(&o.as_str()) => {
                let w = self.operand("unary")?;
                Ok(Cond::Unary(o, w))
            }
            Some(CondTok::Op(o)) if matches!(o.as_str(), "&&" | "||" | ")") => {
                Err(format!("syntax error near unexpected token `{o}'"))
            }
            Some(CondTok::Op(o)) => self.after_word(W::from(o)),
            Some(CondTok::Arg(w)) => self.after_word(w),
            None => Err("syntax error near unexpected token `]]'".into()),
        }
    }

    /// One level deeper, within [`bounds::COND`].
    fn deeper(&mut self) -> Result<(), String> {
        self.depth
            .enter()
            .map_err(|_| "conditional expression nested too deeply".to_string())
    }

    /// A word, and a binary operator with its right side if one follows.
    fn after_word(&mut self, w: W) -> Result<Cond<W>, String> {
        match self.peek_op() {
            Some(op) if BINARY.contains(&op) => {
                let op = op.to_string();
                self.pos += 1;
                let right = self.operand("binary")?;
                Ok(Cond::Binary(w, op, right))
            }
            Some("&&" | "||" | ")") | None => Ok(Cond::Word(w)),
            Some(_) => Err("conditional binary operator expected".into()),
        }
    }
}

impl<W> Cond<W> {
    /// The same expression with each word turned into another (`None` stops it).
    pub fn try_map<U>(&self, f: &mut impl FnMut(&W) -> Option<U>) -> Option<Cond<U>> {
        Some(match self {
            Cond::Not(c) => Cond::Not(Box::new(c.try_map(f)?)),
            Cond::And(a, b) => Cond::And(Box::new(a.try_map(f)?), Box::new(b.try_map(f)?)),
            Cond::Or(a, b) => Cond::Or(Box::new(a.try_map(f)?), Box::new(b.try_map(f)?)),
            Cond::Unary(op, w) => Cond::Unary(op.clone(), f(w)?),
            Cond::Binary(a, op, b) => Cond::Binary(f(a)?, op.clone(), f(b)?),
            Cond::Word(w) => Cond::Word(f(w)?),
        })
    }
}
