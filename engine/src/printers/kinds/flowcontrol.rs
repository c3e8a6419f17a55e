//! FlowSchema and PriorityLevelConfiguration: `get` columns (`printFlowSchema`,
//! `printPriorityLevelConfiguration`) and kubectl's generic `describe`.

use super::{Columns, KindPrinter};
use crate::api::object::{FlowSchema, Object, PriorityLevelConfiguration};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::generic;
use crate::world::World;

impl KindPrinter for FlowSchema {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "PRIORITYLEVEL",
                "MATCHINGPRECEDENCE",
                "DISTINGUISHERMETHOD",
                "AGE",
                "MISSINGPL",
            ],
            &[],
        )
    }

    /// MISSINGPL is the status of the `Dangling` condition, `?` before there is one.
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let spec = self.spec.clone().unwrap_or_default();
        let method = spec
            .distinguisher_method
            .map_or_else(|| "<none>".into(), |m| m.type_);
        let missing = self
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_.as_deref() == Some("Dangling")))
            .and_then(|c| c.status.clone())
            .unwrap_or_else(|| "?".into());
        vec![
            obj.name().into(),
            spec.priority_level_configuration.name,
            spec.matching_precedence.unwrap_or(0).to_string(),
            method,
            age(obj, now_ms),
            missing,
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for PriorityLevelConfiguration {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "TYPE",
                "NOMINALCONCURRENCYSHARES",
                "QUEUES",
                "HANDSIZE",
                "QUEUELENGTHLIMIT",
                "AGE",
            ],
            &[],
        )
    }

    /// An exempt level shows `<none>` for everything a limited one sets.
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let spec = self.spec.clone().unwrap_or_default();
        let none = || "<none>".to_string();
        let (mut shares, mut queues, mut hand, mut limit) = (none(), none(), none(), none());
        if let Some(l) = &spec.limited {
            shares = l.nominal_concurrency_shares.unwrap_or(0).to_string();
            if let Some(q) = l.limit_response.as_ref().and_then(|r| r.queuing.as_ref()) {
                queues = q.queues.unwrap_or(0).to_string();
                hand = q.hand_size.unwrap_or(0).to_string();
                limit = q.queue_length_limit.unwrap_or(0).to_string();
            }
        }
        vec![
            obj.name().into(),
            spec.type_,
            shares,
            queues,
            hand,
            limit,
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}
