//! Line diffs in GNU `diff -u` format (three lines of context, `@@ -a,b +c,d @@` hunks), from a
//! longest-common-subsequence edit script.

/// One line of the edit script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Keep(usize, usize),
    Del(usize),
    Add(usize),
}

/// Longest the inputs may be (in lines) for the quadratic table; longer texts are compared as
/// one replaced block.
const MAX_LINES: usize = 4000;

fn script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_LINES * MAX_LINES / 4 {
        let mut ops: Vec<Op> = (0..n).map(Op::Del).collect();
        ops.extend((0..m).map(Op::Add));
        return ops;
    }
    // lcs[i][j] = LCS length of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Keep(i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j]) {
            ops.push(Op::Add(j));
            j += 1;
        } else {
            ops.push(Op::Del(i));
            i += 1;
        }
    }
    ops
}

/// The hunks of `diff -u old new` (without the `---`/`+++` header); empty when equal.
pub fn hunks(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = script(&a, &b);
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Op::Keep(..)))
        .map(|(i, _)| i)
        .collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 7 {
            end = changed[k];
            k += 1;
        }
        let end = (end + 4).min(ops.len());
        let slice = &ops[start..end];
        // Line numbers where the hunk starts in each file.
        let (mut a_start, mut b_start) = (None, None);
        let (mut a_len, mut b_len) = (0, 0);
        let (mut a_pos, mut b_pos) = (0, 0);
        for op in &ops[..start] {
            match op {
                Op::Keep(..) => {
                    a_pos += 1;
                    b_pos += 1;
                }
                Op::Del(_) => a_pos += 1,
                Op::Add(_) => b_pos += 1,
            }
        }
        let mut body = String::new();
        for op in slice {
            match *op {
                Op::Keep(i, _) => {
                    a_start.get_or_insert(a_pos);
                    b_start.get_or_insert(b_pos);
                    a_len += 1;
                    b_len += 1;
                    body.push_str(&format!(" {}\n", a[i]));
                }
                Op::Del(i) => {
                    a_start.get_or_insert(a_pos);
                    a_len += 1;
                    body.push_str(&format!("-{}\n", a[i]));
                }
                Op::Add(j) => {
                    b_start.get_or_insert(b_pos);
                    b_len += 1;
                    body.push_str(&format!("+{}\n", b[j]));
                }
            }
        }
        let range = |start: Option<usize>, pos: usize, len: usize| {
            // GNU: an empty range is shown as the line before it, with length 0.
            let first = if len == 0 {
                start.unwrap_or(pos)
            } else {
                start.unwrap_or(pos) + 1
            };
            if len == 1 {
                format!("{first}")
            } else {
                format!("{first},{len}")
            }
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n{body}",
            range(a_start, a_pos, a_len),
            range(b_start, b_pos, b_len)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_hunks() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";
        assert_eq!(
            hunks(old, new),
            "@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!(hunks("", "x\ny\n"), "@@ -0,0 +1,2 @@\n+x\n+y\n");
        assert_eq!(hunks("x\n", ""), "@@ -1 +0,0 @@\n-x\n");
        assert_eq!(hunks("same\n", "same\n"), "");
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("2\n", "two\n").replace("19\n", "nineteen\n");
        assert_eq!(hunks(&old, &new).matches("@@ -").count(), 2);
    }
}
