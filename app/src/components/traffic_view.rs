//! The board's traffic view: per Service, a bar for each pod that answered its recent
//! requests (share, count and name as text) and one for the failures; the newest requests
//! as short lines; and a brief flash on the tile of the pod that answered the newest one.
//! Hidden until the cluster has seen a request. It recomputes only when the snapshot's
//! generation moved, and every engine string is drawn as text.

use std::sync::Arc;

use leptos::prelude::*;

use crate::board_model::BoardModel;
use crate::i18n::{counted, t, use_locale, Msg};
use crate::ticker::Ticker;
use crate::traffic_model::{
    tile_selector, Ending, PodShare, RequestLine, ServiceRow, TrafficModel,
};

/// The traffic view.
#[component]
pub fn TrafficView(ticker: Ticker) -> impl IntoView {
    let model = traffic_memo(ticker.board);
    let services = Memo::new(move |_| model.with(|m| m.services.clone()));
    let requests = Memo::new(move |_| model.with(|m| m.requests.clone()));
    flash_answering_tiles(model);
    view! {
        <Show when=move || model.with(|m| !m.is_empty())>
            <section class="traffic" data-testid="traffic-view" aria-label=t(Msg::Traffic)>
                <h2>{t(Msg::Traffic)}</h2>
                <h3 class="visually-hidden">{t(Msg::AnsweredBy)}</h3>
                <ul class="traffic-services" aria-label=t(Msg::AnsweredBy)>
                    <For
                        each=move || services.with(|s| s.iter().map(|r| r.service.clone()).collect::<Vec<_>>())
                        key=|s| s.clone()
                        children=move |service| service_row(service, services)
                    />
                </ul>
                <h3>{t(Msg::NewestRequests)}</h3>
                <ol class="traffic-requests" data-testid="traffic-requests" aria-live="off">
                    {move || requests.get().into_iter().map(request_line).collect_view()}
                </ol>
            </section>
        </Show>
    }
}

/// The traffic of the board shown, recomputed only when the snapshot's generation moved (a
/// leaving tile's expiry replaces the board without one).
pub fn traffic_memo(board: RwSignal<Arc<BoardModel>>) -> Memo<TrafficModel> {
    let generation = Memo::new(move |_| board.with(|b| (b.snapshot.generation, b.partial)));
    Memo::new(move |_| {
        // Read, not only tracked: a memo read by a memo must be brought up to date.
        let _ = generation.get();
        board.with_untracked(|b| TrafficModel::new(&b.snapshot))
    })
}

/// One Service's row: its name, the window, a bar per pod and one for failures.
fn service_row(service: String, services: Memo<Vec<ServiceRow>>) -> impl IntoView {
    let name = service.clone();
    let row = Memo::new(move |_| {
        services.with(|s| {
            s.iter()
                .find(|r| r.service == name)
                .cloned()
                .unwrap_or_default()
        })
    });
    let pod_names =
        Memo::new(move |_| row.with(|r| r.pods.iter().map(|p| p.name.clone()).collect::<Vec<_>>()));
    let locale = use_locale();
    let failed = t(Msg::Failed);
    let data_service = service.clone();
    view! {
        <li
            class="traffic-service"
            data-testid="traffic-service"
            data-service=data_service
            data-failed=move || row.with(|r| r.failed.to_string())
        >
            <div class="traffic-service-head">
                <span class="traffic-service-name">{service}</span>
                <span class="traffic-window">
                    {move || counted(locale.get(), Msg::LastRequests, row.with(|r| r.total as usize))}
                </span>
            </div>
            <ul class="traffic-pods">
                <For
                    each=move || pod_names.get()
                    key=|n| n.clone()
                    children=move |pod| pod_bar(pod, row)
                />
                <Show when=move || row.with(|r| r.failed > 0)>
                    <li class="traffic-pod traffic-failed" data-testid="traffic-failed">
                        <span class="traffic-pod-name">"✕ " {failed}</span>
                        {share_bar(Signal::derive(move || row.with(|r| r.failed_percent)), None, move || failed().to_string())}
                        <span class="traffic-count">
                            {move || row.with(|r| count_text(r.failed, r.failed_percent))}
                        </span>
                    </li>
                </Show>
            </ul>
        </li>
    }
}

/// A pod's bar within its Service's row.
fn pod_bar(pod: String, row: Memo<ServiceRow>) -> impl IntoView {
    let name = pod.clone();
    let share = Memo::new(move |_| {
        row.with(|r| {
            r.pods
                .iter()
                .find(|p| p.name == name)
                .cloned()
                .unwrap_or_default()
        })
    });
    let gone_label = t(Msg::PodGone);
    let label = pod.clone();
    view! {
        <li
            class="traffic-pod"
            class:gone=move || share.with(|s| s.gone)
            data-testid="traffic-pod"
            data-pod=pod.clone()
            data-count=move || share.with(|s| s.count.to_string())
            title=move || if share.with(|s| s.gone) { format!("{pod} — {}", gone_label()) } else { pod.clone() }
        >
            <span class="traffic-pod-name">{label.clone()}</span>
            {share_bar(
                Signal::derive(move || share.with(|s| s.percent)),
                Some(Signal::derive(move || share.with(hue_style))),
                move || label.clone(),
            )}
            <span class="traffic-count">{move || share.with(|s| count_text(s.count, s.percent))}</span>
        </li>
    }
}

/// The colour of a pod's bar: its ReplicaSet's hue, grey once the pod is gone.
fn hue_style(s: &PodShare) -> String {
    match (s.gone, s.hue) {
        (false, Some(hue)) => format!("--share-hue: {hue};"),
        _ => String::new(),
    }
}

/// `12 · 40%`.
fn count_text(count: u32, percent: u32) -> String {
    format!("{count} · {percent}%")
}

/// A meter `percent` wide; `style` colours it (none: the failure colour).
fn share_bar(
    percent: Signal<u32>,
    style: Option<Signal<String>>,
    label: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <span
            class="traffic-bar"
            role="meter"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || percent.get().to_string()
        >
            <span
                class="traffic-fill"
                class:hued=style.is_some()
                style=move || {
                    format!("width: {}%; {}", percent.get(), style.map(|s| s.get()).unwrap_or_default())
                }
            ></span>
        </span>
    }
}

/// One request: `00:01:02 host → default/web → web-… 200` (or `✕ why`).
fn request_line(line: RequestLine) -> impl IntoView {
    let failed = line.failed();
    let title = line.text();
    let ending = match &line.ending {
        Ending::Status(code) => view! {
            <span class="traffic-status" class:bad={*code >= 400}>{code.to_string()}</span>
        }
        .into_any(),
        Ending::Failed(why) => {
            view! { <span class="traffic-why">"✕ " {why.clone()}</span> }.into_any()
        }
    };
    view! {
        <li class="traffic-request" class:failed=failed data-testid="traffic-request" title=title>
            <span class="traffic-time">{line.time}</span>
            <span class="traffic-from">{line.from}</span>
            <span class="traffic-arrow" aria-hidden="true">"→"</span>
            <span class="traffic-via">{line.via}</span>
            {line.pod.map(|pod| view! {
                <span class="traffic-arrow" aria-hidden="true">"→"</span>
                <span class="traffic-answer">{pod}</span>
            })}
            {ending}
        </li>
    }
}

/// Flashes the tile of the pod that answered each new newest request (a `data-answered`
/// attribute the stylesheet animates; its value alternates so a repeat restarts it).
fn flash_answering_tiles(model: Memo<TrafficModel>) {
    let last = StoredValue::new(model.with_untracked(|m| m.newest.clone()));
    let lit = StoredValue::new(None::<String>);
    let phase = StoredValue::new(false);
    Effect::new(move |_| {
        let (newest, answer) =
            model.with(|m| (m.newest.clone(), m.newest_answer().map(str::to_string)));
        if last.with_value(|l| *l == newest) {
            return;
        }
        last.set_value(newest);
        let Some(document) = leptos::web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let find = |key: &str| {
            tile_selector(key).and_then(|sel| document.query_selector(&sel).ok().flatten())
        };
        if let Some(old) = lit.get_value().as_deref().and_then(find) {
            let _ = old.remove_attribute("data-answered");
        }
        let tile = answer.as_deref().and_then(find);
        phase.update_value(|p| *p = !*p);
        if let Some(tile) = tile {
            let value = if phase.get_value() { "a" } else { "b" };
            let _ = tile.set_attribute("data-answered", value);
        }
        lit.set_value(answer);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    #[test]
    fn the_traffic_follows_the_board() {
        let owner = Owner::new();
        owner.with(|| {
            let session = Session::new();
            let ticker = Ticker::new(session.clone());
            let model = traffic_memo(ticker.board);
            assert!(model.with(TrafficModel::is_empty), "no request yet");
            for line in [
                "kubectl create deployment hname --image=sysnet4admin/echo-hname --replicas=2",
                "kubectl expose deployment hname --type=NodePort --port=80",
                "sleep 20",
                "curl -s 192.168.1.101:$(kubectl get svc hname -o jsonpath='{.spec.ports[0].nodePort}')",
            ] {
                session.run(line, |_| {});
            }
            ticker.refresh();
            model.with(|m| {
                assert_eq!(m.services.len(), 1, "{m:?}");
                assert_eq!(m.services[0].service, "default/hname");
                assert_eq!(m.requests.len(), 1);
                assert!(m.newest_answer().is_some_and(|p| p.starts_with("default/hname-")));
            });
        });
    }
}
