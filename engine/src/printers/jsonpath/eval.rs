//! client-go's JSONPath evaluation (`util/jsonpath/jsonpath.go`): each node maps the
//! current values to new ones; `{range}`…`{end}` repeat the nodes between them per value,
//! with Go's counters (a range without its `{end}` runs to the end of the template).
//! Values are borrowed from the object; maps are walked in key order. Every node and value
//! counts against [`MAX_STEPS`], and nested ranges against [`bounds::JSONPATH`].

use std::rc::Rc;

use serde_json::Value;

use super::parse::{Node, Param};
use crate::bounds::{self, Depth};
use crate::printers::go_value;

/// The most nodes and values one execution visits: Go has no limit (nested ranges over a
/// big list run for hours and hold every result); Kubeplay stops with an error instead.
pub const MAX_STEPS: u64 = 4_000_000;

/// A value the template found: in the object, or one of its own literals.
#[derive(Clone, Debug)]
pub(super) enum Val<'a> {
    Ref(&'a Value),
    Own(Rc<Value>),
}

impl Val<'_> {
    pub(super) fn value(&self) -> &Value {
        match self {
            Val::Ref(v) => v,
            Val::Own(v) => v,
        }
    }
}

/// One execution's state: Go's range counters and the last `{end}` reached.
pub(super) struct Exec {
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    /// The index (in the whole template) of the last `{end}` that closed a block.
    last_end: Option<usize>,
    allow_missing: bool,
    steps: u64,
    depth: Depth,
}

impl Exec {
    pub(super) fn new(allow_missing: bool) -> Self {
        Exec {
            begin_range: 0,
            in_range: 0,
            end_range: 0,
            last_end: None,
            allow_missing,
            steps: 0,
            depth: Depth::new(bounds::JSONPATH),
        }
    }

    /// Go's `FindResults` over the template's nodes from `from` on: the values of each node
    /// in order; a range runs the nodes after it once per value (once on nothing when it
    /// has none, to find its `{end}`), then carries on after that `{end}`.
    pub(super) fn find_results<'a>(
        &mut self,
        nodes: &[Node],
        from: usize,
        data: Val<'a>,
    ) -> Result<Vec<Vec<Val<'a>>>, String> {
        self.depth.enter().map_err(|e| e.to_string())?;
        let cur = vec![data];
        let mut full = Vec::new();
        let mut i = from;
        while i < nodes.len() {
            let results = self.walk(&cur, &nodes[i])?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    self.find_results(nodes, i + 1, Val::Own(Rc::new(Value::Null)))?;
                }
                for value in results {
                    full.extend(self.find_results(nodes, i + 1, value)?);
                }
                self.in_range -= 1;
                if let Some(end) = self.last_end.filter(|&e| e > i) {
                    i = end;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        self.depth.leave();
        Ok(full)
    }

    fn step(&mut self, n: usize) -> Result<(), String> {
        self.steps += n as u64 + 1;
        if self.steps > MAX_STEPS {
            return Err(format!(
                "more than {MAX_STEPS} steps: Kubeplay stops it here (use a smaller range)"
            ));
        }
        Ok(())
    }

    fn walk<'a>(&mut self, input: &[Val<'a>], node: &Node) -> Result<Vec<Val<'a>>, String> {
        let out = match node {
            Node::List(nodes) => self.list(input, nodes)?,
            Node::Text(t) => vec![own(Value::String(t.clone()))],
            Node::Field(name) => self.field(input, name)?,
            Node::Array(params) => array(input, params)?,
            Node::Filter { left, right, op } => self.filter(input, left, right, op)?,
            Node::Int(i) => literal(input, Value::from(*i)),
            Node::Float(f) => literal(input, Value::from(*f)),
            Node::Bool(b) => literal(input, Value::Bool(*b)),
            Node::Wildcard => input.iter().flat_map(children).collect(),
            Node::Recursive => {
                let mut out = Vec::new();
                self.recursive(input, &mut out)?;
                out
            }
            Node::Union(lists) => {
                let mut out = Vec::new();
                for list in lists {
                    out.extend(self.list(input, list)?);
                }
                out
            }
            Node::Identifier(name) => self.identifier(input, name)?,
        };
        self.step(out.len())?;
        Ok(out)
    }

    fn list<'a>(&mut self, input: &[Val<'a>], nodes: &[Node]) -> Result<Vec<Val<'a>>, String> {
        let mut cur = input.to_vec();
        for node in nodes {
            cur = self.walk(&cur, node)?;
        }
        Ok(cur)
    }

    fn identifier<'a>(&mut self, input: &[Val<'a>], name: &str) -> Result<Vec<Val<'a>>, String> {
        match name {
            "range" => {
                self.begin_range += 1;
                Ok(input.to_vec())
            }
            "end" if self.in_range > 0 => {
                self.end_range += 1;
                Ok(Vec::new())
            }
            "end" => Err("not in range, nothing to end".into()),
            other => Err(format!("unrecognized identifier {other}")),
        }
    }

    fn field<'a>(&mut self, input: &[Val<'a>], name: &str) -> Result<Vec<Val<'a>>, String> {
        let out: Vec<Val<'a>> = input
            .iter()
            .filter_map(|v| child(v, |x| x.as_object().and_then(|m| m.get(name))))
            .collect();
        if out.is_empty() && !input.is_empty() && !self.allow_missing {
            return Err(format!("{name} is not found"));
        }
        Ok(out)
    }

    fn recursive<'a>(&mut self, input: &[Val<'a>], out: &mut Vec<Val<'a>>) -> Result<(), String> {
        for v in input {
            let kids = children(v);
            if !kids.is_empty() {
                self.step(kids.len())?;
                out.push(v.clone());
                self.recursive(&kids, out)?;
            }
        }
        Ok(())
    }

    fn filter<'a>(
        &mut self,
        input: &[Val<'a>],
        left: &[Node],
        right: &[Node],
        op: &str,
    ) -> Result<Vec<Val<'a>>, String> {
        let mut out = Vec::new();
        for v in input {
            let Value::Array(_) = v.value() else {
                return Err(format!(
                    "{} is not array or slice and cannot be filtered",
                    go_value::plain(v.value())
                ));
            };
            for item in children(v) {
                let temp = [item.clone()];
                let lefts = self.list(&temp, left);
                if op == "exists" {
                    // An error keeps the item, as Go's partial result is not empty then.
                    if lefts.map_or(true, |l| !l.is_empty()) {
                        out.push(item);
                    }
                    continue;
                }
                let lefts = lefts?;
                match lefts.len() {
                    0 => continue,
                    1 => {}
                    _ => return Err("can only compare one element at a time".into()),
                }
                let rights = self.list(&temp, right)?;
                match rights.len() {
                    0 => continue,
                    1 => {}
                    _ => return Err("can only compare one element at a time".into()),
                }
                if compare(op, lefts[0].value(), rights[0].value())? {
                    out.push(item);
                }
            }
        }
        Ok(out)
    }
}

fn own<'a>(v: Value) -> Val<'a> {
    Val::Own(Rc::new(v))
}

fn literal<'a>(input: &[Val<'a>], v: Value) -> Vec<Val<'a>> {
    let v = Rc::new(v);
    input.iter().map(|_| Val::Own(v.clone())).collect()
}

/// A value inside `v` that `get` picks, borrowed when `v` is.
fn child<'a>(v: &Val<'a>, get: impl for<'x> Fn(&'x Value) -> Option<&'x Value>) -> Option<Val<'a>> {
    match v {
        Val::Ref(r) => get(r).map(Val::Ref),
        Val::Own(o) => get(o).map(|c| own(c.clone())),
    }
}

/// What a wildcard finds: a list's items, a map's values in key order.
fn children<'a>(v: &Val<'a>) -> Vec<Val<'a>> {
    fn of(v: &Value) -> Vec<&Value> {
        match v {
            Value::Array(a) => a.iter().collect(),
            Value::Object(m) => go_value::sorted(m).into_iter().map(|(_, x)| x).collect(),
            _ => Vec::new(),
        }
    }
    match v {
        Val::Ref(r) => of(r).into_iter().map(Val::Ref).collect(),
        Val::Own(o) => of(o).into_iter().map(|c| own(c.clone())).collect(),
    }
}

/// Go's `evalArray`: an index or a slice of each list, with its bounds errors.
fn array<'a>(input: &[Val<'a>], params: &[Param; 3]) -> Result<Vec<Val<'a>>, String> {
    let mut out = Vec::new();
    for v in input {
        let value = v.value();
        if value.is_null() {
            continue;
        }
        let Value::Array(a) = value else {
            return Err(format!(
                "{} is not array or slice",
                go_value::type_name(value)
            ));
        };
        let len = a.len() as i64;
        let mut p = *params;
        if !p[0].known {
            p[0].value = 0;
        }
        if p[0].value < 0 {
            p[0].value = p[0].value.wrapping_add(len);
        }
        if !p[1].known {
            p[1].value = len;
        }
        if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
            p[1].value = p[1].value.wrapping_add(len);
        }
        if p[1].value == p[0].value {
            return Ok(out);
        }
        if p[0].value >= len || p[0].value < 0 {
            return Err(format!(
                "array index out of bounds: index {}, length {len}",
                p[0].value
            ));
        }
        if p[1].value > len || p[1].value < 0 {
            return Err(format!(
                "array index out of bounds: index {}, length {len}",
                p[1].value.wrapping_sub(1)
            ));
        }
        if p[0].value > p[1].value {
            return Err(format!(
                "starting index {} is greater than ending index {}",
                p[0].value, p[1].value
            ));
        }
        let step = if p[2].known {
            if p[2].value <= 0 {
                return Err("step must be > 0".into());
            }
            p[2].value as usize
        } else {
            1
        };
        // Only the items the slice takes (an index into a long list is not a walk of it).
        let (from, to) = (p[0].value as usize, p[1].value as usize);
        match v {
            Val::Ref(Value::Array(items)) => {
                out.extend(items[from..to].iter().step_by(step).map(Val::Ref))
            }
            _ => out.extend(a[from..to].iter().step_by(step).map(|x| own(x.clone()))),
        }
    }
    Ok(out)
}

/// The kinds Go's template comparisons tell apart.
#[derive(PartialEq)]
enum Kind<'v> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'v str),
}

fn kind(v: &Value) -> Result<Kind<'_>, String> {
    match v {
        Value::Bool(b) => Ok(Kind::Bool(*b)),
        Value::Number(n) if go_value::is_int64(n) => Ok(Kind::Int(n.as_i64().unwrap_or(0))),
        Value::Number(n) => Ok(Kind::Float(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => Ok(Kind::Str(s)),
        _ => Err("invalid type for comparison".into()),
    }
}

/// client-go's forked `text/template` comparisons (`eq`, `lt`, …): the same kind on both
/// sides, or an error.
fn compare(op: &str, a: &Value, b: &Value) -> Result<bool, String> {
    let equal = || -> Result<bool, String> {
        match (kind(a)?, kind(b)?) {
            (Kind::Bool(x), Kind::Bool(y)) => Ok(x == y),
            (Kind::Int(x), Kind::Int(y)) => Ok(x == y),
            (Kind::Float(x), Kind::Float(y)) => Ok(x == y),
            (Kind::Str(x), Kind::Str(y)) => Ok(x == y),
            _ => Err("incompatible types for comparison".into()),
        }
    };
    let less = || -> Result<bool, String> {
        match (kind(a)?, kind(b)?) {
            (Kind::Bool(_), Kind::Bool(_)) => Err("invalid type for comparison".into()),
            (Kind::Int(x), Kind::Int(y)) => Ok(x < y),
            (Kind::Float(x), Kind::Float(y)) => Ok(x < y),
            (Kind::Str(x), Kind::Str(y)) => Ok(x < y),
            _ => Err("incompatible types for comparison".into()),
        }
    };
    let less_equal = || -> Result<bool, String> {
        let lt = less()?;
        if lt {
            return Ok(true);
        }
        equal()
    };
    match op {
        "<" => less(),
        ">" => less_equal().map(|le| !le),
        "==" => equal(),
        "!=" => equal().map(|e| !e),
        "<=" => less_equal(),
        ">=" => less().map(|lt| !lt),
        other => Err(format!("unrecognized filter operator {other}")),
    }
}
