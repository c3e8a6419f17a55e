//! Cron schedules as the CronJob controller reads them (robfig/cron's `ParseStandard`): five
//! fields (minute hour day-of-month month day-of-week) with lists, ranges, steps and names,
//! or a descriptor (`@hourly`, `@daily`, `@every 5m`, ...), with the parser's error texts.
//! Times are UTC (`spec.timeZone` is not modelled).

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Five fields as bit sets.
    Fields {
        /// Minutes 0–59.
        minute: u64,
        /// Hours 0–23.
        hour: u64,
        /// Days of the month 1–31.
        dom: u64,
        /// Months 1–12.
        month: u64,
        /// Days of the week 0–6 (Sunday 0).
        dow: u64,
        /// Day-of-month or day-of-week was `*`/`?`: both must match (else either).
        day_star: bool,
    },
    /// `@every DURATION`, in whole seconds.
    Every(i64),
}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

/// Parses a schedule; errors read like robfig/cron's.
pub fn parse(spec: &str) -> Result<Schedule, String> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err("empty spec string".into());
    }
    if let Some(d) = spec.strip_prefix('@') {
        return descriptor(d, spec);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    let day_star = |f: &str| f.starts_with('*') || f.starts_with('?');
    Ok(Schedule::Fields {
        minute: field(fields[0], &MINUTES)?,
        hour: field(fields[1], &HOURS)?,
        dom: field(fields[2], &DOM)?,
        month: field(fields[3], &MONTHS)?,
        dow: field(fields[4], &DOW)?,
        day_star: day_star(fields[2]) || day_star(fields[4]),
    })
}

fn descriptor(d: &str, spec: &str) -> Result<Schedule, String> {
    let five = |s: &str| parse(s);
    match d {
        "yearly" | "annually" => five("0 0 1 1 *"),
        "monthly" => five("0 0 1 * *"),
        "weekly" => five("0 0 * * 0"),
        "daily" | "midnight" => five("0 0 * * *"),
        "hourly" => five("0 * * * *"),
        _ => match d.strip_prefix("every ") {
            // robfig/cron: `time.ParseDuration`, then at least a second, whole seconds.
            Some(dur) => match crate::clock::SimDuration::parse_go(dur) {
                Ok(d) => Ok(Schedule::Every(d.as_seconds().max(1))),
                Err(e) => Err(format!("failed to parse duration {spec}: {e}")),
            },
            None => Err(format!("unrecognized descriptor: {spec}")),
        },
    }
}

fn field(f: &str, b: &Bounds) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in f.split(',') {
        bits |= range(part, b)?;
    }
    Ok(bits)
}

fn range(expr: &str, b: &Bounds) -> Result<u64, String> {
    let (range_part, step_part) = match expr.split('/').collect::<Vec<_>>().as_slice() {
        [r] => (*r, None),
        [r, s] => (*r, Some(*s)),
        _ => return Err(format!("too many slashes: {expr}")),
    };
    let lh: Vec<&str> = range_part.split('-').collect();
    let (start, mut end) = if lh[0] == "*" || lh[0] == "?" {
        (u64::from(b.min), u64::from(b.max))
    } else {
        let start = value(lh[0], b)?;
        match lh.len() {
            1 => (start, start),
            2 => (start, value(lh[1], b)?),
            _ => return Err(format!("too many hyphens: {expr}")),
        }
    };
    let step = match step_part {
        None => 1,
        Some(s) => {
            // `N/step` means N through the maximum.
            if lh.len() == 1 {
                end = u64::from(b.max);
            }
            number(s)?
        }
    };
    if start < u64::from(b.min) {
        return Err(format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            b.min
        ));
    }
    if end > u64::from(b.max) {
        return Err(format!(
            "end of range ({end}) above maximum ({}): {expr}",
            b.max
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    // Within the bounds now (at most 59): the bits fit.
    Ok((start..=end)
        .step_by(usize::try_from(step).unwrap_or(usize::MAX))
        .fold(0, |acc, v| acc | (1 << v)))
}

fn value(s: &str, b: &Bounds) -> Result<u64, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == lower) {
        return Ok(i as u64 + u64::from(b.min));
    }
    number(s)
}

/// robfig's `mustParseInt`: Go's `strconv.Atoi`, then no negatives.
fn number(s: &str) -> Result<u64, String> {
    let atoi =
        |why: &str| format!("failed to parse int from {s}: strconv.Atoi: parsing {s:?}: {why}");
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(atoi("invalid syntax"));
    }
    match s.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!("negative number ({n}) not allowed: {s}")),
        Ok(n) => Ok(n.unsigned_abs()),
        Err(_) => Err(atoi("value out of range")),
    }
}

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
/// 10000-01-01T00:00:00Z.
const LAST_MS: i64 = 253_402_300_800_000;

/// Days since 1970-01-01 → (year, month 1–12, day 1–31), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl Schedule {
    /// Whether day number `day` (days since the epoch, UTC) is one the schedule runs on.
    fn day_matches(&self, day: i64) -> bool {
        let Schedule::Fields {
            dom,
            month,
            dow,
            day_star,
            ..
        } = *self
        else {
            return true;
        };
        let (_, m, d) = civil(day);
        let wd = (day + 4).rem_euclid(7) as u32;
        let dom_ok = dom & (1 << d) != 0;
        let dow_ok = dow & (1 << wd) != 0;
        let day_ok = if day_star {
            dom_ok && dow_ok
        } else {
            dom_ok || dow_ok
        };
        month & (1 << m) != 0 && day_ok
    }

    /// The first activation strictly after `after_ms` (epoch ms, UTC), within five years.
    pub fn next(&self, after_ms: i64) -> Option<i64> {
        match *self {
            Schedule::Every(secs) => {
                // robfig: t + delay, rounded down to the second.
                let t = after_ms.saturating_add(secs.saturating_mul(1000));
                Some(t - t.rem_euclid(1000))
            }
            Schedule::Fields { minute, hour, .. } => {
                // Past the year 9999 there is no time to name (robfig gives up after five
                // years; so does the search below).
                if after_ms >= LAST_MS {
                    return None;
                }
                let start = (after_ms.div_euclid(MINUTE_MS) + 1) * MINUTE_MS;
                let first_day = start.div_euclid(DAY_MS);
                let minutes = minute & ((1 << 60) - 1);
                for day in first_day..first_day + 5 * 366 {
                    if !self.day_matches(day) {
                        continue;
                    }
                    let day_start = day * DAY_MS;
                    // The first day starts at `start`'s minute; a later one at midnight.
                    let from = (start.max(day_start) - day_start) / MINUTE_MS;
                    for h in from / 60..24 {
                        if hour & (1 << h) == 0 {
                            continue;
                        }
                        let lo = if h == from / 60 { from % 60 } else { 0 };
                        let left = minutes >> lo;
                        if left != 0 {
                            let min = lo + i64::from(left.trailing_zeros());
                            return Some(day_start + (h * 60 + min) * MINUTE_MS);
                        }
                    }
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2025-09-01T09:00:00Z, a Monday.
    const T0: i64 = 1_756_717_200_000;

    fn next(spec: &str, after: i64) -> i64 {
        parse(spec).unwrap().next(after).unwrap()
    }

    #[test]
    fn next_fire_times() {
        assert_eq!(next("*/1 * * * *", T0), T0 + 60_000);
        assert_eq!(next("* * * * *", T0 + 1), T0 + 60_000);
        assert_eq!(next("*/5 * * * *", T0 + 60_000), T0 + 300_000);
        assert_eq!(next("30 9 * * *", T0), T0 + 1_800_000);
        assert_eq!(next("@hourly", T0), T0 + 3_600_000);
        // Midnight next day.
        assert_eq!(next("@daily", T0), T0 + 15 * 3_600_000);
        // Sunday 2025-09-07 00:00.
        assert_eq!(next("0 0 * * sun", T0), T0 + 6 * DAY_MS - 9 * 3_600_000);
        // First of October.
        assert_eq!(next("0 0 1 oct *", T0), T0 + 30 * DAY_MS - 9 * 3_600_000);
        // Day-of-month OR day-of-week when both are restricted: the 2nd (a Tuesday), then
        // Friday the 5th.
        assert_eq!(next("0 0 2 * 5", T0), T0 + 15 * 3_600_000);
        assert_eq!(
            next("0 0 2 * 5", T0 + DAY_MS),
            T0 + 3 * DAY_MS + 15 * 3_600_000
        );
        assert_eq!(next("0 9-17/4 * * MON-FRI", T0), T0 + 4 * 3_600_000);
        assert_eq!(next("@every 90s", T0 + 500), T0 + 90_000);
        assert_eq!(next("0 0 29 2 *", T0), 1_835_395_200_000); // 2028-02-29
    }

    #[test]
    fn huge_numbers_are_refused_as_robfig_refuses_them() {
        assert_eq!(
            parse("99999999999999999999 * * * *").unwrap_err(),
            "failed to parse int from 99999999999999999999: strconv.Atoi: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(
            parse("100 * * * *").unwrap_err(),
            "end of range (100) above maximum (59): 100"
        );
        assert_eq!(
            parse("5-9223372036854775807 * * * *").unwrap_err(),
            "end of range (9223372036854775807) above maximum (59): 5-9223372036854775807"
        );
        assert_eq!(
            parse("@every 9999999999999999h").unwrap_err(),
            "failed to parse duration @every 9999999999999999h: time: invalid duration \"9999999999999999h\""
        );
        // A step past the bounds only keeps the start; `@every` is at least a second.
        assert_eq!(next("*/9223372036854775807 * * * *", T0), T0 + 3_600_000);
        assert_eq!(next("@every 0s", T0), T0 + 1_000);
        assert_eq!(next("@every -5m", T0), T0 + 1_000);
        assert_eq!(
            next("@every 2562047h47m16.854775807s", T0),
            T0 + 2_562_047 * 3_600_000 + 47 * 60_000 + 16_000
        );
        assert!(parse("@every 2562047h")
            .unwrap()
            .next(i64::MAX - 5)
            .is_some());
    }

    #[test]
    fn errors_read_like_robfig() {
        assert_eq!(
            parse("x").unwrap_err(),
            "expected exactly 5 fields, found 1: [x]"
        );
        assert_eq!(
            parse("61 * * * *").unwrap_err(),
            "end of range (61) above maximum (59): 61"
        );
        assert_eq!(
            parse("a * * * *").unwrap_err(),
            "failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax"
        );
        assert_eq!(
            parse("@often").unwrap_err(),
            "unrecognized descriptor: @often"
        );
        assert_eq!(
            parse("*/0 * * * *").unwrap_err(),
            "step of range should be a positive number: */0"
        );
        assert_eq!(
            parse("0 0 0 * *").unwrap_err(),
            "beginning of range (0) below minimum (1): 0"
        );
        assert!(parse("0 0 ? * *").is_ok());
    }

    proptest::proptest! {
        /// Any schedule parses or is refused, and its next time comes without a panic.
        #[test]
        fn any_schedule_parses_or_is_refused(
            spec in "(@every [-+0-9.a-zµ]{0,24}|@[a-z]{0,8}|([-0-9*?/,a-zA-Z]{1,12} ){4}[-0-9*?/,a-zA-Z]{1,12})",
            after in proptest::prop_oneof![proptest::strategy::Just(i64::MAX), 0i64..4_000_000_000_000],
        ) {
            if let Ok(s) = parse(&spec) {
                let _ = s.next(after);
            }
        }

        /// The next time is the first minute after `after` that matches, as a search minute
        /// by minute finds it.
        #[test]
        fn next_is_the_first_matching_minute(
            spec in "([0-9]|[1-5][0-9]|\\*|\\*/[1-9]|[0-9]-[1-5][0-9]) ([0-9]|1[0-9]|2[0-3]|\\*|\\*/[1-9]) ([1-9]|\\*) \\* ([0-6]|\\*)",
            after in 0i64..4_000_000_000_000,
        ) {
            let Ok(s) = parse(&spec) else { return Ok(()) };
            let Schedule::Fields { minute, hour, .. } = s else { return Ok(()) };
            let matches = |t: i64| {
                let (h, min) = (t.rem_euclid(DAY_MS) / 3_600_000, t.rem_euclid(3_600_000) / MINUTE_MS);
                s.day_matches(t.div_euclid(DAY_MS)) && hour & (1 << h) != 0 && minute & (1 << min) != 0
            };
            let found = s.next(after);
            let mut t = (after.div_euclid(MINUTE_MS) + 1) * MINUTE_MS;
            // Every schedule here runs at least once in 32 days.
            while !matches(t) {
                t += MINUTE_MS;
            }
            proptest::prop_assert_eq!(found, Some(t));
        }
    }
}
