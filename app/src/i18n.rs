//! The page's user-visible strings in English and Korean. Kubernetes terms (Pod, Node,
//! Running, ...) stay as kubectl prints them. The locale is a context signal (default
//! English); a language switch only has to set it.

use leptos::prelude::*;

/// A language of the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Korean.
    Ko,
}

/// Every message of the board, time controls, events feed and describe panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Msg {
    Tagline,
    LessonSlot,
    Board,
    Unscheduled,
    NoUnscheduled,
    NamespaceFilter,
    AllNamespaces,
    Legend,
    Cordoned,
    CpuRequested,
    MemoryRequested,
    NoPods,
    TimeControls,
    Pause,
    Play,
    FastForward,
    Step,
    SimClock,
    Paused,
    Events,
    FilterEvents,
    WarningsOnly,
    NoEvents,
    Describe,
    Close,
    Owner,
    Restarts,
}

impl Msg {
    /// Every message, for completeness checks.
    pub const ALL: [Msg; 27] = [
        Msg::Tagline,
        Msg::LessonSlot,
        Msg::Board,
        Msg::Unscheduled,
        Msg::NoUnscheduled,
        Msg::NamespaceFilter,
        Msg::AllNamespaces,
        Msg::Legend,
        Msg::Cordoned,
        Msg::CpuRequested,
        Msg::MemoryRequested,
        Msg::NoPods,
        Msg::TimeControls,
        Msg::Pause,
        Msg::Play,
        Msg::FastForward,
        Msg::Step,
        Msg::SimClock,
        Msg::Paused,
        Msg::Events,
        Msg::FilterEvents,
        Msg::WarningsOnly,
        Msg::NoEvents,
        Msg::Describe,
        Msg::Close,
        Msg::Owner,
        Msg::Restarts,
    ];
}

/// `msg` in `locale`.
pub fn tr(locale: Locale, msg: Msg) -> &'static str {
    use Locale::{En, Ko};
    match (msg, locale) {
        (Msg::Tagline, En) => "A Kubernetes cluster in your browser",
        (Msg::Tagline, Ko) => "브라우저 안의 Kubernetes 클러스터",
        (Msg::LessonSlot, En) => "Lesson",
        (Msg::LessonSlot, Ko) => "레슨",
        (Msg::Board, En) => "Cluster board",
        (Msg::Board, Ko) => "클러스터 보드",
        (Msg::Unscheduled, En) => "Unscheduled",
        (Msg::Unscheduled, Ko) => "스케줄되지 않음",
        (Msg::NoUnscheduled, En) => "Every pod has a node.",
        (Msg::NoUnscheduled, Ko) => "모든 Pod가 Node에 배치되었습니다.",
        (Msg::NamespaceFilter, En) => "Namespace",
        (Msg::NamespaceFilter, Ko) => "네임스페이스",
        (Msg::AllNamespaces, En) => "All namespaces",
        (Msg::AllNamespaces, Ko) => "모든 네임스페이스",
        (Msg::Legend, En) => "Pod status colours",
        (Msg::Legend, Ko) => "Pod 상태 색상",
        (Msg::Cordoned, En) => "Cordoned",
        (Msg::Cordoned, Ko) => "스케줄 차단됨",
        (Msg::CpuRequested, En) => "CPU requested",
        (Msg::CpuRequested, Ko) => "CPU 요청량",
        (Msg::MemoryRequested, En) => "Memory requested",
        (Msg::MemoryRequested, Ko) => "메모리 요청량",
        (Msg::NoPods, En) => "No pods",
        (Msg::NoPods, Ko) => "Pod 없음",
        (Msg::TimeControls, En) => "Time controls",
        (Msg::TimeControls, Ko) => "시간 제어",
        (Msg::Pause, En) => "Pause",
        (Msg::Pause, Ko) => "일시 정지",
        (Msg::Play, En) => "Play at normal speed",
        (Msg::Play, Ko) => "보통 속도로 재생",
        (Msg::FastForward, En) => "Fast-forward 10 times",
        (Msg::FastForward, Ko) => "10배속 빨리 감기",
        (Msg::Step, En) => "Step 5 seconds",
        (Msg::Step, Ko) => "5초 앞으로",
        (Msg::SimClock, En) => "Simulated time since the cluster started",
        (Msg::SimClock, Ko) => "클러스터 시작 후 흐른 시뮬레이션 시간",
        (Msg::Paused, En) => "paused",
        (Msg::Paused, Ko) => "일시 정지됨",
        (Msg::Events, En) => "Events",
        (Msg::Events, Ko) => "이벤트",
        (Msg::FilterEvents, En) => "Filter events",
        (Msg::FilterEvents, Ko) => "이벤트 검색",
        (Msg::WarningsOnly, En) => "Warnings only",
        (Msg::WarningsOnly, Ko) => "Warning만 보기",
        (Msg::NoEvents, En) => "No events match.",
        (Msg::NoEvents, Ko) => "해당하는 이벤트가 없습니다.",
        (Msg::Describe, En) => "Describe",
        (Msg::Describe, Ko) => "상세 정보 (describe)",
        (Msg::Close, En) => "Close (Esc)",
        (Msg::Close, Ko) => "닫기 (Esc)",
        (Msg::Owner, En) => "Owner",
        (Msg::Owner, Ko) => "소유자",
        (Msg::Restarts, En) => "restarts",
        (Msg::Restarts, Ko) => "재시작",
    }
}

/// Makes a locale signal available to every component below (English to start with).
pub fn provide_locale() -> RwSignal<Locale> {
    let locale = RwSignal::new(Locale::En);
    provide_context(locale);
    locale
}

/// The page's locale signal; English when no one provided one.
pub fn use_locale() -> Signal<Locale> {
    match use_context::<RwSignal<Locale>>() {
        Some(l) => l.into(),
        None => Signal::stored(Locale::En),
    }
}

/// A reactive translation of `msg`, for views: `{t(Msg::Pause)}`.
pub fn t(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move || tr(locale.get(), msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages_and_differs() {
        for m in Msg::ALL {
            let (en, ko) = (tr(Locale::En, m), tr(Locale::Ko, m));
            assert!(!en.is_empty() && !ko.is_empty(), "{m:?}");
            assert_ne!(en, ko, "{m:?} is not translated");
        }
    }

    #[test]
    fn without_context_the_locale_is_english() {
        let owner = Owner::new();
        owner.with(|| assert_eq!(use_locale().get_untracked(), Locale::En));
    }
}
