//! The header line (the two images and the counts) and the root-causes pane
//! that lists the report's groups. Drawing only, for the TUI, the last
//! presenter in bytes → formats → engine → diagnosis → report → presenters.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, Paragraph};
use ratatui::Frame;
use reprodiff_report::Status;

use super::{inner, pane, status_style};
use crate::diffview::{truncate, ADD, DIM, HEAD};
use crate::state::{Focus, State};

pub(super) fn render_header(state: &State, f: &mut Frame, area: Rect) {
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

pub(super) fn render_groups(state: &State, f: &mut Frame, area: Rect) {
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
