//! reprodiff-tui: a terminal browser over a `reprodiff` report, the last
//! presenter in bytes → formats → engine → report → presenters. It reads the
//! report model only; anything that needs the images (extraction) comes in
//! as a callback from the command line.
//!
//! `state` holds what the keys change, `keymap` maps keys to actions, `ui`
//! draws, `app` runs the loop.

pub mod app;
pub mod diffview;
pub mod keymap;
pub mod state;
pub mod ui;

pub use app::{run, App, ExtractFn, Hooks, ProgressFn, Source, Update};
