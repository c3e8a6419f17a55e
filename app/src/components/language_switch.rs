//! The language switch: English ⇄ 한국어. The choice is saved with the session; the first
//! visit follows the browser's language.

use leptos::prelude::*;

use crate::i18n::{tr, Locale, Msg};
use crate::session::Session;

/// The page's starting language: the saved choice, else the browser's language.
pub fn initial_locale(session: &Session) -> Locale {
    if let Some(code) = session.locale() {
        return Locale::from_code(&code);
    }
    let browser = leptos::web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    Locale::from_code(&browser)
}

/// A button naming the other language; pressing it switches the whole page.
#[component]
pub fn LanguageSwitch(session: Session, locale: RwSignal<Locale>) -> impl IntoView {
    // Keep `<html lang>` (screen readers, fonts) and the saved setting in step.
    Effect::new(move |_| {
        let l = locale.get();
        if let Some(root) = leptos::web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", l.code());
        }
    });
    let on_click = move |_| {
        let next = locale.get_untracked().other();
        locale.set(next);
        session.set_locale(next.code());
    };
    view! {
        <button
            type="button"
            class="topbar-button"
            data-testid="language-switch"
            lang=move || locale.get().other().code()
            aria-label=move || format!("{} / Language: {}", tr(locale.get(), Msg::Language), tr(locale.get(), Msg::SwitchLanguage))
            on:click=on_click
        >
            {move || tr(locale.get(), Msg::SwitchLanguage)}
        </button>
    }
}
