//! The data files served next to the page (same origin, relative URLs: they work offline
//! and from any sub-folder). `bundle.json` holds the lessons and add-on manifests: the page
//! waits for it before it mounts (`index.html` preloads it alongside the wasm), so the lesson
//! list and the engine worker have it from the start. `explain.json`, the API documentation
//! behind `kubectl explain`, goes to the engine once the engine has answered its first
//! request, so it never delays the first paint nor a command typed while the page loads.

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::protocol::Request;

/// The lessons and add-on manifests, relative to the page.
const BUNDLE_URL: &str = "bundle.json";
/// The API documentation, relative to the page.
const EXPLAIN_URL: &str = "explain.json";
/// How often, and how many times at most, the page looks whether the engine has answered
/// before it hands over the API documentation (then it does anyway).
const READY_POLL: Duration = Duration::from_millis(50);
const READY_POLLS: u32 = 200;

/// Fetches `bundle.json`, hands it to the engine worker (if [`crate::worker::boot`]
/// started one) and installs it in this thread's engine (the lesson list reads it). A
/// failure is logged: the page then runs without lessons and add-on manifests.
pub async fn load_bundle() {
    let text = match fetch_text(BUNDLE_URL).await {
        Ok(text) => text,
        Err(e) => return leptos::logging::warn!("lessons and add-ons are unavailable: {e}"),
    };
    crate::worker::post_early(Request::Bundle(text.clone()));
    if let Err(e) = kubeplay_engine::install_bundle(&text) {
        leptos::logging::warn!("{BUNDLE_URL}: {e}");
    }
}

/// Loads the API documentation in the background and hands it to the engine once it has
/// answered; a failure is logged, not shown.
pub fn load_explain_docs(session: crate::session::Session) {
    leptos::task::spawn_local(async move {
        match fetch_text(EXPLAIN_URL).await {
            Ok(text) => install_when_ready(session, text, READY_POLLS),
            Err(e) => leptos::logging::warn!("kubectl explain is unavailable: {e}"),
        }
    });
}

fn install_when_ready(session: crate::session::Session, text: String, polls: u32) {
    if session.ready() || polls == 0 {
        session.install_explain_docs(text);
    } else {
        leptos::prelude::set_timeout(
            move || install_when_ready(session, text, polls - 1),
            READY_POLL,
        );
    }
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|e| format!("{e:?}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().map_err(|e| format!("{e:?}"))?;
    JsFuture::from(text)
        .await
        .map_err(|e| format!("{e:?}"))?
        .as_string()
        .ok_or_else(|| format!("{url}: not text"))
}
