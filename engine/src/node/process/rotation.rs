//! The kubelet's container log rotation (`containerLogMaxSize` 10Mi, `containerLogMaxFiles`
//! 5, the KubeletConfiguration defaults): once the current file passes the size it is
//! rotated away and a new one starts (the node keeps four rotated files, not simulated).
//! `kubectl logs` reads the current file only, so what a container printed before its last
//! rotation is no longer shown.
//!
//! The kubelet looks every 10 s (`ContainerLogMonitorInterval`); here a file rotates at the
//! first line that takes it past the size (the same files, cut a few seconds sooner).

use super::Line;

/// `containerLogMaxSize`: 10Mi.
pub const MAX_SIZE: usize = 10 * 1024 * 1024;

/// Bytes a line takes in a CRI log file: `2025-09-01T09:00:00.000000000Z stdout F text\n`.
fn file_bytes(line: &Line) -> usize {
    const PREFIX: usize = "2025-09-01T09:00:00.000000000Z stdout F ".len();
    PREFIX + line.text.len() + 1
}

/// Keeps the lines of the current log file: those after the last rotation.
pub fn current_file(lines: &mut Vec<Line>) {
    let mut size = 0usize;
    let mut start = 0;
    for (i, line) in lines.iter().enumerate() {
        let bytes = file_bytes(line);
        if size > 0 && size + bytes > MAX_SIZE {
            start = i;
            size = 0;
        }
        size += bytes;
    }
    lines.drain(..start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(at: i64, len: usize) -> Line {
        Line {
            at,
            text: "x".repeat(len),
            stderr: false,
        }
    }

    #[test]
    fn logs_show_the_current_file_after_rotations() {
        // 10 KB lines: about 1,020 of them fill a file.
        let mut lines: Vec<Line> = (0..2_500).map(|i| line(i, 10_000)).collect();
        current_file(&mut lines);
        let per_file = MAX_SIZE / file_bytes(&line(0, 10_000));
        assert_eq!(lines.len(), 2_500 - 2 * per_file);
        assert_eq!(lines[0].at, (2 * per_file) as i64);
        let kept: usize = lines.iter().map(file_bytes).sum();
        assert!(kept <= MAX_SIZE);
        // A small log is left alone, and one line longer than the size is a file of its own.
        let mut small = vec![line(0, 10), line(1, 10)];
        current_file(&mut small);
        assert_eq!(small.len(), 2);
        let mut huge = vec![line(0, 10), line(1, MAX_SIZE)];
        current_file(&mut huge);
        assert_eq!(huge.len(), 1);
    }
}
