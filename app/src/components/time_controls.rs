//! Pause, play at 1×, 3× (a rollout still watchable), fast-forward 10×, step 5 s, and the
//! simulated clock.

use leptos::prelude::*;

use crate::board_model::clock_text;
use crate::i18n::{t, Msg};
use crate::ticker::{Speed, Ticker, STEP};

const PAUSE: &str = "M3 2h3.5v12H3zM9.5 2H13v12H9.5z";
const PLAY: &str = "M4 2l10 6-10 6z";
const FAST: &str = "M1 2l7 6-7 6zM8 2l7 6-7 6z";

/// The time bar above the board.
#[component]
pub fn TimeControls(ticker: Ticker) -> impl IntoView {
    // Icons are inline SVG paths: no icon font, no glyphs a system font may lack.
    let speed_button = move |speed: Speed,
                             testid: &'static str,
                             msg: Msg,
                             path: &'static str,
                             suffix: &'static str| {
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
                <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
                    <path d=path fill="currentColor" />
                </svg>
                <span aria-hidden="true">{suffix}</span>
            </button>
        }
    };
    let step_label = t(Msg::Step);
    let clock_label = t(Msg::SimClock);
    let paused = t(Msg::Paused);
    view! {
        <div class="time-controls" role="group" aria-label=t(Msg::TimeControls) data-testid="time-controls">
            {speed_button(Speed::Paused, "time-pause", Msg::Pause, PAUSE, "")}
            {speed_button(Speed::Normal, "time-play", Msg::Play, PLAY, "1×")}
            {speed_button(Speed::Quick, "time-quick", Msg::Quick, FAST, "3×")}
            {speed_button(Speed::Fast, "time-fast", Msg::FastForward, FAST, "10×")}
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
                <time data-testid="sim-clock">
                    // Until the engine has answered once, there is no clock to show.
                    {move || if ticker.ready.get() { clock_text(ticker.uptime_ms.get()) } else { "--:--:--".to_string() }}
                </time>
                <span class="sim-paused">
                    {move || if ticker.speed.get() == Speed::Paused { paused() } else { "" }}
                </span>
            </span>
        </div>
    }
}
