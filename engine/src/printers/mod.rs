//! Output printers: kubectl's table layout, ages, and per-kind columns.

pub mod age;
pub mod batch_columns;
pub mod columns;
pub mod describe;
pub mod go_value;
pub mod gotemplate;
pub mod jsonpath;
pub mod kinds;
pub mod pod_columns;
pub mod rollout_status;
pub mod service_columns;
pub mod storage_columns;
pub mod table;
pub mod tabwriter;
pub mod workload_columns;
pub mod yaml;
