//! The text report: diffoscope-like, for terminals and CI logs. Each
//! differing node is one header line (status letter, address, kind, format,
//! size) followed by its field changes, its content diff (cut to a line
//! budget) and its errors; located regions come last.
//!
//! Everything it prints goes through [`Sanitize`], so control characters
//! from image data cannot drive the terminal or the log viewer showing it;
//! colour (`TextOptions::color`) is written beside that filter, never
//! through it.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`], computes nothing; diffs are drawn
//! by [`crate::diff`].

use std::collections::HashMap;
use std::io::{self, Write};

use reprodiff_report::{Change, Diff, Node, Region, Report, Status, Verdict};

use crate::diff::{binary_summary, hex_rows, text_rows, RowKind};
use crate::Sanitize;

#[derive(Debug, Clone)]
pub struct TextOptions {
    /// Lines of each content diff printed.
    pub max_diff_lines: usize,
    /// Regions printed.
    pub max_regions: usize,
    /// Addresses printed under each root-cause group.
    pub max_group_addresses: usize,
    /// Members printed of a root-cause group whose members differ in
    /// nothing else (thousands of files whose only difference is the same
    /// mtime shift); the rest are counted in one line. 0 prints all.
    pub max_routine: usize,
    /// Colour removed and added lines, cause names and headings (ANSI
    /// escapes); the caller decides, from the terminal and `NO_COLOR`.
    pub color: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            max_diff_lines: 60,
            max_regions: 40,
            max_group_addresses: 3,
            max_routine: 20,
            color: false,
        }
    }
}

/// What a coloured part of the report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paint {
    Heading,
    Removed,
    Added,
    Cause,
    HunkHeader,
}

impl Paint {
    /// The SGR escape that starts it: bold, red, green, yellow, cyan.
    fn start(self) -> &'static [u8] {
        match self {
            Paint::Heading => b"\x1b[1m",
            Paint::Removed => b"\x1b[31m",
            Paint::Added => b"\x1b[32m",
            Paint::Cause => b"\x1b[33m",
            Paint::HunkHeader => b"\x1b[36m",
        }
    }
}

/// Where the report is drawn: text through [`Sanitize`], and, when colour
/// is on, escapes written to the writer underneath it, around that text.
struct Out<W: Write> {
    w: Sanitize<W>,
    color: bool,
}

impl<W: Write> Out<W> {
    fn new(w: W, color: bool) -> Out<W> {
        Out {
            w: Sanitize(w),
            color,
        }
    }

    /// `s` in the colour of `p` (plain when colour is off).
    fn paint(&mut self, p: Paint, s: &str) -> io::Result<()> {
        if !self.color {
            return self.w.write_all(s.as_bytes());
        }
        self.w.0.write_all(p.start())?;
        self.w.write_all(s.as_bytes())?;
        self.w.0.write_all(b"\x1b[0m")
    }

    /// `s` painted, then a line break.
    fn paint_line(&mut self, p: Paint, s: &str) -> io::Result<()> {
        self.paint(p, s)?;
        self.w.write_all(b"\n")
    }
}

impl<W: Write> Write for Out<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Which nodes are routine members of large groups, and how many of each
/// group were printed or left out so far. The HTML report folds the same
/// members away.
pub(crate) struct Routine<'r> {
    /// Address → group index, for members of groups over the limit.
    member: HashMap<&'r str, usize>,
    pub(crate) shown: Vec<usize>,
    pub(crate) left_out: Vec<usize>,
}

impl<'r> Routine<'r> {
    pub(crate) fn new(r: &'r Report, limit: usize) -> Routine<'r> {
        let mut member = HashMap::new();
        if limit > 0 {
            for (i, g) in r.groups.iter().enumerate() {
                if g.addresses.len() > limit {
                    for a in &g.addresses {
                        member.entry(a.as_str()).or_insert(i);
                    }
                }
            }
        }
        Routine {
            member,
            shown: vec![0; r.groups.len()],
            left_out: vec![0; r.groups.len()],
        }
    }

    /// The group `n` is a routine member of: its only cause is the group's,
    /// and it has nothing but field changes (no diff, errors or children).
    pub(crate) fn group_of(&self, n: &Node, r: &Report) -> Option<usize> {
        let &g = self.member.get(n.address.as_str())?;
        let cause = &r.groups.get(g)?.cause;
        let plain = n.diff.is_none() && n.errors.is_empty() && n.children.is_empty();
        (plain && n.causes.len() == 1 && &n.causes[0] == cause).then_some(g)
    }
}

fn size_text(n: &Node) -> String {
    match (n.size_a, n.size_b) {
        (Some(a), Some(b)) if a != b => {
            let d = b as i128 - a as i128;
            format!(" {a} → {b} bytes ({d:+})")
        }
        (Some(a), Some(_)) => format!(" {a} bytes"),
        (Some(a), None) => format!(" {a} bytes"),
        (None, Some(b)) => format!(" {b} bytes"),
        (None, None) => String::new(),
    }
}

fn write_node(
    n: &Node,
    r: &Report,
    w: &mut Out<impl Write>,
    o: &TextOptions,
    routine: &mut Routine,
) -> io::Result<()> {
    let mut print = n.status != Status::Identical;
    if let (true, Some(g)) = (print, routine.group_of(n, r)) {
        if routine.shown[g] >= o.max_routine {
            routine.left_out[g] += 1;
            print = false;
        } else {
            routine.shown[g] += 1;
        }
    }
    if print {
        let addr = if n.address.is_empty() {
            format!("{} ↔ {}", r.a.path, r.b.path)
        } else {
            n.address.clone()
        };
        let mut head = format!("{} {addr}", n.status.letter());
        if let Some(k) = &n.kind {
            head.push_str(&format!("  {k}"));
        }
        if let Some(f) = &n.format {
            head.push_str(&format!(" [{f}]"));
        }
        head.push_str(&size_text(n));
        w.paint(Paint::Heading, &head)?;
        for (i, c) in n.causes.iter().enumerate() {
            w.write_all(if i == 0 { b"  (" } else { b", " })?;
            w.paint(Paint::Cause, c.as_str())?;
        }
        if !n.causes.is_empty() {
            w.write_all(b")")?;
        }
        writeln!(w)?;
        for c in &n.changes {
            write!(
                w,
                "    {}: {} → {}",
                c.field,
                Change::shown(&c.a).unwrap_or_else(|| "(none)".into()),
                c.shown_b().unwrap_or_else(|| "(none)".into()),
            )?;
            if let Some(x) = c.cause {
                w.write_all(b"  [")?;
                w.paint(Paint::Cause, x.as_str())?;
                w.write_all(b"]")?;
            }
            writeln!(w)?;
        }
        if let Some(d) = &n.diff {
            write_diff(d, (n.image_offset_a, n.image_offset_b), w, o)?;
        }
        for e in &n.errors {
            writeln!(w, "    error: {e}")?;
        }
    }
    for c in &n.children {
        write_node(c, r, w, o, routine)?;
    }
    Ok(())
}

/// `image`: where the entry starts in each outer image, when it is stored there as is.
fn write_diff(
    d: &Diff,
    image: (Option<u64>, Option<u64>),
    w: &mut Out<impl Write>,
    o: &TextOptions,
) -> io::Result<()> {
    if let Some(f) = d.fallback() {
        writeln!(w, "    note: {f}")?;
    }
    match d {
        Diff::Text {
            hunks, truncated, ..
        } => {
            let rows = text_rows(hunks);
            let total = rows.len();
            for row in rows.iter().take(o.max_diff_lines) {
                w.write_all("    │".as_bytes())?;
                match row.kind {
                    RowKind::Delete => w.paint_line(Paint::Removed, &row.unified())?,
                    RowKind::Insert => w.paint_line(Paint::Added, &row.unified())?,
                    RowKind::Header => w.paint_line(Paint::HunkHeader, &row.unified())?,
                    RowKind::Context | RowKind::NoNewline => writeln!(w, "{}", row.unified())?,
                }
            }
            if total > o.max_diff_lines || *truncated {
                writeln!(
                    w,
                    "    │… diff cut ({total} lines shown in the JSON report)"
                )?;
            }
        }
        Diff::Binary { ranges, .. } => {
            writeln!(w, "    binary: {}", binary_summary(d).unwrap_or_default())?;
            let mut lines = 0;
            for r in ranges {
                if lines >= o.max_diff_lines {
                    writeln!(w, "    … more ranges in the JSON report")?;
                    break;
                }
                match image {
                    (Some(a), Some(b)) if a == b => writeln!(
                        w,
                        "    @ {:#x} (+{} bytes), image @ {:#x}",
                        r.offset,
                        r.len,
                        a + r.offset
                    )?,
                    (Some(a), Some(b)) => writeln!(
                        w,
                        "    @ {:#x} (+{} bytes), image @ {:#x} (a) / {:#x} (b)",
                        r.offset,
                        r.len,
                        a + r.offset,
                        b + r.offset
                    )?,
                    _ => writeln!(w, "    @ {:#x} (+{} bytes)", r.offset, r.len)?,
                }
                for row in hex_rows(r.start, &r.a) {
                    w.write_all(b"    ")?;
                    w.paint_line(Paint::Removed, &format!("-{}", row.line()))?;
                    lines += 1;
                }
                for row in hex_rows(r.start, &r.b) {
                    w.write_all(b"    ")?;
                    w.paint_line(Paint::Added, &format!("+{}", row.line()))?;
                    lines += 1;
                }
            }
        }
        Diff::Hash {
            sha256_a,
            sha256_b,
            reason,
        } => {
            writeln!(w, "    compared by hash only ({reason})")?;
            w.write_all(b"    ")?;
            w.paint_line(
                Paint::Removed,
                &format!("-sha256 {}", Diff::digest_shown(sha256_a)),
            )?;
            w.write_all(b"    ")?;
            w.paint_line(
                Paint::Added,
                &format!("+sha256 {}", Diff::digest_shown(sha256_b)),
            )?;
        }
    }
    Ok(())
}

pub fn write(r: &Report, w: &mut impl Write, o: &TextOptions) -> io::Result<()> {
    let w = &mut Out::new(w, o.color);
    w.paint_line(
        Paint::Heading,
        &format!(
            "--- a: {}  ({} bytes, sha256 {})",
            r.a.path,
            r.a.size,
            r.a.sha256_shown()
        ),
    )?;
    w.paint_line(
        Paint::Heading,
        &format!(
            "+++ b: {}  ({} bytes, sha256 {})",
            r.b.path,
            r.b.size,
            r.b.sha256_shown()
        ),
    )?;
    let s = &r.summary;
    match r.verdict {
        Verdict::Identical => {
            writeln!(w, "identical")?;
            return Ok(());
        }
        // Two files that are not containers have no members to count.
        Verdict::Different if s.compared == 0 && s.errors == 0 && s.timeouts == 0 => {
            writeln!(w, "different (no members: compared as files)")?
        }
        Verdict::Different => writeln!(
            w,
            "different: {} modified, {} added, {} removed, {} identical of {} compared{}{}",
            s.modified,
            s.added,
            s.removed,
            s.identical,
            s.compared,
            if s.errors > 0 {
                format!(", {} with errors", s.errors)
            } else {
                String::new()
            },
            if s.fallbacks > 0 {
                format!(", {} compared by hash only", s.fallbacks)
            } else {
                String::new()
            }
        )?,
    }
    if s.timeouts > 0 {
        writeln!(
            w,
            "stopped at its deadline: {} compared by hash only (timeout), members not listed",
            s.timeouts
        )?;
    }
    writeln!(w)?;
    write_groups(r, w, o)?;
    let mut routine = Routine::new(r, o.max_routine);
    write_node(&r.tree, r, w, o, &mut routine)?;
    for (g, &n) in r.groups.iter().zip(&routine.left_out) {
        if n > 0 {
            writeln!(
                w,
                "… {n} more whose only difference is {}: {} (all in the JSON report)",
                g.cause, g.shape
            )?;
        }
    }
    if !r.regions.is_empty() {
        writeln!(w)?;
        w.paint_line(Paint::Heading, "differing byte regions:")?;
        for g in r.regions.iter().take(o.max_regions) {
            let (c, owners) = region_text(g);
            writeln!(w, "  {c} @ {:#x} +{:#x}: {owners}", g.offset, g.len)?;
        }
        if r.regions.len() > o.max_regions {
            writeln!(
                w,
                "  … {} more in the JSON report",
                r.regions.len() - o.max_regions
            )?;
        }
    }
    Ok(())
}

/// How an address reads in a report: the images themselves have none.
pub fn shown_address(a: &str) -> &str {
    if a.is_empty() {
        "(image)"
    } else {
        a
    }
}

/// The root causes, most explaining first, each with a few addresses.
fn write_groups(r: &Report, w: &mut Out<impl Write>, o: &TextOptions) -> io::Result<()> {
    if r.groups.is_empty() {
        return Ok(());
    }
    w.paint_line(
        Paint::Heading,
        &format!("root causes ({} groups):", r.groups.len()),
    )?;
    for g in &r.groups {
        write!(w, "  {:>5}  ", g.count)?;
        w.paint(Paint::Cause, g.cause.as_str())?;
        writeln!(w, ": {}", g.shape)?;
        let shown: Vec<&str> = g
            .addresses
            .iter()
            .take(o.max_group_addresses)
            .map(|a| shown_address(a))
            .collect();
        let more = g.addresses.len().saturating_sub(shown.len());
        let mut line = shown.join(", ");
        if more > 0 {
            line.push_str(&format!(", … (+{more})"));
        }
        writeln!(w, "         {line}")?;
    }
    writeln!(w)?;
    Ok(())
}

/// `reprodiff locate`: the regions only.
pub fn write_regions(r: &Report, w: &mut impl Write) -> io::Result<()> {
    for g in &r.regions {
        let (c, owners) = region_text(g);
        writeln!(w, "{c}\t{:#x}\t{:#x}\t{owners}", g.offset, g.len)?;
    }
    Ok(())
}

/// The container's name and the owners of a region (b's only where they differ).
fn region_text(g: &Region) -> (&str, String) {
    let c = if g.container.is_empty() {
        "(image)"
    } else {
        &g.container
    };
    (c, region_owners(g))
}

/// A region's owners: a's, and b's after them where they differ.
pub(crate) fn region_owners(g: &Region) -> String {
    let mut owners = g.owners_text(&g.owners_a);
    if g.owners_b != g.owners_a && !g.owners_b.is_empty() {
        owners.push_str(&format!(" | b: {}", g.owners_text(&g.owners_b)));
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::*;
    use reprodiff_report::{ByteRange, Data, DiffLine, Hunk, LineTag};

    #[test]
    fn colour_goes_around_text_that_stays_escaped() {
        let mut out = Out::new(Vec::new(), true);
        out.paint(Paint::Removed, "-a\x1b[2Jb").expect("write");
        write!(out, " \x1b]0;title\x07").expect("write");
        assert_eq!(
            String::from_utf8(out.w.0).expect("utf-8"),
            "\x1b[31m-a\\x1b[2Jb\x1b[0m \\x1b]0;title\\x07"
        );
        let mut plain = Out::new(Vec::new(), false);
        plain.paint(Paint::Removed, "-a").expect("write");
        assert_eq!(plain.w.0, b"-a");
    }

    #[test]
    fn a_coarser_diff_says_why() {
        let line = |tag, s: &str| DiffLine {
            tag,
            line: Data::Text(s.into()),
        };
        let d = Diff::Text {
            hunks: vec![Hunk {
                a_start: 1,
                a_len: 1,
                b_start: 1,
                b_len: 1,
                lines: vec![line(LineTag::Delete, "a\n"), line(LineTag::Insert, "b\n")],
            }],
            truncated: false,
            fallback: Some("line diff stopped at its 500 ms deadline".into()),
        };
        let mut out = Out::new(Vec::new(), false);
        write_diff(&d, (None, None), &mut out, &TextOptions::default()).expect("write");
        let out = String::from_utf8(out.w.0).expect("utf-8");
        assert_eq!(
            out,
            "    note: line diff stopped at its 500 ms deadline\n    │@@ -1 +1 @@\n    │-a\n    │+b\n"
        );
    }

    #[test]
    fn a_binary_diff_shows_each_side_as_a_hexdump() {
        let d = Diff::Binary {
            size_a: 20,
            size_b: 19,
            differing_bytes: 2,
            ranges: vec![ByteRange {
                offset: 0x12,
                len: 2,
                start: 0x10,
                a: b"ab\x00d".to_vec(),
                b: b"abc".to_vec(),
            }],
            truncated: false,
            fallback: None,
        };
        let mut out = Out::new(Vec::new(), false);
        write_diff(
            &d,
            (Some(0x800), Some(0x800)),
            &mut out,
            &TextOptions::default(),
        )
        .expect("write");
        assert_eq!(
            String::from_utf8(out.w.0).expect("utf-8"),
            "    binary: 2 bytes differ in 1 range (sizes 20 / 19)\n\
             \x20   @ 0x12 (+2 bytes), image @ 0x812\n\
             \x20   -00000010: 6162 0064                                ab.d\n\
             \x20   +00000010: 6162 63                                  abc\n"
        );
    }
}
