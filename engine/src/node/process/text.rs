//! Text programs both shells run, with GNU coreutils' semantics and messages: `head` and
//! `tail` (`head_tail`), `wc`, `sort`, `uniq`, `cut` and `tr`, reading standard input or
//! files through a [`Reader`] (the console's workspace, a container's filesystem).

use super::grep::Reader;
use crate::output::Output;
use crate::sort::SliceSort;

/// Why a directory cannot be read, as a [`Reader`] says it.
pub const IS_DIR: &str = "Is a directory";

/// The text programs here.
pub const PROGRAMS: &[&str] = &["head", "tail", "wc", "sort", "uniq", "cut", "tr"];

/// Runs `program` on `args`, or `None` if it is not one of [`PROGRAMS`].
pub fn run(program: &str, args: &[String], stdin: Option<&str>, read: Reader) -> Option<Output> {
    Some(match program {
        "head" | "tail" => super::head_tail::run(program, args, stdin, read),
        "wc" => wc(args, stdin, read),
        "sort" => sort(args, stdin, read),
        "uniq" => uniq(args, stdin, read),
        "cut" => cut(args, stdin, read),
        "tr" => tr(args, stdin.unwrap_or("")),
        _ => return None,
    })
}

/// A failed run with `message` on stderr and exit status `code`.
pub(crate) fn fail(message: impl AsRef<str>, code: i32) -> Output {
    let mut o = Output::failure(message);
    o.exit_code = code;
    o
}

/// The text of the named files (or stdin when none, or `-`), with each program's message
/// for a file it cannot read (`sort` exits 2).
pub(crate) fn read_inputs(
    program: &str,
    files: &[String],
    stdin: Option<&str>,
    read: Reader,
    errors: &mut Output,
) -> String {
    if files.is_empty() {
        return stdin.unwrap_or("").to_string();
    }
    let mut text = String::new();
    for f in files {
        if f == "-" {
            text.push_str(stdin.unwrap_or(""));
            continue;
        }
        match read(f) {
            Ok(t) => text.push_str(&t),
            Err(why) => {
                let (message, code) = match program {
                    "sort" if why == IS_DIR => (format!("sort: read failed: {f}: {why}"), 2),
                    "sort" => (format!("sort: cannot read: {f}: {why}"), 2),
                    "uniq" if why == IS_DIR => (format!("uniq: error reading '{f}'"), 1),
                    _ => (format!("{program}: {f}: {why}"), 1),
                };
                errors.err(message);
                errors.exit_code = code;
            }
        }
    }
    text
}

/// Writes `lines` to stdout, one per line (nothing for none).
pub(crate) fn out_lines(o: &mut Output, lines: &[String]) {
    if !lines.is_empty() {
        o.out(lines.join("\n"));
    }
}

// ---------------------------------------------------------------- sort, uniq

fn sort(args: &[String], stdin: Option<&str>, read: Reader) -> Output {
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
    let text = read_inputs("sort", &files, stdin, read, &mut out);
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
    lines.stable_sort_by(|a, b| {
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

fn uniq(args: &[String], stdin: Option<&str>, read: Reader) -> Output {
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
    let text = read_inputs("uniq", &files, stdin, read, &mut out);
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

fn cut(args: &[String], stdin: Option<&str>, read: Reader) -> Output {
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
    let text = read_inputs("cut", &files, stdin, read, &mut out);
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

/// GNU `wc [-lwmcL] [FILE]...`: counts in its fixed order (lines, words, characters, bytes,
/// longest line) whatever the order of the options; a file's name after its counts, a
/// `total` line for several files. Numbers are as wide as the files' total size has digits,
/// at least 7 when standard input is counted with several fields (coreutils'
/// `compute_number_width`); one count of one input is not padded.
fn wc(args: &[String], stdin: Option<&str>, read: Reader) -> Output {
    const ORDER: &str = "lwmcL";
    let mut wanted = String::new();
    let mut files: Vec<&str> = Vec::new();
    let mut options_end = false;
    for a in args {
        if options_end || a == "-" || !a.starts_with('-') {
            files.push(a);
            continue;
        }
        let long = match a.as_str() {
            "--" => {
                options_end = true;
                continue;
            }
            "--lines" => "l",
            "--words" => "w",
            "--chars" => "m",
            "--bytes" => "c",
            "--max-line-length" => "L",
            _ if a.starts_with("--") => {
                return Output::failure(format!(
                    "wc: unrecognized option '{a}'\nTry 'wc --help' for more information."
                ))
            }
            short => &short[1..],
        };
        for c in long.chars() {
            if !ORDER.contains(c) {
                return Output::failure(format!(
                    "wc: invalid option -- '{c}'\nTry 'wc --help' for more information."
                ));
            }
            wanted.push(c);
        }
    }
    if wanted.is_empty() {
        wanted = "lwc".into();
    }
    let fields: Vec<char> = ORDER.chars().filter(|c| wanted.contains(*c)).collect();
    let mut o = Output::default();
    // (name, counts) of each input read; None: standard input.
    let mut inputs: Vec<(Option<&str>, [usize; 5])> = Vec::new();
    if files.is_empty() {
        inputs.push((None, counts(stdin.unwrap_or(""))));
    }
    for f in &files {
        let text = match *f {
            "-" => Ok(stdin.unwrap_or("").to_string()),
            f => read(f),
        };
        match text {
            Ok(t) => inputs.push((Some(f), counts(&t))),
            Err(why) => {
                o.err(format!("wc: {f}: {why}"));
                if why == IS_DIR {
                    inputs.push((Some(f), [0; 5]));
                }
                o.exit_code = 1;
            }
        }
    }
    let piped = files.is_empty() || files.contains(&"-");
    let width = if files.len() <= 1 && fields.len() == 1 {
        1
    } else {
        let total: usize = inputs
            .iter()
            .filter(|(n, _)| n.is_some_and(|n| n != "-"))
            .map(|(_, c)| c[3])
            .sum();
        let digits = total.max(1).ilog10() as usize + 1;
        if piped {
            digits.max(7)
        } else {
            digits
        }
    };
    let line = |name: Option<&str>, c: &[usize; 5]| {
        let mut parts: Vec<String> = fields
            .iter()
            .map(|f| format!("{:>width$}", c[ORDER.find(*f).unwrap_or(0)]))
            .collect();
        if let Some(n) = name {
            parts.push(n.to_string());
        }
        parts.join(" ")
    };
    let mut total = [0usize; 5];
    let mut chunk = String::new();
    for (name, c) in &inputs {
        for i in 0..4 {
            total[i] += c[i];
        }
        total[4] = total[4].max(c[4]);
        chunk.push_str(&line(*name, c));
        chunk.push('\n');
    }
    if files.len() > 1 {
        chunk.push_str(&line(Some("total"), &total));
        chunk.push('\n');
    }
    // Counts come before the errors of files after them only in order of reading; GNU
    // prints each file's line as it goes, so keep stdout first and the errors after.
    let errors = std::mem::take(&mut o.chunks);
    o.out_raw(chunk);
    o.chunks.extend(errors);
    o
}

/// Lines, words, characters, bytes and the longest line's width of a text.
fn counts(text: &str) -> [usize; 5] {
    [
        text.matches('\n').count(),
        text.split_whitespace().count(),
        text.chars().count(),
        text.len(),
        text.lines().map(|l| l.chars().count()).max().unwrap_or(0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(path: &str) -> Result<String, &'static str> {
        match path {
            "a.txt" => Ok("b\na\nb\n".into()),
            "dir" => Err(IS_DIR),
            _ => Err("No such file or directory"),
        }
    }

    fn run_on(program: &str, args: &[&str], stdin: &str) -> Output {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        run(program, &args, Some(stdin), &files).unwrap()
    }

    #[test]
    fn files_or_stdin_with_each_programs_message() {
        assert_eq!(run_on("sort", &["a.txt"], "").text(), "a\nb\nb\n");
        assert_eq!(
            run_on("uniq", &["-c", "a.txt"], "").text(),
            "      1 b\n      1 a\n      1 b\n"
        );
        assert_eq!(run_on("wc", &["-l", "a.txt"], "").text(), "3 a.txt\n");
        assert_eq!(run_on("wc", &["-l"], "x\ny\n").text(), "2\n");
        let missing = run_on("sort", &["nope"], "");
        assert_eq!(
            (missing.text(), missing.exit_code),
            (
                "sort: cannot read: nope: No such file or directory\n".into(),
                2
            )
        );
        assert_eq!(
            run_on("sort", &["dir"], "").text(),
            "sort: read failed: dir: Is a directory\n"
        );
        assert_eq!(
            run_on("uniq", &["dir"], "").text(),
            "uniq: error reading 'dir'\n"
        );
        assert_eq!(
            run_on("cut", &["-f1", "nope"], "").text(),
            "cut: nope: No such file or directory\n"
        );
        assert_eq!(
            run_on("wc", &["-l", "dir"], "").text(),
            "0 dir\nwc: dir: Is a directory\n"
        );
        assert!(run("cat", &[], None, &files).is_none());
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
