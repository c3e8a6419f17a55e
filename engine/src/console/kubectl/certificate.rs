//! `kubectl certificate approve|deny NAME...`: adds the `Approved` or `Denied` condition
//! to CertificateSigningRequests through their `approval` subresource, as
//! `pkg/cmd/certificates` does.

use super::flags::{self, Flag};
use crate::api::error::ApiError;
use crate::api::kinds;
use crate::api::object::certificates::{decision_condition, has_condition};
use crate::api::object::{CertificateSigningRequest, Object};
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[flags::boolean("force", None)];

const HELP: &str = "Modify certificate resources.

Available Commands:
  approve       Approve a certificate signing request
  deny          Deny a certificate signing request

Usage:
  kubectl certificate SUBCOMMAND [options]";

/// Runs `kubectl certificate ...`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let approve = match args.first().map(String::as_str) {
        Some("approve") => true,
        Some("deny") => false,
        _ => return Output::failure(HELP),
    };
    let parsed = match flags::parse("certificate", &args[1..], FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if parsed.positionals.is_empty() {
        return super::error("one or more CSRs must be specified as <name> or -f <filename>");
    }
    let force = parsed.bool("force");
    let mut out = Output::default();
    for name in &parsed.positionals {
        match decide(cluster, name, approve, force) {
            Ok(()) => out.out(format!(
                "certificatesigningrequest.certificates.k8s.io/{name} {}",
                if approve { "approved" } else { "denied" }
            )),
            Err(e) => {
                out.err(e);
                out.exit_code = 1;
            }
        }
    }
    out
}

/// Adds the decision to the request `name`, unless it already carries it (or `force`); the
/// opposite decision is an error.
fn decide(cluster: &mut Cluster, name: &str, approve: bool, force: bool) -> Result<(), String> {
    let info = kinds::info("CertificateSigningRequest");
    let Some(csr) = cluster
        .world
        .api
        .get_as::<CertificateSigningRequest>("", name)
        .cloned()
    else {
        return Err(ApiError::not_found(info, name).kubectl_message());
    };
    let (wanted, opposite) = if approve {
        ("Approved", "Denied")
    } else {
        ("Denied", "Approved")
    };
    if has_condition(&csr, opposite) {
        return Err(format!(
            "error: certificate signing request \"{name}\" is already {opposite}"
        ));
    }
    if has_condition(&csr, wanted) && !force {
        return Ok(());
    }
    let mut csr = csr;
    let now = cluster.world.clock.now_time().0;
    csr.status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new)
        .push(decision_condition(approve, now));
    cluster
        .world
        .api
        .update_status(Object::CertificateSigningRequest(Box::new(csr)))
        .map_err(|e| e.kubectl_message())?;
    Ok(())
}
