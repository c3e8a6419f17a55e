//! Conditions for both shells: `test`/`[ ... ]` (bash's `test.c` argument rules, with each
//! shell's error texts: bash, busybox ash, dash), `[[ ... ]]` expressions (`&&`, `||`, `!`,
//! parentheses, `==` glob patterns, `=~` regexes, arithmetic comparisons), and the glob
//! matching that `case` patterns use too.

use std::collections::BTreeMap;

use crate::sh::cond::Cond;
use crate::sh::cond::{BINARY, UNARY};
pub use crate::sh::glob::glob;
pub use crate::sh::Dialect;

/// What a path is, for `-e -f -d -s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file of this many bytes.
    File(usize),
    /// A directory.
    Dir,
}

/// Why `test` failed (status 2), before the shell's wording.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TestError {
    Integer(String),
    MissingBracket,
    /// Two arguments, the first not a unary operator.
    TwoArgs(String, String),
    /// Three arguments, the second not a binary operator.
    BinaryExpected(String, String),
    ArgumentExpected(String),
    ParenExpected,
    /// Words left over: the first argument and the first one left.
    TooMany(String, String),
}

impl TestError {
    /// The message after the shell's own prefix (`bash: `, `sh: `, `sh: 1: `).
    fn message(&self, dialect: Dialect, name: &str) -> String {
        use TestError::*;
        match (dialect, self) {
            (Dialect::Bash, Integer(s)) => format!("{name}: {s}: integer expression expected"),
            (Dialect::Bash, MissingBracket) => "[: missing `]'".into(),
            (Dialect::Bash, TwoArgs(s, _)) => format!("{name}: {s}: unary operator expected"),
            (Dialect::Bash, BinaryExpected(_, s)) => {
                format!("{name}: {s}: binary operator expected")
            }
            (Dialect::Bash, ArgumentExpected(_)) => format!("{name}: argument expected"),
            (Dialect::Bash, ParenExpected) => format!("{name}: `)' expected"),
            (Dialect::Bash, TooMany(..)) => format!("{name}: too many arguments"),
            (Dialect::Dash, Integer(s)) => format!("{name}: Illegal number: {s}"),
            (Dialect::Dash, MissingBracket) => "[: missing ]".into(),
            (Dialect::Dash, TwoArgs(_, s)) if BINARY.contains(&s.as_str()) => {
                format!("{name}: {s}: argument expected")
            }
            (Dialect::Dash, TwoArgs(s, _) | BinaryExpected(s, _) | TooMany(s, _)) => {
                format!("{name}: {s}: unexpected operator")
            }
            (Dialect::Dash, ArgumentExpected(s)) => format!("{name}: {s}: argument expected"),
            (Dialect::Dash, ParenExpected) => format!("{name}: closing paren expected"),
            (Dialect::Ash, Integer(s)) => format!("{s}: bad number"),
            (Dialect::Ash, MissingBracket) if name == "[[" => "missing ]]".into(),
            (Dialect::Ash, MissingBracket) => "missing ]".into(),
            (Dialect::Ash, TwoArgs(_, s)) if BINARY.contains(&s.as_str()) => {
                format!("{s}: argument expected")
            }
            (Dialect::Ash, ArgumentExpected(s)) => format!("{s}: argument expected"),
            (Dialect::Ash, TwoArgs(_, s)) => format!("{s}: unknown operand"),
            (Dialect::Ash, BinaryExpected(_, s) | TooMany(_, s)) => format!("{s}: unknown operand"),
            (Dialect::Ash, ParenExpected) => "closing paren expected".into(),
        }
    }
}

/// `test ARGS`, `[ ARGS ]` (`name` is `test` or `[`; for `[`, the last word must be `]`) or
/// busybox's `[[ ARGS ]]`: the status (0 true, 1 false, 2 error) and the error message.
pub fn test(
    name: &str,
    args: &[String],
    dialect: Dialect,
    files: &dyn Fn(&str) -> Option<FileKind>,
) -> (i32, Option<String>) {
    let args = match name {
        "[" | "[[" => {
            let close = if name == "[" { "]" } else { "]]" };
            match args.split_last() {
                Some((last, rest)) if last == close => rest,
                _ => return (2, Some(TestError::MissingBracket.message(dialect, name))),
            }
        }
        _ => args,
    };
    let mut t = Test {
        args,
        pos: 0,
        files,
        double: name == "[[",
    };
    match t.posix() {
        Ok(v) => (i32::from(!v), None),
        Err(e) => (2, Some(e.message(dialect, name))),
    }
}

/// A `test` run over its arguments (bash's `test.c`).
struct Test<'a> {
    args: &'a [String],
    pos: usize,
    files: &'a dyn Fn(&str) -> Option<FileKind>,
    /// busybox's `[[`: `&&`/`||` join, `=`/`==` match globs, `=~` regexes.
    double: bool,
}

impl Test<'_> {
    fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(self.pos + i).map(String::as_str)
    }

    fn left(&self) -> usize {
        self.args.len().saturating_sub(self.pos)
    }

    fn is_binary(&self, op: &str) -> bool {
        BINARY.contains(&op) && (op != "=~" || self.double)
    }

    /// POSIX's rules by argument count, then the full grammar past four.
    fn posix(&mut self) -> Result<bool, TestError> {
        match self.left() {
            0 => Ok(false),
            1 => Ok(self.arg(0).is_some_and(|a| !a.is_empty())),
            2 => self.two(),
            3 => self.three(),
            4 if self.arg(0) == Some("!") => {
                self.pos += 1;
                self.three().map(|v| !v)
            }
            4 if self.arg(0) == Some("(") && self.arg(3) == Some(")") => {
                self.pos += 1;
                let v = self.two();
                self.pos += 1;
                v
            }
            _ => {
                let v = self.or()?;
                match self.arg(0) {
                    Some(extra) => Err(TestError::TooMany(
                        self.args.first().cloned().unwrap_or_default(),
                        extra.to_string(),
                    )),
                    None => Ok(v),
                }
            }
        }
    }

    fn two(&mut self) -> Result<bool, TestError> {
        let a = self.arg(0).unwrap_or("").to_string();
        let b = self.arg(1).unwrap_or("").to_string();
        self.pos += 2;
        if a == "!" {
            return Ok(b.is_empty());
        }
        if UNARY.contains(&a.as_str()) {
            return Ok(self.unary(&a, &b));
        }
        Err(TestError::TwoArgs(a, b))
    }

    fn three(&mut self) -> Result<bool, TestError> {
        let (a, b, c) = (
            self.arg(0).unwrap_or("").to_string(),
            self.arg(1).unwrap_or("").to_string(),
            self.arg(2).unwrap_or("").to_string(),
        );
        if self.is_binary(&b) {
            self.pos += 3;
            return self.binary(&a, &b, &c);
        }
        if matches!(b.as_str(), "-a" | "-o") && !self.double {
            self.pos += 3;
            let (x, y) = (!a.is_empty(), !c.is_empty());
            return Ok(if b == "-a" { x && y } else { x || y });
        }
        if a == "!" {
            self.pos += 1;
            return self.two().map(|v| !v);
        }
        if a == "(" && c == ")" {
            self.pos += 3;
            return Ok(!b.is_empty());
        }
        Err(TestError::BinaryExpected(a, b))
    }

    fn or(&mut self) -> Result<bool, TestError> {
        let mut v = self.and()?;
        while matches!(self.arg(0), Some(op) if op == self.or_word()) {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, TestError> {
        let mut v = self.term(0)?;
        while matches!(self.arg(0), Some(op) if op == self.and_word()) {
            self.pos += 1;
            let r = self.term(0)?;
            v = v && r;
        }
        Ok(v)
    }

    fn or_word(&self) -> &'static str {
        if self.double {
            "||"
        } else {
            "-o"
        }
    }

    fn and_word(&self) -> &'static str {
        if self.double {
            "&&"
        } else {
            "-a"
        }
    }

    fn term(&mut self, depth: usize) -> Result<bool, TestError> {
        let last = self.args.last().cloned().unwrap_or_default();
        let Some(a) = self.arg(0).map(str::to_string) else {
            return Err(TestError::ArgumentExpected(last));
        };
        if depth > MAX_COND_DEPTH {
            return Err(TestError::ParenExpected);
        }
        if a == "!" {
            self.pos += 1;
            return self.term(depth + 1).map(|v| !v);
        }
        if a == "(" {
            self.pos += 1;
            let v = self.or_nested(depth + 1)?;
            if self.arg(0) != Some(")") {
                return Err(TestError::ParenExpected);
            }
            self.pos += 1;
            return Ok(v);
        }
        if let Some(b) = self.arg(1).map(str::to_string) {
            if self.is_binary(&b) {
                let Some(c) = self.arg(2).map(str::to_string) else {
                    return Err(TestError::ArgumentExpected(b));
                };
                self.pos += 3;
                return self.binary(&a, &b, &c);
            }
            if UNARY.contains(&a.as_str()) {
                self.pos += 2;
                return Ok(self.unary(&a, &b));
            }
        } else if UNARY.contains(&a.as_str()) {
            return Err(TestError::ArgumentExpected(a));
        }
        self.pos += 1;
        Ok(!a.is_empty())
    }

    /// `( EXPR )`: an `or` whose terms may nest further.
    fn or_nested(&mut self, depth: usize) -> Result<bool, TestError> {
        let mut v = self.and_nested(depth)?;
        while matches!(self.arg(0), Some(op) if op == self.or_word()) {
            self.pos += 1;
            let r = self.and_nested(depth)?;
            v = v || r;
        }
        Ok(v)
    }

    fn and_nested(&mut self, depth: usize) -> Result<bool, TestError> {
        let mut v = self.term(depth)?;
        while matches!(self.arg(0), Some(op) if op == self.and_word()) {
            self.pos += 1;
            let r = self.term(depth)?;
            v = v && r;
        }
        Ok(v)
    }

    fn unary(&self, op: &str, operand: &str) -> bool {
        unary(op, operand, self.files)
    }

    fn binary(&self, a: &str, op: &str, b: &str) -> Result<bool, TestError> {
        if let Some(cmp) = int_op(op) {
            return Ok(cmp(integer(a)?, integer(b)?));
        }
        Ok(match op {
            "=" | "==" if self.double => glob(b, a),
            "!=" if self.double => !glob(b, a),
            "=~" => regex(a, b).unwrap_or(false),
            _ => strings(a, op, b),
        })
    }
}

/// How deeply `test`'s parentheses and `!` may nest.
const MAX_COND_DEPTH: usize = crate::bounds::COND;

/// A unary file or string test.
fn unary(op: &str, operand: &str, files: &dyn Fn(&str) -> Option<FileKind>) -> bool {
    match op {
        "-z" => operand.is_empty(),
        "-n" => !operand.is_empty(),
        "-f" => matches!(files(operand), Some(FileKind::File(_))),
        "-d" => files(operand) == Some(FileKind::Dir),
        "-s" => {
            matches!(files(operand), Some(FileKind::File(n)) if n > 0)
                || files(operand) == Some(FileKind::Dir)
        }
        "-e" | "-a" | "-r" | "-w" => files(operand).is_some(),
        "-x" => files(operand) == Some(FileKind::Dir),
        _ => false,
    }
}

/// The comparison of an integer operator.
fn int_op(op: &str) -> Option<fn(i64, i64) -> bool> {
    Some(match op {
        "-eq" => |a, b| a == b,
        "-ne" => |a, b| a != b,
        "-lt" => |a, b| a < b,
        "-le" => |a, b| a <= b,
        "-gt" => |a, b| a > b,
        "-ge" => |a, b| a >= b,
        _ => return None,
    })
}

/// String comparisons: `=`, `==`, `!=`, `<`, `>`.
fn strings(a: &str, op: &str, b: &str) -> bool {
    match op {
        "=" | "==" => a == b,
        "!=" => a != b,
        "<" => a < b,
        ">" => a > b,
        _ => false,
    }
}

/// An integer operand of `[`: blanks around an optional sign and digits.
fn integer(s: &str) -> Result<i64, TestError> {
    let t = s.trim_matches(|c: char| c == ' ' || c == '\t');
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TestError::Integer(s.to_string()));
    }
    t.parse().map_err(|_| TestError::Integer(s.to_string()))
}

/// Whether `text` matches the ERE `pattern` anywhere; `None` when it does not compile.
pub fn regex(text: &str, pattern: &str) -> Option<bool> {
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .ok()
        .map(|r| r.is_match(text))
}

/// An operand of `[[ ... ]]` after expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    /// Its text.
    pub text: String,
    /// Unquoted on the right of `==`/`!=`: a glob pattern (quoted, it matches as is).
    pub pattern: bool,
}

/// Evaluates a `[[ ... ]]` expression: its status (0, 1, or 2 for a bad regex) and an error
/// message (after `bash: `) from integer operands, which bash reads as arithmetic.
pub fn eval_cond(
    cond: &Cond<Operand>,
    vars: &mut BTreeMap<String, String>,
    files: &dyn Fn(&str) -> Option<FileKind>,
) -> (i32, Option<String>) {
    match eval(cond, vars, files) {
        Ok(v) => (i32::from(!v), None),
        Err((status, message)) => (status, message),
    }
}

type CondResult = Result<bool, (i32, Option<String>)>;

fn eval(
    cond: &Cond<Operand>,
    vars: &mut BTreeMap<String, String>,
    files: &dyn Fn(&str) -> Option<FileKind>,
) -> CondResult {
    Ok(match cond {
        Cond::Not(c) => !eval(c, vars, files)?,
        Cond::And(a, b) => eval(a, vars, files)? && eval(b, vars, files)?,
        Cond::Or(a, b) => eval(a, vars, files)? || eval(b, vars, files)?,
        Cond::Word(w) => !w.text.is_empty(),
        Cond::Unary(op, w) => unary(op, &w.text, files),
        Cond::Binary(a, op, b) => {
            if let Some(cmp) = int_op(op) {
                let mut value = |w: &Operand| {
                    let expr = if w.text.trim().is_empty() {
                        "0"
                    } else {
                        &w.text
                    };
                    super::arith::eval(expr, vars).map_err(|e| (1, Some(format!("[[: {e}"))))
                };
                let x = value(a)?;
                return Ok(cmp(x, value(b)?));
            }
            match op.as_str() {
                "==" | "=" if b.pattern => glob(&b.text, &a.text),
                "!=" if b.pattern => !glob(&b.text, &a.text),
                "=~" => regex(&a.text, &b.text).ok_or((2, None))?,
                _ => strings(&a.text, op, &b.text),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sh::cond::{is_cond_op, parse_cond, CondTok};

    fn no_files(_: &str) -> Option<FileKind> {
        None
    }

    fn t(words: &str, dialect: Dialect) -> (i32, Option<String>) {
        let args: Vec<String> = words.split(' ').map(str::to_string).collect();
        test("[", &args, dialect, &no_files)
    }

    #[test]
    fn test_follows_posix_rules_and_each_shells_texts() {
        let b = Dialect::Bash;
        assert_eq!(t("1 -lt 2 ]", b), (0, None));
        assert_eq!(t("a = b ]", b), (1, None));
        assert_eq!(t("]", b), (1, None));
        assert_eq!(t("-f ]", b), (0, None));
        assert_eq!(t("! a ]", b), (1, None));
        assert_eq!(t("-z  ]", b), (0, None));
        assert_eq!(t("a -a  ]", b), (1, None));
        assert_eq!(t("( a ) -o ! b ]", b), (0, None));
        let err = |s: &str, d| t(s, d).1.unwrap_or_default();
        assert_eq!(err("x -gt 1 ]", b), "[: x: integer expression expected");
        assert_eq!(err("1 -gt ]", b), "[: 1: unary operator expected");
        assert_eq!(err("1 -gt 2", b), "[: missing `]'");
        assert_eq!(err("a b c ]", b), "[: b: binary operator expected");
        assert_eq!(err("a = ]", b), "[: a: unary operator expected");
        assert_eq!(err("1 -eq 1 -a ]", b), "[: argument expected");
        assert_eq!(
            err("99999999999999999999 -gt 1 ]", b),
            "[: 99999999999999999999: integer expression expected"
        );
        assert_eq!(integer(" -5 "), Ok(-5));
        assert!(integer("5x").is_err());
        assert_eq!(err("x -gt 1 ]", Dialect::Dash), "[: Illegal number: x");
        assert_eq!(err("1 -gt 2", Dialect::Dash), "[: missing ]");
        assert_eq!(err("x -gt 1 ]", Dialect::Ash), "x: bad number");
        assert_eq!(err("1 -gt 2", Dialect::Ash), "missing ]");
        let deep = "( ".repeat(200) + "a" + &" )".repeat(200) + " ]";
        assert_eq!(t(&deep, b).0, 2);
    }

    #[test]
    fn globs() {
        assert!(glob("a*", "abc"));
        assert!(glob("*.yaml", "pod.yaml"));
        assert!(!glob("*.yaml", "pod.yml"));
        assert!(glob("?b[c-e]", "abd"));
        assert!(!glob("[!a]*", "abc"));
        assert!(glob("[", "["));
        assert!(glob("a\\*", "a*"));
        assert!(!glob("a\\*", "ab"));
        assert!(glob("*", ""));
        assert!(glob("*a*a*a*", "aaaa"));
    }

    fn words(s: &str) -> Vec<CondTok<String>> {
        s.split(' ')
            .map(|w| {
                if is_cond_op(w) {
                    CondTok::Op(w.to_string())
                } else {
                    CondTok::Arg(w.to_string())
                }
            })
            .collect()
    }

    fn cond(s: &str) -> Result<i32, String> {
        let c = parse_cond(words(s))?;
        let c = c
            .try_map(&mut |w: &String| {
                Some(Operand {
                    text: w.clone(),
                    pattern: true,
                })
            })
            .unwrap();
        Ok(eval_cond(&c, &mut BTreeMap::new(), &no_files).0)
    }

    #[test]
    fn double_brackets() {
        assert_eq!(cond("abc == a*"), Ok(0));
        assert_eq!(cond("abc != a*"), Ok(1));
        assert_eq!(cond("a && ( b || ! c )"), Ok(0));
        assert_eq!(cond("abc =~ ^a(b|c)c$"), Ok(0));
        assert_eq!(cond("1+1 -eq 2"), Ok(0));
        assert_eq!(cond("x -gt 1"), Ok(1));
        assert_eq!(
            cond("1 -lt").unwrap_err(),
            "unexpected argument `]]' to conditional binary operator"
        );
        assert_eq!(
            cond("-f").unwrap_err(),
            "unexpected argument `]]' to conditional unary operator"
        );
        assert_eq!(
            cond("( a").unwrap_err(),
            "unexpected token `]]', expected `)'"
        );
        assert!(cond(&"( ".repeat(500)).is_err());
    }
}
