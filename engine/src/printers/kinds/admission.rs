//! Webhook configurations, admission policies and APIServices: `get` columns
//! (`printValidatingWebhook`, `printMutatingWebhook`, `printValidatingAdmissionPolicy`,
//! `printValidatingAdmissionPolicyBinding`, kube-aggregator's APIService table) and kubectl's generic
//! `describe`, as kubectl has no describer of its own for them.

use super::{Columns, KindPrinter};
use crate::api::object::{
    APIService, MutatingWebhookConfiguration, Object, ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding, ValidatingWebhookConfiguration,
};
use crate::printers::columns::{age, TableOptions};
use crate::printers::describe::generic;
use crate::world::World;

/// Webhook configurations print how many webhooks they hold.
macro_rules! webhook_printer {
    ($($kind:ident),*) => {$(
        impl KindPrinter for $kind {
            fn columns() -> Columns {
                (&["NAME", "WEBHOOKS", "AGE"], &[])
            }
            fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
                let count = self.webhooks.as_ref().map_or(0, Vec::len);
                vec![obj.name().into(), count.to_string(), age(obj, now_ms)]
            }
            fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
                Some(generic::describe(obj))
            }
        }
    )*};
}

webhook_printer!(ValidatingWebhookConfiguration, MutatingWebhookConfiguration);

impl KindPrinter for APIService {
    fn columns() -> Columns {
        (&["NAME", "SERVICE", "AVAILABLE", "AGE"], &[])
    }

    /// SERVICE is `Local` or `namespace/name`; AVAILABLE the condition's status, with its
    /// reason when not `True`.
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let service = self
            .spec
            .as_ref()
            .and_then(|s| s.service.as_ref())
            .map_or_else(
                || "Local".to_string(),
                |s| {
                    format!(
                        "{}/{}",
                        s.namespace.as_deref().unwrap_or(""),
                        s.name.as_deref().unwrap_or("")
                    )
                },
            );
        let condition = self
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Available"));
        let available = match condition {
            None => "Unknown".to_string(),
            Some(c) if c.status == "True" => c.status.clone(),
            Some(c) => match c.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("{} ({r})", c.status),
                None => c.status.clone(),
            },
        };
        vec![obj.name().into(), service, available, age(obj, now_ms)]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for ValidatingAdmissionPolicy {
    fn columns() -> Columns {
        (&["NAME", "VALIDATIONS", "PARAMKIND", "AGE"], &[])
    }

    /// PARAMKIND: `apiVersion/kind`, or `<unset>`.
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let spec = self.spec.clone().unwrap_or_default();
        let param = spec.param_kind.map_or_else(
            || "<unset>".to_string(),
            |p| {
                format!(
                    "{}/{}",
                    p.api_version.unwrap_or_default(),
                    p.kind.unwrap_or_default()
                )
            },
        );
        let count = spec.validations.map_or(0, |v| v.len());
        vec![
            obj.name().into(),
            count.to_string(),
            param,
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}

impl KindPrinter for ValidatingAdmissionPolicyBinding {
    fn columns() -> Columns {
        (&["NAME", "POLICYNAME", "PARAMREF", "AGE"], &[])
    }

    /// PARAMREF: `namespace/name`, `*/name` without a namespace, the selector, or `<unset>`.
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let spec = self.spec.clone().unwrap_or_default();
        let param = match spec.param_ref {
            None => "<unset>".to_string(),
            Some(p) => match (p.name.filter(|n| !n.is_empty()), p.namespace, p.selector) {
                (Some(n), Some(ns), _) if !ns.is_empty() => format!("{ns}/{n}"),
                (Some(n), _, _) => format!("*/{n}"),
                (None, _, Some(sel)) => crate::api::selector::format_label_selector(&sel),
                (None, _, None) => "<unset>".to_string(),
            },
        };
        vec![
            obj.name().into(),
            spec.policy_name.unwrap_or_default(),
            param,
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(generic::describe(obj))
    }
}
