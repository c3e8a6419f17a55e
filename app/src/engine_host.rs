//! The engine's side of the page: the cluster and the lesson played on it, answering the
//! page's requests ([`crate::protocol`]). On the page it runs in a Web Worker
//! ([`crate::worker`]), so the UI thread never waits for the cluster; native tests call it
//! directly.

use kubeplay_engine::lessons::LessonRun;
use kubeplay_engine::Output;

use crate::journal::{self, Entry, State};
use crate::protocol::{Answer, Envelope, LessonView, Reply, Request, View};

/// The cluster, the lesson, and what the page was last sent (so unchanged parts are not
/// sent again).
pub struct EngineHost {
    state: State,
    locale: String,
    sent_generation: Option<u64>,
    sent_files: Option<Vec<String>>,
    /// The autoscaling generation and chart last sent.
    sent_autoscaling: Option<(u64, Vec<kubeplay_engine::view::AutoscalerView>)>,
    sent_lesson: Option<Option<LessonView>>,
    /// The cluster is as [`State::new`] made it: a `Start` with nothing to replay keeps it
    /// instead of building it again.
    fresh: bool,
    /// A command's answer went without the board, which [`EngineHost::follow_up_json`]
    /// sends next.
    board_owed: bool,
}

impl Default for EngineHost {
    fn default() -> Self {
        Self::new()
    }
}

impl EngineHost {
    /// A fresh default cluster; lesson views in English until told otherwise.
    pub fn new() -> Self {
        EngineHost {
            state: State::new(),
            locale: "en".to_string(),
            sent_generation: None,
            sent_files: None,
            sent_autoscaling: None,
            sent_lesson: None,
            fresh: true,
            board_owed: false,
        }
    }

    /// Answers one request, with the views' data after it.
    pub fn handle(&mut self, envelope: Envelope) -> Reply {
        self.answer(envelope, true)
    }

    /// Answers one request; the board only if `with_board` (else it is owed).
    fn answer(&mut self, envelope: Envelope, with_board: bool) -> Reply {
        let mut job_output = None;
        let answer = match envelope.request {
            Request::Start { journal, locale } => {
                self.locale = locale;
                if !(self.fresh && journal.is_empty()) {
                    self.state = State::new();
                    journal::replay(&mut self.state, &journal);
                }
                self.fresh = false;
                Answer::Done
            }
            Request::Apply(entry) => {
                self.fresh = false;
                let answer = self.apply(&entry);
                if matches!(entry, Entry::Advance(_)) && self.state.cluster.job_running() {
                    job_output = Some(self.state.cluster.poll_job());
                }
                answer
            }
            Request::SetLocale(locale) => {
                self.locale = locale;
                Answer::Done
            }
            Request::ExplainDocs(text) => installed(kubeplay_engine::install_explain_docs(&text)),
            Request::Bundle(text) => installed(kubeplay_engine::install_bundle(&text)),
            Request::Complete(line) => Answer::Completion(self.state.cluster.complete(&line)),
            Request::Describe {
                kind,
                namespace,
                name,
            } => Answer::Text(Some(self.state.cluster.describe(kind, &namespace, &name))),
            Request::ReadFile(path) => {
                Answer::Text(self.state.cluster.read_file(&path).map(str::to_string))
            }
            Request::Lint { path, text } => {
                Answer::Problems(kubeplay_engine::lint_manifest(&path, &text))
            }
        };
        Reply {
            id: envelope.id,
            answer,
            view: self.view(
                job_output.filter(|o: &Output| !o.chunks.is_empty()),
                with_board,
            ),
        }
    }

    /// Answers a request given as JSON with a reply as JSON (what the worker passes on).
    /// A console command's reply leaves the board out, so its answer is not held up by a
    /// snapshot of thousands of pods: [`EngineHost::follow_up_json`] brings it.
    pub fn handle_json(&mut self, text: &str) -> String {
        match serde_json::from_str::<Envelope>(text) {
            Ok(envelope) => {
                let with_board = !matches!(envelope.request, Request::Apply(Entry::Run(_)));
                serde_json::to_string(&self.answer(envelope, with_board)).unwrap_or_default()
            }
            // Only a page of another build could send this; it gets no reply.
            Err(_) => String::new(),
        }
    }

    /// The board a reply left out, as a reply to no request (id 0), or nothing.
    pub fn follow_up_json(&mut self) -> String {
        if !std::mem::take(&mut self.board_owed) {
            return String::new();
        }
        let reply = Reply {
            id: 0,
            answer: Answer::Done,
            view: self.view(None, true),
        };
        serde_json::to_string(&reply).unwrap_or_default()
    }

    fn apply(&mut self, entry: &Entry) -> Answer {
        let s = &mut self.state;
        match entry {
            Entry::Run(line) => {
                // The cluster may have changed (a lesson started or left): it gets the
                // page's language each time.
                s.cluster.set_help_language(&self.locale);
                Answer::Output(s.run(line).0)
            }
            Entry::Advance(ms) => {
                s.advance(*ms);
                Answer::Done
            }
            Entry::Interrupt => Answer::Interrupted(s.interrupt()),
            Entry::FinishEdit(text) => Answer::Edit(s.finish_edit(None, text)),
            Entry::WriteFile { path, text } => Answer::Result(s.write_file(path, text)),
            Entry::StartLesson(id) => Answer::Result(s.start_lesson(id)),
            Entry::Hint | Entry::RestartStep | Entry::LeaveLesson => {
                s.apply(entry);
                Answer::Done
            }
        }
    }

    fn view(&mut self, job_output: Option<Output>, with_board: bool) -> View {
        let cluster = &self.state.cluster;
        let generation = cluster.generation();
        let changed = self.sent_generation != Some(generation);
        let board = (changed && with_board).then(|| cluster.snapshot());
        if with_board {
            self.sent_generation = Some(generation);
        }
        self.board_owed = changed && !with_board;
        let files = cluster.files();
        let files = (self.sent_files.as_ref() != Some(&files)).then(|| {
            self.sent_files = Some(files.clone());
            files
        });
        let autoscalers = self.autoscalers();
        let cluster = &self.state.cluster;
        let lesson = self
            .state
            .lesson
            .as_ref()
            .map(|run| lesson_view(run, &self.locale));
        let lesson = (self.sent_lesson.as_ref() != Some(&lesson)).then(|| {
            self.sent_lesson = Some(lesson.clone());
            lesson
        });
        View {
            uptime_ms: cluster.uptime().0,
            prompt: cluster.prompt(),
            one_by_one: cluster.takes_lines_one_by_one(),
            job_running: cluster.job_running(),
            job_output,
            files,
            board,
            autoscalers,
            lesson,
            finished_lesson: self.state.finished_lesson().map(str::to_string),
        }
    }
}

impl EngineHost {
    /// The autoscaling chart, when it reads differently from what was sent last (it is
    /// only read again when its generation moved).
    fn autoscalers(&mut self) -> Option<Vec<kubeplay_engine::view::AutoscalerView>> {
        let cluster = &self.state.cluster;
        let generation = cluster.autoscaling_generation();
        if self
            .sent_autoscaling
            .as_ref()
            .is_some_and(|(g, _)| *g == generation)
        {
            return None;
        }
        let now = cluster.autoscalers();
        let changed = self
            .sent_autoscaling
            .as_ref()
            .is_none_or(|(_, sent)| *sent != now);
        self.sent_autoscaling = Some((generation, now.clone()));
        changed.then_some(now)
    }
}

/// The answer to handing over a data file: done, or why it was refused.
fn installed(result: Result<(), String>) -> Answer {
    match result {
        Ok(()) => Answer::Done,
        Err(e) => Answer::Result(Err(e)),
    }
}

/// What the lesson panel shows of `run`, worded in `locale`.
pub fn lesson_view(run: &LessonRun, locale: &str) -> LessonView {
    let all_hints = run.step().map(|s| s.hints.as_slice()).unwrap_or(&[]);
    let shown = run.hints_shown().min(all_hints.len());
    LessonView {
        id: run.lesson().id.clone(),
        title: run.lesson().title.get(locale).to_string(),
        steps: run.lesson().steps.len(),
        step: run.step_index(),
        step_title: run.step_title(locale).to_string(),
        step_text: run.step_text(locale).to_string(),
        goals: run
            .checklist(locale)
            .into_iter()
            .map(|g| (g.label, g.met, g.why))
            .collect(),
        hints: all_hints[..shown]
            .iter()
            .map(|h| h.get(locale).to_string())
            .collect(),
        hints_left: all_hints.len() - shown,
        finished: run.finished(),
        used: run.commands_used(),
        reference: run.reference_commands(),
        solution: run.solution().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(host: &mut EngineHost, id: u64, request: Request) -> Reply {
        // Through JSON, as on the page.
        let text = serde_json::to_string(&Envelope { id, request }).unwrap();
        serde_json::from_str(&host.handle_json(&text)).unwrap()
    }

    #[test]
    fn answers_with_the_view_and_sends_bulky_parts_only_when_changed() {
        let mut host = EngineHost::new();
        let first = ask(&mut host, 1, Request::Apply(Entry::Advance(250)));
        assert_eq!(first.id, 1);
        assert!(first.view.board.is_some(), "the first reply has the board");
        assert_eq!(first.view.files, Some(vec![]));
        assert_eq!(first.view.lesson, Some(None));
        let idle = ask(&mut host, 2, Request::Apply(Entry::Advance(250)));
        assert_eq!(idle.view.uptime_ms, first.view.uptime_ms + 250);
        assert!(idle.view.board.is_none() && idle.view.files.is_none());
        assert!(idle.view.lesson.is_none());
        let run = ask(
            &mut host,
            3,
            Request::Apply(Entry::Run("kubectl create namespace dev".into())),
        );
        match run.answer {
            Answer::Output(out) => assert_eq!(out.stdout(), "namespace/dev created\n"),
            other => panic!("{other:?}"),
        }
        // A command's answer goes first; its board follows, once.
        assert!(run.view.board.is_none());
        let follow: Reply = serde_json::from_str(&host.follow_up_json()).unwrap();
        assert_eq!((follow.id, follow.answer), (0, Answer::Done));
        let board = follow.view.board.expect("the cluster changed");
        assert!(board.namespaces.contains(&"dev".to_string()));
        assert_eq!(host.follow_up_json(), "");
        // In one thread (no worker) the board comes with the answer.
        let local = host.handle(Envelope {
            id: 4,
            request: Request::Apply(Entry::Run("kubectl create namespace qa".into())),
        });
        assert!(local.view.board.is_some());
    }

    #[test]
    fn a_start_with_nothing_to_replay_keeps_the_fresh_cluster() {
        let mut host = EngineHost::new();
        let first = ask(&mut host, 1, Request::Bundle("{}".into()));
        assert!(first.view.board.is_some());
        let start = Request::Start {
            journal: vec![],
            locale: "en".into(),
        };
        let started = ask(&mut host, 2, start.clone());
        assert!(started.view.board.is_none(), "the same cluster");
        ask(&mut host, 3, Request::Apply(Entry::Advance(1000)));
        let again = ask(&mut host, 4, start);
        assert_eq!(
            again.view.uptime_ms, first.view.uptime_ms,
            "a used cluster is built again"
        );
    }

    #[test]
    fn a_watch_prints_as_time_passes() {
        let mut host = EngineHost::new();
        ask(
            &mut host,
            1,
            Request::Apply(Entry::Run(
                "kubectl create deployment web --image=nginx".into(),
            )),
        );
        ask(
            &mut host,
            2,
            Request::Apply(Entry::Run("kubectl get pods -w".into())),
        );
        let tick = ask(&mut host, 3, Request::Apply(Entry::Advance(30_000)));
        assert!(tick.view.job_running);
        let out = tick.view.job_output.expect("the watch printed");
        assert!(out.stdout().contains("web-"), "{out:?}");
    }

    #[test]
    fn replays_a_journal_and_words_lessons_in_the_chosen_language() {
        let mut host = EngineHost::new();
        let journal = vec![
            Entry::StartLesson("first-pod".into()),
            Entry::Run("kubectl get nodes".into()),
        ];
        let started = ask(
            &mut host,
            1,
            Request::Start {
                journal,
                locale: "ko".into(),
            },
        );
        let lesson = started.view.lesson.flatten().expect("a lesson is played");
        assert_eq!(lesson.id, "first-pod");
        let en = ask(&mut host, 2, Request::SetLocale("en".into()));
        let english = en.view.lesson.flatten().expect("reworded");
        assert_ne!(english.title, lesson.title);
        match ask(&mut host, 3, Request::ReadFile("nope.yaml".into())).answer {
            Answer::Text(None) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn data_files_are_installed_or_refused() {
        let mut host = EngineHost::new();
        let bundle = include_str!("../../public/bundle.json").to_string();
        assert_eq!(
            ask(&mut host, 1, Request::Bundle(bundle)).answer,
            Answer::Done
        );
        match ask(&mut host, 2, Request::Bundle("{}".into())).answer {
            Answer::Result(Err(_)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_junk_without_a_reply() {
        assert_eq!(EngineHost::new().handle_json("{not json"), "");
    }
}

/// Whatever arrives, the host answers or stays silent; it never panics (a panic would stop
/// the worker, and with it the page's cluster).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn request() -> impl Strategy<Value = Request> {
        let text = "[ -~\\n]{0,60}";
        prop_oneof![
            text.prop_map(|l| Request::Apply(Entry::Run(l))),
            (0i64..20_000).prop_map(|ms| Request::Apply(Entry::Advance(ms))),
            Just(Request::Apply(Entry::Interrupt)),
            text.prop_map(|t| Request::Apply(Entry::FinishEdit(t))),
            (text, text).prop_map(|(path, text)| Request::Apply(Entry::WriteFile { path, text })),
            text.prop_map(|id| Request::Apply(Entry::StartLesson(id))),
            Just(Request::Apply(Entry::Hint)),
            Just(Request::Apply(Entry::RestartStep)),
            text.prop_map(Request::Complete),
            text.prop_map(Request::ReadFile),
            (text, text).prop_map(|(path, text)| Request::Lint { path, text }),
            text.prop_map(Request::SetLocale),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn junk_text_gets_no_reply(text in "\\PC{0,200}") {
            let mut host = EngineHost::new();
            let reply = host.handle_json(&text);
            prop_assert!(reply.is_empty() || serde_json::from_str::<Reply>(&reply).is_ok());
        }

        #[test]
        fn any_requests_are_answered_in_order(requests in proptest::collection::vec(request(), 1..8)) {
            let mut host = EngineHost::new();
            for (id, request) in requests.into_iter().enumerate() {
                let text = serde_json::to_string(&Envelope { id: id as u64, request }).unwrap();
                let reply: Reply = serde_json::from_str(&host.handle_json(&text)).unwrap();
                prop_assert_eq!(reply.id, id as u64);
            }
        }
    }
}
