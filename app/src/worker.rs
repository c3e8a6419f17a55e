//! The engine worker: the cluster runs in a Web Worker, so however much it has to do (three
//! hundred pods at once) the page keeps drawing and taking keys.
//!
//! The worker is this same wasm module: the page hands its compiled `WebAssembly.Module`
//! and the URL of Trunk's JavaScript glue to a small module worker (made from a `Blob`,
//! so there is no extra file to host or cache); the worker instantiates the module, whose
//! `main` sees no window and does nothing, builds the cluster ([`engine_boot`]) and then
//! passes every message to [`engine_handle`]. Requests and replies are JSON text
//! ([`crate::protocol`]). The page starts it first thing ([`boot`]), so it boots while the
//! page mounts; its messages wait until the session listens ([`attach`]). Each request's
//! time shows in the worker's performance timeline as an `engine …` measure.

use std::cell::RefCell;

use leptos::wasm_bindgen::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{self, js_sys};

use crate::engine_host::EngineHost;
use crate::protocol::Crash;
use crate::session::Session;

/// The worker's script: load the glue, instantiate the module handed over, then answer.
const SCRIPT: &str = r#"
let handle = null;
let followUp = null;
const early = [];
const crash = (why) => self.postMessage(JSON.stringify({ crash: String(why) }));
function answer(text) {
  const start = performance.now();
  const kind = (/"request":\{?"(\w+)"(?::\{"(\w+)")?/.exec(text.slice(0, 48)) || []).slice(1).join(' ');
  try {
    const reply = handle(text);
    if (reply) self.postMessage(reply);
    performance.measure('engine ' + kind, { start });
    const more = followUp();
    if (more) {
      self.postMessage(more);
      performance.measure('engine ' + kind + ' + board', { start });
    }
  } catch (e) {
    handle = () => '';
    followUp = () => '';
    crash((e && e.message) || e);
  }
}
self.onmessage = async (event) => {
  const data = event.data;
  if (typeof data === 'string') {
    if (handle) answer(data);
    else early.push(data);
    return;
  }
  try {
    const glue = await import(data.glue);
    performance.mark('engine glue loaded');
    await glue.default({ module_or_path: data.module });
    performance.mark('engine instantiated');
    glue.engine_boot();
    performance.mark('engine ready');
    handle = glue.engine_handle;
    followUp = glue.engine_follow_up;
  } catch (e) {
    crash('the engine worker could not start: ' + ((e && e.message) || e));
    return;
  }
  for (const text of early.splice(0)) answer(text);
};
"#;

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    /// Who takes the worker's messages, once the session exists.
    static RECEIVER: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// Messages that came before the session listened (at most a few: one per request).
    static INBOX: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static HOST: RefCell<Option<EngineHost>> = const { RefCell::new(None) };
}

/// Starts the engine worker (once); whether it started. It does not where the page was
/// not built by Trunk (no glue to load, as under wasm-bindgen-test) or where workers are
/// missing.
pub fn boot() -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    if WORKER.with(|w| w.borrow().is_some()) {
        return true;
    }
    let Some(glue) = glue_url() else {
        return false;
    };
    let Some(worker) = new_worker() else {
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
    let _ = js_sys::Reflect::set(&boot, &"glue".into(), &glue.into());
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

/// The absolute URL of Trunk's glue script, from the `modulepreload` link Trunk writes.
fn glue_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let link = document
        .query_selector("link[rel='modulepreload'][href$='.js']")
        .ok()??;
    let href = link.get_attribute("href")?;
    let base = document.base_uri().ok()??;
    web_sys::Url::new_with_base(&href, &base)
        .ok()
        .map(|u| u.href())
}

fn new_worker() -> Option<web_sys::Worker> {
    let parts = js_sys::Array::of1(&JsValue::from_str(SCRIPT));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    // The URL is not revoked: the worker may fetch it after this returns.
    web_sys::Worker::new_with_options(&url, &options).ok()
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
