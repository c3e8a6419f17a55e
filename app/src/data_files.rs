//! The data files served next to the page (same origin, relative URLs: they work offline
//! and from any sub-folder). `bundle.json` holds the lessons and add-on manifests;
//! `explain.json`, the API documentation behind `kubectl explain`. The engine worker fetches
//! both itself (`app/boot.js`: the bundle while the wasm downloads, the documentation once it
//! has answered a request), so the page neither copies nor parses them for it. The page
//! parses the bundle for its lesson list after it mounts ([`on_bundle`]); without a worker
//! it waits for the bundle before it mounts and hands the documentation to its own engine
//! once that has answered, so it never delays a command typed while the page loads.

use std::cell::RefCell;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The lessons and add-on manifests, relative to the page.
const BUNDLE_URL: &str = "bundle.json";
/// The API documentation, relative to the page.
const EXPLAIN_URL: &str = "explain.json";
/// How often, and how many times at most, the page looks whether the engine has answered
/// before it hands over the API documentation (then it does anyway).
const READY_POLL: Duration = Duration::from_millis(50);
const READY_POLLS: u32 = 200;

/// What waits for the bundle ([`on_bundle`]).
type Waiters = Vec<Box<dyn FnOnce()>>;

thread_local! {
    /// What waits for the bundle; `None` once it is installed (or failed to load).
    static BUNDLE_WAITERS: RefCell<Option<Waiters>> = RefCell::new(Some(Vec::new()));
}

/// Fetches `bundle.json` and installs it in this thread's engine (the lesson list reads it;
/// without a worker, the engine too), then calls what waits for it ([`on_bundle`]). A
/// failure is logged: the page then runs without lessons and add-on manifests.
pub async fn load_bundle() {
    match fetch_text(BUNDLE_URL).await {
        Ok(text) => {
            if let Err(e) = kubeplay_engine::install_bundle(&text) {
                leptos::logging::warn!("{BUNDLE_URL}: {e}");
            }
        }
        Err(e) => leptos::logging::warn!("lessons and add-ons are unavailable: {e}"),
    }
    let waiters = BUNDLE_WAITERS
        .with(|w| w.borrow_mut().take())
        .unwrap_or_default();
    for then in waiters {
        then();
    }
}

/// Calls `then` once [`load_bundle`] has finished (at once if it has).
pub fn on_bundle(then: impl FnOnce() + 'static) {
    let waiting = BUNDLE_WAITERS.with(|w| match w.borrow_mut().as_mut() {
        Some(waiters) => {
            waiters.push(Box::new(then));
            None
        }
        None => Some(then),
    });
    if let Some(then) = waiting {
        then();
    }
}

/// Resolves once [`load_bundle`] has finished (at once if it has).
pub async fn bundle_loaded() {
    let promise = web_sys::js_sys::Promise::new(&mut |resolve, _| {
        on_bundle(move || {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        })
    });
    let _ = JsFuture::from(promise).await;
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
