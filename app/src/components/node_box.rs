//! A node on the board: name, role, readiness, cordon, request bars, and its pods.

use std::sync::Arc;

use kubeplay_engine::view::{DescribeKind, NodeView};
use leptos::prelude::*;

use crate::board_model::{cpu_text, lane_class, memory_text, percent, BoardModel, NamespaceFilter};
use crate::components::describe_panel::Selection;
use crate::components::pod_tile::PodTile;
use crate::i18n::{t, tr, use_locale, Msg};

/// A labelled bar: `used` of `total`, with the numbers as text.
fn bar(
    label: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
    used: Signal<i64>,
    total: Signal<i64>,
    fmt: fn(i64) -> String,
) -> impl IntoView {
    let pct = move || percent(used.get(), total.get());
    view! {
        <div class="bar-row">
            <span class="bar-label">{label}</span>
            <span
                class="bar"
                role="meter"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || pct().to_string()
            >
                <span
                    class=move || { if pct() >= 85 { "bar-fill bar-high" } else { "bar-fill" } }
                    style=move || format!("width: {}%", pct())
                ></span>
            </span>
            <span class="bar-text">{move || format!("{} / {}", fmt(used.get()), fmt(total.get()))}</span>
        </div>
    }
}

/// The box of node `name`; its header opens `kubectl describe node`.
#[component]
pub fn NodeBox(
    name: String,
    board: RwSignal<Arc<BoardModel>>,
    filter: RwSignal<NamespaceFilter>,
    selected: RwSignal<Option<Selection>>,
) -> impl IntoView {
    let node_name = name.clone();
    let node = Memo::new(move |_| {
        board.with(|b| {
            b.snapshot
                .nodes
                .iter()
                .find(|n| n.name == node_name)
                .cloned()
                .unwrap_or_default()
        })
    });
    let lane_name = name.clone();
    let keys = Memo::new(move |_| filter.with(|f| board.with(|b| b.lane(Some(&lane_name), f))));
    let field = move |f: fn(&NodeView) -> i64| Signal::derive(move || node.with(f));
    let select = Selection {
        kind: DescribeKind::Node,
        namespace: String::new(),
        name: name.clone(),
    };
    let no_pods = t(Msg::NoPods);
    let locale = use_locale();
    view! {
        <section
            class="node-box"
            class:not-ready=move || node.with(|n| !n.is_ready())
            class:cordoned=move || node.with(|n| n.unschedulable)
            data-testid="node-box"
            data-node=name.clone()
            aria-label={
                let name = name.clone();
                move || tr(locale.get(), Msg::NodeLabel).replace("{name}", &name)
            }
        >
            <button type="button" class="node-head" on:click=move |_| selected.set(Some(select.clone()))>
                <span class="node-name">{name.clone()}</span>
                <span class="node-role">{move || node.with(|n| n.roles.clone())}</span>
                <span class="node-status" class:bad=move || node.with(|n| !n.is_ready())>
                    {move || node.with(|n| n.status.clone())}
                </span>
                <Show when=move || node.with(|n| n.unschedulable)>
                    <span class="node-cordoned">{t(Msg::Cordoned)} " (SchedulingDisabled)"</span>
                </Show>
            </button>
            {bar(t(Msg::CpuRequested), field(|n| n.cpu_requested_milli), field(|n| n.cpu_allocatable_milli), cpu_text)}
            {bar(t(Msg::MemoryRequested), field(|n| n.memory_requested_bytes), field(|n| n.memory_allocatable_bytes), memory_text)}
            // Use, once metrics-server publishes it (as `kubectl top node`).
            <Show when=move || node.with(|n| n.cpu_usage_milli.is_some())>
                <div class="usage-bars" data-testid="node-usage">
                    {bar(t(Msg::CpuUsed), field(|n| n.cpu_usage_milli.unwrap_or_default()), field(|n| n.cpu_allocatable_milli), cpu_text)}
                    {bar(t(Msg::MemoryUsed), field(|n| n.memory_usage_bytes.unwrap_or_default()), field(|n| n.memory_allocatable_bytes), memory_text)}
                </div>
            </Show>
            // Many pods: small squares (names stay readable by screen readers and tooltips).
            <div class=move || keys.with(|k| lane_class(k.len()))>
                <For
                    each=move || keys.get()
                    key=|k| k.clone()
                    children=move |k| view! { <PodTile key=k selected /> }
                />
                <Show when=move || keys.with(|k| k.is_empty())>
                    <span class="lane-empty">{no_pods}</span>
                </Show>
            </div>
        </section>
    }
}
