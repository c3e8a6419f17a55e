//! Official library images without a program of their own here (nginx, httpd, redis, mysql,
//! perl and the base distributions have theirs): each one's ENTRYPOINT and CMD as its
//! Dockerfile sets them, its base distribution, and what its main program is — a server
//! (which runs until stopped, answering HTTP on the ports it exposes) or an interactive
//! program (`python3`, `node`, `bash`, …) that reads end-of-file from the empty stdin of a
//! container without `-it` and exits at once, as on a real node.

use super::Flavor;

/// One library image.
#[derive(Debug)]
pub struct Image {
    /// The repository's name (`wordpress`).
    pub name: &'static str,
    /// ENTRYPOINT.
    pub entrypoint: &'static [&'static str],
    /// CMD.
    pub cmd: &'static [&'static str],
    /// Its base distribution.
    pub flavor: Flavor,
    /// The program that serves, if it is a server.
    pub server: Option<&'static str>,
    /// The interactive program that exits on end-of-file, if it is one.
    pub repl: Option<&'static str>,
    /// The TCP ports its server answers HTTP on without the pod declaring them.
    pub http_ports: &'static [u16],
}

const fn server(
    name: &'static str,
    entrypoint: &'static [&'static str],
    cmd: &'static [&'static str],
    program: &'static str,
    http_ports: &'static [u16],
) -> Image {
    Image {
        name,
        entrypoint,
        cmd,
        flavor: Flavor::Debian,
        server: Some(program),
        repl: None,
        http_ports,
    }
}

const fn repl(
    name: &'static str,
    entrypoint: &'static [&'static str],
    cmd: &'static [&'static str],
    program: &'static str,
    flavor: Flavor,
) -> Image {
    Image {
        name,
        entrypoint,
        cmd,
        flavor,
        server: None,
        repl: Some(program),
        http_ports: &[],
    }
}

const ENTRY: &[&str] = &["docker-entrypoint.sh"];

static IMAGES: &[Image] = &[
    server(
        "wordpress",
        ENTRY,
        &["apache2-foreground"],
        "apache2-foreground",
        &[80],
    ),
    server("mongo", ENTRY, &["mongod"], "mongod", &[]),
    server("postgres", ENTRY, &["postgres"], "postgres", &[]),
    server("mariadb", ENTRY, &["mariadbd"], "mariadbd", &[]),
    server(
        "rabbitmq",
        ENTRY,
        &["rabbitmq-server"],
        "rabbitmq-server",
        &[],
    ),
    server("memcached", ENTRY, &["memcached"], "memcached", &[]),
    server(
        "tomcat",
        &[],
        &["catalina.sh", "run"],
        "catalina.sh",
        &[8080],
    ),
    server(
        "traefik",
        &["/entrypoint.sh"],
        &["traefik"],
        "traefik",
        &[80],
    ),
    server(
        "haproxy",
        ENTRY,
        &["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"],
        "haproxy",
        &[],
    ),
    server(
        "caddy",
        &[],
        &[
            "caddy",
            "run",
            "--config",
            "/etc/caddy/Caddyfile",
            "--adapter",
            "caddyfile",
        ],
        "caddy",
        &[80],
    ),
    repl("python", &[], &["python3"], "python3", Flavor::Debian),
    repl("node", ENTRY, &["node"], "node", Flavor::Debian),
    repl(
        "php",
        &["docker-php-entrypoint"],
        &["php", "-a"],
        "php",
        Flavor::Debian,
    ),
    repl("golang", &[], &["bash"], "bash", Flavor::Debian),
    repl("bash", ENTRY, &["bash"], "bash", Flavor::Debian),
    repl("fedora", &[], &["/bin/bash"], "bash", Flavor::Centos),
    repl("rockylinux", &[], &["/bin/bash"], "bash", Flavor::Centos),
    repl("amazonlinux", &[], &["/bin/bash"], "bash", Flavor::Centos),
    repl(
        "eclipse-temurin",
        &["/__cacert_entrypoint.sh"],
        &["jshell"],
        "jshell",
        Flavor::Ubuntu,
    ),
];

/// The library image named `name` (the repository's last element), if it is one of these.
pub fn find(name: &str) -> Option<&'static Image> {
    IMAGES.iter().find(|i| i.name == name)
}

impl Image {
    /// The program `argv` runs, past the image's entrypoint script, and its index.
    pub fn program<'a>(&self, argv: &'a [String]) -> Option<(usize, &'a str)> {
        let base = |a: &'a String| a.rsplit('/').next().unwrap_or(a);
        let first = argv.first().map(base)?;
        let entry = self
            .entrypoint
            .first()
            .map(|e| e.rsplit('/').next().unwrap_or(e));
        if entry == Some(first) {
            argv.get(1).map(|a| (1, base(a)))
        } else {
            Some((0, first))
        }
    }

    /// `argv` runs until stopped: the image's server, or its interactive program given
    /// something to run (`python3 -m http.server`, `node app.js`), answering HTTP on the
    /// pod's declared ports.
    pub fn serves(&self, argv: &[String]) -> bool {
        match self.program(argv) {
            Some((_, p)) if self.server == Some(p) => true,
            Some((i, p)) => self.repl == Some(p) && argv.len() > i + 1,
            None => false,
        }
    }

    /// `argv` is the interactive program alone: it reads end-of-file and exits 0.
    pub fn exits_at_eof(&self, argv: &[String]) -> bool {
        matches!(self.program(argv), Some((i, p)) if self.repl == Some(p) && argv.len() == i + 1)
    }

    /// Whether the image ships `program` (its entrypoint, server or interactive program).
    pub fn ships(&self, program: &str) -> bool {
        let base = program.rsplit('/').next().unwrap_or(program);
        self.entrypoint
            .iter()
            .chain(self.cmd.first())
            .any(|p| p.rsplit('/').next() == Some(base))
            || self.server == Some(base)
            || self.repl == Some(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn programs_past_the_entrypoint() {
        let wp = find("wordpress").unwrap();
        assert_eq!(
            wp.program(&argv(&["docker-entrypoint.sh", "apache2-foreground"])),
            Some((1, "apache2-foreground"))
        );
        assert_eq!(wp.program(&argv(&["sleep", "10"])), Some((0, "sleep")));
        assert!(wp.serves(&argv(&["docker-entrypoint.sh", "apache2-foreground"])));
        let py = find("python").unwrap();
        assert!(py.exits_at_eof(&argv(&["python3"])));
        assert!(py.serves(&argv(&["python3", "-m", "http.server"])));
        assert!(!py.serves(&argv(&["python3"])));
        assert!(wp.ships("/usr/local/bin/docker-entrypoint.sh"));
        assert!(find("python").unwrap().ships("python3"));
        assert!(find("nginx").is_none());
        assert_eq!(wp.program(&[]), None);
        assert!(!wp.serves(&[]) && !py.exits_at_eof(&[]));
    }
}
