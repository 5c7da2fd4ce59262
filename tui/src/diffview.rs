//! Drawing a node's field changes, text diffs and hexdumps as styled lines
//! for the detail pane. Part of the presenters end of the flow (report →
//! presenters): it reads a `Node` of the report and styles it; the layout
//! of the screen is `ui.rs`'s.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use reprodiff_report::{ByteRange, Node, Value};

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

/// Parses `@@ -a,b +c,d @@` into the first line numbers of each side.
pub(crate) fn hunk_start(line: &str) -> Option<(u64, u64)> {
    let mut parts = line.split_whitespace().skip(1);
    let num = |p: &str| p.get(1..)?.split(',').next()?.parse::<u64>().ok();
    let a = num(parts.next()?)?;
    let b = num(parts.next()?)?;
    Some((a, b))
}

pub(crate) fn text_diff_lines(unified: &str, out: &mut Vec<Line<'static>>) {
    let lines: Vec<&str> = unified.lines().collect();
    // Pairs each removed line with the added line at the same place in the
    // following run, for the intra-line highlight.
    let mut partner = vec![None; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('-') {
            let dels = i;
            while i < lines.len() && lines[i].starts_with('-') {
                i += 1;
            }
            let adds = i;
            while i < lines.len() && lines[i].starts_with('+') {
                i += 1;
            }
            for k in 0..(adds - dels).min(i - adds) {
                partner[dels + k] = Some(adds + k);
                partner[adds + k] = Some(dels + k);
            }
        } else {
            i += 1;
        }
    }
    let (mut old, mut new) = (0u64, 0u64);
    for (i, line) in lines.iter().enumerate() {
        let (tag, rest) = line.split_at(line.char_indices().nth(1).map_or(line.len(), |(p, _)| p));
        let text = rest.to_string();
        match tag {
            "@" => {
                if let Some((a, b)) = hunk_start(line) {
                    old = a;
                    new = b;
                }
                out.push(Line::styled(
                    line.to_string(),
                    Style::default().fg(Color::Cyan),
                ));
            }
            "-" | "+" => {
                let (nums, style) = if tag == "-" {
                    old += 1;
                    (format!("{:>4}      │", old - 1), DEL)
                } else {
                    new += 1;
                    (format!("     {:>4} │", new - 1), ADD)
                };
                let mut spans = vec![
                    Span::styled(nums, DIM),
                    Span::styled(tag.to_string(), style),
                ];
                let other = partner[i]
                    .and_then(|p| lines.get(p))
                    .and_then(|l| l.get(1..));
                spans.extend(highlight(&text, other, style));
                out.push(Line::from(spans));
            }
            "\\" => out.push(Line::styled(line.to_string(), DIM)),
            _ => {
                let nums = format!("{old:>4} {new:>4} │ ");
                old += 1;
                new += 1;
                out.push(Line::from(vec![Span::styled(nums, DIM), Span::raw(text)]));
            }
        }
    }
}

/// Splits a changed line into its common prefix, changed middle (reversed)
/// and common suffix against its partner.
pub(crate) fn highlight(text: &str, other: Option<&str>, style: Style) -> Vec<Span<'static>> {
    let Some(other) = other else {
        return vec![Span::styled(text.to_string(), style)];
    };
    let a: Vec<char> = text.chars().collect();
    let b: Vec<char> = other.chars().collect();
    let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    if pre + suf == 0 {
        return vec![Span::styled(text.to_string(), style)];
    }
    let s = |r: &[char]| r.iter().collect::<String>();
    vec![
        Span::styled(s(&a[..pre]), style),
        Span::styled(
            s(&a[pre..a.len() - suf]),
            style.add_modifier(Modifier::REVERSED),
        ),
        Span::styled(s(&a[a.len() - suf..]), style),
    ]
}

/// Reads `OFFSET: hhhh hhhh ...  ascii` hexdump lines back into bytes.
pub(crate) fn parse_hexdump(lines: &[String]) -> Option<(u64, Vec<u8>)> {
    let mut start = None;
    let mut bytes = Vec::new();
    for l in lines {
        let (off, rest) = l.split_once(": ")?;
        let off = u64::from_str_radix(off.trim(), 16).ok()?;
        let expected = start.map(|s: u64| s + bytes.len() as u64);
        if expected.is_some_and(|e| e != off) {
            return None;
        }
        start.get_or_insert(off);
        let hex = rest.split("  ").next().unwrap_or("");
        let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if !digits.len().is_multiple_of(2) {
            return None;
        }
        for pair in digits.chunks(2) {
            let s = std::str::from_utf8(pair).ok()?;
            bytes.push(u8::from_str_radix(s, 16).ok()?);
        }
    }
    Some((start.unwrap_or(0), bytes))
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
    let (Some((sa, a)), Some((sb, b))) = (parse_hexdump(&r.a), parse_hexdump(&r.b)) else {
        for l in &r.a {
            out.push(Line::styled(format!("-{l}"), DEL));
        }
        for l in &r.b {
            out.push(Line::styled(format!("+{l}"), ADD));
        }
        return;
    };
    let start = sa.min(sb);
    let end = (sa + a.len() as u64).max(sb + b.len() as u64);
    let at =
        |base: u64, v: &[u8], o: u64| o.checked_sub(base).and_then(|i| v.get(i as usize).copied());
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
    let cells = |row: u64, base: u64, v: &[u8], ob: u64, ov: &[u8], style: Style| {
        let mut spans = Vec::new();
        for k in 0..bpr as u64 {
            let o = row + k;
            let (mine, theirs) = (at(base, v, o), at(ob, ov, o));
            let text = mine.map_or("   ".to_string(), |x| format!("{x:02x} "));
            let st = if mine != theirs {
                style.add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                Style::default()
            };
            spans.push(Span::styled(text, st));
        }
        spans
    };
    let mut row = start - start % bpr as u64;
    while row < end {
        if sbs {
            let mut spans = vec![Span::styled(format!("{row:08x}  "), DIM)];
            spans.extend(cells(row, sa, &a, sb, &b, DEL));
            spans.push(Span::styled("│ ", DIM));
            spans.extend(cells(row, sb, &b, sa, &a, ADD));
            out.push(Line::from(spans));
        } else {
            let mut la = vec![Span::styled(format!("-{row:08x}  "), DEL)];
            la.extend(cells(row, sa, &a, sb, &b, DEL));
            out.push(Line::from(la));
            let mut lb = vec![Span::styled(format!("+{row:08x}  "), ADD)];
            lb.extend(cells(row, sb, &b, sa, &a, ADD));
            out.push(Line::from(lb));
        }
        row += bpr as u64;
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
    fn hexdump_round_trip() {
        let lines = vec![
            "00000370: 0123 4567 89ab cdef 0123 4567 0400 0000  .#Eg.....#Eg....".to_string(),
            "00000380: 0102                                     ..".to_string(),
        ];
        let (off, bytes) = parse_hexdump(&lines).unwrap();
        assert_eq!(off, 0x370);
        assert_eq!(bytes.len(), 18);
        assert_eq!(bytes[11], 0x67);
        assert_eq!(bytes[17], 0x02);
        assert!(parse_hexdump(&["garbage".to_string()]).is_none());
    }

    #[test]
    fn ranges_are_placed_in_the_image() {
        let r = ByteRange {
            offset: 0x10,
            len: 1,
            a: vec!["00000010: 00".to_string()],
            b: vec!["00000010: ff".to_string()],
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
    fn hunk_numbers() {
        assert_eq!(hunk_start("@@ -1,2 +3,4 @@"), Some((1, 3)));
        assert_eq!(hunk_start("@@ -7 +9 @@ fn"), Some((7, 9)));
        assert_eq!(hunk_start("@@ nonsense"), None);
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
