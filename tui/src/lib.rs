//! reprodiff-tui: a terminal browser over a `reprodiff` report, the last
//! presenter in bytes → formats → engine → report → presenters. It reads the
//! report model only; anything that needs the images (extraction) comes in
//! as a callback from the command line.
//!
//! `state` holds what the keys change (the display tree in `state::tree`,
//! filters and search in `state::filter`), `keymap` is the one table of keys
//! that both the lookup and the help screen read, `ui` draws pane by pane
//! and never changes the state, and `app` runs the loop, building what the
//! panes show (the detail lines) in its update step.

pub mod app;
pub mod diffview;
pub mod keymap;
pub mod state;
pub mod ui;

pub use app::{run, App, ExtractFn, Hooks, ProgressFn, Source, Update};
