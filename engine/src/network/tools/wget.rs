//! `wget`: busybox's (busybox and alpine images) and GNU Wget's (the learner's machine),
//! with their progress lines and error messages.

use super::url::{self, UrlError};
use super::{seconds_ms, Client, Kit, Printed, KERNEL_CONNECT_TIMEOUT_MS};
use crate::network::exchange::{self, HttpCall, HttpOutcome};
use crate::node::process::script::ToolRun;
use crate::node::process::serve::Response;

/// busybox wget's default `-T`: 900 s.
const BUSYBOX_TIMEOUT_MS: i64 = 900_000;

#[derive(Default)]
struct Options {
    quiet: bool,
    output: Option<String>,
    timeout_ms: Option<i64>,
    user_agent: Option<String>,
    spider: bool,
    urls: Vec<String>,
}

fn parse(args: &[String], gnu: bool) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    let unknown = |opt: &str| {
        if gnu {
            format!("wget: unrecognized option '{opt}'\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.")
        } else {
            format!("wget: unrecognized option '{opt}'\nBusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...")
        }
    };
    while let Some(arg) = args.get(i) {
        i += 1;
        let value = |i: &mut usize, inline: Option<String>| -> Result<String, String> {
            if let Some(v) = inline {
                return Ok(v);
            }
            let v = args.get(*i).cloned().ok_or_else(|| {
                format!(
                    "wget: option requires an argument -- '{}'",
                    arg.trim_start_matches('-')
                )
            })?;
            *i += 1;
            Ok(v)
        };
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "quiet" => o.quiet = true,
                "spider" => o.spider = true,
                "output-document" => o.output = Some(value(&mut i, inline)?),
                "timeout" => o.timeout_ms = seconds_ms(&value(&mut i, inline)?),
                "user-agent" => o.user_agent = Some(value(&mut i, inline)?),
                "header" | "post-data" => {
                    value(&mut i, inline)?;
                }
                "no-check-certificate" => {}
                _ => return Err(unknown(arg)),
            }
        } else if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg.chars().skip(1).collect();
            for (k, c) in chars.iter().enumerate() {
                let rest: String = chars[k + 1..].iter().collect();
                let inline = (!rest.is_empty()).then_some(rest);
                match c {
                    'q' => o.quiet = true,
                    'S' | 'c' => {}
                    'O' | 'T' | 'U' | 'P' | 'Y' | 'o' => {
                        let v = value(&mut i, inline)?;
                        match c {
                            'O' => o.output = Some(v),
                            'T' => o.timeout_ms = seconds_ms(&v),
                            'U' => o.user_agent = Some(v),
                            _ => {}
                        }
                        break;
                    }
                    _ => return Err(unknown(&format!("-{c}"))),
                }
            }
        } else {
            o.urls.push(arg.clone());
        }
    }
    Ok(o)
}

/// Runs `wget ARGS` at `now_ms`.
pub fn run(client: &mut Client<'_>, args: &[String], now_ms: i64) -> ToolRun {
    let gnu = client.kit == Kit::Host;
    let mut p = Printed::default();
    let o = match parse(args, gnu) {
        Ok(o) => o,
        Err(e) => {
            p.err(e);
            return p.done(if gnu { 2 } else { 1 }, 0);
        }
    };
    let Some(raw) = o.urls.first() else {
        if gnu {
            p.err("wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.");
        } else {
            p.err("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...");
        }
        return p.done(1, 0);
    };
    let u = match url::parse(raw) {
        Ok(u) => u,
        Err(UrlError::Scheme(_)) | Err(UrlError::NoHost) => {
            p.err(format!("wget: not an http or ftp url: {raw}"));
            return p.done(1, 0);
        }
        Err(UrlError::Port) => {
            p.err(format!("wget: bad port spec '{raw}'"));
            return p.done(1, 0);
        }
    };
    if gnu {
        let saved =
            super::download::wget(raw, o.output.as_deref(), o.quiet, &stamp, now_ms, &mut p);
        if let Some((file, body)) = saved {
            let mut run = p.done(0, 1_000);
            if !file.is_empty() && !o.spider {
                run.files.push((file, body.to_string()));
            }
            return run;
        }
    }
    let shown_host = u.host_header();
    let Some(ip) = client.resolve(&u.host) else {
        exchange::record_no_name(&mut client.cx, &client.origin, raw, now_ms);
        if gnu {
            p.err(format!("--{}--  {}", stamp(now_ms), u.full()));
            p.err(format!(
                "Resolving {} ({})... failed: Name or service not known.",
                u.host, u.host
            ));
            p.err(format!("wget: unable to resolve host address ‘{}’", u.host));
            return p.done(4, 0);
        }
        p.err(format!("wget: bad address '{shown_host}'"));
        let spent = if client.unanswered(&u.host) {
            super::RESOLVER_TIMEOUT_MS
        } else {
            0
        };
        return p.done(1, spent);
    };
    if !o.quiet {
        if gnu {
            p.err(format!("--{}--  {}", stamp(now_ms), u.full()));
            p.err(format!("Connecting to {ip}:{}... ", u.port));
        } else {
            p.err(format!("Connecting to {shown_host} ({ip}:{})", u.port));
        }
    }
    let agent = o.user_agent.clone().unwrap_or_else(|| {
        if gnu {
            "Wget/1.21.4".into()
        } else {
            "Wget".into()
        }
    });
    let call = HttpCall {
        ip: ip.clone(),
        port: u.port,
        method: if o.spider {
            "HEAD".into()
        } else {
            "GET".into()
        },
        path: u.path.clone(),
        host: shown_host.clone(),
        user_agent: Some(agent),
        shown: raw.clone(),
        hops: 0,
        via: None,
    };
    let response = match exchange::http(&mut client.cx, &client.origin, &call, now_ms) {
        HttpOutcome::Response(r) => r,
        HttpOutcome::Refused => {
            if gnu {
                p.err("failed: Connection refused.");
                return p.done(4, 0);
            }
            p.err(format!(
                "wget: can't connect to remote host ({ip}): Connection refused"
            ));
            return p.done(1, 0);
        }
        HttpOutcome::Dropped => {
            let limit = o.timeout_ms.unwrap_or(if gnu {
                KERNEL_CONNECT_TIMEOUT_MS
            } else {
                BUSYBOX_TIMEOUT_MS
            });
            let spent = limit.min(KERNEL_CONNECT_TIMEOUT_MS);
            if gnu {
                p.err("failed: Connection timed out.");
                return p.done(4, spent);
            }
            if spent < KERNEL_CONNECT_TIMEOUT_MS {
                p.err("wget: download timed out");
            } else {
                p.err(format!(
                    "wget: can't connect to remote host ({ip}): Connection timed out"
                ));
            }
            return p.done(1, spent);
        }
        HttpOutcome::EmptyReply | HttpOutcome::NotHttp => {
            if gnu {
                p.err("connected.\nHTTP request sent, awaiting response... No data received.");
                return p.done(4, 1);
            }
            p.err("wget: error getting response: Connection reset by peer");
            return p.done(1, 1);
        }
    };
    if gnu {
        gnu_result(&mut p, &o, &u.path, &response, now_ms)
    } else {
        busybox_result(&mut p, &o, &u.path, &response)
    }
}

/// The file `wget URL` saves to: the path's last segment, or `index.html`.
fn file_name(path: &str) -> String {
    let last = path
        .split('?')
        .next()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("");
    if last.is_empty() {
        "index.html".into()
    } else {
        last.into()
    }
}

fn busybox_result(p: &mut Printed, o: &Options, path: &str, r: &Response) -> ToolRun {
    if r.status >= 400 {
        p.err(format!(
            "wget: server returned error: HTTP/1.1 {} {}",
            r.status,
            r.reason()
        ));
        return std::mem::take(p).done(1, 1);
    }
    if o.spider {
        // busybox checks the headers and stops.
        if !o.quiet {
            p.err("remote file exists");
        }
        return std::mem::take(p).done(0, 1);
    }
    let to_stdout = o.output.as_deref() == Some("-");
    let file = o.output.clone().unwrap_or_else(|| file_name(path));
    if !o.quiet {
        if to_stdout {
            p.err("writing to stdout");
        } else {
            p.err(format!("saving to '{file}'"));
        }
    }
    if to_stdout {
        p.out_raw(&r.body);
    }
    if !o.quiet {
        let shown = if to_stdout { "-" } else { file.as_str() };
        p.err(format!(
            "{shown:<20.20} 100% |********************************| {:>5}  0:00:00 ETA",
            r.body.len()
        ));
        if to_stdout {
            p.err("written to stdout");
        } else {
            p.err(format!("'{file}' saved"));
        }
    }
    let mut run = std::mem::take(p).done(0, 1);
    if !to_stdout && !o.spider {
        run.files.push((file, r.body.clone()));
    }
    run
}

fn gnu_result(p: &mut Printed, o: &Options, path: &str, r: &Response, now_ms: i64) -> ToolRun {
    if !o.quiet {
        p.err("connected.");
        p.err(format!(
            "HTTP request sent, awaiting response... {} {}",
            r.status,
            r.reason()
        ));
    }
    if r.status >= 400 {
        if !o.quiet {
            p.err(format!(
                "{} ERROR {}: {}.",
                stamp(now_ms),
                r.status,
                r.reason()
            ));
            p.err("");
        }
        return std::mem::take(p).done(8, 1);
    }
    let to_stdout = o.output.as_deref() == Some("-");
    let file = o.output.clone().unwrap_or_else(|| file_name(path));
    let ctype = r
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map_or("text/plain", |(_, v)| v.as_str())
        .split(';')
        .next()
        .unwrap_or("text/plain")
        .to_string();
    let len = r.body.len();
    if !o.quiet {
        p.err(format!("Length: {len} [{ctype}]"));
        p.err(if to_stdout {
            "Saving to: ‘STDOUT’".to_string()
        } else {
            format!("Saving to: ‘{file}’")
        });
        p.err("");
    }
    if to_stdout {
        p.out_raw(&r.body);
    }
    if !o.quiet {
        let shown = if to_stdout { "-" } else { file.as_str() };
        p.err(format!(
            "{shown:<19} 100%[===================>] {len:>7}  --.-KB/s    in 0s      "
        ));
        p.err("");
        let target = if to_stdout {
            "written to stdout".to_string()
        } else {
            format!("‘{file}’ saved")
        };
        p.err(format!(
            "{} (40.2 MB/s) - {target} [{len}/{len}]",
            stamp(now_ms)
        ));
        p.err("");
    }
    let mut run = std::mem::take(p).done(0, 1);
    if !to_stdout && !o.spider {
        run.files.push((file, r.body.clone()));
    }
    run
}

/// GNU Wget's timestamps: `2026-12-04 15:10:00`.
fn stamp(ms: i64) -> String {
    crate::node::process::fmt_ms(ms, "%Y-%m-%d %H:%M:%S")
}
