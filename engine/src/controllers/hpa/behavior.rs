//! Normalizing a proposal (`normalizeDesiredReplicas*` in `horizontal.go`): what one HPA's
//! recent recommendations and scale events allow. Without `spec.behavior`, the legacy rules:
//! the highest recommendation of the downscale window, then [min, min(max, max(2 × current,
//! 4))]. With it: the scale-up window's lowest and the scale-down window's highest
//! recommendation bound the count, then the policies limit the change per period.

use k8s_openapi::api::autoscaling::v2::{HPAScalingRules, HorizontalPodAutoscalerBehavior};

use crate::api::object::hpa::DOWNSCALE_STABILIZATION_SECONDS;

/// A condition the normalization sets: (reason, message).
pub type Reason = (&'static str, &'static str);

/// What normalization decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The replica count to scale to.
    pub replicas: i32,
    /// AbleToScale (True): `ReadyForNewScale`, `ScaleUpStabilized` or `ScaleDownStabilized`.
    pub able_to_scale: Reason,
    /// ScalingLimited: whether limited, and why.
    pub limited: (bool, Reason),
}

/// A scale change remembered for the policies' periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ScaleEvent {
    change: i32,
    at_ms: i64,
    outdated: bool,
}

/// One HPA's memory: recommendations and (with a behavior) scale events.
#[derive(Clone, Debug, Default)]
pub struct History {
    recommendations: Vec<(i32, i64)>,
    up: Vec<ScaleEvent>,
    down: Vec<ScaleEvent>,
}

const READY: Reason = ("ReadyForNewScale", "recommended size matches current size");
const DOWN_STABILIZED: Reason = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
);
const UP_STABILIZED: Reason = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
);
const WITHIN: Reason = (
    "DesiredWithinRange",
    "the desired count is within the acceptable range",
);
const UP_LIMIT: Reason = (
    "ScaleUpLimit",
    "the desired replica count is increasing faster than the maximum scale rate",
);
const TOO_MANY: Reason = (
    "TooManyReplicas",
    "the desired replica count is more than the maximum replica count",
);
const DOWN_LIMIT: Reason = (
    "ScaleDownLimit",
    "the desired replica count is decreasing faster than the maximum scale rate",
);
const TOO_FEW: Reason = (
    "TooFewReplicas",
    "the desired replica count is less than the minimum replica count",
);

impl History {
    /// The first sync's recommendation: the current count (`recordInitialRecommendation`).
    pub fn record_initial(&mut self, current: i32, now_ms: i64) {
        if self.recommendations.is_empty() {
            self.recommendations.push((current, now_ms));
        }
    }

    /// Replaces the latest outdated recommendation, or appends.
    fn record(&mut self, old: Option<usize>, desired: i32, now_ms: i64) {
        match old.and_then(|i| self.recommendations.get_mut(i)) {
            Some(slot) => *slot = (desired, now_ms),
            None => self.recommendations.push((desired, now_ms)),
        }
    }

    /// Normalization without a behavior (`normalizeDesiredReplicas`).
    pub fn normalize_legacy(
        &mut self,
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
        now_ms: i64,
    ) -> Normalized {
        let cutoff = now_ms - i64::from(DOWNSCALE_STABILIZATION_SECONDS) * 1000;
        let mut stabilized = desired;
        let mut old = None;
        for (i, (rec, at)) in self.recommendations.iter().enumerate() {
            if *at < cutoff {
                old = Some(i);
            } else if *rec > stabilized {
                stabilized = *rec;
            }
        }
        self.record(old, desired, now_ms);
        let able_to_scale = if stabilized != desired {
            DOWN_STABILIZED
        } else {
            READY
        };
        let up_limit = (i64::from(current) * 2).max(4).min(i64::from(i32::MAX)) as i32;
        let (upper, upper_reason) = if max > up_limit {
            (up_limit, UP_LIMIT)
        } else {
            (max, TOO_MANY)
        };
        let (replicas, reason) = if stabilized < min {
            (min, TOO_FEW)
        } else if stabilized > upper {
            (upper, upper_reason)
        } else {
            (stabilized, WITHIN)
        };
        Normalized {
            replicas,
            able_to_scale,
            limited: (replicas != stabilized, reason),
        }
    }

    /// Normalization with a behavior (`normalizeDesiredReplicasWithBehaviors`); `behavior`
    /// has both directions' rules filled ([`crate::api::object::hpa::effective_behavior`]).
    pub fn normalize_with_behavior(
        &mut self,
        behavior: &HorizontalPodAutoscalerBehavior,
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
        now_ms: i64,
    ) -> Normalized {
        let up_rules = behavior.scale_up.clone().unwrap_or_default();
        let mut down_rules = behavior.scale_down.clone().unwrap_or_default();
        down_rules
            .stabilization_window_seconds
            .get_or_insert(DOWNSCALE_STABILIZATION_SECONDS);
        let window = |r: &HPAScalingRules| {
            now_ms - i64::from(r.stabilization_window_seconds.unwrap_or(0)) * 1000
        };
        let (up_cutoff, down_cutoff) = (window(&up_rules), window(&down_rules));
        let (mut up_rec, mut down_rec) = (desired, desired);
        let mut old = None;
        for (i, (rec, at)) in self.recommendations.iter().enumerate() {
            if *at > up_cutoff {
                up_rec = up_rec.min(*rec);
            }
            if *at > down_cutoff {
                down_rec = down_rec.max(*rec);
            }
            if *at < up_cutoff && *at < down_cutoff {
                old = Some(i);
            }
        }
        let stabilized = current.max(up_rec).min(down_rec);
        self.record(old, desired, now_ms);
        let able_to_scale = if stabilized == desired {
            READY
        } else if desired >= current {
            UP_STABILIZED
        } else {
            DOWN_STABILIZED
        };

        let (replicas, reason) = if stabilized > current {
            let limit =
                scale_up_limit(current, &self.up, &self.down, &up_rules, now_ms).max(current);
            let (allowed, reason) = if max > limit {
                (limit, UP_LIMIT)
            } else {
                (max, TOO_MANY)
            };
            if stabilized > allowed {
                (allowed, reason)
            } else {
                (stabilized, WITHIN)
            }
        } else if stabilized < current {
            let limit =
                scale_down_limit(current, &self.up, &self.down, &down_rules, now_ms).min(current);
            let (allowed, reason) = if min < limit {
                (limit, DOWN_LIMIT)
            } else {
                (min, TOO_FEW)
            };
            if stabilized < allowed {
                (allowed, reason)
            } else {
                (stabilized, WITHIN)
            }
        } else {
            (stabilized, WITHIN)
        };
        Normalized {
            replicas,
            able_to_scale,
            limited: (replicas != stabilized, reason),
        }
    }

    /// Remembers a rescale for the policies (`storeScaleEvent`; only with a behavior).
    pub fn store_scale_event(
        &mut self,
        behavior: &HorizontalPodAutoscalerBehavior,
        previous: i32,
        new: i32,
        now_ms: i64,
    ) {
        let (events, rules, change) = if new > previous {
            (&mut self.up, behavior.scale_up.as_ref(), new - previous)
        } else {
            (&mut self.down, behavior.scale_down.as_ref(), previous - new)
        };
        let longest = rules
            .and_then(|r| r.policies.as_ref())
            .into_iter()
            .flatten()
            .map(|p| p.period_seconds)
            .max()
            .unwrap_or(0)
            .max(0);
        let cutoff = now_ms - i64::from(longest) * 1000;
        let mut old = None;
        for (i, e) in events.iter_mut().enumerate() {
            if e.at_ms < cutoff {
                e.outdated = true;
            }
            if e.outdated {
                old = Some(i);
            }
        }
        let event = ScaleEvent {
            change,
            at_ms: now_ms,
            outdated: false,
        };
        match old.and_then(|i| events.get_mut(i)) {
            Some(slot) => *slot = event,
            None => events.push(event),
        }
    }
}

/// The replicas changed within the last `period_seconds` (`getReplicasChangePerPeriod`).
fn change_in_period(period_seconds: i32, events: &[ScaleEvent], now_ms: i64) -> i64 {
    let cutoff = now_ms - i64::from(period_seconds) * 1000;
    events
        .iter()
        .filter(|e| e.at_ms > cutoff)
        .map(|e| i64::from(e.change))
        .sum()
}

fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// The most replicas the scale-up policies allow now.
fn scale_up_limit(
    current: i32,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &HPAScalingRules,
    now_ms: i64,
) -> i32 {
    let select = rules.select_policy.as_deref().unwrap_or("Max");
    if select == "Disabled" {
        return current;
    }
    let mut result: Option<i64> = None;
    for p in rules.policies.iter().flatten() {
        let start = i64::from(current) - change_in_period(p.period_seconds, up, now_ms)
            + change_in_period(p.period_seconds, down, now_ms);
        let proposed = match p.type_.as_str() {
            "Pods" => start + i64::from(p.value),
            "Percent" => (start as f64 * (1.0 + f64::from(p.value) / 100.0)).ceil() as i64,
            _ => continue,
        };
        result = Some(match (result, select) {
            (None, _) => proposed,
            (Some(r), "Min") => r.min(proposed),
            (Some(r), _) => r.max(proposed),
        });
    }
    clamp_i32(result.unwrap_or(match select {
        "Min" => i64::from(i32::MAX),
        _ => i64::from(i32::MIN),
    }))
}

/// The fewest replicas the scale-down policies allow now.
fn scale_down_limit(
    current: i32,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &HPAScalingRules,
    now_ms: i64,
) -> i32 {
    let select = rules.select_policy.as_deref().unwrap_or("Max");
    if select == "Disabled" {
        return current;
    }
    let mut result: Option<i64> = None;
    for p in rules.policies.iter().flatten() {
        let start = i64::from(current) - change_in_period(p.period_seconds, up, now_ms)
            + change_in_period(p.period_seconds, down, now_ms);
        let proposed = match p.type_.as_str() {
            "Pods" => start - i64::from(p.value),
            "Percent" => (start as f64 * (1.0 - f64::from(p.value) / 100.0)) as i64,
            _ => continue,
        };
        result = Some(match (result, select) {
            (None, _) => proposed,
            (Some(r), "Min") => r.max(proposed),
            (Some(r), _) => r.min(proposed),
        });
    }
    clamp_i32(result.unwrap_or(match select {
        "Min" => i64::from(i32::MIN),
        _ => i64::from(i32::MAX),
    }))
}
