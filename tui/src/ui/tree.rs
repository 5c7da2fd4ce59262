//! The differences pane: one line per visible row of the display tree,
//! with its fold marker, status letter, name, format, and on the right the
//! kind, size change and first cause as far as the width allows. Drawing
//! only, for the TUI, the last presenter in bytes → formats → engine →
//! diagnosis → report → presenters.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{human_delta, inner, pane, status_style};
use crate::diffview::{truncate, DIM};
use crate::state::{Focus, State};

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
    if node.is_none() || node.and_then(|n| n.kind) == Some(reprodiff_report::Kind::Dir) {
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

pub(super) fn render_tree(state: &State, f: &mut Frame, area: Rect) {
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
