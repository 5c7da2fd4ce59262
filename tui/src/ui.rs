//! Drawing: `render` paints the state into a frame and changes nothing, so
//! what is on screen is a function of `State` alone (and snapshot tests pin
//! it). Part of the TUI, the last presenter in bytes → formats → engine →
//! diagnosis → report → presenters. Each pane has its module: `header` (the
//! header line and root causes), `tree`, `detail`, `status` (the bottom
//! line) and `popup` (help and filter); this one lays them out.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};
use ratatui::Frame;
use reprodiff_report::{Node, Status};

use crate::diffview::DIM;
use crate::state::{Mode, State};

pub(crate) mod detail;
mod header;
mod popup;
mod status;
mod tree;

pub use detail::{refresh as refresh_detail, Detail};
pub use status::loading_status;

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

pub(super) fn pane<'a>(title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
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
    header::render_header(state, f, areas.header);
    if let Some(g) = areas.groups {
        header::render_groups(state, f, g);
    }
    tree::render_tree(state, f, areas.tree);
    detail::render_detail(state, f, areas.detail);
    status::render_status(state, f, areas.status);
    match &state.mode {
        Mode::Help => popup::render_help(f),
        Mode::Filter(row) => popup::render_filter(state, f, *row),
        _ => {}
    }
}

pub(super) fn human_delta(node: &Node) -> String {
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
