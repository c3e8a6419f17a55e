//! kubectl's `HumanDuration` (AGE, LAST SEEN, "(32s ago)").

/// The time from `ms` (epoch ms) to `now_ms`, as kubectl's `translateTimestampSince`:
/// `<unknown>` without a time.
pub fn since(ms: Option<i64>, now_ms: i64) -> String {
    match ms {
        Some(ms) => human_duration_secs((now_ms - ms).div_euclid(1000)),
        None => "<unknown>".into(),
    }
}

/// Formats an age in seconds exactly as `duration.HumanDuration` does.
pub fn human_duration_secs(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    let (s, m, h) = (secs, secs / 60, secs / 3600);
    if s < 120 {
        return format!("{s}s");
    }
    if m < 10 {
        let rem = s % 60;
        return if rem == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{rem}s")
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    if h < 8 {
        let rem = m % 60;
        return if rem == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{rem}m")
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        let (d, rem) = (h / 24, h % 24);
        return if rem == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{rem}h")
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    let years = h / (24 * 365);
    if h < 24 * 365 * 8 {
        let d = (h / 24) % 365;
        return if d == 0 {
            format!("{years}y")
        } else {
            format!("{years}y{d}d")
        };
    }
    format!("{years}y")
}

#[cfg(test)]
mod tests {
    use super::human_duration_secs as h;

    #[test]
    fn matches_kubectl_table() {
        assert_eq!(h(-5), "<invalid>");
        assert_eq!(h(0), "0s");
        assert_eq!(h(119), "119s");
        assert_eq!(h(120), "2m");
        assert_eq!(h(192), "3m12s");
        assert_eq!(h(599), "9m59s");
        assert_eq!(h(600), "10m");
        assert_eq!(h(179 * 60 + 59), "179m");
        assert_eq!(h(3 * 3600), "3h");
        assert_eq!(h(4 * 3600 + 5 * 60), "4h5m");
        assert_eq!(h(47 * 3600), "47h");
        assert_eq!(h(2 * 86400 + 5 * 3600), "2d5h");
        assert_eq!(h(3 * 86400), "3d");
        assert_eq!(h(364 * 86400), "364d");
        assert_eq!(h(2 * 365 * 86400 + 30 * 86400), "2y30d");
        assert_eq!(h(9 * 365 * 86400), "9y");
    }
}
