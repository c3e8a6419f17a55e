//! The engine worker: the cluster runs in a Web Worker, so however much it has to do (three
//! hundred pods at once) the page keeps drawing and taking keys.
//!
//! The worker is this same wasm module. `index.html` starts it, before the wasm has even
//! loaded: a new worker needs the page's main thread for its first tens of milliseconds, and
//! the app's mount would otherwise hold it until the mount is done. That worker (a module
//! worker made from a `Blob`, so there is no extra file to host or cache) imports Trunk's
//! JavaScript glue at once and waits; [`boot`] adopts it and hands it the compiled
//! `WebAssembly.Module`. The worker instantiates the module, whose `main` sees no window and
//! does nothing, builds the cluster ([`engine_boot`]) and then passes every message to
//! [`engine_handle`]. Requests and replies are JSON text ([`crate::protocol`]). Its messages
//! wait until the session listens ([`attach`]). Each request's time shows in the worker's
//! performance timeline as an `engine …` measure.

use std::cell::RefCell;

use leptos::wasm_bindgen::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{self, js_sys};

use crate::engine_host::EngineHost;
use crate::protocol::Crash;
use crate::session::Session;

/// The `window` property under which `index.html` leaves the worker it started.
const EARLY_WORKER: &str = "kubeplayEngineWorker";

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    /// Who takes the worker's messages, once the session exists.
    static RECEIVER: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// Messages that came before the session listened (at most a few: one per request).
    static INBOX: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static HOST: RefCell<Option<EngineHost>> = const { RefCell::new(None) };
}

/// Adopts the engine worker `index.html` started (once) and hands it the module; whether
/// there is one. There is none where the page was not built from `index.html` (as under
/// wasm-bindgen-test) or where workers are missing: the session then runs the engine in
/// the page.
pub fn boot() -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    if WORKER.with(|w| w.borrow().is_some()) {
        return true;
    }
    let Some(worker) = early_worker() else {
        return false;
    };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                deliver(text);
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(|ev: web_sys::ErrorEvent| {
        crate::crash::show_panel(&format!("the engine worker failed: {}", ev.message()));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let boot = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&boot, &"module".into(), &leptos::wasm_bindgen::module());
    if worker.post_message(&boot).is_err() {
        worker.terminate();
        return false;
    }
    WORKER.with(|w| *w.borrow_mut() = Some(worker));
    true
}

/// Hands the worker's messages, earlier ones first, to `session`
/// ([`Session::receive_json`]); whether there is a worker.
pub fn attach(session: &Session) -> bool {
    if !WORKER.with(|w| w.borrow().is_some()) {
        return false;
    }
    RECEIVER.with(|r| *r.borrow_mut() = Some(session.clone()));
    for text in INBOX.with(|i| std::mem::take(&mut *i.borrow_mut())) {
        session.receive_json(&text);
    }
    true
}

fn deliver(text: String) {
    match RECEIVER.with(|r| r.borrow().clone()) {
        Some(session) => session.receive_json(&text),
        None => INBOX.with(|i| i.borrow_mut().push(text)),
    }
}

/// Sends a request before the session exists (`bundle.json`, as soon as it is fetched):
/// id 0, so its reply answers no one; the session takes in its view.
pub fn post_early(request: crate::protocol::Request) {
    let envelope = crate::protocol::Envelope { id: 0, request };
    if let Ok(text) = serde_json::to_string(&envelope) {
        post(&text);
    }
}

/// Sends a request to the worker.
pub fn post(text: &str) {
    WORKER.with(|w| {
        if let Some(worker) = w.borrow().as_ref() {
            let _ = worker.post_message(&JsValue::from_str(text));
        }
    });
}

/// The worker `index.html` started, taken from `window` (so it is adopted once).
fn early_worker() -> Option<web_sys::Worker> {
    let window: JsValue = web_sys::window()?.into();
    let key = JsValue::from_str(EARLY_WORKER);
    let worker = js_sys::Reflect::get(&window, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &key);
    worker.dyn_into::<web_sys::Worker>().ok()
}

/// The worker's first call: makes the cluster (before any request, while the page is still
/// mounting) and a panic hook that tells the page before the module stops.
#[wasm_bindgen]
pub fn engine_boot() {
    with_host(|_| ());
}

/// The worker's entry: answers one request (JSON) with a reply (JSON).
#[wasm_bindgen]
pub fn engine_handle(text: &str) -> String {
    with_host(|host| host.handle_json(text))
}

/// What the last reply left out (a command's board), as a second reply (JSON), or "".
#[wasm_bindgen]
pub fn engine_follow_up() -> String {
    with_host(EngineHost::follow_up_json)
}

fn with_host<T>(f: impl FnOnce(&mut EngineHost) -> T) -> T {
    HOST.with(|host| {
        let mut host = host.borrow_mut();
        let host = host.get_or_insert_with(|| {
            std::panic::set_hook(Box::new(|info| {
                console_error_panic_hook::hook(info);
                let crash = Crash {
                    crash: info.to_string(),
                };
                if let Ok(text) = serde_json::to_string(&crash) {
                    let scope: web_sys::DedicatedWorkerGlobalScope =
                        js_sys::global().unchecked_into();
                    let _ = scope.post_message(&JsValue::from_str(&text));
                }
            }));
            EngineHost::new()
        });
        f(host)
    })
}
