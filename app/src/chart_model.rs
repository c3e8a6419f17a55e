//! What the autoscaling chart draws, computed without the DOM (unit-tested natively): the
//! SVG paths of replicas (a step line), CPU utilization and its target (dashed), the load
//! (an area), the axes' ticks, each decision's marker and its reason, the accessible
//! summary, and why the utilization is `<unknown>`, in plain words.

use kubeplay_engine::view::{AutoscalerView, ChartPoint, Decision, Unknown};

use crate::board_model::clock_text;
use crate::i18n::{tr, Locale, Msg};

/// The SVG's coordinate box.
pub const WIDTH: f64 = 480.0;
/// The SVG's coordinate box.
pub const HEIGHT: f64 = 210.0;
const LEFT: f64 = 30.0;
const RIGHT: f64 = 444.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 186.0;
/// The shortest time span drawn (ms), so a new HPA's first points do not fill the width.
const MIN_SPAN_MS: i64 = 5 * 60_000;

/// One tick of an axis: where, and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Position along the axis, in SVG units.
    pub at: f64,
    /// The label.
    pub label: String,
}

/// A decision's marker: where it sits (SVG x, and as a percentage of the width for the
/// HTML button over the chart), whether it scaled up, and its index.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// The decision's index in [`AutoscalerView::decisions`].
    pub index: usize,
    /// SVG x.
    pub x: f64,
    /// `x` as a percentage of [`WIDTH`] (for `left:`).
    pub left_pct: f64,
    /// More replicas than before.
    pub up: bool,
}

/// Everything the chart draws for one HPA.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    /// The replicas' step line.
    pub replicas: String,
    /// The utilization line (gaps where it was unknown).
    pub utilization: String,
    /// The target's dashed line.
    pub target: String,
    /// The load's area.
    pub load: String,
    /// Time ticks (x) with uptime labels.
    pub time_ticks: Vec<Tick>,
    /// Replica ticks (left axis).
    pub replica_ticks: Vec<Tick>,
    /// Utilization ticks (right axis, percent).
    pub percent_ticks: Vec<Tick>,
    /// Decision markers.
    pub markers: Vec<Marker>,
    /// The load scale's top, in requests per second.
    pub load_max: f64,
}

/// The plot's edges, for the view's frame: (left, top, right, bottom).
pub const PLOT: (f64, f64, f64, f64) = (LEFT, TOP, RIGHT, BOTTOM);

fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A tick step (ms) that gives a handful of time labels over `span` ms.
fn time_step(span: i64) -> i64 {
    const STEPS_MIN: [i64; 9] = [1, 2, 5, 10, 15, 30, 60, 120, 240];
    STEPS_MIN
        .iter()
        .map(|m| m * 60_000)
        .find(|s| span / s <= 5)
        .unwrap_or(240 * 60_000)
}

/// A round top for a percentage axis: at least 100 and twice the target.
fn percent_max(hpa: &AutoscalerView) -> i32 {
    let peak = hpa
        .points
        .iter()
        .filter_map(|p| p.utilization)
        .chain(hpa.utilization)
        .max()
        .unwrap_or(0);
    let wanted = peak.max(hpa.target.unwrap_or(50) * 2).max(100);
    // Rounded up to 50 %.
    (wanted.saturating_add(49) / 50).saturating_mul(50)
}

/// The chart of `hpa`; `boot_ms` turns instants into the uptime the clock shows.
pub fn chart(hpa: &AutoscalerView, boot_ms: i64) -> Chart {
    let points = &hpa.points;
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Chart::default();
    };
    let t0 = first.at_ms;
    let t1 = last.at_ms.max(t0 + MIN_SPAN_MS);
    let x = |ms: i64| LEFT + (RIGHT - LEFT) * (ms - t0) as f64 / (t1 - t0) as f64;
    let replica_max = points
        .iter()
        .map(|p| p.replicas)
        .chain([hpa.max_replicas, 1])
        .max()
        .unwrap_or(1);
    let y_rep = |n: i32| BOTTOM - (BOTTOM - TOP) * f64::from(n.max(0)) / f64::from(replica_max);
    let pct_max = percent_max(hpa);
    let y_pct =
        |p: i32| BOTTOM - (BOTTOM - TOP) * f64::from(p.clamp(0, pct_max)) / f64::from(pct_max);
    let load_peak = points.iter().map(|p| p.load_rps).fold(0.0, f64::max);
    let load_max = if load_peak > 0.0 {
        load_peak * 1.15
    } else {
        1.0
    };
    let y_load = |r: f64| BOTTOM - (BOTTOM - TOP) * (r / load_max).clamp(0.0, 1.0);

    let mut replicas = String::new();
    for (i, p) in points.iter().enumerate() {
        if i == 0 {
            replicas.push_str(&format!("M{} {}", fmt(x(p.at_ms)), fmt(y_rep(p.replicas))));
        } else {
            replicas.push_str(&format!(
                " H{} V{}",
                fmt(x(p.at_ms)),
                fmt(y_rep(p.replicas))
            ));
        }
    }
    replicas.push_str(&format!(" H{}", fmt(x(last.at_ms))));

    let mut utilization = String::new();
    let mut pen_down = false;
    for p in points {
        match p.utilization {
            Some(u) => {
                utilization.push_str(&format!(
                    "{}{} {} ",
                    if pen_down { "L" } else { "M" },
                    fmt(x(p.at_ms)),
                    fmt(y_pct(u))
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }

    let mut target = String::new();
    let mut current: Option<i32> = None;
    for p in points {
        if p.target != current {
            if let Some(t) = p.target {
                target.push_str(&format!("M{} {} ", fmt(x(p.at_ms)), fmt(y_pct(t))));
            }
            current = p.target;
        } else if let Some(t) = p.target {
            target.push_str(&format!("L{} {} ", fmt(x(p.at_ms)), fmt(y_pct(t))));
        }
    }

    let mut load = format!("M{} {}", fmt(x(t0)), fmt(BOTTOM));
    for p in points {
        load.push_str(&format!(
            " L{} {}",
            fmt(x(p.at_ms)),
            fmt(y_load(p.load_rps))
        ));
    }
    load.push_str(&format!(" L{} {} Z", fmt(x(last.at_ms)), fmt(BOTTOM)));

    let step = time_step(t1 - t0);
    let mut time_ticks = Vec::new();
    let mut t = (t0 - boot_ms + step - 1).div_euclid(step) * step + boot_ms;
    while t <= t1 && time_ticks.len() < 8 {
        time_ticks.push(Tick {
            at: x(t),
            label: clock_text(t - boot_ms),
        });
        t += step;
    }
    let mut replica_ticks: Vec<Tick> = [0, replica_max / 2, replica_max]
        .into_iter()
        .map(|n| Tick {
            at: y_rep(n),
            label: n.to_string(),
        })
        .collect();
    replica_ticks.dedup_by(|a, b| a.label == b.label);
    let mut percents = vec![0, pct_max];
    if let Some(t) = hpa.target.filter(|t| *t > 0 && *t < pct_max) {
        percents.insert(1, t);
    }
    let percent_ticks = percents
        .into_iter()
        .map(|p| Tick {
            at: y_pct(p),
            label: format!("{p}%"),
        })
        .collect();
    let markers = hpa
        .decisions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.at_ms >= t0)
        .map(|(index, d)| {
            let mx = x(d.at_ms.min(t1));
            Marker {
                index,
                x: mx,
                left_pct: mx / WIDTH * 100.0,
                up: d.to > d.from,
            }
        })
        .collect();
    Chart {
        replicas,
        utilization: utilization.trim_end().to_string(),
        target: target.trim_end().to_string(),
        load,
        time_ticks,
        replica_ticks,
        percent_ticks,
        markers,
        load_max,
    }
}

/// `TARGETS` as `kubectl get hpa` prints it for a CPU target: `cpu: 250%/50%`,
/// `cpu: <unknown>/50%`.
pub fn targets_text(hpa: &AutoscalerView) -> String {
    let current = hpa
        .utilization
        .map_or("<unknown>".to_string(), |u| format!("{u}%"));
    match hpa.target {
        Some(t) => format!("cpu: {current}/{t}%"),
        None => "<unknown>".to_string(),
    }
}

/// A decision's reason as the chart tells it: when, from → to, the formula with its
/// numbers, and the event's own message.
pub fn decision_text(d: &Decision, boot_ms: i64, locale: Locale) -> String {
    let mut text = format!(
        "{} · {} → {} {}",
        clock_text(d.at_ms - boot_ms),
        d.from,
        d.to,
        tr(locale, Msg::ChartReplicas)
    );
    if let Some(formula) = d.formula() {
        text.push_str(&format!("\n{}: {formula}", tr(locale, Msg::ChartFormula)));
        if d.bounded() {
            text.push_str(&format!(" → {} ({})", d.to, tr(locale, Msg::ChartBounded)));
        }
    }
    text.push_str(&format!("\n{}", d.message));
    text
}

/// Why the utilization is `<unknown>`, in plain words.
pub fn unknown_text(why: &Unknown, locale: Locale) -> String {
    match why {
        Unknown::TargetMissing => tr(locale, Msg::WhyTargetMissing).to_string(),
        Unknown::NoMetricsApi => tr(locale, Msg::WhyNoMetricsApi).to_string(),
        Unknown::MetricsApiUnavailable { needs_insecure_tls } => {
            let mut s = tr(locale, Msg::WhyMetricsUnavailable).to_string();
            if *needs_insecure_tls {
                s.push(' ');
                s.push_str(tr(locale, Msg::WhyInsecureTls));
            }
            s
        }
        Unknown::NoPods => tr(locale, Msg::WhyNoPods).to_string(),
        Unknown::MissingCpuRequest { pod, container } => tr(locale, Msg::WhyNoRequest)
            .replace("{container}", container)
            .replace("{pod}", pod),
        Unknown::MetricsNotReady => tr(locale, Msg::WhyMetricsNotReady).to_string(),
        Unknown::WaitingForSync => tr(locale, Msg::WhyWaitingForSync).to_string(),
    }
}

/// The chart's accessible summary: the HPA now, and its last decision.
pub fn summary(hpa: &AutoscalerView, boot_ms: i64, locale: Locale) -> String {
    let mut s = tr(locale, Msg::ChartSummary)
        .replace("{name}", &hpa.name)
        .replace("{replicas}", &hpa.current_replicas.to_string())
        .replace("{min}", &hpa.min_replicas.to_string())
        .replace("{max}", &hpa.max_replicas.to_string())
        .replace("{targets}", &targets_text(hpa));
    if let Some(d) = hpa.decisions.last() {
        s.push(' ');
        s.push_str(
            &crate::i18n::counted(locale, Msg::ChartLastDecision, hpa.decisions.len())
                .replace("{from}", &d.from.to_string())
                .replace("{to}", &d.to.to_string())
                .replace("{at}", &clock_text(d.at_ms - boot_ms)),
        );
    }
    s
}

/// The table view's rows: the newest points first, at most `limit`, as (time, replicas,
/// utilization, target, load) texts.
pub fn table_rows(points: &[ChartPoint], boot_ms: i64, limit: usize) -> Vec<[String; 5]> {
    points
        .iter()
        .rev()
        .take(limit)
        .map(|p| {
            [
                clock_text(p.at_ms - boot_ms),
                p.replicas.to_string(),
                p.utilization
                    .map_or("<unknown>".to_string(), |u| format!("{u}%")),
                p.target.map_or(String::new(), |t| format!("{t}%")),
                fmt(p.load_rps),
            ]
        })
        .collect()
}

/// Requests per second as the legend prints it.
pub fn rate_text(rps: f64) -> String {
    fmt(rps)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOT: i64 = 1_000_000;

    fn point(sec: i64, replicas: i32, util: Option<i32>, load: f64) -> ChartPoint {
        ChartPoint {
            at_ms: BOOT + sec * 1000,
            replicas,
            utilization: util,
            target: Some(50),
            load_rps: load,
        }
    }

    fn hpa() -> AutoscalerView {
        AutoscalerView {
            namespace: "default".into(),
            name: "php-apache".into(),
            reference: "Deployment/php-apache".into(),
            min_replicas: 1,
            max_replicas: 10,
            target: Some(50),
            utilization: Some(250),
            current_replicas: 5,
            desired_replicas: 5,
            points: vec![
                point(600, 1, None, 0.0),
                point(615, 1, Some(0), 0.0),
                point(630, 1, Some(250), 40.0),
                point(645, 5, Some(250), 40.0),
            ],
            decisions: vec![Decision {
                at_ms: BOOT + 640_000,
                from: 1,
                to: 5,
                utilization: Some(250),
                target: Some(50),
                message: "New size: 5; reason: cpu resource utilization (percentage of request) above target".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn paths_follow_the_points() {
        let c = chart(&hpa(), BOOT);
        assert!(c.replicas.starts_with("M30 "), "{}", c.replicas);
        assert_eq!(c.replicas.matches('H').count(), 4, "{}", c.replicas);
        // The unknown first point leaves a gap: the line starts at the second.
        assert!(c.utilization.starts_with('M') && c.utilization.matches('M').count() == 1);
        assert_eq!(c.utilization.matches('L').count(), 2);
        assert_eq!(c.target.matches('M').count(), 1);
        assert!(c.load.ends_with('Z'));
        assert!((c.load_max - 46.0).abs() < 1e-9);
        assert_eq!(c.markers.len(), 1);
        assert!(c.markers[0].up);
        assert!(c.markers[0].x > LEFT && c.markers[0].x < RIGHT);
        // 5 minutes at least: 1-minute ticks from 00:10:00.
        assert_eq!(c.time_ticks[0].label, "00:10:00");
        assert_eq!(c.time_ticks[1].label, "00:11:00");
        assert_eq!(c.replica_ticks.last().unwrap().label, "10");
        let pct: Vec<_> = c.percent_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(pct, ["0%", "50%", "250%"]);
        assert_eq!(chart(&AutoscalerView::default(), BOOT), Chart::default());
    }

    #[test]
    fn texts_read_like_kubectl_and_explain_the_decision() {
        let h = hpa();
        assert_eq!(targets_text(&h), "cpu: 250%/50%");
        let unknown = AutoscalerView {
            utilization: None,
            ..h.clone()
        };
        assert_eq!(targets_text(&unknown), "cpu: <unknown>/50%");
        let text = decision_text(&h.decisions[0], BOOT, Locale::En);
        assert!(text.starts_with("00:10:40 · 1 → 5 replicas"), "{text}");
        assert!(
            text.contains("ceil(1 × 250% / 50%) = ceil(5.00) = 5"),
            "{text}"
        );
        assert!(text.ends_with("above target"), "{text}");
        let s = summary(&h, BOOT, Locale::En);
        assert!(
            s.contains("php-apache") && s.contains("cpu: 250%/50%"),
            "{s}"
        );
        assert!(s.contains("1 → 5"), "{s}");
        let rows = table_rows(&h.points, BOOT, 2);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][1], "5");
        assert_eq!(rows[1][2], "250%");
        assert_eq!(table_rows(&h.points, BOOT, 10)[3][2], "<unknown>");
    }

    #[test]
    fn every_unknown_cause_is_explained_in_both_languages() {
        let causes = [
            Unknown::TargetMissing,
            Unknown::NoMetricsApi,
            Unknown::MetricsApiUnavailable {
                needs_insecure_tls: true,
            },
            Unknown::NoPods,
            Unknown::MissingCpuRequest {
                pod: "web-1".into(),
                container: "app".into(),
            },
            Unknown::MetricsNotReady,
            Unknown::WaitingForSync,
        ];
        for why in &causes {
            let (en, ko) = (unknown_text(why, Locale::En), unknown_text(why, Locale::Ko));
            assert!(!en.is_empty() && en != ko, "{why:?}");
        }
        assert!(unknown_text(&causes[2], Locale::En).contains("--kubelet-insecure-tls"));
        let no_request = unknown_text(&causes[4], Locale::En);
        assert!(
            no_request.contains("app") && no_request.contains("web-1"),
            "{no_request}"
        );
    }
}
