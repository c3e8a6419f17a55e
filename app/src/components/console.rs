//! The console: a terminal-like view of the engine's kubectl console.

use leptos::prelude::*;
use leptos::web_sys::KeyboardEvent;

use crate::completion::{TabAction, TabState};
use crate::components::editor::Editor;
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

/// Scrollback plus an input line; Enter runs the line, ↑/↓ browse history, Ctrl-L clears.
#[component]
pub fn Console(session: Session) -> impl IntoView {
    let mut restored = ConsoleModel::with_history(session.history());
    if let Some(why) = session.notice() {
        let locale = crate::i18n::use_locale().get_untracked();
        restored.note(&format!("{}: {why}.", tr(locale, Msg::SessionDropped)));
    }
    let model = RwSignal::new(restored);
    // The editor open in place of the console (`vi FILE`, `kubectl edit`), if any.
    let editing = RwSignal::new(None::<(Target, String, bool)>);
    let editor_session = session.clone();
    let input = RwSignal::new(String::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let output_ref = NodeRef::<leptos::html::Div>::new();

    // A running watch shows no prompt and prints as time passes: it polls on the page's
    // one clock loop (the ticker).
    let running = RwSignal::new(false);
    let ticker = use_context::<Ticker>();
    let polling = session.clone();
    Effect::new(move |_| {
        if let Some(t) = ticker {
            t.tick.track();
        }
        if polling.job_running() || running.get_untracked() {
            let out = polling.poll_job();
            if !out.chunks.is_empty() {
                model.update(|m| m.append(&out));
            }
            running.set(polling.job_running());
        }
    });
    let interrupting = session.clone();
    let completing = session.clone();
    let tab_state = StoredValue::new(TabState::default());

    let submit = move |line: String| {
        if running.get_untracked() {
            return;
        }
        let entry = model.try_update(|m| m.enter(&line)).flatten();
        if let Some(entry) = entry {
            let out = session.run(&entry);
            if let Some(file) = &out.open_file {
                editing.set(Some((
                    Target::File {
                        path: file.path.clone(),
                    },
                    file.text.clone(),
                    file.new_file,
                )));
            } else if let Some(request) = &out.edit {
                let text = request.text.clone();
                editing.set(Some((Target::Object(request.clone()), text, false)));
            }
            let prompt = session.prompt();
            model.update(|m| {
                m.record(&entry, &out);
                m.shell_prompt = (prompt != "$ ").then(|| prompt.trim_end().to_string());
            });
            running.set(session.job_running());
            // The board and clock show what the command did right away.
            if let Some(t) = ticker {
                t.refresh();
            }
        }
        input.set(String::new());
    };
    let submit_paste = submit.clone();
    let submit_bus = submit.clone();

    // With Ctrl held, letters are matched in either case (Ctrl+Shift+C, Caps Lock).
    let on_other_key = move |ev: KeyboardEvent, key: &str| match key {
        "enter" => {
            ev.prevent_default();
            submit(input.get_untracked());
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
            interrupting.interrupt();
            running.set(false);
            model.update(|m| m.interrupted());
        }
        "c" if ev.ctrl_key() && input.get_untracked().is_empty() => {
            model.update(|m| m.cancel());
        }
        _ => {}
    };

    let on_keydown = move |ev: KeyboardEvent| match ev.key().to_ascii_lowercase().as_str() {
        // Tab completes (and never moves the focus out of the console).
        "tab" if !ev.ctrl_key() && !ev.alt_key() && !ev.meta_key() => {
            ev.prevent_default();
            if running.get_untracked() || model.with_untracked(|m| m.in_heredoc()) {
                return;
            }
            let line = input.get_untracked();
            let completion = completing.complete(&line);
            match tab_state.try_update_value(|t| t.tab(&line, &completion)) {
                Some(TabAction::SetInput(new)) => input.set(new),
                Some(TabAction::Show(candidates)) => {
                    model.update(|m| m.show_candidates(&line, &candidates))
                }
                _ => {}
            }
        }
        // Modifier keys alone do not end a run of Tabs.
        "shift" | "control" | "alt" | "meta" => {}
        key => {
            tab_state.update_value(TabState::reset);
            on_other_key(ev, key);
        }
    };
    // Keep the newest output in view.
    Effect::new(move |_| {
        model.track();
        if let Some(el) = output_ref.get() {
            el.set_scroll_top(el.scroll_height());
        }
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

    let editor_output = Callback::new(move |out: kubeplay_engine::Output| {
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
            <div class="console-output" data-testid="console-output" node_ref=output_ref role="log" aria-live="polite">
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
        </section>
    }
}
