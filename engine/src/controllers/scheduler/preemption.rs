//! DefaultPreemption (`pkg/scheduler/framework/preemption`, `plugins/defaultpreemption`): a
//! pending pod that fits on no node may fit on one once pods of lower priority go. The
//! victims on each node are the fewest lower-priority pods whose removal lets it fit
//! (reprieving the highest-priority ones first, those whose budget would be violated before
//! the others); the node is the one whose victims violate the fewest PodDisruptionBudgets,
//! then have the lowest highest priority, then are fewest. The victims get the
//! `DisruptionTarget` condition and a `Preempted` event and are deleted; the preemptor is
//! nominated to the node (`status.nominatedNodeName`) and scheduled once they are gone.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{Node, Pod, PodCondition};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use super::{filter, Capacity, NodeUsage, Wants};
use crate::api::disruption;
use crate::api::object::Object;
use crate::api::pod::set_condition;
use crate::world::events::series::Occurrence;
use crate::world::events::{EventType, Involved};
use crate::world::World;

fn priority(p: &Pod) -> i32 {
    p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)
}

fn finished(p: &Pod) -> bool {
    matches!(crate::api::pod::phase(p), "Succeeded" | "Failed")
}

/// The lowest priority of the pods bound to a node and not already going, if any: a pod of
/// this priority or lower has no victims anywhere, whatever the nodes (read once a pass,
/// rather than every node's pods for every pending pod).
pub(super) fn lowest_victim_priority(world: &World) -> Option<i32> {
    world
        .api
        .list_as::<Pod>(None)
        .filter(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_some()))
        .filter(|p| !finished(p) && p.metadata.deletion_timestamp.is_none())
        .map(priority)
        .min()
}

/// Whether a pod may have victims, given [`lowest_victim_priority`].
pub(super) fn may_have_victims(pod: &Pod, lowest: Option<i32>) -> bool {
    lowest.is_some_and(|l| l < priority(pod))
}

/// The pods bound to `node` that still hold room on it.
fn pods_on<'a>(world: &'a World, node: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
    world.api.pods_on(node).filter(|p| !finished(p))
}

/// `PodEligibleToPreemptOthers`: not with policy `Never`, and not while lower-priority pods
/// on the node it was already nominated to are still terminating; `Err` says why.
pub(super) fn eligible(world: &World, pod: &Pod) -> Result<(), &'static str> {
    let spec = pod.spec.clone().unwrap_or_default();
    if spec.preemption_policy.as_deref() == Some("Never") {
        return Err("not eligible due to preemptionPolicy=Never.");
    }
    let nominated = pod
        .status
        .as_ref()
        .and_then(|s| s.nominated_node_name.clone())
        .unwrap_or_default();
    let me = priority(pod);
    let terminating = !nominated.is_empty()
        && pods_on(world, &nominated)
            .any(|p| p.metadata.deletion_timestamp.is_some() && priority(p) < me);
    if terminating {
        return Err("not eligible due to a terminating pod on the nominated node.");
    }
    Ok(())
}

/// Whether `node` runs pods of lower priority than `pod` that are not already going: the
/// potential victims `SelectVictimsOnNode` starts from.
pub(super) fn has_victims(world: &World, pod: &Pod, node: &Node) -> bool {
    let me = priority(pod);
    let name = node.metadata.name.as_deref().unwrap_or("");
    pods_on(world, name).any(|p| priority(p) < me && p.metadata.deletion_timestamp.is_none())
}

/// One node's victims and how they rank.
struct Candidate {
    node: String,
    victims: Vec<Pod>,
    violations: usize,
}

/// The pods of `victims` whose eviction a budget would refuse (each budget's allowed
/// disruptions taken in turn).
fn violating(budgets: &[PodDisruptionBudget], victims: &[&Pod]) -> Vec<bool> {
    let mut allowed: Vec<i32> = budgets
        .iter()
        .map(|b| b.status.as_ref().map_or(0, |s| s.disruptions_allowed))
        .collect();
    victims
        .iter()
        .map(|v| {
            let mut violates = false;
            for (b, left) in budgets.iter().zip(allowed.iter_mut()) {
                if b.metadata.namespace == v.metadata.namespace && disruption::selects(b, v) {
                    *left -= 1;
                    violates |= *left < 0;
                }
            }
            violates
        })
        .collect()
}

/// `SelectVictimsOnNode`: the fewest lower-priority pods to remove for `pod` to fit.
fn victims_on(
    world: &World,
    pod: &Pod,
    node: &Node,
    budgets: &[PodDisruptionBudget],
) -> Option<Candidate> {
    let name = node.metadata.name.clone().unwrap_or_default();
    let me = priority(pod);
    let (mut lower, higher): (Vec<&Pod>, Vec<&Pod>) = pods_on(world, &name)
        .partition(|p| priority(p) < me && p.metadata.deletion_timestamp.is_none());
    if lower.is_empty() {
        return None;
    }
    let mut kept = NodeUsage::default();
    for p in higher {
        kept.add(p);
    }
    let (wants, cap) = (Wants::of(pod), Capacity::of(node));
    if !filter(pod, &wants, node, cap, &kept).is_empty() {
        return None;
    }
    // Highest priority first (then the oldest): reprieved first.
    lower.stable_sort_by_key(|p| {
        (
            std::cmp::Reverse(priority(p)),
            p.metadata.creation_timestamp.as_ref().map(|t| t.0),
        )
    });
    let flags = violating(budgets, &lower);
    let mut order: Vec<(&Pod, bool)> = lower.into_iter().zip(flags).collect();
    // Those whose budget would be violated are reprieved first (a stable sort).
    order.stable_sort_by_key(|(_, violates)| !*violates);
    let mut victims = Vec::new();
    let mut violations = 0;
    for (p, violates) in order {
        let mut with = kept.clone();
        with.add(p);
        if filter(pod, &wants, node, cap, &with).is_empty() {
            kept = with;
        } else {
            violations += usize::from(violates);
            victims.push(p.clone());
        }
    }
    Some(Candidate {
        node: name,
        victims,
        violations,
    })
}

/// Tries to make room for `pod` on one of `nodes` (those that failed for lack of room
/// only). Returns the nominated node, its victims deleted.
pub(super) fn preempt(world: &mut World, pod: &Pod, nodes: &[&Node]) -> Option<String> {
    if nodes.is_empty() || eligible(world, pod).is_err() {
        return None;
    }
    let budgets: Vec<PodDisruptionBudget> = world
        .api
        .list_as::<PodDisruptionBudget>(None)
        .cloned()
        .collect();
    let best = nodes
        .iter()
        .filter_map(|n| victims_on(world, pod, n, &budgets))
        .min_by_key(|c| {
            (
                c.violations,
                c.victims.iter().map(priority).max().unwrap_or(i32::MIN),
                c.victims.len(),
            )
        })?;
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    for victim in best.victims {
        let ns = victim.metadata.namespace.clone().unwrap_or_default();
        let name = victim.metadata.name.clone().unwrap_or_default();
        let mut marked = victim.clone();
        set_condition(
            &mut marked,
            PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("PreemptionByScheduler".into()),
                message: Some(
                    "default-scheduler: preempting to accommodate a higher priority pod".into(),
                ),
                last_transition_time: Some(world.clock.now_time()),
                ..Default::default()
            },
        );
        let _ = world.api.update_status(Object::Pod(Box::new(marked)));
        let _ = world.delete("Pod", &ns, &name, None, false);
        let message = format!("Preempted by pod {uid} on node {}", best.node);
        // About the victim as the scheduler read it, related to the preemptor.
        super::record(
            world,
            Occurrence {
                regarding: Involved::pod(&victim.metadata),
                related: Some(Involved::pod(&pod.metadata)),
                kind: EventType::Normal,
                reason: "Preempted",
                action: "Preempting",
                note: &message,
            },
        );
    }
    Some(best.node)
}
