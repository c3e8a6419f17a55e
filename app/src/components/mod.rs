//! The page's components.

pub mod console;
