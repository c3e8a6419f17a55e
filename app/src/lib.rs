//! The Kubeplay playground page: a Leptos (client-side rendered) app around the engine.
//!
//! The engine runs inside the page; components read it through the [`session::Session`]
//! handle and re-render from signals. Everything the user or a lesson types is rendered as
//! text, never as HTML.

pub mod components;
pub mod console_model;
pub mod explain_docs;
pub mod session;

use leptos::prelude::*;

/// How often the page advances the cluster's clock.
const TICK: std::time::Duration = std::time::Duration::from_millis(250);

/// Mounts the app on `<body>`; panics are reported on the console instead of vanishing.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    explain_docs::load();
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let session = session::Session::new();
    // The cluster lives at 1× speed: simulated time follows the wall clock.
    let ticking = session.clone();
    set_interval(move || ticking.advance(TICK.as_millis() as i64), TICK);
    view! {
        <div class="app">
            <header class="topbar">
                <span class="logo" aria-hidden="true">"⎈"</span>
                <h1>"Kubeplay"</h1>
                <span class="tagline">"A Kubernetes " {kubeplay_engine::KUBERNETES_VERSION} " cluster in your browser"</span>
            </header>
            <main class="workspace">
                <components::console::Console session=session />
            </main>
        </div>
    }
}
