//! The detail pane: everything the report says about the selected entry
//! (status, size, causes, errors, changed fields, the diff, the byte
//! regions it owns), as lines wrapped to the pane's width, and the pane
//! that scrolls through them. The lines are built in the update step and
//! kept in the state (`Detail`), so a redraw or a scroll does not rebuild
//! them. Part of the TUI, the last presenter in
//! bytes → formats → engine → diagnosis → report → presenters; the field
//! and diff lines come from `diffview`.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use reprodiff_report::{Diff, Node};
use unicode_width::UnicodeWidthChar;

use super::{human_delta, inner, pane, status_style};
use crate::diffview::{change_lines, hex_lines, text_diff_lines, ADD, DEL, DIM, HEAD};
use crate::state::{status_word, Focus, State};

pub(super) fn render_detail(state: &State, f: &mut Frame, area: Rect) {
    let (h, w) = inner(area);
    let focused = state.focus == Focus::Detail;
    let title = match (state.selected_item(), state.selected_node()) {
        (Some(0), _) => " (the images) ".to_string(),
        (_, Some(n)) => format!(" {} ", n.address),
        (Some(i), None) => format!(" {}/ ", dir_address(state, i)),
        _ => " Detail ".to_string(),
    };
    // Long addresses lose their start: the entry's own name is at the end.
    let room = w.saturating_sub(2);
    let title = if title.chars().count() > room {
        let tail: String = {
            let chars: Vec<char> = title.chars().collect();
            chars[chars.len() - room.saturating_sub(2).min(chars.len())..]
                .iter()
                .collect()
        };
        format!(" …{}", tail.trim_start())
    } else {
        title
    };
    let built;
    let lines = match state.detail.lines_for(state, w) {
        Some(lines) => lines,
        // Only a caller that skipped `refresh` (a bench drawing a bare
        // state) gets here: still right, just slower.
        None => {
            built = detail_lines(state, w);
            &built
        }
    };
    let max = lines.len().saturating_sub(h);
    let scroll = state.detail_scroll.min(max);
    let mut block = pane(title, focused);
    if lines.len() > h {
        block = block.title_bottom(Line::styled(
            format!(
                " {}-{}/{} ",
                scroll + 1,
                (scroll + h).min(lines.len()),
                lines.len()
            ),
            DIM,
        ));
    }
    let visible = lines
        .iter()
        .skip(scroll)
        .take(h)
        .cloned()
        .collect::<Vec<_>>();
    f.render_widget(Paragraph::new(visible).block(block), area);
}

/// The detail pane's lines for one selection at one width. The update step
/// (`refresh`) builds them when the selection, the width or the data under
/// them changes; drawing, scrolling and keys that change none of those only
/// read them.
#[derive(Debug, Default)]
pub struct Detail {
    built_for: Option<DetailKey>,
    lines: Vec<Line<'static>>,
}

/// What the lines depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DetailKey {
    item: Option<usize>,
    width: usize,
    /// `State::generation`: bumped when the tree or the report is replaced.
    generation: u64,
    /// Shown only when nothing is selected.
    message: Option<String>,
}

impl DetailKey {
    fn of(state: &State, width: usize) -> DetailKey {
        let item = state.selected_item();
        DetailKey {
            item,
            width,
            generation: state.generation,
            message: item.is_none().then(|| state.message.clone()).flatten(),
        }
    }
}

impl Detail {
    /// The lines, if they were built for what `state` shows now at `width`.
    fn lines_for(&self, state: &State, width: usize) -> Option<&[Line<'static>]> {
        (self.built_for.as_ref() == Some(&DetailKey::of(state, width)))
            .then_some(self.lines.as_slice())
    }
}

/// Builds the detail pane's lines for a pane `width` columns wide, unless
/// the ones in the state are still current, and records how many there are
/// for scrolling.
pub fn refresh(state: &mut State, width: usize) {
    let key = DetailKey::of(state, width);
    if state.detail.built_for.as_ref() != Some(&key) {
        let lines = detail_lines(state, width);
        state.detail = Detail {
            built_for: Some(key),
            lines,
        };
    }
    state.detail_len = state.detail.lines.len();
}

fn causes_text(causes: &[reprodiff_report::Cause]) -> String {
    let names: Vec<&str> = causes.iter().map(|c| c.as_str()).collect();
    names.join(", ")
}

#[cfg(test)]
thread_local! {
    /// How many times this thread built detail lines, for the tests that
    /// check they are built once per selection.
    pub(crate) static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The address a synthetic directory row stands for.
fn dir_address(state: &State, item: usize) -> String {
    let mut parts = Vec::new();
    let mut cur = Some(item);
    while let Some(i) = cur {
        let it = &state.items[i];
        if let Some(n) = state.node_of(i) {
            if i != 0 {
                let sep = if it.children.is_empty() { "/" } else { "::" };
                parts.push(format!("{}{sep}", n.address));
            }
            break;
        }
        parts.push(format!("{}/", it.name));
        cur = it.parent;
    }
    parts.reverse();
    let s: String = parts.concat();
    s.trim_end_matches('/').to_string()
}

/// Lines of the detail pane for the selection, at a pane width of `w`:
/// every line fits, long ones continue on the next rows.
fn detail_lines(state: &State, w: usize) -> Vec<Line<'static>> {
    #[cfg(test)]
    BUILDS.with(|b| b.set(b.get() + 1));
    wrap(detail_rows(state, w), w)
}

/// Rows one long line may take once wrapped; the rest is summarised.
const MAX_WRAPPED_ROWS: usize = 24;

/// Splits lines wider than `w` columns into rows of `w`, at a space in the
/// second half of the row when there is one, keeping each span's style (a
/// continued `-` line stays red). A line that would take more than
/// [`MAX_WRAPPED_ROWS`] rows (minified text, one huge value) is cut there,
/// saying how much was left out.
fn wrap(lines: Vec<Line<'static>>, w: usize) -> Vec<Line<'static>> {
    let w = w.max(1);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= w {
            out.push(line);
            continue;
        }
        let cells: Vec<(char, Style, usize)> = line
            .spans
            .iter()
            .flat_map(|sp| {
                let style = sp.style;
                sp.content
                    .chars()
                    .map(move |c| (c, style, UnicodeWidthChar::width(c).unwrap_or(0)))
            })
            .collect();
        let mut start = 0usize;
        let mut rows = 0usize;
        while start < cells.len() {
            if rows == MAX_WRAPPED_ROWS {
                let left: usize = cells[start..].iter().map(|c| c.2).sum();
                out.push(Line::styled(
                    format!("… {left} more columns of this line"),
                    DIM,
                ));
                break;
            }
            let mut end = start;
            let mut used = 0usize;
            while let Some(&(_, _, cw)) = cells.get(end) {
                if used + cw > w && end > start {
                    break;
                }
                used += cw;
                end += 1;
            }
            if end < cells.len() {
                let half = start + (end - start) / 2;
                if let Some(sp) = (half..end).rev().find(|&k| cells[k].0 == ' ') {
                    end = sp + 1;
                }
            }
            out.push(row_of(&cells[start..end]).style(line.style));
            start = end;
            rows += 1;
        }
    }
    out
}

/// One row of styled characters, as spans of equal style.
fn row_of(cells: &[(char, Style, usize)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut buf = String::new();
    let mut style = cells.first().map_or_else(Style::default, |c| c.1);
    for &(c, st, _) in cells {
        if st != style && !buf.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut buf), style));
        }
        style = st;
        buf.push(c);
    }
    if !buf.is_empty() {
        spans.push(Span::styled(buf, style));
    }
    Line::from(spans)
}

fn detail_rows(state: &State, w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let Some(item) = state.selected_item() else {
        if let Some(m) = &state.message {
            out.push(Line::styled(m.clone(), DEL));
        }
        return out;
    };
    let Some(node) = state.node_of(item) else {
        let it = &state.items[item];
        out.push(Line::from(vec![
            Span::styled(format!("{} ", it.status.letter()), status_style(it.status)),
            Span::raw(format!("directory with {} difference(s) below", it.below)),
        ]));
        return out;
    };
    if item == 0 {
        root_lines(state, &mut out);
    }
    let mut head = vec![
        Span::styled(
            format!("{} {}", node.status.letter(), status_word(node.status)),
            status_style(node.status).add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!("  {}", node.kind.map_or("", |k| k.as_str()))),
    ];
    if let Some(fm) = &node.format {
        head.push(Span::styled(
            format!("  [{fm}]"),
            Style::default().fg(Color::Cyan),
        ));
    }
    let size = match (node.size_a, node.size_b) {
        (Some(a), Some(b)) if a == b => format!("  {a} bytes"),
        (Some(a), Some(b)) => format!("  {a} → {b} bytes ({})", human_delta(node)),
        (Some(a), None) => format!("  {a} bytes (only in a)"),
        (None, Some(b)) => format!("  {b} bytes (only in b)"),
        (None, None) => String::new(),
    };
    head.push(Span::raw(size));
    out.push(Line::from(head));
    if !node.causes.is_empty() {
        out.push(Line::from(vec![
            Span::styled("causes: ", DIM),
            Span::styled(
                causes_text(&node.causes),
                Style::default().fg(Color::Magenta),
            ),
        ]));
    }
    for e in &node.errors {
        out.push(Line::styled(
            format!("error: {e}"),
            DEL.add_modifier(Modifier::BOLD),
        ));
    }
    if !node.changes.is_empty() {
        out.push(Line::raw(""));
        change_lines(node, w, &mut out);
    }
    if let Some(d) = &node.diff {
        out.push(Line::raw(""));
        if let Some(f) = d.fallback() {
            out.push(Line::styled(f.to_string(), DIM));
        }
        match d {
            Diff::Text {
                hunks, truncated, ..
            } => {
                text_diff_lines(hunks, &mut out);
                if *truncated {
                    out.push(Line::styled("(diff cut at the line limit)", DIM));
                }
            }
            Diff::Binary {
                ranges, truncated, ..
            } => {
                let summary = reprodiff_present::diff::binary_summary(d).unwrap_or_default();
                out.push(Line::styled(format!("binary: {summary}"), HEAD));
                for r in ranges {
                    hex_lines(r, (node.image_offset_a, node.image_offset_b), w, &mut out);
                }
                if *truncated {
                    out.push(Line::styled("(more ranges left out)", DIM));
                }
            }
            Diff::Hash {
                sha256_a,
                sha256_b,
                reason,
            } => {
                out.push(Line::styled(
                    format!("compared by hash only: {reason}"),
                    HEAD,
                ));
                out.push(Line::styled(
                    format!("a sha256 {}", Diff::digest_shown(sha256_a)),
                    DEL,
                ));
                out.push(Line::styled(
                    format!("b sha256 {}", Diff::digest_shown(sha256_b)),
                    ADD,
                ));
            }
        }
    }
    region_lines(state, node, &mut out);
    out
}

fn root_lines(state: &State, out: &mut Vec<Line<'static>>) {
    let Some(r) = &state.report else { return };
    for (side, input, style) in [("a", &r.a, DEL), ("b", &r.b, ADD)] {
        out.push(Line::from(vec![
            Span::styled(format!("{side} "), style),
            Span::raw(format!("{}  {} bytes", input.path, input.size)),
        ]));
        out.push(Line::styled(
            format!("  sha256 {}", input.sha256_shown()),
            DIM,
        ));
    }
    let s = &r.summary;
    out.push(Line::raw(format!(
        "compared {}: {} identical, {} modified, {} added, {} removed",
        s.compared, s.identical, s.modified, s.added, s.removed
    )));
    if s.errors > 0 || s.fallbacks > 0 {
        out.push(Line::styled(
            format!(
                "{} with errors, {} compared by hash only",
                s.errors, s.fallbacks
            ),
            DEL,
        ));
    }
    out.push(Line::raw(""));
}

fn region_lines(state: &State, node: &Node, out: &mut Vec<Line<'static>>) {
    let Some(r) = &state.report else { return };
    let addr = &node.address;
    let is_container = node.format.is_some();
    let mine: Vec<_> = r
        .regions
        .iter()
        .filter(|g| {
            (is_container && &g.container == addr)
                || g.owners_a.iter().chain(&g.owners_b).any(|o| o == addr)
        })
        .collect();
    if mine.is_empty() {
        return;
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!("differing byte regions ({})", mine.len()),
        HEAD,
    ));
    for g in mine.iter().take(200) {
        let container = if g.container.is_empty() {
            "image"
        } else {
            g.container.as_str()
        };
        let owners = if g.owners_a == g.owners_b {
            g.owners_text(&g.owners_a)
        } else {
            format!(
                "a: {} / b: {}",
                g.owners_text(&g.owners_a),
                g.owners_text(&g.owners_b)
            )
        };
        out.push(Line::from(vec![
            Span::styled(format!("{container} @ 0x{:x} +{}  ", g.offset, g.len), DIM),
            Span::raw(owners),
        ]));
    }
    if mine.len() > 200 {
        out.push(Line::styled(format!("… {} more", mine.len() - 200), DIM));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrap_breaks_at_spaces_and_keeps_styles() {
        let line = Line::from(vec![
            Span::styled("-alpha beta ", DEL),
            Span::styled("gamma", ADD),
        ]);
        let rows = wrap(vec![line], 8);
        assert_eq!(texts(&rows), ["-alpha ", "beta ", "gamma"]);
        assert!(rows.iter().all(|r| r.width() <= 8));
        assert_eq!(rows[1].spans[0].style, DEL);
        assert_eq!(rows[2].spans[0].style, ADD);
        // No space to break at: cut at the width; wide characters count 2.
        assert_eq!(
            texts(&wrap(vec![Line::raw("abcdefghij")], 4)),
            ["abcd", "efgh", "ij"]
        );
        assert_eq!(
            texts(&wrap(vec![Line::raw("日本語テキ")], 4)),
            ["日本", "語テ", "キ"]
        );
        // Short lines are left alone.
        assert_eq!(texts(&wrap(vec![Line::raw("ok")], 4)), ["ok"]);
    }

    #[test]
    fn a_huge_line_is_cut_after_its_row_limit() {
        let rows = wrap(vec![Line::raw("x".repeat(10_000))], 10);
        assert_eq!(rows.len(), MAX_WRAPPED_ROWS + 1);
        assert_eq!(
            rows.last().map(|l| l.to_string()),
            Some(format!(
                "… {} more columns of this line",
                10_000 - 10 * MAX_WRAPPED_ROWS
            ))
        );
    }
}
