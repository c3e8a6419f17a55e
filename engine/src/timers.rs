//! The timer queue: work due at a simulated instant, run in (time, insertion) order.

use std::collections::BTreeMap;

/// Work the cluster does when its time comes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// The kubelet advances a pod to its next lifecycle stage.
    KubeletSync {
        /// Pod namespace.
        namespace: String,
        /// Pod name.
        name: String,
        /// The pod's uid when the task was queued; a recreated pod of the same name ignores it.
        uid: String,
    },
    /// The kubelet's periodic sync of a pod rewrites its configMap, secret, downwardAPI and
    /// projected files whose sources changed.
    VolumeRefresh {
        /// Pod namespace.
        namespace: String,
        /// Pod name.
        name: String,
        /// The pod's uid when the task was queued.
        uid: String,
    },
    /// The kubelets' eviction managers look at the pods with local storage limits
    /// (`node::eviction`, every 10 s while there are such pods).
    Housekeeping,
    /// The events API broadcasters' periodic check of their event series
    /// (`world::events::series::check`).
    EventSeries,
    /// systemd starts a failing kubelet again (its files may have been mended).
    KubeletRestart {
        /// The kubelet's node.
        node: String,
    },
    /// Nothing but a wake-up: the controllers run at this instant (e.g. when a pod has been
    /// ready for `minReadySeconds`).
    Wake,
}

/// Pending tasks ordered by due time, ties broken by insertion order.
#[derive(Clone, Debug, Default)]
pub struct Timers {
    queue: BTreeMap<(i64, u64), Task>,
    seq: u64,
}

impl Timers {
    /// Queues `task` to run at `due_ms`.
    pub fn at(&mut self, due_ms: i64, task: Task) {
        self.seq += 1;
        self.queue.insert((due_ms, self.seq), task);
    }

    /// When the earliest queued task is due, if any.
    pub fn next_due(&self) -> Option<i64> {
        self.queue.first_key_value().map(|(&(due, _), _)| due)
    }

    /// Takes the earliest task due at or before `until_ms`.
    pub fn pop_due(&mut self, until_ms: i64) -> Option<(i64, Task)> {
        let (&(due, seq), _) = self.queue.first_key_value()?;
        if due > until_ms {
            return None;
        }
        self.queue.remove(&(due, seq)).map(|t| (due, t))
    }
}
