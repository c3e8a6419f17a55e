//! Pause, play at 1×, fast-forward 10×, step 5 s, and the simulated clock.

use leptos::prelude::*;

use crate::board_model::clock_text;
use crate::i18n::{t, Msg};
use crate::ticker::{Speed, Ticker, STEP};

/// The time bar above the board.
#[component]
pub fn TimeControls(ticker: Ticker) -> impl IntoView {
    let speed_button = move |speed: Speed, testid: &'static str, msg: Msg, icon: &'static str| {
        let label = t(msg);
        view! {
            <button
                type="button"
                class="time-button"
                data-testid=testid
                aria-label=label
                title=label
                aria-pressed=move || (ticker.speed.get() == speed).to_string()
                on:click=move |_| ticker.speed.set(speed)
            >
                <span aria-hidden="true">{icon}</span>
            </button>
        }
    };
    let step_label = t(Msg::Step);
    let clock_label = t(Msg::SimClock);
    let paused = t(Msg::Paused);
    view! {
        <div class="time-controls" role="group" aria-label=t(Msg::TimeControls) data-testid="time-controls">
            {speed_button(Speed::Paused, "time-pause", Msg::Pause, "⏸")}
            {speed_button(Speed::Normal, "time-play", Msg::Play, "▶ 1×")}
            {speed_button(Speed::Fast, "time-fast", Msg::FastForward, "⏩ 10×")}
            <button
                type="button"
                class="time-button"
                data-testid="time-step"
                aria-label=step_label
                title=step_label
                on:click=move |_| ticker.step(STEP)
            >
                <span aria-hidden="true">"+5s"</span>
            </button>
            <span class="sim-clock" title=clock_label>
                <span class="visually-hidden">{clock_label}</span>
                <time data-testid="sim-clock">{move || clock_text(ticker.uptime_ms.get())}</time>
                <span class="sim-paused">
                    {move || if ticker.speed.get() == Speed::Paused { paused() } else { "" }}
                </span>
            </span>
        </div>
    }
}
