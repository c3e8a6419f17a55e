//! The newest cluster events, newest first: a line of age, type, reason, object and count,
//! then the whole message on the feed's full width. Filterable by text (a click on an
//! object filters to it) or to warnings only.

use std::sync::Arc;

use kubeplay_engine::view::human_age;
use kubeplay_engine::SimDuration;
use leptos::prelude::*;

use crate::board_model::{event_matches, BoardModel};
use crate::i18n::{t, tr, use_locale, Msg};
use crate::ticker::Ticker;

/// The events feed under the board.
#[component]
pub fn EventsFeed(ticker: Ticker) -> impl IntoView {
    let board: RwSignal<Arc<BoardModel>> = ticker.board;
    let text = RwSignal::new(String::new());
    let warnings_only = RwSignal::new(false);
    let locale = use_locale();
    let shown = Memo::new(move |_| {
        let (needle, warn) = (text.get(), warnings_only.get());
        board.with(|b| {
            b.snapshot
                .events
                .iter()
                .filter(|e| event_matches(e, &needle, warn))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // Ages run with the clock, relative to the snapshot's instant; rows re-render their age
    // once per simulated second, not on every tick.
    let now_s = Memo::new(move |_| {
        (board.with(|b| b.snapshot.now_ms - b.snapshot.uptime.0) + ticker.uptime_ms.get()) / 1000
    });
    view! {
        <section class="events-feed" data-testid="events-feed" aria-label=t(Msg::Events)>
            <div class="events-head">
                <h2>{t(Msg::Events)}</h2>
                <input
                    type="search"
                    class="events-filter"
                    data-testid="events-filter"
                    placeholder=t(Msg::FilterEvents)
                    aria-label=t(Msg::FilterEvents)
                    prop:value=move || text.get()
                    on:input:target=move |ev| text.set(ev.target().value())
                />
                <label class="events-warn">
                    <input
                        type="checkbox"
                        data-testid="events-warnings"
                        prop:checked=move || warnings_only.get()
                        on:change:target=move |ev| warnings_only.set(ev.target().checked())
                    />
                    {t(Msg::WarningsOnly)}
                </label>
            </div>
            <ol class="events-list">
                <For
                    each=move || shown.get()
                    key=|e| (e.id.clone(), e.count, e.last_seen_ms)
                    children=move |e| {
                        let seen = e.last_seen_ms;
                        let warn = e.is_warning();
                        let object = e.object.clone();
                        let message_title = e.message.clone();
                        let object_title = tr(locale.get_untracked(), Msg::FilterToObject)
                            .replace("{object}", &e.object);
                        view! {
                            <li class="event" class:warning=warn data-testid="event">
                                <span class="event-age">
                                    {move || human_age(SimDuration::seconds(now_s.get() - seen.div_euclid(1000)))}
                                </span>
                                <span class="event-type">{e.type_}</span>
                                <span class="event-reason">{e.reason}</span>
                                <button
                                    type="button"
                                    class="event-object"
                                    title=object_title.clone()
                                    on:click=move |_| text.set(object.clone())
                                >
                                    {e.object}
                                </button>
                                <span class="event-count">
                                    {(e.count > 1).then(|| format!("×{}", e.count))}
                                </span>
                                <span class="event-message" title=message_title>{e.message}</span>
                            </li>
                        }
                    }
                />
            </ol>
            <Show when=move || shown.with(Vec::is_empty)>
                <p class="events-empty">{t(Msg::NoEvents)}</p>
            </Show>
        </section>
    }
}
