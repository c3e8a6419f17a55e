//! The board's storage area: claims (`data → pv1`, status, size, class, the pods using
//! them; a Pending claim's blocker in plain words above its newest event) and
//! PersistentVolumes (`pv1 → default/data`, status, size, reclaim policy, what backs
//! them). Hidden while the cluster has neither. Names open `kubectl describe`; every
//! engine string is drawn as text.

use kubeplay_engine::view::{ClaimView, DescribeKind, PersistentVolumeView};
use leptos::prelude::*;

use crate::components::describe_panel::Selection;
use crate::i18n::{t, tr, use_locale, Msg};
use crate::ticker::Ticker;
use crate::volume_model::{binding_text, blocker_text, source_text, volume_binding_text};

/// The storage area.
#[component]
pub fn StorageView(ticker: Ticker, selected: RwSignal<Option<Selection>>) -> impl IntoView {
    let board = ticker.board;
    let claims = Memo::new(move |_| board.with(|b| b.snapshot.claims.clone()));
    let volumes = Memo::new(move |_| board.with(|b| b.snapshot.persistent_volumes.clone()));
    let any = move || claims.with(|c| !c.is_empty()) || volumes.with(|v| !v.is_empty());
    view! {
        <Show when=any>
            <section class="storage" data-testid="storage-view" aria-label=t(Msg::Storage)>
                <h2>{t(Msg::Storage)}</h2>
                <Show when=move || claims.with(|c| !c.is_empty())>
                    <h3>{t(Msg::Claims)}</h3>
                    <ul class="storage-list" data-testid="storage-claims">
                        <For
                            each=move || claims.with(|c| c.iter().map(ClaimView::key).collect::<Vec<_>>())
                            key=|k| k.clone()
                            children=move |key| claim_row(key, claims, selected)
                        />
                    </ul>
                </Show>
                <Show when=move || volumes.with(|v| !v.is_empty())>
                    <h3>{t(Msg::PersistentVolumes)}</h3>
                    <ul class="storage-list" data-testid="storage-volumes">
                        <For
                            each=move || volumes.with(|v| v.iter().map(|v| v.name.clone()).collect::<Vec<_>>())
                            key=|k| k.clone()
                            children=move |name| volume_row(name, volumes, selected)
                        />
                    </ul>
                </Show>
            </section>
        </Show>
    }
}

/// The status pill's class: green when bound, amber while waiting, red when lost or failed.
fn status_class(status: &str) -> &'static str {
    match status {
        "Bound" => "storage-status ok",
        "Available" => "storage-status free",
        "Pending" | "Released" | "Terminating" => "storage-status waiting",
        _ => "storage-status bad",
    }
}

/// One claim's row.
fn claim_row(
    key: String,
    claims: Memo<Vec<ClaimView>>,
    selected: RwSignal<Option<Selection>>,
) -> impl IntoView {
    let k = key.clone();
    let claim = Memo::new(move |_| {
        claims.with(|c| c.iter().find(|c| c.key() == k).cloned().unwrap_or_default())
    });
    let locale = use_locale();
    let field = move |f: fn(&ClaimView) -> String| move || claim.with(f);
    let open = move |_| {
        let c = claim.get_untracked();
        selected.set(Some(Selection {
            kind: DescribeKind::PersistentVolumeClaim,
            namespace: c.namespace,
            name: c.name,
        }));
    };
    let details = move || {
        claim.with(|c| {
            let mut parts = Vec::new();
            if !c.capacity.is_empty() {
                parts.push(format!("{} {}", c.capacity, c.access_modes));
            } else if !c.requested.is_empty() {
                parts.push(tr(locale.get(), Msg::Asks).replace("{n}", &c.requested));
            }
            parts.push(if c.class.is_empty() {
                tr(locale.get(), Msg::NoClass).to_string()
            } else {
                format!("StorageClass {}", c.class)
            });
            parts.push(if c.used_by.is_empty() {
                tr(locale.get(), Msg::NotUsed).to_string()
            } else {
                format!("{} {}", tr(locale.get(), Msg::UsedBy), c.used_by.join(", "))
            });
            parts.join(" · ")
        })
    };
    let blocker = move || claim.with(|c| blocker_text(c, locale.get()).unwrap_or_default());
    let event = move || {
        claim.with(|c| {
            c.waiting
                .as_ref()
                .map(|e| format!("{}: {}", e.reason, e.message))
                .unwrap_or_default()
        })
    };
    view! {
        <li
            class="storage-item"
            data-testid="storage-claim"
            data-claim=key
            data-status=field(|c| c.status.clone())
        >
            <div class="storage-line">
                <button type="button" class="storage-name" on:click=open>
                    <span class="storage-ns">{field(|c| format!("{}/", c.namespace))}</span>
                    {field(binding_text)}
                </button>
                <span class=move || claim.with(|c| status_class(&c.status))>{field(|c| c.status.clone())}</span>
            </div>
            <div class="storage-details">{details}</div>
            <Show when=move || claim.with(|c| c.waiting.is_some())>
                <p class="storage-why" data-testid="claim-blocker">
                    <span class="storage-plain">{blocker}</span>
                    <span class="storage-event">{event}</span>
                </p>
            </Show>
        </li>
    }
}

/// One PersistentVolume's row.
fn volume_row(
    name: String,
    volumes: Memo<Vec<PersistentVolumeView>>,
    selected: RwSignal<Option<Selection>>,
) -> impl IntoView {
    let n = name.clone();
    let volume = Memo::new(move |_| {
        volumes.with(|v| v.iter().find(|v| v.name == n).cloned().unwrap_or_default())
    });
    let field = move |f: fn(&PersistentVolumeView) -> String| move || volume.with(f);
    let select = Selection {
        kind: DescribeKind::PersistentVolume,
        namespace: String::new(),
        name: name.clone(),
    };
    let locale = use_locale();
    let details = move || {
        volume.with(|v| {
            let class = if v.class.is_empty() {
                tr(locale.get(), Msg::NoClass).to_string()
            } else {
                format!("StorageClass {}", v.class)
            };
            format!(
                "{} {} · {} · {} · {}",
                v.capacity,
                v.access_modes,
                v.reclaim_policy,
                class,
                source_text(&v.source)
            )
        })
    };
    view! {
        <li
            class="storage-item"
            data-testid="storage-pv"
            data-pv=name
            data-status=field(|v| v.status.clone())
        >
            <div class="storage-line">
                <button type="button" class="storage-name" on:click=move |_| selected.set(Some(select.clone()))>
                    {field(volume_binding_text)}
                </button>
                <span class=move || volume.with(|v| status_class(&v.status))>{field(|v| v.status.clone())}</span>
            </div>
            <div class="storage-details">{details}</div>
        </li>
    }
}
