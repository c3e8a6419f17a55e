//! Pods' volumes on their node.

pub mod projection;
