//! Notices about the saved session that need the learner's choice or attention: a restore
//! that takes too long (a fresh start, or the session without its last command, instead of
//! waiting), and a session that can no longer be saved (the browser's storage is full).

use leptos::prelude::*;

use crate::crash::{RESET_QUERY, WITHOUT_LAST_QUERY};
use crate::i18n::{counted, t, use_locale, Msg};
use crate::ticker::{Ticker, TICK};

/// A restore still running after this long offers a way out.
pub const RESTORE_BUDGET: std::time::Duration = std::time::Duration::from_secs(4);

/// The banner above the workspace; nothing while all is well.
#[component]
pub fn SessionNotice(ticker: Ticker) -> impl IntoView {
    let locale = use_locale();
    let session = ticker.session();
    let replaying = session.restored_console().map_or(0, |(_, n)| n);
    let budget_ticks = (RESTORE_BUDGET.as_millis() / TICK.as_millis()) as u64;
    let waiting_on = RwSignal::new(true);
    let slow = move || {
        replaying > 0
            && waiting_on.get()
            && !ticker.ready.get()
            && ticker.tick.get() >= budget_ticks
    };
    let cannot_save = move || {
        ticker.tick.track();
        session.save_failed()
    };
    view! {
        <Show when=slow>
            <div class="session-notice" role="alert" data-testid="slow-restore">
                <span>{move || counted(locale.get(), Msg::SlowRestore, replaying)}</span>
                <a class="button" href=WITHOUT_LAST_QUERY data-testid="restore-without-last">{t(Msg::ReloadWithoutLast)}</a>
                <a class="button" href=RESET_QUERY data-testid="restore-fresh">{t(Msg::StartFresh)}</a>
                <button type="button" class="topbar-button" on:click=move |_| waiting_on.set(false)>
                    {t(Msg::KeepWaiting)}
                </button>
            </div>
        </Show>
        <Show when=cannot_save>
            <div class="session-notice" role="alert" data-testid="cannot-save">
                <span>{t(Msg::CannotSave)}</span>
            </div>
        </Show>
    }
}
