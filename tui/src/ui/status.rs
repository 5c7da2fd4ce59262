//! The status line at the bottom: the search field or a prompt while one
//! is open, else the engine's progress, the last message or what filters
//! are on. Drawing only, for the TUI, the last presenter in bytes →
//! formats → engine → diagnosis → report → presenters.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::diffview::{DIM, HEAD};
use crate::state::{Mode, PromptKind, State};

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

pub(super) fn render_status(state: &State, f: &mut Frame, area: Rect) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
