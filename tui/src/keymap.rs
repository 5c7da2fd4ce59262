//! Keys to actions, in one table. The app interprets actions against the
//! state; the help overlay lists `HELP`, which must say the same as `map`.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Left,
    Right,
    Toggle,
    FoldAll,
    UnfoldAll,
    Next,
    Prev,
    Search,
    Filter,
    ToggleIdentical,
    Help,
    FocusNext,
    Extract,
    Copy,
    Markdown,
    /// Esc: close, cancel, or clear the search and filters.
    Back,
    /// Enter in a text field or popup.
    Accept,
    Input(char),
    Backspace,
}

/// What the keyboard is currently talking to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Normal,
    /// Search field or prompt: printable keys are text.
    Text,
    /// Filter popup or help overlay.
    Popup,
}

pub fn map(key: KeyEvent, ctx: Context) -> Option<Action> {
    use Action::*;
    use KeyCode as K;
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match (ctx, key.code) {
        (_, K::Char('c')) if ctrl => Quit,
        (Context::Text, K::Enter) => Accept,
        (Context::Text, K::Esc) => Back,
        (Context::Text, K::Backspace) => Backspace,
        (Context::Text, K::Char(c)) => Input(c),
        (Context::Text, _) => return None,
        (_, K::Char('d')) if ctrl => PageDown,
        (_, K::Char('u')) if ctrl => PageUp,
        (Context::Popup, K::Enter | K::Esc | K::Char('q' | 'f' | '?')) => Back,
        (Context::Popup, K::Char(' ')) => Right,
        (Context::Normal, K::Char('q')) => Quit,
        (Context::Normal, K::Esc) => Back,
        (_, K::Up | K::Char('k')) => Up,
        (_, K::Down | K::Char('j')) => Down,
        (_, K::Left | K::Char('h')) => Left,
        (_, K::Right | K::Char('l')) => Right,
        (_, K::PageUp | K::Char('K')) => PageUp,
        (_, K::PageDown | K::Char('J')) => PageDown,
        (_, K::Home | K::Char('g')) => Home,
        (_, K::End | K::Char('G')) => End,
        (Context::Popup, _) => return None,
        (_, K::Enter | K::Char(' ')) => Toggle,
        (_, K::Char('z')) => FoldAll,
        (_, K::Char('Z')) => UnfoldAll,
        (_, K::Char('n')) => Next,
        (_, K::Char('N')) => Prev,
        (_, K::Char('/')) => Search,
        (_, K::Char('f')) => Filter,
        (_, K::Char('i')) => ToggleIdentical,
        (_, K::Char('?')) => Help,
        (_, K::Tab | K::BackTab) => FocusNext,
        (_, K::Char('e')) => Extract,
        (_, K::Char('y')) => Copy,
        (_, K::Char('m')) => Markdown,
        _ => return None,
    })
}

/// Every key, for the help overlay: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    ("j k ↓ ↑", "move (or scroll the focused detail pane)"),
    ("J K PgDn PgUp", "page down / up (also Ctrl-d Ctrl-u)"),
    ("g G Home End", "first / last row"),
    ("h l ← →", "fold or go to parent / unfold or enter"),
    ("Enter Space", "fold / unfold; on a leaf, focus the detail"),
    ("z Z", "fold / unfold everything"),
    ("n N", "next / previous difference (or search match)"),
    (
        "/",
        "search addresses: type to jump, Enter keeps, Esc cancels",
    ),
    ("f", "filter by status, kind, format, cause (h/l to change)"),
    ("i", "show / hide identical entries"),
    ("Tab", "switch pane: root causes, tree, detail"),
    ("e", "extract both versions of the entry to a folder"),
    ("y", "copy the address (terminal clipboard)"),
    ("m", "write the entry as a markdown snippet"),
    ("Esc", "clear the search, then the filters"),
    ("mouse", "wheel scrolls, click selects"),
    ("?", "this help"),
    ("q Ctrl-c", "quit"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn text_fields_take_letters() {
        assert_eq!(
            map(key(KeyCode::Char('q')), Context::Normal),
            Some(Action::Quit)
        );
        assert_eq!(
            map(key(KeyCode::Char('q')), Context::Text),
            Some(Action::Input('q'))
        );
        assert_eq!(
            map(key(KeyCode::Char('j')), Context::Text),
            Some(Action::Input('j'))
        );
        assert_eq!(map(key(KeyCode::Esc), Context::Text), Some(Action::Back));
        assert_eq!(
            map(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Context::Text
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn popups_navigate_and_close() {
        assert_eq!(
            map(key(KeyCode::Char('j')), Context::Popup),
            Some(Action::Down)
        );
        assert_eq!(
            map(key(KeyCode::Char('f')), Context::Popup),
            Some(Action::Back)
        );
        assert_eq!(map(key(KeyCode::Char('n')), Context::Popup), None);
        assert_eq!(
            map(key(KeyCode::Char('n')), Context::Normal),
            Some(Action::Next)
        );
    }
}
