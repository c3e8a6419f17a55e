//! The page's handle on the engine: one cluster per page, shared by every component.
//! Everything that changes the cluster goes through here, so it is also where the session
//! is journaled and saved (see [`crate::journal`]).

use std::sync::{Arc, Mutex, MutexGuard};

use kubeplay_engine::{Cluster, EditOutcome, EditRequest, Output, SimDuration};

use crate::journal::{self, Entry, Record};

/// Advances between two saves while only time passes (commands save at once).
const ADVANCES_PER_SAVE: u32 = 8;

struct Inner {
    cluster: Cluster,
    record: Record,
    /// Whether the record is written to `localStorage` (the page) or not (tests).
    persist: bool,
    unsaved_advances: u32,
}

/// Shared access to the page's cluster. Cloning shares the same cluster.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Mutex<Inner>>,
    /// Said once at start-up when a saved session could not be used.
    notice: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

fn streaming_cluster() -> Cluster {
    let mut cluster = Cluster::new();
    // Watches (`get -w`, `logs -f`) keep running while time passes, until Ctrl-C.
    cluster.set_streaming(true);
    cluster
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
            Err(e) => Self::from_record(
                Record::new(),
                true,
                Some(format!("{e}; starting with a fresh cluster.")),
            ),
        }
    }

    fn from_record(record: Record, persist: bool, notice: Option<String>) -> Self {
        let mut cluster = streaming_cluster();
        journal::replay(&mut cluster, &record.journal);
        Session {
            inner: Arc::new(Mutex::new(Inner {
                cluster,
                record,
                persist,
                unsaved_advances: 0,
            })),
            notice,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Cluster) -> T) -> T {
        f(&mut self.lock().cluster)
    }

    /// Applies a change to the cluster and journals it; saves unless only time passed.
    fn change<T>(&self, entry: Entry, f: impl FnOnce(&mut Cluster) -> T) -> T {
        let mut inner = self.lock();
        let value = f(&mut inner.cluster);
        let advance = matches!(entry, Entry::Advance(_));
        inner.record.push(entry);
        inner.unsaved_advances += 1;
        if !advance || inner.unsaved_advances >= ADVANCES_PER_SAVE {
            save_locked(&mut inner);
        }
        value
    }

    /// Why the saved session was not restored, if it was not.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Runs one console line on the cluster.
    pub fn run(&self, line: &str) -> Output {
        let out = self.change(Entry::Run(line.to_string()), |c| c.run(line));
        self.lock().record.remember(line);
        out
    }

    /// Tab completion of the last word of `line` (read-only: nothing is journaled).
    pub fn complete(&self, line: &str) -> kubeplay_engine::Completion {
        self.with(|c| c.complete(line))
    }

    /// The engine's prompt (`$ `, or a container shell's inside `kubectl exec -it`).
    pub fn prompt(&self) -> String {
        self.with(|c| c.prompt())
    }

    /// Whether a command is still running (a watch), so the console shows no prompt.
    pub fn job_running(&self) -> bool {
        self.with(|c| c.job_running())
    }

    /// What the running command printed since the last call.
    pub fn poll_job(&self) -> Output {
        self.with(|c| c.poll_job())
    }

    /// Ctrl-C: stops the running command; whether there was one.
    pub fn interrupt(&self) -> bool {
        self.change(Entry::Interrupt, |c| c.interrupt())
    }

    /// Lets `ms` milliseconds of simulated time pass.
    pub fn advance(&self, ms: i64) {
        self.change(Entry::Advance(ms), |c| c.advance(SimDuration::millis(ms)));
    }

    /// Hands the editor's text back to a `kubectl edit` (see `Cluster::finish_edit`).
    pub fn finish_edit(&self, request: &EditRequest, edited: &str) -> EditOutcome {
        self.change(Entry::FinishEdit(edited.to_string()), |c| {
            c.finish_edit(request, edited)
        })
    }

    /// Writes a workspace file (the editor's save).
    pub fn write_file(&self, path: &str, text: &str) -> Result<(), String> {
        let entry = Entry::WriteFile {
            path: path.to_string(),
            text: text.to_string(),
        };
        self.change(entry, |c| c.write_file(path, text))
    }

    /// A workspace file's text.
    pub fn read_file(&self, path: &str) -> Option<String> {
        self.with(|c| c.read_file(path).map(str::to_string))
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

    /// Forgets the cluster and its files (history and settings stay); the page reloads
    /// afterwards to start from a fresh cluster.
    pub fn reset_cluster(&self) {
        let mut inner = self.lock();
        inner.record.reset_cluster();
        save_locked(&mut inner);
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
}
