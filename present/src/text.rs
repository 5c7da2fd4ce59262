//! The text report: diffoscope-like, for terminals and CI logs. Each
//! differing node is one header line (status letter, address, kind, format,
//! size) followed by its field changes, its content diff (cut to a line
//! budget) and its errors; located regions come last.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`], computes nothing; diffs are drawn
//! by [`crate::diff`].

use std::collections::HashMap;
use std::io::{self, Write};

use reprodiff_report::{Change, Diff, Node, Region, Report, Status, Verdict};

use crate::diff::{hex_rows, text_rows};

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
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            max_diff_lines: 60,
            max_regions: 40,
            max_group_addresses: 3,
            max_routine: 20,
        }
    }
}

/// Which nodes are routine members of large groups, and how many of each
/// group were printed or left out so far.
struct Routine<'r> {
    /// Address → group index, for members of groups over the limit.
    member: HashMap<&'r str, usize>,
    shown: Vec<usize>,
    left_out: Vec<usize>,
}

impl<'r> Routine<'r> {
    fn new(r: &'r Report, limit: usize) -> Routine<'r> {
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
    fn group_of(&self, n: &Node, r: &Report) -> Option<usize> {
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
    w: &mut impl Write,
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
        if !n.causes.is_empty() {
            let causes: Vec<&str> = n.causes.iter().map(|c| c.as_str()).collect();
            head.push_str(&format!("  ({})", causes.join(", ")));
        }
        writeln!(w, "{head}")?;
        for c in &n.changes {
            writeln!(
                w,
                "    {}: {} → {}{}",
                c.field,
                Change::shown(&c.a).unwrap_or_else(|| "(none)".into()),
                c.shown_b().unwrap_or_else(|| "(none)".into()),
                c.cause.map(|x| format!("  [{x}]")).unwrap_or_default()
            )?;
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
    w: &mut impl Write,
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
                writeln!(w, "    │{}", row.unified())?;
            }
            if total > o.max_diff_lines || *truncated {
                writeln!(
                    w,
                    "    │… diff cut ({total} lines shown in the JSON report)"
                )?;
            }
        }
        Diff::Binary {
            size_a,
            size_b,
            differing_bytes,
            ranges,
            truncated,
            ..
        } => {
            writeln!(
                w,
                "    binary: {differing_bytes} bytes differ in {} range(s){} (sizes {size_a} / {size_b})",
                ranges.len(),
                if *truncated { "+" } else { "" }
            )?;
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
                    writeln!(w, "    -{}", row.line())?;
                    lines += 1;
                }
                for row in hex_rows(r.start, &r.b) {
                    writeln!(w, "    +{}", row.line())?;
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
            writeln!(w, "    -sha256 {}", Diff::digest_shown(sha256_a))?;
            writeln!(w, "    +sha256 {}", Diff::digest_shown(sha256_b))?;
        }
    }
    Ok(())
}

pub fn write(r: &Report, w: &mut impl Write, o: &TextOptions) -> io::Result<()> {
    writeln!(
        w,
        "--- a: {}  ({} bytes, sha256 {})",
        r.a.path, r.a.size, r.a.sha256
    )?;
    writeln!(
        w,
        "+++ b: {}  ({} bytes, sha256 {})",
        r.b.path, r.b.size, r.b.sha256
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
        writeln!(w, "differing byte regions:")?;
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
fn write_groups(r: &Report, w: &mut impl Write, o: &TextOptions) -> io::Result<()> {
    if r.groups.is_empty() {
        return Ok(());
    }
    writeln!(w, "root causes ({} groups):", r.groups.len())?;
    for g in &r.groups {
        writeln!(w, "  {:>5}  {}: {}", g.count, g.cause, g.shape)?;
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
    let mut owners = g.owners_text(&g.owners_a);
    if g.owners_b != g.owners_a && !g.owners_b.is_empty() {
        owners.push_str(&format!(" | b: {}", g.owners_text(&g.owners_b)));
    }
    (c, owners)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reprodiff_report::{ByteRange, Data, DiffLine, Hunk, LineTag};

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
        let mut out = Vec::new();
        write_diff(&d, (None, None), &mut out, &TextOptions::default()).expect("write");
        let out = String::from_utf8(out).expect("utf-8");
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
        let mut out = Vec::new();
        write_diff(
            &d,
            (Some(0x800), Some(0x800)),
            &mut out,
            &TextOptions::default(),
        )
        .expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "    binary: 2 bytes differ in 1 range(s) (sizes 20 / 19)\n\
             \x20   @ 0x12 (+2 bytes), image @ 0x812\n\
             \x20   -00000010: 6162 0064                                ab.d\n\
             \x20   +00000010: 6162 63                                  abc\n"
        );
    }
}
