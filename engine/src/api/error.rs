//! API errors, rendered exactly as kubectl prints them.

use super::kinds::KindInfo;

/// An error returned by the emulated apiserver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// 404: `pods "x" not found`.
    NotFound { resource: String, name: String },
    /// 409: `pods "x" already exists`.
    AlreadyExists { resource: String, name: String },
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

    /// The line kubectl prints for this error (without a trailing newline).
    pub fn kubectl_message(&self) -> String {
        match self {
            ApiError::NotFound { resource, name } => {
                format!("Error from server (NotFound): {resource} \"{name}\" not found")
            }
            ApiError::AlreadyExists { resource, name } => {
                format!("Error from server (AlreadyExists): {resource} \"{name}\" already exists")
            }
        }
    }
}
