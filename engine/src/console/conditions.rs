//! The console's `[[ ... ]]` and `case`: their words expanded without splitting, then
//! matched with the shared condition rules (`node::process::cond`).

use std::sync::Arc;

use super::expand;
use crate::cluster::Cluster;
use crate::node::process::cond::{self, Operand};
use crate::output::Output;
use crate::sh::{CaseClause, Command, Cond, CondWord};

/// Runs `[[ EXPRESSION ]]`: its status (1 when an expansion fails).
pub(super) fn double_brackets(
    cluster: &mut Cluster,
    spec: &Cond<CondWord>,
    out: &mut Output,
) -> i32 {
    let expanded = spec.try_map(&mut |w: &CondWord| {
        Some(Operand {
            text: expand::single(cluster, w, out)?,
            pattern: !w.quoted,
        })
    });
    let Some(expanded) = expanded else {
        return 1;
    };
    let mut env = std::mem::take(&mut cluster.console.env);
    let files = |path: &str| super::workspace_kind(cluster, path);
    let (status, message) = cond::eval_cond(&expanded, &mut env, &files);
    cluster.console.env = env;
    if let Some(m) = message {
        out.err(format!("bash: {m}"));
    }
    status
}

/// The body of `case`'s first item with a matching pattern (empty when none matches), or
/// the status when an expansion fails.
pub(super) fn case_body(
    cluster: &mut Cluster,
    spec: &CaseClause,
    out: &mut Output,
) -> Result<Arc<[Command]>, i32> {
    let word = expand::single(cluster, &spec.word, out).ok_or(1)?;
    for item in spec.items.iter() {
        for pattern in &item.patterns {
            let p = expand::single(cluster, pattern, out).ok_or(1)?;
            let matched = if pattern.quoted {
                p == word
            } else {
                cond::glob(&p, &word)
            };
            if matched {
                return Ok(item.body.clone());
            }
        }
    }
    Ok(Arc::from(Vec::new()))
}
