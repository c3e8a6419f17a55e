//! kubectl's table layout: Go `text/tabwriter` with minwidth 6, padding 3, no trailing spaces.

/// Go tabwriter minimum cell width, padding included.
const MIN_WIDTH: usize = 6;
/// Spaces after the widest cell of a column.
const PADDING: usize = 3;

/// Aligns rows of cells the way tabwriter does; the last cell of each row is not padded.
/// Each cell is cut and measured once.
pub fn render_aligned(lines: &[Vec<String>]) -> String {
    let cells: Vec<Vec<(std::borrow::Cow<'_, str>, usize)>> = lines
        .iter()
        .map(|line| {
            line.iter()
                .map(|cell| {
                    let cell = sanitize_cell(cell);
                    let width = width_of(&cell);
                    (cell, width)
                })
                .collect()
        })
        .collect();
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    let mut size = 0;
    for line in &cells {
        for (i, (cell, width)) in line.iter().enumerate() {
            if i + 1 < line.len() {
                widths[i] = widths[i].max((width + PADDING).max(MIN_WIDTH));
            }
            size += cell.len();
        }
    }
    let mut out = String::with_capacity(size + cells.len() * (widths.iter().sum::<usize>() + 1));
    for line in &cells {
        for (i, (cell, width)) in line.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < line.len() {
                pad(&mut out, widths[i].saturating_sub(*width));
            }
        }
        out.push('\n');
    }
    out
}

/// A cell's width in characters, as tabwriter counts them (most cells are ASCII).
fn width_of(cell: &str) -> usize {
    if cell.is_ascii() {
        cell.len()
    } else {
        cell.chars().count()
    }
}

/// Appends `n` spaces.
fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let step = n.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        n -= step;
    }
}

/// Cuts a cell at its first line break and marks the cut with `...`, as kubectl does. (The
/// breaks are ASCII, so a byte search finds them and cuts at a character boundary.)
fn sanitize_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell
        .bytes()
        .position(|b| matches!(b, b'\n' | b'\r' | b'\x0c'))
    {
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
