//! Shell arithmetic expansion, `$(( ... ))`: 64-bit integers, variables (with or without
//! `$`), `+ - * / %`, comparisons, `&& || !`, parentheses, and the assignments `=`, `+=`,
//! `-=`, `*=`, `/=`, `%=`, `++`, `--` that loops use (`i=$((i+1))`, `$((i++))`).

use std::collections::BTreeMap;

/// Evaluates `expr`, updating variables it assigns. Errors read like dash's.
pub fn eval(expr: &str, vars: &mut BTreeMap<String, String>) -> Result<i64, String> {
    let toks = tokenize(expr)?;
    let mut p = Parser {
        toks,
        pos: 0,
        vars,
        depth: 0,
    };
    let v = p.assignment()?;
    if p.pos < p.toks.len() {
        return Err(format!("arithmetic expression: expecting EOF: \"{expr}\""));
    }
    Ok(v)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "++", "--", "+=", "-=", "*=", "/=", "%=", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*",
    "/", "%", "<", ">", "=", "!", "(", ")",
];

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse()
                .map_err(|_| format!("arithmetic expression: number too large: \"{text}\""))?;
            toks.push(Tok::Num(n));
        } else if c == '$' || c.is_ascii_alphabetic() || c == '_' {
            if c == '$' {
                i += 1;
            }
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            if start == i {
                return Err(format!("arithmetic expression: expecting primary: \"{s}\""));
            }
            toks.push(Tok::Name(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = OPS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| format!("arithmetic expression: expecting primary: \"{s}\""))?;
            toks.push(Tok::Op(op));
            i += op.chars().count();
        }
    }
    Ok(toks)
}

/// How deeply an expression may nest (`-(-(...))`): deeper is refused, not a stack overflow.
const MAX_DEPTH: usize = crate::bounds::ARITH;

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    vars: &'a mut BTreeMap<String, String>,
    /// Nesting of what is being read (operands and chained assignments).
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek()
            == Some(&Tok::Op(match OPS.iter().find(|o| **o == op) {
                Some(o) => o,
                None => return false,
            }))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn var(&self, name: &str) -> i64 {
        self.vars
            .get(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    fn set(&mut self, name: &str, v: i64) -> i64 {
        self.vars.insert(name.to_string(), v.to_string());
        v
    }

    fn assignment(&mut self) -> Result<i64, String> {
        if let (Some(Tok::Name(name)), Some(Tok::Op(op))) = (
            self.toks.get(self.pos).cloned(),
            self.toks.get(self.pos + 1).cloned(),
        ) {
            if matches!(op, "=" | "+=" | "-=" | "*=" | "/=" | "%=") {
                self.pos += 2;
                let rhs = self.nested(Self::assignment)?;
                let old = self.var(&name);
                let v = match op {
                    "=" => rhs,
                    "+=" => old.wrapping_add(rhs),
                    "-=" => old.wrapping_sub(rhs),
                    "*=" => old.wrapping_mul(rhs),
                    _ => divide(old, rhs, op == "%=")?,
                };
                return Ok(self.set(&name, v));
            }
        }
        self.or()
    }

    fn or(&mut self) -> Result<i64, String> {
        let mut v = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            v = i64::from(v != 0 || r != 0);
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<i64, String> {
        let mut v = self.comparison()?;
        while self.eat("&&") {
            let r = self.comparison()?;
            v = i64::from(v != 0 && r != 0);
        }
        Ok(v)
    }

    fn comparison(&mut self) -> Result<i64, String> {
        let mut v = self.sum()?;
        loop {
            let op = ["<=", ">=", "==", "!=", "<", ">"]
                .into_iter()
                .find(|op| self.eat(op));
            let Some(op) = op else { return Ok(v) };
            let r = self.sum()?;
            v = i64::from(match op {
                "<=" => v <= r,
                ">=" => v >= r,
                "==" => v == r,
                "!=" => v != r,
                "<" => v < r,
                _ => v > r,
            });
        }
    }

    fn sum(&mut self) -> Result<i64, String> {
        let mut v = self.product()?;
        loop {
            if self.eat("+") {
                v = v.wrapping_add(self.product()?);
            } else if self.eat("-") {
                v = v.wrapping_sub(self.product()?);
            } else {
                return Ok(v);
            }
        }
    }

    fn product(&mut self) -> Result<i64, String> {
        let mut v = self.unary()?;
        loop {
            if self.eat("*") {
                v = v.wrapping_mul(self.unary()?);
            } else if self.eat("/") {
                v = divide(v, self.unary()?, false)?;
            } else if self.eat("%") {
                v = divide(v, self.unary()?, true)?;
            } else {
                return Ok(v);
            }
        }
    }

    /// Reads a nested part with `read`, refusing nesting deeper than [`MAX_DEPTH`].
    fn nested(&mut self, read: fn(&mut Self) -> Result<i64, String>) -> Result<i64, String> {
        if self.depth >= MAX_DEPTH {
            return Err("arithmetic expression: nested too deeply".into());
        }
        self.depth += 1;
        let v = read(self);
        self.depth -= 1;
        v
    }

    fn unary(&mut self) -> Result<i64, String> {
        self.nested(Self::operand)
    }

    fn operand(&mut self) -> Result<i64, String> {
        if self.eat("-") {
            return Ok(self.unary()?.wrapping_neg());
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("!") {
            return Ok(i64::from(self.unary()? == 0));
        }
        for (op, delta) in [("++", 1), ("--", -1)] {
            if self.eat(op) {
                let Some(Tok::Name(name)) = self.peek().cloned() else {
                    return Err("arithmetic expression: expecting primary".into());
                };
                self.pos += 1;
                let v = self.var(&name).wrapping_add(delta);
                return Ok(self.set(&name, v));
            }
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<i64, String> {
        match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(Tok::Name(name)) => {
                self.pos += 1;
                let v = self.var(&name);
                for (op, delta) in [("++", 1), ("--", -1)] {
                    if self.eat(op) {
                        self.set(&name, v.wrapping_add(delta));
                    }
                }
                Ok(v)
            }
            Some(Tok::Op("(")) => {
                self.pos += 1;
                let v = self.assignment()?;
                if !self.eat(")") {
                    return Err("arithmetic expression: expecting \")\"".into());
                }
                Ok(v)
            }
            _ => Err("arithmetic expression: expecting primary".into()),
        }
    }
}

fn divide(a: i64, b: i64, remainder: bool) -> Result<i64, String> {
    if b == 0 {
        return Err("divide by zero".into());
    }
    Ok(if remainder {
        a.wrapping_rem(b)
    } else {
        a.wrapping_div(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut vars = BTreeMap::new();
        for expr in [
            format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
            format!("{}1", "- ".repeat(100_000)),
            format!("{}1", "a=".repeat(100_000)),
        ] {
            let e = eval(&expr, &mut vars).unwrap_err();
            assert!(e.contains("nested too deeply"), "{e}");
        }
        assert_eq!(
            eval(&format!("{}7{}", "(".repeat(50), ")".repeat(50)), &mut vars),
            Ok(7)
        );
    }

    #[test]
    fn evaluates_loop_arithmetic() {
        let mut vars = BTreeMap::new();
        vars.insert("i".to_string(), "4".to_string());
        assert_eq!(eval("i+1", &mut vars), Ok(5));
        assert_eq!(eval("$i * (2 + 3) % 7", &mut vars), Ok(6));
        assert_eq!(eval("i++", &mut vars), Ok(4));
        assert_eq!(vars["i"], "5");
        assert_eq!(eval("++i", &mut vars), Ok(6));
        assert_eq!(eval("i += 10", &mut vars), Ok(16));
        assert_eq!(eval("i > 3 && !0", &mut vars), Ok(1));
        assert_eq!(eval("-x + 2", &mut vars), Ok(2));
        assert!(eval("1 / 0", &mut vars).is_err());
        assert!(eval("1 +", &mut vars).is_err());
        assert!(eval("(1", &mut vars).is_err());
        assert!(eval("99999999999999999999", &mut vars).is_err());
    }
}
