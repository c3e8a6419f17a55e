//! The page's components.

pub mod autoscaling_view;
pub mod board;
pub mod console;
pub mod describe_panel;
pub mod editor;
pub mod events_feed;
pub mod language_switch;
pub mod lesson_panel;
pub mod node_box;
pub mod pod_tile;
pub mod reset_button;
pub mod session_notice;
pub mod storage_view;
pub mod time_controls;
pub mod traffic_view;
pub mod wide_output;
