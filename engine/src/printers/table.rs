//! kubectl's table layout: Go `text/tabwriter` with minwidth 6, padding 3, no trailing spaces.

/// Go tabwriter minimum cell width, padding included.
const MIN_WIDTH: usize = 6;
/// Spaces after the widest cell of a column.
const PADDING: usize = 3;

/// Aligns rows of cells the way tabwriter does; the last cell of each row is not padded.
pub fn render_aligned(lines: &[Vec<String>]) -> String {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for line in lines {
        for (i, cell) in line.iter().enumerate() {
            if i + 1 < line.len() {
                widths[i] =
                    widths[i].max((sanitize_cell(cell).chars().count() + PADDING).max(MIN_WIDTH));
            }
        }
    }
    let mut out = String::new();
    for line in lines {
        for (i, cell) in line.iter().enumerate() {
            let cell = sanitize_cell(cell);
            out.push_str(&cell);
            if i + 1 < line.len() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// Cuts a cell at its first line break and marks the cut with `...`, as kubectl does.
fn sanitize_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.find(['\n', '\r', '\x0c']) {
        Some(i) => format!("{}...", &cell[..i]).into(),
        None => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn widths_follow_tabwriter() {
        let t = rows(&[
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["web-5d59d67564-8xkqz", "1/1", "Running", "0", "12m"],
        ]);
        assert_eq!(
            render_aligned(&t),
            "NAME                   READY   STATUS    RESTARTS   AGE\n\
             web-5d59d67564-8xkqz   1/1     Running   0          12m\n"
        );
    }

    #[test]
    fn short_columns_get_min_width_and_cells_are_cut_at_line_breaks() {
        let t = rows(&[&["A", "B"], &["x", "multi\nline"], &["multi\nline", "y"]]);
        assert_eq!(
            render_aligned(&t),
            "A          B\nx          multi...\nmulti...   y\n"
        );
    }
}
