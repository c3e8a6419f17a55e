//! YAML with line numbers: a small tree built from yaml-rust2's parser events, so lesson
//! errors can name the line they come from.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

// Deepest nesting accepted (trees are dropped recursively): the same limit as manifests.

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// A string (quoted scalars are always strings).
    Str(String),
    /// An integer.
    Int(i64),
    /// A floating-point number, as written.
    Real(String),
    /// `true` or `false`.
    Bool(bool),
    /// A mapping, keys in file order.
    Map(Vec<(Node, Node)>),
    /// A sequence.
    Seq(Vec<Node>),
}

/// A YAML value and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// 1-based line.
    pub line: usize,
}

impl Node {
    /// The scalar as text (`Str`, numbers and booleans), else `None`.
    pub fn scalar(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) | Value::Real(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The mapping's entries whose keys are scalars, else `None`.
    pub fn entries(&self) -> Option<Vec<(String, &Node)>> {
        match &self.value {
            Value::Map(m) => Some(
                m.iter()
                    .map(|(k, v)| (k.scalar().unwrap_or_default(), v))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| k.scalar().as_deref() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value as JSON (mapping keys as text).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Str(s) => J::String(s.clone()),
            Value::Int(i) => J::from(*i),
            Value::Real(r) => r
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| J::String(r.clone()), J::Number),
            Value::Bool(b) => J::Bool(*b),
            Value::Seq(s) => J::Array(s.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.scalar().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A YAML syntax error: line and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Most nodes one document may expand to (aliases can multiply a small text).
const MAX_NODES: usize = 200_000;

/// Parses the first document of `text` (an empty text is `Null`); later documents are not read.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    // A UTF-8 byte order mark (editors on Windows add one) is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The manifests' budget first: depth, and aliases refused in go-yaml's words.
    crate::api::manifest::check_budget(text).map_err(|r| SyntaxError {
        line: r.line.unwrap_or(1),
        message: r.reason,
    })?;
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Events are pulled one by one (`Parser::load` recurses once per nesting level).
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| SyntaxError {
            line: e.marker().line(),
            message: e.info().to_string(),
        })?;
        let end = matches!(ev, Event::StreamEnd | Event::DocumentEnd);
        builder.on_event(ev, mark);
        if let Some(e) = builder.error {
            return Err(e);
        }
        if end {
            break;
        }
    }
    if let Ok((ev, mark)) = parser.next_token() {
        if !matches!(ev, Event::StreamEnd) {
            return Err(SyntaxError {
                line: mark.line(),
                message: "only one YAML document is expected".into(),
            });
        }
    }
    Ok(builder.doc.unwrap_or(Node {
        value: Value::Null,
        line: 1,
    }))
}

#[derive(Default)]
struct Builder {
    /// Open collections: the node, its anchor, a pending key for mappings.
    stack: Vec<(Node, usize, Option<Node>)>,
    anchors: Vec<(usize, Node)>,
    doc: Option<Node>,
    nodes: usize,
    error: Option<SyntaxError>,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match ev {
            Event::SequenceStart(anchor, _) => self.stack.push((
                Node {
                    value: Value::Seq(Vec::new()),
                    line,
                },
                anchor,
                None,
            )),
            Event::MappingStart(anchor, _) => self.stack.push((
                Node {
                    value: Value::Map(Vec::new()),
                    line,
                },
                anchor,
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, anchor, _)) = self.stack.pop() {
                    self.insert(node, anchor);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = if style != TScalarStyle::Plain || tag.is_some() {
                    Value::Str(text)
                } else {
                    match Yaml::from_str(&text) {
                        Yaml::Null => Value::Null,
                        Yaml::Boolean(b) => Value::Bool(b),
                        Yaml::Integer(i) => Value::Int(i),
                        Yaml::Real(r) => Value::Real(r),
                        _ => Value::Str(text),
                    }
                };
                self.insert(Node { value, line }, anchor);
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone());
                match node {
                    Some(mut n) => {
                        self.nodes += count(&n);
                        n.line = line;
                        self.insert(n, 0);
                    }
                    None => {
                        self.error = Some(SyntaxError {
                            line,
                            message: "unknown alias".into(),
                        })
                    }
                }
            }
            _ => {}
        }
    }
}

fn count(n: &Node) -> usize {
    match &n.value {
        Value::Map(m) => 1 + m.iter().map(|(k, v)| count(k) + count(v)).sum::<usize>(),
        Value::Seq(s) => 1 + s.iter().map(count).sum::<usize>(),
        _ => 1,
    }
}

impl Builder {
    fn insert(&mut self, node: Node, anchor: usize) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.error = Some(SyntaxError {
                line: node.line,
                message: "document too large".into(),
            });
            return;
        }
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        let Some((parent, _, key)) = self.stack.last_mut() else {
            if self.doc.is_none() {
                self.doc = Some(node);
            }
            return;
        };
        match &mut parent.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(name) = k.scalar() {
                        if entries
                            .iter()
                            .any(|(e, _)| e.scalar().as_deref() == Some(&name))
                        {
                            self.error = Some(SyntaxError {
                                line: k.line,
                                message: format!("duplicate key {name:?}"),
                            });
                            return;
                        }
                    }
                    entries.push((k, node));
                }
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_their_lines() {
        let n = parse("a: 1\nb:\n  - x\n  - 'y'\nc: {d: true}\n").unwrap();
        assert_eq!(n.get("a").unwrap().value, Value::Int(1));
        let b = n.get("b").unwrap();
        assert_eq!(b.line, 3);
        let Value::Seq(items) = &b.value else {
            panic!("not a sequence")
        };
        assert_eq!(items[1].line, 4);
        assert_eq!(items[1].value, Value::Str("y".into()));
        assert_eq!(
            n.get("c").unwrap().get("d").unwrap().value,
            Value::Bool(true)
        );
    }

    #[test]
    fn one_document_only() {
        let e = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "only one YAML document is expected")
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "- ".repeat(5000) + "x\n";
        let e = parse(&deep).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (1, "exceeded max depth of 200")
        );
        let bomb = crate::api::manifest::tests::billion_laughs();
        let e = parse(&bomb).unwrap_err();
        assert_eq!(e.message, "document contains excessive aliasing");
    }

    #[test]
    fn errors_and_duplicates_name_a_line() {
        assert_eq!(parse("a: [1\nb: 2\n").unwrap_err().line, 2);
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "duplicate key \"a\""));
    }
}
