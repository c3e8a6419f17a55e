//! The lesson panel: the lesson list with progress marks; for the lesson being played its
//! current step (markdown rendered as text nodes, commands clickable into the console), the
//! goal checklist updating live, hints one at a time, the solution (asked first, then typed
//! into the console), restart and leave; the finish screen; progress export and import.
//!
//! Every lesson action goes through the [`Session`], which journals it, so a reload finds
//! the lesson and its step as they were.

use std::sync::Arc;
use std::time::Duration;

use kubeplay_engine::lessons::{self, Lesson};
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys;

use crate::components::console::{ConsoleBus, ConsoleRequest};
use crate::markdown::{self, Block, Inline};
use crate::progress::{self, ImportError};
use crate::protocol::LessonView;
use crate::session::Session;

/// The panel's interface strings.
#[derive(Clone, Copy)]
enum K {
    Lessons,
    Hide,
    Show,
    Start,
    Again,
    Done,
    Minutes,
    Step,
    Goal,
    Hint,
    NoHints,
    HintWord,
    Solution,
    SolutionAsk,
    ResetLesson,
    ResetAsk,
    RestartStep,
    AllLessons,
    Finished,
    Used,
    Reference,
    FewerThanReference,
    NextLesson,
    Export,
    Import,
    Imported,
    NotProgress,
    Newer,
    PutInConsole,
    Met,
    NotMet,
    CantStart,
    StepDone,
    NextStep,
    AllSteps,
    NextHint,
}

fn tr(locale: &str, key: K) -> &'static str {
    let (ko, en) = match key {
        K::Lessons => ("레슨", "Lessons"),
        K::Hide => ("레슨 패널 접기", "Hide the lesson panel"),
        K::Show => ("레슨 패널 펼치기", "Show the lesson panel"),
        K::Start => ("시작", "Start"),
        K::Again => ("다시 하기", "Again"),
        K::Done => ("완료", "done"),
        K::Minutes => ("{n}분", "{n} min"),
        K::Step => ("단계 {i} / {n}", "Step {i} of {n}"),
        K::Goal => ("목표", "Goal"),
        K::Hint => ("힌트 ({n}개 남음)", "Hint ({n} left)"),
        K::NoHints => ("힌트 없음", "No more hints"),
        K::HintWord => ("힌트", "Hint"),
        K::Solution => ("정답 보기", "Show solution"),
        K::SolutionAsk => (
            "이 단계의 정답 명령을 콘솔에 입력하고 실행할까요?",
            "Type and run this step's solution in the console?",
        ),
        K::ResetLesson => ("레슨 처음부터", "Reset lesson"),
        K::ResetAsk => (
            "레슨을 처음부터 다시 시작할까요? 레슨 클러스터가 새로 만들어집니다.",
            "Start the lesson over? Its cluster is built again from scratch.",
        ),
        K::RestartStep => ("이 단계 다시", "Restart step"),
        K::AllLessons => ("← 레슨 목록", "← All lessons"),
        K::Finished => ("레슨 완료!", "Lesson complete!"),
        K::Used => ("사용한 명령", "commands you used"),
        K::Reference => ("모범 답안의 명령", "commands in the reference solution"),
        K::FewerThanReference => (
            "모범 답안 이하로 해냈어요!",
            "You did it in no more commands than the reference!",
        ),
        K::NextLesson => ("다음 레슨 →", "Next lesson →"),
        K::Export => ("진도 내보내기", "Export progress"),
        K::Import => ("진도 가져오기", "Import progress"),
        K::Imported => (
            "진도를 가져왔습니다: 새로 완료된 레슨 {n}개.",
            "Progress imported: {n} newly completed lesson(s).",
        ),
        K::NotProgress => (
            "Kubeplay 진도 파일이 아닙니다. 진도 내보내기로 만든 .json 파일을 고르세요.",
            "That is not a Kubeplay progress file. Pick a .json file made by Export progress.",
        ),
        K::Newer => (
            "더 새로운 Kubeplay에서 만든 진도 파일입니다.",
            "That progress file is from a newer Kubeplay.",
        ),
        K::PutInConsole => ("콘솔에 넣기", "Put in the console"),
        K::Met => ("달성", "met"),
        K::NotMet => ("아직", "not yet"),
        K::CantStart => ("레슨을 시작할 수 없습니다", "The lesson could not start"),
        K::StepDone => ("✓ 단계 {i} / {n} 완료", "✓ Step {i} of {n} done"),
        K::NextStep => ("다음 단계 →", "Next step →"),
        K::AllSteps => ("모든 단계 ({i} / {n})", "All steps ({i} of {n})"),
        K::NextHint => (
            "또는 빈 콘솔에서 Enter",
            "or Enter on an empty console line",
        ),
    };
    if locale == "ko" {
        ko
    } else {
        en
    }
}

/// The page's language, as chosen with the language switch.
fn page_locale() -> Signal<String> {
    // The page's language switch (`i18n`) decides; lessons use its code (`en`, `ko`).
    let locale = crate::i18n::use_locale();
    Signal::derive(move || locale.get().code().to_string())
}

/// What the panel shows of the lesson being played (compared, so unchanged ticks re-render
/// nothing); worded by the engine in the page's language.
type Active = LessonView;

#[derive(Clone)]
struct Ctx {
    session: Session,
    locale: Signal<String>,
    /// The shipped lessons, once parsed ([`load_lessons`]).
    lessons: RwSignal<Arc<Vec<Lesson>>>,
    bus: Option<ConsoleBus>,
    message: RwSignal<Option<String>>,
    active: Memo<Option<Active>>,
    completed: Memo<Vec<String>>,
}

impl Ctx {
    fn t(&self, key: K) -> &'static str {
        tr(&self.locale.get_untracked(), key)
    }

    /// Starts a lesson; the learner's own cluster waits aside until the lesson is left.
    fn start(&self, id: &str) {
        let message = self.message;
        let cant = self.t(K::CantStart);
        self.session.start_lesson(id, move |result| {
            message.try_set(result.err().map(|e| format!("{cant}: {e}")));
        });
    }

    fn put(&self, command: &str) {
        if let Some(bus) = self.bus {
            bus.send(ConsoleRequest::Put(command.to_string()));
        }
    }

    /// The shipped lessons now: parsed at once if the page is still parsing them a file at a
    /// time (a progress file imported in the first moments must find every lesson).
    fn lessons_now(&self) -> Arc<Vec<Lesson>> {
        let loaded = self.lessons.get_untracked();
        if !loaded.is_empty() {
            return loaded;
        }
        let all = Arc::new(lessons::builtin());
        self.lessons.set(all.clone());
        all
    }
}

/// Parses the shipped lessons into `into`, one file per task on the page, so neither the
/// first paint nor the engine worker's start waits for them (at once elsewhere).
fn load_lessons(into: RwSignal<Arc<Vec<Lesson>>>) {
    let files = lessons::builtin_files();
    if cfg!(target_arch = "wasm32") {
        parse_next(files, Vec::new(), into);
    } else {
        into.set(Arc::new(lessons::builtin()));
    }
}

fn parse_next(
    mut files: Vec<(&'static str, &'static str)>,
    mut done: Vec<Lesson>,
    into: RwSignal<Arc<Vec<Lesson>>>,
) {
    set_timeout(
        move || match files.pop() {
            // Parsed at once meanwhile (`Ctx::lessons_now`), or the panel is gone.
            _ if into.try_with_untracked(|l| !l.is_empty()).unwrap_or(true) => {}
            Some((file, text)) => {
                done.extend(lessons::parse(file, text).ok());
                parse_next(files, done, into);
            }
            None => {
                lessons::sort(&mut done);
                into.try_set(Arc::new(done));
            }
        },
        Duration::ZERO,
    );
}

fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

/// The left column.
#[component]
pub fn LessonPanel(session: Session) -> impl IntoView {
    let locale = page_locale();
    let reading = session.clone();
    let active = Memo::new(move |_| {
        reading.version();
        reading.lesson()
    });
    let reading = session.clone();
    let completed = Memo::new(move |_| {
        reading.version();
        reading.completed()
    });
    let ctx = Ctx {
        session,
        locale,
        lessons: RwSignal::new(Arc::default()),
        bus: use_context::<ConsoleBus>(),
        message: RwSignal::new(None),
        active,
        completed,
    };
    load_lessons(ctx.lessons);
    let collapsed = RwSignal::new(false);
    let playing = Memo::new(move |_| active.with(|a| a.as_ref().map(|a| a.id.clone())));
    let body_ctx = ctx.clone();
    let body = move || match playing.get() {
        None => lesson_list(body_ctx.clone()).into_any(),
        Some(_) => lesson_view(body_ctx.clone()).into_any(),
    };
    let message = ctx.message;
    let files_ctx = ctx.clone();

    view! {
        <aside class="lesson-panel" class:collapsed=move || collapsed.get() data-testid="lesson-panel"
            aria-label=move || tr(&locale.get(), K::Lessons)>
            <div class="lp-head">
                <h2>{move || tr(&locale.get(), K::Lessons)}</h2>
                <button type="button" class="lp-toggle" data-testid="lesson-panel-toggle"
                    aria-expanded=move || (!collapsed.get()).to_string()
                    title=move || tr(&locale.get(), if collapsed.get() { K::Show } else { K::Hide })
                    on:click=move |_| collapsed.update(|c| *c = !*c)>
                    <span aria-hidden="true">{move || if collapsed.get() { "▸" } else { "◂" }}</span>
                    <span class="visually-hidden">
                        {move || tr(&locale.get(), if collapsed.get() { K::Show } else { K::Hide })}
                    </span>
                </button>
            </div>
            <div class="lp-body" hidden=move || collapsed.get()>
                {body}
                {move || message.get().map(|m| view! { <p class="lp-message" role="status" data-testid="lesson-message">{m}</p> })}
                {progress_files(files_ctx)}
            </div>
        </aside>
    }
}

fn lesson_list(ctx: Ctx) -> impl IntoView {
    let locale = ctx.locale;
    let completed = ctx.completed;
    let items = ctx
        .lessons
        .get()
        .iter()
        .map(|lesson| {
            let id = lesson.id.clone();
            let done_id = id.clone();
            let done = Signal::derive(move || completed.with(|c| c.contains(&done_id)));
            let title = lesson.title.clone();
            let summary = lesson.summary.clone();
            let minutes = lesson.minutes;
            let order = lesson.order;
            let start_ctx = ctx.clone();
            let start_id = id.clone();
            let summary_ctx = ctx.clone();
            view! {
                <li class="lp-item" class:lp-done=move || done.get() data-testid="lesson-item"
                    data-lesson-id=id data-done=move || done.get().to_string()>
                    <span class="lp-mark" aria-hidden="true">{move || if done.get() { "✓" } else { "○" }}</span>
                    <div class="lp-item-main">
                        <div class="lp-item-title">
                            <strong>{order} ". " {move || title.get(&locale.get()).to_string()}</strong>
                            <span class="lp-minutes">
                                {move || tr(&locale.get(), K::Minutes).replace("{n}", &minutes.to_string())}
                            </span>
                            {move || done.get().then(|| view! {
                                <span class="lp-badge">{tr(&locale.get(), K::Done)}</span>
                            })}
                        </div>
                        <p class="lp-summary">
                            {move || inlines_view(&summary_ctx, markdown::inlines(summary.get(&locale.get())))}
                        </p>
                    </div>
                    <button type="button" class="lp-button lp-primary" data-testid="lesson-start"
                        on:click=move |_| start_ctx.start(&start_id)>
                        {move || tr(&locale.get(), if done.get() { K::Again } else { K::Start })}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="lp-list" data-testid="lesson-list">{items}</ol> }
}

fn lesson_view(ctx: Ctx) -> impl IntoView {
    let locale = ctx.locale;
    let active = ctx.active;
    let get = move |f: fn(&Active) -> String| {
        move || active.with(|a| a.as_ref().map(f).unwrap_or_default())
    };
    let finished = Memo::new(move |_| active.with(|a| a.as_ref().is_some_and(|a| a.finished)));
    let step_text = Memo::new(move |_| {
        active.with(|a| a.as_ref().map(|a| a.step_text.clone()).unwrap_or_default())
    });
    let leave_ctx = ctx.clone();
    let body_ctx = ctx.clone();
    let done = step_done_watch(active);
    let body = move || {
        if finished.get() {
            finish_screen(body_ctx.clone()).into_any()
        } else if let Some(step) = done.get() {
            step_done_view(&body_ctx, step, done).into_any()
        } else {
            step_view(body_ctx.clone(), step_text).into_any()
        }
    };
    let steps_ctx = ctx.clone();
    view! {
        <div class="lp-lesson">
            <button type="button" class="lp-link" data-testid="lesson-leave"
                on:click=move |_| leave_ctx.session.leave_lesson()>
                {move || tr(&locale.get(), K::AllLessons)}
            </button>
            <h3 class="lp-lesson-title" data-testid="lesson-title">{get(|a| a.title.clone())}</h3>
            {body}
            {move || step_list(&steps_ctx)}
        </div>
    }
}

/// One line of a goal checklist: ✓ or ○, the label, and why not yet.
fn goal_item(
    ctx: &Ctx,
    locale: &str,
    label: &str,
    met: bool,
    why: Option<String>,
) -> impl IntoView {
    let word = tr(locale, if met { K::Met } else { K::NotMet });
    view! {
        <li class="lp-goal" class:met=met data-testid="goal-item" data-met=met.to_string()>
            <span class="lp-goal-mark" aria-hidden="true">{if met { "✓" } else { "○" }}</span>
            <span class="visually-hidden">{word} ": "</span>
            <span class="lp-goal-label">{inlines_view(ctx, markdown::inlines(label))}</span>
            {(!met).then_some(why).flatten().map(|w| view! { <span class="lp-goal-why">{w}</span> })}
        </li>
    }
}

/// A step just finished, as the panel keeps showing it until the learner moves on.
#[derive(Clone, Debug, PartialEq)]
struct DoneStep {
    /// Its index (0-based) and the lesson's number of steps.
    step: usize,
    steps: usize,
    title: String,
    /// Its goals' labels (all met).
    goals: Vec<String>,
}

/// A finished step waiting for the learner to move on, shared by the page (a context made
/// in `App`): the panel shows it, and Enter on an empty console line moves on too.
#[derive(Clone, Copy)]
pub struct StepMoment {
    done: RwSignal<Option<DoneStep>>,
}

impl Default for StepMoment {
    fn default() -> Self {
        Self::new()
    }
}

impl StepMoment {
    /// No step waiting.
    pub fn new() -> Self {
        StepMoment {
            done: RwSignal::new(None),
        }
    }

    /// Whether a done step waits for the learner to move on.
    pub fn pending(&self) -> bool {
        self.done.with_untracked(Option::is_some)
    }

    /// Moves on to the current step.
    pub fn next(&self) {
        self.done.set(None);
    }
}

/// The step just done, while the learner has not moved on: set when the engine moves the
/// lesson to its next step, cleared by "Next step" (or Enter) or by another lesson.
fn step_done_watch(active: Memo<Option<Active>>) -> RwSignal<Option<DoneStep>> {
    let done = use_context::<StepMoment>()
        .map(|m| m.done)
        .unwrap_or_else(|| RwSignal::new(None));
    let last = StoredValue::new(None::<Active>);
    Effect::new(move |_| {
        let now = active.get();
        if let (Some(now), Some(prev)) = (&now, last.get_value()) {
            if now.id != prev.id || now.step < prev.step || now.finished {
                done.set(None);
            } else if now.step > prev.step {
                done.set(Some(DoneStep {
                    step: prev.step,
                    steps: prev.steps,
                    title: prev.step_title.clone(),
                    goals: prev.goals.iter().map(|(label, ..)| label.clone()).collect(),
                }));
            }
        }
        last.set_value(now);
    });
    done
}

/// "✓ Step 2 of 5 done": the finished step with every goal ticked, and a Next button.
fn step_done_view(ctx: &Ctx, step: DoneStep, done: RwSignal<Option<DoneStep>>) -> impl IntoView {
    let locale = ctx.locale;
    let banner = tr(&locale.get_untracked(), K::StepDone)
        .replace("{i}", &(step.step + 1).to_string())
        .replace("{n}", &step.steps.to_string());
    let goals = step
        .goals
        .iter()
        .map(|label| goal_item(ctx, &locale.get_untracked(), label, true, None))
        .collect_view();
    view! {
        <div class="lp-done" data-testid="step-done" role="status">
            <p class="lp-done-banner">{banner}</p>
            <h4 class="lp-step-title">{step.title}</h4>
            <ul class="lp-goals">{goals}</ul>
            <button type="button" class="lp-button lp-primary" data-testid="lesson-next"
                on:click=move |_| done.set(None)>
                {move || tr(&locale.get(), K::NextStep)}
            </button>
            <span class="lp-next-hint">{move || tr(&locale.get(), K::NextHint)}</span>
        </div>
    }
}

/// Every step of the lesson played, to look back at: done ones open to their text, the
/// current one marked, later ones by title only.
fn step_list(ctx: &Ctx) -> Option<impl IntoView> {
    let (id, current, finished) = ctx
        .active
        .with(|a| a.as_ref().map(|a| (a.id.clone(), a.step, a.finished)))?;
    let lessons = ctx.lessons.get();
    let lesson = lessons.iter().find(|l| l.id == id)?;
    let locale = ctx.locale.get();
    let summary = tr(&locale, K::AllSteps)
        .replace("{i}", &current.min(lesson.steps.len()).to_string())
        .replace("{n}", &lesson.steps.len().to_string());
    let items = lesson
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let title = format!("{}. {}", i + 1, step.title.get(&locale));
            if i < current || finished {
                let text = blocks_view(ctx, markdown::parse(step.text.get(&locale)));
                view! {
                    <li class="lp-steps-item done">
                        <details>
                            <summary><span aria-hidden="true">"✓ "</span>{title}</summary>
                            <div class="lp-step-text">{text}</div>
                        </details>
                    </li>
                }
                .into_any()
            } else {
                let class = if i == current {
                    "lp-steps-item current"
                } else {
                    "lp-steps-item later"
                };
                view! { <li class=class aria-current=(i == current).then_some("step")>{title}</li> }
                    .into_any()
            }
        })
        .collect_view();
    Some(view! {
        <details class="lp-steps" data-testid="step-list">
            <summary>{summary}</summary>
            <ol>{items}</ol>
        </details>
    })
}

fn step_view(ctx: Ctx, step_text: Memo<String>) -> impl IntoView {
    let locale = ctx.locale;
    let active = ctx.active;
    let read = move |f: fn(&Active) -> String| {
        move || active.with(|a| a.as_ref().map(f).unwrap_or_default())
    };
    let step_label = move || {
        active.with(|a| {
            a.as_ref().map(|a| {
                tr(&locale.get(), K::Step)
                    .replace("{i}", &(a.step + 1).to_string())
                    .replace("{n}", &a.steps.to_string())
            })
        })
    };
    let text_ctx = ctx.clone();
    let goal_ctx = ctx.clone();
    let goals = move || {
        let locale = locale.get();
        active.with(|a| {
            a.as_ref()
                .map(|a| a.goals.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|(label, met, why)| goal_item(&goal_ctx, &locale, &label, met, why))
                .collect_view()
        })
    };
    let hint_ctx = ctx.clone();
    let hints = move || {
        let hints = active.with(|a| a.as_ref().map(|a| a.hints.clone()).unwrap_or_default());
        hints
            .into_iter()
            .map(|h| {
                let word = hint_ctx.t(K::HintWord);
                view! {
                    <p class="lp-hint" data-testid="hint-text">
                        <strong class="lp-hint-word">{word}</strong>
                        {inlines_view(&hint_ctx, markdown::inlines(&h))}
                    </p>
                }
            })
            .collect_view()
    };
    let hints_left = Memo::new(move |_| active.with(|a| a.as_ref().map_or(0, |a| a.hints_left)));
    let hint_session = ctx.session.clone();
    let solution_ctx = ctx.clone();
    let reset_ctx = ctx.clone();
    let restart_session = ctx.session.clone();
    view! {
        <p class="lp-step-label" data-testid="step-label">{step_label}</p>
        <h4 class="lp-step-title">{read(|a| a.step_title.clone())}</h4>
        <div class="lp-step-text" data-testid="step-text">
            {move || step_text.with(|t| blocks_view(&text_ctx, markdown::parse(t)))}
        </div>
        <h5 class="lp-goal-head">{move || tr(&locale.get(), K::Goal)}</h5>
        <ul class="lp-goals" data-testid="goal-checklist" aria-live="polite">{goals}</ul>
        <div class="lp-hints">{hints}</div>
        <div class="lp-actions">
            <button type="button" class="lp-button" data-testid="hint-button"
                disabled=move || hints_left.get() == 0
                on:click=move |_| hint_session.hint()>
                {move || {
                    let n = hints_left.get();
                    if n == 0 { tr(&locale.get(), K::NoHints).to_string() }
                    else { tr(&locale.get(), K::Hint).replace("{n}", &n.to_string()) }
                }}
            </button>
            <button type="button" class="lp-button" data-testid="solution-button"
                on:click=move |_| {
                    let lines = solution_ctx.active.with_untracked(|a| a.as_ref().map(|a| a.solution.clone()).unwrap_or_default());
                    if lines.is_empty() || !confirm(solution_ctx.t(K::SolutionAsk)) {
                        return;
                    }
                    if let Some(bus) = solution_ctx.bus {
                        bus.send(ConsoleRequest::Run(lines));
                    }
                }>
                {move || tr(&locale.get(), K::Solution)}
            </button>
            <button type="button" class="lp-button lp-quiet" data-testid="restart-step"
                on:click=move |_| restart_session.restart_step()>
                {move || tr(&locale.get(), K::RestartStep)}
            </button>
            <button type="button" class="lp-button lp-quiet" data-testid="reset-lesson"
                on:click=move |_| {
                    let id = reset_ctx.active.with_untracked(|a| a.as_ref().map(|a| a.id.clone()));
                    if let Some(id) = id {
                        if confirm(reset_ctx.t(K::ResetAsk)) {
                            reset_ctx.start(&id);
                        }
                    }
                }>
                {move || tr(&locale.get(), K::ResetLesson)}
            </button>
        </div>
    }
}

fn finish_screen(ctx: Ctx) -> impl IntoView {
    let locale = ctx.locale;
    let (used, reference, id) = ctx.active.with_untracked(|a| {
        a.as_ref()
            .map(|a| (a.used, a.reference, a.id.clone()))
            .unwrap_or_default()
    });
    let next = ctx
        .lessons_now()
        .iter()
        .skip_while(|l| l.id != id)
        .nth(1)
        .map(|l| l.id.clone());
    let next_ctx = ctx.clone();
    let leave_session = ctx.session.clone();
    view! {
        <section class="lp-finished" data-testid="lesson-finished">
            <p class="lp-finished-title">{move || tr(&locale.get(), K::Finished)}</p>
            <div class="lp-stats">
                <div class="lp-stat">
                    <span class="lp-stat-number" data-testid="commands-used">{used}</span>
                    <span class="lp-stat-label">{move || tr(&locale.get(), K::Used)}</span>
                </div>
                <div class="lp-stat">
                    <span class="lp-stat-number" data-testid="commands-reference">{reference}</span>
                    <span class="lp-stat-label">{move || tr(&locale.get(), K::Reference)}</span>
                </div>
            </div>
            {(used <= reference).then(|| view! {
                <p class="lp-praise">{move || tr(&locale.get(), K::FewerThanReference)}</p>
            })}
            <div class="lp-actions">
                {next.map(|next| view! {
                    <button type="button" class="lp-button lp-primary" data-testid="next-lesson"
                        on:click=move |_| next_ctx.start(&next)>
                        {move || tr(&locale.get(), K::NextLesson)}
                    </button>
                })}
                <button type="button" class="lp-button" on:click=move |_| leave_session.leave_lesson()>
                    {move || tr(&locale.get(), K::AllLessons)}
                </button>
            </div>
        </section>
    }
}

fn blocks_view(ctx: &Ctx, blocks: Vec<Block>) -> impl IntoView {
    blocks
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(inl) => view! { <p>{inlines_view(ctx, inl)}</p> }.into_any(),
            Block::List { ordered, items } => {
                let items = items
                    .into_iter()
                    .map(|i| view! { <li>{inlines_view(ctx, i)}</li> })
                    .collect_view();
                if ordered {
                    view! { <ol>{items}</ol> }.into_any()
                } else {
                    view! { <ul>{items}</ul> }.into_any()
                }
            }
            Block::Code {
                text,
                command: false,
            } => view! { <pre class="lp-code"><code>{text}</code></pre> }.into_any(),
            Block::Code {
                text,
                command: true,
            } => {
                let lines = text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| command_button(ctx, l.trim().to_string(), true))
                    .collect_view();
                view! { <div class="lp-code lp-code-commands">{lines}</div> }.into_any()
            }
        })
        .collect_view()
}

fn inlines_view(ctx: &Ctx, inlines: Vec<Inline>) -> impl IntoView {
    inlines
        .into_iter()
        .map(|i| match i {
            Inline::Text(t) => t.into_any(),
            Inline::Strong(t) => view! { <strong>{t}</strong> }.into_any(),
            Inline::Code {
                text,
                command: true,
            } => command_button(ctx, text, false).into_any(),
            Inline::Code { text, .. } => view! { <code>{text}</code> }.into_any(),
        })
        .collect_view()
}

/// A command shown as code that puts itself in the console input when clicked.
fn command_button(ctx: &Ctx, command: String, block: bool) -> impl IntoView {
    let put_ctx = ctx.clone();
    let put = command.clone();
    let locale = ctx.locale;
    view! {
        <button type="button" class="lp-cmd" class:lp-cmd-line=block data-testid="lesson-command"
            title=move || tr(&locale.get(), K::PutInConsole)
            on:click=move |_| put_ctx.put(&put)>
            <code>{command}</code>
        </button>
    }
}

fn progress_files(ctx: Ctx) -> impl IntoView {
    let locale = ctx.locale;
    let export_session = ctx.session.clone();
    let import_ctx = ctx.clone();
    let on_import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let ctx = import_ctx.clone();
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let known: Vec<String> = ctx.lessons_now().iter().map(|l| l.id.clone()).collect();
            let message = match progress::import(&text, &known) {
                Ok(ids) => {
                    let added = ctx.session.import_completed(&ids);
                    ctx.t(K::Imported).replace("{n}", &added.to_string())
                }
                Err(ImportError::NotProgress) => ctx.t(K::NotProgress).to_string(),
                Err(ImportError::Newer(_)) => ctx.t(K::Newer).to_string(),
            };
            ctx.message.set(Some(message));
        });
    };
    view! {
        <div class="lp-files">
            <button type="button" class="lp-button lp-quiet" data-testid="progress-export"
                on:click=move |_| {
                    let _ = download(progress::FILE_NAME, &progress::export(&export_session.completed()));
                }>
                {move || tr(&locale.get(), K::Export)}
            </button>
            <label class="lp-button lp-quiet lp-file">
                {move || tr(&locale.get(), K::Import)}
                <input type="file" accept=".json,application/json" data-testid="progress-import"
                    on:change=on_import />
            </label>
        </div>
    }
}

/// Offers `text` as a file download.
fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let document = window.document().ok_or(JsValue::NULL)?;
    let parts = web_sys::js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(5),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_has_both_languages() {
        assert_ne!(tr("ko", K::Start), tr("en", K::Start));
        assert!(tr("en", K::Step).contains("{i}") && tr("ko", K::Step).contains("{i}"));
    }
}
