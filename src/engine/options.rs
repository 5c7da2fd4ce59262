//! What a comparison is asked to do: limits, ignored fields, excluded
//! addresses, progress counters and the callbacks a viewer hooks in.
//!
//! Engine stage (formats → **engine** → diagnosis → report): the CLI and the
//! TUI fill an [`Options`]; the engine reads it and nothing else decides how
//! far a comparison goes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reprodiff_formats::Limits;

use super::content::DiffLimits;
use crate::report::Node;

/// What to compare and how far.
#[derive(Debug, Clone)]
pub struct Options {
    pub limits: Limits,
    pub diff: DiffLimits,
    /// Field names (or prefixes before a `.`) whose changes are not reported.
    pub ignore: Vec<String>,
    /// Address globs (`*` any run of characters, `?` one) left out entirely.
    pub exclude: Vec<String>,
    /// Leaf content larger than this is compared by hash only.
    pub max_diff_bytes: u64,
    /// Differing regions kept per container.
    pub max_regions: usize,
    /// Compute the SHA-256 of both inputs for the report. Off when nothing
    /// will show them (a verdict-only run), which saves hashing every byte.
    pub digests: bool,
    /// A compressed archive decoding to at least this many bytes is held
    /// one side at a time (see `evict`).
    pub evict_min: u64,
    /// Two xz streams whose declared decoded sizes fit half of
    /// `max_memory` together are decoded once, both at once, and both
    /// held, whatever `evict_min` says: xz decodes so slowly that decoding
    /// side a again costs more than holding it. Off, they are held one
    /// side at a time like any other large archive.
    pub hold_slow: bool,
    /// Two compressed tar archives that are not held both at once are
    /// compared member by member while both decode, within the budget
    /// (see `members::Plan::within_budget`): each side decoded once. Off,
    /// side a is held, digested and dropped before side b is decoded, and
    /// decoded again for the members that differ: the same report.
    pub stream_members: bool,
    /// Decoded bytes two compressed streams may hold at once, half a side
    /// (`--max-memory`). A pair that would need more is compared as it is
    /// decoded (see `streamed`), by digest, with the reason in the report.
    pub max_memory: u64,
    /// Decoded bytes a side of such a streamed comparison may reach: it
    /// holds nothing, so this bounds time, not memory.
    pub max_streamed: u64,
    /// Walk two SquashFS listings side by side and drop each pair of
    /// members as soon as it is found identical (see `lockstep`), so a
    /// comparison holds only what differs. Off, both listings are held
    /// whole, as for other formats: the same report, for checking that
    /// and for measuring what it saves.
    pub lockstep: bool,
    /// Live counters for a progress display, if someone watches.
    pub progress: Option<Arc<Progress>>,
    /// Told about each differing member of the outermost container as soon
    /// as its comparison is done, so a viewer can show results early. These
    /// nodes are not yet diagnosed: the final report supersedes them.
    pub on_subtree: Option<OnSubtree>,
    /// Set from another thread to stop: pairs not yet started are skipped
    /// and the report holds only what was finished.
    pub cancel: Option<Arc<AtomicBool>>,
    /// When to stop comparing (`--timeout`). Checked by each entry pair and
    /// container before its work starts, never by stopping a thread: what
    /// is reached after it is compared only as far as is cheap (stored
    /// bytes, sizes, metadata) and marked with the reason `timeout`.
    pub deadline: Option<Instant>,
    /// For tests of the engine's panic guard: comparing the pair at this
    /// address panics.
    #[doc(hidden)]
    pub panic_at: Option<String>,
}

/// The callback of [`Options::on_subtree`]; called from engine threads.
#[derive(Clone)]
pub struct OnSubtree(pub Arc<dyn Fn(&Node) + Send + Sync>);

impl OnSubtree {
    pub fn new(f: impl Fn(&Node) + Send + Sync + 'static) -> OnSubtree {
        OnSubtree(Arc::new(f))
    }
}

impl std::fmt::Debug for OnSubtree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnSubtree(..)")
    }
}

/// Counters the engine bumps as it goes; read from another thread.
#[derive(Debug, Default)]
pub struct Progress {
    /// Entry pairs compared so far.
    pub entries: AtomicU64,
    /// Bytes of both sides checked for equality so far.
    pub bytes: AtomicU64,
    /// Decoded archives held one side at a time (side a reduced to digests).
    pub dropped: AtomicU64,
    /// Stream pairs over the memory budget, compared as they were decoded.
    pub streamed: AtomicU64,
    /// The most decoded bytes a stream pair held at once (both sides), so
    /// a test can tell the budget was kept without measuring the process.
    pub held_max: AtomicU64,
    /// Members of listings walked side by side that were kept for
    /// comparison, not dropped as identical while walking.
    pub held_entries: AtomicU64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits {
                open_leaf_streams: true,
                ..Limits::default()
            },
            diff: DiffLimits::default(),
            ignore: Vec::new(),
            exclude: Vec::new(),
            max_diff_bytes: 256 << 20,
            max_regions: 200,
            digests: true,
            evict_min: 4 << 20,
            hold_slow: true,
            stream_members: true,
            max_memory: 512 << 20,
            max_streamed: 64 << 30,
            lockstep: true,
            progress: None,
            on_subtree: None,
            panic_at: None,
            cancel: None,
            deadline: None,
        }
    }
}

impl Options {
    pub(crate) fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Whether the deadline has passed.
    pub(crate) fn timed_out(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Time left before the deadline (`None` without one).
    pub(crate) fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }
}

/// A number of seconds as `--timeout` takes it: `2`, `0.5`, `0`.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s}: not a number of seconds"))?;
    Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("{s}: not a duration (0 or more seconds)"))
}

/// `*` matches any run of characters (including `/` and `::`), `?` any one.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with single-star backtracking: linear in practice, no recursion.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "*.pyc",
            "live/filesystem.squashfs::usr/lib/x.pyc"
        ));
        assert!(glob_match(
            "live/*::etc/*",
            "live/filesystem.squashfs::etc/hostname"
        ));
        assert!(!glob_match("*.pyc", "x.py"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a", ""));
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_seconds("0"), Ok(Duration::ZERO));
        for bad in ["-1", "NaN", "inf", "1s", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }
}
