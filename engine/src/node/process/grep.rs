//! `grep` for both shells, one implementation: GNU grep 3.11 on the learner's machine and in
//! Debian-based images, the busybox applet in busybox and alpine images (where its rules
//! differ: no `-NUM`, `--` only around non-zero context, context lines printed whole with
//! `-o`, its number message). Basic and extended regexes (translated to `regex-lite`),
//! `-F -i -v -c -w -x -n -q -s -o -h -H -e`, context (`-A -B -C -NUM`, group separators),
//! and `file:` prefixes when several files are read.

use crate::output::Output;

const USAGE: &str =
    "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.";

/// The group separator GNU grep prints between non-adjacent groups of context.
const SEPARATOR: &str = "--";

/// Where grep reads its files: a file's text, or why not (`No such file or directory`).
pub type Reader<'a> = &'a dyn Fn(&str) -> Result<String, &'static str>;

#[derive(Default)]
struct Options {
    ignore_case: bool,
    invert: bool,
    count: bool,
    extended: bool,
    fixed: bool,
    word: bool,
    line: bool,
    number: bool,
    quiet: bool,
    no_messages: bool,
    only: bool,
    /// `-H` (true) or `-h` (false), the last one given.
    with_filename: Option<bool>,
    after: Option<usize>,
    before: Option<usize>,
    /// `-C N` / `-NUM`: the context of whichever side `-A`/`-B` leave unset.
    context: Option<usize>,
    /// `None` after `--no-group-separator`.
    separator: Option<String>,
}

fn fail(message: impl AsRef<str>) -> Output {
    let mut o = Output::failure(message);
    o.exit_code = 2;
    o
}

/// A context length as grep reads it: digits, any size (GNU keeps huge values, which the
/// input's length bounds anyway); `None` for anything else.
fn context_length(value: &str) -> Option<usize> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse::<usize>().unwrap_or(usize::MAX))
}

/// Runs `program` (`grep`, `egrep`, `fgrep`) over the named files (or `stdin` when none, or
/// `-`), read through `read`; `busybox` picks the applet's rules.
pub fn run(
    program: &str,
    args: &[String],
    stdin: Option<&str>,
    read: Reader,
    busybox: bool,
) -> Output {
    let mut o = Options {
        extended: program == "egrep",
        fixed: program == "fgrep",
        separator: Some(SEPARATOR.to_string()),
        ..Default::default()
    };
    let mut out = Output::default();
    if program != "grep" && !busybox {
        let flag = if program == "egrep" { "-E" } else { "-F" };
        out.err(format!(
            "{program}: warning: {program} is obsolescent; using grep {flag}"
        ));
    }
    let mut patterns: Vec<String> = Vec::new();
    let mut positionals: Vec<String> = Vec::new();
    let mut i = 0;
    let mut only_positionals = false;
    let bad_context = |value: &str| {
        if busybox {
            fail(format!("grep: invalid number '{value}'"))
        } else {
            fail(format!("grep: {value}: invalid context length argument"))
        }
    };
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if only_positionals || a == "-" || !a.starts_with('-') {
            positionals.push(a.clone());
            continue;
        }
        if a == "--" {
            only_positionals = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let takes_value = matches!(
                name,
                "regexp" | "after-context" | "before-context" | "context" | "group-separator"
            );
            let value = if takes_value {
                match inline.or_else(|| {
                    let v = args.get(i).cloned();
                    i += 1;
                    v
                }) {
                    Some(v) => v,
                    None => {
                        return fail(format!(
                            "grep: option '--{name}' requires an argument\n{USAGE}"
                        ))
                    }
                }
            } else {
                String::new()
            };
            match name {
                "ignore-case" => o.ignore_case = true,
                "invert-match" => o.invert = true,
                "count" => o.count = true,
                "extended-regexp" => o.extended = true,
                "fixed-strings" => o.fixed = true,
                "basic-regexp" => o.extended = false,
                "word-regexp" => o.word = true,
                "line-regexp" => o.line = true,
                "line-number" => o.number = true,
                "quiet" | "silent" => o.quiet = true,
                "no-messages" => o.no_messages = true,
                "only-matching" => o.only = true,
                "with-filename" => o.with_filename = Some(true),
                "no-filename" => o.with_filename = Some(false),
                "no-group-separator" => o.separator = None,
                "group-separator" => o.separator = Some(value),
                "regexp" => patterns.push(value),
                "after-context" | "before-context" | "context" => {
                    let Some(n) = context_length(&value) else {
                        return bad_context(&value);
                    };
                    match name {
                        "after-context" => o.after = Some(n),
                        "before-context" => o.before = Some(n),
                        _ => o.context = Some(n),
                    }
                }
                _ => return fail(format!("grep: unrecognized option '{a}'\n{USAGE}")),
            }
            continue;
        }
        let chars: Vec<char> = a.chars().skip(1).collect();
        let mut j = 0;
        // `-NUM`: digits in a row make one number (GNU only).
        let mut digits: Option<String> = None;
        while let Some(&c) = chars.get(j) {
            j += 1;
            if c.is_ascii_digit() && !busybox {
                let d = digits.get_or_insert_with(String::new);
                d.push(c);
                let Some(n) = context_length(d) else {
                    return bad_context(d);
                };
                o.context = Some(n);
                continue;
            }
            digits = None;
            match c {
                'i' | 'y' => o.ignore_case = true,
                'v' => o.invert = true,
                'c' => o.count = true,
                'E' => o.extended = true,
                'F' => o.fixed = true,
                'G' => o.extended = false,
                'w' => o.word = true,
                'x' => o.line = true,
                'n' => o.number = true,
                'q' => o.quiet = true,
                's' => o.no_messages = true,
                'o' => o.only = true,
                'h' => o.with_filename = Some(false),
                'H' => o.with_filename = Some(true),
                'e' | 'A' | 'B' | 'C' => {
                    // The rest of the word, or the next argument, is the value.
                    let rest: String = chars[j..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        return fail(format!(
                            "grep: option requires an argument -- '{c}'\n{USAGE}"
                        ));
                    };
                    if c == 'e' {
                        patterns.push(value);
                    } else {
                        let Some(n) = context_length(&value) else {
                            return bad_context(&value);
                        };
                        match c {
                            'A' => o.after = Some(n),
                            'B' => o.before = Some(n),
                            _ => o.context = Some(n),
                        }
                    }
                    break;
                }
                other => return fail(format!("grep: invalid option -- '{other}'\n{USAGE}")),
            }
        }
    }
    if patterns.is_empty() {
        if positionals.is_empty() {
            return fail(USAGE);
        }
        patterns.push(positionals.remove(0));
    }
    let regex = match compile(&patterns, &o) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let files: Vec<String> = if positionals.is_empty() {
        vec!["-".to_string()]
    } else {
        positionals
    };
    let mut printer = Printer {
        with_filename: o.with_filename.unwrap_or(files.len() > 1),
        number: o.number,
        busybox,
        before: o.before.or(o.context).unwrap_or(0),
        after: o.after.or(o.context).unwrap_or(0),
        // GNU separates groups once any context is asked for, even 0; busybox only around
        // some context.
        separate: if busybox {
            o.before.or(o.context).unwrap_or(0) > 0 || o.after.or(o.context).unwrap_or(0) > 0
        } else {
            o.before.is_some() || o.after.is_some() || o.context.is_some()
        },
        separator: o.separator.clone(),
        only: o.only,
        last: None,
        pending: String::new(),
        out: &mut out,
    };
    let mut matched = false;
    let mut trouble = false;
    for (ordinal, file) in files.iter().enumerate() {
        let (name, text) = if file == "-" {
            ("(standard input)", stdin.unwrap_or("").to_string())
        } else {
            match read(file) {
                Ok(t) => (file.as_str(), t),
                Err(why) => {
                    if !o.no_messages {
                        printer.error(&format!("grep: {file}: {why}"));
                    }
                    trouble = true;
                    continue;
                }
            }
        };
        let lines: Vec<&str> = text.lines().collect();
        let selected: Vec<bool> = lines
            .iter()
            .map(|l| regex.is_match(l) != o.invert)
            .collect();
        let count = selected.iter().filter(|s| **s).count();
        matched |= count > 0;
        if o.quiet {
            continue;
        }
        if o.count {
            let prefix = if printer.with_filename {
                format!("{name}:")
            } else {
                String::new()
            };
            printer.line(&format!("{prefix}{count}"));
            continue;
        }
        printer.file(ordinal, name, &lines, &selected, |line| {
            if !o.only {
                return vec![line.to_string()];
            }
            if o.invert {
                return Vec::new();
            }
            regex
                .find_iter(line)
                .filter(|m| !m.as_str().is_empty())
                .map(|m| m.as_str().to_string())
                .collect()
        });
    }
    printer.flush();
    out.exit_code = if trouble && !(o.quiet && matched) {
        2
    } else if matched {
        0
    } else {
        1
    };
    out
}

/// The patterns as one regex (a pattern with newlines is several patterns, as in GNU grep).
fn compile(patterns: &[String], o: &Options) -> Result<regex_lite::Regex, String> {
    let mut alternatives = Vec::new();
    for p in patterns.iter().flat_map(|p| p.split('\n')) {
        let translated = if o.fixed {
            regex_lite::escape(p)
        } else {
            translate(p, o.extended).map_err(|e| format!("grep: {e}"))?
        };
        alternatives.push(format!("(?:{translated})"));
    }
    let mut source = alternatives.join("|");
    if o.word {
        source = format!(r"(?:^|\b)(?:{source})(?:\b|$)");
    }
    if o.line {
        source = format!("^(?:{source})$");
    }
    regex_lite::RegexBuilder::new(&source)
        .case_insensitive(o.ignore_case)
        .build()
        .map_err(|_| "grep: Invalid regular expression".to_string())
}

/// Prints selected lines with their context, prefixes and group separators.
struct Printer<'a> {
    with_filename: bool,
    number: bool,
    busybox: bool,
    /// `-o`: a selected line shows its matches; GNU then shows nothing of context lines.
    only: bool,
    before: usize,
    after: usize,
    /// Whether groups are separated at all.
    separate: bool,
    separator: Option<String>,
    /// The last line printed: (file's ordinal, 1-based line number).
    last: Option<(usize, usize)>,
    /// Standard output not yet written to `out`.
    pending: String,
    out: &'a mut Output,
}

impl Printer<'_> {
    /// Prints one file's selected lines (each as `show` gives it: the line, or its `-o`
    /// matches) and their context lines; `ordinal` counts the files read.
    fn file(
        &mut self,
        ordinal: usize,
        name: &str,
        lines: &[&str],
        selected: &[bool],
        show: impl Fn(&str) -> Vec<String>,
    ) {
        // The last line of this file printed so far, and after-context still owed.
        let mut printed: Option<usize> = None;
        let mut owed = 0usize;
        for (i, line) in lines.iter().enumerate() {
            if selected.get(i) == Some(&true) {
                let from = i
                    .saturating_sub(self.before)
                    .max(printed.map_or(0, |p| p + 1));
                for (k, ctx) in lines.iter().enumerate().take(i).skip(from) {
                    self.context(ordinal, name, k + 1, ctx);
                }
                for text in show(line) {
                    self.emit(ordinal, name, i + 1, ':', &text);
                }
                // A selected line that shows nothing (`-o`, `-ov`) still joins the group.
                self.last = Some((ordinal, i + 1));
                printed = Some(i);
                owed = self.after;
            } else if owed > 0 {
                self.context(ordinal, name, i + 1, line);
                printed = Some(i);
                owed -= 1;
            }
        }
    }

    /// A context line: GNU prints nothing of it with `-o`, but it joins the group.
    fn context(&mut self, file: usize, name: &str, number: usize, line: &str) {
        if self.only && !self.busybox {
            self.separate_from_last(file, number);
            self.last = Some((file, number));
        } else {
            self.emit(file, name, number, '-', line);
        }
    }

    /// Prints the separator when this line does not follow the last one printed.
    fn separate_from_last(&mut self, file: usize, number: usize) {
        let Some((last_file, last)) = self.last else {
            return;
        };
        let follows = if self.busybox {
            // busybox compares line numbers only, across files too.
            last + 1 == number
        } else {
            last_file == file && (last + 1 == number || last == number)
        };
        if self.separate && !follows {
            if let Some(sep) = &self.separator {
                self.pending.push_str(sep);
                self.pending.push('\n');
            }
        }
    }

    fn emit(&mut self, file: usize, name: &str, number: usize, mark: char, text: &str) {
        self.separate_from_last(file, number);
        self.last = Some((file, number));
        if self.with_filename {
            self.pending.push_str(name);
            self.pending.push(mark);
        }
        if self.number {
            self.pending.push_str(&number.to_string());
            self.pending.push(mark);
        }
        self.pending.push_str(text);
        self.pending.push('\n');
    }

    /// A line of standard output outside the groups (`-c`).
    fn line(&mut self, text: &str) {
        self.pending.push_str(text);
        self.pending.push('\n');
    }

    /// An error message, after the output printed before it.
    fn error(&mut self, text: &str) {
        self.flush();
        self.out.err(text);
    }

    fn flush(&mut self) {
        self.out.out_raw(std::mem::take(&mut self.pending));
    }
}

/// Turns a POSIX basic (`extended` = false) or extended regex into regex-lite syntax.
pub fn translate(p: &str, extended: bool) -> Result<String, &'static str> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut depth = 0usize;
    // Whether the next `*` is at the start of an expression (then literal).
    let mut at_start = true;
    while i < chars.len() {
        let c = chars[i];
        let start = at_start;
        at_start = false;
        match c {
            '[' => {
                let mut j = i + 1;
                out.push('[');
                if chars.get(j) == Some(&'^') {
                    out.push('^');
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    out.push_str("\\]");
                    j += 1;
                }
                loop {
                    match chars.get(j) {
                        None => return Err("Unmatched [, [^, [:, [., or [="),
                        Some(']') => break,
                        Some('[') if chars.get(j + 1) == Some(&':') => {
                            let rest: String = chars[j..].iter().collect();
                            let Some(end) = rest.find(":]") else {
                                return Err("Unmatched [, [^, [:, [., or [=");
                            };
                            out.push_str(&rest[..end + 2]);
                            j += rest[..end + 2].chars().count();
                        }
                        Some(&ch) => {
                            if matches!(ch, '\\' | '[' | '&' | '~' | '-' | '^')
                                && !(ch == '-'
                                    && chars.get(j + 1) != Some(&']')
                                    && !out.ends_with('['))
                            {
                                out.push('\\');
                            }
                            out.push(ch);
                            j += 1;
                        }
                    }
                }
                out.push(']');
                i = j + 1;
                continue;
            }
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err("Trailing backslash");
                };
                i += 2;
                match n {
                    '(' | ')' | '|' | '{' | '}' | '+' | '?' if !extended => {
                        if n == '(' {
                            depth += 1;
                            at_start = true;
                        } else if n == ')' {
                            if depth == 0 {
                                return Err("Unmatched ) or \\)");
                            }
                            depth -= 1;
                        } else if n == '|' {
                            at_start = true;
                        }
                        out.push(n);
                    }
                    'w' | 'W' | 's' | 'S' | 'b' | 'B' => {
                        out.push('\\');
                        out.push(n);
                    }
                    '<' | '>' => out.push_str("\\b"),
                    d if d.is_ascii_digit() => return Err("Invalid back reference"),
                    other => out.push_str(&regex_lite::escape(&other.to_string())),
                }
                continue;
            }
            '(' | ')' | '|' | '{' | '}' | '+' | '?' if !extended => {
                out.push('\\');
                out.push(c);
            }
            '(' => {
                depth += 1;
                at_start = true;
                out.push('(');
            }
            ')' => {
                if depth == 0 {
                    out.push_str("\\)");
                } else {
                    depth -= 1;
                    out.push(')');
                }
            }
            '|' => {
                at_start = true;
                out.push('|');
            }
            '*' if start => out.push_str("\\*"),
            '^' => {
                if start {
                    out.push('^');
                    at_start = true;
                } else if extended {
                    out.push('^');
                } else {
                    out.push_str("\\^");
                }
            }
            '$' => {
                let at_end = i + 1 == chars.len()
                    || (!extended
                        && chars.get(i + 1) == Some(&'\\')
                        && matches!(chars.get(i + 2), Some(')') | Some('|')))
                    || (extended && matches!(chars.get(i + 1), Some(')') | Some('|')));
                if at_end || extended {
                    out.push('$');
                } else {
                    out.push_str("\\$");
                }
            }
            '{' if extended && !chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                out.push_str("\\{");
            }
            '}' if extended && !out.contains('{') => out.push_str("\\}"),
            '.' | '*' | '+' | '?' | '{' | '}' => out.push(c),
            other => out.push_str(&regex_lite::escape(&other.to_string())),
        }
        i += 1;
    }
    if depth > 0 {
        return Err("Unmatched ( or \\(");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LETTERS: &str = "a\nb\nc\nd\ne\nf\ng\n";
    const TEN: &str = "1\n2\nx\n4\n5\n6\n7\n8\nx\n10\n";

    fn files(path: &str) -> Result<String, &'static str> {
        match path {
            "g.txt" => Ok(LETTERS.into()),
            "h.txt" => Ok(TEN.into()),
            _ => Err("No such file or directory"),
        }
    }

    fn grep_in(busybox: bool, args: &str, stdin: &str) -> Output {
        let args: Vec<String> = args.split_whitespace().map(str::to_string).collect();
        run("grep", &args, Some(stdin), &files, busybox)
    }

    fn gnu(args: &str, stdin: &str) -> String {
        grep_in(false, args, stdin).text()
    }

    #[test]
    fn context_groups_and_separators_as_gnu_grep() {
        assert_eq!(gnu("-A1 x", TEN), "x\n4\n--\nx\n10\n");
        assert_eq!(gnu("-B 1 x", TEN), "2\nx\n--\n8\nx\n");
        assert_eq!(gnu("-nC1 x", TEN), "2-2\n3:x\n4-4\n--\n8-8\n9:x\n10-10\n");
        // Adjacent groups merge; -A0 still separates (GNU's quirk).
        assert_eq!(gnu("-C1 -e b -e e", LETTERS), "a\nb\nc\nd\ne\nf\n");
        assert_eq!(gnu("-A0 -e b -e e", LETTERS), "b\n--\ne\n");
        // -A/-B win over -C and -NUM in either order.
        assert_eq!(gnu("-A 1 -C 3 x", TEN), "1\n2\nx\n4\n--\n6\n7\n8\nx\n10\n");
        assert_eq!(gnu("-2 -A0 x", TEN), "1\n2\nx\n--\n7\n8\nx\n");
        assert_eq!(gnu("-n1 e", LETTERS), "4-d\n5:e\n6-f\n");
        assert_eq!(gnu("--group-separator=XX -A0 x", TEN), "x\nXX\nx\n");
        assert_eq!(gnu("--no-group-separator -A0 x", TEN), "x\nx\n");
        assert_eq!(
            gnu("--after-context=1 --context 0 x", TEN),
            "x\n4\n--\nx\n10\n"
        );
    }

    #[test]
    fn context_with_other_flags() {
        assert_eq!(
            gnu("-nC1 -v c", LETTERS),
            "1:a\n2:b\n3-c\n4:d\n5:e\n6:f\n7:g\n"
        );
        assert_eq!(gnu("-c -A1 b", LETTERS), "1\n");
        assert_eq!(gnu("-o -C1 x", TEN), "x\n--\nx\n");
        assert_eq!(gnu("-i -E -A1 B|F", LETTERS), "b\nc\n--\nf\ng\n");
        assert_eq!(gnu("-q -A5 x", TEN), "");
        assert_eq!(gnu("-ov b", LETTERS), "");
    }

    #[test]
    fn files_are_named_and_separated() {
        assert_eq!(
            gnu("-A1 -e b -e x g.txt h.txt", ""),
            "g.txt:b\ng.txt-c\n--\nh.txt:x\nh.txt-4\n--\nh.txt:x\nh.txt-10\n"
        );
        assert_eq!(
            gnu("-nB1 x h.txt g.txt", ""),
            "h.txt-2-2\nh.txt:3:x\n--\nh.txt-8-8\nh.txt:9:x\n"
        );
        assert_eq!(gnu("-c x g.txt h.txt", ""), "g.txt:0\nh.txt:2\n");
        assert_eq!(
            gnu("-c b - g.txt", LETTERS),
            "(standard input):1\ng.txt:1\n"
        );
        assert_eq!(gnu("-h -A0 x h.txt h.txt", ""), "x\n--\nx\n--\nx\n--\nx\n");
        let missing = grep_in(false, "x nope h.txt", "");
        assert_eq!(
            missing.text(),
            "grep: nope: No such file or directory\nh.txt:x\nh.txt:x\n"
        );
        assert_eq!(missing.exit_code, 2);
        assert_eq!(grep_in(false, "-q x nope h.txt", "").exit_code, 0);
        assert_eq!(grep_in(false, "-s x nope", "").text(), "");
    }

    #[test]
    fn context_lengths_are_bounded_and_checked() {
        assert_eq!(gnu("-A 99999999999999999999999 f", LETTERS), "f\ng\n");
        assert_eq!(gnu("-99999999999999999999999 d", "d\n"), "d\n");
        let bad = grep_in(false, "-A -1 b", LETTERS);
        assert_eq!(bad.text(), "grep: -1: invalid context length argument\n");
        assert_eq!(bad.exit_code, 2);
        assert_eq!(
            gnu("-Cx b", LETTERS),
            "grep: x: invalid context length argument\n"
        );
        assert_eq!(
            gnu("--context=1x b", LETTERS),
            "grep: 1x: invalid context length argument\n"
        );
        assert_eq!(
            gnu("-A", LETTERS),
            "grep: option requires an argument -- 'A'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"
        );
        assert_eq!(
            gnu("b --after-context", LETTERS),
            "grep: option '--after-context' requires an argument\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"
        );
    }

    #[test]
    fn busybox_rules() {
        let bb = |args: &str, stdin: &str| grep_in(true, args, stdin).text();
        assert_eq!(bb("-A1 x", TEN), "x\n4\n--\nx\n10\n");
        // No separator without context, context lines whole with -o, no -NUM.
        assert_eq!(bb("-A0 x", TEN), "x\nx\n");
        assert_eq!(bb("-o -A1 x", TEN), "x\n4\n--\nx\n10\n");
        assert_eq!(bb("-Ax x", TEN), "grep: invalid number 'x'\n");
        assert!(bb("-1 x", TEN).starts_with("grep: invalid option -- '1'"));
    }

    #[test]
    fn posix_regexes() {
        assert_eq!(translate("a\\|b", false).unwrap(), "a|b");
        assert_eq!(translate("a|b", false).unwrap(), "a\\|b");
        assert_eq!(translate("(k8s|LOG)", true).unwrap(), "(k8s|LOG)");
        assert_eq!(translate("*a", false).unwrap(), "\\*a");
        assert!(translate("[abc", false).is_err());
        assert!(translate("\\(a", false).is_err());
    }
}
