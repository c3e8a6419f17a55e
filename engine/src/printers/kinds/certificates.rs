//! CertificateSigningRequest: `get` columns (`printCertificateSigningRequest`) and
//! kubectl's generic `describe`.

use super::{Columns, KindPrinter};
use crate::api::object::certificates::has_condition;
use crate::api::object::{CertificateSigningRequest, Object};
use crate::printers::age::human_duration_secs;
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::generic;
use crate::world::World;

/// The CONDITION cell (`extractCSRStatus`): the decision, then `Failed` and `Issued`.
fn condition(csr: &CertificateSigningRequest) -> String {
    let mut s = if has_condition(csr, "Denied") {
        "Denied".to_string()
    } else if has_condition(csr, "Approved") {
        "Approved".to_string()
    } else {
        "Pending".to_string()
    };
    if has_condition(csr, "Failed") {
        s.push_str(",Failed");
    }
    if csr
        .status
        .as_ref()
        .and_then(|st| st.certificate.as_ref())
        .is_some_and(|c| !c.0.is_empty())
    {
        s.push_str(",Issued");
    }
    s
}

impl KindPrinter for CertificateSigningRequest {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "AGE",
                "SIGNERNAME",
                "REQUESTOR",
                "REQUESTEDDURATION",
                "CONDITION",
            ],
            &[],
        )
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let signer = match self.spec.signer_name.as_str() {
            "" => "<none>".to_string(),
            s => s.to_string(),
        };
        let duration = self
            .spec
            .expiration_seconds
            .map_or_else(|| "<none>".into(), |s| human_duration_secs(i64::from(s)));
        vec![
            obj.name().into(),
            age(obj, now_ms),
            signer,
            self.spec.username.clone().unwrap_or_default(),
            duration,
            condition(self),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}
