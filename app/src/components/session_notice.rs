//! Notices about the session that need the learner's choice or attention: a restore that
//! takes too long (a fresh start, or the session without its last command, instead of
//! waiting), a command the engine is still busy with long after it was typed (the session
//! without it), and a session that can no longer be saved (the browser's storage is full).

use leptos::prelude::*;

use crate::crash::{RESET_QUERY, WITHOUT_LAST_QUERY};
use crate::i18n::{counted, t, tr, use_locale, Msg};
use crate::ticker::{Ticker, TICK};

/// A restore still running after this long offers a way out.
pub const RESTORE_BUDGET: std::time::Duration = std::time::Duration::from_secs(4);

/// A command the engine is still busy with after this long offers a way out.
pub const COMMAND_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Whole ticks of the page's loop in `d`.
fn ticks(d: std::time::Duration) -> u64 {
    (d.as_millis() / TICK.as_millis()) as u64
}

/// The banner above the workspace; nothing while all is well.
#[component]
pub fn SessionNotice(ticker: Ticker) -> impl IntoView {
    let locale = use_locale();
    let session = ticker.session();
    let replaying = session.commands_replayed();
    let budget_ticks = ticks(RESTORE_BUDGET);
    let restore_dismissed = RwSignal::new(false);
    // Ticks the engine has been busy since it was ready; the learner's "keep waiting" (for
    // the restore, and for a command).
    let busy_ticks = RwSignal::new(0u64);
    let keep_waiting = RwSignal::new(false);
    let watching = session.clone();
    Effect::new(move |_| {
        ticker.tick.track();
        let busy = ticker.ready.get_untracked() && watching.busy();
        if busy {
            busy_ticks.update(|n| *n += 1);
        } else if busy_ticks.get_untracked() != 0 {
            busy_ticks.set(0);
            keep_waiting.set(false);
        }
    });
    let stuck = move || !keep_waiting.get() && busy_ticks.get() >= ticks(COMMAND_BUDGET);
    let stuck_for = move || {
        let seconds = busy_ticks.get() * TICK.as_millis() as u64 / 1000;
        tr(locale.get(), Msg::StillWorking).replace("{n}", &seconds.to_string())
    };
    let slow = move || {
        replaying > 0
            && !restore_dismissed.get()
            && !ticker.ready.get()
            && ticker.tick.get() >= budget_ticks
    };
    let cannot_save = move || {
        ticker.tick.track();
        session.save_failed()
    };
    view! {
        <Show when=slow>
            <WayOut
                testid="slow-restore"
                text=Signal::derive(move || counted(locale.get(), Msg::SlowRestore, replaying))
                fresh=true
                dismissed=restore_dismissed
            />
        </Show>
        <Show when=stuck>
            <WayOut testid="still-working" text=Signal::derive(stuck_for) fresh=false dismissed=keep_waiting />
        </Show>
        <Show when=cannot_save>
            <div class="session-notice" role="alert" data-testid="cannot-save">
                <span>{t(Msg::CannotSave)}</span>
            </div>
        </Show>
    }
}

/// A notice that offers a way out: reload without the last command (and, with `fresh`,
/// start from a fresh cluster), or keep waiting (sets `dismissed`).
#[component]
fn WayOut(
    testid: &'static str,
    text: Signal<String>,
    fresh: bool,
    dismissed: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="session-notice" role="alert" data-testid=testid>
            <span>{move || text.get()}</span>
            <a class="button" href=WITHOUT_LAST_QUERY data-testid="restore-without-last">{t(Msg::ReloadWithoutLast)}</a>
            {fresh.then(|| view! { <a class="button" href=RESET_QUERY data-testid="restore-fresh">{t(Msg::StartFresh)}</a> })}
            <button type="button" class="topbar-button" on:click=move |_| dismissed.set(true)>
                {t(Msg::KeepWaiting)}
            </button>
        </div>
    }
}
