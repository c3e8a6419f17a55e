//! The Kubeplay playground page: a Leptos (client-side rendered) app around the engine.
//!
//! The engine runs in a Web Worker ([`worker`], [`engine_host`]); components talk to it
//! through the [`session::Session`] handle, which mirrors what the views show, and
//! re-render from signals. One loop ([`ticker::Ticker`]) advances simulated time and tells
//! the views. Everything the user or a lesson types is rendered as text, never as
//! HTML.

pub mod board_model;
pub mod chart_model;
pub mod completion;
pub mod components;
pub mod console_model;
pub mod crash;
pub mod data_files;
pub mod editor_model;
pub mod engine_host;
pub mod i18n;
pub mod journal;
pub mod markdown;
pub mod progress;
pub mod protocol;
pub mod session;
pub mod storage;
pub mod ticker;
pub mod traffic_model;
pub mod vi_command;
pub mod volume_model;
pub mod worker;

use leptos::prelude::*;

use components::describe_panel::{DescribePanel, Selection};
use i18n::{t, Msg};

/// Mounts the app on `<body>` once `bundle.json` is in ([`data_files`]) and drops the boot
/// frame. A panic shows a "something broke" panel ([`crash`]), whose links' queries are acted
/// on first ([`crash::recover_if_asked`]); the service worker makes later
/// visits work offline.
pub fn start() {
    crash::install();
    crash::recover_if_asked();
    // The engine worker boots while the bundle loads and the page mounts.
    worker::boot();
    wasm_bindgen_futures::spawn_local(async {
        data_files::load_bundle().await;
        leptos::mount::mount_to_body(App);
        remove_boot_frame();
        // Its install fetches every file again: not while the engine boots and answers first.
        set_timeout(register_service_worker, SERVICE_WORKER_DELAY);
    });
}

/// How long after the mount the service worker is registered.
const SERVICE_WORKER_DELAY: std::time::Duration = std::time::Duration::from_secs(3);

/// Removes the frame `index.html` shows before the app mounts (`#boot`).
fn remove_boot_frame() {
    let boot = leptos::web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"));
    if let Some(boot) = boot {
        boot.remove();
    }
}

/// Registers `sw.js` (relative, so a sub-folder site works) where service workers exist.
fn register_service_worker() {
    let Some(window) = leptos::web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let has_sw = js_sys_has(&navigator, "serviceWorker");
    if has_sw {
        let _ = navigator.service_worker().register("./sw.js");
    }
}

/// Whether `object` has a property (feature detection without panicking).
fn js_sys_has(object: &leptos::wasm_bindgen::JsValue, name: &str) -> bool {
    leptos::web_sys::js_sys::Reflect::has(object, &leptos::wasm_bindgen::JsValue::from_str(name))
        .unwrap_or(false)
}

/// The whole page: an (empty, for now) lesson column, the console, and the cluster board
/// with its time controls, traffic view, storage area and events feed.
#[component]
pub fn App() -> impl IntoView {
    let session = session::Session::restore();
    let locale = i18n::provide_locale(components::language_switch::initial_locale(&session));
    session.set_lesson_locale(locale.get_untracked().code());
    data_files::load_explain_docs(session.clone());
    let ticker = ticker::Ticker::new(session.clone());
    provide_context(ticker);
    ticker.start();
    let selected = RwSignal::new(None::<Selection>);
    // Time passed since the last save is written when the tab is hidden or closed, with the
    // console's last lines: the console does it (`Console`), once.
    let resetting = session.clone();
    // The lesson panel sends commands to the console through this.
    provide_context(components::console::ConsoleBus::new());
    // A finished lesson step waits for Next, or Enter in the console.
    provide_context(components::lesson_panel::StepMoment::new());
    let lessons = session.clone();
    view! {
        <div class="app">
            <header class="topbar">
                <span class="logo" aria-hidden="true">"⎈"</span>
                <h1>"Kubeplay"</h1>
                <span class="tagline">{t(Msg::Tagline)} " · Kubernetes " {kubeplay_engine::KUBERNETES_VERSION}</span>
                <span class="topbar-spacer"></span>
                <components::language_switch::LanguageSwitch session=session.clone() locale />
                <components::reset_button::ResetButton session=resetting />
            </header>
            <components::session_notice::SessionNotice ticker />
            <main class="workspace">
                <components::lesson_panel::LessonPanel session=lessons />
                <components::console::Console session=session.clone() />
                // The events feed stays in view below the board, which scrolls on its own.
                <div class="board-column">
                    <components::time_controls::TimeControls ticker />
                    <div class="board-scroll">
                        <components::autoscaling_view::AutoscalingView ticker />
                        <components::traffic_view::TrafficView ticker />
                        <components::board::Board ticker selected />
                        <components::storage_view::StorageView ticker selected />
                    </div>
                    <components::events_feed::EventsFeed ticker />
                </div>
                <DescribePanel session board=ticker.board selected />
            </main>
        </div>
    }
}
