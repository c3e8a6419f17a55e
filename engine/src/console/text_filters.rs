//! Text filters for pipes, with GNU coreutils/grep semantics and messages: `grep`, `sort`,
//! `uniq`, `cut` and `tr` (the ones both shells share, `node::process::{grep,text}`),
//! `base64`, and `awk '{print $N}'`.

use crate::cluster::Cluster;
use crate::node::process::text::{fail, out_lines, read_inputs};
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
        "sort" | "uniq" | "cut" | "tr" => {
            crate::node::process::text::run(program, args, stdin, &super::files::reader(cluster))?
        }
        "base64" => base64(cluster, args, stdin),
        "awk" => awk(cluster, args, stdin),
        _ => return None,
    })
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
    let text = read_inputs(
        "base64",
        &files,
        stdin,
        &super::files::reader(cluster),
        &mut out,
    );
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
    let text = read_inputs(
        "awk",
        &files,
        stdin,
        &super::files::reader(cluster),
        &mut out,
    );
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
}
