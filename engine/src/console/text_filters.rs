//! Text filters for pipes, with GNU coreutils/grep semantics and messages: `grep` (the one
//! both shells share, `node::process::grep`), `sort`, `uniq`, `cut`, `tr`, `base64`, and `awk '{print $N}'`.

use crate::cluster::Cluster;
use crate::output::Output;

/// Runs one of the filters, or `None` if `program` is not one of them.
pub fn run(
    cluster: &Cluster,
    program: &str,
    args: &[String],
    stdin: Option<&str>,
) -> Option<Output> {
    Some(match program {
        "grep" | "egrep" | "fgrep" => grep(cluster, program, args, stdin),
        "sort" => sort(cluster, args, stdin),
        "uniq" => uniq(cluster, args, stdin),
        "cut" => cut(cluster, args, stdin),
        "tr" => tr(args, stdin.unwrap_or("")),
        "base64" => base64(cluster, args, stdin),
        "awk" => awk(cluster, args, stdin),
        _ => return None,
    })
}

fn fail(message: impl AsRef<str>, code: i32) -> Output {
    let mut o = Output::failure(message);
    o.exit_code = code;
    o
}

/// The text of the named files (or stdin when none, or `-`), with GNU's missing-file message.
fn read_inputs(
    cluster: &Cluster,
    program: &str,
    files: &[String],
    stdin: Option<&str>,
    errors: &mut Output,
) -> String {
    if files.is_empty() {
        return stdin.unwrap_or("").to_string();
    }
    let mut text = String::new();
    for f in files {
        if f == "-" {
            text.push_str(stdin.unwrap_or(""));
        } else if let Some(t) = cluster.console.files.read(f) {
            text.push_str(t);
        } else {
            errors.err(format!("{program}: {f}: No such file or directory"));
            errors.exit_code = 1;
        }
    }
    text
}

fn out_lines(o: &mut Output, lines: &[String]) {
    if !lines.is_empty() {
        o.out(lines.join("\n"));
    }
}

// ---------------------------------------------------------------- grep

/// `grep` on the learner's machine (GNU), reading the workspace's files.
fn grep(cluster: &Cluster, program: &str, args: &[String], stdin: Option<&str>) -> Output {
    let read = |path: &str| {
        let text = cluster.console.files.read(path).map(str::to_string);
        text.ok_or("No such file or directory")
    };
    crate::node::process::grep::run(program, args, stdin, &read, false)
}

// ---------------------------------------------------------------- sort, uniq

fn sort(cluster: &Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let (mut reverse, mut numeric, mut unique) = (false, false, false);
    let mut key: Option<usize> = None;
    let mut separator: Option<char> = None;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if !a.starts_with('-') || a == "-" {
            files.push(a.clone());
            continue;
        }
        let chars: Vec<char> = a.chars().skip(1).collect();
        let mut j = 0;
        while j < chars.len() {
            match chars[j] {
                'r' => reverse = true,
                'n' | 'h' | 'g' => numeric = true,
                'u' => unique = true,
                'f' | 'b' | 'V' => {}
                'k' | 't' => {
                    let rest: String = chars[j + 1..].iter().collect();
                    let value = if rest.is_empty() {
                        i += 1;
                        args.get(i - 1).cloned()
                    } else {
                        Some(rest)
                    };
                    let Some(value) = value else {
                        return fail(format!("sort: option requires an argument -- '{}'\nTry 'sort --help' for more information.", chars[j]), 2);
                    };
                    if chars[j] == 't' {
                        let mut cs = value.chars();
                        match (cs.next(), cs.next()) {
                            (Some(c), None) => separator = Some(c),
                            _ => return fail(format!("sort: multi-character tab '{value}'"), 2),
                        }
                    } else {
                        let field: String = value.chars().take_while(char::is_ascii_digit).collect();
                        match field.parse::<usize>() {
                            Ok(n) if n > 0 => key = Some(n),
                            Ok(_) => return fail(format!("sort: field number is zero: invalid field specification '{value}'"), 2),
                            _ => return fail(format!("sort: invalid number at field start: invalid count at start of '{value}'"), 2),
                        }
                        if value.contains('n') {
                            numeric = true;
                        }
                        if value.contains('r') {
                            reverse = true;
                        }
                    }
                    break;
                }
                other => return fail(format!("sort: invalid option -- '{other}'\nTry 'sort --help' for more information."), 2),
            }
            j += 1;
        }
    }
    let mut out = Output::default();
    let text = read_inputs(cluster, "sort", &files, stdin, &mut out);
    let field = |line: &str| -> String {
        match key {
            None => line.to_string(),
            Some(k) => match separator {
                Some(sep) => line
                    .split(sep)
                    .skip(k - 1)
                    .collect::<Vec<_>>()
                    .join(&sep.to_string()),
                None => {
                    let words: Vec<&str> = line.split_whitespace().collect();
                    words.get(k - 1..).map(|w| w.join(" ")).unwrap_or_default()
                }
            },
        }
    };
    let number = |s: &str| -> f64 {
        let s = s.trim_start();
        let end = s
            .char_indices()
            .take_while(|(i, c)| c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-'))
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        s[..end].parse().unwrap_or(0.0)
    };
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_by(|a, b| {
        let (ka, kb) = (field(a), field(b));
        let primary = if numeric {
            number(&ka)
                .partial_cmp(&number(&kb))
                .unwrap_or(std::cmp::Ordering::Equal)
        } else {
            ka.cmp(&kb)
        };
        primary.then_with(|| a.cmp(b))
    });
    if reverse {
        lines.reverse();
    }
    if unique {
        lines.dedup_by(|a, b| field(a) == field(b));
    }
    let lines: Vec<String> = lines.into_iter().map(str::to_string).collect();
    out_lines(&mut out, &lines);
    out
}

fn uniq(cluster: &Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let (mut count, mut dups, mut singles, mut ignore_case) = (false, false, false, false);
    let mut files = Vec::new();
    for a in args {
        if a.starts_with('-') && a.len() > 1 {
            for c in a.chars().skip(1) {
                match c {
                    'c' => count = true,
                    'd' => dups = true,
                    'u' => singles = true,
                    'i' => ignore_case = true,
                    other => return fail(format!("uniq: invalid option -- '{other}'\nTry 'uniq --help' for more information."), 1),
                }
            }
        } else {
            files.push(a.clone());
        }
    }
    let mut out = Output::default();
    let text = read_inputs(cluster, "uniq", &files, stdin, &mut out);
    let mut groups: Vec<(usize, &str)> = Vec::new();
    for line in text.lines() {
        match groups.last_mut() {
            Some((n, prev))
                if *prev == line || (ignore_case && prev.eq_ignore_ascii_case(line)) =>
            {
                *n += 1
            }
            _ => groups.push((1, line)),
        }
    }
    let lines: Vec<String> = groups
        .into_iter()
        .filter(|(n, _)| (!dups || *n > 1) && (!singles || *n == 1))
        .map(|(n, l)| {
            if count {
                format!("{n:>7} {l}")
            } else {
                l.to_string()
            }
        })
        .collect();
    out_lines(&mut out, &lines);
    out
}

// ---------------------------------------------------------------- cut

fn parse_list(list: &str) -> Option<Vec<(usize, usize)>> {
    list.split(',')
        .map(|part| {
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (a, b),
                None => (part, part),
            };
            let from = if a.is_empty() { 1 } else { a.parse().ok()? };
            let to = if b.is_empty() {
                usize::MAX
            } else {
                b.parse().ok()?
            };
            (from >= 1 && from <= to).then_some((from, to))
        })
        .collect()
}

fn cut(cluster: &Cluster, args: &[String], stdin: Option<&str>) -> Output {
    const TRY: &str = "Try 'cut --help' for more information.";
    let mut delimiter = '\t';
    let mut fields: Option<String> = None;
    let mut chars_list: Option<String> = None;
    let mut only_delimited = false;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let mut take = |flag: &str| -> Option<String> {
            match a.strip_prefix(flag) {
                Some("") => {
                    i += 1;
                    args.get(i - 1).cloned()
                }
                Some(v) => Some(v.to_string()),
                None => None,
            }
        };
        if a == "-s" {
            only_delimited = true;
        } else if a.starts_with("-d") {
            let Some(d) = take("-d") else {
                return fail(format!("cut: option requires an argument -- 'd'\n{TRY}"), 1);
            };
            let mut cs = d.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => delimiter = c,
                _ => {
                    return fail(
                        format!("cut: the delimiter must be a single character\n{TRY}"),
                        1,
                    )
                }
            }
        } else if a.starts_with("-f") {
            fields = take("-f");
        } else if a.starts_with("-c") || a.starts_with("-b") {
            let flag = if a.starts_with("-c") { "-c" } else { "-b" };
            chars_list = take(flag);
        } else if a.starts_with('-') && a != "-" {
            return fail(
                format!(
                    "cut: invalid option -- '{}'\n{TRY}",
                    a.chars().nth(1).unwrap_or('-')
                ),
                1,
            );
        } else {
            files.push(a.clone());
        }
    }
    let (list, by_fields) = match (fields, chars_list) {
        (Some(f), None) => (f, true),
        (None, Some(c)) => (c, false),
        (Some(_), Some(_)) => {
            return fail(format!("cut: only one list may be specified\n{TRY}"), 1)
        }
        (None, None) => {
            return fail(
                format!("cut: you must specify a list of bytes, characters, or fields\n{TRY}"),
                1,
            )
        }
    };
    let Some(ranges) = parse_list(&list) else {
        return fail(format!("cut: invalid field value '{list}'\n{TRY}"), 1);
    };
    let wanted = |n: usize| ranges.iter().any(|(a, b)| n >= *a && n <= *b);
    let mut out = Output::default();
    let text = read_inputs(cluster, "cut", &files, stdin, &mut out);
    let mut lines = Vec::new();
    for line in text.lines() {
        if by_fields {
            if !line.contains(delimiter) {
                if !only_delimited {
                    lines.push(line.to_string());
                }
                continue;
            }
            let picked: Vec<&str> = line
                .split(delimiter)
                .enumerate()
                .filter(|(n, _)| wanted(n + 1))
                .map(|(_, f)| f)
                .collect();
            lines.push(picked.join(&delimiter.to_string()));
        } else {
            lines.push(
                line.chars()
                    .enumerate()
                    .filter(|(n, _)| wanted(n + 1))
                    .map(|(_, c)| c)
                    .collect(),
            );
        }
    }
    out_lines(&mut out, &lines);
    out
}

// ---------------------------------------------------------------- tr

/// A `tr` set as its ranges in order (`a-z` is one range, never 26 characters), so a set of
/// a thousand ranges costs a thousand entries and one pass to read.
#[derive(Clone, Debug, Default, PartialEq)]
struct CharSet(Vec<(char, char)>);

impl CharSet {
    /// Reads ranges `a-z`, classes `[:lower:]`, escapes `\n` `\t` `\\`.
    fn parse(set: &str) -> Result<CharSet, String> {
        const CLASSES: &[(&str, &[(char, char)])] = &[
            ("[:lower:]", &[('a', 'z')]),
            ("[:upper:]", &[('A', 'Z')]),
            ("[:digit:]", &[('0', '9')]),
            ("[:space:]", &[('\t', '\r'), (' ', ' ')]),
        ];
        let mut out = Vec::new();
        let chars: Vec<char> = set.chars().collect();
        let mut i = 0;
        'next: while i < chars.len() {
            for (name, ranges) in CLASSES {
                let n = name.len();
                if chars.len() >= i + n && name.chars().zip(&chars[i..]).all(|(a, b)| a == *b) {
                    out.extend_from_slice(ranges);
                    i += n;
                    continue 'next;
                }
            }
            let mut c = chars[i];
            if c == '\\' {
                if let Some(&n) = chars.get(i + 1) {
                    c = match n {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    };
                    i += 1;
                }
            }
            if chars.get(i + 1) == Some(&'-') {
                if let Some(&end) = chars.get(i + 2) {
                    if end < c {
                        return Err(format!(
                            "tr: range-endpoints of '{c}-{end}' are in reverse collating sequence order"
                        ));
                    }
                    out.push((c, end));
                    i += 3;
                    continue;
                }
            }
            out.push((c, c));
            i += 1;
        }
        Ok(CharSet(out))
    }

    fn contains(&self, c: char) -> bool {
        self.0.iter().any(|&(a, b)| a <= c && c <= b)
    }

    /// The position of `c`'s last occurrence, as GNU `tr` maps a repeated character.
    fn last_position(&self, c: char) -> Option<u64> {
        let mut offset: u64 = 0;
        let mut found = None;
        for &(a, b) in &self.0 {
            if a <= c && c <= b {
                found = Some(offset + (c as u64 - a as u64));
            }
            offset += b as u64 - a as u64 + 1;
        }
        found
    }

    /// The character at `pos`, or the last one past the end (GNU pads SET2 with it).
    fn at(&self, mut pos: u64) -> Option<char> {
        for &(a, b) in &self.0 {
            let len = b as u64 - a as u64 + 1;
            if pos < len {
                return char::from_u32(a as u32 + pos as u32).or(Some(a));
            }
            pos -= len;
        }
        self.0.last().map(|&(_, b)| b)
    }
}

fn tr(args: &[String], input: &str) -> Output {
    const TRY: &str = "Try 'tr --help' for more information.";
    let (mut delete, mut squeeze) = (false, false);
    let mut sets = Vec::new();
    for a in args {
        match a.as_str() {
            "-d" => delete = true,
            "-s" => squeeze = true,
            "-ds" | "-sd" => {
                delete = true;
                squeeze = true;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return fail(
                    format!(
                        "tr: invalid option -- '{}'\n{TRY}",
                        s.chars().nth(1).unwrap_or('-')
                    ),
                    1,
                )
            }
            s => match CharSet::parse(s) {
                Ok(set) => sets.push(set),
                Err(e) => return fail(e, 1),
            },
        }
    }
    let (set1, set2) = match (sets.first(), sets.get(1)) {
        (None, _) => return fail(format!("tr: missing operand\n{TRY}"), 1),
        (Some(a), b) => (a.clone(), b.cloned()),
    };
    if !delete && !squeeze && set2.is_none() {
        let first = args.last().cloned().unwrap_or_default();
        return fail(format!("tr: missing operand after '{first}'\nTwo strings must be given when translating.\n{TRY}"), 1);
    }
    let mut result = String::new();
    let squeeze_set = match (&set2, delete) {
        (Some(s2), _) if !delete || squeeze => s2.clone(),
        _ => set1.clone(),
    };
    // Each distinct input character is looked up once.
    let mut mapped_once: std::collections::HashMap<char, Option<char>> = Default::default();
    let mut last: Option<char> = None;
    for c in input.chars() {
        let mapped = *mapped_once.entry(c).or_insert_with(|| {
            if delete {
                (!set1.contains(c)).then_some(c)
            } else if let Some(s2) = &set2 {
                Some(set1.last_position(c).and_then(|p| s2.at(p)).unwrap_or(c))
            } else {
                Some(c)
            }
        });
        let Some(mapped) = mapped else {
            continue;
        };
        if squeeze && last == Some(mapped) && squeeze_set.contains(mapped) {
            continue;
        }
        last = Some(mapped);
        result.push(mapped);
    }
    let mut o = Output::default();
    o.out_raw(result);
    o
}

// ---------------------------------------------------------------- base64

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard, padded base64.
pub use crate::api::base64::encode;

/// Decodes standard base64 (whitespace ignored); `None` on invalid input.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    let mut padding = false;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            padding = true;
            continue;
        }
        if padding {
            return None;
        }
        let v = B64.iter().position(|x| *x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6).then_some(out)
}

fn base64(cluster: &Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let mut decode_mode = false;
    let mut wrap = 76usize;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        match a.as_str() {
            "-d" | "--decode" | "-di" | "-id" => decode_mode = true,
            "-i" | "--ignore-garbage" => {}
            "-w" => {
                let Some(v) = args.get(i) else {
                    return fail("base64: option requires an argument -- 'w'\nTry 'base64 --help' for more information.", 1);
                };
                match v.parse() {
                    Ok(w) => wrap = w,
                    Err(_) => return fail(format!("base64: invalid wrap size: '{v}'"), 1),
                }
                i += 1;
            }
            s if s.starts_with("-w") || s.starts_with("--wrap=") => {
                let v = s.trim_start_matches("--wrap=").trim_start_matches("-w");
                match v.parse() {
                    Ok(w) => wrap = w,
                    Err(_) => return fail(format!("base64: invalid wrap size: '{v}'"), 1),
                }
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return fail(
                    format!(
                        "base64: invalid option -- '{}'\nTry 'base64 --help' for more information.",
                        s.chars().nth(1).unwrap_or('-')
                    ),
                    1,
                )
            }
            s => files.push(s.to_string()),
        }
    }
    if files.len() > 1 {
        return fail(
            format!(
                "base64: extra operand '{}'\nTry 'base64 --help' for more information.",
                files[1]
            ),
            1,
        );
    }
    let mut out = Output::default();
    let text = read_inputs(cluster, "base64", &files, stdin, &mut out);
    if out.exit_code != 0 {
        return out;
    }
    if decode_mode {
        match decode(&text) {
            Some(bytes) => out.out_raw(String::from_utf8_lossy(&bytes).into_owned()),
            None => {
                // GNU prints what it decoded before the bad byte, then the error.
                out.err("base64: invalid input");
                out.exit_code = 1;
            }
        }
        return out;
    }
    let encoded = encode(text.as_bytes());
    if encoded.is_empty() {
        return out;
    }
    let lines: Vec<String> = if wrap == 0 {
        vec![encoded]
    } else {
        encoded
            .as_bytes()
            .chunks(wrap)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect()
    };
    out.out(lines.join("\n"));
    out
}

// ---------------------------------------------------------------- awk

fn awk(cluster: &Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let mut separator: Option<String> = None;
    let mut program: Option<String> = None;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if let Some(v) = a.strip_prefix("-F") {
            if v.is_empty() {
                separator = args.get(i).cloned();
                i += 1;
            } else {
                separator = Some(v.to_string());
            }
        } else if program.is_none() {
            program = Some(a.clone());
        } else {
            files.push(a.clone());
        }
    }
    let Some(program) = program else {
        return fail(
            "usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]",
            2,
        );
    };
    let Some(items) = parse_print(&program) else {
        return fail(
            format!("awk: only the form '{{print $1, $2, ...}}' is simulated in Kubeplay (got '{program}')"),
            2,
        );
    };
    let mut out = Output::default();
    let text = read_inputs(cluster, "awk", &files, stdin, &mut out);
    let mut lines = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = match separator.as_deref() {
            None | Some(" ") => line.split_whitespace().collect(),
            Some(sep) => line.split(sep).collect(),
        };
        let cells: Vec<String> = items
            .iter()
            .map(|item| match item {
                PrintItem::Field(0) => line.to_string(),
                PrintItem::Field(n) => fields.get(n - 1).map(|s| s.to_string()).unwrap_or_default(),
                PrintItem::Last => fields.last().map(|s| s.to_string()).unwrap_or_default(),
                PrintItem::Literal(s) => s.clone(),
                PrintItem::Space => " ".to_string(),
            })
            .collect();
        lines.push(cells.concat());
    }
    out_lines(&mut out, &lines);
    out
}

enum PrintItem {
    Field(usize),
    Last,
    Literal(String),
    Space,
}

/// Parses `{print}`, `{ print $1, $3 }`, `{print $NF}`, `{print $1 ":" $2}`.
fn parse_print(program: &str) -> Option<Vec<PrintItem>> {
    let body = program.trim().strip_prefix('{')?.strip_suffix('}')?.trim();
    let body = body.strip_suffix(';').unwrap_or(body).trim();
    let rest = body.strip_prefix("print")?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(vec![PrintItem::Field(0)]);
    }
    let mut items = Vec::new();
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            ' ' | '\t' => i += 1,
            ',' => {
                items.push(PrintItem::Space);
                i += 1;
            }
            '$' => {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                i += 1 + name.len();
                if name == "NF" {
                    items.push(PrintItem::Last);
                } else {
                    items.push(PrintItem::Field(name.parse().ok()?));
                }
            }
            '"' => {
                if !chars[i + 1..].contains(&'"') {
                    return None;
                }
                let lit: String = chars[i + 1..].iter().take_while(|c| **c != '"').collect();
                i += lit.chars().count() + 2;
                items.push(PrintItem::Literal(lit));
            }
            _ => return None,
        }
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        assert_eq!(encode(b"hello\n"), "aGVsbG8K");
        assert_eq!(encode(b"ab"), "YWI=");
        assert_eq!(decode("cGFzc3dvcmQ=").unwrap(), b"password");
        assert!(decode("!!!").is_none());
    }

    #[test]
    fn tr_sets_are_ranges_not_characters() {
        let run = |args: &[&str], input: &str| {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            tr(&args, input).text()
        };
        assert_eq!(run(&["a-z", "A-Z"], "hello"), "HELLO");
        assert_eq!(run(&["a-c", "x"], "abcd"), "xxxd");
        assert_eq!(run(&["-d", "[:digit:]"], "k8s"), "ks");
        assert_eq!(run(&["-s", "[:space:]"], "a  \t\tb"), "a \tb");
        assert_eq!(run(&["aa", "xy"], "a"), "y");
        // A thousand full Unicode ranges: read in one pass, looked up per distinct character.
        let huge = "\u{1}-\u{10FFFF}".repeat(1000);
        let start = std::time::Instant::now();
        assert_eq!(
            run(&[&huge, "A-Z"], &"hello".repeat(1000)),
            "Z".repeat(5000)
        );
        assert!(start.elapsed().as_millis() < 500, "{:?}", start.elapsed());
    }
}
