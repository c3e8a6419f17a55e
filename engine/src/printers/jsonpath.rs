//! kubectl's JSONPath templates (`-o jsonpath=...`, `-o custom-columns=...`):
//! `{.metadata.name}`, `{.items[*].spec.containers[0].image}`, `{.items[-1:]}`, `..` recursive
//! descent, filters `[?(@.type=="Ready")]`, `{range .items[*]}...{end}`, and text and string
//! literals (`{"\n"}`). Missing keys print nothing, as `kubectl get` allows them.

use serde_json::Value;

use crate::bounds::{self, Depth};

/// One parsed piece of a template.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Recursive(String),
    Wildcard,
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Filter(Vec<Step>, Option<(String, Value)>),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template(Vec<Node>);

impl Template {
    /// Parses a template; errors read like kubectl's (`unclosed action`).
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut tokens = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find('{') {
                None => {
                    tokens.push(Token::Text(rest.to_string()));
                    break;
                }
                Some(i) => {
                    if i > 0 {
                        tokens.push(Token::Text(rest[..i].to_string()));
                    }
                    let after = &rest[i + 1..];
                    let Some(j) = closing(after) else {
                        return Err(format!("error parsing jsonpath {text}, unclosed action"));
                    };
                    tokens.push(Token::Action(after[..j].trim().to_string()));
                    rest = &after[j + 1..];
                }
            }
        }
        let mut iter = tokens.into_iter();
        let nodes = build(&mut iter, text, &mut Depth::new(bounds::JSONPATH))?;
        Ok(Template(nodes))
    }

    /// Runs the template on `data`.
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        run(&self.0, data, &mut out)?;
        Ok(out)
    }

    /// Runs the template as `-o jsonpath-as-json` prints it: each text and each `{...}`
    /// (once per item inside a range) gives a JSON array of what it found, indented by four
    /// spaces, on lines of its own.
    pub fn execute_as_json(&self, data: &Value) -> String {
        let mut groups = Vec::new();
        collect_groups(&self.0, data, &mut groups);
        let mut out = String::new();
        for group in groups {
            out.push_str(&pretty4(&Value::Array(group)));
            out.push('\n');
        }
        out
    }

    /// The values one `{...}` path of the template finds (for custom columns).
    pub fn values(&self, data: &Value) -> Vec<Value> {
        match self.0.as_slice() {
            [Node::Path(steps)] => eval(steps, data),
            _ => Vec::new(),
        }
    }
}

enum Token {
    Text(String),
    Action(String),
}

/// Index of the `}` closing an action, skipping quoted strings.
fn closing(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '}' => return Some(i),
            _ => {}
        }
    }
    None
}

fn build(
    iter: &mut impl Iterator<Item = Token>,
    text: &str,
    depth: &mut Depth,
) -> Result<Vec<Node>, String> {
    let mut nodes = Vec::new();
    while let Some(t) = iter.next() {
        match t {
            Token::Text(s) => nodes.push(Node::Text(s)),
            Token::Action(a) if a == "end" => {
                if depth.level() > 0 {
                    return Ok(nodes);
                }
                return Err(format!(
                    "error parsing jsonpath {text}, not in range, nothing to end"
                ));
            }
            Token::Action(a) => {
                if let Some(expr) = a.strip_prefix("range ") {
                    let steps = parse_path(expr.trim(), text)?;
                    depth
                        .enter()
                        .map_err(|e| format!("error parsing jsonpath {text}, {e}"))?;
                    let body = build(iter, text, depth)?;
                    depth.leave();
                    nodes.push(Node::Range(steps, body));
                } else if let Some(lit) = string_literal(&a) {
                    nodes.push(Node::Text(lit));
                } else if a.is_empty() {
                    continue;
                } else {
                    nodes.push(Node::Path(parse_path(&a, text)?));
                }
            }
        }
    }
    if depth.level() > 0 {
        return Err(format!("error parsing jsonpath {text}, unclosed range"));
    }
    Ok(nodes)
}

/// `"\n"` → a newline; `'x'` → `x`.
fn string_literal(a: &str) -> Option<String> {
    let inner = a
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| a.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
    Some(unescape(inner))
}

/// A quoted string's inside with its escapes read (`\n`, `\t`, `\r`; `\x` is `x`), as
/// JSONPath and Go templates take their string literals.
pub(crate) fn unescape(inner: &str) -> String {
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

/// Parses one action's path in a single pass over its characters (nested filters included,
/// each bounded by [`bounds::JSONPATH`]).
fn parse_path(expr: &str, text: &str) -> Result<Vec<Step>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut p = PathParser {
        chars: &chars,
        pos: 0,
        depth: Depth::new(bounds::JSONPATH),
    };
    let steps = p
        .path(false)
        .map_err(|what| format!("error parsing jsonpath {text}, {what}"))?;
    match p.peek() {
        None => Ok(steps),
        Some(c) => Err(format!(
            "error parsing jsonpath {text}, {}",
            unrecognized(c)
        )),
    }
}

fn unrecognized(c: char) -> String {
    format!("unrecognized character in action: U+{:04X} '{c}'", c as u32)
}

/// A cursor over one path's characters.
struct PathParser<'a> {
    chars: &'a [char],
    pos: usize,
    depth: Depth,
}

impl PathParser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let matches = self.chars.len() >= self.pos + n
            && s.chars().zip(&self.chars[self.pos..]).all(|(a, b)| a == *b);
        if matches {
            self.pos += n;
        }
        matches
    }

    /// Steps until the end, or (inside a filter) a comparison or the filter's `)`.
    fn path(&mut self, in_filter: bool) -> Result<Vec<Step>, String> {
        let mut steps = Vec::new();
        if matches!(self.peek(), Some('@' | '$')) {
            self.pos += 1;
        }
        while let Some(c) = self.peek() {
            match c {
                '.' => {
                    self.pos += 1;
                    let recursive = self.eat(".");
                    let name = self.name(in_filter);
                    if name.is_empty() {
                        continue;
                    }
                    steps.push(match (recursive, name.as_str()) {
                        (true, _) => Step::Recursive(name),
                        (false, "*") => Step::Wildcard,
                        (false, _) => Step::Field(name),
                    });
                }
                '[' => {
                    self.pos += 1;
                    steps.push(self.bracket()?);
                }
                c if c.is_whitespace() => self.pos += 1,
                ')' | '=' | '!' if in_filter => break,
                c => return Err(unrecognized(c)),
            }
        }
        Ok(steps)
    }

    /// A field name after `.`: up to the next `.` or `[` (a `\.` is a dot in the name);
    /// inside a filter also up to a space, `=`, `!` or `)`.
    fn name(&mut self, in_filter: bool) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c == '.' || c == '[' || (in_filter && (c.is_whitespace() || "=!)".contains(c))) {
                break;
            }
            self.pos += 1;
            if c == '\\' {
                match self.peek() {
                    Some('.') => {
                        self.pos += 1;
                        name.push('.');
                    }
                    Some(n) => {
                        self.pos += 1;
                        name.push('\\');
                        name.push(n);
                    }
                    None => name.push('\\'),
                }
                continue;
            }
            name.push(c);
        }
        if in_filter {
            name
        } else {
            name.trim_end().to_string()
        }
    }

    /// The inside of `[...]` (the `[` read) and its `]`.
    fn bracket(&mut self) -> Result<Step, String> {
        self.skip_space();
        if self.eat("?(") {
            self.depth.enter().map_err(|e| e.to_string())?;
            self.skip_space();
            let lhs = self.path(true)?;
            self.skip_space();
            let op = ["==", "!="].into_iter().find(|op| self.eat(op));
            let cond = match op {
                Some(op) => {
                    self.skip_space();
                    Some((op.to_string(), self.literal()?))
                }
                None => None,
            };
            self.skip_space();
            if !self.eat(")") {
                return Err("unterminated filter".into());
            }
            self.skip_space();
            if !self.eat("]") {
                return Err("unterminated array".into());
            }
            self.depth.leave();
            return Ok(Step::Filter(lhs, cond));
        }
        let start = self.pos;
        self.skip_quoted_until(']');
        if self.peek() != Some(']') {
            return Err("unterminated array".into());
        }
        let inner: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        parse_bracket(inner.trim())
    }

    /// Moves to the next `end` outside single or double quotes (backslash escapes inside
    /// them), or to the end of the text.
    fn skip_quoted_until(&mut self, end: char) {
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match (quote, c) {
                (Some(_), '\\') => self.pos += 1,
                (Some(q), c) if c == q => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, c) if c == end => break,
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// A filter's right-hand side, up to its `)`: a quoted string, JSON, or a bare word.
    fn literal(&mut self) -> Result<Value, String> {
        let start = self.pos;
        self.skip_quoted_until(')');
        let rhs: String = self.chars[start..self.pos.min(self.chars.len())]
            .iter()
            .collect();
        let rhs = rhs.trim();
        Ok(string_literal(rhs)
            .map(Value::String)
            .or_else(|| serde_json::from_str(rhs).ok())
            .unwrap_or(Value::String(rhs.to_string())))
    }
}

/// An index, a slice, `*` or a quoted field name.
fn parse_bracket(inner: &str) -> Result<Step, String> {
    if inner == "*" {
        return Ok(Step::Wildcard);
    }
    if let Some(name) = string_literal(inner) {
        return Ok(Step::Field(name));
    }
    if let Some((a, b)) = inner.split_once(':') {
        let num = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| format!("invalid array index {s}"))
            }
        };
        let b = b.split(':').next().unwrap_or("");
        return Ok(Step::Slice(num(a)?, num(b)?));
    }
    inner
        .parse()
        .map(Step::Index)
        .map_err(|_| format!("invalid array index {inner}"))
}

fn eval(steps: &[Step], data: &Value) -> Vec<Value> {
    let mut current = vec![data.clone()];
    for step in steps {
        let mut next = Vec::new();
        for v in &current {
            apply(step, v, &mut next);
        }
        current = next;
    }
    current
}

fn apply(step: &Step, v: &Value, out: &mut Vec<Value>) {
    match step {
        Step::Field(name) => {
            if let Some(x) = v.get(name) {
                out.push(x.clone());
            }
        }
        Step::Wildcard => match v {
            Value::Array(a) => out.extend(a.iter().cloned()),
            Value::Object(m) => out.extend(m.values().cloned()),
            _ => {}
        },
        Step::Recursive(name) => recurse(name, v, out),
        Step::Index(i) => {
            if let Value::Array(a) = v {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                if let Some(x) = usize::try_from(idx).ok().and_then(|i| a.get(i)) {
                    out.push(x.clone());
                }
            }
        }
        Step::Slice(from, to) => {
            if let Value::Array(a) = v {
                let len = a.len() as i64;
                let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                let start = norm(from.unwrap_or(0));
                let end = norm(to.unwrap_or(len));
                if start < end {
                    out.extend(a[start as usize..end as usize].iter().cloned());
                }
            }
        }
        Step::Filter(path, cond) => {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for item in items {
                let found = eval(path, item);
                let keep = match cond {
                    None => !found.is_empty(),
                    Some((op, want)) => {
                        let eq = found.iter().any(|f| loosely_equal(f, want));
                        if op == "==" {
                            eq
                        } else {
                            !found.is_empty() && !eq
                        }
                    }
                };
                if keep {
                    out.push(item.clone());
                }
            }
        }
    }
}

fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (x, y) => x == y,
    }
}

fn recurse(name: &str, v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name) {
                out.push(x.clone());
            }
            for x in m.values() {
                recurse(name, x, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                recurse(name, x, out);
            }
        }
        _ => {}
    }
}

/// A value as kubectl's JSONPath prints it: strings raw, everything else as compact JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// What each node finds, one group a node (ranges repeat their body per item), as Go's
/// `FindResults` returns them.
fn collect_groups(nodes: &[Node], data: &Value, groups: &mut Vec<Vec<Value>>) {
    for node in nodes {
        match node {
            Node::Text(t) => groups.push(vec![Value::String(t.clone())]),
            Node::Path(steps) => groups.push(eval(steps, data)),
            Node::Range(steps, body) => {
                for item in eval(steps, data) {
                    collect_groups(body, &item, groups);
                }
            }
        }
    }
}

/// JSON as Go's `json.MarshalIndent(v, "", "    ")` writes it.
pub fn pretty4(v: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    if v.serialize(&mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(buf).unwrap_or_default()
}

fn run(nodes: &[Node], data: &Value, out: &mut String) -> Result<(), String> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Path(steps) => {
                let values = eval(steps, data);
                let texts: Vec<String> = values.iter().map(text).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(steps, body) => {
                for item in eval(steps, data) {
                    run(body, &item, out)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().execute(v).unwrap()
    }

    #[test]
    fn paths_ranges_filters() {
        let list = json!({"items": [
            {"metadata": {"name": "a"}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}},
            {"metadata": {"name": "b"}, "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}]}}
        ]});
        assert_eq!(run("{.items[*].metadata.name}", &list), "a b");
        assert_eq!(run("{.items[0].metadata.name}", &list), "a");
        assert_eq!(run("{.items[-1:].metadata.name}", &list), "b");
        assert_eq!(
            run(
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}",
                &list
            ),
            "a\tRunning\nb\tPending\n"
        );
        assert_eq!(
            run(
                "{.items[?(@.status.phase==\"Pending\")].metadata.name}",
                &list
            ),
            "b"
        );
        assert_eq!(run("{..name}", &list), "a b");
        assert_eq!(
            run(
                "{.items[0].status.conditions[?(@.type==\"Ready\")].status}",
                &list
            ),
            "True"
        );
        assert_eq!(run("{.nope}", &list), "");
        assert_eq!(
            run("name: {.items[1].metadata}", &list),
            "name: {\"name\":\"b\"}"
        );
        assert!(Template::parse("{.items")
            .unwrap_err()
            .contains("unclosed action"));
        assert!(Template::parse("{range .items[*]}x")
            .unwrap_err()
            .contains("unclosed range"));
    }

    #[test]
    fn nested_filters_parse_in_one_pass() {
        let list = json!({"items": [{"a": [{"b": "x"}], "n": 1}, {"a": [{"b": "y"}], "n": 2}]});
        assert_eq!(run("{.items[?(@.a[?(@.b==\"y\")])].n}", &list), "2");
        assert_eq!(run("{.items[?(@.n == 1)].n}", &list), "1");
        // 5,000 nested filters: refused at the depth limit, at once, in kubectl's shape.
        let deep = format!("{{.items{}}}", "[?(@.a".repeat(5000) + &")]".repeat(5000));
        let start = std::time::Instant::now();
        let err = Template::parse(&deep).unwrap_err();
        assert!(start.elapsed().as_millis() < 500, "{:?}", start.elapsed());
        assert!(
            err.starts_with("error parsing jsonpath {.items[?(@.a"),
            "{err}"
        );
        assert!(err.ends_with(", exceeded max depth of 64"), "{err}");
        let ok = format!("{{.items{}}}", "[?(@.a".repeat(60) + &")]".repeat(60));
        assert!(Template::parse(&ok).is_ok());
    }

    #[test]
    fn nested_ranges_are_bounded() {
        let deep = "{range .items[*]}".repeat(10_000) + &"{end}".repeat(10_000);
        let err = Template::parse(&deep).unwrap_err();
        assert!(
            err.ends_with(", exceeded max depth of 64"),
            "{}",
            &err[err.len() - 40..]
        );
        let ok = "{range .items[*]}".repeat(64) + "x" + &"{end}".repeat(64);
        assert_eq!(run(&ok, &json!({"items": [{"items": []}]})), "");
        assert!(Template::parse("{end}")
            .unwrap_err()
            .ends_with("not in range, nothing to end"));
    }
}
