//! The console: a terminal-like view of the engine's kubectl console.

use std::collections::VecDeque;

use kubeplay_engine::Output;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::KeyboardEvent;

use crate::completion::{TabAction, TabState};
use crate::components::editor::Editor;
use crate::components::wide_output;
use crate::console_model::{ConsoleModel, LineKind};
use crate::editor_model::Target;
use crate::i18n::{t, tr, Msg};
use crate::session::Session;
use crate::ticker::Ticker;

/// What another part of the page asks of the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleRequest {
    /// Put this command in the input line and focus it (not run).
    Put(String),
    /// Type and run these lines, one by one, as if typed (heredocs included).
    Run(Vec<String>),
}

/// The console's inbox, provided as a context by the page: the lesson panel sends commands
/// through it. Does nothing until a console is mounted.
#[derive(Clone, Copy)]
pub struct ConsoleBus {
    handler: RwSignal<Option<Callback<ConsoleRequest>>>,
}

impl Default for ConsoleBus {
    fn default() -> Self {
        Self::new()
    }
}

impl ConsoleBus {
    /// A bus with no console yet.
    pub fn new() -> Self {
        ConsoleBus {
            handler: RwSignal::new(None),
        }
    }

    /// Hands a request to the console.
    pub fn send(&self, request: ConsoleRequest) {
        if let Some(handler) = self.handler.get_untracked() {
            handler.run(request);
        }
    }
}

/// Runs console entries one at a time: a line typed (or pasted, or sent by the lesson
/// panel) while the engine is still answering the previous one waits its turn, as typing
/// ahead in a terminal does.
#[derive(Clone, Copy)]
struct Runner {
    session: StoredValue<Session, LocalStorage>,
    model: RwSignal<ConsoleModel>,
    editing: RwSignal<Option<(Target, String, bool)>>,
    /// A watch is running (no prompt; lines wait).
    running: RwSignal<bool>,
    /// An entry is with the engine.
    waiting: RwSignal<bool>,
    queue: StoredValue<VecDeque<String>>,
    ticker: Option<Ticker>,
}

impl Runner {
    /// Takes a typed line; it runs when the ones before it have.
    fn submit(self, line: String) {
        self.queue.update_value(|q| q.push_back(line));
        self.pump();
    }

    /// Ctrl-C: forgets the lines waiting their turn (a pasted batch), as a terminal flushes
    /// its type-ahead on an interrupt; whether there were any.
    fn drop_queued(self) -> bool {
        self.queue
            .try_update_value(|q| {
                let had = !q.is_empty();
                q.clear();
                had
            })
            .unwrap_or(false)
    }

    /// Runs waiting lines until one is with the engine (or a watch runs).
    fn pump(self) {
        loop {
            if self.waiting.get_untracked() || self.running.get_untracked() {
                return;
            }
            let Some(line) = self.queue.try_update_value(|q| q.pop_front()).flatten() else {
                return;
            };
            // A line of an unfinished entry (loop, quote, heredoc) only continues it.
            let Some(entry) = self.model.try_update(|m| m.enter(&line)).flatten() else {
                continue;
            };
            self.waiting.set(true);
            let session = self.session.get_value();
            session.run(&entry.clone(), move |out| self.answered(&entry, out));
        }
    }

    fn answered(self, entry: &str, out: Output) {
        let session = self.session.get_value();
        if let Some(file) = &out.open_file {
            self.editing.set(Some((
                Target::File {
                    path: file.path.clone(),
                },
                file.text.clone(),
                file.new_file,
            )));
        } else if let Some(request) = &out.edit {
            let text = request.text.clone();
            self.editing
                .set(Some((Target::Object(request.clone()), text, false)));
        }
        let prompt = session.prompt();
        self.model.update(|m| {
            m.record(entry, &out);
            m.shell_prompt = (prompt != "$ ").then(|| prompt.trim_end().to_string());
            m.one_by_one = session.one_by_one();
        });
        self.running.set(session.job_running());
        // The board and clock show what the command did right away.
        if let Some(t) = self.ticker {
            t.refresh();
        }
        self.waiting.set(false);
        self.pump();
    }
}

/// Scrollback plus an input line; Enter runs the line, ↑/↓ browse history, Ctrl-L clears.
#[component]
pub fn Console(session: Session) -> impl IntoView {
    let mut restored = ConsoleModel::with_history(session.history());
    let locale = crate::i18n::use_locale().get_untracked();
    if let Some((lines, commands)) = session.restored_console() {
        restored.restore_lines(&lines);
        restored.info(&crate::i18n::counted(
            locale,
            Msg::SessionRestored,
            commands,
        ));
    }
    if let Some(line) = crate::crash::take_dropped_command() {
        let first = line.lines().next().unwrap_or_default();
        let shown = if line.contains('\n') {
            format!("{first} …")
        } else {
            line.clone()
        };
        restored.info(&tr(locale, Msg::DroppedLastCommand).replace("{cmd}", &shown));
    }
    if let Some(why) = session.notice() {
        let why = crate::i18n::load_error(locale, why);
        restored.note(&format!("{}: {why}.", tr(locale, Msg::SessionDropped)));
    }
    let model = RwSignal::new(restored);
    // The session (time passed since the last save, and what the console shows) is saved
    // when the page is hidden or left, so a reload finds both.
    for event in ["pagehide", "visibilitychange"] {
        let saving = session.clone();
        let _ = window_event_listener_untyped(event, move |_| {
            if let Some(lines) = model.try_with_untracked(ConsoleModel::saved_lines) {
                saving.save_with_console(lines);
            }
        });
    }
    // The editor open in place of the console (`vi FILE`, `kubectl edit`), if any.
    let editing = RwSignal::new(None::<(Target, String, bool)>);
    let editor_session = session.clone();
    let input = RwSignal::new(String::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let output_ref = NodeRef::<leptos::html::Div>::new();

    // A running watch shows no prompt and prints as time passes: what it printed comes
    // with the page's one clock loop (the ticker).
    let running = RwSignal::new(false);
    let ticker = use_context::<Ticker>();
    let runner = Runner {
        session: StoredValue::new_local(session.clone()),
        model,
        editing,
        running,
        waiting: RwSignal::new(false),
        queue: StoredValue::new(VecDeque::new()),
        ticker,
    };
    let polling = session.clone();
    Effect::new(move |_| {
        if let Some(t) = ticker {
            t.tick.track();
        }
        if polling.job_running() || running.get_untracked() {
            let out = polling.take_job_output();
            if !out.chunks.is_empty() {
                model.update(|m| m.append(&out));
            }
            running.set(polling.job_running());
            if !running.get_untracked() {
                // The watch ended (`timeout`): lines typed meanwhile run now.
                runner.pump();
            }
        }
    });
    let interrupting = session.clone();
    let completing = session.clone();
    let tab_state = StoredValue::new(TabState::default());

    let submit = move |line: String| {
        if running.get_untracked() {
            return;
        }
        runner.submit(line);
        input.set(String::new());
    };
    let submit_paste = submit;
    let submit_bus = submit;

    let step_moment = use_context::<crate::components::lesson_panel::StepMoment>();
    // With Ctrl held, letters are matched in either case (Ctrl+Shift+C, Caps Lock).
    let on_other_key = move |ev: KeyboardEvent, key: &str| match key {
        "enter" => {
            ev.prevent_default();
            let line = input.get_untracked();
            // Enter on an empty line moves a finished lesson step on.
            let idle = !running.get_untracked() && !model.with_untracked(|m| m.continuing());
            if let (true, Some(moment)) = (idle && line.trim().is_empty(), step_moment) {
                if moment.pending() {
                    moment.next();
                    return;
                }
            }
            submit(line);
        }
        "arrowup" => {
            ev.prevent_default();
            if let Some(prev) = model.try_update(|m| m.history_prev()).flatten() {
                input.set(prev);
            }
        }
        "arrowdown" => {
            ev.prevent_default();
            if let Some(next) = model.try_update(|m| m.history_next()).flatten() {
                input.set(next);
            }
        }
        "l" if ev.ctrl_key() => {
            ev.prevent_default();
            model.update(|m| m.lines.clear());
        }
        "c" if ev.ctrl_key() && running.get_untracked() => {
            ev.prevent_default();
            runner.drop_queued();
            interrupting.interrupt();
            running.set(false);
            model.update(|m| m.interrupted());
            runner.pump();
        }
        // Ctrl-C between the lines of a pasted batch stops the rest of it.
        "c" if ev.ctrl_key() && runner.drop_queued() => {
            ev.prevent_default();
            model.update(|m| m.interrupted());
        }
        // Ctrl-C drops an unfinished entry (the line typed so far too), as bash does.
        "c" if ev.ctrl_key() && model.with_untracked(|m| m.continuing()) => {
            ev.prevent_default();
            let typed = input.get_untracked();
            model.update(|m| m.cancel(&typed));
            input.set(String::new());
        }
        _ => {}
    };

    let on_keydown = move |ev: KeyboardEvent| match ev.key().to_ascii_lowercase().as_str() {
        // Tab completes (and never moves the focus out of the console).
        "tab" if !ev.ctrl_key() && !ev.alt_key() && !ev.meta_key() => {
            ev.prevent_default();
            if running.get_untracked() || model.with_untracked(|m| m.continuing()) {
                return;
            }
            let line = input.get_untracked();
            completing.complete(&line.clone(), move |completion| {
                // Typing went on meanwhile: this completion is for a line that is gone.
                if input.try_get_untracked().as_ref() != Some(&line) {
                    return;
                }
                match tab_state.try_update_value(|t| t.tab(&line, &completion)) {
                    Some(TabAction::SetInput(new)) => input.set(new),
                    Some(TabAction::Show(candidates)) => {
                        model.update(|m| m.show_candidates(&line, &candidates))
                    }
                    _ => {}
                }
            });
        }
        // Modifier keys alone do not end a run of Tabs.
        "shift" | "control" | "alt" | "meta" => {}
        key => {
            tab_state.update_value(TabState::reset);
            // Typing brings the prompt back into view after reading a wide table.
            if let Some(el) = output_ref.get_untracked() {
                el.set_scroll_left(0);
            }
            on_other_key(ev, key);
        }
    };

    // The "more →" cue (the width of the vertical scrollbar it sits left of), measured once
    // a frame at most: after output, scrolling and resizing.
    let more = RwSignal::new(None::<i32>);
    let remeasure = once_a_frame(move || {
        if let Some(el) = output_ref.get_untracked() {
            more.try_set(wide_output::measure(&el));
        }
    });
    let resize_observer = StoredValue::new_local(None::<leptos::web_sys::ResizeObserver>);
    Effect::new(move |_| {
        let Some(el) = output_ref.get() else {
            return;
        };
        if resize_observer.with_value(Option::is_some) {
            return;
        }
        let on_resize = leptos::wasm_bindgen::closure::Closure::<dyn Fn()>::new(remeasure);
        if let Ok(observer) =
            leptos::web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())
        {
            observer.observe(&el);
            resize_observer.set_value(Some(observer));
        }
        // The observer lives as long as the page's one console.
        on_resize.forget();
    });
    on_cleanup(move || {
        if let Some(observer) = resize_observer.try_get_value().flatten() {
            observer.disconnect();
        }
    });

    // Keep the newest output in view: scrolled on the next frame, which lays the page out
    // anyway (reading `scrollHeight` here would force a layout of a page still mounting).
    let scroll_to_end = once_a_frame(move || {
        if let Some(el) = output_ref.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    Effect::new(move |_| {
        model.track();
        scroll_to_end();
        remeasure();
    });

    // Pasting several lines runs them as if typed one by one (heredocs included).
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        let Some(text) = ev.clipboard_data().and_then(|d| d.get_data("text").ok()) else {
            return;
        };
        if !text.contains('\n') {
            return;
        }
        ev.prevent_default();
        let mut lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let last = lines.pop().unwrap_or("");
        let typed = input.get_untracked();
        for (i, line) in lines.iter().enumerate() {
            let line = if i == 0 {
                format!("{typed}{line}")
            } else {
                line.to_string()
            };
            submit_paste(line);
        }
        input.set(last.to_string());
    };

    if let Some(bus) = use_context::<ConsoleBus>() {
        bus.handler
            .set(Some(Callback::new(move |request: ConsoleRequest| {
                match request {
                    ConsoleRequest::Put(command) => input.set(command),
                    ConsoleRequest::Run(lines) => {
                        for entry in lines {
                            for line in entry.split('\n') {
                                submit_bus(line.to_string());
                            }
                        }
                    }
                }
                if let Some(el) = input_ref.get_untracked() {
                    let _ = el.focus();
                }
            })));
    }

    // Clicking the console focuses the input, unless the learner is selecting text to copy.
    let focus_input = move |_| {
        let selecting = leptos::web_sys::window()
            .and_then(|w| w.get_selection().ok().flatten())
            .is_some_and(|s| !s.is_collapsed());
        if selecting {
            return;
        }
        if let Some(el) = input_ref.get() {
            let _ = el.focus();
        }
    };

    let editor_output = Callback::new(move |out: Output| {
        model.update(|m| m.append(&out));
    });
    let editor_close = Callback::new(move |_: ()| {
        editing.set(None);
        // Back at the prompt, as after quitting vi.
        request_animation_frame(move || {
            if let Some(el) = input_ref.get_untracked() {
                let _ = el.focus();
            }
        });
    });

    view! {
        {move || {
            editing.get().map(|(target, text, new_file)| {
                view! {
                    <Editor
                        session=editor_session.clone()
                        target=target
                        text=text
                        new_file=new_file
                        on_output=editor_output
                        on_close=editor_close
                    />
                }
            })
        }}
        <section class="console" class:console-hidden=move || editing.with(|e| e.is_some()) aria-label=t(Msg::Console) on:click=focus_input>
            <div class="console-output" data-testid="console-output" node_ref=output_ref role="log" aria-live="polite" on:scroll=move |_| remeasure()>
                <p class="console-welcome">
                    {t(Msg::WelcomeTry)} <code>"kubectl get nodes"</code> {t(Msg::WelcomeOr)} <code>"help"</code> {t(Msg::WelcomeEnd)}
                </p>
                <For
                    each=move || model.with(|m| m.lines.clone())
                    key=|line| line.id
                    children=|line| {
                        let class = match line.kind {
                            LineKind::Command => "line line-command",
                            LineKind::Stdout => "line line-stdout",
                            LineKind::Stderr => "line line-stderr",
                            LineKind::Warning => "line line-warning",
                            LineKind::Note => "line line-note",
                        };
                        view! { <pre class=class>{line.text}</pre> }
                    }
                />
                <label class="console-prompt">
                <span class="prompt" aria-hidden="true">
                    {move || if running.get() { String::new() } else { model.with(|m| m.prompt()) }}
                </span>
                <span class="visually-hidden">{t(Msg::Command)}</span>
                <input
                    type="text"
                    data-testid="console-input"
                    node_ref=input_ref
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    autofocus=true
                    prop:value=move || input.get()
                    on:input:target=move |ev| input.set(ev.target().value())
                    on:keydown=on_keydown
                    on:paste=on_paste
                />
                </label>
            </div>
            <div class="more-edge" hidden=move || more.with(Option::is_none) style:right=move || format!("{}px", more.get().unwrap_or(0))>
                <button
                    type="button"
                    class="more-cue"
                    data-testid="more-cue"
                    tabindex="-1"
                    aria-label=t(Msg::MoreColumnsLabel)
                    title=t(Msg::MoreColumnsLabel)
                    on:click=move |_| {
                        if let Some(el) = output_ref.get_untracked() {
                            wide_output::scroll_on(&el);
                        }
                    }
                >
                    {t(Msg::MoreColumns)}
                </button>
            </div>
        </section>
    }
}

/// `f` on the next animation frame, however often the returned function is called before it.
fn once_a_frame(f: impl Fn() + Copy + 'static) -> impl Fn() + Copy + 'static {
    let pending = StoredValue::new(false);
    move || {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        request_animation_frame(move || {
            pending.try_set_value(false);
            f();
        });
    }
}
