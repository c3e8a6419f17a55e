//! The side panel with `kubectl describe` of the pod or node picked on the board, as text in
//! a `<pre>`. It follows the cluster while open; Esc or the close button shuts it.

use std::sync::Arc;

use kubeplay_engine::view::DescribeKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::board_model::BoardModel;
use crate::i18n::{t, Msg};
use crate::session::Session;

/// What the panel describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Pod, Node, claim or volume.
    pub kind: DescribeKind,
    /// The pod's or claim's namespace (empty for nodes and volumes).
    pub namespace: String,
    /// The object's name.
    pub name: String,
}

impl Selection {
    /// The console command the panel shows the output of.
    pub fn command(&self) -> String {
        match self.kind {
            DescribeKind::Pod => {
                format!("kubectl describe pod {} -n {}", self.name, self.namespace)
            }
            DescribeKind::Node => format!("kubectl describe node {}", self.name),
            DescribeKind::PersistentVolumeClaim => {
                format!("kubectl describe pvc {} -n {}", self.name, self.namespace)
            }
            DescribeKind::PersistentVolume => format!("kubectl describe pv {}", self.name),
        }
    }
}

/// The panel; hidden while nothing is selected.
#[component]
pub fn DescribePanel(
    session: Session,
    board: RwSignal<Arc<BoardModel>>,
    selected: RwSignal<Option<Selection>>,
) -> impl IntoView {
    // Asked of the engine when the selection or the cluster changes; an answer for a
    // selection that is gone is dropped.
    let text = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        board.track();
        let Some(sel) = selected.get() else {
            text.set(None);
            return;
        };
        let asked = sel.clone();
        session.describe(sel.kind, &sel.namespace, &sel.name, move |described| {
            if selected.try_get_untracked().flatten().as_ref() == Some(&asked) {
                text.try_set(Some(described));
            }
        });
    });
    let close_ref = NodeRef::<leptos::html::Button>::new();
    // Focus moves into the panel when it opens (so Esc and Tab work from there) and back to
    // the tile or node that opened it when it closes.
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |was_open: Option<bool>| {
        let open = selected.with(Option::is_some);
        if open && was_open != Some(true) {
            let active = document()
                .active_element()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            opener.set_value(active);
        }
        if open {
            if let Some(el) = close_ref.get() {
                let _ = el.focus();
            }
        } else if was_open == Some(true) {
            if let Some(el) = opener.get_value() {
                let _ = el.focus();
            }
        }
        open
    });
    let _esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && selected.with_untracked(Option::is_some) {
            selected.set(None);
        }
    });
    view! {
        <aside
            class="describe-panel"
            class:open=move || selected.with(Option::is_some)
            data-testid="describe-panel"
            aria-label=t(Msg::Describe)
            hidden=move || selected.with(Option::is_none)
        >
            <header class="describe-head">
                <code class="describe-command">
                    {move || selected.with(|s| s.as_ref().map(Selection::command).unwrap_or_default())}
                </code>
                <button
                    type="button"
                    class="describe-close"
                    node_ref=close_ref
                    aria-label=t(Msg::Close)
                    title=t(Msg::Close)
                    data-testid="describe-close"
                    on:click=move |_| selected.set(None)
                >
                    "✕"
                </button>
            </header>
            <pre class="describe-text" tabindex="0">{move || text.get().unwrap_or_default()}</pre>
        </aside>
    }
}
