//! Go's `text/template`, as `kubectl -o go-template` runs it on an object decoded from JSON
//! (numbers are `float64`, objects `map[string]interface{}`): text and `{{ }}` actions with
//! `{{-`/`-}}` trimming and comments; pipelines of fields (`.a.b`, `$x.a`, `$`), literals,
//! parenthesised pipelines and functions; `if`/`else if`/`else`, `range` (with `$i, $e :=`,
//! `else`, `break`, `continue`), `with`, variables (`:=`, `=`); the builtins `and`, `or`,
//! `not`, `len`, `index`, `print`, `printf`, `println`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`,
//! and kubectl's `exists` and `base64decode`. Values print as Go's `fmt` prints them
//! (`1e+06`, `map[a:b]`, `<no value>`); errors read as Go's (`template: output:1: …`).
//! `define`, `template` and `block` are refused as unsupported.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

use crate::bounds::{self, Depth};
use crate::sort::SliceSort;

/// The most actions and loop passes one execution makes: Go has no limit (nested ranges
/// over a big list would run for hours); Kubeplay stops with an error instead.
pub const MAX_STEPS: u64 = 5_000_000;

/// A parsed template.
#[derive(Clone, Debug)]
pub struct GoTemplate {
    nodes: Vec<Node>,
    source: String,
}

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    /// An action's pipeline.
    Action(Pipe),
    If(Vec<(Pipe, Vec<Node>)>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
    Break,
    Continue,
}

#[derive(Clone, Debug)]
struct Pipe {
    /// Variables declared (`:=`) or assigned (`=`).
    decl: Vec<String>,
    assign: bool,
    cmds: Vec<Vec<Arg>>,
    /// Where it starts in the template.
    pos: usize,
    /// Its text, as error messages quote it (`<.a.b>`).
    text: String,
}

#[derive(Clone, Debug)]
enum Arg {
    /// `.a.b` (empty: `.`).
    Field(Vec<String>),
    /// `$x.a.b` (`$` alone: the root).
    Var(String, Vec<String>),
    Str(String),
    /// A number literal: an `int`, or a `float64` when written with `.` or an exponent.
    Num(Value),
    Bool(bool),
    Nil,
    Func(String),
    /// `(pipeline).a.b`.
    Sub(Box<Pipe>, Vec<String>),
}

/// The functions a template may call (Go's builtins and kubectl's two).
const FUNCS: &[&str] = &[
    "and",
    "or",
    "not",
    "len",
    "index",
    "print",
    "printf",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "exists",
    "base64decode",
    "html",
    "js",
    "urlquery",
    "slice",
    "call",
];

impl GoTemplate {
    /// Parses `text` as template `output` (kubectl's name for it).
    pub fn parse(text: &str) -> Result<GoTemplate, String> {
        let tokens = lex(text)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            text,
            depth: Depth::new(bounds::GO_TEMPLATE),
        };
        let (nodes, end) = parser.list()?;
        if let Some(end) = end {
            return Err(parse_error(
                text,
                end.1,
                &format!("unexpected {{{{{}}}}}", end.0),
            ));
        }
        Ok(GoTemplate {
            nodes,
            source: text.to_string(),
        })
    }

    /// Runs the template on `data`, printing at most `max_output` bytes. A failure keeps
    /// what was printed before it: `(printed, error)`.
    pub fn execute(&self, data: &Value, max_output: usize) -> Result<String, (String, String)> {
        // Go decodes every JSON number as a float64; the template's own ints stay ints.
        let data = &floats(data);
        let mut exec = Exec {
            out: String::new(),
            vars: vec![("$".to_string(), Cow::Borrowed(data))],
            steps: 0,
            max_output,
            source: &self.source,
            depth: Depth::new(bounds::GO_TEMPLATE),
        };
        match exec.walk(&self.nodes, &Cow::Borrowed(data)) {
            Ok(_) => Ok(exec.out),
            Err(Stop::Error(e)) => Err((exec.out, e)),
            Err(Stop::Break | Stop::Continue) => Ok(exec.out),
        }
    }
}

/// `template: output:LINE: MESSAGE`.
fn parse_error(text: &str, pos: usize, message: &str) -> String {
    format!("template: output:{}: {message}", line_of(text, pos))
}

fn line_of(text: &str, pos: usize) -> usize {
    1 + before(text, pos).matches('\n').count()
}

/// The text before byte `pos` (backed off to a character boundary).
fn before(text: &str, pos: usize) -> &str {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    &text[..pos]
}

// ---------------------------------------------------------------------------------------
// Lexing: text and actions.

#[derive(Clone, Debug)]
enum Tok {
    Text(String),
    /// An action's inside (trimmed of `-` markers and spaces) and where it starts.
    Action(String, usize),
}

fn lex(text: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut rest = 0;
    let mut trim_next = false;
    while rest < text.len() {
        let Some(open) = text[rest..].find("{{").map(|i| rest + i) else {
            let mut t = &text[rest..];
            if trim_next {
                t = t.trim_start();
            }
            toks.push(Tok::Text(t.to_string()));
            break;
        };
        let mut before = &text[rest..open];
        if trim_next {
            before = before.trim_start();
        }
        let mut inner_start = open + 2;
        if text[inner_start..].starts_with("- ")
            || text[inner_start..].starts_with("-\t")
            || text[inner_start..].starts_with("-\n")
        {
            before = before.trim_end();
            inner_start += 1;
        }
        if !before.is_empty() {
            toks.push(Tok::Text(before.to_string()));
        }
        let close = find_close(text, inner_start)
            .ok_or_else(|| parse_error(text, open, "unclosed action"))?;
        let mut inner = &text[inner_start..close];
        trim_next = false;
        if inner.ends_with(" -") || inner.ends_with("\t-") || inner.ends_with("\n-") {
            inner = &inner[..inner.len() - 1];
            trim_next = true;
        }
        let trimmed = inner.trim();
        if !(trimmed.starts_with("/*") && trimmed.ends_with("*/")) {
            let lead = inner.len() - inner.trim_start().len();
            toks.push(Tok::Action(trimmed.to_string(), inner_start + lead));
        } else if !trimmed.ends_with("*/") {
            return Err(parse_error(text, open, "unclosed comment"));
        }
        rest = close + 2;
    }
    Ok(toks)
}

/// The `}}` closing an action opened before `from`, skipping quoted strings.
fn find_close(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' && q != b'`' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'`' | b'\'' => quote = Some(b),
                b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------
// Parsing: the node tree.

struct Parser<'a> {
    tokens: Vec<Tok>,
    pos: usize,
    text: &'a str,
    depth: Depth,
}

/// The keyword that ended a list (`end`, `else`, `else if …`) and where.
type Ended = Option<(String, usize)>;

impl Parser<'_> {
    /// Nodes up to an `{{end}}`/`{{else…}}` (returned) or the end of input (`None`).
    fn list(&mut self) -> Result<(Vec<Node>, Ended), String> {
        let mut nodes = Vec::new();
        while let Some(tok) = self.tokens.get(self.pos).cloned() {
            self.pos += 1;
            match tok {
                Tok::Text(t) => nodes.push(Node::Text(t)),
                Tok::Action(a, at) => {
                    let word = a.split_whitespace().next().unwrap_or("");
                    match word {
                        "end" | "else" => return Ok((nodes, Some((a, at)))),
                        "if" | "range" | "with" => {
                            self.depth
                                .enter()
                                .map_err(|e| parse_error(self.text, at, &e.to_string()))?;
                            let node = self.control(word, &a[word.len()..], at)?;
                            self.depth.leave();
                            nodes.push(node);
                        }
                        "break" => nodes.push(Node::Break),
                        "continue" => nodes.push(Node::Continue),
                        "define" | "template" | "block" => {
                            return Err(parse_error(
                                self.text,
                                at,
                                &format!("{{{{{word}}}}} is not simulated in Kubeplay"),
                            ))
                        }
                        "" => return Err(parse_error(self.text, at, "missing value for command")),
                        _ => nodes.push(Node::Action(pipe(&a, at, self.text)?)),
                    }
                }
            }
        }
        Ok((nodes, None))
    }

    fn control(&mut self, word: &str, rest: &str, at: usize) -> Result<Node, String> {
        let head = pipe(rest.trim(), at + word.len() + 1, self.text)?;
        let (body, ended) = self.list()?;
        let Some((kw, kw_at)) = ended else {
            return Err(parse_error(self.text, self.text.len(), "unexpected EOF"));
        };
        let mut otherwise = Vec::new();
        let mut branches = vec![(head, body)];
        if kw != "end" {
            // `else`, or `else if …` (an `if` chain), or `else with …`.
            let after = kw["else".len()..].trim();
            if let Some(cond) = after
                .strip_prefix("if ")
                .filter(|_| word == "if")
                .or_else(|| after.strip_prefix("with ").filter(|_| word == "with"))
            {
                let nested = self.control(word, cond, kw_at)?;
                otherwise.push(nested);
            } else if !after.is_empty() {
                return Err(parse_error(self.text, kw_at, "unexpected {{else}}"));
            } else {
                let (rest_body, end) = self.list()?;
                match end {
                    Some((e, _)) if e == "end" => otherwise = rest_body,
                    Some((_, p)) => {
                        return Err(parse_error(self.text, p, "expected end; found {{else}}"))
                    }
                    None => return Err(parse_error(self.text, self.text.len(), "unexpected EOF")),
                }
            }
        }
        Ok(match word {
            "if" => {
                // Flatten `else if` into one chain.
                if let [Node::If(more, last)] = otherwise.as_mut_slice() {
                    branches.append(more);
                    otherwise = std::mem::take(last);
                }
                Node::If(branches, otherwise)
            }
            "range" => {
                let (head, body) = branches.remove(0);
                Node::Range(head, body, otherwise)
            }
            _ => {
                let (head, body) = branches.remove(0);
                Node::With(head, body, otherwise)
            }
        })
    }
}

/// Parses a pipeline: `[$x[, $y] :=|=] cmd | cmd …`.
fn pipe(text: &str, at: usize, full: &str) -> Result<Pipe, String> {
    let words = words(text).map_err(|e| parse_error(full, at, &e))?;
    let mut decl = Vec::new();
    let mut assign = false;
    let mut rest = words.as_slice();
    if let Some(i) = rest.iter().position(|w| w == ":=" || w == "=") {
        let vars: Vec<&String> = rest[..i].iter().filter(|w| *w != ",").collect();
        if !vars.is_empty() && vars.iter().all(|v| v.starts_with('$')) {
            assign = rest[i] == "=";
            decl = vars.into_iter().cloned().collect();
            rest = &rest[i + 1..];
        }
    }
    let mut cmds = Vec::new();
    for cmd in rest.split(|w| w == "|") {
        if cmd.is_empty() {
            return Err(parse_error(full, at, "missing value for command"));
        }
        let mut args = Vec::new();
        for w in cmd {
            args.push(arg(w, at, full)?);
        }
        cmds.push(args);
    }
    if cmds.is_empty() {
        return Err(parse_error(full, at, "missing value for command"));
    }
    Ok(Pipe {
        decl,
        assign,
        cmds,
        pos: at,
        text: text.to_string(),
    })
}

/// Splits a pipeline into words: strings, parenthesised groups, `|`, `:=`, `=`, `,`.
fn words(text: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            '"' | '`' | '\'' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' && c != '`' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("unterminated quoted string".into());
                }
                i += 1;
            }
            '(' => {
                let mut level = 0;
                while i < chars.len() {
                    match chars[i] {
                        '(' => level += 1,
                        ')' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        '"' | '`' => {
                            let q = chars[i];
                            i += 1;
                            while i < chars.len() && chars[i] != q {
                                i += 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("unclosed left paren".into());
                }
                i += 1;
                // A field chain after the group: `(…).a.b`.
                while i < chars.len() && !chars[i].is_whitespace() && !"|()".contains(chars[i]) {
                    i += 1;
                }
            }
            '|' | ',' => i += 1,
            ':' if chars.get(i + 1) == Some(&'=') => i += 2,
            ')' => return Err("unexpected right paren".into()),
            _ => {
                let ends_word = |i: usize| {
                    chars[i].is_whitespace()
                        || "|(),".contains(chars[i])
                        || (chars[i] == ':' && chars.get(i + 1) == Some(&'='))
                };
                while i < chars.len() && !ends_word(i) {
                    i += 1;
                }
            }
        }
        out.push(chars[start..i].iter().collect());
    }
    Ok(out)
}

fn arg(w: &str, at: usize, full: &str) -> Result<Arg, String> {
    let fields = |s: &str| -> Vec<String> {
        s.split('.')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(match w.chars().next().unwrap_or(' ') {
        '.' => Arg::Field(fields(w)),
        '$' => {
            let (name, path) = w.split_once('.').unwrap_or((w, ""));
            Arg::Var(name.to_string(), fields(path))
        }
        '"' => Arg::Str(unescape(&w[1..w.len() - 1])),
        '`' => Arg::Str(w[1..w.len() - 1].to_string()),
        '\'' => {
            let inner = unescape(&w[1..w.len() - 1]);
            let mut cs = inner.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Arg::Num(Value::from(c as u32)),
                _ => {
                    return Err(parse_error(
                        full,
                        at,
                        &format!("malformed character constant: {w}"),
                    ))
                }
            }
        }
        '(' => {
            let close = w.rfind(')').unwrap_or(w.len() - 1);
            let inner = &w[1..close];
            Arg::Sub(Box::new(pipe(inner, at, full)?), fields(&w[close + 1..]))
        }
        c if c.is_ascii_digit() || c == '-' || c == '+' => match parse_number(w) {
            Some(n) => Arg::Num(n),
            None => {
                return Err(parse_error(
                    full,
                    at,
                    &format!("bad number syntax: \"{w}\""),
                ))
            }
        },
        _ => match w {
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            "nil" => Arg::Nil,
            _ if FUNCS.contains(&w) => Arg::Func(w.to_string()),
            _ => {
                return Err(parse_error(
                    full,
                    at,
                    &format!("function \"{w}\" not defined"),
                ))
            }
        },
    })
}

/// A number literal: Go keeps `7` an `int` and `7.0`, `1e3` a `float64`.
fn parse_number(w: &str) -> Option<Value> {
    let clean = w.replace('_', "");
    if let Some(hex) = clean
        .strip_prefix("0x")
        .or_else(|| clean.strip_prefix("0X"))
    {
        return i64::from_str_radix(hex, 16).ok().map(Value::from);
    }
    if let Ok(i) = clean.parse::<i64>() {
        return Some(Value::from(i));
    }
    let f = clean.parse::<f64>().ok().filter(|n| n.is_finite())?;
    serde_json::Number::from_f64(f).map(Value::Number)
}

// ---------------------------------------------------------------------------------------
// Execution.

enum Stop {
    Error(String),
    Break,
    Continue,
}

/// A value as Go's template sees it: a JSON value (borrowed from the object where it can
/// be), or "no value" (a missing map key).
type Val<'a> = Option<Cow<'a, Value>>;

struct Exec<'a> {
    out: String,
    vars: Vec<(String, Cow<'a, Value>)>,
    steps: u64,
    max_output: usize,
    source: &'a str,
    depth: Depth,
}

/// `v.name`, keeping a borrow a borrow.
fn member<'a>(v: Cow<'a, Value>, name: &str) -> Result<Val<'a>, Value> {
    match v {
        Cow::Borrowed(Value::Object(m)) => Ok(m.get(name).map(Cow::Borrowed)),
        Cow::Owned(Value::Object(mut m)) => Ok(m.remove(name).map(Cow::Owned)),
        other => Err(other.into_owned()),
    }
}

// `dot` is passed as `&Cow` so that a borrowed object stays borrowed (and `'a`) when a
// field of it is taken.
#[allow(clippy::ptr_arg)]
impl<'a> Exec<'a> {
    fn step(&mut self) -> Result<(), Stop> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(Stop::Error(format!(
                "template: output: more than {MAX_STEPS} steps: Kubeplay stops it here (use a smaller range)"
            )));
        }
        if self.out.len() > self.max_output {
            return Err(Stop::Error(format!(
                "template: output: more than {} MiB of output: Kubeplay stops it here",
                self.max_output >> 20
            )));
        }
        Ok(())
    }

    fn error_at(&self, pipe: &Pipe, message: &str) -> Stop {
        let head = before(self.source, pipe.pos);
        let pos = head.len();
        let line_start = head.rfind('\n').map_or(0, |i| i + 1);
        Stop::Error(format!(
            "template: output:{}:{}: executing \"output\" at <{}>: {message}",
            line_of(self.source, pos),
            pos - line_start,
            pipe.text
        ))
    }

    fn walk(&mut self, nodes: &[Node], dot: &Cow<'a, Value>) -> Result<(), Stop> {
        let mark = self.vars.len();
        let result = self.walk_inner(nodes, dot);
        self.vars.truncate(mark);
        result
    }

    fn walk_inner(&mut self, nodes: &[Node], dot: &Cow<'a, Value>) -> Result<(), Stop> {
        for node in nodes {
            self.step()?;
            match node {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipeline(p, dot)?;
                    if p.decl.is_empty() {
                        self.out.push_str(&print_value(v.as_deref()));
                    }
                }
                Node::If(branches, otherwise) => {
                    let mut taken = false;
                    for (cond, body) in branches {
                        if truth(self.pipeline(cond, dot)?.as_deref()) {
                            self.nested(body, dot)?;
                            taken = true;
                            break;
                        }
                    }
                    if !taken {
                        self.nested(otherwise, dot)?;
                    }
                }
                Node::With(p, body, otherwise) => {
                    let v = self.pipeline(p, dot)?;
                    if truth(v.as_deref()) {
                        let inner = v.unwrap_or(Cow::Owned(Value::Null));
                        self.nested(body, &inner)?;
                    } else {
                        self.nested(otherwise, dot)?;
                    }
                }
                Node::Range(p, body, otherwise) => self.range(p, body, otherwise, dot)?,
                Node::Break => return Err(Stop::Break),
                Node::Continue => return Err(Stop::Continue),
            }
        }
        Ok(())
    }

    fn nested(&mut self, nodes: &[Node], dot: &Cow<'a, Value>) -> Result<(), Stop> {
        self.depth
            .enter()
            .map_err(|e| Stop::Error(format!("template: output: {e}")))?;
        let r = self.walk(nodes, dot);
        self.depth.leave();
        r
    }

    fn range(
        &mut self,
        p: &Pipe,
        body: &[Node],
        otherwise: &[Node],
        dot: &Cow<'a, Value>,
    ) -> Result<(), Stop> {
        let bare = Pipe {
            decl: Vec::new(),
            ..p.clone()
        };
        let over = self.pipeline(&bare, dot)?;
        let items: Vec<(Cow<'a, Value>, Cow<'a, Value>)> = match over {
            Some(Cow::Borrowed(Value::Array(a))) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (Cow::Owned(Value::from(i)), Cow::Borrowed(v)))
                .collect(),
            Some(Cow::Borrowed(Value::Object(m))) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.stable_sort();
                keys.into_iter()
                    .map(|k| {
                        (
                            Cow::Owned(Value::String(k.clone())),
                            Cow::Borrowed(&m[k.as_str()]),
                        )
                    })
                    .collect()
            }
            Some(Cow::Owned(Value::Array(a))) => a
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Cow::Owned(Value::from(i)), Cow::Owned(v)))
                .collect(),
            Some(Cow::Owned(Value::Object(m))) => {
                let mut pairs: Vec<(String, Value)> = m.into_iter().collect();
                pairs.stable_sort_by(|a, b| a.0.cmp(&b.0));
                pairs
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(Value::String(k)), Cow::Owned(v)))
                    .collect()
            }
            None | Some(Cow::Borrowed(Value::Null)) | Some(Cow::Owned(Value::Null)) => Vec::new(),
            Some(other) => {
                let shown = super::go_value::plain(&other);
                return Err(self.error_at(p, &format!("range can't iterate over {shown}")));
            }
        };
        if items.is_empty() {
            return self.nested(otherwise, dot);
        }
        for (key, item) in items {
            self.step()?;
            let mark = self.vars.len();
            match p.decl.as_slice() {
                [one] => self.vars.push((one.clone(), item.clone())),
                [k, v, ..] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((v.clone(), item.clone()));
                }
                [] => {}
            }
            let r = self.nested(body, &item);
            self.vars.truncate(mark);
            match r {
                Ok(()) | Err(Stop::Continue) => {}
                Err(Stop::Break) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, p: &Pipe, dot: &Cow<'a, Value>) -> Result<Val<'a>, Stop> {
        let mut last: Option<Val<'a>> = None;
        for cmd in &p.cmds {
            last = Some(self.command(p, cmd, dot, last)?);
        }
        let v = last.unwrap_or(None);
        for name in &p.decl {
            let value = v.clone().unwrap_or(Cow::Owned(Value::Null));
            if p.assign {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = value,
                    None => return Err(self.error_at(p, &format!("undefined variable: {name}"))),
                }
            } else {
                self.vars.push((name.clone(), value));
            }
        }
        Ok(v)
    }

    fn command(
        &mut self,
        p: &Pipe,
        cmd: &[Arg],
        dot: &Cow<'a, Value>,
        piped: Option<Val<'a>>,
    ) -> Result<Val<'a>, Stop> {
        self.step()?;
        let Some(first) = cmd.first() else {
            return Err(self.error_at(p, "missing value for command"));
        };
        if let Arg::Func(name) = first {
            let mut args = Vec::new();
            for a in &cmd[1..] {
                args.push(self.operand(p, a, dot)?);
            }
            if let Some(v) = piped {
                args.push(v);
            }
            return self.call(p, name, args);
        }
        if cmd.len() > 1 || piped.is_some() {
            return Err(self.error_at(
                p,
                &format!("can't give argument to non-function {}", describe(first)),
            ));
        }
        self.operand(p, first, dot)
    }

    fn operand(&mut self, p: &Pipe, a: &Arg, dot: &Cow<'a, Value>) -> Result<Val<'a>, Stop> {
        match a {
            Arg::Field(path) => self.fields(p, Some(dot.clone()), path),
            Arg::Var(name, path) => {
                let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n == name) else {
                    return Err(self.error_at(p, &format!("undefined variable: {name}")));
                };
                let v = v.clone();
                self.fields(p, Some(v), path)
            }
            Arg::Str(s) => Ok(Some(Cow::Owned(Value::String(s.clone())))),
            Arg::Num(n) => Ok(Some(Cow::Owned(n.clone()))),
            Arg::Bool(b) => Ok(Some(Cow::Owned(Value::Bool(*b)))),
            Arg::Nil => Err(self.error_at(p, "nil is not a command")),
            Arg::Func(name) => self.call(p, name, Vec::new()),
            Arg::Sub(inner, path) => {
                let v = self.pipeline(inner, dot)?;
                self.fields(p, v, path)
            }
        }
    }

    /// `.a.b` from `v`: a missing key is "no value" (and so is any field of it, as Go's
    /// `missingkey=default` has it); a field of `null` or of a non-map is Go's error (every
    /// value below the object is an `interface {}` to Go).
    fn fields(&self, p: &Pipe, mut v: Val<'a>, path: &[String]) -> Result<Val<'a>, Stop> {
        for name in path {
            let Some(current) = v else {
                return Ok(None);
            };
            v = match member(current, name) {
                Ok(next) => next,
                Err(Value::Null) => {
                    return Err(
                        self.error_at(p, &format!("nil pointer evaluating interface {{}}.{name}"))
                    )
                }
                Err(_) => {
                    return Err(self.error_at(
                        p,
                        &format!("can't evaluate field {name} in type interface {{}}"),
                    ))
                }
            };
        }
        Ok(v)
    }

    fn call(&mut self, p: &Pipe, name: &str, args: Vec<Val<'a>>) -> Result<Val<'a>, Stop> {
        // Borrowed: `len .items` must not copy the list.
        let args: Vec<Option<&Value>> = args.iter().map(|a| a.as_deref()).collect();
        call(name, &args)
            .map(|v| v.map(Cow::Owned))
            .map_err(|e| self.error_at(p, &e))
    }
}

/// Calls function `name` (see [`FUNCS`]); errors are Go's texts after `at <…>: `.
fn call(name: &str, args: &[Option<&Value>]) -> Result<Option<Value>, String> {
    let arity = |n: usize| -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "error calling {name}: wrong number of args for {name}: want {n} got {}",
                args.len()
            ))
        }
    };
    Ok(match name {
        "and" | "or" => {
            if args.is_empty() {
                return Err(format!(
                    "wrong number of args for {name}: want at least 1 got 0"
                ));
            }
            let want = name == "or";
            let last = args.len() - 1;
            let i = args.iter().position(|a| truth(*a) == want).unwrap_or(last);
            args[i].cloned()
        }
        "not" => {
            arity(1)?;
            Some(Value::Bool(!truth(args[0])))
        }
        "len" => {
            arity(1)?;
            let n = match &args[0] {
                Some(Value::String(s)) => s.len(),
                Some(Value::Array(a)) => a.len(),
                Some(Value::Object(m)) => m.len(),
                other => {
                    return Err(format!(
                        "error calling len: len of type {}",
                        go_type_of(*other)
                    ))
                }
            };
            Some(Value::from(n))
        }
        "index" => {
            if args.is_empty() {
                return Err("wrong number of args for index: want at least 1 got 0".into());
            }
            let mut v = args[0];
            for key in &args[1..] {
                v = match (v, key) {
                    // A missing key gives the map's zero value: a nil interface.
                    (Some(Value::Object(m)), Some(Value::String(k))) => {
                        Some(m.get(k.as_str()).unwrap_or(&Value::Null))
                    }
                    (Some(Value::Array(a)), Some(Value::Number(n))) if !n.is_f64() => {
                        let i = n.as_i64().unwrap_or(-1) as f64;
                        if i < 0.0 || i as usize >= a.len() {
                            return Err(format!(
                                "error calling index: index out of range: {}",
                                print_value(*key)
                            ));
                        }
                        a.get(i as usize)
                    }
                    (None | Some(Value::Null), _) => {
                        return Err("error calling index: index of untyped nil".into())
                    }
                    (Some(other), _) => {
                        return Err(format!(
                            "error calling index: can't index item of type {}",
                            go_type(other)
                        ))
                    }
                };
            }
            v.cloned()
        }
        "exists" => {
            let mut v = args.first().copied().flatten();
            let mut found = v.is_some();
            for key in args.iter().skip(1) {
                v = match (v, key) {
                    (Some(Value::Object(m)), Some(Value::String(k))) => m.get(k.as_str()),
                    (Some(Value::Array(a)), Some(Value::Number(n))) => {
                        n.as_u64().and_then(|i| a.get(i as usize))
                    }
                    _ => None,
                };
                found = v.is_some();
            }
            Some(Value::Bool(found))
        }
        "base64decode" => {
            arity(1)?;
            let Some(Value::String(s)) = args[0] else {
                return Err("error calling base64decode: expected string".into());
            };
            match crate::api::base64::decode(s) {
                Ok(bytes) => Some(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
                Err(at) => {
                    return Err(format!(
                        "error calling base64decode: base64 decode failed: illegal base64 data at input byte {at}"
                    ))
                }
            }
        }
        "print" => Some(Value::String(sprint(args))),
        "println" => {
            let parts: Vec<String> = args.iter().map(|a| print_value(*a)).collect();
            Some(Value::String(parts.join(" ") + "\n"))
        }
        "printf" => {
            let Some(Some(Value::String(format))) = args.first() else {
                return Err("error calling printf: format is not a string".into());
            };
            Some(Value::String(sprintf(format, &args[1..])))
        }
        "eq" | "ne" | "lt" | "le" | "gt" | "ge" => {
            if args.len() < 2 || (name != "eq" && args.len() != 2) {
                return Err(format!(
                    "wrong number of args for {name}: want 2 got {}",
                    args.len()
                ));
            }
            let kind = |v: Option<&Value>| match v {
                Some(Value::Number(n)) if n.is_f64() => "float",
                Some(Value::Number(_)) => "int",
                Some(Value::String(_)) => "string",
                Some(Value::Bool(_)) => "bool",
                _ => "other",
            };
            if matches!(name, "eq" | "ne") {
                let first = kind(args[0]);
                let basic = |k: &str| k != "other";
                if args[1..]
                    .iter()
                    .any(|b| basic(first) && basic(kind(*b)) && kind(*b) != first)
                {
                    return Err(format!(
                        "error calling {name}: incompatible types for comparison"
                    ));
                }
            }
            let result = match name {
                "eq" => args[1..].iter().any(|b| equal(args[0], *b)),
                "ne" => !equal(args[0], args[1]),
                _ => {
                    let Some(ord) = order(args[0], args[1]) else {
                        return Err(format!(
                            "error calling {name}: incompatible types for comparison"
                        ));
                    };
                    match name {
                        "lt" => ord.is_lt(),
                        "le" => ord.is_le(),
                        "gt" => ord.is_gt(),
                        _ => ord.is_ge(),
                    }
                }
            };
            Some(Value::Bool(result))
        }
        _ => return Err(format!("{name} is not simulated in Kubeplay")),
    })
}

fn describe(a: &Arg) -> String {
    match a {
        Arg::Field(path) => format!(".{}", path.join(".")),
        Arg::Var(n, path) if path.is_empty() => n.clone(),
        Arg::Var(n, path) => format!("{n}.{}", path.join(".")),
        Arg::Str(s) => format!("{s:?}"),
        Arg::Num(n) => super::go_value::plain(n),
        Arg::Bool(b) => b.to_string(),
        Arg::Nil => "nil".into(),
        Arg::Func(f) => f.clone(),
        Arg::Sub(..) => "(…)".into(),
    }
}

/// `v` with every number a `float64`, as `json.Unmarshal` into `interface{}` makes them.
fn floats(v: &Value) -> Value {
    match v {
        Value::Number(n) if !n.is_f64() => serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0))
            .map_or(Value::Null, Value::Number),
        Value::Array(a) => Value::Array(a.iter().map(floats).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), floats(v))).collect()),
        other => other.clone(),
    }
}

/// Go's truth: false, 0, "", nil and empty collections are false.
fn truth(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
    }
}

fn equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (None, None) => true,
        _ => a == b,
    }
}

fn order(a: Option<&Value>, b: Option<&Value>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) if x.is_f64() == y.is_f64() => {
            x.as_f64()?.partial_cmp(&y.as_f64()?)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The Go type a value has, as errors name it (numbers from the object are `float64`, the
/// template's own are `int`).
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "interface {}",
        Value::Bool(_) => "bool",
        Value::Number(n) if !n.is_f64() => "int",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn go_type_of(v: Option<&Value>) -> &'static str {
    v.map_or("<nil>", go_type)
}

/// What an action prints: `fmt.Fprint` of the value (`<no value>` for a missing key).
pub fn print_value(v: Option<&Value>) -> String {
    match v {
        None => "<no value>".into(),
        Some(v) => super::go_value::plain(v),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, as `%v` prints a `float64`: the shortest digits,
/// with an exponent (`1e+06`) when it is below -4 or at least 6.
pub fn format_float(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `1.234567e6`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// `fmt.Sprint`: a space between two operands when neither is a string.
fn sprint(args: &[Option<&Value>]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = |v: Option<&Value>| matches!(v, Some(Value::String(_)));
        if i > 0 && !is_str(*a) && !is_str(args[i - 1]) {
            out.push(' ');
        }
        out.push_str(&print_value(*a));
    }
    out
}

/// `fmt.Sprintf` for the verbs templates use: `%s %v %d %q %t %f %g %x %%`, with width and
/// precision; other verbs print Go's `%!c(…)`.
fn sprintf(format: &str, args: &[Option<&Value>]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if "-+ 0#".contains(f) {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        // A width or precision past Go's bound consumes the rest of the format.
        let Some(width) = parse_num(&mut chars) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let Some(p) = parse_num(&mut chars) else {
                out.push_str("%!(NOVERB)");
                break;
            };
            precision = Some(p.unwrap_or(0));
        }
        let width = width.unwrap_or(0);
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(&arg) = args.get(next) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        next += 1;
        let text = match (verb, arg) {
            ('s' | 'v', _) => {
                let text = print_value(arg);
                match precision {
                    Some(p) if verb == 's' => text.chars().take(p).collect(),
                    _ => text,
                }
            }
            ('q', Some(Value::String(s))) => format!("{s:?}"),
            ('t', Some(Value::Bool(b))) => b.to_string(),
            ('d', Some(Value::Number(n))) => match n.as_i64().filter(|_| !n.is_f64()) {
                Some(i) => i.to_string(),
                None => format!("%!d(float64={})", format_float(n.as_f64().unwrap_or(0.0))),
            },
            ('f' | 'F', Some(Value::Number(n))) => {
                format!("{:.*}", precision.unwrap_or(6), n.as_f64().unwrap_or(0.0))
            }
            ('g', Some(Value::Number(n))) => format_float(n.as_f64().unwrap_or(0.0)),
            ('x', Some(Value::String(s))) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('x', Some(Value::Number(n))) if !n.is_f64() => {
                format!("{:x}", n.as_i64().unwrap_or(0))
            }
            (v, a) => format!("%!{v}({}={})", go_type_of(a), print_value(a)),
        };
        let len = text.chars().count();
        if len < width {
            let pad = width - len;
            if flags.contains('-') {
                out.push_str(&text);
                out.extend(std::iter::repeat_n(' ', pad));
            } else {
                let fill = if flags.contains('0') && verb != 's' {
                    '0'
                } else {
                    ' '
                };
                out.extend(std::iter::repeat_n(fill, pad));
                out.push_str(&text);
            }
        } else {
            out.push_str(&text);
        }
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", go_type_of(*a), print_value(*a)))
            .collect();
        let _ = write!(out, "%!(EXTRA {})", extra.join(", "));
    }
    out
}

/// fmt's `parsenum`: the digits at the cursor (`Some(None)`: none), or `None` when the
/// number grows past Go's bound of a million (`tooLarge`).
fn parse_num(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<Option<usize>> {
    let mut num: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        let n = num.unwrap_or(0);
        if n > 1_000_000 {
            return None;
        }
        num = Some(n * 10 + d as usize);
        chars.next();
    }
    Some(num)
}

/// A quoted string's inside with its escapes read (`\n`, `\t`, `\r`; `\x` is `x`), as
/// Go templates take their string literals.
fn unescape(inner: &str) -> String {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        match GoTemplate::parse(t) {
            Ok(t) => t
                .execute(v, 1 << 20)
                .unwrap_or_else(|(_, e)| format!("ERR {e}")),
            Err(e) => format!("PARSE {e}"),
        }
    }

    #[test]
    fn fields_ranges_and_functions() {
        let pod = json!({"metadata": {"name": "web", "labels": {"app": "web", "tier": "x"}},
            "spec": {"replicas": 3, "big": 1000000, "half": 0.5},
            "items": [{"n": "a"}, {"n": "b"}],
            "data": {"password": "czNjcjN0", "user": "YWRtaW4="}});
        assert_eq!(run("{{.metadata.name}}", &pod), "web");
        assert_eq!(
            run("{{.spec.replicas}} {{.spec.big}} {{.spec.half}}", &pod),
            "3 1e+06 0.5"
        );
        assert_eq!(run("{{.nope}}", &pod), "<no value>");
        assert_eq!(run("{{.metadata.labels}}", &pod), "map[app:web tier:x]");
        assert_eq!(
            run("{{range .items}}{{.n}}{{\"\\n\"}}{{end}}", &pod),
            "a\nb\n"
        );
        assert_eq!(
            run(
                "{{range $k, $v := .data}}{{$k}}={{$v | base64decode}};{{end}}",
                &pod
            ),
            "password=s3cr3t;user=admin;"
        );
        assert_eq!(run("{{.data.password | base64decode}}", &pod), "s3cr3t");
        assert_eq!(run("{{index .metadata.labels \"app\"}}", &pod), "web");
        assert_eq!(run("{{len .items}}", &pod), "2");
        assert_eq!(run("{{printf \"%s-%d\" .metadata.name 7}}", &pod), "web-7");
        assert_eq!(
            run("{{if eq .metadata.name \"web\"}}yes{{else}}no{{end}}", &pod),
            "yes"
        );
        assert_eq!(
            run("{{if gt .spec.replicas 5.0}}many{{else if gt .spec.replicas 1.0}}some{{else}}one{{end}}", &pod),
            "some"
        );
        // JSON numbers are float64: comparing one with an int literal is Go's error.
        assert_eq!(
            run("{{if eq .spec.replicas 3}}x{{end}}", &pod),
            "ERR template: output:1:5: executing \"output\" at <eq .spec.replicas 3>: error calling eq: incompatible types for comparison"
        );
        assert_eq!(
            run("{{printf \"%d %d\" 7 .spec.replicas}}", &pod),
            "7 %!d(float64=3)"
        );
        assert_eq!(
            run("{{len .items}} {{1000000}} {{1e6}}", &pod),
            "2 1000000 1e+06"
        );
        // A width or precision past Go's bound is not honoured (nor allocated).
        assert_eq!(
            run("{{printf \"%.99999999999f|%d\" 1.5 2}}", &pod),
            "%!(NOVERB)%!(EXTRA float64=1.5, int=2)"
        );
        assert_eq!(
            run("{{printf \"%3d|%012345678d\" 7 8}}", &pod),
            "  7|%!(NOVERB)%!(EXTRA int=8)"
        );
        assert_eq!(run("{{with .metadata}}{{.name}}{{end}}", &pod), "web");
        assert_eq!(run("{{- \"a\" }}  \n {{- \"b\" -}} \n c", &pod), "abc");
        assert_eq!(run("a{{/* note */}}b", &pod), "ab");
        assert_eq!(run("{{$n := .metadata.name}}{{$n}}", &pod), "web");
        assert_eq!(
            run(
                "{{exists . \"metadata\" \"name\"}} {{exists . \"x\"}}",
                &pod
            ),
            "true false"
        );
    }

    #[test]
    fn errors_read_as_go_writes_them() {
        let pod = json!({"metadata": {"name": "web"}});
        assert_eq!(
            run("{{foo .x}}", &pod),
            "PARSE template: output:1: function \"foo\" not defined"
        );
        assert_eq!(
            run("{{.x", &pod),
            "PARSE template: output:1: unclosed action"
        );
        assert_eq!(
            run("{{end}}", &pod),
            "PARSE template: output:1: unexpected {{end}}"
        );
        assert_eq!(
            run("{{if .x}}", &pod),
            "PARSE template: output:1: unexpected EOF"
        );
        assert_eq!(
            run("{{.metadata.name.x}}", &pod),
            "ERR template: output:1:2: executing \"output\" at <.metadata.name.x>: can't evaluate field x in type interface {}"
        );
        assert_eq!(run("{{.a.b}}", &pod), "<no value>");
        assert_eq!(
            run("{{.n.b}}", &json!({"n": null})),
            "ERR template: output:1:2: executing \"output\" at <.n.b>: nil pointer evaluating interface {}.b"
        );
        assert_eq!(run("{{index .metadata \"x\"}}", &pod), "<nil>");
    }

    #[test]
    fn floats_print_as_go_prints_them() {
        for (f, s) in [
            (3.0, "3"),
            (123456.0, "123456"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(format_float(f), s, "{f}");
        }
    }

    proptest::proptest! {
        /// Any template of template-ish pieces parses or is refused, and runs (or fails)
        /// without a panic, within its step budget.
        #[test]
        fn any_template_parses_and_runs_or_is_refused(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "{{", "}}", "{{-", "-}}", ".a", ".b.c", "$", "$x", ":=", "=", "|", "(", ")", "\"s\"",
                "`r`", "'c'", "1", "1.5", "-2", "1e400", "0x1F", "if", "else", "end", "range", "with",
                "break", "continue", "and", "or", "not", "len", "index", "printf", "print",
                "println", "eq", "lt", "exists", "base64decode", "nil", "true", " ", "\n",
                "/*", "*/", "%d", "%v", "%5.2f", "%!", "%99999999999.9999999999f", "define", "text",
                "\u{a0}", "é",
            ]), 0..40),
        ) {
            let text: String = pieces.concat();
            let data = json!({"a": [1, {"b": {"c": "x"}}], "b": {"c": null}, "s": "aGk="});
            if let Ok(t) = GoTemplate::parse(&text) {
                let _ = t.execute(&data, 1 << 16);
            }
        }
    }

    #[test]
    fn runaway_ranges_stop() {
        let items: Vec<Value> = (0..200).map(Value::from).collect();
        let v = json!({ "items": items });
        let t = "{{range .items}}{{range $.items}}{{range $.items}}{{range $.items}}{{end}}{{end}}{{end}}{{end}}";
        assert!(run(t, &v).starts_with("ERR template: output: more than"));
    }
}
