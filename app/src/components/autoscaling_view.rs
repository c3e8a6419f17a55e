//! The autoscaling panel: per HorizontalPodAutoscaler, a chart on one time axis (replicas as
//! a step line, CPU utilization against its dashed target, the load as an area), a marker
//! per scaling decision whose reason — the formula with its numbers — shows on click or
//! Enter, why `TARGETS` reads `<unknown>` while it does, and a table for screen readers and
//! small screens. Hidden until an HPA exists. Plain SVG; every engine string is text.

use kubeplay_engine::view::AutoscalerView;
use leptos::prelude::*;

use crate::chart_model::{
    chart, decision_text, rate_text, summary, table_rows, targets_text, unknown_text, HEIGHT, PLOT,
    WIDTH,
};
use crate::i18n::{t, tr, use_locale, Msg};
use crate::ticker::Ticker;

/// Rows the table view shows.
const TABLE_ROWS: usize = 40;

/// The panel, above the board once an HPA exists.
#[component]
pub fn AutoscalingView(ticker: Ticker) -> impl IntoView {
    let autoscalers = ticker.autoscalers;
    let keys = Memo::new(move |_| {
        autoscalers.with(|a| a.iter().map(AutoscalerView::key).collect::<Vec<_>>())
    });
    view! {
        <Show when=move || keys.with(|k| !k.is_empty())>
            <section class="autoscaling" data-testid="autoscaling" aria-label=t(Msg::Autoscaling)>
                <h2>{t(Msg::Autoscaling)}</h2>
                <For
                    each=move || keys.get()
                    key=|k| k.clone()
                    children=move |key| view! { <HpaChart key ticker /> }
                />
            </section>
        </Show>
    }
}

/// One HPA's chart.
#[component]
fn HpaChart(key: String, ticker: Ticker) -> impl IntoView {
    let k = key.clone();
    let hpa = Memo::new(move |_| {
        ticker
            .autoscalers
            .with(|a| a.iter().find(|h| h.key() == k).cloned().unwrap_or_default())
    });
    let boot = Memo::new(move |_| {
        ticker
            .board
            .with(|b| b.snapshot.now_ms - b.snapshot.uptime.0)
    });
    let drawn = Memo::new(move |_| hpa.with(|h| chart(h, boot.get())));
    let locale = use_locale();
    let selected = RwSignal::new(None::<usize>);
    let as_table = RwSignal::new(false);
    let field = move |f: fn(&AutoscalerView) -> String| move || hpa.with(f);
    let path = move |f: fn(&crate::chart_model::Chart) -> String| move || drawn.with(f);
    let reason = move || {
        let l = locale.get();
        selected
            .get()
            .and_then(|i| hpa.with(|h| h.decisions.get(i).cloned()))
            .map_or(tr(l, Msg::ChartPick).to_string(), |d| {
                decision_text(&d, boot.get(), l)
            })
    };
    let why = move || {
        hpa.with(|h| {
            h.unknown
                .as_ref()
                .map(|w| unknown_text(w, locale.get()))
                .unwrap_or_default()
        })
    };
    let (left, top, right, bottom) = PLOT;
    view! {
        <article
            class="hpa"
            data-testid="hpa-chart"
            data-hpa=key
            data-replicas=move || hpa.with(|h| h.current_replicas.to_string())
            data-utilization=move || hpa.with(|h| h.utilization.map(|u| u.to_string()).unwrap_or_default())
            data-decisions=move || hpa.with(|h| h.decisions.len().to_string())
            data-points=move || hpa.with(|h| h.points.len().to_string())
        >
            <header class="hpa-head">
                <span class="hpa-name">{field(|h| h.name.clone())}</span>
                <span class="hpa-ref">{field(|h| h.reference.clone())}</span>
                <span class="hpa-targets" data-testid="hpa-targets">{field(targets_text)}</span>
                <span class="hpa-replicas" data-testid="hpa-replicas">
                    {move || {
                        hpa.with(|h| {
                            format!(
                                "{} {} ({}–{})",
                                h.current_replicas,
                                tr(locale.get(), Msg::ChartReplicas),
                                h.min_replicas,
                                h.max_replicas
                            )
                        })
                    }}
                </span>
                <button
                    type="button"
                    class="hpa-toggle"
                    data-testid="hpa-table-toggle"
                    aria-pressed=move || as_table.get().to_string()
                    on:click=move |_| as_table.update(|t| *t = !*t)
                >
                    {move || if as_table.get() { tr(locale.get(), Msg::ShowChart) } else { tr(locale.get(), Msg::ShowTable) }}
                </button>
            </header>
            <Show when=move || hpa.with(|h| h.unknown.is_some())>
                <p class="hpa-why" data-testid="hpa-why">
                    <strong>{t(Msg::WhyUnknown)}</strong>
                    " "
                    {why}
                    <Show when=move || hpa.with(|h| h.warning.is_some())>
                        <span class="hpa-warning">{field(|h| h.warning.clone().unwrap_or_default())}</span>
                    </Show>
                </p>
            </Show>
            <ul class="chart-legend" aria-hidden="true">
                <li><span class="key key-replicas"></span>{t(Msg::ChartReplicas)}</li>
                <li><span class="key key-util"></span>{t(Msg::ChartUtilization)}</li>
                <li><span class="key key-target"></span>{t(Msg::ChartTarget)}</li>
                <li>
                    <span class="key key-load"></span>
                    {t(Msg::ChartLoad)}
                    " · "
                    {move || tr(locale.get(), Msg::ChartPeak).replace("{n}", &rate_text(drawn.with(|c| c.load_max / 1.15)))}
                </li>
            </ul>
            <Show
                when=move || !as_table.get()
                fallback=move || view! { <HpaTable hpa boot /> }
            >
                <Show when=move || hpa.with(|h| h.points.is_empty())>
                    <p class="chart-empty">{t(Msg::ChartWaiting)}</p>
                </Show>
                <div class="chart-wrap">
                    <svg
                        class="chart-svg"
                        data-testid="hpa-svg"
                        viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                        role="img"
                        aria-label=move || hpa.with(|h| summary(h, boot.get(), locale.get()))
                    >
                        <rect class="chart-frame" x=left y=top width={ right - left } height={ bottom - top }></rect>
                        {move || {
                            drawn.with(|c| {
                                c.percent_ticks
                                    .iter()
                                    .map(|tk| {
                                        view! {
                                            <line class="chart-grid" x1=left x2=right y1=tk.at y2=tk.at></line>
                                            <text class="chart-label" x={ right + 4.0 } y={ tk.at + 4.0 }>{tk.label.clone()}</text>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                        {move || {
                            drawn.with(|c| {
                                c.replica_ticks
                                    .iter()
                                    .map(|tk| {
                                        view! {
                                            <text class="chart-label chart-label-replicas" x={ left - 5.0 } y={ tk.at + 4.0 } text-anchor="end">
                                                {tk.label.clone()}
                                            </text>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                        {move || {
                            drawn.with(|c| {
                                c.time_ticks
                                    .iter()
                                    .map(|tk| {
                                        view! {
                                            <line class="chart-tick" x1=tk.at x2=tk.at y1=bottom y2={ bottom + 4.0 }></line>
                                            <text class="chart-label" x=tk.at y={ bottom + 16.0 } text-anchor="middle">{tk.label.clone()}</text>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                        <path class="chart-load" data-testid="chart-load" d=path(|c| c.load.clone())></path>
                        <path class="chart-target" data-testid="chart-target" d=path(|c| c.target.clone())></path>
                        <path class="chart-util" data-testid="chart-util" d=path(|c| c.utilization.clone())></path>
                        <path class="chart-replicas" data-testid="chart-replicas" d=path(|c| c.replicas.clone())></path>
                        {move || {
                            drawn.with(|c| {
                                c.markers
                                    .iter()
                                    .map(|m| {
                                        let i = m.index;
                                        view! {
                                            <line
                                                class=move || { if selected.get() == Some(i) { "chart-mark selected" } else { "chart-mark" } }
                                                x1=m.x x2=m.x y1=top y2=bottom
                                            ></line>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                    </svg>
                    <div class="chart-markers">
                        {move || {
                            drawn.with(|c| {
                                c.markers
                                    .iter()
                                    .map(|m| {
                                        let i = m.index;
                                        let label = hpa.with(|h| {
                                            h.decisions.get(i).map(|d| {
                                                format!(
                                                    "{}: {} → {}",
                                                    tr(locale.get_untracked(), Msg::ChartDecision),
                                                    d.from,
                                                    d.to
                                                )
                                            })
                                        });
                                        view! {
                                            <button
                                                type="button"
                                                class={ if m.up { "chart-marker up" } else { "chart-marker down" } }
                                                data-testid="hpa-decision"
                                                style=format!("left: {:.2}%", m.left_pct)
                                                aria-label=label.clone()
                                                title=label
                                                aria-pressed=move || (selected.get() == Some(i)).to_string()
                                                on:click=move |_| selected.set(Some(i))
                                            >
                                                {if m.up { "▲" } else { "▼" }}
                                            </button>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                    </div>
                </div>
                <p class="chart-reason" data-testid="hpa-reason" role="status">{reason}</p>
            </Show>
        </article>
    }
}

/// The chart as a table: decisions, then the newest points.
#[component]
fn HpaTable(hpa: Memo<AutoscalerView>, boot: Memo<i64>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="hpa-table-wrap" data-testid="hpa-table">
            <Show when=move || hpa.with(|h| !h.decisions.is_empty())>
                <ol class="hpa-decisions">
                    {move || {
                        hpa.with(|h| {
                            h.decisions
                                .iter()
                                .rev()
                                .map(|d| view! { <li class="chart-reason">{decision_text(d, boot.get(), locale.get())}</li> })
                                .collect_view()
                        })
                    }}
                </ol>
            </Show>
            <table class="hpa-table">
                <thead>
                    <tr>
                        <th scope="col">{t(Msg::ChartTime)}</th>
                        <th scope="col">{t(Msg::ChartReplicas)}</th>
                        <th scope="col">{t(Msg::ChartUtilization)}</th>
                        <th scope="col">{t(Msg::ChartTarget)}</th>
                        <th scope="col">{t(Msg::ChartLoad)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        hpa.with(|h| {
                            table_rows(&h.points, boot.get(), TABLE_ROWS)
                                .into_iter()
                                .map(|row| {
                                    view! {
                                        <tr>{row.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr>
                                    }
                                })
                                .collect_view()
                        })
                    }}
                </tbody>
            </table>
        </div>
    }
}
