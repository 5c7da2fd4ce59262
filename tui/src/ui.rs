//! Drawing: `render` paints the state into a frame and changes nothing, so
//! what is on screen is a function of `State` alone (and snapshot tests pin
//! it). The detail pane's lines are built here too, for the selected node
//! only, so drawing stays proportional to the screen, not the report.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, Paragraph};
use ratatui::Frame;
use reprodiff_report::{Cause, Diff, Kind, Node, Status};
use unicode_width::UnicodeWidthChar;

use crate::diffview::{change_lines, hex_lines, text_diff_lines, truncate, ADD, DEL, DIM, HEAD};
use crate::keymap::HELP;
use crate::state::{status_word, Focus, Mode, PromptKind, State, FILTER_ROWS};

/// Where each part of the screen goes; the app uses it for mouse hits and
/// viewport sizes, `render` to draw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub groups: Option<Rect>,
    pub tree: Rect,
    pub detail: Rect,
    pub status: Rect,
}

pub fn layout(area: Rect, groups: usize) -> Areas {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let left_w = (body.width * 2 / 5).max(24.min(body.width));
    let [left, detail] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
    let (groups_area, tree) = if groups > 0 {
        let h = (groups as u16 + 2)
            .min(left.height / 3)
            .max(3.min(left.height));
        let [g, t] = Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(left);
        (Some(g), t)
    } else {
        (None, left)
    };
    Areas {
        header,
        groups: groups_area,
        tree,
        detail,
        status,
    }
}

/// Height and width inside a bordered pane.
pub fn inner(r: Rect) -> (usize, usize) {
    (
        r.height.saturating_sub(2) as usize,
        r.width.saturating_sub(2) as usize,
    )
}

pub fn status_style(s: Status) -> Style {
    Style::default().fg(match s {
        Status::Added => Color::Green,
        Status::Removed => Color::Red,
        Status::Modified => Color::Yellow,
        Status::Identical => Color::DarkGray,
    })
}

fn pane<'a>(title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    let style = if focused {
        Style::default().fg(Color::Cyan)
    } else {
        DIM
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

pub fn render(state: &State, f: &mut Frame) {
    let areas = layout(f.area(), state.groups().len());
    render_header(state, f, areas.header);
    if let Some(g) = areas.groups {
        render_groups(state, f, g);
    }
    render_tree(state, f, areas.tree);
    render_detail(state, f, areas.detail);
    render_status(state, f, areas.status);
    match &state.mode {
        Mode::Help => render_help(f),
        Mode::Filter(row) => render_filter(state, f, *row),
        _ => {}
    }
}

/// "comparing… 12.3 s, 4,512 entries, 1.2 GiB checked".
pub fn loading_status(state: &State) -> String {
    let mut s = format!("comparing… {:.1} s", state.elapsed.as_secs_f64());
    if let Some((entries, bytes)) = state.progress {
        s.push_str(&format!(
            ", {} entries, {} checked",
            thousands(entries),
            human_bytes(bytes)
        ));
    }
    s
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

fn causes_text(causes: &[Cause]) -> String {
    let names: Vec<&str> = causes.iter().map(|c| c.as_str()).collect();
    names.join(", ")
}

fn render_header(state: &State, f: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled("reprodiff ", HEAD)];
    match &state.report {
        Some(r) => {
            let s = &r.summary;
            spans.push(Span::raw(format!("{} ↔ {}  ", r.a.path, r.b.path)));
            if r.verdict == reprodiff_report::Verdict::Identical {
                spans.push(Span::styled("identical", ADD));
            } else {
                spans.push(Span::styled(
                    format!("{}M ", s.modified),
                    status_style(Status::Modified),
                ));
                spans.push(Span::styled(
                    format!("{}A ", s.added),
                    status_style(Status::Added),
                ));
                spans.push(Span::styled(
                    format!("{}R", s.removed),
                    status_style(Status::Removed),
                ));
                spans.push(Span::styled(format!(" of {}", s.compared), DIM));
            }
        }
        None => spans.push(Span::raw(state.loading.clone().unwrap_or_default())),
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_groups(state: &State, f: &mut Frame, area: Rect) {
    let groups = state.groups();
    let (h, w) = inner(area);
    let offset = state.group_selected.saturating_sub(h.saturating_sub(1));
    let focused = state.focus == Focus::Groups;
    let items: Vec<ListItem> = groups
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, g)| {
            let active = state.filter.group == Some(i);
            let mark = if active { "● " } else { "  " };
            let text = format!("{mark}{:>4} {}: {}", g.count, g.cause, g.shape);
            let mut style = Style::default();
            if i == state.group_selected && focused {
                style = style.add_modifier(Modifier::REVERSED);
            }
            if active {
                style = style.fg(Color::Cyan);
            }
            ListItem::new(Line::styled(truncate(&text, w), style))
        })
        .collect();
    let title = format!(" Root causes ({}) ", groups.len());
    f.render_widget(List::new(items).block(pane(title, focused)), area);
}

fn human_delta(node: &Node) -> String {
    let d = match (node.size_a, node.size_b) {
        (Some(a), Some(b)) => i128::from(b) - i128::from(a),
        (None, Some(b)) => i128::from(b),
        (Some(a), None) => -i128::from(a),
        (None, None) => return String::new(),
    };
    if d == 0 {
        return String::new();
    }
    let sign = if d > 0 { "+" } else { "-" };
    let m = d.unsigned_abs();
    if m < 10 * 1024 {
        format!("{sign}{m} B")
    } else if m < 10 * 1024 * 1024 {
        format!("{sign}{:.1} KiB", m as f64 / 1024.0)
    } else {
        format!("{sign}{:.1} MiB", m as f64 / (1024.0 * 1024.0))
    }
}

fn tree_line(state: &State, item: usize, width: usize, selected: bool) -> Line<'static> {
    let it = &state.items[item];
    let node = state.node_of(item);
    let marker = if state.has_shown_children(item) {
        if state.is_folded(item) {
            "▸ "
        } else {
            "▾ "
        }
    } else {
        "  "
    };
    let indent = "  ".repeat(it.depth as usize);
    let prefix = format!("{indent}{marker}");
    let letter = format!("{} ", it.status.letter());
    let mut name = it.name.clone();
    if node.is_none() || node.and_then(|n| n.kind) == Some(Kind::Dir) {
        name.push('/');
    }
    let mut suffix = String::new();
    if let Some(fmt) = node.and_then(|n| n.format.as_deref()) {
        if item != 0 {
            suffix.push_str(&format!(" [{fmt}]"));
        }
    }
    if state.is_folded(item) && it.below > 0 {
        suffix.push_str(&format!(" ({})", it.below));
    }
    let mut right = String::new();
    if let Some(n) = node {
        if width >= 50 {
            right.push_str(&format!("{:<7} ", n.kind.map_or("", |k| k.as_str())));
        }
        right.push_str(&format!("{:>9}", human_delta(n)));
        if width >= 40 {
            if let Some(c) = n.causes.first() {
                let more = if n.causes.len() > 1 { "+" } else { "" };
                right.push_str(&format!(" {c}{more}"));
            }
        }
    }
    let mut right = right.trim_end().to_string();
    let fixed = prefix.chars().count() + 2 + suffix.chars().count();
    // The name matters more than the size column: drop the column when the
    // name would not fit beside it.
    if fixed + name.chars().count() + right.chars().count() + 1 > width {
        right = right.trim_start().to_string();
        if fixed + name.chars().count() + right.chars().count() + 1 > width {
            right.clear();
        }
    }
    let right_w = right.chars().count();
    let name_room = width.saturating_sub(fixed + right_w + 1).max(4);
    let name = truncate(&name, name_room);
    let used = fixed + name.chars().count();
    let pad = width.saturating_sub(used + right_w);
    let mut name_style = Style::default();
    if state.is_match(item) {
        name_style = name_style
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    }
    if node.is_none() {
        name_style = name_style.fg(Color::Blue);
    }
    let mut line = Line::from(vec![
        Span::styled(prefix, DIM),
        Span::styled(letter, status_style(it.status).add_modifier(Modifier::BOLD)),
        Span::styled(name, name_style),
        Span::styled(suffix, Style::default().fg(Color::Cyan)),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, DIM),
    ]);
    if selected {
        line = line.patch_style(
            Style::default()
                .bg(Color::Rgb(40, 60, 90))
                .add_modifier(Modifier::BOLD),
        );
    }
    line
}

fn render_tree(state: &State, f: &mut Frame, area: Rect) {
    let (h, w) = inner(area);
    let focused = state.focus == Focus::Tree;
    let mut title = format!(" Differences ({}) ", state.nodes.len().saturating_sub(1));
    if state.filter_active() {
        title = format!(" Differences ({} shown) ", state.rows.len());
    }
    let block = pane(title, focused);
    if state.items.is_empty() {
        let text = match &state.loading {
            Some(l) => format!("comparing {l}…"),
            None => state.message.clone().unwrap_or_else(|| "no report".into()),
        };
        f.render_widget(Paragraph::new(text).style(DIM).block(block), area);
        return;
    }
    let lines: Vec<Line> = state
        .rows
        .iter()
        .enumerate()
        .skip(state.tree_offset)
        .take(h)
        .map(|(row, &item)| tree_line(state, item, w, row == state.selected))
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_detail(state: &State, f: &mut Frame, area: Rect) {
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
    let lines = detail_lines(state, w);
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
    let p = Paragraph::new(lines)
        .block(block)
        .scroll((scroll.min(u16::MAX as usize) as u16, 0));
    f.render_widget(p, area);
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
pub fn detail_lines(state: &State, w: usize) -> Vec<Line<'static>> {
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
                size_a,
                size_b,
                differing_bytes,
                ranges,
                truncated,
                ..
            } => {
                out.push(Line::styled(
                    format!(
                        "binary: {differing_bytes} byte(s) differ in {} range(s) (sizes {size_a} / {size_b})",
                        ranges.len()
                    ),
                    HEAD,
                ));
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
                out.push(Line::styled(format!("a sha256 {sha256_a}"), DEL));
                out.push(Line::styled(format!("b sha256 {sha256_b}"), ADD));
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
        out.push(Line::styled(format!("  sha256 {}", input.sha256), DIM));
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

fn render_status(state: &State, f: &mut Frame, area: Rect) {
    let hint = Span::styled(" ? help  q quit ", DIM);
    let left: Line = match &state.mode {
        Mode::Search => {
            let q = state.search.as_ref().map_or("", |s| s.query.as_str());
            let msg = state.message.clone().unwrap_or_default();
            Line::from(vec![
                Span::styled("/", HEAD),
                Span::raw(format!("{q}█  ")),
                Span::styled(msg, DIM),
            ])
        }
        Mode::Prompt(p) => {
            let what = match p.kind {
                PromptKind::Extract => "extract both versions to",
                PromptKind::Markdown => "write markdown to",
            };
            Line::from(vec![
                Span::styled(format!("{what}: "), HEAD),
                Span::raw(format!("{}█", p.input)),
                Span::styled("  Enter confirms, Esc cancels", DIM),
            ])
        }
        _ => match (&state.loading, &state.message) {
            (Some(_), _) => Line::styled(loading_status(state), Style::default().fg(Color::Yellow)),
            (None, Some(m)) => Line::raw(m.clone()),
            (None, None) => {
                let mut s = String::new();
                if state.filter_active() {
                    s.push_str("filtered (Esc clears)  ");
                }
                if state.filter.show_identical {
                    s.push_str("identical shown  ");
                }
                Line::styled(s, DIM)
            }
        },
    };
    let hw = hint.width() as u16;
    let [l, r] = Layout::horizontal([Constraint::Min(0), Constraint::Length(hw)]).areas(area);
    f.render_widget(Paragraph::new(left), l);
    f.render_widget(Paragraph::new(Line::from(hint)), r);
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn render_help(f: &mut Frame) {
    let kw = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!(" {k:<kw$}  "), HEAD),
                Span::raw(*d),
            ])
        })
        .collect();
    let area = centered(f.area(), 76, HELP.len() as u16 + 2);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(pane(" Keys (Esc closes) ", true)),
        area,
    );
}

fn render_filter(state: &State, f: &mut Frame, row: usize) {
    let lines: Vec<Line> = FILTER_ROWS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let style = if i == row {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Line::styled(format!(" {name:<7} ‹ {} › ", state.filter_value(i)), style)
        })
        .collect();
    let area = centered(f.area(), 40, FILTER_ROWS.len() as u16 + 2);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(pane(" Filter (j/k row, h/l value) ", true)),
        area,
    );
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

    #[test]
    fn loading_status_counts() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4512), "4,512");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1_288_490_189), "1.2 GiB");
        let mut s = State::loading("a ↔ b");
        s.elapsed = std::time::Duration::from_millis(12_345);
        assert_eq!(loading_status(&s), "comparing… 12.3 s");
        s.progress = Some((4512, 1_288_490_189));
        assert_eq!(
            loading_status(&s),
            "comparing… 12.3 s, 4,512 entries, 1.2 GiB checked"
        );
    }
}
