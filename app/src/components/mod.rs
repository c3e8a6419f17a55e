//! The page's components.

pub mod console;
pub mod editor;
pub mod lesson_panel;
pub mod reset_button;
