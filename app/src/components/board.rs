//! The cluster board: node boxes with their pods, an Unscheduled lane for Pending pods,
//! a namespace filter and the status legend. It redraws only when the ticker hands it a new
//! snapshot (the cluster's generation moved); lists are keyed, so 300 pods stay smooth.
//!
//! The namespace filter defaults to all namespaces, with kube-system drawn faintly: a learner
//! sees where the control plane and kube-proxy run and what they take from each node, while
//! their own pods stand out.

use leptos::prelude::*;

use crate::board_model::{lane_class, NamespaceFilter, LEGEND};
use crate::components::describe_panel::Selection;
use crate::components::node_box::NodeBox;
use crate::components::pod_tile::PodTile;
use crate::i18n::{t, Msg};
use crate::ticker::Ticker;

/// The board.
#[component]
pub fn Board(ticker: Ticker, selected: RwSignal<Option<Selection>>) -> impl IntoView {
    let board = ticker.board;
    let filter = RwSignal::new(NamespaceFilter::All);
    let node_names = Memo::new(move |_| {
        board.with(|b| {
            b.snapshot
                .nodes
                .iter()
                .map(|n| n.name.clone())
                .collect::<Vec<_>>()
        })
    });
    let namespaces = Memo::new(move |_| board.with(|b| b.snapshot.namespaces.clone()));
    let unscheduled = Memo::new(move |_| filter.with(|f| board.with(|b| b.lane(None, f))));
    view! {
        <section class="board" data-testid="cluster-board" aria-label=t(Msg::Board)>
            <div class="board-head">
                <h2>{t(Msg::Board)}</h2>
                <label class="ns-filter">
                    <span>{t(Msg::NamespaceFilter)}</span>
                    <select
                        data-testid="namespace-filter"
                        on:change:target=move |ev| filter.set(NamespaceFilter::from_value(&ev.target().value()))
                    >
                        <option value="" selected=move || filter.with(|f| *f == NamespaceFilter::All)>
                            {t(Msg::AllNamespaces)}
                        </option>
                        <For
                            each=move || namespaces.get()
                            key=|ns| ns.clone()
                            children=move |ns| {
                                let value = ns.clone();
                                let attr = ns.clone();
                                view! {
                                    <option
                                        value=attr
                                        selected=move || filter.with(|f| f.value() == value)
                                    >
                                        {ns}
                                    </option>
                                }
                            }
                        />
                    </select>
                </label>
            </div>
            <ul class="legend" aria-label=t(Msg::Legend)>
                {LEGEND
                    .iter()
                    .map(|(status, class)| {
                        view! {
                            <li>
                                <span class=format!("swatch {class}") aria-hidden="true"></span>
                                {*status}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="unscheduled" data-testid="unscheduled-lane" class:empty=move || unscheduled.with(Vec::is_empty)>
                <h3>{t(Msg::Unscheduled)}</h3>
                <div class=move || unscheduled.with(|k| lane_class(k.len()))>
                    <For
                        each=move || unscheduled.get()
                        key=|k| k.clone()
                        children=move |k| view! { <PodTile key=k selected /> }
                    />
                    <Show when=move || unscheduled.with(Vec::is_empty)>
                        <span class="lane-empty">{t(Msg::NoUnscheduled)}</span>
                    </Show>
                </div>
            </div>
            <Show when=move || !ticker.ready.get()>
                <p class="board-starting" data-testid="board-starting" role="status">{t(Msg::Starting)}</p>
            </Show>
            <div class="nodes">
                <For
                    each=move || node_names.get()
                    key=|n| n.clone()
                    children=move |name| view! { <NodeBox name board filter selected /> }
                />
            </div>
        </section>
    }
}
