//! A container's main process and what it sees: which program an image runs (ENTRYPOINT/CMD
//! or the pod's `command`/`args`), what it logs and when it exits, on simulated time; and the
//! small filesystem and environment that `kubectl exec` shows.

pub mod ab;
pub mod addon;
pub(crate) mod arith;
pub(crate) mod budget;
pub mod cond;
mod flags;
pub mod fs;
pub mod grep;
pub mod head_tail;
mod library;
mod local_path;
pub mod metrics_server;
mod perl;
pub mod printf;
pub mod rotation;
pub mod script;
pub mod sed;
pub mod serve;
pub mod stream;
pub mod stress;
pub mod system;
pub mod text;

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;

pub use script::{Busy, End, Line, Run};

/// The base distribution of an image, which decides its shell, tools and files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// busybox: `sh` only, busybox applets.
    Busybox,
    /// alpine: `/bin/sh` (busybox ash).
    Alpine,
    /// Debian-based (nginx, httpd, redis, unknown images): bash, coreutils.
    Debian,
    /// ubuntu.
    Ubuntu,
    /// centos (and mysql's Oracle Linux base, close enough here).
    Centos,
    /// The kube-system images (distroless): only their own programs
    /// ([`system::Component::ships`]).
    Distroless,
}

/// What the image's main program is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    Nginx,
    Httpd,
    Redis,
    Mysql,
    Generic,
    Addon(addon::Program),
    System(system::Component),
}

/// One container instance: everything needed to replay its process on the simulated clock.
#[derive(Clone, Debug)]
pub struct Container {
    /// Pod name (also the hostname).
    pub pod: String,
    /// Pod namespace.
    pub namespace: String,
    /// Pod IP.
    pub pod_ip: String,
    /// Image as written in the pod spec.
    pub image: String,
    /// The runtime's id for this container (`containerd://…`; empty in tests).
    pub id: String,
    /// The argv the runtime executes.
    pub argv: Vec<String>,
    /// The environment the process starts with.
    pub env: BTreeMap<String, String>,
    /// When the process started (epoch ms).
    pub start_ms: i64,
    /// The TCP ports the pod declares for this container (`containerPort`).
    pub ports: Vec<u16>,
    /// Lines the server wrote for requests it served (access log), in time order.
    pub served: Vec<Line>,
    /// Its root filesystem: the image's files and its writable layer (what its hooks,
    /// `kubectl exec` and its own process wrote). Read it with [`Self::root`].
    pub root: fs::Root,
    /// Its volumes, mounted over the root.
    pub mounts: Vec<crate::node::volumes::Mount>,
    /// Requests that keep coming at a period (a probe that keeps succeeding, which the
    /// kubelet no longer needs to look at); their log lines are written when read.
    pub periodic: Vec<serve::Periodic>,
    /// Requests its server answered, and the CPU time they cost (ms), for metrics.
    pub work: serve::Work,
    /// The cluster's nodes (name, address) when it started, for a program that reaches
    /// them (metrics-server's scrapes); empty for the others.
    pub nodes: Vec<(String, String)>,
    /// Set when the network runs its main process as a load stream: what it prints.
    pub load: Option<stream::LoadOutput>,
    /// Set when the network runs its main process as a benchmark (`ab`): what it prints.
    pub bench: Option<stream::Scripted>,
}

impl Container {
    /// A container of pod `pod` (namespace `default`, IP 10.244.1.5) running `image`'s
    /// default program from time 0, for tests.
    #[cfg(test)]
    pub fn for_test(pod: &str, image: &str) -> Container {
        Container {
            pod: pod.into(),
            namespace: "default".into(),
            pod_ip: "10.244.1.5".into(),
            image: image.into(),
            id: String::new(),
            argv: argv(image, None, None),
            env: Default::default(),
            start_ms: 0,
            ports: vec![],
            served: vec![],
            root: Default::default(),
            mounts: Vec::new(),
            periodic: Vec::new(),
            work: Default::default(),
            nodes: Vec::new(),
            load: None,
            bench: None,
        }
        .with_root()
    }

    /// The same container with its root filesystem made from its image (and its mount
    /// points), dated now (`start_ms`): what the runtime does when it creates it. The tree
    /// itself is built when first looked at (most containers never are).
    pub fn with_root(mut self) -> Container {
        self.root = fs::Root::image(self.start_ms);
        self
    }

    /// Its root filesystem.
    pub fn root(&self) -> &std::sync::Arc<crate::storage::Tree> {
        self.root.get(self)
    }

    /// Replaces its root filesystem.
    pub fn set_root(&mut self, root: std::sync::Arc<crate::storage::Tree>) {
        self.root = fs::Root::from(root);
    }
}

/// The nginx release of the `nginx` image's floating tags.
const NGINX_VERSION: &str = "1.29.3";

/// The repository's last path element and the tag: `docker.io/library/nginx:1.27` → (`nginx`, `1.27`).
pub fn image_name(image: &str) -> (String, String) {
    with_image_name(image, |name, tag| (name.to_string(), tag.to_string()))
}

/// What `read` makes of [`image_name`]'s (name, tag), without copying them.
pub fn with_image_name<T>(image: &str, read: impl FnOnce(&str, &str) -> T) -> T {
    crate::node::images::ImageRef::parse_with(image, |r| {
        let (repo, tag) = r.map_or((image, "latest"), |r| (&r.repository, &r.tag));
        read(repo.rsplit('/').next().unwrap_or_default(), tag)
    })
}

/// The distribution an image is built on.
pub fn flavor(image: &str) -> Flavor {
    if system::component(image).is_some() {
        return Flavor::Distroless;
    }
    with_image_name(image, |name, _| match name {
        "busybox" => Flavor::Busybox,
        "alpine" | "local-path-provisioner" => Flavor::Alpine,
        "ubuntu" => Flavor::Ubuntu,
        "centos" | "mysql" => Flavor::Centos,
        name => library::find(name).map_or(Flavor::Debian, |i| i.flavor),
    })
}

/// The image's ENTRYPOINT and CMD.
fn image_defaults(image: &str) -> Defaults {
    if let Some(d) = addon::defaults(image) {
        return d;
    }
    if let Some(c) = system::component(image) {
        return c.defaults();
    }
    let stress =
        crate::node::images::ImageRef::repository_with(image, |repository| -> Option<Defaults> {
            Some(match repository {
                "docker.io/progrium/stress" => (&["/usr/bin/stress", "--verbose"], &[]),
                "docker.io/vish/stress" => (&["/stress"], &["-logtostderr"]),
                "docker.io/polinux/stress" => (&[], &["stress"]),
                _ => return None,
            })
        });
    if let Some(d) = stress {
        return d;
    }
    with_image_name(image, |name, _| -> Defaults {
        match name {
            "busybox" => (&[], &["sh"]),
            "alpine" => (&[], &["/bin/sh"]),
            "ubuntu" | "centos" => (&[], &["/bin/bash"]),
            "debian" => (&[], &["bash"]),
            "nginx" => (&["/docker-entrypoint.sh"], &["nginx", "-g", "daemon off;"]),
            "httpd" => (&[], &["httpd-foreground"]),
            "redis" => (&["docker-entrypoint.sh"], &["redis-server"]),
            "mysql" => (&["docker-entrypoint.sh"], &["mysqld"]),
            "perl" => (&[], &["perl", "-de0"]),
            name => library::find(name).map_or((&[], &["/app/server"]), |i| (i.entrypoint, i.cmd)),
        }
    })
}

/// An image's ENTRYPOINT and CMD.
type Defaults = (&'static [&'static str], &'static [&'static str]);

/// The argv a container runs: `command` + `args`; ENTRYPOINT + `args` when only `args` is
/// given (replacing CMD); or the image's ENTRYPOINT + CMD.
pub fn argv(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> Vec<String> {
    let (entrypoint, cmd) = image_defaults(image);
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match (command.filter(|c| !c.is_empty()), args) {
        (Some(c), a) => c.iter().chain(a.into_iter().flatten()).cloned().collect(),
        (None, Some(a)) if !a.is_empty() => {
            let mut v = owned(entrypoint);
            v.extend(a.iter().cloned());
            v
        }
        _ => {
            let mut v = owned(entrypoint);
            v.extend(owned(cmd));
            v
        }
    }
}

/// Programs every image has on its PATH (busybox applets / coreutils).
const COMMON_BINARIES: &[&str] = &[
    "sh",
    "echo",
    "sleep",
    "timeout",
    "tail",
    "cat",
    "date",
    "env",
    "printenv",
    "true",
    "false",
    "ls",
    "hostname",
    "id",
    "whoami",
    "pwd",
    "uname",
    "ps",
    "exit",
    "head",
    "grep",
    "seq",
    "test",
    "[",
    "touch",
    "mkdir",
    "rmdir",
    "rm",
    "ln",
    "cp",
    "mv",
    "chmod",
    "df",
    "mount",
    "yes",
    "dd",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "cksum",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "sed",
    "tee",
];

fn has_binary(image: &str, name: &str) -> bool {
    if let Some(c) = system::component(image) {
        return c.ships(name);
    }
    if with_image_name(image, |n, _| library::find(n)).is_some_and(|i| i.ships(name)) {
        return true;
    }
    let flavor = flavor(image);
    let base = name.rsplit('/').next().unwrap_or(name);
    COMMON_BINARIES.contains(&base)
        || (base == "bash" && !matches!(flavor, Flavor::Busybox | Flavor::Alpine))
        || (base == "ash" && matches!(flavor, Flavor::Busybox | Flavor::Alpine))
}

/// The runtime's error when a container's executable does not exist (containerd 2.x + runc).
pub fn start_error_message(exe: &str) -> String {
    format!("failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"{exe}\": executable file not found in $PATH: unknown")
}

/// The name a shell reports itself as in error messages.
fn shell_name(flavor: Flavor, exe: &str) -> &'static str {
    let base = exe.rsplit('/').next().unwrap_or(exe);
    if base == "bash" {
        "bash"
    } else if matches!(flavor, Flavor::Busybox | Flavor::Alpine) {
        "sh"
    } else {
        // Debian's /bin/sh is dash.
        "/bin/sh"
    }
}

impl Container {
    /// The image's distribution.
    pub fn flavor(&self) -> Flavor {
        flavor(&self.image)
    }

    /// `Err(message)` when the runtime cannot start the executable.
    pub fn check_start(&self) -> Result<(), String> {
        let Some(exe) = self.argv.first() else {
            return Err(start_error_message(""));
        };
        let known_server = self.server().is_some();
        if known_server
            || has_binary(&self.image, exe)
            || self.is_perl(exe)
            || stress::is_stress(&self.image, exe)
            || self.runs_ab()
        {
            Ok(())
        } else {
            Err(start_error_message(exe))
        }
    }

    /// Whether its main process may send requests of its own: a shell running a `-c` script
    /// (a load loop, if the network recognizes it) or `ab`.
    pub fn may_stream(&self) -> bool {
        self.argv.get(1).is_some_and(|a| a == "-c") || self.runs_ab()
    }

    /// `ab` in an image that ships it: the network runs it (`network::load::bench`).
    pub fn runs_ab(&self) -> bool {
        self.argv
            .first()
            .is_some_and(|exe| ab::is_ab(exe) && ab::ships(&self.image))
    }

    /// `perl` in the perl image.
    fn is_perl(&self, exe: &str) -> bool {
        with_image_name(&self.image, |n, _| n == "perl") && exe.rsplit('/').next() == Some("perl")
    }

    fn server(&self) -> Option<Server> {
        if let Some(p) = addon::program(&self.image, &self.argv) {
            return Some(Server::Addon(p));
        }
        let exe = self.argv.first()?;
        let base = exe.rsplit('/').next().unwrap_or(exe);
        if let Some(c) = system::component(&self.image) {
            return (base == c.binary()).then_some(Server::System(c));
        }
        let program = if base.ends_with("entrypoint.sh") {
            self.argv.get(1).map(|a| a.rsplit('/').next().unwrap_or(a))
        } else {
            Some(base)
        };
        with_image_name(&self.image, |name, _| {
            if library::find(name).is_some_and(|i| i.serves(&self.argv)) {
                return Some(Server::Generic);
            }
            // The image's own server program, by the image's name.
            match (program?, name) {
                ("nginx", "nginx") => Some(Server::Nginx),
                ("httpd-foreground" | "httpd", "httpd") => Some(Server::Httpd),
                ("redis-server", "redis") => Some(Server::Redis),
                ("mysqld", "mysql") => Some(Server::Mysql),
                ("server", _) if exe == "/app/server" => Some(Server::Generic),
                _ => None,
            }
        })
    }

    /// Replays the process from its start until `until_ms` (epoch ms), with the lines its
    /// server wrote for the requests it served: those of its current log file.
    pub fn run_until(&self, until_ms: i64) -> Run {
        self.run_in(None, until_ms)
    }

    /// [`Container::run_until`], its volumes read from `storage`.
    pub fn run_in(&self, storage: Option<&crate::storage::Storage>, until_ms: i64) -> Run {
        let mut run = self.replay(storage, until_ms);
        let limit = until_ms - self.start_ms;
        if !self.served.is_empty() || !self.periodic.is_empty() {
            run.lines
                .extend(self.served.iter().filter(|l| l.at <= limit).cloned());
            for p in &self.periodic {
                run.lines.extend(self.periodic_lines(p, until_ms));
            }
            run.lines.stable_sort_by_key(|l| l.at);
        }
        rotation::current_file(&mut run.lines);
        run
    }

    fn replay(&self, storage: Option<&crate::storage::Storage>, until_ms: i64) -> Run {
        let limit = until_ms - self.start_ms;
        if let Some(load) = &self.load {
            return Run::new(self.stream_lines(load, until_ms), End::Running);
        }
        if let Some(bench) = &self.bench {
            return Run::new(bench.lines_until(self.start_ms, until_ms), End::Running);
        }
        if self.runs_ab() {
            // Bad arguments end it at once; otherwise it runs when the network takes it.
            return match ab::parse(&self.argv, ab::Build::Image) {
                Err(r) => Run::new(
                    r.lines
                        .into_iter()
                        .map(|(text, stderr)| Line {
                            at: 0,
                            text,
                            stderr,
                        })
                        .collect(),
                    End::Exit {
                        at: 0,
                        code: r.code,
                    },
                ),
                Ok(_) => Run::new(Vec::new(), End::Running),
            };
        }
        if let Some(server) = self.server() {
            return self.server_run(server, storage, until_ms);
        }
        let Some((exe, rest)) = self.argv.split_first() else {
            return Run::new(vec![], End::Exit { at: 0, code: 128 });
        };
        if self.is_perl(exe) {
            return perl::run(rest);
        }
        if with_image_name(&self.image, |n, _| library::find(n))
            .is_some_and(|i| i.exits_at_eof(&self.argv))
        {
            return Run::new(vec![], End::Exit { at: 0, code: 0 });
        }
        if stress::is_stress(&self.image, exe) {
            return stress::run(exe, rest);
        }
        let flavor = self.flavor();
        let base = exe.rsplit('/').next().unwrap_or(exe);
        let mut shell = script::Shell::new(
            self,
            shell_name(flavor, exe),
            self.env.clone(),
            self.start_ms,
            limit,
        );
        if let Some(s) = storage {
            shell = shell.with_storage(s);
        }
        if matches!(base, "sh" | "bash" | "ash") {
            return match rest.first().map(String::as_str) {
                Some("-c") => shell.run_script(rest.get(1).map_or("", String::as_str)),
                // No tty and no stdin: the shell reads end-of-file and exits at once.
                _ => Run::new(vec![], End::Exit { at: 0, code: 0 }),
            };
        }
        shell.run_argv(&self.argv)
    }

    /// Runs `argv` inside the running container at `at_ms` (epoch ms) for at most `limit_ms`,
    /// as the runtime's exec does (a probe, a hook): `sh -c SCRIPT` through the shell, any
    /// other program as one command, its volumes read from `storage`. The executable must
    /// exist (`check_start`).
    pub fn exec_in(
        &self,
        storage: Option<&crate::storage::Storage>,
        argv: &[String],
        at_ms: i64,
        limit_ms: i64,
    ) -> Run {
        let exe = argv
            .first()
            .map_or("", |a| a.rsplit('/').next().unwrap_or(a));
        let is_shell = matches!(exe, "sh" | "bash" | "ash");
        let mut shell = script::Shell::new(
            self,
            if exe == "bash" { "bash" } else { "sh" },
            self.env.clone(),
            at_ms,
            limit_ms,
        );
        if let Some(s) = storage {
            shell = shell.with_storage(s);
        }
        match (is_shell, argv.get(1).map(String::as_str)) {
            (true, Some("-c")) => shell.run_script(argv.get(2).map_or("", String::as_str)),
            // A shell without a script reads end-of-file from the empty stdin and exits.
            (true, _) => Run::new(vec![], End::Exit { at: 0, code: 0 }),
            _ => shell.run_argv(argv),
        }
    }

    fn server_run(
        &self,
        server: Server,
        storage: Option<&crate::storage::Storage>,
        until_ms: i64,
    ) -> Run {
        let t = self.start_ms;
        let line = |at: i64, text: String| Line {
            at,
            text,
            stderr: false,
        };
        let (_, tag) = image_name(&self.image);
        let mut lines = Vec::new();
        let mut end = End::Running;
        match server {
            Server::Nginx => {
                let version = if tag.chars().filter(|c| *c == '.').count() == 2 {
                    tag.clone()
                } else {
                    NGINX_VERSION.to_string()
                };
                // The /docker-entrypoint.sh scripts and the notice lines came with 1.19.
                let mut parts = tag.split('.').map(|p| p.parse::<u32>().ok());
                let old = match (parts.next().flatten(), parts.next().flatten()) {
                    (Some(major), Some(minor)) => major < 1 || (major == 1 && minor < 19),
                    _ => false,
                };
                if !old {
                    for s in NGINX_ENTRYPOINT {
                        lines.push(line(12, s.to_string()));
                    }
                    let stamp = fmt_ms(t + 40, "%Y/%m/%d %H:%M:%S");
                    let notices = [
                        "using the \"epoll\" event method".to_string(),
                        format!("nginx/{version}"),
                        "built by gcc 14.2.0 (Debian 14.2.0-19) ".to_string(),
                        "OS: Linux 6.8.0-1015-gcp".to_string(),
                        "getrlimit(RLIMIT_NOFILE): 1048576:1048576".to_string(),
                        "start worker processes".to_string(),
                        "start worker process 29".to_string(),
                        "start worker process 30".to_string(),
                    ];
                    for n in notices {
                        lines.push(line(40, format!("{stamp} [notice] 1#1: {n}")));
                    }
                }
            }
            Server::Httpd => {
                let ah = format!("AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {}. Set the 'ServerName' directive globally to suppress this message", self.pod_ip);
                lines.push(line(20, ah.clone()));
                lines.push(line(25, ah));
                let stamp = fmt_ms(t + 30, "%a %b %d %H:%M:%S.%6f %Y");
                lines.push(line(30, format!("[{stamp}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.65 (Unix) configured -- resuming normal operations")));
                lines.push(line(30, format!("[{stamp}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'")));
            }
            Server::Redis => {
                let c = format!("1:C {}", fmt_ms(t + 5, "%d %b %Y %H:%M:%S.%3f"));
                let m = format!("1:M {}", fmt_ms(t + 6, "%d %b %Y %H:%M:%S.%3f"));
                for s in [
                    format!("{c} # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect."),
                    format!("{c} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
                    format!("{c} * Redis version=8.2.2, bits=64, commit=00000000, modified=1, pid=1, just started"),
                    format!("{c} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
                    format!("{m} * monotonic clock: POSIX clock_gettime"),
                    format!("{m} * Running mode=standalone, port=6379."),
                    format!("{m} * Server initialized"),
                    format!("{m} * Ready to accept connections tcp"),
                ] {
                    lines.push(line(6, s));
                }
            }
            Server::Mysql => {
                let stamp = fmt_ms(t + 10, "%Y-%m-%d %H:%M:%S+00:00");
                let note = |s: &str| format!("{stamp} [Note] [Entrypoint]: {s}");
                lines.push(line(
                    10,
                    note("Entrypoint script for MySQL Server 9.5.0-1.el9 started."),
                ));
                lines.push(line(10, note("Switching to dedicated user 'mysql'")));
                lines.push(line(
                    10,
                    note("Entrypoint script for MySQL Server 9.5.0-1.el9 started."),
                ));
                let configured = [
                    "MYSQL_ROOT_PASSWORD",
                    "MYSQL_ALLOW_EMPTY_PASSWORD",
                    "MYSQL_RANDOM_ROOT_PASSWORD",
                ]
                .iter()
                .any(|k| self.env.contains_key(*k));
                if configured {
                    lines.push(line(900, note("Initializing database files")));
                    let ready = fmt_ms(t + 9_000, "%Y-%m-%dT%H:%M:%S.%6fZ");
                    lines.push(line(9_000, format!("{ready} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.5.0'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.")));
                } else {
                    for s in [
                        format!("{stamp} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"),
                        "    You need to specify one of the following as an environment variable:".into(),
                        "    - MYSQL_ROOT_PASSWORD".into(),
                        "    - MYSQL_ALLOW_EMPTY_PASSWORD".into(),
                        "    - MYSQL_RANDOM_ROOT_PASSWORD".into(),
                    ] {
                        lines.push(Line { at: 10, text: s, stderr: true });
                    }
                    end = End::Exit { at: 10, code: 1 };
                }
            }
            // kube-webhook-certgen writes its certificate Secret (or patches the webhook)
            // and exits.
            Server::Addon(addon::Program::WebhookCertgen) => {
                end = End::Exit { at: 1_200, code: 0 };
            }
            Server::Addon(addon::Program::LocalPath) => lines = local_path::startup(self, storage),
            Server::Addon(addon::Program::MetricsServer) => {
                lines = metrics_server::log(self, until_ms)
            }
            Server::System(c) => match flags::refusal(c, &self.argv) {
                // Its flags do not parse: the message, and the process ends.
                Some((text, code)) => {
                    lines = text
                        .lines()
                        .map(|l| Line {
                            at: 40,
                            text: l.to_string(),
                            stderr: true,
                        })
                        .collect();
                    end = End::Exit { at: 40, code };
                }
                None => lines = system::startup(c, self),
            },
            Server::Generic | Server::Addon(_) => {}
        }
        Run::new(lines, end)
    }
}

const NGINX_ENTRYPOINT: &[&str] = &[
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
];

/// Formats epoch ms in UTC with a strftime pattern.
pub fn fmt_ms(ms: i64, pattern: &str) -> String {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    ts.strftime(pattern).to_string()
}

/// RFC 3339 with nanoseconds, as `kubectl logs --timestamps` prints.
pub fn rfc3339_nano(ms: i64) -> String {
    fmt_ms(ms, "%Y-%m-%dT%H:%M:%S.%9fZ")
}

impl script::Host for Container {
    fn root(&self) -> &std::sync::Arc<crate::storage::Tree> {
        Container::root(self)
    }

    fn view<'s>(&'s self, storage: Option<&'s crate::storage::Storage>) -> fs::View<'s> {
        fs::View::of(self, storage)
    }

    fn mounts(&self) -> &[crate::node::volumes::Mount] {
        &self.mounts
    }

    fn date(&self, ms: i64) -> String {
        fmt_ms(ms, "%a %b %e %H:%M:%S UTC %Y")
    }

    fn busybox(&self) -> bool {
        matches!(self.flavor(), Flavor::Busybox | Flavor::Alpine)
    }

    fn missing(&self, program: &str) -> Option<String> {
        system::component(&self.image).and_then(|c| c.missing(program))
    }

    fn utility(&self, argv: &[String]) -> Option<String> {
        if let Some(text) = system::utility(&self.image, argv) {
            return Some(text);
        }
        let (cmd, args) = argv.split_first()?;
        let base = cmd.rsplit('/').next().unwrap_or(cmd);
        let busybox = matches!(self.flavor(), Flavor::Busybox | Flavor::Alpine);
        Some(match base {
            "hostname" => self.pod.clone(),
            "whoami" => "root".into(),
            "id" => {
                if busybox {
                    "uid=0(root) gid=0(root) groups=0(root),10(wheel)".into()
                } else {
                    "uid=0(root) gid=0(root) groups=0(root)".into()
                }
            }
            "uname" => {
                if args.iter().any(|a| a == "-a") {
                    format!("Linux {} 6.8.0-1015-gcp #17-Ubuntu SMP Mon Sep 30 12:00:00 UTC 2024 x86_64{}", self.pod, if busybox { " Linux" } else { " GNU/Linux" })
                } else {
                    "Linux".into()
                }
            }
            "ps" => {
                let main = self.argv.join(" ");
                if busybox {
                    format!("PID   USER     TIME  COMMAND\n    1 root      0:00 {main}\n    7 root      0:00 ps")
                } else {
                    format!("    PID TTY          TIME CMD\n      1 ?        00:00:00 {}\n      7 ?        00:00:00 ps", self.argv.first().map_or("", |a| a.rsplit('/').next().unwrap_or(a)))
                }
            }
            _ => return None,
        })
    }
}

/// The environment kubelet gives a container: PATH and HOSTNAME from the image/runtime, the
/// spec's `env`, the `kubernetes` service variables, and HOME.
pub fn environment(
    image: &str,
    pod: &str,
    spec_env: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let path = match flavor(image) {
        Flavor::Busybox | Flavor::Alpine => {
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        }
        // The httpd image puts its prefix's `bin` (ab, apachectl) first.
        _ if ab::ships(image) => {
            "/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        }
        _ => "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    };
    env.insert("PATH".to_string(), path.to_string());
    env.insert("HOSTNAME".to_string(), pod.to_string());
    for (k, v) in spec_env {
        env.insert(k.clone(), v.clone());
    }
    // The service variables are added unless the spec set them.
    for (k, v) in crate::node::env::SERVICE_ENV {
        env.entry(k.to_string()).or_insert_with(|| v.to_string());
    }
    // The image's variables, unless the spec set them.
    match image_name(image).0.as_str() {
        "nginx" => {
            env.entry("NGINX_VERSION".into())
                .or_insert_with(|| NGINX_VERSION.into());
            env.entry("NJS_VERSION".into())
                .or_insert_with(|| "0.9.4".into());
            env.entry("PKG_RELEASE".into())
                .or_insert_with(|| "1~trixie".into());
        }
        "redis" => {
            env.entry("REDIS_VERSION".into())
                .or_insert_with(|| "8.2.2".into());
        }
        "httpd" => {
            env.entry("HTTPD_PREFIX".into())
                .or_insert_with(|| "/usr/local/apache2".into());
            env.entry("HTTPD_VERSION".into())
                .or_insert_with(|| "2.4.65".into());
        }
        _ => {}
    }
    env.entry("HOME".to_string())
        .or_insert_with(|| "/root".to_string());
    env
}

/// `env` prints variables in the order the runtime set them, which is not alphabetical:
/// PATH, HOSTNAME, then the rest. This orders a map that way.
pub fn env_lines(env: &BTreeMap<String, String>) -> Vec<String> {
    let mut first: Vec<String> = ["PATH", "HOSTNAME"]
        .iter()
        .filter_map(|k| env.get(*k).map(|v| format!("{k}={v}")))
        .collect();
    first.extend(
        env.iter()
            .filter(|(k, _)| !matches!(k.as_str(), "PATH" | "HOSTNAME" | "HOME"))
            .map(|(k, v)| format!("{k}={v}")),
    );
    if let Some(h) = env.get("HOME") {
        first.push(format!("HOME={h}"));
    }
    first
}
