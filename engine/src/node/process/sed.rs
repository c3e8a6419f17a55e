//! `sed`, enough for scripts and `KUBE_EDITOR`: `s/RE/REPL/[g][i][p][N]` with any delimiter,
//! `[ADDR]d`, `[ADDR]p` (ADDR: a line number, `$`, `/RE/`, a range `ADDR1,ADDR2` or
//! `ADDR1,+N` as GNU sed runs one, `ADDR!` for the other lines), several expressions (`-e`,
//! `;`, newlines), `-n`, `-E`/`-r`, and `-i`; GNU's messages. One program for the console
//! (workspace files) and for the shells of containers and nodes (their filesystems): each
//! gives its [`Files`].

use regex_lite::Regex;

use crate::node::process::budget;
use crate::output::Output;

/// The files `sed` reads and, with `-i`, rewrites.
pub trait Files {
    /// A file's text, or `None` when there is no such file.
    fn read(&self, path: &str) -> Option<String>;
    /// Replaces a file's text; `Err` with the message when it cannot.
    fn write(&mut self, path: &str, text: &str) -> Result<(), String>;
}

/// Which lines a command applies to.
#[derive(Debug)]
enum Address {
    All,
    Line(usize),
    Last,
    Matching(Regex),
    /// From a line the first selects through the next the second selects (or just that
    /// line, when the second is a line number already passed).
    Range(Box<Address>, Box<Address>),
    /// GNU's `ADDR1,+N` end: N lines after the range's first.
    Following(usize),
    /// `ADDR!`: the lines the address does not select.
    Not(Box<Address>),
}

impl Address {
    /// Whether the address selects line `n` (0-based) of `count`; `active` is a range's
    /// state between lines: the line it started on, while it lasts.
    fn selects(&self, n: usize, count: usize, line: &str, active: &mut Option<usize>) -> bool {
        match self {
            Address::All => true,
            Address::Line(l) => *l == n + 1,
            Address::Last => n + 1 == count,
            Address::Matching(r) => r.is_match(line),
            Address::Following(_) => false,
            Address::Not(inner) => !inner.selects(n, count, line, active),
            Address::Range(start, end) => {
                if let Some(first) = *active {
                    let ends = match **end {
                        Address::Line(l) => n + 1 >= l,
                        Address::Following(k) => n >= first.saturating_add(k),
                        ref other => other.selects(n, count, line, &mut None),
                    };
                    if ends {
                        *active = None;
                    }
                    true
                } else if start.selects(n, count, line, &mut None) {
                    let goes_on = match **end {
                        Address::Line(l) => l > n + 1,
                        Address::Last => n + 1 != count,
                        Address::Following(k) => k > 0,
                        _ => true,
                    };
                    *active = goes_on.then_some(n);
                    true
                } else {
                    false
                }
            }
        }
    }
}

/// One parsed sed command.
#[derive(Debug)]
enum Command {
    Substitute {
        address: Address,
        regex: Regex,
        replacement: String,
        global: bool,
        nth: usize,
        print: bool,
    },
    Delete(Address),
    Print(Address),
}

fn fail(message: String, code: i32) -> Output {
    let mut o = Output::failure(message);
    o.exit_code = code;
    o
}

/// Runs `sed ARGS` over files or stdin.
/// Runs `sed` with `args` over `stdin` and `files`. Output stops at the budget's
/// [`budget::MAX_OUTPUT`]: the caller says so (`budget::output` of its length).
pub fn run(args: &[String], stdin: Option<&str>, files: &mut dyn Files) -> Output {
    let mut scripts: Vec<String> = Vec::new();
    let mut paths: Vec<String> = Vec::new();
    let (mut in_place, mut quiet, mut extended) = (false, false, false);
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        match a.as_str() {
            "-e" | "--expression" => match args.get(i) {
                Some(s) => {
                    scripts.push(s.clone());
                    i += 1;
                }
                None => {
                    return fail(
                        "sed: option requires an argument -- 'e'\nUsage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...".into(),
                        1,
                    )
                }
            },
            "-i" | "--in-place" => in_place = true,
            "-n" | "--quiet" | "--silent" => quiet = true,
            "-E" | "-r" | "--regexp-extended" => extended = true,
            s if s.starts_with("--expression=") => {
                scripts.push(s["--expression=".len()..].to_string())
            }
            s if s.starts_with('-') && s.len() > 1 => {
                for c in s[1..].chars() {
                    match c {
                        'i' => in_place = true,
                        'n' => quiet = true,
                        'E' | 'r' => extended = true,
                        other => {
                            return fail(format!("sed: invalid option -- '{other}'\nUsage: sed [OPTION]... {{script-only-if-no-other-script}} [input-file]..."), 1)
                        }
                    }
                }
            }
            _ => paths.push(a.clone()),
        }
    }
    if scripts.is_empty() {
        if paths.is_empty() {
            return fail(
                "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...".into(),
                1,
            );
        }
        scripts.push(paths.remove(0));
    }
    let mut commands = Vec::new();
    for (n, s) in scripts.iter().enumerate() {
        match parse_script(s, extended) {
            Ok(mut c) => commands.append(&mut c),
            Err((pos, msg)) => {
                return fail(
                    format!("sed: -e expression #{}, char {pos}: {msg}", n + 1),
                    1,
                )
            }
        }
    }
    let mut out = Output::default();
    if in_place {
        if paths.is_empty() {
            return fail("sed: no input files".into(), 1);
        }
        for f in &paths {
            let Some(text) = files.read(f) else {
                out.err(format!("sed: can't read {f}: No such file or directory"));
                out.exit_code = 2;
                continue;
            };
            let edited = apply(&commands, &text, quiet);
            if let Err(e) = files.write(f, &edited) {
                out.err(e);
                out.exit_code = 4;
            }
        }
        return out;
    }
    let mut input = String::new();
    if paths.is_empty() {
        input.push_str(stdin.unwrap_or(""));
    }
    for f in &paths {
        match files.read(f) {
            Some(t) => input.push_str(&t),
            None if f == "-" => input.push_str(stdin.unwrap_or("")),
            None => {
                out.err(format!("sed: can't read {f}: No such file or directory"));
                out.exit_code = 2;
            }
        }
    }
    let text = apply(&commands, &input, quiet);
    let code = out.exit_code;
    out.out_raw(text);
    out.exit_code = code;
    out
}

/// Runs the commands over each line of `text`, stopping once the output passes the
/// budget's [`budget::MAX_OUTPUT`].
fn apply(commands: &[Command], text: &str, quiet: bool) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let count = lines.len();
    let mut out = String::new();
    let mut ranges = vec![None; commands.len()];
    'lines: for (n, raw) in lines.iter().enumerate() {
        let (body, newline) = match raw.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (*raw, ""),
        };
        let mut line = body.to_string();
        for (c, active) in commands.iter().zip(ranges.iter_mut()) {
            let mut hits = |a: &Address, line: &str| a.selects(n, count, line, active);
            match c {
                Command::Delete(a) if hits(a, &line) => continue 'lines,
                Command::Print(a) if hits(a, &line) => {
                    out.push_str(&line);
                    out.push('\n');
                }
                Command::Substitute {
                    address,
                    regex,
                    replacement,
                    global,
                    nth,
                    print,
                } if hits(address, &line) => {
                    let (new, changed) = substitute(&line, regex, replacement, *global, *nth);
                    line = new;
                    if changed && *print {
                        out.push_str(&line);
                        out.push('\n');
                    }
                }
                _ => {}
            }
        }
        if !quiet {
            out.push_str(&line);
            out.push_str(newline);
        }
        if budget::output(out.len()).is_err() {
            break;
        }
    }
    out
}

/// Replaces the `nth` match (or every match from it on, with `g`).
fn substitute(
    line: &str,
    regex: &Regex,
    replacement: &str,
    global: bool,
    nth: usize,
) -> (String, bool) {
    let mut out = String::new();
    let mut last = 0;
    let mut changed = false;
    for (k, caps) in regex.captures_iter(line).enumerate() {
        if k + 1 < nth {
            continue;
        }
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&line[last..m.start()]);
        let mut chars = replacement.chars();
        while let Some(c) = chars.next() {
            match c {
                '&' => out.push_str(m.as_str()),
                '\\' => match chars.next() {
                    Some(d @ '0'..='9') => {
                        let g = d as usize - '0' as usize;
                        out.push_str(caps.get(g).map_or("", |g| g.as_str()));
                    }
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                },
                other => out.push(other),
            }
        }
        last = m.end();
        changed = true;
        if !global || budget::output(out.len()).is_err() {
            break;
        }
    }
    out.push_str(&line[last..]);
    (out, changed)
}

/// Parses a script into commands; errors carry GNU's 1-based char position.
fn parse_script(script: &str, extended: bool) -> Result<Vec<Command>, (usize, String)> {
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut commands = Vec::new();
    let compile = |re: &str, icase: bool, pos: usize| -> Result<Regex, (usize, String)> {
        let source = crate::node::process::grep::translate(re, extended)
            .map_err(|e| (pos, e.to_string()))?;
        regex_lite::RegexBuilder::new(&source)
            .case_insensitive(icase)
            .build()
            .map_err(|_| (pos, "Invalid preceding regular expression".to_string()))
    };
    // Reads up to the unescaped delimiter; returns the text (escapes of the delimiter undone).
    let delimited = |i: &mut usize, delim: char| -> Option<String> {
        let mut s = String::new();
        while *i < chars.len() {
            let c = chars[*i];
            *i += 1;
            if c == '\\' && *i < chars.len() {
                let next = chars[*i];
                *i += 1;
                if next != delim {
                    s.push('\\');
                }
                s.push(next);
            } else if c == delim {
                return Some(s);
            } else {
                s.push(c);
            }
        }
        None
    };
    // One address (a line number, `$` or `/RE/`), if one starts at `i`.
    // The digits from `i` on (none when there are none).
    let digits = |i: &mut usize| -> String {
        let start = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        chars[start..*i].iter().collect()
    };
    let one_address = |i: &mut usize| -> Result<Option<Address>, (usize, String)> {
        match chars.get(*i) {
            Some(c) if c.is_ascii_digit() => {
                let n = digits(i);
                match n.parse::<usize>() {
                    Ok(0) | Err(_) => Err((*i, "invalid usage of line address 0".into())),
                    Ok(n) => Ok(Some(Address::Line(n))),
                }
            }
            Some('$') => {
                *i += 1;
                Ok(Some(Address::Last))
            }
            Some('/') => {
                *i += 1;
                let Some(re) = delimited(i, '/') else {
                    return Err((chars.len(), "unterminated address regex".into()));
                };
                Ok(Some(Address::Matching(compile(&re, false, *i)?)))
            }
            _ => Ok(None),
        }
    };
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ';') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        // Address, or a range of two.
        let address = match one_address(&mut i)? {
            Some(first) if chars.get(i) == Some(&',') => {
                i += 1;
                let second = if chars.get(i) == Some(&'+') {
                    i += 1;
                    digits(&mut i).parse().ok().map(Address::Following)
                } else {
                    one_address(&mut i)?
                };
                match second {
                    Some(second) => Address::Range(Box::new(first), Box::new(second)),
                    // GNU has read the character after the comma when it gives up.
                    None => return Err((i + 1, "unexpected `,'".into())),
                }
            }
            Some(first) => first,
            None => Address::All,
        };
        let address = if chars.get(i) == Some(&'!') {
            i += 1;
            while chars.get(i).is_some_and(|c| *c == ' ') {
                i += 1;
            }
            Address::Not(Box::new(address))
        } else {
            address
        };
        let Some(&c) = chars.get(i) else {
            return Err((i, "missing command".into()));
        };
        i += 1;
        match c {
            'd' => commands.push(Command::Delete(address)),
            'p' => commands.push(Command::Print(address)),
            's' => {
                let Some(&delim) = chars.get(i) else {
                    return Err((i, "unterminated `s' command".into()));
                };
                if delim == '\\' || delim == '\n' {
                    return Err((i + 1, "unterminated `s' command".into()));
                }
                i += 1;
                let Some(re) = delimited(&mut i, delim) else {
                    return Err((chars.len(), "unterminated `s' command".into()));
                };
                let Some(replacement) = delimited(&mut i, delim) else {
                    return Err((chars.len(), "unterminated `s' command".into()));
                };
                let (mut global, mut icase, mut print, mut nth) = (false, false, false, 1);
                while let Some(&f) = chars.get(i) {
                    match f {
                        'g' => global = true,
                        'i' | 'I' => icase = true,
                        'p' => print = true,
                        d if d.is_ascii_digit() => nth = d as usize - '0' as usize,
                        ';' | '\n' | ' ' | '}' => break,
                        _ => return Err((i + 1, "unknown option to `s'".into())),
                    }
                    i += 1;
                }
                let regex = compile(&re, icase, i)?;
                commands.push(Command::Substitute {
                    address,
                    regex,
                    replacement,
                    global,
                    nth: nth.max(1),
                    print,
                });
            }
            other => return Err((i, format!("unknown command: `{other}'"))),
        }
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sed(script: &str, text: &str) -> String {
        apply(&parse_script(script, false).unwrap(), text, false)
    }

    #[test]
    fn substitutions() {
        assert_eq!(
            sed("s/replicas: 1/replicas: 3/", "  replicas: 1\n"),
            "  replicas: 3\n"
        );
        assert_eq!(sed("s/a/b/", "aaa\n"), "baa\n");
        assert_eq!(sed("s/a/b/g", "aaa\n"), "bbb\n");
        assert_eq!(sed("s/a/b/2", "aaa\n"), "aba\n");
        assert_eq!(sed("s|/x|/y|", "/x/x\n"), "/y/x\n");
        assert_eq!(
            sed("s/\\(image: nginx\\):.*$/\\1:1.27/", "image: nginx:1.25\n"),
            "image: nginx:1.27\n"
        );
        assert_eq!(sed("s/x/[&]/; s/y/z/", "xy\n"), "[x]z\n");
        assert_eq!(sed("2d", "a\nb\nc"), "a\nc");
        assert_eq!(sed("/b/d", "a\nb\nc\n"), "a\nc\n");
        assert_eq!(sed("s/A/b/I", "A\n"), "b\n");
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_script("s/a/b", false).unwrap_err(),
            (5, "unterminated `s' command".to_string())
        );
        assert_eq!(
            parse_script("k", false).unwrap_err(),
            (1, "unknown command: `k'".to_string())
        );
        assert_eq!(
            parse_script("s/a/b/q", false).unwrap_err(),
            (7, "unknown option to `s'".to_string())
        );
    }
}
