//! The console: a terminal-like view of the engine's kubectl console.

use leptos::prelude::*;
use leptos::web_sys::KeyboardEvent;

use crate::console_model::{ConsoleModel, LineKind};
use crate::session::Session;
use crate::ticker::Ticker;

/// Scrollback plus an input line; Enter runs the line, ↑/↓ browse history, Ctrl-L clears.
#[component]
pub fn Console(session: Session) -> impl IntoView {
    let model = RwSignal::new(ConsoleModel::default());
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

    let submit = move |line: String| {
        if running.get_untracked() {
            return;
        }
        let entry = model.try_update(|m| m.enter(&line)).flatten();
        if let Some(entry) = entry {
            let out = session.run(&entry);
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

    // With Ctrl held, letters are matched in either case (Ctrl+Shift+C, Caps Lock).
    let on_keydown = move |ev: KeyboardEvent| match ev.key().to_ascii_lowercase().as_str() {
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

    let focus_input = move |_| {
        if let Some(el) = input_ref.get() {
            let _ = el.focus();
        }
    };

    view! {
        <section class="console" aria-label="Console" on:click=focus_input>
            <div class="console-output" data-testid="console-output" node_ref=output_ref role="log" aria-live="polite">
                <p class="console-welcome">
                    "Welcome to Kubeplay. Try " <code>"kubectl get nodes"</code> ", or type " <code>"help"</code> "."
                </p>
                <For
                    each=move || model.with(|m| m.lines.clone())
                    key=|line| line.id
                    children=|line| {
                        let class = match line.kind {
                            LineKind::Command => "line line-command",
                            LineKind::Stdout => "line line-stdout",
                            LineKind::Stderr => "line line-stderr",
                        };
                        view! { <pre class=class>{line.text}</pre> }
                    }
                />
                <label class="console-prompt">
                <span class="prompt" aria-hidden="true">
                    {move || if running.get() { String::new() } else { model.with(|m| m.prompt()) }}
                </span>
                <span class="visually-hidden">"Command"</span>
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
