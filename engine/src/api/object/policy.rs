//! PodDisruptionBudget (`policy/v1`) and PriorityClass (`scheduling.k8s.io/v1`): defaults and
//! validation (`ValidatePodDisruptionBudget` in `pkg/apis/policy/validation`,
//! `ValidatePriorityClass` in `pkg/apis/scheduling/validation`), the built-in system
//! classes (`SystemPriorityClasses`), and the percentage arithmetic both budgets and their
//! controller use (`intstr.GetScaledValueFromIntOrPercent`).

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{KindRules, Object, PodDisruptionBudget, PriorityClass, StatusSubresource};

/// The highest value a user-defined class may have (`HighestUserDefinablePriority`).
pub const HIGHEST_USER_PRIORITY: i32 = 1_000_000_000;

/// The classes the apiserver creates at start (name, value, description).
pub const SYSTEM_PRIORITY_CLASSES: &[(&str, i32, &str)] = &[
    (
        "system-node-critical",
        2_000_001_000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    (
        "system-cluster-critical",
        2_000_000_000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
];

/// The most characters a percentage may have before it is refused (a bound, not upstream's).
const MAX_PERCENT_LEN: usize = 12;

/// The built-in classes, as the apiserver's post-start hook creates them.
pub fn system_priority_classes() -> Vec<PriorityClass> {
    SYSTEM_PRIORITY_CLASSES
        .iter()
        .map(|(name, value, description)| {
            let mut pc = PriorityClass {
                metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                    name: Some((*name).into()),
                    ..Default::default()
                },
                value: *value,
                description: Some((*description).into()),
                ..Default::default()
            };
            pc.default_fields();
            pc
        })
        .collect()
}

/// `intstr.GetScaledValueFromIntOrPercent`: an integer as is, a percentage of `total`
/// rounded up (`round_up`) or down; `None` for a malformed percentage.
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> Option<i32> {
    match v {
        IntOrString::Int(i) => Some(*i),
        IntOrString::String(s) => {
            let pct = percent(s)?;
            let product = i64::from(pct) * i64::from(total);
            let value = if round_up {
                (product + 99).div_euclid(100)
            } else {
                product.div_euclid(100)
            };
            i32::try_from(value).ok()
        }
    }
}

/// The number in `N%`, if `s` is one (`^[0-9]+%$`).
fn percent(s: &str) -> Option<i32> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || s.len() > MAX_PERCENT_LEN || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse().ok()
}

/// An IntOrString as Go's `%#v` prints it inside a validation message.
pub(crate) fn go_int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => format!("intstr.IntOrString{{Type:0, IntVal:{i}, StrVal:\"\"}}"),
        IntOrString::String(s) => format!(
            "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
            serde_json::Value::String(s.clone())
        ),
    }
}

/// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent` for `path`.
fn int_or_percent_causes(v: &IntOrString, path: &str, causes: &mut Vec<String>) {
    nonnegative_int_or_percent(v, path, causes);
    not_more_than_100_percent(v, path, causes);
}

/// `ValidatePositiveIntOrPercent`: a well-formed percentage or an integer of at least 0.
pub(crate) fn nonnegative_int_or_percent(v: &IntOrString, path: &str, causes: &mut Vec<String>) {
    match v {
        IntOrString::Int(i) if *i < 0 => causes.push(format!(
            "{path}: Invalid value: {i}: must be greater than or equal to 0"
        )),
        IntOrString::Int(_) => {}
        IntOrString::String(s) if percent(s).is_none() => causes.push(format!(
            "{path}: Invalid value: {}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
            go_int_or_string(v)
        )),
        IntOrString::String(_) => {}
    }
}

/// `IsNotMoreThan100Percent`.
pub(crate) fn not_more_than_100_percent(v: &IntOrString, path: &str, causes: &mut Vec<String>) {
    if let IntOrString::String(s) = v {
        if percent(s).is_some_and(|p| p > 100) {
            causes.push(format!(
                "{path}: Invalid value: {}: must not be greater than 100%",
                go_int_or_string(v)
            ));
        }
    }
}

/// `getIntOrPercentValue`: the number of a percentage, else the integer (0 for other strings).
pub(crate) fn int_or_percent_value(v: &IntOrString) -> i64 {
    match v {
        IntOrString::Int(i) => i64::from(*i),
        IntOrString::String(s) => percent(s)
            .map(i64::from)
            .unwrap_or_else(|| s.parse().unwrap_or(0)),
    }
}

impl KindRules for PodDisruptionBudget {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let Some(spec) = self.spec.as_ref() else {
            return;
        };
        if spec.min_available.is_some() && spec.max_unavailable.is_some() {
            causes.push(
                "spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set"
                    .into(),
            );
        }
        if let Some(v) = &spec.min_available {
            int_or_percent_causes(v, "spec.minAvailable", causes);
        }
        if let Some(v) = &spec.max_unavailable {
            int_or_percent_causes(v, "spec.maxUnavailable", causes);
        }
        if let Some(p) = spec.unhealthy_pod_eviction_policy.as_deref() {
            if !matches!(p, "AlwaysAllow" | "IfHealthyBudget") {
                causes.push(format!(
                    "spec.unhealthyPodEvictionPolicy: Unsupported value: \"{p}\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\""
                ));
            }
        }
    }
}

impl StatusSubresource for PodDisruptionBudget {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }

    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

/// `IsKnownSystemPriorityClass`: why a `system-` class is not one of the built-ins.
fn unknown_system_class(pc: &PriorityClass, name: &str) -> Option<String> {
    let Some((_, value, _)) = SYSTEM_PRIORITY_CLASSES.iter().find(|(n, ..)| *n == name) else {
        return Some(format!("{name} is not a known system priority class"));
    };
    if pc.value != *value {
        return Some(format!("value of {name} PriorityClass must be {value}"));
    }
    if pc.global_default == Some(true) {
        return Some(format!(
            "globalDefault of {name} PriorityClass must be false"
        ));
    }
    None
}

impl KindRules for PriorityClass {
    /// `preemptionPolicy` defaults to `PreemptLowerPriority`.
    fn default_fields(&mut self) {
        self.preemption_policy
            .get_or_insert_with(|| "PreemptLowerPriority".into());
    }

    fn validate(&self, obj: &Object, causes: &mut Vec<String>) {
        let name = obj.name();
        if name.starts_with("system-") {
            if let Some(err) = unknown_system_class(self, name) {
                causes.push(format!(
                    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: {err}"
                ));
            }
        } else if self.value > HIGHEST_USER_PRIORITY {
            causes.push(format!(
                "value: Forbidden: maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}"
            ));
        }
        match self.preemption_policy.as_deref() {
            None => causes.push("preemptionPolicy: Required value".into()),
            Some("Never" | "PreemptLowerPriority") => {}
            Some(p) => causes.push(format!(
                "preemptionPolicy: Unsupported value: \"{p}\": supported values: \"Never\", \"PreemptLowerPriority\""
            )),
        }
    }

    /// The value and the preemption policy are fixed once created.
    fn validate_update(&self, obj: &Object, old: &Self, causes: &mut Vec<String>) {
        self.validate(obj, causes);
        if self.value != old.value {
            causes.push("value: Forbidden: may not be changed in an update.".into());
        }
        if self.preemption_policy != old.preemption_policy {
            let p = self.preemption_policy.as_deref().unwrap_or("");
            causes.push(format!(
                "preemptionPolicy: Invalid value: \"{p}\": field is immutable"
            ));
        }
    }
}

impl StatusSubresource for PriorityClass {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_scale_as_upstream() {
        let p = |s: &str| IntOrString::String(s.into());
        assert_eq!(scaled_value(&p("50%"), 3, true), Some(2));
        assert_eq!(scaled_value(&p("50%"), 3, false), Some(1));
        assert_eq!(scaled_value(&p("34%"), 3, true), Some(2));
        assert_eq!(scaled_value(&p("0%"), 3, true), Some(0));
        assert_eq!(scaled_value(&IntOrString::Int(2), 7, true), Some(2));
        assert_eq!(scaled_value(&p("50"), 3, true), None);
        assert_eq!(scaled_value(&p("99999999999999%"), 3, true), None);
    }

    #[test]
    fn budget_validation() {
        let pdb: PodDisruptionBudget = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "b"},
            "spec": {"minAvailable": "150%", "maxUnavailable": -1}
        }))
        .unwrap();
        let obj = Object::PodDisruptionBudget(Box::new(pdb.clone()));
        let mut causes = Vec::new();
        pdb.validate(&obj, &mut causes);
        assert_eq!(causes.len(), 3, "{causes:?}");
        assert!(causes[1].contains("must not be greater than 100%"));
        assert!(causes[2].starts_with("spec.maxUnavailable: Invalid value: -1"));
    }

    #[test]
    fn system_classes_validate() {
        for pc in system_priority_classes() {
            let obj = Object::PriorityClass(Box::new(pc.clone()));
            let mut causes = Vec::new();
            pc.validate(&obj, &mut causes);
            assert!(causes.is_empty(), "{causes:?}");
        }
    }
}
