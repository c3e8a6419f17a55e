//! The Kubeplay playground page: a Leptos (client-side rendered) app around the engine.
//!
//! The engine runs inside the page; components read it through the [`session::Session`]
//! handle and re-render from signals. One loop ([`ticker::Ticker`]) advances simulated time
//! and tells the views. Everything the user or a lesson types is rendered as text, never as
//! HTML.

pub mod board_model;
pub mod components;
pub mod console_model;
pub mod explain_docs;
pub mod i18n;
pub mod session;
pub mod ticker;

use leptos::prelude::*;

use components::describe_panel::{DescribePanel, Selection};
use i18n::{t, Msg};

/// Mounts the app on `<body>`; panics are reported on the console instead of vanishing.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    explain_docs::load();
}

/// The whole page: an (empty, for now) lesson column, the console, and the cluster board
/// with its time controls and events feed.
#[component]
pub fn App() -> impl IntoView {
    i18n::provide_locale();
    let session = session::Session::new();
    let ticker = ticker::Ticker::new(session.clone());
    provide_context(ticker);
    ticker.start();
    let selected = RwSignal::new(None::<Selection>);
    view! {
        <div class="app">
            <header class="topbar">
                <span class="logo" aria-hidden="true">"⎈"</span>
                <h1>"Kubeplay"</h1>
                <span class="tagline">{t(Msg::Tagline)} " · Kubernetes " {kubeplay_engine::KUBERNETES_VERSION}</span>
            </header>
            <main class="workspace">
                // The lesson panel's place: empty (and collapsed) until lessons arrive.
                <aside class="lesson-slot" data-testid="lesson-slot" aria-label=t(Msg::LessonSlot)></aside>
                <components::console::Console session=session.clone() />
                <div class="board-column">
                    <components::time_controls::TimeControls ticker />
                    <components::board::Board ticker selected />
                    <components::events_feed::EventsFeed ticker />
                </div>
                <DescribePanel session board=ticker.board selected />
            </main>
        </div>
    }
}
