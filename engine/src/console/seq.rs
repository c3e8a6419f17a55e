//! `seq` as GNU coreutils 9.1 prints it: `seq [-w] [-s SEP] [-f FORMAT] [FIRST [INCREMENT]]
//! LAST` with its default `%.PRECf` format (precision and width from the operands as typed),
//! its option and operand errors. Decimal operands only (no hexadecimal). The output stops
//! at the console's byte bound (`exec::MAX_OUTPUT`), as if Ctrl-C were pressed.

use crate::cluster::Cluster;
use crate::node::process::budget::{Limit, MAX_OUTPUT};
use crate::output::Output;

const TRY: &str = "Try 'seq --help' for more information.";

const HELP: &str = "\
Usage: seq [OPTION]... LAST
  or:  seq [OPTION]... FIRST LAST
  or:  seq [OPTION]... FIRST INCREMENT LAST
Print numbers from FIRST to LAST, in steps of INCREMENT.

Mandatory arguments to long options are mandatory for short options too.
  -f, --format=FORMAT      use printf style floating-point FORMAT
  -s, --separator=STRING   use STRING to separate numbers (default: \\n)
  -w, --equal-width        equalize width by padding with leading zeroes
      --help        display this help and exit
      --version     output version information and exit

If FIRST or INCREMENT is omitted, it defaults to 1.  That is, an
omitted INCREMENT defaults to 1 even when LAST is smaller than FIRST.
The sequence of numbers ends when the sum of the current number and
INCREMENT would become greater than LAST.
FIRST, INCREMENT, and LAST are interpreted as floating point values.
INCREMENT is usually positive if FIRST is smaller than LAST, and
INCREMENT is usually negative if FIRST is greater than LAST.
INCREMENT must not be 0; none of FIRST, INCREMENT and LAST may be NaN.
FORMAT must be suitable for printing one argument of type 'double';
it defaults to %.PRECf if FIRST, INCREMENT, and LAST are all fixed point
decimal numbers with maximum precision PREC, and to %g otherwise.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/seq>
or available locally via: info '(coreutils) seq invocation'";

const VERSION: &str = "\
seq (GNU coreutils) 9.1
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.

Written by Ulrich Drepper.";

/// Runs `seq ARGS`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    match sequence(args) {
        Ok(Done::Text(text)) => {
            let mut o = Output::default();
            o.out(text);
            o
        }
        Ok(Done::Numbers(text, complete)) => {
            if !complete {
                cluster.console.exceed(Limit::Output);
            }
            let mut o = Output::default();
            o.out_raw(text);
            o
        }
        Err(message) => Output::failure(message),
    }
}

/// What `seq` printed: help or version text, or the numbers (false: cut at the bound).
enum Done {
    Text(&'static str),
    Numbers(String, bool),
}

/// Options as given.
#[derive(Default)]
struct Options {
    separator: Option<String>,
    format: Option<String>,
    equal_width: bool,
}

fn usage_error(message: String) -> String {
    format!("seq: {message}\n{TRY}")
}

fn sequence(args: &[String]) -> Result<Done, String> {
    let mut opts = Options::default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let mut chars = arg.chars();
        let second = chars.nth(1);
        // A negative number is an operand, not options.
        if !arg.starts_with('-')
            || arg == "-"
            || second.is_some_and(|c| c == '.' || c.is_ascii_digit())
        {
            break;
        }
        i += 1;
        if arg == "--" {
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            if let Some(done) = long_option(long, args, &mut i, &mut opts)? {
                return Ok(done);
            }
            continue;
        }
        let cluster: Vec<char> = arg.chars().skip(1).collect();
        for (k, c) in cluster.iter().enumerate() {
            match c {
                'w' => opts.equal_width = true,
                's' | 'f' => {
                    let rest: String = cluster[k + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest
                    } else if let Some(next) = args.get(i) {
                        i += 1;
                        next.clone()
                    } else {
                        return Err(usage_error(format!("option requires an argument -- '{c}'")));
                    };
                    if *c == 's' {
                        opts.separator = Some(value);
                    } else {
                        opts.format = Some(value);
                    }
                    break;
                }
                _ => return Err(usage_error(format!("invalid option -- '{c}'"))),
            }
        }
    }
    let operands = &args[i.min(args.len())..];
    match operands.len() {
        0 => return Err(usage_error("missing operand".into())),
        1..=3 => {}
        _ => return Err(usage_error(format!("extra operand '{}'", operands[3]))),
    }
    let format = match &opts.format {
        Some(f) => Some(Format::parse(f)?),
        None => None,
    };
    if format.is_some() && opts.equal_width {
        return Err(usage_error(
            "format string may not be specified when printing equal width strings".into(),
        ));
    }
    let one = Operand {
        value: 1.0,
        width: 1,
        precision: Some(0),
    };
    let scanned = operands
        .iter()
        .map(|a| Operand::scan(a))
        .collect::<Result<Vec<_>, _>>()?;
    let (first, step, last) = match scanned.as_slice() {
        [last] => (one.clone(), one, last.clone()),
        [first, last] => (first.clone(), one, last.clone()),
        [first, step, last] => (first.clone(), step.clone(), last.clone()),
        _ => return Err(usage_error("missing operand".into())),
    };
    if step.value == 0.0 {
        return Err(usage_error(format!(
            "invalid Zero increment value: '{}'",
            operands[1]
        )));
    }
    let format =
        format.unwrap_or_else(|| Format::default_for(&first, &step, &last, opts.equal_width));
    let separator = opts.separator.unwrap_or_else(|| "\n".into());
    Ok(print(
        &format,
        &separator,
        first.value,
        step.value,
        last.value,
    ))
}

/// `--name[=value]`; `Some` for `--help` and `--version`, which print and end.
fn long_option(
    long: &str,
    args: &[String],
    i: &mut usize,
    opts: &mut Options,
) -> Result<Option<Done>, String> {
    const NAMES: [&str; 5] = ["equal-width", "format", "help", "separator", "version"];
    let (name, value) = match long.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (long, None),
    };
    let Some(full) = NAMES
        .iter()
        .find(|n| n.starts_with(name) && !name.is_empty())
    else {
        return Err(usage_error(format!("unrecognized option '--{long}'")));
    };
    let takes_value = matches!(*full, "format" | "separator");
    if !takes_value && value.is_some() {
        return Err(usage_error(format!(
            "option '--{full}' doesn't allow an argument"
        )));
    }
    let value = match value {
        Some(v) => v,
        None if takes_value => match args.get(*i) {
            Some(v) => {
                *i += 1;
                v.clone()
            }
            None => {
                return Err(usage_error(format!(
                    "option '--{full}' requires an argument"
                )))
            }
        },
        None => String::new(),
    };
    match *full {
        "equal-width" => opts.equal_width = true,
        "format" => opts.format = Some(value),
        "separator" => opts.separator = Some(value),
        "help" => return Ok(Some(Done::Text(HELP))),
        _ => return Ok(Some(Done::Text(VERSION))),
    }
    Ok(None)
}

/// An operand: its value, and its width and precision as typed (coreutils' `scan_arg`).
#[derive(Clone, Debug)]
struct Operand {
    value: f64,
    width: usize,
    /// Digits after the decimal point; `None` when not a fixed-point number.
    precision: Option<usize>,
}

impl Operand {
    fn scan(arg: &str) -> Result<Operand, String> {
        let trimmed = arg.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let valid = !trimmed.is_empty()
            && trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
            && !trimmed.contains(['x', 'X', '_']);
        let value: f64 = match trimmed.parse() {
            Ok(v) if valid => v,
            _ => {
                return Err(usage_error(format!(
                    "invalid floating point argument: '{arg}'"
                )))
            }
        };
        if value.is_nan() {
            return Err(usage_error(format!(
                "invalid 'not-a-number' argument: '{arg}'"
            )));
        }
        let text = trimmed.trim_start_matches('+');
        let decimal_point = text.find('.');
        let mut width: i64 = 0;
        let mut precision: Option<i64> = decimal_point.is_none().then_some(0);
        if value.is_finite() {
            width = text.len() as i64;
            let mut fraction_len = 0i64;
            if let Some(dp) = decimal_point {
                let after = &text[dp + 1..];
                fraction_len = after.find(['e', 'E']).unwrap_or(after.len()) as i64;
                precision = Some(fraction_len);
                let digit_before = text[..dp].ends_with(|c: char| c.is_ascii_digit());
                width += if fraction_len == 0 {
                    -1
                } else {
                    i64::from(!digit_before)
                };
            }
            if let Some(e) = text.find(['e', 'E']) {
                let exponent: i64 = text[e + 1..].parse().unwrap_or(0).max(-i64::MAX);
                let p = precision.unwrap_or(0);
                precision = Some(if exponent < 0 {
                    p - exponent
                } else {
                    p - p.min(exponent)
                });
                width -= (text.len() - e) as i64;
                let mut exponent = exponent;
                if exponent < 0 {
                    if decimal_point.is_none_or(|dp| e == dp + 1) {
                        width += 1;
                    }
                    exponent = -exponent;
                } else {
                    if decimal_point.is_some() && precision == Some(0) && fraction_len > 0 {
                        width -= 1;
                    }
                    exponent -= fraction_len.min(exponent);
                }
                width = width.saturating_add(exponent);
            }
        }
        Ok(Operand {
            value,
            width: width.clamp(0, 4096) as usize,
            precision: precision.map(|p| p.clamp(0, 4096) as usize),
        })
    }
}

/// A `printf` floating-point directive with its text around it (`-f`, or the default).
#[derive(Clone, Debug, Default)]
struct Format {
    prefix: String,
    suffix: String,
    flags: String,
    width: usize,
    precision: Option<usize>,
    conversion: char,
}

impl Format {
    /// coreutils' `get_default_format`: `%.PRECf` (`%0W.PRECf` with `-w`) or `%g`.
    fn default_for(first: &Operand, step: &Operand, last: &Operand, equal_width: bool) -> Format {
        let mut format = Format {
            conversion: 'g',
            ..Format::default()
        };
        let (Some(fp), Some(sp), Some(lp)) = (first.precision, step.precision, last.precision)
        else {
            return format;
        };
        let prec = fp.max(sp);
        format.conversion = 'f';
        format.precision = Some(prec);
        if equal_width {
            let first_width = first.width + (prec - fp) + usize::from(fp == 0 && prec > 0);
            let mut last_width = (last.width + prec).saturating_sub(lp);
            if lp > 0 && prec == 0 {
                last_width = last_width.saturating_sub(1);
            }
            if lp == 0 && prec > 0 {
                last_width += 1;
            }
            format.flags = "0".into();
            format.width = first_width.max(last_width);
        }
        format
    }

    /// Checks a `-f` FORMAT as coreutils' `long_double_format` does.
    fn parse(fmt: &str) -> Result<Format, String> {
        let chars: Vec<char> = fmt.chars().collect();
        let mut format = Format::default();
        let mut i = 0;
        loop {
            match (chars.get(i), chars.get(i + 1)) {
                (None, _) => return Err(format!("seq: format '{fmt}' has no % directive")),
                (Some('%'), Some('%')) => {
                    format.prefix.push('%');
                    i += 2;
                }
                (Some('%'), _) => break,
                (Some(c), _) => {
                    format.prefix.push(*c);
                    i += 1;
                }
            }
        }
        i += 1;
        while let Some(c) = chars.get(i).filter(|c| "-+#0 '".contains(**c)) {
            format.flags.push(*c);
            i += 1;
        }
        let number = |i: &mut usize| {
            let mut n = 0usize;
            while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(d as usize).min(4096);
                *i += 1;
            }
            n
        };
        format.width = number(&mut i);
        if chars.get(i) == Some(&'.') {
            i += 1;
            format.precision = Some(number(&mut i));
        }
        if chars.get(i) == Some(&'L') {
            i += 1;
        }
        match chars.get(i) {
            None => return Err(format!("seq: format '{fmt}' ends in %")),
            Some(c) if "efgaEFGA".contains(*c) => format.conversion = *c,
            Some(c) => return Err(format!("seq: format '{fmt}' has unknown %{c} directive")),
        }
        i += 1;
        while let Some(c) = chars.get(i) {
            match (c, chars.get(i + 1)) {
                ('%', Some('%')) => {
                    format.suffix.push('%');
                    i += 2;
                }
                ('%', _) => return Err(format!("seq: format '{fmt}' has too many % directives")),
                _ => {
                    format.suffix.push(*c);
                    i += 1;
                }
            }
        }
        Ok(format)
    }

    /// `printf(format, x)`.
    fn apply(&self, x: f64) -> String {
        let upper = self.conversion.is_ascii_uppercase();
        let mut digits = if !x.is_finite() {
            let s = if x.is_nan() { "nan" } else { "inf" };
            s.to_string()
        } else {
            let p = self.precision.unwrap_or(6);
            match self.conversion.to_ascii_lowercase() {
                'f' => format!("{:.*}", p, x.abs()),
                'e' => exponential(x.abs(), p),
                _ => general(x.abs(), p, self.flags.contains('#')),
            }
        };
        if upper {
            digits = digits.to_uppercase();
        }
        let sign = if x.is_sign_negative() {
            "-"
        } else if self.flags.contains('+') {
            "+"
        } else if self.flags.contains(' ') {
            " "
        } else {
            ""
        };
        let len = sign.len() + digits.len();
        let pad = self.width.saturating_sub(len);
        let body = if self.flags.contains('-') {
            format!("{sign}{digits}{}", " ".repeat(pad))
        } else if self.flags.contains('0') && x.is_finite() {
            format!("{sign}{}{digits}", "0".repeat(pad))
        } else {
            format!("{}{sign}{digits}", " ".repeat(pad))
        };
        format!("{}{body}{}", self.prefix, self.suffix)
    }
}

/// `%.Pe` of a non-negative number: `1.500000e+02`.
fn exponential(x: f64, p: usize) -> String {
    let s = format!("{:.*e}", p, x);
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

/// `%.Pg` of a non-negative number: the shorter of `%f` and `%e`, without trailing zeros.
fn general(x: f64, p: usize, keep_zeros: bool) -> String {
    let p = p.max(1);
    let e = format!("{:.*e}", p - 1, x);
    let exponent: i64 = e
        .split_once('e')
        .and_then(|(_, x)| x.parse().ok())
        .unwrap_or(0);
    let mut s = if exponent < p as i64 && exponent >= -4 {
        format!("{:.*}", (p as i64 - 1 - exponent).max(0) as usize, x)
    } else {
        exponential(x, p - 1)
    };
    if !keep_zeros {
        let (number, exp) = match s.find('e') {
            Some(at) => (s[..at].to_string(), s[at..].to_string()),
            None => (s.clone(), String::new()),
        };
        let number = if number.contains('.') {
            number
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            number
        };
        s = number + &exp;
    }
    s
}

/// coreutils' `print_numbers`: FIRST + i×STEP while within LAST, plus the one past LAST when
/// it prints as LAST (rounding); at most [`MAX_OUTPUT`] bytes.
fn print(format: &Format, separator: &str, first: f64, step: f64, last: f64) -> Done {
    let out_of_range = |x: f64| if step < 0.0 { x < last } else { last < x };
    let mut text = String::new();
    if out_of_range(first) {
        return Done::Numbers(text, true);
    }
    let mut x = first;
    let mut i = 1.0;
    loop {
        let shown = format.apply(x);
        text.push_str(&shown);
        if text.len() > MAX_OUTPUT {
            return Done::Numbers(text, false);
        }
        let next = first + i * step;
        i += 1.0;
        if out_of_range(next) {
            // Print it if it reads as LAST and differs from the number before.
            let next_shown = format.apply(next);
            let number = next_shown
                .strip_prefix(format.prefix.as_str())
                .and_then(|s| s.strip_suffix(format.suffix.as_str()))
                .unwrap_or(&next_shown);
            let reads_as_last = number.trim().parse::<f64>().is_ok_and(|v| v == last);
            if !(reads_as_last && next_shown != shown) {
                break;
            }
        }
        text.push_str(separator);
        x = next;
    }
    text.push('\n');
    Done::Numbers(text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(args: &str) -> String {
        let args: Vec<String> = args.split_whitespace().map(String::from).collect();
        match sequence(&args) {
            Ok(Done::Numbers(t, _)) => t,
            Ok(Done::Text(t)) => t.to_string(),
            Err(e) => e,
        }
    }

    #[test]
    fn integers_and_steps() {
        assert_eq!(seq("3"), "1\n2\n3\n");
        assert_eq!(seq("2 4"), "2\n3\n4\n");
        assert_eq!(seq("1 2 10"), "1\n3\n5\n7\n9\n");
        assert_eq!(seq("10 -2 1"), "10\n8\n6\n4\n2\n");
        assert_eq!(seq("5 1"), "");
        assert_eq!(seq("-1"), "");
        assert_eq!(seq("-- -3 -1"), "-3\n-2\n-1\n");
        assert_eq!(seq("1e1 1.2e1"), "10\n11\n12\n");
        assert_eq!(seq("-0 1"), "-0\n1\n");
    }

    #[test]
    fn decimals_widths_and_separators() {
        assert_eq!(seq("1 0.5 2"), "1.0\n1.5\n2.0\n");
        assert_eq!(seq("1 0.1 1.3"), "1.0\n1.1\n1.2\n1.3\n");
        assert_eq!(seq(".5 2"), "0.5\n1.5\n");
        assert_eq!(seq("-w 8 10"), "08\n09\n10\n");
        assert_eq!(seq("-w -5 -4"), "-5\n-4\n");
        assert_eq!(seq("-w -1 1"), "-1\n00\n01\n");
        assert_eq!(seq("-w 1 0.05 1.1"), "1.00\n1.05\n1.10\n");
        assert_eq!(seq("-s, 3"), "1,2,3\n");
        assert_eq!(seq("-ws: 9 11"), "09:10:11\n");
        assert_eq!(seq("--separator=: 3"), "1:2:3\n");
        assert_eq!(seq("-f %5.2f 2"), " 1.00\n 2.00\n");
        assert_eq!(seq("-f x%gy 1 0.5 2"), "x1y\nx1.5y\nx2y\n");
        assert_eq!(seq("-f %e 1"), "1.000000e+00\n");
        assert_eq!(seq("-f %05g -2 -1"), "-0002\n-0001\n");
        assert_eq!(seq("-f %g 1234567 1234567"), "1.23457e+06\n");
        assert_eq!(seq("-f %%%g 1"), "%1\n");
    }

    #[test]
    fn errors_read_like_coreutils() {
        assert_eq!(seq(""), format!("seq: missing operand\n{TRY}"));
        assert_eq!(
            seq("x"),
            format!("seq: invalid floating point argument: 'x'\n{TRY}")
        );
        assert_eq!(
            seq("1 0 5"),
            format!("seq: invalid Zero increment value: '0'\n{TRY}")
        );
        assert_eq!(
            seq("nan"),
            format!("seq: invalid 'not-a-number' argument: 'nan'\n{TRY}")
        );
        assert_eq!(seq("1 2 3 4"), format!("seq: extra operand '4'\n{TRY}"));
        assert_eq!(seq("-q 3"), format!("seq: invalid option -- 'q'\n{TRY}"));
        assert_eq!(seq("-inf"), format!("seq: invalid option -- 'i'\n{TRY}"));
        assert_eq!(
            seq("--foo"),
            format!("seq: unrecognized option '--foo'\n{TRY}")
        );
        assert_eq!(
            seq("-s"),
            format!("seq: option requires an argument -- 's'\n{TRY}")
        );
        assert_eq!(
            seq("--separator"),
            format!("seq: option '--separator' requires an argument\n{TRY}")
        );
        assert_eq!(seq("-f %d 3"), "seq: format '%d' has unknown %d directive");
        assert_eq!(seq("-f abc 3"), "seq: format 'abc' has no % directive");
        assert!(seq("--help").starts_with("Usage: seq [OPTION]... LAST\n"));
    }

    #[test]
    fn endless_sequences_stop_at_the_bound() {
        let args: Vec<String> = ["1", "inf"].map(String::from).to_vec();
        match sequence(&args) {
            Ok(Done::Numbers(text, complete)) => {
                assert!(!complete);
                assert!(text.len() <= MAX_OUTPUT + 64);
            }
            _ => panic!("numbers expected"),
        }
    }
}
