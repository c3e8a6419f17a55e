//! The console's "more →" cue: kubectl tables keep their columns (no wrapping inside a row),
//! so a table wider than the console runs off to the right; while a line in view does, an
//! edge with "more →" says so (overlay scrollbars show nothing), and a click scrolls there.

use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};

/// Pixels a line may stick out before it counts as cut off (sub-pixel text widths).
const SLACK: i32 = 1;

/// Whether any of `line_ends` (right edges in the scroll box's content coordinates) lies
/// right of what the box shows: from `scroll_left`, `client_width` wide.
pub fn cut_off(
    line_ends: impl IntoIterator<Item = i32>,
    scroll_left: i32,
    client_width: i32,
) -> bool {
    let shown_right = scroll_left
        .saturating_add(client_width)
        .saturating_add(SLACK);
    line_ends.into_iter().any(|end| end > shown_right)
}

/// Of children spanning `(top, height)` (in order, top to bottom), the index of the first
/// that reaches below `y`.
pub fn first_below(count: u32, span: impl Fn(u32) -> (i32, i32), y: i32) -> u32 {
    let (mut lo, mut hi) = (0, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (top, height) = span(mid);
        if top.saturating_add(height) <= y {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// How the cue shows for the scroll box `output` (the offset parent of its lines): `None`
/// when every line in view fits, else the width of its vertical scrollbar (the edge is
/// drawn left of it).
pub fn measure(output: &HtmlElement) -> Option<i32> {
    let children = output.children();
    let count = children.length();
    let item = |i: u32| {
        children
            .item(i)
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    };
    let span = |i: u32| item(i).map_or((0, 0), |e| (e.offset_top(), e.offset_height()));
    let top = output.scroll_top();
    let bottom = top.saturating_add(output.client_height());
    let first = first_below(count, span, top);
    let ends = (first..count)
        .map_while(|i| item(i).filter(|e| e.offset_top() < bottom))
        .map(|e| e.offset_left().saturating_add(Element::scroll_width(&e)));
    cut_off(ends, output.scroll_left(), output.client_width())
        .then(|| (output.offset_width() - output.client_width()).max(0))
}

/// Scrolls the box most of its width to the right (the cue's click).
pub fn scroll_on(output: &HtmlElement) {
    let step = output.client_width() * 3 / 5;
    output.set_scroll_left(output.scroll_left().saturating_add(step.max(40)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_past_the_right_edge_is_cut_off() {
        assert!(!cut_off([400, 780], 0, 800));
        assert!(cut_off([400, 1144], 0, 800));
        // Scrolled to its end, nothing is cut.
        assert!(!cut_off([1144], 360, 800));
        assert!(!cut_off([801], 0, 800));
        assert!(!cut_off([], 0, 800));
        assert!(!cut_off([i32::MAX], i32::MAX, i32::MAX));
    }

    #[test]
    fn finds_the_first_line_in_view() {
        // Lines 20 px high, from y = 10.
        let span = |i: u32| (10 + 20 * i as i32, 20);
        assert_eq!(first_below(100, span, 0), 0);
        assert_eq!(first_below(100, span, 30), 1);
        assert_eq!(first_below(100, span, 31), 1);
        assert_eq!(first_below(100, span, 5000), 100);
        assert_eq!(first_below(0, span, 30), 0);
    }
}
