//! Image references as a container runtime reads them: `nginx`, `nginx:1.27`,
//! `docker.io/library/nginx:1.27`; the grammar of distribution's `reference` package
//! (`ReferenceRegexp`, `ParseNormalizedNamed`) with its error texts.

/// An image reference split into repository (fully qualified) and tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io/library/nginx`.
    pub repository: String,
    /// `latest` when no tag was given.
    pub tag: String,
    /// A pinned digest (`sha256:…` after `@`), if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `nginx`, `nginx:1.27`, `library/nginx`, `docker.io/library/nginx:1.27`, with an
    /// optional `@sha256:<64 hex>` digest.
    pub fn parse(image: &str) -> Option<ImageRef> {
        Memo::with(image, Self::parse_uncached, |r| r.cloned())
    }

    /// What `read` makes of [`ImageRef::parse`]'s answer, without copying it.
    pub fn parse_with<T>(image: &str, read: impl FnOnce(Option<&ImageRef>) -> T) -> T {
        Memo::with(image, Self::parse_uncached, read)
    }

    /// What `read` makes of `image`'s repository (`docker.io/library/nginx`); `None` for a
    /// name that does not parse.
    pub fn repository_with<T>(image: &str, read: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        Self::parse_with(image, |r| read(r?.repository.as_str()))
    }

    fn parse_uncached(image: &str) -> Option<ImageRef> {
        normalized_error(image).is_none().then_some(())?;
        let (image, digest) = match image.split_once('@') {
            Some((name, digest)) => {
                let hex = digest.strip_prefix("sha256:")?;
                if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                (name, Some(digest.to_string()))
            }
            None => (image, None),
        };
        if image.is_empty()
            || image
                .chars()
                .any(|c| c.is_whitespace() || c.is_ascii_uppercase())
        {
            return None;
        }
        let (path, tag) = match image.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p, t.to_string()),
            _ => (image, "latest".to_string()),
        };
        if path.is_empty() || tag.is_empty() {
            return None;
        }
        let parts: Vec<&str> = path.split('/').collect();
        let has_registry = parts.len() > 1
            && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost");
        let repository = match (has_registry, parts.len()) {
            (true, _) => path.to_string(),
            (false, 1) => format!("docker.io/library/{path}"),
            (false, _) => format!("docker.io/{path}"),
        };
        Some(ImageRef {
            repository,
            tag,
            digest,
        })
    }

    /// `docker.io/library/nginx:latest` (with `@sha256:…` when pinned).
    pub fn full(&self) -> String {
        match &self.digest {
            Some(d) => format!("{}:{}@{d}", self.repository, self.tag),
            None => format!("{}:{}", self.repository, self.tag),
        }
    }
}

/// The last few images parsed (the node side asks about the same few images on every
/// container start): a pure function's results, so they change no output.
struct Memo;

impl Memo {
    /// Entries kept; names longer than [`MEMO_NAME_MAX`] are not kept.
    const ENTRIES: usize = 16;

    fn with<T>(
        image: &str,
        parse: fn(&str) -> Option<ImageRef>,
        read: impl FnOnce(Option<&ImageRef>) -> T,
    ) -> T {
        type Entries = Vec<(String, Option<ImageRef>)>;
        thread_local! {
            static MEMO: std::cell::RefCell<(Entries, usize)> = const {
                std::cell::RefCell::new((Vec::new(), 0))
            };
        }
        if image.len() > MEMO_NAME_MAX {
            return read(parse(image).as_ref());
        }
        MEMO.with(|memo| {
            // `read` may parse another image: that one is answered without the memo.
            let Ok(mut memo) = memo.try_borrow_mut() else {
                return read(parse(image).as_ref());
            };
            let (entries, next) = &mut *memo;
            let at = match entries.iter().position(|(i, _)| i == image) {
                Some(at) => at,
                None if entries.len() < Self::ENTRIES => {
                    entries.push((image.to_string(), parse(image)));
                    entries.len() - 1
                }
                None => {
                    // Round robin: the oldest entry goes.
                    let at = *next;
                    entries[at] = (image.to_string(), parse(image));
                    *next = (at + 1) % Self::ENTRIES;
                    at
                }
            };
            read(entries.get(at).and_then(|(_, r)| r.as_ref()))
        })
    }
}

/// Longest image name [`Memo`] keeps (a valid one has at most 255 bytes before its tag).
const MEMO_NAME_MAX: usize = 512;

/// Whether `image` matches distribution's `ReferenceRegexp` as written (`kubectl run`'s
/// check): `[domain/]path[:tag][@digest]`, lowercase paths.
pub fn matches_reference(image: &str) -> bool {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if digest.is_some_and(|d| !is_digest(d)) {
        return false;
    }
    let (name, tag) = match name.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, Some(t)),
        _ => (name, None),
    };
    tag.is_none_or(is_tag) && is_name(name)
}

/// Why `ParseNormalizedNamed` refuses `image` (the text after `couldn't parse image name`),
/// if it does.
pub fn normalized_error(image: &str) -> Option<String> {
    if image.len() == 64
        && image
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Some(format!(
            "invalid repository name ({image}), cannot specify 64-byte hexadecimal strings"
        ));
    }
    let (domain, remainder) = split_docker_domain(image);
    let remote = remainder.split(':').next().unwrap_or_default();
    if remote.to_lowercase() != remote {
        return Some(format!(
            "invalid reference format: repository name ({remote}) must be lowercase"
        ));
    }
    let full = format!("{domain}/{remainder}");
    if !matches_reference(&full) {
        return Some("invalid reference format".into());
    }
    let name_len = full
        .split('@')
        .next()
        .map_or(0, |n| match n.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => n.len(),
            _ => n.len(),
        });
    (name_len > 255).then(|| "repository name must not be more than 255 characters".into())
}

/// distribution's `splitDockerDomain`: (domain, remainder), `docker.io` and `library/` added.
fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut remainder) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_lowercase() != first =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    if domain == "index.docker.io" {
        domain = "docker.io".into();
    }
    if domain == "docker.io" && !remainder.contains('/') {
        remainder = format!("library/{remainder}");
    }
    (domain, remainder)
}

/// `[domain/]path-component(/path-component)*`; the first part is a domain only when more
/// follow.
fn is_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let (first, rest) = (parts[0], &parts[1..]);
    (is_path_component(first) || !rest.is_empty() && is_domain(first))
        && rest.iter().all(|p| is_path_component(p))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let sep = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        match &s[sep..i] {
            "." | "_" | "__" => {}
            dashes if dashes.bytes().all(|c| c == b'-') => {}
            _ => return false,
        }
    }
}

/// `host[:port]`: DNS-ish components (letters of either case, digits, inner `-`) joined by
/// dots, or a bracketed IPv6 address.
fn is_domain(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (s, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !v6.is_empty() && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    }
    host.split('.').all(|c| {
        let b = c.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
    })
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b.iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

/// `algorithm:hex`: `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*` and 32 or more hex digits.
fn is_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|c| {
        c.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && c.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_as_distribution_reads_them() {
        for ok in [
            "nginx",
            "nginx:1.27",
            "library/nginx",
            "registry.k8s.io/pause:3.10",
            "localhost:5000/app",
            "my-registry.Example.com:443/a/b__c/d.e/f---g:v_1.0-x",
            "[::1]:5000/app",
        ] {
            assert!(matches_reference(ok), "{ok}");
            assert_eq!(normalized_error(ok), None, "{ok}");
        }
        for bad in [
            "",
            "\u{1f642}",
            "ngnix<svg/onload=alert(1)>",
            "nginx:",
            ":1",
            "a//b",
            "-a",
            "a-",
            "a..b",
            "a b",
            "nginx:-1",
            "nginx@sha256:12",
            "a/B",
        ] {
            assert!(!matches_reference(bad), "{bad}");
        }
        let err = |s: &str| normalized_error(s).unwrap_or_default();
        assert_eq!(err("\u{1f642}"), "invalid reference format");
        assert_eq!(
            err("NGINX"),
            "invalid reference format: repository name (library/NGINX) must be lowercase"
        );
        assert_eq!(
            err(&"a".repeat(300)),
            "repository name must not be more than 255 characters"
        );
        assert!(err(&"0".repeat(64)).starts_with("invalid repository name"));
        assert!(ImageRef::parse("ngnix<svg/onload=alert(1)>").is_none());
    }
}
