//! The YAML editor that `vi FILE` (also `vim`, `nano`, `edit`) and `kubectl edit` open in
//! place of the console: line numbers, colours, Tab inserting two spaces, problems marked
//! on their lines while typing, Ctrl-S or ":wq" to save, ":q!" to cancel.

use kubeplay_engine::{EditOutcome, ManifestProblem, Output};
use leptos::prelude::*;
use leptos::web_sys::{KeyboardEvent, ScrollBehavior};

use crate::editor_model::{highlight, problems_by_line, Target};
use crate::i18n::{t, tr, use_locale, Msg};
use crate::session::Session;

/// How long typing must pause before the text is checked.
const LINT_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

/// vim's message after a write: `"pod.yaml" [New] 12L, 230B written`.
fn written_message(path: &str, text: &str, new_file: bool) -> Output {
    let mut out = Output::default();
    let new = if new_file { " [New]" } else { "" };
    out.out(format!(
        "\"{path}\"{new} {}L, {}B written",
        text.lines().count(),
        text.len()
    ));
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
                        problems.try_set(found);
                    }
                });
            },
            LINT_DELAY,
        );
    };
    lint();

    let opening = session.clone();
    let saving = session.clone();
    let save = move || {
        let edited = text.get_untracked();
        match target.get_untracked() {
            Target::File { path } => {
                let new_file = is_new.get_untracked();
                saving.write_file(&path.clone(), &edited.clone(), move |result| match result {
                    Ok(()) => {
                        on_output.run(written_message(&path, &edited, new_file));
                        on_close.run(());
                    }
                    Err(e) => {
                        status.try_set(e);
                    }
                })
            }
            Target::Object(_) => saving.finish_edit(&edited, move |outcome| match outcome {
                EditOutcome::Done(out) => {
                    on_output.run(out);
                    on_close.run(());
                }
                EditOutcome::Reopen(next, out) => {
                    // kubectl reopens the file with the errors in its header.
                    on_output.run(out);
                    text.try_set(next.text.clone());
                    target.try_set(Target::Object(Box::new(next)));
                    status.try_set(tr(locale.get_untracked(), Msg::EditorNotSaved).into());
                }
            }),
        }
    };
    let save_click = save.clone();
    let cancel = move || {
        if let Target::Object(request) = target.get_untracked() {
            // Closing without saving is kubectl's "no changes made".
            session.finish_edit(&request.text, move |outcome| match outcome {
                EditOutcome::Done(out) | EditOutcome::Reopen(_, out) => on_output.run(out),
            });
        }
        on_close.run(());
    };

    let on_keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && key.eq_ignore_ascii_case("s") {
            ev.prevent_default();
            save();
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
            // Leaves the text area (Tab would indent), so the buttons are reachable.
            ev.prevent_default();
            if let Some(b) = save_ref.get() {
                let _ = b.focus();
            }
        }
    };

    // Focus the text when the editor opens.
    Effect::new(move |_| {
        if let Some(area) = area_ref.get() {
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

    view! {
        <section class="editor" data-testid="editor" aria-label=move || format!("Editor: {}", target.with(|t| t.title()))>
            <div class="editor-bar">
                <span class="editor-title">{move || target.with(|t| t.title())}</span>
                <span class="editor-keys">{t(Msg::EditorKeys)}</span>
                <button type="button" class="editor-save" data-testid="editor-save" node_ref=save_ref on:click=move |_| save_click()>
                    {t(Msg::EditorSave)}
                </button>
                <button type="button" class="editor-cancel" data-testid="editor-cancel" on:click=move |_| cancel()>
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
                        aria-label=move || format!("Text of {}", target.with(|t| t.title()))
                        rows=move || line_count.get().to_string()
                        prop:value=move || text.get()
                        on:input:target=move |ev| {
                            text.set(ev.target().value());
                            lint();
                        }
                        on:keydown=on_keydown
                    ></textarea>
                </div>
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
