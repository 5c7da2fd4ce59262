//! The report model lives in the `reprodiff-report` crate so the TUI can
//! depend on it without depending on the engine; re-exported here so every
//! `reprodiff::report::...` path keeps working.
pub use reprodiff_report::*;
