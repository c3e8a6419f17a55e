//! The engine's integration tests, linked as one test binary: each file was once a binary of
//! its own, and each of those linked the whole engine again (a minute and a few hundred MB
//! of disk apiece). The transcripts keep their own binary (`transcripts.rs`, its own harness).

mod addon_properties;
mod conformance;
mod crd_properties;
mod deployment_properties;
mod layers;
mod loop_bounds;
mod network_properties;
mod no_panic;
mod pdb_properties;
mod pv_properties;
mod quota_properties;
mod streaming;
