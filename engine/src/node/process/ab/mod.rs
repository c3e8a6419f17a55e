//! ApacheBench (`ab`, "Version 2.3" of Apache httpd 2.4's `support/ab.c`): its options as
//! `apr_getopt` reads them, its usage and error texts, and the report it prints. The
//! network runs its requests (`network::load::bench`); this module only speaks for it.
//!
//! It ships in the `httpd` image (`/usr/local/apache2/bin`, on that image's `PATH`) and on
//! the learner's machine (Ubuntu's `apache2-utils`), whose builds differ in the `$Revision`
//! of their banner.

pub mod report;

/// Most concurrent connections ab accepts (`MAX_CONCURRENCY`).
pub const MAX_CONCURRENCY: i32 = 20_000;
/// Requests a time-limited run sizes its data for (`MAX_REQUESTS`, implied by `-t`).
pub const MAX_REQUESTS: i32 = 50_000;
/// The options string ab gives `apr_getopt` (with SSL support compiled in).
const OPTSTRING: &str = "n:c:t:s:b:T:p:u:v:lrkVhwiIx:y:z:C:H:P:A:g:X:de:SqB:m:Z:f:E:";

/// Whether `image` has ab on its `PATH`.
pub fn ships(image: &str) -> bool {
    super::image_name(image).0 == "httpd"
}

/// Whether `exe` names ab.
pub fn is_ab(exe: &str) -> bool {
    exe.rsplit('/').next() == Some("ab")
}

/// Which build of ab: the svn revision of `ab.c` its banner names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// The `httpd` image (2.4.65).
    Image,
    /// Ubuntu 24.04's `apache2-utils` (2.4.58).
    Host,
}

impl Build {
    fn revision(self) -> &'static str {
        match self {
            Build::Image => "1913912",
            Build::Host => "1903618",
        }
    }
}

/// The banner ab prints first (`copyright()`).
pub fn banner(build: Build) -> Vec<String> {
    vec![
        format!(
            "This is ApacheBench, Version 2.3 <$Revision: {} $>",
            build.revision()
        ),
        "Copyright 1996 Adam Twiss, Zeus Technology Ltd, http://www.zeustech.net/".into(),
        "Licensed to The Apache Software Foundation, http://www.apache.org/".into(),
        String::new(),
    ]
}

/// A URL as ab splits it (`parse_url`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `https://`.
    pub https: bool,
    /// The host name as written.
    pub host: String,
    /// The port (the scheme's when absent).
    pub port: u16,
    /// The path, `/` at least.
    pub path: String,
}

impl Target {
    /// The `Host` header: the name, with `:port` unless it is the scheme's.
    pub fn host_header(&self) -> String {
        let default = if self.https { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// One run's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// `argv[0]` as typed (its messages name it).
    pub program: String,
    /// `-n` (or 50000 with `-t`).
    pub requests: i32,
    /// `-c`.
    pub concurrency: i32,
    /// `-t`, in seconds.
    pub time_limit: Option<i64>,
    /// `-s`, in seconds.
    pub timeout: i64,
    /// `-k`.
    pub keepalive: bool,
    /// Progress lines every this many requests (0: none, `-q` or 150 requests or fewer).
    pub heartbeat: i32,
    /// `-d` turns the percentile table off.
    pub percentiles: bool,
    /// `-S` turns the confidence estimators off.
    pub confidence: bool,
    /// `-l`.
    pub variable_length: bool,
    /// The method (`-i` HEAD, `-m`).
    pub method: String,
    /// A `User-Agent` given with `-H`.
    pub user_agent: Option<String>,
    /// A `Host` given with `-H`.
    pub host: Option<String>,
    /// The target.
    pub target: Target,
    /// Lines `apr_getopt` printed about options it skipped (stderr).
    pub warnings: Vec<String>,
}

/// What ab printed before it gave up, and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refusal {
    /// (text, on stderr), in order.
    pub lines: Vec<(String, bool)>,
    /// Exit status.
    pub code: i32,
}

/// What `-V` prints.
pub fn version(build: Build) -> Refusal {
    Refusal {
        lines: banner(build).into_iter().map(|l| (l, false)).collect(),
        code: 0,
    }
}

/// Parses ab's argv (`argv[0]` first), or what it printed and its status.
pub fn parse(argv: &[String], build: Build) -> Result<Options, Refusal> {
    let program = argv.first().cloned().unwrap_or_else(|| "ab".into());
    let base = program.rsplit('/').next().unwrap_or(&program).to_string();
    let mut o = Options {
        program: program.clone(),
        requests: 1,
        concurrency: 1,
        time_limit: None,
        timeout: 30,
        keepalive: false,
        heartbeat: 100,
        percentiles: true,
        confidence: true,
        variable_length: false,
        method: String::new(),
        user_agent: None,
        host: None,
        target: Target {
            https: false,
            host: String::new(),
            port: 80,
            path: "/".into(),
        },
        warnings: Vec::new(),
    };
    let mut warnings = Vec::new();
    let fail = |message: String, warnings: &[String]| -> Refusal {
        let mut lines: Vec<(String, bool)> = warnings.iter().map(|w| (w.clone(), true)).collect();
        lines.extend(message.split('\n').map(|l| (l.to_string(), true)));
        Refusal { lines, code: 1 }
    };
    let mut ind = 1usize;
    // apr_getopt: options up to the first word that is not one, clusters, values inline or
    // in the next word; it stops at the first error.
    'words: while let Some(word) = argv.get(ind) {
        if word == "--" {
            ind += 1;
            break;
        }
        let Some(cluster) = word.strip_prefix('-') else {
            break;
        };
        if cluster.is_empty() || cluster.starts_with('-') {
            break;
        }
        let chars: Vec<char> = cluster.chars().collect();
        let mut k = 0;
        while let Some(&c) = chars.get(k) {
            k += 1;
            let last = k == chars.len();
            let Some(pos) = OPTSTRING.find(c).filter(|_| c != ':') else {
                if last {
                    ind += 1;
                }
                warnings.push(format!("{base}: illegal option -- {c}"));
                break 'words;
            };
            let takes = OPTSTRING[pos + c.len_utf8()..].starts_with(':');
            if !takes {
                if last {
                    ind += 1;
                }
                match c {
                    'k' => o.keepalive = true,
                    'q' => o.heartbeat = 0,
                    'i' => {
                        if !o.method.is_empty() {
                            return Err(fail(
                                "Cannot mix HEAD with other methods\n".into(),
                                &warnings,
                            ));
                        }
                        o.method = "HEAD".into();
                    }
                    'd' => o.percentiles = false,
                    'S' => o.confidence = false,
                    'l' => o.variable_length = true,
                    'h' => {
                        let mut r = usage(&program);
                        r.lines
                            .splice(0..0, warnings.iter().map(|w| (w.clone(), true)));
                        return Err(r);
                    }
                    'V' => {
                        let mut r = version(build);
                        r.lines
                            .splice(0..0, warnings.iter().map(|w| (w.clone(), true)));
                        return Err(r);
                    }
                    _ => {}
                }
                continue;
            }
            let value: String = if !last {
                chars[k..].iter().collect()
            } else if let Some(v) = argv.get(ind + 1) {
                ind += 1;
                v.clone()
            } else {
                warnings.push(format!("{base}: option requires an argument -- {c}"));
                ind += 1;
                break 'words;
            };
            ind += 1;
            match c {
                'n' => {
                    o.requests = atoi(&value);
                    if o.requests <= 0 {
                        return Err(fail("Invalid number of requests\n".into(), &warnings));
                    }
                }
                'c' => o.concurrency = atoi(&value),
                't' => {
                    o.time_limit = Some(i64::from(atoi(&value)));
                    o.requests = MAX_REQUESTS;
                }
                's' => o.timeout = i64::from(atoi(&value)),
                'm' => o.method = value,
                'H' => {
                    let lower = value.to_ascii_lowercase();
                    if lower.starts_with("host:") {
                        o.host = Some(value[5..].trim().to_string());
                    } else if lower.starts_with("user-agent:") {
                        o.user_agent = Some(value[11..].trim().to_string());
                    }
                }
                'p' | 'u' => {
                    if !o.method.is_empty() {
                        let m = if c == 'p' { "POST" } else { "PUT" };
                        return Err(fail(
                            format!("Cannot mix {m} with other methods\n"),
                            &warnings,
                        ));
                    }
                    o.method = if c == 'p' { "POST" } else { "PUT" }.into();
                }
                _ => {}
            }
            continue 'words;
        }
    }
    let with_usage = |message: String, warnings: &[String]| -> Refusal {
        let mut lines: Vec<(String, bool)> = warnings.iter().map(|w| (w.clone(), true)).collect();
        lines.push((message, true));
        let u = usage(&program);
        lines.extend(u.lines);
        Refusal {
            lines,
            code: u.code,
        }
    };
    if ind + 1 != argv.len() {
        return Err(with_usage(
            format!("{program}: wrong number of arguments"),
            &warnings,
        ));
    }
    if o.method.is_empty() {
        o.method = "GET".into();
    }
    let Some(target) = argv.get(ind).and_then(|u| parse_url(u)) else {
        return Err(with_usage(format!("{program}: invalid URL"), &warnings));
    };
    o.target = target;
    if !(0..=MAX_CONCURRENCY).contains(&o.concurrency) {
        return Err(with_usage(
            format!("{program}: Invalid Concurrency [Range 0..{MAX_CONCURRENCY}]"),
            &warnings,
        ));
    }
    if o.concurrency > o.requests {
        return Err(with_usage(
            format!(
                "{program}: Cannot use concurrency level greater than total number of requests"
            ),
            &warnings,
        ));
    }
    o.heartbeat = if o.heartbeat != 0 && o.requests > 150 {
        (o.requests / 10).max(100)
    } else {
        0
    };
    o.warnings = warnings;
    Ok(o)
}

/// C's `atoi`: leading blanks, a sign, digits; `strtol`'s clamp, then cut to an `int`.
fn atoi(s: &str) -> i32 {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    let mut clamped = false;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add(i64::from(b - b'0')))
        {
            Some(n) => v = n,
            None => {
                clamped = true;
                break;
            }
        }
    }
    let v = match (clamped, negative) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, true) => -v,
        (false, false) => v,
    };
    v as i32
}

/// `parse_url`: `[http[s]://]host[:port]/path`; the path is required.
fn parse_url(url: &str) -> Option<Target> {
    let (https, rest) = if url.len() > 7 && url.starts_with("http://") {
        (false, &url[7..])
    } else if url.len() > 8 && url.starts_with("https://") {
        (true, &url[8..])
    } else {
        (false, url)
    };
    let slash = rest.find('/')?;
    let (authority, path) = rest.split_at(slash);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if after.is_empty() => 0,
            None => return None,
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), parse_port(p)?),
            None => (authority.to_string(), 0),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        0 if https => 443,
        0 => 80,
        p => p,
    };
    Some(Target {
        https,
        host,
        port,
        path: path.to_string(),
    })
}

/// A port as `apr_parse_addr_port` takes it: digits, 1..=65535.
fn parse_port(p: &str) -> Option<u16> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse::<u16>().ok().filter(|v| *v > 0)
}

/// `usage()`: its text on stderr, exit status `EINVAL`.
pub fn usage(program: &str) -> Refusal {
    let mut lines = vec![format!(
        "Usage: {program} [options] [http[s]://]hostname[:port]/path"
    )];
    lines.extend(USAGE.iter().map(|l| l.to_string()));
    Refusal {
        lines: lines.into_iter().map(|l| (l, true)).collect(),
        code: 22,
    }
}

/// The option lines of `usage()` (a build with OpenSSL 3, without SSLv2 and SSLv3).
const USAGE: &[&str] = &[
    "Options are:",
    "    -n requests     Number of requests to perform",
    "    -c concurrency  Number of multiple requests to make at a time",
    "    -t timelimit    Seconds to max. to spend on benchmarking",
    "                    This implies -n 50000",
    "    -s timeout      Seconds to max. wait for each response",
    "                    Default is 30 seconds",
    "    -b windowsize   Size of TCP send/receive buffer, in bytes",
    "    -B address      Address to bind to when making outgoing connections",
    "    -p postfile     File containing data to POST. Remember also to set -T",
    "    -u putfile      File containing data to PUT. Remember also to set -T",
    "    -T content-type Content-type header to use for POST/PUT data, eg.",
    "                    'application/x-www-form-urlencoded'",
    "                    Default is 'text/plain'",
    "    -v verbosity    How much troubleshooting info to print",
    "    -w              Print out results in HTML tables",
    "    -i              Use HEAD instead of GET",
    "    -x attributes   String to insert as table attributes",
    "    -y attributes   String to insert as tr attributes",
    "    -z attributes   String to insert as td or th attributes",
    "    -C attribute    Add cookie, eg. 'Apache=1234'. (repeatable)",
    "    -H attribute    Add Arbitrary header line, eg. 'Accept-Encoding: gzip'",
    "                    Inserted after all normal header lines. (repeatable)",
    "    -A attribute    Add Basic WWW Authentication, the attributes",
    "                    are a colon separated username and password.",
    "    -P attribute    Add Basic Proxy Authentication, the attributes",
    "                    are a colon separated username and password.",
    "    -X proxy:port   Proxyserver and port number to use",
    "    -V              Print version number and exit",
    "    -k              Use HTTP KeepAlive feature",
    "    -d              Do not show percentiles served table.",
    "    -S              Do not show confidence estimators and warnings.",
    "    -q              Do not show progress when doing more than 150 requests",
    "    -l              Accept variable document length (use this for dynamic pages)",
    "    -g filename     Output collected data to gnuplot format file.",
    "    -e filename     Output CSV file with percentages served",
    "    -r              Don't exit on socket receive errors.",
    "    -m method       Method name",
    "    -h              Display usage information (this message)",
    "    -I              Disable TLS Server Name Indication (SNI) extension",
    "    -Z ciphersuite  Specify SSL/TLS cipher suite (See openssl ciphers)",
    "    -f protocol     Specify SSL/TLS protocol",
    "                    (TLS1, TLS1.1, TLS1.2, TLS1.3 or ALL)",
    "    -E certfile     Specify optional client certificate chain and private key",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn reads_the_common_forms() {
        let o = parse(&argv("ab -n 1000 -c 10 http://php-apache/"), Build::Image).unwrap();
        assert_eq!((o.requests, o.concurrency, o.heartbeat), (1000, 10, 100));
        assert_eq!(o.target.host, "php-apache");
        assert_eq!((o.target.port, o.target.path.as_str()), (80, "/"));
        let o = parse(&argv("ab -kqn500 -c5 10.0.0.1:30080/x?y"), Build::Host).unwrap();
        assert!(o.keepalive);
        assert_eq!((o.requests, o.concurrency, o.heartbeat), (500, 5, 0));
        assert_eq!(o.target.host_header(), "10.0.0.1:30080");
        let o = parse(&argv("ab -t 10 http://web/"), Build::Image).unwrap();
        assert_eq!((o.requests, o.time_limit), (50_000, Some(10)));
    }

    #[test]
    fn refuses_as_ab_does() {
        let r = parse(&argv("ab -n 10 http://php-apache"), Build::Image).unwrap_err();
        assert_eq!(r.lines[0].0, "ab: invalid URL");
        assert_eq!(r.code, 22);
        let r = parse(&argv("ab -n 0 http://web/"), Build::Image).unwrap_err();
        assert_eq!(
            (r.lines[0].0.as_str(), r.code),
            ("Invalid number of requests", 1)
        );
        assert_eq!(r.lines.len(), 2);
        let r = parse(&argv("ab -n 5 -c 10 http://web/"), Build::Image).unwrap_err();
        assert!(r.lines[0].0.contains("greater than total number"));
        let r = parse(&argv("ab -c 20001 -n 30000 http://web/"), Build::Image).unwrap_err();
        assert_eq!(r.lines[0].0, "ab: Invalid Concurrency [Range 0..20000]");
        let r = parse(&argv("ab http://web/ -n 5"), Build::Image).unwrap_err();
        assert_eq!(r.lines[0].0, "ab: wrong number of arguments");
        let r = parse(
            &argv("/usr/local/apache2/bin/ab -j http://web/"),
            Build::Image,
        )
        .unwrap();
        assert_eq!(r.warnings, vec!["ab: illegal option -- j".to_string()]);
        assert_eq!(atoi("  12abc"), 12);
        assert_eq!(atoi("99999999999999999999"), -1);
    }
}
