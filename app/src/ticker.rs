//! The page's one clock loop: every 250 ms it advances the cluster by the chosen speed, then
//! tells the views: the clock signal, a tick counter (watches in the console poll on it) and,
//! only when the cluster's generation moved (or a deleted pod's tile has faded out), a new
//! board model. One update adds or redraws a bounded number of tiles ([`MAX_NEW_TILES`],
//! [`MAX_TILE_UPDATES`]); the rest follow on the next animation frames, so a thousand pods
//! starting at once are drawn over a few frames, none of them long.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kubeplay_engine::view::{AutoscalerView, PodView};
use kubeplay_engine::SimDuration;
use leptos::prelude::*;

use crate::board_model::{BoardModel, MAX_NEW_TILES, MAX_TILE_UPDATES};
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
    /// Three simulated seconds per second: quicker, still slow enough to watch a rollout.
    Quick,
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
            Speed::Quick => 3 * ms,
            Speed::Fast => 10 * ms,
        })
    }
}

/// The step button's amount.
pub const STEP: SimDuration = SimDuration::seconds(5);

/// What one pod tile shows: its pod, and whether it is leaving (animating out).
#[derive(Clone, Debug, PartialEq)]
pub struct TileData {
    /// The pod.
    pub pod: PodView,
    /// Gone from the cluster; the tile is still drawn for a moment.
    pub leaving: bool,
}

/// Handles on the loop's signals; `Copy`, so every component can hold it.
#[derive(Clone, Copy)]
pub struct Ticker {
    /// The chosen speed.
    pub speed: RwSignal<Speed>,
    /// Simulated uptime, in milliseconds.
    pub uptime_ms: RwSignal<i64>,
    /// The engine has answered at least once (the cluster is there to show).
    pub ready: RwSignal<bool>,
    /// Counts ticks (and refreshes after commands): what polling views track.
    pub tick: RwSignal<u64>,
    /// The board's data, replaced only when the cluster's generation moved.
    pub board: RwSignal<Arc<BoardModel>>,
    /// The autoscaling chart's data, replaced only when it changed.
    pub autoscalers: RwSignal<Arc<Vec<AutoscalerView>>>,
    /// The session's autoscaling version shown.
    autoscaling_version: StoredValue<u64>,
    session: StoredValue<Session, LocalStorage>,
    /// A frame is asked for to draw the board.
    drawing: StoredValue<bool>,
    /// Some tiles still show an older pod than the board's model (redrawn next frame).
    behind: StoredValue<bool>,
    /// One signal per tile, set only when that tile's pod changed: a tile listens to its
    /// own signal, not to the whole board (hundreds of tiles on one signal make every
    /// update cost more than the changes it brings).
    tiles: StoredValue<HashMap<String, ArcRwSignal<TileData>>>,
}

impl Ticker {
    /// Creates the signals and takes a first snapshot; call [`Ticker::start`] to run.
    pub fn new(session: Session) -> Self {
        let model = BoardModel::new(session.snapshot());
        let tiles = StoredValue::new(HashMap::new());
        sync_tiles(tiles, &model, usize::MAX);
        let board = RwSignal::new(Arc::new(model));
        Ticker {
            speed: RwSignal::new(Speed::Normal),
            uptime_ms: RwSignal::new(session.uptime_ms()),
            ready: RwSignal::new(session.ready()),
            tick: RwSignal::new(0),
            board,
            autoscalers: RwSignal::new(Arc::new(session.autoscalers())),
            autoscaling_version: StoredValue::new(session.autoscaling_version()),
            session: StoredValue::new_local(session),
            drawing: StoredValue::new(false),
            behind: StoredValue::new(false),
            tiles,
        }
    }

    /// Starts the loop (once per page). While the engine is still busy with an earlier
    /// request, a tick lets no time pass (simulated time waits for the engine). A board
    /// that follows a command's answer is shown as it comes.
    pub fn start(self) {
        self.session.get_value().on_update(move || self.refresh());
        set_interval(
            move || {
                let d = self.speed.get_untracked().per_tick();
                let session = self.session.get_value();
                if d.0 > 0 && !session.busy() {
                    session.advance(d.0, move || self.refresh());
                } else {
                    self.refresh();
                }
            },
            TICK,
        );
    }

    /// Lets `d` pass at once (the step button), then refreshes the views.
    pub fn step(self, d: SimDuration) {
        self.session
            .get_value()
            .advance(d.0, move || self.refresh());
    }

    /// Tells the views what changed (as the session's mirror has it): the clock if it
    /// moved, the board if the cluster's generation moved, and the tick counter. Also
    /// called right after a console command is answered.
    pub fn refresh(self) {
        let (uptime, generation) = self.session.with_value(|s| (s.uptime_ms(), s.generation()));
        if !self.ready.get_untracked() && self.session.with_value(Session::ready) {
            self.ready.set(true);
        }
        if self.uptime_ms.get_untracked() != uptime {
            self.uptime_ms.set(uptime);
        }
        let version = self.session.with_value(Session::autoscaling_version);
        if version != self.autoscaling_version.get_value() {
            self.autoscaling_version.set_value(version);
            let autoscalers = self.session.with_value(Session::autoscalers);
            self.autoscalers.set(Arc::new(autoscalers));
        }
        let tick = self.tick.get_untracked() + 1;
        self.update_board(generation, tick);
        self.tick.set(tick);
    }

    /// Replaces the board's model when the cluster changed, adding at most
    /// [`MAX_NEW_TILES`] new tiles, or when a leaving tile's time is up; else redraws
    /// tiles left behind. What is left over follows on the next animation frames.
    fn update_board(self, generation: u64, tick: u64) {
        let (shown, partial) = self
            .board
            .with_untracked(|b| (b.snapshot.generation, b.partial));
        if shown != generation || partial {
            let snapshot = self.session.with_value(|s| s.snapshot());
            let next = self
                .board
                .with_untracked(|b| b.next_in_steps(snapshot, tick, MAX_NEW_TILES));
            self.set_board(next);
        } else if self.board.with_untracked(|b| b.has_expired(tick)) {
            let next = self.board.with_untracked(|b| b.expire(tick));
            self.set_board(next);
        } else if self.behind.get_value() {
            let synced = self
                .board
                .with_untracked(|b| sync_tiles(self.tiles, b, MAX_TILE_UPDATES));
            self.behind.set_value(!synced);
        }
        if self.behind.get_value() || self.board.with_untracked(|b| b.partial) {
            self.draw_soon();
        }
    }

    /// Shows a new model: first the tiles (new ones, and at most [`MAX_TILE_UPDATES`]
    /// whose pod changed), then the board.
    fn set_board(self, next: BoardModel) {
        let synced = sync_tiles(self.tiles, &next, MAX_TILE_UPDATES);
        self.behind.set_value(!synced);
        self.board.set(Arc::new(next));
    }

    /// The signal of the tile `key` (a [`crate::board_model::tile_key`]) of the board shown.
    pub fn tile(self, key: &str) -> Option<ArcRwSignal<TileData>> {
        self.tiles.try_with_value(|t| t.get(key).cloned()).flatten()
    }

    /// Brings the board closer to the session's mirror on the next animation frame (at
    /// once where there are no frames, in native tests); one frame however often asked.
    fn draw_soon(self) {
        if self.drawing.get_value() {
            return;
        }
        self.drawing.set_value(true);
        let go = move || {
            // The page may have gone meanwhile.
            if self.drawing.try_update_value(|r| *r = false).is_none() {
                return;
            }
            let (Some(generation), Some(tick)) = (
                self.session.try_with_value(|s| s.generation()),
                self.tick.try_get_untracked(),
            ) else {
                return;
            };
            self.update_board(generation, tick);
        };
        if cfg!(target_arch = "wasm32") {
            request_animation_frame(go);
        } else {
            go();
        }
    }

    /// The page's session.
    pub fn session(self) -> Session {
        self.session.get_value()
    }
}

/// Adds new tiles' signals, sets those of at most `budget` tiles that changed and forgets
/// gone ones; whether every tile now shows its pod.
fn sync_tiles(
    tiles: StoredValue<HashMap<String, ArcRwSignal<TileData>>>,
    model: &BoardModel,
    budget: usize,
) -> bool {
    let mut left = budget;
    let mut behind = false;
    tiles.update_value(|tiles| {
        let mut keep = HashSet::new();
        for (key, pod, leaving) in model.tiles() {
            match tiles.get(&key) {
                Some(signal) => {
                    if signal.with_untracked(|t| t.leaving != leaving || t.pod != *pod) {
                        if left == 0 {
                            behind = true;
                        } else {
                            left -= 1;
                            signal.set(TileData {
                                pod: pod.clone(),
                                leaving,
                            });
                        }
                    }
                }
                None => {
                    let data = TileData {
                        pod: pod.clone(),
                        leaving,
                    };
                    tiles.insert(key.clone(), ArcRwSignal::new(data));
                }
            }
            keep.insert(key);
        }
        tiles.retain(|k, _| keep.contains(k));
    });
    !behind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_advance_by_their_factor() {
        assert_eq!(Speed::Paused.per_tick(), SimDuration::millis(0));
        assert_eq!(Speed::Normal.per_tick(), SimDuration::millis(250));
        assert_eq!(Speed::Quick.per_tick(), SimDuration::millis(750));
        assert_eq!(Speed::Fast.per_tick(), SimDuration::millis(2500));
        assert_eq!(Speed::default(), Speed::Normal);
    }

    #[test]
    fn tiles_whose_pod_changed_are_redrawn_a_bounded_number_at_a_time() {
        let owner = Owner::new();
        owner.with(|| {
            let pods = |status: &str| kubeplay_engine::view::BoardSnapshot {
                pods: (0..5)
                    .map(|i| PodView {
                        namespace: "default".into(),
                        name: format!("p{i}"),
                        uid: format!("u{i}"),
                        status: status.into(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            };
            let tiles = StoredValue::new(HashMap::new());
            let pending = BoardModel::new(pods("Pending"));
            assert!(sync_tiles(tiles, &pending, 0), "new tiles are always made");
            let running = pending.next(pods("Running"), 1);
            let shown = |tiles: StoredValue<HashMap<String, ArcRwSignal<TileData>>>| {
                tiles.with_value(|t| {
                    t.values()
                        .filter(|s| s.with_untracked(|d| d.pod.status == "Running"))
                        .count()
                })
            };
            assert!(!sync_tiles(tiles, &running, 2));
            assert_eq!(shown(tiles), 2);
            assert!(!sync_tiles(tiles, &running, 2));
            assert!(sync_tiles(tiles, &running, 2));
            assert_eq!(shown(tiles), 5);
        });
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
            session.run("kubectl create namespace dev", |_| {});
            ticker.refresh();
            let after = ticker.board.get_untracked();
            assert!(!Arc::ptr_eq(&before, &after));
            assert!(after.snapshot.namespaces.contains(&"dev".to_string()));
            assert_eq!(ticker.tick.get_untracked(), 2);
        });
    }
}
