//! The engine worker: the cluster runs in a Web Worker, so however much it has to do (three
//! hundred pods at once) the page keeps drawing and taking keys.
//!
//! The worker is this same wasm module: the page hands its compiled `WebAssembly.Module`
//! and the URL of Trunk's JavaScript glue to a small module worker (made from a `Blob`,
//! so there is no extra file to host or cache); the worker instantiates the module, whose
//! `main` sees no window and does nothing, and then passes every message to
//! [`engine_handle`]. Requests and replies are JSON text ([`crate::protocol`]).

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
const early = [];
const crash = (why) => self.postMessage(JSON.stringify({ crash: String(why) }));
function answer(text) {
  let reply;
  try {
    reply = handle(text);
  } catch (e) {
    handle = () => '';
    crash((e && e.message) || e);
    return;
  }
  if (reply) self.postMessage(reply);
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
    await glue.default({ module_or_path: data.module });
    handle = glue.engine_handle;
  } catch (e) {
    crash('the engine worker could not start: ' + ((e && e.message) || e));
    return;
  }
  for (const text of early.splice(0)) answer(text);
};
"#;

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    static HOST: RefCell<Option<EngineHost>> = const { RefCell::new(None) };
}

/// Starts the engine worker for `session` (replies go to [`Session::receive_json`]);
/// whether it started. It does not where the page was not built by Trunk (no glue to
/// load, as under wasm-bindgen-test) or where workers are missing.
pub fn spawn(session: &Session) -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    let Some(glue) = glue_url() else {
        return false;
    };
    let Some(worker) = new_worker() else {
        return false;
    };
    let receiving = session.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                receiving.receive_json(&text);
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

/// The worker's entry: answers one request (JSON) with a reply (JSON). The first call
/// makes the cluster and a panic hook that tells the page before the module stops.
#[wasm_bindgen]
pub fn engine_handle(text: &str) -> String {
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
        host.handle_json(text)
    })
}
