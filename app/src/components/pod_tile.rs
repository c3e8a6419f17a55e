//! One pod on the board: a button coloured by STATUS, outlined by its owner's colour, with a
//! chip per volume type (what backs each shows on hover and focus, as text).
//! The button is built once per pod; only its attributes and texts follow the pod, so a
//! focused tile keeps focus while its status changes.

use kubeplay_engine::view::{DescribeKind, PodView};
use leptos::prelude::*;

use crate::board_model::{owner_style, owner_text, status_class, usage_bars};
use crate::components::describe_panel::Selection;
use crate::i18n::{use_locale, Locale};
use crate::ticker::Ticker;
use crate::volume_model::{chips, type_class, volume_lines};

/// The tile's class: status colour, de-emphasised kube-system, owned pods outlined.
fn tile_class(p: &PodView) -> String {
    format!(
        "pod-tile {}{}{}",
        status_class(&p.status),
        if p.namespace == "kube-system" {
            " system"
        } else {
            ""
        },
        if p.owner.is_some() { " owned" } else { "" }
    )
}

/// The tooltip: everything a learner may want at a glance, volumes last.
fn tile_title(p: &PodView, locale: Locale) -> String {
    let mut title = format!(
        "{}/{} — {} — READY {}",
        p.namespace, p.name, p.status, p.ready
    );
    if p.restarts > 0 {
        title.push_str(&format!(" — RESTARTS {}", p.restarts));
    }
    if let Some(owner) = owner_text(p) {
        title.push_str(&format!("\n{owner}"));
    }
    if let Some(why) = &p.unschedulable_message {
        title.push_str(&format!("\n{why}"));
    }
    for line in volume_lines(&p.volumes, p.node.as_deref(), locale) {
        title.push_str(&format!("\n{line}"));
    }
    if let Some(u) = &p.usage {
        title.push_str(&format!("\n{}", usage_bars(u).text));
    }
    title
}

/// The tile of the pod whose tile key is `key`; click or Enter opens its describe. It
/// follows its own signal ([`Ticker::tile`]), so it re-renders only when its pod changed.
#[component]
pub fn PodTile(key: String, selected: RwSignal<Option<Selection>>) -> impl IntoView {
    let tile = use_context::<Ticker>()?.tile(&key)?;
    let first = tile.with_untracked(|t| t.pod.clone());
    let data = tile.clone();
    let locale = use_locale();
    let titled = tile.clone();
    let title = move || titled.with(|t| tile_title(&t.pod, locale.get()));
    let chipped = tile.clone();
    let tile_chips =
        move || chipped.with(|t| chips(&t.pod.volumes, t.pod.node.as_deref(), locale.get()));
    let lined = tile.clone();
    let lines =
        move || lined.with(|t| volume_lines(&t.pod.volumes, t.pod.node.as_deref(), locale.get()));
    let leaving = Signal::derive(move || data.with(|t| t.leaving));
    let used = tile.clone();
    let usage = move || {
        used.with(|t| t.pod.usage.as_ref().map(usage_bars))
            .map(|b| {
                let bar = |pct: Option<u32>, kind: &'static str| {
                    pct.map(|p| {
                    view! {
                        <span class=format!("usage-bar {kind}") data-pct=p.to_string()>
                            <span
                                class={ if p >= 100 { "usage-fill high" } else { "usage-fill" } }
                                style=format!("width: {}%", p.min(100))
                            ></span>
                        </span>
                    }
                })
                };
                view! {
                    <span class="pod-usage" data-testid="pod-usage" aria-hidden="true">
                        {bar(b.cpu_pct, "cpu")}
                        {bar(b.memory_pct, "memory")}
                    </span>
                }
            })
    };
    let text = move |f: fn(&PodView) -> String| {
        let tile = tile.clone();
        move || tile.with(|t| f(&t.pod))
    };
    let select = Selection {
        kind: DescribeKind::Pod,
        namespace: first.namespace.clone(),
        name: first.name.clone(),
    };
    Some(view! {
        <button
            type="button"
            class={
                let class = text(tile_class);
                move || if leaving.get() { class() + " leaving" } else { class() }
            }
            data-leaving=move || leaving.get().to_string()
            style=text(owner_style)
            title=title
            aria-label=text(|p| format!("{} {}", p.name, p.status))
            data-testid="pod-tile"
            data-pod=first.key()
            data-status=text(|p| p.status.clone())
            on:click=move |_| selected.set(Some(select.clone()))
        >
            <span class="pod-name">{first.name.clone()}</span>
            <span class="pod-status">{text(|p| p.status.clone())}</span>
            <span class="pod-reason">{text(|p| p.unschedulable_message.clone().unwrap_or_default())}</span>
            {usage}
            <span class="pod-volumes" aria-hidden="true">
                {move || {
                    tile_chips()
                        .into_iter()
                        .map(|c| {
                            view! {
                                <span
                                    class=format!("vol-chip {}", type_class(&c.type_))
                                    data-testid="volume-chip"
                                    data-type=c.type_
                                    title=c.title
                                >
                                    {c.text}
                                </span>
                            }
                        })
                        .collect_view()
                }}
            </span>
            <span class="pod-volume-lines" data-testid="volume-lines">
                {move || {
                    lines()
                        .into_iter()
                        .map(|l| view! { <span class="pod-volume-line">{l}</span> })
                        .collect_view()
                }}
            </span>
        </button>
    })
}
