//! What minikube draws with box characters: its tables (olekukonko/tablewriter v1.0.9's
//! default renderer, as `service.PrintServiceList` and `printAddonsList` configure it) and the rounded
//! box of its "please let us know" advice (box-cli-maker, `Round`, 4 columns and 1 line
//! of padding).

/// The header of `PrintServiceList` (auto-formatted to upper case by tablewriter).
const HEADER: [&str; 4] = ["NAMESPACE", "NAME", "TARGET PORT", "URL"];

/// Renders `rows` (namespace, name, target ports, URLs; a cell may hold several lines) under
/// the service header. Ends with a newline.
pub fn services(rows: &[[String; 4]]) -> String {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.to_vec()).collect();
    render(&HEADER, &rows)
}

/// tablewriter's default table: centred headers, left-aligned cells (trimmed; a cell may
/// hold several lines), one space of padding, no lines between rows. Ends with a newline.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let cells: Vec<Vec<Vec<&str>>> = rows
        .iter()
        .map(|r| {
            (0..header.len())
                .map(|i| r.get(i).map_or("", |c| c.trim()).split('\n').collect())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let longest = cells
                .iter()
                .flat_map(|r| r[i].iter())
                .map(|l| width(l))
                .max()
                .unwrap_or(0);
            longest.max(width(h)) + 2
        })
        .collect();
    let rule = |left: &str, mid: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        format!("{left}{}{right}\n", parts.join(mid))
    };
    let mut out = rule("┌", "┬", "┐");
    let titles: Vec<String> = header
        .iter()
        .zip(&widths)
        .map(|(h, w)| centred(h, *w))
        .collect();
    out.push_str(&format!("│{}│\n", titles.join("│")));
    if !cells.is_empty() {
        out.push_str(&rule("├", "┼", "┤"));
    }
    for row in &cells {
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let parts: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, w)| {
                    let text = cell.get(line).copied().unwrap_or("");
                    format!(" {text}{}", " ".repeat(w.saturating_sub(width(text) + 1)))
                })
                .collect();
            out.push_str(&format!("│{}│\n", parts.join("│")));
        }
    }
    out.push_str(&rule("└", "┴", "┘"));
    out
}

/// `text` centred in `w` columns with a space on each side; an odd spare column goes right.
fn centred(text: &str, w: usize) -> String {
    let spare = w.saturating_sub(width(text) + 2);
    let left = spare / 2;
    format!(
        "{} {text} {}",
        " ".repeat(left),
        " ".repeat(spare.saturating_sub(left))
    )
}

/// Display columns, as go-runewidth counts them: the emoji minikube prints (✅) take two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c == '✅' { 2 } else { 1 }).sum()
}

/// `text` (lines) in minikube's rounded box: one blank line above and below, four spaces
/// left and right, lines left-aligned. Ends with a newline.
pub fn boxed(text: &str) -> String {
    let lines: Vec<&str> = text.trim().lines().collect();
    let inner = lines.iter().map(|l| width(l)).max().unwrap_or(0) + 8;
    let blank = format!("│{}│\n", " ".repeat(inner));
    let mut out = format!("╭{}╮\n{blank}", "─".repeat(inner));
    for l in &lines {
        out.push_str(&format!(
            "│    {l}{}    │\n",
            " ".repeat(inner - 8 - width(l))
        ));
    }
    out.push_str(&blank);
    out.push_str(&format!("╰{}╯\n", "─".repeat(inner)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// minikube's `TestPrintServiceList`.
    #[test]
    fn service_table() {
        let rows = [["foo", "bar", "baz", "nah"].map(String::from)];
        assert_eq!(
            services(&rows),
            "┌───────────┬──────┬─────────────┬─────┐\n\
             │ NAMESPACE │ NAME │ TARGET PORT │ URL │\n\
             ├───────────┼──────┼─────────────┼─────┤\n\
             │ foo       │ bar  │ baz         │ nah │\n\
             └───────────┴──────┴─────────────┴─────┘\n"
        );
    }

    #[test]
    fn multi_line_cells_and_centred_headers() {
        let rows = [[
            "default",
            "web",
            "http/80\nhttps/443",
            "http://192.168.49.2:30080\nhttp://192.168.49.2:30443",
        ]
        .map(String::from)];
        let table = services(&rows);
        assert!(table.contains("│            URL            │\n"));
        assert!(table.contains("│ default   │ web  │ http/80     │ http://192.168.49.2:30080 │\n"));
        assert!(table.contains("│           │      │ https/443   │ http://192.168.49.2:30443 │\n"));
    }

    /// minikube's `TestBoxed`.
    #[test]
    fn rounded_box() {
        assert_eq!(
            boxed("Running with docker driver and port 8000"),
            "╭────────────────────────────────────────────────╮\n\
             │                                                │\n\
             │    Running with docker driver and port 8000    │\n\
             │                                                │\n\
             ╰────────────────────────────────────────────────╯\n"
        );
    }
}
