//! API errors, rendered exactly as kubectl prints them.

use super::kinds::KindInfo;

/// An error returned by the emulated apiserver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// 404: `pods "x" not found`.
    NotFound { resource: String, name: String },
    /// 409: `pods "x" already exists`.
    AlreadyExists { resource: String, name: String },
    /// 422: `The Pod "x" is invalid: ...`, with one cause per field.
    Invalid {
        kind: String,
        name: String,
        causes: Vec<String>,
    },
    /// 403 from the apiserver or an admission plugin: `namespaces "default" is forbidden: ...`.
    Denied {
        resource: String,
        name: String,
        message: String,
    },
    /// 422 for updates a kind forbids, e.g. changing a running pod's spec.
    Forbidden {
        kind: String,
        name: String,
        message: String,
    },
    /// 429: `Cannot evict pod as it would violate the pod's disruption budget.`
    TooManyRequests { message: String },
    /// 500: a failure inside the server.
    Internal { message: String },
}

/// `NewForbidden`'s text: the name quoted when the request named one.
fn forbidden_text(resource: &str, name: &str, message: &str) -> String {
    if name.is_empty() {
        format!("{resource} is forbidden: {message}")
    } else {
        format!("{resource} \"{name}\" is forbidden: {message}")
    }
}

impl ApiError {
    /// A NotFound error for `name` of the given kind.
    pub fn not_found(kind: &KindInfo, name: &str) -> Self {
        ApiError::NotFound {
            resource: kind.qualified_resource(),
            name: name.to_string(),
        }
    }

    /// An AlreadyExists error for `name` of the given kind.
    pub fn already_exists(kind: &KindInfo, name: &str) -> Self {
        ApiError::AlreadyExists {
            resource: kind.qualified_resource(),
            name: name.to_string(),
        }
    }

    /// A Forbidden (403) error for `name` of the given kind.
    pub fn denied(kind: &KindInfo, name: &str, message: impl Into<String>) -> Self {
        ApiError::Denied {
            resource: kind.qualified_resource(),
            name: name.to_string(),
            message: message.into(),
        }
    }

    /// The line kubectl prints for this error, with `error when <verb> "<file>": ` after the
    /// status, as kubectl prints failures of objects read from a file.
    pub fn kubectl_message_for_file(&self, verb: &str, file: &str) -> String {
        let message = self.kubectl_message();
        match message.split_once("): ") {
            Some((head, rest)) if message.starts_with("Error from server") => {
                format!("{head}): error when {verb} \"{file}\": {rest}")
            }
            _ => message,
        }
    }

    /// The error's own text (Go's `StatusError.Error()`), as kubectl prints it inside a
    /// wrapping message: `Ingress.networking.k8s.io "x" is invalid: [a, b]` (the kind
    /// qualified by `group`, several causes as an aggregate).
    pub fn status_message(&self, group: &str) -> String {
        let qualified = |kind: &str| {
            if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            }
        };
        match self {
            ApiError::NotFound { resource, name } => format!("{resource} \"{name}\" not found"),
            ApiError::AlreadyExists { resource, name } => {
                format!("{resource} \"{name}\" already exists")
            }
            ApiError::Denied {
                resource,
                name,
                message,
            } => forbidden_text(resource, name, message),
            ApiError::Invalid { kind, name, causes } => {
                let mut unique: Vec<&String> = Vec::new();
                for c in causes {
                    if !unique.contains(&c) {
                        unique.push(c);
                    }
                }
                let list: Vec<&str> = unique.iter().map(|c| c.as_str()).collect();
                let causes = match list.as_slice() {
                    [one] => one.to_string(),
                    many => format!("[{}]", many.join(", ")),
                };
                format!("{} \"{name}\" is invalid: {causes}", qualified(kind))
            }
            ApiError::Forbidden {
                kind,
                name,
                message,
            } => format!("{} \"{name}\" is invalid: {message}", qualified(kind)),
            ApiError::TooManyRequests { message } | ApiError::Internal { message } => {
                message.clone()
            }
        }
    }

    /// The line kubectl prints for this error (without a trailing newline).
    pub fn kubectl_message(&self) -> String {
        match self {
            ApiError::NotFound { resource, name } => {
                format!("Error from server (NotFound): {resource} \"{name}\" not found")
            }
            ApiError::AlreadyExists { resource, name } => {
                format!("Error from server (AlreadyExists): {resource} \"{name}\" already exists")
            }
            ApiError::Denied {
                resource,
                name,
                message,
            } => format!(
                "Error from server (Forbidden): {}",
                forbidden_text(resource, name, message)
            ),
            ApiError::Invalid { kind, name, causes } if causes.len() == 1 => {
                format!("The {kind} \"{name}\" is invalid: {}", causes[0])
            }
            ApiError::Invalid { kind, name, causes } => {
                let list: Vec<String> = causes.iter().map(|c| format!("* {c}")).collect();
                format!("The {kind} \"{name}\" is invalid: \n{}", list.join("\n"))
            }
            ApiError::Forbidden {
                kind,
                name,
                message,
            } => format!("The {kind} \"{name}\" is invalid: {message}"),
            ApiError::TooManyRequests { message } => {
                format!("Error from server (TooManyRequests): {message}")
            }
            ApiError::Internal { message } => {
                format!("Error from server (InternalError): {message}")
            }
        }
    }
}
