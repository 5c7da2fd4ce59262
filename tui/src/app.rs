//! The event loop: turns terminal events into actions on the state, runs the
//! side effects (extract, copy, markdown) and redraws. Generic over the
//! ratatui backend so tests drive it with `TestBackend` and scripted events.

use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};
use ratatui::Terminal;
use reprodiff_present::markdown;
use reprodiff_report::{Node, Report};

use crate::keymap::{self, Action, Context};
use crate::state::{Focus, Mode, Prompt, PromptKind, State, FILTER_ROWS};
use crate::ui;

/// Where the report comes from.
pub enum Source {
    Report(Box<Report>),
    /// The engine is comparing on another thread; finished subtrees, then
    /// the report (or an error), arrive on the channel. `label` names what
    /// is compared; `progress` reads the engine's counters.
    Pending {
        label: String,
        rx: Receiver<Update>,
        progress: Option<ProgressFn>,
    },
}

/// What the comparing thread sends.
pub enum Update {
    /// A finished member of the outermost container, not yet diagnosed:
    /// shown at once, superseded by the report.
    Subtree(Box<Node>),
    Done(Result<Box<Report>, String>),
}

/// Reads (entries compared, bytes checked) so far.
pub type ProgressFn = Box<dyn Fn() -> (u64, u64)>;

/// Extracts both versions of an address into a folder; returns a summary.
pub type ExtractFn = Box<dyn Fn(&str, &Path) -> Result<String, String>>;

/// What the browser needs from outside the report model.
pub struct Hooks {
    pub extract: Option<ExtractFn>,
    /// Puts text on the clipboard.
    pub copy: Box<dyn FnMut(&str)>,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            extract: None,
            copy: Box::new(|text| {
                let mut out = io::stdout();
                let _ = out.write_all(osc52(text).as_bytes());
                let _ = out.flush();
            }),
        }
    }
}

/// The OSC 52 escape that asks the terminal to set its clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub struct App {
    pub state: State,
    hooks: Hooks,
    rx: Option<Receiver<Update>>,
    progress: Option<ProgressFn>,
    started: Instant,
    areas: ui::Areas,
    quit: bool,
}

impl App {
    pub fn new(source: Source, hooks: Hooks) -> App {
        let (state, rx, progress) = match source {
            Source::Report(r) => (State::new(*r), None, None),
            Source::Pending {
                label,
                rx,
                progress,
            } => (State::loading(label), Some(rx), progress),
        };
        App {
            state,
            hooks,
            rx,
            progress,
            started: Instant::now(),
            areas: ui::Areas::default(),
            quit: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Picks up what the engine has finished since the last tick: subtrees
    /// go into the provisional tree in one rebuild, the report replaces it.
    pub fn tick(&mut self) {
        let Some(rx) = &self.rx else { return };
        self.state.elapsed = self.started.elapsed();
        if let Some(p) = &self.progress {
            self.state.progress = Some(p());
        }
        let mut subtrees = Vec::new();
        let end = loop {
            match rx.try_recv() {
                Ok(Update::Subtree(n)) => subtrees.push(*n),
                Ok(Update::Done(r)) => break Some(Ok(r)),
                Err(TryRecvError::Empty) => break None,
                Err(TryRecvError::Disconnected) => break Some(Err(())),
            }
        };
        self.state.add_subtrees(subtrees);
        let Some(end) = end else { return };
        self.rx = None;
        match end {
            Ok(Ok(report)) => {
                let secs = self.state.elapsed.as_secs_f64();
                self.state.set_report(*report);
                self.state.message = Some(format!("compared in {secs:.1}s"));
            }
            Ok(Err(e)) => {
                self.state.loading = None;
                self.state.message = Some(format!("comparison failed: {e}"));
            }
            Err(()) => {
                self.state.loading = None;
                self.state.message = Some("comparison stopped without a report".into());
            }
        }
    }

    pub fn is_loading(&self) -> bool {
        self.rx.is_some()
    }

    fn relayout(&mut self, area: Rect) {
        self.areas = ui::layout(area, self.state.groups().len());
        let (th, _) = ui::inner(self.areas.tree);
        let (dh, dw) = ui::inner(self.areas.detail);
        ui::refresh_detail(&mut self.state, dw);
        self.state.set_viewport(th, dh);
    }

    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> io::Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        let size = terminal.size().map_err(io::Error::other)?;
        self.relayout(Rect::new(0, 0, size.width, size.height));
        terminal
            .draw(|f| ui::render(&self.state, f))
            .map_err(io::Error::other)?;
        Ok(())
    }

    fn context(&self) -> Context {
        match self.state.mode {
            Mode::Normal => Context::Normal,
            Mode::Search | Mode::Prompt(_) => Context::Text,
            Mode::Help | Mode::Filter(_) => Context::Popup,
        }
    }

    pub fn handle_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) => {
                if let Some(a) = keymap::map(k, self.context()) {
                    self.act(a);
                }
            }
            Event::Mouse(m) => self.mouse(m.kind, m.column, m.row),
            _ => {}
        }
        // The selection or the data may have changed what the detail pane
        // holds; it is built here, in the update step, not while drawing.
        let (_, dw) = ui::inner(self.areas.detail);
        ui::refresh_detail(&mut self.state, dw);
        self.state.clamp_detail();
    }

    fn mouse(&mut self, kind: MouseEventKind, x: u16, y: u16) {
        if self.state.mode != Mode::Normal {
            return;
        }
        let at = Position::new(x, y);
        let in_tree = self.areas.tree.contains(at);
        let in_detail = self.areas.detail.contains(at);
        let in_groups = self.areas.groups.is_some_and(|g| g.contains(at));
        match kind {
            MouseEventKind::ScrollDown if in_tree => self.state.move_by(3),
            MouseEventKind::ScrollUp if in_tree => self.state.move_by(-3),
            MouseEventKind::ScrollDown if in_detail => self.state.scroll_detail(3),
            MouseEventKind::ScrollUp if in_detail => self.state.scroll_detail(-3),
            MouseEventKind::ScrollDown if in_groups => self.state.move_group(1),
            MouseEventKind::ScrollUp if in_groups => self.state.move_group(-1),
            MouseEventKind::Down(MouseButton::Left) => {
                if in_tree {
                    self.state.focus = Focus::Tree;
                    let top = self.areas.tree.y + 1;
                    if y >= top {
                        let row = self.state.tree_offset + usize::from(y - top);
                        if row < self.state.rows.len() {
                            if row == self.state.selected {
                                self.state.toggle_fold();
                            } else {
                                self.state.select_row(row);
                            }
                        }
                    }
                } else if in_detail {
                    self.state.focus = Focus::Detail;
                } else if let (true, Some(g)) = (in_groups, self.areas.groups) {
                    self.state.focus = Focus::Groups;
                    if y > g.y {
                        let (h, _) = ui::inner(g);
                        let offset = self
                            .state
                            .group_selected
                            .saturating_sub(h.saturating_sub(1));
                        let idx = offset + usize::from(y - g.y - 1);
                        if idx < self.state.groups().len() {
                            self.state.group_selected = idx;
                            self.state.apply_group(idx);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    pub fn act(&mut self, a: Action) {
        if a == Action::Quit {
            self.quit = true;
            return;
        }
        match self.state.mode.clone() {
            Mode::Search => self.act_search(a),
            Mode::Prompt(p) => self.act_prompt(a, p),
            Mode::Help => {
                if a == Action::Back || a == Action::Help {
                    self.state.mode = Mode::Normal;
                }
            }
            Mode::Filter(row) => self.act_filter(a, row),
            Mode::Normal => self.act_normal(a),
        }
    }

    fn act_search(&mut self, a: Action) {
        match a {
            Action::Input(c) => self.state.search_input(Some(c)),
            Action::Backspace => self.state.search_input(None),
            Action::Accept => self.state.accept_search(),
            Action::Back => self.state.cancel_search(),
            _ => {}
        }
    }

    fn act_prompt(&mut self, a: Action, mut p: Prompt) {
        match a {
            Action::Input(c) => {
                p.input.push(c);
                self.state.mode = Mode::Prompt(p);
            }
            Action::Backspace => {
                p.input.pop();
                self.state.mode = Mode::Prompt(p);
            }
            Action::Back => {
                self.state.mode = Mode::Normal;
                self.state.message = Some("cancelled".into());
            }
            Action::Accept => {
                self.state.mode = Mode::Normal;
                let path = Path::new(p.input.trim());
                self.state.message = Some(match p.kind {
                    PromptKind::Extract => match &self.hooks.extract {
                        Some(ex) => match ex(&p.address, path) {
                            Ok(s) => s,
                            Err(e) => format!("extract failed: {e}"),
                        },
                        None => "extraction needs the two images".into(),
                    },
                    PromptKind::Markdown => {
                        let md = self
                            .state
                            .nodes
                            .iter()
                            .find(|n| n.address == p.address)
                            .map(markdown::node_snippet)
                            .unwrap_or_default();
                        match std::fs::write(path, md) {
                            Ok(()) => format!("wrote {}", path.display()),
                            Err(e) => format!("cannot write {}: {e}", path.display()),
                        }
                    }
                });
            }
            _ => {}
        }
    }

    fn act_filter(&mut self, a: Action, row: usize) {
        let last = FILTER_ROWS.len() - 1;
        match a {
            Action::Up => self.state.mode = Mode::Filter(row.saturating_sub(1)),
            Action::Down => self.state.mode = Mode::Filter((row + 1).min(last)),
            Action::Right => self.state.cycle_filter(row, true),
            Action::Left => self.state.cycle_filter(row, false),
            Action::Back => self.state.mode = Mode::Normal,
            _ => {}
        }
    }

    fn act_normal(&mut self, a: Action) {
        let s = &mut self.state;
        let page = s.page();
        let dpage = s.detail_height.saturating_sub(1).max(1) as isize;
        match (s.focus, a) {
            (Focus::Detail, Action::Up) => s.scroll_detail(-1),
            (Focus::Detail, Action::Down) => s.scroll_detail(1),
            (Focus::Detail, Action::PageUp) => s.scroll_detail(-dpage),
            (Focus::Detail, Action::PageDown) => s.scroll_detail(dpage),
            (Focus::Detail, Action::Home) => s.detail_scroll = 0,
            (Focus::Detail, Action::End) => s.scroll_detail(isize::MAX),
            (Focus::Detail, Action::Left) => s.focus = Focus::Tree,
            (Focus::Detail, Action::Toggle) => s.focus = Focus::Tree,
            (Focus::Groups, Action::Up) => s.move_group(-1),
            (Focus::Groups, Action::Down) => s.move_group(1),
            (Focus::Groups, Action::PageUp | Action::Home) => s.move_group(isize::MIN),
            (Focus::Groups, Action::PageDown | Action::End) => s.move_group(isize::MAX),
            (Focus::Groups, Action::Toggle | Action::Right) => {
                let g = s.group_selected;
                s.apply_group(g);
                s.focus = Focus::Tree;
            }
            (_, Action::Up) => s.move_by(-1),
            (_, Action::Down) => s.move_by(1),
            (_, Action::PageUp) => s.move_by(-page),
            (_, Action::PageDown) => s.move_by(page),
            (_, Action::Home) => s.select_row(0),
            (_, Action::End) => s.select_row(usize::MAX),
            (_, Action::Left) => s.left(),
            (_, Action::Right) => s.right(),
            (_, Action::Toggle) => match s.selected_item() {
                Some(i) if s.has_shown_children(i) => s.toggle_fold(),
                Some(_) => s.focus = Focus::Detail,
                None => {}
            },
            (_, Action::FoldAll) => s.fold_all(true),
            (_, Action::UnfoldAll) => s.fold_all(false),
            (_, Action::Next) => s.next(true),
            (_, Action::Prev) => s.next(false),
            (_, Action::Search) => s.start_search(),
            (_, Action::Filter) => s.mode = Mode::Filter(0),
            (_, Action::ToggleIdentical) => s.toggle_identical(),
            (_, Action::Help) => s.mode = Mode::Help,
            (_, Action::FocusNext) => s.cycle_focus(),
            (_, Action::Back) => s.clear(),
            (_, Action::Copy) => {
                if let Some(addr) = s.selected_node().map(|n| n.address.clone()) {
                    (self.hooks.copy)(&addr);
                    self.state.message = Some(format!("copied {addr}"));
                }
            }
            (_, Action::Extract | Action::Markdown) => {
                let Some(addr) = s.selected_node().map(|n| n.address.clone()) else {
                    s.message = Some("select an entry first".into());
                    return;
                };
                let (kind, input) = if a == Action::Extract {
                    (PromptKind::Extract, "./reprodiff-extract".to_string())
                } else {
                    (PromptKind::Markdown, markdown::snippet_file_name(&addr))
                };
                if kind == PromptKind::Extract && (addr.is_empty() || self.hooks.extract.is_none())
                {
                    s.message = Some(if addr.is_empty() {
                        "select an entry inside the images to extract".into()
                    } else {
                        "extraction needs the two images (reprodiff view A B)".into()
                    });
                    return;
                }
                s.mode = Mode::Prompt(Prompt {
                    kind,
                    address: addr,
                    input,
                });
            }
            (_, Action::Quit | Action::Accept | Action::Input(_) | Action::Backspace) => {}
        }
    }
}

/// Draws, waits for an event (or a tick while the engine runs), handles it,
/// until the user quits. `next_event` waits at most the given time.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut next_event: impl FnMut(Duration) -> io::Result<Option<Event>>,
) -> io::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut dirty = true;
    loop {
        if app.is_loading() {
            app.tick();
            dirty = true;
        }
        if dirty {
            app.draw(terminal)?;
            dirty = false;
        }
        if app.should_quit() {
            return Ok(());
        }
        let wait = if app.is_loading() {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(1)
        };
        if let Some(ev) = next_event(wait)? {
            app.handle_event(ev);
            dirty = true;
        }
    }
}

/// Runs the browser on the real terminal until the user quits.
pub fn run(source: Source, hooks: Hooks) -> io::Result<()> {
    use ratatui::crossterm::{event, execute};
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(io::stdout(), event::EnableMouseCapture);
    let mut app = App::new(source, hooks);
    let result = run_loop(&mut terminal, &mut app, |wait| {
        if event::poll(wait)? {
            Ok(Some(event::read()?))
        } else {
            Ok(None)
        }
    });
    let _ = execute!(io::stdout(), event::DisableMouseCapture);
    ratatui::restore();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tests::{node, report};
    use crate::ui::detail::BUILDS;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use reprodiff_report::Status;

    fn builds() -> usize {
        BUILDS.with(|b| b.get())
    }

    #[test]
    fn the_detail_pane_is_built_once_per_selection() {
        let kids = (0..3)
            .map(|i| node(&format!("f{i}"), Status::Modified, vec![]))
            .collect();
        let mut app = App::new(
            Source::Report(Box::new(report(node("", Status::Modified, kids)))),
            Hooks {
                extract: None,
                copy: Box::new(|_| {}),
            },
        );
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        // Each step: the keys, then a redraw, as the loop does.
        let mut step = |app: &mut App, keys: &[KeyCode]| {
            let before = builds();
            for &k in keys {
                app.handle_event(Event::Key(KeyEvent::new(k, KeyModifiers::NONE)));
            }
            app.draw(&mut t).unwrap();
            app.draw(&mut t).unwrap();
            builds() - before
        };
        assert_eq!(step(&mut app, &[]), 1, "the first frame builds it");
        assert_eq!(step(&mut app, &[]), 0, "redrawing does not");
        assert_eq!(step(&mut app, &[KeyCode::Char('j')]), 1, "a new selection");
        // Scrolling the detail pane, help, the identical toggle, a search
        // that stays put: the selection is the same, so are the lines.
        let same = [
            KeyCode::Tab,
            KeyCode::Char('j'),
            KeyCode::Char('k'),
            KeyCode::PageDown,
            KeyCode::Tab,
            KeyCode::Char('?'),
            KeyCode::Esc,
            KeyCode::Char('i'),
            KeyCode::Char('i'),
            KeyCode::Char('/'),
            KeyCode::Char('f'),
            KeyCode::Char('0'),
            KeyCode::Enter,
        ];
        assert_eq!(step(&mut app, &same), 0);
        assert_eq!(app.state.selected_node().unwrap().address, "f0");
        assert_eq!(step(&mut app, &[KeyCode::Char('j')]), 1, "moving again");
        // Another width builds them again; so does a new report.
        let mut wide = Terminal::new(TestBackend::new(120, 40)).unwrap();
        let before = builds();
        app.draw(&mut wide).unwrap();
        app.draw(&mut wide).unwrap();
        assert_eq!(builds() - before, 1, "a new width");
        let before = builds();
        app.state
            .set_report(report(node("", Status::Modified, vec![])));
        app.draw(&mut wide).unwrap();
        app.draw(&mut wide).unwrap();
        assert_eq!(builds() - before, 1, "a new report");
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
