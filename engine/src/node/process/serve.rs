//! What a container answers on the network: which ports its main program listens on and the
//! HTTP responses it gives (nginx's welcome page and its 404, httpd's "It works!", the
//! course's echo images), with the access-log line the server writes for each request.

use super::addon::Program;
use super::{fmt_ms, fs, image_name, with_image_name, Container, Line, Server};

/// An HTTP request as it reaches the container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// Path and query, `/` at least.
    pub path: String,
    /// The `Host` header.
    pub host: String,
    /// The `User-Agent` header, when the client sends one.
    pub user_agent: Option<String>,
    /// The source address the server sees (after any source NAT).
    pub client_ip: String,
    /// The address the connection was made to (the pod IP).
    pub local_ip: String,
    /// When it arrives (epoch ms).
    pub at_ms: i64,
    /// Sent as HTTP/1.0 (ab), not HTTP/1.1.
    pub http10: bool,
}

impl Request {
    /// The protocol of its request line, as access logs show it.
    pub fn protocol(&self) -> &'static str {
        if self.http10 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        }
    }
}

/// An HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in the order the server writes them.
    pub headers: Vec<(String, String)>,
    /// The body (empty for `HEAD`).
    pub body: String,
}

impl Response {
    /// The status line's reason phrase.
    pub fn reason(&self) -> &'static str {
        reason(self.status)
    }
}

/// The reason phrase of a status code.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        _ => "Unknown",
    }
}

/// What listens on a port of a running container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// An HTTP server.
    Http,
    /// An HTTPS server (Go's: a plain HTTP request gets a 400).
    Https,
    /// Redis: closes the connection on an HTTP request (`Empty reply from server`).
    Redis,
    /// MySQL: greets first, in its own protocol (not HTTP).
    Mysql,
    /// ingress-nginx's nginx: routes by the cluster's Ingresses (`network::ingress_nginx`).
    IngressNginx,
}

/// The requests a container's server answered and the CPU time they cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Requests answered.
    pub requests: u64,
    /// CPU time spent answering them, in ms.
    pub cpu_ms: u64,
}

/// Most access-log lines a container keeps; older ones are rotated away, as the kubelet
/// rotates container logs.
pub const ACCESS_LOG_LINES: usize = 1_000;

/// The same request, every `period_ms` from `from_ms` (epoch ms) until `until_ms` if set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Periodic {
    /// The first one's arrival.
    pub from_ms: i64,
    /// The period (1 ms at least).
    pub period_ms: i64,
    /// The last one arrives at or before this, if they stop.
    pub until_ms: Option<i64>,
    /// The request (its `at_ms` is replaced by each arrival).
    pub request: Request,
}

/// The course's and the documentation's sample images, by repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sample {
    /// `sysnet4admin/echo-hname`: nginx answering its hostname.
    EchoHname,
    /// `sysnet4admin/echo-ip`: nginx answering the request method and addresses.
    EchoIp,
    /// `registry.k8s.io/hpa-example`: php-apache answering `OK!`.
    HpaExample,
    /// `gcr.io/google-samples/hello-app`: "Hello, world!" with version and hostname.
    HelloApp,
    /// The course's Node.js app (`kim0lil/80700`): a JSON greeting with the hostname.
    NodeHello,
}

fn sample(image: &str) -> Option<Sample> {
    crate::node::images::ImageRef::repository_with(image, sample_of)
}

/// The sample a repository holds.
fn sample_of(repo: &str) -> Option<Sample> {
    Some(match repo {
        "docker.io/sysnet4admin/echo-hname" => Sample::EchoHname,
        "docker.io/sysnet4admin/echo-ip" => Sample::EchoIp,
        "registry.k8s.io/hpa-example" | "k8s.gcr.io/hpa-example" => Sample::HpaExample,
        "gcr.io/google-samples/hello-app"
        | "us-docker.pkg.dev/google-samples/containers/gke/hello-app" => Sample::HelloApp,
        "docker.io/kim0lil/80700" => Sample::NodeHello,
        _ => return None,
    })
}

impl Container {
    /// What listens on `port` (TCP) while the main program runs, if anything.
    pub fn listener(&self, port: u16) -> Option<Listener> {
        let server = self.server()?;
        if let Some(s) = sample(&self.image) {
            let default = match s {
                Sample::HelloApp | Sample::NodeHello => 8080,
                _ => 80,
            };
            return (port == default).then_some(Listener::Http);
        }
        match server {
            Server::Nginx | Server::Httpd => (port == 80).then_some(Listener::Http),
            Server::Redis => (port == 6379).then_some(Listener::Redis),
            Server::Mysql => (port == 3306 || port == 33060).then_some(Listener::Mysql),
            // An image Kubeplay does not know serves HTTP on the ports its pod declares.
            Server::Generic => (self.ports.contains(&port)
                || with_image_name(&self.image, |n, _| super::library::find(n))
                    .is_some_and(|i| i.http_ports.contains(&port)))
            .then_some(Listener::Http),
            Server::Addon(Program::IngressNginx) => match port {
                80 | 443 => Some(Listener::IngressNginx),
                10254 => Some(Listener::Http),
                _ => None,
            },
            Server::Addon(Program::MetricsServer) => {
                let secure = super::addon::flag(&self.argv, "--secure-port")
                    .and_then(|p| p.parse::<u16>().ok())
                    .unwrap_or(10250);
                (port == secure).then_some(Listener::Https)
            }
            Server::Addon(_) => self.ports.contains(&port).then_some(Listener::Http),
            Server::System(c) => c.health_port(&self.argv, port),
        }
    }

    /// The server's response to `req`, and the line it writes to its log for it, if any.
    pub fn respond(&self, req: &Request) -> (Response, Option<String>) {
        self.respond_in(None, req)
    }

    /// [`Container::respond`], the files it serves from volumes read from `storage`.
    pub fn respond_in(
        &self,
        storage: Option<&crate::storage::Storage>,
        req: &Request,
    ) -> (Response, Option<String>) {
        let date = http_date(req.at_ms);
        let head = req.method == "HEAD";
        let (mut response, log) = match (sample(&self.image), self.server()) {
            (Some(s), _) => {
                let r = self.sample_response(s, req, &date);
                let log = match s {
                    Sample::EchoHname | Sample::EchoIp => {
                        // nginx's built-in `combined` format: no X-Forwarded-For field.
                        let main = nginx_log(req, &r);
                        Some(main.strip_suffix(" \"-\"").unwrap_or(&main).to_string())
                    }
                    Sample::HpaExample => Some(apache_combined(req, &r)),
                    _ => None,
                };
                (r, log)
            }
            (None, Some(Server::Nginx)) => {
                let r = self.nginx(req, &date, storage);
                let log = nginx_log(req, &r);
                (r, Some(log))
            }
            (None, Some(Server::Httpd)) => {
                let r = httpd(req, &date);
                let log = format!(
                    "{} - - [{}] \"{} {} {}\" {} {}",
                    req.client_ip,
                    fmt_ms(req.at_ms, "%d/%b/%Y:%H:%M:%S %z"),
                    req.method,
                    req.path,
                    req.protocol(),
                    r.status,
                    if head { 0 } else { r.body.len() }
                );
                (r, Some(log))
            }
            // The controller's health endpoint (port 10254).
            (None, Some(Server::Addon(Program::IngressNginx))) => match req.path.as_str() {
                "/healthz" => (text_response(200, "ok".into(), &date), None),
                _ => (
                    text_response(404, "404 page not found\n".into(), &date),
                    None,
                ),
            },
            (None, Some(Server::System(c))) => {
                let (status, body) = c.health(&req.path);
                (text_response(status, body, &date), None)
            }
            (None, Some(Server::Addon(Program::MetricsServer))) => {
                let (status, body, log) = super::metrics_server::health(self, &req.path, req.at_ms);
                (text_response(status, body, &date), log)
            }
            _ => (self.generic(&date), None),
        };
        if head {
            response.body.clear();
        }
        (response, log)
    }

    /// CPU time one request costs its server, in core-ms: a static file is cheap; the HPA
    /// example's PHP page computes a million square roots per request (upstream's
    /// walkthrough: one client loop holds a 500m-limited pod at its limit).
    pub fn request_cost_ms(&self) -> u64 {
        match sample(&self.image) {
            Some(Sample::HpaExample) => 100,
            Some(Sample::HelloApp | Sample::NodeHello) => 2,
            _ => 1,
        }
    }

    /// Counts one answered request and the CPU time it cost; returns the cost (core-ms).
    pub fn count_request(&mut self) -> u64 {
        let cost = self.request_cost_ms();
        self.work.requests = self.work.requests.saturating_add(1);
        self.work.cpu_ms = self.work.cpu_ms.saturating_add(cost);
        cost
    }

    /// The log lines of `p`'s requests that arrived by `until_ms` (the last
    /// [`ACCESS_LOG_LINES`] of them).
    pub fn periodic_lines(&self, p: &Periodic, until_ms: i64) -> Vec<Line> {
        let end = p.until_ms.map_or(until_ms, |u| u.min(until_ms));
        let period = p.period_ms.max(1);
        if end < p.from_ms {
            return Vec::new();
        }
        let count = (end - p.from_ms) / period + 1;
        let first = (count - ACCESS_LOG_LINES as i64).max(0);
        (first..count)
            .filter_map(|k| {
                let at = p.from_ms.saturating_add(k.saturating_mul(period));
                let mut req = p.request.clone();
                req.at_ms = at;
                let text = self.respond(&req).1?;
                Some(Line {
                    at: at - self.start_ms,
                    text,
                    stderr: false,
                })
            })
            .collect()
    }

    /// Appends a line the server wrote at `at_ms` to the container's log.
    pub fn log_served(&mut self, at_ms: i64, text: String) {
        if self.served.len() >= ACCESS_LOG_LINES {
            self.served.remove(0);
        }
        self.served.push(Line {
            at: at_ms - self.start_ms,
            text,
            stderr: false,
        });
    }

    fn nginx_version(&self) -> String {
        let (_, tag) = image_name(&self.image);
        if tag.chars().filter(|c| *c == '.').count() == 2 {
            tag
        } else {
            super::NGINX_VERSION.to_string()
        }
    }

    fn nginx(
        &self,
        req: &Request,
        date: &str,
        storage: Option<&crate::storage::Storage>,
    ) -> Response {
        let version = self.nginx_version();
        let path = req.path.split(['?', '#']).next().unwrap_or("/");
        let file = if path.ends_with('/') {
            format!("/usr/share/nginx/html{path}index.html")
        } else {
            format!("/usr/share/nginx/html{path}")
        };
        if !matches!(req.method.as_str(), "GET" | "HEAD") {
            return nginx_error(405, &format!("nginx/{version}"), date);
        }
        match fs::read(self, storage, &file) {
            Some(body) => {
                let mtime = NGINX_HTML_MTIME_MS;
                let headers = vec![
                    ("Server".into(), format!("nginx/{version}")),
                    ("Date".into(), date.to_string()),
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Length".into(), body.len().to_string()),
                    ("Last-Modified".into(), http_date(mtime)),
                    ("Connection".into(), "keep-alive".into()),
                    (
                        "ETag".into(),
                        format!("\"{:x}-{:x}\"", mtime / 1000, body.len()),
                    ),
                    ("Accept-Ranges".into(), "bytes".into()),
                ];
                Response {
                    status: 200,
                    headers,
                    body,
                }
            }
            None => nginx_error(404, &format!("nginx/{version}"), date),
        }
    }

    fn sample_response(&self, s: Sample, req: &Request, date: &str) -> Response {
        let body = match s {
            Sample::EchoHname => format!("{}\n", self.pod),
            Sample::EchoIp => format!(
                "request_method : {} | ip_dest: {}\n",
                req.method, req.local_ip
            ),
            Sample::HpaExample => "OK!".to_string(),
            Sample::HelloApp => {
                let (_, tag) = image_name(&self.image);
                let version = match tag.as_str() {
                    "2.0" => "2.0.0",
                    _ => "1.0.0",
                };
                format!(
                    "Hello, world!\nVersion: {version}\nHostname: {}\n",
                    self.pod
                )
            }
            Sample::NodeHello => format!(
                "{{\"error_code\":0,\"error_message\":null,\"data\":\"Hello Kubernetes this is Container ID is {}\"}}",
                self.pod
            ),
        };
        let mut headers = Vec::new();
        match s {
            Sample::EchoHname | Sample::EchoIp => {
                headers.push(("Server".into(), format!("nginx/{ECHO_NGINX}")));
                headers.push(("Date".into(), date.to_string()));
                headers.push(("Content-Type".into(), "text/html".into()));
                headers.push(("Content-Length".into(), body.len().to_string()));
                headers.push(("Connection".into(), "keep-alive".into()));
            }
            Sample::HpaExample => {
                headers.push(("Date".into(), date.to_string()));
                headers.push(("Server".into(), "Apache/2.4.10 (Debian)".into()));
                headers.push(("X-Powered-By".into(), "PHP/5.6.40".into()));
                headers.push(("Content-Length".into(), body.len().to_string()));
                headers.push(("Content-Type".into(), "text/html; charset=UTF-8".into()));
            }
            Sample::HelloApp | Sample::NodeHello => {
                let ctype = if s == Sample::NodeHello {
                    "application/json; charset=utf-8"
                } else {
                    "text/plain; charset=utf-8"
                };
                headers.push(("Content-Type".into(), ctype.into()));
                headers.push(("Date".into(), date.to_string()));
                headers.push(("Content-Length".into(), body.len().to_string()));
            }
        }
        Response {
            status: 200,
            headers,
            body,
        }
    }

    /// An image Kubeplay does not know: it answers, but what it says is its own.
    fn generic(&self, date: &str) -> Response {
        let body = format!("Hello from {}\n", self.pod);
        Response {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/plain; charset=utf-8".into()),
                ("Date".into(), date.to_string()),
                ("Content-Length".into(), body.len().to_string()),
            ],
            body,
        }
    }
}

/// The nginx of `nginx:stable` when the course's echo images were built (2020).
const ECHO_NGINX: &str = "1.18.0";

/// When the nginx image's `/usr/share/nginx/html` files were built (1.29.3 release day).
const NGINX_HTML_MTIME_MS: i64 = 1_761_653_110_000;

/// A Go `net/http` text response.
fn text_response(status: u16, body: String, date: &str) -> Response {
    Response {
        status,
        headers: vec![
            ("Content-Type".into(), "text/plain; charset=utf-8".into()),
            ("Date".into(), date.to_string()),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    }
}

/// nginx's built-in error page; `server` is `nginx/1.29.3`, or `nginx` where
/// `server_tokens off` hides the version (ingress-nginx).
pub fn nginx_error(status: u16, server: &str, date: &str) -> Response {
    let title = format!("{status} {}", reason(status));
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n"
    );
    Response {
        status,
        headers: vec![
            ("Server".into(), server.to_string()),
            ("Date".into(), date.to_string()),
            ("Content-Type".into(), "text/html".into()),
            ("Content-Length".into(), body.len().to_string()),
            ("Connection".into(), "keep-alive".into()),
        ],
        body,
    }
}

/// The nginx image's `main` log format.
fn nginx_log(req: &Request, r: &Response) -> String {
    let bytes = if req.method == "HEAD" {
        0
    } else {
        r.body.len()
    };
    format!(
        "{} - - [{}] \"{} {} {}\" {} {} \"-\" \"{}\" \"-\"",
        req.client_ip,
        fmt_ms(req.at_ms, "%d/%b/%Y:%H:%M:%S %z"),
        req.method,
        req.path,
        req.protocol(),
        r.status,
        bytes,
        req.user_agent.as_deref().unwrap_or("-")
    )
}

/// Debian's apache2 `combined` format (php's apache images log it to stdout): `%O` counts
/// the bytes sent with the headers. The connection header Apache adds is chosen from the
/// client: busybox wget asks to close, the others keep the connection alive.
fn apache_combined(req: &Request, r: &Response) -> String {
    let connection = match req.user_agent.as_deref() {
        Some("Wget") => "Connection: close\r\n".len(),
        _ => "Keep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\n".len(),
    };
    let head: usize = r
        .headers
        .iter()
        .map(|(k, v)| k.len() + v.len() + 4)
        .sum::<usize>()
        + format!("HTTP/1.1 {} {}\r\n\r\n", r.status, r.reason()).len()
        + connection;
    let body = if req.method == "HEAD" {
        0
    } else {
        r.body.len()
    };
    format!(
        "{} - - [{}] \"{} {} {}\" {} {} \"-\" \"{}\"",
        req.client_ip,
        fmt_ms(req.at_ms, "%d/%b/%Y:%H:%M:%S %z"),
        req.method,
        req.path,
        req.protocol(),
        r.status,
        head + body,
        req.user_agent.as_deref().unwrap_or("-")
    )
}

/// httpd's default page.
fn httpd(req: &Request, date: &str) -> Response {
    let path = req.path.split('?').next().unwrap_or("/");
    if matches!(path, "/" | "/index.html") {
        let body = "<html><body><h1>It works!</h1></body></html>\n".to_string();
        return Response {
            status: 200,
            headers: vec![
                ("Date".into(), date.to_string()),
                ("Server".into(), "Apache/2.4.65 (Unix)".into()),
                (
                    "Last-Modified".into(),
                    "Mon, 11 Jun 2007 18:53:14 GMT".into(),
                ),
                ("ETag".into(), "\"2d-432a5e4a73a80\"".into()),
                ("Accept-Ranges".into(), "bytes".into()),
                ("Content-Length".into(), body.len().to_string()),
                ("Content-Type".into(), "text/html".into()),
            ],
            body,
        };
    }
    let body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n".to_string();
    Response {
        status: 404,
        headers: vec![
            ("Date".into(), date.to_string()),
            ("Server".into(), "Apache/2.4.65 (Unix)".into()),
            ("Content-Length".into(), body.len().to_string()),
            (
                "Content-Type".into(),
                "text/html; charset=iso-8859-1".into(),
            ),
        ],
        body,
    }
}

/// An HTTP `Date` header value (IMF-fixdate).
pub fn http_date(ms: i64) -> String {
    fmt_ms(ms, "%a, %d %b %Y %H:%M:%S GMT")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(image: &str) -> Container {
        Container::for_test("web-1", image)
    }

    fn get(path: &str) -> Request {
        Request {
            method: "GET".into(),
            path: path.into(),
            host: "web".into(),
            user_agent: Some("curl/8.14.1".into()),
            client_ip: "10.244.2.7".into(),
            local_ip: "10.244.1.5".into(),
            at_ms: 1_764_860_000_000,
            http10: false,
        }
    }

    #[test]
    fn nginx_serves_its_welcome_page_and_logs_it() {
        let c = container("nginx:1.29.3");
        assert_eq!(c.listener(80), Some(Listener::Http));
        assert_eq!(c.listener(8080), None);
        let (r, log) = c.respond(&get("/"));
        assert_eq!(r.status, 200);
        assert_eq!(r.body.len(), 615);
        assert!(log.unwrap().starts_with("10.244.2.7 - - ["));
        let (r, _) = c.respond(&get("/nope"));
        assert_eq!(r.status, 404);
        assert!(r.body.contains("<hr><center>nginx/1.29.3</center>"));
    }

    #[test]
    fn httpd_works_and_busybox_listens_nowhere() {
        let (r, _) = container("httpd").respond(&get("/"));
        assert_eq!(r.body, "<html><body><h1>It works!</h1></body></html>\n");
        let mut b = container("busybox");
        b.argv = vec!["sleep".into(), "3600".into()];
        assert_eq!(b.listener(80), None);
    }
}
