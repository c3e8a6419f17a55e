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
    /// Shown on the board until the engine worker has answered once.
    Starting,
    TimeControls,
    Pause,
    Play,
    FastForward,
    Quick,
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
    Console,
    Command,
    WelcomeTry,
    WelcomeOr,
    WelcomeEnd,
    ResetCluster,
    ResetConfirm,
    Language,
    SwitchLanguage,
    EditorKeys,
    EditorSave,
    EditorCancel,
    EditorNotSaved,
    Problems,
    Line,
    SessionDropped,
    SessionRestored,
    FilterToObject,
    ViInsertMode,
    EditorLabel,
    EditorTextLabel,
    NodeLabel,
    SessionDamaged,
    SessionOtherFormat,
    Files,
    DiscardChanges,
    NoFiles,
    Traffic,
    AnsweredBy,
    LastRequests,
    Failed,
    NewestRequests,
    PodGone,
    Storage,
    Claims,
    PersistentVolumes,
    Volumes,
    UsedBy,
    NotUsed,
    Asks,
    NoClass,
    ClaimMissing,
    BlockNoVolume,
    BlockConsumer,
    BlockNoClass,
    BlockProvisioner,
    Autoscaling,
    ChartReplicas,
    ChartUtilization,
    ChartTarget,
    ChartLoad,
    ChartPeak,
    ChartTime,
    ChartFormula,
    ChartBounded,
    ChartSummary,
    ChartLastDecision,
    ChartPick,
    ChartDecision,
    ShowTable,
    ShowChart,
    ChartWaiting,
    WhyUnknown,
    WhyTargetMissing,
    WhyNoMetricsApi,
    WhyMetricsUnavailable,
    WhyInsecureTls,
    WhyNoPods,
    WhyNoRequest,
    WhyMetricsNotReady,
    WhyWaitingForSync,
    CpuUsed,
    MemoryUsed,
    ViCommandLine,
    ViUnsupported,
    MoreColumns,
    MoreColumnsLabel,
    DroppedLastCommand,
    SlowRestore,
    KeepWaiting,
    StartFresh,
    ReloadWithoutLast,
    CannotSave,
    StillWorking,
}

impl Msg {
    /// Every message, for completeness checks.
    pub const ALL: [Msg; 113] = [
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
        Msg::Starting,
        Msg::TimeControls,
        Msg::Pause,
        Msg::Play,
        Msg::FastForward,
        Msg::Quick,
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
        Msg::Console,
        Msg::Command,
        Msg::WelcomeTry,
        Msg::WelcomeOr,
        Msg::WelcomeEnd,
        Msg::ResetCluster,
        Msg::ResetConfirm,
        Msg::Language,
        Msg::SwitchLanguage,
        Msg::EditorKeys,
        Msg::EditorSave,
        Msg::EditorCancel,
        Msg::EditorNotSaved,
        Msg::Problems,
        Msg::Line,
        Msg::SessionDropped,
        Msg::SessionRestored,
        Msg::FilterToObject,
        Msg::ViInsertMode,
        Msg::EditorLabel,
        Msg::EditorTextLabel,
        Msg::NodeLabel,
        Msg::SessionDamaged,
        Msg::SessionOtherFormat,
        Msg::Files,
        Msg::DiscardChanges,
        Msg::NoFiles,
        Msg::Traffic,
        Msg::AnsweredBy,
        Msg::LastRequests,
        Msg::Failed,
        Msg::NewestRequests,
        Msg::PodGone,
        Msg::Storage,
        Msg::Claims,
        Msg::PersistentVolumes,
        Msg::Volumes,
        Msg::UsedBy,
        Msg::NotUsed,
        Msg::Asks,
        Msg::NoClass,
        Msg::ClaimMissing,
        Msg::BlockNoVolume,
        Msg::BlockConsumer,
        Msg::BlockNoClass,
        Msg::BlockProvisioner,
        Msg::Autoscaling,
        Msg::ChartReplicas,
        Msg::ChartUtilization,
        Msg::ChartTarget,
        Msg::ChartLoad,
        Msg::ChartPeak,
        Msg::ChartTime,
        Msg::ChartFormula,
        Msg::ChartBounded,
        Msg::ChartSummary,
        Msg::ChartLastDecision,
        Msg::ChartPick,
        Msg::ChartDecision,
        Msg::ShowTable,
        Msg::ShowChart,
        Msg::ChartWaiting,
        Msg::WhyUnknown,
        Msg::WhyTargetMissing,
        Msg::WhyNoMetricsApi,
        Msg::WhyMetricsUnavailable,
        Msg::WhyInsecureTls,
        Msg::WhyNoPods,
        Msg::WhyNoRequest,
        Msg::WhyMetricsNotReady,
        Msg::WhyWaitingForSync,
        Msg::CpuUsed,
        Msg::MemoryUsed,
        Msg::ViCommandLine,
        Msg::ViUnsupported,
        Msg::MoreColumns,
        Msg::MoreColumnsLabel,
        Msg::DroppedLastCommand,
        Msg::SlowRestore,
        Msg::KeepWaiting,
        Msg::StartFresh,
        Msg::ReloadWithoutLast,
        Msg::CannotSave,
        Msg::StillWorking,
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
        (Msg::Starting, En) => "Starting the cluster…",
        (Msg::Starting, Ko) => "클러스터를 시작하는 중…",
        (Msg::TimeControls, En) => "Time controls",
        (Msg::TimeControls, Ko) => "시간 제어",
        (Msg::Pause, En) => "Pause",
        (Msg::Pause, Ko) => "일시 정지",
        (Msg::Play, En) => "Play at normal speed",
        (Msg::Play, Ko) => "보통 속도로 재생",
        (Msg::Quick, En) => "Play 3 times as fast",
        (Msg::Quick, Ko) => "3배속으로 재생",
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
        (Msg::WarningsOnly, Ko) => "경고(Warning)만 보기",
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
        (Msg::Console, En) => "Console",
        (Msg::Console, Ko) => "콘솔",
        (Msg::Command, En) => "Command",
        (Msg::Command, Ko) => "명령",
        (Msg::WelcomeTry, En) => "Welcome to Kubeplay. Try ",
        (Msg::WelcomeTry, Ko) => "Kubeplay에 오신 것을 환영합니다. ",
        (Msg::WelcomeOr, En) => ", or type ",
        (Msg::WelcomeOr, Ko) => "를 입력해 보거나, 도움말은 ",
        (Msg::WelcomeEnd, En) => ".",
        (Msg::WelcomeEnd, Ko) => "를 입력하세요.",
        (Msg::ResetCluster, En) => "Reset cluster",
        (Msg::ResetCluster, Ko) => "클러스터 초기화",
        (Msg::ResetConfirm, En) => {
            "Reset the cluster? Every object and workspace file goes; your command history stays."
        }
        (Msg::ResetConfirm, Ko) => {
            "클러스터를 초기화할까요? 모든 오브젝트와 작업 파일이 사라지고, 명령 기록은 남습니다."
        }
        (Msg::Language, En) => "Language",
        (Msg::Language, Ko) => "언어",
        (Msg::SwitchLanguage, En) => "한국어",
        (Msg::SwitchLanguage, Ko) => "English",
        (Msg::EditorKeys, En) => "Esc :wq save · Esc :q! quit without saving · Ctrl-S save",
        (Msg::EditorKeys, Ko) => "Esc :wq 저장 · Esc :q! 저장하지 않고 나가기 · Ctrl-S 저장",
        (Msg::EditorSave, En) => ":wq Save",
        (Msg::EditorSave, Ko) => ":wq 저장",
        (Msg::EditorCancel, En) => ":q! Cancel",
        (Msg::EditorCancel, Ko) => ":q! 취소",
        (Msg::EditorNotSaved, En) => "Not saved: see the errors at the top of the file.",
        (Msg::EditorNotSaved, Ko) => "저장되지 않았습니다. 파일 맨 위의 오류를 확인하세요.",
        (Msg::Problems, En) => "Problems",
        (Msg::Problems, Ko) => "문제",
        (Msg::Line, En) => "line {n}",
        (Msg::Line, Ko) => "{n}번 줄",
        (Msg::SessionDropped, En) => {
            "The saved session could not be used, so a fresh cluster started"
        }
        (Msg::SessionDropped, Ko) => "저장된 세션을 쓸 수 없어 새 클러스터로 시작합니다",
        (Msg::SessionRestored, En) => "Session restored: {n} command{s} replayed.",
        // vim's `showmode` line, as vim's own Korean translation words it.
        (Msg::ViInsertMode, En) => "-- INSERT --",
        (Msg::ViInsertMode, Ko) => "-- 끼워넣기 --",
        (Msg::EditorLabel, En) => "Editor: {file}",
        (Msg::EditorLabel, Ko) => "편집기: {file}",
        (Msg::EditorTextLabel, En) => "Text of {file}",
        (Msg::EditorTextLabel, Ko) => "{file}의 내용",
        (Msg::NodeLabel, En) => "Node {name}",
        (Msg::NodeLabel, Ko) => "노드 {name}",
        (Msg::SessionDamaged, En) => "the saved session is damaged ({why})",
        (Msg::SessionDamaged, Ko) => "저장된 세션이 손상되었습니다 ({why})",
        (Msg::SessionOtherFormat, En) => "the saved session is from another version (format {v})",
        (Msg::SessionOtherFormat, Ko) => "저장된 세션이 다른 버전의 것입니다 (형식 {v})",
        (Msg::FilterToObject, En) => "Show only the events of {object}",
        (Msg::FilterToObject, Ko) => "{object}의 이벤트만 보기",
        (Msg::SessionRestored, Ko) => "세션을 복원했습니다: 명령 {n}개를 다시 실행했습니다.",
        (Msg::Files, En) => "Files",
        (Msg::Files, Ko) => "파일",
        (Msg::DiscardChanges, En) => "Discard the unsaved changes to this file?",
        (Msg::DiscardChanges, Ko) => "이 파일의 저장하지 않은 변경을 버릴까요?",
        (Msg::NoFiles, En) => "No files yet",
        (Msg::NoFiles, Ko) => "아직 파일이 없습니다",
        (Msg::Traffic, En) => "Traffic",
        (Msg::Traffic, Ko) => "트래픽",
        (Msg::AnsweredBy, En) => "Which pods answered each Service",
        (Msg::AnsweredBy, Ko) => "Service별로 응답한 Pod",
        (Msg::LastRequests, En) => "last {n} request{s}",
        (Msg::LastRequests, Ko) => "최근 요청 {n}개",
        (Msg::Failed, En) => "failed",
        (Msg::Failed, Ko) => "실패",
        (Msg::NewestRequests, En) => "Newest requests",
        (Msg::NewestRequests, Ko) => "최근 요청",
        (Msg::PodGone, En) => "this pod is gone",
        (Msg::PodGone, Ko) => "삭제된 Pod",
        (Msg::Storage, En) => "Storage",
        (Msg::Storage, Ko) => "스토리지",
        (Msg::Claims, En) => "PersistentVolumeClaims",
        (Msg::Claims, Ko) => "PersistentVolumeClaim (PVC)",
        (Msg::PersistentVolumes, En) => "PersistentVolumes",
        (Msg::PersistentVolumes, Ko) => "PersistentVolume (PV)",
        (Msg::Volumes, En) => "Volumes",
        (Msg::Volumes, Ko) => "볼륨",
        (Msg::UsedBy, En) => "used by",
        (Msg::UsedBy, Ko) => "사용 중",
        (Msg::NotUsed, En) => "no pod uses it",
        (Msg::NotUsed, Ko) => "사용하는 Pod 없음",
        (Msg::Asks, En) => "asks for {n}",
        (Msg::Asks, Ko) => "{n} 요청",
        (Msg::NoClass, En) => "no StorageClass",
        (Msg::NoClass, Ko) => "StorageClass 없음",
        (Msg::ClaimMissing, En) => "no such claim",
        (Msg::ClaimMissing, Ko) => "없는 PVC",
        (Msg::BlockNoVolume, En) => "No PersistentVolume matches this claim, and with no StorageClass none will be made: create a PersistentVolume with the same storageClassName, its access modes and enough capacity.",
        (Msg::BlockNoVolume, Ko) => "이 PVC에 맞는 PersistentVolume이 없고, StorageClass가 없어 새로 만들어지지도 않습니다. 같은 storageClassName과 접근 모드, 충분한 용량의 PersistentVolume을 만드세요.",
        (Msg::BlockConsumer, En) => "Its StorageClass binds only once a pod uses the claim: the volume comes on the node that pod is scheduled to.",
        (Msg::BlockConsumer, Ko) => "이 StorageClass는 PVC를 쓰는 Pod가 생겨야 바인딩합니다. 볼륨은 그 Pod가 배치된 Node에 만들어집니다.",
        (Msg::BlockNoClass, En) => "The StorageClass it names does not exist: create it, or fix storageClassName.",
        (Msg::BlockNoClass, Ko) => "지정한 StorageClass가 없습니다. StorageClass를 만들거나 storageClassName을 고치세요.",
        (Msg::BlockProvisioner, En) => "Waiting for its StorageClass's provisioner to create a volume: is the provisioner installed and running?",
        (Msg::BlockProvisioner, Ko) => "StorageClass의 프로비저너가 볼륨을 만들기를 기다리는 중입니다. 프로비저너가 설치되어 실행 중인가요?",
        (Msg::Autoscaling, En) => "Autoscaling",
        (Msg::Autoscaling, Ko) => "오토스케일링",
        (Msg::ChartReplicas, En) => "replicas",
        (Msg::ChartReplicas, Ko) => "레플리카",
        (Msg::ChartUtilization, En) => "CPU utilization",
        (Msg::ChartUtilization, Ko) => "CPU 사용률",
        (Msg::ChartTarget, En) => "target",
        (Msg::ChartTarget, Ko) => "목표",
        (Msg::ChartLoad, En) => "load (requests/s)",
        (Msg::ChartLoad, Ko) => "부하 (초당 요청)",
        (Msg::ChartPeak, En) => "peak {n}/s",
        (Msg::ChartPeak, Ko) => "최대 {n}/s",
        (Msg::ChartTime, En) => "time",
        (Msg::ChartTime, Ko) => "시간",
        (Msg::ChartFormula, En) => "formula",
        (Msg::ChartFormula, Ko) => "계산식",
        (Msg::ChartBounded, En) => "bounded by min/max replicas or the scaling behavior",
        (Msg::ChartBounded, Ko) => "최소/최대 레플리카 또는 스케일링 동작(behavior)으로 제한됨",
        (Msg::ChartSummary, En) => "HorizontalPodAutoscaler {name}: {replicas} replicas (min {min}, max {max}), {targets}.",
        (Msg::ChartSummary, Ko) => "HorizontalPodAutoscaler {name}: 레플리카 {replicas}개 (최소 {min}, 최대 {max}), {targets}.",
        (Msg::ChartLastDecision, En) => "{n} scaling decision{s}; the last {from} → {to} at {at}.",
        (Msg::ChartLastDecision, Ko) => "스케일링 결정 {n}번, 마지막은 {at}에 {from} → {to}.",
        (Msg::ChartPick, En) => "Select a marker (▲ ▼) to see why it scaled.",
        (Msg::ChartPick, Ko) => "마커(▲ ▼)를 선택하면 스케일링한 이유가 보입니다.",
        (Msg::ChartDecision, En) => "Scaling decision",
        (Msg::ChartDecision, Ko) => "스케일링 결정",
        (Msg::ShowTable, En) => "Show as table",
        (Msg::ShowTable, Ko) => "표로 보기",
        (Msg::ShowChart, En) => "Show chart",
        (Msg::ShowChart, Ko) => "차트로 보기",
        (Msg::ChartWaiting, En) => "The first point comes at the next 15-second mark.",
        (Msg::ChartWaiting, Ko) => "첫 점은 다음 15초 눈금에 찍힙니다.",
        (Msg::WhyUnknown, En) => "Why <unknown>?",
        (Msg::WhyUnknown, Ko) => "왜 <unknown>인가요?",
        (Msg::WhyTargetMissing, En) => "Its scaleTargetRef names nothing that exists: create that workload, or fix the name.",
        (Msg::WhyTargetMissing, Ko) => "scaleTargetRef가 가리키는 워크로드가 없습니다. 워크로드를 만들거나 이름을 고치세요.",
        (Msg::WhyNoMetricsApi, En) => "metrics-server is not installed: no APIService serves metrics.k8s.io, so the HPA has no CPU numbers to read.",
        (Msg::WhyNoMetricsApi, Ko) => "metrics-server가 설치되어 있지 않습니다. metrics.k8s.io를 제공하는 APIService가 없어 HPA가 읽을 CPU 수치가 없습니다.",
        (Msg::WhyMetricsUnavailable, En) => "metrics-server is installed but not ready: its APIService v1beta1.metrics.k8s.io is not Available yet.",
        (Msg::WhyMetricsUnavailable, Ko) => "metrics-server가 설치되었지만 아직 준비되지 않았습니다. APIService v1beta1.metrics.k8s.io가 아직 Available이 아닙니다.",
        (Msg::WhyInsecureTls, En) => "On kubeadm it cannot verify the kubelets' self-signed certificates (see its logs): add --kubelet-insecure-tls to its container args.",
        (Msg::WhyInsecureTls, Ko) => "kubeadm 클러스터에서는 kubelet의 자체 서명 인증서를 검증하지 못합니다(로그 확인). 컨테이너 args에 --kubelet-insecure-tls를 추가하세요.",
        (Msg::WhyNoPods, En) => "The target has no pods to measure.",
        (Msg::WhyNoPods, Ko) => "측정할 Pod가 대상에 없습니다.",
        (Msg::WhyNoRequest, En) => "Container {container} of pod {pod} requests no CPU: utilization is a percentage of the request, so set resources.requests.cpu.",
        (Msg::WhyNoRequest, Ko) => "Pod {pod}의 컨테이너 {container}에 CPU 요청량이 없습니다. 사용률은 요청량 대비 비율이므로 resources.requests.cpu를 지정하세요.",
        (Msg::WhyMetricsNotReady, En) => "metrics-server has no numbers for these pods yet: its first scrapes take about a minute (pods that are not ready are skipped).",
        (Msg::WhyMetricsNotReady, Ko) => "metrics-server에 아직 이 Pod들의 수치가 없습니다. 첫 수집에 1분쯤 걸립니다(준비되지 않은 Pod는 건너뜁니다).",
        (Msg::WhyWaitingForSync, En) => "Metrics are there: the HPA reads them at its next sync (every 15 seconds).",
        (Msg::WhyWaitingForSync, Ko) => "메트릭은 준비되었습니다. HPA가 다음 동기화(15초마다)에 읽습니다.",
        (Msg::CpuUsed, En) => "CPU used",
        (Msg::CpuUsed, Ko) => "CPU 사용량",
        (Msg::MemoryUsed, En) => "Memory used",
        (Msg::MemoryUsed, Ko) => "메모리 사용량",
        (Msg::ViCommandLine, En) => "vi command (after the colon)",
        (Msg::ViCommandLine, Ko) => "vi 명령(콜론 뒤)",
        (Msg::ViUnsupported, En) => "{cmd}: not available here (this editor takes :w, :wq, :x, :q, :q! and :N)",
        (Msg::ViUnsupported, Ko) => "{cmd}: 여기서는 쓸 수 없습니다(이 편집기는 :w, :wq, :x, :q, :q!, :N을 받습니다)",
        (Msg::MoreColumns, En) => "more →",
        (Msg::MoreColumns, Ko) => "더 보기 →",
        (Msg::MoreColumnsLabel, En) => "Scroll right: the output is wider than the console",
        (Msg::MoreColumnsLabel, Ko) => "오른쪽으로 스크롤: 출력이 콘솔보다 넓습니다",
        (Msg::DroppedLastCommand, En) => "Reloaded without the last command: {cmd}",
        (Msg::DroppedLastCommand, Ko) => "마지막 명령 없이 다시 불러왔습니다: {cmd}",
        (Msg::SlowRestore, En) => {
            "Restoring your session is taking longer than usual ({n} command{s} to replay)."
        }
        (Msg::SlowRestore, Ko) => {
            "세션 복원이 평소보다 오래 걸리고 있습니다 (다시 실행할 명령 {n}개)."
        }
        (Msg::StillWorking, En) => "Kubeplay is still working on the last command ({n} s).",
        (Msg::StillWorking, Ko) => "Kubeplay가 마지막 명령을 아직 처리하고 있습니다 ({n}초).",
        (Msg::KeepWaiting, En) => "Keep waiting",
        (Msg::KeepWaiting, Ko) => "계속 기다리기",
        (Msg::StartFresh, En) => "Start from a fresh cluster",
        (Msg::StartFresh, Ko) => "새 클러스터로 시작",
        (Msg::ReloadWithoutLast, En) => "Reload without the last command",
        (Msg::ReloadWithoutLast, Ko) => "마지막 명령 없이 다시 불러오기",
        (Msg::CannotSave, En) => {
            "The browser's storage is full: this session is no longer saved, so a reload would \
             lose what you have done since."
        }
        (Msg::CannotSave, Ko) => {
            "브라우저 저장 공간이 가득 찼습니다. 이 세션은 더 이상 저장되지 않으므로, 다시 \
             불러오면 그 뒤에 한 일이 사라집니다."
        }
    }
}

impl Locale {
    /// The language code (`en`, `ko`), as saved and as `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ko => "ko",
        }
    }

    /// The locale for a language code or tag (`ko`, `ko-KR`, `en-US`): Korean for `ko*`,
    /// English otherwise.
    pub fn from_code(code: &str) -> Locale {
        if code.trim().to_ascii_lowercase().starts_with("ko") {
            Locale::Ko
        } else {
            Locale::En
        }
    }

    /// The other language (the switch's target).
    pub fn other(self) -> Locale {
        match self {
            Locale::En => Locale::Ko,
            Locale::Ko => Locale::En,
        }
    }
}

/// Why a saved session was not used, in `locale` (a parser's own detail stays as it is).
pub fn load_error(locale: Locale, e: &crate::journal::LoadError) -> String {
    use crate::journal::LoadError;
    match e {
        LoadError::Corrupt(why) => tr(locale, Msg::SessionDamaged).replace("{why}", why),
        LoadError::OtherFormat(v) => {
            tr(locale, Msg::SessionOtherFormat).replace("{v}", &v.to_string())
        }
    }
}

/// A message with a count: `{n}` becomes `n`, and `{s}` the English plural ending.
pub fn counted(locale: Locale, msg: Msg, n: usize) -> String {
    let plural = if n == 1 { "" } else { "s" };
    tr(locale, msg)
        .replace("{n}", &n.to_string())
        .replace("{s}", plural)
}

/// Makes a locale signal available to every component below.
pub fn provide_locale(initial: Locale) -> RwSignal<Locale> {
    let locale = RwSignal::new(initial);
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
    fn language_codes_and_tags() {
        assert_eq!(Locale::from_code("ko-KR"), Locale::Ko);
        assert_eq!(Locale::from_code("en-US"), Locale::En);
        assert_eq!(Locale::from_code("fr"), Locale::En);
        assert_eq!(Locale::from_code(Locale::Ko.code()), Locale::Ko);
        assert_eq!(Locale::En.other(), Locale::Ko);
    }

    #[test]
    fn without_context_the_locale_is_english() {
        let owner = Owner::new();
        owner.with(|| assert_eq!(use_locale().get_untracked(), Locale::En));
    }
}
