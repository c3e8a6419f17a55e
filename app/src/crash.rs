//! When something inside the page panics, the learner sees a friendly panel with a way out
//! (reload; reload without the command that was running; reset the cluster and reload)
//! instead of a dead page. The panel is plain DOM with links, so it works even though the
//! wasm module has stopped. The links' queries are acted on at the next start
//! ([`recover_if_asked`]).

use std::cell::RefCell;

use leptos::web_sys;

use crate::storage;

/// Query string that makes the next start forget the saved cluster.
pub const RESET_QUERY: &str = "?reset";

/// Query string that makes the next start drop the newest journaled command (the one the
/// engine was running when it stopped, which would stop it again on every replay).
pub const WITHOUT_LAST_QUERY: &str = "?without-last";

thread_local! {
    /// The command [`WITHOUT_LAST_QUERY`] took out of the saved session, for the console to
    /// mention.
    static DROPPED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Acts on a recovery query in the address (then removes it, so a later reload is plain):
/// `?reset` forgets the saved cluster (history and settings stay); `?without-last` drops
/// the newest command from it.
pub fn recover_if_asked() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let query = window.location().search().ok().unwrap_or_default();
    if query != RESET_QUERY && query != WITHOUT_LAST_QUERY {
        return;
    }
    if let Ok(Some(mut record)) = storage::load() {
        if query == RESET_QUERY {
            record.reset_cluster();
        } else {
            let dropped = record.drop_last_command();
            DROPPED.with(|d| *d.borrow_mut() = dropped);
        }
        storage::save(&record);
    }
    if let Ok(history) = window.history() {
        let path = window.location().pathname().unwrap_or_default();
        let _ =
            history.replace_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// The command this start dropped from the saved session (`?without-last`), once.
pub fn take_dropped_command() -> Option<String> {
    DROPPED.with(|d| d.borrow_mut().take())
}

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
        "Reload without the last command · 마지막 명령 없이 다시 불러오기",
        &[
            ("href", WITHOUT_LAST_QUERY),
            ("class", "button"),
            ("data-testid", "crash-without-last"),
        ],
    );
    add(
        "a",
        "Reset the cluster and reload · 클러스터 초기화",
        &[("href", RESET_QUERY), ("class", "button")],
    );
    add("pre", detail, &[("class", "crash-detail")]);
    let _ = body.append_child(&panel);
}
