//! Keys to actions, in one table: `KEYS` is what `map` looks keys up in and
//! what the help screen lists, line for line, so the two cannot disagree.
//! The app interprets actions against the state. Part of the TUI, the last
//! presenter in bytes → formats → engine → diagnosis → report → presenters.

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

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable key, named by itself; other modifiers are ignored, as
    /// terminals disagree on them.
    Char(char),
    /// Ctrl and a letter, named "Ctrl-x".
    Ctrl(char),
    /// Any other key, and its name on the help screen.
    Named(KeyCode, &'static str),
}

impl Key {
    pub fn name(self) -> String {
        match self {
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Named(_, name) => name.to_string(),
        }
    }

    fn matches(self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Key::Char(c) => key.code == KeyCode::Char(c),
            Key::Ctrl(c) => ctrl && key.code == KeyCode::Char(c),
            Key::Named(code, _) => key.code == code,
        }
    }
}

/// One line of the help screen.
pub enum HelpLine {
    Keys {
        /// Named in the key column, in order, each with what it does.
        keys: &'static [(Key, Action)],
        /// More keys for the line's actions that the column leaves out
        /// (the text names them, or they are plain aliases).
        also: &'static [(Key, Action)],
        help: &'static str,
    },
    /// The wheel and clicks, which the app handles itself: it needs the
    /// pane under the pointer.
    Mouse(&'static str),
}

impl HelpLine {
    /// Every key of the line with its action.
    pub fn bindings(&self) -> impl Iterator<Item = (Key, Action)> {
        let (keys, also): (&[_], &[_]) = match self {
            HelpLine::Keys { keys, also, .. } => (keys, also),
            HelpLine::Mouse(_) => (&[], &[]),
        };
        keys.iter().chain(also).copied()
    }

    /// The key column and the text.
    pub fn text(&self) -> (String, &'static str) {
        match self {
            HelpLine::Keys { keys, help, .. } => {
                let names: Vec<String> = keys.iter().map(|(k, _)| k.name()).collect();
                (names.join(" "), help)
            }
            HelpLine::Mouse(help) => ("mouse".to_string(), help),
        }
    }
}

const fn keys(keys: &'static [(Key, Action)], help: &'static str) -> HelpLine {
    HelpLine::Keys {
        keys,
        also: &[],
        help,
    }
}

/// Every binding of the normal view, in the help screen's order.
pub const KEYS: &[HelpLine] = {
    use Action::*;
    use Key::{Char, Ctrl, Named};
    use KeyCode as K;
    &[
        keys(
            &[
                (Char('j'), Down),
                (Char('k'), Up),
                (Named(K::Down, "↓"), Down),
                (Named(K::Up, "↑"), Up),
            ],
            "move (or scroll the focused detail pane)",
        ),
        HelpLine::Keys {
            keys: &[
                (Char('J'), PageDown),
                (Char('K'), PageUp),
                (Named(K::PageDown, "PgDn"), PageDown),
                (Named(K::PageUp, "PgUp"), PageUp),
            ],
            also: &[(Ctrl('d'), PageDown), (Ctrl('u'), PageUp)],
            help: "page down / up (also Ctrl-d Ctrl-u)",
        },
        keys(
            &[
                (Char('g'), Home),
                (Char('G'), End),
                (Named(K::Home, "Home"), Home),
                (Named(K::End, "End"), End),
            ],
            "first / last row",
        ),
        keys(
            &[
                (Char('h'), Left),
                (Char('l'), Right),
                (Named(K::Left, "←"), Left),
                (Named(K::Right, "→"), Right),
            ],
            "fold or go to parent / unfold or enter",
        ),
        keys(
            &[
                (Named(K::Enter, "Enter"), Toggle),
                (Named(K::Char(' '), "Space"), Toggle),
            ],
            "fold / unfold; on a leaf, focus the detail",
        ),
        keys(
            &[(Char('z'), FoldAll), (Char('Z'), UnfoldAll)],
            "fold / unfold everything",
        ),
        keys(
            &[(Char('n'), Next), (Char('N'), Prev)],
            "next / previous difference (or search match)",
        ),
        keys(
            &[(Char('/'), Search)],
            "search addresses: type to jump, Enter keeps, Esc cancels",
        ),
        keys(
            &[(Char('f'), Filter)],
            "filter by status, kind, format, cause (h/l to change)",
        ),
        keys(
            &[(Char('i'), ToggleIdentical)],
            "show / hide identical entries",
        ),
        HelpLine::Keys {
            keys: &[(Named(K::Tab, "Tab"), FocusNext)],
            also: &[(Named(K::BackTab, "Shift-Tab"), FocusNext)],
            help: "switch pane: root causes, tree, detail",
        },
        keys(
            &[(Char('e'), Extract)],
            "extract both versions of the entry to a folder",
        ),
        keys(
            &[(Char('y'), Copy)],
            "copy the address (terminal clipboard)",
        ),
        keys(
            &[(Char('m'), Markdown)],
            "write the entry as a markdown snippet",
        ),
        keys(
            &[(Named(K::Esc, "Esc"), Back)],
            "clear the search, then the filters",
        ),
        HelpLine::Mouse("wheel scrolls, click selects"),
        keys(&[(Char('?'), Help)], "this help"),
        keys(&[(Char('q'), Quit), (Ctrl('c'), Quit)], "quit"),
    ]
};

/// What the filter popup and the help overlay take from the table: moving.
const NAVIGATION: [Action; 8] = [
    Action::Up,
    Action::Down,
    Action::Left,
    Action::Right,
    Action::PageUp,
    Action::PageDown,
    Action::Home,
    Action::End,
];

/// The table's action for a key held with Ctrl, if it has one: these come
/// first, so Ctrl-d is not `d`.
fn ctrl_binding(key: &KeyEvent) -> Option<Action> {
    KEYS.iter()
        .flat_map(HelpLine::bindings)
        .find(|&(k, _)| matches!(k, Key::Ctrl(_)) && k.matches(key))
        .map(|(_, a)| a)
}

/// The table's action for a key, among those `pick` accepts.
fn binding(key: &KeyEvent, pick: impl Fn(Action) -> bool) -> Option<Action> {
    KEYS.iter()
        .flat_map(HelpLine::bindings)
        .find(|&(k, a)| k.matches(key) && pick(a))
        .map(|(_, a)| a)
}

pub fn map(key: KeyEvent, ctx: Context) -> Option<Action> {
    use Action::*;
    use KeyCode as K;
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = ctrl_binding(&key);
    match ctx {
        Context::Normal => ctrl.or_else(|| binding(&key, |_| true)),
        Context::Text => {
            // Only quitting outranks typing.
            if ctrl == Some(Quit) {
                return Some(Quit);
            }
            match key.code {
                K::Enter => Some(Accept),
                K::Esc => Some(Back),
                K::Backspace => Some(Backspace),
                K::Char(c) => Some(Input(c)),
                _ => None,
            }
        }
        Context::Popup => {
            if let Some(a) = ctrl.filter(|a| *a == Quit || NAVIGATION.contains(a)) {
                return Some(a);
            }
            match key.code {
                K::Enter | K::Esc | K::Char('q' | 'f' | '?') => Some(Back),
                K::Char(' ') => Some(Right),
                _ => binding(&key, |a| NAVIGATION.contains(&a)),
            }
        }
    }
}

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

    /// Key events to try: every printable ASCII key, bare and with Ctrl,
    /// and the special keys.
    fn every_key() -> Vec<KeyEvent> {
        let mut codes: Vec<KeyCode> = (' '..='~').map(KeyCode::Char).collect();
        codes.extend([
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::Insert,
            KeyCode::F(1),
        ]);
        codes
            .into_iter()
            .flat_map(|c| [KeyModifiers::NONE, KeyModifiers::CONTROL].map(|m| KeyEvent::new(c, m)))
            .collect()
    }

    fn event(k: Key) -> KeyEvent {
        match k {
            Key::Char(c) => key(KeyCode::Char(c)),
            Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
            Key::Named(code, _) => key(code),
        }
    }

    #[test]
    fn the_help_lists_every_action_a_key_reaches_and_no_other() {
        let listed: Vec<Action> = KEYS
            .iter()
            .flat_map(HelpLine::bindings)
            .map(|(_, a)| a)
            .collect();
        // Each key on the help screen does what its line says…
        for line in KEYS {
            for (k, a) in line.bindings() {
                assert_eq!(map(event(k), Context::Normal), Some(a), "{}", k.name());
            }
        }
        // …and whatever a key does in the normal view is on the help screen.
        for ev in every_key() {
            if let Some(a) = map(ev, Context::Normal) {
                assert!(
                    listed.contains(&a),
                    "{ev:?} does {a:?}, which the help leaves out"
                );
            }
        }
        // The text names the keys the column leaves out, where it can.
        let (_, text) = KEYS[1].text();
        assert!(text.contains("Ctrl-d") && text.contains("Ctrl-u"), "{text}");
    }

    #[test]
    fn no_key_is_bound_twice() {
        let all: Vec<Key> = KEYS
            .iter()
            .flat_map(HelpLine::bindings)
            .map(|(k, _)| k)
            .collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(
                    !a.matches(&event(*b)) || !b.matches(&event(*a)),
                    "{} twice",
                    a.name()
                );
            }
        }
    }

    #[test]
    fn help_lines_name_their_keys() {
        let text: Vec<(String, &str)> = KEYS.iter().map(HelpLine::text).collect();
        assert_eq!(text[0].0, "j k ↓ ↑");
        assert_eq!(text[1].0, "J K PgDn PgUp");
        assert!(text.contains(&("mouse".to_string(), "wheel scrolls, click selects")));
        assert_eq!(text.last().map(|t| t.0.as_str()), Some("q Ctrl-c"));
    }
}
