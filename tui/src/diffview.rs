//! Drawing a node's field changes, text diffs and hexdumps as styled lines
//! for the detail pane. Part of the presenters end of the flow (report →
//! presenters): the rows of a diff (line numbers, hunk headers, paired
//! lines, hex cells) come from `reprodiff_present::diff`, as for the text
//! and Markdown reports; this only styles them. The layout of the screen is
//! `ui.rs`'s.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use reprodiff_present::diff::{changed_span, hex_pairs, text_rows, HexPair, RowKind};
use reprodiff_report::{ByteRange, Hunk, Node, Value};

pub(crate) const DIM: Style = Style::new().fg(Color::DarkGray);
pub(crate) const HEAD: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
pub(crate) const DEL: Style = Style::new().fg(Color::Red);
pub(crate) const ADD: Style = Style::new().fg(Color::Green);

pub(crate) fn change_lines(node: &Node, w: usize, out: &mut Vec<Line<'static>>) {
    let absent = |v: &Option<Value>| v.as_ref().map_or_else(|| "—".into(), |v| v.to_string());
    let absent_b = |c: &reprodiff_report::Change| c.shown_b().unwrap_or_else(|| "—".into());
    let fw = node
        .changes
        .iter()
        .map(|c| c.field.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, (w / 3).max(5));
    if w < 50 {
        out.push(Line::styled("field: a → b", HEAD));
        for c in &node.changes {
            out.push(Line::raw(truncate(&c.field, w)));
            out.push(Line::styled(
                truncate(&format!("  - {}", absent(&c.a)), w),
                DEL,
            ));
            out.push(Line::styled(
                truncate(&format!("  + {}", absent_b(c)), w),
                ADD,
            ));
        }
        return;
    }
    // Side a gets what it needs up to half the room; side b the rest.
    let room = w.saturating_sub(fw + 5);
    let longest_a = node
        .changes
        .iter()
        .map(|c| absent(&c.a).chars().count())
        .max()
        .unwrap_or(1);
    let vw = (longest_a + 1).clamp(2, room.div_ceil(2).max(2));
    let vb = room.saturating_sub(vw).max(2);
    out.push(Line::styled(
        format!("{:<fw$} │ {:<vw$}│ {}", "field", "a", "b"),
        HEAD,
    ));
    for c in &node.changes {
        // Values wrap inside their columns, so dates, GUIDs and paths show
        // whole; the field name stays on the first row.
        let a = columns(&absent(&c.a), vw.saturating_sub(1));
        let b = columns(&absent_b(c), vb);
        for k in 0..a.len().max(b.len()) {
            let name = if k == 0 {
                truncate(&c.field, fw)
            } else {
                String::new()
            };
            let empty = String::new();
            out.push(Line::from(vec![
                Span::raw(format!("{name:<fw$} │ ")),
                Span::styled(format!("{:<vw$}", a.get(k).unwrap_or(&empty)), DEL),
                Span::raw("│ "),
                Span::styled(b.get(k).cloned().unwrap_or_default(), ADD),
            ]));
        }
    }
}

/// `s` cut into pieces of at most `w` characters, at most 8 of them (the
/// last marked `…` when more was left out).
pub(crate) fn columns(s: &str, w: usize) -> Vec<String> {
    const MAX: usize = 8;
    let w = w.max(1);
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<String> = chars
        .chunks(w)
        .take(MAX)
        .map(|c| c.iter().collect())
        .collect();
    if chars.len() > w * MAX {
        if let Some(last) = out.last_mut() {
            *last = truncate(&format!("{last}…"), w);
        }
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

pub(crate) fn text_diff_lines(hunks: &[Hunk], out: &mut Vec<Line<'static>>) {
    let rows = text_rows(hunks);
    for row in &rows {
        match row.kind {
            RowKind::Header => out.push(Line::styled(
                row.text.clone(),
                Style::default().fg(Color::Cyan),
            )),
            RowKind::Delete | RowKind::Insert => {
                let (nums, style) = if row.kind == RowKind::Delete {
                    (format!("{:>4}      │", row.a_line.unwrap_or(0)), DEL)
                } else {
                    (format!("     {:>4} │", row.b_line.unwrap_or(0)), ADD)
                };
                let mut spans = vec![Span::styled(nums, DIM), Span::styled(row.marker(), style)];
                let other = row
                    .partner
                    .and_then(|p| rows.get(p))
                    .map(|r| r.text.as_str());
                spans.extend(highlight(&row.text, other, style));
                out.push(Line::from(spans));
            }
            RowKind::NoNewline => out.push(Line::styled(row.text.clone(), DIM)),
            RowKind::Context => {
                let nums = format!(
                    "{:>4} {:>4} │ ",
                    row.a_line.unwrap_or(0),
                    row.b_line.unwrap_or(0)
                );
                out.push(Line::from(vec![
                    Span::styled(nums, DIM),
                    Span::raw(row.text.clone()),
                ]));
            }
        }
    }
}

/// Splits a changed line into its common prefix, changed middle (reversed)
/// and common suffix against its partner.
pub(crate) fn highlight(text: &str, other: Option<&str>, style: Style) -> Vec<Span<'static>> {
    let Some(mid) = other.and_then(|o| changed_span(text, o)) else {
        return vec![Span::styled(text.to_string(), style)];
    };
    vec![
        Span::styled(text[..mid.start].to_string(), style),
        Span::styled(
            text[mid.clone()].to_string(),
            style.add_modifier(Modifier::REVERSED),
        ),
        Span::styled(text[mid.end..].to_string(), style),
    ]
}

pub(crate) fn hex_lines(
    r: &ByteRange,
    image: (Option<u64>, Option<u64>),
    w: usize,
    out: &mut Vec<Line<'static>>,
) {
    out.push(Line::styled(
        format!("@ 0x{:x} (+{} bytes) in the entry", r.offset, r.len),
        Style::default().fg(Color::Cyan),
    ));
    let at = |base: Option<u64>| base.map(|b| format!("0x{:x}", b.saturating_add(r.offset)));
    if let (Some(a), Some(b)) = (at(image.0), at(image.1)) {
        let text = if a == b {
            format!("  = image @ {a}")
        } else {
            format!("  = image @ {a} (a) / {b} (b)")
        };
        out.push(Line::styled(text, DIM));
    }
    let side_by_side = |bpr: usize| 10 + bpr * 3 * 2 + 2 <= w;
    let stacked = |bpr: usize| 12 + bpr * 3 <= w;
    let (bpr, sbs) = [16, 8, 4]
        .iter()
        .find(|&&n| side_by_side(n))
        .map(|&n| (n, true))
        .or_else(|| {
            [16, 8, 4]
                .iter()
                .find(|&&n| stacked(n))
                .map(|&n| (n, false))
        })
        .unwrap_or((4, false));
    // One side's cells of a row, the bytes that differ from the other
    // side's marked.
    let cells = |row: &HexPair, a_side: bool, style: Style| {
        row.cells
            .iter()
            .map(|c| {
                let mine = if a_side { c.a } else { c.b };
                let text = mine.map_or("   ".to_string(), |x| format!("{x:02x} "));
                let st = if c.differs() {
                    style.add_modifier(Modifier::BOLD | Modifier::REVERSED)
                } else {
                    Style::default()
                };
                Span::styled(text, st)
            })
            .collect::<Vec<_>>()
    };
    for row in hex_pairs(r, bpr) {
        let at = row.offset;
        if sbs {
            let mut spans = vec![Span::styled(format!("{at:08x}  "), DIM)];
            spans.extend(cells(&row, true, DEL));
            spans.push(Span::styled("│ ", DIM));
            spans.extend(cells(&row, false, ADD));
            out.push(Line::from(spans));
        } else {
            let mut la = vec![Span::styled(format!("-{at:08x}  "), DEL)];
            la.extend(cells(&row, true, DEL));
            out.push(Line::from(la));
            let mut lb = vec![Span::styled(format!("+{at:08x}  "), ADD)];
            lb.extend(cells(&row, false, ADD));
            out.push(Line::from(lb));
        }
    }
}

pub(crate) fn truncate(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(w - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_wrap_inside_their_column() {
        assert_eq!(columns("abcdefg", 3), ["abc", "def", "g"]);
        assert_eq!(columns("", 3), [""]);
        let many = columns(&"y".repeat(100), 2);
        assert_eq!(many.len(), 8);
        assert_eq!(many[7], "y…");
    }

    #[test]
    fn ranges_are_placed_in_the_image() {
        let r = ByteRange {
            offset: 0x10,
            len: 1,
            start: 0x10,
            a: vec![0x00],
            b: vec![0xff],
        };
        let text = |image| {
            let mut out = Vec::new();
            hex_lines(&r, image, 80, &mut out);
            out.iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(text((Some(0x1000), Some(0x1000))).contains("= image @ 0x1010"));
        assert!(text((Some(0x1000), Some(0x2000))).contains("image @ 0x1010 (a) / 0x2010 (b)"));
        assert!(!text((None, None)).contains("image @"));
    }

    #[test]
    fn hex_cells_line_up_and_mark_what_differs() {
        let r = ByteRange {
            offset: 0x11,
            len: 1,
            start: 0x10,
            a: vec![0x41, 0x00],
            b: vec![0x41, 0xff],
        };
        let mut out = Vec::new();
        hex_lines(&r, (None, None), 80, &mut out);
        assert_eq!(out.len(), 2, "the range's line and one row of 8");
        let row = out[1].to_string();
        assert!(row.starts_with("00000010  41 00       "), "{row}");
        assert!(row.contains("│ 41 ff "), "{row}");
        let marked: Vec<&str> = out[1]
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(marked, ["00 ", "ff "]);
        // Too narrow for both sides on one row: a's row, then b's, 4 a row.
        let mut narrow = Vec::new();
        hex_lines(&r, (None, None), 30, &mut narrow);
        let rows: Vec<String> = narrow[1..].iter().map(|l| l.to_string()).collect();
        assert_eq!(rows, ["-00000010  41 00       ", "+00000010  41 ff       "]);
    }

    #[test]
    fn highlight_marks_the_middle() {
        let spans = highlight("Build-Date: Tue", Some("Build-Date: Wed"), DEL);
        assert_eq!(spans[0].content, "Build-Date: ");
        assert_eq!(spans[1].content, "Tue");
        assert_eq!(spans[2].content, "");
        let spans = highlight("id=0042;", Some("id=0077;"), ADD);
        assert_eq!(spans[1].content, "42");
        assert_eq!(spans[2].content, ";");
    }
}
