//! bash's `printf FORMAT [ARGUMENTS]...` (builtins/printf.def), for the console and any
//! shell: backslash escapes in the format, `%s %b %q %c %d %i %u %o %x %X %f %e %g %%` with
//! flags (`-+ #0`), widths and precisions (also `*`); the format is reused while arguments
//! remain; a missing argument is empty (or 0); a bad number is reported and counts as 0.

/// What `printf` printed, and its complaints (each without the `bash: ` prefix).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Printed {
    /// Standard output.
    pub text: String,
    /// Messages for stderr, like `printf: abc: invalid number`.
    pub errors: Vec<String>,
    /// `\c` in a `%b` argument: print nothing more.
    pub stopped: bool,
    /// Its text passed the shell budget's [`MAX_OUTPUT`] and was cut there (the caller
    /// says so with [`super::budget::Limit::Output`]).
    pub exceeded: bool,
}

/// The widest field or precision honoured, so `%999999999s` cannot exhaust memory.
const MAX_WIDTH: usize = 4096;
/// The most text one `printf` prints: the shell budget's output.
const MAX_TEXT: usize = super::budget::MAX_OUTPUT;

/// Formats `args` by `format` as bash's `printf` does.
pub fn format(format: &str, args: &[String]) -> Printed {
    let mut p = Printed::default();
    let mut next = 0;
    loop {
        let before = next;
        one_pass(format, args, &mut next, &mut p);
        // The format is reused while arguments remain and it consumed some.
        if p.stopped || next >= args.len() || next == before || p.text.len() > MAX_TEXT {
            break;
        }
    }
    if p.text.len() > MAX_TEXT {
        super::budget::cut(&mut p.text, MAX_TEXT);
        p.exceeded = true;
    }
    p
}

/// One pass over the format.
fn one_pass(format: &str, args: &[String], next: &mut usize, p: &mut Printed) {
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if escape(&mut chars, &mut p.text, Escapes::Format) {
                    p.stopped = true;
                    return;
                }
            }
            '%' => {
                if chars.peek() == Some(&'%') {
                    chars.next();
                    p.text.push('%');
                    continue;
                }
                let mut spec = String::from("%");
                take(&mut chars, &mut spec, "-+ #0");
                let flags = spec[1..].to_string();
                let mut width = None;
                if chars.peek() == Some(&'*') {
                    chars.next();
                    width = Some(int_arg(args, next, p));
                } else {
                    let before = spec.len();
                    take(&mut chars, &mut spec, "0123456789");
                    width = spec[before..].parse::<i64>().ok().or(width);
                }
                let mut precision = None;
                if chars.peek() == Some(&'.') {
                    chars.next();
                    if chars.peek() == Some(&'*') {
                        chars.next();
                        precision = Some(int_arg(args, next, p).max(0) as usize);
                    } else {
                        let mut digits = String::new();
                        take(&mut chars, &mut digits, "0123456789");
                        precision = Some(digits.parse::<usize>().unwrap_or(0));
                    }
                }
                // Length modifiers are accepted and ignored.
                while chars.peek().is_some_and(|c| "hlLjzt".contains(*c)) {
                    chars.next();
                }
                let Some(conv) = chars.next() else {
                    p.errors
                        .push("printf: `%': missing format character".into());
                    return;
                };
                let mut left = flags.contains('-');
                let width = match width {
                    Some(w) if w < 0 => {
                        left = true;
                        w.unsigned_abs() as usize
                    }
                    Some(w) => w as usize,
                    None => 0,
                }
                .min(MAX_WIDTH);
                let precision = precision.map(|n| n.min(MAX_WIDTH));
                let field = Field {
                    flags: &flags,
                    left,
                    width,
                    precision,
                };
                if !convert(conv, &field, args, next, p) {
                    return;
                }
            }
            c => p.text.push(c),
        }
    }
}

/// Moves the characters of `set` at the front of `chars` onto `spec`.
fn take(chars: &mut std::iter::Peekable<std::str::Chars>, spec: &mut String, set: &str) {
    while let Some(&c) = chars.peek() {
        if !set.contains(c) {
            break;
        }
        spec.push(c);
        chars.next();
    }
}

/// A conversion's flags, width and precision.
struct Field<'a> {
    flags: &'a str,
    left: bool,
    width: usize,
    precision: Option<usize>,
}

impl Field<'_> {
    /// Pads `body` (with its sign or prefix `lead`) to the width; `numeric`: the `0` flag
    /// pads with zeros (for integers only without a precision, as in C).
    fn pad(&self, lead: &str, body: &str, numeric: bool) -> String {
        let len = lead.chars().count() + body.chars().count();
        let fill = self.width.saturating_sub(len);
        if self.left {
            format!("{lead}{body}{}", " ".repeat(fill))
        } else if numeric && self.flags.contains('0') {
            format!("{lead}{}{body}", "0".repeat(fill))
        } else {
            format!("{}{lead}{body}", " ".repeat(fill))
        }
    }
}

/// Appends one conversion; false when the format is bad (the pass stops).
fn convert(conv: char, f: &Field, args: &[String], next: &mut usize, p: &mut Printed) -> bool {
    let arg = args.get(*next).cloned();
    match conv {
        's' | 'b' | 'q' | 'c' => {
            *next += 1;
            let arg = arg.unwrap_or_default();
            let mut text = match conv {
                'b' => {
                    let (out, stopped) = expand_escapes(&arg, Escapes::Argument);
                    p.stopped |= stopped;
                    out
                }
                'q' => quote(&arg),
                'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                _ => arg,
            };
            if let Some(n) = f.precision.filter(|_| conv != 'c') {
                text = text.chars().take(n).collect();
            }
            p.text.push_str(&f.pad("", &text, false));
            if p.stopped {
                return false;
            }
        }
        'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
            *next += 1;
            let n = arg.map_or(0, |a| number(&a, p));
            let (lead, digits) = match conv {
                'd' | 'i' => {
                    let sign = if n < 0 {
                        "-"
                    } else if f.flags.contains('+') {
                        "+"
                    } else if f.flags.contains(' ') {
                        " "
                    } else {
                        ""
                    };
                    (sign, n.unsigned_abs().to_string())
                }
                'u' => ("", (n as u64).to_string()),
                'o' => (
                    if f.flags.contains('#') { "0" } else { "" },
                    format!("{:o}", n as u64),
                ),
                'x' => (
                    if f.flags.contains('#') && n != 0 {
                        "0x"
                    } else {
                        ""
                    },
                    format!("{:x}", n as u64),
                ),
                _ => (
                    if f.flags.contains('#') && n != 0 {
                        "0X"
                    } else {
                        ""
                    },
                    format!("{:X}", n as u64),
                ),
            };
            let digits = match f.precision {
                Some(prec) if digits.len() < prec => {
                    format!("{}{digits}", "0".repeat(prec - digits.len()))
                }
                Some(0) if n == 0 => String::new(),
                _ => digits,
            };
            p.text
                .push_str(&f.pad(lead, &digits, f.precision.is_none()));
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            *next += 1;
            let v = arg.map_or(0.0, |a| float(&a, p));
            let prec = f.precision.unwrap_or(6);
            let body = match conv {
                'f' | 'F' => format!("{:.prec$}", v.abs()),
                'e' | 'E' => exponent(v.abs(), prec, conv == 'E'),
                _ => general(v.abs(), prec.max(1), conv == 'G', f.flags.contains('#')),
            };
            let sign = if v.is_sign_negative() && v != 0.0 {
                "-"
            } else if f.flags.contains('+') {
                "+"
            } else if f.flags.contains(' ') {
                " "
            } else {
                ""
            };
            p.text.push_str(&f.pad(sign, &body, v.is_finite()));
        }
        other => {
            p.errors
                .push(format!("printf: `{other}': invalid format character"));
            return false;
        }
    }
    true
}

/// A `*` width or precision from the arguments.
fn int_arg(args: &[String], next: &mut usize, p: &mut Printed) -> i64 {
    let v = args.get(*next).map_or(0, |a| number(a, p));
    *next += 1;
    v.clamp(-(MAX_WIDTH as i64), MAX_WIDTH as i64)
}

/// An integer argument as bash reads it: decimal, `0x` hex, `0` octal, `'c` a character's
/// code; trailing junk is an error (the number read so far is used).
fn number(arg: &str, p: &mut Printed) -> i64 {
    let t = arg.trim_start();
    if let Some(c) = t.strip_prefix(['\'', '"']) {
        return c.chars().next().map_or(0, |c| c as i64);
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, h)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    let end = digits
        .char_indices()
        .find(|(_, c)| !c.is_digit(radix))
        .map_or(digits.len(), |(i, _)| i);
    let value = i64::from_str_radix(&digits[..end], radix);
    let value = match value {
        Ok(v) => v,
        Err(_) if end == 0 => 0,
        Err(_) => {
            p.errors
                .push(format!("printf: {arg}: Numerical result out of range"));
            i64::MAX
        }
    };
    if end < digits.len() || (end == 0 && radix == 10) {
        p.errors.push(format!("printf: {arg}: invalid number"));
    }
    if neg {
        value.saturating_neg()
    } else {
        value
    }
}

/// A floating-point argument; junk is an error (0 is used).
fn float(arg: &str, p: &mut Printed) -> f64 {
    let t = arg.trim();
    if let Some(c) = t.strip_prefix(['\'', '"']) {
        return c.chars().next().map_or(0.0, |c| c as u32 as f64);
    }
    match t.parse::<f64>() {
        Ok(v) => v,
        Err(_) => {
            p.errors.push(format!("printf: {arg}: invalid number"));
            0.0
        }
    }
}

/// `%e`: `d.ddddde+XX`.
fn exponent(v: f64, prec: usize, upper: bool) -> String {
    if !v.is_finite() {
        return special(v, upper);
    }
    let s = format!("{v:.prec$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    let e = if upper { 'E' } else { 'e' };
    format!("{mantissa}{e}{sign}{:02}", exp.abs())
}

/// `%g`: `%e` or `%f` by the exponent, trailing zeros removed (kept with `#`).
fn general(v: f64, prec: usize, upper: bool, keep_zeros: bool) -> String {
    if !v.is_finite() {
        return special(v, upper);
    }
    let exp = if v == 0.0 {
        0
    } else {
        v.log10().floor() as i32
    };
    let strip = |s: String| {
        if keep_zeros || !s.contains('.') {
            return s;
        }
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if exp < -4 || exp >= prec as i32 {
        let s = exponent(v, prec - 1, upper);
        let (m, e) = s.split_once(['e', 'E']).unwrap_or((&s, ""));
        let e_char = if upper { 'E' } else { 'e' };
        format!("{}{e_char}{e}", strip(m.to_string()))
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        strip(format!("{v:.decimals$}"))
    }
}

fn special(v: f64, upper: bool) -> String {
    let s = if v.is_nan() { "nan" } else { "inf" };
    if upper {
        s.to_uppercase()
    } else {
        s.into()
    }
}

/// A backslash escape after its `\` (the format's, or `%b`'s with `\0NNN`); true on `\c`
/// in a `%b` argument (printing stops).
/// Which backslash escapes a string takes: a printf format's, `%b`'s argument's, or
/// `echo -e`'s (as `%b`, but `\1`–`\7` are no escapes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// A printf format.
    Format,
    /// A `%b` argument.
    Argument,
    /// `echo -e`.
    Echo,
}

/// `s` with `mode`'s backslash escapes expanded; `true` when `\c` ended it.
pub fn expand_escapes(s: &str, mode: Escapes) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
        } else if escape(&mut chars, &mut out, mode) {
            return (out, true);
        }
    }
    (out, false)
}

fn escape(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    out: &mut String,
    mode: Escapes,
) -> bool {
    let b = mode != Escapes::Format;
    let Some(e) = chars.next() else {
        out.push('\\');
        return false;
    };
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'e' | 'E' => Some('\u{1b}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '"' if !b => Some('"'),
        '\'' if !b => Some('\''),
        '?' if !b => Some('?'),
        _ => None,
    };
    if let Some(c) = simple {
        out.push(c);
        return false;
    }
    match e {
        'c' if b => return true,
        '1'..='7' if mode == Escapes::Echo => {
            out.push('\\');
            out.push(e);
        }
        '0'..='7' | 'x' => {
            let (radix, max, mut value, mut digits) = match e {
                'x' => (16, 2, 0u32, 0),
                // `%b` reads `\0NNN` (up to three digits after the 0).
                '0' if b => (8, 3, 0, 0),
                d => (8, 2, d.to_digit(8).unwrap_or(0), 1),
            };
            let limit = if e == 'x' || (e == '0' && b) {
                max
            } else {
                max + 1
            };
            while digits < limit {
                match chars.peek().and_then(|d| d.to_digit(radix)) {
                    Some(d) => {
                        value = value * radix + d;
                        digits += 1;
                        chars.next();
                    }
                    None => break,
                }
            }
            if e == 'x' && digits == 0 {
                out.push_str("\\x");
            } else {
                out.push(char::from_u32(value & 0xff).unwrap_or('?'));
            }
        }
        other => {
            out.push('\\');
            out.push(other);
        }
    }
    false
}

/// `%q`: the argument quoted for reuse as shell input, as bash quotes it: `''` when empty,
/// `$'...'` when it holds control characters, otherwise backslashes before specials.
pub fn quote(s: &str) -> String {
    if s.is_empty() {
        return "''".into();
    }
    if s.chars().any(|c| c.is_control()) {
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{b}' => out.push_str("\\v"),
                '\u{c}' => out.push_str("\\f"),
                '\u{1b}' => out.push_str("\\E"),
                '\'' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c if c.is_control() => out.push_str(&format!("\\{:03o}", c as u32 & 0xff)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        let special = " '\"\\|&;()<>!{}*[?]^$`,".contains(c) || (i == 0 && (c == '~' || c == '#'));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pf(format_: &str, args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        format(format_, &args).text
    }

    #[test]
    fn conversions_as_bash() {
        assert_eq!(pf("%s-%d\\n", &["a", "1", "b", "2"]), "a-1\nb-2\n");
        assert_eq!(pf("%-10s|\\n", &["ab"]), "ab        |\n");
        assert_eq!(
            pf("%5s|%-5d|%05d\\n", &["x", "3", "42"]),
            "    x|3    |00042\n"
        );
        assert_eq!(pf("%s %s\\n", &["a"]), "a \n");
        assert_eq!(pf("%d\\n", &[]), "0\n");
        assert_eq!(
            pf("%x %X %o %#x\\n", &["255", "255", "8", "255"]),
            "ff FF 10 0xff\n"
        );
        assert_eq!(
            pf("%.2f %e %g\\n", &["3.14159", "1234.5", "0.0001"]),
            "3.14 1.234500e+03 0.0001\n"
        );
        assert_eq!(pf("%g %g\\n", &["100000", "1000000"]), "100000 1e+06\n");
        assert_eq!(pf("%q\\n", &["a b'c"]), "a\\ b\\'c\n");
        assert_eq!(
            pf("%05.1f|%5.3d|%q\\n", &["3.14159", "7", "x y"]),
            "003.1|  007|x\\ y\n"
        );
        assert_eq!(pf("%q %q\\n", &["", "a\tb"]), "'' $'a\\tb'\n");
        assert_eq!(pf("%b|%s\\n", &["x\\ty", "x\\ty"]), "x\ty|x\\ty\n");
        assert_eq!(pf("%b", &["a\\cb", "c"]), "a");
        assert_eq!(pf("%c%c\\n", &["hello", "w"]), "hw\n");
        assert_eq!(pf("100%%\\n", &[]), "100%\n");
        assert_eq!(pf("%*d|%.3s\\n", &["4", "7", "abcdef"]), "   7|abc\n");
        assert_eq!(pf("%d\\n", &["'A"]), "65\n");
        assert_eq!(pf("\\101\\x42\\n", &[]), "AB\n");
        assert_eq!(pf("no args\\n", &["x", "y"]), "no args\n");
    }

    #[test]
    fn errors_as_bash() {
        let p = format("%d\n", &["abc".into()]);
        assert_eq!(p.text, "0\n");
        assert_eq!(p.errors, ["printf: abc: invalid number"]);
        let p = format("%d\n", &["3x".into()]);
        assert_eq!((p.text.as_str(), p.errors.len()), ("3\n", 1));
        let p = format("%y\n", &[]);
        assert_eq!(p.errors, ["printf: `y': invalid format character"]);
        assert_eq!(
            format("%", &[]).errors,
            ["printf: `%': missing format character"]
        );
        assert!(format("%999999999s", &[]).text.len() <= MAX_WIDTH);
    }
}
