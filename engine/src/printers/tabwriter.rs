//! Go's `text/tabwriter` block algorithm, as `kubectl describe` uses it (minwidth 0,
//! padding 2): a column is aligned only across consecutive lines that have a cell in it.

/// Aligns `text`, whose cells end with `\t`; the text after a line's last tab is not a cell.
pub fn tabwrite(text: &str, minwidth: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::new();
    let mut widths = Vec::new();
    format(
        &lines,
        0,
        lines.len(),
        &mut widths,
        minwidth,
        padding,
        &mut out,
    );
    // `split` leaves one empty line after a final newline; it was written without a newline.
    out
}

fn format(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    minwidth: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column >= lines[this].len() - 1 {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut width = minwidth;
        while this < line1 && column < lines[this].len() - 1 {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        widths.push(width);
        format(lines, line0, this, widths, minwidth, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(
    lines: &[Vec<&str>],
    line0: usize,
    line1: usize,
    widths: &[usize],
    out: &mut String,
) {
    for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() && j + 1 < line.len() {
                let pad = widths[j].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tabwrite;

    #[test]
    fn blocks_align_independently() {
        let text = "Name:\tweb\nNamespace:\tdefault\nContainers:\n  nginx:\n    Image:\tnginx\n    Restart Count:\t0\n";
        assert_eq!(
            tabwrite(text, 0, 2),
            "Name:       web\nNamespace:  default\nContainers:\n  nginx:\n    Image:          nginx\n    Restart Count:  0\n"
        );
        let labels = "Labels:\tapp=web\n\ttier=front\nAnnotations:\t<none>\n";
        assert_eq!(
            tabwrite(labels, 0, 2),
            "Labels:       app=web\n              tier=front\nAnnotations:  <none>\n"
        );
    }
}
