//! PodDisruptionBudget and PriorityClass: `get` columns (`printPodDisruptionBudget`,
//! `printPriorityClass`) and `describe` (`describePodDisruptionBudgetV1`,
//! `describePriorityClass`).

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Columns, KindPrinter};
use crate::api::object::{Object, PodDisruptionBudget, PriorityClass};
use crate::api::selector::{format_label_selector, format_map};
use crate::printers::columns::{age, TableOptions};
use crate::world::World;

/// `IntOrString.String()`.
fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

impl KindPrinter for PodDisruptionBudget {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "MIN AVAILABLE",
                "MAX UNAVAILABLE",
                "ALLOWED DISRUPTIONS",
                "AGE",
            ],
            &[],
        )
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let spec = self.spec.as_ref();
        let cell = |v: Option<&IntOrString>| v.map_or_else(|| "N/A".into(), int_or_string);
        vec![
            obj.name().into(),
            cell(spec.and_then(|s| s.min_available.as_ref())),
            cell(spec.and_then(|s| s.max_unavailable.as_ref())),
            self.status
                .as_ref()
                .map_or(0, |s| s.disruptions_allowed)
                .to_string(),
            age(obj, now_ms),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        let mut o = format!("Name:\t{}\nNamespace:\t{}\n", obj.name(), obj.namespace());
        let spec = self.spec.clone().unwrap_or_default();
        if let Some(v) = &spec.min_available {
            o.push_str(&format!("Min available:\t{}\n", int_or_string(v)));
        } else if let Some(v) = &spec.max_unavailable {
            o.push_str(&format!("Max unavailable:\t{}\n", int_or_string(v)));
        }
        match &spec.selector {
            Some(s) => o.push_str(&format!("Selector:\t{}\n", format_label_selector(s))),
            None => o.push_str("Selector:\t<unset>\n"),
        }
        let st = self.status.clone().unwrap_or_default();
        o.push_str("Status:\n");
        o.push_str(&format!(
            "    Allowed disruptions:\t{}\n",
            st.disruptions_allowed
        ));
        o.push_str(&format!("    Current:\t{}\n", st.current_healthy));
        o.push_str(&format!("    Desired:\t{}\n", st.desired_healthy));
        o.push_str(&format!("    Total:\t{}\n", st.expected_pods));
        Some(o)
    }
}

impl KindPrinter for PriorityClass {
    fn columns() -> Columns {
        (
            &["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"],
            &[],
        )
    }

    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![
            obj.name().into(),
            self.value.to_string(),
            self.global_default.unwrap_or(false).to_string(),
            age(obj, now_ms),
            self.preemption_policy.clone().unwrap_or_default(),
        ]
    }

    fn describe(&self, obj: &Object, _world: &World) -> Option<String> {
        Some(format!(
            "Name:\t{}\nValue:\t{}\nGlobalDefault:\t{}\nPreemptionPolicy:\t{}\nDescription:\t{}\nAnnotations:\t{}\n",
            obj.name(),
            self.value,
            self.global_default.unwrap_or(false),
            self.preemption_policy.as_deref().unwrap_or(""),
            self.description.as_deref().unwrap_or(""),
            format_map(self.metadata.annotations.as_ref()),
        ))
    }
}
