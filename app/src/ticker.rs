//! The page's one clock loop: every 250 ms it advances the cluster by the chosen speed, then
//! tells the views: the clock signal, a tick counter (watches in the console poll on it) and,
//! only when the cluster's generation moved (or a deleted pod's tile has faded out), a new
//! board model.

use std::sync::Arc;

use kubeplay_engine::SimDuration;
use leptos::prelude::*;

use crate::board_model::BoardModel;
use crate::session::Session;

/// Wall-clock period of the loop.
pub const TICK: std::time::Duration = std::time::Duration::from_millis(250);

/// How fast simulated time runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Speed {
    /// Simulated time stands still (commands still run).
    Paused,
    /// Simulated time follows the wall clock.
    #[default]
    Normal,
    /// Ten simulated seconds per second.
    Fast,
}

impl Speed {
    /// Simulated milliseconds to advance per tick.
    pub fn per_tick(self) -> SimDuration {
        let ms = TICK.as_millis() as i64;
        SimDuration::millis(match self {
            Speed::Paused => 0,
            Speed::Normal => ms,
            Speed::Fast => 10 * ms,
        })
    }
}

/// The step button's amount.
pub const STEP: SimDuration = SimDuration::seconds(5);

/// Handles on the loop's signals; `Copy`, so every component can hold it.
#[derive(Clone, Copy)]
pub struct Ticker {
    /// The chosen speed.
    pub speed: RwSignal<Speed>,
    /// Simulated uptime, in milliseconds.
    pub uptime_ms: RwSignal<i64>,
    /// Counts ticks (and refreshes after commands): what polling views track.
    pub tick: RwSignal<u64>,
    /// The board's data, replaced only when the cluster's generation moved.
    pub board: RwSignal<Arc<BoardModel>>,
    session: StoredValue<Session, LocalStorage>,
}

impl Ticker {
    /// Creates the signals and takes a first snapshot; call [`Ticker::start`] to run.
    pub fn new(session: Session) -> Self {
        let board = RwSignal::new(Arc::new(BoardModel::new(session.snapshot())));
        Ticker {
            speed: RwSignal::new(Speed::Normal),
            uptime_ms: RwSignal::new(session.uptime_ms()),
            tick: RwSignal::new(0),
            board,
            session: StoredValue::new_local(session),
        }
    }

    /// Starts the loop (once per page).
    pub fn start(self) {
        set_interval(
            move || {
                let d = self.speed.get_untracked().per_tick();
                if d.0 > 0 {
                    self.session.with_value(|s| s.advance(d.0));
                }
                self.refresh();
            },
            TICK,
        );
    }

    /// Lets `d` pass at once (the step button), then refreshes the views.
    pub fn step(self, d: SimDuration) {
        self.session.with_value(|s| s.advance(d.0));
        self.refresh();
    }

    /// Tells the views what changed: the clock if it moved, the board if the cluster's
    /// generation moved, and the tick counter. Also called right after a console command.
    pub fn refresh(self) {
        let (uptime, generation) = self.session.with_value(|s| (s.uptime_ms(), s.generation()));
        if self.uptime_ms.get_untracked() != uptime {
            self.uptime_ms.set(uptime);
        }
        let tick = self.tick.get_untracked() + 1;
        if self.board.with_untracked(|b| b.snapshot.generation) != generation {
            let snapshot = self.session.with_value(|s| s.snapshot());
            let next = self.board.with_untracked(|b| b.next(snapshot, tick));
            self.board.set(Arc::new(next));
        } else if self.board.with_untracked(|b| b.has_expired(tick)) {
            let next = self.board.with_untracked(|b| b.expire(tick));
            self.board.set(Arc::new(next));
        }
        self.tick.set(tick);
    }

    /// The page's session.
    pub fn session(self) -> Session {
        self.session.get_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_advance_by_their_factor() {
        assert_eq!(Speed::Paused.per_tick(), SimDuration::millis(0));
        assert_eq!(Speed::Normal.per_tick(), SimDuration::millis(250));
        assert_eq!(Speed::Fast.per_tick(), SimDuration::millis(2500));
        assert_eq!(Speed::default(), Speed::Normal);
    }

    #[test]
    fn refresh_replaces_the_board_only_when_the_cluster_changed() {
        let owner = Owner::new();
        owner.with(|| {
            let session = Session::new();
            let ticker = Ticker::new(session.clone());
            let before = ticker.board.get_untracked();
            ticker.step(SimDuration::seconds(1));
            assert!(
                Arc::ptr_eq(&before, &ticker.board.get_untracked()),
                "nothing changed"
            );
            assert_eq!(ticker.uptime_ms.get_untracked(), session.uptime_ms());
            session.run("kubectl create namespace dev");
            ticker.refresh();
            let after = ticker.board.get_untracked();
            assert!(!Arc::ptr_eq(&before, &after));
            assert!(after.snapshot.namespaces.contains(&"dev".to_string()));
            assert_eq!(ticker.tick.get_untracked(), 2);
        });
    }
}
