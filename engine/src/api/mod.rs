//! API machinery: the kind registry and API errors.

pub mod error;
pub mod kinds;
