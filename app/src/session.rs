//! The page's handle on the engine. The cluster lives in the engine host
//! ([`crate::engine_host`]): on the page a Web Worker ([`crate::worker`]), so nothing the
//! cluster does blocks the UI thread; where no worker can start (native tests), the same
//! host in this thread.
//!
//! Requests are answered later, through callbacks; every answer brings the views' data,
//! kept here as a mirror that components read synchronously (clock, board, prompt, files,
//! lesson). Everything that changes the cluster goes through here, so it is also where the
//! session is journaled and saved (see [`crate::journal`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use kubeplay_engine::view::{AutoscalerView, BoardSnapshot, DescribeKind};
use kubeplay_engine::{Completion, EditOutcome, ManifestProblem, Output};
use leptos::prelude::{ArcRwSignal, Get, Update};

use crate::console_model::SavedLine;
use crate::engine_host::EngineHost;
use crate::journal::{Entry, LoadError, Record};
use crate::protocol::{Answer, Crash, Envelope, LessonView, Reply, Request, View};

/// Advances between two saves while only time passes (commands save at once).
const ADVANCES_PER_SAVE: u32 = 8;

type Callback = Box<dyn FnOnce(Answer) + Send>;
type Hook = Arc<dyn Fn() + Send + Sync>;

/// The views' data, as of the newest reply.
struct Mirror {
    ready: bool,
    uptime_ms: i64,
    prompt: String,
    one_by_one: bool,
    job_running: bool,
    job_output: Output,
    files: Vec<String>,
    board: BoardSnapshot,
    autoscalers: Vec<AutoscalerView>,
    /// Counts changes of `autoscalers`.
    autoscaling_version: u64,
    lesson: Option<LessonView>,
}

impl Default for Mirror {
    fn default() -> Self {
        Mirror {
            ready: false,
            uptime_ms: 0,
            prompt: "$ ".to_string(),
            one_by_one: false,
            job_running: false,
            job_output: Output::default(),
            files: Vec::new(),
            board: BoardSnapshot::default(),
            autoscalers: Vec::new(),
            autoscaling_version: 0,
            lesson: None,
        }
    }
}

struct Inner {
    record: Record,
    /// Whether the record is written to `localStorage` (the page) or not (tests).
    persist: bool,
    unsaved_advances: u32,
    next_id: u64,
    pending: HashMap<u64, Callback>,
    mirror: Mirror,
    /// Ctrl-Cs sent and not yet answered: replies to requests sent before them still say a
    /// job runs, and must not bring the stopped job back.
    interrupts_pending: u32,
    /// The last save failed (the browser's storage is full): the page says so.
    save_failed: bool,
}

/// Where requests go.
#[derive(Clone)]
enum Host {
    /// The host in this thread (native tests; pages where no worker can start).
    Local(Arc<Mutex<EngineHost>>),
    /// The page's engine worker.
    Worker,
}

/// Shared access to the page's cluster (and the lesson played on it). Cloning shares them.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Mutex<Inner>>,
    host: Host,
    /// Said once at start-up when a saved session could not be used.
    notice: Option<LoadError>,
    /// Counts changes that panels showing the lesson care about (read it to re-render).
    version: ArcRwSignal<u64>,
    /// Told when a reply to no request came in (a command's board follows its answer).
    on_update: Arc<Mutex<Option<Hook>>>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session with a fresh default cluster in this thread, never saved.
    pub fn new() -> Self {
        Self::start(Record::new(), false, None, false)
    }

    /// The page's session: the saved one replayed if there is one, else a fresh cluster,
    /// in the engine worker when one starts. A damaged or outdated record is dropped and
    /// explained by [`Session::notice`].
    pub fn restore() -> Self {
        let (record, notice) = match crate::storage::load() {
            Ok(Some(record)) => (record, None),
            Ok(None) => (Record::new(), None),
            Err(e) => (Record::new(), Some(e)),
        };
        Self::start(record, true, notice, true)
    }

    fn start(record: Record, persist: bool, notice: Option<LoadError>, page: bool) -> Self {
        let journal = record.journal.clone();
        let mut session = Session {
            inner: Arc::new(Mutex::new(Inner {
                record,
                persist,
                unsaved_advances: 0,
                next_id: 0,
                pending: HashMap::new(),
                mirror: Mirror::default(),
                interrupts_pending: 0,
                save_failed: false,
            })),
            host: Host::Worker,
            notice,
            version: ArcRwSignal::new(0),
            on_update: Arc::new(Mutex::new(None)),
        };
        // Only where no worker started is a cluster made in this thread (which has the
        // bundle already); the worker got it as soon as it was fetched (`data_files`).
        if !(page && crate::worker::attach(&session)) {
            session.host = Host::Local(Arc::new(Mutex::new(EngineHost::new())));
        }
        let locale = "en".to_string();
        session.request(Request::Start { journal, locale }, |_| {});
        session
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Sends a request; `then` gets its answer (after the mirror took the reply's view).
    fn request(&self, request: Request, then: impl FnOnce(Answer) + Send + 'static) {
        let id = {
            let mut inner = self.lock();
            inner.next_id += 1;
            let id = inner.next_id;
            inner.pending.insert(id, Box::new(then));
            id
        };
        let envelope = Envelope { id, request };
        match &self.host {
            Host::Local(host) => {
                let reply = match host.lock() {
                    Ok(mut h) => h.handle(envelope),
                    Err(poisoned) => poisoned.into_inner().handle(envelope),
                };
                self.receive(reply);
            }
            Host::Worker => {
                if let Ok(text) = serde_json::to_string(&envelope) {
                    crate::worker::post(&text);
                }
            }
        }
    }

    /// Takes a message from the worker: a reply, or the news that it stopped.
    pub fn receive_json(&self, text: &str) {
        if let Ok(reply) = serde_json::from_str::<Reply>(text) {
            self.receive(reply);
        } else if let Ok(crash) = serde_json::from_str::<Crash>(text) {
            crate::crash::show_panel(&crash.crash);
        }
    }

    fn receive(&self, reply: Reply) {
        let (then, bump) = {
            let mut inner = self.lock();
            // Replies to no request (id 0) may come before the journal is replayed.
            inner.mirror.ready |= reply.id != 0;
            let bump = absorb(&mut inner, reply.view);
            (inner.pending.remove(&reply.id), bump)
        };
        if bump {
            self.version.update(|v| *v += 1);
        }
        match then {
            Some(then) => then(reply.answer),
            None => {
                let hook = self.on_update.lock().ok().and_then(|h| h.clone());
                if let Some(hook) = hook {
                    hook();
                }
            }
        }
    }

    /// Calls `hook` after each reply that answers no request: the views' data changed on
    /// its own (a command's board, sent after its answer).
    pub fn on_update(&self, hook: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut h) = self.on_update.lock() {
            *h = Some(Arc::new(hook));
        }
    }

    /// Journals a change (saving unless only time passed) and sends it to the host.
    fn apply(&self, entry: Entry, then: impl FnOnce(Answer) + Send + 'static) {
        {
            let mut inner = self.lock();
            let advance = matches!(entry, Entry::Advance(_));
            if let Entry::Run(line) = &entry {
                inner.record.remember(line);
            }
            inner.record.push(entry.clone());
            inner.unsaved_advances += 1;
            if !advance || inner.unsaved_advances >= ADVANCES_PER_SAVE {
                save_locked(&mut inner);
            }
        }
        self.request(Request::Apply(entry), then);
    }

    /// Whether the engine has answered once (before that the mirror is empty).
    pub fn ready(&self) -> bool {
        self.lock().mirror.ready
    }

    /// Whether a request is still unanswered (the engine is busy).
    pub fn busy(&self) -> bool {
        !self.lock().pending.is_empty()
    }

    /// A number that changes whenever the lesson or the finished lessons may look
    /// different; reading it in a reactive context subscribes to it.
    pub fn version(&self) -> u64 {
        self.version.get()
    }

    /// Why the saved session was not restored, if it was not (the console says so).
    pub fn notice(&self) -> Option<&LoadError> {
        self.notice.as_ref()
    }

    /// Runs one console line on the cluster (through the lesson, if one is played).
    pub fn run(&self, line: &str, then: impl FnOnce(Output) + Send + 'static) {
        self.apply(Entry::Run(line.to_string()), move |answer| {
            if let Answer::Output(out) = answer {
                then(out);
            }
        });
    }

    /// Tab completion of the last word of `line` (read-only: nothing is journaled).
    pub fn complete(&self, line: &str, then: impl FnOnce(Completion) + Send + 'static) {
        self.request(Request::Complete(line.to_string()), move |answer| {
            if let Answer::Completion(c) = answer {
                then(c);
            }
        });
    }

    /// The engine's prompt (`$ `, or a container shell's inside `kubectl exec -it`).
    pub fn prompt(&self) -> String {
        self.lock().mirror.prompt.clone()
    }

    /// Whether the engine takes lines one by one (inside `kubectl exec -it`).
    pub fn one_by_one(&self) -> bool {
        self.lock().mirror.one_by_one
    }

    /// Whether a command is still running (a watch), so the console shows no prompt.
    pub fn job_running(&self) -> bool {
        self.lock().mirror.job_running
    }

    /// What the running command printed since the last call.
    pub fn take_job_output(&self) -> Output {
        std::mem::take(&mut self.lock().mirror.job_output)
    }

    /// Ctrl-C: stops the running command.
    pub fn interrupt(&self) {
        {
            let mut inner = self.lock();
            inner.interrupts_pending += 1;
            inner.mirror.job_running = false;
        }
        let inner = self.inner.clone();
        self.apply(Entry::Interrupt, move |_| {
            let mut inner = match inner.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            inner.interrupts_pending = inner.interrupts_pending.saturating_sub(1);
        });
    }

    /// Lets `ms` milliseconds of simulated time pass; `then` runs once they have.
    pub fn advance(&self, ms: i64, then: impl FnOnce() + Send + 'static) {
        self.apply(Entry::Advance(ms), move |_| then());
    }

    /// Hands the editor's text back to the `kubectl edit` the last command opened.
    pub fn finish_edit(&self, edited: &str, then: impl FnOnce(EditOutcome) + Send + 'static) {
        self.apply(Entry::FinishEdit(edited.to_string()), move |answer| {
            let outcome = match answer {
                Answer::Edit(Some(outcome)) => outcome,
                _ => EditOutcome::Done(Output::default()),
            };
            then(outcome);
        });
    }

    /// Writes a workspace file (the editor's save).
    pub fn write_file(
        &self,
        path: &str,
        text: &str,
        then: impl FnOnce(Result<(), String>) + Send + 'static,
    ) {
        let entry = Entry::WriteFile {
            path: path.to_string(),
            text: text.to_string(),
        };
        self.apply(entry, move |answer| then(result_of(answer)));
    }

    /// A workspace file's text.
    pub fn read_file(&self, path: &str, then: impl FnOnce(Option<String>) + Send + 'static) {
        self.request(Request::ReadFile(path.to_string()), move |answer| {
            if let Answer::Text(text) = answer {
                then(text);
            }
        });
    }

    /// What `kubectl apply --dry-run=server` would say about `text` (the file `path`).
    pub fn lint(
        &self,
        path: &str,
        text: &str,
        then: impl FnOnce(Vec<ManifestProblem>) + Send + 'static,
    ) {
        let request = Request::Lint {
            path: path.to_string(),
            text: text.to_string(),
        };
        self.request(request, move |answer| {
            if let Answer::Problems(found) = answer {
                then(found);
            }
        });
    }

    /// Hands `explain.json`'s text to the engine.
    pub fn install_explain_docs(&self, text: String) {
        self.request(Request::ExplainDocs(text), |_| {});
    }

    /// Words the lesson view in `locale` (`en`, `ko`) from now on.
    pub fn set_lesson_locale(&self, locale: &str) {
        self.request(Request::SetLocale(locale.to_string()), |_| {});
    }

    /// Starts a built-in lesson: its cluster replaces the current one. A lesson the engine
    /// cannot start is taken out of the journal again.
    pub fn start_lesson(&self, id: &str, then: impl FnOnce(Result<(), String>) + Send + 'static) {
        let entry = Entry::StartLesson(id.to_string());
        let session = self.clone();
        self.apply(entry.clone(), move |answer| {
            let result = result_of(answer);
            if result.is_err() {
                session.forget(&entry);
            }
            then(result)
        });
    }

    /// Takes back the newest `entry`, which the engine refused: it changed nothing, so the
    /// journal without it replays the same.
    fn forget(&self, entry: &Entry) {
        let mut inner = self.lock();
        if let Some(i) = inner.record.journal.iter().rposition(|e| e == entry) {
            inner.record.journal.remove(i);
            save_locked(&mut inner);
        }
    }

    /// Reveals the next hint of the current step.
    pub fn hint(&self) {
        self.apply(Entry::Hint, |_| {});
    }

    /// Starts the current step of the lesson again.
    pub fn restart_step(&self) {
        self.apply(Entry::RestartStep, |_| {});
    }

    /// Leaves the lesson; the learner's own cluster comes back.
    pub fn leave_lesson(&self) {
        self.apply(Entry::LeaveLesson, |_| {});
    }

    /// The lesson being played, as the lesson panel shows it.
    pub fn lesson(&self) -> Option<LessonView> {
        self.lock().mirror.lesson.clone()
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
        self.lock().mirror.files.clone()
    }

    /// Console history saved with the session, oldest first.
    pub fn history(&self) -> Vec<String> {
        self.lock().record.history.clone()
    }

    /// The console lines saved with the session, and how many commands its journal replays
    /// (`None` when nothing was restored).
    pub fn restored_console(&self) -> Option<(Vec<SavedLine>, usize)> {
        let inner = self.lock();
        let record = &inner.record;
        (!record.journal.is_empty() || !record.scrollback.is_empty())
            .then(|| (record.scrollback.clone(), record.commands()))
    }

    /// How many console lines the restored journal replays (0 when nothing was restored).
    pub fn commands_replayed(&self) -> usize {
        self.lock().record.commands()
    }

    /// Writes the session now, with the console's last lines (the page is being hidden or
    /// closed).
    pub fn save_with_console(&self, lines: Vec<SavedLine>) {
        let mut inner = self.lock();
        inner.record.scrollback = lines;
        save_locked(&mut inner);
    }

    /// Whether the last save failed (the browser's storage is full or refused it).
    pub fn save_failed(&self) -> bool {
        self.lock().save_failed
    }

    /// The learner's interface language, if chosen.
    pub fn locale(&self) -> Option<String> {
        self.lock().record.settings.locale.clone()
    }

    /// Remembers the interface language (and words the lesson in it).
    pub fn set_locale(&self, locale: &str) {
        {
            let mut inner = self.lock();
            inner.record.settings.locale = Some(locale.to_string());
            save_locked(&mut inner);
        }
        self.set_lesson_locale(locale);
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
        self.lock().mirror.uptime_ms
    }

    /// The cluster's change counter (see `Cluster::generation`).
    pub fn generation(&self) -> u64 {
        self.lock().mirror.board.generation
    }

    /// What the board shows, as of the newest reply.
    pub fn snapshot(&self) -> BoardSnapshot {
        self.lock().mirror.board.clone()
    }

    /// The autoscaling chart's data, as of the newest reply.
    pub fn autoscalers(&self) -> Vec<AutoscalerView> {
        self.lock().mirror.autoscalers.clone()
    }

    /// Counts changes of [`Session::autoscalers`].
    pub fn autoscaling_version(&self) -> u64 {
        self.lock().mirror.autoscaling_version
    }

    /// `kubectl describe` text of a pod or node, leaving the console alone.
    pub fn describe(
        &self,
        kind: DescribeKind,
        namespace: &str,
        name: &str,
        then: impl FnOnce(String) + Send + 'static,
    ) {
        let request = Request::Describe {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        };
        self.request(request, move |answer| {
            if let Answer::Text(Some(text)) = answer {
                then(text);
            }
        });
    }
}

/// Takes a reply's view into the mirror (and a finished lesson into the record); whether
/// the lesson panel should look again.
fn absorb(inner: &mut Inner, view: View) -> bool {
    let stopping = inner.interrupts_pending > 0;
    let m = &mut inner.mirror;
    m.uptime_ms = view.uptime_ms;
    m.prompt = view.prompt;
    m.one_by_one = view.one_by_one;
    m.job_running = view.job_running && !stopping;
    if let Some(out) = view.job_output {
        m.job_output.chunks.extend(out.chunks);
        m.job_output.exit_code = out.exit_code;
    }
    if let Some(files) = view.files {
        m.files = files;
    }
    if let Some(board) = view.board {
        m.board = board;
    }
    if let Some(autoscalers) = view.autoscalers {
        m.autoscalers = autoscalers;
        m.autoscaling_version += 1;
    }
    let mut bump = false;
    if let Some(lesson) = view.lesson {
        m.lesson = lesson;
        bump = true;
    }
    if let Some(id) = view.finished_lesson {
        if inner.record.complete(&id) {
            save_locked(inner);
            bump = true;
        }
    }
    bump
}

fn result_of(answer: Answer) -> Result<(), String> {
    match answer {
        Answer::Result(r) => r,
        other => Err(format!("unexpected answer {other:?}")),
    }
}

fn save_locked(inner: &mut Inner) {
    inner.unsaved_advances = 0;
    if inner.persist {
        inner.save_failed = crate::storage::save(&inner.record) == crate::storage::Saved::Refused;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journals_what_changes_the_cluster() {
        let s = Session::new();
        let printed = Arc::new(Mutex::new(String::new()));
        let into = printed.clone();
        s.run("kubectl create deployment web --image=nginx", move |out| {
            *into.lock().unwrap() = out.stdout()
        });
        assert_eq!(
            *printed.lock().unwrap(),
            "deployment.apps/web created\n",
            "answered through the callback"
        );
        s.advance(250, || {});
        s.advance(250, || {});
        s.write_file("a.txt", "x\n", |r| r.unwrap());
        assert_eq!(s.files(), vec!["a.txt"], "the mirror follows");
        assert_eq!(s.uptime_ms() % 250, 0);
        assert!(!s.busy());
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
        s.start_lesson("no-such-lesson", |r| assert!(r.is_err()));
        s.start_lesson("first-pod", |r| r.unwrap());
        s.hint();
        let lesson = kubeplay_engine::lessons::builtin()
            .into_iter()
            .find(|l| l.id == "first-pod")
            .unwrap();
        for step in &lesson.steps {
            for line in &step.solution {
                s.run(line, |_| {});
            }
        }
        assert!(s.lesson().is_some_and(|l| l.finished));
        assert_eq!(s.completed(), vec!["first-pod"]);
        {
            let inner = s.lock();
            assert_eq!(
                inner.record.journal[0],
                Entry::StartLesson("first-pod".into())
            );
            assert_eq!(inner.record.journal[1], Entry::Hint);
        }
        s.leave_lesson();
        assert!(s.lesson().is_none());
        s.reset_cluster();
        assert_eq!(s.completed(), vec!["first-pod"]);
        assert_eq!(
            s.import_completed(&["first-pod".into(), "namespaces".into()]),
            1
        );
    }
}
