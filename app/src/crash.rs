//! When something inside the page panics, the learner sees a friendly panel with a way out
//! (reload, or reset the cluster and reload) instead of a dead page. The panel is plain DOM
//! with links, so it works even though the wasm module has stopped.

use leptos::web_sys;

/// Query string that makes the next start forget the saved cluster (see `lib.rs`).
pub const RESET_QUERY: &str = "?reset";

/// Installs the panic hook: the browser console gets the message, the page gets the panel.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_panel(&info.to_string());
    }));
}

/// Shows the "something broke" panel over the page (once).
pub fn show_panel(detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if document
        .query_selector("[data-testid='crash-panel']")
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let Ok(panel) = document.create_element("div") else {
        return;
    };
    let _ = panel.set_attribute("class", "crash-panel");
    let _ = panel.set_attribute("role", "alertdialog");
    let _ = panel.set_attribute("data-testid", "crash-panel");
    let add = |tag: &str, text: &str, attrs: &[(&str, &str)]| {
        if let Ok(el) = document.create_element(tag) {
            el.set_text_content(Some(text));
            for (k, v) in attrs {
                let _ = el.set_attribute(k, v);
            }
            let _ = panel.append_child(&el);
        }
    };
    add("h2", "Something broke — 문제가 생겼습니다", &[]);
    add(
        "p",
        "Kubeplay hit an internal error. Your saved session is kept: reloading usually brings it back. \
         Kubeplay에 내부 오류가 생겼습니다. 저장된 세션은 남아 있으니 다시 불러오면 대개 복구됩니다.",
        &[],
    );
    add(
        "a",
        "Reload · 다시 불러오기",
        &[("href", "./"), ("class", "button")],
    );
    add(
        "a",
        "Reset the cluster and reload · 클러스터 초기화",
        &[("href", RESET_QUERY), ("class", "button")],
    );
    add("pre", detail, &[("class", "crash-detail")]);
    let _ = body.append_child(&panel);
}
