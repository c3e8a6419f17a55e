//! What happened while a step was active: commands run, events recorded, and whether the
//! `always`/`ever` predicates held at every (some) evaluation. One slot per such predicate.

use super::goals::{Goal, PredKind};
use crate::api::object::{Object, WatchEventType};
use crate::cluster::Cluster;

/// Per-step memory of a goal's history predicates.
#[derive(Clone, Debug)]
pub(crate) struct History {
    slots: Vec<bool>,
    /// The next watch-log entry to look at for events.
    log_cursor: crate::apiserver::Cursor,
    /// Requests the network had carried when last looked at.
    traffic_cursor: u64,
    /// Per `traffic` slot: the pods that answered, and how many requests were answered.
    answered: std::collections::BTreeMap<usize, (std::collections::BTreeSet<String>, u32)>,
}

impl History {
    /// A fresh history for `goal`, starting now: `always` holds so far, nothing else happened.
    pub fn start(goal: &Goal, cluster: &Cluster) -> History {
        let mut slots = vec![false; goal.slots];
        goal.root.visit(&mut |p| {
            if let PredKind::Always(_, slot) = &p.kind {
                if let Some(s) = slots.get_mut(*slot) {
                    *s = true;
                }
            }
        });
        History {
            slots,
            log_cursor: cluster.world.api.watch(),
            traffic_cursor: cluster.network.traffic.total,
            answered: Default::default(),
        }
    }

    pub fn slot(&self, i: usize) -> bool {
        self.slots.get(i).copied().unwrap_or(false)
    }

    pub fn set(&mut self, i: usize, v: bool) {
        if let Some(s) = self.slots.get_mut(i) {
            *s = v;
        }
    }

    /// Records a console line that ran with `exit_code` and printed `output`: `ran`
    /// predicates whose pattern it matches (whitespace collapsed), whose `output` pattern (if
    /// any) the output matches (its final newlines dropped, as `$(...)` does), and whose exit
    /// code it returned (0 unless the goal says otherwise) are met.
    pub fn command(&mut self, goal: &Goal, line: &str, exit_code: i32, output: &str) {
        let output = output.trim_end_matches('\n');
        let normalized = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut hits = Vec::new();
        goal.root.visit(&mut |p| {
            if let PredKind::Ran {
                regex,
                output: want,
                exit,
                slot,
                ..
            } = &p.kind
            {
                if *exit != exit_code {
                    return;
                }
                let printed = want.as_ref().is_none_or(|(_, re)| re.is_match(output));
                if printed && regex.is_match(&normalized) {
                    hits.push(*slot);
                }
            }
        });
        for s in hits {
            self.set(s, true);
        }
    }

    /// What `traffic` slot `slot` has seen: (different pods that answered, answered requests).
    pub fn answered(&self, slot: usize) -> (usize, u32) {
        self.answered
            .get(&slot)
            .map_or((0, 0), |(pods, n)| (pods.len(), *n))
    }

    /// Reads the requests carried since the last call: `traffic` predicates count the ones
    /// their Service answered, and are met once enough pods and requests answered.
    pub fn observe_traffic(&mut self, goal: &Goal, cluster: &Cluster) {
        let log = &cluster.network.traffic;
        let new: Vec<_> = log.since(self.traffic_cursor).collect();
        self.traffic_cursor = log.total;
        let mut met = Vec::new();
        goal.root.visit(&mut |p| {
            if let PredKind::Traffic {
                service,
                namespace,
                pods,
                requests,
                slot,
            } = &p.kind
            {
                let entry = self.answered.entry(*slot).or_default();
                for t in &new {
                    let ours = t
                        .service
                        .as_ref()
                        .is_some_and(|(ns, n)| ns == namespace && n == service);
                    if let (true, crate::network::traffic::Outcome::Answered(_), Some((_, pod))) =
                        (ours, &t.outcome, &t.pod)
                    {
                        entry.0.insert(pod.clone());
                        entry.1 = entry.1.saturating_add(1);
                    }
                }
                if entry.0.len() >= *pods as usize && entry.1 >= *requests {
                    met.push(*slot);
                }
            }
        });
        for s in met {
            self.set(s, true);
        }
    }

    /// Reads the watch log since the last call: `event` predicates matching an Event that was
    /// recorded (or repeated) meanwhile (its reason, object, and message if asked) are met.
    pub fn observe(&mut self, goal: &Goal, cluster: &Cluster) {
        let new = cluster.world.api.read(&self.log_cursor);
        let mut hits = Vec::new();
        for w in new {
            let Object::Event(ev) = &*w.object else {
                continue;
            };
            if w.kind == WatchEventType::Deleted {
                continue;
            }
            goal.root.visit(&mut |p| {
                if let PredKind::Event {
                    reason,
                    involved_kind,
                    name_prefix,
                    namespace,
                    message,
                    slot,
                } = &p.kind
                {
                    let involved = &ev.involved_object;
                    let ok = ev.reason.as_deref() == Some(reason.as_str())
                        && involved_kind.is_none_or(|k| involved.kind.as_deref() == Some(k))
                        && name_prefix.as_deref().is_none_or(|n| {
                            involved.name.as_deref().is_some_and(|x| x.starts_with(n))
                        })
                        && namespace
                            .as_deref()
                            .is_none_or(|n| ev.metadata.namespace.as_deref() == Some(n))
                        && message.as_ref().is_none_or(|(_, re)| {
                            ev.message.as_deref().is_some_and(|m| re.is_match(m))
                        });
                    if ok {
                        hits.push(*slot);
                    }
                }
            });
        }
        for s in hits {
            self.set(s, true);
        }
    }
}
