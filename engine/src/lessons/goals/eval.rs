//! Evaluating goals against the cluster's store: whether each holds, and why not.

use serde_json::Value as Json;

use super::describe::{
    bounds_en, bounds_ko, conds_text, en_kind, en_noun, josa, ko_kind, ko_obj, rollout_ko,
};
use super::{Bounds, FieldTest, PodConds, Pred, PredKind, Seg};
use crate::api::object::Object;
use crate::api::selector::Selector;
use crate::cluster::Cluster;
use crate::lessons::history::History;
use crate::lessons::Text;

/// The outcome of one predicate: whether it holds, and why not.
#[derive(Clone, Debug)]
pub(crate) struct Eval {
    pub met: bool,
    pub why: Option<Text>,
}

impl Eval {
    fn yes() -> Eval {
        Eval {
            met: true,
            why: None,
        }
    }

    fn no(why: Text) -> Eval {
        Eval {
            met: false,
            why: Some(why),
        }
    }

    fn check(met: bool, why: impl FnOnce() -> Text) -> Eval {
        if met {
            Eval::yes()
        } else {
            Eval::no(why())
        }
    }
}

impl Pred {
    /// Evaluates against `cluster`, updating `always`/`ever` slots in `history`.
    pub(crate) fn eval(&self, cluster: &Cluster, history: &mut History) -> Eval {
        match &self.kind {
            PredKind::Exists(r) => {
                let found = cluster
                    .world
                    .api
                    .get(r.kind, &r.namespace, &r.name)
                    .is_some();
                Eval::check(found, || {
                    Text::ko_en(
                        format!(
                            "{}{} 아직 없습니다",
                            ko_obj(r),
                            josa(&ko_obj(r), "이", "가")
                        ),
                        format!("{} {} not found yet", en_kind(r.kind), r.name),
                    )
                })
            }
            PredKind::Absent(r) => {
                let obj = cluster.world.api.get(r.kind, &r.namespace, &r.name);
                let deleting = obj.is_some_and(|o| o.metadata().deletion_timestamp.is_some());
                Eval::check(obj.is_none(), || {
                    if deleting {
                        Text::ko_en(
                            format!("{} 삭제 중입니다 (Terminating)", ko_obj(r)),
                            format!("{} {} is still terminating", en_kind(r.kind), r.name),
                        )
                    } else {
                        Text::ko_en(
                            format!(
                                "{}{} 아직 있습니다",
                                ko_obj(r),
                                josa(&ko_obj(r), "이", "가")
                            ),
                            format!("{} {} still exists", en_kind(r.kind), r.name),
                        )
                    }
                })
            }
            PredKind::Count {
                kind,
                namespace,
                selector,
                conds,
                bounds,
            } => count(
                cluster,
                kind,
                namespace.as_deref(),
                selector,
                conds,
                *bounds,
            ),
            PredKind::Field {
                obj,
                path_text,
                path,
                test,
                expected_text,
            } => {
                let Some(o) = cluster.world.api.get(obj.kind, &obj.namespace, &obj.name) else {
                    return Eval::no(Text::ko_en(
                        format!("{}{} 없습니다", ko_obj(obj), josa(&ko_obj(obj), "이", "가")),
                        format!("{} {} not found", en_kind(obj.kind), obj.name),
                    ));
                };
                let json = o.to_json();
                let value = lookup(&json, path);
                if let FieldTest::Missing = test {
                    return Eval::check(value.is_none_or(Json::is_null), || {
                        let v = value.map(json_text).unwrap_or_default();
                        Text::ko_en(
                            format!("{path_text} 값이 지금 {v}"),
                            format!("{path_text} is {v}"),
                        )
                    });
                }
                let met = match (test, value) {
                    (FieldTest::Missing, _) | (_, None) => false,
                    (FieldTest::Equals(want), Some(v)) => json_equal(v, want),
                    (FieldTest::Matches(re), Some(v)) => re.is_match(&json_text(v)),
                };
                Eval::check(met, || match value {
                    None => Text::ko_en(
                        format!("{path_text} 값이 없습니다 (기대값: {expected_text})"),
                        format!("{path_text} is not set (expected {expected_text})"),
                    ),
                    Some(v) => Text::ko_en(
                        format!(
                            "{path_text} 값이 지금 {} (기대값: {expected_text})",
                            json_text(v)
                        ),
                        format!("{path_text} is {} (expected {expected_text})", json_text(v)),
                    ),
                })
            }
            PredKind::Rollout(r) => match cluster.world.api.get(r.kind, &r.namespace, &r.name) {
                Some(Object::Deployment(d)) => {
                    let (message, done, _) = crate::printers::rollout_status::deployment(d);
                    Eval::check(done, || {
                        Text::ko_en(rollout_ko(d, &r.name), message.clone())
                    })
                }
                _ => Eval::no(Text::ko_en(
                    format!("{}{} 없습니다", ko_obj(r), josa(&ko_obj(r), "이", "가")),
                    format!("deployment {} not found", r.name),
                )),
            },
            PredKind::Ran {
                slot, output, exit, ..
            } => Eval::check(history.slot(*slot), || {
                let (run_ko, run_en) = match exit {
                    0 => ("성공한 명령".to_string(), "successful run".to_string()),
                    code => (
                        format!("종료 코드 {code}로 끝난 명령"),
                        format!("run exiting with code {code}"),
                    ),
                };
                match output {
                    Some((text, _)) => Text::ko_en(
                        format!("이 단계에서 {run_ko} 중 출력에 `{text}` 부분이 있는 것이 아직 없습니다"),
                        format!("no {run_en} in this step has printed `{text}` yet"),
                    ),
                    None if *exit == 0 => Text::ko_en(
                        "이 단계에서 아직 실행하지 않았습니다",
                        "not run successfully in this step yet",
                    ),
                    None => Text::ko_en(
                        format!("이 단계에서 {run_ko}이 아직 없습니다"),
                        format!("no {run_en} in this step yet"),
                    ),
                }
            }),
            PredKind::Event { slot, .. } => Eval::check(history.slot(*slot), || {
                Text::ko_en(
                    "이 단계가 시작된 뒤로 아직 일어나지 않았습니다",
                    "has not happened since the step started",
                )
            }),
            PredKind::Traffic {
                service,
                pods,
                requests,
                slot,
                ..
            } => {
                let (seen_pods, seen) = history.answered(*slot);
                Eval::check(history.slot(*slot), || {
                    Text::ko_en(
                        format!("이 단계에서 서비스 {service}에 보낸 요청 {seen}개에 파드 {seen_pods}개가 응답했습니다 (요청 {requests}개, 파드 {pods}개 필요)"),
                        format!("{seen} requests to service {service} answered by {seen_pods} different pods in this step (needs {requests} requests, {pods} pods)"),
                    )
                })
            }
            PredKind::All(children) => {
                let evals: Vec<Eval> = children.iter().map(|c| c.eval(cluster, history)).collect();
                match evals.into_iter().find(|e| !e.met) {
                    None => Eval::yes(),
                    Some(first) => first,
                }
            }
            PredKind::Any(children) => {
                let evals: Vec<Eval> = children.iter().map(|c| c.eval(cluster, history)).collect();
                if evals.iter().any(|e| e.met) {
                    Eval::yes()
                } else {
                    evals.into_iter().next().unwrap_or(Eval::yes())
                }
            }
            PredKind::Not(inner) => {
                let e = inner.eval(cluster, history);
                Eval::check(!e.met, || {
                    let l = inner.label_text();
                    Text::ko_en(
                        format!("지금은 성립합니다: {}", l.get("ko")),
                        format!("currently true: {}", l.get("en")),
                    )
                })
            }
            PredKind::Always(inner, slot) => {
                let e = inner.eval(cluster, history);
                if !e.met {
                    history.set(*slot, false);
                }
                Eval::check(history.slot(*slot), || {
                    let mut why = Text::ko_en(
                        "이 단계 도중에 한 번 깨졌습니다 (`restart`로 단계를 다시 시작하세요)",
                        "it stopped holding during this step (restart the step to try again)",
                    );
                    if let Some(now) = e.why {
                        for (locale, text) in why.0.iter_mut() {
                            text.push_str(&format!(" — {}", now.get(locale)));
                        }
                    }
                    why
                })
            }
            PredKind::Ever(inner, slot) => {
                let e = inner.eval(cluster, history);
                if e.met {
                    history.set(*slot, true);
                }
                Eval::check(history.slot(*slot), || {
                    e.why.unwrap_or_else(|| {
                        Text::ko_en("아직 한 번도 성립하지 않았습니다", "has not held yet")
                    })
                })
            }
        }
    }
}

pub(super) fn count(
    cluster: &Cluster,
    kind: &'static str,
    namespace: Option<&str>,
    selector: &Option<(String, Selector)>,
    conds: &PodConds,
    bounds: Bounds,
) -> Eval {
    let mut matched = 0u64;
    let mut qualifying = 0u64;
    // Pods by STATUS column, for the reason: "2 Running, 1 ContainerCreating".
    let mut by_status: Vec<(String, u64)> = Vec::new();
    for o in cluster.world.api.list(kind, namespace) {
        if let Some((_, sel)) = selector {
            if !sel.matches(o.metadata().labels.as_ref()) {
                continue;
            }
        }
        // Objects being deleted are on their way out: controllers no longer count them.
        if o.metadata().deletion_timestamp.is_some() {
            if let Object::Pod(p) = o {
                bump(&mut by_status, crate::printers::pod_columns::status(p));
            }
            continue;
        }
        matched += 1;
        let ok = match o {
            Object::Pod(p) => {
                bump(&mut by_status, crate::printers::pod_columns::status(p));
                pod_meets(p, conds)
            }
            _ => true,
        };
        if ok {
            qualifying += 1;
        }
    }
    let met =
        bounds.min.is_none_or(|m| qualifying >= m) && bounds.max.is_none_or(|m| qualifying <= m);
    Eval::check(met, || {
        let (c_ko, c_en) = conds_text(conds);
        let found_ko = match c_ko {
            Some(c) => format!("조건({c})에 맞는 것은 {qualifying}개입니다 (전체 {matched}개)"),
            None => format!("지금 {qualifying}개입니다"),
        };
        let found_en = match c_en {
            Some(c) => format!("{qualifying} of {matched} are {c}"),
            None => format!("found {qualifying}"),
        };
        let detail: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let detail_ko: Vec<String> = by_status
            .iter()
            .map(|(s, n)| format!("{s} {n}개"))
            .collect();
        let (detail_en, detail_ko) = if detail.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!(" ({})", detail.join(", ")),
                format!(" — {}", detail_ko.join(", ")),
            )
        };
        let k = ko_kind(kind);
        let need_ko = match (bounds.min, bounds.max) {
            (_, Some(0)) => format!("{k}{} 없어야 하는데", josa(k, "이", "가")),
            (None, Some(z)) => format!("{k}{} {z}개 이하여야 하는데", josa(k, "이", "가")),
            _ => format!("{k}{} {} 필요한데", josa(k, "이", "가"), bounds_ko(&bounds)),
        };
        Text::ko_en(
            format!("{need_ko} {found_ko}{detail_ko}"),
            format!(
                "{} {} expected, {found_en}{detail_en}",
                bounds_en(&bounds),
                en_noun(kind, &bounds)
            ),
        )
    })
}

pub(super) fn bump(list: &mut Vec<(String, u64)>, key: String) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key, 1)),
    }
}

pub(super) fn pod_meets(p: &k8s_openapi::api::core::v1::Pod, conds: &PodConds) -> bool {
    let status = p.status.as_ref();
    if let Some(phase) = &conds.phase {
        if status.and_then(|s| s.phase.as_deref()) != Some(phase.as_str()) {
            return false;
        }
    }
    if let Some(ready) = conds.ready {
        let is_ready = status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if is_ready != ready {
            return false;
        }
    }
    if let Some(want) = &conds.status {
        if crate::printers::pod_columns::status(p) != *want {
            return false;
        }
    }
    if let Some(image) = &conds.image {
        let has = p.spec.as_ref().is_some_and(|s| {
            s.containers
                .iter()
                .any(|c| c.image.as_deref() == Some(image))
        });
        if !has {
            return false;
        }
    }
    true
}

pub(super) fn lookup<'a>(json: &'a Json, path: &[Seg]) -> Option<&'a Json> {
    path.iter().try_fold(json, |v, seg| match seg {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

pub(super) fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn json_equal(have: &Json, want: &Json) -> bool {
    match (have.as_f64(), want.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => have == want || json_text(have) == json_text(want),
    }
}
