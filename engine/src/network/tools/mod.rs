//! The network clients a learner types, with the real tools' flags, output and messages:
//! `curl` (Debian-based images and the learner's machine), busybox's `wget`, `nslookup`,
//! `nc` and `ping` (busybox and alpine images), and the learner's machine's GNU/iputils
//! versions. Each runs on simulated time and reports how long it took. The formats and the
//! upstream sources they were read from are in `docs/network-formats.md`.

mod curl;
mod download;
mod nc;
mod nslookup;
mod ping;
pub(crate) mod url;
mod wget;

use super::{NetCx, Origin};
use crate::node::process::script::{ToolRun, Tools};
use crate::node::process::{self, Flavor};

/// Longest any client waits, in seconds: larger `-m`/`-T`/`-w` values are cut to it.
pub const MAX_WAIT_SECONDS: i64 = 86_400;
/// How long a pod's resolver waits for a DNS server that never answers before it gives
/// up on a name (glibc's defaults: `timeout:5`, `attempts:2`; the first search domain's
/// timeout ends the search).
pub const RESOLVER_TIMEOUT_MS: i64 = 10_000;
/// How long the kernel retries a connection nobody answers (SYN retries: 1+2+…+64 s),
/// plus the jitter of a real run.
const KERNEL_CONNECT_TIMEOUT_MS: i64 = 130_989;

/// Which build of the tools a machine has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kit {
    /// busybox applets (busybox, alpine): `wget`, `nslookup`, `nc`, `ping`; no `curl`.
    Busybox,
    /// A Debian-based image that ships curl 8.14 (nginx, most application images).
    DebianCurl,
    /// CentOS 7: curl 7.29 and iputils ping.
    Centos,
    /// An image without network tools (ubuntu, httpd, redis, mysql).
    Bare,
    /// The learner's machine (Ubuntu 24.04): curl 8.5, GNU wget, iputils ping, bind9 nslookup.
    Host,
}

/// The tools an image ships.
pub fn kit_of(image: &str) -> Kit {
    match process::flavor(image) {
        Flavor::Busybox | Flavor::Alpine => Kit::Busybox,
        Flavor::Centos if process::image_name(image).0 == "centos" => Kit::Centos,
        Flavor::Centos | Flavor::Ubuntu | Flavor::Distroless => Kit::Bare,
        Flavor::Debian => match process::image_name(image).0.as_str() {
            "httpd" | "redis" | "perl" | "mysql" => Kit::Bare,
            _ => Kit::DebianCurl,
        },
    }
}

/// A machine's network clients, bound to where they run.
pub struct Client<'a> {
    /// The network they use.
    pub cx: NetCx<'a>,
    /// Where their connections start.
    pub origin: Origin,
    /// Which tools the machine has.
    pub kit: Kit,
    /// Whether stdout is a terminal (curl's progress meter shows only when it is not).
    pub tty: bool,
}

/// Whether a machine with `kit` has the program `name` (a path or a bare name).
pub fn ships(kit: Kit, name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    let busybox_or_host = matches!(kit, Kit::Busybox | Kit::Host);
    match base {
        "curl" => matches!(kit, Kit::DebianCurl | Kit::Centos | Kit::Host),
        "wget" | "nslookup" | "nc" => busybox_or_host,
        "ping" => busybox_or_host || kit == Kit::Centos,
        _ => false,
    }
}

impl Client<'_> {
    /// Runs `argv` if it names one of this machine's network tools.
    pub fn run(&mut self, argv: &[String], now_ms: i64) -> Option<ToolRun> {
        let (cmd, args) = argv.split_first()?;
        if !ships(self.kit, cmd) {
            return None;
        }
        Some(match cmd.rsplit('/').next().unwrap_or(cmd) {
            "curl" => curl::run(self, args, now_ms),
            "wget" => wget::run(self, args, now_ms),
            "nslookup" => nslookup::run(self, args),
            "nc" => nc::run(self, args, now_ms),
            _ => ping::run(self, args, now_ms),
        })
    }
}

impl Client<'_> {
    /// The first address `host` resolves to from this machine, following an `ExternalName`
    /// CNAME once.
    pub(crate) fn resolve(&mut self, host: &str) -> Option<String> {
        use super::dns::{self, Answer};
        if self.unanswered(host) {
            return None;
        }
        let mut answer = dns::resolve(self.cx.world, &self.origin, host)?.answer;
        dns::shuffle(&mut answer, &mut self.cx.net.rng);
        match answer {
            Answer::Addresses(ips) => ips.first().cloned(),
            Answer::Alias(target) => {
                match dns::resolve(self.cx.world, &self.origin, &format!("{target}."))?.answer {
                    Answer::Addresses(ips) => ips.first().cloned(),
                    Answer::Alias(_) => None,
                }
            }
        }
    }
}

impl Client<'_> {
    /// Whether a lookup of `host` goes unanswered: it needs the cluster DNS (a name, from
    /// a pod) and NetworkPolicy drops the pod's queries (UDP 53) to every CoreDNS pod.
    pub(crate) fn unanswered(&mut self, host: &str) -> bool {
        use super::dns::{is_ipv4, NAMESERVER};
        use super::proxy::{self, Route};
        if !matches!(self.origin, Origin::Pod { .. })
            || is_ipv4(host)
            || host.eq_ignore_ascii_case("localhost")
            || !super::policy::any_enforced(self.cx.world, self.cx.net.cni)
        {
            return false;
        }
        let routes = proxy::spread(self.cx.world, self.cx.net, &self.origin, NAMESERVER, 53);
        let mut servers = routes.iter().filter_map(|r| match r {
            Route::Pod {
                backend, client_ip, ..
            } => Some((backend, client_ip)),
            _ => None,
        });
        let cx = &self.cx;
        let origin = &self.origin;
        !servers.any(|(b, seen)| {
            super::exchange::admitted(cx, origin, seen, &b.ip, b.port, "UDP").is_ok()
        })
    }
}

impl Tools for Client<'_> {
    fn run(&mut self, argv: &[String], now_ms: i64) -> Option<ToolRun> {
        Client::run(self, argv, now_ms)
    }
}

/// The version of the curl a machine with `kit` ships (its default `User-Agent`).
pub fn curl_version(kit: Kit) -> &'static str {
    curl::version(kit)
}

/// Output collected by a tool.
#[derive(Default)]
struct Printed {
    run: ToolRun,
}

impl Printed {
    /// Lines written to stdout (each `\n` in `text` starts another line).
    fn out(&mut self, text: impl AsRef<str>) {
        for l in text.as_ref().split('\n') {
            self.run.lines.push((l.to_string(), false));
        }
    }

    /// Lines written to stderr.
    fn err(&mut self, text: impl AsRef<str>) {
        for l in text.as_ref().split('\n') {
            self.run.lines.push((l.to_string(), true));
        }
    }

    /// Text a program wrote to stdout as it is (a body): its final newline ends the last
    /// line rather than starting another; carriage returns before newlines are dropped.
    fn out_raw(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = text.strip_suffix('\n').unwrap_or(text);
        for l in text.split('\n') {
            self.run
                .lines
                .push((l.strip_suffix('\r').unwrap_or(l).to_string(), false));
        }
    }

    fn done(mut self, code: i32, elapsed_ms: i64) -> ToolRun {
        self.run.code = code;
        self.run.elapsed_ms = elapsed_ms;
        self.run
    }
}

/// Parses a number of seconds (`5`, `2.5`) into ms, bounded by [`MAX_WAIT_SECONDS`].
fn seconds_ms(s: &str) -> Option<i64> {
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some((v.min(MAX_WAIT_SECONDS as f64) * 1000.0) as i64)
}
