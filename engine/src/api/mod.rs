//! API machinery: the kind registry and API errors.

pub mod base64;
pub mod batch;
pub mod cidr;
pub mod cron;
pub mod custom;
pub mod defaults;
pub mod disruption;
pub mod error;
pub mod explain;
pub mod image_ref;
pub mod json_patch;
pub mod kinds;
pub mod manifest;
pub mod object;
pub mod pod;
pub mod pod_resources;
pub mod pvc;
pub mod quantity;
pub mod selector;
pub mod service;
pub mod service_account;
pub mod strategic_merge;
pub mod type_errors;
pub mod validation;
pub mod workload_defaults;
pub mod workload_validation;
