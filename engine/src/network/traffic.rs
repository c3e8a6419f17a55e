//! The recent requests, as the board shows them: who asked, through which Service, which
//! pod answered, or where it failed.

use std::collections::VecDeque;

use super::proxy::ServiceRef;

/// Most requests kept.
pub const KEPT: usize = 256;

/// How a request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Answered with this HTTP status.
    Answered(u16),
    /// The name did not resolve.
    NoName,
    /// Refused at once, and why.
    Refused(&'static str),
    /// Never answered, and why.
    Dropped(&'static str),
    /// Dropped by NetworkPolicy: the policies isolating the pod that refused it.
    Blocked(Vec<String>),
}

/// One request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// When it was sent (epoch ms).
    pub at_ms: i64,
    /// The client: `pod/NAME` or `host`.
    pub from: String,
    /// The target as typed (`web`, `10.96.0.20:80`).
    pub target: String,
    /// The Service it went through.
    pub service: Option<ServiceRef>,
    /// The pod that answered (or was chosen): (namespace, name).
    pub pod: Option<(String, String)>,
    /// How it ended.
    pub outcome: Outcome,
}

/// The last [`KEPT`] requests, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Log {
    traces: VecDeque<Trace>,
    /// Requests ever recorded (the board notices new ones by this count).
    pub total: u64,
}

impl Log {
    /// Adds a request, forgetting the oldest beyond [`KEPT`].
    pub fn record(&mut self, trace: Trace) {
        if self.traces.len() >= KEPT {
            self.traces.pop_front();
        }
        self.traces.push_back(trace);
        self.total += 1;
    }

    /// The kept requests recorded after the first `count` ever recorded, oldest first.
    pub fn since(&self, count: u64) -> impl Iterator<Item = &Trace> {
        let newer = self.total.saturating_sub(count);
        let skip = self
            .traces
            .len()
            .saturating_sub(usize::try_from(newer).unwrap_or(usize::MAX));
        self.traces.iter().skip(skip)
    }

    /// The kept requests, oldest first.
    pub fn traces(&self) -> impl Iterator<Item = &Trace> {
        self.traces.iter()
    }
}
