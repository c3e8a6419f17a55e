//! What the eviction subresource and the disruption controller share about a
//! PodDisruptionBudget: which pods it selects, and its `DisruptionAllowed` condition
//! (`k8s.io/component-helpers/apps/poddisruptionbudget`).

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use super::selector::Selector;

/// The condition type the budget's status carries.
pub const DISRUPTION_ALLOWED: &str = "DisruptionAllowed";

/// How long an evicted pod counts as disrupted before the controller gives up on its
/// deletion (`DeletionTimeout`, 2 minutes).
pub const DELETION_TIMEOUT_MS: i64 = 2 * 60 * 1000;

/// Whether the budget's selector picks `pod` (same namespace assumed): a missing selector
/// picks nothing, an empty one every pod (`LabelSelectorAsSelector`).
pub fn selects(pdb: &PodDisruptionBudget, pod: &Pod) -> bool {
    match pdb.spec.as_ref().and_then(|s| s.selector.as_ref()) {
        None => false,
        Some(s) => Selector::from_label_selector(s).matches(pod.metadata.labels.as_ref()),
    }
}

/// Whether the budget's selector is missing or empty (the eviction subresource ignores such
/// a budget).
pub fn selector_empty(pdb: &PodDisruptionBudget) -> bool {
    pdb.spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .is_none_or(|s| Selector::from_label_selector(s).is_empty())
}

/// `apimeta.SetStatusCondition`: replaces the condition of the same type, keeping its
/// transition time when its status did not change.
pub fn set_condition(conditions: &mut Vec<Condition>, mut c: Condition) {
    match conditions.iter_mut().find(|x| x.type_ == c.type_) {
        Some(old) => {
            if old.status == c.status {
                c.last_transition_time = old.last_transition_time.clone();
            }
            *old = c;
        }
        None => conditions.push(c),
    }
}

/// `UpdateDisruptionAllowedCondition`: `SufficientPods` (True) while disruptions are
/// allowed, `InsufficientPods` (False) otherwise.
pub fn update_allowed_condition(pdb: &mut PodDisruptionBudget, now: &Time) {
    let status = pdb.status.get_or_insert_with(Default::default);
    let (state, reason) = if status.disruptions_allowed > 0 {
        ("True", "SufficientPods")
    } else {
        ("False", "InsufficientPods")
    };
    let condition = Condition {
        type_: DISRUPTION_ALLOWED.into(),
        status: state.into(),
        reason: reason.into(),
        message: String::new(),
        observed_generation: status.observed_generation,
        last_transition_time: now.clone(),
    };
    set_condition(status.conditions.get_or_insert_with(Vec::new), condition);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_keeps_transition_time_while_status_holds() {
        let mut pdb = PodDisruptionBudget::default();
        let t0 = crate::clock::time_from_ms(0);
        let t1 = crate::clock::time_from_ms(60_000);
        pdb.status
            .get_or_insert_with(Default::default)
            .disruptions_allowed = 1;
        update_allowed_condition(&mut pdb, &t0);
        update_allowed_condition(&mut pdb, &t1);
        let c = &pdb.status.as_ref().unwrap().conditions.as_ref().unwrap()[0];
        assert_eq!(
            (c.reason.as_str(), &c.last_transition_time),
            ("SufficientPods", &t0)
        );
        pdb.status.as_mut().unwrap().disruptions_allowed = 0;
        update_allowed_condition(&mut pdb, &t1);
        let c = &pdb.status.as_ref().unwrap().conditions.as_ref().unwrap()[0];
        assert_eq!(
            (c.reason.as_str(), &c.last_transition_time),
            ("InsufficientPods", &t1)
        );
    }
}
