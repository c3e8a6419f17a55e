//! `curl`: HTTP requests with curl's flags, progress meter, `-v` trace, `-w` write-out and
//! error messages (`curl: (6) Could not resolve host: web`, `curl: (7) Failed to connect
//! to … port 80 after 0 ms: Could not connect to server`).

use super::url::{self, UrlError};
use super::{seconds_ms, Client, Kit, Printed, KERNEL_CONNECT_TIMEOUT_MS};
use crate::network::exchange::{self, HttpCall, HttpOutcome};
use crate::node::process::script::ToolRun;
use crate::node::process::serve::Response;

/// Most URLs one command fetches.
const MAX_URLS: usize = 100;

/// The flags of one `curl` command.
#[derive(Default)]
struct Options {
    silent: bool,
    show_error: bool,
    head: bool,
    include: bool,
    verbose: bool,
    fail: bool,
    location: bool,
    remote_name: bool,
    output: Option<String>,
    method: Option<String>,
    headers: Vec<(String, String)>,
    user_agent: Option<String>,
    max_time_ms: Option<i64>,
    connect_timeout_ms: Option<i64>,
    write_out: Option<String>,
    urls: Vec<String>,
}

/// Which curl this is: its version and how its messages read.
struct Build {
    version: &'static str,
    /// `curl_easy_strerror(CURLE_COULDNT_CONNECT)`: contractions were spelled out in 8.9.
    couldnt_connect: &'static str,
    /// `-v` says `* using HTTP/1.x` and `* Request completely sent off` (8.6 and later).
    says_sent_off: bool,
}

/// The version of the curl `kit` ships.
pub(super) fn version(kit: Kit) -> &'static str {
    build(kit).version
}

fn build(kit: Kit) -> Build {
    match kit {
        Kit::Host => Build {
            version: "8.5.0",
            couldnt_connect: "Couldn't connect to server",
            says_sent_off: false,
        },
        Kit::Centos => Build {
            version: "7.29.0",
            couldnt_connect: "Couldn't connect to server",
            says_sent_off: false,
        },
        _ => Build {
            version: "8.14.1",
            couldnt_connect: "Could not connect to server",
            says_sent_off: true,
        },
    }
}

const TRY_HELP: &str = "curl: try 'curl --help' or 'curl --manual' for more information";

/// Options that take a value, long and short.
const WITH_VALUE: &[(&str, char)] = &[
    ("output", 'o'),
    ("request", 'X'),
    ("header", 'H'),
    ("user-agent", 'A'),
    ("max-time", 'm'),
    ("write-out", 'w'),
    ("data", 'd'),
    ("user", 'u'),
    ("connect-timeout", '\0'),
    ("retry", '\0'),
    ("resolve", '\0'),
];

/// Options without a value, long and short.
const SWITCHES: &[(&str, char)] = &[
    ("silent", 's'),
    ("show-error", 'S'),
    ("head", 'I'),
    ("include", 'i'),
    ("verbose", 'v'),
    ("fail", 'f'),
    ("location", 'L'),
    ("remote-name", 'O'),
    ("insecure", 'k'),
    ("ipv4", '4'),
    ("http1.1", '\0'),
    ("no-progress-meter", '\0'),
];

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if SWITCHES.iter().any(|(l, _)| *l == name) {
                switch(&mut o, name);
            } else if WITH_VALUE.iter().any(|(l, _)| *l == name) {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        let v = args.get(i).cloned().ok_or_else(|| {
                            format!("curl: option --{name}: requires parameter\n{TRY_HELP}")
                        })?;
                        i += 1;
                        v
                    }
                };
                value_option(&mut o, name, value)?;
            } else {
                return Err(format!("curl: option --{name}: is unknown\n{TRY_HELP}"));
            }
        } else if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg.chars().skip(1).collect();
            for (k, c) in chars.iter().enumerate() {
                if let Some((name, _)) = SWITCHES.iter().find(|(_, s)| s == c) {
                    switch(&mut o, name);
                } else if let Some((name, _)) = WITH_VALUE.iter().find(|(_, s)| s == c) {
                    let rest: String = chars[k + 1..].iter().collect();
                    let value = if rest.is_empty() {
                        let v = args.get(i).cloned().ok_or_else(|| {
                            format!("curl: option -{c}: requires parameter\n{TRY_HELP}")
                        })?;
                        i += 1;
                        v
                    } else {
                        rest
                    };
                    value_option(&mut o, name, value)?;
                    break;
                } else {
                    return Err(format!("curl: option -{c}: is unknown\n{TRY_HELP}"));
                }
            }
        } else if o.urls.len() < MAX_URLS {
            o.urls.push(arg.clone());
        }
    }
    Ok(o)
}

fn switch(o: &mut Options, name: &str) {
    match name {
        "silent" => o.silent = true,
        "show-error" => o.show_error = true,
        "head" => o.head = true,
        "include" => o.include = true,
        "verbose" => o.verbose = true,
        "fail" => o.fail = true,
        "location" => o.location = true,
        "remote-name" => o.remote_name = true,
        "no-progress-meter" => o.silent = o.silent || !o.show_error,
        _ => {}
    }
}

fn value_option(o: &mut Options, name: &str, value: String) -> Result<(), String> {
    let bad_number =
        || format!("curl: option --{name}: expected a proper numerical parameter\n{TRY_HELP}");
    match name {
        "output" => o.output = Some(value),
        "request" => o.method = Some(value),
        "header" => {
            if let Some((k, v)) = value.split_once(':') {
                o.headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        "user-agent" => o.user_agent = Some(value),
        "max-time" => o.max_time_ms = Some(seconds_ms(&value).ok_or_else(bad_number)?),
        "connect-timeout" => {
            o.connect_timeout_ms = Some(seconds_ms(&value).ok_or_else(bad_number)?)
        }
        "write-out" => o.write_out = Some(value),
        "data" if o.method.is_none() => o.method = Some("POST".into()),
        _ => {}
    }
    Ok(())
}

/// Runs `curl ARGS` at `now_ms`.
pub fn run(client: &mut Client<'_>, args: &[String], now_ms: i64) -> ToolRun {
    let b = build(client.kit);
    let mut p = Printed::default();
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            p.err(e);
            return p.done(2, 0);
        }
    };
    if o.urls.is_empty() {
        p.err(format!("curl: no URL specified\n{TRY_HELP}"));
        return p.done(2, 0);
    }
    let mut elapsed = 0;
    let mut code = 0;
    for raw in &o.urls {
        let (c, spent) = fetch(client, &b, &o, raw, now_ms + elapsed, &mut p);
        elapsed += spent;
        if c != 0 {
            code = c;
        }
    }
    p.done(code, elapsed)
}

/// Fetches one URL: (exit code, ms spent).
fn fetch(
    client: &mut Client<'_>,
    b: &Build,
    o: &Options,
    raw: &str,
    at_ms: i64,
    p: &mut Printed,
) -> (i32, i64) {
    let show_errors = !o.silent || o.show_error;
    let fail = |p: &mut Printed, code: i32, msg: String| {
        if show_errors {
            p.err(format!("curl: ({code}) {msg}"));
        }
        code
    };
    let u = match url::parse(raw) {
        Ok(u) => u,
        Err(UrlError::Scheme(s)) => {
            return (fail(p, 1, format!("Protocol \"{s}\" not supported")), 0)
        }
        Err(UrlError::Port) => {
            return (
                fail(
                    p,
                    3,
                    "URL rejected: Port number was not a decimal number between 0 and 65535".into(),
                ),
                0,
            )
        }
        Err(UrlError::NoHost) => {
            return (
                fail(p, 3, "URL rejected: No host part in the URL".into()),
                0,
            )
        }
    };
    if client.kit == Kit::Host {
        if let Some(body) = super::download::curl(raw, o.location) {
            return (internet(client, o, raw, body, p), 1_000);
        }
    }
    let Some(ip) = client.resolve(&u.host) else {
        exchange::record_no_name(&mut client.cx, &client.origin, raw, at_ms);
        let spent = if client.unanswered(&u.host) {
            super::RESOLVER_TIMEOUT_MS
        } else {
            0
        };
        let limit = match (o.connect_timeout_ms, o.max_time_ms) {
            (Some(c), Some(m)) => Some(c.min(m)),
            (c, m) => c.or(m),
        };
        if let Some(w) = limit.filter(|w| *w < spent) {
            let msg = format!("Resolving timed out after {} milliseconds", w + 1);
            if o.verbose {
                p.err(format!("* {msg}"));
                p.err("* shutting down connection #0");
            }
            return (fail(p, 28, msg), w + 1);
        }
        if o.verbose {
            p.err(format!("* Could not resolve host: {}", u.host));
            p.err("* shutting down connection #0");
        }
        return (
            fail(p, 6, format!("Could not resolve host: {}", u.host)),
            spent,
        );
    };
    if o.verbose {
        if u.host != ip {
            p.err(format!("* Host {}:{} was resolved.", u.host, u.port));
            p.err("* IPv6: (none)");
            p.err(format!("* IPv4: {ip}"));
        }
        p.err(format!("*   Trying {ip}:{}...", u.port));
    }
    let method = o.method.clone().unwrap_or_else(|| {
        if o.head {
            "HEAD".to_string()
        } else {
            "GET".to_string()
        }
    });
    let host_header = o
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map_or_else(|| u.host_header(), |(_, v)| v.clone());
    let user_agent = o
        .user_agent
        .clone()
        .unwrap_or_else(|| format!("curl/{}", b.version));
    let call = HttpCall {
        ip: ip.clone(),
        port: u.port,
        method: method.clone(),
        path: u.path.clone(),
        host: host_header.clone(),
        user_agent: Some(user_agent.clone()),
        shown: raw.to_string(),
        hops: 0,
        via: None,
    };
    let outcome = exchange::http(&mut client.cx, &client.origin, &call, at_ms);
    let wait_ms = match (o.connect_timeout_ms, o.max_time_ms) {
        (Some(c), Some(m)) => Some(c.min(m)),
        (c, m) => c.or(m),
    };
    let meter = !o.silent && !o.verbose && (!client.tty || o.output.is_some());
    let stalled = |p: &mut Printed, spent: i64| {
        if meter {
            p.err(METER_HEAD);
            p.err(meter_stalled(spent));
        }
    };
    let response = match outcome {
        HttpOutcome::Response(r) => r,
        HttpOutcome::Refused => {
            stalled(p, 0);
            let msg = format!(
                "Failed to connect to {} port {} after 0 ms: {}",
                u.host, u.port, b.couldnt_connect
            );
            if o.verbose {
                let local = 32_768 + client.cx.net.rng.next_u64() % 28_232;
                p.err(format!(
                    "* connect to {ip} port {} from {} port {local} failed: Connection refused",
                    u.port,
                    client.origin.ip()
                ));
                p.err(format!("* {msg}"));
                p.err("* closing connection #0");
            }
            return (fail(p, 7, msg), 0);
        }
        HttpOutcome::Dropped => {
            let (code, spent, reason) = match wait_ms {
                Some(w) if w < KERNEL_CONNECT_TIMEOUT_MS => (28, w + 1, "Timeout was reached"),
                _ => (7, KERNEL_CONNECT_TIMEOUT_MS, b.couldnt_connect),
            };
            stalled(p, spent);
            let msg = format!(
                "Failed to connect to {} port {} after {spent} ms: {reason}",
                u.host, u.port
            );
            if o.verbose {
                p.err(format!("* {msg}"));
                p.err("* closing connection #0");
            }
            return (fail(p, code, msg), spent);
        }
        HttpOutcome::EmptyReply => {
            stalled(p, 1);
            return (fail(p, 52, "Empty reply from server".into()), 1);
        }
        HttpOutcome::NotHttp => {
            stalled(p, 1);
            return (fail(p, 1, "Received HTTP/0.9 when not allowed".into()), 1);
        }
    };
    if o.verbose {
        p.err(format!("* Connected to {} ({ip}) port {}", u.host, u.port));
        if b.says_sent_off {
            p.err("* using HTTP/1.x");
        }
        p.err(format!("> {method} {} HTTP/1.1", u.path));
        p.err(format!("> Host: {host_header}"));
        p.err(format!("> User-Agent: {user_agent}"));
        p.err("> Accept: */*");
        for (k, v) in o
            .headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
        {
            p.err(format!("> {k}: {v}"));
        }
        p.err("> ");
        if b.says_sent_off {
            p.err("* Request completely sent off");
        }
        p.err(format!(
            "< HTTP/1.1 {} {}",
            response.status,
            response.reason()
        ));
        for (k, v) in &response.headers {
            p.err(format!("< {k}: {v}"));
        }
        p.err("< ");
    }
    if o.fail && response.status >= 400 {
        let msg = format!("The requested URL returned error: {}", response.status);
        if o.verbose {
            p.err(format!("* {msg}"));
            p.err("* closing connection #0");
        }
        return (fail(p, 22, msg), 1);
    }
    let mut text = String::new();
    if o.head || o.include {
        text.push_str(&status_block(&response));
    }
    if !o.head {
        text.push_str(&response.body);
    }
    let size = if o.head { 0 } else { response.body.len() };
    if meter {
        p.err(METER_HEAD);
    }
    match &o.output {
        Some(_) => {}
        None if meter => {
            // The first meter line has no newline: the body starts right after it.
            let first = format!("{}{}", meter_line(0, 0), text.lines().next().unwrap_or(""));
            p.err(first);
            let rest: String = text.split_inclusive('\n').skip(1).collect();
            p.out_raw(&rest);
        }
        None if o.verbose && !client.tty && !o.head => {
            p.err(format!("{{ [{size} bytes data]"));
            p.out_raw(&text);
        }
        None => p.out_raw(&text),
    }
    if meter {
        p.err(meter_line(100, size));
    }
    if o.verbose {
        p.err(format!("* Connection #0 to host {} left intact", u.host));
    }
    if let Some(w) = &o.write_out {
        p.out_raw(&write_out(w, &response, &ip, u.port));
    }
    (0, 1)
}

/// A download from the catalog (`super::download`): the body to stdout or to the `-o`/`-O`
/// file, with the progress meter when it is not a terminal's; exit code.
fn internet(client: &Client<'_>, o: &Options, raw: &str, body: &str, p: &mut Printed) -> i32 {
    let file = o
        .output
        .clone()
        .or_else(|| o.remote_name.then(|| super::download::remote_name(raw)));
    let to_file = file.as_deref().is_some_and(|f| f != "-");
    let meter = !o.silent && !o.verbose && (!client.tty || to_file);
    if meter {
        p.err(METER_HEAD);
    }
    match file {
        Some(f) if f != "-" => p.run.files.push((f, body.to_string())),
        _ => p.out_raw(body),
    }
    if meter {
        p.err(meter_line(100, body.len()));
    }
    0
}

/// The status line and headers, as `-i`/`-I` print them.
fn status_block(r: &Response) -> String {
    let mut s = format!("HTTP/1.1 {} {}\r\n", r.status, r.reason());
    for (k, v) in &r.headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s
}

const METER_HEAD: &str = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed";

/// One line of the progress meter after `size` bytes arrived in about a millisecond.
fn meter_line(percent: u32, size: usize) -> String {
    let speed = size_text(size.saturating_mul(1000));
    format!(
        "{percent:>3} {:>5}  {percent:>3} {:>5}    0     0  {speed:>5}      0 --:--:-- --:--:-- --:--:-- {speed:>5}",
        size_text(size),
        size_text(size)
    )
}

/// The meter's only line when nothing arrived after `spent_ms`.
fn meter_stalled(spent_ms: i64) -> String {
    let s = spent_ms / 1000;
    let spent = if s == 0 {
        "--:--:--".to_string()
    } else {
        format!("{:2}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    };
    format!("  0     0    0     0    0     0      0      0 --:--:-- {spent} --:--:--     0")
}

/// A byte count in curl's five-column form (`615`, `600k`, `12.3M`).
fn size_text(n: usize) -> String {
    const K: usize = 1024;
    if n < 100_000 {
        n.to_string()
    } else if n < 10_000 * K {
        format!("{}k", n / K)
    } else if n < 100 * K * K {
        format!("{}.{}M", n / (K * K), (n % (K * K)) * 10 / (K * K))
    } else {
        format!("{}M", n / (K * K))
    }
}

/// `-w FORMAT`: the variables learners use in loops.
fn write_out(format: &str, r: &Response, ip: &str, port: u16) -> String {
    format
        .replace("%{http_code}", &r.status.to_string())
        .replace("%{response_code}", &r.status.to_string())
        .replace("%{remote_ip}", ip)
        .replace("%{remote_port}", &port.to_string())
        .replace("%{size_download}", &r.body.len().to_string())
        .replace("\\n", "\n")
}
