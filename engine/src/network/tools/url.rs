//! URLs as the clients take them: `web`, `web:8080/path`, `http://10.96.0.20/`.

/// A parsed URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https`.
    pub scheme: String,
    /// Host name or address, lowercased.
    pub host: String,
    /// Port (the scheme's default when absent).
    pub port: u16,
    /// Whether the port was written.
    pub explicit_port: bool,
    /// Path and query, `/` at least.
    pub path: String,
}

impl Url {
    /// The `Host` header a client sends.
    pub fn host_header(&self) -> String {
        if self.explicit_port {
            format!("{}:{}", self.host, self.port)
        } else {
            self.host.clone()
        }
    }

    /// The URL written out in full.
    pub fn full(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host_header(), self.path)
    }
}

/// Why a URL was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// A scheme the client does not speak.
    Scheme(String),
    /// A port that is not a number in 0..=65535.
    Port,
    /// No host.
    NoHost,
}

/// Parses a URL; a missing scheme means `http`.
pub fn parse(raw: &str) -> Result<Url, UrlError> {
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), raw),
    };
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(UrlError::Scheme(scheme)),
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, String::new()),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else if path.is_empty() {
        "/".to_string()
    } else {
        path
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port, explicit) = match authority.rsplit_once(':') {
        Some((h, p)) => {
            let port = if p.is_empty() {
                default_port
            } else if p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()) {
                p.parse::<u32>()
                    .ok()
                    .and_then(|v| u16::try_from(v).ok())
                    .ok_or(UrlError::Port)?
            } else {
                return Err(UrlError::Port);
            };
            (h, port, !p.is_empty())
        }
        None => (authority, default_port, false),
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    Ok(Url {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
        explicit_port: explicit,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_learners_type() {
        let u = parse("web").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.path.as_str()), ("web", 80, "/"));
        let u = parse("http://10.96.0.20:8080/a?b=1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("10.96.0.20", 8080, "/a?b=1")
        );
        assert_eq!(u.host_header(), "10.96.0.20:8080");
        assert_eq!(parse("web:99999"), Err(UrlError::Port));
        assert_eq!(parse("ftp://x"), Err(UrlError::Scheme("ftp".into())));
        assert_eq!(parse("http://:80"), Err(UrlError::NoHost));
    }
}
