//! The engine worker: the cluster runs in a Web Worker, so however much it has to do (three
//! hundred pods at once) the page keeps drawing and taking keys.
//!
//! The worker is this same wasm module, started before anything else by `app/boot.js`
//! (inlined at the top of the built page by `tools/boot.mjs`): that script compiles the wasm
//! once, hands the `WebAssembly.Module` to both the page and a small module worker (made
//! from a `Blob`, so there is no extra file to host or cache), which loads Trunk's glue,
//! instantiates the module, whose `main` sees no window and does nothing, builds the
//! cluster ([`engine_boot`]) and then passes every message to [`engine_handle`]. Requests
//! and replies are JSON text ([`crate::protocol`]). The page takes the worker over
//! ([`boot`]); its messages wait until the session listens ([`attach`]).

use std::cell::RefCell;

use leptos::wasm_bindgen::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{self, js_sys};

use crate::engine_host::EngineHost;
use crate::protocol::Crash;
use crate::session::Session;

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    /// Who takes the worker's messages, once the session exists.
    static RECEIVER: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// Messages that came before the session listened (at most a few: one per request).
    static INBOX: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static HOST: RefCell<Option<EngineHost>> = const { RefCell::new(None) };
}

/// Takes over the engine worker `app/boot.js` started (once), with the messages it sent
/// meanwhile; whether there is one. There is none where the page was not built by Trunk
/// (as under wasm-bindgen-test) or where module workers are missing.
pub fn boot() -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    if WORKER.with(|w| w.borrow().is_some()) {
        return true;
    }
    let Some(started) = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"kubeplayBoot".into()).ok())
        .filter(|b| b.is_object())
    else {
        return false;
    };
    let field = |name: &str| js_sys::Reflect::get(&started, &name.into()).unwrap_or_default();
    let Ok(worker) = field("worker").dyn_into::<web_sys::Worker>() else {
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
    WORKER.with(|w| *w.borrow_mut() = Some(worker));
    if let Ok(early) = field("early").dyn_into::<js_sys::Array>() {
        for text in early.iter().filter_map(|m| m.as_string()) {
            deliver(text);
        }
        early.set_length(0);
    }
    if let Some(error) = field("error").as_string() {
        crate::crash::show_panel(&format!("the engine worker failed: {error}"));
    }
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

/// Whether the engine runs in its worker ([`boot`] took one over).
pub fn running() -> bool {
    WORKER.with(|w| w.borrow().is_some())
}

/// Sends a request to the worker.
pub fn post(text: &str) {
    WORKER.with(|w| {
        if let Some(worker) = w.borrow().as_ref() {
            let _ = worker.post_message(&JsValue::from_str(text));
        }
    });
}

/// The worker's first call: makes the cluster (before any request, while the page is still
/// mounting) and a panic hook that tells the page before the module stops.
#[wasm_bindgen]
pub fn engine_boot() {
    with_host(|_| ());
}

/// The worker's data files, which it fetches itself (`app/boot.js`): `bundle` (lessons and
/// add-on manifests) or `explain` (the API documentation); why it could not, or "".
#[wasm_bindgen]
pub fn engine_install(file: &str, text: &str) -> String {
    let installed = match file {
        "bundle" => kubeplay_engine::install_bundle(text),
        "explain" => kubeplay_engine::install_explain_docs(text),
        _ => Err(format!("no data file {file}")),
    };
    installed.err().unwrap_or_default()
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
