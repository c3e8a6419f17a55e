//! GNU `head` and `tail` on standard input or files (`==> NAME <==` before each of several):
//! `-n N` lines or `-c N` bytes (also `-nN`,
//! `--lines=N`, `--bytes=N` and the old `-N`), `head`'s `-N` "all but the last N", `tail`'s
//! `+N` "from the Nth", and coreutils' multiplier suffixes (`1K`, `2MB`, `512b`). A count too
//! large for 64 bits means everything.

use super::grep::Reader;
use super::text::IS_DIR;
use crate::output::Output;

/// What to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Count {
    bytes: bool,
    n: u64,
    /// `head -N`: all but the last N; `tail +N`: from the Nth on.
    flipped: bool,
}

/// coreutils' suffixes (`xnumtoumax` with "bkKmMGTPEZYRQ0"): `b` is 512, `k`/`K` and
/// `m`/`M` and `G`…`Q` powers of 1024, or of 1000 when followed by `B` or `D` (`kB`, `MD`);
/// `iB` keeps 1024 (`KiB`).
fn multiplier(suffix: &str) -> Option<u64> {
    let Some(letter) = suffix.chars().next() else {
        return Some(1);
    };
    let rest = &suffix[letter.len_utf8()..];
    let base: u64 = match rest {
        "" | "iB" => 1024,
        "B" | "D" => 1000,
        _ => return None,
    };
    if letter == 'b' {
        return Some(512);
    }
    let power = match letter {
        'k' | 'K' => 1,
        'm' | 'M' => 2,
        _ => 3 + u32::try_from("GTPEZYRQ".find(letter)?).ok()?,
    };
    Some(base.checked_pow(power).unwrap_or(u64::MAX))
}

/// A count operand; `None` if malformed.
fn parse_count(program: &str, text: &str, bytes: bool) -> Option<Count> {
    let (flipped, digits) = match text.as_bytes().first() {
        Some(b'-') => (program == "head", &text[1..]),
        Some(b'+') => (program == "tail", &text[1..]),
        _ => (false, text),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let (number, suffix) = digits.split_at(end);
    if number.is_empty() {
        return None;
    }
    let m = multiplier(suffix)?;
    let n = number.parse::<u64>().unwrap_or(u64::MAX).saturating_mul(m);
    Some(Count { bytes, n, flipped })
}

/// coreutils' message for a bad count (`quote` in a UTF-8 locale).
fn invalid(program: &str, text: &str, bytes: bool) -> Output {
    let what = if bytes { "bytes" } else { "lines" };
    Output::failure(format!("{program}: invalid number of {what}: ‘{text}’"))
}

/// Runs `head` or `tail` (`program`) with `args` on the files they name, read through
/// `read`, or on `stdin`.
pub fn run(program: &str, args: &[String], stdin: Option<&str>, read: Reader) -> Output {
    let mut count = Count {
        bytes: false,
        n: 10,
        flipped: false,
    };
    let mut files: Vec<&str> = Vec::new();
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        let (bytes, value) = if a == "-n" || a == "--lines" || a == "-c" || a == "--bytes" {
            let bytes = a == "-c" || a == "--bytes";
            let Some(v) = iter.next() else {
                let flag = a.trim_start_matches('-');
                return Output::failure(if a.starts_with("--") {
                    format!("{program}: option '--{flag}' requires an argument\nTry '{program} --help' for more information.")
                } else {
                    format!("{program}: option requires an argument -- '{flag}'\nTry '{program} --help' for more information.")
                });
            };
            (bytes, v.as_str())
        } else if let Some(v) = a.strip_prefix("--lines=") {
            (false, v)
        } else if let Some(v) = a.strip_prefix("--bytes=") {
            (true, v)
        } else if let Some(v) = a.strip_prefix("-n") {
            (false, v)
        } else if let Some(v) = a.strip_prefix("-c") {
            (true, v)
        } else if a.len() > 1 && a[1..].starts_with(|c: char| c.is_ascii_digit()) {
            // The old `-N`: N lines.
            (false, &a[1..])
        } else {
            if a == "-" || !a.starts_with('-') {
                files.push(a.as_str());
            }
            continue;
        };
        match parse_count(program, value, bytes) {
            Some(c) => count = c,
            None => return invalid(program, value, bytes),
        }
    }
    if files.is_empty() {
        return pick(program, count, stdin.unwrap_or(""));
    }
    let mut o = Output::default();
    for (i, f) in files.iter().enumerate() {
        let text = match *f {
            "-" => Ok(stdin.unwrap_or("").to_string()),
            f => read(f),
        };
        let text = match text {
            Ok(t) => t,
            Err(why) => {
                o.err(if why == IS_DIR {
                    format!("{program}: error reading '{f}': {why}")
                } else {
                    format!("{program}: cannot open '{f}' for reading: {why}")
                });
                o.exit_code = 1;
                continue;
            }
        };
        if files.len() > 1 {
            let name = if *f == "-" { "standard input" } else { f };
            let gap = if i > 0 { "\n" } else { "" };
            o.out(format!("{gap}==> {name} <=="));
        }
        o.chunks.extend(pick(program, count, &text).chunks);
    }
    o
}

/// The part of `input` that `count` keeps.
fn pick(program: &str, count: Count, input: &str) -> Output {
    let n = usize::try_from(count.n).unwrap_or(usize::MAX);
    let head = program == "head";
    if count.bytes {
        let bytes = input.as_bytes();
        let len = bytes.len();
        let range = match (head, count.flipped) {
            (true, false) => 0..n.min(len),
            (true, true) => 0..len.saturating_sub(n),
            (false, false) => len.saturating_sub(n)..len,
            (false, true) => n.saturating_sub(1).min(len)..len,
        };
        let mut o = Output::default();
        o.out_raw(String::from_utf8_lossy(&bytes[range]).into_owned());
        return o;
    }
    let lines: Vec<&str> = input.lines().collect();
    let len = lines.len();
    let picked = match (head, count.flipped) {
        (true, false) => &lines[..n.min(len)],
        (true, true) => &lines[..len.saturating_sub(n)],
        (false, false) => &lines[len.saturating_sub(n)..],
        (false, true) => &lines[n.saturating_sub(1).min(len)..],
    };
    let mut o = Output::default();
    if !picked.is_empty() {
        o.out(picked.join("\n"));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::run;

    fn files(path: &str) -> Result<String, &'static str> {
        match path {
            "f" => Ok("a\nb\n".into()),
            "/tmp" => Err(super::IS_DIR),
            _ => Err("No such file or directory"),
        }
    }

    fn out(program: &str, args: &[&str], input: &str) -> String {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run(program, &args, Some(input), &files).text()
    }

    #[test]
    fn files_with_headers_and_errors() {
        assert_eq!(out("head", &["-n1", "f"], ""), "a\n");
        assert_eq!(
            out("tail", &["-n1", "f", "nofile", "f"], ""),
            "==> f <==\nb\ntail: cannot open 'nofile' for reading: No such file or directory\n\n==> f <==\nb\n"
        );
        assert_eq!(
            out("head", &["/tmp"], ""),
            "head: error reading '/tmp': Is a directory\n"
        );
        assert_eq!(
            out("head", &["-n1", "-", "f"], "x\n"),
            "==> standard input <==\nx\n\n==> f <==\na\n"
        );
    }

    #[test]
    fn bytes() {
        assert_eq!(out("head", &["-c", "3"], "hello\n"), "hel");
        assert_eq!(out("head", &["-c3"], "hello\n"), "hel");
        assert_eq!(out("head", &["--bytes=-2"], "hello\n"), "hell");
        assert_eq!(out("tail", &["-c", "3"], "hello\n"), "lo\n");
        assert_eq!(out("tail", &["-c", "+3"], "hello\n"), "llo\n");
        assert_eq!(out("head", &["-c", "1K"], "hi\n"), "hi\n");
        assert_eq!(super::multiplier("kB"), Some(1000));
        assert_eq!(super::multiplier("m"), Some(1 << 20));
        assert_eq!(super::multiplier("GiB"), Some(1 << 30));
        assert_eq!(super::multiplier("b"), Some(512));
        assert_eq!(super::multiplier("Q"), Some(u64::MAX));
        assert_eq!(super::multiplier("Kx"), None);
        assert_eq!(
            out("head", &["-c", "99999999999999999999999"], "hi\n"),
            "hi\n"
        );
        assert_eq!(
            out("tail", &["-c", "99999999999999999999999"], "hi\n"),
            "hi\n"
        );
        assert_eq!(out("head", &["-c", "0"], "hi\n"), "");
    }

    #[test]
    fn lines() {
        let input = "1\n2\n3\n4\n";
        assert_eq!(out("head", &["-n", "2"], input), "1\n2\n");
        assert_eq!(out("head", &["-n", "-1"], input), "1\n2\n3\n");
        assert_eq!(out("head", &["-3"], input), "1\n2\n3\n");
        assert_eq!(out("tail", &["-n", "+3"], input), "3\n4\n");
        assert_eq!(out("tail", &["-1"], input), "4\n");
        assert_eq!(out("tail", &["--lines=2"], input), "3\n4\n");
    }

    #[test]
    fn bad_counts() {
        assert_eq!(
            out("head", &["-c", "x"], ""),
            "head: invalid number of bytes: ‘x’\n"
        );
        assert_eq!(
            out("tail", &["-n", "1q"], ""),
            "tail: invalid number of lines: ‘1q’\n"
        );
        assert_eq!(
            out("head", &["-c", "1g"], ""),
            "head: invalid number of bytes: ‘1g’\n"
        );
        assert!(out("head", &["-c"], "").starts_with("head: option requires an argument -- 'c'"));
    }
}
