//! `kubectl create quota NAME --hard=k=v,... --scopes=A,B` (kubectl's `create_quota.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::flags::{self, Flag};
use super::generate;
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("hard", None),
    flags::value("scopes", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

/// `populateResourceListV1`: `name=quantity` pairs separated by commas.
fn hard(spec: &str) -> Result<BTreeMap<String, Quantity>, String> {
    let mut out = BTreeMap::new();
    for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("error: invalid argument syntax {pair:?}"));
        };
        crate::api::quantity::check(value).map_err(|m| format!("error: {m}"))?;
        out.insert(name.trim().to_string(), Quantity(value.trim().to_string()));
    }
    Ok(out)
}

/// Runs `kubectl create quota ...` (args after `quota`).
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("create quota", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match super::create_configmap::one_name(&parsed, "create quota") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let hard = match parsed.value("hard").map(hard).transpose() {
        Ok(h) => h,
        Err(e) => return Output::failure(e),
    };
    let scopes: Option<Vec<String>> = parsed.value("scopes").map(|s| {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    });
    let quota = ResourceQuota {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(super::namespace(cluster, &parsed)),
            ..Default::default()
        },
        spec: Some(ResourceQuotaSpec {
            hard,
            scopes: scopes.filter(|s| !s.is_empty()),
            ..Default::default()
        }),
        status: None,
    };
    generate::finish(
        cluster,
        &parsed,
        Object::ResourceQuota(Box::new(quota)),
        "created",
    )
}
