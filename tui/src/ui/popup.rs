//! The popups drawn over the panes: the key help and the filter chooser.
//! Drawing only, for the TUI, the last presenter in bytes → formats →
//! engine → diagnosis → report → presenters.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::pane;
use crate::diffview::HEAD;
use crate::keymap::{HelpLine, KEYS};
use crate::state::{State, FILTER_ROWS};

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

pub(super) fn render_help(f: &mut Frame) {
    let rows: Vec<(String, &str)> = KEYS.iter().map(HelpLine::text).collect();
    let kw = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = rows
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!(" {k:<kw$}  "), HEAD),
                Span::raw(*d),
            ])
        })
        .collect();
    let area = centered(f.area(), 76, lines.len() as u16 + 2);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(pane(" Keys (Esc closes) ", true)),
        area,
    );
}

pub(super) fn render_filter(state: &State, f: &mut Frame, row: usize) {
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
