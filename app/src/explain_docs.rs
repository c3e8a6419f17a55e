//! Loads the API documentation behind `kubectl explain` (`explain.json`, served next to the
//! page) after the page is up, so it never delays the first paint. Same origin, relative URL:
//! it works offline and from any sub-folder.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the documentation lives, relative to the page.
const URL: &str = "explain.json";

/// Starts loading the documentation in the background and hands it to the engine; a
/// failure is logged, not shown.
pub fn load(session: crate::session::Session) {
    leptos::task::spawn_local(async move {
        match fetch_text(URL).await {
            Ok(text) => session.install_explain_docs(text),
            Err(e) => leptos::logging::warn!("kubectl explain is unavailable: {e}"),
        }
    });
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
