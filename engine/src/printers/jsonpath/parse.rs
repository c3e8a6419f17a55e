//! client-go's JSONPath parser (`util/jsonpath/parser.go`), node for node and message for
//! message: text and `{…}` actions; fields, `..`, `*`, `[i]`, `[a:b:c]`, unions `[a,b]`,
//! `['key']`, filters `[?(@.x OP y)]`, quoted strings, numbers, `true`/`false` and the
//! identifiers `range` and `end` (paired only when the template runs, as in Go).
//! Filters and unions parse their parts as nested actions: [`bounds::JSONPATH`] bounds that
//! nesting.

use crate::bounds::{self, Depth};

/// One parsed node.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    Text(String),
    List(Vec<Node>),
    Field(String),
    Array([Param; 3]),
    Filter {
        left: Vec<Node>,
        right: Vec<Node>,
        op: String,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    Wildcard,
    Recursive,
    Union(Vec<Vec<Node>>),
    Identifier(String),
}

/// One bound of `[start:end:step]`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Param {
    pub value: i64,
    pub known: bool,
    /// The end of `[i]`, derived as `i + 1`.
    pub derived: bool,
}

/// Parses a whole template into its top-level nodes (text, and a list per action).
pub(super) fn parse(text: &str) -> Result<Vec<Node>, String> {
    Parser::new(text, Depth::new(bounds::JSONPATH)).parse()
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
    depth: Depth,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str, depth: Depth) -> Self {
        Parser {
            input,
            pos: 0,
            start: 0,
            width: 0,
            depth,
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        match self.rest().chars().next() {
            None => {
                self.width = 0;
                None
            }
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&mut self) -> Option<char> {
        let c = self.next();
        self.backup();
        c
    }

    fn consume(&mut self) -> &'a str {
        let value = &self.input[self.start..self.pos];
        self.start = self.pos;
        value
    }

    /// The byte two before the cursor (Go's `p.input[p.pos-2]`, the one before a quote).
    fn before_last(&self) -> Option<u8> {
        self.pos
            .checked_sub(2)
            .and_then(|i| self.input.as_bytes().get(i).copied())
    }

    fn parse(mut self) -> Result<Vec<Node>, String> {
        let mut root = Vec::new();
        loop {
            while !self.rest().starts_with('{') {
                if self.next().is_none() {
                    if self.pos > self.start {
                        root.push(Node::Text(self.consume().to_string()));
                    }
                    return Ok(root);
                }
            }
            if self.pos > self.start {
                root.push(Node::Text(self.consume().to_string()));
            }
            self.pos += 1;
            self.consume();
            let mut list = Vec::new();
            self.inside_action(&mut list)?;
            root.push(Node::List(list));
        }
    }

    /// The inside of an action, up to and including its `}`.
    fn inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(());
            }
            if rest.starts_with("[?(") {
                self.filter(cur)?;
                continue;
            }
            if rest.starts_with("..") {
                self.recursive(cur)?;
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return Err("unclosed action".into()),
                Some(' ' | '@' | '$') => {
                    self.consume();
                }
                Some('[') => self.array(cur)?,
                Some(q @ ('"' | '\'')) => self.quote(cur, q)?,
                Some('.') => self.field(cur),
                Some(c) if c == '+' || c == '-' || is_digit(c) => {
                    self.backup();
                    self.number(cur)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup();
                    self.identifier(cur);
                }
                Some(c) => {
                    return Err(format!(
                        "unrecognized character in action: {}",
                        go_unicode(c)
                    ))
                }
            }
        }
    }

    fn identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let c = self.next();
            if is_terminator(c) {
                self.backup();
                break;
            }
        }
        let value = self.consume();
        cur.push(match value {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => Node::Identifier(value.to_string()),
        });
    }

    fn recursive(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if cur.last() == Some(&Node::Recursive) {
            return Err("invalid multiple recursive descent".into());
        }
        self.pos += 2;
        self.consume();
        cur.push(Node::Recursive);
        if self.peek().is_some_and(is_alphanumeric) {
            self.field(cur);
        }
        Ok(())
    }

    fn number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            match self.next() {
                Some(c) if c == '.' || is_digit(c) => {}
                _ => {
                    self.backup();
                    break;
                }
            }
        }
        let value = self.consume();
        if let Ok(i) = value.parse::<i64>() {
            cur.push(Node::Int(i));
        } else if let Some(f) = go_parse_float(value) {
            cur.push(Node::Float(f));
        } else {
            return Err(format!("cannot parse number {value}"));
        }
        Ok(())
    }

    /// `[…]` after its `[`: an index or slice, a union, or a quoted key.
    fn array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                _ => {}
            }
        }
        let text = self.consume();
        let mut text = &text[1..text.len() - 1];
        if text == "*" {
            text = ":";
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut union = Vec::new();
            for part in parts {
                union.push(self.action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }
        if let Some(key) = dict_key(text) {
            cur.extend(self.action(&format!(".{key}"))?);
            return Ok(());
        }
        let Some(groups) = slice_groups(text) else {
            return Err(format!("invalid array index {text}"));
        };
        let mut params = [Param::default(); 3];
        for (i, group) in groups.iter().enumerate() {
            if !group.is_empty() {
                let v = if i > 0 { &group[1..] } else { group };
                if i > 0 && v.is_empty() {
                    params[i].known = false;
                } else {
                    params[i].known = true;
                    params[i].value = v
                        .parse()
                        .map_err(|_| format!("array index {v} is not a number"))?;
                }
            } else if i == 1 {
                params[1] = Param {
                    value: params[0].value.wrapping_add(1),
                    known: true,
                    derived: true,
                };
            }
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    fn filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let (mut begin, mut end, mut pair) = (false, false, ' ');
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated filter".into()),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                        continue;
                    }
                    if self.before_last() != Some(b'\\') && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                _ => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        let node = match split_comparison(text) {
            None => Node::Filter {
                left: self.action(text)?,
                right: Vec::new(),
                op: "exists".into(),
            },
            Some((left, op, right)) => Node::Filter {
                left: self.action(left)?,
                right: self.action(right)?,
                op: op.into(),
            },
        };
        cur.push(node);
        Ok(())
    }

    fn quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == end && self.before_last() != Some(b'\\') => break,
                _ => {}
            }
        }
        let value = self.consume();
        let s =
            unquote(value).ok_or_else(|| format!("unquote string {value} error invalid syntax"))?;
        cur.push(Node::Text(s));
        Ok(())
    }

    /// A field after its `.`, up to the next unescaped terminator (`\` escapes are dropped).
    fn field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            match self.next() {
                Some('\\') => {
                    self.next();
                }
                c if is_terminator(c) => {
                    self.backup();
                    break;
                }
                _ => {}
            }
        }
        let value = self.consume();
        cur.push(if value == "*" {
            Node::Wildcard
        } else {
            Node::Field(value.replace('\\', ""))
        });
    }

    /// `text` parsed as the inside of an action of its own (Go's `parseAction`).
    fn action(&mut self, text: &str) -> Result<Vec<Node>, String> {
        self.depth.enter().map_err(|e| e.to_string())?;
        let wrapped = format!("{{{text}}}");
        let inner = Parser::new(&wrapped, self.depth).parse();
        self.depth.leave();
        Ok(match inner?.into_iter().next() {
            Some(Node::List(list)) => list,
            _ => Vec::new(),
        })
    }
}

/// Go's `isTerminator`: where a field or identifier ends.
fn is_terminator(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
        ),
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || is_digit(c)
}

/// `%#U`: `U+0023 '#'` (the character only when printable).
fn go_unicode(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

/// `strconv.ParseFloat` of digits, dots and a sign (all a number token holds).
fn go_parse_float(s: &str) -> Option<f64> {
    let digits = s.trim_start_matches(['+', '-']);
    if digits.is_empty() || digits == "." || digits.matches('.').count() > 1 {
        return None;
    }
    if !digits.chars().all(|c| c == '.' || c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `^'([^']*)'$`: a quoted key.
fn dict_key(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    (!inner.contains('\'')).then_some(inner)
}

/// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`: the three groups of a slice (empty when absent).
fn slice_groups(text: &str) -> Option<[&str; 3]> {
    let mut groups = [""; 3];
    let mut rest = text;
    for (i, group) in groups.iter_mut().enumerate() {
        if i > 0 && !rest.starts_with(':') {
            break;
        }
        let prefix = usize::from(i > 0);
        let after = &rest[prefix..];
        let sign = usize::from(after.starts_with('-'));
        let digits = after[sign..].bytes().take_while(u8::is_ascii_digit).count();
        let len = prefix + sign + digits;
        *group = &rest[..len];
        rest = &rest[len..];
    }
    rest.is_empty().then_some(groups)
}

/// `^([^!<>=]+)([!<>=]+)(.+?)$`: a filter's left side, operator and right side.
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| "!<>=".contains(c);
    let at = text.find(is_op)?;
    if at == 0 {
        return None;
    }
    let run = text[at..]
        .find(|c: char| !is_op(c))
        .unwrap_or(text.len() - at);
    // The right side needs a character: the operator gives its last one back if it must.
    let run = if at + run == text.len() { run - 1 } else { run };
    if run == 0 {
        return None;
    }
    Some((&text[..at], &text[at..at + run], &text[at + run..]))
}

/// Go's `UnquoteExtend`: a string in double or single quotes with `strconv` escapes.
fn unquote(s: &str) -> Option<String> {
    let quote = s.chars().next()?;
    if s.len() < 2 || !s.ends_with(quote) || !matches!(quote, '"' | '\'') {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == quote {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let code = match e {
            'a' => 7,
            'b' => 8,
            'f' => 12,
            'n' => 10,
            'r' => 13,
            't' => 9,
            'v' => 11,
            '\\' => 92,
            '\'' | '"' if e == quote => e as u32,
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                if hex.len() != n {
                    return None;
                }
                u32::from_str_radix(&hex, 16).ok()?
            }
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.to_digit(8)?;
                }
                if v > 255 {
                    return None;
                }
                v
            }
            _ => return None,
        };
        out.push(char::from_u32(code)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_client_go() {
        let nodes = parse("a{.items[0].metadata.name}b").unwrap();
        assert_eq!(nodes.len(), 3);
        assert_eq!(
            parse("{.x[1:3:2]}").unwrap(),
            vec![Node::List(vec![
                Node::Field("x".into()),
                Node::Array([
                    Param {
                        value: 1,
                        known: true,
                        derived: false
                    },
                    Param {
                        value: 3,
                        known: true,
                        derived: false
                    },
                    Param {
                        value: 2,
                        known: true,
                        derived: false
                    },
                ]),
            ])]
        );
        assert_eq!(
            parse("{['metadata.name']}").unwrap(),
            vec![Node::List(vec![
                Node::Field("metadata".into()),
                Node::Field("name".into())
            ])]
        );
        assert_eq!(
            parse(r"{.a.kubernetes\.io/x}").unwrap(),
            vec![Node::List(vec![
                Node::Field("a".into()),
                Node::Field("kubernetes.io/x".into())
            ])]
        );
        for (t, e) in [
            ("{.a", "unclosed action"),
            ("{..*}", "unrecognized character in action: U+002A '*'"),
            ("{#}", "unrecognized character in action: U+0023 '#'"),
            ("{.a[1}", "unterminated array"),
            ("{.a[x]}", "invalid array index x"),
            ("{.a[-]}", "array index - is not a number"),
            ("{.a[?(@.b}", "unterminated filter"),
            ("{.a[?(@.b)x}", "unclosed array expect ]"),
            ("{\"a}", "unterminated quoted string"),
            ("{....a}", "invalid multiple recursive descent"),
            ("{1.2.3}", "cannot parse number 1.2.3"),
        ] {
            assert_eq!(parse(t), Err(e.to_string()), "{t}");
        }
    }

    #[test]
    fn filters_split_at_their_operator() {
        assert_eq!(split_comparison("@.a==\"x\""), Some(("@.a", "==", "\"x\"")));
        assert_eq!(split_comparison("@.a>=2"), Some(("@.a", ">=", "2")));
        assert_eq!(split_comparison("@.a=="), Some(("@.a", "=", "=")));
        assert_eq!(split_comparison("@.a"), None);
        assert_eq!(split_comparison("==1"), None);
    }

    #[test]
    fn hostile_nesting_is_refused_at_the_depth_limit() {
        // Go's filter ends at its first `)`: nested filters never parse.
        let deep = format!("{{.items{}}}", "[?(@.a".repeat(5000) + &")]".repeat(5000));
        assert_eq!(parse(&deep), Err("unterminated filter".into()));
        let unions = format!("{{{}}}", "[0,".repeat(5000));
        assert_eq!(parse(&unions), Err("unterminated array".into()));
    }
}
