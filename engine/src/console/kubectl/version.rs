//! `kubectl version`.

use super::flags::{self, Flag};
use crate::output::Output;
use crate::{KUBERNETES_VERSION, KUSTOMIZE_VERSION};

pub(super) const FLAGS: &[Flag] = &[
    flags::boolean("client", None),
    flags::value("output", Some('o')),
];

/// Prints client, kustomize and server versions.
pub fn run(args: &[String]) -> Output {
    let parsed = match flags::parse("version", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    match parsed.value("output") {
        None => {}
        Some("yaml" | "json") => {
            return super::error("kubectl version -o yaml|json is not simulated in Kubeplay yet")
        }
        Some(_) => return super::error("--output must be 'yaml' or 'json'"),
    }
    let mut o = Output::default();
    o.out(format!("Client Version: {KUBERNETES_VERSION}"));
    o.out(format!("Kustomize Version: {KUSTOMIZE_VERSION}"));
    if !parsed.bool("client") {
        o.out(format!("Server Version: {KUBERNETES_VERSION}"));
    }
    o
}
