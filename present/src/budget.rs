//! Reports under a size cap (`--max-report-size`), for every presenter.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**). Two ways to stay under a number of bytes, whatever the
//! presenter:
//! - [`fit`] for structured output (JSON, or any format that must stay
//!   well-formed): it leaves whole parts out of a copy of the [`Report`]
//!   (nodes, least telling first, regions, group addresses, diffs) until
//!   the presenter's own rendering, measured by the caller's function, fits,
//!   and records what it left out in `Report::truncated`. Nothing is ever
//!   cut in the middle of a value.
//! - [`Capped`] for line-oriented output (text, Markdown): a writer that
//!   passes whole lines while they fit and ends with one note line saying
//!   how much was left out.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use reprodiff_report::{Group, Node, Report, Truncated};

/// `10M`, `1G`, `512K` or a plain number of bytes (powers of 1024; a
/// trailing `B`/`iB` is allowed: `10MiB`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("{s}: unknown size suffix {c:?} (K, M, G or T)")),
            };
            (&t[..i], shift)
        }
        _ => (t, 0),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("{s}: not a size (a number of bytes, or with K, M, G)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{s}: too large"))
}

/// A writer that only counts, to measure a rendering without keeping it.
#[derive(Debug, Default)]
pub struct Counter(pub u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Bytes `render` writes.
pub fn measure(render: impl FnOnce(&mut Counter) -> io::Result<()>) -> u64 {
    let mut c = Counter::default();
    // A counting writer never fails; a presenter that does is measured as
    // far as it got.
    let _ = render(&mut c);
    c.0
}

/// A report cut to a cap, and the size of its rendering.
pub struct Fitted<'r> {
    pub report: Cow<'r, Report>,
    /// What the measuring function gave for `report` (not measured without
    /// a cap): over the cap only when even the smallest form (the root
    /// node, the summary, one address per group) is larger.
    pub size: Option<u64>,
}

/// One part [`fit`] may leave out, in the order it does.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A node, by preorder index (its descendants are always left out before it).
    Node(usize),
    /// The content diff of a node kept longest, by preorder index.
    Diff(usize),
    Region(usize),
    /// Addresses of a group (by index) beyond its representative (or its
    /// first) and this many others: a group's list shrinks in steps.
    Addresses(usize, usize),
}

/// What is known of one node for choosing what to leave out.
struct Seen {
    depth: usize,
    /// Nodes in its subtree, itself included.
    subtree: usize,
    /// A group's representative, an ancestor of one, or a member of the
    /// outermost container: kept longest.
    kept: bool,
    /// Nothing but field changes with one cause: a member of a root-cause
    /// group that the group's line already describes.
    routine: bool,
    /// Size of its own JSON, without children.
    weight: u64,
    /// Size of its diff's JSON (0 without one).
    diff: u64,
}

/// `report` with whole parts left out until `measure` of it is at most
/// `limit` (`None`: no cap, the report as is). Left out first: routine
/// members of root-cause groups (one cause, nothing but field changes),
/// then the regions, then other nodes deepest first, then the addresses of
/// the largest groups in steps (each keeps one), then the diffs of the
/// nodes kept longest, and last those nodes: the groups' representatives,
/// their ancestors and the outermost members. The root node, the summary and
/// the groups themselves stay.
pub fn fit(report: &Report, limit: Option<u64>, measure: impl Fn(&Report) -> u64) -> Fitted<'_> {
    let as_is = |size| Fitted {
        report: Cow::Borrowed(report),
        size,
    };
    let Some(limit) = limit else {
        return as_is(None);
    };
    let full = measure(report);
    if full <= limit {
        return as_is(Some(full));
    }
    let parts = parts(report);
    let weights: Vec<u64> = parts.iter().map(|p| p.1).collect();
    let parts: Vec<Part> = parts.into_iter().map(|p| p.0).collect();
    let cut = |k: usize| {
        let r = without(report, &parts[..k], limit);
        let m = measure(&r);
        (r, m)
    };
    // Guess how many parts go from their weights (compact JSON, scaled to
    // what `measure` counts), then grow the guess until it fits and narrow
    // it down again so that no more is left out than needed.
    let total: u64 = weights.iter().sum::<u64>().max(1);
    let scale = full as f64 / total as f64;
    let upto = |from: usize, bytes: u64| {
        let mut k = from;
        let mut freed = 0.0;
        while k < parts.len() && freed < bytes as f64 {
            freed += weights[k] as f64 * scale;
            k += 1;
        }
        k.max(from + 1).min(parts.len())
    };
    let (mut lo, mut hi) = (0usize, upto(0, full - limit));
    let mut best = cut(hi);
    while best.1 > limit && hi < parts.len() {
        lo = hi;
        hi = upto(hi, best.1 - limit);
        best = cut(hi);
    }
    // `lo` parts are too few (or none were tried), `hi` enough: a few
    // halvings find a smaller `hi` without measuring every count.
    for _ in 0..8 {
        if hi - lo <= 1 || best.1 > limit {
            break;
        }
        let mid = lo + (hi - lo) / 2;
        let tried = cut(mid);
        if tried.1 <= limit {
            hi = mid;
            best = tried;
        } else {
            lo = mid;
        }
    }
    Fitted {
        report: Cow::Owned(best.0),
        size: Some(best.1),
    }
}

/// Every part that may be left out, in the order of [`fit`], with its
/// weight (its compact JSON size).
fn parts(r: &Report) -> Vec<(Part, u64)> {
    let reps: HashSet<&str> = r
        .groups
        .iter()
        .filter_map(|g| g.representative.as_deref())
        .collect();
    let mut seen = Vec::new();
    survey(&r.tree, 0, &reps, &mut seen);
    let node = |i: usize| (Part::Node(i), seen[i].weight);
    // Deepest first; among equals the later (in address order) first.
    let mut order: Vec<usize> = (1..seen.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(seen[i].depth), std::cmp::Reverse(i)));
    let mut out: Vec<(Part, u64)> = order
        .iter()
        .filter(|&&i| seen[i].routine && !seen[i].kept)
        .map(|&i| node(i))
        .collect();
    out.extend(
        (0..r.regions.len())
            .rev()
            .map(|i| (Part::Region(i), json_len(&r.regions[i]))),
    );
    out.extend(
        order
            .iter()
            .filter(|&&i| !seen[i].routine && !seen[i].kept)
            .map(|&i| node(i)),
    );
    let mut groups: Vec<usize> = (0..r.groups.len()).collect();
    groups.sort_by_key(|&g| std::cmp::Reverse(r.groups[g].addresses.len()));
    for g in groups {
        let others = kept_addresses(&r.groups[g], usize::MAX).1;
        let mut keep = others.len();
        while keep > 0 {
            let to = keep.saturating_sub(ADDRESS_STEP);
            let weight = others[to..keep].iter().map(|s| s.len() as u64 + 4).sum();
            out.push((Part::Addresses(g, to), weight));
            keep = to;
        }
    }
    // One kept node's diff can outweigh many nodes (a 400-line text
    // diff): kept nodes lose their diffs, largest first, before any goes.
    let mut diffs: Vec<(usize, u64)> = (seen.iter().enumerate())
        .filter(|(_, s)| s.kept && s.diff > 0)
        .map(|(i, s)| (i, s.diff))
        .collect();
    diffs.sort_by_key(|&(i, w)| (std::cmp::Reverse(w), i));
    out.extend(diffs.into_iter().map(|(i, w)| (Part::Diff(i), w)));
    out.extend(order.iter().filter(|&&i| seen[i].kept).map(|&i| node(i)));
    out
}

/// Addresses a group's list loses in one step.
const ADDRESS_STEP: usize = 32;

/// The address a group keeps whatever the cap (its representative when it
/// lists it, else its first), and the others, of which the first `keep`.
fn kept_addresses(g: &Group, keep: usize) -> (Option<&String>, Vec<&String>) {
    let first = g
        .representative
        .as_ref()
        .filter(|a| g.addresses.contains(a))
        .or(g.addresses.first());
    let others = g
        .addresses
        .iter()
        .filter(|a| Some(*a) != first)
        .take(keep)
        .collect();
    (first, others)
}

/// Records each node in preorder; returns whether the subtree holds a
/// representative.
fn survey(n: &Node, depth: usize, reps: &HashSet<&str>, seen: &mut Vec<Seen>) -> bool {
    let at = seen.len();
    seen.push(Seen {
        depth,
        subtree: 1,
        kept: false,
        routine: n.diff.is_none()
            && n.children.is_empty()
            && n.errors.is_empty()
            && n.causes.len() == 1,
        weight: json_len(&shallow(n)),
        diff: n.diff.as_ref().map_or(0, json_len),
    });
    let mut holds = reps.contains(n.address.as_str());
    for c in &n.children {
        holds |= survey(c, depth + 1, reps, seen);
    }
    let subtree = seen.len() - at;
    let s = &mut seen[at];
    s.subtree = subtree;
    s.kept = holds || depth <= 1;
    holds
}

fn json_len(v: &impl serde::Serialize) -> u64 {
    measure(|w| serde_json::to_writer(w, v).map_err(io::Error::from))
}

/// `n` without its children (a copy of its own fields only).
fn shallow(n: &Node) -> Node {
    Node {
        address: n.address.clone(),
        status: n.status,
        kind: n.kind,
        format: n.format.clone(),
        size_a: n.size_a,
        size_b: n.size_b,
        image_offset_a: n.image_offset_a,
        image_offset_b: n.image_offset_b,
        changes: n.changes.clone(),
        diff: n.diff.clone(),
        causes: n.causes.clone(),
        errors: n.errors.clone(),
        children: Vec::new(),
        sha256: n.sha256.clone(),
        same_bytes: n.same_bytes,
    }
}

/// A copy of `r` without `parts`, saying what is missing.
fn without(r: &Report, parts: &[Part], limit: u64) -> Report {
    let mut nodes = HashSet::new();
    let mut diffs = HashSet::new();
    let mut regions = HashSet::new();
    let mut groups: HashMap<usize, usize> = HashMap::new();
    for p in parts {
        match *p {
            Part::Node(i) => {
                nodes.insert(i);
            }
            Part::Diff(i) => {
                diffs.insert(i);
            }
            Part::Region(i) => {
                regions.insert(i);
            }
            Part::Addresses(g, keep) => {
                let k = groups.entry(g).or_insert(keep);
                *k = (*k).min(keep);
            }
        }
    }
    let mut next = 0;
    let mut dropped_diffs = 0;
    let tree = copy(&r.tree, (&nodes, &diffs), &mut next, &mut dropped_diffs)
        .unwrap_or_else(|| shallow(&r.tree));
    let mut dropped_addresses = 0;
    let kept_groups = r
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let Some(&keep) = groups.get(&i) else {
                return g.clone();
            };
            let (first, others) = kept_addresses(g, keep);
            // Kept in their sorted order.
            let kept: HashSet<&String> = first.into_iter().chain(others).collect();
            let addresses: Vec<String> = (g.addresses.iter())
                .filter(|a| kept.contains(a))
                .cloned()
                .collect();
            dropped_addresses += (g.addresses.len() - addresses.len()) as u64;
            Group {
                addresses,
                ..g.clone()
            }
        })
        .collect();
    Report {
        schema: r.schema.clone(),
        verdict: r.verdict,
        a: r.a.clone(),
        b: r.b.clone(),
        summary: r.summary.clone(),
        groups: kept_groups,
        regions: (r.regions.iter().enumerate())
            .filter(|(i, _)| !regions.contains(i))
            .map(|(_, g)| g.clone())
            .collect(),
        tree,
        truncated: Some(Truncated {
            limit,
            dropped_nodes: nodes.len() as u64,
            dropped_diffs,
            dropped_regions: regions.len() as u64,
            dropped_addresses,
        }),
    }
}

/// The subtree at `n` without the nodes in `drop.0` and the diffs of
/// those in `drop.1` (preorder indices; `next` is `n`'s), counting the
/// diffs left out of nodes kept. `None` when `n` itself is dropped.
fn copy(
    n: &Node,
    drop: (&HashSet<usize>, &HashSet<usize>),
    next: &mut usize,
    diffs: &mut u64,
) -> Option<Node> {
    let me = *next;
    *next += 1;
    let mut out = shallow(n);
    for c in &n.children {
        if let Some(c) = copy(c, drop, next, diffs) {
            out.children.push(c);
        }
    }
    if drop.0.contains(&me) {
        return None;
    }
    if drop.1.contains(&me) && out.diff.take().is_some() {
        *diffs += 1;
    }
    Some(out)
}

/// What a line-oriented format must close when it is cut short, so that
/// the note after it reads as a note (Markdown: an open code fence or
/// `<details>` block would swallow it). Told every line that is kept.
pub trait Closing: Clone {
    fn see(&mut self, line: &[u8]);
    /// Lines that close what is open, each ending in a newline.
    fn close(&self) -> String;
}

/// Plain text: nothing to close.
impl Closing for () {
    fn see(&mut self, _: &[u8]) {}

    fn close(&self) -> String {
        String::new()
    }
}

/// Line-oriented output cut at a byte limit: whole lines pass while they
/// fit; the first that does not ends the output, and [`Capped::finish`]
/// writes what `C` says is left open and one note line saying how much was
/// left out, within the limit. Without a limit it passes everything
/// through unchanged.
pub struct Capped<W: Write, C: Closing = ()> {
    inner: W,
    limit: Option<u64>,
    written: u64,
    /// What is open after the lines written so far.
    open: C,
    /// The line being written, up to its newline.
    line: Vec<u8>,
    /// Whole lines that fit but lie in the room kept for the note: written
    /// at the end if nothing more comes, else dropped as far as the note
    /// needs.
    held: Vec<Vec<u8>>,
    held_bytes: u64,
    /// Lines and bytes left out.
    left: (u64, u64),
}

/// Room kept at the end of a capped output for the closing lines and the
/// note.
const NOTE_ROOM: u64 = 256;

impl<W: Write> Capped<W> {
    pub fn new(inner: W, limit: Option<u64>) -> Capped<W> {
        Capped::closing(inner, limit, ())
    }
}

impl<W: Write, C: Closing> Capped<W, C> {
    /// A capped writer for a format with blocks to close (`open` is the
    /// state before the first line).
    pub fn closing(inner: W, limit: Option<u64>, open: C) -> Capped<W, C> {
        Capped {
            inner,
            limit,
            written: 0,
            open,
            line: Vec::new(),
            held: Vec::new(),
            held_bytes: 0,
            left: (0, 0),
        }
    }

    fn take_line(&mut self, line: Vec<u8>) -> io::Result<()> {
        let Some(limit) = self.limit else {
            return self.inner.write_all(&line);
        };
        let len = line.len() as u64;
        if self.left.0 > 0 {
            self.left.0 += 1;
            self.left.1 += len;
        } else if self.held.is_empty() && self.written + len <= limit.saturating_sub(NOTE_ROOM) {
            self.inner.write_all(&line)?;
            self.open.see(&line);
            self.written += len;
        } else if self.written + self.held_bytes + len <= limit {
            self.held_bytes += len;
            self.held.push(line);
        } else {
            self.left = (1, len);
        }
        Ok(())
    }

    /// Ends the output: the last line, then, if anything was left out,
    /// what is open closed and the note. Returns the inner writer (not
    /// flushed).
    pub fn finish(mut self) -> io::Result<W> {
        if !self.line.is_empty() {
            let last = std::mem::take(&mut self.line);
            self.take_line(last)?;
        }
        let held = std::mem::take(&mut self.held);
        let Some(limit) = self.limit.filter(|_| self.left.0 > 0) else {
            for l in held {
                self.inner.write_all(&l)?;
            }
            return Ok(self.inner);
        };
        // Keep as many held lines as leave room for the closing and the note.
        let mut keep = held.len();
        loop {
            let mut open = self.open.clone();
            for l in &held[..keep] {
                open.see(l);
            }
            let dropped = &held[keep..];
            let (lines, bytes) = (
                self.left.0 + dropped.len() as u64,
                self.left.1 + dropped.iter().map(|l| l.len() as u64).sum::<u64>(),
            );
            let tail = format!(
                "{}… report cut at its limit of {limit} bytes: {lines} more lines ({bytes} bytes) left out\n",
                open.close()
            );
            let kept: u64 = held[..keep].iter().map(|l| l.len() as u64).sum();
            let room = self.written + kept + tail.len() as u64 <= limit;
            if room || keep == 0 {
                for l in &held[..keep] {
                    self.inner.write_all(l)?;
                }
                // A limit too small for the note itself gets none.
                if room {
                    self.inner.write_all(tail.as_bytes())?;
                }
                return Ok(self.inner);
            }
            keep -= 1;
        }
    }
}

impl<W: Write, C: Closing> Write for Capped<W, C> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.limit.is_none() {
            return self.inner.write(buf);
        }
        let mut rest = buf;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..=nl]);
            let line = std::mem::take(&mut self.line);
            self.take_line(line)?;
            rest = &rest[nl + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reprodiff_report::{Cause, Group, Input, Status, Summary, Verdict, SCHEMA};

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_size("2KB"), Ok(2048));
        for bad in ["", "M", "1.5M", "-1", "10X", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    fn capped(text: &str, limit: Option<u64>) -> String {
        let mut w = Capped::new(Vec::new(), limit);
        // Written in odd pieces: lines are whole whatever the writes.
        for piece in text.as_bytes().chunks(7) {
            w.write_all(piece).expect("write");
        }
        String::from_utf8(w.finish().expect("finish")).expect("utf-8")
    }

    #[test]
    fn lines_pass_while_they_fit_then_one_note() {
        let text: String = (0..100).map(|i| format!("line {i:03}\n")).collect();
        assert_eq!(capped(&text, None), text);
        assert_eq!(capped(&text, Some(text.len() as u64)), text, "exactly fits");
        let out = capped(&text, Some(600));
        assert!(out.len() <= 600, "{}", out.len());
        let (body, note) = out.trim_end().rsplit_once('\n').expect("lines");
        assert!(text.starts_with(&format!("{body}\n")), "cut at a line");
        let kept = body.lines().count();
        assert_eq!(
            note,
            format!(
                "… report cut at its limit of 600 bytes: {} more lines ({} bytes) left out",
                100 - kept,
                (100 - kept) * 9
            )
        );
        // A last line without a newline counts as a line.
        assert_eq!(capped("a\nb", Some(1000)), "a\nb");
        // Too small for its note: no note, nothing over the limit.
        assert_eq!(capped(&text, Some(20)), "");
    }

    #[derive(Clone, Default)]
    struct Fence(bool);

    impl Closing for Fence {
        fn see(&mut self, line: &[u8]) {
            if line.starts_with(b"```") {
                self.0 = !self.0;
            }
        }

        fn close(&self) -> String {
            if self.0 { "```\n" } else { "" }.to_string()
        }
    }

    #[test]
    fn what_is_open_is_closed_before_the_note() {
        let text = format!("intro\n```\n{}```\n", "x\n".repeat(400));
        let mut w = Capped::closing(Vec::new(), Some(300), Fence::default());
        w.write_all(text.as_bytes()).expect("write");
        let out = String::from_utf8(w.finish().expect("finish")).expect("utf-8");
        assert!(out.len() <= 300);
        assert!(out.starts_with("intro\n```\nx\n"));
        assert!(
            out.contains("x\n```\n… report cut at its limit of 300 bytes"),
            "{out}"
        );
    }

    fn leaf(address: &str, causes: Vec<Cause>, changes: usize) -> Node {
        let mut n = Node::new(address, Status::Modified);
        n.causes = causes;
        n.changes = (0..changes)
            .map(|i| {
                reprodiff_report::Change::new(
                    format!("field{i}"),
                    reprodiff_report::Role::Content,
                    None,
                    None,
                )
            })
            .collect();
        n
    }

    /// A tree with a container of 50 routine members (one cause), one
    /// deeper member with much to say, and a group naming a representative.
    fn sample() -> Report {
        let input = |p: &str| Input {
            path: p.into(),
            size: 1,
            sha256: "ab".into(),
        };
        let mut sq = leaf("sq", vec![Cause::Consequential], 0);
        sq.children = (0..50)
            .map(|i| leaf(&format!("sq::f{i:02}"), vec![Cause::Mtime], 1))
            .collect();
        let mut deep = leaf("sq::dir", vec![Cause::Content], 0);
        deep.children = vec![leaf("sq::dir/x", vec![Cause::Content, Cause::Mtime], 30)];
        sq.children.push(deep);
        let mut tree = Node::new("", Status::Modified);
        tree.children = vec![sq, leaf("top", vec![Cause::Mtime], 1)];
        Report {
            schema: SCHEMA.into(),
            verdict: Verdict::Different,
            a: input("a"),
            b: input("b"),
            summary: Summary::default(),
            groups: vec![Group {
                cause: Cause::Mtime,
                shape: "mtime differs".into(),
                count: 51,
                representative: Some("sq::f07".into()),
                addresses: (0..50).map(|i| format!("sq::f{i:02}")).collect(),
            }],
            regions: Vec::new(),
            tree,
            truncated: None,
        }
    }

    fn addresses(r: &Report) -> Vec<String> {
        let mut out = Vec::new();
        r.tree.visit(&mut |n| out.push(n.address.clone()));
        out
    }

    #[test]
    fn fitting_leaves_out_routine_members_first_and_says_how_many() {
        let r = sample();
        let size = |r: &Report| crate::budget::measure(|w| crate::json::write(r, w));
        let full = size(&r);
        let same = fit(&r, Some(full), size);
        assert!(matches!(same.report, Cow::Borrowed(_)), "fits as is");
        assert!(matches!(fit(&r, None, size).report, Cow::Borrowed(_)));

        let limit = full * 2 / 3;
        let f = fit(&r, Some(limit), size);
        assert_eq!(f.size, Some(size(&f.report)));
        assert!(f.size <= Some(limit));
        let kept = addresses(&f.report);
        let t = f.report.truncated.clone().expect("truncated");
        assert_eq!(t.limit, limit);
        assert_eq!(
            kept.len() as u64 + t.dropped_nodes,
            addresses(&r).len() as u64
        );
        // Only routine members went, the representative stayed, and the
        // deeper node with more to say is still there.
        for gone in addresses(&r).iter().filter(|a| !kept.contains(a)) {
            assert!(gone.starts_with("sq::f"), "{gone}");
        }
        assert!(kept.contains(&"sq::f07".to_string()));
        assert!(kept.contains(&"sq::dir/x".to_string()));
        // No more left out than needed: one part fewer does not fit.
        let order: Vec<Part> = parts(&r).into_iter().map(|p| p.0).collect();
        let fewer = t.dropped_nodes as usize - 1;
        assert!(size(&without(&r, &order[..fewer], limit)) > limit);

        // A cap below everything but the root leaves the root, the groups
        // (one address each) and the counts.
        let f = fit(&r, Some(10), size);
        assert_eq!(addresses(&f.report), [""]);
        let t = f.report.truncated.clone().expect("truncated");
        assert_eq!(t.dropped_nodes, addresses(&r).len() as u64 - 1);
        assert_eq!(t.dropped_addresses, 49);
        assert_eq!(f.report.groups[0].addresses, ["sq::f07"]);
        assert_eq!(f.report.groups[0].count, 51);
        assert!(f.size > Some(10), "over the cap, and said so");
        assert_eq!(t.dropped_diffs, 0, "no diff there to leave out");
    }

    #[test]
    fn a_kept_node_loses_its_diff_before_itself() {
        let mut r = sample();
        let mut big = leaf("big", vec![Cause::Content], 1);
        big.diff = Some(reprodiff_report::Diff::Binary {
            size_a: 4096,
            size_b: 4096,
            differing_bytes: 4096,
            ranges: (0..32)
                .map(|i| reprodiff_report::ByteRange {
                    offset: i * 128,
                    len: 1,
                    start: i * 128,
                    a: vec![0; 96],
                    b: vec![1; 96],
                })
                .collect(),
            truncated: false,
            fallback: None,
        });
        r.tree.children.push(big);
        let size = |r: &Report| crate::budget::measure(|w| crate::json::write(r, w));
        // Without every routine member and `sq::dir/x`, but the diff too big.
        let order: Vec<Part> = parts(&r).into_iter().map(|p| p.0).collect();
        let diff_at = order
            .iter()
            .position(|p| matches!(p, Part::Diff(_)))
            .expect("the kept node's diff is a part");
        let limit = size(&without(&r, &order[..diff_at], 0)) - 1;
        let f = fit(&r, Some(limit), size);
        let t = f.report.truncated.clone().expect("cut");
        assert_eq!(t.dropped_diffs, 1);
        let big = (f.report.tree.children.iter())
            .find(|n| n.address == "big")
            .expect("kept");
        assert!(big.diff.is_none() && big.changes.len() == 1);
        assert!(f.size <= Some(limit));
    }
}
