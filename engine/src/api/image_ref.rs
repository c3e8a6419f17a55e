//! Image references as a container runtime reads them: `nginx`, `nginx:1.27`,
//! `docker.io/library/nginx:1.27`.

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
