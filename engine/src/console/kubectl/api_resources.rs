//! `kubectl api-resources`.

use super::flags::{self, Flag};
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::table::render_aligned;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("namespaced", None),
    flags::value("api-group", None),
    flags::value("output", Some('o')),
    flags::boolean("no-headers", None),
];

/// Lists the resources the cluster serves: NAME SHORTNAMES APIVERSION NAMESPACED KIND.
pub fn run(cluster: &Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("api-resources", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let namespaced = match parsed.value("namespaced") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(v) => {
            return super::error(format!(
                "invalid argument \"{v}\" for \"--namespaced\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax"
            ))
        }
    };
    let group = parsed.value("api-group");
    let served = cluster.world.api.served_kinds();
    let rows = served
        .iter()
        .filter(|k| namespaced.is_none_or(|n| k.namespaced == n))
        .filter(|k| group.is_none_or(|g| k.group == g));
    let mut out = Output::default();
    match parsed.value("output") {
        Some("name") => {
            for k in rows {
                out.out(if k.group.is_empty() {
                    k.plural.to_string()
                } else {
                    format!("{}.{}", k.plural, k.group)
                });
            }
        }
        None | Some("wide") => {
            let mut lines = Vec::new();
            if !parsed.bool("no-headers") {
                lines.push(
                    ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
                        .map(String::from)
                        .to_vec(),
                );
            }
            for k in rows {
                lines.push(vec![
                    k.plural.to_string(),
                    k.short_names.join(","),
                    k.api_version(),
                    k.namespaced.to_string(),
                    k.kind.to_string(),
                ]);
            }
            out.out_raw(render_aligned(&lines));
        }
        Some(other) => return super::error(format!("--output {other} is not available")),
    }
    out
}
