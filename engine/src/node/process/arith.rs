//! Shell arithmetic, `$(( ... ))`, as bash's `expr.c` reads it: 64-bit integers that wrap,
//! numbers in bases (`0x1f`, `017`, `2#101`, `64#@_`), variables (with or without `$`,
//! their values read as expressions in turn), every operator in bash's precedence (`,`,
//! assignments `= *= /= %= += -= <<= >>= &= ^= |=`, `?:`, `|| && | ^ &`, `== !=`,
//! `< <= > >=`, `<< >>`, `+ -`, `* / %`, `**`, unary `! ~ - +`, `++`/`--` before and
//! after a name), short-circuits that evaluate nothing, and bash's error texts.

use std::collections::BTreeMap;
use std::fmt;

/// How deeply an expression may nest (parentheses, unary operators, assignments, variables
/// whose values are expressions): deeper is bash's recursion error, not a stack overflow.
const MAX_DEPTH: usize = crate::bounds::ARITH;

/// An arithmetic error: what bash prints after `bash: ` (dash's words in [`Error::dash`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The expression, leading blanks removed (bash's first field).
    expr: String,
    kind: Kind,
    /// The text from the offending token to the end (bash's "error token").
    token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    OperandExpected,
    Syntax,
    DivisionByZero,
    NegativeExponent,
    NotAVariable,
    MissingParen,
    ColonExpected,
    ExpressionExpected,
    TooGreatForBase,
    InvalidBase,
    Recursion,
}

impl Kind {
    fn bash(self) -> &'static str {
        match self {
            Kind::OperandExpected => "syntax error: operand expected",
            Kind::Syntax => "syntax error in expression",
            Kind::DivisionByZero => "division by 0",
            Kind::NegativeExponent => "exponent less than 0",
            Kind::NotAVariable => "attempted assignment to non-variable",
            Kind::MissingParen => "missing `)'",
            Kind::ColonExpected => "`:' expected for conditional expression",
            Kind::ExpressionExpected => "expression expected",
            Kind::TooGreatForBase => "value too great for base",
            Kind::InvalidBase => "invalid arithmetic base",
            Kind::Recursion => "expression recursion level exceeded",
        }
    }

    /// dash's words (`src/arith_yacc.c`) for the same fault.
    fn dash(self) -> &'static str {
        match self {
            Kind::DivisionByZero => "division by zero",
            Kind::Syntax | Kind::TooGreatForBase | Kind::InvalidBase => "expecting EOF",
            _ => "expecting primary",
        }
    }
}

impl fmt::Display for Error {
    /// bash's text: `1/0: division by 0 (error token is "0")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (error token is \"{}\")",
            self.expr,
            self.kind.bash(),
            self.token
        )
    }
}

impl Error {
    /// dash's and busybox ash's text: `arithmetic expression: division by zero: "1/0"`.
    pub fn dash(&self) -> String {
        format!(
            "arithmetic expression: {}: \"{}\"",
            self.kind.dash(),
            self.expr
        )
    }
}

/// Evaluates `expr`, updating the variables it assigns.
pub fn eval(expr: &str, vars: &mut BTreeMap<String, String>) -> Result<i64, Error> {
    eval_at(expr, vars, 0)
}

fn eval_at(expr: &str, vars: &mut BTreeMap<String, String>, depth: usize) -> Result<i64, Error> {
    let toks = tokenize(expr);
    let mut p = Parser {
        src: expr,
        toks,
        pos: 0,
        vars,
        depth,
        noeval: 0,
    };
    if p.toks.is_empty() {
        return Ok(0);
    }
    let v = p.comma()?;
    if p.pos < p.toks.len() {
        return Err(p.error(Kind::Syntax));
    }
    Ok(v)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    /// A number bash cannot read (`08`, `3a`, `2#2`).
    BadNum(Kind),
    Name(String),
    Op(&'static str),
    /// A character that starts no token.
    Other,
}

/// Operators, longest first so that the tokenizer takes the longest.
const OPS: &[&str] = &[
    "<<=", ">>=", "**", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=", "<<", ">>",
    "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "=", "!", "~", "&", "^",
    "|", "?", ":", ",", "(", ")",
];

/// The tokens of `s`, each with the byte offset it starts at.
fn tokenize(s: &str) -> Vec<(usize, Tok)> {
    let bytes = s.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut toks: Vec<(usize, Tok)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && (word(bytes[i]) || bytes[i] == b'#' || bytes[i] == b'@') {
                i += 1;
            }
            let tok = number(&s[start..i]).map_or_else(Tok::BadNum, Tok::Num);
            toks.push((start, tok));
            continue;
        }
        let dollar = c == b'$'
            && bytes
                .get(i + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_');
        if dollar || c.is_ascii_alphabetic() || c == b'_' {
            i += usize::from(dollar);
            let name_start = i;
            while i < bytes.len() && word(bytes[i]) {
                i += 1;
            }
            toks.push((start, Tok::Name(s[name_start..i].to_string())));
            continue;
        }
        let Some(mut op) = OPS.iter().copied().find(|op| s[i..].starts_with(op)) else {
            toks.push((start, Tok::Other));
            i += s[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        if op == "++" || op == "--" {
            // After a name: its postfix form. Before one: its prefix form. Otherwise two
            // signs (`0--1` is 0 minus -1), as bash reads them.
            let after_name = matches!(toks.last(), Some((_, Tok::Name(_))));
            let rest = s[i + 2..].trim_start();
            let before_name = rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            if !after_name && !before_name {
                op = &op[..1];
            }
        }
        toks.push((start, Tok::Op(op)));
        i += op.len();
    }
    toks
}

/// A numeric constant as bash reads it: decimal, `0x` hex, `0` octal or `BASE#DIGITS`
/// (bases 2 to 64: `0-9a-zA-Z@_`), wrapping past 64 bits.
fn number(text: &str) -> Result<i64, Kind> {
    let (base, digits) = if let Some((base, digits)) = text.split_once('#') {
        let base: u32 = base.parse().map_err(|_| Kind::InvalidBase)?;
        if !(2..=64).contains(&base) {
            return Err(Kind::InvalidBase);
        }
        (base, digits)
    } else if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        (16, hex)
    } else if text.len() > 1 && text.starts_with('0') {
        (8, &text[1..])
    } else {
        (10, text)
    };
    let mut value: i64 = 0;
    for c in digits.chars() {
        let digit = match c {
            '0'..='9' => u32::from(c as u8 - b'0'),
            'a'..='z' => u32::from(c as u8 - b'a') + 10,
            'A'..='Z' if base <= 36 => u32::from(c as u8 - b'A') + 10,
            'A'..='Z' => u32::from(c as u8 - b'A') + 36,
            '@' => 62,
            '_' => 63,
            _ => return Err(Kind::TooGreatForBase),
        };
        if digit >= base {
            return Err(Kind::TooGreatForBase);
        }
        value = value
            .wrapping_mul(i64::from(base))
            .wrapping_add(i64::from(digit));
    }
    Ok(value)
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(usize, Tok)>,
    pos: usize,
    vars: &'a mut BTreeMap<String, String>,
    /// Nesting of what is being read (operands, assignments, variables' expressions).
    depth: usize,
    /// Inside the side of `&&`, `||` or `?:` that is not taken: nothing is assigned and no
    /// division by zero is an error.
    noeval: usize,
}

/// The left-associative binary levels from `|` to `+ -`, loosest first.
const LEVELS: &[&[&str]] = &[
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<=", ">=", "<", ">"],
    &["<<", ">>"],
    &["+", "-"],
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.peek() {
            Some(Tok::Op(op)) => Some(op),
            _ => None,
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// An error at the token being looked at (at the last one, past the end), as bash's
    /// `lasttp`.
    fn error(&self, kind: Kind) -> Error {
        let at = self.pos.min(self.toks.len().saturating_sub(1));
        self.error_from(kind, self.toks.get(at).map_or(self.src.len(), |(o, _)| *o))
    }

    fn error_from(&self, kind: Kind, offset: usize) -> Error {
        Error {
            expr: self.src.trim_start().to_string(),
            kind,
            token: self.src.get(offset..).unwrap_or_default().to_string(),
        }
    }

    /// Reads a nested part with `read`, refusing nesting deeper than [`MAX_DEPTH`].
    fn nested(&mut self, read: fn(&mut Self) -> Result<i64, Error>) -> Result<i64, Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(Kind::Recursion));
        }
        self.depth += 1;
        let v = read(self);
        self.depth -= 1;
        v
    }

    /// A variable's value: empty is 0; otherwise its text is an expression in turn.
    fn var(&mut self, name: &str) -> Result<i64, Error> {
        let text = self.vars.get(name).map_or("", |v| v.trim()).to_string();
        if text.is_empty() {
            return Ok(0);
        }
        if let Ok(n) = text.parse() {
            return Ok(n);
        }
        if self.depth >= MAX_DEPTH {
            let (offset, _) = self.toks[self.pos.saturating_sub(1)];
            return Err(self.error_from(Kind::Recursion, offset));
        }
        eval_at(&text, self.vars, self.depth + 1)
    }

    fn set(&mut self, name: &str, v: i64) -> i64 {
        if self.noeval == 0 {
            self.vars.insert(name.to_string(), v.to_string());
        }
        v
    }

    fn comma(&mut self) -> Result<i64, Error> {
        let mut v = self.assignment()?;
        while self.eat(",") {
            v = self.assignment()?;
        }
        Ok(v)
    }

    fn assignment(&mut self) -> Result<i64, Error> {
        let start = self.pos;
        let v = self.conditional()?;
        let Some(op) = self.peek_op().filter(|op| {
            matches!(
                *op,
                "=" | "*=" | "/=" | "%=" | "+=" | "-=" | "<<=" | ">>=" | "&=" | "^=" | "|="
            )
        }) else {
            return Ok(v);
        };
        let name = match &self.toks[start..self.pos] {
            [(_, Tok::Name(name))] => name.clone(),
            _ => return Err(self.error(Kind::NotAVariable)),
        };
        self.pos += 1;
        let rhs_at = self.pos;
        let rhs = self.nested(Self::assignment)?;
        let value = match op {
            "=" => rhs,
            _ => self.binary(&op[..op.len() - 1], v, rhs, rhs_at)?,
        };
        Ok(self.set(&name, value))
    }

    fn conditional(&mut self) -> Result<i64, Error> {
        let test = self.logical_or()?;
        if !self.eat("?") {
            return Ok(test);
        }
        if matches!(self.peek(), None | Some(Tok::Op(":"))) {
            return Err(self.error(Kind::ExpressionExpected));
        }
        let then = self.skipping(test == 0, |p| p.nested(Self::comma))?;
        if !self.eat(":") {
            return Err(self.error(Kind::ColonExpected));
        }
        if self.peek().is_none() {
            return Err(self.error(Kind::ExpressionExpected));
        }
        let otherwise = self.skipping(test != 0, |p| p.nested(Self::conditional))?;
        Ok(if test != 0 { then } else { otherwise })
    }

    /// Reads with `read`, evaluating nothing when `skip`.
    fn skipping(
        &mut self,
        skip: bool,
        read: impl FnOnce(&mut Self) -> Result<i64, Error>,
    ) -> Result<i64, Error> {
        self.noeval += usize::from(skip);
        let v = read(self);
        self.noeval -= usize::from(skip);
        v
    }

    fn logical_or(&mut self) -> Result<i64, Error> {
        let mut v = self.logical_and()?;
        while self.eat("||") {
            let r = self.skipping(v != 0, Self::logical_and)?;
            v = i64::from(v != 0 || r != 0);
        }
        Ok(v)
    }

    fn logical_and(&mut self) -> Result<i64, Error> {
        let mut v = self.level(0)?;
        while self.eat("&&") {
            let r = self.skipping(v == 0, |p| p.level(0))?;
            v = i64::from(v != 0 && r != 0);
        }
        Ok(v)
    }

    /// A left-associative binary level of [`LEVELS`], then `* / %` below the last.
    fn level(&mut self, n: usize) -> Result<i64, Error> {
        let Some(ops) = LEVELS.get(n) else {
            return self.product();
        };
        let mut v = self.level(n + 1)?;
        while let Some(op) = self.peek_op().filter(|op| ops.contains(op)) {
            self.pos += 1;
            let at = self.pos;
            let r = self.level(n + 1)?;
            v = self.binary(op, v, r, at)?;
        }
        Ok(v)
    }

    fn product(&mut self) -> Result<i64, Error> {
        let mut v = self.power()?;
        while let Some(op) = self.peek_op().filter(|op| matches!(*op, "*" | "/" | "%")) {
            self.pos += 1;
            let at = self.pos;
            let r = self.power()?;
            v = self.binary(op, v, r, at)?;
        }
        Ok(v)
    }

    /// `a ** b`, right-associative; a negative exponent is an error.
    fn power(&mut self) -> Result<i64, Error> {
        let base = self.unary()?;
        if !self.eat("**") {
            return Ok(base);
        }
        let exponent = self.nested(Self::power)?;
        if exponent < 0 {
            return Err(self.error(Kind::NegativeExponent));
        }
        Ok(pow(base, exponent))
    }

    /// Applies a binary operator; `rhs_at` is where its right operand began (bash names it
    /// in a division by zero).
    fn binary(&self, op: &str, a: i64, b: i64, rhs_at: usize) -> Result<i64, Error> {
        Ok(match op {
            "|" => a | b,
            "^" => a ^ b,
            "&" => a & b,
            "==" => i64::from(a == b),
            "!=" => i64::from(a != b),
            "<=" => i64::from(a <= b),
            ">=" => i64::from(a >= b),
            "<" => i64::from(a < b),
            ">" => i64::from(a > b),
            // The shift count is taken modulo 64, as the machine does.
            "<<" => a.wrapping_shl(b as u32),
            ">>" => a.wrapping_shr(b as u32),
            "+" => a.wrapping_add(b),
            "-" => a.wrapping_sub(b),
            "*" => a.wrapping_mul(b),
            "/" | "%" if b == 0 => {
                if self.noeval > 0 {
                    return Ok(0);
                }
                let offset = self.toks.get(rhs_at).map_or(self.src.len(), |(o, _)| *o);
                return Err(self.error_from(Kind::DivisionByZero, offset));
            }
            "/" => a.wrapping_div(b),
            _ => a.wrapping_rem(b),
        })
    }

    fn unary(&mut self) -> Result<i64, Error> {
        self.nested(Self::operand)
    }

    fn operand(&mut self) -> Result<i64, Error> {
        match self.peek_op() {
            Some("!") => {
                self.pos += 1;
                Ok(i64::from(self.unary()? == 0))
            }
            Some("~") => {
                self.pos += 1;
                Ok(!self.unary()?)
            }
            Some("-") => {
                self.pos += 1;
                Ok(self.unary()?.wrapping_neg())
            }
            Some("+") => {
                self.pos += 1;
                self.unary()
            }
            Some(op @ ("++" | "--")) => {
                self.pos += 1;
                let Some(Tok::Name(name)) = self.peek().cloned() else {
                    return Err(self.error(Kind::OperandExpected));
                };
                self.pos += 1;
                let delta = if op == "++" { 1 } else { -1 };
                let v = self.var(&name)?.wrapping_add(delta);
                Ok(self.set(&name, v))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<i64, Error> {
        match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(Tok::BadNum(kind)) => Err(self.error(kind)),
            Some(Tok::Name(name)) => {
                self.pos += 1;
                let v = self.var(&name)?;
                if let Some(op @ ("++" | "--")) = self.peek_op() {
                    self.pos += 1;
                    let delta = if op == "++" { 1 } else { -1 };
                    self.set(&name, v.wrapping_add(delta));
                }
                Ok(v)
            }
            Some(Tok::Op("(")) => {
                self.pos += 1;
                let v = self.nested(Self::comma)?;
                if !self.eat(")") {
                    return Err(self.error(Kind::MissingParen));
                }
                Ok(v)
            }
            _ => Err(self.error(Kind::OperandExpected)),
        }
    }
}

/// `base ** exponent` (not negative), wrapping, by squaring.
fn pow(mut base: i64, mut exponent: i64) -> i64 {
    let mut result: i64 = 1;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        exponent >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calc(expr: &str) -> Result<i64, String> {
        eval(expr, &mut BTreeMap::new()).map_err(|e| e.to_string())
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut vars = BTreeMap::new();
        for expr in [
            format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
            format!("{}1", "- ".repeat(100_000)),
            format!("{}1", "a=".repeat(100_000)),
            format!("{}1", "2**".repeat(100_000)),
            format!("{}1", "1?".repeat(100_000)),
        ] {
            let e = eval(&expr, &mut vars).unwrap_err().to_string();
            assert!(e.contains("expression recursion level exceeded"), "{e}");
        }
        assert_eq!(
            eval(&format!("{}7{}", "(".repeat(50), ")".repeat(50)), &mut vars),
            Ok(7)
        );
        // A variable naming itself.
        vars.insert("x".into(), "x".into());
        assert_eq!(
            eval("x", &mut vars).unwrap_err().to_string(),
            "x: expression recursion level exceeded (error token is \"x\")"
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
        assert_eq!(eval("  ", &mut vars), Ok(0));
    }

    #[test]
    fn operators_and_precedence_match_bash() {
        for (expr, want) in [
            ("0--1", 1),
            ("--5", 5),
            ("2**10", 1024),
            ("-2**2", 4),
            ("2**3**2", 512),
            ("2**63", i64::MIN),
            ("2**64", 0),
            ("1?2:3", 2),
            ("1?0?5:6:7", 6),
            ("~0", -1),
            ("~-1", 0),
            ("1<<4", 16),
            ("256>>2", 64),
            ("-8>>1", -4),
            ("1<<64", 1),
            ("1<<-1", i64::MIN),
            ("-7/2", -3),
            ("-7%3", -1),
            ("1<2==1", 1),
            ("5&3|8^1", 9),
            ("!0+1", 2),
            ("3,4", 4),
            ("1 ? 2 : 3, 7", 7),
            ("0 && 1/0", 0),
            ("1 || 1/0", 1),
            ("0 ? 1/0 : 5", 5),
            ("(-9223372036854775807-1)/-1", i64::MIN),
            ("(-9223372036854775807-1)%-1", 0),
            ("9223372036854775807+1", i64::MIN),
            ("9999999999999999999999", 1_864_712_049_423_024_127),
            (
                "0x1f + 017 + 2#101 + 16#ff + 64#@_",
                31 + 15 + 5 + 255 + 4031,
            ),
            ("0x", 0),
        ] {
            assert_eq!(calc(expr), Ok(want), "{expr}");
        }
    }

    #[test]
    fn assignments_and_variables() {
        let mut vars = BTreeMap::new();
        vars.insert("x".to_string(), "3".to_string());
        let seq: Vec<i64> = ["x*=2", "x<<=1", "x>>=2", "x&=5", "x|=8", "x^=3"]
            .iter()
            .map(|e| eval(e, &mut vars).unwrap())
            .collect();
        assert_eq!(seq, [6, 12, 3, 1, 9, 10]);
        assert_eq!(eval("y = 1 ? 4 : 5", &mut vars), Ok(4));
        vars.insert("e".into(), "2+3".into());
        assert_eq!(eval("e*2", &mut vars), Ok(10));
        // Nothing is assigned on the side not taken.
        assert_eq!(eval("0 && (z=9)", &mut vars), Ok(0));
        assert!(!vars.contains_key("z"));
        vars.insert("n".into(), "1".into());
        assert_eq!(eval("n++ + ++n", &mut vars), Ok(4));
        assert_eq!(vars["n"], "3");
    }

    #[test]
    fn errors_read_as_bash_writes_them() {
        for (expr, want) in [
            ("1/0", "1/0: division by 0 (error token is \"0\")"),
            ("1/0+3", "1/0+3: division by 0 (error token is \"0+3\")"),
            (" 1/0 ", "1/0 : division by 0 (error token is \"0 \")"),
            ("1%(0)", "1%(0): division by 0 (error token is \"(0)\")"),
            (
                "1+",
                "1+: syntax error: operand expected (error token is \"+\")",
            ),
            (
                "1 2",
                "1 2: syntax error in expression (error token is \"2\")",
            ),
            (
                "5 ! 3",
                "5 ! 3: syntax error in expression (error token is \"! 3\")",
            ),
            (
                "2**-1",
                "2**-1: exponent less than 0 (error token is \"1\")",
            ),
            (
                "2**-1+1",
                "2**-1+1: exponent less than 0 (error token is \"+1\")",
            ),
            (
                "1?2",
                "1?2: `:' expected for conditional expression (error token is \"2\")",
            ),
            ("1?2:", "1?2:: expression expected (error token is \":\")"),
            (
                "a=",
                "a=: syntax error: operand expected (error token is \"=\")",
            ),
            (
                "1=2",
                "1=2: attempted assignment to non-variable (error token is \"=2\")",
            ),
            (
                "1 = 2",
                "1 = 2: attempted assignment to non-variable (error token is \"= 2\")",
            ),
            ("08", "08: value too great for base (error token is \"08\")"),
            ("3a", "3a: value too great for base (error token is \"3a\")"),
            (
                "65#1",
                "65#1: invalid arithmetic base (error token is \"65#1\")",
            ),
            (
                "1 <<< 2",
                "1 <<< 2: syntax error: operand expected (error token is \"< 2\")",
            ),
            (
                "@",
                "@: syntax error: operand expected (error token is \"@\")",
            ),
            (
                "x++ ++",
                "x++ ++: syntax error: operand expected (error token is \"+\")",
            ),
            ("(1", "(1: missing `)' (error token is \"1\")"),
        ] {
            assert_eq!(calc(expr), Err(want.to_string()), "{expr}");
        }
        let e = eval("1/0", &mut BTreeMap::new()).unwrap_err();
        assert_eq!(e.dash(), "arithmetic expression: division by zero: \"1/0\"");
    }
}
