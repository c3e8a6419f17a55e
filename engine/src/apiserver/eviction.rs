//! The eviction subresource (`POST pods/<name>/eviction`, `pkg/registry/core/pod/storage/
//! eviction.go`): a pod goes only if its PodDisruptionBudget allows one more disruption,
//! which the request takes (`disruptionsAllowed` decremented, the pod recorded among
//! `disruptedPods`); otherwise 429. An evicted pod gets the `DisruptionTarget` condition
//! before its graceful deletion.

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use super::deletion::{DeleteOptions, Deletion, Propagation};
use super::store::Write;
use super::ApiServer;
use crate::api::disruption;
use crate::api::error::ApiError;
use crate::api::object::Object;

/// The refusal of an eviction the budget does not allow.
const VIOLATES_BUDGET: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

/// Most entries a budget's `disruptedPods` may hold before evictions are refused
/// (`MaxDisruptedPodSize`).
const MAX_DISRUPTED_PODS: usize = 2000;

/// Terminal, pending or already deleting: evicted without asking a budget (`canIgnorePDB`).
fn can_ignore_budget(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
        || matches!(
            crate::api::pod::phase(pod),
            "Succeeded" | "Failed" | "Pending"
        )
}

impl ApiServer {
    /// Evicts the pod `namespace/name` with grace period `grace` (the pod's own if `None`),
    /// at `now` (ms).
    pub fn evict(
        &mut self,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
        now: i64,
    ) -> Result<Deletion, ApiError> {
        let pod = match self.store.get("Pod", namespace, name) {
            Some(Object::Pod(p)) => p.as_ref().clone(),
            _ => return Err(ApiError::not_found(crate::api::kinds::info("Pod"), name)),
        };
        if !can_ignore_budget(&pod) {
            self.take_disruption(&pod, now)?;
        }
        self.mark_disruption_target(pod, now);
        let options = DeleteOptions {
            grace,
            force: false,
            propagation: Propagation::Background,
        };
        self.delete("Pod", namespace, name, &options, now)
    }

    /// Checks the pod's budget and takes one of its allowed disruptions.
    fn take_disruption(&mut self, pod: &Pod, now: i64) -> Result<(), ApiError> {
        let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
        let budgets: Vec<PodDisruptionBudget> = self
            .list_as::<PodDisruptionBudget>(Some(namespace))
            .filter(|b| !disruption::selector_empty(b) && disruption::selects(b, pod))
            .cloned()
            .collect();
        let mut pdb = match budgets.as_slice() {
            [] => return Ok(()),
            [one] => one.clone(),
            _ => {
                return Err(ApiError::Internal {
                    message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into(),
                })
            }
        };
        let pdb_name = pdb.metadata.name.clone().unwrap_or_default();
        let status = pdb.status.clone().unwrap_or_default();
        // An unready pod counts for nothing: it goes without taking a disruption while the
        // budget is met.
        if !crate::api::pod::is_ready(pod)
            && status.current_healthy >= status.desired_healthy
            && status.desired_healthy > 0
        {
            return Ok(());
        }
        let too_many = || ApiError::TooManyRequests {
            message: VIOLATES_BUDGET.into(),
        };
        if status.observed_generation.unwrap_or(0) < pdb.metadata.generation.unwrap_or(0) {
            return Err(too_many());
        }
        if status.disruptions_allowed < 0 {
            return Err(ApiError::Denied {
                resource: "poddisruptionbudget.policy".into(),
                name: pdb_name,
                message: "pdb disruptions allowed is negative".into(),
            });
        }
        if status.disrupted_pods.as_ref().map_or(0, |d| d.len()) > MAX_DISRUPTED_PODS {
            return Err(ApiError::Denied {
                resource: "poddisruptionbudget.policy".into(),
                name: pdb_name,
                message:
                    "DisruptedPods map too big - too many evictions not confirmed by PDB controller"
                        .into(),
            });
        }
        if status.disruptions_allowed == 0 {
            return Err(too_many());
        }
        let at = crate::clock::time_from_ms(now);
        let st = pdb.status.get_or_insert_with(Default::default);
        st.disruptions_allowed -= 1;
        if st.disruptions_allowed == 0 {
            disruption::update_allowed_condition(&mut pdb, &at);
        }
        let st = pdb.status.get_or_insert_with(Default::default);
        st.disrupted_pods
            .get_or_insert_with(Default::default)
            .insert(pod.metadata.name.clone().unwrap_or_default(), at);
        self.store
            .update(Object::PodDisruptionBudget(Box::new(pdb)), Write::Status)?;
        Ok(())
    }

    /// Adds `DisruptionTarget` (`EvictionByEvictionAPI`) to the pod's conditions.
    fn mark_disruption_target(&mut self, mut pod: Pod, now: i64) {
        let present = pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| {
                c.iter()
                    .any(|c| c.type_ == "DisruptionTarget" && c.status == "True")
            });
        if present {
            return;
        }
        crate::api::pod::set_condition(
            &mut pod,
            PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("EvictionByEvictionAPI".into()),
                message: Some("Eviction API: evicting".into()),
                last_transition_time: Some(crate::clock::time_from_ms(now)),
                ..Default::default()
            },
        );
        let _ = self.store.update(Object::Pod(Box::new(pod)), Write::Status);
    }
}
