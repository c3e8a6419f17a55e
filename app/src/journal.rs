//! What the page saves so a reload finds the cluster as it was: not the cluster itself but
//! everything that happened to it. The engine is deterministic, so replaying the journal on
//! a fresh cluster rebuilds the same objects, names, files and clock.
//!
//! DOM-free: the record is plain JSON; `storage` puts it in `localStorage`.

use kubeplay_engine::lessons::{self, LessonRun, Progress};
use kubeplay_engine::{Cluster, EditOutcome, EditRequest, Output, SimDuration};
use serde::{Deserialize, Serialize};

/// Version of the saved record. A record of another version is discarded, never misread.
pub const FORMAT: u32 = 1;

/// Key of the record in `localStorage`.
pub const STORAGE_KEY: &str = "kubeplay.session";

/// One thing that happened to the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// A console line (a whole entry, heredoc included).
    Run(String),
    /// Simulated time passed, in milliseconds (consecutive advances are merged).
    Advance(i64),
    /// Ctrl-C on a running command.
    Interrupt,
    /// The editor saved this text for the `kubectl edit` opened by the entry before.
    FinishEdit(String),
    /// The editor wrote a workspace file.
    WriteFile {
        /// The file's path.
        path: String,
        /// Its new text.
        text: String,
    },
    /// A lesson (by id) was started: its cluster replaces the current one.
    StartLesson(String),
    /// The next hint of the current step was revealed.
    Hint,
    /// The current step was started again from the cluster as it is.
    RestartStep,
    /// The lesson was left; the learner's own cluster comes back.
    LeaveLesson,
}

/// The seed of every lesson's cluster (the one `kubeplay lessons check` replays with).
pub const LESSON_SEED: u64 = 0;

/// Settings the learner chose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Interface language (`en`, `ko`), if chosen rather than taken from the browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// The saved session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// The engine's Kubernetes version when written (a newer engine still replays it).
    pub engine: String,
    /// Everything that happened to the cluster, in order.
    pub journal: Vec<Entry>,
    /// Console history, oldest first.
    pub history: Vec<String>,
    /// The learner's settings.
    pub settings: Settings,
    /// Ids of the lessons the learner finished (kept by "Reset cluster").
    #[serde(default)]
    pub completed: Vec<String>,
    /// The console's last lines, shown again after a reload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scrollback: Vec<crate::console_model::SavedLine>,
}

/// Why a saved record was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Not JSON of the expected shape.
    Corrupt(String),
    /// Written by another format version.
    OtherFormat(u32),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::i18n::load_error(crate::i18n::Locale::En, self))
    }
}

impl Record {
    /// An empty record of the current format.
    pub fn new() -> Self {
        Record {
            format: FORMAT,
            engine: kubeplay_engine::KUBERNETES_VERSION.to_string(),
            ..Record::default()
        }
    }

    /// Parses a saved record, refusing damaged ones and other formats.
    pub fn decode(text: &str) -> Result<Record, LoadError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LoadError::Corrupt(e.to_string()))?;
        let format = value.get("format").and_then(|f| f.as_u64()).unwrap_or(0) as u32;
        if format != FORMAT {
            return Err(LoadError::OtherFormat(format));
        }
        serde_json::from_value(value).map_err(|e| LoadError::Corrupt(e.to_string()))
    }

    /// The record as JSON.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Adds an entry, merging consecutive advances.
    pub fn push(&mut self, entry: Entry) {
        if let (Entry::Advance(more), Some(Entry::Advance(ms))) = (&entry, self.journal.last_mut())
        {
            *ms += more;
            return;
        }
        self.journal.push(entry);
    }

    /// Remembers a console entry in the history (no blank lines, no immediate repeats).
    pub fn remember(&mut self, line: &str) {
        crate::console_model::remember(&mut self.history, line);
    }

    /// Marks a lesson finished; whether it was new.
    pub fn complete(&mut self, id: &str) -> bool {
        if self.completed.iter().any(|c| c == id) {
            return false;
        }
        self.completed.push(id.to_string());
        true
    }

    /// Forgets the cluster (journal) and what the console showed, keeping history, settings
    /// and finished lessons.
    pub fn reset_cluster(&mut self) {
        self.journal.clear();
        self.scrollback.clear();
    }

    /// Takes back the newest console line and everything journaled after it: the command
    /// the engine was running when it stopped ("Reload without the last command"). Returns
    /// that line, if there was one.
    pub fn drop_last_command(&mut self) -> Option<String> {
        let at = self
            .journal
            .iter()
            .rposition(|e| matches!(e, Entry::Run(_)))?;
        match self.journal.drain(at..).next() {
            Some(Entry::Run(line)) => Some(line),
            _ => None,
        }
    }

    /// How many console lines the journal replays.
    pub fn commands(&self) -> usize {
        self.journal
            .iter()
            .filter(|e| matches!(e, Entry::Run(_)))
            .count()
    }
}

/// A fresh cluster as the page uses it: watches keep running while time passes.
pub fn streaming_cluster() -> Cluster {
    let mut cluster = Cluster::new();
    cluster.set_streaming(true);
    cluster
}

/// What the journal acts on: the cluster and the lesson being played, if any. The page's
/// session and [`replay`] change it through the same methods, so a replay rebuilds both
/// exactly.
pub struct State {
    /// The cluster.
    pub cluster: Cluster,
    /// The lesson being played (finished ones stay until left or replaced).
    pub lesson: Option<LessonRun>,
    /// The `kubectl edit` waiting for the editor (from the last command).
    edit: Option<EditRequest>,
    /// The learner's own cluster, kept aside while lessons play and given back when the
    /// lesson is left.
    sandbox: Option<Box<Cluster>>,
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl State {
    /// A fresh default cluster, no lesson.
    pub fn new() -> Self {
        State {
            cluster: streaming_cluster(),
            lesson: None,
            edit: None,
            sandbox: None,
        }
    }

    /// Runs a console line (through the lesson, if one is played: `sleep N` ticks its goal).
    pub fn run(&mut self, line: &str) -> (Output, Progress) {
        let (out, progress) = match self.lesson.as_mut() {
            Some(run) => run.run_line(&mut self.cluster, line),
            None => (self.cluster.run(line), Progress::default()),
        };
        self.edit = out.edit.as_deref().cloned();
        (out, progress)
    }

    /// Lets `ms` milliseconds pass, then re-checks the lesson's goal.
    pub fn advance(&mut self, ms: i64) -> Progress {
        self.cluster.advance(SimDuration::millis(ms));
        self.tick()
    }

    fn tick(&mut self) -> Progress {
        match self.lesson.as_mut() {
            Some(run) => run.after_tick(&self.cluster),
            None => Progress::default(),
        }
    }

    /// Ctrl-C; whether a command was running.
    pub fn interrupt(&mut self) -> bool {
        self.cluster.interrupt()
    }

    /// Finishes the pending `kubectl edit` with `text` (the request is the one the last
    /// command opened; `request` is used when none is pending, as a fallback).
    pub fn finish_edit(
        &mut self,
        request: Option<&EditRequest>,
        text: &str,
    ) -> Option<EditOutcome> {
        let request = self.edit.take().or_else(|| request.cloned())?;
        let outcome = self.cluster.finish_edit(&request, text);
        if let EditOutcome::Reopen(next, _) = &outcome {
            self.edit = Some(next.clone());
        }
        self.tick();
        Some(outcome)
    }

    /// Writes a workspace file.
    pub fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.cluster.write_file(path, text)
    }

    /// Starts a built-in lesson on its own fresh cluster. The learner's own cluster is kept
    /// aside (once: switching lessons keeps the one put aside first).
    pub fn start_lesson(&mut self, id: &str) -> Result<(), String> {
        let lesson = lessons::builtin()
            .into_iter()
            .find(|l| l.id == id)
            .ok_or_else(|| format!("no lesson called {id}"))?;
        let (run, mut cluster) = LessonRun::start(lesson, LESSON_SEED)?;
        cluster.set_streaming(true);
        let own = std::mem::replace(&mut self.cluster, cluster);
        if self.lesson.is_none() {
            self.sandbox = Some(Box::new(own));
        }
        self.lesson = Some(run);
        self.edit = None;
        Ok(())
    }

    /// Reveals the next hint of the current step (in any locale: only the count matters).
    pub fn hint(&mut self) {
        if let Some(run) = self.lesson.as_mut() {
            run.next_hint("en");
        }
    }

    /// Starts the current step again.
    pub fn restart_step(&mut self) {
        if let Some(run) = self.lesson.as_mut() {
            run.restart_step(&self.cluster);
        }
    }

    /// Leaves the lesson: the learner's own cluster, as it was when the lesson started,
    /// comes back.
    pub fn leave_lesson(&mut self) {
        self.lesson = None;
        if let Some(own) = self.sandbox.take() {
            self.cluster = *own;
            self.edit = None;
        }
    }

    /// The id of the lesson played, if it is finished.
    pub fn finished_lesson(&self) -> Option<&str> {
        self.lesson
            .as_ref()
            .filter(|r| r.finished())
            .map(|r| r.lesson().id.as_str())
    }

    /// Applies one journal entry.
    pub fn apply(&mut self, entry: &Entry) {
        match entry {
            Entry::Run(line) => {
                self.run(line);
            }
            Entry::Advance(ms) => {
                self.advance(*ms);
            }
            Entry::Interrupt => {
                self.interrupt();
            }
            Entry::FinishEdit(text) => {
                self.finish_edit(None, text);
            }
            Entry::WriteFile { path, text } => {
                let _ = self.write_file(path, text);
            }
            Entry::StartLesson(id) => {
                let _ = self.start_lesson(id);
            }
            Entry::Hint => self.hint(),
            Entry::RestartStep => self.restart_step(),
            Entry::LeaveLesson => self.leave_lesson(),
        }
    }

    /// Ends a running command and forgets an open editor, so a restored page starts at a
    /// prompt.
    pub fn settle(&mut self) {
        if self.cluster.job_running() {
            self.cluster.interrupt();
        }
        self.edit = None;
    }
}

/// Replays a journal on `state`. Ends with no command running and no editor open, so the
/// restored page starts at a prompt.
pub fn replay(state: &mut State, journal: &[Entry]) {
    for entry in journal {
        state.apply(entry);
    }
    state.settle();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streaming() -> State {
        State::new()
    }

    #[test]
    fn merges_consecutive_advances() {
        let mut r = Record::new();
        r.push(Entry::Advance(250));
        r.push(Entry::Advance(250));
        r.push(Entry::Run("kubectl get pods".into()));
        r.push(Entry::Advance(5000));
        assert_eq!(
            r.journal,
            vec![
                Entry::Advance(500),
                Entry::Run("kubectl get pods".into()),
                Entry::Advance(5000)
            ]
        );
    }

    #[test]
    fn drops_the_last_command_and_what_came_after_it() {
        let mut r = Record::new();
        r.push(Entry::Run(
            "kubectl create deployment a --image=nginx".into(),
        ));
        r.push(Entry::Advance(500));
        r.push(Entry::Run(
            "kubectl scale deployment a --replicas=99999".into(),
        ));
        r.push(Entry::Advance(250));
        r.push(Entry::Interrupt);
        assert_eq!(
            r.drop_last_command().as_deref(),
            Some("kubectl scale deployment a --replicas=99999")
        );
        assert_eq!(
            r.journal,
            vec![
                Entry::Run("kubectl create deployment a --image=nginx".into()),
                Entry::Advance(500)
            ]
        );
        r.drop_last_command();
        assert_eq!(r.drop_last_command(), None, "nothing left to drop");
        assert!(r.journal.is_empty());
    }

    #[test]
    fn round_trips_and_refuses_bad_records() {
        let mut r = Record::new();
        r.push(Entry::Run(
            "kubectl create deployment web --image=nginx".into(),
        ));
        r.push(Entry::WriteFile {
            path: "pod.yaml".into(),
            text: "kind: Pod\n# 한국어 주석\n".into(),
        });
        r.remember("kubectl get pods");
        r.settings.locale = Some("ko".into());
        r.complete("first-pod");
        r.push(Entry::StartLesson("first-pod".into()));
        r.push(Entry::Hint);
        assert_eq!(Record::decode(&r.encode()), Ok(r));
        assert!(matches!(
            Record::decode("{not json"),
            Err(LoadError::Corrupt(_))
        ));
        assert_eq!(
            Record::decode(r#"{"format": 0, "journal": []}"#),
            Err(LoadError::OtherFormat(0))
        );
        assert!(matches!(
            Record::decode(r#"{"format": 1, "journal": [{"launch": 1}]}"#),
            Err(LoadError::Corrupt(_))
        ));
    }

    #[test]
    fn replay_rebuilds_the_same_cluster() {
        let mut live = streaming();
        let mut r = Record::new();
        let step = |c: &mut State, r: &mut Record, e: Entry| {
            replay(c, std::slice::from_ref(&e));
            r.push(e);
        };
        step(
            &mut live,
            &mut r,
            Entry::Run("kubectl create deployment web --image=nginx --replicas=3".into()),
        );
        for _ in 0..40 {
            step(&mut live, &mut r, Entry::Advance(250));
        }
        step(
            &mut live,
            &mut r,
            Entry::Run("kubectl set image deployment/web nginx=nginx:1.27".into()),
        );
        step(
            &mut live,
            &mut r,
            Entry::WriteFile {
                path: "notes.txt".into(),
                text: "hello\n".into(),
            },
        );
        for _ in 0..20 {
            step(&mut live, &mut r, Entry::Advance(250));
        }
        let mut restored = streaming();
        replay(&mut restored, &Record::decode(&r.encode()).unwrap().journal);
        for cmd in [
            "kubectl get pods -o wide",
            "kubectl get rs",
            "cat notes.txt",
        ] {
            assert_eq!(
                live.cluster.run(cmd).stdout(),
                restored.cluster.run(cmd).stdout(),
                "{cmd}"
            );
        }
    }

    #[test]
    fn replay_ends_running_watches_and_open_editors() {
        let mut c = streaming();
        replay(
            &mut c,
            &[
                Entry::Run("kubectl get pods -w".into()),
                Entry::Advance(3000),
            ],
        );
        assert!(!c.cluster.job_running());
        replay(
            &mut c,
            &[
                Entry::Run("kubectl create deployment web --image=nginx".into()),
                Entry::Run("kubectl edit deployment web".into()),
                Entry::FinishEdit("not: [valid".into()),
            ],
        );
        assert!(!c.cluster.job_running());
    }

    #[test]
    fn history_skips_blanks_and_repeats_and_is_bounded() {
        let mut r = Record::new();
        r.remember("a");
        r.remember("a");
        r.remember("  ");
        r.remember("b");
        assert_eq!(r.history, vec!["a", "b"]);
        for i in 0..600 {
            r.remember(&i.to_string());
        }
        assert_eq!(r.history.len(), crate::console_model::MAX_HISTORY);
        assert_eq!(r.history.last().map(String::as_str), Some("599"));
    }
}

#[cfg(test)]
mod lesson_tests {
    use super::*;

    /// Plays entries on a live state while journaling them, as the session does.
    fn live(entries: &[Entry]) -> (State, Record) {
        let mut state = State::new();
        let mut record = Record::new();
        for e in entries {
            state.apply(e);
            record.push(e.clone());
        }
        (state, record)
    }

    fn replayed(record: &Record) -> State {
        let mut state = State::new();
        replay(
            &mut state,
            &Record::decode(&record.encode()).unwrap().journal,
        );
        state
    }

    fn summary(state: &State) -> Option<(String, usize, usize, usize, Vec<bool>)> {
        state.lesson.as_ref().map(|r| {
            (
                r.lesson().id.clone(),
                r.step_index(),
                r.hints_shown(),
                r.commands_used(),
                r.checklist("en").iter().map(|g| g.met).collect(),
            )
        })
    }

    #[test]
    fn older_records_without_completed_lessons_still_load() {
        let r =
            Record::decode(r#"{"format":1,"engine":"v1","journal":[],"history":[],"settings":{}}"#)
                .unwrap();
        assert!(r.completed.is_empty());
    }

    #[test]
    fn replay_rebuilds_the_lesson_run_mid_step() {
        let (live, record) = live(&[
            Entry::Run("kubectl create deployment other --image=nginx".into()),
            Entry::StartLesson("first-pod".into()),
            Entry::Run("cat nginx-pod.yaml".into()),
            Entry::Run("kubectl apply -f nginx-pod.yaml".into()),
            Entry::Advance(1500),
            Entry::Hint,
            Entry::Advance(750),
        ]);
        let mut back = replayed(&record);
        assert_eq!(summary(&live), summary(&back));
        let (id, step, hints, used, _) = summary(&back).unwrap();
        assert_eq!((id.as_str(), step, hints, used), ("first-pod", 1, 1, 2,));
        // The lesson's cluster replaced the learner's one.
        assert!(!back
            .cluster
            .run("kubectl get deployments")
            .stdout()
            .contains("other"));
    }

    #[test]
    fn replay_finishes_a_lesson_through_sleeps_and_ticks() {
        let lesson = kubeplay_engine::lessons::builtin()
            .into_iter()
            .find(|l| l.id == "first-pod")
            .unwrap();
        let mut entries = vec![Entry::StartLesson("first-pod".into())];
        for step in &lesson.steps {
            entries.extend(step.solution.iter().map(|c| Entry::Run(c.clone())));
            entries.push(Entry::Advance(250));
        }
        let (live, record) = live(&entries);
        assert_eq!(live.finished_lesson(), Some("first-pod"));
        let back = replayed(&record);
        assert_eq!(back.finished_lesson(), Some("first-pod"));
        let run = back.lesson.as_ref().unwrap();
        assert_eq!(
            run.commands_used(),
            live.lesson.as_ref().unwrap().commands_used()
        );
        assert!(run.reference_commands() > 0);
    }

    #[test]
    fn restart_and_leave_are_replayed() {
        let (live, record) = live(&[
            Entry::StartLesson("first-pod".into()),
            Entry::Hint,
            Entry::RestartStep,
        ]);
        assert_eq!(summary(&live).unwrap().2, 0);
        assert_eq!(summary(&replayed(&record)), summary(&live));
        let (live, record) = live_then_leave(record);
        assert!(live.lesson.is_none());
        assert!(replayed(&record).lesson.is_none());
    }

    fn live_then_leave(mut record: Record) -> (State, Record) {
        record.push(Entry::LeaveLesson);
        (replayed(&record), record)
    }

    #[test]
    fn leaving_lessons_gives_the_own_cluster_back_with_its_files() {
        let entries = [
            Entry::Run("kubectl create deployment mine --image=nginx".into()),
            Entry::WriteFile {
                path: "notes.txt".into(),
                text: "mine\n".into(),
            },
            Entry::StartLesson("first-pod".into()),
            Entry::Run("kubectl run lesson-pod --image=nginx".into()),
            // Switching lessons keeps the cluster put aside first.
            Entry::StartLesson("first-pod".into()),
            Entry::LeaveLesson,
        ];
        let (mut live, record) = live(&entries);
        let mut back = replayed(&record);
        for state in [&mut live, &mut back] {
            assert!(state.lesson.is_none());
            let deploys = state.cluster.run("kubectl get deploy -o name").stdout();
            assert_eq!(deploys, "deployment.apps/mine\n");
            assert_eq!(state.cluster.run("cat notes.txt").stdout(), "mine\n");
            let pods = state.cluster.run("kubectl get pod lesson-pod").stderr();
            assert!(pods.contains("NotFound"), "{pods}");
        }
    }

    #[test]
    fn an_unknown_lesson_changes_nothing() {
        let mut s = State::new();
        assert!(s.start_lesson("no-such-lesson").is_err());
        assert!(s.lesson.is_none());
    }
}
