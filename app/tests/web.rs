//! Browser tests of the page, run by wasm-bindgen-test in headless Chromium.

#![cfg(target_arch = "wasm32")]

use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{self, HtmlInputElement, KeyboardEvent, KeyboardEventInit};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn by_testid(id: &str) -> web_sys::Element {
    document()
        .query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .expect(id)
}

async fn type_and_enter(text: &str) {
    let input: HtmlInputElement = by_testid("console-input").dyn_into().unwrap();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let ev = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
    leptos::task::tick().await;
}

/// Waits `ms` milliseconds (a timer task).
async fn sleep_ms(ms: i32) {
    let promise = leptos::web_sys::js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[wasm_bindgen_test]
async fn console_answers_kubectl_get_nodes() {
    // The page installs `bundle.json` before it mounts (`kubeplay_app::start`).
    kubeplay_engine::install_bundle(include_str!("../../public/bundle.json")).unwrap();
    leptos::mount::mount_to_body(kubeplay_app::App);
    leptos::task::tick().await;
    // The lessons are parsed a file per task after the page mounts.
    let want = kubeplay_engine::lessons::builtin().len();
    assert!(want > 0);
    for _ in 0..200 {
        if by_testid("lesson-list").child_element_count() as usize == want {
            break;
        }
        sleep_ms(10).await;
    }
    assert_eq!(
        by_testid("lesson-list").child_element_count() as usize,
        want
    );
    type_and_enter("kubectl get nodes").await;
    let text = by_testid("console-output")
        .text_content()
        .unwrap_or_default();
    assert!(text.contains("$ kubectl get nodes"), "{text}");
    assert!(
        text.contains("NAME            STATUS   ROLES           AGE   VERSION"),
        "{text}"
    );
    assert!(
        text.contains("node3           Ready    <none>          10m   v1.34.1"),
        "{text}"
    );
    let input: HtmlInputElement = by_testid("console-input").dyn_into().unwrap();
    assert_eq!(input.value(), "", "input is cleared after Enter");
}
