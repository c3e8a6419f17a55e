//! The page's components.

pub mod console;
pub mod editor;
pub mod reset_button;
