//! The page's handle on the engine: one cluster per page, shared by every component.
//! Everything that changes the cluster goes through here, so it is also where the session
//! is journaled and saved (see [`crate::journal`]).

use std::sync::{Arc, Mutex, MutexGuard};

use kubeplay_engine::lessons::LessonRun;
use kubeplay_engine::view::{BoardSnapshot, DescribeKind};
use kubeplay_engine::{EditOutcome, EditRequest, Output};
use leptos::prelude::{ArcRwSignal, Get, Update};

use crate::journal::{self, Entry, Record, State};

/// Advances between two saves while only time passes (commands save at once).
const ADVANCES_PER_SAVE: u32 = 8;

struct Inner {
    state: State,
    record: Record,
    /// Whether the record is written to `localStorage` (the page) or not (tests).
    persist: bool,
    unsaved_advances: u32,
}

/// Shared access to the page's cluster (and the lesson played on it). Cloning shares them.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Mutex<Inner>>,
    /// Said once at start-up when a saved session could not be used.
    notice: Option<String>,
    /// Counts changes that panels showing the lesson care about (read it to re-render).
    version: ArcRwSignal<u64>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session with a fresh default cluster that is never saved.
    pub fn new() -> Self {
        Self::from_record(Record::new(), false, None)
    }

    /// The page's session: the saved one replayed if there is one, else a fresh cluster.
    /// A damaged or outdated record is dropped and explained by [`Session::notice`].
    pub fn restore() -> Self {
        match crate::storage::load() {
            Ok(Some(record)) => Self::from_record(record, true, None),
            Ok(None) => Self::from_record(Record::new(), true, None),
            Err(e) => Self::from_record(Record::new(), true, Some(e.to_string())),
        }
    }

    fn from_record(mut record: Record, persist: bool, notice: Option<String>) -> Self {
        let mut state = State::new();
        journal::replay(&mut state, &record.journal);
        if let Some(id) = state.finished_lesson() {
            record.complete(id);
        }
        Session {
            inner: Arc::new(Mutex::new(Inner {
                state,
                record,
                persist,
                unsaved_advances: 0,
            })),
            notice,
            version: ArcRwSignal::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.lock().state)
    }

    /// Applies a change and journals it; saves unless only time passed. A finished lesson
    /// is remembered in the record.
    fn change<T>(&self, entry: Entry, f: impl FnOnce(&mut State) -> T) -> T {
        self.change_if(entry, |s| Ok::<T, std::convert::Infallible>(f(s)))
            .unwrap_or_else(|never| match never {})
    }

    /// Like [`Session::change`], for a change that may be refused: a refused one leaves the
    /// state as it was and is not journaled.
    fn change_if<T, E>(
        &self,
        entry: Entry,
        f: impl FnOnce(&mut State) -> Result<T, E>,
    ) -> Result<T, E> {
        let (value, bump) = {
            let mut inner = self.lock();
            let value = f(&mut inner.state)?;
            let advance = matches!(entry, Entry::Advance(_));
            if let Entry::Run(line) = &entry {
                inner.record.remember(line);
            }
            inner.record.push(entry);
            inner.unsaved_advances += 1;
            if let Some(id) = inner.state.finished_lesson().map(str::to_string) {
                inner.record.complete(&id);
            }
            if !advance || inner.unsaved_advances >= ADVANCES_PER_SAVE {
                save_locked(&mut inner);
            }
            (value, !advance || inner.state.lesson.is_some())
        };
        if bump {
            self.version.update(|v| *v += 1);
        }
        Ok(value)
    }

    /// A number that changes whenever the lesson or the cluster may look different; reading
    /// it in a reactive context subscribes to it.
    pub fn version(&self) -> u64 {
        self.version.get()
    }

    /// Why the saved session was not restored, if it was not (the console says so).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Runs one console line on the cluster (through the lesson, if one is played).
    pub fn run(&self, line: &str) -> Output {
        let (out, _) = self.change(Entry::Run(line.to_string()), |s| s.run(line));
        out
    }

    /// Tab completion of the last word of `line` (read-only: nothing is journaled).
    pub fn complete(&self, line: &str) -> kubeplay_engine::Completion {
        self.with(|s| s.cluster.complete(line))
    }

    /// The engine's prompt (`$ `, or a container shell's inside `kubectl exec -it`).
    pub fn prompt(&self) -> String {
        self.with(|s| s.cluster.prompt())
    }

    /// Whether a command is still running (a watch), so the console shows no prompt.
    pub fn job_running(&self) -> bool {
        self.with(|s| s.cluster.job_running())
    }

    /// What the running command printed since the last call.
    pub fn poll_job(&self) -> Output {
        self.with(|s| s.cluster.poll_job())
    }

    /// Ctrl-C: stops the running command; whether there was one.
    pub fn interrupt(&self) -> bool {
        self.change(Entry::Interrupt, |s| s.interrupt())
    }

    /// Lets `ms` milliseconds of simulated time pass.
    pub fn advance(&self, ms: i64) {
        self.change(Entry::Advance(ms), |s| s.advance(ms));
    }

    /// Hands the editor's text back to a `kubectl edit` (see `Cluster::finish_edit`).
    pub fn finish_edit(&self, request: &EditRequest, edited: &str) -> EditOutcome {
        self.change(Entry::FinishEdit(edited.to_string()), |s| {
            s.finish_edit(Some(request), edited)
        })
        .unwrap_or_else(|| EditOutcome::Done(Output::default()))
    }

    /// Writes a workspace file (the editor's save).
    pub fn write_file(&self, path: &str, text: &str) -> Result<(), String> {
        let entry = Entry::WriteFile {
            path: path.to_string(),
            text: text.to_string(),
        };
        self.change(entry, |s| s.write_file(path, text))
    }

    /// A workspace file's text.
    pub fn read_file(&self, path: &str) -> Option<String> {
        self.with(|s| s.cluster.read_file(path).map(str::to_string))
    }

    /// Starts a built-in lesson: its cluster replaces the current one.
    pub fn start_lesson(&self, id: &str) -> Result<(), String> {
        // A lesson that cannot start leaves the state alone and is not journaled.
        self.change_if(Entry::StartLesson(id.to_string()), |s| s.start_lesson(id))
    }

    /// Reveals the next hint of the current step.
    pub fn hint(&self) {
        self.change(Entry::Hint, State::hint);
    }

    /// Starts the current step of the lesson again.
    pub fn restart_step(&self) {
        self.change(Entry::RestartStep, State::restart_step);
    }

    /// Leaves the lesson; the cluster stays as it is.
    pub fn leave_lesson(&self) {
        self.change(Entry::LeaveLesson, State::leave_lesson);
    }

    /// Whether the learner changed the cluster or its files themselves (so replacing it
    /// deserves a question first).
    pub fn has_own_work(&self) -> bool {
        self.lock().record.journal.iter().any(|e| {
            matches!(
                e,
                Entry::Run(_) | Entry::FinishEdit(_) | Entry::WriteFile { .. }
            )
        })
    }

    /// Reads the lesson being played, if any.
    pub fn with_lesson<T>(&self, f: impl FnOnce(Option<&LessonRun>) -> T) -> T {
        f(self.lock().state.lesson.as_ref())
    }

    /// Ids of the lessons finished, in the order they were finished.
    pub fn completed(&self) -> Vec<String> {
        self.lock().record.completed.clone()
    }

    /// Adds finished lessons (an imported progress file); how many were new.
    pub fn import_completed(&self, ids: &[String]) -> usize {
        let added = {
            let mut inner = self.lock();
            let added = ids.iter().filter(|id| inner.record.complete(id)).count();
            save_locked(&mut inner);
            added
        };
        self.version.update(|v| *v += 1);
        added
    }

    /// The workspace files, sorted.
    pub fn files(&self) -> Vec<String> {
        self.with(|s| s.cluster.files())
    }

    /// Console history saved with the session, oldest first.
    pub fn history(&self) -> Vec<String> {
        self.lock().record.history.clone()
    }

    /// The learner's interface language, if chosen.
    pub fn locale(&self) -> Option<String> {
        self.lock().record.settings.locale.clone()
    }

    /// Remembers the interface language.
    pub fn set_locale(&self, locale: &str) {
        let mut inner = self.lock();
        inner.record.settings.locale = Some(locale.to_string());
        save_locked(&mut inner);
    }

    /// Writes the session now (the page is being hidden or closed).
    pub fn save(&self) {
        save_locked(&mut self.lock());
    }

    /// Forgets the cluster and its files (history, settings and finished lessons stay); the
    /// page reloads afterwards to start from a fresh cluster.
    pub fn reset_cluster(&self) {
        let mut inner = self.lock();
        inner.record.reset_cluster();
        save_locked(&mut inner);
    }

    /// Simulated time since the cluster booted, in milliseconds.
    pub fn uptime_ms(&self) -> i64 {
        self.with(|s| s.cluster.uptime().0)
    }

    /// The cluster's change counter (see `Cluster::generation`).
    pub fn generation(&self) -> u64 {
        self.with(|s| s.cluster.generation())
    }

    /// What the board shows, read now.
    pub fn snapshot(&self) -> BoardSnapshot {
        self.with(|s| s.cluster.snapshot())
    }

    /// `kubectl describe` text of a pod or node, leaving the console alone.
    pub fn describe(&self, kind: DescribeKind, namespace: &str, name: &str) -> String {
        self.with(|s| s.cluster.describe(kind, namespace, name))
    }
}

fn save_locked(inner: &mut Inner) {
    inner.unsaved_advances = 0;
    if inner.persist {
        crate::storage::save(&inner.record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journals_what_changes_the_cluster() {
        let s = Session::new();
        s.run("kubectl create deployment web --image=nginx");
        s.advance(250);
        s.advance(250);
        s.write_file("a.txt", "x\n").unwrap();
        let inner = s.lock();
        assert_eq!(
            inner.record.journal,
            vec![
                Entry::Run("kubectl create deployment web --image=nginx".into()),
                Entry::Advance(500),
                Entry::WriteFile {
                    path: "a.txt".into(),
                    text: "x\n".into()
                }
            ]
        );
        assert_eq!(
            inner.record.history,
            vec!["kubectl create deployment web --image=nginx"]
        );
    }

    #[test]
    fn lessons_are_journaled_and_finished_ones_survive_a_reset() {
        let s = Session::new();
        assert!(!s.has_own_work());
        assert!(s.start_lesson("no-such-lesson").is_err());
        s.start_lesson("first-pod").unwrap();
        s.hint();
        let lesson = kubeplay_engine::lessons::builtin()
            .into_iter()
            .find(|l| l.id == "first-pod")
            .unwrap();
        for step in &lesson.steps {
            for line in &step.solution {
                s.run(line);
            }
        }
        assert!(s.with_lesson(|r| r.is_some_and(|r| r.finished())));
        assert_eq!(s.completed(), vec!["first-pod"]);
        {
            let inner = s.lock();
            assert_eq!(
                inner.record.journal[0],
                Entry::StartLesson("first-pod".into())
            );
            assert_eq!(inner.record.journal[1], Entry::Hint);
        }
        assert!(s.has_own_work());
        s.leave_lesson();
        assert!(s.with_lesson(|r| r.is_none()));
        s.reset_cluster();
        assert_eq!(s.completed(), vec!["first-pod"]);
        assert_eq!(
            s.import_completed(&["first-pod".into(), "namespaces".into()]),
            1
        );
    }
}
