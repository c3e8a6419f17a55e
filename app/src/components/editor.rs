//! The YAML editor that `vi FILE` (also `vim`, `nano`, `edit`) and `kubectl edit` open in
//! place of the console: line numbers, colours, Tab inserting two spaces, problems marked
//! on their lines while typing. It obeys vi's basic contract ([`crate::vi_command`]): Esc
//! opens the `:` line at the bottom, where `:w`, `:wq`, `:x`, `ZZ` save, `:q` refuses while
//! changed and `:q!` discards; Ctrl-S and the Save and Cancel buttons do the same for
//! people who don't know vi.

use kubeplay_engine::{EditOutcome, ManifestProblem, Output};
use leptos::prelude::*;
use leptos::web_sys::{KeyboardEvent, ScrollBehavior};

use crate::editor_model::{highlight, localized_problem, problems_by_line, Target};
use crate::i18n::{t, tr, use_locale, Msg};
use crate::session::Session;
use crate::vi_command::{self, Effect as ViEffect, ViCommand};

/// Where the keys go: the text (vi's insert mode) or the `:` line at the bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Insert,
    Command,
}

/// What the `:` line says after a command: vim's messages, errors in red.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ViMessage {
    text: String,
    error: bool,
}

/// How long typing must pause before the text is checked.
const LINT_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

/// vim's message after a write: `"pod.yaml" [New] 12L, 230B written`.
fn written_message(path: &str, text: &str, new_file: bool) -> String {
    let new = if new_file { " [New]" } else { "" };
    format!(
        "\"{path}\"{new} {}L, {}B written",
        text.lines().count(),
        text.len()
    )
}

/// The text as vi writes it: a non-empty buffer ends with a newline (vim's 'fixendofline').
fn with_final_newline(mut text: String) -> String {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The written message as console output (printed once the editor closes).
fn written_output(path: &str, text: &str, new_file: bool) -> Output {
    let mut out = Output::default();
    out.out(written_message(path, text, new_file));
    out
}

/// The editor. `on_output` prints to the console; `on_close` closes the editor.
#[component]
pub fn Editor(
    session: Session,
    target: Target,
    text: String,
    /// Whether a file is new (for the "written" message).
    new_file: bool,
    on_output: Callback<Output>,
    on_close: Callback<()>,
) -> impl IntoView {
    let target = RwSignal::new(target);
    let saved = RwSignal::new(text.clone());
    let text = RwSignal::new(text);
    let is_new = RwSignal::new(new_file);
    // The workspace files, to switch between (plain files only, not a `kubectl edit`).
    let files = RwSignal::new(session.files());
    let problems = RwSignal::new(Vec::<ManifestProblem>::new());
    let status = RwSignal::new(String::new());
    let locale = use_locale();
    let area_ref = NodeRef::<leptos::html::Textarea>::new();
    let save_ref = NodeRef::<leptos::html::Button>::new();

    // Check the text after typing pauses (and once at the start), in the engine.
    let generation = StoredValue::new(0u64);
    let linting = StoredValue::new_local(session.clone());
    let lint = move || {
        let g = generation.get_value() + 1;
        generation.set_value(g);
        set_timeout(
            move || {
                // The editor may have closed meanwhile: then there is nothing to check.
                if generation.try_get_value() != Some(g) {
                    return;
                }
                let (Some(t), Some(current)) =
                    (target.try_get_untracked(), text.try_get_untracked())
                else {
                    return;
                };
                if !t.lints() {
                    problems.try_set(Vec::new());
                    return;
                }
                let Some(linting) = linting.try_get_value() else {
                    return;
                };
                linting.lint(&t.title(), &current, move |found| {
                    // Only if the text is still the one checked.
                    if generation.try_get_value() == Some(g) {
                        let locale = locale.get_untracked();
                        problems.try_set(
                            found
                                .into_iter()
                                .map(|p| ManifestProblem {
                                    message: localized_problem(locale, &p.message),
                                    ..p
                                })
                                .collect(),
                        );
                    }
                });
            },
            LINT_DELAY,
        );
    };
    lint();

    let jump_to = move |line: usize| {
        if let Some(area) = area_ref.get() {
            let offset: usize = text.with_untracked(|t| {
                t.split('\n')
                    .take(line.saturating_sub(1))
                    .map(|l| l.encode_utf16().count() + 1)
                    .sum()
            });
            let _ = area.focus();
            let _ = area.set_selection_range(offset as u32, offset as u32);
            let opts = leptos::web_sys::ScrollIntoViewOptions::new();
            opts.set_behavior(ScrollBehavior::Smooth);
            area.scroll_into_view_with_scroll_into_view_options(&opts);
        }
    };

    let mode = RwSignal::new(Mode::Insert);
    // The `:` line: what is typed after the colon, whether the colon itself was typed (before
    // it, keys are normal-mode keys such as `ZZ` or `i`), and the last message.
    let command = RwSignal::new(String::new());
    let colon = StoredValue::new(false);
    let message = RwSignal::new(None::<ViMessage>);
    let command_ref = NodeRef::<leptos::html::Input>::new();
    let prompt_ref = NodeRef::<leptos::html::Label>::new();
    let say = move |text: String, error: bool| {
        message.try_set(Some(ViMessage { text, error }));
    };

    let focus_text = move || {
        mode.set(Mode::Insert);
        command.set(String::new());
        colon.set_value(false);
        if let Some(area) = area_ref.get_untracked() {
            let _ = area.focus();
        }
    };
    let open_command_line = move || {
        mode.set(Mode::Command);
        command.set(String::new());
        colon.set_value(false);
        message.set(None);
        // Shown and focused now, not at the next render: the keys typed right after Esc
        // belong to the `:` line.
        if let Some(prompt) = prompt_ref.get_untracked() {
            prompt.set_hidden(false);
        }
        if let Some(input) = command_ref.get_untracked() {
            input.set_value("");
            let _ = input.focus();
        }
    };

    // `kubectl edit` hands the written text back when the editor closes; it may reopen the
    // file with the errors in its header (the editor then stays).
    let finishing = session.clone();
    let finish_edit = move |edited: String| {
        finishing.finish_edit(&edited, move |outcome| match outcome {
            EditOutcome::Done(out) => {
                on_output.run(out);
                on_close.run(());
            }
            EditOutcome::Reopen(next, out) => {
                on_output.run(out);
                saved.try_set(next.text.clone());
                text.try_set(next.text.clone());
                target.try_set(Target::Object(Box::new(next)));
                mode.try_set(Mode::Insert);
                status.try_set(tr(locale.get_untracked(), Msg::EditorNotSaved).into());
            }
        })
    };

    let opening = session.clone();
    let saving = session.clone();
    // Writes the text (`:w`), closing the editor afterwards when `close` (`:wq`, `:x`).
    let write = {
        let finish_edit = finish_edit.clone();
        move |close: bool| {
            let edited = text.get_untracked();
            match target.get_untracked() {
                Target::File { path } => {
                    let new_file = is_new.get_untracked();
                    let edited = with_final_newline(edited);
                    let written = edited.clone();
                    saving.write_file(&path.clone(), &edited, move |result| match result {
                        Ok(()) if close => {
                            on_output.run(written_output(&path, &written, new_file));
                            on_close.run(());
                        }
                        Ok(()) => {
                            say(written_message(&path, &written, new_file), false);
                            text.try_set(written.clone());
                            saved.try_set(written);
                            is_new.try_set(false);
                        }
                        Err(e) => {
                            status.try_set(e);
                        }
                    })
                }
                Target::Object(_) if close => finish_edit(edited),
                // kubectl reads the file only once the editor exits.
                Target::Object(request) => {
                    say(written_message(&request.file_name, &edited, false), false);
                    saved.set(edited);
                }
            }
        }
    };
    // Closes without writing: a file keeps what was last written; `kubectl edit` gets the
    // text as last written (unchanged: "Edit cancelled, no changes made.").
    let close = {
        let finish_edit = finish_edit.clone();
        move || match target.get_untracked() {
            Target::Object(_) => finish_edit(saved.get_untracked()),
            Target::File { .. } => on_close.run(()),
        }
    };
    let save_click = write.clone();
    let save_key = write.clone();
    let save_command_key = write.clone();
    let cancel_click = close.clone();

    // Runs a command of the `:` line (or `ZZ`).
    let run_command = move |cmd: ViCommand| {
        let modified = text.with_untracked(|t| saved.with_untracked(|s| t != s));
        command.set(String::new());
        colon.set_value(false);
        match vi_command::effect(&cmd, modified) {
            ViEffect::Nothing => focus_text(),
            ViEffect::Write { close } => {
                if !close {
                    focus_text();
                }
                write(close);
            }
            ViEffect::Close => close(),
            ViEffect::Refuse(why) => say(why, true),
            ViEffect::GoTo(line) => {
                focus_text();
                let last = text.with_untracked(|t| t.split('\n').count());
                jump_to(line.unwrap_or(last).clamp(1, last));
            }
            ViEffect::Unsupported(what) => {
                let why = tr(locale.get_untracked(), Msg::ViUnsupported).replace("{cmd}", &what);
                say(why, true);
            }
        }
    };
    let run_typed = run_command.clone();

    let on_keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("s") {
            ev.prevent_default();
            save_key(true);
        } else if key == "Tab" && !ev.shift_key() && !ev.ctrl_key() && !ev.alt_key() {
            ev.prevent_default();
            if let Some(area) = area_ref.get() {
                let start = area.selection_start().ok().flatten().unwrap_or(0);
                let end = area.selection_end().ok().flatten().unwrap_or(start);
                let _ = area.set_range_text_with_start_and_end_and_mode("  ", start, end, "end");
                text.set(area.value());
                lint();
            }
        } else if key == "Escape" {
            // vi: out of insert mode, to the `:` line.
            ev.prevent_default();
            open_command_line();
        }
    };

    // Keys of the `:` line: Enter runs it; Esc, or Backspace on an empty line, goes back to
    // the text (as vim leaves its command line).
    let on_command_keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("s") {
            ev.prevent_default();
            save_command_key(true);
        } else if key == "Enter" {
            ev.prevent_default();
            let line = command.get_untracked();
            run_command(vi_command::parse(&line));
        } else if key == "Escape"
            || (key == "Backspace" && command.with_untracked(String::is_empty))
        {
            ev.prevent_default();
            focus_text();
        }
    };
    // What is typed on the `:` line. Before a colon, keys are vi's normal-mode keys: `:`
    // starts the command (the line already shows one), `ZZ` and `ZQ` act at once, `i` and
    // `a` go back to the text.
    let on_command_input = move |value: String| {
        if colon.get_value() {
            command.set(value);
            return;
        }
        if let Some(after) = value.strip_prefix(':') {
            colon.set_value(true);
            command.set(after.to_string());
        } else if matches!(value.as_str(), "i" | "a" | "I" | "A") {
            focus_text();
        } else if let Some(cmd) = vi_command::normal_keys(&value) {
            run_typed(cmd);
        } else {
            command.set(value);
        }
        // The input shows `command`; a swallowed key must not stay in it.
        if let Some(input) = command_ref.get_untracked() {
            input.set_value(&command.get_untracked());
        }
    };

    // Focus the text when the editor opens, the cursor on the first line as in vi. The value
    // is put in first (the textarea may get it only later, which would move the cursor to
    // the end); keys typed before this go to the console, not here.
    Effect::new(move |_| {
        if let Some(area) = area_ref.get() {
            area.set_value(&text.get_untracked());
            let _ = area.focus();
            area.set_selection_range(0, 0).ok();
        }
    });

    let open_file = move |path: String| {
        if target.with_untracked(|t| matches!(t, Target::File { path: p } if *p == path)) {
            return;
        }
        let unsaved = text.with_untracked(|t| saved.with_untracked(|s| t != s));
        if unsaved {
            let question = tr(locale.get_untracked(), Msg::DiscardChanges);
            let ok = leptos::web_sys::window()
                .and_then(|w| w.confirm_with_message(question).ok())
                .unwrap_or(false);
            if !ok {
                return;
            }
        }
        let reading = opening.clone();
        opening.read_file(&path.clone(), move |content| {
            is_new.try_set(content.is_none());
            let content = content.unwrap_or_default();
            saved.try_set(content.clone());
            text.try_set(content);
            target.try_set(Target::File { path });
            status.try_set(String::new());
            files.try_set(reading.files());
            lint();
            if let Some(area) = area_ref.get_untracked() {
                let _ = area.focus();
            }
        });
    };
    let marks = Memo::new(move |_| problems.with(|p| problems_by_line(p)));
    let line_count = Memo::new(move |_| text.with(|t| t.split('\n').count()));
    let widest = Memo::new(move |_| {
        text.with(|t| t.split('\n').map(|l| l.chars().count()).max().unwrap_or(0))
    });
    view! {
        <section class="editor" data-testid="editor" aria-label=move || tr(locale.get(), Msg::EditorLabel).replace("{file}", &target.with(|t| t.title()))>
            <div class="editor-bar">
                <span class="editor-title">{move || target.with(|t| t.title())}</span>
                <span class="editor-keys">{t(Msg::EditorKeys)}</span>
                <button type="button" class="editor-save" data-testid="editor-save" node_ref=save_ref on:click=move |_| save_click(true)>
                    {t(Msg::EditorSave)}
                </button>
                <button type="button" class="editor-cancel" data-testid="editor-cancel" on:click=move |_| cancel_click()>
                    {t(Msg::EditorCancel)}
                </button>
            </div>
            {move || target.with(|t| matches!(t, Target::File { .. })).then(|| {
                let open_file = open_file.clone();
                view! {
                    <nav class="editor-files" data-testid="editor-files" aria-label=t(Msg::Files)>
                        <span class="editor-files-label">{t(Msg::Files)}</span>
                        {move || {
                            let list = files.get();
                            if list.is_empty() {
                                return view! { <span class="editor-files-empty">{t(Msg::NoFiles)}</span> }.into_any();
                            }
                            list.into_iter()
                                .map(|path| {
                                    let current = target.with(|t| matches!(t, Target::File { path: p } if *p == path));
                                    let open_file = open_file.clone();
                                    let label = path.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="editor-file"
                                            class:current=current
                                            aria-current=current.then_some("true")
                                            on:click=move |_| open_file(path.clone())
                                        >
                                            {label}
                                        </button>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }}
                    </nav>
                }
            })}
            <div class="editor-body">
                <div class="editor-gutter" aria-hidden="true">
                    {move || {
                        let marks = marks.get();
                        (1..=line_count.get())
                            .map(|n| {
                                let problem = marks.iter().find(|(l, _)| *l == n).map(|(_, m)| m.clone());
                                let class = if problem.is_some() { "gutter-line has-problem" } else { "gutter-line" };
                                view! { <div class=class title=problem.unwrap_or_default()>{n}</div> }
                            })
                            .collect_view()
                    }}
                </div>
                <div class="editor-code" style=move || format!("min-width: calc({}ch + 2rem)", widest.get())>
                    <pre class="editor-highlight" aria-hidden="true">
                        {move || {
                            let marks = marks.get();
                            text.with(|t| {
                                t.split('\n')
                                    .enumerate()
                                    .map(|(i, line)| {
                                        let class = if marks.iter().any(|(l, _)| *l == i + 1) { "hl-line has-problem" } else { "hl-line" };
                                        let pieces = highlight(line)
                                            .into_iter()
                                            .map(|(tok, s)| view! { <span class=tok.class()>{s}</span> })
                                            .collect_view();
                                        view! { <div class=class>{pieces}"\u{200b}"</div> }
                                    })
                                    .collect_view()
                            })
                        }}
                    </pre>
                    <textarea
                        data-testid="editor-text"
                        node_ref=area_ref
                        spellcheck="false"
                        autocapitalize="off"
                        autocomplete="off"
                        wrap="off"
                        aria-label=move || tr(locale.get(), Msg::EditorTextLabel).replace("{file}", &target.with(|t| t.title()))
                        rows=move || line_count.get().to_string()
                        prop:value=move || text.get()
                        on:input:target=move |ev| {
                            text.set(ev.target().value());
                            message.set(None);
                            lint();
                        }
                        on:focus=move |_| mode.set(Mode::Insert)
                        on:keydown=on_keydown
                    ></textarea>
                </div>
            </div>
            <div class="vi-line" class:vi-command=move || mode.get() == Mode::Command data-testid="vi-line">
                <span class="vi-mode" hidden=move || mode.get() == Mode::Command || message.with(Option::is_some)>
                    {t(Msg::ViInsertMode)}
                </span>
                <label class="vi-prompt" node_ref=prompt_ref hidden=move || mode.get() != Mode::Command>
                    <span class="vi-colon" aria-hidden="true">":"</span>
                    <span class="visually-hidden">{t(Msg::ViCommandLine)}</span>
                    <input
                        type="text"
                        class="vi-input"
                        data-testid="vi-command"
                        node_ref=command_ref
                        maxlength=vi_command::MAX_COMMAND.to_string()
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        prop:value=move || command.get()
                        on:input:target=move |ev| on_command_input(ev.target().value())
                        on:keydown=on_command_keydown
                    />
                </label>
                <span
                    class="vi-message"
                    class:vi-error=move || message.with(|m| m.as_ref().is_some_and(|m| m.error))
                    data-testid="vi-message"
                    role="status"
                >
                    {move || message.with(|m| m.as_ref().map(|m| m.text.clone()).unwrap_or_default())}
                </span>
            </div>
            <div class="editor-status" role="status">{move || status.get()}</div>
            <ul class="editor-problems" data-testid="editor-problems" aria-label=t(Msg::Problems)>
                {move || {
                    problems
                        .get()
                        .into_iter()
                        .map(|p| {
                            let line = p.line.unwrap_or(1);
                            view! {
                                <li>
                                    <button type="button" class="problem" on:click=move |_| jump_to(line)>
                                        <span class="problem-line">{move || tr(locale.get(), Msg::Line).replace("{n}", &line.to_string())}</span>
                                        " "
                                        <span class="problem-message">{p.message}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_buffer_ends_with_a_newline_as_in_vim() {
        assert_eq!(with_final_newline("kind: Pod".into()), "kind: Pod\n");
        assert_eq!(with_final_newline("kind: Pod\n".into()), "kind: Pod\n");
        assert_eq!(with_final_newline(String::new()), "");
        assert_eq!(
            written_message("web.yaml", &with_final_newline("kind: Pod".into()), true),
            "\"web.yaml\" [New] 1L, 10B written"
        );
    }
}
