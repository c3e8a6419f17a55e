//! How goals read: generated labels in every locale, and the wording helpers (kinds in
//! Korean, particles, counts) the reasons share.

use super::{Bounds, FieldTest, ObjRef, PodConds, Pred, PredKind};
use crate::api::kinds;
use crate::lessons::Text;

impl Pred {
    /// The author's label, else a generated one.
    pub(crate) fn label_text(&self) -> Text {
        self.label.clone().unwrap_or_else(|| self.generated_label())
    }

    fn generated_label(&self) -> Text {
        match &self.kind {
            PredKind::Exists(r) => Text::ko_en(
                format!("{}{} 있음", ko_obj(r), josa(&ko_obj(r), "이", "가")),
                format!(
                    "{} {} exists{}",
                    en_kind(r.kind),
                    r.name,
                    en_ns(&r.namespace)
                ),
            ),
            PredKind::Absent(r) => Text::ko_en(
                format!("{}{} 없음", ko_obj(r), josa(&ko_obj(r), "이", "가")),
                format!(
                    "{} {} is gone{}",
                    en_kind(r.kind),
                    r.name,
                    en_ns(&r.namespace)
                ),
            ),
            PredKind::Count {
                kind,
                namespace,
                selector,
                conds,
                bounds,
            } => {
                let ns_ko = match namespace.as_deref() {
                    None => "모든 네임스페이스의 ".to_string(),
                    Some("default") | Some("") => String::new(),
                    Some(ns) => format!("{ns} 네임스페이스의 "),
                };
                let ns_en = match namespace.as_deref() {
                    None => " in all namespaces".to_string(),
                    Some(ns) => en_ns(ns),
                };
                let sel_ko = selector
                    .as_ref()
                    .map(|(s, _)| format!("`{s}` 레이블이 붙은 "))
                    .unwrap_or_default();
                let sel_en = selector
                    .as_ref()
                    .map(|(s, _)| format!(" labelled `{s}`"))
                    .unwrap_or_default();
                let (c_ko, c_en) = conds_text(conds);
                Text::ko_en(
                    format!(
                        "{ns_ko}{sel_ko}{} {}{}",
                        ko_kind(kind),
                        bounds_ko(bounds),
                        c_ko.map(|c| format!(" ({c})")).unwrap_or_default()
                    ),
                    format!(
                        "{} {}{sel_en}{ns_en}{}",
                        bounds_en(bounds),
                        en_noun(kind, bounds),
                        c_en.map(|c| format!(": {c}")).unwrap_or_default()
                    ),
                )
            }
            PredKind::Field {
                obj,
                path_text,
                test,
                expected_text,
                ..
            } => {
                let (ko_op, en_op) = match test {
                    FieldTest::Equals(_) => ("값이", "is"),
                    FieldTest::Matches(_) => ("값이 패턴", "matches"),
                    FieldTest::Missing => {
                        return Text::ko_en(
                            format!("{}에 {path_text} 없음", ko_obj(obj)),
                            format!(
                                "{path_text} of {} {} is not set",
                                en_kind(obj.kind),
                                obj.name
                            ),
                        )
                    }
                };
                Text::ko_en(
                    format!("{}의 {path_text} {ko_op} {expected_text}", ko_obj(obj)),
                    format!(
                        "{path_text} of {} {} {en_op} {expected_text}",
                        en_kind(obj.kind),
                        obj.name
                    ),
                )
            }
            PredKind::Rollout(r) => Text::ko_en(
                format!("{} 롤아웃 완료", ko_obj(r)),
                format!("deployment {} has finished rolling out", r.name),
            ),
            PredKind::Ran {
                pattern,
                output,
                exit,
                ..
            } => {
                let shown = display_pattern(pattern);
                let (code_ko, code_en) = match exit {
                    0 => (String::new(), String::new()),
                    code => (
                        format!(" (종료 코드 {code})"),
                        format!(" (exit code {code})"),
                    ),
                };
                match output {
                    Some((text, _)) => {
                        let seen = display_pattern(text);
                        Text::ko_en(
                            format!("`{shown}` 실행, 출력에 `{seen}`{code_ko}"),
                            format!("run `{shown}` and see `{seen}`{code_en}"),
                        )
                    }
                    None => Text::ko_en(
                        format!("`{shown}` 실행{code_ko}"),
                        format!("run `{shown}`{code_en}"),
                    ),
                }
            }
            PredKind::Event {
                reason,
                involved_kind,
                name_prefix,
                message,
                ..
            } => {
                let about_ko = match (involved_kind, name_prefix) {
                    (Some(k), Some(n)) => format!("{} {n}에 대한 ", ko_kind(k)),
                    (Some(k), None) => format!("{}에 대한 ", ko_kind(k)),
                    (None, Some(n)) => format!("{n}에 대한 "),
                    (None, None) => String::new(),
                };
                let about_en = match (involved_kind, name_prefix) {
                    (Some(k), Some(n)) => format!(" for {} {n}", en_kind(k)),
                    (Some(k), None) => format!(" for a {}", en_kind(k)),
                    (None, Some(n)) => format!(" for {n}"),
                    (None, None) => String::new(),
                };
                let (says_ko, says_en) = match message {
                    Some((text, _)) => {
                        let m = display_pattern(text);
                        (format!(" (메시지에 `{m}`)"), format!(" saying `{m}`"))
                    }
                    None => (String::new(), String::new()),
                };
                Text::ko_en(
                    format!("{about_ko}{reason} 이벤트 발생{says_ko}"),
                    format!("a {reason} event{about_en}{says_en}"),
                )
            }
            PredKind::Traffic {
                service,
                pods,
                requests,
                ..
            } => {
                let times_ko = if *requests > 1 {
                    format!(" (요청 {requests}개 이상)")
                } else {
                    String::new()
                };
                let times_en = if *requests > 1 {
                    format!(" ({requests} requests or more)")
                } else {
                    String::new()
                };
                if *pods > 1 {
                    Text::ko_en(
                        format!("서비스 {service}에 보낸 요청에 서로 다른 파드 {pods}개 이상이 응답{times_ko}"),
                        format!("requests to service {service} answered by {pods} or more different pods{times_en}"),
                    )
                } else {
                    Text::ko_en(
                        format!("서비스 {service}에 보낸 요청에 파드가 응답{times_ko}"),
                        format!("a request to service {service} answered by a pod{times_en}"),
                    )
                }
            }
            PredKind::All(children) => join(children, " 그리고 ", " and "),
            PredKind::Any(children) => join(children, " 또는 ", " or "),
            PredKind::Not(inner) => {
                let l = inner.label_text();
                Text::ko_en(
                    format!("다음이 아님: {}", l.get("ko")),
                    format!("not: {}", l.get("en")),
                )
            }
            PredKind::Always(inner, _) => {
                let l = inner.label_text();
                Text::ko_en(
                    format!("{} (단계 내내 유지)", l.get("ko")),
                    format!("{} (the whole step long)", l.get("en")),
                )
            }
            PredKind::Ever(inner, _) => {
                let l = inner.label_text();
                Text::ko_en(
                    format!("{} (한 번이라도)", l.get("ko")),
                    format!("{} (at some point)", l.get("en")),
                )
            }
        }
    }
}

pub(super) fn join(children: &[Pred], ko: &str, en: &str) -> Text {
    let labels: Vec<Text> = children.iter().map(Pred::label_text).collect();
    Text::ko_en(
        labels
            .iter()
            .map(|l| l.get("ko"))
            .collect::<Vec<_>>()
            .join(ko),
        labels
            .iter()
            .map(|l| l.get("en"))
            .collect::<Vec<_>>()
            .join(en),
    )
}

pub(super) fn conds_text(c: &PodConds) -> (Option<String>, Option<String>) {
    let mut ko = Vec::new();
    let mut en = Vec::new();
    if let Some(p) = &c.phase {
        ko.push(p.clone());
        en.push(p.clone());
    }
    if let Some(s) = &c.status {
        ko.push(format!("STATUS {s}"));
        en.push(format!("STATUS {s}"));
    }
    match c.ready {
        Some(true) => {
            ko.push("준비됨".into());
            en.push("ready".into());
        }
        Some(false) => {
            ko.push("준비 안 됨".into());
            en.push("not ready".into());
        }
        None => {}
    }
    if let Some(i) = &c.image {
        ko.push(format!("이미지 {i}"));
        en.push(format!("image {i}"));
    }
    if ko.is_empty() {
        (None, None)
    } else {
        (Some(ko.join(", ")), Some(en.join(", ")))
    }
}

pub(super) fn bounds_ko(b: &Bounds) -> String {
    match (b.min, b.max) {
        (Some(a), Some(z)) if a == z => format!("{a}개"),
        (Some(a), Some(z)) => format!("{a}~{z}개"),
        (Some(a), None) => format!("{a}개 이상"),
        (None, Some(z)) => format!("{z}개 이하"),
        (None, None) => "몇 개".into(),
    }
}

/// `pod` or `pods`, agreeing with the number the bounds show.
pub(super) fn en_noun(kind: &str, b: &Bounds) -> String {
    let shown = match (b.min, b.max) {
        (Some(a), Some(z)) if a == z => a,
        (Some(a), None) => a,
        (None, Some(z)) => z,
        _ => 2,
    };
    if shown == 1 {
        en_kind(kind)
    } else {
        en_plural(kind).to_string()
    }
}

pub(super) fn bounds_en(b: &Bounds) -> String {
    match (b.min, b.max) {
        (Some(a), Some(z)) if a == z => format!("{a}"),
        (Some(a), Some(z)) => format!("{a} to {z}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(z)) => format!("at most {z}"),
        (None, None) => "any number of".into(),
    }
}

pub(super) fn rollout_ko(d: &k8s_openapi::api::apps::v1::Deployment, name: &str) -> String {
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    if d.metadata.generation > st.observed_generation {
        return format!("{name} 디플로이먼트의 변경을 컨트롤러가 아직 반영하지 않았습니다");
    }
    let replicas = spec.replicas.unwrap_or(1);
    let updated = st.updated_replicas.unwrap_or(0);
    let total = st.replicas.unwrap_or(0);
    let available = st.available_replicas.unwrap_or(0);
    if updated < replicas {
        format!("새 레플리카 {replicas}개 중 {updated}개만 업데이트되었습니다")
    } else if total > updated {
        format!(
            "예전 레플리카 {}개가 아직 종료를 기다립니다",
            total - updated
        )
    } else {
        format!("업데이트된 레플리카 {updated}개 중 {available}개만 사용 가능합니다")
    }
}

/// A `ran` pattern as a person would type it: regex escapes and `\s+` removed.
pub(super) fn display_pattern(p: &str) -> String {
    let p = p.trim_start_matches('^').trim_end_matches('$');
    let p = p
        .replace("\\s+", " ")
        .replace("\\s*", " ")
        .replace(" +", " ");
    let mut out = String::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn en_ns(ns: &str) -> String {
    if ns.is_empty() || ns == "default" {
        String::new()
    } else {
        format!(" in namespace {ns}")
    }
}

/// `deployment`, `pod`: the kind as kubectl names it in messages.
pub(super) fn en_kind(kind: &str) -> String {
    kind.to_ascii_lowercase()
}

pub(super) fn en_plural(kind: &str) -> &'static str {
    kinds::info(kind).plural
}

/// The kind in Korean, as the course notes write it.
pub(super) fn ko_kind(kind: &str) -> &'static str {
    match kind {
        "Pod" => "파드",
        "Deployment" => "디플로이먼트",
        "ReplicaSet" => "레플리카셋",
        "ReplicationController" => "레플리케이션컨트롤러",
        "Namespace" => "네임스페이스",
        "Node" => "노드",
        "Service" => "서비스",
        "ConfigMap" => "컨피그맵",
        "StatefulSet" => "스테이트풀셋",
        "DaemonSet" => "데몬셋",
        "Job" => "잡",
        "CronJob" => "크론잡",
        "Event" => "이벤트",
        "Endpoints" => "엔드포인트",
        "ServiceAccount" => "서비스어카운트",
        "PersistentVolumeClaim" => "퍼시스턴트볼륨클레임",
        _ => "오브젝트",
    }
}

/// `dev 네임스페이스의 nginx 파드`.
pub(super) fn ko_obj(r: &ObjRef) -> String {
    let ns = if r.namespace.is_empty() || r.namespace == "default" {
        String::new()
    } else {
        format!("{} 네임스페이스의 ", r.namespace)
    };
    format!("{ns}{} {}", r.name, ko_kind(r.kind))
}

/// The Korean particle that follows `word`: `with` after a final consonant, else `without`.
pub(super) fn josa(word: &str, with: &'static str, without: &'static str) -> &'static str {
    match word.chars().last() {
        Some(c @ '가'..='힣') if !(c as u32 - 0xAC00).is_multiple_of(28) => with,
        _ => without,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_particles_follow_the_last_syllable() {
        assert_eq!(josa("레플리카셋", "이", "가"), "이");
        assert_eq!(josa("파드", "이", "가"), "가");
        assert_eq!(josa("web", "이", "가"), "가");
    }

    #[test]
    fn patterns_display_as_typed() {
        assert_eq!(
            display_pattern(r"kubectl\s+get\s+nodes"),
            "kubectl get nodes"
        );
        assert_eq!(display_pattern(r"^kubectl get po\.?$"), "kubectl get po.?");
    }
}
