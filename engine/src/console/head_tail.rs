//! GNU `head` and `tail` on standard input: `-n N` lines or `-c N` bytes (also `-nN`,
//! `--lines=N`, `--bytes=N` and the old `-N`), `head`'s `-N` "all but the last N", `tail`'s
//! `+N` "from the Nth", and coreutils' multiplier suffixes (`1K`, `2MB`, `512b`). A count too
//! large for 64 bits means everything.

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

/// Runs `head` or `tail` (`program`) with `args` on `input`.
pub fn run(program: &str, args: &[String], input: &str) -> Output {
    let mut count = Count {
        bytes: false,
        n: 10,
        flipped: false,
    };
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
            continue;
        };
        match parse_count(program, value, bytes) {
            Some(c) => count = c,
            None => return invalid(program, value, bytes),
        }
    }
    pick(program, count, input)
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

    fn out(program: &str, args: &[&str], input: &str) -> String {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run(program, &args, input).text()
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
