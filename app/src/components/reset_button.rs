//! "Reset cluster": after the learner confirms, the saved cluster and its files are
//! forgotten (history and settings stay) and the page starts again from a fresh cluster.

use leptos::prelude::*;

use crate::session::Session;

/// The topbar's reset button.
#[component]
pub fn ResetButton(session: Session) -> impl IntoView {
    let on_click = move |_| {
        let Some(window) = leptos::web_sys::window() else {
            return;
        };
        let question =
            "Reset the cluster? Every object and workspace file goes; your command history stays.";
        if window.confirm_with_message(question).unwrap_or(false) {
            session.reset_cluster();
            let _ = window.location().reload();
        }
    };
    view! {
        <button type="button" class="topbar-button" data-testid="reset-cluster" on:click=on_click>
            "Reset cluster"
        </button>
    }
}
