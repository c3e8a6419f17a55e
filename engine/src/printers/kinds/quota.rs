//! LimitRange and ResourceQuota: `get` columns (`printLimitRange`: NAME and CREATED AT;
//! `printResourceQuota`: REQUEST and LIMIT as `name: used/hard`) and `describe`
//! (`describeLimitRange`'s table, `describeQuota`'s Resource/Used/Hard), without Events.

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{Columns, KindPrinter};
use crate::api::object::{LimitRange, Object, ResourceQuota};
use crate::api::quantity::Amount;
use crate::printers::columns::{age, created_at, TableOptions};
use crate::world::World;

type List = BTreeMap<String, Quantity>;

impl KindPrinter for LimitRange {
    fn columns() -> Columns {
        (&["NAME", "CREATED AT"], &[])
    }

    fn row(&self, obj: &Object, _now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![obj.name().into(), created_at(&self.metadata)]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
        o.push_str(&limit_table(self, ""));
        Some(o)
    }

    fn describes_events(&self) -> bool {
        false
    }
}

/// `describeLimitRange`'s table (each line after `indent`): a row per item and resource
/// (resources in name order; kubectl walks a map), `-` where unset.
pub fn limit_table(lr: &LimitRange, indent: &str) -> String {
    let mut o = format!(
        "{indent}Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n\
         {indent}----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n"
    );
    for item in lr.spec.iter().flat_map(|s| &s.limits) {
        let lists = [
            &item.min,
            &item.max,
            &item.default_request,
            &item.default,
            &item.max_limit_request_ratio,
        ];
        let names: BTreeSet<&String> = lists
            .iter()
            .flat_map(|l| l.iter().flatten())
            .map(|(k, _)| k)
            .collect();
        for k in names {
            let cell = |l: &Option<List>| {
                l.as_ref()
                    .and_then(|l| l.get(k))
                    .map_or("-".to_string(), |q| q.0.clone())
            };
            let cells: Vec<String> = lists.iter().map(|l| cell(l)).collect();
            o.push_str(&format!(
                "{indent}{}\t{k}\t{}\n",
                item.type_,
                cells.join("\t")
            ));
        }
    }
    o
}

impl KindPrinter for ResourceQuota {
    fn columns() -> Columns {
        (&["NAME", "AGE", "REQUEST", "LIMIT"], &[])
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let (used, hard) = status(self);
        let (mut request, mut limit) = (Vec::new(), Vec::new());
        for name in self
            .spec
            .iter()
            .flat_map(|s| s.hard.iter().flatten())
            .map(|(k, _)| k)
        {
            let q = |l: &List| l.get(name).map_or("0".to_string(), |q| q.0.clone());
            let entry = format!("{name}: {}/{}", q(&used), q(&hard));
            if name.split('.').next() == Some("limits") && name.contains('.') {
                limit.push(entry);
            } else {
                request.push(entry);
            }
        }
        vec![
            obj.name().into(),
            age(obj, now_ms),
            request.join(", "),
            limit.join(", "),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
        o.push_str(&quota_table(self, ""));
        Some(o)
    }

    fn describes_events(&self) -> bool {
        false
    }
}

fn status(q: &ResourceQuota) -> (List, List) {
    let s = q.status.clone().unwrap_or_default();
    (s.used.unwrap_or_default(), s.hard.unwrap_or_default())
}

/// What a scope matches, as `describe quota` explains it.
fn scope_help(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
        "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
        _ => return None,
    })
}

/// A quota's `Scopes:` line (sorted) and each scope's help after `bullet`; empty without
/// scopes.
fn scope_lines(q: &ResourceQuota, indent: &str, bullet: &str) -> String {
    let mut scopes: Vec<&str> = q
        .spec
        .iter()
        .flat_map(|s| s.scopes.iter().flatten())
        .map(String::as_str)
        .collect();
    scopes.stable_sort();
    let mut o = String::new();
    if !scopes.is_empty() {
        o.push_str(&format!("{indent}Scopes:\t{}\n", scopes.join(", ")));
        for help in scopes.iter().filter_map(|s| scope_help(s)) {
            o.push_str(&format!("{bullet}{help}\n"));
        }
    }
    o
}

/// `describeQuota` after Name and Namespace: scopes with their help, then each hard
/// resource of the status with its use (in the hard amount's format).
pub fn quota_table(q: &ResourceQuota, indent: &str) -> String {
    let mut o = scope_lines(q, indent, &format!("{indent} * "));
    o.push_str(&format!(
        "{indent}Resource\tUsed\tHard\n{indent}--------\t----\t----\n"
    ));
    let (used, hard) = status(q);
    for (name, h) in &hard {
        let hard_amount = Amount::parse(&h.0);
        let used_text = match (
            used.get(name).and_then(|u| Amount::parse(&u.0)),
            hard_amount,
        ) {
            (Some(u), Some(h)) => u.like(h).to_string(),
            (Some(u), None) => u.to_string(),
            (None, _) => "0".into(),
        };
        o.push_str(&format!("{indent}{name}\t{used_text}\t{}\n", h.0));
    }
    o
}

/// `describe namespace`'s quota and limit sections (`DescribeResourceQuotas`,
/// `DescribeLimitRanges`), after its Status line.
pub fn namespace_sections(world: &World, ns: &str) -> String {
    let mut o = String::from("\n");
    let quotas: Vec<&ResourceQuota> = world.api.list_as::<ResourceQuota>(Some(ns)).collect();
    if quotas.is_empty() {
        o.push_str("No resource quota.\n");
    } else {
        o.push_str("Resource Quotas\n");
        for q in quotas {
            o.push_str(&format!(
                "  Name:\t{}\n",
                q.metadata.name.as_deref().unwrap_or("")
            ));
            o.push_str(&scope_lines(q, "  ", "  * "));
            o.push_str("  Resource\tUsed\tHard\n  --------\t---\t---\n");
            let (used, hard) = status(q);
            for (name, h) in &hard {
                let u = used.get(name).map_or("0", |u| u.0.as_str());
                o.push_str(&format!("  {name}\t{u}\t{}\n", h.0));
            }
        }
    }
    o.push('\n');
    let ranges: Vec<&LimitRange> = world.api.list_as::<LimitRange>(Some(ns)).collect();
    if ranges.is_empty() {
        o.push_str("No LimitRange resource.\n");
    } else {
        o.push_str("Resource Limits\n");
        let mut rows = String::new();
        for (i, lr) in ranges.iter().enumerate() {
            let table = limit_table(lr, " ");
            // One header for all ranges.
            let skip = if i == 0 { 0 } else { 2 };
            for line in table.lines().skip(skip) {
                rows.push_str(line);
                rows.push('\n');
            }
        }
        o.push_str(&rows);
    }
    o
}
