//! What a load loop's container prints (`script::load_loop`), written when read: the
//! network runs the loop as a rate (`network::load`) and leaves here, per stretch of
//! constant rate, when its iterations start and what each one prints.

use super::serve::ACCESS_LOG_LINES;
use super::{Container, Line};

/// Most bytes of output kept (the last ones), as a rotated log would.
pub const OUTPUT_BYTES: usize = 64 * 1024;

/// A stretch of iterations at a constant rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// When its first iteration starts (epoch ms).
    pub from_ms: i64,
    /// The time from one iteration's start to the next's, in ms (1 at least).
    pub cycle_ms: i64,
    /// No iteration starts at or after this, if it ended.
    pub until_ms: Option<i64>,
    /// What iteration `k` prints is `texts[k % len]` (text, on stderr): the backends it
    /// reaches in turn.
    pub texts: Vec<(String, bool)>,
}

impl Segment {
    /// How many iterations started by `at_ms` (inclusive).
    pub fn started(&self, at_ms: i64) -> i64 {
        let end = self
            .until_ms
            .map_or(at_ms.saturating_add(1), |u| u.min(at_ms.saturating_add(1)));
        if end <= self.from_ms {
            return 0;
        }
        (end - self.from_ms - 1) / self.cycle_ms.max(1) + 1
    }
}

/// A container whose main process the network runs as a load stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOutput {
    /// Its stretches, oldest first.
    pub segments: Vec<Segment>,
}

/// Most stretches kept; older ones have rotated out of the log anyway.
pub const SEGMENTS: usize = 16;

impl LoadOutput {
    /// Ends the open stretch at `at_ms` and drops the oldest beyond [`SEGMENTS`].
    pub fn close(&mut self, at_ms: i64) {
        if let Some(s) = self.segments.last_mut() {
            let end = at_ms.max(s.from_ms);
            s.until_ms = Some(s.until_ms.map_or(end, |u| u.min(end)));
        }
        let extra = self.segments.len().saturating_sub(SEGMENTS);
        self.segments.drain(..extra);
    }
}

/// The iterations that started after `after_ms` and by `until_ms`, oldest first: the
/// last [`ACCESS_LOG_LINES`] of them, at most [`OUTPUT_BYTES`] of text. Each is (start,
/// text, on stderr).
fn iterations(load: &LoadOutput, after_ms: i64, until_ms: i64) -> Vec<(i64, &str, bool)> {
    let mut picked: Vec<(i64, &str, bool)> = Vec::new();
    let mut bytes = 0usize;
    'segments: for s in load.segments.iter().rev() {
        let first = s.started(after_ms);
        let mut k = s.started(until_ms);
        while k > first {
            k -= 1;
            let Some((text, err)) = s
                .texts
                .get(usize::try_from(k).unwrap_or(0) % s.texts.len().max(1))
            else {
                break;
            };
            if picked.len() >= ACCESS_LOG_LINES || bytes + text.len() > OUTPUT_BYTES {
                break 'segments;
            }
            bytes += text.len();
            picked.push((s.from_ms + k * s.cycle_ms.max(1), text, *err));
        }
    }
    picked.reverse();
    picked
}

impl LoadOutput {
    /// What its iterations that started after `after_ms` and by `until_ms` printed, as a
    /// terminal receives it (`kubectl attach`, `logs -f`): bounded as [`iterations`].
    pub fn text_between(&self, after_ms: i64, until_ms: i64) -> String {
        iterations(self, after_ms, until_ms)
            .into_iter()
            .map(|(_, t, _)| t)
            .collect()
    }
}

impl Container {
    /// The lines its load loop printed by `until_ms`: the last [`ACCESS_LOG_LINES`]
    /// iterations' output, at most [`OUTPUT_BYTES`] of it; a body without a final newline
    /// runs on into the next (`OK!OK!OK!`).
    pub(super) fn stream_lines(&self, load: &LoadOutput, until_ms: i64) -> Vec<Line> {
        let picked = iterations(load, i64::MIN, until_ms);
        let mut lines = Vec::new();
        let mut open = String::new();
        let mut last_at = self.start_ms;
        for (at, text, stderr) in picked {
            last_at = at;
            for piece in text.split_inclusive('\n') {
                match piece.strip_suffix('\n') {
                    Some(end) => {
                        open.push_str(end);
                        lines.push(Line {
                            at: at - self.start_ms,
                            text: std::mem::take(&mut open),
                            stderr,
                        });
                    }
                    None => open.push_str(piece),
                }
            }
        }
        if !open.is_empty() {
            // Shown as of the last piece written.
            let at = last_at;
            lines.push(Line {
                at: at - self.start_ms,
                text: open,
                stderr: false,
            });
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_without_newlines_run_on_and_stay_bounded() {
        let mut c = Container::for_test("load-generator", "busybox:1.28");
        c.start_ms = 1_000;
        let load = LoadOutput {
            segments: vec![Segment {
                from_ms: 1_000,
                cycle_ms: 210,
                until_ms: None,
                texts: vec![("OK!".into(), false)],
            }],
        };
        // Iterations at 1000, 1210, 1420: three by 1420.
        let lines = c.stream_lines(&load, 1_420);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "OK!OK!OK!");
        let lines = c.stream_lines(&load, 10_000_000);
        assert_eq!(lines[0].text.len(), 3 * ACCESS_LOG_LINES);
    }

    #[test]
    fn lines_alternate_between_backends_and_stop_with_the_segment() {
        let mut c = Container::for_test("client", "busybox");
        c.start_ms = 0;
        let mut load = LoadOutput {
            segments: vec![Segment {
                from_ms: 0,
                cycle_ms: 100,
                until_ms: None,
                texts: vec![("web-a\n".into(), false), ("web-b\n".into(), false)],
            }],
        };
        load.close(250);
        let texts: Vec<_> = c
            .stream_lines(&load, 1_000)
            .into_iter()
            .map(|l| (l.at, l.text))
            .collect();
        assert_eq!(
            texts,
            [
                (0, "web-a".into()),
                (100, "web-b".into()),
                (200, "web-a".into())
            ]
        );
    }
}

/// What a program the network runs to an end (ab) prints, written ahead by the network as
/// its rates settle: (epoch ms, text, on stderr), in time order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scripted {
    /// Its lines.
    pub lines: Vec<(i64, String, bool)>,
}

impl Scripted {
    /// The lines written by `until_ms`, as offsets from `start_ms`.
    pub fn lines_until(&self, start_ms: i64, until_ms: i64) -> Vec<Line> {
        self.lines
            .iter()
            .filter(|(at, _, _)| *at <= until_ms)
            .map(|(at, text, stderr)| Line {
                at: at - start_ms,
                text: text.clone(),
                stderr: *stderr,
            })
            .collect()
    }
}
